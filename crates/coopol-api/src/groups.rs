//! What the group endpoints show and what is not yet in the service (`/api/v1/coopol/groups`):
//! the Group entity, creating a group (its actor and keys), its profile and images, and the
//! moderation log. Joining, members, roles, requests, invitations and moderation are
//! `coopol_service::groups`'.

use coopol_core::group::{GroupRole, ModAction};
use coopol_core::JoinMode;
use coopol_db::entities::{accounts, groups as group_rows};
use coopol_db::groups as gq;
use coopol_db::queries;
use coopol_federation::actors::{self, GroupUpdate, NewGroup};
use coopol_federation::Federation;
use coopol_service::groups::members::Standing;
use serde_json::{json, Value};

use crate::media::Media;
use crate::{mastodon, profile_images, ApiError};

/// The group as the API shows it: a Mastodon account (`group: true`) with coopol's settings
/// and the viewer's role.
pub async fn group_json(
    fed: &Federation,
    a: &accounts::Model,
    g: &group_rows::Model,
    viewer: Option<i64>,
) -> Result<Value, ApiError> {
    let standing = match viewer {
        Some(v) => Some(coopol_service::groups::members::standing(fed, a.id, v).await?),
        None => None,
    };
    let role = standing.and_then(Standing::role);
    let pending = standing == Some(Standing::Pending);
    Ok(json!({
        "id": a.id.to_string(),
        "account": mastodon::account(fed, a).await?,
        "join_mode": gq::join_mode(g).as_str(),
        "private": g.private,
        "members_visible": g.members_visible,
        "rules": g.rules,
        "role": role.map(GroupRole::as_str),
        "requested": pending,
    }))
}

/// What a client asks to create.
pub struct CreateGroup<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub description: &'a str,
    pub rules: &'a str,
    pub join_mode: &'a str,
    pub private: bool,
    pub members_visible: bool,
}

pub async fn create(
    fed: &Federation,
    admin: &accounts::Model,
    c: CreateGroup<'_>,
) -> Result<(accounts::Model, group_rows::Model), ApiError> {
    let join_mode: JoinMode =
        c.join_mode.parse().map_err(|e: coopol_core::CoreError| ApiError::Unprocessable(e.to_string()))?;
    let new = NewGroup {
        name: c.name,
        display_name: c.display_name,
        description: c.description,
        rules: c.rules,
        join_mode,
        private: c.private,
        members_visible: c.members_visible,
    };
    Ok(actors::create_local_group(&fed.db, &fed.config, &new, Some(admin)).await?)
}

/// Changes a group's name, description, rules, avatar or header (its admins only). Images are
/// checked and converted before anything is written: a refused image refuses the whole update.
/// Followers' servers get `Update` of the group.
pub async fn update(
    fed: &Federation,
    media: Option<&Media>,
    group: &accounts::Model,
    g: &group_rows::Model,
    me: &accounts::Model,
    u: GroupUpdate,
    images: Vec<(String, axum::body::Bytes)>,
) -> Result<(accounts::Model, group_rows::Model), ApiError> {
    coopol_service::groups::require_admin(fed, group.id, me).await?;
    let images = match (media, images.is_empty()) {
        (_, true) => vec![],
        (Some(m), false) => profile_images::process_all(m, images).await?,
        (None, false) => return Err(ApiError::Unprocessable("images cannot be stored on this server".into())),
    };
    let changed = u.display_name.is_some() || u.description.is_some() || u.rules.is_some();
    let (a, g) = if changed {
        coopol_service::groups::update_profile(fed, group, g, &u).await?
    } else {
        (group.clone(), g.clone())
    };
    if let Some(m) = media {
        profile_images::store(fed, m, &a, images).await?;
    }
    Ok((a, g))
}

/// Removes a group's avatar or header (its admins only).
pub async fn remove_image(
    fed: &Federation,
    media: &Media,
    group: &accounts::Model,
    me: &accounts::Model,
    kind: &str,
) -> Result<(), ApiError> {
    coopol_service::groups::require_admin(fed, group.id, me).await?;
    profile_images::remove(fed, media, group, kind).await
}

/// The people of a group (members, sympathisers, moderators, pending requests), for those the
/// group lets see them (`coopol_service::groups::members::people` decides).
pub async fn people(fed: &Federation, group: &accounts::Model, me: &accounts::Model) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for p in coopol_service::groups::members::people(fed, group, me).await? {
        out.push(json!({
            "account": mastodon::account(fed, &p.account).await?,
            "role": p.role.as_str(),
            "pending": p.pending,
        }));
    }
    Ok(out)
}

/// The moderation log, for the group's members (not sympathisers, not outsiders); reports
/// are shown to moderators only.
pub async fn moderation_log(
    fed: &Federation,
    group_id: i64,
    me: &accounts::Model,
    max_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Value>, ApiError> {
    let moderator = match gq::role_of(&fed.db, group_id, me.id).await? {
        Some(r) if r.can_post() => r.can_moderate(),
        _ => return Err(ApiError::Forbidden),
    };
    let rows = gq::moderation_log(&fed.db, group_id, max_id, limit).await?;
    let mut out = Vec::new();
    // Reports name who reported: moderators only see them.
    for e in rows.into_iter().filter(|e| moderator || e.action != ModAction::Report.as_str()) {
        let name = |id: Option<i64>| async move {
            match id {
                Some(id) => queries::account_by_id(&fed.db, id).await.map(|a| a.map(|a| mastodon::acct(&a))),
                None => Ok(None),
            }
        };
        out.push(json!({
            "id": e.id.to_string(),
            "action": e.action,
            "actor": name(e.actor_account_id).await?,
            "target_account": name(e.target_account_id).await?,
            "target_uri": e.target_uri,
            "reason": e.reason,
            "created_at": mastodon::time(e.created_at),
        }));
    }
    Ok(out)
}
