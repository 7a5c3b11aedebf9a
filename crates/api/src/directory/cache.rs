//! The public directory, served from memory.
//!
//! Public reads never touch the database: they read an immutable [`Snapshot`] built
//! from one consistent load. Writes on this instance reload it before they answer
//! (read-your-writes); a watcher on every instance polls the one-row
//! `directory_version` counter, which every write bumps in its transaction, and reloads
//! when it moved or the calendar day changed. A change on any instance is therefore
//! visible on all within one poll interval plus a reload (bound documented in
//! docs/architecture.md).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDate;
use domain::staffing::{self, Assignment, Side, StaffingStatus};
use domain::{Clock, District};
use persistence::change_feed;
use persistence::read_model::{self, DirectoryData};
use persistence::{DbPool, RepoError};

use crate::directory::districts::DistrictView;
use crate::directory::hours::ConsultationHoursView;
use crate::directory::hours::Schedule;
use crate::directory::offices::LocationView;
use crate::directory::offices::OfficeView;
use crate::directory::organizations::OrganizationView;
use crate::directory::reference::TopicView;
use crate::directory::services::ServiceView;
use crate::http::blocking::run_blocking;
use crate::http::conditional::JsonBody;
use crate::http::pagination::{DEFAULT_LIMIT, paginate};

/// The whole public directory at one version, with the most requested bodies pre-serialized.
pub struct Snapshot {
    pub version: i64,
    /// When the snapshot was built (application clock); `today` is its Berlin day.
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub today: NaiveDate,
    pub districts: Vec<DistrictView>,
    /// Sorted by id (UUIDv7: creation order).
    pub organizations: Vec<OrganizationView>,
    /// Sorted by id; the anonymous view (no staffing status).
    pub offices: Vec<OfficeView>,
    /// The same offices as authenticated callers see them (with staffing status).
    pub offices_private: Vec<OfficeView>,
    /// Staffing per office, parallel to `offices`.
    pub staffing: Vec<OfficeStaffing>,
    /// Consultation hours per office, parallel to `offices`.
    pub hours: Vec<ConsultationHoursView>,
    pub schedules: Vec<Schedule>,
    hours_bodies: Vec<JsonBody>,
    /// In official order.
    pub topics: Vec<TopicView>,
    /// Sorted by id.
    pub services: Vec<ServiceView>,
    service_index: HashMap<String, usize>,
    /// First pages of the HSDS lists, built on first use (see `routes::hsds`).
    pub hsds_first_pages: [std::sync::OnceLock<JsonBody>; 3],
    /// Oldest first, parallel to `offices`.
    pub locations: Vec<Vec<LocationView>>,
    office_index: HashMap<String, usize>,
    organization_index: HashMap<String, usize>,
    pub first_pages: FirstPages,
    office_bodies: Vec<JsonBody>,
    office_bodies_private: Vec<JsonBody>,
    location_bodies: Vec<JsonBody>,
    organization_bodies: Vec<JsonBody>,
}

/// Bodies of the unfiltered first page of each list with the default limit.
pub struct FirstPages {
    pub districts: JsonBody,
    pub organizations: JsonBody,
    pub offices: JsonBody,
    pub offices_private: JsonBody,
    pub topics: JsonBody,
    pub services: JsonBody,
}

/// An office's tandem today, without names.
#[derive(Debug, Clone)]
pub struct OfficeStaffing {
    pub status: StaffingStatus,
    pub city_vacant_since: Option<NaiveDate>,
    pub provider_vacant_since: Option<NaiveDate>,
}

