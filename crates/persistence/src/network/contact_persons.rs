//! Contact persons of partner organizations: business contacts, but personal data. Every
//! read that shows one is logged in the personal-data access log in the read's own
//! transaction (`privacy::access_log`); audit events name fields, never values.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::network::partners;
use domain::privacy::{AccessPurpose, PersonalRecordType};
use domain::{ContactPersonId, Id, OrganizationId};

use crate::audit::{self, AuditContext, Change};
use crate::network::cooperations::require_partner;
use crate::privacy::access_log::{self, AccessLogEntry};
use crate::schema::contact_persons;
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contact_persons)]
pub struct ContactPersonRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub function: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language the person prefers (a code of `/api/v1/languages`).
    pub preferred_language: Option<String>,
    pub last_reviewed_on: NaiveDate,
    /// One year after `last_reviewed_on` (`domain::network::partners::review_due`).
    pub review_due: NaiveDate,
    /// `<review_due>|<id>`: the order of the list of due reviews and its keyset cursor.
    pub review_key: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A contact person's details, validated by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPersonDetails {
    pub name: String,
    pub function: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_language: Option<String>,
    pub last_reviewed_on: NaiveDate,
}

/// The review key of a person: due reviews are listed in ascending order of it.
pub fn review_key(review_due: NaiveDate, id: &str) -> String {
    format!("{review_due}|{id}")
}

fn read_entry(ctx: &AuditContext, id: &str, purpose: AccessPurpose) -> AccessLogEntry {
    AccessLogEntry::by(ctx, PersonalRecordType::ContactPerson, id, purpose)
}

/// Adds a contact person to a partner (404 without the organization, 409 `not_a_partner`
/// for other kinds), with its audit event. The creator typed what the answer shows, so
/// nothing is logged as read.
#[tracing::instrument(name = "db.network.contact_persons.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    details: &ContactPersonDetails,
    ctx: &AuditContext,
) -> Result<ContactPersonRow, RepoError> {
    write_tx(conn, |conn| {
        require_partner(conn, organization_id)?;
        let id = new_id();
        let review_due = partners::review_due(details.last_reviewed_on);
        let row = ContactPersonRow {
            review_key: review_key(review_due, &id),
            id,
            organization_id: organization_id.as_str().to_owned(),
            name: details.name.clone(),
            function: details.function.clone(),
            email: details.email.clone(),
            phone: details.phone.clone(),
            preferred_language: details.preferred_language.clone(),
            last_reviewed_on: details.last_reviewed_on,
            review_due,
            version: 1,
            created_at: ctx.at,
            updated_at: ctx.at,
        };
        diesel::insert_into(contact_persons::table)
            .values(&row)
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "contact_person.created",
                resource_type: "contact_person",
                resource_id: Some(&row.id),
                office_id: None,
                changed_fields: &[
                    "name",
                    "function",
                    "email",
                    "phone",
                    "language",
                    "last_reviewed_on",
                ],
            },
        )?;
        Ok(row)
    })
}

fn find_row(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &ContactPersonId,
) -> Result<Option<ContactPersonRow>, RepoError> {
    Ok(contact_persons::table
        .find(id.as_str())
        .filter(contact_persons::organization_id.eq(organization_id.as_str()))
        .select(ContactPersonRow::as_select())
        .first(conn)
        .optional()?)
}

/// The stored person, for the server's own comparison of `If-Match` before a change:
/// nothing of it reaches the caller, so nothing is logged. Every answer that shows a
/// person comes from [`read`], [`list`], [`due_for_review`] or [`update`].
pub fn current(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &ContactPersonId,
) -> Result<Option<ContactPersonRow>, RepoError> {
    find_row(conn, organization_id, id)
}

/// Reads one person for `ctx`'s caller and logs the read (purpose `read`) in the same
/// transaction.
#[tracing::instrument(name = "db.network.contact_persons.read", skip_all)]
pub fn read(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &ContactPersonId,
    ctx: &AuditContext,
) -> Result<ContactPersonRow, RepoError> {
    write_tx(conn, |conn| {
        let row = find_row(conn, organization_id, id)?.ok_or(RepoError::NotFound)?;
        access_log::record(conn, &[read_entry(ctx, &row.id, AccessPurpose::Read)])?;
        Ok(row)
    })
}

