//! The public directory, served from memory.
//!
//! Public reads never touch the database: they read an immutable [`Snapshot`] built
//! from one consistent load. Writes answer from their committed rows and then refresh
//! this instance's snapshot (read-your-writes); a watcher on every instance polls the
//! one-row `directory_version` counter, which every write bumps in its transaction, and
//! reloads when it moved or the calendar day changed. A change on any instance is
//! therefore visible on all within one poll interval plus a reload (bound documented in
//! docs/architecture.md).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use domain::Clock;
use persistence::read_model;
use persistence::{DbPool, RepoError, change_feed};

pub use crate::directory::snapshot::Snapshot;
use crate::http::blocking::run_blocking;

/// Holds the current snapshot; cheap to read from every worker.
pub struct DirectoryCache {
    current: RwLock<Arc<Snapshot>>,
    clock: Clock,
}

impl DirectoryCache {
    /// Loads the first snapshot; call at start-up, on a thread that may block.
    pub fn load_blocking(pool: &DbPool, clock: Clock) -> Result<DirectoryCache, RepoError> {
        let snapshot = load(pool, &clock)?;
        Ok(DirectoryCache {
            current: RwLock::new(Arc::new(snapshot)),
            clock,
        })
    }

    pub fn get(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .expect("snapshot lock is never poisoned")
            .clone()
    }

    fn install(&self, snapshot: Snapshot) {
        let mut current = self.current.write().expect("snapshot lock is never poisoned");
        // A slower, older load must not replace a newer one.
        if snapshot.version >= current.version {
            *current = Arc::new(snapshot);
        }
    }

    /// Reloads from the database.
    pub async fn reload(&self, pool: &DbPool) -> Result<(), RepoError> {
        let (pool, clock) = (pool.clone(), self.clock.clone());
        let snapshot = run_blocking(move || load(&pool, &clock)).await?;
        self.install(snapshot);
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
            let version = run_blocking(move || {
                let mut conn = pool2.get()?;
                change_feed::version(&mut conn)
            })
            .await;
            let stale = match version {
                Ok(v) => v != snapshot.version || self.clock.today() != snapshot.today,
                Err(e) => {
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
