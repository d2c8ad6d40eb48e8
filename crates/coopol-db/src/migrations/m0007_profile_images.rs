//! Profile images: the avatar and header of accounts, local (a stored file) or remote (the
//! URL their actor announces).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_profile_images"
    }
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
                    .table(Alias::new("profile_images"))
                    .if_not_exists()
                    .col(col("account_id").big_integer().not_null())
                    .col(col("kind").text().not_null())
                    .col(col("url").text().not_null())
                    .col(col("content_type").text().not_null())
                    .col(col("file_key").text().null())
                    .col(col("updated_at").timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(Alias::new("account_id")).col(Alias::new("kind")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("profile_images")).to_owned()).await
    }
}
