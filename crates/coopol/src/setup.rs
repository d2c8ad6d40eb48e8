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
