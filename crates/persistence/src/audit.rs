//! The audit log: written in the same transaction as the change it records.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_events;
use crate::{DbConnection, RepoError, new_id};

/// Who is acting and in which request; passed to every repository write.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub actor_id: Option<String>,
    pub actor_kind: Option<&'static str>,
    pub actor_role: Option<&'static str>,
    pub request_id: Option<String>,
    /// When the change happens (from the application's clock): stored as the audit
    /// event's time and as `created_at`/`updated_at` of what the change writes.
    pub at: NaiveDateTime,
}

impl AuditContext {
    /// Changes made by the system itself (seed, command line).
    pub fn system(what: &'static str, clock: &domain::Clock) -> AuditContext {
        AuditContext {
            actor_id: None,
            actor_kind: Some(what),
            actor_role: None,
            request_id: None,
            at: clock.now_naive(),
        }
    }

    /// The Dortmund calendar day of the change: what "current" means for its rules.
    pub fn today(&self) -> chrono::NaiveDate {
        domain::directory::schedule::berlin_today(self.at.and_utc())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_kind: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub office_id: Option<String>,
    pub request_id: Option<String>,
    pub changed_fields: String,
    /// Why, as a code (a contact record's correction reason); never free text.
    pub reason: Option<String>,
}

/// One change to record.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// e.g. `office.relocated`, `user.deactivated`.
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<&'a str>,
    pub office_id: Option<&'a str>,
    /// Names of the fields that changed; never their values.
    pub changed_fields: &'a [&'a str],
}

pub fn record(conn: &mut DbConnection, ctx: &AuditContext, change: Change<'_>) -> Result<(), RepoError> {
    record_with_reason(conn, ctx, change, None)
}

/// [`record`] with the code saying why the change was made (e.g. `typo`).
pub fn record_with_reason(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    change: Change<'_>,
    reason: Option<&str>,
) -> Result<(), RepoError> {
    let row = AuditEventRow {
        id: new_id(),
        occurred_at: ctx.at,
        actor_id: ctx.actor_id.clone(),
        actor_kind: ctx.actor_kind.map(str::to_owned),
        actor_role: ctx.actor_role.map(str::to_owned),
        action: change.action.to_owned(),
        resource_type: change.resource_type.to_owned(),
        resource_id: change.resource_id.map(str::to_owned),
        office_id: change.office_id.map(str::to_owned),
        request_id: ctx.request_id.clone(),
        changed_fields: serde_json::to_string(change.changed_fields).expect("names serialize"),
        reason: reason.map(str::to_owned),
    };
    diesel::insert_into(audit_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(())
}

/// Filters of the audit log; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub office_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Newest first, keyset-paginated on the (time-ordered) id.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, RepoError> {
    let mut q = audit_events::table.into_boxed();
    if let Some(v) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(v));
    }
    if let Some(v) = &filter.resource_type {
        q = q.filter(audit_events::resource_type.eq(v));
    }
    if let Some(v) = &filter.resource_id {
        q = q.filter(audit_events::resource_id.eq(v));
    }
    if let Some(v) = &filter.office_id {
        q = q.filter(audit_events::office_id.eq(v));
    }
    if let Some(v) = filter.from {
        q = q.filter(audit_events::occurred_at.ge(v));
    }
    if let Some(v) = filter.to {
        q = q.filter(audit_events::occurred_at.lt(v));
    }
    if let Some(id) = before_id {
        q = q.filter(audit_events::id.lt(id));
    }
    Ok(q.order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)?)
}
