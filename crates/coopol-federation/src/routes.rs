//! HTTP routes of the federation side: WebFinger, host-meta, NodeInfo, actors, collections,
//! objects and inboxes. Actor and object URLs answer ActivityPub JSON or HTML by `Accept`.

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use coopol_core::{Audience, Visibility};
use coopol_db::entities::{accounts, statuses};
use coopol_db::queries::{self, Page};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::activities::create;
use crate::notes::note_for_status;
use crate::wire::ap_context;
use crate::{actors, inbox, webfinger, Federation, AP_CONTENT_TYPE};

/// The federation routes, with their state applied.
pub fn router(fed: Federation) -> Router {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger_handler))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.1", get(nodeinfo))
        .route("/actor", get(instance_actor))
        .route("/users/{name}", get(actor))
        .route("/@{name}", get(actor))
        .route("/users/{name}/outbox", get(outbox))
        .route("/users/{name}/followers", get(followers))
        .route("/users/{name}/following", get(following))
        .route("/users/{name}/collections/featured", get(featured))
        .route("/users/{name}/members", get(group_members))
        .route("/users/{name}/moderators", get(group_moderators))
        .route("/users/{name}/statuses/{id}", get(status))
        .route("/@{name}/{id}", get(status))
        .route("/users/{name}/statuses/{id}/activity", get(status_activity))
        .route("/inbox", post(inbox::handler))
        .route("/users/{name}/inbox", post(inbox::handler))
        .route("/actor/inbox", post(inbox::handler))
        .layer(DefaultBodyLimit::max(crate::fetch::MAX_BODY))
        .with_state(fed)
}

/// Whether the client asks for ActivityStreams rather than a page.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/activity+json") || a.contains("application/ld+json"))
}

/// An ActivityStreams response.
pub fn activity_json(v: Value) -> Response {
    let mut r = Json(v).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(AP_CONTENT_TYPE));
    r.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"error": "Record not found"}))).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "federation route");
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "internal error"}))).into_response()
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: Option<String>,
}

async fn webfinger_handler(State(fed): State<Federation>, Query(q): Query<WebfingerQuery>) -> Response {
    let Some(resource) = q.resource else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "resource is required"}))).into_response();
    };
    match webfinger::local_document(&fed, &resource).await {
        Ok(Some(doc)) => {
            let mut r = Json(doc).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/jrd+json"));
            r
        }
        Ok(None) => not_found(),
        Err(e) => internal(e),
    }
}

async fn host_meta(State(fed): State<Federation>) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
<Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n",
        fed.config.base_url()
    );
    ([(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")], xml).into_response()
}

async fn nodeinfo_links(State(fed): State<Federation>) -> Json<Value> {
    Json(json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": format!("{}/nodeinfo/2.1", fed.config.base_url()),
        }]
    }))
}

/// NodeInfo 2.1: public, aggregate figures only.
async fn nodeinfo(State(fed): State<Federation>) -> Response {
    let (users, posts) = match fed.figures.get(&fed.db).await {
        Ok(f) => (f.users, f.local_posts),
        Err(e) => return internal(e),
    };
    let registrations = match coopol_service::registrations::mode(&fed.service).await {
        Ok(m) => m,
        Err(e) => return internal(e),
    };
    let doc = json!({
        "version": "2.1",
        "software": {
            "name": "coopol",
            "version": env!("CARGO_PKG_VERSION"),
            "repository": fed.config.source_url,
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": registrations.accepts_strangers(),
        "usage": { "users": { "total": users }, "localPosts": posts },
        // Apps on megalodon (Whalebird and others) only speak to servers whose software they
        // know, or whose `upstream` is Mastodon: our client API is Mastodon's.
        "metadata": {
            "nodeName": fed.config.title,
            "upstream": { "name": "mastodon", "version": coopol_core::MASTODON_API_VERSION },
        },
    });
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\""),
    );
    r
}

