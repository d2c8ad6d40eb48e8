//! `/api/v1/accounts/...`: the signed-in account and its profile, other accounts, their posts,
//! followers and following, search; follows, blocks and mutes (`coopol_service::relationships`);
//! `/api/v1/mutes`, `/api/v1/blocks` and `/api/v1/follow_requests`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use axum::{Extension, Json, Router};
use coopol_db::entities::{accounts, blocks};
use coopol_db::{queries, social};
use coopol_federation::{webfinger, Federation};
use coopol_service as service;
use coopol_service::accounts::{Field, ProfileUpdate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use super::{page, paged_accounts, paged_json, path_id};
use crate::auth::{Auth, MaybeAuth};
use crate::media::Media;
use crate::{mastodon, profile_images, ApiError, Params};

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
        .route("/api/v1/accounts/update_credentials", patch(update_credentials))
        .route("/api/v1/profile/avatar", delete(delete_avatar))
        .route("/api/v1/profile/header", delete(delete_header))
        .route("/api/v1/accounts/search", get(search))
        .route("/api/v1/accounts/familiar_followers", get(familiar_followers))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route("/api/v1/mutes", get(mutes))
        .route("/api/v1/blocks", get(blocks_list))
        .route("/api/v1/follow_requests", get(follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(reject))
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
    let visible = service::statuses::profile_visibilities(&fed, &a, viewer).await?;
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
        if s.visibility != "direct" || service::statuses::can_view(&fed, &s, viewer).await? {
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
    service::relationships::follow(&fed, &auth.account, &target).await?;
    service::relationships::set_follow_options(
        &fed,
        &auth.account,
        &target,
        params.bool("notify"),
        params.bool("reblogs"),
    )
    .await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn unfollow(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let target = visible_account(&fed, &id).await?;
    service::relationships::unfollow(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn block(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:blocks")?;
    let target = visible_account(&fed, &id).await?;
    service::relationships::block(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn unblock(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:blocks")?;
    let target = visible_account(&fed, &id).await?;
    service::relationships::unblock(&fed, &auth.account, &target).await?;
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

/// Profile fields as sent: `fields_attributes[0][name]=...` (forms), or an array or an
/// object of `{name, value}` (JSON). Empty pairs are dropped, as Mastodon does.
fn fields_param(params: &Params) -> Result<Option<Vec<Field>>, ApiError> {
    let pick = |v: &Value| -> Field {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").trim().to_string();
        Field { name: s("name"), value: s("value") }
    };
    let mut fields: Vec<(usize, Field)> = Vec::new();
    match params.0.get("fields_attributes") {
        Some(Value::Array(a)) => fields.extend(a.iter().map(pick).enumerate()),
        Some(Value::Object(o)) => {
            for (k, v) in o {
                let i = k.parse().map_err(|_| ApiError::Unprocessable("fields_attributes keys are indexes".into()))?;
                fields.push((i, pick(v)));
            }
        }
        Some(_) => return Err(ApiError::Unprocessable("fields_attributes must be a list".into())),
        None => {
            let mut found = false;
            for (k, v) in &params.0 {
                let Some(rest) = k.strip_prefix("fields_attributes[") else { continue };
                let Some((i, attr)) = rest.split_once("][") else { continue };
                let i: usize =
                    i.parse().map_err(|_| ApiError::Unprocessable("fields_attributes keys are indexes".into()))?;
                if i >= 16 {
                    return Err(ApiError::Unprocessable("too many profile fields".into()));
                }
                found = true;
                let value = v.as_str().unwrap_or("").trim().to_string();
                let slot = match fields.iter_mut().find(|(j, _)| *j == i) {
                    Some(s) => s,
                    None => {
                        fields.push((i, Field { name: String::new(), value: String::new() }));
                        match fields.last_mut() {
                            Some(s) => s,
                            None => continue,
                        }
                    }
                };
                match attr.trim_end_matches(']') {
                    "name" => slot.1.name = value,
                    "value" => slot.1.value = value,
                    _ => {}
                }
            }
            if !found {
                return Ok(None);
            }
        }
    }
    fields.sort_by_key(|(i, _)| *i);
    Ok(Some(fields.into_iter().map(|(_, f)| f).filter(|f| !f.name.is_empty() || !f.value.is_empty()).collect()))
}

/// `PATCH /api/v1/accounts/update_credentials`: display name, bio, fields, locked, bot. The
/// body may be a form, JSON, or multipart (what apps send along with images). Avatar and
/// header images are checked and converted first (`profile_images`): a refused image refuses
/// the whole update, never half applied.
async fn update_credentials(
    State(fed): State<Federation>,
    auth: Auth,
    req: axum::extract::Request,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let media = req.extensions().get::<Media>().cloned();
    let (params, images) = profile_params(&fed, req).await?;
    let images = match (&media, images.is_empty()) {
        (_, true) => vec![],
        (Some(m), false) => profile_images::process_all(m, images).await?,
        (None, false) => {
            return Err(ApiError::Unprocessable("avatar and header images cannot be stored on this server".into()))
        }
    };
    let text = |k: &str| params.0.get(k).and_then(Value::as_str).map(|s| s.trim().to_string());
    let update = ProfileUpdate {
        display_name: text("display_name"),
        note: text("note"),
        locked: params.bool("locked"),
        bot: params.bool("bot"),
        fields: fields_param(&params)?,
    };
    let updated = service::accounts::update_profile(&fed, &auth.account, update).await?;
    if let Some(m) = &media {
        profile_images::store(&fed, m, &updated, images).await?;
    }
    Ok(Json(mastodon::credential_account(&fed, &updated).await?))
}

/// The parameters of a profile update, and the image parts of a multipart body.
pub(crate) async fn profile_params(
    fed: &Federation,
    req: axum::extract::Request,
) -> Result<(Params, Vec<(String, Bytes)>), ApiError> {
    use axum::extract::{FromRequest, Multipart};
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Ok((Params::from_request(req, fed).await?, vec![]));
    }
    let bad = |e: axum::extract::multipart::MultipartError| ApiError::BadRequest(e.body_text());
    let mut form = Multipart::from_request(req, fed).await.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let mut params = Params::default();
    let mut images = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "avatar" || name == "header" {
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                images.retain(|(k, _)| *k != name);
                images.push((name, bytes));
            }
            continue;
        }
        if params.0.len() >= 64 {
            return Err(ApiError::BadRequest("too many form fields".into()));
        }
        let value = field.text().await.map_err(bad)?;
        params.0.insert(name, Value::String(value));
    }
    Ok((params, images))
}

/// `GET /api/v1/accounts/search`: a handle (resolved through WebFinger with `resolve=true`),
/// or the start of usernames and display names; `following=true` keeps accounts I follow.
async fn search(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Json<Vec<Value>>, ApiError> {
    auth.require("read:accounts")?;
    let q = params.required("q")?.trim().to_string();
    let limit = params.u64("limit").unwrap_or(40).clamp(1, 80);
    let offset = params.u64("offset").unwrap_or(0).min(10_000);
    let found = search_accounts(&fed, &q, params.bool("resolve").unwrap_or(false), limit, offset).await?;
    let mut out = Vec::new();
    let following_only = params.bool("following").unwrap_or(false);
    for a in found {
        if following_only {
            let follow = coopol_db::queries::follow_between(&fed.db, auth.account.id, a.id).await?;
            if follow.is_none_or(|f| f.state != coopol_db::queries::FOLLOW_ACCEPTED) {
                continue;
            }
        }
        out.push(a);
    }
    Ok(Json(mastodon::accounts(&fed, &out).await?))
}

/// Accounts matching a search: an exact handle first, else usernames and display names
/// starting with the words typed.
pub async fn search_accounts(
    fed: &Federation,
    q: &str,
    resolve: bool,
    limit: u64,
    offset: u64,
) -> Result<Vec<accounts::Model>, ApiError> {
    if offset == 0 {
        if let Some(a) = find_by_handle(fed, q, resolve).await? {
            return Ok(vec![a].into_iter().filter(|a| !a.suspended && a.actor_type != "Application").collect());
        }
    }
    Ok(coopol_db::social::search_accounts(&fed.db, q, limit, offset).await?)
}

async fn familiar_followers(
    State(fed): State<Federation>,
    auth: Auth,
    params: Params,
) -> Result<Json<Vec<Value>>, ApiError> {
    auth.require("read:follows")?;
    let mut out = Vec::new();
    for id in params.list("id").iter().take(40) {
        let Ok(id) = id.parse::<i64>() else { continue };
        let mut accounts = Vec::new();
        for a in social::familiar_followers(&fed.db, auth.account.id, id).await? {
            if !a.suspended {
                accounts.push(mastodon::account(&fed, &a).await?);
            }
        }
        out.push(json!({ "id": id.to_string(), "accounts": accounts }));
    }
    Ok(Json(out))
}

async fn followers(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:accounts")?;
    let a = visible_account(&fed, &id).await?;
    let rows = social::followers(&fed.db, a.id, page(&params)?).await?;
    let rows = rows.into_iter().filter(|(_, a)| !a.suspended).collect();
    paged_accounts(&fed, &format!("{}/api/v1/accounts/{}/followers", fed.config.base_url(), a.id), rows).await
}

async fn following(
    State(fed): State<Federation>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    auth.require("read:accounts")?;
    let a = visible_account(&fed, &id).await?;
    let rows = social::following(&fed.db, a.id, page(&params)?).await?;
    let rows = rows.into_iter().filter(|(_, a)| !a.suspended).collect();
    paged_accounts(&fed, &format!("{}/api/v1/accounts/{}/following", fed.config.base_url(), a.id), rows).await
}

async fn mute(
    State(fed): State<Federation>,
    auth: Auth,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:mutes")?;
    let target = visible_account(&fed, &id).await?;
    let notifications = params.bool("notifications").unwrap_or(true);
    service::relationships::mute(&fed, &auth.account, &target, notifications, params.u64("duration")).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn unmute(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:mutes")?;
    let target = visible_account(&fed, &id).await?;
    service::relationships::unmute(&fed, &auth.account, &target).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, target.id).await?))
}

async fn mutes(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:mutes")?;
    let q = coopol_db::entities::mutes::Entity::find()
        .filter(coopol_db::entities::mutes::Column::AccountId.eq(auth.account.id));
    let p = page(&params)?;
    let mut rows = social::paged_by(q, coopol_db::entities::mutes::Column::Id, p).all(&fed.db).await?;
    if p.min_id.is_some() {
        rows.reverse();
    }
    let now = coopol_db::now();
    rows.retain(|m| m.expires_at.is_none_or(|e| e > now));
    let ids: Vec<i64> = rows.iter().map(|m| m.target_account_id).collect();
    let found = social::accounts_in_order(&fed.db, &ids).await?;
    let pairs =
        rows.iter().filter_map(|m| found.iter().find(|a| a.id == m.target_account_id).map(|a| (m.id, a.clone())));
    paged_accounts(&fed, &format!("{}/api/v1/mutes", fed.config.base_url()), pairs.collect()).await
}

async fn blocks_list(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:blocks")?;
    let q = blocks::Entity::find().filter(blocks::Column::AccountId.eq(auth.account.id));
    let p = page(&params)?;
    let mut rows = social::paged_by(q, blocks::Column::Id, p).all(&fed.db).await?;
    if p.min_id.is_some() {
        rows.reverse();
    }
    let ids: Vec<i64> = rows.iter().map(|b| b.target_account_id).collect();
    let found = social::accounts_in_order(&fed.db, &ids).await?;
    let pairs =
        rows.iter().filter_map(|b| found.iter().find(|a| a.id == b.target_account_id).map(|a| (b.id, a.clone())));
    paged_accounts(&fed, &format!("{}/api/v1/blocks", fed.config.base_url()), pairs.collect()).await
}

async fn follow_requests(State(fed): State<Federation>, auth: Auth, params: Params) -> Result<Response, ApiError> {
    auth.require("read:follows")?;
    let rows = social::follow_requests(&fed.db, auth.account.id, page(&params)?).await?;
    paged_accounts(&fed, &format!("{}/api/v1/follow_requests", fed.config.base_url()), rows).await
}

async fn authorize(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let follower = queries::account_by_id(&fed.db, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    service::relationships::authorize_follow(&fed, &auth.account, &follower).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, follower.id).await?))
}

async fn reject(State(fed): State<Federation>, auth: Auth, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    auth.require("write:follows")?;
    let follower = queries::account_by_id(&fed.db, path_id(&id)?).await?.ok_or(ApiError::NotFound)?;
    service::relationships::reject_follow(&fed, &auth.account, &follower).await?;
    Ok(Json(mastodon::relationship(&fed, auth.account.id, follower.id).await?))
}

/// `DELETE /api/v1/profile/avatar`: back to the default avatar; returns my account.
async fn delete_avatar(
    State(fed): State<Federation>,
    auth: Auth,
    media: Option<Extension<Media>>,
) -> Result<Json<Value>, ApiError> {
    delete_image(fed, auth, media, coopol_db::profile_images::AVATAR).await
}

/// `DELETE /api/v1/profile/header`: back to the default header; returns my account.
async fn delete_header(
    State(fed): State<Federation>,
    auth: Auth,
    media: Option<Extension<Media>>,
) -> Result<Json<Value>, ApiError> {
    delete_image(fed, auth, media, coopol_db::profile_images::HEADER).await
}

async fn delete_image(
    fed: Federation,
    auth: Auth,
    media: Option<Extension<Media>>,
    kind: &str,
) -> Result<Json<Value>, ApiError> {
    auth.require("write:accounts")?;
    let Some(Extension(media)) = media else {
        return Err(ApiError::Unprocessable("images cannot be stored on this server".into()));
    };
    profile_images::remove(&fed, &media, &auth.account, kind).await?;
    Ok(Json(mastodon::credential_account(&fed, &auth.account).await?))
}
