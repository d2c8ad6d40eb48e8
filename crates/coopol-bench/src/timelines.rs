//! Timelines at scale: seeds statuses straight into coopol's database (rows as the server
//! writes them: statuses, mentions, tags, follows, accounts), then measures the home, public
//! and local timelines and the instance document over HTTP, checks every page, and counts the
//! SQL statements of one request of each kind.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use coopol_db::entities::{accounts, follows, mentions, status_tags, statuses, users};
use coopol_db::sea_orm::{ConnectionTrait, EntityTrait, Set, TransactionTrait};
use serde_json::Value;

use crate::coopol::{Coopol, ServerOptions, ACCOUNT};
use crate::stats::{ms, Latency};

#[derive(Debug, Clone, Args)]
pub struct TimelinesArgs {
    /// Statuses to seed.
    #[arg(long, default_value_t = 1_000_000)]
    pub statuses: u64,
    /// Accounts that write them (one in five local, the others on 50 remote servers).
    #[arg(long, default_value_t = 5_000)]
    pub accounts: u64,
    /// How many of them the measured account follows.
    #[arg(long, default_value_t = 1_000)]
    pub followed: u64,
    /// Requests per measure.
    #[arg(long, default_value_t = 2_000)]
    pub requests: usize,
    /// Connections in flight.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// How far the `max_id` walk goes down the home timeline, in statuses (per connection).
    #[arg(long, default_value_t = 10_000)]
    pub walk: usize,
}

/// One measure: latencies of pages that were all checked.
pub struct Measure {
    pub name: &'static str,
    pub requests: usize,
    pub latency: Latency,
    /// SQL statements of one request (from the server's `sqlx::query` log lines).
    pub statements: Option<usize>,
}

pub struct TimelinesReport {
    pub args: TimelinesArgs,
    pub seed_time: Duration,
    pub measures: Vec<Measure>,
    pub problems: Vec<String>,
}

impl TimelinesReport {
    pub fn render(&self) -> String {
        let a = &self.args;
        let mut out = format!(
            "timelines: {} statuses, {} accounts, {} followed, {} connections\n  seeded in {:.1} s\n",
            a.statuses,
            a.accounts,
            a.followed,
            a.connections,
            self.seed_time.as_secs_f64()
        );
        for m in &self.measures {
            let _ = writeln!(
                out,
                "  {:<34} {:>6} req  p50 {:>10}  p90 {:>10}  p99 {:>10}  max {:>10}  SQL/request {}",
                m.name,
                m.requests,
                ms(m.latency.p50),
                ms(m.latency.p90),
                ms(m.latency.p99),
                ms(m.latency.max),
                m.statements.map_or("?".to_string(), |n| n.to_string()),
            );
        }
        out
    }

    pub fn problems(&self) -> Vec<String> {
        self.problems.clone()
    }
}

/// A small deterministic generator (the seed is the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The seeded world, as the checks need it.
struct World {
    alice: i64,
    followed: HashSet<i64>,
    local: HashSet<i64>,
}

const BATCH: usize = 1_000;
const NO_RATE_LIMIT: (&str, &str) = ("COOPOL_RATE_LIMIT_REQUESTS", "0");
const BATCHES_PER_TRANSACTION: usize = 10;

