//! Office writes: creating an office with its first location, and relocating it.

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::location::{apply_relocation, check_history, plan_relocation};
use domain::{Address, District, LocalizedText, OfficeKind, OfficeStatus};

use crate::rows::*;
use crate::schema::*;
use crate::{DbConnection, RepoError, directory, new_id, now, write_tx};

/// Where an office is from a given day on.
#[derive(Debug, Clone)]
pub struct NewLocation {
    pub address: Address,
    pub premises: Option<String>,
    pub host_organization_id: Option<String>,
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOffice {
    pub slug: String,
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    pub provider_organization_id: String,
    pub districts: Vec<District>,
    pub opened_on: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub description: LocalizedText,
    /// The first location and the day it applies from (usually the opening day).
    pub first_location: Option<(NaiveDate, NewLocation)>,
}

pub fn create(
    conn: &mut DbConnection,
    new: NewOffice,
    recorded_by: Option<&str>,
) -> Result<OfficeRow, RepoError> {
    write_tx(conn, |conn| {
        let row = insert(conn, new, recorded_by)?;
        directory::bump_version(conn)?;
        Ok(row)
    })
}

pub(crate) fn insert(
    conn: &mut DbConnection,
    new: NewOffice,
    recorded_by: Option<&str>,
) -> Result<OfficeRow, RepoError> {
    let now = now();
    let row = OfficeRow {
        id: new_id(),
        slug: new.slug,
        name: new.name,
        kind: new.kind.as_str().to_owned(),
        status: new.status.as_str().to_owned(),
        provider_organization_id: new.provider_organization_id,
        opened_on: new.opened_on,
        closed_on: None,
        phone: new.phone,
        email: new.email,
        description: serde_json::to_string(&new.description).expect("a string map serializes"),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(offices::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    // One statement per district: batch inserts are not portable across MultiConnection.
    for district in &new.districts {
        diesel::insert_into(office_districts::table)
            .values(OfficeDistrictRow {
                office_id: row.id.clone(),
                district_code: district.code().to_owned(),
            })
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    if let Some((from, location)) = new.first_location {
        insert_period(conn, &row.id, from, location, recorded_by)?;
    }
    Ok(row)
}

/// The location history of an office, oldest first.
pub fn history(
    conn: &mut DbConnection,
    office_id: &str,
) -> Result<Vec<LocationPeriodRow>, RepoError> {
    Ok(location_periods::table
        .filter(location_periods::office_id.eq(office_id))
        .order(location_periods::valid_from)
        .select(LocationPeriodRow::as_select())
        .load(conn)?)
}

/// Records a move: ends the open period on `moved_on` and opens the next one, in one
/// transaction. Returns the new period.
///
/// Bumping the office's version first takes its row lock on PostgreSQL (SQLite's
/// `BEGIN IMMEDIATE` already serializes writers), so two concurrent moves of one office
/// are decided one after the other; the unique and trigger constraints stop any path
/// that forgets to.
pub fn relocate(
    conn: &mut DbConnection,
    office_id: &str,
    moved_on: NaiveDate,
    location: NewLocation,
    recorded_by: Option<&str>,
) -> Result<LocationPeriodRow, RepoError> {
    write_tx(conn, |conn| {
        let new_period = relocate_in_tx(conn, office_id, moved_on, location, recorded_by)?;
        directory::bump_version(conn)?;
        Ok(new_period)
    })
}

pub(crate) fn relocate_in_tx(
    conn: &mut DbConnection,
    office_id: &str,
    moved_on: NaiveDate,
    location: NewLocation,
    recorded_by: Option<&str>,
) -> Result<LocationPeriodRow, RepoError> {
    {
        let touched = diesel::update(offices::table.find(office_id))
            .set((
                offices::version.eq(offices::version + 1),
                offices::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if touched == 0 {
            return Err(RepoError::NotFound);
        }
        let rows = history(conn, office_id)?;
        let mut periods = rows
            .iter()
            .map(LocationPeriodRow::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let plan = plan_relocation(&periods, moved_on, &location.address)?;
        apply_relocation(&mut periods, &plan, location.address.clone());
        check_history(&periods).map_err(RepoError::Corrupt)?;

        diesel::update(location_periods::table.find(&rows[plan.close_index].id))
            .set(location_periods::valid_to.eq(Some(moved_on)))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        insert_period(conn, office_id, moved_on, location, recorded_by)
    }
}

fn insert_period(
    conn: &mut DbConnection,
    office_id: &str,
    valid_from: NaiveDate,
    location: NewLocation,
    recorded_by: Option<&str>,
) -> Result<LocationPeriodRow, RepoError> {
    let row = LocationPeriodRow {
        id: new_id(),
        office_id: office_id.to_owned(),
        street: location.address.street,
        postal_code: location.address.postal_code,
        city: location.address.city,
        district_code: location.address.district.code().to_owned(),
        premises: location.premises,
        host_organization_id: location.host_organization_id,
        temporary: location.temporary,
        valid_from,
        valid_to: None,
        reason: location.reason,
        note: location.note,
        recorded_by: recorded_by.map(str::to_owned),
        recorded_at: now(),
    };
    diesel::insert_into(location_periods::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(row)
}

/// Finds an office by slug (for idempotent seeding and slug lookups).
pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<OfficeRow>, RepoError> {
    Ok(offices::table
        .filter(offices::slug.eq(slug))
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()?)
}
