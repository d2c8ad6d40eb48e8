//! The social layer of the client API: notifications, personal lists, read markers and direct
//! conversations.

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_social"
    }
}

const TABLES: &[Spec] = &[
    (
        "notifications",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("from_account_id", BigInt, false),
            ("kind", Text, false),
            ("status_id", BigInt, true),
            // "account:kind:from:status": one notification per event, however often it arrives.
            ("dedup_key", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "lists",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("title", Text, false),
            ("replies_policy", Text, false),
            ("exclusive", Bool, false),
            ("created_at", Time, false),
        ],
    ),
    ("list_accounts", &[("id", Id, false), ("list_id", BigInt, false), ("account_id", BigInt, false)]),
    (
        "markers",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("timeline", Text, false),
            ("last_read_id", BigInt, false),
            ("version", Int, false),
            ("updated_at", Time, false),
        ],
    ),
    (
        "conversations",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            // The other participants' account ids, sorted, comma-separated.
            ("participants", Text, false),
            ("last_status_id", BigInt, false),
            ("unread", Bool, false),
            ("updated_at", Time, false),
        ],
    ),
];

/// (index name, table, columns, unique)
const INDEXES: &[IndexSpec] = &[
    ("notifications_dedup", "notifications", &["dedup_key"], true),
    ("notifications_account", "notifications", &["account_id", "id"], false),
    ("notifications_status", "notifications", &["status_id"], false),
    ("lists_account", "lists", &["account_id"], false),
    ("list_accounts_pair", "list_accounts", &["list_id", "account_id"], true),
    ("list_accounts_account", "list_accounts", &["account_id"], false),
    ("markers_pair", "markers", &["account_id", "timeline"], true),
    ("conversations_pair", "conversations", &["account_id", "participants"], true),
    ("conversations_account", "conversations", &["account_id", "last_status_id"], false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::drop(manager, TABLES).await
    }
}
