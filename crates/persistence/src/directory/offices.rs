//! Office writes: creating an office with its first location, and relocating it.

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::directory::location::{apply_relocation, check_history, plan_relocation};
use domain::{Address, Coordinates, District, LocalizedText, OfficeKind, OfficeStatus};
use domain::{Id, LocationPeriodId, OfficeId};

use crate::audit::{self, AuditContext, Change};
use crate::directory::rows::*;
use crate::schema::*;
use domain::ProblemCode;

use crate::{DbConnection, RepoError, change_feed, new_id, write_tx};

/// Where an office is from a given day on.
#[derive(Debug, Clone)]
pub struct NewLocation {
    pub address: Address,
    pub premises: Option<String>,
    pub host_organization_id: Option<String>,
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub coordinates: Option<Coordinates>,
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

#[tracing::instrument(name = "db.directory.offices.create", skip_all)]
pub fn create(conn: &mut DbConnection, new: NewOffice, ctx: &AuditContext) -> Result<OfficeRow, RepoError> {
    write_tx(conn, |conn| {
        let row = insert(conn, new, ctx)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "office.created",
                resource_type: "office",
                resource_id: Some(&row.id),
                office_id: Some(&row.id),
                changed_fields: &[
                    "slug",
                    "name",
                    "kind",
                    "status",
                    "provider_organization_id",
                    "districts",
                    "opened_on",
                    "contact",
                    "description",
                    "location",
                ],
            },
        )?;
        change_feed::bump(conn)?;
        Ok(row)
    })
}

/// The changes a PATCH may make to an office; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OfficeChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<OfficeKind>,
    pub status: Option<OfficeStatus>,
    pub provider_organization_id: Option<String>,
    pub districts: Option<Vec<District>>,
    pub opened_on: Option<Option<NaiveDate>>,
    pub closed_on: Option<Option<NaiveDate>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub description: Option<LocalizedText>,
}

impl OfficeChanges {
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            ("slug", self.slug.is_some()),
            ("name", self.name.is_some()),
            ("kind", self.kind.is_some()),
            ("status", self.status.is_some()),
            (
                "provider_organization_id",
                self.provider_organization_id.is_some(),
            ),
            ("districts", self.districts.is_some()),
            ("opened_on", self.opened_on.is_some()),
            ("closed_on", self.closed_on.is_some()),
            ("phone", self.phone.is_some()),
            ("email", self.email.is_some()),
            ("description", self.description.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Applies `changes` if the office is still at `expected_version`; otherwise
/// `RepoError::Stale` (the API answers 412).
#[tracing::instrument(name = "db.directory.offices.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &OfficeId,
    expected_version: i64,
    changes: &OfficeChanges,
    ctx: &AuditContext,
) -> Result<OfficeRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let current: OfficeRow = offices::table
            .find(id)
            .select(OfficeRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(RepoError::NotFound)?;
        if let Some(provider) = &changes.provider_organization_id
            && provider != &current.provider_organization_id
        {
            crate::staffing::guards::check_provider_change(conn, id, provider, ctx.today())?;
        }
        let c = changes.clone();
        let next = OfficeRow {
            slug: c.slug.unwrap_or(current.slug.clone()),
            name: c.name.unwrap_or(current.name.clone()),
            kind: c
                .kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or(current.kind.clone()),
            status: c
                .status
                .map(|s| s.as_str().to_owned())
                .unwrap_or(current.status.clone()),
            provider_organization_id: c
                .provider_organization_id
                .unwrap_or(current.provider_organization_id.clone()),
            opened_on: c.opened_on.unwrap_or(current.opened_on),
            closed_on: c.closed_on.unwrap_or(current.closed_on),
            phone: c.phone.unwrap_or(current.phone.clone()),
            email: c.email.unwrap_or(current.email.clone()),
            description: c
                .description
                .map(|d| serde_json::to_string(&d).expect("a string map serializes"))
                .unwrap_or(current.description.clone()),
            version: current.version + 1,
            updated_at: ctx.at,
            ..current.clone()
        };
        let n = diesel::update(
            offices::table
                .find(id)
                .filter(offices::version.eq(expected_version)),
        )
        .set((
            offices::slug.eq(&next.slug),
            offices::name.eq(&next.name),
            offices::kind.eq(&next.kind),
            offices::status.eq(&next.status),
            offices::provider_organization_id.eq(&next.provider_organization_id),
            offices::opened_on.eq(next.opened_on),
            offices::closed_on.eq(next.closed_on),
            offices::phone.eq(&next.phone),
            offices::email.eq(&next.email),
            offices::description.eq(&next.description),
            offices::version.eq(next.version),
            offices::updated_at.eq(next.updated_at),
        ))
        .execute(conn)
        .map_err(|e| organization_reference(e, "the provider organization does not exist"))?;
        if n == 0 {
            return Err(RepoError::Stale);
        }
        if let Some(districts) = &changes.districts {
            diesel::delete(office_districts::table.filter(office_districts::office_id.eq(id)))
                .execute(conn)?;
            insert_districts(conn, id, districts)?;
        }
        if next.closed_on != current.closed_on {
            follow_closing(conn, id, current.closed_on, next.closed_on)?;
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "office.updated",
                resource_type: "office",
                resource_id: Some(id),
                office_id: Some(id),
                changed_fields: &changes.field_names(),
            },
        )?;
        change_feed::bump(conn)?;
        Ok(next)
    })
}

