//! Creating and changing offices.

use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::NaiveDate;
use domain::{
    Action, District, Id, LocalizedText, OfficeId, OfficeKind, OfficeStatus, OrganizationId,
    OrganizationKind, Resource, ValidationErrors,
};
use persistence::directory::offices::{NewOffice, OfficeChanges};
use persistence::read_model::{self, CommittedOffice};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::auth::Authenticated;
use crate::directory::offices::{OfficeView, office_at};
use crate::directory::relocations::LocationInput;
use crate::directory::snapshot::{OfficeEntry, Snapshot};
use crate::http::conditional::{Audience, created, require_if_match, respond};
use crate::http::extractors::{parse_json, present};
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Checks that `id` names an organization, of `kind` if given.
pub(crate) fn check_organization(
    snapshot: &Snapshot,
    pointer: &str,
    raw: &str,
    kind: Option<OrganizationKind>,
    e: &mut ValidationErrors,
) -> Option<String> {
    let Some(id) = OrganizationId::parse(raw).map(OrganizationId::into_string) else {
        e.add(pointer, "must be a UUID");
        return None;
    };
    match snapshot.organization(&id).map(|o| &o.view) {
        None => e.add(pointer, "no organization with this id"),
        Some(org) if kind.is_some_and(|k| org.kind != k) => {
            e.add(pointer, "must be a welfare provider (kind `welfare_provider`)");
        }
        Some(_) => return Some(id),
    }
    None
}

/// The answer to a committed office write, built from what it committed; this instance's
/// snapshot then catches up (a failed reload is logged, never turned into an error for
/// a write that has happened).
pub(crate) async fn answer_office_write(
    state: &AppState,
    committed: &CommittedOffice,
) -> Result<OfficeEntry, ApiError> {
    let entry = OfficeEntry::from_committed(committed, state.clock.today())?;
    state.directory.refresh_after_write(&state.pool).await;
    Ok(entry)
}

/// Create an office
///
/// Add an office or outpost, optionally with its first location.
#[utoipa::path(
    tag = "offices",
    security(("bearer" = [])),
    request_body = NewOfficeRequest,
    responses(
        (status = 201, description = "Created.", body = OfficeView),
        (status = 409, description = "`slug_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/offices")]
pub async fn create_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::CreateOffice, Resource::Network)?;
    let new = parse_json::<NewOfficeRequest>(&req, &body)?
        .validate(&state.directory.get())
        .map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let committed = state
        .db(move |conn| {
            persistence::write_tx(conn, |conn| {
                let row = persistence::directory::offices::create(conn, new, &ctx)?;
                read_model::checked_office(conn, &OfficeId::from_stored(row.id))
            })
        })
        .await?;
    let office = answer_office_write(&state, &committed).await?;
    Ok(created(
        &format!("/api/v1/offices/{}", office.id()),
        office.body_for(true),
    ))
}

/// Update an office
///
/// Change an office. Needs `If-Match`. Staff may change contact and description of
/// their own offices; everything else needs a coordinator or admin.
#[utoipa::path(
    tag = "offices",
    security(("bearer" = [])),
    params(("office" = String, Path, description = "The office: its id (a UUID) or its slug", example = "mengede-huckarde")),
    request_body = OfficePatch,
    responses(
        (status = 200, description = "Updated.", body = OfficeView),
        (status = 409, description = "`slug_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/offices/{office}")]
pub async fn update_office(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    let office = office_at(&snapshot, &id)?;
    let office_id = office.office_id();
    // The least this needs; the body decides whether structure rights are needed too.
    caller.authorize(Action::UpdateOfficeDetails, Resource::Office(&office_id))?;
    let patch: OfficePatch = parse_json(&req, &body)?;
    if patch.touches_structure() {
        caller.authorize(Action::UpdateOfficeStructure, Resource::Office(&office_id))?;
    }
    let changes = patch
        .validate(&snapshot, &office.view)
        .map_err(ApiError::validation)?;
    require_if_match(&req, &office.etags())?;
    let (version, ctx) = (office.view.version, caller.audit());
    let oid = office_id.clone();
    let ((), committed) = state
        .db(move |conn| {
            read_model::write_office(conn, &oid.clone(), |conn| {
                persistence::directory::offices::update(conn, &oid, version, &changes, &ctx).map(drop)
            })
        })
        .await?;
    let office = answer_office_write(&state, &committed).await?;
    Ok(respond(&req, office.body_for(true), Audience::Private))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[schema(example = "0231 50 11 148")]
    pub phone: Option<String>,
    #[schema(example = "lokalwillkommen.mh@stadtdo.de")]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficeRequest {
    #[schema(example = "innenstadt-nord")]
    pub slug: String,
    #[schema(example = "lokal willkommen Innenstadt-Nord")]
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    /// The welfare provider running the office with the city.
    #[schema(format = Uuid)]
    pub provider_organization_id: String,
    pub districts: Vec<District>,
    pub opened_on: Option<NaiveDate>,
    #[serde(default)]
    pub contact: ContactInput,
    pub description: LocalizedText,
    /// The first location, if already known.
    pub location: Option<LocationInput>,
}

