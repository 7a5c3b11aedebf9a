use diesel::prelude::*;
use domain::OrganizationKind;
use domain::{Id, OrganizationId};

use crate::audit::{self, AuditContext, Change};
use crate::directory::rows::OrganizationRow;
use crate::schema::organizations;
use crate::{DbConnection, RepoError, change_feed, new_id, write_tx};

/// Input for a new organization, already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    pub website: Option<String>,
}

#[tracing::instrument(name = "db.directory.organizations.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    new: NewOrganization,
    ctx: &AuditContext,
) -> Result<OrganizationRow, RepoError> {
    write_tx(conn, |conn| {
        let row = insert(conn, new, ctx)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "organization.created",
                resource_type: "organization",
                resource_id: Some(&row.id),
                office_id: None,
                changed_fields: &["name", "short_name", "kind", "website"],
            },
        )?;
        change_feed::bump(conn)?;
        Ok(row)
    })
}

/// The changes a PATCH may make; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    pub website: Option<Option<String>>,
}

impl OrganizationChanges {
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("short_name", self.short_name.is_some()),
            ("kind", self.kind.is_some()),
            ("website", self.website.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect()
    }
}

#[tracing::instrument(name = "db.directory.organizations.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &OrganizationId,
    expected_version: i64,
    changes: &OrganizationChanges,
    ctx: &AuditContext,
) -> Result<OrganizationRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let current: OrganizationRow = organizations::table
            .find(id)
            .select(OrganizationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(RepoError::NotFound)?;
        if let Some(kind) = changes.kind
            && kind.as_str() != current.kind
        {
            crate::staffing::guards::check_kind_change(conn, id, kind, ctx.today())?;
        }
        let c = changes.clone();
        let name = c.name.unwrap_or(current.name.clone());
        let next = OrganizationRow {
            name_normalized: normalize_name(&name),
            name,
            short_name: c.short_name.unwrap_or(current.short_name.clone()),
            kind: c
                .kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or(current.kind.clone()),
            website: c.website.unwrap_or(current.website.clone()),
            version: current.version + 1,
            updated_at: ctx.at,
            ..current
        };
        let n = diesel::update(
            organizations::table
                .find(id)
                .filter(organizations::version.eq(expected_version)),
        )
        .set((
            organizations::name.eq(&next.name),
            organizations::name_normalized.eq(&next.name_normalized),
            organizations::short_name.eq(&next.short_name),
            organizations::kind.eq(&next.kind),
            organizations::website.eq(&next.website),
            organizations::version.eq(next.version),
            organizations::updated_at.eq(next.updated_at),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
        if n == 0 {
            return Err(RepoError::Stale);
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "organization.updated",
                resource_type: "organization",
                resource_id: Some(id),
                office_id: None,
                changed_fields: &changes.field_names(),
            },
        )?;
        change_feed::bump(conn)?;
        Ok(next)
    })
}

/// Inserts without its own transaction, for callers that compose several writes.
pub(crate) fn insert(
    conn: &mut DbConnection,
    new: NewOrganization,
    ctx: &AuditContext,
) -> Result<OrganizationRow, RepoError> {
    let now = ctx.at;
    let row = OrganizationRow {
        id: new_id(),
        name_normalized: normalize_name(&new.name),
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

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<OrganizationRow>, RepoError> {
    Ok(organizations::table
        .filter(organizations::name_normalized.eq(normalize_name(name)))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Names are unique regardless of case and spacing ("Caritas  Dortmund" = "caritas dortmund").
/// The form organization names are unique in: look-alike spellings collide.
pub fn normalize_name(name: &str) -> String {
    domain::text::comparison_key(name)
}