impl Snapshot {
    pub fn build(
        data: DirectoryData,
        taken_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Snapshot, RepoError> {
        let today = domain::directory::schedule::berlin_today(taken_at);
        let districts: Vec<DistrictView> = District::ALL
            .iter()
            .enumerate()
            .map(|(i, d)| DistrictView::new(*d, i))
            .collect();
        let organizations = data
            .organizations
            .iter()
            .map(OrganizationView::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let organization_index: HashMap<String, usize> = organizations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        let org_ref = |id: &str| organization_index.get(id).map(|&i| organizations[i].as_ref());

        let mut districts_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for od in &data.office_districts {
            districts_of
                .entry(&od.office_id)
                .or_default()
                .push(&od.district_code);
        }
        let mut periods_of: HashMap<&str, Vec<LocationView>> = HashMap::new();
        for row in &data.location_periods {
            periods_of
                .entry(&row.office_id)
                .or_default()
                .push(LocationView::from_row(row, today, org_ref)?);
        }

        let mut assignments_of: HashMap<&str, Vec<Assignment>> = HashMap::new();
        for row in &data.assignments {
            assignments_of
                .entry(&row.office_id)
                .or_default()
                .push(row.to_domain()?);
        }
        let content = &data.content;
        let group = |office_id: &str| {
            (
                content
                    .slots
                    .iter()
                    .filter(|r| r.office_id == office_id)
                    .collect::<Vec<_>>(),
                content
                    .closures
                    .iter()
                    .filter(|r| r.office_id == office_id)
                    .collect::<Vec<_>>(),
                content
                    .extra_sessions
                    .iter()
                    .filter(|r| r.office_id == office_id)
                    .collect::<Vec<_>>(),
            )
        };
        let mut offices = Vec::with_capacity(data.offices.len());
        let mut staffing = Vec::with_capacity(data.offices.len());
        let mut hours = Vec::with_capacity(data.offices.len());
        let mut schedules = Vec::with_capacity(data.offices.len());
        let mut locations = Vec::with_capacity(data.offices.len());
        for row in &data.offices {
            let provider = org_ref(&row.provider_organization_id)
                .ok_or_else(|| RepoError::Corrupt(format!("office {} has an unknown provider", row.id)))?;
            let history = periods_of.remove(row.id.as_str()).unwrap_or_default();
            let current = history.iter().find(|p| p.is_current).cloned();
            let codes = districts_of
                .get(row.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let (slots, closures, extras) = group(&row.id);
            let (hours_view, schedule) =
                ConsultationHoursView::build(&row.id, row.by_appointment, &slots, &closures, &extras)?;
            let mut view = OfficeView::from_row(row, codes, provider, current)?;
            view.opening_hours = hours_view.opening_hours.clone();
            view.languages = hours_view.languages.clone();
            offices.push(view);
            hours.push(hours_view);
            schedules.push(schedule);
            locations.push(history);
            let assigned = assignments_of.remove(row.id.as_str()).unwrap_or_default();
            staffing.push(OfficeStaffing {
                status: staffing::status(&assigned, today),
                city_vacant_since: staffing::vacant_since(&assigned, Side::City, today, row.opened_on),
                provider_vacant_since: staffing::vacant_since(
                    &assigned,
                    Side::Provider,
                    today,
                    row.opened_on,
                ),
            });
        }
        let mut office_index = HashMap::with_capacity(offices.len() * 2);
        for (i, o) in offices.iter().enumerate() {
            office_index.insert(o.id.clone(), i);
            office_index.insert(o.slug.clone(), i);
        }

        let offices_private: Vec<OfficeView> = offices
            .iter()
            .zip(&staffing)
            .map(|(o, s)| OfficeView {
                staffing_status: Some(s.status),
                ..o.clone()
            })
            .collect();
        let topics = content
            .topics
            .iter()
            .map(TopicView::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let services = content
            .services
            .iter()
            .map(ServiceView::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let service_index = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let limit = DEFAULT_LIMIT as usize;
        let first_pages = FirstPages {
            districts: JsonBody::new(&paginate(&districts, |d| &d.sort_key, None, limit)),
            organizations: JsonBody::new(&paginate(&organizations, |o| &o.id, None, limit)),
            offices: JsonBody::new(&paginate(&offices, |o| &o.id, None, limit)),
            offices_private: JsonBody::new(&paginate(&offices_private, |o| &o.id, None, limit)),
            topics: JsonBody::new(&paginate(&topics, |t| &t.sort_key, None, limit)),
            services: JsonBody::new(&paginate(&services, |s| &s.id, None, limit)),
        };
        Ok(Snapshot {
            version: data.version,
            taken_at,
            today,
            office_bodies: offices.iter().map(JsonBody::new).collect(),
            office_bodies_private: offices_private.iter().map(JsonBody::new).collect(),
            location_bodies: locations
                .iter()
                .map(|h| JsonBody::new(&paginate(h, |l| &l.sort_key, None, limit)))
                .collect(),
            organization_bodies: organizations.iter().map(JsonBody::new).collect(),
            districts,
            organizations,
            offices,
            offices_private,
            staffing,
            hours_bodies: hours.iter().map(JsonBody::new).collect(),
            hours,
            schedules,
            topics,
            services,
            service_index,
            hsds_first_pages: Default::default(),
            locations,
            office_index,
            organization_index,
            first_pages,
        })
    }

    /// Finds an office by id or slug.
    pub fn office(&self, id_or_slug: &str) -> Option<usize> {
        self.office_index.get(id_or_slug).copied()
    }

    pub fn office_body(&self, index: usize) -> &JsonBody {
        &self.office_bodies[index]
    }

    pub fn hours_body(&self, index: usize) -> &JsonBody {
        &self.hours_bodies[index]
    }

    pub fn service(&self, id: &str) -> Option<usize> {
        self.service_index.get(id).copied()
    }

    /// The base offer plus the office's local services, in id order.
    pub fn services_of(&self, office_id: &str) -> Vec<&ServiceView> {
        self.services
            .iter()
            .filter(|s| s.office_id.as_deref().is_none_or(|o| o == office_id))
            .collect()
    }

    /// The offices as a caller sees them: with staffing status when `private`.
    pub fn offices_for(&self, private: bool) -> &[OfficeView] {
        if private {
            &self.offices_private
        } else {
            &self.offices
        }
    }

    pub fn office_body_for(&self, index: usize, private: bool) -> &JsonBody {
        if private {
            &self.office_bodies_private[index]
        } else {
            &self.office_bodies[index]
        }
    }

    pub fn offices_first_page(&self, private: bool) -> &JsonBody {
        if private {
            &self.first_pages.offices_private
        } else {
            &self.first_pages.offices
        }
    }

    pub fn locations_first_page(&self, index: usize) -> &JsonBody {
        &self.location_bodies[index]
    }

    pub fn organization(&self, id: &str) -> Option<usize> {
        self.organization_index.get(id).copied()
    }

    pub fn organization_body(&self, index: usize) -> &JsonBody {
        &self.organization_bodies[index]
    }
}

/// Holds the current snapshot; cheap to read from every worker.
pub struct DirectoryCache {
    current: RwLock<Arc<Snapshot>>,
    clock: Clock,
}

impl DirectoryCache {
    /// Loads the first snapshot; call at start-up, on a thread that may block.
    pub fn load_blocking(pool: &DbPool, clock: Clock) -> Result<DirectoryCache, RepoError> {
        let snapshot = load(pool, &clock)?;
        Ok(DirectoryCache {
            current: RwLock::new(Arc::new(snapshot)),
            clock,
        })
    }

    pub fn get(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .expect("snapshot lock is never poisoned")
            .clone()
    }

    fn install(&self, snapshot: Snapshot) {
        let mut current = self.current.write().expect("snapshot lock is never poisoned");
        // A slower, older load must not replace a newer one.
        if snapshot.version >= current.version {
            *current = Arc::new(snapshot);
        }
    }

    /// Reloads from the database; writers await this before answering.
    pub async fn reload(&self, pool: &DbPool) -> Result<(), crate::http::problem::ApiError> {
        let (pool, clock) = (pool.clone(), self.clock.clone());
        let snapshot = run_blocking(move || load(&pool, &clock)).await?;
        self.install(snapshot);
        Ok(())
    }

    /// Polls the directory version every `every` and reloads when it changed or the
    /// day rolled over. Runs until the process ends; errors are logged and retried.
    pub async fn watch(self: Arc<Self>, pool: DbPool, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let snapshot = self.get();
            let pool2 = pool.clone();
            let version = run_blocking(move || {
                let mut conn = pool2.get()?;
                change_feed::version(&mut conn)
            })
            .await;
            let stale = match version {
                Ok(v) => v != snapshot.version || self.clock.today() != snapshot.today,
                Err(e) => {
                    tracing::warn!(error = %e, "directory version check failed");
                    false
                }
            };
            if stale && let Err(e) = self.reload(&pool).await {
                tracing::warn!(error = %e, "directory reload failed");
            }
        }
    }
}

fn load(pool: &DbPool, clock: &Clock) -> Result<Snapshot, RepoError> {
    let mut conn = pool.get()?;
    let data = read_model::load(&mut conn)?;
    Snapshot::build(data, clock.now())
}
