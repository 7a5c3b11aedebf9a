use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Every date the API accepts lies in this window (both days included): wide enough for
/// any record of the network, narrow enough that no calendar arithmetic can overflow and
/// no request can make the server loop over more than a bounded horizon.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => panic!("valid date"),
};

pub fn date_in_window(date: NaiveDate) -> bool {
    (EARLIEST_DATE..=LATEST_DATE).contains(&date)
}

/// An instant whose UTC day lies in the date window.
pub fn instant_in_window(at: DateTime<Utc>) -> bool {
    date_in_window(at.date_naive())
}

/// The message for a date outside the window.
pub const DATE_WINDOW_MESSAGE: &str = "must lie between 1900-01-01 and 2199-12-31";

/// One invalid input: a body field located by `pointer` (a JSON Pointer, RFC 6901),
/// or a query or path parameter named by `parameter`. The other one is `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    #[schema(example = "/address/postal_code")]
    pub pointer: Option<String>,
    #[schema(example = json!(null))]
    pub parameter: Option<String>,
    #[schema(example = "must be five digits")]
    pub message: String,
}

/// One reference token of a JSON Pointer (RFC 6901): `~` and `/` escaped.
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Collects every problem of an input at once, so a client can fix them in one round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// One invalid body field.
    pub fn single(pointer: impl Into<String>, message: impl Into<String>) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        errors.add(pointer, message);
        errors
    }

    pub fn add(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            pointer: Some(pointer.into()),
            parameter: None,
            message: message.into(),
        });
    }

    pub fn add_parameter(&mut self, name: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            pointer: None,
            parameter: Some(name.into()),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks that a date lies in the accepted window.
    pub fn check_date(&mut self, pointer: &str, date: NaiveDate) {
        if !date_in_window(date) {
            self.add(pointer, DATE_WINDOW_MESSAGE);
        }
    }

    /// Checks a required one-line text field: trimmed, non-empty, at most `max`
    /// characters, no control or invisible characters.
    pub fn require_text(&mut self, pointer: &str, value: &str, max: usize) {
        self.check_text(pointer, value, max, false);
    }

    /// Like [`require_text`](Self::require_text), but line breaks and tabs are allowed.
    pub fn require_multiline_text(&mut self, pointer: &str, value: &str, max: usize) {
        self.check_text(pointer, value, max, true);
    }

    /// Refuses U+0000, control characters (but line breaks where `multiline`) and
    /// invisible or text-direction characters, for values checked in other ways.
    pub fn check_characters(&mut self, pointer: &str, value: &str, multiline: bool) {
        if let Some(message) = crate::text::refusal(value, multiline) {
            self.add(pointer, message);
        }
    }

    fn check_text(&mut self, pointer: &str, value: &str, max: usize, multiline: bool) {
        // The limit counts what is sent, surrounding spaces included, as the contract's
        // `maxLength` does.
        if value.trim().is_empty() {
            self.add(pointer, "must not be empty");
        } else if value.chars().count() > max {
            self.add(pointer, format!("must be at most {max} characters"));
        } else {
            self.check_characters(pointer, value, multiline);
        }
    }
}
