//! The public directory as the API's in-memory snapshot needs it: a read model over the
//! directory and staffing features (they never depend on it), grouped per office.

use domain::{Id, OfficeId};
use std::collections::HashMap;

use diesel::prelude::*;

use crate::directory::content::{ClosureRow, ExtraSessionRow, ServiceRow, SlotRow, TopicRow};
use crate::directory::organizations::OrganizationRecord;
use crate::directory::rows::*;
use crate::schema::*;
use crate::staffing::assignments::AssignmentRow;
use crate::{DbConnection, RepoError};
use domain::directory::invariants::{self, OfficeState};
use domain::network::partners::Visibility;

/// Everything the public read API shows, as stored, at one directory version.
#[derive(Debug, Clone)]
pub struct DirectoryData {
    pub version: i64,
    /// The public organizations (every one but internal partners), sorted by id.
    pub organizations: Vec<OrganizationRecord>,
    /// Sorted by id.
    pub offices: Vec<OfficeRecord>,
    /// In official order.
    pub topics: Vec<TopicRow>,
    /// Sorted by id.
    pub services: Vec<ServiceRow>,
}

/// One office with everything that belongs to it.
#[derive(Debug, Clone)]
pub struct OfficeRecord {
    pub office: OfficeRow,
    /// District codes, sorted.
    pub districts: Vec<String>,
    /// Oldest first.
    pub location_periods: Vec<LocationPeriodRow>,
    /// For the staffing status (names are not loaded).
    pub assignments: Vec<AssignmentRow>,
    pub slots: Vec<SlotRow>,
    pub closures: Vec<ClosureRow>,
    pub extra_sessions: Vec<ExtraSessionRow>,
}

impl OfficeRecord {
    /// Ids of the organizations this office refers to (provider, hosts of its premises).
    pub fn organization_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.office.provider_organization_id.as_str()).chain(
            self.location_periods
                .iter()
                .filter_map(|p| p.host_organization_id.as_deref()),
        )
    }
}

