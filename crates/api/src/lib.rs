//! The HTTP API, organized by feature (`directory`, `staffing`, `accounts`, `fieldwork`,
//! `network`, `privacy`) with the
//! shared HTTP plumbing under `http`; `routes` registers every route in one table.

pub mod accounts;
pub mod app;
pub mod directory;
pub mod fieldwork;
pub mod health;
pub mod http;
pub mod metrics;
pub mod network;
pub mod privacy;
pub mod routes;
pub mod staffing;
pub mod state;

pub use app::{build_app, openapi};
pub use directory::cache::DirectoryCache;
pub use metrics::{Metrics, MetricsToken};
pub use state::{AppState, HttpConfig};
