//! The streaming API: `/api/v1/streaming` (WebSocket, several streams per connection with
//! `subscribe`/`unsubscribe` messages; also server-sent events when not upgraded) and the
//! server-sent-events endpoints `/api/v1/streaming/{user,public,hashtag,list,direct...}`.
//!
//! Each connection subscribes to the in-process bus (`coopol_service::stream`), and
//! for each event reads the row, checks that the viewer may see it and that it belongs to the
//! stream, then renders Mastodon JSON. A connection that falls more than
//! `stream::BUFFER` messages behind is closed: a slow client never holds the server back.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use coopol_core::Visibility;
use coopol_db::entities::{blocks, status_tags, statuses};
use coopol_db::queries::{self, FOLLOW_ACCEPTED};
use coopol_db::{conversations, lists, notifications};
use coopol_federation::Federation;
use coopol_service::stream::Message as BusMessage;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::{self, Auth};
use crate::{mastodon, ApiError, Params};
use coopol_service as service;

/// Heartbeats keep proxies from closing idle connections.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A WebSocket write that takes longer than this drops the connection.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Most streams one WebSocket may subscribe to.
const MAX_SUBSCRIPTIONS: usize = 32;

pub fn routes() -> Router<Federation> {
    Router::new()
        .route("/api/v1/streaming", get(root))
        .route("/api/v1/streaming/", get(root))
        .route("/api/v1/streaming/health", get(health))
        .route("/api/v1/streaming/user", get(|s: State<Federation>, r: Request| sse_named(s, r, "user")))
        .route(
            "/api/v1/streaming/user/notification",
            get(|s: State<Federation>, r: Request| sse_named(s, r, "user:notification")),
        )
        .route("/api/v1/streaming/public", get(|s: State<Federation>, r: Request| sse_named(s, r, "public")))
        .route(
            "/api/v1/streaming/public/local",
            get(|s: State<Federation>, r: Request| sse_named(s, r, "public:local")),
        )
        .route(
            "/api/v1/streaming/public/remote",
            get(|s: State<Federation>, r: Request| sse_named(s, r, "public:remote")),
        )
        .route("/api/v1/streaming/hashtag", get(|s: State<Federation>, r: Request| sse_named(s, r, "hashtag")))
        .route(
            "/api/v1/streaming/hashtag/local",
            get(|s: State<Federation>, r: Request| sse_named(s, r, "hashtag:local")),
        )
        .route("/api/v1/streaming/list", get(|s: State<Federation>, r: Request| sse_named(s, r, "list")))
        .route("/api/v1/streaming/direct", get(|s: State<Federation>, r: Request| sse_named(s, r, "direct")))
}

async fn health() -> &'static str {
    "OK"
}

/// One stream a client listens to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    User,
    UserNotification,
    /// `Some(true)`: local only; `Some(false)`: remote only.
    Public(Option<bool>),
    Hashtag {
        tag: String,
        local: bool,
    },
    List(i64),
    Direct,
}

impl Stream {
    /// Parses a stream name with its `tag` or `list` parameter.
    pub fn parse(name: &str, tag: Option<&str>, list: Option<&str>) -> Result<Stream, ApiError> {
        let tag = || {
            let t = tag.unwrap_or("").trim_start_matches('#').to_lowercase();
            if t.is_empty() || t.chars().count() > 100 {
                Err(ApiError::BadRequest("a hashtag stream needs a tag".into()))
            } else {
                Ok(t)
            }
        };
        Ok(match name {
            "user" => Stream::User,
            "user:notification" => Stream::UserNotification,
            "public" => Stream::Public(None),
            "public:local" => Stream::Public(Some(true)),
            "public:remote" => Stream::Public(Some(false)),
            "hashtag" => Stream::Hashtag { tag: tag()?, local: false },
            "hashtag:local" => Stream::Hashtag { tag: tag()?, local: true },
            "list" => Stream::List(
                list.and_then(|l| l.parse().ok())
                    .ok_or_else(|| ApiError::BadRequest("a list stream needs a list id".into()))?,
            ),
            "direct" => Stream::Direct,
            other => return Err(ApiError::BadRequest(format!("unknown stream {other}"))),
        })
    }

