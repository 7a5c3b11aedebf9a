//! Directory content: consultation hours, topics and services.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::LocalizedText;
use domain::{Id, OfficeId, ServiceId};

use crate::audit::{self, AuditContext, Change};
use crate::schema::{consultation_closures, consultation_slots, extra_sessions, offices, services, topics};
use crate::{DbConnection, RepoError, change_feed, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_slots)]
pub struct SlotRow {
    pub id: String,
    pub office_id: String,
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i32,
    pub opens: String,
    pub closes: String,
    /// JSON array of language codes.
    pub languages: String,
    /// JSON localized text.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_closures)]
pub struct ClosureRow {
    pub id: String,
    pub office_id: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = extra_sessions)]
pub struct ExtraSessionRow {
    pub id: String,
    pub office_id: String,
    pub day: NaiveDate,
    pub opens: String,
    pub closes: String,
    pub languages: String,
    pub place: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub code: String,
    pub name: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: String,
    pub office_id: Option<String>,
    pub code: Option<String>,
    pub name: String,
    pub description: String,
    pub topics: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// An office's consultation hours as a whole, validated by the caller.
#[derive(Debug, Clone, Default)]
pub struct Hours {
    pub by_appointment: bool,
    pub slots: Vec<HoursSlot>,
    pub closures: Vec<HoursClosure>,
    pub extra_sessions: Vec<HoursExtra>,
}

#[derive(Debug, Clone)]
pub struct HoursSlot {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i32,
    pub opens: String,
    pub closes: String,
    pub languages: Vec<String>,
    pub note: Option<LocalizedText>,
}

#[derive(Debug, Clone)]
pub struct HoursClosure {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: Option<LocalizedText>,
}

#[derive(Debug, Clone)]
pub struct HoursExtra {
    pub day: NaiveDate,
    pub opens: String,
    pub closes: String,
    pub languages: Vec<String>,
    pub place: Option<String>,
    pub note: Option<LocalizedText>,
}

/// Replaces an office's consultation hours if the office is still at `expected_version`.
#[tracing::instrument(name = "db.directory.content.replace_hours", skip_all)]
pub fn replace_hours(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    expected_version: i64,
    hours: &Hours,
    ctx: &AuditContext,
) -> Result<(), RepoError> {
    let office_id = office_id.as_str();
    write_tx(conn, |conn| {
        let n = diesel::update(
            offices::table
                .find(office_id)
                .filter(offices::version.eq(expected_version)),
        )
        .set((
            offices::by_appointment.eq(hours.by_appointment),
            offices::version.eq(offices::version + 1),
            offices::updated_at.eq(ctx.at),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(RepoError::Stale);
        }
        insert_hours(conn, office_id, hours)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "office.hours_changed",
                resource_type: "consultation_hours",
                resource_id: Some(office_id),
                office_id: Some(office_id),
                changed_fields: &["by_appointment", "slots", "closures", "extra_sessions"],
            },
        )?;
        change_feed::bump(conn)
    })
}

