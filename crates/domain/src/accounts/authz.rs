//! The one authorization policy: every protected handler asks [`authorize`] and
//! nothing else decides who may do what.

use std::collections::BTreeSet;

use crate::OfficeId;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an account may do across the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Accounts, integration tokens, audit log, and everything coordinators do.
    Admin,
    /// All offices: offices, relocations, organizations, staffing, reports.
    Coordinator,
    /// Office staff: writes to the offices they are assigned to.
    Staff,
    /// Read-only integration access; never writes, never sees personal data.
    Reader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Staff, Role::Reader];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Staff => "staff",
            Role::Reader => "reader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who is calling: a signed-in account or an integration token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Integration,
}

/// An authenticated caller as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id, or integration token id.
    pub id: String,
    pub kind: ActorKind,
    pub role: Role,
    /// Offices where the account holds an active staff assignment today.
    pub offices: BTreeSet<OfficeId>,
}

/// Every protected operation of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadOwnAccount,
    ChangeOwnPassword,
    ManageUsers,
    ManageApiTokens,
    ReadAuditLog,
    CreateOrganization,
    UpdateOrganization,
    CreateOffice,
    /// Name, slug, kind, status, provider, districts, opening and closing dates.
    UpdateOfficeStructure,
    /// Contact details and description: what the office's own staff keep current.
    UpdateOfficeDetails,
    RelocateOffice,
    /// See an office's tandem and its history (names of staff): never public.
    ReadStaffing,
    /// Assign, end and hand over staff.
    ManageStaffing,
    /// The network-wide staffing report.
    ReadStaffingReport,
    /// An office's consultation hours: its own staff keep them current.
    ManageConsultationHours,
    /// Services of one office.
    ManageLocalServices,
    /// The base offer shared by every office.
    ManageBaseServices,
    /// Record contact records and referrals of an office, correct and close them (the
    /// 14-day rule is `fieldwork::contact::edit_right`).
    RecordContacts,
    /// Read an office's contact records and referrals: never readers or integrations.
    ReadContacts,
    /// Home-visit appointments of an office (personal data): its staff and coordinators
    /// only. Admins, who read the access log, are deliberately not readers of what it logs.
    ManageHomeVisits,
    /// The personal-data access log: admins until the data-protection role exists.
    ReadAccessLog,
    /// Read network meetings (field work: staff see their offices' meetings).
    ReadNetworkMeetings,
    /// Record and correct network meetings (staff: meetings of their offices).
    RecordNetworkMeetings,
    /// The partner network beyond the public directory: internal partners and
    /// cooperations (staff with an office today, coordinators, admins).
    ReadPartnerNetwork,
    /// Start and end a partner's cooperation with an office (staff: their offices).
    ManageCooperations,
    /// Read partners' contact persons: personal data, every read is access-logged.
    ReadContactPersons,
    /// Add and update partners' contact persons.
    ManageContactPersons,
    /// The network-wide list of contact persons whose review is due.
    ReadContactReviews,
}

/// What the action touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Not tied to one office.
    Network,
    /// One office, by id.
    Office(&'a OfficeId),
    /// A record shared by several offices (a network meeting): staff need one of them.
    Offices(&'a [OfficeId]),
}

/// Why a request was refused; the API maps it to 403 `forbidden`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} accounts may not {action:?} here")]
pub struct Denied {
    pub role: &'static str,
    pub action: Action,
}

/// A staff account's scope: offices where it holds an assignment today.
fn own_office(actor: &Actor, resource: Resource<'_>) -> bool {
    matches!(resource, Resource::Office(id) if actor.offices.contains(id))
}

pub fn authorize(actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
    use Action::*;
    use Role::*;
    let user = actor.kind == ActorKind::User;
    let allowed = match action {
        ReadOwnAccount => true,
        ChangeOwnPassword => user,
        ManageUsers | ManageApiTokens | ReadAuditLog | ReadAccessLog => user && actor.role == Admin,
        CreateOrganization
        | UpdateOrganization
        | CreateOffice
        | UpdateOfficeStructure
        | RelocateOffice
        | ManageStaffing
        | ReadStaffingReport
        | ManageBaseServices => user && matches!(actor.role, Admin | Coordinator),
        UpdateOfficeDetails
        | ReadStaffing
        | ManageConsultationHours
        | ManageLocalServices
        | RecordContacts
        | ReadContacts => {
            user && match actor.role {
                Admin | Coordinator => true,
                Staff => own_office(actor, resource),
                Reader => false,
            }
        }
        ManageHomeVisits => {
            user && match actor.role {
                Coordinator => true,
                Staff => own_office(actor, resource),
                Admin | Reader => false,
            }
        }
        ReadNetworkMeetings
        | RecordNetworkMeetings
        | ReadPartnerNetwork
        | ManageCooperations
        | ReadContactPersons
        | ManageContactPersons => {
            user && match actor.role {
                Admin | Coordinator => true,
                Staff => field_work_scope(actor, resource),
                Reader => false,
            }
        }
        ReadContactReviews => user && matches!(actor.role, Admin | Coordinator),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied {
            role: actor.role.as_str(),
            action,
        })
    }
}

