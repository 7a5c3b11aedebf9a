//! Contact records: one counselling contact each, anonymous by construction (no field
//! could hold a name, an address or free text, and unknown fields are refused), with the
//! referrals made in it.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::fieldwork::contact::{
    self, Audience, Channel, ContactDuration, ContactOutcome, ContactRecord, CorrectionReason, EditRight,
    Interpreting,
};
use domain::fieldwork::referral::{Referral, ReferralMode, ReferralOutcome, ReferralStatus, TargetCategory};
use domain::{
    Action, ContactId, District, Id, OfficeId, OrganizationId, ProblemCode, Resource, Role, ServiceId,
};
use domain::{ValidationErrors, directory::schedule::berlin_today};
use persistence::RepoError;
use persistence::fieldwork::DayKey;
use persistence::fieldwork::contacts::{ContactFilter, ContactUpdate, OfficeReferral, StoredContact};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Start, check_day_parameter, limit_plus_one, office_id_of, page_of, start};
use crate::accounts::auth::Authenticated;
use crate::directory::snapshot::Snapshot;
use crate::http::conditional::{Audience as CacheAudience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::{Query, optional_whole_number, parse_record_json, present, whole_number};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// A referral made in a contact.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    pub target_category: TargetCategory,
    /// The organization referred to, from the directory (optional).
    #[schema(format = Uuid)]
    #[serde(default)]
    pub organization_id: Option<String>,
    /// The service referred to, from the directory (optional).
    #[schema(format = Uuid)]
    #[serde(default)]
    pub service_id: Option<String>,
    pub mode: ReferralMode,
    /// The person agreed that staff pass on what is needed; required (`true`) for
    /// `contacted_on_behalf`, else 422 `consent_required`.
    #[serde(default)]
    pub consent_to_share: bool,
}

/// A contact record as sent. There is deliberately no field for a name, an address, a
/// birth date, a nationality, a phone number or free text: unknown fields are refused
/// (422 at their pointer), so nothing a client sends is silently dropped.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactRequest {
    /// The day of the contact: not in the future; staff at most 365 days back
    /// (coordinators and admins may backfill further).
    pub occurred_on: NaiveDate,
    pub channel: Channel,
    pub duration: ContactDuration,
    /// People present (1 to 20); of first contacts, the estimate of people reached.
    #[schema(minimum = 1, maximum = 20)]
    #[serde(deserialize_with = "whole_number")]
    pub persons_present: i32,
    /// The household's first contact with any lokal willkommen office, as far as staff know.
    pub first_contact: bool,
    pub audience: Audience,
    /// Where the household lives; `null`: unknown or outside Dortmund.
    #[serde(default)]
    pub residence_district: Option<District>,
    /// Languages the contact was held in (1 to 5, see `/api/v1/languages`).
    #[schema(min_items = 1, max_items = 5)]
    pub languages: Vec<String>,
    pub interpreting: Interpreting,
    /// Topics (1 to 8, see `/api/v1/topics`).
    #[schema(min_items = 1, max_items = 8)]
    pub topics: Vec<String>,
    /// `referred` needs at least one referral.
    pub outcome: ContactOutcome,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub referrals: Vec<ReferralInput>,
}

/// A home visit's contact record: a contact record without `channel`, which is
/// `home_visit`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitContactRequest {
    /// The day of the visit: not in the future; staff at most 365 days back.
    pub occurred_on: NaiveDate,
    pub duration: ContactDuration,
    #[schema(minimum = 1, maximum = 20)]
    #[serde(deserialize_with = "whole_number")]
    pub persons_present: i32,
    pub first_contact: bool,
    pub audience: Audience,
    #[serde(default)]
    pub residence_district: Option<District>,
    #[schema(min_items = 1, max_items = 5)]
    pub languages: Vec<String>,
    pub interpreting: Interpreting,
    #[schema(min_items = 1, max_items = 8)]
    pub topics: Vec<String>,
    pub outcome: ContactOutcome,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub referrals: Vec<ReferralInput>,
}

