//! `/api/v2/search`: accounts by handle (resolved through WebFinger with `resolve=true`) or by
//! name, and statuses by URL (fetched from their origin with `resolve=true`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use coopol_db::entities::accounts;
use coopol_db::queries;
use coopol_federation::resolve::{self, Resolved};
use coopol_federation::Federation;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{json, Value};

use super::accounts::find_by_handle;
use crate::auth::MaybeAuth;
use crate::{mastodon, service, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new().route("/api/v2/search", get(search))
}

async fn search(State(fed): State<Federation>, auth: MaybeAuth, params: Params) -> Result<Json<Value>, ApiError> {
    let q = params.required("q")?.trim().to_string();
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    // Resolving reaches other servers: only for signed-in users, as Mastodon.
    let resolve = params.bool("resolve").unwrap_or(false) && viewer.is_some();
    let kind = params.str("type");
    let limit = params.u64("limit").unwrap_or(20).clamp(1, 40);
    let mut found_accounts: Vec<accounts::Model> = Vec::new();
    let mut found_statuses = Vec::new();
    if q.starts_with("https://") || q.starts_with("http://") {
        if let Some(s) = queries::status_by_uri(&fed.db, &q).await? {
            if service::can_view(&fed, &s, viewer).await? {
                found_statuses.push(s);
            }
        } else if let Some(a) = queries::account_by_uri(&fed.db, &q).await? {
            found_accounts.push(a);
        } else if resolve {
            resolve_url(&fed, &q, &mut found_accounts, &mut found_statuses).await;
        }
    } else if kind.is_none() || kind == Some("accounts") {
        if let Some(a) = find_by_handle(&fed, &q, resolve).await? {
            found_accounts.push(a);
        } else {
            let needle = q.trim_start_matches('@').to_lowercase();
            if !needle.is_empty() && !needle.contains('@') {
                let like = format!("{}%", needle.replace(['%', '_'], ""));
                found_accounts = accounts::Entity::find()
                    .filter(Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).like(like))
                    .filter(accounts::Column::Suspended.eq(false))
                    .filter(accounts::Column::ActorType.ne("Application"))
                    .limit(limit)
                    .all(&fed.db)
                    .await?;
            }
        }
    }
    found_accounts.retain(|a| !a.suspended && a.actor_type != "Application");
    let mut accounts_json = Vec::new();
    for a in &found_accounts {
        accounts_json.push(mastodon::account(&fed, a).await?);
    }
    Ok(Json(json!({
        "accounts": accounts_json,
        "statuses": mastodon::statuses(&fed, &found_statuses, viewer).await?,
        "hashtags": [],
    })))
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
