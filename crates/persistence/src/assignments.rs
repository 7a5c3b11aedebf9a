//! Staff assignments (the tandem). The staffing API comes later; this is what
//! authorization and the tests need now.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::schema::staff_assignments;
use crate::{DbConnection, RepoError, new_id, now, write_tx};

/// Assigns `user_id` to `office_id` from `started_on` (open-ended).
pub fn assign(
    conn: &mut DbConnection,
    office_id: &str,
    user_id: &str,
    side: &str,
    started_on: NaiveDate,
) -> Result<String, RepoError> {
    write_tx(conn, |conn| {
        let id = new_id();
        diesel::insert_into(staff_assignments::table)
            .values((
                staff_assignments::id.eq(&id),
                staff_assignments::office_id.eq(office_id),
                staff_assignments::user_id.eq(user_id),
                staff_assignments::side.eq(side),
                staff_assignments::started_on.eq(started_on),
                staff_assignments::created_at.eq(now()),
            ))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        Ok(id)
    })
}

/// Ends an assignment: `ended_on` is the first day without it.
pub fn end(conn: &mut DbConnection, assignment_id: &str, ended_on: NaiveDate) -> Result<(), RepoError> {
    let n = diesel::update(staff_assignments::table.find(assignment_id))
        .set(staff_assignments::ended_on.eq(Some(ended_on)))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    if n == 0 { Err(RepoError::NotFound) } else { Ok(()) }
}
