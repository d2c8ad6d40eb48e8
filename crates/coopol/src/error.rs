//! The errors of the `coopol` commands. Each message is meant for the operator who typed the
//! command: it says what went wrong and, where it can, what to do.

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A command was given something it cannot work with.
    #[error("{0}")]
    Usage(String),
    /// Something named on the command line does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("cannot open the database {url}: {message}")]
    Connect { url: String, message: String },
    #[error("database error: {0}")]
    Db(String),
    #[error("{0}")]
    Federation(String),
    #[error("{0}")]
    Api(String),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    /// The database was set up for another public address.
    #[error(
        "this database belongs to {stored}, but the configuration says {configured}.\n\
         Every id this instance has published contains its address, so it cannot change.\n\
         Use the same domain and the same development mode as when the database was created \
         (COOPOL_DOMAIN, --dev / COOPOL_DEV), or another data directory or database."
    )]
    IdentityMismatch { stored: String, configured: String },
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Db(e.to_string())
    }
}

impl From<coopol_db::DbError> for Error {
    fn from(e: coopol_db::DbError) -> Self {
        Error::Db(e.to_string())
    }
}

impl From<coopol_federation::FederationError> for Error {
    fn from(e: coopol_federation::FederationError) -> Self {
        match e {
            coopol_federation::FederationError::Db(db) => Error::Db(db.to_string()),
            other => Error::Federation(other.to_string()),
        }
    }
}

impl From<coopol_service::ServiceError> for Error {
    fn from(e: coopol_service::ServiceError) -> Self {
        match e {
            coopol_service::ServiceError::Db(db) => Error::Db(db.to_string()),
            coopol_service::ServiceError::NotFound => Error::NotFound("not found".into()),
            other => Error::Usage(other.to_string()),
        }
    }
}

impl From<coopol_api::ApiError> for Error {
    fn from(e: coopol_api::ApiError) -> Self {
        Error::Api(e.to_string())
    }
}
