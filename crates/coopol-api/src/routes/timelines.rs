//! `/api/v1/timelines/home` and `/public`, with Link-header pagination.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use coopol_db::queries;
use coopol_federation::Federation;

use super::{page, paged_json};
use crate::auth::{Auth, MaybeAuth};
use crate::{mastodon, ApiError, Params};

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
        .route("/api/v1/timelines/tag/{tag}", get(tag))
}

async fn home(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:statuses")?;
    let rows = queries::home_timeline(&fed.db, auth.account.id, page(&params)?).await?;
    let items = mastodon::statuses(&fed, &rows, Some(auth.account.id)).await?;
    Ok(paged_json(&format!("{}/api/v1/timelines/home", fed.config.base_url()), &rows, items))
}

async fn public(State(fed): State<Federation>, auth: MaybeAuth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:statuses")?;
    let local = match (params.bool("local"), params.bool("remote")) {
        (Some(true), _) => Some(true),
        (_, Some(true)) => Some(false),
        _ => None,
    };
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let rows = coopol_db::social::public_timeline(&fed.db, local, viewer, page(&params)?).await?;
    let items = mastodon::statuses(&fed, &rows, viewer).await?;
    let base = match local {
        Some(true) => format!("{}/api/v1/timelines/public?local=true", fed.config.base_url()),
        Some(false) => format!("{}/api/v1/timelines/public?remote=true", fed.config.base_url()),
        None => format!("{}/api/v1/timelines/public", fed.config.base_url()),
    };
    Ok(paged_json(&base, &rows, items))
}

/// `/api/v1/timelines/tag/:hashtag`: public statuses with the tag (`local`, `remote`).
async fn tag(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    axum::extract::Path(tag): axum::extract::Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    if tag.is_empty() || tag.chars().count() > 100 {
        return Err(ApiError::NotFound);
    }
    let local = match (params.bool("local"), params.bool("remote")) {
        (Some(true), _) => Some(true),
        (_, Some(true)) => Some(false),
        _ => None,
    };
    let rows = if params.bool("only_media") == Some(true) {
        coopol_db::media::tag_media_timeline(&fed.db, &tag, local, page(&params)?).await?
    } else {
        coopol_db::lists::tag_timeline(&fed.db, &tag, local, page(&params)?).await?
    };
    let viewer = auth.0.as_ref().map(|a| a.account.id);
    let items = mastodon::statuses(&fed, &rows, viewer).await?;
    let mut base = format!(
        "{}/api/v1/timelines/tag/{}",
        fed.config.base_url(),
        url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()
    );
    if params.bool("only_media") == Some(true) {
        // The next pages keep the filter.
        base.push_str("?only_media=true");
    }
    Ok(paged_json(&base, &rows, items))
}
