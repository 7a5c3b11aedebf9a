//! Request bodies of the directory writes and their validation.

use chrono::NaiveDate;
use domain::{
    Address, District, LocalizedText, OfficeKind, OfficeStatus, OrganizationKind, ValidationErrors,
};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// Distinguishes an absent field (leave as is) from an explicit `null` (clear it).
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganizationRequest {
    #[schema(example = "Jugendhilfe St. Elisabeth")]
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    #[schema(example = "https://www.example.org")]
    pub website: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "present")]
    pub website: Option<Option<String>>,
}

pub fn validate_website(pointer: &str, url: &str, errors: &mut ValidationErrors) {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 300
        && !url.chars().any(char::is_whitespace);
    if !ok {
        errors.add(pointer, "must be an http(s) URL of at most 300 characters");
    }
}

impl NewOrganizationRequest {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.require_text("/name", &self.name, 200);
        if let Some(s) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(w) = &self.website {
            validate_website("/website", w, &mut e);
        }
        e.into_result()
    }
}

impl OrganizationPatch {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(n) = &self.name {
            e.require_text("/name", n, 200);
        }
        if let Some(Some(s)) = &self.short_name {
            e.require_text("/short_name", s, 100);
        }
        if let Some(Some(w)) = &self.website {
            validate_website("/website", w, &mut e);
        }
        e.into_result()
    }
}

/// Where an office is from `valid_from` on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub valid_from: NaiveDate,
    pub address: Address,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// A move: the open location period ends on `moved_on` and the new one starts that day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelocationRequest {
    pub moved_on: NaiveDate,
    pub address: Address,
    #[schema(example = "Ladenlokal")]
    pub premises: Option<String>,
    #[schema(format = Uuid)]
    pub host_organization_id: Option<String>,
    #[serde(default)]
    pub temporary: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

pub fn validate_location_text(
    address: &Address,
    premises: &Option<String>,
    reason: &Option<String>,
    note: &Option<String>,
    e: &mut ValidationErrors,
) {
    address.validate_new("/address", e);
    for (pointer, value, max) in [
        ("/premises", premises, 200),
        ("/reason", reason, 500),
        ("/note", note, 1000),
    ] {
        if let Some(v) = value {
            e.require_text(pointer, v, max);
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[schema(example = "0231 50 11 148")]
    pub phone: Option<String>,
    #[schema(example = "lokalwillkommen.mh@stadtdo.de")]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficeRequest {
    #[schema(example = "innenstadt-nord")]
    pub slug: String,
    #[schema(example = "lokal willkommen Innenstadt-Nord")]
    pub name: String,
    pub kind: OfficeKind,
    pub status: OfficeStatus,
    /// The welfare provider running the office with the city.
    #[schema(format = Uuid)]
    pub provider_organization_id: String,
    pub districts: Vec<District>,
    pub opened_on: Option<NaiveDate>,
    #[serde(default)]
    pub contact: ContactInput,
    pub description: LocalizedText,
    /// The first location, if already known.
    pub location: Option<LocationInput>,
}

/// Only the fields present change. Contact and description may be changed by the
/// office's own staff; every other field needs a coordinator or admin.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficePatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<OfficeKind>,
    pub status: Option<OfficeStatus>,
    #[schema(format = Uuid)]
    pub provider_organization_id: Option<String>,
    pub districts: Option<Vec<District>>,
    #[serde(default, deserialize_with = "present")]
    pub opened_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub closed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    pub description: Option<LocalizedText>,
}

impl OfficePatch {
    /// Whether the patch touches anything beyond contact details and description.
    pub fn touches_structure(&self) -> bool {
        self.slug.is_some()
            || self.name.is_some()
            || self.kind.is_some()
            || self.status.is_some()
            || self.provider_organization_id.is_some()
            || self.districts.is_some()
            || self.opened_on.is_some()
            || self.closed_on.is_some()
    }
}

pub fn validate_slug(pointer: &str, slug: &str, e: &mut ValidationErrors) {
    if domain::Slug::parse(slug).is_none() || uuid::Uuid::parse_str(slug).is_ok() {
        e.add(pointer, "3 to 64 lowercase letters, digits and single hyphens");
    }
}

pub fn validate_districts(pointer: &str, districts: &[District], e: &mut ValidationErrors) {
    let mut unique = districts.to_vec();
    unique.sort();
    unique.dedup();
    if districts.is_empty() {
        e.add(pointer, "an office serves at least one district");
    } else if unique.len() != districts.len() {
        e.add(pointer, "lists a district twice");
    }
}

pub fn validate_phone(pointer: &str, phone: &str, e: &mut ValidationErrors) {
    let ok = (3..=50).contains(&phone.trim().len())
        && phone.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c));
    if !ok {
        e.add(pointer, "digits, spaces and + - / ( ), at most 50 characters");
    }
}

pub fn validate_email(pointer: &str, email: &str, e: &mut ValidationErrors) {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'));
    if !ok {
        e.add(pointer, "must be an email address");
    }
}
