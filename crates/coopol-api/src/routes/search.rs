//! `/api/v2/search`: accounts by handle (resolved through WebFinger with `resolve=true`) or by
//! name, statuses by URL (fetched from their origin with `resolve=true`) or by the words of
//! local posts, and hashtags in use here; events found by URL also come in an `events` array.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use coopol_db::entities::accounts;
use coopol_db::queries;
use coopol_federation::resolve::{self, Resolved};
use coopol_federation::Federation;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use super::accounts::search_accounts;
use crate::auth::MaybeAuth;
use crate::{mastodon, ApiError, Params};
use coopol_service as service;

pub fn routes() -> Router<Federation> {
    Router::new().route("/api/v2/search", get(search))
}

async fn search(State(fed): State<Federation>, auth: MaybeAuth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("read:search")?;
    let q = params.required("q")?.trim().to_string();
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    // Resolving reaches other servers: only for signed-in users, as Mastodon.
    let resolve = params.bool("resolve").unwrap_or(false) && viewer.is_some();
    let kind = params.str("type");
    if !matches!(kind, None | Some("accounts") | Some("statuses") | Some("hashtags")) {
        return Err(ApiError::BadRequest("type must be accounts, statuses or hashtags".into()));
    }
    let wants = |k: &str| kind.is_none() || kind == Some(k);
    let limit = params.u64("limit").unwrap_or(20).clamp(1, 40);
    let offset = params.u64("offset").unwrap_or(0).min(10_000);
    let mut found_accounts: Vec<accounts::Model> = Vec::new();
    let mut found_statuses = Vec::new();
    let mut hashtags = Vec::new();
    if q.starts_with("https://") || q.starts_with("http://") {
        if let Some(s) = queries::status_by_uri(&fed.db, &q).await? {
            if service::statuses::can_view(&fed, &s, viewer).await? {
                found_statuses.push(s);
            }
        } else if let Some(s) = status_by_url(&fed, &q).await? {
            if service::statuses::can_view(&fed, &s, viewer).await? {
                found_statuses.push(s);
            }
        } else if let Some(a) = queries::account_by_uri(&fed.db, &q).await? {
            found_accounts.push(a);
        } else if resolve {
            resolve_url(&fed, &q, &mut found_accounts, &mut found_statuses).await;
        }
    } else {
        if wants("accounts") {
            found_accounts = search_accounts(&fed, &q, resolve, limit, offset).await?;
        }
        // Full-text search of posts is for signed-in users only, as in Mastodon.
        if let (true, Some(v)) = (wants("statuses"), viewer) {
            for s in coopol_db::social::search_local_statuses(&fed.db, &q, v, limit, offset).await? {
                if service::statuses::can_view(&fed, &s, viewer).await? {
                    found_statuses.push(s);
                }
            }
        }
        if wants("hashtags") && offset == 0 {
            let tag = q.trim_start_matches('#');
            if !tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
                hashtags = coopol_db::social::hashtags(&fed.db, tag, limit).await?;
            }
        }
    }
    found_accounts.retain(|a| !a.suspended && a.actor_type != "Application");
    if !wants("accounts") {
        found_accounts.clear();
    }
    if !wants("statuses") {
        found_statuses.clear();
    }
    let accounts_json = mastodon::accounts(&fed, &found_accounts).await?;
    // Events found (as their companion statuses) are listed in coopol's own `events` array.
    let mut events_json = Vec::new();
    for s in &found_statuses {
        if let Some(e) = coopol_service::events::event_of_status(&fed.db, s.id).await? {
            events_json.push(crate::events::event_json(&fed, &e, viewer).await?);
        }
    }
    let base = fed.config.base_url();
    Ok(Json(json!({
        "events": events_json,
        "accounts": accounts_json,
        "statuses": mastodon::statuses(&fed, &found_statuses, viewer).await?,
        "hashtags": hashtags.iter().map(|t| json!({
            "name": t, "url": format!("{base}/tags/{t}"), "history": [], "following": false,
        })).collect::<Vec<_>>(),
    })))
}

/// A status by its `url` (the `/@name/id` link people copy), not only its id.
async fn status_by_url(fed: &Federation, url: &str) -> Result<Option<coopol_db::entities::statuses::Model>, ApiError> {
    use coopol_db::entities::statuses;
    Ok(statuses::Entity::find().filter(statuses::Column::Url.eq(url)).one(&fed.db).await?)
}

/// Fetches a URL and keeps it if it is an actor or a public note.
async fn resolve_url(
    fed: &Federation,
    q: &str,
    found_accounts: &mut Vec<accounts::Model>,
    found_statuses: &mut Vec<coopol_db::entities::statuses::Model>,
) {
    match resolve::resolve_url(fed, q).await {
        Ok(Some(Resolved::Account(a))) => found_accounts.push(a),
        // A fetched note is only shown when it is public: the fetch proves nothing about the viewer.
        Ok(Some(Resolved::Status(s))) if s.visibility == "public" || s.visibility == "unlisted" => {
            found_statuses.push(s)
        }
        Ok(_) => {}
        Err(e) => tracing::info!(url = q, error = %e, "search could not resolve a URL"),
    }
}
