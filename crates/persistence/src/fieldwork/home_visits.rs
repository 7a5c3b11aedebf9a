//! Home-visit appointments: the personal record of field work. Every read shows personal
//! data and is logged in the personal-data access log in its own transaction; audit
//! events name fields and ids only, never values.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::fieldwork::contact::{Channel, ContactRecord};
use domain::fieldwork::home_visit::{self, TimeWindow, VisitOutcome, VisitSource, VisitStatus};
use domain::privacy::{AccessPurpose, PersonalRecordType};
use domain::{HomeVisitId, Id, OfficeId};

use super::{DayKey, code, contacts};
use crate::audit::{self, AuditContext, Change};
use crate::privacy::access_log::{self, AccessLogEntry};
use crate::schema::home_visits;
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = home_visits)]
pub struct HomeVisitRow {
    pub id: String,
    pub office_id: String,
    pub planned_on: NaiveDate,
    pub time_window: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub supplement: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub source: String,
    pub status: String,
    pub contact_id: Option<String>,
    pub outcome_recorded_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    pub created_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl HomeVisitRow {
    pub fn status(&self) -> Result<VisitStatus, RepoError> {
        code(VisitStatus::parse(&self.status), "visit status", &self.status)
    }

    pub fn source(&self) -> Result<VisitSource, RepoError> {
        code(VisitSource::parse(&self.source), "visit source", &self.source)
    }

    pub fn time_window(&self) -> Result<Option<TimeWindow>, RepoError> {
        self.time_window
            .as_deref()
            .map(|t| code(TimeWindow::parse(t), "time window", t))
            .transpose()
    }
}

/// A validated appointment.
#[derive(Debug, Clone)]
pub struct NewHomeVisit {
    pub planned_on: NaiveDate,
    pub time_window: Option<TimeWindow>,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub supplement: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub source: VisitSource,
}

/// Records an appointment in one transaction with its audit event (field names only).
#[tracing::instrument(name = "db.fieldwork.home_visits.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    new: NewHomeVisit,
    ctx: &AuditContext,
) -> Result<HomeVisitRow, RepoError> {
    write_tx(conn, |conn| {
        let row = HomeVisitRow {
            id: new_id(),
            office_id: office_id.as_str().to_owned(),
            planned_on: new.planned_on,
            time_window: new.time_window.map(|t| t.as_str().to_owned()),
            name: Some(new.name),
            street: Some(new.street),
            postal_code: Some(new.postal_code),
            supplement: new.supplement,
            phone: new.phone,
            language: new.language,
            source: new.source.as_str().to_owned(),
            status: VisitStatus::Planned.as_str().to_owned(),
            contact_id: None,
            outcome_recorded_at: None,
            erased_at: None,
            created_by: ctx.actor_id.clone(),
            version: 1,
            created_at: ctx.at,
            updated_at: ctx.at,
        };
        diesel::insert_into(home_visits::table)
            .values(&row)
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "home_visit.created",
                resource_type: "home_visit",
                resource_id: Some(&row.id),
                office_id: Some(&row.office_id),
                changed_fields: &[
                    "planned_on",
                    "time_window",
                    "name",
                    "address",
                    "phone",
                    "language",
                    "source",
                ],
            },
        )?;
        Ok(row)
    })
}

fn find_row(conn: &mut DbConnection, id: &HomeVisitId) -> Result<Option<HomeVisitRow>, RepoError> {
    Ok(home_visits::table
        .find(id.as_str())
        .select(HomeVisitRow::as_select())
        .first(conn)
        .optional()?)
}

/// The office of an appointment, for authorization: no personal data is read, so nothing
/// is logged.
pub fn office_of(conn: &mut DbConnection, id: &HomeVisitId) -> Result<Option<OfficeId>, RepoError> {
    Ok(home_visits::table
        .find(id.as_str())
        .select(home_visits::office_id)
        .first::<String>(conn)
        .optional()?
        .map(OfficeId::from_stored))
}

/// Reads one appointment for `ctx`'s caller and logs the read (purpose `read`) in the
/// same transaction.
#[tracing::instrument(name = "db.fieldwork.home_visits.read", skip_all)]
pub fn read(
    conn: &mut DbConnection,
    id: &HomeVisitId,
    ctx: &AuditContext,
) -> Result<HomeVisitRow, RepoError> {
    write_tx(conn, |conn| {
        let row = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
        access_log::record(
            conn,
            &[AccessLogEntry::by(
                ctx,
                PersonalRecordType::HomeVisit,
                &row.id,
                AccessPurpose::Read,
            )],
        )?;
        Ok(row)
    })
}

/// Filters of an office's appointments; all optional.
#[derive(Debug, Clone, Default)]
pub struct HomeVisitFilter {
    pub status: Option<VisitStatus>,
    /// First planned day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last planned day, inclusive.
    pub to: Option<NaiveDate>,
}