/// Replaces a person's details if it still has `expected_version`; the answer shows the
/// person, so the read is logged (purpose `read`) in the same transaction.
#[tracing::instrument(name = "db.network.contact_persons.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    id: &ContactPersonId,
    expected_version: i64,
    details: &ContactPersonDetails,
    changed_fields: &[&str],
    ctx: &AuditContext,
) -> Result<ContactPersonRow, RepoError> {
    use contact_persons::dsl as c;
    write_tx(conn, |conn| {
        let review_due = partners::review_due(details.last_reviewed_on);
        let n = diesel::update(
            c::contact_persons
                .find(id.as_str())
                .filter(c::organization_id.eq(organization_id.as_str()))
                .filter(c::version.eq(expected_version)),
        )
        .set((
            c::name.eq(&details.name),
            c::function.eq(&details.function),
            c::email.eq(&details.email),
            c::phone.eq(&details.phone),
            c::preferred_language.eq(&details.preferred_language),
            c::last_reviewed_on.eq(details.last_reviewed_on),
            c::review_due.eq(review_due),
            c::review_key.eq(review_key(review_due, id.as_str())),
            c::version.eq(expected_version + 1),
            c::updated_at.eq(ctx.at),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
        if n == 0 {
            return Err(match find_row(conn, organization_id, id)? {
                Some(_) => RepoError::Stale,
                None => RepoError::NotFound,
            });
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "contact_person.updated",
                resource_type: "contact_person",
                resource_id: Some(id.as_str()),
                office_id: None,
                changed_fields,
            },
        )?;
        let row = find_row(conn, organization_id, id)?.ok_or(RepoError::NotFound)?;
        access_log::record(conn, &[read_entry(ctx, &row.id, AccessPurpose::Read)])?;
        Ok(row)
    })
}

/// A partner's contact persons in the order they were added, after `after` (id): one page
/// of at most `page_size`, and whether more follow. Every person returned is logged
/// (purpose `list`) with one insert, in the same transaction; the one read beyond the page
/// to learn whether more follow is neither returned nor logged.
#[tracing::instrument(name = "db.network.contact_persons.list", skip_all)]
pub fn list(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    after: Option<&str>,
    page_size: usize,
    ctx: &AuditContext,
) -> Result<(Vec<ContactPersonRow>, bool), RepoError> {
    use contact_persons::dsl as c;
    write_tx(conn, |conn| {
        let mut q = c::contact_persons
            .filter(c::organization_id.eq(organization_id.as_str()))
            .into_boxed();
        if let Some(after) = after {
            q = q.filter(c::id.gt(after.to_owned()));
        }
        let rows = q
            .order(c::id)
            .limit(i64::try_from(page_size).unwrap_or(i64::MAX - 1) + 1)
            .select(ContactPersonRow::as_select())
            .load(conn)?;
        logged_page(conn, rows, page_size, ctx)
    })
}

/// Contact persons of every partner whose review is due on `today` or was due before,
/// the longest overdue first (then by id), after `after` (a review key); logged like
/// [`list`].
#[tracing::instrument(name = "db.network.contact_persons.due_for_review", skip_all)]
pub fn due_for_review(
    conn: &mut DbConnection,
    today: NaiveDate,
    after: Option<&str>,
    page_size: usize,
    ctx: &AuditContext,
) -> Result<(Vec<ContactPersonRow>, bool), RepoError> {
    use contact_persons::dsl as c;
    write_tx(conn, |conn| {
        let mut q = c::contact_persons.filter(c::review_due.le(today)).into_boxed();
        if let Some(after) = after {
            q = q.filter(c::review_key.gt(after.to_owned()));
        }
        let rows = q
            .order(c::review_key)
            .limit(i64::try_from(page_size).unwrap_or(i64::MAX - 1) + 1)
            .select(ContactPersonRow::as_select())
            .load(conn)?;
        logged_page(conn, rows, page_size, ctx)
    })
}

fn logged_page(
    conn: &mut DbConnection,
    mut rows: Vec<ContactPersonRow>,
    page_size: usize,
    ctx: &AuditContext,
) -> Result<(Vec<ContactPersonRow>, bool), RepoError> {
    let more = rows.len() > page_size;
    rows.truncate(page_size);
    let entries: Vec<AccessLogEntry> = rows
        .iter()
        .map(|r| read_entry(ctx, &r.id, AccessPurpose::List))
        .collect();
    access_log::record(conn, &entries)?;
    Ok((rows, more))
}
