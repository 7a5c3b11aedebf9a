//! Failed sign-ins per account and per client address, in the database so that every
//! instance counts the same failures.
//!
//! From the `free`-th failure on, a key is blocked for `base * 2^(failures - free)`, capped at
//! `max`, so guessing gets exponentially slower while a real user locked out by someone
//! else waits at most `max`. A successful sign-in clears its account key.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::login_throttle;
use crate::{DbConnection, RepoError, now, write_tx};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub free: i32,
    pub base: Duration,
    pub max: Duration,
}

/// How long until any of `keys` may try again, if one is blocked.
pub fn blocked_for(conn: &mut DbConnection, keys: &[String]) -> Result<Option<Duration>, RepoError> {
    let now = now();
    let until: Option<NaiveDateTime> = login_throttle::table
        .filter(login_throttle::key.eq_any(keys))
        .filter(login_throttle::blocked_until.gt(now))
        .select(diesel::dsl::max(login_throttle::blocked_until.assume_not_null()))
        .first::<Option<NaiveDateTime>>(conn)?;
    Ok(until.map(|u| (u - now).to_std().unwrap_or_default()))
}

/// Counts one failure for each `(key, policy)`; returns the longest resulting block.
pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[(String, Policy)],
) -> Result<Option<Duration>, RepoError> {
    write_tx(conn, |conn| {
        let now = now();
        let mut longest: Option<Duration> = None;
        for (key, policy) in keys {
            let previous: Option<i32> = login_throttle::table
                .find(key)
                .select(login_throttle::failures)
                .first(conn)
                .optional()?;
            let failures = previous.unwrap_or(0) + 1;
            let block = (failures >= policy.free).then(|| {
                let exp = (failures - policy.free).min(20) as u32;
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
            longest = longest.max(block);
        }
        Ok(longest)
    })
}

pub fn clear(conn: &mut DbConnection, key: &str) -> Result<(), RepoError> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}
