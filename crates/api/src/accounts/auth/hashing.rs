//! The gate in front of argon2id: every hash or verification costs 19 MiB and tens of
//! milliseconds by design, so an unbounded number of them at once exhausts memory and
//! the blocking pool. At most `concurrency` run at once and at most `queue` wait; a
//! request beyond that is refused at once with 503 and `Retry-After`, without hashing.

use std::sync::atomic::{AtomicUsize, Ordering};

use domain::ProblemCode;
use tokio::sync::Semaphore;

use crate::http::blocking::run_blocking;
use crate::http::problem::ApiError;

/// Seconds a refused client is asked to wait.
const RETRY_AFTER_SECONDS: u64 = 1;

pub struct HashingGate {
    running: Semaphore,
    /// Running plus waiting.
    admitted: AtomicUsize,
    capacity: usize,
}

/// Gives an admission back when the request is done (or dropped while waiting).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashingGate {
    pub fn new(concurrency: usize, queue: usize) -> HashingGate {
        HashingGate {
            running: Semaphore::new(concurrency),
            admitted: AtomicUsize::new(0),
            capacity: concurrency.saturating_add(queue),
        }
    }

    /// Runs password work (hashing, verifying, and whatever must happen with it) on the
    /// blocking pool once a slot is free, or refuses with 503 `server_busy` when too many
    /// are running and waiting already.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admission = Admission(&self.admitted);
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            drop(admission);
            tracing::warn!(
                event = "password_hashing_busy",
                "password work refused: queue full"
            );
            return Err(busy());
        }
        let permit = self.running.acquire().await.map_err(|_| busy())?;
        let result = run_blocking(work).await;
        drop(permit);
        drop(admission);
        Ok(result)
    }
}

fn busy() -> ApiError {
    let mut err = ApiError::new(
        ProblemCode::ServerBusy,
        "too many sign-ins and password changes are being processed; try again shortly",
    );
    err.retry_after = Some(RETRY_AFTER_SECONDS);
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn refuses_beyond_running_plus_queued_and_recovers() {
        let gate = std::sync::Arc::new(HashingGate::new(1, 1));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        // One runs (blocked until released), one waits: the third is refused at once.
        let running = {
            let gate = gate.clone();
            actix_rt::spawn(async move {
                gate.run(move || {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                })
                .await
            })
        };
        started_rx.await.expect("the first job started");
        let waiting = {
            let gate = gate.clone();
            actix_rt::spawn(async move { gate.run(|| 2).await })
        };
        tokio::task::yield_now().await;
        while gate.admitted.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = gate.run(|| 3).await.expect_err("the queue is full");
        assert_eq!(refused.code, ProblemCode::ServerBusy);
        assert_eq!(refused.retry_after, Some(1));
        release_tx.send(()).expect("the first job waits for this");
        assert!(running.await.expect("joined").is_ok());
        assert_eq!(waiting.await.expect("joined").ok(), Some(2));
        assert_eq!(gate.run(|| 4).await.ok(), Some(4), "admissions are given back");
        assert_eq!(gate.admitted.load(Ordering::Acquire), 0);
    }
}
