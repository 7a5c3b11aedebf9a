//! Network meetings: round tables, network meetings, working groups, cooperation talks,
//! encounter events, trainings and information events the offices organize or join.
//! Field work: staff see and record the meetings of the offices they are assigned to
//! today; coordinators and admins all; readers, integration tokens and anonymous callers
//! no single meeting.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::network::meetings::{
    self, Meeting, MeetingRole, MeetingType, OrganizationParticipation, Participants,
};
use domain::{
    Action, District, Id, NetworkMeetingId, OfficeId, OrganizationId, Resource, Role, ValidationErrors,
};
use persistence::RepoError;
use persistence::network::meetings::{MeetingFilter, MeetingRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::auth::Authenticated;
use crate::directory::snapshot::Snapshot;
use crate::http::conditional::{Audience, JsonBody, created, require_if_match, respond};
use crate::http::extractors::{Query, parse_record_json, present, whole_number};
use crate::http::pagination::{self, Page};
use crate::http::path::parse_id;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// A meeting to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingRequest {
    #[serde(rename = "type")]
    pub meeting_type: MeetingType,
    /// The day it took place: today or earlier (meetings are recorded, not planned).
    pub held_on: NaiveDate,
    /// Ids of the offices that took part, at least one. Staff must name one of the
    /// offices they are assigned to today.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub offices: Vec<String>,
    /// The offices' part in it.
    pub role: MeetingRole,
    /// Districts the meeting concerned; omit for none (city-wide).
    pub districts: Option<Vec<District>>,
    /// Topic codes (see `/api/v1/topics`).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub topics: Vec<String>,
    /// The subject, as plain text (1 to 200 characters), e.g. "Runder Tisch Wohnen
    /// Huckarde". Meetings are counted, not minuted: no personal names belong here.
    #[schema(example = "Runder Tisch Wohnen Huckarde")]
    pub title: String,
    /// Head counts; omitted counts are 0.
    #[serde(default)]
    pub participants: ParticipantsInput,
    #[serde(default)]
    pub follow_up_planned: bool,
}

/// Only the fields present change; `participants` is replaced as a whole.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    #[serde(rename = "type")]
    pub meeting_type: Option<MeetingType>,
    pub held_on: Option<NaiveDate>,
    /// Replaces the offices; staff must keep one of theirs among them.
    #[schema(value_type = Option<Vec<uuid::Uuid>>)]
    pub offices: Option<Vec<String>>,
    pub role: Option<MeetingRole>,
    /// Replaces the districts; `null` clears them.
    #[serde(default, deserialize_with = "present")]
    pub districts: Option<Option<Vec<District>>>,
    #[schema(max_items = 10)]
    pub topics: Option<Vec<String>>,
    /// Plain text, no personal names (see `NewMeetingRequest`).
    pub title: Option<String>,
    pub participants: Option<ParticipantsInput>,
    pub follow_up_planned: Option<bool>,
}

/// Who came: organizations with their head counts, and anonymous counts. Every count
/// lies between 0 and 10,000.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantsInput {
    /// Participating organizations (each once, at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub organizations: Vec<ParticipationInput>,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub volunteers: i32,
    /// Residents of the neighbourhood.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub residents: i32,
    /// Newly arrived people.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub newcomers: i32,
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub others: i32,
}

/// An organization that took part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationInput {
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// How many of its people came.
    #[serde(deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub persons: i32,
}

/// A recorded network meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    #[schema(format = Uuid)]
    pub id: String,
    #[serde(rename = "type")]
    pub meeting_type: MeetingType,
    pub held_on: NaiveDate,
    /// Ids of the offices that took part, sorted.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub offices: Vec<String>,
    pub role: MeetingRole,
    /// In official order; empty when the meeting concerned no district in particular.
    pub districts: Vec<District>,
    /// Topic codes, in the order given.
    pub topics: Vec<String>,
    /// The subject (plain text, no personal names).
    pub title: String,
    pub participants: ParticipantsView,
    pub follow_up_planned: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Head counts of a meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantsView {
    pub organizations: Vec<ParticipationView>,
    pub volunteers: i32,
    pub residents: i32,
    pub newcomers: i32,
    pub others: i32,
    /// Everybody counted above.
    pub total: i64,
}

