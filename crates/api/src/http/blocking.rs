//! The one way to run synchronous work (diesel, argon2) off the async workers.

use tracing::Instrument;

/// Runs `work` on the blocking pool inside the caller's tracing span (so its logs carry
/// the request id). A panic in `work` is re-raised here, as if it had happened inline:
/// it is a bug, and must not turn into an ordinary error that callers might retry.
pub async fn run_blocking<T, F>(work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let span = tracing::Span::current();
    let handle = tokio::task::spawn_blocking(move || span.in_scope(work));
    match handle.in_current_span().await {
        Ok(value) => value,
        Err(err) => match err.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            // Cancelled only when the runtime shuts down.
            Err(err) => panic!("blocking task did not finish: {err}"),
        },
    }
}
