//! Location periods: where an office was, is, and will be.
//!
//! Periods are half-open date ranges `[valid_from, valid_to)`: `valid_to` is the
//! day the office moved out, which is also the first day of the next period, so a
//! history has no gaps and no overlaps by construction. `valid_to = None` marks
//! the open (latest) period. A move may be announced ahead, so the open period can
//! start in the future while the one before it is still current today.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{District, ValidationErrors};

/// A postal address in Dortmund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and house number. `null` only in historical records whose street was never published.
    #[schema(example = "Westerfilder Straße 54")]
    pub street: Option<String>,
    /// Five-digit German postal code; `null` only in historical records.
    #[schema(example = "44357")]
    pub postal_code: Option<String>,
    #[schema(example = "Dortmund")]
    pub city: String,
    pub district: District,
}

/// An address as a write gives it: unlike stored historical records, a new address always
/// has a street and a postal code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// Street and house number.
    #[schema(example = "Westerfilder Straße 54")]
    pub street: String,
    /// Five-digit German postal code.
    #[schema(example = "44357")]
    pub postal_code: String,
    #[schema(example = "Dortmund")]
    pub city: String,
    pub district: District,
}

impl From<AddressInput> for Address {
    fn from(input: AddressInput) -> Address {
        Address {
            street: Some(input.street),
            postal_code: Some(input.postal_code),
            city: input.city,
            district: input.district,
        }
    }
}

impl Address {
    /// Rules for an address entered today: street and postal code are required.
    pub fn validate_new(&self, pointer: &str, errors: &mut ValidationErrors) {
        match &self.street {
            Some(street) => errors.require_text(&format!("{pointer}/street"), street, 200),
            None => errors.add(format!("{pointer}/street"), "is required"),
        }
        match &self.postal_code {
            Some(code) if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) => {}
            Some(_) => errors.add(format!("{pointer}/postal_code"), "must be five digits"),
            None => errors.add(format!("{pointer}/postal_code"), "is required"),
        }
        errors.require_text(&format!("{pointer}/city"), &self.city, 100);
    }

    /// Two addresses are the same place when street, postal code and city match,
    /// ignoring case and runs of whitespace ("Schildplatz  7" is "schildplatz 7").
    pub fn same_place(&self, other: &Address) -> bool {
        fn norm(s: &str) -> String {
            crate::text::comparison_key(s)
        }
        let opt = |s: &Option<String>| s.as_deref().map(norm);
        opt(&self.street) == opt(&other.street)
            && opt(&self.postal_code) == opt(&other.postal_code)
            && norm(&self.city) == norm(&other.city)
    }
}

/// WGS84 coordinates of a location in decimal degrees, so a map needs no geocoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// A latitude/longitude box, bounds included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
}

impl Area {
    pub fn contains(&self, latitude: f64, longitude: f64) -> bool {
        (self.south..=self.north).contains(&latitude) && (self.west..=self.east).contains(&longitude)
    }
}

/// Where an office's coordinates may lie: Dortmund (about 51.42 to 51.60 degrees north,
/// 7.30 to 7.64 east) with a margin of about five kilometres. Generous for places at the
/// city limits, tight enough to catch swapped, mistyped or sign-flipped values and places
/// in other cities; the database itself only keeps values on the globe.
pub const PLAUSIBLE_AREA: Area = Area {
    south: 51.35,
    north: 51.65,
    west: 7.25,
    east: 7.70,
};

