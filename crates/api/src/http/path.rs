//! Path parameters: ids are UUIDs, offices also answer to their slug.

use domain::Id;

use crate::http::problem::ApiError;

/// A path id must be a UUID; anything else is a 400, not a 404, so typos are obvious.
pub fn parse_id<T: Id>(name: &str, raw: &str) -> Result<T, ApiError> {
    T::parse(raw)
        .ok_or_else(|| ApiError::invalid_parameter(name, format!("must be a {} id (a UUID)", T::KIND)))
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
