use domain::staffing::StaffingError;
use domain::{RelocationError, ValidationErrors};

/// What can go wrong in the persistence layer, in terms the API can map to problems.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// A rule of the current state forbids the change; `code` is the stable problem code.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Relocation(#[from] RelocationError),
    #[error(transparent)]
    Staffing(#[from] StaffingError),
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
    /// Turns constraint violations into conflicts the client can act on; the raw
    /// database message never leaves this crate.
    pub fn from_constraint(err: diesel::result::Error) -> RepoError {
        use diesel::result::{DatabaseErrorKind, Error};
        if let Error::DatabaseError(kind, info) = &err {
            let msg = info.message();
            let periods = msg.contains("location_periods_overlap")
                || (matches!(kind, DatabaseErrorKind::UniqueViolation) && msg.contains("location_periods"));
            if periods {
                return RepoError::Conflict {
                    code: "location_periods_overlap",
                    detail: "the office already has a location period covering that day".into(),
                };
            }
            if matches!(kind, DatabaseErrorKind::UniqueViolation) {
                return RepoError::Conflict {
                    code: "already_exists",
                    detail: "a record with the same unique value already exists".into(),
                };
            }
            if matches!(kind, DatabaseErrorKind::ForeignKeyViolation) {
                return RepoError::Conflict {
                    code: "reference_not_found",
                    detail: "a referenced record does not exist".into(),
                };
            }
        }
        RepoError::Database(err)
    }
}