impl Coordinates {
    /// Checks a pair as given (`None`: absent or `null`), with errors at
    /// `{prefix}/latitude` and `{prefix}/longitude`: both or neither, each within the
    /// WGS84 range, and together within [`PLAUSIBLE_AREA`]. Returns the coordinates when
    /// both are given and valid.
    pub fn check(
        latitude: Option<f64>,
        longitude: Option<f64>,
        prefix: &str,
        e: &mut ValidationErrors,
    ) -> Option<Coordinates> {
        let (lat_at, lon_at) = (format!("{prefix}/latitude"), format!("{prefix}/longitude"));
        let (latitude, longitude) = match (latitude, longitude) {
            (None, None) => return None,
            (Some(_), None) => {
                e.add(lon_at, "is required with latitude (give both, or neither)");
                return None;
            }
            (None, Some(_)) => {
                e.add(lat_at, "is required with longitude (give both, or neither)");
                return None;
            }
            (Some(lat), Some(lon)) => (lat, lon),
        };
        let lat_on_globe = (-90.0..=90.0).contains(&latitude);
        let lon_on_globe = (-180.0..=180.0).contains(&longitude);
        if !lat_on_globe {
            e.add(&lat_at, "must be between -90 and 90 (WGS84 decimal degrees)");
        }
        if !lon_on_globe {
            e.add(&lon_at, "must be between -180 and 180 (WGS84 decimal degrees)");
        }
        if !(lat_on_globe && lon_on_globe) {
            return None;
        }
        let area = PLAUSIBLE_AREA;
        if area.contains(latitude, longitude) {
            return Some(Coordinates { latitude, longitude });
        }
        let hint = if area.contains(longitude, latitude) {
            "; latitude and longitude look swapped"
        } else {
            ""
        };
        if !(area.south..=area.north).contains(&latitude) {
            e.add(
                lat_at,
                format!(
                    "must lie in Dortmund: between {} and {} degrees north{hint}",
                    area.south, area.north
                ),
            );
        }
        if !(area.west..=area.east).contains(&longitude) {
            e.add(
                lon_at,
                format!(
                    "must lie in Dortmund: between {} and {} degrees east{hint}",
                    area.west, area.east
                ),
            );
        }
        None
    }
}

/// The date range and address of one period, as far as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationPeriod {
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub address: Address,
}

impl LocationPeriod {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day < to)
    }
}

/// Why a relocation cannot be recorded. Each maps to one stable problem code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelocationError {
    #[error("the office has no open location period (it is closed or has no location yet)")]
    NoOpenPeriod,
    #[error("the move on {moved_on} is not after the start of the current period on {current_from}")]
    PredatesCurrentPeriod {
        moved_on: NaiveDate,
        current_from: NaiveDate,
    },
    #[error("the new address is the office's current address")]
    SameAddress,
}

impl RelocationError {
    pub fn code(&self) -> crate::ProblemCode {
        match self {
            RelocationError::NoOpenPeriod => crate::ProblemCode::NoOpenLocationPeriod,
            RelocationError::PredatesCurrentPeriod { .. } => crate::ProblemCode::MovePredatesCurrentPeriod,
            RelocationError::SameAddress => crate::ProblemCode::MoveToCurrentAddress,
        }
    }
}

/// What a valid relocation does: close the open period on `moved_on` and open a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelocationPlan {
    /// Index of the period to close in the given history.
    pub close_index: usize,
    pub moved_on: NaiveDate,
}

/// Decides whether an office with this history (oldest first) may move to
/// `new_address` on `moved_on`.
pub fn plan_relocation(
    history: &[LocationPeriod],
    moved_on: NaiveDate,
    new_address: &Address,
) -> Result<RelocationPlan, RelocationError> {
    let close_index = history
        .iter()
        .rposition(|p| p.valid_to.is_none())
        .ok_or(RelocationError::NoOpenPeriod)?;
    let open = &history[close_index];
    if moved_on <= open.valid_from {
        return Err(RelocationError::PredatesCurrentPeriod {
            moved_on,
            current_from: open.valid_from,
        });
    }
    if open.address.same_place(new_address) {
        return Err(RelocationError::SameAddress);
    }
    Ok(RelocationPlan {
        close_index,
        moved_on,
    })
}

/// Applies a plan to a history: the open period ends on the move day, the new one starts then.
pub fn apply_relocation(history: &mut Vec<LocationPeriod>, plan: &RelocationPlan, to: Address) {
    history[plan.close_index].valid_to = Some(plan.moved_on);
    history.push(LocationPeriod {
        valid_from: plan.moved_on,
        valid_to: None,
        address: to,
    });
}

