//! The instance's identity and the URLs it mints. Every URL of a local actor or object is
//! built here, so the URL scheme lives in one place; the service mints the ids of what it
//! creates, the federation crate re-exports it for the documents it serves.

use url::Url;

/// How this instance names itself and what it accepts from peers.
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    /// Public host, with the port when not the default (`section.example`, `localhost:8081`).
    pub domain: String,
    /// Development mode: plain http for our own URLs, http and loopback peers allowed, short
    /// retry delays. Never on a public server.
    pub dev: bool,
    /// Human name of the instance, shown in `/api/v1/instance` and NodeInfo.
    pub title: String,
    /// Who may sign up until the admin sets it (`registrations::mode` reads the stored setting
    /// first): from the configuration file.
    pub registrations: coopol_core::RegistrationMode,
    /// Where users can get the source of the code this instance runs (AGPL §13).
    pub source_url: Option<String>,
}

impl InstanceConfig {
    /// `http` in development mode, `https` otherwise.
    pub fn scheme(&self) -> &'static str {
        if self.dev {
            "http"
        } else {
            "https"
        }
    }

    /// `https://domain` without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.domain)
    }

    pub fn actor_url(&self, username: &str) -> String {
        format!("{}/users/{}", self.base_url(), username)
    }

    pub fn profile_url(&self, username: &str) -> String {
        format!("{}/@{}", self.base_url(), username)
    }

    pub fn status_url(&self, username: &str, id: i64) -> String {
        format!("{}/users/{}/statuses/{}", self.base_url(), username, id)
    }

    /// Activity ids are fragments-free URLs under the actor, unique by a fresh id.
    pub fn activity_url(&self, username: &str, kind: &str, id: i64) -> String {
        format!("{}/users/{}/activities/{}/{}", self.base_url(), username, kind, id)
    }

    pub fn instance_actor_url(&self) -> String {
        format!("{}/actor", self.base_url())
    }

    pub fn shared_inbox_url(&self) -> String {
        format!("{}/inbox", self.base_url())
    }

    /// Whether `url` points at this instance (same host and port).
    pub fn is_local(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| authority(&u).is_some_and(|a| a.eq_ignore_ascii_case(&self.domain)))
    }
}

/// `host[:port]` of a URL, the port only when not the scheme's default: the unit of trust
/// ("origin") for ids and keys. Comparing `Url::domain()` alone would make every
/// `localhost:PORT` instance look like one.
pub fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(p) => format!("{}:{}", host.to_ascii_lowercase(), p),
        None => host.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_include_the_port() {
        let a = Url::parse("http://localhost:8081/users/a").unwrap();
        assert_eq!(authority(&a).unwrap(), "localhost:8081");
        assert_eq!(authority(&Url::parse("https://Ex.org/").unwrap()).unwrap(), "ex.org");
    }

    #[test]
    fn local_urls() {
        let c = InstanceConfig {
            domain: "localhost:8081".into(),
            dev: true,
            title: "t".into(),
            registrations: coopol_core::RegistrationMode::Closed,
            source_url: None,
        };
        assert!(c.is_local("http://localhost:8081/users/a"));
        assert!(!c.is_local("http://localhost:8082/users/a"));
        assert_eq!(c.actor_url("a"), "http://localhost:8081/users/a");
    }
}
