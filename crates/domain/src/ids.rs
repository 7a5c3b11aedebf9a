//! Typed ids: an office id cannot be passed where a user id is expected. Every id is a
//! UUID (version 7 for new records: unguessable and sortable by creation), held in its
//! canonical text form, which is also how it is stored.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// What every typed id can do.
pub trait Id: Sized + Clone + fmt::Display {
    /// The kind of record, for messages (`"office"`, `"user"`).
    const KIND: &'static str;

    /// Wraps a UUID.
    fn from_uuid(id: Uuid) -> Self;

    fn as_str(&self) -> &str;

    /// A fresh UUIDv7.
    fn generate() -> Self {
        Self::from_uuid(Uuid::now_v7())
    }

    /// Parses any UUID spelling into the canonical form; `None` for anything else.
    fn parse(raw: &str) -> Option<Self> {
        Uuid::parse_str(raw).ok().map(Self::from_uuid)
    }
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident => $kind:literal;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl Id for $name {
            const KIND: &'static str = $kind;

            fn from_uuid(id: Uuid) -> Self {
                $name(id.hyphenated().to_string())
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            /// An id read back from the database, which only ever stores canonical ids.
            pub fn from_stored(id: String) -> Self {
                $name(id)
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                <$name as Id>::parse(&raw)
                    .ok_or_else(|| serde::de::Error::custom(concat!("a ", $kind, " id must be a UUID")))
            }
        }
    )+};
}

ids! {
    /// An office or outpost.
    OfficeId => "office";
    /// A user account.
    UserId => "user";
    /// The city, a welfare provider or a partner organization.
    OrganizationId => "organization";
    /// A staff assignment (one side of an office's tandem, for a time).
    AssignmentId => "assignment";
    /// A service of the base offer or of one office.
    ServiceId => "service";
    /// An integration token.
    ApiTokenId => "integration token";
    /// A sign-in session.
    SessionId => "session";
    /// A location period of an office.
    LocationPeriodId => "location period";
    /// A network meeting (round table, working group, training...).
    NetworkMeetingId => "network meeting";
    /// A partner's cooperation with an office.
    CooperationId => "cooperation";
    /// A contact person of a partner organization.
    ContactPersonId => "contact person";
    /// A contact record (field work).
    ContactId => "contact record";
    /// A referral inside a contact record.
    ReferralId => "referral";
    /// A home-visit appointment.
    HomeVisitId => "home visit";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_uuids() {
        let upper = "0190F1C2-3B4A-7C5D-8E6F-A1B2C3D4E5F6";
        let id = OfficeId::parse(upper).map(|id| id.to_string());
        assert_eq!(id.as_deref(), Some("0190f1c2-3b4a-7c5d-8e6f-a1b2c3d4e5f6"));
        assert!(OfficeId::parse("mengede-huckarde").is_none());
        assert!(serde_json::from_str::<UserId>("\"x\"").is_err());
        let generated = UserId::generate();
        assert_eq!(UserId::parse(generated.as_str()), Some(generated));
    }
}
