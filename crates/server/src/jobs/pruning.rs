//! Hourly pruning of ended sign-ins and forgotten throttle counters (see
//! `persistence::accounts::pruning`).

use std::sync::Arc;
use std::time::Duration;

use api::metrics::{Job, Metrics};

use domain::Clock;
use persistence::DbPool;

/// Runs `prune` every `every` until the process ends; failures are logged and retried.
pub async fn run(pool: DbPool, clock: Clock, forget_after: Duration, every: Duration, metrics: Arc<Metrics>) {
    let forget_after = chrono::TimeDelta::from_std(forget_after).unwrap_or(chrono::TimeDelta::days(1));
    // The first run waits one interval: nothing has ended yet at start-up.
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let (pool, now) = (pool.clone(), clock.now_naive());
        let outcome = api::http::blocking::run_blocking(move || {
            let mut conn = pool.get()?;
            persistence::accounts::pruning::prune(&mut conn, now, forget_after)
        })
        .await;
        metrics.job_ran(Job::Pruning, outcome.is_ok());
        match outcome {
            Ok(pruned) => tracing::info!(
                refresh_tokens = pruned.refresh_tokens,
                sessions = pruned.sessions,
                throttle_rows = pruned.throttle_rows,
                "pruned ended sign-ins"
            ),
            Err(e) => tracing::warn!(error = %e, "pruning failed; retrying at the next interval"),
        }
    }
}
