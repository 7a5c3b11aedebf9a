//! Rows as stored. The API builds its read views from these; they are not API types.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::network::partners::{ActorType, PartnerStaffing, Visibility};
use domain::{
    Address, Coordinates, District, LocalizedText, LocationPeriod, OfficeKind, OfficeStatus, OrganizationKind,
};

use crate::RepoError;
use crate::schema::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = districts)]
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub name_normalized: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub website: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Partners only (`domain::network::partners`).
    pub actor_type: Option<String>,
    pub staffing: Option<String>,
    /// `public` for every organization but internal partners.
    pub visibility: String,
}

impl OrganizationRow {
    pub fn kind(&self) -> Result<OrganizationKind, RepoError> {
        OrganizationKind::parse(&self.kind).ok_or_else(|| corrupt("organization kind", &self.kind))
    }

    /// Whether the organization is in the public directory (every one but internal partners).
    pub fn is_public(&self) -> bool {
        self.visibility == Visibility::Public.as_str()
    }

    pub fn visibility(&self) -> Result<Visibility, RepoError> {
        Visibility::parse(&self.visibility).ok_or_else(|| corrupt("visibility", &self.visibility))
    }

    pub fn actor_type(&self) -> Result<Option<ActorType>, RepoError> {
        self.actor_type
            .as_deref()
            .map(|t| ActorType::parse(t).ok_or_else(|| corrupt("actor type", t)))
            .transpose()
    }

    pub fn staffing(&self) -> Result<Option<PartnerStaffing>, RepoError> {
        self.staffing
            .as_deref()
            .map(|t| PartnerStaffing::parse(t).ok_or_else(|| corrupt("partner staffing", t)))
            .transpose()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organization_districts)]
pub struct OrganizationDistrictRow {
    pub organization_id: String,
    pub district_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = offices)]
pub struct OfficeRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub provider_organization_id: String,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub description: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub by_appointment: bool,
}

impl OfficeRow {
    pub fn kind(&self) -> Result<OfficeKind, RepoError> {
        OfficeKind::parse(&self.kind).ok_or_else(|| corrupt("office kind", &self.kind))
    }

    pub fn status(&self) -> Result<OfficeStatus, RepoError> {
        OfficeStatus::parse(&self.status).ok_or_else(|| corrupt("office status", &self.status))
    }

    pub fn description(&self) -> Result<LocalizedText, RepoError> {
        serde_json::from_str(&self.description).map_err(|_| corrupt("office description", &self.id))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = office_districts)]
pub struct OfficeDistrictRow {
    pub office_id: String,
    pub district_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = location_periods)]
pub struct LocationPeriodRow {
    pub id: String,
    pub office_id: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: String,
    pub district_code: String,
    pub premises: Option<String>,
    pub host_organization_id: Option<String>,
    pub temporary: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: NaiveDateTime,
    /// WGS84; both or neither (a database constraint).
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl LocationPeriodRow {
    pub fn address(&self) -> Result<Address, RepoError> {
        Ok(Address {
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            district: district(&self.district_code)?,
        })
    }

    pub fn coordinates(&self) -> Result<Option<Coordinates>, RepoError> {
        match (self.latitude, self.longitude) {
            (Some(latitude), Some(longitude)) => Ok(Some(Coordinates { latitude, longitude })),
            (None, None) => Ok(None),
            _ => Err(RepoError::Corrupt(format!(
                "location period {} has only one coordinate",
                self.id
            ))),
        }
    }

    pub fn to_domain(&self) -> Result<LocationPeriod, RepoError> {
        Ok(LocationPeriod {
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            address: self.address()?,
        })
    }
}

pub fn district(code: &str) -> Result<District, RepoError> {
    District::from_code(code).ok_or_else(|| corrupt("district", code))
}

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Corrupt(format!("unknown {what} {value:?}"))
}
