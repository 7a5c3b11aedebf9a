use chrono::{DateTime, Utc};
use domain::network::partners::{ActorType, PartnerStaffing, Visibility};
use domain::{District, OrganizationKind, ValidationErrors};
use persistence::RepoError;
use persistence::directory::organizations::{OrganizationRecord, PartnerProfile};
use persistence::directory::rows::OrganizationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::extractors::Query;
use crate::http::extractors::present;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::OrganizationId;
use domain::{Action, Resource};
use persistence::directory::organizations::{NewOrganization, OrganizationChanges};

use crate::accounts::auth::Authenticated;
use crate::accounts::auth::MaybeAuthenticated;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::parse_json;
use crate::http::pagination::ListQuery;
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Whether the caller sees the whole partner network, internal partners included
/// (staff with an office today, coordinators, admins); never anonymous callers, readers
/// or integration tokens.
fn sees_internal_partners(caller: &MaybeAuthenticated) -> bool {
    caller
        .0
        .as_ref()
        .is_some_and(|c| domain::authorize(&c.actor, Action::ReadPartnerNetwork, Resource::Network).is_ok())
}

/// List organizations
///
/// The City of Dortmund, the welfare providers and partner organizations, oldest first.
/// Partners with `visibility: internal` are listed only for staff with an office today,
/// coordinators and admins; everybody else (anonymous callers, readers, integration
/// tokens, the HSDS export) sees the public ones only.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    params(ListQuery),
    responses((status = 200, description = "A page of organizations.", body = Page<OrganizationView>))
)]
#[get("/organizations")]
pub async fn list_organizations(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    if sees_internal_partners(&caller) {
        // Internal partners are not in the public snapshot: read the whole list.
        let lang = crate::http::localize::requested_language(&req, query.lang.as_deref())?;
        let (after, limit) = query.parse()?;
        let rows = state
            .db(move |conn| {
                persistence::directory::organizations::list_all(
                    conn,
                    after.as_deref(),
                    i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
                )
            })
            .await?;
        let mut items = rows
            .iter()
            .map(OrganizationView::from_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|o| pagination::encode_cursor(&o.id))
        } else {
            None
        };
        return Ok(crate::http::localize::respond_localized(
            &req,
            &JsonBody::new(&Page { items, next_cursor }),
            Audience::Private,
            lang.as_deref(),
        ));
    }
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.organizations,
        snapshot.organizations.iter().map(|o| &o.view),
        |o| &o.id,
        caller.audience(),
    )
}

/// Get an organization
///
/// One organization. An internal partner is a 404 for callers who do not see the
/// partner network.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "directory",
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    responses((status = 200, description = "The organization.", body = OrganizationView))
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id::<OrganizationId>("id", &id)?;
    if sees_internal_partners(&caller) {
        let view = stored_organization(&state, id).await?;
        return Ok(respond(&req, &JsonBody::new(&view), Audience::Private));
    }
    let snapshot = state.directory.get();
    let organization = snapshot
        .organization(&id)
        .ok_or_else(|| ApiError::not_found(format!("no organization with id {id}")))?;
    Ok(respond(&req, &organization.body, caller.audience()))
}

