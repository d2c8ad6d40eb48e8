//! How people get an account: invitation links (single or multi-use, with an expiry), the
//! instance's settings that the admin changes from the panel or the command line (the
//! registration mode first), and on `users` whether an account waits for approval, the reason
//! its person gave, and the invitation it came with.

use sea_orm_migration::prelude::*;

use super::schema::{self, IndexSpec, Kind::*, Spec};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_registrations"
    }
}

const TABLES: &[Spec] = &[
    (
        "invitations",
        &[
            ("id", Id, false),
            ("code", Text, false),
            ("created_by", BigInt, false),
            ("max_uses", Int, true),
            ("uses", Int, false),
            ("expires_at", Time, true),
            ("revoked", Bool, false),
            ("created_at", Time, false),
        ],
    ),
    ("instance_settings", &[("name", TextKey, false), ("value", Text, false), ("updated_at", Time, false)]),
];

const INDEXES: &[IndexSpec] = &[("invitations_code", "invitations", &["code"], true)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        schema::create(manager, TABLES, INDEXES).await?;
        // Accounts made before approval existed are approved. One column per statement:
        // SQLite alters one column at a time.
        let columns = [
            ColumnDef::new(Alias::new("approved")).boolean().not_null().default(true).to_owned(),
            ColumnDef::new(Alias::new("sign_up_reason")).text().null().to_owned(),
            ColumnDef::new(Alias::new("invitation_id")).big_integer().null().to_owned(),
        ];
        for mut c in columns {
            manager.alter_table(Table::alter().table(Alias::new("users")).add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for c in ["invitation_id", "sign_up_reason", "approved"] {
            manager
                .alter_table(Table::alter().table(Alias::new("users")).drop_column(Alias::new(c)).to_owned())
                .await?;
        }
        schema::drop(manager, TABLES).await
    }
}
