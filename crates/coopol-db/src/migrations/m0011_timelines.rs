//! Timelines that stay fast at a million statuses (see ARCHITECTURE.md, "Timelines").
//!
//! - On SQLite, `statuses.id` becomes the row id (`INTEGER PRIMARY KEY`): the table is rebuilt
//!   with its data and indexes, so that a page walks the table itself in id order instead of a
//!   second index. PostgreSQL keeps its `bigint` key.
//! - `home_feed` (account, status): the candidates of each local account's home timeline, kept
//!   by triggers on `statuses`, `mentions`, `follows` and `accounts` so that every write path
//!   (client API, inbox, imports, admin) fills and cleans it the same way. Filled for the
//!   existing rows here.
//! - Partial indexes for the public and local timelines, and `status_tags (name, status_id)`
//!   for hashtag pages; the indexes of boosts and replies hold those rows only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_timelines"
    }
}

/// How many of a newly followed account's latest statuses enter the follower's home feed (as
/// Mastodon's feeds, older ones are not backfilled).
pub const BACKFILL: u32 = 400;

/// The same on both databases.
const COMMON: &[&str] = &[
    "CREATE TABLE home_feed (account_id bigint NOT NULL, status_id bigint NOT NULL, \
     PRIMARY KEY (account_id, status_id))",
    "CREATE INDEX home_feed_status ON home_feed (status_id)",
    // Existing rows: own statuses, followed accounts' non-direct ones, mentions; local readers.
    "INSERT INTO home_feed (account_id, status_id) \
     SELECT s.account_id, s.id FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.domain IS NULL \
     UNION SELECT f.account_id, s.id FROM follows f JOIN accounts a ON a.id = f.account_id \
       JOIN statuses s ON s.account_id = f.target_account_id \
       WHERE f.state = 'accepted' AND a.domain IS NULL AND s.visibility <> 'direct' \
     UNION SELECT m.account_id, m.status_id FROM mentions m JOIN accounts a ON a.id = m.account_id \
       WHERE a.domain IS NULL",
    "CREATE INDEX statuses_public ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL",
    "CREATE INDEX statuses_public_local ON statuses (local, id) WHERE visibility = 'public' AND reblog_of_id IS NULL",
    "CREATE INDEX status_tags_name_status ON status_tags (name, status_id)",
    "DROP INDEX status_tags_name",
    // Boosts only: without statistics, SQLite would otherwise read `reblog_of_id IS NULL` (every
    // public timeline) from this index and sort the whole table.
    "DROP INDEX statuses_reblog",
    "CREATE INDEX statuses_reblog ON statuses (reblog_of_id) WHERE reblog_of_id IS NOT NULL",
    "DROP INDEX statuses_reply",
    "CREATE INDEX statuses_reply ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL",
];

/// The bodies of the triggers, in each database's dialect: (SQLite, PostgreSQL). `NEW`/`OLD`
/// are the row, the follower must be local (an account without domain).
fn bodies() -> [(&'static str, String, String); 6] {
    let local = |who: &str| format!("EXISTS (SELECT 1 FROM accounts WHERE id = {who} AND domain IS NULL)");
    let on_status = |ignore: &str, conflict: &str| {
        format!(
            "INSERT {ignore} INTO home_feed (account_id, status_id) SELECT NEW.account_id, NEW.id WHERE {} {conflict}; \
             INSERT {ignore} INTO home_feed (account_id, status_id) SELECT f.account_id, NEW.id FROM follows f \
             JOIN accounts a ON a.id = f.account_id WHERE f.target_account_id = NEW.account_id \
             AND f.state = 'accepted' AND a.domain IS NULL AND NEW.visibility <> 'direct' {conflict};",
            local("NEW.account_id")
        )
    };
    let on_mention = |ignore: &str, conflict: &str| {
        format!(
            "INSERT {ignore} INTO home_feed (account_id, status_id) SELECT NEW.account_id, NEW.status_id WHERE {} \
             {conflict};",
            local("NEW.account_id")
        )
    };
    let backfill = |ignore: &str, conflict: &str| {
        format!(
            "INSERT {ignore} INTO home_feed (account_id, status_id) SELECT NEW.account_id, s.id FROM statuses s \
             WHERE s.account_id = NEW.target_account_id AND s.visibility <> 'direct' AND {} \
             ORDER BY s.id DESC LIMIT {BACKFILL} {conflict};",
            local("NEW.account_id")
        )
    };
    // Statuses that mention the reader stay in its feed after an unfollow.
    let unfollow = "DELETE FROM home_feed WHERE account_id = OLD.account_id AND status_id IN \
                    (SELECT id FROM statuses WHERE account_id = OLD.target_account_id) AND status_id NOT IN \
                    (SELECT status_id FROM mentions WHERE account_id = OLD.account_id);"
        .to_string();
    let pg = " ON CONFLICT DO NOTHING";
    [
        ("status", on_status("OR IGNORE", ""), on_status("", pg)),
        ("mention", on_mention("OR IGNORE", ""), on_mention("", pg)),
        ("follow", backfill("OR IGNORE", ""), backfill("", pg)),
        ("unfollow", unfollow.clone(), unfollow),
        (
            "status_deleted",
            "DELETE FROM home_feed WHERE status_id = OLD.id;".into(),
            "DELETE FROM home_feed WHERE status_id = OLD.id;".into(),
        ),
        (
            "account_deleted",
            "DELETE FROM home_feed WHERE account_id = OLD.id;".into(),
            "DELETE FROM home_feed WHERE account_id = OLD.id;".into(),
        ),
    ]
}

/// When each trigger fires (the same words on both databases).
fn event_of(name: &str) -> &'static str {
    match name {
        "status" => "AFTER INSERT ON statuses",
        "mention" => "AFTER INSERT ON mentions",
        "follow" => "AFTER INSERT ON follows",
        "unfollow" => "AFTER DELETE ON follows",
        "status_deleted" => "AFTER DELETE ON statuses",
        _ => "AFTER DELETE ON accounts",
    }
}

