//! The tandem: staff assignments and the staffing rules that other aggregates' writes
//! must respect.

pub mod assignments;

/// Checks that writes to users, offices and organizations call inside their transaction,
/// so a change elsewhere cannot leave an open assignment on the wrong side.
pub(crate) mod guards {
    pub(crate) use super::assignments::{
        check_employer_change, check_kind_change, check_provider_change, end_all_for_user,
    };
}
