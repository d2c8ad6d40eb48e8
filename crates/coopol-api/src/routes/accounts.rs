//! `/api/v1/accounts/...`: the signed-in account, other accounts, their posts, following.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_db::entities::accounts;
use coopol_db::queries;
use coopol_federation::{webfinger, Federation};
use serde_json::Value;

use super::{page, paged_json, path_id};
use crate::auth::{Auth, MaybeAuth};
use crate::{mastodon, service, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/accounts/verify_credentials", get(verify_credentials))
        .route("/api/v1/accounts/relationships", get(relationships))
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/{id}", get(show))
        .route("/api/v1/accounts/{id}/statuses", get(statuses))
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
}

async fn verify_credentials(State(fed): State<Federation>, auth: Auth) -> Result<Json<Value>, ApiError> {
    auth.require("read:accounts")?;
    Ok(Json(mastodon::credential_account(&fed, &auth.account).await?))
}

/// An account any client may look at: not suspended, not the instance actor.
async fn visible_account(fed: &Federation, id: &str) -> Result<accounts::Model, ApiError> {
    queries::account_by_id(&fed.db, path_id(id)?)
        .await?
        .filter(|a| !a.suspended && a.actor_type != "Application")
        .ok_or(ApiError::NotFound)
}

async fn show(State(fed): State<Federation>, auth: MaybeAuth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("read:accounts")?;
    let a = visible_account(&fed, &id).await?;
    Ok(Json(mastodon::account(&fed, &a).await?))
}

async fn lookup(State(fed): State<Federation>, auth: MaybeAuth, params: Params) -> Result<Json<Value>, ApiError> {
    auth.require("read:accounts")?;
    let acct = params.required("acct")?.trim_start_matches('@');
    let (user, domain) = match acct.split_once('@') {
        Some((u, d)) if !d.eq_ignore_ascii_case(&fed.config.domain) => (u, Some(d)),
        Some((u, _)) => (u, None),
        None => (acct, None),
    };
    let a = queries::account_by_acct(&fed.db, user, domain)
        .await?
        .filter(|a| !a.suspended && a.actor_type != "Application")
        .ok_or(ApiError::NotFound)?;
    Ok(Json(mastodon::account(&fed, &a).await?))
}

/// Statuses of an account that the viewer may see, newest first.
async fn statuses(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:statuses")?;
    let a = visible_account(&fed, &id).await?;
    let viewer = auth.0.as_ref().map(|x| x.account.id);
    let follows = match viewer {
        Some(v) => {
            queries::follow_between(&fed.db, v, a.id).await?.is_some_and(|f| f.state == queries::FOLLOW_ACCEPTED)
        }
        None => false,
    };
    let visible: &[&str] = if viewer == Some(a.id) {
        &["public", "unlisted", "private", "direct"]
    } else if follows {
        &["public", "unlisted", "private"]
    } else {
        &["public", "unlisted"]
    };
    let filter = coopol_db::social::AccountStatusFilter {
        exclude_replies: params.bool("exclude_replies").unwrap_or(false),
        exclude_reblogs: params.bool("exclude_reblogs").unwrap_or(false),
        tagged: params.str("tagged").map(|t| t.trim_start_matches('#').to_string()),
        only_media: params.bool("only_media").unwrap_or(false),
    };
    let rows = if params.bool("pinned").unwrap_or(false) {
        // Pinned posts come on one page, without a next one (Mastodon does the same).
        if params.id("max_id")?.is_some() || params.id("min_id")?.is_some() || params.id("since_id")?.is_some() {
            vec![]
        } else {
            coopol_db::social::pinned(&fed.db, a.id)
                .await?
                .into_iter()
                .filter(|s| visible.contains(&s.visibility.as_str()))
                .collect()
        }
    } else {
        coopol_db::social::account_statuses(&fed.db, a.id, visible, &filter, page(&params)?).await?
    };
    let mut shown = Vec::new();
    for s in rows {
        // Direct posts show only to their author and those they mention.
        if s.visibility != "direct" || service::can_view(&fed, &s, viewer).await? {
            shown.push(s);
        }
    }
    let items = mastodon::statuses(&fed, &shown, viewer).await?;
    if params.bool("pinned").unwrap_or(false) {
        return Ok(axum::response::IntoResponse::into_response(Json(items)));
    }
    // The next pages keep the filters.
    let mut base = format!("{}/api/v1/accounts/{}/statuses", fed.config.base_url(), a.id);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, on) in [
        ("exclude_replies", filter.exclude_replies),
        ("exclude_reblogs", filter.exclude_reblogs),
        ("only_media", filter.only_media),
    ] {
        if on {
            query.append_pair(k, "true");
        }
    }
    if let Some(t) = &filter.tagged {
        query.append_pair("tagged", t);
    }
    let query = query.finish();
    if !query.is_empty() {
        base = format!("{base}?{query}");
    }
    Ok(paged_json(&base, &shown, items))
}

async fn relationships(
    State(fed): State<Federation>,
    auth: Auth,
    params: Params,
) -> Result<Json<Vec<Value>>, ApiError> {
    auth.require("read:follows")?;
    let mut out = Vec::new();
    for id in params.list("id").iter().take(100) {
        if let Ok(id) = id.parse::<i64>() {
            out.push(mastodon::relationship(&fed, auth.account.id, id).await?);
        }
    }
    Ok(Json(out))
}

async fn follow(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let target = visible_account(&fed, &id).await?;
    service::follow(&fed, &auth.account, &target).await?;
    crate::social::set_follow_options(&fed, &auth.account, &target, params.bool("notify"), params.bool("reblogs"))
        .await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn unfollow(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let target = visible_account(&fed, &id).await?;
    service::unfollow(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn block(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:blocks")?;
    let target = visible_account(&fed, &id).await?;
    service::block(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn unblock(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:blocks")?;
    let target = visible_account(&fed, &id).await?;
    service::unblock(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

/// Resolves `user@domain` for search: local, known, or through WebFinger when allowed.
pub async fn find_by_handle(fed: &Federation, q: &str, resolve: bool) -> Result<Option<accounts::Model>, ApiError> {
    let Some((user, domain)) = webfinger::parse_acct(q.trim()) else { return Ok(None) };
    if domain.eq_ignore_ascii_case(&fed.config.domain) {
        return Ok(queries::local_account(&fed.db, &user).await?);
    }
    if let Some(a) = queries::account_by_acct(&fed.db, &user, Some(&domain)).await? {
        if !resolve {
            return Ok(Some(a));
        }
    }
    if !resolve {
        return Ok(None);
    }
    match webfinger::resolve(fed, &user, &domain).await {
        Ok(a) => Ok(Some(a)),
        Err(e) => {
            tracing::info!(handle = q, error = %e, "search could not resolve a handle");
            Ok(None)
        }
    }
}
