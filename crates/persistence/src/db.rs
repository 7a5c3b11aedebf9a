//! One connection type over SQLite (the embedded default) and PostgreSQL.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::RepoError;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConnection>>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Which database a `DATABASE_URL` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Applies the pragmas every SQLite connection needs; PostgreSQL needs none.
#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // WAL lets readers proceed during a write; busy_timeout makes writers queue
            // instead of failing; NORMAL is durable across application crashes in WAL mode.
            c.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens a pool. SQLite paths get their parent folder created.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, RepoError> {
    if Backend::of_url(url) == Backend::Sqlite
        && let Some(dir) = std::path::Path::new(url).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| RepoError::Setup(format!("cannot create {}: {e}", dir.display())))?;
    }
    // One direct attempt first: the pool would retry for its whole timeout and then
    // report only that the URL did not work, hiding the cause (refused connection,
    // missing database, failed authentication).
    if Backend::of_url(url) == Backend::Postgres {
        diesel::PgConnection::establish(url)
            .map_err(|e| RepoError::Setup(format!("cannot connect to PostgreSQL: {e}")))?;
    }
    Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(ConnectionManager::new(url))
        .map_err(|e| RepoError::Setup(format!("cannot open database: {e}")))
}

/// Applies pending migrations; returns how many ran. Safe with several instances
/// starting at once: PostgreSQL runs them under an advisory lock, SQLite under its write lock.
pub fn migrate(conn: &mut DbConnection) -> Result<usize, RepoError> {
    let setup =
        |e: Box<dyn std::error::Error + Send + Sync>| RepoError::Setup(format!("migration failed: {e}"));
    match conn {
        DbConnection::Sqlite(c) => Ok(c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(setup)?.len()),
        DbConnection::Pg(c) => {
            const LOCK: i64 = 0x6c77_6d69_6772; // "lwmigr"
            c.batch_execute(&format!("SELECT pg_advisory_lock({LOCK})"))?;
            let ran = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({LOCK})"))?;
            Ok(ran.map_err(setup)?)
        }
    }
}

/// The SQLite writers of this process (see [`write_tx`]); a write transaction never opens
/// another one on a second connection, so holding it cannot deadlock.
static SQLITE_WRITERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. On SQLite it begins with `BEGIN IMMEDIATE`, so the
/// write lock is taken up front and concurrent writers wait (busy_timeout) instead of
/// failing when a read lock would have to be upgraded.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    // SQLite has one writer at a time. Writers of this process queue here, in order and
    // woken at once, instead of in SQLite's busy handler, which polls with sleeps of up to
    // 100 ms: under 16 concurrent writers that made the slowest writes wait 300 ms.
    let mut _writer = None;
    match conn {
        // Inside another transaction (a write composed with the read that answers it) this
        // is a savepoint; the outer transaction already holds the write lock.
        DbConnection::Sqlite(c) => {
            if in_transaction(c) {
                AnsiTransactionManager::begin_transaction(c)?;
            } else {
                _writer = Some(
                    SQLITE_WRITERS
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            }
        }
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // The original error matters more than a failed rollback, which leaves the
            // connection marked broken so the pool discards it.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}

fn in_transaction(conn: &mut diesel::SqliteConnection) -> bool {
    use diesel::connection::TransactionManager;
    AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_some())
}

/// Lists migration names of a folder; used by the test that keeps both backends in step.
pub fn migration_names(folder: &std::path::Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(std::result::Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// Serializes writers that must not interleave (same throttle key, the set of admins,
/// one account) until the transaction ends. SQLite needs nothing: `BEGIN IMMEDIATE`
/// already serializes every writer. PostgreSQL takes a transaction-scoped advisory lock.
/// Like [`lock_key`], but gives up at once when another transaction holds the lock:
/// `false` then. SQLite's write transaction already excludes every other writer.
pub fn try_lock_key(conn: &mut DbConnection, scope: &str, key: &str) -> Result<bool, RepoError> {
    if let DbConnection::Pg(pg) = conn {
        use diesel::sql_types::{Bool, Text};
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = Bool)]
            locked: bool,
        }
        let row: Locked =
            diesel::sql_query("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked")
                .bind::<Text, _>(format!("{scope}:{key}"))
                .get_result(pg)?;
        return Ok(row.locked);
    }
    Ok(true)
}

pub fn lock_key(conn: &mut DbConnection, scope: &str, key: &str) -> Result<(), RepoError> {
    if let DbConnection::Pg(pg) = conn {
        use diesel::sql_types::Text;
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(format!("{scope}:{key}"))
            .execute(pg)?;
    }
    Ok(())
}
