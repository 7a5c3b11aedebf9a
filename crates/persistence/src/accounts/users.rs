//! Accounts. Password hashes are computed by the caller (on the blocking pool) and
//! stored here; they never leave this crate except for verification.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ProblemCode;
use domain::Role;
use domain::{Id, UserId};

use crate::audit::{self, AuditContext, Change};
use crate::schema::{sessions, users};
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub email_normalized: String,
    pub display_name: String,
    pub employer_organization_id: String,
    pub role: String,
    pub active: bool,
    pub password_hash: String,
    pub password_change_required: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Result<Role, RepoError> {
        Role::parse(&self.role).ok_or_else(|| RepoError::Corrupt(format!("unknown role {:?}", self.role)))
    }
}

/// The form emails are unique and looked up in: look-alike spellings collide.
pub fn normalize_email(email: &str) -> String {
    domain::text::comparison_key(email)
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub employer_organization_id: String,
    pub role: Role,
    pub password_hash: String,
    pub password_change_required: bool,
}

#[tracing::instrument(name = "db.accounts.users.create", skip_all)]
pub fn create(conn: &mut DbConnection, new: NewUser, ctx: &AuditContext) -> Result<UserRow, RepoError> {
    write_tx(conn, |conn| {
        let now = ctx.at;
        let row = UserRow {
            id: new_id(),
            email_normalized: normalize_email(&new.email),
            email: new.email.trim().to_owned(),
            display_name: new.display_name.trim().to_owned(),
            employer_organization_id: new.employer_organization_id,
            role: new.role.as_str().to_owned(),
            active: true,
            password_hash: new.password_hash,
            password_change_required: new.password_change_required,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(users::table)
            .values(&row)
            .execute(conn)
            .map_err(|e| match RepoError::from_constraint(e) {
                RepoError::Refused {
                    code: ProblemCode::ReferenceNotFound,
                    ..
                } => RepoError::refused(
                    ProblemCode::OrganizationNotFound,
                    "the employer organization does not exist",
                ),
                other => other,
            })?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "user.created",
                resource_type: "user",
                resource_id: Some(&row.id),
                office_id: None,
                changed_fields: &[
                    "email",
                    "display_name",
                    "employer_organization_id",
                    "role",
                    "password",
                ],
            },
        )?;
        Ok(row)
    })
}

pub fn find(conn: &mut DbConnection, id: &UserId) -> Result<Option<UserRow>, RepoError> {
    find_row(conn, id.as_str())
}

fn find_row(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<UserRow>, RepoError> {
    Ok(users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Accounts ordered by id, after `after` (keyset paging).
pub fn list(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> Result<Vec<UserRow>, RepoError> {
    let mut q = users::table.into_boxed();
    if let Some(after) = after {
        q = q.filter(users::id.gt(after));
    }
    Ok(q.order(users::id)
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// The changes a PATCH may make; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub employer_organization_id: Option<String>,
}

impl UserChanges {
    pub fn field_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.display_name.is_some() {
            names.push("display_name");
        }
        if self.role.is_some() {
            names.push("role");
        }
        if self.employer_organization_id.is_some() {
            names.push("employer_organization_id");
        }
        names
    }
}

fn active_admins(conn: &mut DbConnection) -> Result<i64, RepoError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}

fn last_admin_conflict() -> RepoError {
    RepoError::refused(
        ProblemCode::LastActiveAdmin,
        "this is the last active admin; make another account admin first",
    )
}

/// Applies `changes` if the stored version is still `expected_version` (else
/// `RepoError::Stale`, which the API reports as 412).
#[tracing::instrument(name = "db.accounts.users.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &UserId,
    expected_version: i64,
    changes: &UserChanges,
    ctx: &AuditContext,
) -> Result<UserRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        if changes.role.is_some() {
            // Two admins demoting each other at once must not leave none.
            crate::db::lock_key(conn, "admins", "")?;
        }
        crate::db::lock_key(conn, "user", id)?;
        let current = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
        if let Some(employer) = &changes.employer_organization_id
            && employer != &current.employer_organization_id
        {
            crate::staffing::guards::check_employer_change(conn, id, employer, ctx.today())?;
        }
        if let Some(role) = changes.role
            && role != Role::Admin
            && current.role == Role::Admin.as_str()
            && current.active
            && active_admins(conn)? <= 1
        {
            return Err(last_admin_conflict());
        }
        let updated = diesel::update(users::table.find(id).filter(users::version.eq(expected_version)))
            .set((
                users::display_name.eq(changes
                    .display_name
                    .clone()
                    .unwrap_or(current.display_name.clone())),
                users::role.eq(changes
                    .role
                    .map(|r| r.as_str().to_owned())
                    .unwrap_or(current.role.clone())),
                users::employer_organization_id.eq(changes
                    .employer_organization_id
                    .clone()
                    .unwrap_or(current.employer_organization_id.clone())),
                users::version.eq(users::version + 1),
                users::updated_at.eq(ctx.at),
            ))
            .execute(conn)
            .map_err(|e| match RepoError::from_constraint(e) {
                RepoError::Refused {
                    code: ProblemCode::ReferenceNotFound,
                    ..
                } => RepoError::refused(
                    ProblemCode::OrganizationNotFound,
                    "the employer organization does not exist",
                ),
                other => other,
            })?;
        if updated == 0 {
            return Err(RepoError::Stale);
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "user.updated",
                resource_type: "user",
                resource_id: Some(id),
                office_id: None,
                changed_fields: &changes.field_names(),
            },
        )?;
        find_row(conn, id)?.ok_or(RepoError::NotFound)
    })
}

