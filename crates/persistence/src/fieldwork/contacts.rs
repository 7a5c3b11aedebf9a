//! Contact records and their referrals. Every write is one transaction with its audit
//! event; referrals are stored in their own table, in the order they were sent.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::fieldwork::contact::{
    Audience, Channel, ContactDuration, ContactOutcome, ContactRecord, CorrectionReason, Interpreting,
};
use domain::fieldwork::referral::{self, Referral, ReferralOutcome, ReferralStatus, TargetCategory};
use domain::{ContactId, District, Id, OfficeId, OrganizationId, ProblemCode, ReferralId, ServiceId};

use super::{DayKey, code};
use crate::audit::{self, AuditContext, Change};
use crate::directory::content::json;
use crate::schema::{contact_records, referrals};
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contact_records)]
pub struct ContactRow {
    pub id: String,
    pub office_id: String,
    pub occurred_on: NaiveDate,
    pub channel: String,
    pub duration: String,
    pub persons_present: i32,
    pub first_contact: bool,
    pub audience: String,
    pub residence_district: Option<String>,
    pub languages: String,
    pub interpreting: String,
    pub topics: String,
    pub outcome: String,
    pub recorded_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: String,
    pub contact_id: String,
    pub position: i32,
    pub target_category: String,
    pub organization_id: Option<String>,
    pub service_id: Option<String>,
    pub mode: String,
    pub consent_to_share: bool,
    pub status: String,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<String>,
}

impl ReferralRow {
    pub fn to_domain(&self) -> Result<Referral, RepoError> {
        Ok(Referral {
            target_category: code(
                TargetCategory::parse(&self.target_category),
                "target category",
                &self.target_category,
            )?,
            organization_id: self.organization_id.clone().map(OrganizationId::from_stored),
            service_id: self.service_id.clone().map(ServiceId::from_stored),
            mode: code(
                referral::ReferralMode::parse(&self.mode),
                "referral mode",
                &self.mode,
            )?,
            consent_to_share: self.consent_to_share,
        })
    }

    pub fn status(&self) -> Result<ReferralStatus, RepoError> {
        code(
            ReferralStatus::parse(&self.status),
            "referral status",
            &self.status,
        )
    }

    pub fn outcome(&self) -> Result<Option<ReferralOutcome>, RepoError> {
        self.outcome
            .as_deref()
            .map(|o| code(ReferralOutcome::parse(o), "referral outcome", o))
            .transpose()
    }
}

/// A contact record with its referrals (in their order).
#[derive(Debug, Clone)]
pub struct StoredContact {
    pub row: ContactRow,
    pub referrals: Vec<ReferralRow>,
}

impl StoredContact {
    pub fn id(&self) -> ContactId {
        ContactId::from_stored(self.row.id.clone())
    }

    pub fn office_id(&self) -> OfficeId {
        OfficeId::from_stored(self.row.office_id.clone())
    }

