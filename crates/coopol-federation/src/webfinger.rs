//! WebFinger both ways: answering for local accounts, and finding remote ones by handle with
//! the answer confirmed (the subject must name what we asked, and the actor's own server must
//! answer for the handle it claims).

use activitypub_federation::fetch::webfinger::{build_webfinger_response_with_type, Webfinger};
use coopol_db::entities::accounts;
use coopol_db::queries;
use url::Url;

use crate::config::authority;
use crate::{actors, Federation, FederationError};

/// Parses `acct:user@domain`, `user@domain`, `@user@domain` or `!group@domain`.
pub fn parse_acct(resource: &str) -> Option<(String, String)> {
    let s = resource.strip_prefix("acct:").unwrap_or(resource).trim_start_matches(['@', '!']);
    let (user, domain) = s.split_once('@')?;
    let valid = !user.is_empty()
        && !domain.is_empty()
        && user.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    valid.then(|| (user.to_string(), domain.to_ascii_lowercase()))
}

/// The WebFinger document of a local account, or `None` when `resource` is not one of ours.
pub async fn local_document(fed: &Federation, resource: &str) -> Result<Option<Webfinger>, FederationError> {
    let account = if let Some((user, domain)) = parse_acct(resource) {
        if !domain.eq_ignore_ascii_case(&fed.config.domain) {
            return Ok(None);
        }
        queries::local_account(&fed.db, &user).await?
    } else if fed.config.is_local(resource) {
        queries::account_by_uri(&fed.db, resource).await?
    } else {
        None
    };
    let Some(a) = account.filter(|a| !a.suspended && a.actor_type != "Application") else {
        return Ok(None);
    };
    let url = Url::parse(&a.uri).map_err(|_| FederationError::Invalid("bad local uri".into()))?;
    let mut doc = build_webfinger_response_with_type(
        format!("acct:{}@{}", a.username, fed.config.domain),
        vec![(url.clone(), Some(a.actor_type.as_str()))],
    );
    // The profile page link points at the human page, not the actor id.
    if let (Some(link), Ok(profile)) = (doc.links.first_mut(), Url::parse(&a.url)) {
        link.href = Some(profile.clone());
        doc.aliases = vec![url, profile];
    }
    Ok(Some(doc))
}

async fn query(fed: &Federation, user: &str, domain: &str) -> Result<(String, String), FederationError> {
    let url = Url::parse_with_params(
        &format!("{}://{domain}/.well-known/webfinger", fed.config.scheme()),
        &[("resource", format!("acct:{user}@{domain}"))],
    )
    .map_err(|_| FederationError::Invalid(format!("bad domain {domain}")))?;
    let doc: Webfinger = serde_json::from_value(fed.http.get_json(&url).await?)
        .map_err(|e| FederationError::Invalid(format!("WebFinger answer: {e}")))?;
    let self_link = doc
        .links
        .iter()
        .find(|l| {
            l.rel.as_deref() == Some("self")
                && l.kind
                    .as_deref()
                    .is_some_and(|k| k.starts_with("application/activity+json") || k.starts_with("application/ld+json"))
        })
        .and_then(|l| l.href.clone())
        .ok_or_else(|| FederationError::Invalid(format!("no ActivityPub actor for {user}@{domain}")))?;
    Ok((doc.subject, self_link.to_string()))
}

/// Finds an account by handle: local, known, or through WebFinger.
pub async fn resolve(fed: &Federation, user: &str, domain: &str) -> Result<accounts::Model, FederationError> {
    if domain.eq_ignore_ascii_case(&fed.config.domain) {
        return queries::local_account(&fed.db, user).await?.ok_or(FederationError::NotFound);
    }
    if queries::is_domain_blocked(&fed.db, domain).await? {
        return Err(FederationError::Refused(format!("{domain} is blocked here")));
    }
    if let Some(a) = queries::account_by_acct(&fed.db, user, Some(domain)).await? {
        if a.fetched_at.is_some_and(|t| (chrono::Utc::now() - t).num_hours() < 24) {
            return Ok(a);
        }
    }
    let (subject, actor_uri) = query(fed, user, domain).await?;
    let asked = format!("acct:{user}@{domain}");
    let account = actors::fetch_actor(fed, &actor_uri).await?;
    let actor_host = Url::parse(&account.uri).ok().as_ref().and_then(authority).unwrap_or_default();
    let confirmed = if subject.eq_ignore_ascii_case(&asked) && actor_host == domain {
        true
    } else {
        // The handle lives on another host than the actor (or the subject differs): the
        // actor's own server must answer for the handle it claims.
        let claimed = parse_acct(&subject).ok_or_else(|| FederationError::Invalid("bad WebFinger subject".into()))?;
        let (_, back) = query(fed, &claimed.0, &claimed.1).await?;
        back == account.uri && claimed.1 == actor_host
    };
    if !confirmed {
        return Err(FederationError::Invalid(format!(
            "WebFinger for {user}@{domain} is not confirmed by the actor's server"
        )));
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        assert_eq!(parse_acct("acct:bob@Localhost:8081"), Some(("bob".into(), "localhost:8081".into())));
        assert_eq!(parse_acct("@bob@b.example"), Some(("bob".into(), "b.example".into())));
        assert_eq!(parse_acct("bob"), None);
        assert_eq!(parse_acct("acct:!greens@b.example"), Some(("greens".into(), "b.example".into())));
        assert_eq!(parse_acct("acct:bob@evil/path"), None);
        assert_eq!(parse_acct("acct:@b.example"), None);
    }
}