/// An office's appointments in date order (`planned_on`, then id), after `after`: one page
/// of at most `page_size`, and whether more follow. Every appointment returned is logged
/// (purpose `list`) with one insert, in the same transaction; the one read beyond the page
/// to learn whether more follow is neither returned nor logged.
#[tracing::instrument(name = "db.fieldwork.home_visits.list", skip_all)]
pub fn list(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    filter: &HomeVisitFilter,
    after: Option<&DayKey>,
    page_size: usize,
    ctx: &AuditContext,
) -> Result<(Vec<HomeVisitRow>, bool), RepoError> {
    use home_visits::dsl as h;
    write_tx(conn, |conn| {
        let mut q = h::home_visits
            .filter(h::office_id.eq(office_id.as_str()))
            .into_boxed();
        if let Some(status) = filter.status {
            q = q.filter(h::status.eq(status.as_str()));
        }
        if let Some(from) = filter.from {
            q = q.filter(h::planned_on.ge(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(h::planned_on.le(to));
        }
        if let Some(key) = after {
            q = q.filter(
                h::planned_on
                    .gt(key.day)
                    .or(h::planned_on.eq(key.day).and(h::id.gt(key.id.clone()))),
            );
        }
        let mut rows = q
            .order((h::planned_on, h::id))
            .limit(i64::try_from(page_size).unwrap_or(i64::MAX - 1) + 1)
            .select(HomeVisitRow::as_select())
            .load(conn)?;
        let more = rows.len() > page_size;
        rows.truncate(page_size);
        let entries: Vec<AccessLogEntry> = rows
            .iter()
            .map(|r| AccessLogEntry::by(ctx, PersonalRecordType::HomeVisit, &r.id, AccessPurpose::List))
            .collect();
        access_log::record(conn, &entries)?;
        Ok((rows, more))
    })
}

/// Why recording an outcome changed nothing.
fn resolved(e: home_visit::AlreadyResolved) -> RepoError {
    RepoError::refused(e.code(), e.to_string())
}

/// Records the outcome of a planned visit (`domain::fieldwork::home_visit::record_outcome`);
/// `done` stores the visit's contact record (channel `home_visit`, validated by the
/// caller) in the same transaction. The appointment is read back for the answer, which
/// shows its personal data, so the read is logged (purpose `read`) there too.
#[tracing::instrument(name = "db.fieldwork.home_visits.record_outcome", skip_all)]
pub fn record_outcome(
    conn: &mut DbConnection,
    id: &HomeVisitId,
    outcome: VisitOutcome,
    contact: Option<&ContactRecord>,
    ctx: &AuditContext,
) -> Result<(HomeVisitRow, Option<contacts::StoredContact>), RepoError> {
    use home_visits::dsl as h;
    write_tx(conn, |conn| {
        let current = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
        let next = home_visit::record_outcome(current.status()?, outcome).map_err(resolved)?;
        let office_id = OfficeId::from_stored(current.office_id.clone());
        let stored = match (next, contact) {
            (VisitStatus::Done, Some(record)) => {
                let record = ContactRecord {
                    channel: Channel::HomeVisit,
                    ..record.clone()
                };
                Some(contacts::insert(conn, &office_id, &record, ctx)?)
            }
            (VisitStatus::Done, None) => {
                return Err(RepoError::Invalid(domain::ValidationErrors::single(
                    "/contact",
                    "a visit that was done needs its contact record",
                )));
            }
            _ => None,
        };
        // Against a concurrent outcome: only the version that was read is changed.
        let updated = diesel::update(
            h::home_visits
                .filter(h::id.eq(id.as_str()))
                .filter(h::version.eq(current.version)),
        )
        .set((
            h::status.eq(next.as_str()),
            h::contact_id.eq(stored.as_ref().map(|c| c.row.id.clone())),
            h::outcome_recorded_at.eq(Some(ctx.at)),
            h::version.eq(current.version + 1),
            h::updated_at.eq(ctx.at),
        ))
        .execute(conn)?;
        if updated == 0 {
            let now = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
            return Err(resolved(home_visit::AlreadyResolved(now.status()?)));
        }
        let mut changed = vec!["status"];
        if stored.is_some() {
            changed.push("contact_id");
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "home_visit.outcome_recorded",
                resource_type: "home_visit",
                resource_id: Some(id.as_str()),
                office_id: Some(office_id.as_str()),
                changed_fields: &changed,
            },
        )?;
        let row = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
        access_log::record(
            conn,
            &[AccessLogEntry::by(
                ctx,
                PersonalRecordType::HomeVisit,
                &row.id,
                AccessPurpose::Read,
            )],
        )?;
        Ok((row, stored))
    })
}
