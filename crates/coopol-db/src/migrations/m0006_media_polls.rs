//! Media attachments and polls: uploaded (or remote) files attached to statuses, polls of
//! statuses (local or remote `Question`s) and the votes cast on them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_media_polls"
    }
}

fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().primary_key().to_owned()
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("media_attachments"))
                    .if_not_exists()
                    .col(id("id"))
                    .col(col("account_id").big_integer().not_null())
                    .col(col("status_id").big_integer().null())
                    .col(col("position").integer().not_null())
                    .col(col("kind").text().not_null())
                    .col(col("content_type").text().not_null())
                    .col(col("file_key").text().null())
                    .col(col("thumbnail_key").text().null())
                    .col(col("url").text().not_null())
                    .col(col("preview_url").text().null())
                    .col(col("remote_url").text().null())
                    .col(col("description").text().null())
                    .col(col("blurhash").text().null())
                    .col(col("meta").text().not_null())
                    .col(col("file_size").big_integer().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("polls"))
                    .if_not_exists()
                    .col(id("id"))
                    .col(col("status_id").big_integer().not_null())
                    .col(col("options").text().not_null())
                    .col(col("cached_counts").text().not_null())
                    .col(col("cached_voters").big_integer().null())
                    .col(col("multiple").boolean().not_null())
                    .col(col("hide_totals").boolean().not_null())
                    .col(col("expires_at").timestamp_with_time_zone().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("poll_votes"))
                    .if_not_exists()
                    .col(id("id"))
                    .col(col("poll_id").big_integer().not_null())
                    .col(col("account_id").big_integer().not_null())
                    .col(col("choice").integer().not_null())
                    .col(col("uri").text().not_null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        let indexes: [(&str, &str, &[&str], bool); 5] = [
            ("media_attachments_status", "media_attachments", &["status_id", "position"], false),
            ("media_attachments_account", "media_attachments", &["account_id"], false),
            ("polls_status", "polls", &["status_id"], true),
            ("poll_votes_choice", "poll_votes", &["poll_id", "account_id", "choice"], true),
            ("poll_votes_uri", "poll_votes", &["uri"], false),
        ];
        for (name, table, columns, unique) in indexes {
            let mut i = Index::create();
            i.name(name).table(Alias::new(table)).if_not_exists();
            for c in columns {
                i.col(Alias::new(*c));
            }
            if unique {
                i.unique();
            }
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["poll_votes", "polls", "media_attachments"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
