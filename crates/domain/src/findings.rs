//! Findings: integration obstacles and gaps in the local offer, noticed across cases
//! (never a case). Their lifecycle is one table of allowed transitions; every transition
//! is kept with its day, the actor's role and a note.

use crate::Role;

crate::coded_enum! {
    /// Something in the way, or an offer that is missing.
    pub enum FindingKind as "finding_kind" {
        /// A waiting time, a form only in German, a bus line that ends.
        Obstacle = "obstacle" ("Hindernis", "obstacle"),
        /// No Kita places, no evening language course.
        Gap = "gap" ("Angebotslücke", "gap in the offer"),
    }
}

crate::coded_enum! {
    /// Where a finding is in its life.
    pub enum FindingStatus as "finding_status" {
        Reported = "reported" ("gemeldet", "reported"),
        Confirmed = "confirmed" ("bestätigt", "confirmed"),
        InProgress = "in_progress" ("in Bearbeitung", "in progress"),
        Escalated = "escalated" ("eskaliert", "escalated"),
        Resolved = "resolved" ("behoben", "resolved"),
        NotResolvable = "not_resolvable" ("nicht lösbar", "not resolvable"),
        Reopened = "reopened" ("wieder geöffnet", "reopened"),
        Rejected = "rejected" ("verworfen", "rejected"),
        Duplicate = "duplicate" ("Dublette", "duplicate"),
    }
}

crate::coded_enum! {
    /// Where an escalated finding went.
    pub enum EscalationBody as "escalation_body" {
        DistrictCouncil = "district_council" ("Bezirksvertretung", "district council"),
        IntegrationCouncil = "integration_council" ("Integrationsrat", "integration council"),
        CityDepartment = "city_department" ("Fachbereich der Stadt", "city department"),
        ProviderManagement = "provider_management" ("Trägerleitung", "provider management"),
        State = "state" ("Land", "state"),
        Federal = "federal" ("Bund", "federal"),
        Other = "other" ("Sonstiges", "other"),
    }
}

/// The allowed transitions, one row per status: the whole state machine.
const TRANSITIONS: &[(FindingStatus, &[FindingStatus])] = {
    use FindingStatus::*;
    &[
        (Reported, &[Confirmed, Rejected, Duplicate]),
        (Confirmed, &[InProgress, Escalated, Resolved, Rejected, Duplicate]),
        (InProgress, &[Escalated, Resolved, NotResolvable]),
        (Escalated, &[InProgress, Resolved, NotResolvable]),
        (Resolved, &[Reopened]),
        (NotResolvable, &[Reopened]),
        (Reopened, &[InProgress, Escalated, Resolved, NotResolvable]),
        (Rejected, &[]),
        (Duplicate, &[]),
    ]
};

impl FindingStatus {
    /// The statuses this one may move to.
    pub fn next(self) -> &'static [FindingStatus] {
        TRANSITIONS
            .iter()
            .find(|(from, _)| *from == self)
            .map_or(&[], |(_, to)| *to)
    }

    /// No transition leaves it.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// Closing statuses: only coordinators (and admins) move a finding there.
    pub fn closes(self) -> bool {
        matches!(
            self,
            FindingStatus::Resolved
                | FindingStatus::NotResolvable
                | FindingStatus::Rejected
                | FindingStatus::Duplicate
        )
    }
}

/// What a transition carries besides its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransitionDetails {
    /// Required into `escalated`.
    pub escalated_to: Option<EscalationBody>,
    /// Required into `duplicate`: the finding it duplicates is named.
    pub merged_into_given: bool,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// 409 `invalid_transition`, naming the allowed targets.
    #[error("a {from} finding cannot become {to}; allowed: {}", allowed_list(*.from))]
    NotAllowed { from: FindingStatus, to: FindingStatus },
    /// 403: closing statuses are for coordinators and admins.
    #[error("only coordinators close findings ({to})")]
    CoordinatorsOnly { to: FindingStatus },
    /// 422 at `/escalated_to`.
    #[error("escalating names the body it goes to")]
    EscalationTargetMissing,
    /// 422 at `/merged_into`.
    #[error("a duplicate names the finding it duplicates")]
    MergeTargetMissing,
}

fn allowed_list(from: FindingStatus) -> String {
    let next = from.next();
    if next.is_empty() {
        "none (final)".to_owned()
    } else {
        next.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Checks one transition of a finding by an actor of `role`.
pub fn check_transition(
    from: FindingStatus,
    to: FindingStatus,
    role: Role,
    details: TransitionDetails,
) -> Result<(), TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    if to.closes() && !matches!(role, Role::Admin | Role::Coordinator) {
        return Err(TransitionError::CoordinatorsOnly { to });
    }
    match to {
        FindingStatus::Escalated if details.escalated_to.is_none() => {
            Err(TransitionError::EscalationTargetMissing)
        }
        FindingStatus::Duplicate if !details.merged_into_given => Err(TransitionError::MergeTargetMissing),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_one_row_and_final_ones_are_rejected_and_duplicate() {
        for status in FindingStatus::ALL {
            assert_eq!(
                TRANSITIONS.iter().filter(|(from, _)| from == status).count(),
                1,
                "{status}"
            );
        }
        let finals: Vec<_> = FindingStatus::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [&FindingStatus::Rejected, &FindingStatus::Duplicate]);
    }

    #[test]
    fn transitions_follow_the_table_roles_and_details() {
        use FindingStatus::*;
        let none = TransitionDetails::default();
        assert_eq!(check_transition(Reported, Confirmed, Role::Staff, none), Ok(()));
        assert_eq!(
            check_transition(Reported, InProgress, Role::Coordinator, none),
            Err(TransitionError::NotAllowed {
                from: Reported,
                to: InProgress
            })
        );
        let refused = check_transition(Rejected, Reopened, Role::Admin, none).unwrap_err();
        assert!(refused.to_string().contains("none (final)"));
        assert_eq!(
            check_transition(Confirmed, Resolved, Role::Staff, none),
            Err(TransitionError::CoordinatorsOnly { to: Resolved })
        );
        assert_eq!(
            check_transition(Confirmed, Resolved, Role::Coordinator, none),
            Ok(())
        );
        assert_eq!(
            check_transition(Confirmed, Escalated, Role::Staff, none),
            Err(TransitionError::EscalationTargetMissing)
        );
        let escalation = TransitionDetails {
            escalated_to: Some(EscalationBody::DistrictCouncil),
            ..none
        };
        assert_eq!(
            check_transition(Confirmed, Escalated, Role::Staff, escalation),
            Ok(())
        );
        assert_eq!(
            check_transition(Reported, Duplicate, Role::Coordinator, none),
            Err(TransitionError::MergeTargetMissing)
        );
        // Every allowed move is reachable for a coordinator with the details it needs.
        let full = TransitionDetails {
            escalated_to: Some(EscalationBody::Other),
            merged_into_given: true,
        };
        for from in FindingStatus::ALL {
            for to in from.next() {
                assert_eq!(
                    check_transition(*from, *to, Role::Coordinator, full),
                    Ok(()),
                    "{from} -> {to}"
                );
            }
        }
    }
}
