//! Background jobs every instance runs; each is safe to run on several instances at once.

pub mod pruning;
