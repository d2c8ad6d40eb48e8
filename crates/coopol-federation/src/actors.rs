//! Actors: the documents we serve for local accounts and the instance actor, and the remote
//! actors we fetch, validate and store.

use std::collections::HashMap;
use std::sync::Arc;

use coopol_db::entities::accounts;
use coopol_db::{queries, Db, WriteTxn};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{json, Value};
use url::Url;

use crate::config::{authority, same_origin};
use crate::wire::ap_context;
use crate::{Federation, FederationError, InstanceConfig};

/// Username of the instance actor's row; not a valid user name, so it never collides.
pub const INSTANCE_ACTOR_USERNAME: &str = "coopol.internal";
/// Longest display name and bio we keep from a remote actor.
const MAX_NAME: usize = 200;
const MAX_NOTE: usize = 10_000;
/// A remote actor is refreshed when older than this.
const STALE_AFTER_HOURS: i64 = 24;

fn new_keys() -> Result<coopol_signatures::KeyPairPem, FederationError> {
    coopol_signatures::generate_rsa_keypair().map_err(|e| FederationError::Invalid(format!("key generation: {e}")))
}

/// The instance actor (type Application): signs fetches made on no user's behalf.
pub async fn ensure_instance_actor(db: &Db, config: &InstanceConfig) -> Result<accounts::Model, FederationError> {
    let uri = config.instance_actor_url();
    if let Some(a) = queries::account_by_uri(db, &uri).await? {
        return Ok(a);
    }
    let keys = new_keys()?;
    let now = coopol_db::now();
    let base = config.base_url();
    let model = accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(INSTANCE_ACTOR_USERNAME.into()),
        domain: Set(None),
        display_name: Set(config.title.clone()),
        note: Set(String::new()),
        uri: Set(uri.clone()),
        url: Set(base.clone()),
        actor_type: Set("Application".into()),
        inbox_url: Set(format!("{uri}/inbox")),
        shared_inbox_url: Set(Some(config.shared_inbox_url())),
        outbox_url: Set(Some(format!("{uri}/outbox"))),
        followers_url: Set(None),
        following_url: Set(None),
        public_key_id: Set(format!("{uri}#main-key")),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(Some(keys.private_pem)),
        locked: Set(true),
        bot: Set(true),
        suspended: Set(false),
        moved_to_uri: Set(None),
        also_known_as: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        fetched_at: Set(None),
    };
    Ok(model.insert(db).await?)
}

/// Creates a local account (a Person) with a fresh RSA key pair (an actor without a user: the
/// accounts people sign in with are made by `coopol_service::registrations`).
pub async fn create_local_account(
    db: &impl ConnectionTrait,
    config: &InstanceConfig,
    username: &str,
) -> Result<accounts::Model, FederationError> {
    coopol_core::validate_username(username).map_err(|e| FederationError::Invalid(e.to_string()))?;
    if queries::local_account(db, username).await?.is_some() {
        return Err(FederationError::Invalid(format!("username {username} is taken")));
    }
    Ok(coopol_service::registrations::insert_local_actor(db, config, username, new_keys()?).await?)
}

/// What a new local group is.
#[derive(Debug, Clone)]
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    /// The description (plain text; shown as the actor's summary).
    pub description: &'a str,
    pub rules: &'a str,
    pub join_mode: coopol_core::JoinMode,
    pub private: bool,
    pub members_visible: bool,
}