/// An organization as stored now, public or internal (404 if there is none).
async fn stored_organization(state: &AppState, id: OrganizationId) -> Result<OrganizationView, ApiError> {
    let record = state
        .db(move |conn| persistence::directory::organizations::find(conn, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("no organization with this id"))?;
    Ok(OrganizationView::from_record(&record)?)
}

/// Create an organization
///
/// Add an organization (a provider, or a partner such as a parish hosting an office).
/// Partners may carry `actor_type`, `staffing`, `districts` and `visibility` (default
/// `internal`: a partner is published deliberately); other kinds refuse them (422).
#[utoipa::path(
    tag = "directory",
    security(("bearer" = [])),
    request_body = NewOrganizationRequest,
    responses(
        (status = 201, description = "Created.", body = OrganizationView),
        (status = 409, description = "`organization_name_taken`.", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::CreateOrganization, Resource::Network)?;
    let body: NewOrganizationRequest = parse_json(&req, &body)?;
    let new = body.validate().map_err(ApiError::validation)?;
    let ctx = caller.audit();
    let written = state
        .db(move |conn| persistence::directory::organizations::create(conn, new, &ctx))
        .await?;
    let view = OrganizationView::from_record(&written.record)?;
    if written.public_changed {
        state.directory.refresh_after_write(&state.pool).await;
    }
    Ok(created(
        &format!("/api/v1/organizations/{}", view.id),
        &JsonBody::new(&view),
    ))
}

/// Update an organization
///
/// Change an organization. Needs `If-Match` with the current ETag. Partner fields are
/// refused (422) for organizations that are not (or do not become) partners; a partner
/// that changes its kind loses them, and cannot while it has open cooperations or
/// contact persons (409 `organization_in_use`).
#[utoipa::path(
    tag = "directory",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organization id")),
    request_body = OrganizationPatch,
    responses((status = 200, description = "Updated.", body = OrganizationView))
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::UpdateOrganization, Resource::Network)?;
    let id = parse_id::<OrganizationId>("id", &id)?;
    // The stored organization, internal partners included; its representation is the one
    // every reader gets (the snapshot's is the same bytes once it has caught up).
    let current = stored_organization(&state, id.clone()).await?;
    let changes = parse_json::<OrganizationPatch>(&req, &body)?
        .validate(current.kind)
        .map_err(ApiError::validation)?;
    require_if_match(&req, &[&JsonBody::new(&current).etag])?;
    let version = current.version;
    let ctx = caller.audit();
    let written = state
        .db(move |conn| persistence::directory::organizations::update(conn, &id, version, &changes, &ctx))
        .await?;
    let view = OrganizationView::from_record(&written.record)?;
    if written.public_changed {
        state.directory.refresh_after_write(&state.pool).await;
    }
    Ok(respond(&req, &JsonBody::new(&view), Audience::Private))
}

/// An organization as embedded in other resources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRef {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "Diakonisches Werk Dortmund und Lünen gGmbH")]
    pub name: String,
    #[schema(example = "Diakonie Dortmund")]
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
}

