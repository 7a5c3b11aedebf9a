//! Views of accounts, tokens and audit events. No hash or secret ever appears here,
//! except a token's plain value in the one response that creates it.

use chrono::{DateTime, Utc};
use domain::Role;
use persistence::RepoError;
use persistence::accounts::api_tokens::ApiTokenRow;
use persistence::accounts::users::UserRow;
use persistence::audit::AuditEventRow;
use serde::Serialize;
use utoipa::ToSchema;

/// An account, as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "erika.mustermann@stadtdo.de")]
    pub email: String,
    pub display_name: String,
    #[schema(format = Uuid)]
    pub employer_organization_id: String,
    pub role: Role,
    pub active: bool,
    /// The account signs in with a password set by an admin and must choose its own.
    pub password_change_required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub(crate) version: i64,
}

impl UserView {
    pub fn from_row(row: &UserRow) -> Result<UserView, RepoError> {
        Ok(UserView {
            id: row.id.clone(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            employer_organization_id: row.employer_organization_id.clone(),
            role: row.role()?,
            active: row.active,
            password_change_required: row.password_change_required,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}

/// Who the caller is: an account, or an integration token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    #[schema(format = Uuid)]
    pub id: String,
    /// `user` or `integration`.
    #[schema(example = "user")]
    pub kind: String,
    pub role: Role,
    pub email: Option<String>,
    pub display_name: String,
    pub employer_organization_id: Option<String>,
    pub password_change_required: bool,
    /// Offices the account is assigned to today (its write scope as staff).
    pub offices: Vec<String>,
}

/// What a successful sign-in or refresh returns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    /// EdDSA-signed JWT; send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Opaque; exchange at `/api/v1/auth/refresh` for a new pair. Single use.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
}

/// An integration token, without its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiTokenView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub role: Role,
    #[schema(format = Uuid)]
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiTokenView {
    pub fn from_row(row: &ApiTokenRow) -> ApiTokenView {
        ApiTokenView {
            id: row.id.clone(),
            name: row.name.clone(),
            role: Role::Reader,
            created_by: row.created_by.clone(),
            created_at: row.created_at.and_utc(),
            expires_at: row.expires_at.and_utc(),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// A newly created integration token: `token` is shown here once and never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewApiTokenView {
    #[serde(flatten)]
    pub token_info: ApiTokenView,
    /// The secret; store it now. Only its hash is kept.
    pub token: String,
}

/// One recorded change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventView {
    #[schema(format = Uuid)]
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// `user`, `integration`, or a system actor such as `cli`.
    pub actor_kind: Option<String>,
    pub actor_role: Option<String>,
    #[schema(example = "office.relocated")]
    pub action: String,
    #[schema(example = "office")]
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub office_id: Option<String>,
    pub request_id: Option<String>,
    /// Names of the changed fields; values are not logged.
    pub changed_fields: Vec<String>,
}

impl AuditEventView {
    pub fn from_row(row: &AuditEventRow) -> AuditEventView {
        AuditEventView {
            id: row.id.clone(),
            occurred_at: row.occurred_at.and_utc(),
            actor_id: row.actor_id.clone(),
            actor_kind: row.actor_kind.clone(),
            actor_role: row.actor_role.clone(),
            action: row.action.clone(),
            resource_type: row.resource_type.clone(),
            resource_id: row.resource_id.clone(),
            office_id: row.office_id.clone(),
            request_id: row.request_id.clone(),
            changed_fields: serde_json::from_str(&row.changed_fields).unwrap_or_default(),
        }
    }
}
