//! Path parameters: ids are UUIDs, offices also answer to their slug.

use crate::http::problem::ApiError;

/// A path id must be a UUID; anything else is a 400, not a 404, so typos are obvious.
pub fn parse_uuid(name: &str, raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::invalid_parameter(name, "must be a UUID"))
}

/// An office is addressed by UUID or by slug.
pub fn parse_office_key(name: &str, raw: &str) -> Result<String, ApiError> {
    if let Ok(id) = uuid::Uuid::parse_str(raw) {
        return Ok(id.hyphenated().to_string());
    }
    domain::Slug::parse(raw)
        .map(|s| s.as_str().to_owned())
        .ok_or_else(|| ApiError::invalid_parameter(name, "must be an office UUID or slug"))
}