async fn insert_statuses(db: &impl ConnectionTrait, rows: Vec<statuses::ActiveModel>) -> Result<()> {
    if !rows.is_empty() {
        statuses::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Seeds accounts, follows and statuses. Alice's row is the model of the local accounts (same
/// shape of URLs, same key: nothing is signed during the bench).
async fn seed(url: &str, args: &TimelinesArgs) -> Result<World> {
    let db = coopol_db::connect(url).await.context("connecting to coopol's database")?;
    let alice = coopol_db::queries::local_account(&db, ACCOUNT).await?.context("the bench account is missing")?;
    let alice_user = coopol_db::queries::user_by_account(&db, alice.id).await?.context("the bench user is missing")?;
    let now = coopol_db::now();
    let mut rng = Lcg(42);

    // Accounts: ids below every status id, one in five local.
    let mut ids = Vec::new();
    let mut local = HashSet::new();
    let mut account_rows = Vec::new();
    let mut user_rows = Vec::new();
    let mut uris = Vec::new();
    let first_id = coopol_core::id::id_at(now.timestamp_millis() - 40 * 86_400_000);
    for n in 0..args.accounts {
        let id = first_id + i64::try_from(n)?;
        let name = format!("bench{n}");
        let mut a = alice.clone();
        a.id = id;
        a.username = name.clone();
        a.display_name = format!("Bench {n}");
        a.created_at = now;
        a.updated_at = now;
        let swap = |s: &str| s.replace(&format!("/users/{ACCOUNT}"), &format!("/users/{name}"));
        if n % 5 == 0 {
            local.insert(id);
            a.uri = swap(&a.uri);
            a.url = a.url.replace(&format!("/@{ACCOUNT}"), &format!("/@{name}"));
            a.inbox_url = swap(&a.inbox_url);
            a.outbox_url = a.outbox_url.as_deref().map(swap);
            a.followers_url = a.followers_url.as_deref().map(swap);
            a.following_url = a.following_url.as_deref().map(swap);
            a.public_key_id = swap(&a.public_key_id);
            let mut u = alice_user.clone();
            u.id = id;
            u.account_id = id;
            u.email = format!("{name}@bench.invalid");
            user_rows.push(users::ActiveModel::from(u));
        } else {
            let host = format!("http://peer{}.bench.invalid", n % 50);
            a.domain = Some(format!("peer{}.bench.invalid", n % 50));
            a.uri = format!("{host}/users/{name}");
            a.url = format!("{host}/@{name}");
            a.inbox_url = format!("{}/inbox", a.uri);
            a.shared_inbox_url = Some(format!("{host}/inbox"));
            a.outbox_url = Some(format!("{}/outbox", a.uri));
            a.followers_url = Some(format!("{}/followers", a.uri));
            a.following_url = Some(format!("{}/following", a.uri));
            a.public_key_id = format!("{}#main-key", a.uri);
            a.private_key_pem = None;
            a.fetched_at = Some(now);
        }
        ids.push(id);
        uris.push(a.uri.clone());
        account_rows.push(accounts::ActiveModel::from(a));
    }
    let txn = db.begin().await?;
    for chunk in account_rows.chunks(500) {
        accounts::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    for chunk in user_rows.chunks(500) {
        users::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    // Alice follows `followed` of them (accepted), before the statuses arrive, so that the
    // server's own rules put them in her home feed as they are stored.
    let mut followed = HashSet::new();
    let step = (args.accounts / args.followed.max(1)).max(1);
    let mut follow_rows = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        if (n as u64 / 5 + n as u64).is_multiple_of(step) && (followed.len() as u64) < args.followed {
            followed.insert(*id);
            follow_rows.push(follows::ActiveModel {
                id: Set(first_id - 1 - i64::try_from(n)?),
                account_id: Set(alice.id),
                target_account_id: Set(*id),
                uri: Set(format!("{}#follows/{n}", alice.uri)),
                state: Set(coopol_db::queries::FOLLOW_ACCEPTED.to_string()),
                created_at: Set(now),
                notify: Set(false),
                show_reblogs: Set(true),
            });
        }
    }
    for chunk in follow_rows.chunks(500) {
        follows::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;

    // Statuses over the last 30 days, ids as `coopol_core::id_at` makes them.
    let span_ms = 30 * 86_400_000_i64;
    let start_ms = now.timestamp_millis() - span_ms;
    let total = i64::try_from(args.statuses)?;
    let mut recent: Vec<(i64, i64, String)> = Vec::new(); // (id, author, uri) for replies and boosts
    let mut txn = db.begin().await?;
    let (mut rows, mut mention_rows, mut tag_rows) = (Vec::new(), Vec::new(), Vec::new());
    let mut batches = 0;
    for i in 0..total {
        let ms = start_ms + span_ms * i / total.max(1);
        let id = (ms << 16) | (i & 0xffff);
        let n = rng.below(args.accounts);
        let author = *ids.get(n as usize).context("account index")?;
        let author_uri = uris.get(n as usize).context("account index")?;
        let is_local = local.contains(&author);
        let uri = format!("{author_uri}/statuses/{id}");
        let created = chrono::DateTime::from_timestamp_millis(ms).unwrap_or(now);
        let kind = rng.below(100);
        let mut row = statuses::ActiveModel {
            id: Set(id),
            uri: Set(uri.clone()),
            url: Set(if is_local {
                author_uri.replace(&format!("/users/bench{n}"), &format!("/@bench{n}/{id}"))
            } else {
                uri.clone()
            }),
            account_id: Set(author),
            in_reply_to_id: Set(None),
            in_reply_to_uri: Set(None),
            in_reply_to_account_id: Set(None),
            reblog_of_id: Set(None),
            content: Set(format!("<p>Status {i} of the bench</p>")),
            source_text: Set(is_local.then(|| format!("Status {i} of the bench"))),
            spoiler_text: Set(String::new()),
            sensitive: Set(false),
            visibility: Set(match kind {
                0..=4 => "unlisted",
                5..=8 => "private",
                _ => "public",
            }
            .to_string()),
            language: Set(Some("en".into())),
            local: Set(is_local),
            created_at: Set(created),
            edited_at: Set(None),
        };
        let earlier = (!recent.is_empty()).then(|| rng.below(recent.len() as u64) as usize);
        let mut boost = false;
        match (kind, earlier.and_then(|k| recent.get(k))) {
            // A boost: public, empty, the Announce's id as uri.
            (90..=94, Some((orig, _, _))) => {
                let announce = format!("{author_uri}/statuses/{id}/activity");
                row = coopol_db::queries::boost_row(id, &announce, author, *orig, is_local);
                row.created_at = Set(created);
                boost = true;
            }
            (95..=99, Some((parent, parent_author, parent_uri))) => {
                row.in_reply_to_id = Set(Some(*parent));
                row.in_reply_to_uri = Set(Some(parent_uri.clone()));
                row.in_reply_to_account_id = Set(Some(*parent_author));
            }
            _ => {}
        }
        if kind % 10 == 3 && !boost {
            tag_rows.push(status_tags::ActiveModel {
                id: Set(id),
                status_id: Set(id),
                name: Set(format!("benchtag{}", i % 10)),
            });
        }
        if kind % 20 == 7 && !boost {
            let other = *ids.get(rng.below(args.accounts) as usize).context("account index")?;
            if other != author {
                mention_rows.push(mentions::ActiveModel { id: Set(id), status_id: Set(id), account_id: Set(other) });
            }
        }
        if recent.len() < 10_000 {
            recent.push((id, author, uri));
        } else if let Some(slot) = recent.get_mut(rng.below(10_000) as usize) {
            *slot = (id, author, uri);
        }
        rows.push(row);
        if rows.len() >= BATCH {
            insert_statuses(&txn, std::mem::take(&mut rows)).await?;
            if !mention_rows.is_empty() {
                mentions::Entity::insert_many(std::mem::take(&mut mention_rows)).exec_without_returning(&txn).await?;
            }
            if !tag_rows.is_empty() {
                status_tags::Entity::insert_many(std::mem::take(&mut tag_rows)).exec_without_returning(&txn).await?;
            }
            batches += 1;
            if batches % BATCHES_PER_TRANSACTION == 0 {
                txn.commit().await?;
                txn = db.begin().await?;
            }
        }
    }
    insert_statuses(&txn, rows).await?;
    if !mention_rows.is_empty() {
        mentions::Entity::insert_many(mention_rows).exec_without_returning(&txn).await?;
    }
    if !tag_rows.is_empty() {
        status_tags::Entity::insert_many(tag_rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    if db.get_database_backend() == coopol_db::sea_orm::DbBackend::Postgres {
        // What autovacuum does after a bulk load (PostgreSQL 13 and later vacuum tables that
        // only grew, which sets the visibility map that index-only scans need).
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    db.close().await?;
    Ok(World { alice: alice.id, followed, local })
}

/// What a page must satisfy.
#[derive(Clone, Copy)]
enum Kind {
    Home,
    Public,
    Local,
}

fn id_of(v: &Value) -> Result<i64> {
    v.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok()).context("a status without a numeric id")
}

/// Checks a page: its length, ids strictly decreasing and below `max_id`, and what may be in it.
fn check_page(world: &World, kind: Kind, page: &Value, limit: usize, max_id: Option<i64>) -> Result<Option<i64>> {
    let items = page.as_array().context("a timeline that is not an array")?;
    if items.len() != limit {
        bail!("a page of {} statuses instead of {limit}", items.len());
    }
    let mut last: Option<i64> = None;
    for s in items {
        let id = id_of(s)?;
        if last.is_some_and(|l| id >= l) || max_id.is_some_and(|m| id >= m) {
            bail!("statuses out of order or above max_id ({id} after {last:?}, max_id {max_id:?})");
        }
        last = Some(id);
        let author: i64 = s
            .pointer("/account/id")
            .and_then(Value::as_str)
            .and_then(|a| a.parse().ok())
            .context("a status without an author")?;
        let visibility = s.get("visibility").and_then(Value::as_str).unwrap_or_default();
        let boost = !s.get("reblog").is_none_or(Value::is_null);
        match kind {
            Kind::Home => {
                if !(world.followed.contains(&author) || author == world.alice) {
                    bail!("status {id} of {author} in the home timeline, who is not followed");
                }
            }
            Kind::Public | Kind::Local => {
                if visibility != "public" || boost {
                    bail!("status {id} ({visibility}, boost: {boost}) in the public timeline");
                }
                if matches!(kind, Kind::Local) && !world.local.contains(&author) {
                    bail!("status {id} of remote {author} in the local timeline");
                }
            }
        }
    }
    Ok(last)
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> Result<(Value, Duration)> {
    let t = Instant::now();
    let r = client.get(url).bearer_auth(token).send().await.with_context(|| format!("GET {url}"))?;
    let status = r.status();
    let body = r.bytes().await?;
    let took = t.elapsed();
    if !status.is_success() {
        bail!("GET {url}: {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok((serde_json::from_slice(&body).with_context(|| format!("GET {url}: not JSON"))?, took))
}

/// `requests` GETs of `path` over `connections` connections, each page checked.
async fn measure(
    client: &reqwest::Client,
    server: &Coopol,
    world: &Arc<World>,
    args: &TimelinesArgs,
    path: &'static str,
    kind: Option<Kind>,
) -> Result<Latency> {
    let url = format!("{}{path}", server.base);
    let per = args.requests.div_ceil(args.connections.max(1));
    let mut tasks = Vec::new();
    for _ in 0..args.connections.max(1) {
        let (client, url, token, world) = (client.clone(), url.clone(), server.token.clone(), world.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per);
            for _ in 0..per {
                let (page, took) = get(&client, &url, &token).await?;
                if let Some(k) = kind {
                    check_page(&world, k, &page, 20, None)?;
                }
                samples.push(took);
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Latency::of(&mut all))
}

/// Each connection walks the home timeline down `walk` statuses with `max_id`.
async fn walk(
    client: &reqwest::Client,
    server: &Coopol,
    world: &Arc<World>,
    args: &TimelinesArgs,
) -> Result<(usize, Latency)> {
    let mut tasks = Vec::new();
    for _ in 0..args.connections.max(1) {
        let (client, base, token, world, walk) =
            (client.clone(), server.base.clone(), server.token.clone(), world.clone(), args.walk);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut max_id: Option<i64> = None;
            let mut seen = 0;
            while seen < walk {
                let url = match max_id {
                    Some(m) => format!("{base}/api/v1/timelines/home?limit=20&max_id={m}"),
                    None => format!("{base}/api/v1/timelines/home?limit=20"),
                };
                let (page, took) = get(&client, &url, &token).await?;
                max_id = check_page(&world, Kind::Home, &page, 20, max_id)?;
                seen += 20;
                samples.push(took);
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len(), Latency::of(&mut all)))
}

/// SQL statements of one GET: the server, restarted with `sqlx::query=debug`, logs one line per
/// statement; the requests run one at a time, so the lines between two requests are its own.
async fn count_statements(client: &reqwest::Client, server: &Coopol, path: &str) -> Result<usize> {
    let url = format!("{}{path}", server.base);
    // A first request warms caches (the instance figures), as in the measures.
    get(client, &url, &server.token).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = std::fs::read_to_string(server.log_path())?.len();
    get(client, &url, &server.token).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = std::fs::read_to_string(server.log_path())?;
    Ok(log.get(before..).unwrap_or_default().lines().filter(|l| l.contains("sqlx::query")).count())
}

pub async fn run(opts: &ServerOptions, args: &TimelinesArgs) -> Result<TimelinesReport> {
    let client = crate::remote::client(Duration::from_secs(60))?;
    let mut server = Coopol::start(opts, &client).await?;
    let started = Instant::now();
    let world = Arc::new(seed(&server.database_url(opts), args).await?);
    let seed_time = started.elapsed();
    eprintln!("seeded {} statuses in {:.1} s", args.statuses, seed_time.as_secs_f64());
    // Restarted, so that the measures start from a server that did not see the seeding; the
    // client API's rate limit (300 requests per 5 minutes per token) is turned off.
    server.restart(opts, &client, &[NO_RATE_LIMIT]).await?;

    let mut measures = Vec::new();
    let mut problems = Vec::new();
    let plans: [(&'static str, &'static str, Option<Kind>); 4] = [
        ("home (limit=20)", "/api/v1/timelines/home?limit=20", Some(Kind::Home)),
        ("public (limit=20)", "/api/v1/timelines/public?limit=20", Some(Kind::Public)),
        ("local (limit=20)", "/api/v1/timelines/public?local=true&limit=20", Some(Kind::Local)),
        ("instance", "/api/v1/instance", None),
    ];
    for (name, path, kind) in plans {
        // A few requests first, so that caches and connections are warm.
        let warm = TimelinesArgs { requests: args.connections.max(1) * 5, ..args.clone() };
        measure(&client, &server, &world, &warm, path, kind).await?;
        match measure(&client, &server, &world, args, path, kind).await {
            Ok(latency) => measures.push(Measure { name, requests: args.requests, latency, statements: None }),
            Err(e) => problems.push(format!("{name}: {e:#}")),
        }
        server.check_alive()?;
    }
    match walk(&client, &server, &world, args).await {
        Ok((n, latency)) => {
            measures.insert(1, Measure { name: "home walked down with max_id", requests: n, latency, statements: None })
        }
        Err(e) => problems.push(format!("home walk: {e:#}")),
    }

    server.restart(opts, &client, &[NO_RATE_LIMIT, ("RUST_LOG", "warn,sqlx::query=debug")]).await?;
    for (m, path) in measures.iter_mut().zip([
        "/api/v1/timelines/home?limit=20",
        "/api/v1/timelines/home?limit=20",
        "/api/v1/timelines/public?limit=20",
        "/api/v1/timelines/public?local=true&limit=20",
        "/api/v1/instance",
    ]) {
        let path = if m.name.contains("max_id") {
            // A page further down.
            let (page, _) = get(&client, &format!("{}{path}", server.base), &server.token).await?;
            let last = page.as_array().and_then(|a| a.last()).map(id_of).transpose()?.unwrap_or_default();
            format!("/api/v1/timelines/home?limit=20&max_id={last}")
        } else {
            path.to_string()
        };
        m.statements = Some(count_statements(&client, &server, &path).await?);
    }
    server.stop().await;
    Ok(TimelinesReport { args: args.clone(), seed_time, measures, problems })
}