/// Field work of staff is the work of the offices they are assigned to today; a former
/// assignment gives nothing. `Network` stands for "the caller's own offices" (a list
/// narrowed to them, or a body naming the office, checked again once it is read), so it
/// needs an assignment today.
fn field_work_scope(actor: &Actor, resource: Resource<'_>) -> bool {
    match resource {
        Resource::Network => !actor.offices.is_empty(),
        Resource::Office(id) => actor.offices.contains(id),
        Resource::Offices(ids) => ids.iter().any(|id| actor.offices.contains(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;
    use proptest::prelude::*;

    /// Stable office ids for the names the tests use.
    fn office(name: &str) -> OfficeId {
        let n = name
            .bytes()
            .fold(0u128, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        OfficeId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn actor(role: Role, offices: &[&str]) -> Actor {
        Actor {
            id: "u".into(),
            kind: ActorKind::User,
            role,
            offices: offices.iter().map(|s| office(s)).collect(),
        }
    }

    const ALL_ACTIONS: [Action; 28] = [
        Action::ReadOwnAccount,
        Action::ChangeOwnPassword,
        Action::ManageUsers,
        Action::ManageApiTokens,
        Action::ReadAuditLog,
        Action::CreateOrganization,
        Action::UpdateOrganization,
        Action::CreateOffice,
        Action::UpdateOfficeStructure,
        Action::UpdateOfficeDetails,
        Action::RelocateOffice,
        Action::ReadStaffing,
        Action::ManageStaffing,
        Action::ReadStaffingReport,
        Action::ManageConsultationHours,
        Action::ManageLocalServices,
        Action::ManageBaseServices,
        Action::RecordContacts,
        Action::ReadContacts,
        Action::ManageHomeVisits,
        Action::ReadAccessLog,
        Action::ReadNetworkMeetings,
        Action::RecordNetworkMeetings,
        Action::ReadPartnerNetwork,
        Action::ManageCooperations,
        Action::ReadContactPersons,
        Action::ManageContactPersons,
        Action::ReadContactReviews,
    ];

    #[test]
    fn staff_write_only_their_own_offices_details() {
        let staff = actor(Role::Staff, &["own"]);
        assert!(
            authorize(
                &staff,
                Action::UpdateOfficeDetails,
                Resource::Office(&office("own"))
            )
            .is_ok()
        );
        assert!(
            authorize(
                &staff,
                Action::UpdateOfficeDetails,
                Resource::Office(&office("other"))
            )
            .is_err()
        );
        assert!(
            authorize(
                &staff,
                Action::UpdateOfficeStructure,
                Resource::Office(&office("own"))
            )
            .is_err()
        );
        assert!(authorize(&staff, Action::RelocateOffice, Resource::Office(&office("own"))).is_err());
    }

    #[test]
    fn field_work_stays_in_the_office() {
        let own = office("own");
        let other = office("other");
        for action in [
            Action::RecordContacts,
            Action::ReadContacts,
            Action::ManageHomeVisits,
        ] {
            let staff = actor(Role::Staff, &["own"]);
            assert!(authorize(&staff, action, Resource::Office(&own)).is_ok());
            assert!(authorize(&staff, action, Resource::Office(&other)).is_err());
            // A former assignment is no assignment: the scope is today's.
            assert!(authorize(&actor(Role::Staff, &[]), action, Resource::Office(&own)).is_err());
            assert!(authorize(&actor(Role::Reader, &[]), action, Resource::Office(&own)).is_err());
            assert!(authorize(&actor(Role::Coordinator, &[]), action, Resource::Office(&other)).is_ok());
        }
        let admin = actor(Role::Admin, &[]);
        assert!(authorize(&admin, Action::ReadContacts, Resource::Office(&own)).is_ok());
        assert!(authorize(&admin, Action::ManageHomeVisits, Resource::Office(&own)).is_err());
        assert!(authorize(&admin, Action::ReadAccessLog, Resource::Network).is_ok());
        let coordinator = actor(Role::Coordinator, &[]);
        assert!(authorize(&coordinator, Action::ReadAccessLog, Resource::Network).is_err());
    }

    #[test]
    fn integrations_only_read_themselves() {
        let token = Actor {
            kind: ActorKind::Integration,
            ..actor(Role::Reader, &[])
        };
        for action in ALL_ACTIONS {
            assert_eq!(
                authorize(&token, action, Resource::Network).is_ok(),
                action == Action::ReadOwnAccount
            );
        }
    }

    #[test]
    fn field_work_is_the_work_of_todays_offices() {
        let staff = actor(Role::Staff, &["own"]);
        let former = actor(Role::Staff, &[]);
        let (own, other) = (office("own"), office("other"));
        for action in [
            Action::ReadNetworkMeetings,
            Action::RecordNetworkMeetings,
            Action::ReadPartnerNetwork,
            Action::ManageCooperations,
            Action::ReadContactPersons,
            Action::ManageContactPersons,
        ] {
            assert!(authorize(&staff, action, Resource::Network).is_ok());
            assert!(authorize(&staff, action, Resource::Office(&own)).is_ok());
            assert!(authorize(&staff, action, Resource::Office(&other)).is_err());
            let shared = [other.clone(), own.clone()];
            assert!(authorize(&staff, action, Resource::Offices(&shared)).is_ok());
            assert!(authorize(&staff, action, Resource::Offices(&shared[..1])).is_err());
            // No assignment today: nothing, whatever the resource.
            assert!(authorize(&former, action, Resource::Network).is_err());
            assert!(authorize(&former, action, Resource::Offices(&shared)).is_err());
            assert!(authorize(&actor(Role::Reader, &[]), action, Resource::Network).is_err());
            assert!(authorize(&actor(Role::Coordinator, &[]), action, Resource::Office(&other)).is_ok());
        }
        assert!(authorize(&staff, Action::ReadContactReviews, Resource::Network).is_err());
        assert!(
            authorize(
                &actor(Role::Coordinator, &[]),
                Action::ReadContactReviews,
                Resource::Network
            )
            .is_ok()
        );
    }

    proptest! {
        /// Readers never write; admins may do everything but read home visits; nobody but
        /// admins manages accounts or reads the access log.
        #[test]
        fn role_invariants(role_i in 0usize..4, action_i in 0usize..28, own in any::<bool>()) {
            let role = Role::ALL[role_i];
            let action = ALL_ACTIONS[action_i];
            let a = actor(role, if own { &["o"] } else { &[] });
            let ok = authorize(&a, action, Resource::Office(&office("o"))).is_ok();
            match role {
                Role::Admin => prop_assert_eq!(ok, action != Action::ManageHomeVisits),
                Role::Reader => prop_assert_eq!(ok, matches!(action, Action::ReadOwnAccount | Action::ChangeOwnPassword)),
                _ => {}
            }
            if matches!(action, Action::ManageUsers | Action::ManageApiTokens | Action::ReadAuditLog | Action::ReadAccessLog) {
                prop_assert_eq!(ok, role == Role::Admin);
            }
        }
    }
}
