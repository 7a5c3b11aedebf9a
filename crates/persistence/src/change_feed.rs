//! The directory's change counter: every write to directory data bumps it in its own
//! transaction, and every instance polls it to know when to reload its snapshot. A leaf:
//! it depends on nothing but the schema.

use diesel::prelude::*;

use crate::schema::directory_version;
use crate::{DbConnection, RepoError};

/// The current directory version: one indexed single-row read, cheap enough to poll.
pub fn version(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(directory_version::table
        .select(directory_version::version)
        .first(conn)?)
}

/// Marks the directory as changed; call inside the transaction that changes it.
pub fn bump(conn: &mut DbConnection) -> Result<(), RepoError> {
    diesel::update(directory_version::table)
        .set(directory_version::version.eq(directory_version::version + 1))
        .execute(conn)?;
    Ok(())
}