/// A local person by name. A deleted (suspended) one answers 410 Gone, as Mastodon does, so
/// that peers drop it rather than retry.
async fn local_person(fed: &Federation, name: &str) -> Result<Option<accounts::Model>, Response> {
    match queries::local_account(&fed.db, name).await {
        Ok(Some(a)) if a.suspended => Err(gone()),
        Ok(a) => Ok(a.filter(|a| a.actor_type != "Application")),
        Err(e) => Err(internal(e)),
    }
}

fn gone() -> Response {
    (StatusCode::GONE, Json(json!({"error": "Gone"}))).into_response()
}

async fn instance_actor(State(fed): State<Federation>) -> Response {
    match queries::account_by_uri(&fed.db, &fed.config.instance_actor_url()).await {
        Ok(Some(a)) => activity_json(actors::local_actor_json(&fed.config, &a)),
        Ok(None) => not_found(),
        Err(e) => internal(e),
    }
}

async fn actor(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    let name = name.trim_start_matches('@');
    let a = match local_person(&fed, name).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(r) => return r,
    };
    // Browsers get the web interface's page instead (the binary routes them there).
    match actors::local_actor_doc(&fed, &a).await {
        Ok(doc) => activity_json(doc),
        Err(e) => internal(e),
    }
}

fn collection(id: &str, total: u64, first: Option<Value>) -> Value {
    let mut v = json!({ "@context": ap_context(), "id": id, "type": "OrderedCollection", "totalItems": total });
    if let (Some(first), Some(m)) = (first, v.as_object_mut()) {
        m.insert("first".into(), first);
    }
    v
}

/// The outbox: the latest public posts as Create activities.
async fn outbox(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    let a = match local_person(&fed, &name).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(r) => return r,
    };
    let public = ["public", "unlisted"];
    let total = statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(a.id))
        .filter(statuses::Column::Visibility.is_in(public))
        .filter(statuses::Column::ReblogOfId.is_null())
        .count(&fed.db)
        .await;
    let latest = queries::account_statuses(&fed.db, a.id, &public, Page { limit: 20, ..Page::default() }).await;
    let (total, latest) = match (total, latest) {
        (Ok(t), Ok(l)) => (t, l),
        (Err(e), _) => return internal(e),
        (_, Err(e)) => return internal(e),
    };
    let mut items = Vec::new();
    for s in latest.iter().filter(|s| s.reblog_of_id.is_none()) {
        match note_for_status(&fed, s).await {
            Ok(note) => {
                let mut act = create::build(note, &a.uri);
                if let Some(m) = act.as_object_mut() {
                    m.remove("@context");
                }
                items.push(act);
            }
            Err(e) => return internal(e),
        }
    }
    let id = a.outbox_url.clone().unwrap_or_default();
    let first = json!({ "id": format!("{id}?page=true"), "type": "OrderedCollectionPage", "partOf": id, "orderedItems": items });
    activity_json(collection(&id, total, Some(first)))
}

/// The featured collection: the public and unlisted posts the account pinned, as Notes.
async fn featured(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    let a = match local_person(&fed, &name).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(r) => return r,
    };
    let pinned = match coopol_db::social::pinned(&fed.db, a.id).await {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let mut items = Vec::new();
    for s in pinned.iter().filter(|s| s.visibility == "public" || s.visibility == "unlisted") {
        match note_for_status(&fed, s).await {
            Ok(note) => items.push(note),
            Err(e) => return internal(e),
        }
    }
    let mut doc = collection(&actors::featured_url(&a), items.len() as u64, None);
    if let Some(m) = doc.as_object_mut() {
        m.insert("orderedItems".into(), json!(items));
    }
    activity_json(doc)
}

/// Followers and following collections show their size only: an activist's social graph is
/// nobody else's business.
async fn followers(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    counts(&fed, &name, true).await
}

async fn following(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    counts(&fed, &name, false).await
}

async fn counts(fed: &Federation, name: &str, followers: bool) -> Response {
    let a = match local_person(fed, name).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(r) => return r,
    };
    match queries::follow_counts(&fed.db, a.id).await {
        Ok((n_followers, n_following)) => {
            let (id, n) = if followers {
                (a.followers_url.clone().unwrap_or_default(), n_followers)
            } else {
                (a.following_url.clone().unwrap_or_default(), n_following)
            };
            activity_json(collection(&id, n, None))
        }
        Err(e) => internal(e),
    }
}

