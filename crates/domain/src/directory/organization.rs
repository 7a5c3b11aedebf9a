use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What role an organization plays in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// The City of Dortmund, employer of the city side of every tandem.
    Municipality,
    /// A welfare provider (Caritas, Diakonie, AWO, DRK, ...) running offices with the city.
    WelfareProvider,
    /// Parishes, associations, schools: host premises, take referrals, join round tables.
    Partner,
}

impl OrganizationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::Municipality => "municipality",
            OrganizationKind::WelfareProvider => "welfare_provider",
            OrganizationKind::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Municipality, Self::WelfareProvider, Self::Partner]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}
