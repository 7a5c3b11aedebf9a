use serde::Serialize;
use utoipa::ToSchema;

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

    /// Checks a required text field: trimmed, non-empty, at most `max` characters.
    pub fn require_text(&mut self, pointer: &str, value: &str, max: usize) {
        let len = value.trim().chars().count();
        if len == 0 {
            self.add(pointer, "must not be empty");
        } else if len > max {
            self.add(pointer, format!("must be at most {max} characters"));
        }
    }
}
