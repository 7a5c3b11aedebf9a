//! Strong ETags over the exact response bytes, `If-None-Match` and `Cache-Control`.

use std::fmt::Write as _;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use domain::ProblemCode;
use sha2::{Digest, Sha256};

/// A serialized JSON body with its strong ETag, computed once and served many times.
#[derive(Debug, Clone)]
pub struct JsonBody {
    pub bytes: Bytes,
    pub etag: HeaderValue,
}

impl JsonBody {
    pub fn new<T: serde::Serialize>(value: &T) -> JsonBody {
        Self::raw(serde_json::to_vec(value).expect("views serialize"))
    }

    /// Any body with its strong ETag.
    pub fn raw(bytes: Vec<u8>) -> JsonBody {
        let bytes = Bytes::from(bytes);
        let digest = Sha256::digest(&bytes);
        let mut tag = String::with_capacity(34);
        tag.push('"');
        for b in &digest[..16] {
            let _ = write!(tag, "{b:02x}");
        }
        tag.push('"');
        JsonBody {
            bytes,
            etag: HeaderValue::from_str(&tag).expect("hex is a valid header"),
        }
    }
}

/// Who may cache a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anonymous data: shared caches may keep it for a minute.
    Public,
    /// Depends on the caller's token: never stored.
    Private,
}

/// 200 with the body, or 304 when the client's `If-None-Match` already names it.
pub fn respond(req: &HttpRequest, body: &JsonBody, audience: Audience) -> HttpResponse {
    let cache_control = match audience {
        Audience::Public => "public, max-age=60",
        Audience::Private => "no-store",
    };
    if none_match(req, &body.etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, body.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, body.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .body(body.bytes.clone())
}

/// [`respond`] for a body of another media type (the iCalendar feed).
pub fn respond_as(
    req: &HttpRequest,
    body: &JsonBody,
    content_type: &str,
    cache_control: &str,
) -> HttpResponse {
    if none_match(req, &body.etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, body.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache_control.to_owned()))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(content_type.to_owned())
        .insert_header((header::ETAG, body.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache_control.to_owned()))
        .body(body.bytes.clone())
}

/// `If-None-Match` uses the weak comparison (RFC 9110 13.1.2): `W/` prefixes are ignored.
fn none_match(req: &HttpRequest, etag: &HeaderValue) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    value
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == ours)
}

/// The `If-Match` a write must carry: 428 without it, with `*` (which would allow a lost
/// update) or with anything but entity tags; 412 when it does not name the current
/// representation.
pub fn require_if_match(
    req: &HttpRequest,
    current: &[&HeaderValue],
) -> Result<(), crate::http::problem::ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Err(if_match_required());
    };
    let Some(tags) = entity_tags(value) else {
        return Err(if_match_required());
    };
    // Strong comparison (RFC 9110 13.1.1): weak tags never match. `current` lists the tags
    // of every representation of the same version (e.g. anonymous and authenticated).
    let matches = |candidate: &str| {
        let candidate = base_tag(candidate);
        current
            .iter()
            .any(|tag| tag.to_str().is_ok_and(|t| t == candidate))
    };
    if tags.into_iter().any(matches) {
        Ok(())
    } else {
        Err(crate::http::problem::precondition_failed())
    }
}

/// The entity tags of a list like `"a", W/"b"` (the contract's `If-Match` pattern,
/// `schema_rules::ENTITY_TAGS`), or `None` when the value is not such a list.
fn entity_tags(value: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        let start = rest;
        let unprefixed = rest.strip_prefix("W/").unwrap_or(rest);
        let inner = unprefixed.strip_prefix('"')?;
        let close = inner.find('"')?;
        let tag_len = (start.len() - inner.len()) + close + 1;
        tags.push(&start[..tag_len]);
        rest = &start[tag_len..];
        if rest.is_empty() {
            return Some(tags);
        }
        rest = rest
            .trim_start_matches([' ', '\t'])
            .strip_prefix(',')?
            .trim_start_matches([' ', '\t']);
    }
}

/// The tag of the unlocalized representation: `"<hash>-ar"` (a localized response of the
/// same version, see `localize`) stands for `"<hash>"`.
fn base_tag(tag: &str) -> String {
    match tag.strip_suffix('"').and_then(|t| t.rsplit_once('-')) {
        Some((base, lang))
            if (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            format!("{base}\"")
        }
        _ => tag.to_owned(),
    }
}

fn if_match_required() -> crate::http::problem::ApiError {
    crate::http::problem::ApiError::new(
        ProblemCode::IfMatchRequired,
        "send the resource's current ETag in If-Match",
    )
}

/// 201 Created with `Location` and the new resource's ETag.
pub fn created(location: &str, body: &JsonBody) -> HttpResponse {
    HttpResponse::Created()
        .content_type("application/json")
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, body.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.bytes.clone())
}

#[cfg(test)]
mod tests {
    use super::entity_tags;

    #[test]
    fn entity_tag_lists_parse_like_the_contract_pattern() {
        assert_eq!(entity_tags(r#""a""#), Some(vec![r#""a""#]));
        assert_eq!(
            entity_tags(r#""a,b" ,	W/"c""#),
            Some(vec![r#""a,b""#, r#"W/"c""#])
        );
        assert_eq!(entity_tags(r#""""#), Some(vec![r#""""#]));
        for malformed in [
            "",
            "*",
            "abc",
            r#""a"#,
            r#""a" "b""#,
            r#""a","#,
            r#"w/"a""#,
            r#" "a""#,
        ] {
            assert_eq!(entity_tags(malformed), None, "{malformed:?}");
        }
    }
}
