//! The instance admin's work: a reason with each domain block, the log of admin actions (who,
//! what, when, on what, why), and the reversible suspensions of local accounts (a deleted
//! account is suspended too, but has no row here, so it cannot be unsuspended).

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_admin"
    }
}

const TABLES: &[Spec] = &[
    (
        "admin_log",
        &[
            ("id", Id, false),
            // The local account that acted; none for the command line on the server.
            ("actor_account_id", BigInt, true),
            ("action", Text, false),
            ("target", Text, false),
            ("reason", Text, false),
            ("created_at", Time, false),
        ],
    ),
    ("account_suspensions", &[("account_id", Id, false), ("reason", Text, false), ("created_at", Time, false)]),
];

const INDEXES: &[IndexSpec] = &[];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("domain_blocks"))
                    .add_column(ColumnDef::new(Alias::new("reason")).text().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        schema::create(manager, TABLES, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::drop(manager, TABLES).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("domain_blocks")).drop_column(Alias::new("reason")).to_owned())
            .await
    }
}
