//! Groups (FEP-1b12): settings of local groups, members and their roles, invitations,
//! locked threads, the posts a group announced, and the moderation log. A group itself is an
//! `accounts` row with `actor_type = "Group"`; its followers are ordinary `follows` rows and
//! a ban is an ordinary `blocks` row by the group.

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_groups"
    }
}

/// (table, [(column, kind, nullable)])
const TABLES: &[Spec] = &[
    (
        "groups",
        &[
            // The group's account id.
            ("account_id", Id, false),
            ("join_mode", Text, false),
            ("private", Bool, false),
            ("members_visible", Bool, false),
            ("rules", Text, false),
            ("creator_account_id", BigInt, true),
            ("created_at", Time, false),
        ],
    ),
    (
        "group_members",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("account_id", BigInt, false),
            ("role", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "group_invitations",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("account_id", BigInt, false),
            ("role", Text, false),
            ("invited_by", BigInt, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "group_thread_locks",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("status_id", BigInt, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "group_posts",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            ("status_id", BigInt, false),
            ("announce_uri", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "group_moderation_log",
        &[
            ("id", Id, false),
            ("group_account_id", BigInt, false),
            // Who acted: a moderator, or the reporter of a `report`; none for the instance admin.
            ("actor_account_id", BigInt, true),
            ("action", Text, false),
            ("target_account_id", BigInt, true),
            ("target_uri", Text, true),
            ("reason", Text, false),
            ("created_at", Time, false),
        ],
    ),
];

/// (index name, table, columns, unique)
const INDEXES: &[IndexSpec] = &[
    ("group_members_pair", "group_members", &["group_account_id", "account_id"], true),
    ("group_members_account", "group_members", &["account_id"], false),
    ("group_invitations_pair", "group_invitations", &["group_account_id", "account_id"], true),
    ("group_thread_locks_pair", "group_thread_locks", &["group_account_id", "status_id"], true),
    ("group_posts_pair", "group_posts", &["group_account_id", "status_id"], true),
    ("group_posts_status", "group_posts", &["status_id"], false),
    ("group_moderation_log_group", "group_moderation_log", &["group_account_id", "id"], false),
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
