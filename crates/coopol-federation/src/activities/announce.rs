//! `Announce`: a boost. Stored as a status whose `reblog_of_id` is the boosted one.

use activitypub_federation::kinds::activity::AnnounceType;
use coopol_core::{Audience, Visibility};
use coopol_db::entities::{accounts, statuses};
use coopol_db::queries;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::config::same_origin;
use crate::note_store::store_remote_note;
use crate::recipients::{self, account, Outgoing};
use crate::wire::{kind, object_id, with_context, Embedded, Ids};
use crate::{actors, Federation, FederationError};

/// `Announce` of `object_uri` (by `object_author`) by a local account, public.
pub fn build(id: &str, actor: &str, followers: &str, object_uri: &str, object_author: &str, published: &str) -> Value {
    with_context(json!({
        "id": id,
        "type": "Announce",
        "actor": actor,
        "published": published,
        "to": [coopol_core::PUBLIC],
        "cc": [object_author, followers],
        "object": object_uri,
    }))
}

/// The members collection of a group: where a private group addresses what it shares.
pub fn members_url(group_uri: &str) -> String {
    format!("{group_uri}/members")
}

/// `Announce` of `object_uri` by a private group, to its members only: never `Public`, never
/// its followers collection (FEP-1b12, for groups whose posts stay among their people).
pub fn build_for_members(id: &str, group: &str, object_uri: &str, published: &str) -> Value {
    with_context(json!({
        "id": id,
        "type": "Announce",
        "actor": group,
        "published": published,
        "to": [members_url(group)],
        "object": object_uri,
    }))
}

/// `Announce` (a boost) by a local account, public, to its followers and the post's author. A
/// local private group shares only posts written here, with its members only.
pub async fn send(fed: &Federation, reblog_id: i64) -> Result<Option<Outgoing>, FederationError> {
    let Some(r) = queries::status_by_id(&fed.db, reblog_id).await? else { return Ok(None) };
    let Some(orig) = r.reblog_of_id else { return Ok(None) };
    let Some(s) = queries::status_by_id(&fed.db, orig).await? else { return Ok(None) };
    let (booster, author) = (account(fed, r.account_id).await?, account(fed, s.account_id).await?);
    let published = r.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if recipients::private_group(fed, &booster).await? {
        // Only posts written here: their fetch is checked against the membership.
        if !s.local {
            return Ok(None);
        }
        return Ok(Some(Outgoing {
            activity: build_for_members(&r.uri, &booster.uri, &s.uri, &published),
            sender_account_id: booster.id,
            inboxes: recipients::member_inboxes(fed, booster.id).await?,
        }));
    }
    let followers = booster.followers_url.clone().unwrap_or_default();
    let mut inboxes =
        recipients::audience_inboxes(fed, booster.id, &Audience::of(Visibility::Public, &[]), Some(author.id)).await?;
    inboxes.dedup();
    Ok(Some(Outgoing {
        activity: build(&r.uri, &booster.uri, &followers, &s.uri, &author.uri, &published),
        sender_account_id: booster.id,
        inboxes,
    }))
}

/// `Undo(Announce)`, delivered as the `Announce` was.
pub async fn send_undo(
    fed: &Federation,
    account_id: i64,
    status_id: i64,
    announce_uri: &str,
) -> Result<Option<Outgoing>, FederationError> {
    let Some(s) = queries::status_by_id(&fed.db, status_id).await? else { return Ok(None) };
    let (booster, author) = (account(fed, account_id).await?, account(fed, s.account_id).await?);
    if recipients::private_group(fed, &booster).await? {
        let inner = build_for_members(announce_uri, &booster.uri, &s.uri, "");
        let members = members_url(&booster.uri);
        return Ok(Some(Outgoing {
            activity: super::undo::build(&format!("{announce_uri}#undo"), &booster.uri, inner, &members),
            sender_account_id: booster.id,
            inboxes: recipients::member_inboxes(fed, booster.id).await?,
        }));
    }
    let followers = booster.followers_url.clone().unwrap_or_default();
    let inner = build(announce_uri, &booster.uri, &followers, &s.uri, &author.uri, "");
    Ok(Some(Outgoing {
        activity: super::undo::build(&format!("{announce_uri}#undo"), &booster.uri, inner, coopol_core::PUBLIC),
        sender_account_id: booster.id,
        inboxes: recipients::audience_inboxes(fed, booster.id, &Audience::of(Visibility::Public, &[]), Some(author.id))
            .await?,
    }))
}

