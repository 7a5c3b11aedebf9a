//! Data protection: the personal-data access log (reads of personal records), kept apart
//! from the audit log (changes).

pub mod access_log;