/// Creates a local group: a `Group` actor with its own key pair, its settings, and its first
/// admin (`admin`, a local account, who follows it). Groups that are not open approve their
/// followers manually.
pub async fn create_local_group(
    db: &Db,
    config: &InstanceConfig,
    new: &NewGroup<'_>,
    admin: Option<&accounts::Model>,
) -> Result<(accounts::Model, coopol_db::entities::groups::Model), FederationError> {
    use coopol_db::entities::{follows, groups};
    coopol_core::validate_username(new.name).map_err(|e| FederationError::Invalid(e.to_string()))?;
    if new.rules.chars().count() > coopol_core::group::MAX_RULES
        || new.description.chars().count() > MAX_NOTE
        || new.display_name.chars().count() > MAX_NAME
    {
        return Err(FederationError::Invalid("group name, description or rules too long".into()));
    }
    if queries::local_account(db, new.name).await?.is_some() {
        return Err(FederationError::Invalid(format!("the name {} is taken", new.name)));
    }
    let keys = new_keys()?;
    let uri = config.actor_url(new.name);
    let now = coopol_db::now();
    let display = if new.display_name.trim().is_empty() { new.name } else { new.display_name.trim() };
    let txn = db.begin_write().await?;
    let account = accounts::ActiveModel {
        id: Set(coopol_core::new_id()),
        username: Set(new.name.into()),
        domain: Set(None),
        display_name: Set(display.into()),
        note: Set(coopol_core::text::escape(new.description)),
        uri: Set(uri.clone()),
        url: Set(config.profile_url(new.name)),
        actor_type: Set(coopol_db::groups::GROUP.into()),
        inbox_url: Set(format!("{uri}/inbox")),
        shared_inbox_url: Set(Some(config.shared_inbox_url())),
        outbox_url: Set(Some(format!("{uri}/outbox"))),
        followers_url: Set(Some(format!("{uri}/followers"))),
        following_url: Set(Some(format!("{uri}/following"))),
        public_key_id: Set(format!("{uri}#main-key")),
        public_key_pem: Set(keys.public_pem),
        private_key_pem: Set(Some(keys.private_pem)),
        locked: Set(new.join_mode != coopol_core::JoinMode::Open),
        bot: Set(false),
        suspended: Set(false),
        moved_to_uri: Set(None),
        also_known_as: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        fetched_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let settings = groups::ActiveModel {
        account_id: Set(account.id),
        join_mode: Set(new.join_mode.as_str().into()),
        private: Set(new.private),
        members_visible: Set(new.members_visible),
        rules: Set(new.rules.into()),
        creator_account_id: Set(admin.map(|a| a.id)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    if let Some(admin) = admin {
        let id = coopol_core::new_id();
        follows::ActiveModel {
            id: Set(id),
            account_id: Set(admin.id),
            target_account_id: Set(account.id),
            uri: Set(config.activity_url(&admin.username, "follow", id)),
            state: Set(queries::FOLLOW_ACCEPTED.into()),
            created_at: Set(now),
            notify: Set(false),
            show_reblogs: Set(true),
        }
        .insert(&txn)
        .await?;
        coopol_db::groups::set_role(&txn, account.id, admin.id, coopol_core::GroupRole::Admin).await?;
    }
    txn.commit().await?;
    Ok((account, settings))
}

/// What a group's admins may change of its profile (`coopol_service::groups::update_profile`).
pub use coopol_service::groups::GroupUpdate;

/// A local group's rules in its actor document. Lemmy and Mobilizon show the `summary` (Lemmy
/// as the community's sidebar, where communities keep their rules), so the rules follow the
/// description there, after a rule (`<hr>`); `rules` carries them alone, as plain text, for
/// clients that show them apart.
fn add_group_rules(doc: &mut Value, rules: &str) {
    let rules = rules.trim();
    if rules.is_empty() {
        return;
    }
    let html: String = rules
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>", coopol_core::text::escape(l.trim())))
        .collect();
    if let Some(map) = doc.as_object_mut() {
        let description = map.get("summary").and_then(Value::as_str).unwrap_or("").to_string();
        let summary = if description.is_empty() {
            html
        } else if description.starts_with("<p>") {
            format!("{description}<hr>{html}")
        } else {
            format!("<p>{description}</p><hr>{html}")
        };
        map.insert("summary".into(), json!(summary));
        map.insert("rules".into(), json!(rules));
    }
}

/// The collection of the posts a local account pinned.
pub fn featured_url(a: &accounts::Model) -> String {
    format!("{}/collections/featured", a.uri)
}

/// The ActivityPub document of a local account or of the instance actor.
pub fn local_actor_json(config: &InstanceConfig, a: &accounts::Model) -> Value {
    let also: Vec<String> = serde_json::from_str(&a.also_known_as).unwrap_or_default();
    let mut doc = json!({
        "@context": ap_context(),
        "id": a.uri,
        "type": a.actor_type,
        "preferredUsername": if a.actor_type == "Application" { config.domain.clone() } else { a.username.clone() },
        "name": a.display_name,
        "summary": a.note,
        "url": a.url,
        "inbox": a.inbox_url,
        "outbox": a.outbox_url,
        "endpoints": { "sharedInbox": config.shared_inbox_url() },
        "manuallyApprovesFollowers": a.locked,
        "discoverable": true,
        "published": a.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "publicKey": {
            "id": a.public_key_id,
            "owner": a.uri,
            "publicKeyPem": a.public_key_pem,
        },
    });
    if let Some(map) = doc.as_object_mut() {
        if let Some(f) = &a.followers_url {
            map.insert("followers".into(), json!(f));
        }
        if let Some(f) = &a.following_url {
            map.insert("following".into(), json!(f));
        }
        if !also.is_empty() {
            map.insert("alsoKnownAs".into(), json!(also));
        }
        if let Some(m) = &a.moved_to_uri {
            map.insert("movedTo".into(), json!(m));
        }
        if a.actor_type == coopol_db::groups::GROUP {
            // FEP-1b12 (Lemmy's field): members may post, not only moderators.
            map.insert("postingRestrictedToMods".into(), json!(false));
            map.insert("attributedTo".into(), json!(format!("{}/moderators", a.uri)));
            map.insert("moderators".into(), json!(format!("{}/moderators", a.uri)));
            map.insert("members".into(), json!(format!("{}/members", a.uri)));
        }
        if a.actor_type != "Application" {
            // The posts the account pinned (Mastodon's `toot:featured`).
            map.insert("featured".into(), json!(featured_url(a)));
        }
    }
    doc
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// A URL field that may be a string or an object with `href`/`id`.
fn url_field(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("href").or_else(|| o.get("id")).and_then(Value::as_str).map(String::from),
        Value::Array(a) => a.first().and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("href").and_then(Value::as_str).map(String::from),
            _ => None,
        }),
        _ => None,
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Validates a remote actor document and stores (or refreshes) it. The document must have been
/// fetched from its own id (checked by the fetcher) or come signed by its owner.
pub async fn upsert_remote_actor(fed: &Federation, doc: &Value) -> Result<accounts::Model, FederationError> {
    let id = str_field(doc, "id").ok_or_else(|| FederationError::Invalid("actor without id".into()))?;
    let id_url = Url::parse(id).map_err(|_| FederationError::Invalid("actor id is not a URL".into()))?;
    if fed.config.is_local(id) {
        return Err(FederationError::Invalid("a remote document claims a local id".into()));
    }
    let kind = str_field(doc, "type").unwrap_or("Person");
    if !matches!(kind, "Person" | "Service" | "Application" | "Group" | "Organization") {
        return Err(FederationError::Invalid(format!("{id} is a {kind}, not an actor")));
    }
    let username = str_field(doc, "preferredUsername")
        .ok_or_else(|| FederationError::Invalid("actor without preferredUsername".into()))?;
    let inbox = str_field(doc, "inbox").ok_or_else(|| FederationError::Invalid("actor without inbox".into()))?;
    let inbox_url = Url::parse(inbox).map_err(|_| FederationError::Invalid("inbox is not a URL".into()))?;
    if !same_origin(&inbox_url, &id_url) {
        return Err(FederationError::Invalid("inbox not on the actor's origin".into()));
    }
    let key = doc.get("publicKey").ok_or_else(|| FederationError::Invalid("actor without publicKey".into()))?;
    let key = if let Some(a) = key.as_array() { a.first().cloned().unwrap_or_default() } else { key.clone() };
    let key_id = str_field(&key, "id").ok_or_else(|| FederationError::Invalid("publicKey without id".into()))?;
    let key_owner = str_field(&key, "owner").unwrap_or(id);
    let key_pem =
        str_field(&key, "publicKeyPem").ok_or_else(|| FederationError::Invalid("publicKey without PEM".into()))?;
    if key_owner != id {
        return Err(FederationError::Invalid("publicKey owner is not the actor".into()));
    }
    coopol_signatures::VerifyingKey::from_pem(key_pem)
        .map_err(|e| FederationError::Invalid(format!("unusable public key: {e}")))?;
    let shared_inbox = doc
        .get("endpoints")
        .and_then(|e| e.get("sharedInbox"))
        .and_then(Value::as_str)
        .filter(|s| Url::parse(s).is_ok_and(|u| same_origin(&u, &id_url)))
        .map(String::from);
    let domain = authority(&id_url).ok_or_else(|| FederationError::Invalid("actor id without host".into()))?;
    let name = str_field(doc, "name").map(|s| truncate(s, MAX_NAME)).unwrap_or_default();
    let note =
        str_field(doc, "summary").map(|s| crate::wire::sanitize_html(&truncate(s, MAX_NOTE))).unwrap_or_default();
    let also_known_as: Vec<String> = match doc.get("alsoKnownAs") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).take(20).map(String::from).collect(),
        _ => vec![],
    };
    let now = coopol_db::now();
    // Concurrent first contacts (a burst from a new actor) would each insert the account.
    let _turn = fed.actor_turns.take(id).await;
    let existing = queries::account_by_uri(&fed.db, id).await?;
    let mut m = match &existing {
        Some(e) => e.clone().into_active_model(),
        None => accounts::ActiveModel {
            id: Set(coopol_core::new_id()),
            created_at: Set(now),
            private_key_pem: Set(None),
            suspended: Set(false),
            ..Default::default()
        },
    };
    m.username = Set(truncate(username, 100));
    m.domain = Set(Some(domain));
    m.display_name = Set(name);
    m.note = Set(note);
    m.uri = Set(id.to_string());
    m.url = Set(url_field(doc, "url").unwrap_or_else(|| id.to_string()));
    m.actor_type = Set(kind.to_string());
    m.inbox_url = Set(inbox.to_string());
    m.shared_inbox_url = Set(shared_inbox);
    m.outbox_url = Set(str_field(doc, "outbox").map(String::from));
    m.followers_url = Set(str_field(doc, "followers").map(String::from));
    m.following_url = Set(str_field(doc, "following").map(String::from));
    m.public_key_id = Set(key_id.to_string());
    m.public_key_pem = Set(key_pem.to_string());
    m.locked = Set(doc.get("manuallyApprovesFollowers").and_then(Value::as_bool).unwrap_or(false));
    m.bot = Set(matches!(kind, "Service" | "Application"));
    m.moved_to_uri = Set(str_field(doc, "movedTo").map(String::from));
    m.also_known_as = Set(serde_json::to_string(&also_known_as).unwrap_or_else(|_| "[]".into()));
    m.updated_at = Set(now);
    m.fetched_at = Set(Some(now));
    // One transaction: a reader sees the old profile or the new one, never half of each.
    let txn = fed.db.begin_write().await?;
    let saved = if existing.is_some() { m.update(&txn).await? } else { m.insert(&txn).await? };
    store_remote_fields(&txn, saved.id, doc).await?;
    crate::profile_images::store_remote(&txn, saved.id, doc).await?;
    txn.commit().await?;
    fed.keys.forget_actor(id);
    Ok(saved)
}

/// One store of a given remote actor at a time, per process: the second of two concurrent
/// stores then finds the account the first one inserted and updates it.
#[derive(Default)]
pub struct ActorTurns(std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl ActorTurns {
    async fn take(&self, actor_uri: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let turn = {
            let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Only stores under way are kept: an entry nobody else holds is finished.
            map.retain(|_, t| Arc::strong_count(t) > 1);
            Arc::clone(map.entry(actor_uri.to_string()).or_default())
        };
        turn.lock_owned().await
    }
}

/// Most profile fields read from a remote actor, and their longest name and value.
const MAX_REMOTE_FIELDS: usize = 10;
const MAX_FIELD_NAME: usize = 255;
const MAX_FIELD_VALUE: usize = 2048;

/// Keeps a remote actor's profile fields (`attachment` of type `PropertyValue`), their values
/// sanitised HTML, in `account_profiles`.
async fn store_remote_fields(db: &impl ConnectionTrait, account_id: i64, doc: &Value) -> Result<(), FederationError> {
    use coopol_db::entities::account_profiles;
    let fields: Vec<Value> = match doc.get("attachment") {
        Some(Value::Array(items)) => items
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) == Some("PropertyValue"))
            .filter_map(|a| {
                let name = truncate(str_field(a, "name")?, MAX_FIELD_NAME);
                let value = crate::wire::sanitize_html(&truncate(str_field(a, "value")?, MAX_FIELD_VALUE));
                Some(json!({ "name": name, "value": value }))
            })
            .take(MAX_REMOTE_FIELDS)
            .collect(),
        _ => vec![],
    };
    account_profiles::Entity::delete_by_id(account_id).exec(db).await?;
    if !fields.is_empty() {
        account_profiles::ActiveModel {
            account_id: Set(account_id),
            note_source: Set(String::new()),
            fields: Set(Value::Array(fields).to_string()),
            updated_at: Set(coopol_db::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The document of a local account with its profile fields as `PropertyValue` attachments
/// (their values rendered as HTML, as Mastodon sends them).
pub async fn local_actor_doc(fed: &Federation, a: &accounts::Model) -> Result<Value, FederationError> {
    let mut doc = local_actor_json(&fed.config, a);
    let fields: Vec<Value> = match coopol_db::social::profile(&fed.db, a.id).await? {
        Some(p) => serde_json::from_str(&p.fields).unwrap_or_default(),
        None => vec![],
    };
    let base = fed.config.base_url();
    let attachment: Vec<Value> = fields
        .iter()
        .map(|f| {
            let html = coopol_core::text::render(f.get("value").and_then(Value::as_str).unwrap_or(""), &[], &base);
            let value = html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).unwrap_or(&html).to_string();
            json!({ "type": "PropertyValue", "name": f.get("name"), "value": value })
        })
        .collect();
    if let (false, Some(m)) = (attachment.is_empty(), doc.as_object_mut()) {
        m.insert("attachment".into(), json!(attachment));
    }
    if a.actor_type == coopol_db::groups::GROUP && a.domain.is_none() {
        if let Some(g) = coopol_db::groups::settings(&fed.db, a.id).await? {
            add_group_rules(&mut doc, &g.rules);
        }
    }
    crate::profile_images::add_to_actor(fed, a, &mut doc).await?;
    Ok(doc)
}

/// Refuses to reach a server the admin blocked.
pub async fn refuse_blocked(fed: &Federation, url: &Url) -> Result<(), FederationError> {
    let domain = authority(url).unwrap_or_default();
    if queries::is_domain_blocked(&fed.db, &domain).await? {
        return Err(FederationError::Refused(format!("{domain} is blocked here")));
    }
    Ok(())
}

/// Fetches an actor by id and stores it.
pub async fn fetch_actor(fed: &Federation, uri: &str) -> Result<accounts::Model, FederationError> {
    let url = Url::parse(uri).map_err(|_| FederationError::Invalid(format!("{uri} is not a URL")))?;
    refuse_blocked(fed, &url).await?;
    let doc = fed.http.fetch_object(&url, &fed.instance_key).await?;
    upsert_remote_actor(fed, &doc).await
}

/// Fetches the actor that owns `key_id` (`actor#main-key`, or a separate key document).
pub async fn fetch_actor_for_key(fed: &Federation, key_id: &str) -> Result<accounts::Model, FederationError> {
    let mut url =
        Url::parse(key_id).map_err(|_| FederationError::Unauthorized(format!("keyId {key_id} is not a URL")))?;
    url.set_fragment(None);
    refuse_blocked(fed, &url).await?;
    let doc = fed.http.fetch_object(&url, &fed.instance_key).await?;
    let doc = match (str_field(&doc, "type"), str_field(&doc, "owner")) {
        // Some servers serve the key as its own document.
        (Some("Key" | "CryptographicKey"), Some(owner)) => {
            let owner_url = Url::parse(owner).map_err(|_| FederationError::Invalid("key owner is not a URL".into()))?;
            if !same_origin(&owner_url, &url) {
                return Err(FederationError::Invalid("key owner on another origin".into()));
            }
            fed.http.fetch_object(&owner_url, &fed.instance_key).await?
        }
        _ => doc,
    };
    let account = upsert_remote_actor(fed, &doc).await?;
    if account.public_key_id != key_id {
        return Err(FederationError::Unauthorized(format!("{key_id} is not the key of {}", account.uri)));
    }
    Ok(account)
}

/// The account behind an actor id: local, stored and fresh, or fetched now.
pub async fn resolve_actor(fed: &Federation, uri: &str) -> Result<accounts::Model, FederationError> {
    if let Some(a) = queries::account_by_uri(&fed.db, uri).await? {
        let fresh = a.domain.is_none()
            || a.fetched_at.is_some_and(|t| (chrono::Utc::now() - t).num_hours() < STALE_AFTER_HOURS);
        if fresh {
            return Ok(a);
        }
        // Stale: try to refresh, but keep what we have if the server is down.
        return Ok(fetch_actor(fed, uri).await.unwrap_or(a));
    }
    if fed.config.is_local(uri) {
        return Err(FederationError::NotFound);
    }
    fetch_actor(fed, uri).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_fields_in_every_shape() {
        let v = json!({"a": "https://x/1", "b": {"href": "https://x/2"}, "c": [{"href": "https://x/3"}]});
        assert_eq!(url_field(&v, "a").unwrap(), "https://x/1");
        assert_eq!(url_field(&v, "b").unwrap(), "https://x/2");
        assert_eq!(url_field(&v, "c").unwrap(), "https://x/3");
        assert!(url_field(&v, "d").is_none());
    }
}
