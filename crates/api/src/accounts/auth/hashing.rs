//! The gate in front of argon2id: every hash or verification costs 19 MiB and tens of
//! milliseconds by design, so an unbounded number of them at once exhausts memory and
//! the blocking pool. At most `concurrency` run at once and at most `queue` wait; a
//! request beyond that is refused at once with 503 and `Retry-After`, without hashing.

use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use domain::ProblemCode;
use tracing::Instrument;

use crate::http::problem::ApiError;

/// Seconds a refused client is asked to wait.
const RETRY_AFTER_SECONDS: u64 = 1;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that do nothing but password work, behind a bounded number of
/// admissions. Dedicated threads also bound memory: the allocator keeps each hash's
/// 19 MiB for the thread that used it, so hashing on the shared blocking pool (hundreds
/// of threads) left hundreds of MiB behind after a flood.
pub struct HashingGate {
    jobs: Sender<Job>,
    /// Running plus waiting.
    admitted: AtomicUsize,
    capacity: usize,
    /// The second a refusal was last logged: under a flood, one line a second is enough.
    last_warned: AtomicI64,
    /// Requests refused with 503, for the operations metrics.
    refused: AtomicU64,
}

/// A claimed place in the gate: get it before any other work of the request (so a
/// refused request costs nothing), then [`run`](Admission::run) the password work.
pub struct Admission<'a> {
    gate: &'a HashingGate,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.gate.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashingGate {
    /// `concurrency` threads, and at most `queue` admitted requests waiting for them.
    pub fn new(concurrency: usize, queue: usize) -> HashingGate {
        let (jobs, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..concurrency {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || work(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        HashingGate {
            jobs,
            admitted: AtomicUsize::new(0),
            capacity: concurrency.saturating_add(queue),
            last_warned: AtomicI64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// Requests refused so far (503 `server_busy`).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn busy(&self) -> ApiError {
        self.refused.fetch_add(1, Ordering::Relaxed);
        busy()
    }

    /// Claims a place, or refuses with 503 `server_busy` (and `Retry-After`) at once when
    /// every thread is busy and the queue is full.
    pub fn admit(&self) -> Result<Admission<'_>, ApiError> {
        let admission = Admission { gate: self };
        if self.admitted.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            drop(admission);
            self.warn_busy();
            return Err(self.busy());
        }
        Ok(admission)
    }

    /// [`admit`](Self::admit), then [`Admission::run`].
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.admit()?.run(work).await
    }

    fn warn_busy(&self) {
        // Wall time only paces this log line; no behaviour depends on it.
        let second = chrono::Utc::now().timestamp();
        if self.last_warned.swap(second, Ordering::AcqRel) != second {
            tracing::warn!(
                event = "password_hashing_busy",
                "password work refused: queue full"
            );
        }
    }
}

impl Admission<'_> {
    /// Runs password work (hashing, verifying, and whatever must happen with it) on a
    /// password thread, in the caller's span. A panic in `work` is re-raised here.
    pub async fn run<T, F>(self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| span.in_scope(work)));
            let _ = done.send(outcome);
        });
        if self.gate.jobs.send(job).is_err() {
            return Err(self.gate.busy());
        }
        let outcome = result.in_current_span().await;
        let gate = self.gate;
        drop(self);
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No password thread (none could be started): nothing will run it.
            Err(_) => Err(gate.busy()),
        }
    }
}

/// One password thread: takes the next job, runs it, until the gate is dropped.
fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let next = match receiver.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
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
                    1
                })
                .await
            })
        };
        started_rx.await.expect("the first job started");
        let waiting = {
            let gate = gate.clone();
            actix_rt::spawn(async move { gate.run(|| 2).await })
        };
        // Let the second job reach the queue.
        while gate.admitted.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = gate.run(|| 3).await.expect_err("the queue is full");
        assert_eq!(refused.code, ProblemCode::ServerBusy);
        assert_eq!(refused.retry_after, Some(1));
        release_tx.send(()).expect("the first job waits for this");
        assert_eq!(running.await.expect("joined").ok(), Some(1));
        assert_eq!(waiting.await.expect("joined").ok(), Some(2));
        assert_eq!(gate.run(|| 4).await.ok(), Some(4), "the queue drains");
        assert_eq!(gate.refused(), 1);
    }

    #[actix_rt::test]
    async fn without_threads_everything_is_refused() {
        let gate = HashingGate::new(0, 0);
        assert_eq!(
            gate.run(|| 1).await.expect_err("no thread").code,
            ProblemCode::ServerBusy
        );
    }
}
