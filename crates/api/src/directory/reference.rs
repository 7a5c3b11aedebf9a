//! Reference lists: the languages consultations are held in, and the topics people come with.

use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::LocalizedText;
use domain::directory::languages::{LANGUAGES, Language};
use persistence::RepoError;
use persistence::directory::content::TopicRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::auth::MaybeAuthenticated;
use crate::directory::stored::stored_json;
use crate::http::conditional::JsonBody;
use crate::http::extractors::Query;
use crate::http::pagination::{self, ListQuery, Page};
use crate::http::problem::ApiError;
use crate::state::AppState;
/// A topic people come with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    #[schema(example = "childcare-place")]
    pub code: String,
    pub name: LocalizedText,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl TopicView {
    pub fn from_row(row: &TopicRow) -> Result<TopicView, RepoError> {
        Ok(TopicView {
            code: row.code.clone(),
            name: stored_json(&row.name, "topic name")?,
            sort_key: format!("{:04}", row.position),
        })
    }
}

/// List languages
///
/// The languages consultations can be held in (ISO 639 codes, German and English names).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    responses((status = 200, description = "All languages.", body = Page<Language>))
)]
#[get("/languages")]
pub async fn list_languages(caller: MaybeAuthenticated, req: HttpRequest) -> HttpResponse {
    let page = Page {
        items: LANGUAGES.to_vec(),
        next_cursor: None,
    };
    crate::http::conditional::respond(&req, &JsonBody::new(&page), caller.audience())
}

/// List topics
///
/// Topics people come to the offices with.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    params(ListQuery),
    responses((status = 200, description = "All topics.", body = Page<TopicView>))
)]
#[get("/topics")]
pub async fn list_topics(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.directory.get();
    pagination::cached_list(
        &req,
        &query,
        &snapshot.first_pages.topics,
        &snapshot.topics,
        |t| &t.sort_key,
        caller.audience(),
    )
}
