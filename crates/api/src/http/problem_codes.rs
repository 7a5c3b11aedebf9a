//! Which problem `code`s each operation can answer with, for the OpenAPI document.
//!
//! Codes that follow from an operation's shape (a path parameter, a query, a JSON body,
//! a token, `If-Match` on PATCH) are derived in [`generic`]. [`OPERATIONS`] adds, per
//! operation id (the handler's function name), what its handler, the persistence
//! functions it calls and the domain rules they apply can answer with beyond those, and
//! names the generic codes that cannot occur there. A test checks that every operation of
//! the document has an entry, so a new route cannot be forgotten.
//!
//! Left out everywhere: codes produced outside the handlers (`bad_request`,
//! `client_error`, `method_not_allowed`, `request_timeout`, `headers_too_large`, and
//! `cors_rejected`, which only answers `OPTIONS` preflights), and
//! refusals that only a broken invariant could trigger (e.g. a foreign key to an
//! organization the handler has just found in the directory: organizations are never
//! deleted).

use domain::ProblemCode::{self, *};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;

/// The problem codes of one operation beyond the generic ones.
#[derive(Debug, Clone, Copy)]
pub struct OperationCodes {
    /// The operation id: the handler's function name.
    pub operation: &'static str,
    /// Codes this operation can answer with beyond the generic ones.
    pub codes: &'static [ProblemCode],
    /// Generic codes that cannot occur here (no authorization check, no password gate...).
    pub not: &'static [ProblemCode],
}

const fn op(operation: &'static str, codes: &'static [ProblemCode]) -> OperationCodes {
    OperationCodes {
        operation,
        codes,
        not: &[],
    }
}

impl OperationCodes {
    const fn except(self, not: &'static [ProblemCode]) -> OperationCodes {
        OperationCodes { not, ..self }
    }
}

/// Staffing rules checked when someone starts on a side (`staffing::check_assign`, and
/// `assign`/`handover` in persistence); `side_already_staffed` is also what the overlap
/// trigger and the one-open-per-side index answer with.
const ASSIGN_RULES: &[ProblemCode] = &[
    UserInactive,
    SideEmployerMismatch,
    BeforeOfficeOpened,
    AfterOfficeClosed,
    AssignmentOverlaps,
    SideAlreadyStaffed,
    AssignmentAfterClosing,
];