/// An `Announce` received: a boost of a post (by id, or the `Create` of it that a group forwards),
/// or, from a Lemmy community, the `Delete` or `Update` of one of its posts.
#[derive(Debug, Deserialize)]
pub struct Announce {
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    pub id: String,
    pub object: Embedded,
    #[serde(default)]
    pub to: Ids,
    #[serde(default)]
    pub cc: Ids,
}

/// What a checked `Announce` does.
pub enum Announced {
    /// Seen before, or an announced activity we do not handle.
    Nothing,
    /// A group forwards the `Delete` of a post (its id).
    Delete(Option<String>),
    /// A group forwards the `Update` of a post (its id).
    Update(Option<String>),
    /// A private group shares a post with its members.
    ForMembers(Url),
    /// A boost of the post at `url`, which we may hold already.
    Boost { url: Url, known: Option<Box<statuses::Model>> },
}

impl Announce {
    /// Reads what it announces; writes nothing and fetches nothing.
    pub async fn verify(&self, fed: &Federation, actor: &accounts::Model) -> Result<Announced, FederationError> {
        if queries::status_by_uri(&fed.db, &self.id).await?.is_some() {
            return Ok(Announced::Nothing);
        }
        // A group (FEP-1b12, as Lemmy sends it) may announce the member's `Create` rather than
        // the note itself: the note is what is boosted, fetched from its origin as any other.
        let uri = match self.object.kind() {
            "Create" => self.object.object.as_deref(),
            // Lemmy's communities forward every activity of their posts this way (FEP-1b12).
            "Delete" => return Ok(Announced::Delete(self.object.object.clone())),
            "Update" => return Ok(Announced::Update(self.object.object.clone())),
            "" | "Note" | "Article" | "Page" | "Question" => self.object.id.as_deref(),
            other => {
                tracing::debug!(kind = other, actor = %actor.uri, "ignoring an announced activity we do not handle");
                return Ok(Announced::Nothing);
            }
        };
        let uri = uri.ok_or_else(|| FederationError::Invalid("Announce without object".into()))?;
        let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
        let public = self.to.0.iter().chain(&self.cc.0).any(|a| is_public(a));
        if !public && shared_by_its_group(&url, actor) {
            return Ok(Announced::ForMembers(url));
        }
        let known = queries::status_by_uri(&fed.db, uri).await?.map(Box::new);
        Ok(Announced::Boost { url, known })
    }

    /// Applies it: the boost stored (the post fetched from its origin first when we do not hold
    /// it: never trust an embedded object we do not own), or the forwarded change checked at the
    /// post's origin.
    pub async fn receive(
        &self,
        fed: &Federation,
        actor: &accounts::Model,
        announced: Announced,
    ) -> Result<(), FederationError> {
        match announced {
            Announced::Nothing => Ok(()),
            Announced::Delete(uri) => announced_delete(fed, uri.as_deref()).await,
            Announced::Update(uri) => announced_update(fed, uri.as_deref()).await,
            Announced::ForMembers(url) => receive_for_members(fed, &self.id, &url, actor).await,
            Announced::Boost { url, known } => {
                let original = match known {
                    Some(s) => *s,
                    None => match fetch_and_store(fed, &url, &fed.instance_key).await? {
                        Some(s) => s,
                        None => return Ok(()),
                    },
                };
                boost(fed, &self.id, actor, original).await
            }
        }
    }
}

