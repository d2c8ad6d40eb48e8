//! The foundation schema: accounts, follows, statuses, federation queues, OAuth.

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

/// A table as (name, [(column, kind, nullable)]): short enough to review at a glance.
const TABLES: &[Spec] = &[
    (
        "accounts",
        &[
            ("id", Id, false),
            ("username", Text, false),
            ("domain", Text, true),
            ("display_name", Text, false),
            ("note", Text, false),
            ("uri", Text, false),
            ("url", Text, false),
            ("actor_type", Text, false),
            ("inbox_url", Text, false),
            ("shared_inbox_url", Text, true),
            ("outbox_url", Text, true),
            ("followers_url", Text, true),
            ("following_url", Text, true),
            ("public_key_id", Text, false),
            ("public_key_pem", Text, false),
            ("private_key_pem", Text, true),
            ("locked", Bool, false),
            ("bot", Bool, false),
            ("suspended", Bool, false),
            ("moved_to_uri", Text, true),
            ("also_known_as", Text, false),
            ("created_at", Time, false),
            ("updated_at", Time, false),
            ("fetched_at", Time, true),
        ],
    ),
    (
        "users",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("email", Text, false),
            ("password_hash", Text, false),
            ("role", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "follows",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("target_account_id", BigInt, false),
            ("uri", Text, false),
            ("state", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "statuses",
        &[
            ("id", Id, false),
            ("uri", Text, false),
            ("url", Text, false),
            ("account_id", BigInt, false),
            ("in_reply_to_id", BigInt, true),
            ("in_reply_to_uri", Text, true),
            ("in_reply_to_account_id", BigInt, true),
            ("reblog_of_id", BigInt, true),
            ("content", Text, false),
            ("source_text", Text, true),
            ("spoiler_text", Text, false),
            ("sensitive", Bool, false),
            ("visibility", Text, false),
            ("language", Text, true),
            ("local", Bool, false),
            ("created_at", Time, false),
            ("edited_at", Time, true),
        ],
    ),
    ("mentions", &[("id", Id, false), ("status_id", BigInt, false), ("account_id", BigInt, false)]),
    ("status_tags", &[("id", Id, false), ("status_id", BigInt, false), ("name", Text, false)]),
    (
        "favourites",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("status_id", BigInt, false),
            ("uri", Text, false),
            ("created_at", Time, false),
        ],
    ),
    (
        "blocks",
        &[
            ("id", Id, false),
            ("account_id", BigInt, false),
            ("target_account_id", BigInt, false),
            ("uri", Text, false),
            ("created_at", Time, false),
        ],
    ),
    ("outbox", &[("id", Id, false), ("intent", Text, false), ("created_at", Time, false)]),
    (
        "delivery_jobs",
        &[
            ("id", Id, false),
            ("inbox_url", Text, false),
            ("domain", Text, false),
            ("sender_account_id", BigInt, false),
            ("payload", Text, false),
            ("attempts", Int, false),
            ("next_attempt_at", Time, false),
            ("locked_until", Time, true),
            ("last_error", Text, true),
            ("created_at", Time, false),
        ],
    ),
    (
        "instances",
        &[
            ("domain", TextKey, false),
            ("failure_days", Int, false),
            ("last_failure_day", Text, true),
            ("unavailable", Bool, false),
            ("last_success_at", Time, true),
        ],
    ),
    ("received_activities", &[("id", TextKey, false), ("received_at", Time, false)]),
    (
        "inbox_jobs",
        &[
            ("id", Id, false),
            ("activity", Text, false),
            ("actor_uri", Text, false),
            ("attempts", Int, false),
            ("next_attempt_at", Time, false),
            ("locked_until", Time, true),
            ("created_at", Time, false),
        ],
    ),
    ("tombstones", &[("uri", TextKey, false), ("deleted_at", Time, false)]),
    ("domain_blocks", &[("domain", TextKey, false), ("severity", Text, false), ("created_at", Time, false)]),
    (
        "oauth_apps",
        &[
            ("id", Id, false),
            ("name", Text, false),
            ("client_id", Text, false),
            ("client_secret", Text, false),
            ("redirect_uris", Text, false),
            ("scopes", Text, false),
            ("website", Text, true),
            ("created_at", Time, false),
        ],
    ),
    (
        "oauth_codes",
        &[
            ("code_hash", TextKey, false),
            ("app_id", BigInt, false),
            ("user_id", BigInt, false),
            ("redirect_uri", Text, false),
            ("scopes", Text, false),
            ("code_challenge", Text, true),
            ("code_challenge_method", Text, true),
            ("expires_at", Time, false),
        ],
    ),
    (
        "oauth_tokens",
        &[
            ("id", Id, false),
            ("token_hash", Text, false),
            ("refresh_hash", Text, true),
            ("app_id", BigInt, true),
            ("user_id", BigInt, true),
            ("scopes", Text, false),
            ("created_at", Time, false),
            ("revoked_at", Time, true),
        ],
    ),
];

/// (index name, table, columns, unique)
const INDEXES: &[IndexSpec] = &[
    ("accounts_uri", "accounts", &["uri"], true),
    ("accounts_username_domain", "accounts", &["username", "domain"], false),
    ("users_account", "users", &["account_id"], true),
    ("users_email", "users", &["email"], true),
    ("follows_pair", "follows", &["account_id", "target_account_id"], true),
    ("follows_target", "follows", &["target_account_id", "state"], false),
    ("follows_uri", "follows", &["uri"], false),
    ("statuses_uri", "statuses", &["uri"], true),
    ("statuses_account", "statuses", &["account_id", "id"], false),
    ("statuses_reply", "statuses", &["in_reply_to_id"], false),
    ("statuses_reblog", "statuses", &["reblog_of_id"], false),
    ("mentions_pair", "mentions", &["status_id", "account_id"], true),
    ("mentions_account", "mentions", &["account_id"], false),
    ("status_tags_status", "status_tags", &["status_id"], false),
    ("status_tags_name", "status_tags", &["name"], false),
    ("favourites_pair", "favourites", &["account_id", "status_id"], true),
    ("favourites_status", "favourites", &["status_id"], false),
    ("favourites_uri", "favourites", &["uri"], false),
    ("blocks_pair", "blocks", &["account_id", "target_account_id"], true),
    ("delivery_jobs_due", "delivery_jobs", &["next_attempt_at"], false),
    ("inbox_jobs_due", "inbox_jobs", &["next_attempt_at"], false),
    ("oauth_apps_client", "oauth_apps", &["client_id"], true),
    ("oauth_tokens_hash", "oauth_tokens", &["token_hash"], true),
    ("oauth_tokens_refresh", "oauth_tokens", &["refresh_hash"], false),
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