/// Loads the directory inside one read transaction, so the parts are consistent.
pub fn load(conn: &mut DbConnection) -> Result<DirectoryData, RepoError> {
    conn.transaction(|conn| {
        // One snapshot for all the reads below (SQLite's read transaction already is one).
        if let DbConnection::Pg(pg) = conn {
            use diesel::connection::SimpleConnection;
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let version = crate::change_feed::version(conn)?;
        let offices = offices::table
            .order(offices::id)
            .select(OfficeRow::as_select())
            .load(conn)?;
        let parts = OfficeParts {
            districts: office_districts::table
                .order((office_districts::office_id, office_districts::district_code))
                .select(OfficeDistrictRow::as_select())
                .load(conn)?,
            location_periods: location_periods::table
                .order((location_periods::office_id, location_periods::valid_from))
                .select(LocationPeriodRow::as_select())
                .load(conn)?,
            assignments: staff_assignments::table
                .order((staff_assignments::office_id, staff_assignments::started_on))
                .select(AssignmentRow::as_select())
                .load(conn)?,
            slots: consultation_slots::table
                .order((
                    consultation_slots::office_id,
                    consultation_slots::weekday,
                    consultation_slots::opens,
                ))
                .select(SlotRow::as_select())
                .load(conn)?,
            closures: consultation_closures::table
                .order((consultation_closures::office_id, consultation_closures::first_day))
                .select(ClosureRow::as_select())
                .load(conn)?,
            extra_sessions: extra_sessions::table
                .order((
                    extra_sessions::office_id,
                    extra_sessions::day,
                    extra_sessions::opens,
                ))
                .select(ExtraSessionRow::as_select())
                .load(conn)?,
        };
        let public_organizations: Vec<OrganizationRow> = organizations::table
            .filter(organizations::visibility.eq(Visibility::Public.as_str()))
            .order(organizations::id)
            .select(OrganizationRow::as_select())
            .load(conn)?;
        let mut districts: HashMap<String, Vec<String>> = HashMap::new();
        for row in organization_districts::table
            .order((
                organization_districts::organization_id,
                organization_districts::district_code,
            ))
            .select(OrganizationDistrictRow::as_select())
            .load(conn)?
        {
            districts
                .entry(row.organization_id)
                .or_default()
                .push(row.district_code);
        }
        Ok(DirectoryData {
            version,
            organizations: public_organizations
                .into_iter()
                .map(|row| OrganizationRecord {
                    districts: districts.remove(&row.id).unwrap_or_default(),
                    row,
                })
                .collect(),
            offices: parts.group(offices),
            topics: topics::table
                .order(topics::position)
                .select(TopicRow::as_select())
                .load(conn)?,
            services: services::table
                .order(services::id)
                .select(ServiceRow::as_select())
                .load(conn)?,
        })
    })
}

/// One office as a write committed it, with the organizations it refers to.
#[derive(Debug, Clone)]
pub struct CommittedOffice {
    pub record: OfficeRecord,
    pub organizations: Vec<OrganizationRow>,
}

/// Runs `write`, then reads the office back and checks its invariants
/// (`domain::directory::invariants`), all in one transaction: a write that would break
/// them is rolled back, and one that keeps them answers from what it committed, with no
/// database round trip after the commit (which could fail and turn a done write into an
/// error the client would retry).
pub fn write_office<T>(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    write: impl FnOnce(&mut DbConnection) -> Result<T, RepoError>,
) -> Result<(T, CommittedOffice), RepoError> {
    crate::write_tx(conn, |conn| {
        let written = write(conn)?;
        Ok((written, checked_office(conn, office_id)?))
    })
}

/// The office as it stands in the current transaction, refused (`RepoError::Invariant`)
/// when it breaks one of its invariants.
pub fn checked_office(conn: &mut DbConnection, office_id: &OfficeId) -> Result<CommittedOffice, RepoError> {
    let committed = load_office(conn, office_id)?;
    invariants::check(&committed.record.state()?)?;
    Ok(committed)
}

impl OfficeRecord {
    /// The office as its invariants see it.
    pub fn state(&self) -> Result<OfficeState, RepoError> {
        Ok(OfficeState {
            status: self.office.status()?,
            opened_on: self.office.opened_on,
            closed_on: self.office.closed_on,
            periods: self
                .location_periods
                .iter()
                .map(LocationPeriodRow::to_domain)
                .collect::<Result<_, _>>()?,
            assignments: self
                .assignments
                .iter()
                .map(AssignmentRow::to_domain)
                .collect::<Result<_, _>>()?,
            closures: self.closures.iter().map(|c| (c.first_day, c.last_day)).collect(),
            extra_session_days: self.extra_sessions.iter().map(|x| x.day).collect(),
        })
    }
}

/// One office with the organizations it refers to.
pub fn load_office(conn: &mut DbConnection, office_id: &OfficeId) -> Result<CommittedOffice, RepoError> {
    let office_id = office_id.as_str();
    let office = offices::table
        .find(office_id)
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(RepoError::NotFound)?;
    let parts = OfficeParts {
        districts: office_districts::table
            .filter(office_districts::office_id.eq(office_id))
            .order(office_districts::district_code)
            .select(OfficeDistrictRow::as_select())
            .load(conn)?,
        location_periods: location_periods::table
            .filter(location_periods::office_id.eq(office_id))
            .order(location_periods::valid_from)
            .select(LocationPeriodRow::as_select())
            .load(conn)?,
        assignments: staff_assignments::table
            .filter(staff_assignments::office_id.eq(office_id))
            .order(staff_assignments::started_on)
            .select(AssignmentRow::as_select())
            .load(conn)?,
        slots: consultation_slots::table
            .filter(consultation_slots::office_id.eq(office_id))
            .order((consultation_slots::weekday, consultation_slots::opens))
            .select(SlotRow::as_select())
            .load(conn)?,
        closures: consultation_closures::table
            .filter(consultation_closures::office_id.eq(office_id))
            .order(consultation_closures::first_day)
            .select(ClosureRow::as_select())
            .load(conn)?,
        extra_sessions: extra_sessions::table
            .filter(extra_sessions::office_id.eq(office_id))
            .order((extra_sessions::day, extra_sessions::opens))
            .select(ExtraSessionRow::as_select())
            .load(conn)?,
    };
    let record = parts
        .group(vec![office])
        .pop()
        .ok_or_else(|| RepoError::Corrupt("office vanished while grouping".into()))?;
    let ids: Vec<&str> = record.organization_ids().collect();
    // Only public ones, as in the snapshot: an internal partner never appears in an office.
    let organizations = organizations::table
        .filter(organizations::id.eq_any(ids))
        .filter(organizations::visibility.eq(Visibility::Public.as_str()))
        .select(OrganizationRow::as_select())
        .load(conn)?;
    Ok(CommittedOffice {
        record,
        organizations,
    })
}

/// Rows of several offices, each list ordered by office first.
struct OfficeParts {
    districts: Vec<OfficeDistrictRow>,
    location_periods: Vec<LocationPeriodRow>,
    assignments: Vec<AssignmentRow>,
    slots: Vec<SlotRow>,
    closures: Vec<ClosureRow>,
    extra_sessions: Vec<ExtraSessionRow>,
}

impl OfficeParts {
    fn group(self, offices: Vec<OfficeRow>) -> Vec<OfficeRecord> {
        fn by_office<T>(rows: Vec<T>, office: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
            let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
            for row in rows {
                grouped.entry(office(&row).to_owned()).or_default().push(row);
            }
            grouped
        }
        let mut districts = by_office(self.districts, |r| &r.office_id);
        let mut periods = by_office(self.location_periods, |r| &r.office_id);
        let mut assignments = by_office(self.assignments, |r| &r.office_id);
        let mut slots = by_office(self.slots, |r| &r.office_id);
        let mut closures = by_office(self.closures, |r| &r.office_id);
        let mut extras = by_office(self.extra_sessions, |r| &r.office_id);
        offices
            .into_iter()
            .map(|office| {
                let id = office.id.as_str();
                OfficeRecord {
                    districts: districts
                        .remove(id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|d| d.district_code)
                        .collect(),
                    location_periods: periods.remove(id).unwrap_or_default(),
                    assignments: assignments.remove(id).unwrap_or_default(),
                    slots: slots.remove(id).unwrap_or_default(),
                    closures: closures.remove(id).unwrap_or_default(),
                    extra_sessions: extras.remove(id).unwrap_or_default(),
                    office,
                }
            })
            .collect()
    }
}
