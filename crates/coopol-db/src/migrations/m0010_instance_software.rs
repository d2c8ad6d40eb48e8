//! What software each remote server runs, as its NodeInfo says: a few servers (Lemmy) read a
//! group's posts only in their own shape, so deliveries to them differ.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_instance_software"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("instance_software"))
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("domain")).text().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("name")).text().null())
                    .col(ColumnDef::new(Alias::new("version")).text().null())
                    .col(ColumnDef::new(Alias::new("checked_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("instance_software")).to_owned()).await
    }
}
