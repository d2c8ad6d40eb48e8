//! Fake remote servers, in process, on loopback ports: actors whose documents coopol fetches,
//! and inboxes that count what coopol delivers to them. Plus signing of what they send.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use coopol_signatures::SigningKey;
use http::header::{HeaderName, CONTENT_TYPE};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// The ActivityStreams public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const AP_CONTENT_TYPE: &str = "application/activity+json";

/// One RSA key pair for every fake actor: coopol does not care that keys are shared, and
/// generating a hundred 2048-bit keys would only make the bench slower to start.
pub async fn key_pair() -> Result<coopol_signatures::KeyPairPem> {
    tokio::task::spawn_blocking(coopol_signatures::generate_rsa_keypair)
        .await
        .context("key generation task")?
        .context("generating an RSA key pair")
}

/// A fake remote actor: its id and the key it signs with.
#[derive(Clone)]
pub struct Actor {
    /// `http://localhost:PORT/users/NAME`.
    pub id: String,
    pub key: SigningKey,
    doc: Value,
}

impl Actor {
    /// An actor served at `base/users/name`, with a shared inbox at `base/inbox`.
    pub fn new(base: &str, name: &str, pem: &coopol_signatures::KeyPairPem) -> Result<Actor> {
        let id = format!("{base}/users/{name}");
        let key_id = format!("{id}#main-key");
        let key =
            SigningKey::from_pkcs8_pem(&key_id, &pem.private_pem).context("loading the fake actors' private key")?;
        let doc = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Person",
            "preferredUsername": name,
            "name": format!("Benchmark actor {name}"),
            "summary": "",
            "url": id,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "following": format!("{id}/following"),
            "endpoints": { "sharedInbox": format!("{base}/inbox") },
            "manuallyApprovesFollowers": false,
            "publicKey": { "id": key_id, "owner": id, "publicKeyPem": pem.public_pem },
        });
        Ok(Actor { id, key, doc })
    }
}

/// A request ready to send: body and the headers `sign_request` computed for it.
pub struct Signed {
    pub body: Vec<u8>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// Signs a POST of `activity` to `url` with `key`, dated now.
pub fn sign_post(key: &SigningKey, url: &Url, activity: &Value) -> Result<Signed> {
    let body = serde_json::to_vec(activity).context("serialising an activity")?;
    let mut headers = coopol_signatures::sign_request(key, &http::Method::POST, url, Some(&body), SystemTime::now())
        .context("signing a request")?;
    headers.push((CONTENT_TYPE, HeaderValue::from_static(AP_CONTENT_TYPE)));
    Ok(Signed { body, headers })
}

/// Sends a signed request; returns the status and (for errors) the start of the body.
pub async fn send(client: &reqwest::Client, url: &Url, signed: Signed) -> Result<(u16, String), reqwest::Error> {
    let mut req = client.post(url.clone()).body(signed.body);
    for (k, v) in signed.headers {
        req = req.header(k, v);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    // Read the body in all cases so that the connection goes back to the pool.
    let body = res.bytes().await?;
    let text = if status == 202 {
        String::new()
    } else {
        String::from_utf8_lossy(body.get(..300).unwrap_or(&body)).into_owned()
    };
    Ok((status, text))
}

/// Attempts at one setup request (warm-up, Follow): a real server retries a 5xx later.
pub const SETUP_ATTEMPTS: u32 = 10;

/// POSTs `activity`, signed anew at each attempt, until coopol answers something other than a
/// 5xx, as a peer retrying a failed delivery would (attempt `n` waits `n` × 100 ms first).
/// Returns the final status and body, and a description of each failed attempt.
pub async fn post_retrying(
    client: &reqwest::Client,
    url: &Url,
    key: &SigningKey,
    activity: &Value,
) -> Result<(u16, String, Vec<String>)> {
    let mut failures = Vec::new();
    for attempt in 1..=SETUP_ATTEMPTS {
        let signed = sign_post(key, url, activity)?;
        match send(client, url, signed).await {
            Ok((status, body)) if status < 500 => return Ok((status, body, failures)),
            Ok((status, body)) => failures.push(format!("{status}: {body}")),
            Err(e) => failures.push(format!("transport error: {e}")),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt))).await;
    }
    anyhow::bail!("coopol failed the same request {SETUP_ATTEMPTS} times: {}", failures.join("; "))
}

fn activity_json(doc: &Value) -> Response {
    let mut r = axum::Json(doc.clone()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(AP_CONTENT_TYPE));
    r
}

/// Binds a fresh loopback port.
pub async fn bind() -> Result<(TcpListener, u16)> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("binding a loopback port for a fake actor")?;
    let port = listener.local_addr().context("reading a bound port")?.port();
    Ok((listener, port))
}

fn serve(listener: TcpListener, app: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("a fake actor server stopped: {e}");
        }
    })
}

// ---------------------------------------------------------------------------------------
// Several actors on one port (inbox benchmark).

#[derive(Clone)]
struct ActorsState {
    docs: Arc<HashMap<String, Value>>,
    inbox_posts: Arc<AtomicUsize>,
}

