//! Black-box tests of the running server; each `both_backends!` test runs on SQLite and PostgreSQL.
// Test support: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]
// Long use-case tests declare helpers where they are first needed.
#![allow(clippy::items_after_statements, clippy::similar_names)]

mod auth;
mod authz_matrix;
mod content;
mod directory;
mod directory_writes;
mod errors;
mod fieldwork;
mod hardening;
mod home_visits;
mod http_hygiene;
mod invariants;
mod keys;
mod metrics;
mod network;
mod offices;
mod openapi;
mod persistence_layer;
mod schema;
mod staffing;
