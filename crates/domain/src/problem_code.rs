//! Every machine-readable problem code the API can answer with, in one enum: clients
//! switch on these, so they are part of the contract. New codes may be added (clients
//! must treat an unknown code like its HTTP status); existing ones never change meaning.

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:literal;)+) => {
        /// A stable, machine-readable problem code (`code` in every problem body).
        /// The list may grow: treat an unknown code like its HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ProblemCode {
            $($(#[$doc])* $variant,)+
        }

        impl ProblemCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)+
                }
            }

            /// The HTTP status this code is always sent with.
            pub const fn status(self) -> u16 {
                match self {
                    $(ProblemCode::$variant => $status,)+
                }
            }
        }
    };
}

problem_codes! {
    // Requests the server could not read.
    /// Malformed request (a status produced outside our handlers).
    BadRequest => "bad_request", 400;
    /// A path or query parameter is invalid; see `errors`.
    InvalidParameter => "invalid_parameter", 400;
    /// Unknown or unreadable query parameters.
    InvalidQuery => "invalid_query", 400;
    InvalidPath => "invalid_path", 400;
    /// The body is not JSON.
    MalformedJson => "malformed_json", 400;
    /// The body is JSON but not of the expected shape (wrong types, missing fields).
    InvalidBody => "invalid_body", 400;
    UnreadableBody => "unreadable_body", 400;
    /// Integration tokens have no session to end.
    NotASession => "not_a_session", 400;
    // Who is calling.
    /// Missing, invalid or expired credentials.
    Unauthenticated => "unauthenticated", 401;
    InvalidCredentials => "invalid_credentials", 401;
    InvalidRefreshToken => "invalid_refresh_token", 401;
    /// A spent refresh token was presented again; its session has ended.
    RefreshTokenReused => "refresh_token_reused", 401;
    /// The account may not do this.
    Forbidden => "forbidden", 403;
    /// The account must choose its own password first (`PUT /api/v1/me/password`).
    PasswordChangeRequired => "password_change_required", 403;
    /// Staff edit a contact record only within 14 days of its date; later a coordinator
    /// corrects it, with a `correction_reason`.
    EditWindowClosed => "edit_window_closed", 403;
    // Routing and transport.
    NotFound => "not_found", 404;
    MethodNotAllowed => "method_not_allowed", 405;
    RequestTimeout => "request_timeout", 408;
    PayloadTooLarge => "payload_too_large", 413;
    UnsupportedMediaType => "unsupported_media_type", 415;
    HeadersTooLarge => "headers_too_large", 431;
    /// A CORS preflight was refused: the origin may not send this request cross-origin,
    /// or the method or a header is not allowed (400, as the CORS layer answers).
    CorsRejected => "cors_rejected", 400;
    /// Another 4xx produced outside our handlers.
    ClientError => "client_error", 400;
    // Conditional requests.
    /// `If-Match` is stale: the resource changed since it was read.
    EtagMismatch => "etag_mismatch", 412;
    /// Writes need `If-Match` with the resource's current ETag.
    IfMatchRequired => "if_match_required", 428;
    // Validation.
    /// Some values are invalid; `errors` points at each.
    ValidationFailed => "validation_failed", 422;
    /// A referenced organization does not exist.
    OrganizationNotFound => "organization_not_found", 422;
    /// A referenced record does not exist.
    ReferenceNotFound => "reference_not_found", 422;
    // Conflicts with the current state.
    AlreadyExists => "already_exists", 409;
    SlugTaken => "slug_taken", 409;
    EmailTaken => "email_taken", 409;
    OrganizationNameTaken => "organization_name_taken", 409;
    /// The organization's kind cannot change while open assignments depend on it.
    OrganizationInUse => "organization_in_use", 409;
    /// The last active admin cannot be demoted or deactivated.
    LastActiveAdmin => "last_active_admin", 409;
    /// Another admin must deactivate or demote an account, and an admin's own password
    /// changes at `PUT /api/v1/me/password` (which asks for the current one).
    OwnAccount => "own_account", 409;
    /// Open assignments would no longer fit the employer or provider.
    StaffSideConflict => "staff_side_conflict", 409;
    LocationPeriodsOverlap => "location_periods_overlap", 409;
    MovePredatesCurrentPeriod => "move_predates_current_period", 409;
    MoveToCurrentAddress => "move_to_current_address", 409;
    NoOpenLocationPeriod => "no_open_location_period", 409;
    // The office's invariants (`domain::directory::invariants`).
    /// The office cannot open after its first location period starts.
    OpenedAfterFirstLocation => "opened_after_first_location", 422;
    /// The closing day must lie after the opening day.
    ClosedBeforeOpened => "closed_before_opened", 422;
    /// A `closed` office needs its closing day.
    ClosedWithoutDate => "closed_without_date", 422;
    /// No location period may start on or after the closing day.
    LocationAfterClosing => "location_after_closing", 422;
    /// Staff assignments must end by the closing day.
    AssignmentAfterClosing => "assignment_after_closing", 422;
    /// Closures and extra sessions must lie within the office's life.
    OutsideOfficeLife => "outside_office_life", 422;
    // Staffing rules.
    SideEmployerMismatch => "side_employer_mismatch", 422;
    SideAlreadyStaffed => "side_already_staffed", 409;
    AssignmentOverlaps => "assignment_overlaps", 409;
    BeforeOfficeOpened => "before_office_opened", 422;
    AfterOfficeClosed => "after_office_closed", 422;
    EndNotAfterStart => "end_not_after_start", 422;
    AssignmentAlreadyEnded => "assignment_already_ended", 409;
    NoCurrentHolder => "no_current_holder", 409;
    HandoverNotAfterStart => "handover_not_after_start", 409;
    UserInactive => "user_inactive", 422;
    // The partner network.
    /// Cooperations and contact persons belong to organizations of kind `partner`.
    NotAPartner => "not_a_partner", 409;
    /// The partner already has an open cooperation of this kind with the office.
    CooperationExists => "cooperation_exists", 409;
    /// An ended cooperation cannot be ended again.
    CooperationAlreadyEnded => "cooperation_already_ended", 409;
    // Field work.
    /// A referral made on the person's behalf (`contacted_on_behalf`) needs
    /// `consent_to_share: true`.
    ConsentRequired => "consent_required", 422;
    /// The referral has been closed already.
    ReferralAlreadyClosed => "referral_already_closed", 409;
    /// The home visit's outcome has been recorded already.
    HomeVisitResolved => "home_visit_resolved", 409;
    // Rate limiting and the server itself.
    TooManyAttempts => "too_many_attempts", 429;
    InternalError => "internal_error", 500;
    DatabaseUnavailable => "database_unavailable", 503;
    /// Too much password work is queued already (sign-in, password change or reset,
    /// account creation); retry after `Retry-After` seconds.
    ServerBusy => "server_busy", 503;
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_serialize_as_themselves() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(code.as_str()))
            );
            assert!((400..600).contains(&code.status()));
        }
    }
}
