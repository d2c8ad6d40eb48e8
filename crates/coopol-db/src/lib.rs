//! Storage of coopol: sea-orm entities, migrations and the queries the other crates share.
//! The same migrations run on SQLite (the default, one file) and PostgreSQL.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod arrivals;
pub mod batch;
pub mod calendar;
pub mod conversations;
pub mod entities;
pub mod figures;
pub mod groups;
pub mod library;
pub mod lists;
pub mod markers;
pub mod media;
pub mod migrations;
pub mod moves;
pub mod notifications;
pub mod profile_images;
pub mod queries;
pub mod queue;
pub mod social;
pub mod testing;
pub mod timelines;

use std::time::Duration;

use std::future::Future;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use sea_orm;

/// The database handle every crate passes around (a connection pool).
pub type Db = DatabaseConnection;

/// Storage errors.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("stored data is invalid: {0}")]
    Invalid(String),
}

/// Opens the database at `url` (`sqlite://path?mode=rwc` or `postgres://...`) and runs the
/// migrations. SQLite gets WAL and a busy timeout so that readers never block the writer.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    let is_sqlite = url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(url.to_string());
    // Each statement is logged at debug under `sqlx::query` (off unless `RUST_LOG` asks for it:
    // the timelines benchmark counts statements per request that way).
    opts.sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if is_sqlite {
        // One writer at a time in SQLite: a small pool avoids lock convoys. The pragmas are
        // per connection, so they are set on every connection the pool opens.
        opts.max_connections(8).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    } else {
        opts.max_connections(32).min_connections(2);
    }
    let db = Database::connect(opts).await?;
    migrations::Migrator::up(&db, None).await?;
    Ok(db)
}

/// Opening a transaction that writes. On SQLite a plain `BEGIN` is deferred: a transaction that
/// reads first and writes later fails at once with `SQLITE_BUSY_SNAPSHOT` (517, "database is
/// locked") when another connection, or another process such as an admin command beside the
/// server, committed in between; the busy timeout cannot help it. Taking the write lock with
/// the first statement makes SQLite wait its turn instead (what `BEGIN IMMEDIATE` does, which
/// sea-orm cannot issue). PostgreSQL needs nothing of the kind.
pub trait WriteTxn {
    fn begin_write(&self) -> impl Future<Output = Result<DatabaseTransaction, DbErr>> + Send;
}

impl<C: TransactionTrait + ConnectionTrait + Sync> WriteTxn for C {
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let txn = self.begin().await?;
        if txn.get_database_backend() == DbBackend::Sqlite {
            // A write that changes nothing, on a table every database has: it takes the lock.
            txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0").await?;
        }
        Ok(txn)
    }
}

/// Now, as stored: UTC with millisecond precision (both backends keep it exactly).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let n = chrono::Utc::now();
    chrono::DateTime::from_timestamp_millis(n.timestamp_millis()).unwrap_or(n)
}
