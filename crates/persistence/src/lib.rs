//! Diesel schema, rows, repositories, migrations and seed data for both databases.

pub mod api_tokens;
pub mod assignments;
pub mod audit;
pub mod content;
pub mod db;
pub mod directory;
mod error;
pub mod offices;
pub mod organizations;
pub mod rows;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod throttle;
pub mod users;

pub use db::{Backend, DbConnection, DbPool, connect, migrate, write_tx};
pub use error::RepoError;

/// A new UUIDv7 as stored: text, sortable by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