/// A follow that becomes accepted, or moves to another target or follower, backfills too.
const ACCEPTED: &str = "(OLD.state <> 'accepted' \
                        OR OLD.target_account_id <> NEW.target_account_id OR OLD.account_id <> NEW.account_id)";

async fn exec(db: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
}

/// The statements that rebuild `statuses` with `id INTEGER PRIMARY KEY` (SQLite's row id),
/// keeping rows and indexes, from the schema as it stands.
async fn statuses_rowid(manager: &SchemaManager<'_>) -> Result<Vec<String>, DbErr> {
    let db = manager.get_connection();
    let get = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_string());
    let table = db
        .query_one(get("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'statuses'"))
        .await?
        .ok_or_else(|| DbErr::Migration("no statuses table".into()))?
        .try_get::<String>("", "sql")?;
    let indexes: Vec<String> = db
        .query_all(get(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'statuses' AND sql IS NOT NULL",
        ))
        .await?
        .into_iter()
        .map(|r| r.try_get::<String>("", "sql"))
        .collect::<Result<_, _>>()?;
    let key = "\"id\" bigint NOT NULL PRIMARY KEY";
    if !table.contains(key) {
        return Err(DbErr::Migration(format!("unexpected statuses table: {table}")));
    }
    let rebuilt = table.replacen(key, "\"id\" INTEGER NOT NULL PRIMARY KEY", 1).replacen(
        "CREATE TABLE \"statuses\"",
        "CREATE TABLE \"statuses_rowid\"",
        1,
    );
    if !rebuilt.contains("\"statuses_rowid\"") {
        return Err(DbErr::Migration(format!("unexpected statuses table: {table}")));
    }
    let mut out = vec![
        rebuilt,
        "INSERT INTO statuses_rowid SELECT * FROM statuses ORDER BY id".to_string(),
        "DROP TABLE statuses".to_string(),
        "ALTER TABLE statuses_rowid RENAME TO statuses".to_string(),
    ];
    out.extend(indexes);
    Ok(out)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        let rebuild = if sqlite { statuses_rowid(manager).await? } else { vec![] };
        // One transaction (so one connection: SQLite's pool would otherwise run a statement on a
        // connection that still sees the old schema), its first statement a write.
        let txn = manager.get_connection().begin().await?;
        let manager = &txn;
        for sql in &rebuild {
            exec(manager, sql).await?;
        }
        for sql in COMMON {
            exec(manager, sql).await?;
        }
        for (name, lite, pg) in bodies() {
            let event = event_of(name);
            if sqlite {
                let when = if name == "follow" { "WHEN NEW.state = 'accepted'" } else { "" };
                exec(manager, &format!("CREATE TRIGGER home_feed_{name} {event} FOR EACH ROW {when} BEGIN {lite} END"))
                    .await?;
                if name == "follow" {
                    exec(
                        manager,
                        &format!(
                            "CREATE TRIGGER home_feed_follow_accepted AFTER UPDATE ON follows FOR EACH ROW \
                             WHEN NEW.state = 'accepted' AND {ACCEPTED} BEGIN {lite} END"
                        ),
                    )
                    .await?;
                }
            } else {
                let body = if name == "follow" {
                    format!("IF NEW.state = 'accepted' AND (TG_OP = 'INSERT' OR {ACCEPTED}) THEN {pg} END IF;")
                } else {
                    pg
                };
                exec(
                    manager,
                    &format!(
                        "CREATE FUNCTION home_feed_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                         BEGIN {body} RETURN NULL; END $$"
                    ),
                )
                .await?;
                let event = if name == "follow" { "AFTER INSERT OR UPDATE ON follows" } else { event };
                exec(
                    manager,
                    &format!(
                        "CREATE TRIGGER home_feed_{name} {event} FOR EACH ROW EXECUTE FUNCTION home_feed_{name}()"
                    ),
                )
                .await?;
            }
        }
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        let txn = manager.get_connection().begin().await?;
        let manager = &txn;
        for (name, _, _) in bodies() {
            let table = event_of(name).rsplit(' ').next().unwrap_or_default();
            if sqlite {
                exec(manager, &format!("DROP TRIGGER IF EXISTS home_feed_{name}")).await?;
            } else {
                exec(manager, &format!("DROP TRIGGER IF EXISTS home_feed_{name} ON {table}")).await?;
                exec(manager, &format!("DROP FUNCTION IF EXISTS home_feed_{name}()")).await?;
            }
        }
        if sqlite {
            exec(manager, "DROP TRIGGER IF EXISTS home_feed_follow_accepted").await?;
        }
        for sql in [
            "DROP INDEX statuses_reply",
            "CREATE INDEX statuses_reply ON statuses (in_reply_to_id)",
            "DROP INDEX statuses_reblog",
            "CREATE INDEX statuses_reblog ON statuses (reblog_of_id)",
            "CREATE INDEX status_tags_name ON status_tags (name)",
            "DROP INDEX status_tags_name_status",
            "DROP INDEX statuses_public_local",
            "DROP INDEX statuses_public",
            "DROP TABLE home_feed",
        ] {
            exec(manager, sql).await?;
        }
        // The row id stays: `INTEGER PRIMARY KEY` holds the same values as `bigint`.
        txn.commit().await
    }
}