/// Checks the invariants every stored history must keep: each period is non-empty,
/// each begins the day the previous one ended, and only the last may be open.
pub fn check_history(history: &[LocationPeriod]) -> Result<(), String> {
    for (i, p) in history.iter().enumerate() {
        if let Some(to) = p.valid_to
            && to <= p.valid_from
        {
            return Err(format!("period {i} is empty or reversed"));
        }
        if let Some(next) = history.get(i + 1) {
            match p.valid_to {
                None => return Err(format!("period {i} is open but not the last")),
                Some(to) if to != next.valid_from => {
                    return Err(format!("periods {i} and {} overlap or leave a gap", i + 1));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The period that applies on `day`, if the office had a location then.
pub fn current_on(history: &[LocationPeriod], day: NaiveDate) -> Option<&LocationPeriod> {
    history.iter().find(|p| p.covers(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn addr(street: &str) -> Address {
        Address {
            street: Some(street.to_owned()),
            postal_code: Some("44357".into()),
            city: "Dortmund".into(),
            district: District::Mengede,
        }
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2018, 1, 1).unwrap() + chrono::Days::new(u64::try_from(n).unwrap())
    }

    fn start(street: &str, from: NaiveDate) -> Vec<LocationPeriod> {
        vec![LocationPeriod {
            valid_from: from,
            valid_to: None,
            address: addr(street),
        }]
    }

    #[test]
    fn relocation_closes_open_period_on_move_day() {
        let mut h = start("Gemeindehaus", day(0));
        let plan = plan_relocation(&h, day(300), &addr("Westerfilder Straße 54")).unwrap();
        apply_relocation(&mut h, &plan, addr("Westerfilder Straße 54"));
        assert_eq!(h[0].valid_to, Some(day(300)));
        assert_eq!(h[1].valid_from, day(300));
        assert!(check_history(&h).is_ok());
        assert_eq!(current_on(&h, day(299)).unwrap().address, addr("Gemeindehaus"));
        assert_eq!(
            current_on(&h, day(300)).unwrap().address,
            addr("Westerfilder Straße 54")
        );
    }

    #[test]
    fn rejects_move_on_or_before_current_start() {
        let h = start("A", day(10));
        for d in [day(9), day(10)] {
            assert_eq!(
                plan_relocation(&h, d, &addr("B")).unwrap_err().code(),
                crate::ProblemCode::MovePredatesCurrentPeriod
            );
        }
    }

    #[test]
    fn rejects_move_to_same_address_ignoring_case_and_spaces() {
        let h = start("Schildplatz 7", day(0));
        let err = plan_relocation(&h, day(5), &addr("  schildplatz   7 ")).unwrap_err();
        assert_eq!(err, RelocationError::SameAddress);
    }

    #[test]
    fn rejects_move_without_open_period() {
        let mut h = start("A", day(0));
        h[0].valid_to = Some(day(100));
        assert_eq!(
            plan_relocation(&h, day(200), &addr("B")).unwrap_err(),
            RelocationError::NoOpenPeriod
        );
    }

    #[test]
    fn check_history_finds_overlaps_gaps_and_inner_open_periods() {
        let mk = |f: i64, t: Option<i64>| LocationPeriod {
            valid_from: day(f),
            valid_to: t.map(day),
            address: addr("A"),
        };
        assert!(check_history(&[mk(0, Some(10)), mk(5, None)]).is_err());
        assert!(check_history(&[mk(0, Some(10)), mk(12, None)]).is_err());
        assert!(check_history(&[mk(0, None), mk(12, None)]).is_err());
        assert!(check_history(&[mk(3, Some(3))]).is_err());
        assert!(check_history(&[mk(0, Some(10)), mk(10, None)]).is_ok());
    }

    #[test]
    fn new_addresses_need_street_and_postal_code() {
        let mut e = ValidationErrors::default();
        Address {
            street: None,
            postal_code: Some("4435".into()),
            city: " ".into(),
            district: District::Eving,
        }
        .validate_new("/address", &mut e);
        let pointers: Vec<_> = e.0.iter().map(|f| f.pointer.as_deref().unwrap()).collect();
        assert_eq!(
            pointers,
            ["/address/street", "/address/postal_code", "/address/city"]
        );
    }

    fn check(lat: Option<f64>, lon: Option<f64>) -> (Option<Coordinates>, Vec<(String, String)>) {
        let mut e = ValidationErrors::default();
        let c = Coordinates::check(lat, lon, "/location", &mut e);
        let errors = e.0.into_iter().map(|f| (f.pointer.unwrap(), f.message)).collect();
        (c, errors)
    }

    #[test]
    fn coordinates_in_dortmund_are_accepted() {
        // Westerfilde and the city's extremes with their margin.
        for (lat, lon) in [(51.5447, 7.3857), (51.35, 7.25), (51.65, 7.7)] {
            assert_eq!(
                check(Some(lat), Some(lon)),
                (
                    Some(Coordinates {
                        latitude: lat,
                        longitude: lon
                    }),
                    vec![]
                )
            );
        }
        assert_eq!(check(None, None), (None, vec![]));
    }

    #[test]
    fn coordinates_come_in_pairs() {
        let (c, errors) = check(Some(51.5), None);
        assert_eq!(c, None);
        assert_eq!(errors[0].0, "/location/longitude");
        let (_, errors) = check(None, Some(7.4));
        assert_eq!(errors[0].0, "/location/latitude");
    }

    #[test]
    fn coordinates_off_the_globe_or_outside_dortmund_are_refused() {
        let pointers = |lat, lon| {
            check(Some(lat), Some(lon))
                .1
                .into_iter()
                .map(|(p, m)| format!("{p}: {m}"))
                .collect::<Vec<_>>()
        };
        let off = pointers(91.0, -181.0);
        assert_eq!(off.len(), 2);
        assert!(off[0].starts_with("/location/latitude: must be between -90 and 90"));
        assert!(off[1].starts_with("/location/longitude: must be between -180 and 180"));
        assert!(pointers(f64::NAN, 7.4)[0].starts_with("/location/latitude: must be between"));
        // Essen: on the globe, not in Dortmund.
        let essen = pointers(51.4556, 7.0116);
        assert_eq!(essen.len(), 1);
        assert!(essen[0].starts_with("/location/longitude: must lie in Dortmund"));
        // Swapped values are named as such.
        let swapped = pointers(7.3857, 51.5447);
        assert_eq!(swapped.len(), 2);
        assert!(swapped.iter().all(|m| m.ends_with("look swapped")));
        // A flipped sign.
        assert_eq!(pointers(-51.5447, 7.3857).len(), 1);
    }

    proptest! {
        /// Any sequence of attempted moves keeps the history valid, accepts exactly
        /// the moves after the open period's start to another address, and leaves
        /// exactly one period covering every day from the opening on.
        #[test]
        fn random_moves_keep_history_valid(moves in prop::collection::vec((0i64..2000, 0u8..4), 0..40)) {
            let mut h = start("street 0", day(0));
            for (d, street) in moves {
                let to = addr(&format!("street {street}"));
                let open = h.last().unwrap().clone();
                let expected_ok = day(d) > open.valid_from && !open.address.same_place(&to);
                match plan_relocation(&h, day(d), &to) {
                    Ok(plan) => {
                        prop_assert!(expected_ok);
                        apply_relocation(&mut h, &plan, to);
                    }
                    Err(_) => prop_assert!(!expected_ok),
                }
                prop_assert!(check_history(&h).is_ok());
            }
            for d in 0..2100 {
                prop_assert_eq!(h.iter().filter(|p| p.covers(day(d))).count(), 1);
            }
        }
    }
}
