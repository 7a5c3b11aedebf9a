//! Black-box tests of the running server; each `both_backends!` test runs on SQLite and PostgreSQL.

mod auth;
mod authz_matrix;
mod content;
mod directory;
mod directory_writes;
mod errors;
mod http_hygiene;
mod offices;
mod openapi;
mod persistence_layer;
mod schema;
mod staffing;
