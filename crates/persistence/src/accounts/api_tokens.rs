//! Named, expiring, revocable tokens for integrations. Only their hash is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{ApiTokenId, Id};

use crate::audit::{self, AuditContext, Change};
use crate::schema::api_tokens;
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    pub token_hash: String,
    pub role: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[tracing::instrument(name = "db.accounts.api_tokens.create", skip_all)]
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
    ctx: &AuditContext,
) -> Result<ApiTokenRow, RepoError> {
    write_tx(conn, |conn| {
        let row = ApiTokenRow {
            id: new_id(),
            name: name.trim().to_owned(),
            token_hash: token_hash.to_owned(),
            role: "reader".into(),
            created_by: ctx.actor_id.clone().unwrap_or_default(),
            created_at: ctx.at,
            expires_at,
            revoked_at: None,
        };
        diesel::insert_into(api_tokens::table)
            .values(&row)
            .execute(conn)
            .map_err(RepoError::from_constraint)?;
        audit::record(
            conn,
            ctx,
            Change {
                action: "api_token.created",
                resource_type: "api_token",
                resource_id: Some(&row.id),
                office_id: None,
                changed_fields: &["name", "expires_at"],
            },
        )?;
        Ok(row)
    })
}

pub fn list(conn: &mut DbConnection, after: Option<&str>, limit: i64) -> Result<Vec<ApiTokenRow>, RepoError> {
    let mut q = api_tokens::table.into_boxed();
    if let Some(after) = after {
        q = q.filter(api_tokens::id.gt(after));
    }
    Ok(q.order(api_tokens::id)
        .limit(limit)
        .select(ApiTokenRow::as_select())
        .load(conn)?)
}

#[tracing::instrument(name = "db.accounts.api_tokens.revoke", skip_all)]
pub fn revoke(
    conn: &mut DbConnection,
    id: &ApiTokenId,
    ctx: &AuditContext,
) -> Result<ApiTokenRow, RepoError> {
    let id = id.as_str();
    write_tx(conn, |conn| {
        let n = diesel::update(api_tokens::table.find(id))
            .set(api_tokens::revoked_at.eq(Some(ctx.at)))
            .execute(conn)?;
        if n == 0 {
            return Err(RepoError::NotFound);
        }
        audit::record(
            conn,
            ctx,
            Change {
                action: "api_token.revoked",
                resource_type: "api_token",
                resource_id: Some(id),
                office_id: None,
                changed_fields: &["revoked_at"],
            },
        )?;
        Ok(api_tokens::table
            .find(id)
            .select(ApiTokenRow::as_select())
            .first(conn)?)
    })
}

/// A live token by hash: not revoked, not expired.
pub fn find_live(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<ApiTokenRow>, RepoError> {
    Ok(api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(now))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?)
}
