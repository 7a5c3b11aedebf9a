use domain::staffing::StaffingError;
use domain::{ProblemCode, RelocationError, ValidationErrors};

/// What can go wrong in the persistence layer, in terms the API can map to problems.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// A compare-and-swap on the version lost to a concurrent write (or the caller's
    /// copy was stale): nothing was changed.
    #[error("the record changed since it was read")]
    Stale,
    /// A rule of the current state or a database constraint refuses the change.
    #[error("{detail}")]
    Refused { code: ProblemCode, detail: String },
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Relocation(#[from] RelocationError),
    #[error(transparent)]
    Staffing(#[from] StaffingError),
    /// The write would leave the office in a state its invariants forbid.
    #[error(transparent)]
    Invariant(#[from] domain::directory::invariants::Violation),
    #[error("database setup: {0}")]
    Setup(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
}

impl RepoError {
    pub fn refused(code: ProblemCode, detail: impl Into<String>) -> RepoError {
        RepoError::Refused {
            code,
            detail: detail.into(),
        }
    }
}

/// A database constraint and what its violation means to a client. PostgreSQL names the
/// violated constraint; SQLite names the columns of a unique index, and a trigger's
/// refusal is its message on both.
struct Constraint {
    postgres: &'static str,
    sqlite: &'static str,
    code: ProblemCode,
    detail: &'static str,
}

/// Every constraint a client can run into, in one place.
const CONSTRAINTS: &[Constraint] = &[
    Constraint {
        postgres: "offices_slug_key",
        sqlite: "offices.slug",
        code: ProblemCode::SlugTaken,
        detail: "another office already uses this slug",
    },
    Constraint {
        postgres: "users_email_normalized_key",
        sqlite: "users.email_normalized",
        code: ProblemCode::EmailTaken,
        detail: "an account with this email already exists",
    },
    Constraint {
        postgres: "organizations_name_normalized_key",
        sqlite: "organizations.name_normalized",
        code: ProblemCode::OrganizationNameTaken,
        detail: "another organization already has this name",
    },
    Constraint {
        postgres: "location_periods_overlap",
        sqlite: "location_periods_overlap",
        code: ProblemCode::LocationPeriodsOverlap,
        detail: "the office already has a location period covering that day",
    },
    Constraint {
        postgres: "location_periods_one_open",
        sqlite: "location_periods.office_id",
        code: ProblemCode::LocationPeriodsOverlap,
        detail: "the office already has a location period covering that day",
    },
    Constraint {
        postgres: "location_periods_office_start",
        sqlite: "location_periods.office_id, location_periods.valid_from",
        code: ProblemCode::LocationPeriodsOverlap,
        detail: "the office already has a location period covering that day",
    },
    Constraint {
        postgres: "staff_assignments_overlap",
        sqlite: "staff_assignments_overlap",
        code: ProblemCode::SideAlreadyStaffed,
        detail: "the side is already staffed for that time",
    },
    Constraint {
        postgres: "staff_assignments_one_open_per_side",
        sqlite: "staff_assignments.office_id, staff_assignments.side",
        code: ProblemCode::SideAlreadyStaffed,
        detail: "the side is already staffed for that time",
    },
    Constraint {
        postgres: "cooperations_one_open",
        sqlite: "cooperations.organization_id, cooperations.office_id, cooperations.kind",
        code: ProblemCode::CooperationExists,
        detail: "the partner already has an open cooperation of this kind with the office",
    },
];

impl RepoError {
    /// Turns a constraint violation into the refusal the client can act on (by the
    /// constraint's name, see [`CONSTRAINTS`]); other database errors stay internal. The
    /// raw database message never leaves this crate.
    pub fn from_constraint(err: diesel::result::Error) -> RepoError {
        use diesel::result::{DatabaseErrorKind, Error};
        let Error::DatabaseError(kind, info) = &err else {
            return RepoError::Database(err);
        };
        let message = info.message();
        let name = info.constraint_name();
        let known = CONSTRAINTS
            .iter()
            .find(|c| name == Some(c.postgres) || message == c.postgres || message.contains(c.sqlite));
        if let Some(c) = known {
            return RepoError::refused(c.code, c.detail);
        }
        match kind {
            DatabaseErrorKind::UniqueViolation => RepoError::refused(
                ProblemCode::AlreadyExists,
                "a record with the same unique value already exists",
            ),
            DatabaseErrorKind::ForeignKeyViolation => RepoError::refused(
                ProblemCode::ReferenceNotFound,
                "a referenced record does not exist",
            ),
            _ => RepoError::Database(err),
        }
    }
}
