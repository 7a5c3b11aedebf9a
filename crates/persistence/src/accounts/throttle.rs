//! Failed sign-ins per account and per client address, in the database so that every
//! instance counts the same failures.
//!
//! Every attempt is counted *before* the password is checked, in one serialized
//! transaction per key, so a burst of parallel guesses cannot slip through before the
//! first failure is recorded; a successful attempt is then forgiven. From the `free`-th
//! counted attempt on, a key is blocked for `base * 2^(attempts - free)`, capped at `max`,
//! so guessing gets exponentially slower while a real user locked out by someone else
//! waits at most `max`. Counts older than `forget_after` start again from zero.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::login_throttle;
use crate::{DbConnection, RepoError, write_tx};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub free: i32,
    pub base: Duration,
    pub max: Duration,
    /// A key whose last failure is older than this starts from zero again.
    pub forget_after: Duration,
}

/// How long until any of `keys` may try again, if one is blocked.
fn blocked_for(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Option<Duration>, RepoError> {
    let until: Option<NaiveDateTime> = login_throttle::table
        .filter(login_throttle::key.eq_any(keys))
        .filter(login_throttle::blocked_until.gt(now))
        .select(diesel::dsl::max(login_throttle::blocked_until.assume_not_null()))
        .first::<Option<NaiveDateTime>>(conn)?;
    Ok(until.map(|u| (u - now).to_std().unwrap_or_default()))
}

/// Counts one attempt for each `(key, policy)` unless a key is blocked already: returns
/// `Err(wait)` when blocked (nothing counted), `Ok(())` when the attempt may proceed.
#[tracing::instrument(name = "db.accounts.throttle.begin_attempt", skip_all)]
pub fn begin_attempt(
    conn: &mut DbConnection,
    keys: &[(String, Policy)],
    now: NaiveDateTime,
) -> Result<Result<(), Duration>, RepoError> {
    write_tx(conn, |conn| {
        for (key, _) in keys {
            crate::db::lock_key(conn, "throttle", key)?;
        }
        let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        if let Some(wait) = blocked_for(conn, &names, now)? {
            return Ok(Err(wait));
        }
        for (key, policy) in keys {
            let previous: Option<(i32, NaiveDateTime)> = login_throttle::table
                .find(key)
                .select((login_throttle::failures, login_throttle::last_failure_at))
                .first(conn)
                .optional()?;
            let forget = chrono::Duration::from_std(policy.forget_after).expect("small duration");
            let failures = match previous {
                Some((n, last)) if now - last < forget => n + 1,
                _ => 1,
            };
            let block = (failures >= policy.free).then(|| {
                let exp = u32::try_from((failures - policy.free).clamp(0, 20)).unwrap_or(20);
                policy
                    .base
                    .saturating_mul(2u32.saturating_pow(exp))
                    .min(policy.max)
            });
            let blocked_until = block.map(|d| now + chrono::Duration::from_std(d).expect("small duration"));
            if previous.is_some() {
                diesel::update(login_throttle::table.find(key))
                    .set((
                        login_throttle::failures.eq(failures),
                        login_throttle::last_failure_at.eq(now),
                        login_throttle::blocked_until.eq(blocked_until),
                    ))
                    .execute(conn)?;
            } else {
                diesel::insert_into(login_throttle::table)
                    .values((
                        login_throttle::key.eq(key),
                        login_throttle::failures.eq(failures),
                        login_throttle::last_failure_at.eq(now),
                        login_throttle::blocked_until.eq(blocked_until),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(Ok(()))
    })
}

/// Forgives a successful attempt: the account key is cleared, each other key gets its
/// counted attempt back (a shared address is not punished for its users' sign-ins).
#[tracing::instrument(name = "db.accounts.throttle.succeeded", skip_all)]
pub fn succeeded(
    conn: &mut DbConnection,
    clear_key: &str,
    forgive: &[(String, Policy)],
) -> Result<(), RepoError> {
    write_tx(conn, |conn| {
        crate::db::lock_key(conn, "throttle", clear_key)?;
        diesel::delete(login_throttle::table.find(clear_key)).execute(conn)?;
        for (key, policy) in forgive {
            crate::db::lock_key(conn, "throttle", key)?;
            let current: Option<i32> = login_throttle::table
                .find(key)
                .select(login_throttle::failures)
                .first(conn)
                .optional()?;
            if let Some(n) = current {
                let failures = (n - 1).max(0);
                let unblock = failures < policy.free;
                if unblock {
                    diesel::update(login_throttle::table.find(key))
                        .set((
                            login_throttle::failures.eq(failures),
                            login_throttle::blocked_until.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)?;
                } else {
                    diesel::update(login_throttle::table.find(key))
                        .set(login_throttle::failures.eq(failures))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    })
}