/// A local status, if `name` is its author and the requester may see it. Non-public posts are
/// served only on a signed fetch by an actor in their audience, which for a post a local private
/// group announced includes the group's accepted members (not pending, not banned).
async fn visible_status(
    fed: &Federation,
    name: &str,
    id: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(accounts::Model, statuses::Model), Response> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let author = local_person(fed, name).await?.ok_or_else(not_found)?;
    let s = queries::status_by_id(&fed.db, id)
        .await
        .map_err(internal)?
        .filter(|s| s.account_id == author.id && s.local && s.reblog_of_id.is_none())
        .ok_or_else(not_found)?;
    let visibility: Visibility = s.visibility.parse().unwrap_or(Visibility::Direct);
    if visibility.is_public() {
        return Ok((author, s));
    }
    let Some(viewer) = inbox::signed_fetcher(fed, method, uri, headers).await else {
        return Err(not_found());
    };
    let follows = queries::follow_between(&fed.db, viewer.id, author.id)
        .await
        .map_err(internal)?
        .is_some_and(|f| f.state == queries::FOLLOW_ACCEPTED);
    let mentioned = queries::mentioned_ids(&fed.db, s.id).await.map_err(internal)?.contains(&viewer.id);
    if Audience::may_view(visibility, viewer.id == author.id, follows, mentioned)
        // A post a private group announced is served to the group's members.
        || coopol_db::groups::member_of_group_sharing(&fed.db, s.id, viewer.id).await.map_err(internal)?
    {
        Ok((author, s))
    } else {
        Err(not_found())
    }
}

async fn status(
    State(fed): State<Federation>,
    Path((name, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (_, s) = match visible_status(&fed, &name, &id, &method, &uri, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Browsers get the web interface's page instead (the binary routes them there).
    match note_for_status(&fed, &s).await {
        Ok(mut note) => {
            if let Some(m) = note.as_object_mut() {
                m.insert("@context".into(), ap_context());
            }
            activity_json(note)
        }
        Err(e) => internal(e),
    }
}

async fn status_activity(
    State(fed): State<Federation>,
    Path((name, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (author, s) = match visible_status(&fed, &name, &id, &method, &uri, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match note_for_status(&fed, &s).await {
        Ok(note) => activity_json(create::build(note, &author.uri)),
        Err(e) => internal(e),
    }
}

/// The people of a local group (accepted followers) with their roles, or the response to send.
async fn group_people(
    fed: &Federation,
    name: &str,
) -> Result<(accounts::Model, Vec<coopol_db::groups::Person>), Response> {
    let a =
        local_person(fed, name).await?.filter(|a| a.actor_type == coopol_db::groups::GROUP).ok_or_else(not_found)?;
    let people = coopol_db::groups::people(&fed.db, a.id, 100_000).await.map_err(internal)?;
    Ok((a, people.into_iter().filter(|p| !p.pending).collect()))
}

/// A group's members (not sympathisers): the size only, as for followers. Who belongs to a
/// group is shown to its moderators through the client API, never to other servers.
async fn group_members(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    match group_people(&fed, &name).await {
        Ok((a, people)) => {
            let n = people.iter().filter(|p| p.role.can_post()).count() as u64;
            activity_json(collection(&format!("{}/members", a.uri), n, None))
        }
        Err(r) => r,
    }
}

/// A group's admins and moderators, listed (FEP-1b12 and Lemmy's `attributedTo`): other servers
/// need them to recognise moderation.
async fn group_moderators(State(fed): State<Federation>, Path(name): Path<String>) -> Response {
    match group_people(&fed, &name).await {
        Ok((a, people)) => {
            let mods: Vec<String> =
                people.into_iter().filter(|p| p.role.can_moderate()).map(|p| p.account.uri).take(1000).collect();
            let mut c = collection(&format!("{}/moderators", a.uri), mods.len() as u64, None);
            if let Some(m) = c.as_object_mut() {
                m.insert("orderedItems".into(), json!(mods));
            }
            activity_json(c)
        }
        Err(r) => r,
    }
}
