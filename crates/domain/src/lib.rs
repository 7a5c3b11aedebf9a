//! Pure rules and types of the lokal willkommen network: no I/O, no web, no SQL.
//!
//! `utoipa::ToSchema` derives live here so that the OpenAPI document describes
//! exactly the types the rules work on; they are metadata, not web code.

pub mod accounts;
pub mod clock;
pub mod code_lists;
pub mod directory;
pub mod fieldwork;
pub mod findings;
pub mod ids;
pub mod localized;
pub mod network;
pub mod privacy;
pub mod problem_code;
pub mod staffing;
pub mod text;
pub mod validation;

pub use accounts::authz::{Action, Actor, ActorKind, Denied, Resource, Role, authorize};
pub use clock::Clock;
pub use directory::district::District;
pub use directory::location::{
    Address, AddressInput, Coordinates, LocationPeriod, RelocationError, RelocationPlan,
};
pub use directory::office::{OfficeKind, OfficeStatus, Slug};
pub use directory::organization::OrganizationKind;
pub use ids::{
    ApiTokenId, AssignmentId, ContactId, ContactPersonId, CooperationId, HomeVisitId, Id, LocationPeriodId,
    NetworkMeetingId, OfficeId, OrganizationId, ReferralId, ServiceId, SessionId, UserId,
};
pub use localized::LocalizedText;
pub use problem_code::ProblemCode;
pub use validation::{FieldError, ValidationErrors};
