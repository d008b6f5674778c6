//! Database access: one connection type over SQLite and PostgreSQL, its pool,
//! and the two ways the rest of the code reaches it (`read` and `write`),
//! both run on the blocking thread pool, never on the async workers.

pub mod backup;
mod group;
pub mod migrate;
pub mod schema;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use crate::config::DatabaseTarget;
use crate::error::{AppError, AppResult, Contention};

/// A connection to either backend. Queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type of `DbConn`, for boxed queries.
pub type Backend = <DbConn as Connection>::Backend;

/// Settings applied to every SQLite connection the pool opens.
/// `secure_delete` overwrites erased content, so an anonymised person's data
/// does not linger in the file's free pages. WAL is set once, before the
/// pool opens its connections (`wal_once`): it stays with the file, and
/// connections switching to it together would find the file locked.
pub const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000;\
     PRAGMA foreign_keys = ON;\
     PRAGMA synchronous = NORMAL;\
     PRAGMA secure_delete = ON;";

/// Opens connections of the backend chosen from the URL scheme, so that a
/// PostgreSQL failure is reported as such (the derived `establish` would try
/// each backend in turn and hide the real error).
#[derive(Debug, Clone)]
pub struct Manager {
    target: DatabaseTarget,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.target {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn =
                    SqliteConnection::establish(&path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        match conn {
            DbConn::Pg(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConn::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// Puts the SQLite file in WAL mode, from a single connection.
fn wal_once(path: &std::path::Path) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| format!("base de données {} : {e}", path.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
        .map_err(|e| format!("base de données {} : {e}", path.display()))
}

/// The pool and the ways to use it from async code.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: &'static str,
    /// SQLite only: this process's writers take turns here, woken as soon
    /// as the previous batch commits, instead of polling the file lock in
    /// SQLite's busy handler, which sleeps 1, 2, 5… up to 100 ms between
    /// tries; the writes queued meanwhile are committed together
    /// (`group`). Other processes (the CLI) still wait under `busy_timeout`.
    writers: Option<Arc<group::Group>>,
    /// Tasks waiting for a connection now.
    waiting: Arc<AtomicI64>,
}

/// The pool as `/metrics` shows it.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub in_use: i64,
    pub idle: i64,
    pub waiting: i64,
}

/// A connection from `pool`, counted in `waiting` while it is awaited.
fn checkout(
    pool: &Pool,
    waiting: &AtomicI64,
) -> Result<r2d2::PooledConnection<Manager>, r2d2::PoolError> {
    waiting.fetch_add(1, Ordering::Relaxed);
    let conn = pool.get();
    waiting.fetch_sub(1, Ordering::Relaxed);
    conn
}

impl Db {
    /// Builds the pool; for SQLite, creates the file's folder first.
    pub fn connect(target: &DatabaseTarget, size: u32) -> Result<Self, String> {
        let backend = match target {
            DatabaseTarget::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        format!("impossible de créer le dossier {} : {e}", parent.display())
                    })?;
                }
                wal_once(path)?;
                "sqlite"
            }
            DatabaseTarget::Postgres(_) => "postgres",
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .connection_timeout(Duration::from_secs(10))
            // A broken connection is dropped when its error is seen
            // (`has_broken`); a `SELECT 1` before every checkout would add a
            // round trip to every request.
            .test_on_check_out(false)
            .build(Manager {
                target: target.clone(),
            })
            .map_err(|e| format!("connexion à la base de données impossible : {e}"))?;
        let writers = (backend == "sqlite").then(|| Arc::new(group::Group::default()));
        Ok(Self {
            pool,
            backend,
            writers,
            waiting: Arc::new(AtomicI64::new(0)),
        })
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            in_use: i64::from(state.connections.saturating_sub(state.idle_connections)),
            idle: i64::from(state.idle_connections),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }

