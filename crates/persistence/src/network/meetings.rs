//! Network meetings: one row with the head counts, and its offices, districts, topics and
//! participating organizations in their own tables (so reports and filters can use them).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::network::meetings::{Meeting, MeetingRole, MeetingType, OrganizationParticipation, Participants};
use domain::{District, Id, NetworkMeetingId, OfficeId, OrganizationId};

use crate::audit::{self, AuditContext, Change};
use crate::schema::{
    network_meeting_districts, network_meeting_offices, network_meeting_organizations,
    network_meeting_topics, network_meetings, organizations,
};
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = network_meetings)]
pub struct MeetingRow {
    pub id: String,
    pub meeting_type: String,
    pub held_on: NaiveDate,
    pub role: String,
    pub title: String,
    pub volunteers: i32,
    pub residents: i32,
    pub newcomers: i32,
    pub others: i32,
    pub follow_up_planned: bool,
    /// `<held_on>|<id>`: the list order (newest first) and its keyset cursor.
    pub list_key: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A participating organization as stored, with its current name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationRecord {
    pub organization_id: String,
    pub name: String,
    pub persons: i32,
}

/// A meeting with everything that belongs to it.
#[derive(Debug, Clone)]
pub struct MeetingRecord {
    pub row: MeetingRow,
    /// Office ids, sorted.
    pub offices: Vec<String>,
    /// District codes, sorted.
    pub districts: Vec<String>,
    /// Topic codes in the order given.
    pub topics: Vec<String>,
    /// In the order given.
    pub organizations: Vec<ParticipationRecord>,
}

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Corrupt(format!("unknown {what} {value:?}"))
}

impl MeetingRecord {
    pub fn meeting_type(&self) -> Result<MeetingType, RepoError> {
        MeetingType::parse(&self.row.meeting_type)
            .ok_or_else(|| corrupt("meeting type", &self.row.meeting_type))
    }

    pub fn role(&self) -> Result<MeetingRole, RepoError> {
        MeetingRole::parse(&self.row.role).ok_or_else(|| corrupt("meeting role", &self.row.role))
    }

    pub fn office_ids(&self) -> Vec<OfficeId> {
        self.offices.iter().cloned().map(OfficeId::from_stored).collect()
    }

    /// The meeting as the rules see it (to merge a PATCH into).
    pub fn to_domain(&self) -> Result<Meeting, RepoError> {
        Ok(Meeting {
            meeting_type: self.meeting_type()?,
            held_on: self.row.held_on,
            offices: self.office_ids(),
            role: self.role()?,
            districts: self
                .districts
                .iter()
                .map(|d| District::from_code(d).ok_or_else(|| corrupt("district", d)))
                .collect::<Result<_, _>>()?,
            topics: self.topics.clone(),
            title: self.row.title.clone(),
            participants: Participants {
                organizations: self
                    .organizations
                    .iter()
                    .map(|o| OrganizationParticipation {
                        organization_id: OrganizationId::from_stored(o.organization_id.clone()),
                        persons: o.persons,
                    })
                    .collect(),
                volunteers: self.row.volunteers,
                residents: self.row.residents,
                newcomers: self.row.newcomers,
                others: self.row.others,
            },
            follow_up_planned: self.row.follow_up_planned,
        })
    }
}

/// The list key of a meeting: newest first is descending order of it.
pub fn list_key(held_on: NaiveDate, id: &str) -> String {
    format!("{held_on}|{id}")
}

/// Every field of a meeting, for the audit event of a new one.
const ALL_FIELDS: &[&str] = &[
    "type",
    "held_on",
    "offices",
    "role",
    "districts",
    "topics",
    "title",
    "participants",
    "follow_up_planned",
];

#[tracing::instrument(name = "db.network.meetings.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    meeting: &Meeting,
    ctx: &AuditContext,
) -> Result<MeetingRecord, RepoError> {
    write_tx(conn, |conn| {
        let id = new_id();
        let row = MeetingRow {
            list_key: list_key(meeting.held_on, &id),
            id,
            version: 1,
            created_at: ctx.at,
            updated_at: ctx.at,
            ..row_of(meeting)
        };
        diesel::insert_into(network_meetings::table)
            .values(&row)
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        insert_parts(conn, &row.id, meeting)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "network_meeting.created",
                resource_type: "network_meeting",
                resource_id: Some(&row.id),
                office_id: meeting.offices.first().map(OfficeId::as_str),
                changed_fields: ALL_FIELDS,
            },
        )?;
        load(conn, &row.id)?.ok_or(RepoError::NotFound)
    })
}

