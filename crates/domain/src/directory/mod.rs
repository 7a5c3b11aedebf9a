//! The public directory: districts, organizations, offices, their location history and
//! consultation hours.

pub mod district;
pub mod invariants;
pub mod languages;
pub mod location;
pub mod office;
pub mod organization;
pub mod schedule;
