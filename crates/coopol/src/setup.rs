//! Opening an instance's storage, shared by `serve` and `admin`: the data directory, the
//! database (migrated), and the check that the database belongs to the configured address.

use coopol_db::entities::accounts;
use coopol_db::Db;
use coopol_federation::actors::{self, INSTANCE_ACTOR_USERNAME};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::config::Config;
use crate::error::Error;

/// Creates the data directory, connects to the database and runs the migrations, checks that
/// the database was set up for this domain and mode, and creates the instance actor on first
/// use, which pins the database to this address.
pub async fn open(config: &Config) -> Result<Db, Error> {
    config.ensure_data_dir()?;
    let db = coopol_db::connect(&config.database_url)
        .await
        .map_err(|e| Error::Connect { url: config.database_url_for_display(), message: e.to_string() })?;
    check_identity(&db, config).await?;
    actors::ensure_instance_actor(&db, &config.instance()).await?;
    Ok(db)
}

/// The instance actor's id as stored, if the database has one.
pub async fn stored_instance_actor(db: &Db) -> Result<Option<String>, Error> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Domain.is_null())
        .filter(accounts::Column::Username.eq(INSTANCE_ACTOR_USERNAME))
        .one(db)
        .await?
        .map(|a| a.uri))
}

/// Refuses a database whose instance actor was minted for another address (another domain,
/// or http versus https): every stored local id would be wrong, and a second instance actor
/// would be created beside the first.
pub async fn check_identity(db: &Db, config: &Config) -> Result<(), Error> {
    let expected = config.instance().instance_actor_url();
    match stored_instance_actor(db).await? {
        Some(stored) if stored != expected => Err(Error::IdentityMismatch {
            stored: stored.strip_suffix("/actor").unwrap_or(&stored).to_string(),
            configured: config.base_url(),
        }),
        _ => Ok(()),
    }
}

/// Throwaway configurations for tests: a fresh SQLite file in a temporary directory, and a
/// fresh PostgreSQL database when `COOPOL_TEST_POSTGRES_URL` names a server.
#[cfg(test)]
pub mod testing {
    use std::path::PathBuf;

    use sea_orm::{ConnectionTrait, Database};

    use crate::config::{CliOverrides, Config, FileConfig};

    /// A test instance's storage; [`TestDb::cleanup`] removes it.
    pub struct TestDb {
        pub backend: &'static str,
        pub config: Config,
        pub dir: PathBuf,
        postgres: Option<(String, String)>,
    }

    impl TestDb {
        pub async fn cleanup(self) {
            let _ = std::fs::remove_dir_all(&self.dir);
            if let Some((admin_url, name)) = &self.postgres {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            }
        }
    }

    fn unique() -> String {
        format!("coopol_bin_t_{}_{}", std::process::id(), coopol_core::new_id())
    }

    fn config(domain: &str, dev: bool, dir: &std::path::Path, database_url: Option<String>) -> Config {
        let dir = dir.to_string_lossy().into_owned();
        let domain = domain.to_string();
        Config::resolve(
            FileConfig::default(),
            None,
            move |k| match k {
                "COOPOL_DATA_DIR" => Some(dir.clone()),
                "COOPOL_DOMAIN" => Some(domain.clone()),
                "COOPOL_DATABASE_URL" => database_url.clone(),
                _ => None,
            },
            CliOverrides { dev },
        )
        .unwrap()
    }

    /// SQLite only.
    pub fn sqlite(domain: &str, dev: bool) -> TestDb {
        let dir = std::env::temp_dir().join(unique());
        TestDb { backend: "sqlite", config: config(domain, dev, &dir, None), dir, postgres: None }
    }

    /// SQLite, and PostgreSQL when enabled.
    pub async fn all(domain: &str, dev: bool) -> Vec<TestDb> {
        let mut out = vec![sqlite(domain, dev)];
        if let Ok(url) = std::env::var("COOPOL_TEST_POSTGRES_URL") {
            let admin = Database::connect(url.as_str()).await.unwrap();
            let name = unique();
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
            let dir = std::env::temp_dir().join(unique());
            out.push(TestDb {
                backend: "postgres",
                config: config(domain, dev, &dir, Some(format!("{base}/{name}"))),
                dir,
                postgres: Some((url.clone(), name)),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_keeps_its_address() {
        for t in testing::all("localhost:18080", true).await {
            keeps_its_address(&t).await;
            t.cleanup().await;
        }
    }

    async fn keeps_its_address(t: &testing::TestDb) {
        let config = &t.config;
        assert!(!t.dir.exists());
        let db = open(config).await.unwrap();
        assert!(t.dir.is_dir(), "the data directory is created on first start");
        assert_eq!(stored_instance_actor(&db).await.unwrap().as_deref(), Some("http://localhost:18080/actor"));
        drop(db);
        // Same address: fine, and no second instance actor.
        let db = open(config).await.unwrap();
        let n = accounts::Entity::find()
            .filter(accounts::Column::Username.eq(INSTANCE_ACTOR_USERNAME))
            .all(&db)
            .await
            .unwrap()
            .len();
        assert_eq!(n, 1, "{}", t.backend);
        drop(db);
        // Production mode (https) or another domain on the same database: refused.
        let mut prod = config.clone();
        prod.dev = false;
        let err = open(&prod).await.unwrap_err();
        assert!(matches!(err, Error::IdentityMismatch { .. }), "{err}");
        assert!(err.to_string().contains("http://localhost:18080"), "{err}");
        let mut moved = config.clone();
        moved.domain = "localhost:18081".into();
        assert!(matches!(open(&moved).await.unwrap_err(), Error::IdentityMismatch { .. }));
    }
}
