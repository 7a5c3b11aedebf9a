//! HTTP plumbing every feature shares: problem details, conditional requests,
//! pagination, language negotiation, extractors, request ids, client addresses and the
//! OpenAPI completion.

pub mod blocking;
pub mod client_address;
pub mod conditional;
pub mod extractors;
pub mod localize;
pub mod openapi;
pub mod pagination;
pub mod path;
pub mod problem;
pub mod problem_codes;
pub mod request_id;
pub mod schema_rules;
