//! The directory's write side: organizations, offices with their location history,
//! consultation hours, topics and services.

pub mod content;
pub mod offices;
pub mod organizations;
pub mod rows;
