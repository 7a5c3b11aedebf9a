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

/// Every code list with its labels, and the version of the set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeListsView {
    /// Raised whenever a code is added or retired; frozen reports record it.
    #[schema(example = "2026.1")]
    pub version: String,
    pub lists: Vec<domain::code_lists::CodeListView>,
}

/// List the code lists
///
/// The closed vocabularies records are described with (districts, languages, topics and
/// the field-work lists), each code with German and English labels. Codes are added,
/// never renamed or reused; a `retired` code stays readable in old records and is refused
/// in new ones.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "content",
    responses((status = 200, description = "All code lists.", body = CodeListsView))
)]
#[get("/code-lists")]
pub async fn list_code_lists(
    caller: MaybeAuthenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let snapshot = state.directory.get();
    let mut lists: Vec<domain::code_lists::CodeListView> =
        domain::code_lists::all().iter().map(Into::into).collect();
    lists.push(domain::code_lists::CodeListView {
        name: "topic".to_owned(),
        codes: snapshot
            .topics
            .iter()
            .map(|t| domain::code_lists::CodeView {
                code: t.code.clone(),
                label: t.name.clone(),
                retired: false,
            })
            .collect(),
    });
    let view = CodeListsView {
        version: domain::code_lists::VERSION.to_owned(),
        lists,
    };
    crate::http::conditional::respond(&req, &JsonBody::new(&view), caller.audience())
}
