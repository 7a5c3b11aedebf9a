use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of Dortmund's twelve city districts (Stadtbezirke).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum District {
    InnenstadtWest,
    InnenstadtNord,
    InnenstadtOst,
    Eving,
    Scharnhorst,
    Brackel,
    Aplerbeck,
    Hoerde,
    Hombruch,
    Luetgendortmund,
    Huckarde,
    Mengede,
}

impl District {
    pub const ALL: [District; 12] = [
        District::InnenstadtWest,
        District::InnenstadtNord,
        District::InnenstadtOst,
        District::Eving,
        District::Scharnhorst,
        District::Brackel,
        District::Aplerbeck,
        District::Hoerde,
        District::Hombruch,
        District::Luetgendortmund,
        District::Huckarde,
        District::Mengede,
    ];

    /// The stable code used in URLs, filters and the database.
    pub fn code(self) -> &'static str {
        match self {
            District::InnenstadtWest => "innenstadt-west",
            District::InnenstadtNord => "innenstadt-nord",
            District::InnenstadtOst => "innenstadt-ost",
            District::Eving => "eving",
            District::Scharnhorst => "scharnhorst",
            District::Brackel => "brackel",
            District::Aplerbeck => "aplerbeck",
            District::Hoerde => "hoerde",
            District::Hombruch => "hombruch",
            District::Luetgendortmund => "luetgendortmund",
            District::Huckarde => "huckarde",
            District::Mengede => "mengede",
        }
    }

    /// The official German name, with umlauts.
    pub fn name(self) -> &'static str {
        match self {
            District::InnenstadtWest => "Innenstadt-West",
            District::InnenstadtNord => "Innenstadt-Nord",
            District::InnenstadtOst => "Innenstadt-Ost",
            District::Eving => "Eving",
            District::Scharnhorst => "Scharnhorst",
            District::Brackel => "Brackel",
            District::Aplerbeck => "Aplerbeck",
            District::Hoerde => "Hörde",
            District::Hombruch => "Hombruch",
            District::Luetgendortmund => "Lütgendortmund",
            District::Huckarde => "Huckarde",
            District::Mengede => "Mengede",
        }
    }

    pub fn from_code(code: &str) -> Option<District> {
        District::ALL.into_iter().find(|d| d.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for d in District::ALL {
            assert_eq!(District::from_code(d.code()), Some(d));
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{}\"", d.code()));
        }
        assert_eq!(District::from_code("dortmund"), None);
    }
}