/// Stores `actor`'s boost `id` of `original`.
async fn boost(
    fed: &Federation,
    id: &str,
    actor: &accounts::Model,
    original: coopol_db::entities::statuses::Model,
) -> Result<(), FederationError> {
    let visibility: coopol_core::Visibility = original.visibility.parse().unwrap_or(coopol_core::Visibility::Direct);
    if !visibility.is_public() {
        return Err(FederationError::Unauthorized("boost of a non-public post".into()));
    }
    let boost = queries::boost_row(coopol_core::new_id(), id, actor.id, original.id, false).insert(&fed.db).await?;
    if original.local {
        let kind = coopol_db::notifications::REBLOG;
        coopol_service::stream::notify(fed, original.account_id, actor.id, kind, Some(original.id)).await?;
    }
    coopol_service::stream::status_created(fed, &boost).await?;
    Ok(())
}

fn is_public(a: &str) -> bool {
    matches!(a, coopol_core::PUBLIC | "as:Public" | "Public")
}

/// Whether an `Announce` by `actor` of `object` may be a private group sharing a post with its
/// members: the actor is a group, and the post is on the group's own server (the only one that
/// can check who belongs to the group). Any other non-public `Announce` is an ordinary boost,
/// refused below unless its object turns out public.
fn shared_by_its_group(object: &Url, actor: &accounts::Model) -> bool {
    actor.actor_type == coopol_db::groups::GROUP && Url::parse(&actor.uri).is_ok_and(|g| same_origin(object, &g))
}

/// Fetches a note from its origin, signed by `signer`, and stores it (with its author).
/// `None`: the note was deleted here before.
async fn fetch_and_store(
    fed: &Federation,
    url: &Url,
    signer: &coopol_signatures::SigningKey,
) -> Result<Option<coopol_db::entities::statuses::Model>, FederationError> {
    // A boost from an allowed server does not carry posts of a blocked one in.
    actors::refuse_blocked(fed, url).await?;
    let note = fed.http.fetch_object(url, signer).await?;
    if kind(&note) == "Event" {
        // A group announcing an event: stored with its companion status, then boosted.
        return Ok(crate::event_store::resolve_event_doc(fed, &note).await?.map(|(_, s)| s));
    }
    let author_uri = note
        .get("attributedTo")
        .and_then(object_id)
        .ok_or_else(|| FederationError::Invalid("note without author".into()))?;
    let author = actors::resolve_actor(fed, author_uri).await?;
    if let Some(stored) = store_remote_note(fed, &note, &author).await? {
        return Ok(Some(stored));
    }
    // The author's own `Create` may have been applied while we fetched (activities of
    // different actors run side by side): the group's boost is still to be stored.
    let id = object_id(&note).unwrap_or(url.as_str());
    if queries::is_tombstoned(&fed.db, id).await? {
        return Ok(None);
    }
    Ok(queries::status_by_uri(&fed.db, id).await?)
}

/// A private group shares a post with its members only (an `Announce` without `Public`, from a
/// group, of a post on its own server: see `shared_by_its_group`), taken only when local
/// accounts are its members. The post is fetched signed by one of them — the group's server
/// serves it to members only — and the group's boost is stored followers-only: it reaches the
/// group's local members, and nobody else.
async fn receive_for_members(
    fed: &Federation,
    id: &str,
    url: &Url,
    group: &accounts::Model,
) -> Result<(), FederationError> {
    let members = local_members(fed, group.id).await?;
    if members.is_empty() {
        tracing::debug!(group = %group.uri, "members-only Announce with no local member: ignored");
        return Ok(());
    }
    let original = match queries::status_by_uri(&fed.db, url.as_str()).await? {
        Some(s) => s,
        None => match fetch_as_member(fed, url, &members).await? {
            Some(s) => s,
            None => return Ok(()),
        },
    };
    if original.account_id == group.id {
        return Err(FederationError::Unauthorized("a group sharing its own post".into()));
    }
    let mut row = queries::boost_row(coopol_core::new_id(), id, group.id, original.id, false);
    row.visibility = Set(coopol_core::Visibility::Private.as_str().to_string());
    let boost = row.insert(&fed.db).await?;
    coopol_service::stream::status_created(fed, &boost).await?;
    Ok(())
}

