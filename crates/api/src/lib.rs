//! The HTTP API: handlers, views, errors, OpenAPI, and the app factory.

pub mod account_views;
pub mod app;
pub mod auth;
pub mod client_address;
pub mod conditional;
pub mod content_views;
pub mod directory_cache;
pub mod extractors;
pub mod localize;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod staff_views;
pub mod state;
pub mod views;

pub use app::{build_app, openapi};
pub use directory_cache::DirectoryCache;
pub use state::{AppState, HttpConfig};
