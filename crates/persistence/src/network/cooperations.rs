//! Cooperations of partners with offices: started, listed, ended once.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::network::partners::{self, CooperationError, CooperationKind};
use domain::{CooperationId, Id, OfficeId, OrganizationId, OrganizationKind, ProblemCode};

use crate::audit::{self, AuditContext, Change};
use crate::schema::{cooperations, organizations};
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cooperations)]
pub struct CooperationRow {
    pub id: String,
    pub organization_id: String,
    pub office_id: String,
    pub kind: String,
    pub started_on: NaiveDate,
    /// The first day without the cooperation; `None` while it runs.
    pub ended_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CooperationRow {
    pub fn kind(&self) -> Result<CooperationKind, RepoError> {
        CooperationKind::parse(&self.kind)
            .ok_or_else(|| RepoError::Corrupt(format!("unknown cooperation kind {:?}", self.kind)))
    }
}

impl From<CooperationError> for RepoError {
    fn from(e: CooperationError) -> RepoError {
        let code = match e {
            CooperationError::AlreadyEnded => ProblemCode::CooperationAlreadyEnded,
            CooperationError::EndNotAfterStart => ProblemCode::EndNotAfterStart,
        };
        RepoError::refused(code, e.to_string())
    }
}

/// A new cooperation, validated by the caller (the office exists).
#[derive(Debug, Clone)]
pub struct NewCooperation {
    pub office_id: OfficeId,
    pub kind: CooperationKind,
    pub started_on: NaiveDate,
}

/// The organization must exist (404) and be a partner (409 `not_a_partner`).
pub fn require_partner(conn: &mut DbConnection, organization_id: &OrganizationId) -> Result<(), RepoError> {
    let kind: String = organizations::table
        .find(organization_id.as_str())
        .select(organizations::kind)
        .first(conn)
        .optional()?
        .ok_or(RepoError::NotFound)?;
    if kind != OrganizationKind::Partner.as_str() {
        return Err(RepoError::refused(
            ProblemCode::NotAPartner,
            "cooperations and contact persons belong to partner organizations (kind `partner`)",
        ));
    }
    Ok(())
}

#[tracing::instrument(name = "db.network.cooperations.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    new: &NewCooperation,
    ctx: &AuditContext,
) -> Result<CooperationRow, RepoError> {
    write_tx(conn, |conn| {
        require_partner(conn, organization_id)?;
        let row = CooperationRow {
            id: new_id(),
            organization_id: organization_id.as_str().to_owned(),
            office_id: new.office_id.as_str().to_owned(),
            kind: new.kind.as_str().to_owned(),
            started_on: new.started_on,
            ended_on: None,
            created_at: ctx.at,
            updated_at: ctx.at,
        };
        diesel::insert_into(cooperations::table)
            .values(&row)
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "cooperation.started",
                resource_type: "cooperation",
                resource_id: Some(&row.id),
                office_id: Some(&row.office_id),
                changed_fields: &["organization_id", "office_id", "kind", "started_on"],
            },
        )?;
        Ok(row)
    })
}

/// Ends a running cooperation: `ended_on` is its first day without it. Ending twice is
/// 409 `cooperation_already_ended`, also when two requests race (the update only touches
/// a cooperation that has not ended).
#[tracing::instrument(name = "db.network.cooperations.end", skip_all)]
pub fn end(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &CooperationId,
    ended_on: NaiveDate,
    ctx: &AuditContext,
) -> Result<CooperationRow, RepoError> {
    write_tx(conn, |conn| {
        let current = find(conn, organization_id, id)?.ok_or(RepoError::NotFound)?;
        partners::check_end(current.started_on, current.ended_on, ended_on)?;
        let n = diesel::update(
            cooperations::table
                .find(id.as_str())
                .filter(cooperations::ended_on.is_null()),
        )
        .set((
            cooperations::ended_on.eq(ended_on),
            cooperations::updated_at.eq(ctx.at),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
        if n == 0 {
            return Err(CooperationError::AlreadyEnded.into());
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "cooperation.ended",
                resource_type: "cooperation",
                resource_id: Some(&current.id),
                office_id: Some(&current.office_id),
                changed_fields: &["ended_on"],
            },
        )?;
        Ok(CooperationRow {
            ended_on: Some(ended_on),
            updated_at: ctx.at,
            ..current
        })
    })
}

/// One cooperation of an organization.
pub fn find(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &CooperationId,
) -> Result<Option<CooperationRow>, RepoError> {
    Ok(cooperations::table
        .find(id.as_str())
        .filter(cooperations::organization_id.eq(organization_id.as_str()))
        .select(CooperationRow::as_select())
        .first(conn)
        .optional()?)
}

/// An organization's cooperations in the order they were recorded, after `after` (id).
pub fn list(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CooperationRow>, RepoError> {
    let mut q = cooperations::table
        .filter(cooperations::organization_id.eq(organization_id.as_str()))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(cooperations::id.gt(after.to_owned()));
    }
    Ok(q.order(cooperations::id)
        .limit(limit)
        .select(CooperationRow::as_select())
        .load(conn)?)
}