/// An organization that took part, with its current name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipationView {
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    pub persons: i32,
}

impl MeetingView {
    pub fn from_record(record: &MeetingRecord) -> Result<MeetingView, RepoError> {
        let meeting = record.to_domain()?;
        let mut districts = meeting.districts.clone();
        districts.sort();
        let p = &meeting.participants;
        Ok(MeetingView {
            id: record.row.id.clone(),
            meeting_type: meeting.meeting_type,
            held_on: meeting.held_on,
            offices: record.offices.clone(),
            role: meeting.role,
            districts,
            topics: meeting.topics.clone(),
            title: meeting.title.clone(),
            participants: ParticipantsView {
                organizations: record
                    .organizations
                    .iter()
                    .zip(&p.organizations)
                    .map(|(stored, o)| ParticipationView {
                        organization_id: stored.organization_id.clone(),
                        name: stored.name.clone(),
                        persons: o.persons,
                    })
                    .collect(),
                volunteers: p.volunteers,
                residents: p.residents,
                newcomers: p.newcomers,
                others: p.others,
                total: p.total(),
            },
            follow_up_planned: meeting.follow_up_planned,
            created_at: record.row.created_at.and_utc(),
            updated_at: record.row.updated_at.and_utc(),
        })
    }

    fn body(&self) -> JsonBody {
        JsonBody::new(self)
    }
}

/// Office ids of a body as typed ids: canonical when they parse (so the rules compare
/// them), the raw text otherwise (reported by [`check_references`]).
fn office_ids(raw: &[String]) -> Vec<OfficeId> {
    raw.iter()
        .map(|r| OfficeId::parse(r).unwrap_or_else(|| OfficeId::from_stored(r.clone())))
        .collect()
}

fn participants(input: ParticipantsInput) -> Participants {
    Participants {
        organizations: input
            .organizations
            .into_iter()
            .map(|o| OrganizationParticipation {
                organization_id: OrganizationId::parse(&o.organization_id)
                    .unwrap_or_else(|| OrganizationId::from_stored(o.organization_id)),
                persons: o.persons,
            })
            .collect(),
        volunteers: input.volunteers,
        residents: input.residents,
        newcomers: input.newcomers,
        others: input.others,
    }
}

/// Districts of a body: given means at least one.
fn check_districts(districts: Option<&[District]>, e: &mut ValidationErrors) {
    if districts.is_some_and(<[District]>::is_empty) {
        e.add("/districts", "must list at least one district (omit it for none)");
    }
}

impl NewMeetingRequest {
    fn into_meeting(self, e: &mut ValidationErrors) -> Meeting {
        check_districts(self.districts.as_deref(), e);
        Meeting {
            meeting_type: self.meeting_type,
            held_on: self.held_on,
            offices: office_ids(&self.offices),
            role: self.role,
            districts: self.districts.unwrap_or_default(),
            topics: self.topics,
            title: self.title,
            participants: participants(self.participants),
            follow_up_planned: self.follow_up_planned,
        }
    }
}

impl MeetingPatch {
    /// The stored meeting with this patch applied, and the names of the fields it sets.
    fn apply(self, mut m: Meeting, e: &mut ValidationErrors) -> (Meeting, Vec<&'static str>) {
        let mut fields = Vec::new();
        if let Some(t) = self.meeting_type {
            m.meeting_type = t;
            fields.push("type");
        }
        if let Some(d) = self.held_on {
            m.held_on = d;
            fields.push("held_on");
        }
        if let Some(o) = self.offices {
            m.offices = office_ids(&o);
            fields.push("offices");
        }
        if let Some(r) = self.role {
            m.role = r;
            fields.push("role");
        }
        if let Some(d) = self.districts {
            check_districts(d.as_deref(), e);
            m.districts = d.unwrap_or_default();
            fields.push("districts");
        }
        if let Some(t) = self.topics {
            m.topics = t;
            fields.push("topics");
        }
        if let Some(t) = self.title {
            m.title = t;
            fields.push("title");
        }
        if let Some(p) = self.participants {
            m.participants = participants(p);
            fields.push("participants");
        }
        if let Some(f) = self.follow_up_planned {
            m.follow_up_planned = f;
            fields.push("follow_up_planned");
        }
        (m, fields)
    }
}

