//! Field work: contact records and their referrals (anonymous), and home-visit
//! appointments (personal, every read access-logged). Nothing here is public or part of
//! the directory snapshot, and no write here refreshes it.

pub mod contacts;
pub mod home_visits;
pub mod referrals;

use domain::{OfficeId, ValidationErrors};
use persistence::fieldwork::DayKey;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::directory::offices::office_at;
use crate::http::pagination;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// Routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(contacts::create_contact)
        .service(contacts::list_office_contacts)
        .service(contacts::get_contact)
        .service(contacts::update_contact)
        .service(referrals::list_office_referrals)
        .service(referrals::close_referral)
        .service(home_visits::create_home_visit)
        .service(home_visits::list_office_home_visits)
        .service(home_visits::get_home_visit)
        .service(home_visits::record_home_visit_outcome);
}

/// The office of a path parameter (id or slug), from the directory.
fn office_id_of(state: &AppState, raw: &str) -> Result<OfficeId, ApiError> {
    let snapshot = state.directory.get();
    Ok(office_at(&snapshot, raw)?.office_id())
}

/// Where a page starts.
enum Start {
    First,
    After(DayKey),
    /// A cursor of the contract's pattern whose key names no (day, id) position: past
    /// every item, so its page is empty.
    End,
}

fn start(cursor: Option<&str>) -> Result<Start, ApiError> {
    Ok(match pagination::decode_cursor(cursor)? {
        None => Start::First,
        Some(key) => DayKey::decode(&key).map_or(Start::End, Start::After),
    })
}

/// The rows of one page (`limit + 1` were asked for) and the cursor of the next.
fn page_of<T>(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> DayKey) -> (Vec<T>, Option<String>) {
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows
            .last()
            .map(|last| pagination::encode_cursor(&key(last).encode()));
        (rows, next)
    } else {
        (rows, None)
    }
}

/// A date query parameter inside the accepted window.
fn check_day_parameter(name: &str, day: Option<chrono::NaiveDate>) -> Result<(), ApiError> {
    match day {
        Some(d) if !domain::validation::date_in_window(d) => Err(ApiError::invalid_parameter(
            name,
            domain::validation::DATE_WINDOW_MESSAGE,
        )),
        _ => Ok(()),
    }
}

/// Errors of a nested record, moved under `prefix` (`/contact`).
fn prefixed(errors: ValidationErrors, prefix: &str) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                e.pointer = e.pointer.map(|p| format!("{prefix}{p}"));
                e
            })
            .collect(),
    )
}

fn limit_plus_one(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1
}
