//! Diesel schema, rows, repositories, migrations and seed data for both databases.

pub mod accounts;
pub mod audit;
pub mod change_feed;
pub mod db;
pub mod directory;
mod error;
pub mod fieldwork;
pub mod network;
pub mod privacy;
pub mod read_model;
pub mod schema;
pub mod seed;
pub mod staffing;

pub use db::{Backend, DbConnection, DbPool, connect, migrate, write_tx};
pub use error::RepoError;

/// A new UUIDv7 as stored: text, sortable by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