impl VisitContactRequest {
    pub fn into_contact(self) -> NewContactRequest {
        NewContactRequest {
            occurred_on: self.occurred_on,
            channel: Channel::HomeVisit,
            duration: self.duration,
            persons_present: self.persons_present,
            first_contact: self.first_contact,
            audience: self.audience,
            residence_district: self.residence_district,
            languages: self.languages,
            interpreting: self.interpreting,
            topics: self.topics,
            outcome: self.outcome,
            referrals: self.referrals,
        }
    }
}

/// Checks referral ids against the directory (an unknown or malformed one is an error at
/// its pointer) into the domain's referrals.
fn referrals_of(directory: &Snapshot, inputs: Vec<ReferralInput>, e: &mut ValidationErrors) -> Vec<Referral> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let organization_id = r.organization_id.as_deref().and_then(|raw| {
                let id =
                    OrganizationId::parse(raw).filter(|id| directory.organization(id.as_str()).is_some());
                if id.is_none() {
                    e.add(
                        format!("/referrals/{i}/organization_id"),
                        "no organization with this id; see /api/v1/organizations",
                    );
                }
                id
            });
            let service_id = r.service_id.as_deref().and_then(|raw| {
                let id = ServiceId::parse(raw).filter(|id| directory.service(id.as_str()).is_some());
                if id.is_none() {
                    e.add(
                        format!("/referrals/{i}/service_id"),
                        "no service with this id; see /api/v1/services",
                    );
                }
                id
            });
            Referral {
                target_category: r.target_category,
                organization_id,
                service_id,
                mode: r.mode,
                consent_to_share: r.consent_to_share,
            }
        })
        .collect()
}

/// Checks a whole record (`domain::fieldwork::contact::check_record`, with the
/// directory's topics); the date is checked by the caller, whose rule depends on the role.
fn check(directory: &Snapshot, record: &ContactRecord, mut e: ValidationErrors) -> Result<(), ApiError> {
    let known_topic = |code: &str| directory.topics.iter().any(|t| t.code == code);
    let refusal = contact::check_record(record, known_topic, &mut e);
    e.into_result().map_err(ApiError::validation)?;
    refusal.map_err(|r| {
        let mut err = ApiError::new(r.code, r.detail.clone());
        err.errors = ValidationErrors::single(r.pointer, r.detail).0;
        err
    })
}

impl NewContactRequest {
    /// Checks every field (the date by the caller's role, codes against the reference
    /// lists, referral targets against the directory) into the domain's record.
    pub fn validate(
        self,
        directory: &Snapshot,
        role: Role,
        today: NaiveDate,
    ) -> Result<ContactRecord, ApiError> {
        let mut e = ValidationErrors::default();
        if let Some(message) =
            contact::occurred_on_refusal(self.occurred_on, today, contact::may_backfill(role))
        {
            e.add("/occurred_on", message);
        }
        let referrals = referrals_of(directory, self.referrals, &mut e);
        let record = ContactRecord {
            occurred_on: self.occurred_on,
            channel: self.channel,
            duration: self.duration,
            persons_present: self.persons_present,
            first_contact: self.first_contact,
            audience: self.audience,
            residence_district: self.residence_district,
            languages: self.languages,
            interpreting: self.interpreting,
            topics: self.topics,
            outcome: self.outcome,
            referrals,
        };
        check(directory, &record, e)?;
        Ok(record)
    }
}

/// Only the fields present change. After the 14 days in which the office's staff may
/// edit a record, only coordinators and admins correct it, naming a `correction_reason`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub occurred_on: Option<NaiveDate>,
    pub channel: Option<Channel>,
    pub duration: Option<ContactDuration>,
    #[schema(minimum = 1, maximum = 20)]
    #[serde(default, deserialize_with = "optional_whole_number")]
    pub persons_present: Option<i32>,
    pub first_contact: Option<bool>,
    pub audience: Option<Audience>,
    #[serde(default, deserialize_with = "present")]
    pub residence_district: Option<Option<District>>,
    #[schema(min_items = 1, max_items = 5)]
    pub languages: Option<Vec<String>>,
    pub interpreting: Option<Interpreting>,
    #[schema(min_items = 1, max_items = 8)]
    pub topics: Option<Vec<String>>,
    pub outcome: Option<ContactOutcome>,
    /// Replaces the referrals (new ids, all `issued`); refused (409
    /// `referral_already_closed`) once one of them is closed.
    #[schema(max_items = 10)]
    pub referrals: Option<Vec<ReferralInput>>,
    /// Moves the record to another office (the caller must be allowed to record there).
    #[schema(format = Uuid)]
    pub office_id: Option<String>,
    /// Required after the 14-day edit window (coordinators and admins); optional before.
    /// Recorded in the audit event.
    pub correction_reason: Option<CorrectionReason>,
}

