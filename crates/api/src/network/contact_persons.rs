//! Contact persons of partner organizations: name, function, how to reach them, the
//! language they prefer, and when their details were last checked. Personal data: never
//! shown to anonymous callers, readers, integration tokens or HSDS, and every answer that
//! shows a person is logged in the personal-data access log.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Action, ContactPersonId, OrganizationId, Resource, ValidationErrors};
use persistence::network::contact_persons::{ContactPersonDetails, ContactPersonRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::auth::Authenticated;
use crate::directory::office_writes::{validate_email, validate_phone};
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::{Query, parse_record_json, present};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::network::cooperations::{PageQuery, require_organization};
use crate::state::AppState;

/// A new contact person of a partner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactPersonRequest {
    #[schema(example = "Ayşe Yılmaz")]
    pub name: String,
    /// The person's function at the partner.
    #[schema(example = "Vorsitzende")]
    pub function: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language the person prefers to be contacted in (see `/api/v1/languages`).
    pub language: Option<String>,
    /// When the details were last checked with the person (not in the future); default
    /// today. The next review is due a year later.
    pub last_reviewed_on: Option<NaiveDate>,
}

/// Only the fields present change; `null` clears an optional one. Set `last_reviewed_on`
/// when the details were checked: the next review falls due a year after it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPersonPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub function: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub language: Option<Option<String>>,
    pub last_reviewed_on: Option<NaiveDate>,
}

/// A contact person of a partner (personal data; every answer showing one is logged).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactPersonView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    pub function: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The preferred language (a code of `/api/v1/languages`).
    pub language: Option<String>,
    pub last_reviewed_on: NaiveDate,
    /// One year after `last_reviewed_on`.
    pub review_due: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContactPersonView {
    fn from_row(row: &ContactPersonRow) -> ContactPersonView {
        ContactPersonView {
            id: row.id.clone(),
            organization_id: row.organization_id.clone(),
            name: row.name.clone(),
            function: row.function.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            language: row.preferred_language.clone(),
            last_reviewed_on: row.last_reviewed_on,
            review_due: row.review_due,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }

    fn body(&self) -> JsonBody {
        JsonBody::new(self)
    }
}

/// Checks a person's details (all of them: a patch is merged into the stored ones first,
/// so every problem is reported at the pointer of its field).
fn check(details: &ContactPersonDetails, today: NaiveDate) -> Result<(), ApiError> {
    let mut e = ValidationErrors::default();
    e.require_text("/name", &details.name, 200);
    if let Some(function) = &details.function {
        e.require_text("/function", function, 200);
    }
    if let Some(email) = &details.email {
        validate_email("/email", email, &mut e);
    }
    if let Some(phone) = &details.phone {
        validate_phone("/phone", phone, &mut e);
    }
    if let Some(language) = &details.preferred_language
        && !domain::directory::languages::is_known(language)
    {
        e.add("/language", "unknown language code; see /api/v1/languages");
    }
    e.check_date("/last_reviewed_on", details.last_reviewed_on);
    if details.last_reviewed_on > today {
        e.add("/last_reviewed_on", "must not lie in the future");
    }
    e.into_result().map_err(ApiError::validation)
}

/// The stored form: names and emails NFKC-normalized like everywhere, phones trimmed.
fn normalized(details: ContactPersonDetails) -> ContactPersonDetails {
    ContactPersonDetails {
        name: domain::text::normalize(&details.name),
        function: details.function.map(|f| domain::text::normalize(&f)),
        email: details.email.map(|m| domain::text::normalize(&m)),
        phone: details.phone.map(|p| p.trim().to_owned()),
        ..details
    }
}

fn today_of(caller: &Authenticated) -> NaiveDate {
    domain::directory::schedule::berlin_today(caller.at)
}

/// Contact persons of a partner
///
/// The partner's contact persons in the order they were added. Personal data: staff
/// with an office today, coordinators and admins; each person shown is logged in the
/// personal-data access log (purpose `list`).
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id"), PageQuery),
    responses((status = 200, description = "A page of contact persons.", body = Page<ContactPersonView>))
)]
#[get("/organizations/{id}/contact-persons")]
pub async fn list_contact_persons(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadContactPersons, Resource::Network)?;
    let id = parse_id::<OrganizationId>("id", &id)?;
    let after = pagination::decode_cursor(query.cursor.as_deref())?;
    let limit = pagination::limit(query.limit)?;
    require_organization(&state, id.clone()).await?;
    let ctx = caller.audit();
    let (rows, more) = state
        .db(move |conn| persistence::network::contact_persons::list(conn, &id, after.as_deref(), limit, &ctx))
        .await?;
    let items: Vec<ContactPersonView> = rows.iter().map(ContactPersonView::from_row).collect();
    let next_cursor = more
        .then(|| items.last().map(|p| pagination::encode_cursor(&p.id)))
        .flatten();
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

