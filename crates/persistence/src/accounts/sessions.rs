//! Sign-in sessions and their refresh-token families.

use domain::{Id, OfficeId, SessionId, UserId};
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::Role;

use crate::accounts::users::UserRow;
use crate::schema::{refresh_tokens, sessions, staff_assignments, users};
use crate::{DbConnection, RepoError, new_id, write_tx};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// Starts a session with its first refresh token (given as its hash).
#[tracing::instrument(name = "db.accounts.sessions.start", skip_all)]
pub fn start(
    conn: &mut DbConnection,
    user_id: &UserId,
    refresh_hash: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<SessionRow, RepoError> {
    let user_id = user_id.as_str();
    write_tx(conn, |conn| {
        let row = SessionRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            created_at: now,
            expires_at,
            revoked_at: None,
            revoked_reason: None,
        };
        diesel::insert_into(sessions::table).values(&row).execute(conn)?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(refresh_hash),
                refresh_tokens::session_id.eq(&row.id),
                refresh_tokens::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(row)
    })
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was fresh: it is now spent and `new_hash` is the session's next token.
    Rotated { session: SessionRow, user: Box<UserRow> },
    /// The token was already spent: someone replayed it. The whole session is revoked.
    Reused { session: SessionRow },
    /// Unknown, expired, or its session has ended.
    Invalid,
    /// The session refreshed too often in the last minute; the token is not spent and
    /// may be presented again later.
    TooFrequent,
}

/// Refreshes a session may make per minute: a client needs one per access-token
/// lifetime; a loop that rotates as fast as it can only grows the database.
pub const REFRESHES_PER_MINUTE: i64 = 10;

#[tracing::instrument(name = "db.accounts.sessions.rotate", skip_all)]
pub fn rotate(
    conn: &mut DbConnection,
    presented_hash: &str,
    new_hash: &str,
    now: NaiveDateTime,
) -> Result<Rotation, RepoError> {
    write_tx(conn, |conn| {
        let found: Option<(Option<NaiveDateTime>, SessionRow)> = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(presented_hash))
            .select((refresh_tokens::used_at, SessionRow::as_select()))
            .first(conn)
            .optional()?;
        let Some((used_at, session)) = found else {
            return Ok(Rotation::Invalid);
        };
        if used_at.is_some() {
            if session.revoked_at.is_none() {
                revoke(
                    conn,
                    &SessionId::from_stored(session.id.clone()),
                    "refresh_token_reuse",
                    now,
                )?;
            }
            return Ok(Rotation::Reused { session });
        }
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        let user: UserRow = users::table
            .find(&session.user_id)
            .select(UserRow::as_select())
            .first(conn)?;
        if !user.active {
            return Ok(Rotation::Invalid);
        }
        let recent: i64 = refresh_tokens::table
            .filter(refresh_tokens::session_id.eq(&session.id))
            .filter(refresh_tokens::created_at.gt(now - chrono::TimeDelta::minutes(1)))
            .count()
            .get_result(conn)?;
        if recent > REFRESHES_PER_MINUTE {
            return Ok(Rotation::TooFrequent);
        }
        // Spend the token only if nobody else spent it in the meantime.
        let spent = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(presented_hash))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(Some(now)))
        .execute(conn)?;
        if spent == 0 {
            revoke(
                conn,
                &SessionId::from_stored(session.id.clone()),
                "refresh_token_reuse",
                now,
            )?;
            return Ok(Rotation::Reused { session });
        }
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(new_hash),
                refresh_tokens::session_id.eq(&session.id),
                refresh_tokens::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Rotation::Rotated {
            session,
            user: Box::new(user),
        })
    })
}

/// Ends a session (logout, reuse detection). Returns whether it was still open.
#[tracing::instrument(name = "db.accounts.sessions.revoke", skip_all)]
pub fn revoke(
    conn: &mut DbConnection,
    session_id: &SessionId,
    reason: &str,
    now: NaiveDateTime,
) -> Result<bool, RepoError> {
    let session_id = session_id.as_str();
    let n = diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// What authorization needs to know about a session right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub user_id: String,
    pub role: Role,
    pub password_change_required: bool,
    /// Offices where the account holds an assignment covering `today`.
    pub offices: BTreeSet<OfficeId>,
}

/// The state of a live session, or `None` when it is revoked, expired, or its account
/// is inactive.
pub fn state(
    conn: &mut DbConnection,
    session_id: &SessionId,
    now: NaiveDateTime,
) -> Result<Option<SessionState>, RepoError> {
    let session_id = session_id.as_str();
    let today = domain::directory::schedule::berlin_today(now.and_utc());
    let found: Option<(SessionRow, UserRow)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((session, user)) = found else {
        return Ok(None);
    };
    if session.revoked_at.is_some() || session.expires_at <= now || !user.active {
        return Ok(None);
    }
    Ok(Some(SessionState {
        role: user.role()?,
        password_change_required: user.password_change_required,
        offices: assigned_offices(conn, &UserId::from_stored(user.id.clone()), today)?,
        user_id: user.id,
    }))
}

/// Offices where `user_id` holds an assignment on `day` (`started_on <= day < ended_on`).
pub fn assigned_offices(
    conn: &mut DbConnection,
    user_id: &UserId,
    day: NaiveDate,
) -> Result<BTreeSet<OfficeId>, RepoError> {
    let user_id = user_id.as_str();
    Ok(staff_assignments::table
        .filter(staff_assignments::user_id.eq(user_id))
        .filter(staff_assignments::started_on.le(day))
        .filter(
            staff_assignments::ended_on
                .is_null()
                .or(staff_assignments::ended_on.gt(day)),
        )
        .select(staff_assignments::office_id)
        .load::<String>(conn)?
        .into_iter()
        .map(OfficeId::from_stored)
        .collect())
}