    /// The `stream` array of a WebSocket message.
    fn names(&self) -> Value {
        match self {
            Stream::User => json!(["user"]),
            Stream::UserNotification => json!(["user:notification"]),
            Stream::Public(None) => json!(["public"]),
            Stream::Public(Some(true)) => json!(["public:local"]),
            Stream::Public(Some(false)) => json!(["public:remote"]),
            Stream::Hashtag { tag, local: false } => json!(["hashtag", tag]),
            Stream::Hashtag { tag, local: true } => json!(["hashtag:local", tag]),
            Stream::List(id) => json!(["list", id.to_string()]),
            Stream::Direct => json!(["direct"]),
        }
    }

    fn needs_user(&self) -> bool {
        matches!(self, Stream::User | Stream::UserNotification | Stream::List(_) | Stream::Direct)
    }
}

/// Checks that `auth` may open `stream`: a signed-in user with a read scope for private
/// streams, and the list's owner for a list.
async fn authorize(fed: &Federation, auth: Option<&Auth>, stream: &Stream) -> Result<(), ApiError> {
    if !stream.needs_user() {
        return Ok(());
    }
    let auth = auth.ok_or(ApiError::Unauthorized)?;
    let scope = if *stream == Stream::UserNotification { "read:notifications" } else { "read:statuses" };
    auth.require(scope)?;
    if let Stream::List(id) = stream {
        lists::owned(&fed.db, auth.account.id, *id).await?.ok_or(ApiError::NotFound)?;
    }
    Ok(())
}

/// The token of a streaming request: `Authorization: Bearer`, `access_token` in the query, or
/// the `Sec-WebSocket-Protocol` header.
async fn auth_of(fed: &Federation, headers: &HeaderMap, params: &Params) -> Result<Option<Auth>, ApiError> {
    let token = auth::bearer_token(headers)
        .or_else(|| params.str("access_token").map(String::from))
        .or_else(|| {
            headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string())
        })
        .filter(|t| !t.is_empty());
    match token {
        Some(t) => auth::authenticate(fed, &t).await.map(Some),
        None => Ok(None),
    }
}

/// Whether one of the two accounts blocks the other.
async fn blocked(fed: &Federation, a: i64, b: i64) -> Result<bool, ApiError> {
    Ok(blocks::Entity::find()
        .filter(
            Condition::any()
                .add(Condition::all().add(blocks::Column::AccountId.eq(a)).add(blocks::Column::TargetAccountId.eq(b)))
                .add(Condition::all().add(blocks::Column::AccountId.eq(b)).add(blocks::Column::TargetAccountId.eq(a))),
        )
        .count(&fed.db)
        .await?
        > 0)
}

/// Whether a status belongs to a stream for this viewer (visibility already checked).
async fn status_in_stream(
    fed: &Federation,
    viewer: Option<i64>,
    stream: &Stream,
    s: &statuses::Model,
) -> Result<bool, ApiError> {
    let public = s.visibility == "public";
    Ok(match stream {
        Stream::User => match viewer {
            Some(me) => {
                s.account_id == me
                    || queries::mentioned_ids(&fed.db, s.id).await?.contains(&me)
                    || (s.visibility != "direct"
                        && queries::follow_between(&fed.db, me, s.account_id)
                            .await?
                            .is_some_and(|f| f.state == FOLLOW_ACCEPTED))
            }
            None => false,
        },
        Stream::Public(local) => public && s.reblog_of_id.is_none() && local.is_none_or(|l| l == s.local),
        Stream::Hashtag { tag, local } => {
            public
                && s.reblog_of_id.is_none()
                && (!local || s.local)
                && status_tags::Entity::find()
                    .filter(status_tags::Column::StatusId.eq(s.id))
                    .filter(status_tags::Column::Name.eq(tag.as_str()))
                    .count(&fed.db)
                    .await?
                    > 0
        }
        Stream::List(id) => s.visibility != "direct" && lists::is_member(&fed.db, *id, s.account_id).await?,
        Stream::UserNotification | Stream::Direct => false,
    })
}

