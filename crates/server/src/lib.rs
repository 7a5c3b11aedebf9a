//! The `lokal-willkommen` server: configuration, start-up and shutdown.

pub mod admin;
pub mod config;
pub mod demo;
pub mod demo_fieldwork;
pub mod healthcheck;
pub mod jobs;
pub mod keys;
pub mod startup;
pub mod telemetry;
