//! Polls remember whether their end was announced, so the `poll` notification goes out once.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_poll_endings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("polls"))
                    .add_column(ColumnDef::new(Alias::new("end_notified")).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        // The worker looks for ended polls not yet announced.
        manager
            .create_index(
                Index::create()
                    .name("polls_end_notified_expires_at")
                    .table(Alias::new("polls"))
                    .col(Alias::new("end_notified"))
                    .col(Alias::new("expires_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("polls_end_notified_expires_at").table(Alias::new("polls")).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Alias::new("polls")).drop_column(Alias::new("end_notified")).to_owned())
            .await
    }
}