    /// The record's content as the rules see it.
    pub fn to_domain(&self) -> Result<ContactRecord, RepoError> {
        let r = &self.row;
        let stored_list = |text: &str, what: &str| -> Result<Vec<String>, RepoError> {
            serde_json::from_str(text).map_err(|_| RepoError::Corrupt(format!("stored {what} are invalid")))
        };
        Ok(ContactRecord {
            occurred_on: r.occurred_on,
            channel: code(Channel::parse(&r.channel), "channel", &r.channel)?,
            duration: code(ContactDuration::parse(&r.duration), "duration", &r.duration)?,
            persons_present: r.persons_present,
            first_contact: r.first_contact,
            audience: code(Audience::parse(&r.audience), "audience", &r.audience)?,
            residence_district: r
                .residence_district
                .as_deref()
                .map(|d| code(District::from_code(d), "district", d))
                .transpose()?,
            languages: stored_list(&r.languages, "languages")?,
            interpreting: code(
                Interpreting::parse(&r.interpreting),
                "interpreting",
                &r.interpreting,
            )?,
            topics: stored_list(&r.topics, "topics")?,
            outcome: code(ContactOutcome::parse(&r.outcome), "outcome", &r.outcome)?,
            referrals: self
                .referrals
                .iter()
                .map(ReferralRow::to_domain)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The field names of a record, for the audit event of its creation.
const FIELDS: &[&str] = &[
    "occurred_on",
    "channel",
    "duration",
    "persons_present",
    "first_contact",
    "audience",
    "residence_district",
    "languages",
    "interpreting",
    "topics",
    "outcome",
    "referrals",
];

fn referral_rows(contact_id: &str, referrals: &[Referral]) -> Vec<ReferralRow> {
    referrals
        .iter()
        .zip(0..)
        .map(|(r, position)| ReferralRow {
            id: new_id(),
            contact_id: contact_id.to_owned(),
            position,
            target_category: r.target_category.as_str().to_owned(),
            organization_id: r.organization_id.as_ref().map(|id| id.as_str().to_owned()),
            service_id: r.service_id.as_ref().map(|id| id.as_str().to_owned()),
            mode: r.mode.as_str().to_owned(),
            consent_to_share: r.consent_to_share,
            status: ReferralStatus::Issued.as_str().to_owned(),
            outcome: None,
            closed_on: None,
            closed_by: None,
        })
        .collect()
}

fn insert_referrals(conn: &mut DbConnection, rows: &[ReferralRow]) -> Result<(), RepoError> {
    for row in rows {
        diesel::insert_into(referrals::table)
            .values(row)
            .execute(conn)
            .map_err(reference_error)?;
    }
    Ok(())
}

/// A foreign key that fails names a directory entry that vanished since validation (the
/// API checks ids against the directory first).
fn reference_error(e: diesel::result::Error) -> RepoError {
    match RepoError::from_constraint(e) {
        RepoError::Refused {
            code: ProblemCode::ReferenceNotFound,
            ..
        } => RepoError::refused(
            ProblemCode::ReferenceNotFound,
            "a referenced office, district, organization or service does not exist",
        ),
        other => other,
    }
}

/// Records a contact with its referrals, already validated by the caller, and its audit
/// event; for use inside another write's transaction (a home visit's outcome).
pub(crate) fn insert(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    record: &ContactRecord,
    ctx: &AuditContext,
) -> Result<StoredContact, RepoError> {
    let row = ContactRow {
        id: new_id(),
        office_id: office_id.as_str().to_owned(),
        occurred_on: record.occurred_on,
        channel: record.channel.as_str().to_owned(),
        duration: record.duration.as_str().to_owned(),
        persons_present: record.persons_present,
        first_contact: record.first_contact,
        audience: record.audience.as_str().to_owned(),
        residence_district: record.residence_district.map(|d| d.code().to_owned()),
        languages: json(&record.languages),
        interpreting: record.interpreting.as_str().to_owned(),
        topics: json(&record.topics),
        outcome: record.outcome.as_str().to_owned(),
        recorded_by: ctx.actor_id.clone(),
        version: 1,
        created_at: ctx.at,
        updated_at: ctx.at,
    };
    diesel::insert_into(contact_records::table)
        .values(&row)
        .execute(conn)
        .map_err(reference_error)?;
    let referrals = referral_rows(&row.id, &record.referrals);
    insert_referrals(conn, &referrals)?;
    audit::record(
        conn,
        ctx,
        Change {
            action: "contact.created",
            resource_type: "contact",
            resource_id: Some(&row.id),
            office_id: Some(&row.office_id),
            changed_fields: FIELDS,
        },
    )?;
    Ok(StoredContact { row, referrals })
}

/// Records a contact of an office with its referrals, in one transaction with its audit
/// event. The record is validated by the caller (`domain::fieldwork::contact`).
#[tracing::instrument(name = "db.fieldwork.contacts.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    record: &ContactRecord,
    ctx: &AuditContext,
) -> Result<StoredContact, RepoError> {
    write_tx(conn, |conn| insert(conn, office_id, record, ctx))
}

/// Inserts generated contact records with their referrals in one transaction, many rows
/// per statement: the benchmark loader (`lokal-willkommen demo --volume`). Not for the
/// API: it writes no audit events, as generated load is nobody's change.
pub fn bulk_insert(
    conn: &mut DbConnection,
    records: &[(OfficeId, ContactRecord)],
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    // Rows per statement: 17 parameters each stays below every backend's limit.
    const CHUNK: usize = 1_000;
    write_tx(conn, |conn| {
        let mut contacts = Vec::with_capacity(records.len());
        let mut referrals = Vec::new();
        for (office_id, record) in records {
            let row = ContactRow {
                id: new_id(),
                office_id: office_id.as_str().to_owned(),
                occurred_on: record.occurred_on,
                channel: record.channel.as_str().to_owned(),
                duration: record.duration.as_str().to_owned(),
                persons_present: record.persons_present,
                first_contact: record.first_contact,
                audience: record.audience.as_str().to_owned(),
                residence_district: record.residence_district.map(|d| d.code().to_owned()),
                languages: json(&record.languages),
                interpreting: record.interpreting.as_str().to_owned(),
                topics: json(&record.topics),
                outcome: record.outcome.as_str().to_owned(),
                recorded_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            referrals.extend(referral_rows(&row.id, &record.referrals));
            contacts.push(row);
        }
        // Multi-row statements need the concrete backend (the multi-backend connection
        // has no batch insert).
        for chunk in contacts.chunks(CHUNK) {
            match conn {
                DbConnection::Sqlite(c) => diesel::insert_into(contact_records::table)
                    .values(chunk)
                    .execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into(contact_records::table)
                    .values(chunk)
                    .execute(c)?,
            };
        }
        for chunk in referrals.chunks(CHUNK) {
            match conn {
                DbConnection::Sqlite(c) => diesel::insert_into(referrals::table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into(referrals::table).values(chunk).execute(c)?,
            };
        }
        Ok(())
    })
}

fn referrals_of(conn: &mut DbConnection, contact_ids: &[&str]) -> Result<Vec<ReferralRow>, RepoError> {
    if contact_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(referrals::table
        .filter(referrals::contact_id.eq_any(contact_ids))
        .order((referrals::contact_id, referrals::position))
        .select(ReferralRow::as_select())
        .load(conn)?)
}

fn with_referrals(conn: &mut DbConnection, rows: Vec<ContactRow>) -> Result<Vec<StoredContact>, RepoError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut all = referrals_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut all)
                .into_iter()
                .partition(|r| r.contact_id == row.id);
            all = rest;
            StoredContact { row, referrals: mine }
        })
        .collect())
}