/// Every operation of the API and the codes it can answer with beyond the generic ones.
pub const OPERATIONS: &[OperationCodes] = &[
    // Operations.
    op("healthz", &[]),
    op("readyz", &[DatabaseUnavailable]),
    // Authentication. Bodies are only checked for U+0000 (`validation_failed`).
    op("jwks", &[]),
    op("login", &[InvalidCredentials, TooManyAttempts, ServerBusy]),
    op(
        "refresh_tokens",
        &[InvalidRefreshToken, RefreshTokenReused, TooManyAttempts],
    ),
    // `SignedIn`: admits accounts that must still change their password; no policy check.
    op("logout", &[NotASession]).except(&[Forbidden, PasswordChangeRequired]),
    // `SignedIn`; `ReadOwnAccount` is allowed to every caller.
    op("get_me", &[]).except(&[Forbidden, PasswordChangeRequired]),
    // `SignedIn`; integration tokens are refused (`forbidden`). Guessing the current
    // password is throttled like sign-in; a wrong one is `validation_failed`.
    op("change_password", &[TooManyAttempts, ServerBusy]).except(&[PasswordChangeRequired]),
    // Accounts (admins).
    op("list_users", &[]),
    // A malformed or unknown `employer_organization_id` is `validation_failed` at its pointer.
    op("create_user", &[EmailTaken, ServerBusy]),
    op("get_user", &[]),
    // `staff_side_conflict`: a new employer that open assignments no longer fit.
    op("update_user", &[LastActiveAdmin, StaffSideConflict, OwnAccount]),
    op("deactivate_user", &[LastActiveAdmin, OwnAccount]),
    op("reactivate_user", &[]),
    op("reset_password", &[ServerBusy, OwnAccount]),
    op("list_api_tokens", &[]),
    op("create_api_token", &[]),
    op("revoke_api_token", &[]),
    op("list_audit_events", &[]),
    // Directory reads (served from the snapshot).
    op("list_districts", &[]),
    op("list_organizations", &[]),
    op("get_organization", &[]),
    op("list_offices", &[]),
    op("get_office", &[]),
    op("list_office_locations", &[]),
    op("get_office_location", &[]),
    op("list_languages", &[]),
    op("list_topics", &[]),
    op("list_code_lists", &[]),
    op("list_services", &[]),
    op("get_service", &[]),
    op("office_services", &[]),
    op("get_hours", &[]),
    op("sessions", &[]),
    // Declares an optional token but never reads the Authorization header.
    op("consultation_hours_ics", &[]).except(&[Unauthenticated]),
    // Directory writes.
    op("create_organization", &[OrganizationNameTaken]),
    // A new kind must keep fitting open assignments (`staff_side_conflict`) and offices
    // naming the organization as provider (`organization_in_use`).
    // A partner with open cooperations or contact persons keeps its kind
    // (`organization_in_use`).
    op(
        "update_organization",
        &[OrganizationNameTaken, OrganizationInUse, StaffSideConflict],
    ),
    op(
        "create_office",
        &[
            SlugTaken,
            OpenedAfterFirstLocation,
            ClosedBeforeOpened,
            ClosedWithoutDate,
        ],
    ),
    // `staff_side_conflict`: a new provider that open provider-side assignments do not fit;
    // the rest are the office's invariants.
    op(
        "update_office",
        &[
            SlugTaken,
            StaffSideConflict,
            OpenedAfterFirstLocation,
            ClosedBeforeOpened,
            ClosedWithoutDate,
            LocationAfterClosing,
            AssignmentAfterClosing,
            BeforeOfficeOpened,
            OutsideOfficeLife,
            LocationPeriodsOverlap,
        ],
    ),
    // `RelocationError`; `location_periods_overlap` is the constraints' backstop.
    op(
        "relocate_office",
        &[
            NoOpenLocationPeriod,
            MovePredatesCurrentPeriod,
            MoveToCurrentAddress,
            LocationPeriodsOverlap,
            LocationAfterClosing,
        ],
    ),
    // Coordinates only: the history's dates and addresses stay as they are.
    op("update_office_location", &[]),
    // A malformed or unknown `office_id` in the body is `validation_failed` at its pointer.
    op("create_service", &[]),
    op("update_service", &[]),
    // A PUT that needs `If-Match` (PATCH gets these generically).
    op("put_hours", &[IfMatchRequired, EtagMismatch, OutsideOfficeLife]),
    // Staffing.
    op("get_staff", &[]),
    op("assign_staff", ASSIGN_RULES),
    op(
        "end_assignment",
        &[EndNotAfterStart, AssignmentAlreadyEnded, AssignmentAfterClosing],
    ),
    op(
        "handover",
        &[
            NoCurrentHolder,
            HandoverNotAfterStart,
            UserInactive,
            SideEmployerMismatch,
            BeforeOfficeOpened,
            AfterOfficeClosed,
            AssignmentOverlaps,
            SideAlreadyStaffed,
        ],
    ),
    op("staffing_report", &[]),
    // Field work. Unknown fields and codes, unknown topics, languages, organizations and
    // services, dates in the future, 21 persons: `validation_failed` at the pointer.
    op("create_contact", &[ConsentRequired]),
    op("list_office_contacts", &[]),
    op("get_contact", &[]),
    // Staff after the 14-day window: `edit_window_closed`; replacing referrals once one
    // is closed: `referral_already_closed`.
    op(
        "update_contact",
        &[EditWindowClosed, ConsentRequired, ReferralAlreadyClosed],
    ),
    op("list_office_referrals", &[]),
    op("close_referral", &[ReferralAlreadyClosed]),
    op("create_home_visit", &[]),
    op("list_office_home_visits", &[]),
    op("get_home_visit", &[]),
    op("record_home_visit_outcome", &[ConsentRequired, HomeVisitResolved]),
    // Data protection.
    op("list_access_log", &[]),
    // Network meetings. Unknown offices, topics and organizations in a body are
    // `validation_failed` at their pointers; staff naming none of their offices, `forbidden`.
    op("list_network_meetings", &[]),
    op("create_network_meeting", &[]),
    op("get_network_meeting", &[]),
    op("update_network_meeting", &[]),
    // The partner network.
    op("list_cooperations", &[]),
    op("create_cooperation", &[NotAPartner, CooperationExists]),
    op("end_cooperation", &[EndNotAfterStart, CooperationAlreadyEnded]),
    // Contact persons: an organization of another kind cannot have any (`not_a_partner`).
    op("list_contact_persons", &[]),
    op("create_contact_person", &[NotAPartner]),
    op("get_contact_person", &[]),
    op("update_contact_person", &[]),
    op("contact_persons_due_for_review", &[]),
    // HSDS export.
    op("hsds_root", &[]),
    op("hsds_services", &[]),
    op("hsds_service", &[]),
    op("hsds_organizations", &[]),
    op("hsds_service_at_locations", &[]),
];