impl ContactPatch {
    fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("occurred_on", self.occurred_on.is_some()),
            ("channel", self.channel.is_some()),
            ("duration", self.duration.is_some()),
            ("persons_present", self.persons_present.is_some()),
            ("first_contact", self.first_contact.is_some()),
            ("audience", self.audience.is_some()),
            ("residence_district", self.residence_district.is_some()),
            ("languages", self.languages.is_some()),
            ("interpreting", self.interpreting.is_some()),
            ("topics", self.topics.is_some()),
            ("outcome", self.outcome.is_some()),
            ("referrals", self.referrals.is_some()),
            ("office_id", self.office_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

/// A contact record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub occurred_on: NaiveDate,
    pub channel: Channel,
    pub duration: ContactDuration,
    pub persons_present: i32,
    pub first_contact: bool,
    pub audience: Audience,
    pub residence_district: Option<District>,
    pub languages: Vec<String>,
    pub interpreting: Interpreting,
    pub topics: Vec<String>,
    pub outcome: ContactOutcome,
    pub referrals: Vec<ReferralView>,
    /// The account that recorded it (for the 14-day rule; never reported on).
    pub recorded_by: Option<String>,
    /// Increases with every change; the `ETag` changes with it.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A referral, with its contact's office and day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub contact_id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    /// The day of the contact the referral was made in.
    pub contact_occurred_on: NaiveDate,
    pub target_category: TargetCategory,
    pub organization_id: Option<String>,
    pub service_id: Option<String>,
    pub mode: ReferralMode,
    pub consent_to_share: bool,
    pub status: ReferralStatus,
    /// Set when closed.
    pub outcome: Option<ReferralOutcome>,
    /// Set when closed.
    pub closed_on: Option<NaiveDate>,
}

impl ReferralView {
    pub fn from_stored(r: &OfficeReferral) -> Result<ReferralView, RepoError> {
        let domain = r.referral.to_domain()?;
        Ok(ReferralView {
            id: r.referral.id.clone(),
            contact_id: r.referral.contact_id.clone(),
            office_id: r.office_id.clone(),
            contact_occurred_on: r.occurred_on,
            target_category: domain.target_category,
            organization_id: r.referral.organization_id.clone(),
            service_id: r.referral.service_id.clone(),
            mode: domain.mode,
            consent_to_share: domain.consent_to_share,
            status: r.referral.status()?,
            outcome: r.referral.outcome()?,
            closed_on: r.referral.closed_on,
        })
    }
}

impl ContactView {
    pub fn from_stored(stored: &StoredContact) -> Result<ContactView, RepoError> {
        let record = stored.to_domain()?;
        let row = &stored.row;
        let referrals = stored
            .referrals
            .iter()
            .map(|r| {
                ReferralView::from_stored(&OfficeReferral {
                    referral: r.clone(),
                    office_id: row.office_id.clone(),
                    occurred_on: row.occurred_on,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ContactView {
            id: row.id.clone(),
            office_id: row.office_id.clone(),
            occurred_on: record.occurred_on,
            channel: record.channel,
            duration: record.duration,
            persons_present: record.persons_present,
            first_contact: record.first_contact,
            audience: record.audience,
            residence_district: record.residence_district,
            languages: record.languages,
            interpreting: record.interpreting,
            topics: record.topics,
            outcome: record.outcome,
            referrals,
            recorded_by: row.recorded_by.clone(),
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

/// A code of the directory's lists: lowercase letters and digits in hyphenated groups
/// (`schema_rules::SLUG`).
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn today_of(caller: &Authenticated) -> NaiveDate {
    berlin_today(caller.at)
}

/// Record a contact
///
/// Record one counselling contact of the office: staff assigned to it today,
/// coordinators, admins. Anonymous by construction; unknown fields (a `name`, a `note`)
/// are refused with 422 at their pointer, as are unknown codes.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = NewContactRequest,
    responses((status = 201, description = "Recorded.", body = ContactView))
)]
#[post("/offices/{office}/contacts")]
pub async fn create_contact(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    office: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &office)?;
    caller.authorize(Action::RecordContacts, Resource::Office(&office_id))?;
    let body: NewContactRequest = parse_record_json(&req, &body)?;
    let record = body.validate(&state.directory.get(), caller.actor.role, today_of(&caller))?;
    let ctx = caller.audit();
    let stored = state
        .db(move |conn| persistence::fieldwork::contacts::create(conn, &office_id, &record, &ctx))
        .await?;
    let view = ContactView::from_stored(&stored)?;
    Ok(created(
        &format!("/api/v1/contacts/{}", view.id),
        &JsonBody::new(&view),
    ))
}

/// Filters and paging of an office's contacts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Contacts on or after this day.
    pub from: Option<NaiveDate>,
    /// Contacts on or before this day.
    pub to: Option<NaiveDate>,
    pub channel: Option<Channel>,
    /// Contacts about this topic (a code of `/api/v1/topics`).
    pub topic: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List an office's contacts
///
/// Newest first (`occurred_on`, then creation), keyset-paged: a cursor keeps its place
/// however many records are added. The office's staff, coordinators, admins.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(
        ("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde"),
        ContactQuery,
    ),
    responses((status = 200, description = "A page of contacts.", body = Page<ContactView>))
)]
#[get("/offices/{office}/contacts")]
pub async fn list_office_contacts(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    office: web::Path<String>,
    query: Query<ContactQuery>,
) -> Result<HttpResponse, ApiError> {
    let office_id = office_id_of(&state, &office)?;
    caller.authorize(Action::ReadContacts, Resource::Office(&office_id))?;
    let q = query.into_inner();
    check_day_parameter("from", q.from)?;
    check_day_parameter("to", q.to)?;
    let limit = pagination::limit(q.limit)?;
    let start = start(q.cursor.as_deref())?;
    // Topic codes are slugs (the contract's pattern); a slug the directory does not know
    // matches no record.
    if let Some(topic) = q.topic.as_deref()
        && !is_code(topic)
    {
        return Err(ApiError::invalid_parameter(
            "topic",
            "must be a topic code; see /api/v1/topics",
        ));
    }
    let unknown_topic = q
        .topic
        .as_deref()
        .is_some_and(|t| !state.directory.get().topics.iter().any(|x| x.code == t));
    let rows = match start {
        Start::End => Vec::new(),
        _ if unknown_topic => Vec::new(),
        start => {
            let after = match start {
                Start::After(key) => Some(key),
                _ => None,
            };
            let filter = ContactFilter {
                from: q.from,
                to: q.to,
                channel: q.channel,
                topic: q.topic,
            };
            state
                .db(move |conn| {
                    persistence::fieldwork::contacts::list(
                        conn,
                        &office_id,
                        &filter,
                        after.as_ref(),
                        limit_plus_one(limit),
                    )
                })
                .await?
        }
    };
    let (rows, next_cursor) = page_of(rows, limit, |c| DayKey {
        day: c.row.occurred_on,
        id: c.row.id.clone(),
    });
    let items = rows
        .iter()
        .map(ContactView::from_stored)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        CacheAudience::Private,
    ))
}