/// The meeting's rules, and that its offices and topics are in the directory and its
/// organizations are stored (internal partners included): each problem at its pointer,
/// all at once.
async fn check_meeting(
    state: &AppState,
    snapshot: &Snapshot,
    meeting: &Meeting,
    today: NaiveDate,
    mut e: ValidationErrors,
) -> Result<(), ApiError> {
    meetings::check(meeting, today, &mut e);
    for (i, office) in meeting.offices.iter().enumerate() {
        if OfficeId::parse(office.as_str()).is_none() {
            e.add(format!("/offices/{i}"), "must be a UUID");
        } else if snapshot.office(office).is_none() {
            e.add(format!("/offices/{i}"), "no office with this id");
        }
    }
    for (i, topic) in meeting.topics.iter().enumerate() {
        if !snapshot.topics.iter().any(|t| &t.code == topic) {
            e.add(format!("/topics/{i}"), "unknown topic code; see /api/v1/topics");
        }
    }
    let organizations = &meeting.participants.organizations;
    let ids: Vec<String> = organizations
        .iter()
        .filter_map(|o| OrganizationId::parse(o.organization_id.as_str()).map(OrganizationId::into_string))
        .collect();
    let stored = if ids.is_empty() {
        Vec::new()
    } else {
        state
            .db(move |conn| {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                persistence::directory::organizations::existing(conn, &ids)
            })
            .await?
    };
    for (i, o) in organizations.iter().enumerate() {
        let pointer = format!("/participants/organizations/{i}/organization_id");
        if OrganizationId::parse(o.organization_id.as_str()).is_none() {
            e.add(pointer, "must be a UUID");
        } else if !stored.iter().any(|s| s == o.organization_id.as_str()) {
            e.add(pointer, "no organization with this id");
        }
    }
    e.into_result().map_err(ApiError::validation)
}

fn today_of(caller: &Authenticated) -> NaiveDate {
    domain::directory::schedule::berlin_today(caller.at)
}

async fn stored_meeting(state: &AppState, id: NetworkMeetingId) -> Result<MeetingRecord, ApiError> {
    state
        .db(move |conn| persistence::network::meetings::find(conn, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("no network meeting with this id"))
}

/// Record a network meeting
///
/// Record a round table, network meeting, working group, cooperation talk, encounter
/// event, training or information event the offices organized or took part in. Staff
/// record meetings of the offices they are assigned to today; coordinators and admins
/// any. Only head counts are recorded, never names.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    request_body = NewMeetingRequest,
    responses((status = 201, description = "Recorded.", body = MeetingView))
)]
#[post("/network-meetings")]
pub async fn create_network_meeting(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // Staff need an office today; the offices the body names are checked once it is read.
    caller.authorize(Action::RecordNetworkMeetings, Resource::Network)?;
    let request: NewMeetingRequest = parse_record_json(&req, &body)?;
    let snapshot = state.directory.get();
    let mut e = ValidationErrors::default();
    let meeting = request.into_meeting(&mut e);
    check_meeting(&state, &snapshot, &meeting, today_of(&caller), e).await?;
    caller.authorize(Action::RecordNetworkMeetings, Resource::Offices(&meeting.offices))?;
    let ctx = caller.audit();
    let record = state
        .db(move |conn| persistence::network::meetings::create(conn, &meeting, &ctx))
        .await?;
    let view = MeetingView::from_record(&record)?;
    Ok(created(
        &format!("/api/v1/network-meetings/{}", view.id),
        &view.body(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Meetings of this office (its id or slug); an unknown office matches none.
    pub office: Option<String>,
    /// Meetings concerning this district.
    pub district: Option<District>,
    /// Meetings of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub meeting_type: Option<MeetingType>,
    /// Held on or after this day.
    pub from: Option<NaiveDate>,
    /// Held on or before this day (a `to` before `from` matches none).
    pub to: Option<NaiveDate>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List network meetings
///
/// Meetings newest first (by the day held, then by when they were recorded),
/// keyset-paginated. Staff see the meetings of the offices they are assigned to today
/// (filters narrow that further); coordinators and admins see all.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(MeetingQuery),
    responses((status = 200, description = "A page of meetings.", body = Page<MeetingView>))
)]
#[get("/network-meetings")]
pub async fn list_network_meetings(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<MeetingQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadNetworkMeetings, Resource::Network)?;
    let q = query.into_inner();
    for (name, day) in [("from", q.from), ("to", q.to)] {
        if day.is_some_and(|d| !domain::validation::date_in_window(d)) {
            return Err(ApiError::invalid_parameter(
                name,
                domain::validation::DATE_WINDOW_MESSAGE,
            ));
        }
    }
    let office_id = match q.office.as_deref() {
        Some(raw) => {
            let key = crate::http::path::parse_office_key("office", raw)?;
            let snapshot = state.directory.get();
            Some(snapshot.office(&key).map_or(key, |o| o.id().to_owned()))
        }
        None => None,
    };
    let before = pagination::decode_cursor(q.cursor.as_deref())?;
    let limit = pagination::limit(q.limit)?;
    let scope = (caller.actor.role == Role::Staff).then(|| {
        caller
            .actor
            .offices
            .iter()
            .map(|o| o.as_str().to_owned())
            .collect()
    });
    let filter = MeetingFilter {
        scope,
        office_id,
        district: q.district,
        meeting_type: q.meeting_type,
        from: q.from,
        to: q.to,
    };
    let records = state
        .db(move |conn| {
            persistence::network::meetings::list(
                conn,
                &filter,
                before.as_deref(),
                i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1,
            )
        })
        .await?;
    let mut keys: Vec<String> = records.iter().map(|r| r.row.list_key.clone()).collect();
    let mut items = records
        .iter()
        .map(MeetingView::from_record)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        keys.truncate(limit);
        keys.last().map(|k| pagination::encode_cursor(k))
    } else {
        None
    };
    Ok(respond(
        &req,
        &JsonBody::new(&Page { items, next_cursor }),
        Audience::Private,
    ))
}