fn insert_districts(
    conn: &mut DbConnection,
    office_id: &str,
    districts: &[District],
) -> Result<(), RepoError> {
    // One statement per district: batch inserts are not portable across MultiConnection.
    for district in districts {
        diesel::insert_into(office_districts::table)
            .values(OfficeDistrictRow {
                office_id: office_id.to_owned(),
                district_code: district.code().to_owned(),
            })
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    Ok(())
}

pub(crate) fn insert(
    conn: &mut DbConnection,
    new: NewOffice,
    ctx: &AuditContext,
) -> Result<OfficeRow, RepoError> {
    let now = ctx.at;
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
        by_appointment: false,
    };
    diesel::insert_into(offices::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| organization_reference(e, "the provider organization does not exist"))?;
    insert_districts(conn, &row.id, &new.districts)?;
    if let Some((from, location)) = new.first_location {
        insert_period(conn, &row.id, from, location, ctx)?;
    }
    Ok(row)
}

/// The location history of an office, oldest first.
pub fn history(conn: &mut DbConnection, office_id: &OfficeId) -> Result<Vec<LocationPeriodRow>, RepoError> {
    history_of(conn, office_id.as_str())
}

fn history_of(conn: &mut DbConnection, office_id: &str) -> Result<Vec<LocationPeriodRow>, RepoError> {
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
#[tracing::instrument(name = "db.directory.offices.relocate", skip_all)]
pub fn relocate(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    moved_on: NaiveDate,
    location: NewLocation,
    ctx: &AuditContext,
) -> Result<LocationPeriodRow, RepoError> {
    let office_id = office_id.as_str();
    write_tx(conn, |conn| {
        let new_period = relocate_in_tx(conn, office_id, moved_on, location, ctx)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "office.relocated",
                resource_type: "location_period",
                resource_id: Some(&new_period.id),
                office_id: Some(office_id),
                changed_fields: &[
                    "valid_from",
                    "address",
                    "coordinates",
                    "premises",
                    "host_organization_id",
                    "temporary",
                ],
            },
        )?;
        change_feed::bump(conn)?;
        Ok(new_period)
    })
}

pub(crate) fn relocate_in_tx(
    conn: &mut DbConnection,
    office_id: &str,
    moved_on: NaiveDate,
    location: NewLocation,
    ctx: &AuditContext,
) -> Result<LocationPeriodRow, RepoError> {
    {
        let touched = diesel::update(offices::table.find(office_id))
            .set((
                offices::version.eq(offices::version + 1),
                offices::updated_at.eq(ctx.at),
            ))
            .execute(conn)?;
        if touched == 0 {
            return Err(RepoError::NotFound);
        }
        let rows = history_of(conn, office_id)?;
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
        insert_period(conn, office_id, moved_on, location, ctx).map_err(|e| match e {
            RepoError::Refused {
                code: ProblemCode::ReferenceNotFound,
                ..
            } => RepoError::refused(
                ProblemCode::OrganizationNotFound,
                "the host organization does not exist",
            ),
            other => other,
        })
    }
}