/// Replaces a meeting with `meeting` (the stored one with a PATCH merged in) if it still
/// has `expected_version`; `changed_fields` go into the audit event.
#[tracing::instrument(name = "db.network.meetings.update", skip_all)]
pub fn update(
    conn: &mut DbConnection,
    id: &NetworkMeetingId,
    expected_version: i64,
    meeting: &Meeting,
    changed_fields: &[&str],
    ctx: &AuditContext,
) -> Result<MeetingRecord, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let next = row_of(meeting);
        // The compare-and-swap on the version comes first: on PostgreSQL it also locks the
        // row, so a concurrent writer with the same version finds it changed (412).
        let n = diesel::update(
            network_meetings::table
                .find(id)
                .filter(network_meetings::version.eq(expected_version)),
        )
        .set((
            network_meetings::meeting_type.eq(&next.meeting_type),
            network_meetings::held_on.eq(next.held_on),
            network_meetings::role.eq(&next.role),
            network_meetings::title.eq(&next.title),
            network_meetings::volunteers.eq(next.volunteers),
            network_meetings::residents.eq(next.residents),
            network_meetings::newcomers.eq(next.newcomers),
            network_meetings::others.eq(next.others),
            network_meetings::follow_up_planned.eq(next.follow_up_planned),
            network_meetings::list_key.eq(list_key(meeting.held_on, id)),
            network_meetings::version.eq(expected_version + 1),
            network_meetings::updated_at.eq(ctx.at),
        ))
        .execute(conn)
        .map_err(RepoError::from_constraint)?;
        if n == 0 {
            let exists: i64 = network_meetings::table.find(id).count().get_result(conn)?;
            return Err(if exists == 0 {
                RepoError::NotFound
            } else {
                RepoError::Stale
            });
        }
        diesel::delete(network_meeting_offices::table.filter(network_meeting_offices::meeting_id.eq(id)))
            .execute(conn)?;
        diesel::delete(network_meeting_districts::table.filter(network_meeting_districts::meeting_id.eq(id)))
            .execute(conn)?;
        diesel::delete(network_meeting_topics::table.filter(network_meeting_topics::meeting_id.eq(id)))
            .execute(conn)?;
        diesel::delete(
            network_meeting_organizations::table.filter(network_meeting_organizations::meeting_id.eq(id)),
        )
        .execute(conn)?;
        insert_parts(conn, id, meeting)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "network_meeting.updated",
                resource_type: "network_meeting",
                resource_id: Some(id),
                office_id: meeting.offices.first().map(OfficeId::as_str),
                changed_fields,
            },
        )?;
        load(conn, id)?.ok_or(RepoError::NotFound)
    })
}

/// The stored columns of a meeting (id, key, version and times left for the caller).
fn row_of(m: &Meeting) -> MeetingRow {
    MeetingRow {
        id: String::new(),
        meeting_type: m.meeting_type.as_str().to_owned(),
        held_on: m.held_on,
        role: m.role.as_str().to_owned(),
        title: m.title.clone(),
        volunteers: m.participants.volunteers,
        residents: m.participants.residents,
        newcomers: m.participants.newcomers,
        others: m.participants.others,
        follow_up_planned: m.follow_up_planned,
        list_key: String::new(),
        version: 1,
        created_at: NaiveDateTime::default(),
        updated_at: NaiveDateTime::default(),
    }
}

