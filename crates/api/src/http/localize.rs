//! Language negotiation for localized texts.
//!
//! Localized fields are objects keyed by language code (`{"de": ..., "ar": ...}`). When
//! a client asks for a language (`?lang=ar`, or an `Accept-Language` header), each such
//! object is reduced to that language, falling back to German per field, and
//! `Content-Language` lists the languages actually used. Without a request the full
//! objects are returned (integrations that store all translations want that).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::http::conditional::{Audience, JsonBody, respond};
use crate::http::problem::ApiError;

/// Field names whose object values are localized texts.
const LOCALIZED_FIELDS: [&str; 4] = ["description", "name", "note", "reason"];

/// The language a request asks for: `?lang=` first, then the best-rated known language
/// of `Accept-Language`. Both are negotiation, not validation: a well-formed tag of a
/// language we hold no texts in falls back to German per field (as `Content-Language`
/// then says); only a malformed `?lang=` is a 400.
pub fn requested_language(req: &HttpRequest, lang_param: Option<&str>) -> Result<Option<String>, ApiError> {
    if let Some(tag) = lang_param {
        check_language_tag(tag)?;
        // A full tag (`en-US`) means its language, as in `Accept-Language`.
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        return Ok(Some(if domain::directory::languages::is_known(&primary) {
            primary
        } else {
            "de".to_owned()
        }));
    }
    let Some(header) = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let mut ranges: Vec<(f32, String)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            (q > 0.0).then_some((q, primary))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    let chosen = ranges
        .into_iter()
        .map(|(_, l)| l)
        .find(|l| domain::directory::languages::is_known(l));
    Ok(Some(chosen.unwrap_or_else(|| "de".into())))
}

fn is_localized(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.contains_key("de")
            && o.iter().all(|(k, v)| {
                v.is_string() && (2..=3).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_lowercase())
            })
    })
}

fn reduce(value: &mut Value, lang: &str, used: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if LOCALIZED_FIELDS.contains(&key.as_str()) && is_localized(field) {
                    let obj = field.as_object().expect("checked");
                    let pick = if obj.contains_key(lang) { lang } else { "de" };
                    let text = obj[pick].clone();
                    if !used.iter().any(|u| u == pick) {
                        used.push(pick.to_owned());
                    }
                    *field = Value::Object([(pick.to_owned(), text)].into_iter().collect());
                } else {
                    reduce(field, lang, used);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| reduce(v, lang, used)),
        _ => {}
    }
}

/// Responds with `body`, localized when the request asks for a language.
pub fn respond_localized(
    req: &HttpRequest,
    body: &JsonBody,
    audience: Audience,
    lang: Option<&str>,
) -> HttpResponse {
    let Some(lang) = lang else {
        let mut res = respond(req, body, audience);
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        return res;
    };
    let mut value: Value = serde_json::from_slice(&body.bytes).expect("our own JSON");
    let mut used = Vec::new();
    reduce(&mut value, lang, &mut used);
    if used.is_empty() {
        used.push(lang.to_owned());
    }
    // The tag names the base representation and the language, so a client may send it
    // back as If-Match (see `conditional::require_if_match`).
    let base = body.etag.to_str().expect("hex etag").trim_end_matches('"');
    let localized = JsonBody {
        bytes: serde_json::to_vec(&value).expect("JSON values serialize").into(),
        etag: HeaderValue::from_str(&format!("{base}-{lang}\"")).expect("ASCII"),
    };
    let mut res = respond(req, &localized, audience);
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    res.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_str(&used.join(", ")).expect("language codes are ASCII"),
    );
    res
}

/// A `lang` parameter that is not a language tag is a 400.
pub fn check_language_tag(tag: &str) -> Result<(), ApiError> {
    if is_language_tag(tag) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "lang",
            "must be a language tag like `ar` or `en-US`; see /api/v1/languages",
        ))
    }
}

/// The contract's `lang` pattern (`schema_rules::LANGUAGE_TAG`): a 2 or 3 letter language,
/// then subtags of 1 to 8 letters or digits after `-` (or `_`, as some platforms write it).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}
