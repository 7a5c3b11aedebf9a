//! Accounts: users, sign-in sessions, integration tokens and sign-in throttling.

pub mod api_tokens;
pub mod pruning;
pub mod sessions;
pub mod throttle;
pub mod users;