pub fn find(conn: &mut DbConnection, id: &ContactId) -> Result<Option<StoredContact>, RepoError> {
    let row = contact_records::table
        .find(id.as_str())
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => Ok(with_referrals(conn, vec![row])?.pop()),
        None => Ok(None),
    }
}

/// Filters of an office's contact list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    pub channel: Option<Channel>,
    /// A topic code of the directory (a slug, checked by the caller).
    pub topic: Option<String>,
}

/// An office's contacts, newest first (`occurred_on` descending, then id descending),
/// after `after` (keyset paging), at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    filter: &ContactFilter,
    after: Option<&DayKey>,
    limit: i64,
) -> Result<Vec<StoredContact>, RepoError> {
    use contact_records::dsl as c;
    let mut q = c::contact_records
        .filter(c::office_id.eq(office_id.as_str()))
        .into_boxed();
    if let Some(from) = filter.from {
        q = q.filter(c::occurred_on.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(c::occurred_on.le(to));
    }
    if let Some(channel) = filter.channel {
        q = q.filter(c::channel.eq(channel.as_str()));
    }
    if let Some(topic) = &filter.topic {
        // Topics are a JSON array of slugs (no `%`, `_` or `"` inside a code), so the
        // quoted code matches exactly one entry.
        q = q.filter(c::topics.like(format!("%\"{topic}\"%")));
    }
    if let Some(key) = after {
        // The plain bound lets the index on (office_id, occurred_on, id) start at the
        // cursor's day; without it a deep page scanned every newer row first.
        q = q.filter(c::occurred_on.le(key.day)).filter(
            c::occurred_on
                .lt(key.day)
                .or(c::occurred_on.eq(key.day).and(c::id.lt(key.id.clone()))),
        );
    }
    let rows = q
        .order((c::occurred_on.desc(), c::id.desc()))
        .limit(limit)
        .select(ContactRow::as_select())
        .load(conn)?;
    with_referrals(conn, rows)
}

/// A validated change of a record: its full new content and office, what changed.
#[derive(Debug, Clone)]
pub struct ContactUpdate<'a> {
    pub office_id: &'a OfficeId,
    pub record: &'a ContactRecord,
    /// Replace the referrals with `record.referrals` (refused while one is closed).
    pub replace_referrals: bool,
    /// Names of the fields the request changed (for the audit event).
    pub changed_fields: &'a [&'a str],
    pub correction_reason: Option<CorrectionReason>,
}

