//! The whole public directory at one version, as immutable views with the most requested
//! bodies pre-serialized: what every public read is served from (see `cache`).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use domain::staffing::{self, Side, StaffingStatus};
use domain::{District, OfficeId};
use persistence::RepoError;
use persistence::read_model::{CommittedOffice, DirectoryData, OfficeRecord};

use crate::directory::districts::DistrictView;
use crate::directory::hours::{ConsultationHoursView, Schedule};
use crate::directory::offices::{LocationView, OfficeView};
use crate::directory::organizations::{OrganizationRef, OrganizationView};
use crate::directory::reference::TopicView;
use crate::directory::services::ServiceView;
use crate::http::conditional::JsonBody;
use crate::http::pagination::{DEFAULT_LIMIT, paginate};

pub struct Snapshot {
    pub version: i64,
    /// When the snapshot was built (application clock); `today` is its Berlin day.
    pub taken_at: DateTime<Utc>,
    pub today: NaiveDate,
    pub districts: Vec<DistrictView>,
    /// Sorted by id (UUIDv7: creation order).
    pub organizations: Vec<OrganizationEntry>,
    /// Sorted by id.
    pub offices: Vec<OfficeEntry>,
    /// In official order.
    pub topics: Vec<TopicView>,
    /// Sorted by id.
    pub services: Vec<ServiceView>,
    /// First pages of the HSDS lists, built on first use (see `directory::hsds`).
    pub hsds_first_pages: [OnceLock<JsonBody>; 3],
    pub first_pages: FirstPages,
    /// Office id and slug to position in `offices`.
    office_index: HashMap<String, usize>,
    organization_index: HashMap<String, usize>,
    service_index: HashMap<String, usize>,
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

pub struct OrganizationEntry {
    pub view: OrganizationView,
    pub body: JsonBody,
}

/// One office with everything the public reads show of it.
pub struct OfficeEntry {
    /// As anonymous callers see it (no staffing status).
    pub view: OfficeView,
    /// As authenticated callers see it (with staffing status).
    pub private_view: OfficeView,
    pub staffing: OfficeStaffing,
    pub hours: ConsultationHoursView,
    pub schedule: Schedule,
    /// Oldest first.
    pub locations: Vec<LocationView>,
    body: JsonBody,
    private_body: JsonBody,
    hours_body: JsonBody,
    locations_first_page: JsonBody,
    /// The iCalendar feed, rendered on first request (see `directory::ics`).
    pub ics: OnceLock<JsonBody>,
}

/// An office's tandem today, without names.
#[derive(Debug, Clone)]
pub struct OfficeStaffing {
    pub status: StaffingStatus,
    pub city_vacant_since: Option<NaiveDate>,
    pub provider_vacant_since: Option<NaiveDate>,
}

impl OfficeEntry {
    /// Builds the views of one office; `organization` resolves the organizations it
    /// refers to (provider, hosts).
    pub fn build(
        record: &OfficeRecord,
        organization: impl Fn(&str) -> Option<OrganizationRef>,
        today: NaiveDate,
    ) -> Result<OfficeEntry, RepoError> {
        let row = &record.office;
        let provider = organization(&row.provider_organization_id)
            .ok_or_else(|| RepoError::Corrupt(format!("office {} has an unknown provider", row.id)))?;
        let locations = record
            .location_periods
            .iter()
            .map(|p| LocationView::from_row(p, today, &organization))
            .collect::<Result<Vec<_>, _>>()?;
        let current = locations.iter().find(|p| p.is_current).cloned();
        let districts: Vec<&str> = record.districts.iter().map(String::as_str).collect();
        let (hours, schedule) = ConsultationHoursView::build(
            &row.id,
            row.by_appointment,
            &record.slots.iter().collect::<Vec<_>>(),
            &record.closures.iter().collect::<Vec<_>>(),
            &record.extra_sessions.iter().collect::<Vec<_>>(),
        )?;
        let mut view = OfficeView::from_row(row, &districts, provider, current)?;
        view.opening_hours.clone_from(&hours.opening_hours);
        view.languages.clone_from(&hours.languages);
        let assigned = record
            .assignments
            .iter()
            .map(persistence::staffing::assignments::AssignmentRow::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let staffing = OfficeStaffing {
            status: staffing::status(&assigned, today),
            city_vacant_since: staffing::vacant_since(&assigned, Side::City, today, row.opened_on),
            provider_vacant_since: staffing::vacant_since(&assigned, Side::Provider, today, row.opened_on),
        };
        let private_view = OfficeView {
            staffing_status: Some(staffing.status),
            ..view.clone()
        };
        let limit = DEFAULT_LIMIT as usize;
        Ok(OfficeEntry {
            body: JsonBody::new(&view),
            private_body: JsonBody::new(&private_view),
            hours_body: JsonBody::new(&hours),
            locations_first_page: JsonBody::new(&paginate(&locations, |l| &l.sort_key, None, limit)),
            ics: OnceLock::new(),
            view,
            private_view,
            staffing,
            hours,
            schedule,
            locations,
        })
    }

    /// Builds one office from what a write committed.
    pub fn from_committed(committed: &CommittedOffice, today: NaiveDate) -> Result<OfficeEntry, RepoError> {
        let organizations: HashMap<&str, OrganizationRef> = committed
            .organizations
            .iter()
            .map(|o| Ok((o.id.as_str(), OrganizationRef::from_row(o)?)))
            .collect::<Result<_, RepoError>>()?;
        OfficeEntry::build(&committed.record, |id| organizations.get(id).cloned(), today)
    }

    pub fn id(&self) -> &str {
        &self.view.id
    }

    pub fn office_id(&self) -> OfficeId {
        OfficeId::from_stored(self.view.id.clone())
    }

    /// The view a caller sees: with staffing status when `private` (authenticated).
    pub fn view_for(&self, private: bool) -> &OfficeView {
        if private { &self.private_view } else { &self.view }
    }

    pub fn body_for(&self, private: bool) -> &JsonBody {
        if private { &self.private_body } else { &self.body }
    }

    /// The ETags of both representations of this version: `If-Match` accepts either.
    pub fn etags(&self) -> [&actix_web::http::header::HeaderValue; 2] {
        [&self.body.etag, &self.private_body.etag]
    }

    pub fn hours_body(&self) -> &JsonBody {
        &self.hours_body
    }

    pub fn locations_first_page(&self) -> &JsonBody {
        &self.locations_first_page
    }
}

impl Snapshot {
    pub fn build(data: DirectoryData, taken_at: DateTime<Utc>) -> Result<Snapshot, RepoError> {
        let today = domain::directory::schedule::berlin_today(taken_at);
        let districts: Vec<DistrictView> = District::ALL
            .iter()
            .enumerate()
            .map(|(i, d)| DistrictView::new(*d, i))
            .collect();
        let organizations = data
            .organizations
            .iter()
            .map(|record| {
                let view = OrganizationView::from_record(record)?;
                Ok(OrganizationEntry {
                    body: JsonBody::new(&view),
                    view,
                })
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
        let organization_index: HashMap<String, usize> = organizations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.view.id.clone(), i))
            .collect();
        let org_ref = |id: &str| {
            organization_index
                .get(id)
                .map(|&i| organizations[i].view.as_ref())
        };
        let offices = data
            .offices
            .iter()
            .map(|record| OfficeEntry::build(record, org_ref, today))
            .collect::<Result<Vec<_>, _>>()?;
        let mut office_index = HashMap::with_capacity(offices.len() * 2);
        for (i, o) in offices.iter().enumerate() {
            office_index.insert(o.view.id.clone(), i);
            office_index.insert(o.view.slug.clone(), i);
        }
        let topics = data
            .topics
            .iter()
            .map(TopicView::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let services = data
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
            organizations: JsonBody::new(&paginate(
                organizations.iter().map(|o| &o.view),
                |o| &o.id,
                None,
                limit,
            )),
            offices: JsonBody::new(&paginate(offices.iter().map(|o| &o.view), |o| &o.id, None, limit)),
            offices_private: JsonBody::new(&paginate(
                offices.iter().map(|o| &o.private_view),
                |o| &o.id,
                None,
                limit,
            )),
            topics: JsonBody::new(&paginate(&topics, |t| &t.sort_key, None, limit)),
            services: JsonBody::new(&paginate(&services, |s| &s.id, None, limit)),
        };
        Ok(Snapshot {
            version: data.version,
            taken_at,
            today,
            districts,
            organizations,
            offices,
            topics,
            services,
            hsds_first_pages: Default::default(),
            first_pages,
            office_index,
            organization_index,
            service_index,
        })
    }

    /// An office by id or slug.
    pub fn office(&self, id_or_slug: impl AsRef<str>) -> Option<&OfficeEntry> {
        self.office_index
            .get(id_or_slug.as_ref())
            .map(|&i| &self.offices[i])
    }

    pub fn organization(&self, id: impl AsRef<str>) -> Option<&OrganizationEntry> {
        self.organization_index
            .get(id.as_ref())
            .map(|&i| &self.organizations[i])
    }

    pub fn organization_ref(&self, id: impl AsRef<str>) -> Option<OrganizationRef> {
        self.organization(id).map(|o| o.view.as_ref())
    }

    pub fn service(&self, id: impl AsRef<str>) -> Option<&ServiceView> {
        self.service_index.get(id.as_ref()).map(|&i| &self.services[i])
    }

    /// The base offer plus the office's local services, in id order.
    pub fn services_of(&self, office_id: &str) -> Vec<&ServiceView> {
        self.services
            .iter()
            .filter(|s| s.office_id.as_deref().is_none_or(|o| o == office_id))
            .collect()
    }

    pub fn offices_first_page(&self, private: bool) -> &JsonBody {
        if private {
            &self.first_pages.offices_private
        } else {
            &self.first_pages.offices
        }
    }
}
