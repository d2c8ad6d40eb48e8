//! Fresh databases for tests: a new SQLite file always, and a new PostgreSQL database when
//! `COOPOL_TEST_POSTGRES_URL` names a server (e.g. `postgres://postgres@127.0.0.1:5432/test`).
//! SQLite files go under `$TMPDIR/coopol-tests/` and PostgreSQL databases are named
//! `coopol_t_*`: `scripts/test` removes both before a run.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, Set};

use crate::entities::{accounts, users};

use crate::{connect, Db, DbError};

/// The environment variable that enables PostgreSQL in tests.
pub const POSTGRES_ENV: &str = "COOPOL_TEST_POSTGRES_URL";

fn unique_name() -> String {
    format!("coopol_t_{}_{:x}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    u64::try_from(nanos % u128::from(u64::MAX)).unwrap_or(0) ^ u64::from(coopol_core::new_id().unsigned_abs() as u32)
}

/// A migrated, empty SQLite database in the temp directory.
pub async fn sqlite() -> Result<Db, DbError> {
    let dir = std::env::temp_dir().join("coopol-tests");
    std::fs::create_dir_all(&dir).map_err(|e| DbError::Invalid(format!("creating {}: {e}", dir.display())))?;
    let path = dir.join(format!("{}.db", unique_name()));
    connect(&format!("sqlite://{}?mode=rwc", path.display())).await
}

/// A migrated, empty PostgreSQL database on the server named by `COOPOL_TEST_POSTGRES_URL`,
/// or `None` when it is not set.
pub async fn postgres() -> Result<Option<Db>, DbError> {
    let Ok(url) = std::env::var(POSTGRES_ENV) else { return Ok(None) };
    let admin = Database::connect(url.as_str()).await?;
    let name = unique_name();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Ok(Some(connect(&format!("{base}/{name}")).await?))
}

/// Every backend enabled for this test run, by name.
pub async fn all() -> Result<Vec<(&'static str, Db)>, DbError> {
    let mut out = vec![("sqlite", sqlite().await?)];
    if let Some(pg) = postgres().await? {
        out.push(("postgres", pg));
    }
    Ok(out)
}

/// A person's account row, not yet stored (no keys, no user), with the actor id `uri`, local
/// when `domain` is `None`: tests that need a group or another `url` change those fields.
pub fn account_row(username: &str, domain: Option<&str>, uri: &str) -> accounts::ActiveModel {
    accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(username.into()),
        domain: Set(domain.map(String::from)),
        display_name: Set(username.into()),
        note: Set(String::new()),
        uri: Set(uri.into()),
        url: Set(uri.into()),
        actor_type: Set("Person".into()),
        inbox_url: Set(format!("{uri}/inbox")),
        public_key_id: Set(format!("{uri}#main-key")),
        public_key_pem: Set(String::new()),
        locked: Set(false),
        bot: Set(false),
        suspended: Set(false),
        also_known_as: Set("[]".into()),
        created_at: Set(crate::now()),
        updated_at: Set(crate::now()),
        ..Default::default()
    }
}

/// Stores `account_row`: the fixture most tests start from.
pub async fn insert_account(
    db: &impl ConnectionTrait,
    username: &str,
    domain: Option<&str>,
    uri: &str,
) -> Result<accounts::Model, DbError> {
    Ok(account_row(username, domain, uri).insert(db).await?)
}

/// An approved local user of `account_id` with this password hash and instance role, not yet
/// stored: tests that need a waiting account change `approved`.
pub fn user_row(account_id: i64, email: &str, password_hash: &str, role: &str) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(coopol_core::new_id()),
        account_id: Set(account_id),
        email: Set(email.into()),
        password_hash: Set(password_hash.into()),
        role: Set(role.into()),
        created_at: Set(crate::now()),
        approved: Set(true),
        sign_up_reason: Set(None),
        invitation_id: Set(None),
    }
}