/// Renders a bus message for one stream and viewer: `(event name, payload)`, or `None` when the
/// stream does not carry it or the viewer may not see it.
pub async fn render(
    fed: &Federation,
    viewer: Option<i64>,
    stream: &Stream,
    message: &BusMessage,
) -> Result<Option<(&'static str, String)>, ApiError> {
    match message {
        BusMessage::StatusCreated { status_id } | BusMessage::StatusUpdated { status_id } => {
            let Some(s) = queries::status_by_id(&fed.db, *status_id).await? else { return Ok(None) };
            if !service::statuses::can_view(fed, &s, viewer).await?
                || !status_in_stream(fed, viewer, stream, &s).await?
            {
                return Ok(None);
            }
            if let Some(me) = viewer {
                if s.account_id != me && blocked(fed, me, s.account_id).await? {
                    return Ok(None);
                }
            }
            if let Some(orig_id) = s.reblog_of_id {
                let Some(orig) = queries::status_by_id(&fed.db, orig_id).await? else { return Ok(None) };
                if !service::statuses::can_view(fed, &orig, viewer).await? {
                    return Ok(None);
                }
            }
            let name = if matches!(message, BusMessage::StatusCreated { .. }) { "update" } else { "status.update" };
            Ok(Some((name, mastodon::status(fed, &s, viewer).await?.to_string())))
        }
        BusMessage::StatusDeleted { status_id, account_id, visibility, mentioned, local } => {
            let vis: Visibility = visibility.parse().unwrap_or(Visibility::Direct);
            let show = match stream {
                Stream::Public(l) => *visibility == "public" && l.is_none_or(|l| l == *local),
                Stream::Hashtag { local: only_local, .. } => *visibility == "public" && (!only_local || *local),
                Stream::User => match viewer {
                    Some(me) => {
                        *account_id == me
                            || mentioned.contains(&me)
                            || (vis != Visibility::Direct
                                && queries::follow_between(&fed.db, me, *account_id)
                                    .await?
                                    .is_some_and(|f| f.state == FOLLOW_ACCEPTED))
                    }
                    None => false,
                },
                Stream::List(id) => vis != Visibility::Direct && lists::is_member(&fed.db, *id, *account_id).await?,
                Stream::UserNotification | Stream::Direct => false,
            };
            Ok(show.then(|| ("delete", status_id.to_string())))
        }
        BusMessage::Notification { account_id, notification_id } => {
            if viewer != Some(*account_id) || !matches!(stream, Stream::User | Stream::UserNotification) {
                return Ok(None);
            }
            let Some(n) = notifications::get(&fed.db, *account_id, *notification_id).await? else { return Ok(None) };
            if blocked(fed, *account_id, n.from_account_id).await? {
                return Ok(None);
            }
            Ok(mastodon::notification(fed, &n).await?.map(|v| ("notification", v.to_string())))
        }
        BusMessage::Conversation { account_id, conversation_id } => {
            if viewer != Some(*account_id) || *stream != Stream::Direct {
                return Ok(None);
            }
            let Some(c) = conversations::get(&fed.db, *account_id, *conversation_id).await? else { return Ok(None) };
            Ok(Some(("conversation", mastodon::conversation(fed, &c).await?.to_string())))
        }
    }
}

