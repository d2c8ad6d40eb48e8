//! Events: an `events` row beside each event's companion status, who takes part
//! (`event_participants`), and the secret of each account's private calendar feed.
//! No foreign keys, as elsewhere: deletions cascade in code (`coopol_service::statuses::delete_rows`).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_events"
    }
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("events"))
                    .if_not_exists()
                    .col(col("id").big_integer().not_null().primary_key())
                    .col(col("status_id").big_integer().not_null())
                    .col(col("uri").text().not_null())
                    .col(col("url").text().not_null())
                    .col(col("account_id").big_integer().not_null())
                    .col(col("group_id").big_integer().null())
                    .col(col("title").text().not_null())
                    .col(col("description_source").text().null())
                    .col(col("description_html").text().not_null())
                    .col(col("starts_at").timestamp_with_time_zone().not_null())
                    .col(col("ends_at").timestamp_with_time_zone().null())
                    .col(col("timezone").text().not_null())
                    .col(col("location_name").text().null())
                    .col(col("street").text().null())
                    .col(col("locality").text().null())
                    .col(col("postal_code").text().null())
                    .col(col("country").text().null())
                    .col(col("latitude").double().null())
                    .col(col("longitude").double().null())
                    .col(col("online_url").text().null())
                    .col(col("category").text().null())
                    .col(col("capacity").integer().null())
                    .col(col("join_mode").text().not_null())
                    .col(col("status").text().not_null())
                    .col(col("image_url").text().null())
                    .col(col("anonymous_participation").boolean().not_null().default(false))
                    .col(col("participants_count").integer().not_null().default(0))
                    .col(col("local").boolean().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("events_status_id", "events", &["status_id"], true)).await?;
        manager.create_index(index("events_uri", "events", &["uri"], true)).await?;
        manager.create_index(index("events_starts_at", "events", &["starts_at"], false)).await?;
        manager.create_index(index("events_group_id_starts_at", "events", &["group_id", "starts_at"], false)).await?;
        manager.create_index(index("events_account_id", "events", &["account_id"], false)).await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("event_participants"))
                    .if_not_exists()
                    .col(col("id").big_integer().not_null().primary_key())
                    .col(col("event_id").big_integer().not_null())
                    .col(col("account_id").big_integer().not_null())
                    .col(col("state").text().not_null())
                    .col(col("join_uri").text().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .col(col("reminded_at").timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("event_participants_pair", "event_participants", &["event_id", "account_id"], true))
            .await?;
        manager.create_index(index("event_participants_join_uri", "event_participants", &["join_uri"], true)).await?;
        manager
            .create_index(index("event_participants_account_id", "event_participants", &["account_id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("calendar_tokens"))
                    .if_not_exists()
                    .col(col("account_id").big_integer().not_null().primary_key())
                    .col(col("token_hash").text().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("calendar_tokens_token_hash", "calendar_tokens", &["token_hash"], true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["calendar_tokens", "event_participants", "events"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
