//! The message a person may write when asking to join a group on approval, kept while the
//! request waits (its moderators read it with the request; answering or withdrawing it removes
//! the message).

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_join_messages"
    }
}

const TABLES: &[Spec] = &[(
    "group_join_messages",
    &[
        ("id", Id, false),
        ("group_account_id", BigInt, false),
        ("account_id", BigInt, false),
        ("message", Text, false),
        ("created_at", Time, false),
    ],
)];

const INDEXES: &[IndexSpec] =
    &[("group_join_messages_pair", "group_join_messages", &["group_account_id", "account_id"], true)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::drop(manager, TABLES).await
    }
}
