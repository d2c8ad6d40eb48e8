//! Counters kept up to date instead of counted on each request (see ARCHITECTURE.md,
//! "Timelines"): a page of statuses shows, for each status, its replies, boosts and favourites,
//! and for each author its statuses, followers, following and last status. Counting those with
//! grouped `COUNT`s cost several statements per page, and the most on PostgreSQL.
//!
//! - `account_stats` (one row per account that has something to count) and `status_stats` (one
//!   row per status that has replies, boosts or favourites), filled here from the existing rows.
//! - Triggers on `statuses`, `favourites`, `follows` and `accounts` keep them, so every write
//!   path (client API, inbox, imports, admin) counts the same way, as `home_feed` is kept.
//!   A missing row reads as zero.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_counters"
    }
}

const TABLES: &[&str] = &[
    "CREATE TABLE account_stats (account_id bigint NOT NULL PRIMARY KEY, \
     statuses_count bigint NOT NULL DEFAULT 0, following_count bigint NOT NULL DEFAULT 0, \
     followers_count bigint NOT NULL DEFAULT 0, last_status_id bigint NULL)",
    "CREATE TABLE status_stats (status_id bigint NOT NULL PRIMARY KEY, \
     replies_count bigint NOT NULL DEFAULT 0, reblogs_count bigint NOT NULL DEFAULT 0, \
     favourites_count bigint NOT NULL DEFAULT 0)",
    "INSERT INTO account_stats (account_id, statuses_count, following_count, followers_count, last_status_id) \
     SELECT a.id, \
       (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id), \
       (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'), \
       (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'), \
       (SELECT MAX(s.id) FROM statuses s WHERE s.account_id = a.id) \
     FROM accounts a",
    "INSERT INTO status_stats (status_id, replies_count, reblogs_count, favourites_count) \
     SELECT s.id, \
       (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id), \
       (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id), \
       (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
     FROM statuses s WHERE s.id IN ( \
       SELECT in_reply_to_id FROM statuses WHERE in_reply_to_id IS NOT NULL \
       UNION SELECT reblog_of_id FROM statuses WHERE reblog_of_id IS NOT NULL \
       UNION SELECT status_id FROM favourites)",
];

/// Adds `delta` to `table.column` for the row `key = who`, creating the row if needed; `cond`
/// says when (both databases accept this statement, in a trigger too).
fn bump(table: &str, key: &str, column: &str, who: &str, cond: &str) -> String {
    format!(
        "INSERT INTO {table} ({key}, {column}) SELECT {who}, 1 WHERE {cond} \
         ON CONFLICT ({key}) DO UPDATE SET {column} = {table}.{column} + 1;"
    )
}

/// Takes one from `table.column` for the row `key = who`, when `cond`.
fn drop_one(table: &str, key: &str, column: &str, who: &str, cond: &str) -> String {
    format!("UPDATE {table} SET {column} = {column} - 1 WHERE {key} = {who} AND {cond};")
}

/// The statements of a status that now counts (`NEW`) or no longer counts (`OLD`) for its author
/// and for the status it answers or boosts. `greatest` is the two-argument maximum's name.
fn status_counts(row: &str, adding: bool, greatest: &str) -> String {
    let parents = [("in_reply_to_id", "replies_count"), ("reblog_of_id", "reblogs_count")];
    let mut sql = if adding {
        format!(
            "INSERT INTO account_stats (account_id, statuses_count, last_status_id) SELECT {row}.account_id, 1, {row}.id \
             WHERE TRUE ON CONFLICT (account_id) DO UPDATE SET statuses_count = account_stats.statuses_count + 1, \
             last_status_id = {greatest}(COALESCE(account_stats.last_status_id, 0), EXCLUDED.last_status_id);"
        )
    } else {
        // After the delete (or the change of author) the latest remaining status is the last one.
        format!(
            "UPDATE account_stats SET statuses_count = statuses_count - 1, last_status_id = CASE \
             WHEN last_status_id = {row}.id THEN (SELECT MAX(id) FROM statuses WHERE account_id = {row}.account_id) \
             ELSE last_status_id END WHERE account_id = {row}.account_id;"
        )
    };
    for (parent, column) in parents {
        let cond = format!("{row}.{parent} IS NOT NULL");
        let who = format!("{row}.{parent}");
        sql += &if adding {
            bump("status_stats", "status_id", column, &who, &cond)
        } else {
            drop_one("status_stats", "status_id", column, &who, &cond)
        };
    }
    sql
}

