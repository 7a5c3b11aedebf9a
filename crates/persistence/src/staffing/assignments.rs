//! Staff assignments (the tandem). Every write runs in one transaction that first
//! locks the office (PostgreSQL row lock; SQLite's `BEGIN IMMEDIATE` serializes all
//! writers), re-reads the office's assignments, lets `domain::staffing` decide, and
//! writes; the overlap trigger and the one-open-per-side index back the rules up.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::OrganizationKind;
use domain::ProblemCode;
use domain::staffing::{self, Assignment, Employer, OfficeFacts, Side, StaffingError};
use domain::{AssignmentId, Id, OfficeId, UserId};

use crate::accounts::users::UserRow;
use crate::audit::{self, AuditContext, Change};
use crate::directory::rows::OfficeRow;
use crate::schema::{offices, organizations, staff_assignments, users};
use crate::{DbConnection, RepoError, change_feed, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_assignments)]
pub struct AssignmentRow {
    pub id: String,
    pub office_id: String,
    pub user_id: String,
    pub side: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

impl AssignmentRow {
    pub fn side(&self) -> Result<Side, RepoError> {
        Side::parse(&self.side).ok_or_else(|| RepoError::Corrupt(format!("unknown side {:?}", self.side)))
    }

    pub fn to_domain(&self) -> Result<Assignment, RepoError> {
        Ok(Assignment {
            user_id: self.user_id.clone(),
            side: self.side()?,
            started_on: self.started_on,
            ended_on: self.ended_on,
        })
    }
}

/// An assignment with the name and email of the person (for authorized readers only).
#[derive(Debug, Clone)]
pub struct StaffedAssignment {
    pub row: AssignmentRow,
    pub display_name: String,
    pub email: String,
}

/// Every assignment, for the directory snapshot (staffing status per office).
pub fn all(conn: &mut DbConnection) -> Result<Vec<AssignmentRow>, RepoError> {
    Ok(staff_assignments::table
        .order((staff_assignments::office_id, staff_assignments::started_on))
        .select(AssignmentRow::as_select())
        .load(conn)?)
}

/// One office's assignments with the people's names, oldest first.
pub fn for_office(
    conn: &mut DbConnection,
    office_id: &OfficeId,
) -> Result<Vec<StaffedAssignment>, RepoError> {
    let office_id = office_id.as_str();
    let rows: Vec<(AssignmentRow, String, String)> = staff_assignments::table
        .inner_join(users::table)
        .filter(staff_assignments::office_id.eq(office_id))
        .order((staff_assignments::started_on, staff_assignments::id))
        .select((AssignmentRow::as_select(), users::display_name, users::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, display_name, email)| StaffedAssignment {
            row,
            display_name,
            email,
        })
        .collect())
}

fn staffing(e: StaffingError) -> RepoError {
    RepoError::Staffing(e)
}

/// Locks the office for the rest of the transaction and returns it.
fn lock_office(conn: &mut DbConnection, office_id: &str) -> Result<OfficeRow, RepoError> {
    if let DbConnection::Pg(pg) = conn {
        offices::table
            .find(office_id)
            .select(offices::id)
            .for_update()
            .first::<String>(pg)
            .optional()?;
    }
    offices::table
        .find(office_id)
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(RepoError::NotFound)
}

fn office_rows(conn: &mut DbConnection, office_id: &str) -> Result<Vec<AssignmentRow>, RepoError> {
    Ok(staff_assignments::table
        .filter(staff_assignments::office_id.eq(office_id))
        .order(staff_assignments::started_on)
        .select(AssignmentRow::as_select())
        .load(conn)?)
}

/// The person to assign, with the kind of their employer. `None` if unknown.
fn person(conn: &mut DbConnection, user_id: &str) -> Result<Option<(UserRow, OrganizationKind)>, RepoError> {
    let found: Option<(UserRow, String)> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
        .select((UserRow::as_select(), organizations::kind))
        .first(conn)
        .optional()?;
    found
        .map(|(user, kind)| {
            let kind = OrganizationKind::parse(&kind)
                .ok_or_else(|| RepoError::Corrupt(format!("unknown kind {kind}")))?;
            Ok((user, kind))
        })
        .transpose()
}

