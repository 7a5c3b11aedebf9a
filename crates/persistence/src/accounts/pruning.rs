//! Removes what sign-in leaves behind once it can no longer matter: refresh tokens and
//! sessions of ended sign-ins, and throttle counters that have been forgotten. Without
//! this, every refresh adds a row for good.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::schema::{login_throttle, refresh_tokens, sessions};
use crate::{DbConnection, RepoError, write_tx};

/// How long an ended session is kept (with its tokens) after it ended: a spent refresh
/// token presented within this time is still recognized as a replay.
pub const ENDED_SESSION_RETENTION: TimeDelta = TimeDelta::days(1);

/// What one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub refresh_tokens: usize,
    pub sessions: usize,
    pub throttle_rows: usize,
}

/// Deletes sessions that ended (revoked or expired) more than a day before `now`, their
/// refresh tokens, and throttle rows whose last failure is older than `forget_after` and
/// that block nothing. On PostgreSQL one instance prunes at a time; the others skip.
#[tracing::instrument(name = "db.accounts.pruning.prune", skip_all)]
pub fn prune(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    forget_after: TimeDelta,
) -> Result<Pruned, RepoError> {
    write_tx(conn, |conn| {
        if !crate::db::try_lock_key(conn, "pruning", "accounts")? {
            return Ok(Pruned::default());
        }
        let ended_before = now - ENDED_SESSION_RETENTION;
        let ended = sessions::table
            .filter(
                sessions::expires_at
                    .le(ended_before)
                    .or(sessions::revoked_at.le(ended_before)),
            )
            .select(sessions::id);
        let refresh_tokens =
            diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq_any(ended)))
                .execute(conn)?;
        let sessions = diesel::delete(
            sessions::table.filter(
                sessions::expires_at
                    .le(ended_before)
                    .or(sessions::revoked_at.le(ended_before)),
            ),
        )
        .execute(conn)?;
        let throttle_rows = diesel::delete(
            login_throttle::table
                .filter(login_throttle::last_failure_at.le(now - forget_after))
                .filter(
                    login_throttle::blocked_until
                        .is_null()
                        .or(login_throttle::blocked_until.le(now)),
                ),
        )
        .execute(conn)?;
        Ok(Pruned {
            refresh_tokens,
            sessions,
            throttle_rows,
        })
    })
}