/// Fetches a private group's note signed by one of its local members; the next one (of the
/// few given) when the group's server refuses the first, whose membership may have ended.
async fn fetch_as_member(
    fed: &Federation,
    url: &Url,
    members: &[i64],
) -> Result<Option<coopol_db::entities::statuses::Model>, FederationError> {
    let mut last = FederationError::NotFound;
    for &member in members {
        let signer = fed.signers.get(&fed.db, member).await?;
        match fetch_and_store(fed, url, &signer).await {
            Err(FederationError::Gone) => last = FederationError::Gone,
            other => return other,
        }
    }
    Err(last)
}

/// Up to three local accounts that follow a group (accepted): its members on this server.
async fn local_members(fed: &Federation, group_id: i64) -> Result<Vec<i64>, FederationError> {
    let ids = queries::accepted_follower_ids(&fed.db, group_id).await?;
    let local: Vec<i64> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .filter(accounts::Column::Id.is_in(ids))
        .filter(accounts::Column::Domain.is_null())
        .filter(accounts::Column::Suspended.eq(false))
        .limit(3)
        .into_tuple()
        .all(&fed.db)
        .await?;
    Ok(local)
}

/// A group forwards a `Delete` (Lemmy's communities announce their members' activities). The
/// embedded activity is not trusted: a post we hold is removed only when its origin says it is
/// gone (404, 410 or a `Tombstone`).
async fn announced_delete(fed: &Federation, uri: Option<&str>) -> Result<(), FederationError> {
    let Some(uri) = uri else { return Ok(()) };
    let Some(s) = queries::status_by_uri(&fed.db, uri).await? else { return Ok(()) };
    if s.local {
        return Ok(());
    }
    let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
    let gone = match fed.http.fetch_object(&url, &fed.instance_key).await {
        Err(FederationError::Gone | FederationError::NotFound) => true,
        Ok(doc) => kind(&doc) == "Tombstone",
        Err(e) => return Err(e),
    };
    if !gone {
        tracing::debug!(%uri, "an announced Delete of a post its origin still serves: kept");
        return Ok(());
    }
    let event = coopol_service::stream::deleted(fed, &s).await?;
    // The first statement is a write (SQLite).
    let txn = coopol_db::WriteTxn::begin_write(&fed.db).await?;
    queries::add_tombstone(&txn, uri).await?;
    coopol_service::statuses::delete_rows(&txn, s.id).await?;
    txn.commit().await?;
    fed.stream.publish(event);
    Ok(())
}

/// A group forwards an `Update` of a post (a Lemmy edit). The embedded object is not trusted:
/// a post we hold is fetched again from its origin and updated from that.
async fn announced_update(fed: &Federation, uri: Option<&str>) -> Result<(), FederationError> {
    let Some(uri) = uri else { return Ok(()) };
    let Some(s) = queries::status_by_uri(&fed.db, uri).await? else { return Ok(()) };
    if s.local {
        return Ok(());
    }
    let url = Url::parse(uri).map_err(|_| FederationError::Invalid("object is not a URL".into()))?;
    let note = fed.http.fetch_object(&url, &fed.instance_key).await?;
    let Some(author) = queries::account_by_id(&fed.db, s.account_id).await? else { return Ok(()) };
    crate::notes::update_remote_note(fed, &note, &author).await?;
    if let Some(s) = queries::status_by_id(&fed.db, s.id).await? {
        coopol_service::stream::status_updated(fed, &s).await?;
    }
    Ok(())
}
