use std::collections::HashMap;

use diesel::prelude::*;
use domain::network::partners::{ActorType, PartnerStaffing, Visibility};
use domain::{District, OrganizationKind, ProblemCode, ValidationErrors};
use domain::{Id, OrganizationId};

use crate::audit::{self, AuditContext, Change};
use crate::directory::rows::{OrganizationDistrictRow, OrganizationRow};
use crate::schema::{contact_persons, cooperations, organization_districts, organizations};
use crate::{DbConnection, RepoError, change_feed, new_id, write_tx};

/// What the offices know about a partner (organizations of kind `partner` only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerProfile {
    pub actor_type: Option<ActorType>,
    pub staffing: Option<PartnerStaffing>,
    pub districts: Vec<District>,
    pub visibility: Visibility,
}

/// Input for a new organization, already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    pub website: Option<String>,
    /// `Some` exactly for partners.
    pub partner: Option<PartnerProfile>,
}

/// An organization as stored, with the districts a partner is active in (sorted codes).
#[derive(Debug, Clone)]
pub struct OrganizationRecord {
    pub row: OrganizationRow,
    pub districts: Vec<String>,
}

/// A committed organization write.
#[derive(Debug, Clone)]
pub struct WrittenOrganization {
    pub record: OrganizationRecord,
    /// Whether the public directory changed (the organization was or is public): only
    /// then is the directory version bumped and the snapshot reloaded. Writes to internal
    /// partners that stay internal leave the public directory as it is.
    pub public_changed: bool,
}

#[tracing::instrument(name = "db.directory.organizations.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    new: NewOrganization,
    ctx: &AuditContext,
) -> Result<WrittenOrganization, RepoError> {
    write_tx(conn, |conn| {
        let record = insert(conn, new, ctx)?;
        let mut fields = vec!["name", "short_name", "kind", "website"];
        if record.row.kind == OrganizationKind::Partner.as_str() {
            fields.extend(["actor_type", "staffing", "districts", "visibility"]);
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "organization.created",
                resource_type: "organization",
                resource_id: Some(&record.row.id),
                office_id: None,
                changed_fields: &fields,
            },
        )?;
        let public_changed = record.row.is_public();
        if public_changed {
            change_feed::bump(conn)?;
        }
        Ok(WrittenOrganization {
            record,
            public_changed,
        })
    })
}

/// The changes a PATCH may make; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    pub website: Option<Option<String>>,
    /// The partner fields: only for organizations that are (or become) partners.
    pub actor_type: Option<Option<ActorType>>,
    pub staffing: Option<Option<PartnerStaffing>>,
    pub districts: Option<Vec<District>>,
    pub visibility: Option<Visibility>,
}

impl OrganizationChanges {
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("short_name", self.short_name.is_some()),
            ("kind", self.kind.is_some()),
            ("website", self.website.is_some()),
            ("actor_type", self.actor_type.is_some()),
            ("staffing", self.staffing.is_some()),
            ("districts", self.districts.is_some()),
            ("visibility", self.visibility.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect()
    }

    /// Whether any partner field is set.
    pub fn touches_partner_fields(&self) -> bool {
        self.actor_type.is_some()
            || self.staffing.is_some()
            || self.districts.is_some()
            || self.visibility.is_some()
    }
}

#[tracing::instrument(name = "db.directory.organizations.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &OrganizationId,
    expected_version: i64,
    changes: &OrganizationChanges,
    ctx: &AuditContext,
) -> Result<WrittenOrganization, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let current: OrganizationRow = organizations::table
            .find(id)
            .select(OrganizationRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(RepoError::NotFound)?;
        if current.version != expected_version {
            return Err(RepoError::Stale);
        }
        let partner = OrganizationKind::Partner.as_str();
        if let Some(kind) = changes.kind
            && kind.as_str() != current.kind
        {
            crate::staffing::guards::check_kind_change(conn, id, kind, ctx.today())?;
            if current.kind == partner {
                check_leaving_partners(conn, id, ctx.today())?;
            }
        }
        let c = changes.clone();
        let name = c.name.unwrap_or(current.name.clone());
        let kind = c
            .kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or(current.kind.clone());
        let is_partner = kind == partner;
        if !is_partner && changes.touches_partner_fields() {
            // The API checks this against the kind it read; this is the backstop.
            return Err(RepoError::Invalid(ValidationErrors::single(
                "/kind",
                "only partners have actor type, staffing, districts and visibility",
            )));
        }
        // Leaving the partners drops the partner profile; an organization that is not a
        // partner is public.
        let (actor_type, staffing, visibility) = if is_partner {
            (
                c.actor_type
                    .map_or(current.actor_type.clone(), |t| t.map(|t| t.as_str().to_owned())),
                c.staffing
                    .map_or(current.staffing.clone(), |s| s.map(|s| s.as_str().to_owned())),
                c.visibility
                    .map_or(current.visibility.clone(), |v| v.as_str().to_owned()),
            )
        } else {
            (None, None, Visibility::Public.as_str().to_owned())
        };
        let next = OrganizationRow {
            name_normalized: normalize_name(&name),
            name,
            short_name: c.short_name.unwrap_or(current.short_name.clone()),
            kind,
            website: c.website.unwrap_or(current.website.clone()),
            actor_type,
            staffing,
            visibility,
            version: current.version + 1,
            updated_at: ctx.at,
            ..current.clone()
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
            organizations::actor_type.eq(&next.actor_type),
            organizations::staffing.eq(&next.staffing),
            organizations::visibility.eq(&next.visibility),
            organizations::version.eq(next.version),
            organizations::updated_at.eq(next.updated_at),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
        if n == 0 {
            return Err(RepoError::Stale);
        }
        if !is_partner {
            replace_districts(conn, id, &[])?;
        } else if let Some(districts) = &changes.districts {
            replace_districts(conn, id, districts)?;
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
        let public_changed = current.is_public() || next.is_public();
        if public_changed {
            change_feed::bump(conn)?;
        }
        Ok(WrittenOrganization {
            record: OrganizationRecord {
                districts: districts_of(conn, id)?,
                row: next,
            },
            public_changed,
        })
    })
}

