//! The web interface's way to other servers: its search asks for a handle or a URL it does not
//! know, and the federation crate finds it (WebFinger, signed fetch, SSRF guard, domain blocks).

use coopol_db::entities::accounts;
use coopol_federation::resolve::{self, Resolved};
use coopol_federation::{Federation, FederationError};
use coopol_web::lookup::{Found, Lookup};

pub struct FederationLookup(pub Federation);

#[async_trait::async_trait]
impl Lookup for FederationLookup {
    async fn handle(&self, user: &str, domain: &str) -> Result<Option<accounts::Model>, String> {
        match coopol_federation::webfinger::resolve(&self.0, user, domain).await {
            Ok(a) => Ok(Some(a)),
            Err(FederationError::NotFound) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    async fn url(&self, url: &str) -> Result<Option<Found>, String> {
        match resolve::resolve_url(&self.0, url).await {
            Ok(Some(Resolved::Account(a))) => Ok(Some(Found::Account(a))),
            Ok(Some(Resolved::Status(s))) => Ok(Some(Found::Status(s))),
            Ok(None) | Err(FederationError::NotFound) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}
