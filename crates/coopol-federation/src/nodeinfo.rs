//! Other servers' NodeInfo: which software they run. Learned when one of their people follows a
//! local group (the one place where it changes what we send, see `lemmy`), and kept a week.

use std::collections::HashSet;

use coopol_db::entities::instance_software;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use url::Url;

use crate::config::{authority, same_origin};
use crate::{Federation, FederationError};

/// How long what a server said of itself is trusted before asking again.
const RECHECK_DAYS: i64 = 7;

/// NodeInfo schema 2.0 and 2.1, the ones in use.
const SCHEMA_PREFIX: &str = "http://nodeinfo.diaspora.software/ns/schema/2.";

/// The software of the server hosting `actor_uri`, lower case; `None` when it has no NodeInfo.
/// Asks the server at most once a week; a server that does not answer is taken as having none
/// until then.
pub async fn learn(fed: &Federation, actor_uri: &str) -> Result<Option<String>, FederationError> {
    let origin = Url::parse(actor_uri).map_err(|_| FederationError::Invalid("actor id is not a URL".into()))?;
    let Some(domain) = authority(&origin) else { return Ok(None) };
    if let Some(known) = instance_software::Entity::find_by_id(domain.clone()).one(&fed.db).await? {
        if known.checked_at > coopol_db::now() - chrono::Duration::days(RECHECK_DAYS) {
            return Ok(known.name);
        }
    }
    let (name, version) = match fetch(fed, &origin).await {
        Ok(found) => found,
        Err(e) => {
            tracing::debug!(%domain, error = %e, "no NodeInfo");
            (None, None)
        }
    };
    let row = instance_software::ActiveModel {
        domain: Set(domain),
        name: Set(name.clone()),
        version: Set(version),
        checked_at: Set(coopol_db::now()),
    };
    let columns =
        [instance_software::Column::Name, instance_software::Column::Version, instance_software::Column::CheckedAt];
    instance_software::Entity::insert(row)
        .on_conflict(OnConflict::column(instance_software::Column::Domain).update_columns(columns).to_owned())
        .exec(&fed.db)
        .await?;
    Ok(name)
}

/// `/.well-known/nodeinfo`, then the newest 2.x document it links to on the same origin.
async fn fetch(fed: &Federation, origin: &Url) -> Result<(Option<String>, Option<String>), FederationError> {
    let mut well_known = origin.clone();
    well_known.set_path("/.well-known/nodeinfo");
    well_known.set_query(None);
    well_known.set_fragment(None);
    let links = fed.http.get_json(&well_known).await?;
    let href = links
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|l| l.get("rel").and_then(Value::as_str).is_some_and(|r| r.starts_with(SCHEMA_PREFIX)))
        .max_by_key(|l| l.get("rel").and_then(Value::as_str).unwrap_or_default().to_string())
        .and_then(|l| l.get("href").and_then(Value::as_str))
        .ok_or_else(|| FederationError::Invalid("NodeInfo links without a 2.x schema".into()))?;
    let href = Url::parse(href).map_err(|_| FederationError::Invalid("NodeInfo href is not a URL".into()))?;
    // A server speaks for itself only.
    if !same_origin(&href, origin) {
        return Err(FederationError::Invalid(format!("NodeInfo of {origin} is on {href}")));
    }
    let doc = fed.http.get_json(&href).await?;
    let software = doc.get("software");
    let field = |k: &str| software.and_then(|s| s.get(k)).and_then(Value::as_str).and_then(clean);
    Ok((field("name"), field("version")))
}

/// A software name or version as stored: short, printable, lower case.
fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic());
    ok.then(|| s.to_ascii_lowercase())
}

/// Among `domains`, those whose known software is one of `names`.
pub async fn running(fed: &Federation, domains: &[String], names: &[&str]) -> Result<HashSet<String>, FederationError> {
    if domains.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(instance_software::Entity::find()
        .filter(instance_software::Column::Domain.is_in(domains.iter().cloned()))
        .filter(instance_software::Column::Name.is_in(names.iter().copied()))
        .all(&fed.db)
        .await?
        .into_iter()
        .map(|r| r.domain)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn software_names_are_kept_short_and_printable() {
        assert_eq!(clean(" Lemmy ").as_deref(), Some("lemmy"));
        assert_eq!(clean("0.19.5").as_deref(), Some("0.19.5"));
        assert_eq!(clean("lem my"), None);
        assert_eq!(clean(""), None);
        assert_eq!(clean(&"x".repeat(65)), None);
    }
}