/// Applies `update` if the stored version is still `expected_version` (else
/// `RepoError::Stale`: a concurrent change won), in one transaction with its audit event
/// (which carries the correction reason).
#[tracing::instrument(name = "db.fieldwork.contacts.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &ContactId,
    expected_version: i64,
    update: &ContactUpdate<'_>,
    ctx: &AuditContext,
) -> Result<StoredContact, RepoError> {
    use contact_records::dsl as c;
    write_tx(conn, |conn| {
        let record = update.record;
        let updated = diesel::update(
            c::contact_records
                .filter(c::id.eq(id.as_str()))
                .filter(c::version.eq(expected_version)),
        )
        .set((
            c::office_id.eq(update.office_id.as_str()),
            c::occurred_on.eq(record.occurred_on),
            c::channel.eq(record.channel.as_str()),
            c::duration.eq(record.duration.as_str()),
            c::persons_present.eq(record.persons_present),
            c::first_contact.eq(record.first_contact),
            c::audience.eq(record.audience.as_str()),
            c::residence_district.eq(record.residence_district.map(District::code)),
            c::languages.eq(json(&record.languages)),
            c::interpreting.eq(record.interpreting.as_str()),
            c::topics.eq(json(&record.topics)),
            c::outcome.eq(record.outcome.as_str()),
            c::version.eq(expected_version + 1),
            c::updated_at.eq(ctx.at),
        ))
        .execute(conn)
        .map_err(reference_error)?;
        if updated == 0 {
            return Err(match find(conn, id)? {
                Some(_) => RepoError::Stale,
                None => RepoError::NotFound,
            });
        }
        if update.replace_referrals {
            let closed: i64 = referrals::table
                .filter(referrals::contact_id.eq(id.as_str()))
                .filter(referrals::status.eq(ReferralStatus::Closed.as_str()))
                .count()
                .get_result(conn)?;
            if closed > 0 {
                return Err(RepoError::refused(
                    ProblemCode::ReferralAlreadyClosed,
                    "a closed referral keeps its outcome: referrals cannot be replaced once one is closed",
                ));
            }
            diesel::delete(referrals::table.filter(referrals::contact_id.eq(id.as_str()))).execute(conn)?;
            insert_referrals(conn, &referral_rows(id.as_str(), &record.referrals))?;
        }
        audit::record_with_reason(
            conn,
            ctx,
            Change {
                action: "contact.updated",
                resource_type: "contact",
                resource_id: Some(id.as_str()),
                office_id: Some(update.office_id.as_str()),
                changed_fields: update.changed_fields,
            },
            update.correction_reason.map(CorrectionReason::as_str),
        )?;
        find(conn, id)?.ok_or(RepoError::NotFound)
    })
}

/// A referral with what its office's lists need of its contact.
#[derive(Debug, Clone)]
pub struct OfficeReferral {
    pub referral: ReferralRow,
    pub office_id: String,
    pub occurred_on: NaiveDate,
}

impl OfficeReferral {
    fn from_tuple((referral, office_id, occurred_on): (ReferralRow, String, NaiveDate)) -> OfficeReferral {
        OfficeReferral {
            referral,
            office_id,
            occurred_on,
        }
    }

    pub fn office_id(&self) -> OfficeId {
        OfficeId::from_stored(self.office_id.clone())
    }
}