    /// SQLite: the write transactions committed, and the writes they
    /// held (their ratio is the mean batch of the group commit).
    pub fn group_commits(&self) -> Option<(u64, u64)> {
        self.writers.as_ref().map(|group| group.counts())
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A connection for synchronous work (start-up, CLI, tests).
    pub fn get(&self) -> AppResult<r2d2::PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, waiting) = (self.pool.clone(), Arc::clone(&self.waiting));
        actix_web::web::block(move || {
            let mut conn = checkout(&pool, &waiting)?;
            work(&mut conn)
        })
        .await?
    }

    /// Runs work in one write transaction on the blocking pool.
    ///
    /// The work may run more than once: on PostgreSQL a transaction that
    /// collides with a concurrent one is rolled back and run again (see
    /// `write_transaction`), so it is `Clone` and does nothing but database
    /// work.
    pub async fn write<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.transact(work).await
    }

    /// `write` for work with an error type of its own, which rolls the
    /// transaction back like any error (a refusal after a first write
    /// leaves nothing behind).
    pub async fn transact<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Clone + Send + 'static,
        E: From<AppError> + From<diesel::result::Error> + Contention + Send + 'static,
        T: Send + 'static,
    {
        let (pool, writers) = (self.pool.clone(), self.writers.clone());
        let waiting = Arc::clone(&self.waiting);
        actix_web::web::block(move || {
            // The turn first, then a connection: a writer waiting for its
            // turn holds no connection that readers could use.
            if let Some(group) = writers {
                return group.write(&pool, &waiting, work);
            }
            let mut conn = checkout(&pool, &waiting).map_err(AppError::from)?;
            let mut attempt = 1;
            loop {
                match write_transaction(&mut conn, work.clone()) {
                    Err(err) if err.is_contention() && attempt < WRITE_ATTEMPTS => {
                        std::thread::sleep(retry_pause(attempt));
                        attempt += 1;
                    }
                    outcome => return outcome,
                }
            }
        })
        .await
        .map_err(|e| E::from(AppError::from(e)))?
    }
}

/// How many times a write transaction runs before its caller gets 503:
/// on a loaded machine (two cores, a build running) 8 attempts were not
/// always enough for 24 writers that all read first.
const WRITE_ATTEMPTS: u32 = 10;

/// A pause before the next attempt: up to 5 ms, 10, 20… (about 5 s in
/// all at worst), each drawn at random so that the transactions that collided do
/// not collide again in step.
fn retry_pause(attempt: u32) -> Duration {
    let ceiling = 5u64 << attempt.min(10);
    let mut random = [0u8; 8];
    let drawn = match getrandom::fill(&mut random) {
        Ok(()) => u64::from_le_bytes(random) % ceiling,
        Err(_) => ceiling / 2,
    };
    Duration::from_millis(1 + drawn)
}

/// Runs `work` in a transaction where a read-check-write is safe against
/// concurrent writers, on either backend.
///
/// - SQLite: a plain `BEGIN` takes the write lock only at the first write,
///   and two such transactions that both read first deadlock into
///   "database is locked"; `BEGIN IMMEDIATE` queues writers at the start
///   instead, under `busy_timeout`. Writers run one at a time.
/// - PostgreSQL: `SERIALIZABLE`, so that the outcome is that of some order
///   of the transactions run one at a time, as on SQLite. Where two
///   transactions read a row and both change it (a cancellation racing an
///   edit, a signature racing a return), one of them fails with a
///   serialization failure (`AppError::Busy`), which `Db::write` retries;
///   run again, it sees the other's result and the domain's checks refuse
///   or accept it. Chosen over row locks because it guards every
///   read-check-write in one place, present and future, without a lock to
///   remember in each domain function.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    crate::store::structures::forget_pending();
    match conn {
        DbConn::Pg(inner) => AnsiTransactionManager::begin_transaction_sql(
            inner,
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
        )?,
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
        }
    }
    let outcome = work(conn);
    // The multi-connection's manager delegates to the inner one, which
    // holds the transaction depth opened above.
    type Manager = <DbConn as Connection>::TransactionManager;
    match outcome {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => {
                // Committed: a failure here cannot undo it, only be told.
                if let Err(err) = crate::store::structures::advance_committed(conn) {
                    tracing::error!(%err, "structure revision not advanced after a commit");
                }
                Ok(value)
            }
            Err(err) => {
                let _ = Manager::rollback_transaction(conn);
                crate::store::structures::forget_pending();
                Err(err.into())
            }
        },
        Err(err) => {
            crate::store::structures::forget_pending();
            Manager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// `SELECT 1` through the pool: is the database reachable?
pub async fn ping(db: &Db) -> AppResult<()> {
    db.read(|conn| {
        conn.batch_execute("SELECT 1")
            .map_err(|e| AppError::Unavailable(format!("database ping: {e}")))
    })
    .await
}
