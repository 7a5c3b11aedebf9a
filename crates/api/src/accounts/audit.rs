use chrono::{DateTime, Utc};
use persistence::audit::AuditEventRow;
use serde::Serialize;
use utoipa::ToSchema;

use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::{Action, Resource};
use persistence::audit::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accounts::auth::Authenticated;
use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::extractors::Query;
use crate::http::pagination::{self, Page};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Account or integration token id.
    pub actor: Option<String>,
    /// e.g. `office`, `user`, `organization`, `location_period`, `api_token`.
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// Events concerning this office: its id (a UUID) or its slug.
    pub office: Option<String>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// List audit events
///
/// The audit log, newest first. Never editable through the API.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, description = "A page of events.", body = Page<AuditEventView>))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadAuditLog, Resource::Network)?;
    let q = query.into_inner();
    for (name, at) in [("from", q.from), ("to", q.to)] {
        if at.is_some_and(|at| !domain::validation::instant_in_window(at)) {
            return Err(ApiError::invalid_parameter(
                name,
                domain::validation::DATE_WINDOW_MESSAGE,
            ));
        }
    }
    // An office by id or slug, like every other office parameter; an unknown one simply
    // matches no event.
    let office = match q.office.as_deref() {
        Some(raw) => {
            let key = crate::http::path::parse_office_key("office", raw)?;
            let snapshot = state.directory.get();
            Some(snapshot.office(&key).map_or(key, |o| o.id().to_owned()))
        }
        None => None,
    };
    let before = pagination::decode_cursor(q.cursor.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let filter = AuditFilter {
        actor_id: q.actor,
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        office_id: office,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let rows = state
        .db(move |conn| {
            persistence::audit::list(
                conn,
                &filter,
                before.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let mut items: Vec<AuditEventView> = rows.iter().map(AuditEventView::from_row).collect();
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|e| pagination::encode_cursor(&e.id))
    } else {
        None
    };
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

/// One recorded change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventView {
    #[schema(format = Uuid)]
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// `user`, `integration`, or a system actor such as `cli`.
    pub actor_kind: Option<String>,
    pub actor_role: Option<String>,
    #[schema(example = "office.relocated")]
    pub action: String,
    #[schema(example = "office")]
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub office_id: Option<String>,
    pub request_id: Option<String>,
    /// Names of the changed fields; values are not logged.
    pub changed_fields: Vec<String>,
    /// Why, as a code: a contact record's `correction_reason`; `null` for most changes.
    #[schema(example = "late_information")]
    pub reason: Option<String>,
}

impl AuditEventView {
    pub fn from_row(row: &AuditEventRow) -> AuditEventView {
        AuditEventView {
            id: row.id.clone(),
            occurred_at: row.occurred_at.and_utc(),
            actor_id: row.actor_id.clone(),
            actor_kind: row.actor_kind.clone(),
            actor_role: row.actor_role.clone(),
            action: row.action.clone(),
            resource_type: row.resource_type.clone(),
            resource_id: row.resource_id.clone(),
            office_id: row.office_id.clone(),
            request_id: row.request_id.clone(),
            changed_fields: serde_json::from_str(&row.changed_fields).unwrap_or_default(),
            reason: row.reason.clone(),
        }
    }
}
