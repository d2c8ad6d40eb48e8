//! Passwords and secrets, for every door that signs a person in (OAuth in the client API, the
//! web interface's sign-in): argon2id hashes, random secrets stored as SHA-256 hashes, and the
//! check of a name or e-mail with a password.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use coopol_db::entities::users;
use coopol_db::{queries, Db};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::ServiceError;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (hashing a megabyte would be a cheap way to load the server).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Unprocessable("password is too short (minimum is 8 characters)".into()));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Unprocessable(format!("hashing a password: {e}")))
}

/// Checks a password against its stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A new random secret (256 bits, URL-safe base64).
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex: how tokens, codes and session ids are stored.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets (tokens) in time that does not depend on where they differ; an empty
/// secret matches nothing.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && !a.is_empty() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The local user whose e-mail or name (with or without `@`) is `login`.
pub async fn user_by_login(db: &Db, login: &str) -> Result<Option<users::Model>, ServiceError> {
    let login = login.trim();
    if let Some(u) = users::Entity::find().filter(users::Column::Email.eq(login.to_lowercase())).one(db).await? {
        return Ok(Some(u));
    }
    match queries::local_account(db, login.trim_start_matches('@')).await? {
        Some(a) => Ok(queries::user_by_account(db, a.id).await?),
        None => Ok(None),
    }
}

/// What a name or e-mail with a password opens.
#[derive(Debug)]
pub enum Login {
    /// Theirs, and the account may sign in.
    Valid(users::Model),
    /// Theirs, but the account waits for an admin's approval (the password was right, so this
    /// tells nothing to someone who does not know it).
    AwaitingApproval,
    /// Anything else: no such account, a wrong password, a suspended account.
    Refused,
}

/// Checks `login` and `password`. Whatever the answer, the same work is done (a password hash
/// is checked once), so the time taken does not tell whether the account exists.
pub async fn check_login(db: &Db, login: &str, password: &str) -> Result<Login, ServiceError> {
    let user = user_by_login(db, login).await?;
    let active = match &user {
        Some(u) => queries::account_by_id(db, u.account_id).await?.is_some_and(|a| !a.suspended),
        None => false,
    };
    match user {
        Some(u) if active => Ok(match (verify_password(password, &u.password_hash), u.approved) {
            (true, true) => Login::Valid(u),
            (true, false) => Login::AwaitingApproval,
            (false, _) => Login::Refused,
        }),
        _ => {
            // As long as a real check: hashing costs what verifying costs.
            let _ = hash_password(&format!("{password}-unknown-account"));
            Ok(Login::Refused)
        }
    }
}

/// The user if `login` names one who may sign in (not suspended, approved) and `password` is
/// theirs.
pub async fn check_password(db: &Db, login: &str, password: &str) -> Result<Option<users::Model>, ServiceError> {
    Ok(match check_login(db, login, password).await? {
        Login::Valid(u) => Some(u),
        Login::AwaitingApproval | Login::Refused => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn secrets_are_unique_and_hashed() {
        let a = random_secret();
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash(&a).len(), 64);
        assert_eq!(secret_hash(&a), secret_hash(&a));
    }
}
