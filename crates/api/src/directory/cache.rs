//! The public directory, served from memory.
//!
//! Public reads never touch the database: they read an immutable [`Snapshot`] built
//! from one consistent load. Writes answer from their committed rows and then refresh
//! this instance's snapshot (read-your-writes); a watcher on every instance polls the
//! one-row `directory_version` counter, which every write bumps in its transaction, and
//! reloads when it moved or the calendar day changed. A change on any instance is
//! therefore visible on all within one poll interval plus a reload (bound documented in
//! docs/architecture.md).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use domain::Clock;
use persistence::read_model;
use persistence::{DbPool, RepoError, change_feed};

pub use crate::directory::snapshot::Snapshot;
use crate::http::blocking::run_blocking;

/// Holds the current snapshot; cheap to read from every worker.
pub struct DirectoryCache {
    current: RwLock<Current>,
    clock: Clock,
    /// For the operations metrics (see [`DirectoryStats`]).
    rebuilds: AtomicU64,
    failures: AtomicU64,
    confirmed: Mutex<Instant>,
}

struct Current {
    snapshot: Arc<Snapshot>,
    /// When the load that built it began (monotonic: the metrics measure real time, not
    /// the application clock, which tests move).
    loaded: Instant,
}

/// How fresh this instance's snapshot is, for the operations metrics.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryStats {
    /// Since the current snapshot's data was read. Grows while nothing changes.
    pub snapshot_age: Duration,
    /// Since the snapshot was last known current (a version check that found no change,
    /// or a reload): the staleness bound actually achieved.
    pub since_confirmed: Duration,
    /// Snapshots built after the first one.
    pub rebuilds: u64,
    /// Reloads or version checks that failed (each is retried at the next poll).
    pub failures: u64,
}

impl DirectoryCache {
    /// Loads the first snapshot; call at start-up, on a thread that may block.
    pub fn load_blocking(pool: &DbPool, clock: Clock) -> Result<DirectoryCache, RepoError> {
        let loaded = Instant::now();
        let snapshot = load(pool, &clock)?;
        Ok(DirectoryCache {
            current: RwLock::new(Current {
                snapshot: Arc::new(snapshot),
                loaded,
            }),
            clock,
            rebuilds: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            confirmed: Mutex::new(loaded),
        })
    }

    pub fn get(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .expect("snapshot lock is never poisoned")
            .snapshot
            .clone()
    }

    pub fn stats(&self) -> DirectoryStats {
        let loaded = self
            .current
            .read()
            .expect("snapshot lock is never poisoned")
            .loaded;
        let confirmed = *self
            .confirmed
            .lock()
            .expect("confirmation lock is never poisoned");
        DirectoryStats {
            snapshot_age: loaded.elapsed(),
            since_confirmed: confirmed.elapsed(),
            rebuilds: self.rebuilds.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }

    fn install(&self, snapshot: Snapshot, loaded: Instant) {
        let mut current = self.current.write().expect("snapshot lock is never poisoned");
        // A slower, older load must not replace a newer one.
        if snapshot.version >= current.snapshot.version {
            *current = Current {
                snapshot: Arc::new(snapshot),
                loaded,
            };
            self.rebuilds.fetch_add(1, Ordering::Relaxed);
        }
        drop(current);
        self.confirm(loaded);
    }

    /// Records that the data as of `at` is what the snapshot shows.
    fn confirm(&self, at: Instant) {
        let mut confirmed = self
            .confirmed
            .lock()
            .expect("confirmation lock is never poisoned");
        *confirmed = (*confirmed).max(at);
    }

    /// Reloads from the database.
    pub async fn reload(&self, pool: &DbPool) -> Result<(), RepoError> {
        let (pool, clock) = (pool.clone(), self.clock.clone());
        let loaded = Instant::now();
        let snapshot = run_blocking(move || load(&pool, &clock)).await.inspect_err(|_| {
            self.failures.fetch_add(1, Ordering::Relaxed);
        })?;
        self.install(snapshot, loaded);
        Ok(())
    }

    /// After a committed write: reloads so this instance reads its own writes. A failure
    /// is only logged: the write has happened (its answer is built from the committed
    /// rows), and the watcher catches up.
    pub async fn refresh_after_write(&self, pool: &DbPool) {
        if let Err(e) = self.reload(pool).await {
            tracing::warn!(error = %e, "directory reload after a write failed; the watcher will retry");
        }
    }

    /// Polls the directory version every `every` and reloads when it changed or the
    /// day rolled over. Runs until the process ends; errors are logged and retried.
    pub async fn watch(self: Arc<Self>, pool: DbPool, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let snapshot = self.get();
            let pool2 = pool.clone();
            let checked = Instant::now();
            let version = run_blocking(move || {
                let mut conn = pool2.get()?;
                change_feed::version(&mut conn)
            })
            .await;
            let stale = match version {
                Ok(v) => {
                    let stale = v != snapshot.version || self.clock.today() != snapshot.today;
                    if !stale {
                        self.confirm(checked);
                    }
                    stale
                }
                Err(e) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "directory version check failed");
                    false
                }
            };
            if stale && let Err(e) = self.reload(&pool).await {
                tracing::warn!(error = %e, "directory reload failed");
            }
        }
    }
}

fn load(pool: &DbPool, clock: &Clock) -> Result<Snapshot, RepoError> {
    let mut conn = pool.get()?;
    let data = read_model::load(&mut conn)?;
    Snapshot::build(data, clock.now())
}