/// Inserts offices, districts, topics and organizations (one row each: `MultiConnection`
/// cannot batch-insert), inside the caller's transaction.
fn insert_parts(conn: &mut DbConnection, id: &str, m: &Meeting) -> Result<(), RepoError> {
    for office in &m.offices {
        diesel::insert_into(network_meeting_offices::table)
            .values((
                network_meeting_offices::meeting_id.eq(id),
                network_meeting_offices::office_id.eq(office.as_str()),
            ))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    for district in &m.districts {
        diesel::insert_into(network_meeting_districts::table)
            .values((
                network_meeting_districts::meeting_id.eq(id),
                network_meeting_districts::district_code.eq(district.code()),
            ))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    for (position, topic) in (0..).zip(&m.topics) {
        diesel::insert_into(network_meeting_topics::table)
            .values((
                network_meeting_topics::meeting_id.eq(id),
                network_meeting_topics::topic_code.eq(topic),
                network_meeting_topics::position.eq(position),
            ))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    for (position, o) in (0..).zip(&m.participants.organizations) {
        diesel::insert_into(network_meeting_organizations::table)
            .values((
                network_meeting_organizations::meeting_id.eq(id),
                network_meeting_organizations::organization_id.eq(o.organization_id.as_str()),
                network_meeting_organizations::persons.eq(o.persons),
                network_meeting_organizations::position.eq(position),
            ))
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
    }
    Ok(())
}

/// One meeting.
pub fn find(conn: &mut DbConnection, id: &NetworkMeetingId) -> Result<Option<MeetingRecord>, RepoError> {
    load(conn, id.as_str())
}

fn load(conn: &mut DbConnection, id: &str) -> Result<Option<MeetingRecord>, RepoError> {
    let Some(row) = network_meetings::table
        .find(id)
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(with_parts(conn, vec![row])?.pop())
}

/// Filters of the meeting list; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Only meetings of one of these offices (a staff member's offices); `None`: all.
    pub scope: Option<Vec<String>>,
    pub office_id: Option<String>,
    pub district: Option<District>,
    pub meeting_type: Option<MeetingType>,
    /// Held on or after.
    pub from: Option<NaiveDate>,
    /// Held on or before.
    pub to: Option<NaiveDate>,
}

/// Newest first (`held_on`, then creation), keyset-paginated on the list key: the page
/// after `before_key` starts with the next older meeting.
#[tracing::instrument(name = "db.network.meetings.list", skip_all)]
pub fn list(
    conn: &mut DbConnection,
    filter: &MeetingFilter,
    before_key: Option<&str>,
    limit: i64,
) -> Result<Vec<MeetingRecord>, RepoError> {
    let mut q = network_meetings::table.into_boxed();
    if let Some(scope) = &filter.scope {
        q = q.filter(
            network_meetings::id.eq_any(
                network_meeting_offices::table
                    .filter(network_meeting_offices::office_id.eq_any(scope.clone()))
                    .select(network_meeting_offices::meeting_id),
            ),
        );
    }
    if let Some(office) = &filter.office_id {
        q = q.filter(
            network_meetings::id.eq_any(
                network_meeting_offices::table
                    .filter(network_meeting_offices::office_id.eq(office.clone()))
                    .select(network_meeting_offices::meeting_id),
            ),
        );
    }
    if let Some(district) = filter.district {
        q = q.filter(
            network_meetings::id.eq_any(
                network_meeting_districts::table
                    .filter(network_meeting_districts::district_code.eq(district.code()))
                    .select(network_meeting_districts::meeting_id),
            ),
        );
    }
    if let Some(t) = filter.meeting_type {
        q = q.filter(network_meetings::meeting_type.eq(t.as_str()));
    }
    if let Some(from) = filter.from {
        q = q.filter(network_meetings::held_on.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(network_meetings::held_on.le(to));
    }
    if let Some(key) = before_key {
        q = q.filter(network_meetings::list_key.lt(key.to_owned()));
    }
    let rows = q
        .order(network_meetings::list_key.desc())
        .limit(limit)
        .select(MeetingRow::as_select())
        .load(conn)?;
    with_parts(conn, rows)
}

/// Loads the parts of several meetings in one query per table, keeping the rows' order.
fn with_parts(conn: &mut DbConnection, rows: Vec<MeetingRow>) -> Result<Vec<MeetingRecord>, RepoError> {
    use std::collections::HashMap;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut offices: HashMap<String, Vec<String>> = HashMap::new();
    for (meeting, office) in network_meeting_offices::table
        .filter(network_meeting_offices::meeting_id.eq_any(&ids))
        .order((
            network_meeting_offices::meeting_id,
            network_meeting_offices::office_id,
        ))
        .select((
            network_meeting_offices::meeting_id,
            network_meeting_offices::office_id,
        ))
        .load::<(String, String)>(conn)?
    {
        offices.entry(meeting).or_default().push(office);
    }
    let mut districts: HashMap<String, Vec<String>> = HashMap::new();
    for (meeting, district) in network_meeting_districts::table
        .filter(network_meeting_districts::meeting_id.eq_any(&ids))
        .order((
            network_meeting_districts::meeting_id,
            network_meeting_districts::district_code,
        ))
        .select((
            network_meeting_districts::meeting_id,
            network_meeting_districts::district_code,
        ))
        .load::<(String, String)>(conn)?
    {
        districts.entry(meeting).or_default().push(district);
    }
    let mut topics: HashMap<String, Vec<String>> = HashMap::new();
    for (meeting, topic) in network_meeting_topics::table
        .filter(network_meeting_topics::meeting_id.eq_any(&ids))
        .order((
            network_meeting_topics::meeting_id,
            network_meeting_topics::position,
        ))
        .select((
            network_meeting_topics::meeting_id,
            network_meeting_topics::topic_code,
        ))
        .load::<(String, String)>(conn)?
    {
        topics.entry(meeting).or_default().push(topic);
    }
    let mut organizations_of: HashMap<String, Vec<ParticipationRecord>> = HashMap::new();
    for (meeting, organization_id, name, persons) in network_meeting_organizations::table
        .inner_join(organizations::table)
        .filter(network_meeting_organizations::meeting_id.eq_any(&ids))
        .order((
            network_meeting_organizations::meeting_id,
            network_meeting_organizations::position,
        ))
        .select((
            network_meeting_organizations::meeting_id,
            network_meeting_organizations::organization_id,
            organizations::name,
            network_meeting_organizations::persons,
        ))
        .load::<(String, String, String, i32)>(conn)?
    {
        organizations_of
            .entry(meeting)
            .or_default()
            .push(ParticipationRecord {
                organization_id,
                name,
                persons,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| MeetingRecord {
            offices: offices.remove(&row.id).unwrap_or_default(),
            districts: districts.remove(&row.id).unwrap_or_default(),
            topics: topics.remove(&row.id).unwrap_or_default(),
            organizations: organizations_of.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}