impl NewOfficeRequest {
    /// Checks every field (organizations against the directory) and turns the request
    /// into the write model; every problem is reported with its JSON pointer.
    pub fn validate(self, directory: &Snapshot) -> Result<NewOffice, ValidationErrors> {
        let mut e = ValidationErrors::default();
        validate_slug("/slug", &self.slug, &mut e);
        e.require_text("/name", &self.name, 200);
        if let Some(opened) = self.opened_on {
            e.check_date("/opened_on", opened);
        }
        validate_districts("/districts", &self.districts, &mut e);
        self.description.validate_multiline("/description", 4000, &mut e);
        if let Some(p) = &self.contact.phone {
            validate_phone("/contact/phone", p, &mut e);
        }
        if let Some(m) = &self.contact.email {
            validate_email("/contact/email", m, &mut e);
        }
        let provider = check_organization(
            directory,
            "/provider_organization_id",
            &self.provider_organization_id,
            Some(OrganizationKind::WelfareProvider),
            &mut e,
        );
        let first_location = self
            .location
            .map(|l| l.validate_first(directory, self.opened_on, "/location", &mut e));
        e.into_result()?;
        let provider_organization_id =
            provider.ok_or_else(|| ValidationErrors::single("/provider_organization_id", "is invalid"))?;
        Ok(NewOffice {
            slug: self.slug,
            name: domain::text::normalize(&self.name),
            kind: self.kind,
            status: self.status,
            provider_organization_id,
            districts: self.districts,
            opened_on: self.opened_on,
            phone: self.contact.phone,
            email: self.contact.email,
            description: self.description,
            first_location,
        })
    }
}

/// Only the fields present change. Contact and description may be changed by the
/// office's own staff; every other field needs a coordinator or admin.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficePatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<OfficeKind>,
    pub status: Option<OfficeStatus>,
    #[schema(format = Uuid)]
    pub provider_organization_id: Option<String>,
    pub districts: Option<Vec<District>>,
    #[serde(default, deserialize_with = "present")]
    pub opened_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub closed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    pub description: Option<LocalizedText>,
}

impl OfficePatch {
    /// Whether the patch touches anything beyond contact details and description.
    pub fn touches_structure(&self) -> bool {
        self.slug.is_some()
            || self.name.is_some()
            || self.kind.is_some()
            || self.status.is_some()
            || self.provider_organization_id.is_some()
            || self.districts.is_some()
            || self.opened_on.is_some()
            || self.closed_on.is_some()
    }
}

impl OfficePatch {
    /// Checks the fields present against the office as it is and turns the patch into
    /// the write model.
    pub fn validate(
        self,
        directory: &Snapshot,
        current: &OfficeView,
    ) -> Result<OfficeChanges, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(s) = &self.slug {
            validate_slug("/slug", s, &mut e);
        }
        if let Some(n) = &self.name {
            e.require_text("/name", n, 200);
        }
        if let Some(d) = &self.districts {
            validate_districts("/districts", d, &mut e);
        }
        if let Some(d) = &self.description {
            d.validate_multiline("/description", 4000, &mut e);
        }
        if let Some(Some(p)) = &self.phone {
            validate_phone("/phone", p, &mut e);
        }
        if let Some(Some(m)) = &self.email {
            validate_email("/email", m, &mut e);
        }
        let provider = self.provider_organization_id.as_deref().and_then(|p| {
            check_organization(
                directory,
                "/provider_organization_id",
                p,
                Some(OrganizationKind::WelfareProvider),
                &mut e,
            )
        });
        for (pointer, date) in [("/opened_on", self.opened_on), ("/closed_on", self.closed_on)] {
            if let Some(Some(date)) = date {
                e.check_date(pointer, date);
            }
        }
        let opened = self.opened_on.unwrap_or(current.opened_on);
        let closed = self.closed_on.unwrap_or(current.closed_on);
        if let (Some(o), Some(c)) = (opened, closed)
            && c < o
        {
            e.add("/closed_on", "must not be before opened_on");
        }
        e.into_result()?;
        Ok(OfficeChanges {
            slug: self.slug,
            name: self.name.map(|n| domain::text::normalize(&n)),
            kind: self.kind,
            status: self.status,
            provider_organization_id: provider,
            districts: self.districts,
            opened_on: self.opened_on,
            closed_on: self.closed_on,
            phone: self.phone,
            email: self.email,
            description: self.description,
        })
    }
}

pub fn validate_slug(pointer: &str, slug: &str, e: &mut ValidationErrors) {
    if domain::Slug::parse(slug).is_none() || uuid::Uuid::parse_str(slug).is_ok() {
        e.add(pointer, "3 to 64 lowercase letters, digits and single hyphens");
    }
}

pub fn validate_districts(pointer: &str, districts: &[District], e: &mut ValidationErrors) {
    let mut unique = districts.to_vec();
    unique.sort();
    unique.dedup();
    if districts.is_empty() {
        e.add(pointer, "an office serves at least one district");
    } else if unique.len() != districts.len() {
        e.add(pointer, "lists a district twice");
    }
}

pub fn validate_phone(pointer: &str, phone: &str, e: &mut ValidationErrors) {
    // Exactly the contract's pattern (`schema_rules::PHONE`), and not blank.
    let ok = (3..=50).contains(&phone.len())
        && phone.trim().len() >= 3
        && phone.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    if !ok {
        e.add(pointer, "digits, spaces and + - / ( ), at most 50 characters");
    }
}

pub fn validate_email(pointer: &str, email: &str, e: &mut ValidationErrors) {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
    if !ok || domain::text::refusal(email, false).is_some() {
        e.add(pointer, "must be an email address");
    }
}
