//! The public directory read in one go, for the API's in-process cache: a read model
//! over the directory and staffing features (they never depend on it).

use diesel::prelude::*;

use crate::directory::rows::*;
use crate::schema::*;
use crate::{DbConnection, RepoError};

/// Everything the public read API shows, as stored, at one directory version.
#[derive(Debug, Clone)]
pub struct DirectoryData {
    pub version: i64,
    pub districts: Vec<DistrictRow>,
    pub organizations: Vec<OrganizationRow>,
    pub offices: Vec<OfficeRow>,
    pub office_districts: Vec<OfficeDistrictRow>,
    /// Oldest first within each office.
    pub location_periods: Vec<LocationPeriodRow>,
    /// Staff assignments, for each office's staffing status (names are not loaded).
    pub assignments: Vec<crate::staffing::assignments::AssignmentRow>,
    /// Consultation hours, topics and services.
    pub content: crate::directory::content::ContentData,
}

/// Loads the directory inside one read transaction, so the parts are consistent.
pub fn load(conn: &mut DbConnection) -> Result<DirectoryData, RepoError> {
    conn.transaction(|conn| {
        // One snapshot for all the reads below (SQLite's read transaction already is one).
        if let DbConnection::Pg(pg) = conn {
            use diesel::connection::SimpleConnection;
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        Ok(DirectoryData {
            version: crate::change_feed::version(conn)?,
            districts: districts::table
                .order(districts::position)
                .select(DistrictRow::as_select())
                .load(conn)?,
            organizations: organizations::table
                .order(organizations::id)
                .select(OrganizationRow::as_select())
                .load(conn)?,
            offices: offices::table
                .order(offices::id)
                .select(OfficeRow::as_select())
                .load(conn)?,
            office_districts: office_districts::table
                .order((office_districts::office_id, office_districts::district_code))
                .select(OfficeDistrictRow::as_select())
                .load(conn)?,
            location_periods: location_periods::table
                .order((location_periods::office_id, location_periods::valid_from))
                .select(LocationPeriodRow::as_select())
                .load(conn)?,
            assignments: crate::staffing::assignments::all(conn)?,
            content: crate::directory::content::load(conn)?,
        })
    })
}
