//! Operations metrics, served as `GET /metrics` in the Prometheus text format (0.0.4).
//!
//! Requests are counted and timed by [`observe`] per route *template*
//! (`/api/v1/offices/{office}`, `unmatched` for paths no route knows), method and status:
//! every label value comes from a closed set, so no client can make the number of series
//! grow. What other parts own (the pool, the directory snapshot, the throttles) is read
//! when scraped, so nothing is counted twice.
//!
//! Never public: served on a listener of its own (`LW_METRICS_BIND`) or, on the API
//! listener, only with `Authorization: Bearer <LW_METRICS_TOKEN>` (see [`endpoint`]);
//! otherwise `/metrics` is a 404 like any unknown path. It is not part of the OpenAPI
//! contract: it exists only where the operator configured it, and its format is
//! Prometheus's, not ours.

pub mod endpoint;
mod http;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use persistence::DbPool;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::accounts::auth::{AuthState, Limit};
use crate::directory::cache::DirectoryCache;

pub use endpoint::MetricsToken;
pub use http::observe;

/// The route label of requests whose path matches no route.
pub const UNMATCHED: &str = "unmatched";

/// Upper bounds of the latency buckets, in seconds: public reads are served from memory
/// in well under a millisecond, sign-ins spend tens of milliseconds in argon2id.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Background jobs whose runs are counted. The privacy purge, when it comes, is one more
/// variant here and one [`Metrics::job_ran`] call per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Ended sessions and forgotten throttle counters (`server::jobs::pruning`).
    Pruning,
}

impl Job {
    const ALL: [Job; 1] = [Job::Pruning];

    fn as_str(self) -> &'static str {
        match self {
            Job::Pruning => "pruning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
    outcome: &'static str,
}

/// What the collector reads at every scrape.
pub struct Sources {
    pub pool: DbPool,
    pub directory: Arc<DirectoryCache>,
    pub auth: Arc<AuthState>,
}

/// The registry and the metrics recorded as things happen; one per process, shared by
/// every worker and both listeners.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    job_runs: Family<JobLabels, Counter>,
}

impl Metrics {
    pub fn new(sources: Sources) -> Metrics {
        let mut registry = Registry::with_prefix("lw");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        registry.register_with_unit(
            "http_request_duration",
            "Time until the response head was ready, by route template, method and status",
            Unit::Seconds,
            latency.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register(
            "job_runs",
            "Background job runs, by job and outcome (ok, failed)",
            job_runs.clone(),
        );
        // Zeros from the start, so a job that never ran shows as such.
        for job in Job::ALL {
            for outcome in ["ok", "failed"] {
                drop(job_runs.get_or_create(&JobLabels {
                    job: job.as_str(),
                    outcome,
                }));
            }
        }
        registry.register_collector(Box::new(StateCollector(sources)));
        Metrics {
            registry,
            requests,
            latency,
            job_runs,
        }
    }

    /// Records one answered request; `route` is the matched template, `None` when no
    /// route matched.
    pub fn record_request(&self, route: Option<String>, method: &'static str, status: u16, took: Duration) {
        let labels = RequestLabels {
            route: route.unwrap_or_else(|| UNMATCHED.to_owned()),
            method,
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(took.as_secs_f64());
    }

    pub fn job_ran(&self, job: Job, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.job_runs
            .get_or_create(&JobLabels {
                job: job.as_str(),
                outcome,
            })
            .inc();
    }

    /// The exposition, in the Prometheus text format.
    pub fn render(&self) -> Result<String, fmt::Error> {
        let mut text = String::with_capacity(16 * 1024);
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Reads the pool, the directory cache and the throttle counts when scraped. (Help texts
/// end with a full stop here: the registry adds one only to the metrics it holds.)
struct StateCollector(Sources);

impl fmt::Debug for StateCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateCollector")
    }
}

impl Collector for StateCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let Sources {
            pool,
            directory,
            auth,
        } = &self.0;

        let connections = pool.state();
        let idle = connections.idle_connections;
        labelled(
            &mut encoder,
            "db_pool_connections",
            "Open database connections: in_use (held by a request or job) and idle.",
            MetricType::Gauge,
            "state",
            &[
                ("in_use", connections.connections.saturating_sub(idle).into()),
                ("idle", idle.into()),
            ],
        )?;
        single(
            &mut encoder,
            "db_pool_max_connections",
            "Connections the pool may open (LW_DB_POOL_SIZE).",
            None,
            &ConstGauge::new(u64::from(pool.max_size())),
        )?;

        let stats = directory.stats();
        single(
            &mut encoder,
            "directory_snapshot_age",
            "Since the data of the served directory snapshot was read (grows while nothing changes).",
            Some(&Unit::Seconds),
            &ConstGauge::new(stats.snapshot_age.as_secs_f64()),
        )?;
        single(
            &mut encoder,
            "directory_staleness",
            "Since the snapshot was last known current (a version check or reload): how stale it may be.",
            Some(&Unit::Seconds),
            &ConstGauge::new(stats.since_confirmed.as_secs_f64()),
        )?;
        single(
            &mut encoder,
            "directory_rebuilds",
            "Directory snapshots rebuilt after a change or at midnight.",
            None,
            &ConstCounter::new(stats.rebuilds),
        )?;
        single(
            &mut encoder,
            "directory_refresh_failures",
            "Directory version checks or reloads that failed (retried at the next poll).",
            None,
            &ConstCounter::new(stats.failures),
        )?;

        let mut refusals: Vec<(&str, u64)> = Limit::ALL
            .iter()
            .map(|&limit| (limit.as_str(), auth.refusals.get(limit)))
            .collect();
        refusals.push(("password_hashing", auth.hashing.refused()));
        labelled(
            &mut encoder,
            "throttle_refusals",
            "Requests refused by a limit: 429 for sign_in, password_change and refresh; \
             503 for password_hashing (the argon2id queue was full).",
            MetricType::Counter,
            "limit",
            &refusals,
        )
    }
}

/// One metric without labels.
fn single(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    metric: &impl EncodeMetric,
) -> Result<(), fmt::Error> {
    metric.encode(encoder.encode_descriptor(name, help, unit, metric.metric_type())?)
}

/// One gauge or counter per value of `label`.
fn labelled(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    label: &str,
    values: &[(&str, u64)],
) -> Result<(), fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, kind)?;
    for &(value, n) in values {
        let labels = [(label, value)];
        let encoder = family.encode_family(&labels)?;
        match kind {
            MetricType::Counter => ConstCounter::new(n).encode(encoder)?,
            _ => ConstGauge::new(n).encode(encoder)?,
        }
    }
    Ok(())
}
