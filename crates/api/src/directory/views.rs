//! What the API shows: read views assembled from stored rows. A view is not a row:
//! an office embeds its districts, provider and current location.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{Address, District, LocalizedText, OfficeKind, OfficeStatus, OrganizationKind};
use persistence::RepoError;
use persistence::directory::rows::{LocationPeriodRow, OfficeRow, OrganizationRow, district};
use serde::Serialize;
use utoipa::ToSchema;

/// A city district (Stadtbezirk).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistrictView {
    pub code: District,
    #[schema(example = "Hörde")]
    pub name: String,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl DistrictView {
    pub fn new(d: District, position: usize) -> Self {
        DistrictView {
            code: d,
            name: d.name().to_owned(),
            sort_key: format!("{position:04}"),
        }
    }
}

/// An organization as embedded in other resources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationRef {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "Diakonisches Werk Dortmund und Lünen gGmbH")]
    pub name: String,
    #[schema(example = "Diakonie Dortmund")]
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
}

/// The City of Dortmund, a welfare provider or a partner organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.dortmund.de")]
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl OrganizationView {
    pub fn from_row(row: &OrganizationRow) -> Result<Self, RepoError> {
        Ok(OrganizationView {
            id: row.id.clone(),
            name: row.name.clone(),
            short_name: row.short_name.clone(),
            kind: row.kind()?,
            website: row.website.clone(),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }

    pub fn as_ref(&self) -> OrganizationRef {
        OrganizationRef {
            id: self.id.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind,
        }
    }
}

/// One period of an office's location history. Periods are half-open: `valid_to` is
/// the move-out day and the first day of the next period; `null` marks the latest one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub office_id: String,
    pub address: Address,
    /// What kind of place it is, e.g. "Ladenlokal" or a parish hall.
    pub premises: Option<String>,
    /// The organization whose rooms the office uses, if not its own.
    pub host_organization: Option<OrganizationRef>,
    /// A provisional location, e.g. the start before the office's own premises were ready.
    pub temporary: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Whether this period applies today (Europe/Berlin calendar day, see docs).
    pub is_current: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) sort_key: String,
}

impl LocationView {
    pub fn from_row(
        row: &LocationPeriodRow,
        today: NaiveDate,
        org: impl Fn(&str) -> Option<OrganizationRef>,
    ) -> Result<Self, RepoError> {
        let period = row.to_domain()?;
        Ok(LocationView {
            id: row.id.clone(),
            office_id: row.office_id.clone(),
            is_current: period.covers(today),
            address: period.address,
            premises: row.premises.clone(),
            host_organization: row.host_organization_id.as_deref().and_then(org),
            temporary: row.temporary,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            reason: row.reason.clone(),
            note: row.note.clone(),
            recorded_at: row.recorded_at.and_utc(),
            sort_key: row.valid_from.to_string(),
        })
    }
}

/// How to reach an office, as the office publishes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    #[schema(example = "0231 50 11 148")]
    pub phone: Option<String>,
    #[schema(example = "lokalwillkommen.mh@stadtdo.de")]
    pub email: Option<String>,
}

/// A lokal willkommen office or outpost with its districts, provider and current location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "mengede-huckarde")]
    pub slug: String,
    #[schema(example = "lokal willkommen Mengede/Huckarde")]
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    /// The districts this office serves (one or more).
    pub districts: Vec<DistrictView>,
    /// The welfare provider running this office together with the City of Dortmund.
    pub provider: OrganizationRef,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub contact: Contact,
    pub description: LocalizedText,
    /// Where the office is today; `null` before its first location applies or after it closed.
    pub current_location: Option<LocationView>,
    /// Weekly consultation hours in OpenStreetMap `opening_hours` syntax; empty when none
    /// are published.
    #[schema(example = "Mo,Fr 09:00-12:00; Tu 13:00-16:00; Th 14:00-17:00")]
    pub opening_hours: String,
    /// Consultations are also possible by appointment.
    pub by_appointment: bool,
    /// Languages of the office's consultation sessions (ISO 639 codes).
    pub languages: Vec<String>,
    /// Whether both sides of the tandem are staffed today. Only for authenticated
    /// callers; `null` in anonymous responses.
    pub staffing_status: Option<domain::staffing::StaffingStatus>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl OfficeView {
    pub fn from_row(
        row: &OfficeRow,
        district_codes: &[&str],
        provider: OrganizationRef,
        current_location: Option<LocationView>,
    ) -> Result<Self, RepoError> {
        let mut districts = district_codes
            .iter()
            .map(|c| district(c))
            .collect::<Result<Vec<_>, _>>()?;
        districts.sort();
        Ok(OfficeView {
            id: row.id.clone(),
            slug: row.slug.clone(),
            name: row.name.clone(),
            kind: row.kind()?,
            status: row.status()?,
            districts: districts.into_iter().map(|d| DistrictView::new(d, 0)).collect(),
            provider,
            opened_on: row.opened_on,
            closed_on: row.closed_on,
            contact: Contact {
                phone: row.phone.clone(),
                email: row.email.clone(),
            },
            description: row.description()?,
            current_location,
            opening_hours: String::new(),
            by_appointment: row.by_appointment,
            languages: Vec::new(),
            staffing_status: None,
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}