/// The table entry of an operation id.
pub fn entry(operation_id: &str) -> Option<&'static OperationCodes> {
    OPERATIONS.iter().find(|e| e.operation == operation_id)
}

/// The codes every operation of this shape can answer with.
pub fn generic(method: &HttpMethod, op: &Operation) -> Vec<ProblemCode> {
    let params_in = |place: fn(&ParameterIn) -> bool| {
        op.parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if place(&p.parameter_in)))
    };
    // Any operation refuses a query parameter it does not declare.
    let mut codes = vec![InternalError, InvalidQuery];
    if params_in(|p| matches!(p, ParameterIn::Path)) {
        codes.extend([InvalidParameter, NotFound]);
    }
    if params_in(|p| matches!(p, ParameterIn::Query)) {
        codes.push(InvalidParameter);
    }
    if op.request_body.is_some() {
        codes.extend([
            MalformedJson,
            InvalidBody,
            UnreadableBody,
            PayloadTooLarge,
            UnsupportedMediaType,
            ValidationFailed,
        ]);
    }
    let requirements = op.security.as_deref().unwrap_or_default();
    if !requirements.is_empty() {
        codes.push(Unauthenticated);
        // `security: [{}, {bearer: []}]` marks an optional token (public reads).
        let optional = requirements.iter().any(|r| *r == SecurityRequirement::default());
        if !optional {
            codes.extend([Forbidden, PasswordChangeRequired]);
        }
    }
    // PATCH updates a versioned resource; PUTs that need `If-Match` say so in the table.
    if *method == HttpMethod::Patch {
        codes.extend([IfMatchRequired, EtagMismatch]);
    }
    codes
}

/// Every code `op` can answer with (generic and from [`OPERATIONS`]), each once, in the
/// order of [`ProblemCode::ALL`].
pub fn codes(method: &HttpMethod, op: &Operation) -> Vec<ProblemCode> {
    let mut wanted = generic(method, op);
    if let Some(entry) = op.operation_id.as_deref().and_then(entry) {
        wanted.extend_from_slice(entry.codes);
        wanted.retain(|c| !entry.not.contains(c));
    }
    ProblemCode::ALL
        .iter()
        .copied()
        .filter(|c| wanted.contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_listed_once_and_exceptions_are_generic_codes() {
        let mut seen = std::collections::HashSet::new();
        for entry in OPERATIONS {
            assert!(seen.insert(entry.operation), "{} twice", entry.operation);
            for code in entry.not {
                assert!(
                    !entry.codes.contains(code),
                    "{}: {code} both added and excepted",
                    entry.operation
                );
            }
        }
    }
}
