//! The list envelope and keyset pagination shared by every collection.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// A page of a collection. Pass `next_cursor` back as `cursor` for the next page;
/// it is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; do not parse or build it yourself.
    pub next_cursor: Option<String>,
}

/// Checks `limit` (1 to 200; larger is an error, not a silent clamp).
pub fn limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT as usize),
        Some(n @ 1..=MAX_LIMIT) => Ok(n as usize),
        Some(_) => Err(ApiError::invalid_parameter(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// The sort key a cursor stands for. Any value of the contract's cursor pattern (`k1:`
/// and a key, base64url) names a position, so it is accepted even if this API did not
/// issue it: keyset pages only compare keys. Anything else is a 400. A key is cut at a
/// U+0000 (which PostgreSQL cannot compare with): no stored key holds one, so none sorts
/// between the key and its cut.
pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    LENIENT
        .decode(cursor)
        .ok()
        .and_then(|bytes| {
            bytes.strip_prefix(b"k1:").map(|key| {
                let key = key.split(|b| *b == 0).next().unwrap_or_default();
                String::from_utf8_lossy(key).into_owned()
            })
        })
        .map(Some)
        .ok_or_else(|| ApiError::invalid_parameter("cursor", "is not a cursor this API issued"))
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k1:{key}"))
}

/// Pages through `items`, which must be sorted ascending by `key`. Keyset-based:
/// the page after a cursor starts after its key, so inserts and deletes elsewhere
/// never shift or repeat items.
pub fn paginate<'a, T: Clone + 'a>(
    items: impl IntoIterator<Item = &'a T>,
    key: impl Fn(&T) -> &str,
    after: Option<&str>,
    limit: usize,
) -> Page<T> {
    let mut page: Vec<T> = items
        .into_iter()
        .filter(|it| after.is_none_or(|a| key(it) > a))
        .take(limit + 1)
        .cloned()
        .collect();
    let next_cursor = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|last| encode_cursor(key(last)))
    } else {
        None
    };
    Page {
        items: page,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_keys_and_end_with_null_cursor() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let p1 = paginate(&items, |s| s.as_str(), None, 2);
        assert_eq!(p1.items, ["a", "b"]);
        let after = decode_cursor(p1.next_cursor.as_deref()).unwrap();
        let p2 = paginate(&items, |s| s.as_str(), after.as_deref(), 2);
        assert_eq!(p2.items, ["c", "d"]);
        let after = decode_cursor(p2.next_cursor.as_deref()).unwrap();
        let p3 = paginate(&items, |s| s.as_str(), after.as_deref(), 2);
        assert_eq!(p3.items, ["e"]);
        assert!(p3.next_cursor.is_none());
    }

    #[test]
    fn keys_stop_before_nul() {
        let cursor = URL_SAFE_NO_PAD.encode(b"k1:2026-11-12|\x00\xff rest");
        assert_eq!(
            decode_cursor(Some(&cursor)).unwrap().as_deref(),
            Some("2026-11-12|")
        );
    }

    #[test]
    fn rejects_foreign_cursors_and_bad_limits() {
        assert!(decode_cursor(Some("not-base64!")).is_err());
        assert!(decode_cursor(Some(&URL_SAFE_NO_PAD.encode("x"))).is_err());
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(201)).is_err());
        assert_eq!(limit(Some(200)).unwrap(), 200);
    }

    #[test]
    fn any_cursor_of_the_pattern_is_a_key_without_nul() {
        let cursor = URL_SAFE_NO_PAD.encode(b"k1:abc\0\xffdef");
        assert_eq!(decode_cursor(Some(&cursor)).unwrap().as_deref(), Some("abc"));
        let cursor = URL_SAFE_NO_PAD.encode(b"k1:ab\xffc");
        assert_eq!(
            decode_cursor(Some(&cursor)).unwrap().as_deref(),
            Some("ab\u{fffd}c")
        );
    }
}

/// Paging parameters of every list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Language for localized texts (ISO 639 code); overrides `Accept-Language`.
    pub lang: Option<String>,
}

impl ListQuery {
    /// The unfiltered first page, which the directory cache holds pre-serialized.
    pub fn is_first_page(&self) -> bool {
        self.cursor.is_none() && self.limit.is_none_or(|l| l == DEFAULT_LIMIT)
    }

    /// The cursor's key and the limit, validated.
    pub fn parse(&self) -> Result<(Option<String>, usize), ApiError> {
        Ok((decode_cursor(self.cursor.as_deref())?, limit(self.limit)?))
    }
}

/// Answers a list request over a cached collection: the pre-serialized first page when
/// the query asks for it, otherwise the requested page; localized on request.
pub fn cached_list<'a, T: Clone + Serialize + 'a>(
    req: &actix_web::HttpRequest,
    query: &ListQuery,
    first_page: &crate::http::conditional::JsonBody,
    items: impl IntoIterator<Item = &'a T>,
    key: impl Fn(&T) -> &str,
    audience: crate::http::conditional::Audience,
) -> Result<actix_web::HttpResponse, ApiError> {
    let lang = crate::http::localize::requested_language(req, query.lang.as_deref())?;
    if query.is_first_page() {
        return Ok(crate::http::localize::respond_localized(
            req,
            first_page,
            audience,
            lang.as_deref(),
        ));
    }
    let (after, limit) = query.parse()?;
    let page = paginate(items, key, after.as_deref(), limit);
    Ok(crate::http::localize::respond_localized(
        req,
        &crate::http::conditional::JsonBody::new(&page),
        audience,
        lang.as_deref(),
    ))
}
