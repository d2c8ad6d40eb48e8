//! What the integration tests share: an instance named `localhost:1` in development mode, on
//! every database backend enabled for the run.
#![allow(dead_code, clippy::unwrap_used)]

use coopol_db::Db;
use coopol_federation::{actors, Federation, InstanceConfig};

pub fn config() -> InstanceConfig {
    InstanceConfig {
        domain: "localhost:1".into(),
        dev: true,
        title: "t".into(),
        registrations: coopol_core::RegistrationMode::Closed,
        source_url: None,
    }
}

/// A fresh database per enabled backend, migrated, with the named local accounts created.
pub async fn databases(local_accounts: &[&str]) -> Vec<(&'static str, Db)> {
    let mut out = Vec::new();
    for (name, db) in coopol_db::testing::all().await.unwrap() {
        for account in local_accounts {
            actors::create_local_account(&db, &config(), account).await.unwrap();
        }
        out.push((name, db));
    }
    out
}

/// A `Federation` per enabled backend, with the named local accounts.
pub async fn federations(local_accounts: &[&str]) -> Vec<(&'static str, Federation)> {
    let mut out = Vec::new();
    for (name, db) in databases(local_accounts).await {
        out.push((name, Federation::new(config(), db).await.unwrap()));
    }
    out
}
