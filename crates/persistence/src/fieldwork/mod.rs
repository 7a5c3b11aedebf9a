//! Field work: contact records with their referrals, and home-visit appointments. No
//! write here touches the public directory (no `change_feed::bump`).

pub mod contacts;
pub mod home_visits;

use chrono::NaiveDate;

use crate::RepoError;

/// A stored code that the domain no longer knows: the database was written by something
/// else than this code.
pub(crate) fn code<T>(parsed: Option<T>, what: &str, stored: &str) -> Result<T, RepoError> {
    parsed.ok_or_else(|| RepoError::Corrupt(format!("unknown {what} {stored:?}")))
}

/// A keyset position in a list sorted by a day and then an id, both descending (or both
/// ascending): the last item of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayKey {
    pub day: NaiveDate,
    pub id: String,
}

impl DayKey {
    /// The cursor text: `YYYY-MM-DD|<id>`.
    pub fn encode(&self) -> String {
        format!("{}|{}", self.day, self.id)
    }

    /// `None` for a key this API cannot have issued; such a cursor names no position.
    pub fn decode(key: &str) -> Option<DayKey> {
        let (day, id) = key.split_once('|')?;
        Some(DayKey {
            day: day.parse().ok()?,
            id: id.to_owned(),
        })
    }
}