/// Add a contact person
///
/// Add a contact person to a partner (409 `not_a_partner` for other organizations).
/// Staff with an office today, coordinators and admins.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    request_body = NewContactPersonRequest,
    responses((status = 201, description = "Added.", body = ContactPersonView))
)]
#[post("/organizations/{id}/contact-persons")]
pub async fn create_contact_person(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageContactPersons, Resource::Network)?;
    let id = parse_id::<OrganizationId>("id", &id)?;
    require_organization(&state, id.clone()).await?;
    let request: NewContactPersonRequest = parse_record_json(&req, &body)?;
    let today = today_of(&caller);
    let details = ContactPersonDetails {
        name: request.name,
        function: request.function,
        email: request.email,
        phone: request.phone,
        preferred_language: request.language,
        last_reviewed_on: request.last_reviewed_on.unwrap_or(today),
    };
    check(&details, today)?;
    let details = normalized(details);
    let (ctx, org) = (caller.audit(), id.clone());
    let row = state
        .db(move |conn| persistence::network::contact_persons::create(conn, &org, &details, &ctx))
        .await?;
    let view = ContactPersonView::from_row(&row);
    Ok(created(
        &format!("/api/v1/organizations/{id}/contact-persons/{}", view.id),
        &view.body(),
    ))
}

/// Get a contact person
///
/// One contact person of a partner; the read is logged in the personal-data access log
/// (purpose `read`).
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "Organization id"),
        ("person_id" = uuid::Uuid, Path, description = "Contact person id"),
    ),
    responses((status = 200, description = "The contact person.", body = ContactPersonView))
)]
#[get("/organizations/{id}/contact-persons/{person_id}")]
pub async fn get_contact_person(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadContactPersons, Resource::Network)?;
    let (raw_org, raw_person) = path.into_inner();
    let org = parse_id::<OrganizationId>("id", &raw_org)?;
    let person = parse_id::<ContactPersonId>("person_id", &raw_person)?;
    let ctx = caller.audit();
    let row = state
        .db(move |conn| persistence::network::contact_persons::read(conn, &org, &person, &ctx))
        .await?;
    Ok(respond(
        &req,
        &ContactPersonView::from_row(&row).body(),
        Audience::Private,
    ))
}

/// Update a contact person
///
/// Change a contact person's details; needs `If-Match`. Record a review by setting
/// `last_reviewed_on`. The answer shows the person and is logged (purpose `read`).
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "Organization id"),
        ("person_id" = uuid::Uuid, Path, description = "Contact person id"),
    ),
    request_body = ContactPersonPatch,
    responses((status = 200, description = "Updated.", body = ContactPersonView))
)]
#[patch("/organizations/{id}/contact-persons/{person_id}")]
pub async fn update_contact_person(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ManageContactPersons, Resource::Network)?;
    let (raw_org, raw_person) = path.into_inner();
    let org = parse_id::<OrganizationId>("id", &raw_org)?;
    let person = parse_id::<ContactPersonId>("person_id", &raw_person)?;
    let (o, p) = (org.clone(), person.clone());
    let current = state
        .db(move |conn| persistence::network::contact_persons::current(conn, &o, &p))
        .await?
        .ok_or_else(|| ApiError::not_found("no contact person with this id at this organization"))?;
    let changes: ContactPersonPatch = parse_record_json(&req, &body)?;
    let fields: Vec<&'static str> = [
        ("name", changes.name.is_some()),
        ("function", changes.function.is_some()),
        ("email", changes.email.is_some()),
        ("phone", changes.phone.is_some()),
        ("language", changes.language.is_some()),
        ("last_reviewed_on", changes.last_reviewed_on.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    let details = ContactPersonDetails {
        name: changes.name.unwrap_or_else(|| current.name.clone()),
        function: changes.function.unwrap_or_else(|| current.function.clone()),
        email: changes.email.unwrap_or_else(|| current.email.clone()),
        phone: changes.phone.unwrap_or_else(|| current.phone.clone()),
        preferred_language: changes
            .language
            .unwrap_or_else(|| current.preferred_language.clone()),
        last_reviewed_on: changes.last_reviewed_on.unwrap_or(current.last_reviewed_on),
    };
    check(&details, today_of(&caller))?;
    let details = normalized(details);
    require_if_match(&req, &[&ContactPersonView::from_row(&current).body().etag])?;
    let (ctx, version) = (caller.audit(), current.version);
    let row = state
        .db(move |conn| {
            persistence::network::contact_persons::update(
                conn, &org, &person, version, &details, &fields, &ctx,
            )
        })
        .await?;
    Ok(respond(
        &req,
        &ContactPersonView::from_row(&row).body(),
        Audience::Private,
    ))
}

/// Contact persons due for review
///
/// Every partner's contact persons whose yearly review has fallen due (`review_due` today
/// or earlier, by the server's Dortmund day), longest overdue first. Coordinators and
/// admins; each person shown is logged (purpose `list`).
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of contact persons.", body = Page<ContactPersonView>))
)]
#[get("/contact-persons/review-due")]
pub async fn contact_persons_due_for_review(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadContactReviews, Resource::Network)?;
    let after = pagination::decode_cursor(query.cursor.as_deref())?;
    let limit = pagination::limit(query.limit)?;
    let (ctx, today) = (caller.audit(), today_of(&caller));
    let (rows, more) = state
        .db(move |conn| {
            persistence::network::contact_persons::due_for_review(conn, today, after.as_deref(), limit, &ctx)
        })
        .await?;
    let next_cursor = more
        .then(|| rows.last().map(|r| pagination::encode_cursor(&r.review_key)))
        .flatten();
    let items: Vec<ContactPersonView> = rows.iter().map(ContactPersonView::from_row).collect();
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}
