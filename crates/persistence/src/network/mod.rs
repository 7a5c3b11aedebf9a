//! The offices' network work: network meetings and the partner network's cooperations
//! and contact persons. Field work, not directory data: no write here bumps the
//! directory version (the partner profile on organizations is written by
//! `directory::organizations`, which bumps it only for public partners).

pub mod contact_persons;
pub mod cooperations;
pub mod meetings;