/// Get a network meeting
///
/// One meeting: for staff of one of its offices (assigned today), coordinators, admins.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Network meeting id")),
    responses((status = 200, description = "The meeting.", body = MeetingView))
)]
#[get("/network-meetings/{id}")]
pub async fn get_network_meeting(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ReadNetworkMeetings, Resource::Network)?;
    let id = parse_id::<NetworkMeetingId>("id", &id)?;
    let record = stored_meeting(&state, id).await?;
    caller.authorize(
        Action::ReadNetworkMeetings,
        Resource::Offices(&record.office_ids()),
    )?;
    let view = MeetingView::from_record(&record)?;
    Ok(respond(&req, &view.body(), Audience::Private))
}

/// Update a network meeting
///
/// Correct a meeting. Needs `If-Match` with its current ETag. Staff may change meetings
/// of their offices (assigned today) and must keep one of them among its offices.
#[utoipa::path(
    tag = "network",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Network meeting id")),
    request_body = MeetingPatch,
    responses((status = 200, description = "Updated.", body = MeetingView))
)]
#[patch("/network-meetings/{id}")]
pub async fn update_network_meeting(
    caller: Authenticated,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::RecordNetworkMeetings, Resource::Network)?;
    let id = parse_id::<NetworkMeetingId>("id", &id)?;
    let current = stored_meeting(&state, id.clone()).await?;
    caller.authorize(
        Action::RecordNetworkMeetings,
        Resource::Offices(&current.office_ids()),
    )?;
    let patch: MeetingPatch = parse_record_json(&req, &body)?;
    let snapshot = state.directory.get();
    let mut e = ValidationErrors::default();
    let (meeting, fields) = patch.apply(current.to_domain()?, &mut e);
    check_meeting(&state, &snapshot, &meeting, today_of(&caller), e).await?;
    caller.authorize(Action::RecordNetworkMeetings, Resource::Offices(&meeting.offices))?;
    let current_view = MeetingView::from_record(&current)?;
    require_if_match(&req, &[&current_view.body().etag])?;
    let (ctx, version) = (caller.audit(), current.row.version);
    let record = state
        .db(move |conn| persistence::network::meetings::update(conn, &id, version, &meeting, &fields, &ctx))
        .await?;
    let view = MeetingView::from_record(&record)?;
    Ok(respond(&req, &view.body(), Audience::Private))
}