/// A partner stays a partner while it has open cooperations or contact persons: they
/// belong to the partner network.
fn check_leaving_partners(
    conn: &mut DbConnection,
    id: &str,
    today: chrono::NaiveDate,
) -> Result<(), RepoError> {
    let open: i64 = cooperations::table
        .filter(cooperations::organization_id.eq(id))
        .filter(
            cooperations::ended_on
                .is_null()
                .or(cooperations::ended_on.gt(today)),
        )
        .count()
        .get_result(conn)?;
    let persons: i64 = contact_persons::table
        .filter(contact_persons::organization_id.eq(id))
        .count()
        .get_result(conn)?;
    if open > 0 || persons > 0 {
        return Err(RepoError::refused(
            ProblemCode::OrganizationInUse,
            "the partner has open cooperations or contact persons; end them before changing its kind",
        ));
    }
    Ok(())
}

fn replace_districts(conn: &mut DbConnection, id: &str, districts: &[District]) -> Result<(), RepoError> {
    diesel::delete(organization_districts::table.filter(organization_districts::organization_id.eq(id)))
        .execute(conn)?;
    for d in districts {
        diesel::insert_into(organization_districts::table)
            .values(&OrganizationDistrictRow {
                organization_id: id.to_owned(),
                district_code: d.code().to_owned(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The district codes of one organization, sorted.
pub fn districts_of(conn: &mut DbConnection, id: &str) -> Result<Vec<String>, RepoError> {
    Ok(organization_districts::table
        .filter(organization_districts::organization_id.eq(id))
        .order(organization_districts::district_code)
        .select(organization_districts::district_code)
        .load(conn)?)
}

/// District codes per organization (sorted), for the organizations given.
pub fn districts_by_organization(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, Vec<String>>, RepoError> {
    let rows: Vec<OrganizationDistrictRow> = organization_districts::table
        .filter(organization_districts::organization_id.eq_any(ids))
        .order((
            organization_districts::organization_id,
            organization_districts::district_code,
        ))
        .select(OrganizationDistrictRow::as_select())
        .load(conn)?;
    let mut grouped: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.organization_id)
            .or_default()
            .push(row.district_code);
    }
    Ok(grouped)
}

/// One organization, public or internal.
pub fn find(conn: &mut DbConnection, id: &OrganizationId) -> Result<Option<OrganizationRecord>, RepoError> {
    let Some(row) = organizations::table
        .find(id.as_str())
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(OrganizationRecord {
        districts: districts_of(conn, &row.id)?,
        row,
    }))
}

/// Every organization, internal partners included, by id after `after`: for callers who
/// see the whole partner network (the public list is served from the snapshot).
pub fn list_all(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<OrganizationRecord>, RepoError> {
    let mut q = organizations::table.into_boxed();
    if let Some(after) = after {
        q = q.filter(organizations::id.gt(after.to_owned()));
    }
    let rows: Vec<OrganizationRow> = q
        .order(organizations::id)
        .limit(limit)
        .select(OrganizationRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut districts = districts_by_organization(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| OrganizationRecord {
            districts: districts.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Which of `ids` name stored organizations (public or internal).
pub fn existing(conn: &mut DbConnection, ids: &[&str]) -> Result<Vec<String>, RepoError> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(organizations::id)
        .load(conn)?)
}

/// Inserts without its own transaction, for callers that compose several writes.
pub(crate) fn insert(
    conn: &mut DbConnection,
    new: NewOrganization,
    ctx: &AuditContext,
) -> Result<OrganizationRecord, RepoError> {
    let now = ctx.at;
    let partner = new.partner.filter(|_| new.kind == OrganizationKind::Partner);
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
        actor_type: partner
            .as_ref()
            .and_then(|p| p.actor_type)
            .map(|t| t.as_str().to_owned()),
        staffing: partner
            .as_ref()
            .and_then(|p| p.staffing)
            .map(|s| s.as_str().to_owned()),
        visibility: partner
            .as_ref()
            .map_or(Visibility::Public, |p| p.visibility)
            .as_str()
            .to_owned(),
    };
    diesel::insert_into(organizations::table)
        .values(&row)
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
    let districts = partner.map(|p| p.districts).unwrap_or_default();
    replace_districts(conn, &row.id, &districts)?;
    Ok(OrganizationRecord {
        districts: districts_of(conn, &row.id)?,
        row,
    })
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