/// The record and the office it belongs to, for a caller allowed `action` there.
async fn authorized_contact(
    caller: &Authenticated,
    state: &AppState,
    raw_id: &str,
    action: Action,
) -> Result<(ContactId, StoredContact), ApiError> {
    let id: ContactId = parse_id("id", raw_id)?;
    let lookup = id.clone();
    let stored = state
        .db(move |conn| persistence::fieldwork::contacts::find(conn, &lookup))
        .await?
        .ok_or_else(|| ApiError::not_found("no contact record with this id"))?;
    caller.authorize(action, Resource::Office(&stored.office_id()))?;
    Ok((id, stored))
}

/// Get a contact record
///
/// One record: the office's staff, coordinators, admins; never readers or integrations.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact record id")),
    responses((status = 200, description = "The record.", body = ContactView))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, stored) = authorized_contact(&caller, &state, &id, Action::ReadContacts).await?;
    let view = ContactView::from_stored(&stored)?;
    Ok(respond(&req, &JsonBody::new(&view), CacheAudience::Private))
}

/// Update a contact record
///
/// Change the fields present (`If-Match`). The office's staff may edit a record up to 14
/// days after `occurred_on` (Dortmund calendar days); after that they get 403
/// `edit_window_closed`, and coordinators and admins correct it with a required
/// `correction_reason`, which the audit log keeps.
#[utoipa::path(
    tag = "fieldwork",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Contact record id")),
    request_body = ContactPatch,
    responses((status = 200, description = "Updated.", body = ContactView))
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (id, stored) = authorized_contact(&caller, &state, &id, Action::RecordContacts).await?;
    let today = today_of(&caller);
    let role = caller.actor.role;
    let right = contact::edit_right(role, stored.row.occurred_on, today);
    if right == EditRight::Closed {
        return Err(ApiError::new(
            ProblemCode::EditWindowClosed,
            format!(
                "the office's staff edit a record up to {} days after it occurred; ask a coordinator to correct it",
                contact::EDIT_WINDOW_DAYS
            ),
        ));
    }
    let patch: ContactPatch = parse_record_json(&req, &body)?;
    let directory = state.directory.get();
    let mut e = ValidationErrors::default();
    // Moving to another office needs the right to record there.
    let office_id = match patch.office_id.as_deref() {
        Some(raw) => {
            match OfficeId::parse(raw).and_then(|id| {
                directory
                    .office(id.as_str())
                    .map(crate::directory::snapshot::OfficeEntry::office_id)
            }) {
                Some(target) => {
                    caller.authorize(Action::RecordContacts, Resource::Office(&target))?;
                    target
                }
                None => {
                    e.add("/office_id", "no office with this id");
                    stored.office_id()
                }
            }
        }
        None => stored.office_id(),
    };
    if right == EditRight::CorrectionOnly && patch.correction_reason.is_none() {
        e.add(
            "/correction_reason",
            format!(
                "a record older than {} days is corrected with a reason: typo, late_information, wrong_office or other",
                contact::EDIT_WINDOW_DAYS
            ),
        );
    }
    let current = stored.to_domain()?;
    let changed = patch.changed_fields();
    if let Some(day) = patch.occurred_on
        && let Some(message) = contact::occurred_on_refusal(day, today, contact::may_backfill(role))
    {
        e.add("/occurred_on", message);
    }
    let replace_referrals = patch.referrals.is_some();
    let referrals = match patch.referrals {
        Some(inputs) => referrals_of(&directory, inputs, &mut e),
        None => current.referrals.clone(),
    };
    let record = ContactRecord {
        occurred_on: patch.occurred_on.unwrap_or(current.occurred_on),
        channel: patch.channel.unwrap_or(current.channel),
        duration: patch.duration.unwrap_or(current.duration),
        persons_present: patch.persons_present.unwrap_or(current.persons_present),
        first_contact: patch.first_contact.unwrap_or(current.first_contact),
        audience: patch.audience.unwrap_or(current.audience),
        residence_district: patch.residence_district.unwrap_or(current.residence_district),
        languages: patch.languages.unwrap_or_else(|| current.languages.clone()),
        interpreting: patch.interpreting.unwrap_or(current.interpreting),
        topics: patch.topics.unwrap_or_else(|| current.topics.clone()),
        outcome: patch.outcome.unwrap_or(current.outcome),
        referrals,
    };
    check(&directory, &record, e)?;
    let current_body = JsonBody::new(&ContactView::from_stored(&stored)?);
    require_if_match(&req, &[&current_body.etag])?;
    if changed.is_empty() {
        // Nothing to change: the representation stays, and nothing is written.
        return Ok(respond(&req, &current_body, CacheAudience::Private));
    }
    let ctx = caller.audit();
    let version = stored.row.version;
    let reason = patch.correction_reason;
    let updated = state
        .db(move |conn| {
            persistence::fieldwork::contacts::update(
                conn,
                &id,
                version,
                &ContactUpdate {
                    office_id: &office_id,
                    record: &record,
                    replace_referrals,
                    changed_fields: &changed,
                    correction_reason: reason,
                },
                &ctx,
            )
        })
        .await?;
    let view = ContactView::from_stored(&updated)?;
    Ok(respond(&req, &JsonBody::new(&view), CacheAudience::Private))
}