/// The City of Dortmund, a welfare provider or a partner organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.dortmund.de")]
    pub website: Option<String>,
    /// Partners: what kind of actor; `null` when not recorded or not a partner.
    pub actor_type: Option<ActorType>,
    /// Partners: who does the work; `null` when not recorded or not a partner.
    pub staffing: Option<PartnerStaffing>,
    /// Partners: the districts they are active in, in official order; empty otherwise.
    pub districts: Vec<District>,
    /// `internal` partners are seen only by staff, coordinators and admins; every other
    /// organization is `public`.
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl OrganizationView {
    pub fn from_record(record: &OrganizationRecord) -> Result<Self, RepoError> {
        let row = &record.row;
        let mut districts = record
            .districts
            .iter()
            .map(|d| {
                District::from_code(d).ok_or_else(|| RepoError::Corrupt(format!("unknown district {d:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        districts.sort();
        Ok(OrganizationView {
            id: row.id.clone(),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            kind: row.kind()?,
            website: row.website.clone(),
            actor_type: row.actor_type()?,
            staffing: row.staffing()?,
            districts,
            visibility: row.visibility()?,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }

    pub fn as_ref(&self) -> OrganizationRef {
        OrganizationRef {
            id: self.id.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind,
        }
    }
}

impl OrganizationRef {
    pub fn from_row(row: &OrganizationRow) -> Result<Self, RepoError> {
        Ok(OrganizationRef {
            id: row.id.clone(),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            kind: row.kind()?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganizationRequest {
    #[schema(example = "Jugendhilfe St. Elisabeth")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.example.org")]
    pub website: Option<String>,
    /// Partners only.
    pub actor_type: Option<ActorType>,
    /// Partners only.
    pub staffing: Option<PartnerStaffing>,
    /// Partners only: the districts the partner is active in (omit for none).
    pub districts: Option<Vec<District>>,
    /// Partners only; default `internal`: a partner appears in the public list and the
    /// HSDS export only once it is made `public`.
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub short_name: Option<Option<String>>,
    /// A partner that becomes another kind loses its partner fields (and becomes public);
    /// an organization that becomes a partner stays public unless `visibility` says otherwise.
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "present")]
    pub website: Option<Option<String>>,
    /// Partners only; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub actor_type: Option<Option<ActorType>>,
    /// Partners only; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub staffing: Option<Option<PartnerStaffing>>,
    /// Partners only: replaces the districts; `null` clears them.
    #[serde(default, deserialize_with = "present")]
    pub districts: Option<Option<Vec<District>>>,
    /// Partners only.
    pub visibility: Option<Visibility>,
}

/// Refuses partner fields that are present for an organization that is no partner.
fn partner_fields_only_for_partners(
    kind: OrganizationKind,
    present: &[(&str, bool)],
    e: &mut ValidationErrors,
) {
    if domain::network::partners::has_partner_fields(kind) {
        return;
    }
    for (field, is_present) in present {
        if *is_present {
            e.add(
                format!("/{field}"),
                "only partners (kind `partner`) have this field",
            );
        }
    }
}

/// A partner's districts: at least one when given, each once.
fn check_districts(districts: &[District], e: &mut ValidationErrors) {
    if districts.is_empty() {
        e.add("/districts", "must list at least one district (omit it for none)");
    }
    for (i, d) in districts.iter().enumerate() {
        if districts[..i].contains(d) {
            e.add(format!("/districts/{i}"), "lists a district twice");
        }
    }
}

pub fn validate_website(pointer: &str, url: &str, errors: &mut ValidationErrors) {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 300
        && !url.chars().any(char::is_whitespace);
    if !ok || domain::text::refusal(url, false).is_some() {
        errors.add(pointer, "must be an http(s) URL of at most 300 characters");
    }
}

impl NewOrganizationRequest {
    /// Checks every field and turns the request into the write model.
    pub fn validate(self) -> Result<NewOrganization, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.require_text("/name", &self.name, 200);
        if let Some(s) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(w) = &self.website {
            validate_website("/website", w, &mut e);
        }
        partner_fields_only_for_partners(
            self.kind,
            &[
                ("actor_type", self.actor_type.is_some()),
                ("staffing", self.staffing.is_some()),
                ("districts", self.districts.is_some()),
                ("visibility", self.visibility.is_some()),
            ],
            &mut e,
        );
        if let Some(d) = &self.districts {
            check_districts(d, &mut e);
        }
        e.into_result()?;
        let partner = domain::network::partners::has_partner_fields(self.kind).then(|| PartnerProfile {
            actor_type: self.actor_type,
            staffing: self.staffing,
            districts: self.districts.unwrap_or_default(),
            visibility: self.visibility.unwrap_or(Visibility::Internal),
        });
        Ok(NewOrganization {
            name: domain::text::normalize(&self.name),
            short_name: self.short_name.map(|s| domain::text::normalize(&s)),
            kind: self.kind,
            website: self.website,
            partner,
        })
    }
}

impl OrganizationPatch {
    /// Checks the fields present (the partner fields against the kind the organization
    /// has after the patch) and turns the patch into the write model.
    pub fn validate(self, current_kind: OrganizationKind) -> Result<OrganizationChanges, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(n) = &self.name {
            e.require_text("/name", n, 200);
        }
        if let Some(Some(s)) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(Some(w)) = &self.website {
            validate_website("/website", w, &mut e);
        }
        partner_fields_only_for_partners(
            self.kind.unwrap_or(current_kind),
            &[
                ("actor_type", self.actor_type.is_some()),
                ("staffing", self.staffing.is_some()),
                ("districts", self.districts.is_some()),
                ("visibility", self.visibility.is_some()),
            ],
            &mut e,
        );
        if let Some(Some(d)) = &self.districts {
            check_districts(d, &mut e);
        }
        e.into_result()?;
        Ok(OrganizationChanges {
            name: self.name.map(|n| domain::text::normalize(&n)),
            short_name: self.short_name,
            kind: self.kind,
            website: self.website,
            actor_type: self.actor_type,
            staffing: self.staffing,
            districts: self.districts.map(Option::unwrap_or_default),
            visibility: self.visibility,
        })
    }
}
