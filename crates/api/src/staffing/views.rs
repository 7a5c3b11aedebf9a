//! Views of an office's tandem. Names and emails of staff appear only here, for
//! admins, coordinators and the office's own staff; public views never include them.

use chrono::NaiveDate;
use domain::OfficeStatus;
use domain::staffing::{Side, StaffingStatus};
use persistence::RepoError;
use persistence::staffing::assignments::StaffedAssignment;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(format = Uuid)]
    pub id: String,
    pub display_name: String,
    pub email: String,
}

/// One assignment of a person to one side of an office's tandem. Half-open:
/// `ended_on` is the first day without the assignment (`null`: open-ended).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub side: Side,
    pub person: StaffMember,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    /// Whether the assignment covers today.
    pub is_current: bool,
}

impl AssignmentView {
    pub fn from(a: &StaffedAssignment, today: NaiveDate) -> Result<AssignmentView, RepoError> {
        let domain = a.row.to_domain()?;
        Ok(AssignmentView {
            id: a.row.id.clone(),
            office_id: a.row.office_id.clone(),
            side: domain.side,
            person: StaffMember {
                id: a.row.user_id.clone(),
                display_name: a.display_name.clone(),
                email: a.email.clone(),
            },
            started_on: a.row.started_on,
            ended_on: a.row.ended_on,
            end_reason: a.row.end_reason.clone(),
            is_current: domain.covers(today),
        })
    }
}

/// An office's tandem today, and its full history (oldest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeStaffView {
    #[schema(format = Uuid)]
    pub office_id: String,
    pub staffing_status: StaffingStatus,
    pub city: Option<AssignmentView>,
    pub provider: Option<AssignmentView>,
    pub history: Vec<AssignmentView>,
}

/// The result of a handover: the predecessor's ended assignment and the successor's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoverView {
    pub ended: AssignmentView,
    pub started: AssignmentView,
}

/// One office in the staffing report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffingReportRow {
    #[schema(format = Uuid)]
    pub office_id: String,
    pub slug: String,
    pub name: String,
    pub status: OfficeStatus,
    pub staffing_status: StaffingStatus,
    /// Since when the city side is unstaffed; `null` while staffed.
    pub city_vacant_since: Option<NaiveDate>,
    pub city_vacant_days: Option<i64>,
    pub provider_vacant_since: Option<NaiveDate>,
    pub provider_vacant_days: Option<i64>,
}
