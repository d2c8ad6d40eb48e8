//! Domain types and rules of coopol. Plain Rust, no I/O: who sees what, who is addressed,
//! how text becomes HTML. Everything here is unit-tested without a database or network.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod audience;
pub mod event;
pub mod group;
pub mod id;
pub mod intent;
pub mod plain;
pub mod registration;
pub mod role;
pub mod text;
pub mod visibility;

pub use audience::Audience;
pub use group::{GroupRole, JoinMode};
pub use id::new_id;
pub use intent::Intent;
pub use registration::RegistrationMode;
pub use role::Role;
pub use visibility::Visibility;

/// ActivityStreams' public collection, as it appears in `to`/`cc`.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The Mastodon version whose client API coopol follows: what `/api/v1/instance` announces
/// (with coopol's own) and NodeInfo names as upstream, so that apps turn on what it has.
pub const MASTODON_API_VERSION: &str = "4.3.0";

/// Errors of the domain rules.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CoreError {
    #[error("unknown visibility {0:?}")]
    UnknownVisibility(String),
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    #[error("unknown join mode {0:?}: use open, approval or invite")]
    UnknownJoinMode(String),
    #[error("unknown registration mode {0:?}: use closed, invite, approval or open")]
    UnknownRegistrationMode(String),
    #[error("invalid username {0:?}: use 1 to 30 letters, digits or underscores")]
    InvalidUsername(String),
}

/// A local username: what Mastodon accepts (letters, digits, underscore), at most 30 characters.
pub fn validate_username(name: &str) -> Result<(), CoreError> {
    let ok = !name.is_empty() && name.len() <= 30 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::InvalidUsername(name.to_string()))
    }
}

/// Whether a domain (`host` or `host:port`) falls under a block of `blocked`: the same host, or
/// a subdomain of it. A block with a port matches that port only.
pub fn domain_is_blocked(domain: &str, blocked: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    let blocked = blocked.to_ascii_lowercase();
    if domain == blocked {
        return true;
    }
    let host = domain
        .rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(domain.as_str(), |(h, _)| h);
    if blocked.contains(':') {
        return false;
    }
    host == blocked || host.ends_with(&format!(".{blocked}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_blocks_cover_subdomains() {
        assert!(domain_is_blocked("evil.example", "evil.example"));
        assert!(domain_is_blocked("a.b.Evil.example", "evil.example"));
        assert!(domain_is_blocked("evil.example:8443", "evil.example"));
        assert!(!domain_is_blocked("notevil.example", "evil.example"));
        assert!(domain_is_blocked("localhost:7001", "localhost:7001"));
        assert!(!domain_is_blocked("localhost:7002", "localhost:7001"));
    }

    #[test]
    fn usernames() {
        assert!(validate_username("alice_01").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("a b").is_err());
        assert!(validate_username("éric").is_err());
        assert!(validate_username(&"x".repeat(31)).is_err());
    }
}