pub fn find_referral(conn: &mut DbConnection, id: &ReferralId) -> Result<Option<OfficeReferral>, RepoError> {
    let row: Option<(ReferralRow, String, NaiveDate)> = referrals::table
        .inner_join(contact_records::table)
        .filter(referrals::id.eq(id.as_str()))
        .select((
            ReferralRow::as_select(),
            contact_records::office_id,
            contact_records::occurred_on,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(OfficeReferral::from_tuple))
}

/// An office's referrals, optionally of one status, newest contact first (then
/// referral id descending), after `after`, at most `limit`.
pub fn list_referrals(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    status: Option<ReferralStatus>,
    after: Option<&DayKey>,
    limit: i64,
) -> Result<Vec<OfficeReferral>, RepoError> {
    let mut q = referrals::table
        .inner_join(contact_records::table)
        .filter(contact_records::office_id.eq(office_id.as_str()))
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(referrals::status.eq(status.as_str()));
    }
    if let Some(key) = after {
        q = q.filter(contact_records::occurred_on.le(key.day)).filter(
            contact_records::occurred_on
                .lt(key.day)
                .or(contact_records::occurred_on
                    .eq(key.day)
                    .and(referrals::id.lt(key.id.clone()))),
        );
    }
    let rows: Vec<(ReferralRow, String, NaiveDate)> = q
        .order((contact_records::occurred_on.desc(), referrals::id.desc()))
        .limit(limit)
        .select((
            ReferralRow::as_select(),
            contact_records::office_id,
            contact_records::occurred_on,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(OfficeReferral::from_tuple).collect())
}

/// Closes an issued referral with its outcome on `closed_on` (the rules of
/// `domain::fieldwork::referral::check_close`), in one transaction with its audit event.
#[tracing::instrument(name = "db.fieldwork.referrals.close", skip_all)]
pub fn close_referral(
    conn: &mut DbConnection,
    id: &ReferralId,
    outcome: ReferralOutcome,
    closed_on: NaiveDate,
    ctx: &AuditContext,
) -> Result<OfficeReferral, RepoError> {
    write_tx(conn, |conn| {
        let current = find_referral(conn, id)?.ok_or(RepoError::NotFound)?;
        referral::check_close(
            current.referral.status()?,
            current.occurred_on,
            closed_on,
            ctx.today(),
        )
        .map_err(close_error)?;
        // Only an issued referral closes: a concurrent close makes this touch no row.
        let updated = diesel::update(
            referrals::table
                .filter(referrals::id.eq(id.as_str()))
                .filter(referrals::status.eq(ReferralStatus::Issued.as_str())),
        )
        .set((
            referrals::status.eq(ReferralStatus::Closed.as_str()),
            referrals::outcome.eq(outcome.as_str()),
            referrals::closed_on.eq(closed_on),
            referrals::closed_by.eq(ctx.actor_id.as_deref()),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(close_error(referral::CloseError::AlreadyClosed));
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "referral.closed",
                resource_type: "referral",
                resource_id: Some(id.as_str()),
                office_id: Some(&current.office_id),
                changed_fields: &["status", "outcome", "closed_on"],
            },
        )?;
        find_referral(conn, id)?.ok_or(RepoError::NotFound)
    })
}

fn close_error(e: referral::CloseError) -> RepoError {
    match e {
        referral::CloseError::AlreadyClosed => {
            RepoError::refused(ProblemCode::ReferralAlreadyClosed, e.to_string())
        }
        referral::CloseError::BeforeContact(_) | referral::CloseError::InFuture => {
            RepoError::Invalid(domain::ValidationErrors::single("/closed_on", e.to_string()))
        }
    }
}

/// How many contact records an office has (the demo adds field work only where none is).
pub fn count_for_office(conn: &mut DbConnection, office_id: &OfficeId) -> Result<i64, RepoError> {
    Ok(contact_records::table
        .filter(contact_records::office_id.eq(office_id.as_str()))
        .count()
        .get_result(conn)?)
}

/// Refreshes the planner's statistics after a bulk load (both backends know `ANALYZE`):
/// without them the first queries over a million fresh rows may pick a poor plan.
pub fn analyze(conn: &mut DbConnection) -> Result<(), RepoError> {
    diesel::sql_query("ANALYZE").execute(conn)?;
    Ok(())
}
