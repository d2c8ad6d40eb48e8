//! The client API's statuses and relationships: edit history, bookmarks, pins, mutes,
//! idempotency keys, profile sources and fields, and the `notify`/`show_reblogs` options of
//! follows.

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_statuses"
    }
}

const TABLES: &[Spec] = &[
    (
        // Versions of an edited status, oldest first; the first row is the original.
        "status_edits",
        &[
            ("id", Id, false),
            ("status_id", BigInt, false),
            ("content", Text, false),
            ("source_text", Text, true),
            ("spoiler_text", Text, false),
            ("sensitive", Bool, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "bookmarks",
        &[("id", Id, false), ("account_id", BigInt, false), ("status_id", BigInt, false), ("created_at", Time, false)],
    ),
    (
        "status_pins",
        &[("id", Id, false), ("account_id", BigInt, false), ("status_id", BigInt, false), ("created_at", Time, false)],
    ),
    (
        "mutes",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("target_account_id", BigInt, false),
            ("notifications", Bool, false),
            ("expires_at", Time, true),
            ("created_at", Time, false),
        ],
    ),
    (
        "idempotency_keys",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("key", Text, false),
            ("status_id", BigInt, false),
            ("created_at", Time, false),
        ],
    ),
    (
        // What a local account typed for its bio and its profile fields (JSON array).
        "account_profiles",
        &[
            ("account_id", Id, false),
            ("note_source", Text, false),
            ("fields", Text, false),
            ("updated_at", Time, false),
        ],
    ),
];

const INDEXES: &[IndexSpec] = &[
    ("status_edits_status", "status_edits", &["status_id", "id"], false),
    ("bookmarks_pair", "bookmarks", &["account_id", "status_id"], true),
    ("bookmarks_status", "bookmarks", &["status_id"], false),
    ("status_pins_pair", "status_pins", &["account_id", "status_id"], true),
    ("status_pins_status", "status_pins", &["status_id"], false),
    ("mutes_pair", "mutes", &["account_id", "target_account_id"], true),
    ("idempotency_keys_pair", "idempotency_keys", &["account_id", "key"], true),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await?;
        // One column per statement: SQLite alters one thing at a time.
        for (name, default) in [("notify", false), ("show_reblogs", true)] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("follows"))
                        .add_column(ColumnDef::new(Alias::new(name)).boolean().not_null().default(default))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["notify", "show_reblogs"] {
            manager
                .alter_table(Table::alter().table(Alias::new("follows")).drop_column(Alias::new(name)).to_owned())
                .await?;
        }
        schema::drop(manager, TABLES).await
    }
}
