//! Authentication state shared by all workers: keys, settings, and short-lived caches.
//!
//! Revocation bound: a token's session (revoked? account active? role? offices?) is
//! re-read from the database at most `state_ttl` after it was last read, on every
//! instance, and immediately on the instance that revoked it. With the default of 2 s,
//! logout, password change or reset, and deactivation stop existing access tokens
//! everywhere within 2 seconds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use domain::{Actor, Clock};
use persistence::accounts::sessions::SessionState;
use persistence::accounts::throttle::Policy;

use super::hashing::HashingGate;
use super::jwt::Claims;
use super::keys::KeyRing;

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    /// Absolute lifetime of a sign-in (its refresh tokens cannot outlive it).
    pub session_ttl: Duration,
    /// How long a session's state may be served from memory.
    pub state_ttl: Duration,
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies: addresses or
    /// networks). Empty: none.
    pub trusted_proxies: Vec<crate::http::client_address::ProxyNetwork>,
    /// Failures of one client (account and address, or one device) for one account.
    pub pair_throttle: Policy,
    /// Failures for one account from all clients without a device token: the budget that
    /// stops a distributed guess, slowing it rather than locking the owner out for long.
    pub account_throttle: Policy,
    /// Failures from one address over all accounts.
    pub address_throttle: Policy,
    /// Password hashes or verifications running at once (each holds 19 MiB).
    pub hashing_concurrency: usize,
    /// Password work waiting for a slot; beyond it requests get 503 at once.
    pub hashing_queue: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            issuer: "lokal-willkommen".into(),
            audience: "lokal-willkommen-api".into(),
            access_ttl: Duration::from_mins(15),
            session_ttl: Duration::from_hours(12),
            state_ttl: Duration::from_secs(2),
            trusted_proxies: Vec::new(),
            pair_throttle: Policy {
                free: 5,
                base: Duration::from_secs(1),
                max: Duration::from_mins(15),
                forget_after: Duration::from_hours(24),
            },
            account_throttle: Policy {
                free: 20,
                base: Duration::from_secs(1),
                max: Duration::from_mins(1),
                forget_after: Duration::from_hours(24),
            },
            address_throttle: Policy {
                free: 20,
                base: Duration::from_secs(1),
                max: Duration::from_mins(15),
                forget_after: Duration::from_hours(24),
            },
            hashing_concurrency: cores(),
            hashing_queue: 4 * cores(),
        }
    }
}

/// The cores of this machine: how many password hashes can usefully run at once.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

pub struct AuthState {
    /// The current signing key and, during a rotation, the previous one.
    pub keys: KeyRing,
    pub config: AuthConfig,
    pub clock: Clock,
    /// Bounds password hashing (see `hashing`).
    pub hashing: HashingGate,
    /// Attempts refused by the throttles, for the operations metrics.
    pub refusals: Refusals,
    /// Tokens whose signature and claims were verified: skipping the Ed25519 check on
    /// repeat use keeps an authenticated read close to a public one. Keyed by the whole
    /// token, so nothing unverified can hit it.
    verified: Mutex<HashMap<String, Arc<Claims>>>,
    sessions: Mutex<HashMap<String, Fetched<Arc<SessionState>>>>,
    integrations: Mutex<HashMap<String, Fetched<Actor>>>,
    /// Bumped by every revocation on this instance; a state read from the database
    /// before a revocation is not cached after it (it might be the revoked one).
    generation: AtomicU64,
}

const CACHE_LIMIT: usize = 10_000;

/// The throttles that refuse with 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Failed sign-ins (per client and account, account, address).
    SignIn,
    /// Guesses of the current password when changing it.
    PasswordChange,
    /// Token refreshes of one session.
    Refresh,
}

impl Limit {
    pub const ALL: [Limit; 3] = [Limit::SignIn, Limit::PasswordChange, Limit::Refresh];

