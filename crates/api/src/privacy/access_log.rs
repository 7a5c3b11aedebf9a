//! Reading the personal-data access log: admins until the data-protection role exists.
//! There is no route that changes or deletes an entry.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use domain::privacy::{AccessPurpose, PersonalRecordType};
use domain::{Action, Resource};
use persistence::RepoError;
use persistence::privacy::access_log::{AccessLogFilter, AccessLogRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::auth::Authenticated;
use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::extractors::Query;
use crate::http::pagination::{self, Page};
use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Account or integration token id.
    pub actor: Option<String>,
    pub record_type: Option<PersonalRecordType>,
    pub record_id: Option<String>,
    /// Reads at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Reads before this instant.
    pub to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// One read of a personal record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogEntryView {
    #[schema(format = Uuid)]
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    /// `user`, `integration`, or a system actor.
    pub actor_kind: String,
    pub actor_role: String,
    pub record_type: PersonalRecordType,
    pub record_id: String,
    pub purpose: AccessPurpose,
    pub request_id: Option<String>,
}

impl AccessLogEntryView {
    fn from_row(row: &AccessLogRow) -> Result<AccessLogEntryView, RepoError> {
        let corrupt = |what: &str, v: &str| RepoError::Corrupt(format!("unknown {what} {v:?}"));
        Ok(AccessLogEntryView {
            id: row.id.clone(),
            at: row.at.and_utc(),
            actor_id: row.actor_id.clone(),
            actor_kind: row.actor_kind.clone(),
            actor_role: row.actor_role.clone(),
            record_type: PersonalRecordType::parse(&row.record_type)
                .ok_or_else(|| corrupt("record type", &row.record_type))?,
            record_id: row.record_id.clone(),
            purpose: AccessPurpose::parse(&row.purpose).ok_or_else(|| corrupt("purpose", &row.purpose))?,
            request_id: row.request_id.clone(),
        })
    }
}

/// List personal-data reads
///
/// The personal-data access log, newest first: who read which personal record, when and
/// why (one entry per record shown). Append-only: no operation changes or deletes an
/// entry; the retention rules remove entries after 12 months. Admins, until the
/// data-protection role exists.
#[utoipa::path(
    tag = "privacy",
    security(("bearer" = [])),
    params(AccessLogQuery),
    responses((status = 200, description = "A page of entries.", body = Page<AccessLogEntryView>))
)]
#[get("/privacy/access-log")]
pub async fn list_access_log(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<AccessLogQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadAccessLog, Resource::Network)?;
    let q = query.into_inner();
    for (name, at) in [("from", q.from), ("to", q.to)] {
        if at.is_some_and(|at| !domain::validation::instant_in_window(at)) {
            return Err(ApiError::invalid_parameter(
                name,
                domain::validation::DATE_WINDOW_MESSAGE,
            ));
        }
    }
    let before = pagination::decode_cursor(q.cursor.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let filter = AccessLogFilter {
        actor_id: q.actor,
        record_type: q.record_type,
        record_id: q.record_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let rows = state
        .db(move |conn| {
            persistence::privacy::access_log::list(
                conn,
                &filter,
                before.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let mut items = rows
        .iter()
        .map(AccessLogEntryView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
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
