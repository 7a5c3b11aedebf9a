use diesel::prelude::*;
use domain::OrganizationKind;

use crate::rows::OrganizationRow;
use crate::schema::organizations;
use crate::{DbConnection, RepoError, directory, new_id, now, write_tx};

/// Input for a new organization, already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    pub website: Option<String>,
}

pub fn create(conn: &mut DbConnection, new: NewOrganization) -> Result<OrganizationRow, RepoError> {
    write_tx(conn, |conn| {
        let row = insert(conn, new)?;
        directory::bump_version(conn)?;
        Ok(row)
    })
}

/// Inserts without its own transaction, for callers that compose several writes.
pub(crate) fn insert(
    conn: &mut DbConnection,
    new: NewOrganization,
) -> Result<OrganizationRow, RepoError> {
    let now = now();
    let row = OrganizationRow {
        id: new_id(),
        name: new.name,
        short_name: new.short_name,
        kind: new.kind.as_str().to_owned(),
        website: new.website,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(organizations::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(row)
}

pub fn find_by_name(
    conn: &mut DbConnection,
    name: &str,
) -> Result<Option<OrganizationRow>, RepoError> {
    Ok(organizations::table
        .filter(organizations::name.eq(name))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?)
}