    pub fn as_str(self) -> &'static str {
        match self {
            Limit::SignIn => "sign_in",
            Limit::PasswordChange => "password_change",
            Limit::Refresh => "refresh",
        }
    }
}

/// How many attempts each [`Limit`] refused on this instance.
#[derive(Debug, Default)]
pub struct Refusals([AtomicU64; 3]);

impl Refusals {
    pub fn count(&self, limit: Limit) {
        self.0[limit as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, limit: Limit) -> u64 {
        self.0[limit as usize].load(Ordering::Relaxed)
    }
}

/// A state read from the database at an instant; `None` means "not valid" (revoked,
/// expired, inactive), which is cached too so a revoked token costs no query either.
type Fetched<T> = (DateTime<Utc>, Option<T>);

impl AuthState {
    pub fn new(keys: KeyRing, config: AuthConfig, clock: Clock) -> AuthState {
        AuthState {
            hashing: HashingGate::new(config.hashing_concurrency, config.hashing_queue),
            refusals: Refusals::default(),
            keys,
            config,
            clock,
            verified: Mutex::default(),
            sessions: Mutex::default(),
            integrations: Mutex::default(),
            generation: AtomicU64::new(0),
        }
    }

    pub(crate) fn verified(&self, token: &str, now: i64) -> Option<Arc<Claims>> {
        let cache = self.verified.lock().expect("cache lock");
        cache
            .get(token)
            .filter(|c| {
                c.exp
                    .saturating_add(i64::try_from(super::jwt::LEEWAY_SECONDS).unwrap_or(0))
                    >= now
            })
            .cloned()
    }

    pub(crate) fn remember_verified(&self, token: &str, claims: Arc<Claims>, now: i64) {
        let mut cache = self.verified.lock().expect("cache lock");
        if cache.len() >= CACHE_LIMIT {
            cache.retain(|_, c| c.exp >= now);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
        }
        cache.insert(token.to_owned(), claims);
    }

    pub(crate) fn session(&self, sid: &str) -> Option<Option<Arc<SessionState>>> {
        let cache = self.sessions.lock().expect("cache lock");
        cache
            .get(sid)
            .filter(|(at, _)| self.fresh(*at))
            .map(|(_, s)| s.clone())
    }

    /// Whether a state read at `at` may still be served. A clock that went backwards
    /// (an adjusted system clock) makes entries stale rather than fresh for longer.
    fn fresh(&self, at: DateTime<Utc>) -> bool {
        let age = self.clock.now() - at;
        age >= chrono::TimeDelta::zero() && age.to_std().is_ok_and(|age| age < self.config.state_ttl)
    }

    /// The revocation generation; read it before fetching a state from the database.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn remember_session(&self, fetched_in: u64, sid: &str, state: Option<Arc<SessionState>>) {
        let mut cache = self.sessions.lock().expect("cache lock");
        if self.generation() != fetched_in {
            return;
        }
        if cache.len() >= CACHE_LIMIT {
            cache.retain(|_, (at, _)| self.fresh(*at));
        }
        cache.insert(sid.to_owned(), (self.clock.now(), state));
    }

    pub(crate) fn integration(&self, hash: &str) -> Option<Option<Actor>> {
        let cache = self.integrations.lock().expect("cache lock");
        cache
            .get(hash)
            .filter(|(at, _)| self.fresh(*at))
            .map(|(_, a)| a.clone())
    }

    pub(crate) fn remember_integration(&self, fetched_in: u64, hash: &str, actor: Option<Actor>) {
        let mut cache = self.integrations.lock().expect("cache lock");
        if self.generation() != fetched_in {
            return;
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(hash.to_owned(), (self.clock.now(), actor));
    }

    /// Forgets every cached session and token state on this instance, after a change
    /// that revokes access (logout, password change, deactivation, token revocation).
    pub fn forget_states(&self) {
        let mut sessions = self.sessions.lock().expect("cache lock");
        let mut integrations = self.integrations.lock().expect("cache lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        sessions.clear();
        integrations.clear();
    }
}
