//! Pure rules and types of the lokal willkommen network: no I/O, no web, no SQL.
//!
//! `utoipa::ToSchema` derives live here so that the OpenAPI document describes
//! exactly the types the rules work on; they are metadata, not web code.

pub mod authz;
pub mod clock;
pub mod district;
pub mod languages;
pub mod localized;
pub mod location;
pub mod office;
pub mod organization;
pub mod password;
pub mod schedule;
pub mod staffing;
pub mod validation;

pub use authz::{Action, Actor, ActorKind, Denied, Resource, Role, authorize};
pub use clock::Clock;
pub use district::District;
pub use localized::LocalizedText;
pub use location::{Address, LocationPeriod, RelocationError, RelocationPlan};
pub use office::{OfficeKind, OfficeStatus, Slug};
pub use organization::OrganizationKind;
pub use validation::{FieldError, ValidationErrors};