fn insert_period(
    conn: &mut DbConnection,
    office_id: &str,
    valid_from: NaiveDate,
    location: NewLocation,
    ctx: &AuditContext,
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
        recorded_by: ctx.actor_id.clone(),
        recorded_at: ctx.at,
        latitude: location.coordinates.map(|c| c.latitude),
        longitude: location.coordinates.map(|c| c.longitude),
    };
    diesel::insert_into(location_periods::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(row)
}

/// Sets or clears the coordinates of one location period (a correction: the period's
/// dates and address stay as recorded) if the office is still at `expected_version`;
/// otherwise `RepoError::Stale`. The office's version moves on, since its current
/// location shows the coordinates.
#[tracing::instrument(name = "db.directory.offices.correct_coordinates", skip_all)]
pub fn correct_coordinates(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    period_id: &LocationPeriodId,
    expected_version: i64,
    coordinates: Option<Coordinates>,
    ctx: &AuditContext,
) -> Result<LocationPeriodRow, RepoError> {
    let (office_id, period_id) = (office_id.as_str(), period_id.as_str());
    write_tx(conn, |conn| {
        let touched = diesel::update(
            offices::table
                .find(office_id)
                .filter(offices::version.eq(expected_version)),
        )
        .set((
            offices::version.eq(offices::version + 1),
            offices::updated_at.eq(ctx.at),
        ))
        .execute(conn)?;
        if touched == 0 {
            return Err(RepoError::Stale);
        }
        let changed = diesel::update(
            location_periods::table
                .find(period_id)
                .filter(location_periods::office_id.eq(office_id)),
        )
        .set((
            location_periods::latitude.eq(coordinates.map(|c| c.latitude)),
            location_periods::longitude.eq(coordinates.map(|c| c.longitude)),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(RepoError::NotFound);
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "location.coordinates_corrected",
                resource_type: "location_period",
                resource_id: Some(period_id),
                office_id: Some(office_id),
                changed_fields: &["latitude", "longitude"],
            },
        )?;
        change_feed::bump(conn)?;
        Ok(location_periods::table
            .find(period_id)
            .select(LocationPeriodRow::as_select())
            .first(conn)?)
    })
}

/// Finds an office by slug (for idempotent seeding and slug lookups).
pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<OfficeRow>, RepoError> {
    Ok(offices::table
        .filter(offices::slug.eq(slug))
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()?)
}

/// On SQLite a foreign-key violation does not say which key; every reference an office
/// write can break is an organization.
fn organization_reference(e: diesel::result::Error, detail: &str) -> RepoError {
    match RepoError::from_constraint(e) {
        RepoError::Refused {
            code: ProblemCode::ReferenceNotFound,
            ..
        } => RepoError::refused(ProblemCode::OrganizationNotFound, detail),
        other => other,
    }
}

/// The location history ends on the closing day: closing (or moving the closing day) ends
/// the period running then; reopening reopens the period that ended on the old closing
/// day. Periods starting on or after a new closing day are left for the invariant check
/// to refuse.
fn follow_closing(
    conn: &mut DbConnection,
    office_id: &str,
    old: Option<NaiveDate>,
    new: Option<NaiveDate>,
) -> Result<(), RepoError> {
    if let Some(old) = old {
        diesel::update(
            location_periods::table
                .filter(location_periods::office_id.eq(office_id))
                .filter(location_periods::valid_to.eq(old)),
        )
        .set(location_periods::valid_to.eq(None::<NaiveDate>))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    }
    if let Some(new) = new {
        diesel::update(
            location_periods::table
                .filter(location_periods::office_id.eq(office_id))
                .filter(location_periods::valid_from.lt(new))
                .filter(
                    location_periods::valid_to
                        .is_null()
                        .or(location_periods::valid_to.gt(new)),
                ),
        )
        .set(location_periods::valid_to.eq(Some(new)))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    }
    Ok(())
}

/// The ids of the active offices, by slug.
pub fn active_ids(conn: &mut DbConnection) -> Result<Vec<OfficeId>, RepoError> {
    let ids: Vec<String> = offices::table
        .filter(offices::status.eq(OfficeStatus::Active.as_str()))
        .order(offices::slug)
        .select(offices::id)
        .load(conn)?;
    Ok(ids.into_iter().map(OfficeId::from_stored).collect())
}
