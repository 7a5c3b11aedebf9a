//! Accounts: roles, the authorization policy, and password rules.

pub mod authz;
pub mod password;
