//! The client API's statuses and relationships: edit history, bookmarks, pins, mutes,
//! idempotency keys, profile sources and fields, and the `notify`/`show_reblogs` options of
//! follows.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_statuses"
    }
}

#[derive(Clone, Copy)]
enum Kind {
    /// Primary key, 64-bit, set by the application.
    Id,
    BigInt,
    Text,
    Bool,
    Time,
}

type Spec = (&'static str, &'static [(&'static str, Kind, bool)]);

use Kind::*;

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

const INDEXES: &[(&str, &str, &[&str], bool)] = &[
    ("status_edits_status", "status_edits", &["status_id", "id"], false),
    ("bookmarks_pair", "bookmarks", &["account_id", "status_id"], true),
    ("bookmarks_status", "bookmarks", &["status_id"], false),
    ("status_pins_pair", "status_pins", &["account_id", "status_id"], true),
    ("status_pins_status", "status_pins", &["status_id"], false),
    ("mutes_pair", "mutes", &["account_id", "target_account_id"], true),
    ("idempotency_keys_pair", "idempotency_keys", &["account_id", "key"], true),
];

fn column(name: &str, kind: Kind, nullable: bool) -> ColumnDef {
    let mut c = ColumnDef::new(Alias::new(name));
    match kind {
        Id => c.big_integer().primary_key(),
        BigInt => c.big_integer(),
        Text => c.text(),
        Bool => c.boolean(),
        Time => c.timestamp_with_time_zone(),
    };
    if nullable {
        c.null();
    } else {
        c.not_null();
    }
    c
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in TABLES {
            let mut t = Table::create();
            t.table(Alias::new(*table)).if_not_exists();
            for (name, kind, nullable) in columns.iter() {
                t.col(column(name, *kind, *nullable));
            }
            manager.create_table(t).await?;
        }
        for (name, table, columns, unique) in INDEXES {
            let mut i = Index::create();
            i.name(*name).table(Alias::new(*table)).if_not_exists();
            for c in columns.iter() {
                i.col(Alias::new(*c));
            }
            if *unique {
                i.unique();
            }
            manager.create_index(i).await?;
        }
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
        for (table, _) in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(Alias::new(*table)).to_owned()).await?;
        }
        Ok(())
    }
}