/// The SSE endpoints, and `/api/v1/streaming?stream=...` without an upgrade.
async fn sse_named(State(fed): State<Federation>, req: Request, name: &'static str) -> Response {
    match sse(fed, req, Some(name)).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn sse(fed: Federation, req: Request, name: Option<&str>) -> Result<Response, ApiError> {
    let (parts, _) = req.into_parts();
    let params = parts.uri.query().map(Params::from_form).unwrap_or_default();
    let name = name.or(params.str("stream")).ok_or_else(|| ApiError::BadRequest("no stream given".into()))?;
    let stream = Stream::parse(name, params.str("tag"), params.str("list"))?;
    let auth = auth_of(&fed, &parts.headers, &params).await?;
    authorize(&fed, auth.as_ref(), &stream).await?;
    let viewer = auth.map(|a| a.account.id);
    let rx = fed.stream.subscribe();
    let body = futures::stream::unfold((fed, rx, stream), move |(fed, mut rx, stream)| async move {
        loop {
            match rx.recv().await {
                Ok(event) => match render(&fed, viewer, &stream, &event).await {
                    Ok(Some((name, payload))) => {
                        let ev = SseEvent::default().event(name).data(payload);
                        return Some((Ok::<_, Infallible>(ev), (fed, rx, stream)));
                    }
                    Ok(None) => continue,
                    Err(e) => tracing::warn!(error = %e, "rendering a streaming event"),
                },
                // Fell behind (a slow client) or the bus closed: end the stream.
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return None,
            }
        }
    });
    let mut r = Sse::new(body).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("thump")).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `/api/v1/streaming`: a WebSocket when upgraded, server-sent events otherwise.
async fn root(State(fed): State<Federation>, req: Request) -> Response {
    let upgrade = req.headers().get(header::UPGRADE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return match sse(fed, req, None).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    match websocket(fed, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn websocket(fed: Federation, req: Request) -> Result<Response, ApiError> {
    let (mut parts, _) = req.into_parts();
    let params = parts.uri.query().map(Params::from_form).unwrap_or_default();
    let auth = auth_of(&fed, &parts.headers, &params).await?;
    let first = match params.str("stream") {
        Some(name) => {
            let s = Stream::parse(name, params.str("tag"), params.str("list"))?;
            authorize(&fed, auth.as_ref(), &s).await?;
            Some(s)
        }
        None => None,
    };
    let protocol = parts.headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).map(String::from);
    let mut ws = WebSocketUpgrade::from_request_parts(&mut parts, &())
        .await
        .map_err(|e| ApiError::BadRequest(format!("not a WebSocket request: {e}")))?;
    if let Some(p) = protocol {
        ws = ws.protocols([p]);
    }
    Ok(ws.max_message_size(64 * 1024).on_upgrade(move |socket| run_socket(fed, socket, auth, first)))
}

async fn send(socket: &mut WebSocket, v: Value) -> bool {
    matches!(tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(v.to_string().into()))).await, Ok(Ok(())))
}

/// Applies a client message (`subscribe`/`unsubscribe`); an error message for bad ones.
async fn client_message(
    fed: &Federation,
    auth: Option<&Auth>,
    subs: &mut BTreeSet<Stream>,
    text: &str,
) -> Option<Value> {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return Some(json!({"error": "messages must be JSON", "status": 400}));
    };
    let str_of =
        |k: &str| msg.get(k).and_then(|v| v.as_str().map(String::from).or_else(|| v.as_i64().map(|n| n.to_string())));
    let (Some(kind), Some(name)) = (str_of("type"), str_of("stream")) else {
        return Some(json!({"error": "type and stream are required", "status": 400}));
    };
    let stream = match Stream::parse(&name, str_of("tag").as_deref(), str_of("list").as_deref()) {
        Ok(s) => s,
        Err(e) => return Some(json!({"error": e.to_string(), "status": e.status().as_u16()})),
    };
    match kind.as_str() {
        "subscribe" => {
            if let Err(e) = authorize(fed, auth, &stream).await {
                return Some(json!({"error": e.to_string(), "status": e.status().as_u16()}));
            }
            if subs.len() >= MAX_SUBSCRIPTIONS {
                return Some(json!({"error": "too many subscriptions", "status": 400}));
            }
            subs.insert(stream);
            None
        }
        "unsubscribe" => {
            subs.remove(&stream);
            None
        }
        other => Some(json!({"error": format!("unknown message type {other}"), "status": 400})),
    }
}

async fn run_socket(fed: Federation, mut socket: WebSocket, auth: Option<Auth>, first: Option<Stream>) {
    let mut rx = fed.stream.subscribe();
    let viewer = auth.as_ref().map(|a| a.account.id);
    let mut subs: BTreeSet<Stream> = first.into_iter().collect();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    if let Some(err) = client_message(&fed, auth.as_ref(), &mut subs, t.as_str()).await {
                        if !send(&mut socket, err).await {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            event = rx.recv() => match event {
                Ok(event) => {
                    for stream in &subs {
                        match render(&fed, viewer, stream, &event).await {
                            Ok(Some((name, payload))) => {
                                let msg = json!({"stream": stream.names(), "event": name, "payload": payload});
                                if !send(&mut socket, msg).await {
                                    return;
                                }
                            }
                            Ok(None) => {}
                            Err(e) => tracing::warn!(error = %e, "rendering a streaming event"),
                        }
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::info!(missed = n, "closing a streaming connection that fell behind");
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            _ = heartbeat.tick() => {
                if tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Ping(Vec::new().into()))).await.ok().and_then(Result::ok).is_none() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_round_trip() {
        assert_eq!(Stream::parse("public:local", None, None).unwrap(), Stream::Public(Some(true)));
        assert_eq!(
            Stream::parse("hashtag", Some("#Coopol"), None).unwrap(),
            Stream::Hashtag { tag: "coopol".into(), local: false }
        );
        assert_eq!(Stream::parse("list", None, Some("12")).unwrap().names(), json!(["list", "12"]));
        assert!(Stream::parse("hashtag", None, None).is_err());
        assert!(Stream::parse("list", None, Some("x")).is_err());
        assert!(Stream::parse("nope", None, None).is_err());
        assert!(Stream::User.needs_user() && !Stream::Public(None).needs_user());
    }
}
