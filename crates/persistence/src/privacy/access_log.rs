//! The personal-data access log: one entry per personal record shown to someone, written
//! in the same transaction as the read it logs (so no record is shown unlogged), with one
//! multi-row insert per read. Append-only: nothing here updates or deletes, and a trigger
//! refuses updates; only the retention job will delete entries, after 12 months.
//!
//! Features with personal records (home visits; later volunteer offers, suggestions,
//! partner contact persons) call [`record`] inside their read's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::privacy::{AccessPurpose, PersonalRecordType};

use crate::audit::AuditContext;
use crate::schema::personal_data_access_log;
use crate::{DbConnection, RepoError, new_id};

/// One read of one personal record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub at: NaiveDateTime,
    /// User or integration token id; `system` for the command line.
    pub actor_id: String,
    /// `user`, `integration` or the system actor.
    pub actor_kind: String,
    pub actor_role: String,
    pub record_type: PersonalRecordType,
    pub record_id: String,
    pub purpose: AccessPurpose,
    pub request_id: Option<String>,
}

impl AccessLogEntry {
    /// The entry for `ctx`'s caller reading a record now (`ctx.at`).
    pub fn by(
        ctx: &AuditContext,
        record_type: PersonalRecordType,
        record_id: impl Into<String>,
        purpose: AccessPurpose,
    ) -> Self {
        AccessLogEntry {
            at: ctx.at,
            actor_id: ctx.actor_id.clone().unwrap_or_else(|| "system".to_owned()),
            actor_kind: ctx.actor_kind.unwrap_or("system").to_owned(),
            actor_role: ctx.actor_role.unwrap_or("none").to_owned(),
            record_type,
            record_id: record_id.into(),
            purpose,
            request_id: ctx.request_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = personal_data_access_log)]
#[diesel(treat_none_as_default_value = false)]
pub struct AccessLogRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub actor_kind: String,
    pub actor_role: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
    pub request_id: Option<String>,
}

/// Rows per INSERT statement: 9 parameters each stays far below both databases' limits.
const ROWS_PER_STATEMENT: usize = 500;

/// Appends `entries`, as one multi-row INSERT (per 500 entries). Call it inside the
/// transaction of the read it logs: if the read fails, so does its log, and vice versa.
#[tracing::instrument(name = "db.privacy.access_log.record", skip_all, fields(entries = entries.len()))]
pub fn record(conn: &mut DbConnection, entries: &[AccessLogEntry]) -> Result<(), RepoError> {
    let rows: Vec<AccessLogRow> = entries
        .iter()
        .map(|e| AccessLogRow {
            id: new_id(),
            at: e.at,
            actor_id: e.actor_id.clone(),
            actor_kind: e.actor_kind.clone(),
            actor_role: e.actor_role.clone(),
            record_type: e.record_type.as_str().to_owned(),
            record_id: e.record_id.clone(),
            purpose: e.purpose.as_str().to_owned(),
            request_id: e.request_id.clone(),
        })
        .collect();
    // `MultiConnection` has no batch insert; each backend's connection does.
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let insert = diesel::insert_into(personal_data_access_log::table).values(chunk);
        match conn {
            DbConnection::Sqlite(c) => insert.execute(c)?,
            DbConnection::Pg(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// Filters of the access log; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AccessLogFilter {
    pub actor_id: Option<String>,
    pub record_type: Option<PersonalRecordType>,
    pub record_id: Option<String>,
    /// At or after this instant.
    pub from: Option<NaiveDateTime>,
    /// Before this instant.
    pub to: Option<NaiveDateTime>,
}

/// Newest first, keyset-paginated on the (time-ordered) id.
pub fn list(
    conn: &mut DbConnection,
    filter: &AccessLogFilter,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<AccessLogRow>, RepoError> {
    use personal_data_access_log::dsl as l;
    let mut q = l::personal_data_access_log.into_boxed();
    if let Some(v) = &filter.actor_id {
        q = q.filter(l::actor_id.eq(v));
    }
    if let Some(v) = filter.record_type {
        q = q.filter(l::record_type.eq(v.as_str()));
    }
    if let Some(v) = &filter.record_id {
        q = q.filter(l::record_id.eq(v));
    }
    if let Some(v) = filter.from {
        q = q.filter(l::at.ge(v));
    }
    if let Some(v) = filter.to {
        q = q.filter(l::at.lt(v));
    }
    if let Some(id) = before_id {
        q = q.filter(l::id.lt(id));
    }
    Ok(q.order(l::id.desc())
        .limit(limit)
        .select(AccessLogRow::as_select())
        .load(conn)?)
}