async fn actor_doc(State(s): State<ActorsState>, Path(name): Path<String>) -> Response {
    match s.docs.get(&name) {
        Some(doc) => activity_json(doc),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn count_post(State(s): State<ActorsState>) -> StatusCode {
    s.inbox_posts.fetch_add(1, Ordering::Relaxed);
    StatusCode::ACCEPTED
}

/// Actors on one port, serving their documents; their inboxes only count POSTs.
pub struct ActorHost {
    pub actors: Vec<Actor>,
    pub inbox_posts: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl ActorHost {
    pub async fn start(names: &[String], pem: &coopol_signatures::KeyPairPem) -> Result<ActorHost> {
        let (listener, port) = bind().await?;
        let base = format!("http://localhost:{port}");
        let actors = names.iter().map(|n| Actor::new(&base, n, pem)).collect::<Result<Vec<_>>>()?;
        let docs: HashMap<String, Value> = names.iter().cloned().zip(actors.iter().map(|a| a.doc.clone())).collect();
        let inbox_posts = Arc::new(AtomicUsize::new(0));
        let state = ActorsState { docs: Arc::new(docs), inbox_posts: inbox_posts.clone() };
        let app = Router::new()
            .route("/users/{name}", get(actor_doc))
            .route("/users/{name}/inbox", post(count_post))
            .route("/inbox", post(count_post))
            .with_state(state);
        Ok(ActorHost { actors, inbox_posts, task: serve(listener, app) })
    }
}

impl Drop for ActorHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------
// One actor per port, recording every delivery (fan-out benchmark).

/// One POST received by a fake inbox.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Which receiver got it.
    pub receiver: usize,
    pub at: Instant,
    /// The activity's `type`.
    pub kind: String,
    /// The `id` of the activity's object (the status URI for a `Create`).
    pub object: Option<String>,
    /// Whether it came with a `Signature` header.
    pub signed: bool,
}

/// Every delivery to every receiver, in arrival order.
#[derive(Default)]
pub struct Recorder {
    deliveries: Mutex<Vec<Delivery>>,
    creates: AtomicUsize,
    accepts: AtomicUsize,
    posts: AtomicUsize,
}

impl Recorder {
    fn record(&self, d: Delivery) {
        self.posts.fetch_add(1, Ordering::Relaxed);
        match d.kind.as_str() {
            "Create" => self.creates.fetch_add(1, Ordering::Relaxed),
            "Accept" => self.accepts.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
        if let Ok(mut v) = self.deliveries.lock() {
            v.push(d);
        }
    }

    /// `Create` activities received so far.
    pub fn creates(&self) -> usize {
        self.creates.load(Ordering::Relaxed)
    }

    /// `Accept` activities received so far.
    pub fn accepts(&self) -> usize {
        self.accepts.load(Ordering::Relaxed)
    }

    /// POSTs of any kind received so far.
    pub fn posts(&self) -> usize {
        self.posts.load(Ordering::Relaxed)
    }

    /// A copy of everything received so far.
    pub fn snapshot(&self) -> Vec<Delivery> {
        self.deliveries.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[derive(Clone)]
struct ReceiverState {
    index: usize,
    doc: Arc<Value>,
    recorder: Arc<Recorder>,
}

async fn receiver_doc(State(s): State<ReceiverState>) -> Response {
    activity_json(&s.doc)
}

async fn receiver_inbox(State(s): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let kind = activity.get("type").and_then(Value::as_str).unwrap_or("").to_string();
    let object = activity
        .get("object")
        .and_then(|o| o.as_str().or_else(|| o.get("id").and_then(Value::as_str)).map(String::from));
    s.recorder.record(Delivery { receiver: s.index, at, kind, object, signed: headers.contains_key("signature") });
    StatusCode::ACCEPTED
}

/// Receivers, each on its own port (`localhost:P1` ... `localhost:Pn`): one actor at
/// `/users/bench`, a personal inbox and a shared inbox that record deliveries.
pub struct Receivers {
    pub actors: Vec<Actor>,
    pub recorder: Arc<Recorder>,
    tasks: Vec<JoinHandle<()>>,
}

impl Receivers {
    pub async fn start(n: usize, pem: &coopol_signatures::KeyPairPem) -> Result<Receivers> {
        let recorder = Arc::new(Recorder::default());
        let mut actors = Vec::with_capacity(n);
        let mut tasks = Vec::with_capacity(n);
        for index in 0..n {
            let (listener, port) = bind().await?;
            let actor = Actor::new(&format!("http://localhost:{port}"), "bench", pem)?;
            let state = ReceiverState { index, doc: Arc::new(actor.doc.clone()), recorder: recorder.clone() };
            let app = Router::new()
                .route("/users/bench", get(receiver_doc))
                .route("/users/bench/inbox", post(receiver_inbox))
                .route("/inbox", post(receiver_inbox))
                .with_state(state);
            tasks.push(serve(listener, app));
            actors.push(actor);
        }
        Ok(Receivers { actors, recorder, tasks })
    }
}

impl Drop for Receivers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The HTTP client of the fake servers: loopback only (`localhost` is pinned to 127.0.0.1,
/// and no proxy from the environment is used), connections kept alive.
pub fn client(timeout: std::time::Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
        .pool_max_idle_per_host(1024)
        .timeout(timeout)
        .build()
        .context("building the HTTP client")
}