fn unknown_user() -> RepoError {
    let mut errors = domain::ValidationErrors::default();
    errors.add("/user_id", "no account with this id");
    RepoError::Invalid(errors)
}

fn facts(office: &OfficeRow) -> OfficeFacts<'_> {
    OfficeFacts {
        provider_organization_id: &office.provider_organization_id,
        opened_on: office.opened_on,
        closed_on: office.closed_on,
    }
}

fn insert(
    conn: &mut DbConnection,
    office_id: &str,
    user_id: &str,
    side: Side,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    created_at: NaiveDateTime,
) -> Result<AssignmentRow, RepoError> {
    let row = AssignmentRow {
        id: new_id(),
        office_id: office_id.to_owned(),
        user_id: user_id.to_owned(),
        side: side.as_str().to_owned(),
        started_on,
        ended_on,
        end_reason: None,
        created_at,
    };
    diesel::insert_into(staff_assignments::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(row)
}

fn record(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    action: &str,
    row: &AssignmentRow,
    fields: &[&str],
) -> Result<(), RepoError> {
    audit::record(
        conn,
        ctx,
        Change {
            action,
            resource_type: "staff_assignment",
            resource_id: Some(&row.id),
            office_id: Some(&row.office_id),
            changed_fields: fields,
        },
    )
}

/// Assigns `user_id` to `side` of the office from `started_on` on (open-ended).
#[tracing::instrument(name = "db.staffing.assignments.assign", skip_all)]
pub fn assign(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    user_id: &UserId,
    side: Side,
    started_on: NaiveDate,
    ctx: &AuditContext,
) -> Result<AssignmentRow, RepoError> {
    let office_id = office_id.as_str();
    let user_id = user_id.as_str();
    write_tx(conn, |conn| {
        let office = lock_office(conn, office_id)?;
        crate::db::lock_key(conn, "user", user_id)?;
        let (user, kind) = person(conn, user_id)?.ok_or_else(unknown_user)?;
        if !user.active {
            return Err(staffing(StaffingError::UserInactive));
        }
        let existing = office_rows(conn, office_id)?
            .iter()
            .map(AssignmentRow::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let new = Assignment {
            user_id: user.id.clone(),
            side,
            started_on,
            ended_on: None,
        };
        let employer = Employer {
            organization_id: &user.employer_organization_id,
            kind,
        };
        staffing::check_assign(&existing, &new, employer, facts(&office)).map_err(staffing)?;
        let row = insert(conn, office_id, &user.id, side, started_on, None, ctx.at)?;
        record(
            conn,
            ctx,
            "staff.assigned",
            &row,
            &["user_id", "side", "started_on"],
        )?;
        change_feed::bump(conn)?;
        Ok(row)
    })
}

/// Ends an assignment: `ended_on` is the first day without it.
#[tracing::instrument(name = "db.staffing.assignments.end", skip_all)]
pub fn end(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    assignment_id: &AssignmentId,
    ended_on: NaiveDate,
    reason: Option<&str>,
    ctx: &AuditContext,
) -> Result<AssignmentRow, RepoError> {
    let office_id = office_id.as_str();
    let assignment_id = assignment_id.as_str();
    write_tx(conn, |conn| {
        lock_office(conn, office_id)?;
        let row = office_rows(conn, office_id)?
            .into_iter()
            .find(|r| r.id == assignment_id)
            .ok_or(RepoError::NotFound)?;
        staffing::check_end(&row.to_domain()?, ended_on).map_err(staffing)?;
        end_row(conn, &row, ended_on, reason)?;
        let row = AssignmentRow {
            ended_on: Some(ended_on),
            end_reason: reason.map(str::to_owned),
            ..row
        };
        record(conn, ctx, "staff.ended", &row, &["ended_on", "end_reason"])?;
        change_feed::bump(conn)?;
        Ok(row)
    })
}

fn end_row(
    conn: &mut DbConnection,
    row: &AssignmentRow,
    ended_on: NaiveDate,
    reason: Option<&str>,
) -> Result<(), RepoError> {
    diesel::update(staff_assignments::table.find(&row.id))
        .set((
            staff_assignments::ended_on.eq(Some(ended_on)),
            staff_assignments::end_reason.eq(reason),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    Ok(())
}

/// Ends the current holder of `side` on `on` and starts `successor` on `on`, in one
/// transaction. Returns (ended, started).
#[tracing::instrument(name = "db.staffing.assignments.handover", skip_all)]
pub fn handover(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    side: Side,
    successor_id: &UserId,
    on: NaiveDate,
    ctx: &AuditContext,
) -> Result<(AssignmentRow, AssignmentRow), RepoError> {
    let office_id = office_id.as_str();
    let successor_id = successor_id.as_str();
    write_tx(conn, |conn| {
        let office = lock_office(conn, office_id)?;
        crate::db::lock_key(conn, "user", successor_id)?;
        let (user, kind) = person(conn, successor_id)?.ok_or_else(unknown_user)?;
        if !user.active {
            return Err(staffing(StaffingError::UserInactive));
        }
        let rows = office_rows(conn, office_id)?;
        let existing = rows
            .iter()
            .map(AssignmentRow::to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let successor = Assignment {
            user_id: user.id.clone(),
            side,
            started_on: on,
            ended_on: None,
        };
        let employer = Employer {
            organization_id: &user.employer_organization_id,
            kind,
        };
        let index = staffing::plan_handover(&existing, side, &successor, employer, facts(&office))
            .map_err(staffing)?;
        let ended = AssignmentRow {
            ended_on: Some(on),
            end_reason: Some("handover".into()),
            ..rows[index].clone()
        };
        end_row(conn, &rows[index], on, Some("handover"))?;
        let started = insert(conn, office_id, &user.id, side, on, None, ctx.at)?;
        record(conn, ctx, "staff.ended", &ended, &["ended_on", "end_reason"])?;
        record(
            conn,
            ctx,
            "staff.assigned",
            &started,
            &["user_id", "side", "started_on"],
        )?;
        change_feed::bump(conn)?;
        Ok((ended, started))
    })
}

/// Ends every assignment of a user that covers `today` (on `today`) and cancels the ones
/// that have not started yet; part of deactivating the account.
pub(crate) fn end_all_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    today: NaiveDate,
    ctx: &AuditContext,
) -> Result<usize, RepoError> {
    let rows: Vec<AssignmentRow> = staff_assignments::table
        .filter(staff_assignments::user_id.eq(user_id))
        .filter(
            staff_assignments::ended_on
                .is_null()
                .or(staff_assignments::ended_on.gt(today)),
        )
        .select(AssignmentRow::as_select())
        .load(conn)?;
    for row in &rows {
        if row.started_on < today {
            end_row(conn, row, today, Some("account deactivated"))?;
            let ended = AssignmentRow {
                ended_on: Some(today),
                ..row.clone()
            };
            record(conn, ctx, "staff.ended", &ended, &["ended_on", "end_reason"])?;
        } else {
            diesel::delete(staff_assignments::table.find(&row.id)).execute(conn)?;
            record(conn, ctx, "staff.cancelled", row, &["started_on"])?;
        }
    }
    if !rows.is_empty() {
        change_feed::bump(conn)?;
    }
    Ok(rows.len())
}

/// Inserts an assignment without the rules (tests and demo data only).
#[tracing::instrument(name = "db.staffing.assignments.insert_unchecked", skip_all)]
pub fn insert_unchecked(
    conn: &mut DbConnection,
    office_id: &OfficeId,
    user_id: &UserId,
    side: &str,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    ctx: &AuditContext,
) -> Result<String, RepoError> {
    let office_id = office_id.as_str();
    let user_id = user_id.as_str();
    let side = Side::parse(side).ok_or_else(|| RepoError::Corrupt(format!("unknown side {side}")))?;
    write_tx(conn, |conn| {
        let row = insert(conn, office_id, user_id, side, started_on, ended_on, ctx.at)?;
        change_feed::bump(conn)?;
        Ok(row.id)
    })
}

fn open_assignments_of(
    conn: &mut DbConnection,
    user_id: &str,
    today: NaiveDate,
) -> Result<Vec<(AssignmentRow, OfficeRow)>, RepoError> {
    Ok(staff_assignments::table
        .inner_join(offices::table)
        .filter(staff_assignments::user_id.eq(user_id))
        .filter(
            staff_assignments::ended_on
                .is_null()
                .or(staff_assignments::ended_on.gt(today)),
        )
        .select((AssignmentRow::as_select(), OfficeRow::as_select()))
        .load(conn)?)
}

fn employer_conflict(what: &str) -> RepoError {
    RepoError::refused(
        ProblemCode::StaffSideConflict,
        format!(
            "{what} would leave open staff assignments on a side that no longer fits the employer; \
             end or hand over those assignments first"
        ),
    )
}

/// A person's employer may change only if their open assignments still fit it.
pub(crate) fn check_employer_change(
    conn: &mut DbConnection,
    user_id: &str,
    employer_id: &str,
    today: NaiveDate,
) -> Result<(), RepoError> {
    let kind: Option<String> = organizations::table
        .find(employer_id)
        .select(organizations::kind)
        .first(conn)
        .optional()?;
    let Some(kind) = kind.as_deref().and_then(OrganizationKind::parse) else {
        return Ok(()); // the foreign key reports an unknown organization
    };
    let employer = Employer {
        organization_id: employer_id,
        kind,
    };
    for (row, office) in open_assignments_of(conn, user_id, today)? {
        if !staffing::employer_fits(row.side()?, employer, facts(&office)) {
            return Err(employer_conflict("changing the employer"));
        }
    }
    Ok(())
}

/// An office's provider may change only if its open provider-side assignments are held
/// by employees of the new provider.
pub(crate) fn check_provider_change(
    conn: &mut DbConnection,
    office_id: &str,
    provider_id: &str,
    today: NaiveDate,
) -> Result<(), RepoError> {
    let employers: Vec<String> = staff_assignments::table
        .inner_join(users::table)
        .filter(staff_assignments::office_id.eq(office_id))
        .filter(staff_assignments::side.eq(Side::Provider.as_str()))
        .filter(
            staff_assignments::ended_on
                .is_null()
                .or(staff_assignments::ended_on.gt(today)),
        )
        .select(users::employer_organization_id)
        .load(conn)?;
    if employers.iter().any(|e| e != provider_id) {
        return Err(employer_conflict("changing the provider"));
    }
    Ok(())
}

/// An organization's kind may change only if no open assignment depends on it: city-side
/// staff need a municipality employer, and an office's provider must stay a provider.
pub(crate) fn check_kind_change(
    conn: &mut DbConnection,
    org_id: &str,
    kind: OrganizationKind,
    today: NaiveDate,
) -> Result<(), RepoError> {
    if kind != OrganizationKind::Municipality {
        let city_staff: i64 = staff_assignments::table
            .inner_join(users::table)
            .filter(users::employer_organization_id.eq(org_id))
            .filter(staff_assignments::side.eq(Side::City.as_str()))
            .filter(
                staff_assignments::ended_on
                    .is_null()
                    .or(staff_assignments::ended_on.gt(today)),
            )
            .count()
            .get_result(conn)?;
        if city_staff > 0 {
            return Err(employer_conflict("changing the organization's kind"));
        }
    }
    if kind != OrganizationKind::WelfareProvider {
        let provided: i64 = offices::table
            .filter(offices::provider_organization_id.eq(org_id))
            .count()
            .get_result(conn)?;
        if provided > 0 {
            return Err(RepoError::refused(
                ProblemCode::OrganizationInUse,
                "offices name this organization as their provider; a provider must stay a welfare provider",
            ));
        }
    }
    Ok(())
}
