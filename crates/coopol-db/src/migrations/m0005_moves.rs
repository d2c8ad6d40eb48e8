//! Moves and portable archives: where imported posts came from (so a re-import adds nothing),
//! and the member list an imported archive carries (so former members re-join with their role).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_moves"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("imported_statuses"))
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("original_uri")).text().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("status_id")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("account_id")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("imported_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("archive_members"))
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("id")).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("account_id")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("member_uri")).text().not_null())
                    .col(ColumnDef::new(Alias::new("role")).text().not_null())
                    .col(ColumnDef::new(Alias::new("created_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("archive_members_pair")
                    .table(Alias::new("archive_members"))
                    .col(Alias::new("account_id"))
                    .col(Alias::new("member_uri"))
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("imported_statuses_account")
                    .table(Alias::new("imported_statuses"))
                    .col(Alias::new("account_id"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["archive_members", "imported_statuses"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
