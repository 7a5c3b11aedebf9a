//! Reading the JSON that the directory stores in text columns (localized texts, lists).

use persistence::RepoError;

pub(crate) fn corrupt(what: &str) -> RepoError {
    RepoError::Corrupt(format!("stored {what} is invalid"))
}

pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, RepoError> {
    serde_json::from_str(s).map_err(|_| corrupt(what))
}