/// Following and followers of an accepted follow.
fn follow_counts(row: &str, adding: bool) -> String {
    let cond = format!("{row}.state = 'accepted'");
    let pairs =
        [("following_count", format!("{row}.account_id")), ("followers_count", format!("{row}.target_account_id"))];
    pairs
        .iter()
        .map(|(column, who)| {
            if adding {
                bump("account_stats", "account_id", column, who, &cond)
            } else {
                drop_one("account_stats", "account_id", column, who, &cond)
            }
        })
        .collect()
}

/// (name, event, body) of each trigger; the body in the dialect of `backend`.
fn triggers(backend: DbBackend) -> Vec<(&'static str, &'static str, String)> {
    let greatest = if backend == DbBackend::Sqlite { "max" } else { "GREATEST" };
    let fav = |adding: bool, row: &str| {
        if adding {
            bump("status_stats", "status_id", "favourites_count", &format!("{row}.status_id"), "TRUE")
        } else {
            drop_one("status_stats", "status_id", "favourites_count", &format!("{row}.status_id"), "TRUE")
        }
    };
    vec![
        ("status_added", "AFTER INSERT ON statuses", status_counts("NEW", true, greatest)),
        (
            "status_removed",
            "AFTER DELETE ON statuses",
            status_counts("OLD", false, greatest) + "DELETE FROM status_stats WHERE status_id = OLD.id;",
        ),
        (
            "status_moved",
            "AFTER UPDATE OF account_id, in_reply_to_id, reblog_of_id ON statuses",
            status_counts("OLD", false, greatest) + &status_counts("NEW", true, greatest),
        ),
        ("favourite_added", "AFTER INSERT ON favourites", fav(true, "NEW")),
        ("favourite_removed", "AFTER DELETE ON favourites", fav(false, "OLD")),
        ("follow_added", "AFTER INSERT ON follows", follow_counts("NEW", true)),
        ("follow_removed", "AFTER DELETE ON follows", follow_counts("OLD", false)),
        (
            "follow_changed",
            "AFTER UPDATE OF state, account_id, target_account_id ON follows",
            follow_counts("OLD", false) + &follow_counts("NEW", true),
        ),
        ("account_removed", "AFTER DELETE ON accounts", "DELETE FROM account_stats WHERE account_id = OLD.id;".into()),
    ]
}

fn table_of(event: &str) -> &str {
    event.rsplit(' ').next().unwrap_or_default()
}

async fn exec(db: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // One transaction (one connection), its first statement a write.
        let txn = manager.get_connection().begin().await?;
        for sql in TABLES {
            exec(&txn, sql).await?;
        }
        for (name, event, body) in triggers(backend) {
            if backend == DbBackend::Sqlite {
                exec(&txn, &format!("CREATE TRIGGER counters_{name} {event} FOR EACH ROW BEGIN {body} END")).await?;
            } else {
                exec(
                    &txn,
                    &format!(
                        "CREATE FUNCTION counters_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                         BEGIN {body} RETURN NULL; END $$"
                    ),
                )
                .await?;
                exec(
                    &txn,
                    &format!("CREATE TRIGGER counters_{name} {event} FOR EACH ROW EXECUTE FUNCTION counters_{name}()"),
                )
                .await?;
            }
        }
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for (name, event, _) in triggers(backend) {
            if backend == DbBackend::Sqlite {
                exec(manager.get_connection(), &format!("DROP TRIGGER IF EXISTS counters_{name}")).await?;
            } else {
                let table = table_of(event);
                exec(manager.get_connection(), &format!("DROP TRIGGER IF EXISTS counters_{name} ON {table}")).await?;
                exec(manager.get_connection(), &format!("DROP FUNCTION IF EXISTS counters_{name}()")).await?;
            }
        }
        exec(manager.get_connection(), "DROP TABLE account_stats").await?;
        exec(manager.get_connection(), "DROP TABLE status_stats").await
    }
}