/// Deactivates or reactivates. Deactivation ends every session of the account.
#[tracing::instrument(name = "db.accounts.users.set_active", skip_all)]
pub fn set_active(
    conn: &mut DbConnection,
    id: &UserId,
    active: bool,
    ctx: &AuditContext,
) -> Result<UserRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        crate::db::lock_key(conn, "admins", "")?;
        crate::db::lock_key(conn, "user", id)?;
        let current = find_row(conn, id)?.ok_or(RepoError::NotFound)?;
        if !active && current.active && current.role == Role::Admin.as_str() && active_admins(conn)? <= 1 {
            return Err(last_admin_conflict());
        }
        diesel::update(users::table.find(id))
            .set((
                users::active.eq(active),
                users::version.eq(users::version + 1),
                users::updated_at.eq(ctx.at),
            ))
            .execute(conn)?;
        if !active {
            revoke_all_sessions(conn, id, "deactivated", ctx)?;
            let today = ctx.today();
            crate::staffing::guards::end_all_for_user(conn, id, today, ctx)?;
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: if active {
                    "user.reactivated"
                } else {
                    "user.deactivated"
                },
                resource_type: "user",
                resource_id: Some(id),
                office_id: None,
                changed_fields: &["active"],
            },
        )?;
        find_row(conn, id)?.ok_or(RepoError::NotFound)
    })
}

/// Stores a new password hash and ends every session of the account (a password change
/// or reset must cut off whoever else holds a token).
#[tracing::instrument(name = "db.accounts.users.set_password", skip_all)]
pub fn set_password(
    conn: &mut DbConnection,
    id: &UserId,
    password_hash: &str,
    change_required: bool,
    action: &str,
    ctx: &AuditContext,
) -> Result<(), RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let updated = diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::password_change_required.eq(change_required),
                users::version.eq(users::version + 1),
                users::updated_at.eq(ctx.at),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(RepoError::NotFound);
        }
        revoke_all_sessions(conn, id, action, ctx)?;
        audit::record(
            conn,
            ctx,
            Change {
                action,
                resource_type: "user",
                resource_id: Some(id),
                office_id: None,
                changed_fields: &["password"],
            },
        )
    })
}

/// Replaces the hash with a stronger one after a successful login (parameters changed).
/// Not audited: the password itself did not change.
pub fn upgrade_hash(
    conn: &mut DbConnection,
    id: &UserId,
    old_hash: &str,
    new_hash: &str,
) -> Result<(), RepoError> {
    let id = id.as_str();
    diesel::update(users::table.find(id).filter(users::password_hash.eq(old_hash)))
        .set(users::password_hash.eq(new_hash))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn revoke_all_sessions(
    conn: &mut DbConnection,
    user_id: &str,
    reason: &str,
    ctx: &AuditContext,
) -> Result<usize, RepoError> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(ctx.at)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}