/// Writes the hours without a transaction or version check (seed and `replace_hours`).
pub(crate) fn insert_hours(conn: &mut DbConnection, office_id: &str, hours: &Hours) -> Result<(), RepoError> {
    diesel::delete(consultation_slots::table.filter(consultation_slots::office_id.eq(office_id)))
        .execute(conn)?;
    diesel::delete(consultation_closures::table.filter(consultation_closures::office_id.eq(office_id)))
        .execute(conn)?;
    diesel::delete(extra_sessions::table.filter(extra_sessions::office_id.eq(office_id))).execute(conn)?;
    diesel::update(offices::table.find(office_id))
        .set(offices::by_appointment.eq(hours.by_appointment))
        .execute(conn)?;
    for slot in &hours.slots {
        diesel::insert_into(consultation_slots::table)
            .values(SlotRow {
                id: new_id(),
                office_id: office_id.to_owned(),
                weekday: slot.weekday,
                opens: slot.opens.clone(),
                closes: slot.closes.clone(),
                languages: json(&slot.languages),
                note: slot.note.as_ref().map(json),
            })
            .execute(conn)?;
    }
    for closure in &hours.closures {
        diesel::insert_into(consultation_closures::table)
            .values(ClosureRow {
                id: new_id(),
                office_id: office_id.to_owned(),
                first_day: closure.first_day,
                last_day: closure.last_day,
                reason: closure.reason.as_ref().map(json),
            })
            .execute(conn)?;
    }
    for extra in &hours.extra_sessions {
        diesel::insert_into(extra_sessions::table)
            .values(ExtraSessionRow {
                id: new_id(),
                office_id: office_id.to_owned(),
                day: extra.day,
                opens: extra.opens.clone(),
                closes: extra.closes.clone(),
                languages: json(&extra.languages),
                place: extra.place.clone(),
                note: extra.note.as_ref().map(json),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// A new service: base offer (`office_id` None) or local to one office.
#[derive(Debug, Clone)]
pub struct NewService {
    pub office_id: Option<String>,
    pub code: Option<String>,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub topics: Vec<String>,
}

#[tracing::instrument(name = "db.directory.content.create_service", skip_all)]
pub fn create_service(
    conn: &mut DbConnection,
    new: NewService,
    ctx: &AuditContext,
) -> Result<ServiceRow, RepoError> {
    write_tx(conn, |conn| {
        let row = insert_service(conn, new, ctx)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "service.created",
                resource_type: "service",
                resource_id: Some(&row.id),
                office_id: row.office_id.as_deref(),
                changed_fields: &["name", "description", "topics"],
            },
        )?;
        change_feed::bump(conn)?;
        Ok(row)
    })
}

pub(crate) fn insert_service(
    conn: &mut DbConnection,
    new: NewService,
    ctx: &AuditContext,
) -> Result<ServiceRow, RepoError> {
    let now = ctx.at;
    let row = ServiceRow {
        id: new_id(),
        office_id: new.office_id,
        code: new.code,
        name: json(&new.name),
        description: json(&new.description),
        topics: json(&new.topics),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(services::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct ServiceChanges {
    pub name: Option<LocalizedText>,
    pub description: Option<LocalizedText>,
    pub topics: Option<Vec<String>>,
}

#[tracing::instrument(name = "db.directory.content.update_service", skip_all)]
pub fn update_service(
    conn: &mut DbConnection,
    id: &ServiceId,
    expected_version: i64,
    changes: &ServiceChanges,
    ctx: &AuditContext,
) -> Result<ServiceRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let current: ServiceRow = services::table
            .find(id)
            .select(ServiceRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(RepoError::NotFound)?;
        let next = ServiceRow {
            name: changes.name.as_ref().map(json).unwrap_or(current.name.clone()),
            description: changes
                .description
                .as_ref()
                .map(json)
                .unwrap_or(current.description.clone()),
            topics: changes
                .topics
                .as_ref()
                .map(json)
                .unwrap_or(current.topics.clone()),
            version: current.version + 1,
            updated_at: ctx.at,
            ..current.clone()
        };
        let n = diesel::update(
            services::table
                .find(id)
                .filter(services::version.eq(expected_version)),
        )
        .set((
            services::name.eq(&next.name),
            services::description.eq(&next.description),
            services::topics.eq(&next.topics),
            services::version.eq(next.version),
            services::updated_at.eq(next.updated_at),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(RepoError::Stale);
        }
        let fields: Vec<&str> = [
            ("name", changes.name.is_some()),
            ("description", changes.description.is_some()),
            ("topics", changes.topics.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect();
        audit::record(
            conn,
            ctx,
            Change {
                action: "service.updated",
                resource_type: "service",
                resource_id: Some(id),
                office_id: current.office_id.as_deref(),
                changed_fields: &fields,
            },
        )?;
        change_feed::bump(conn)?;
        Ok(next)
    })
}

pub fn topic_codes(conn: &mut DbConnection) -> Result<Vec<String>, RepoError> {
    Ok(topics::table
        .order(topics::position)
        .select(topics::code)
        .load(conn)?)
}
