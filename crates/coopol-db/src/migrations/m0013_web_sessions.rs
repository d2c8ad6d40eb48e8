//! The web interface: server-side sessions (the browser holds a random id in an HttpOnly
//! cookie; the table holds its SHA-256) and each local user's settings (the interface's
//! language).

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_web_sessions"
    }
}

const TABLES: &[Spec] = &[
    (
        "web_sessions",
        &[
            ("id", Id, false),
            ("token_hash", Text, false),
            ("user_id", BigInt, false),
            ("csrf_token", Text, false),
            ("user_agent", Text, false),
            ("created_at", Time, false),
            ("last_seen_at", Time, false),
        ],
    ),
    ("user_settings", &[("user_id", Id, false), ("locale", Text, true), ("updated_at", Time, false)]),
];

const INDEXES: &[IndexSpec] = &[
    ("web_sessions_token", "web_sessions", &["token_hash"], true),
    ("web_sessions_user", "web_sessions", &["user_id"], false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::drop(manager, TABLES).await
    }
}
