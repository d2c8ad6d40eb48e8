//! Delivery fan-out: receivers on distinct loopback ports follow the local account, which then
//! posts statuses through the client API; every receiver must get every status once.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};
use url::Url;

use crate::coopol::{Coopol, ServerOptions, ACCOUNT};
use crate::remote::{self, Delivery, Receivers};
use crate::stats::{ms, CpuSnapshot, CpuUse, Latency};

#[derive(Debug, Clone, Args)]
pub struct FanoutArgs {
    /// Followers, each a fake server on its own loopback port.
    #[arg(long, default_value_t = 100)]
    pub receivers: usize,
    /// Statuses posted by the local account once everybody follows it.
    #[arg(long, default_value_t = 50)]
    pub statuses: usize,
    /// Status posts in flight (1: one after the other, as fast as the API answers).
    #[arg(long, default_value_t = 1)]
    pub post_concurrency: usize,
    /// How long, after the first post, every delivery may take to arrive.
    #[arg(long, default_value_t = 120)]
    pub delivery_timeout: u64,
}

pub struct FanoutReport {
    pub args: FanoutArgs,
    /// Time for all follows to be accepted (Accept received by every receiver).
    pub follow_phase: Duration,
    /// Follow requests coopol failed (5xx or transport error) and that were retried.
    pub follow_retries: usize,
    pub follow_failures: Vec<String>,
    /// Time the API took to accept all posts, and the latency of each post.
    pub posting: Duration,
    pub post_latency: Latency,
    pub expected: usize,
    pub delivered: usize,
    pub duplicates: usize,
    pub unsigned: usize,
    pub unexpected: usize,
    /// From the first post to the last expected delivery.
    pub wall: Duration,
    pub first_delivery: Duration,
    /// From the first post to the first status being at every receiver.
    pub first_status_everywhere: Duration,
    /// Per status, from its own post to its last delivery.
    pub per_status: Latency,
    pub cpu: CpuUse,
    pub peak_rss_mib: Option<f64>,
    pub log_problems: (usize, Vec<String>),
}

impl FanoutReport {
    pub fn deliveries_per_sec(&self) -> f64 {
        self.delivered as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.follow_retries > 0 {
            p.push(format!(
                "fan-out: coopol failed {} Follow requests (5xx or transport error; retried), e.g. {}",
                self.follow_retries,
                self.follow_failures.first().map_or("", String::as_str)
            ));
        }
        if self.duplicates > 0 {
            p.push(format!("fan-out: {} deliveries arrived more than once", self.duplicates));
        }
        if self.unsigned > 0 {
            p.push(format!("fan-out: {} deliveries carried no Signature header", self.unsigned));
        }
        if self.unexpected > 0 {
            p.push(format!("fan-out: {} deliveries of activities nobody posted", self.unexpected));
        }
        p
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let a = &self.args;
        let _ = writeln!(s, "Delivery fan-out");
        let _ = writeln!(
            s,
            "  {} followers on {} loopback ports, {} public statuses posted through the API ({} in flight)",
            a.receivers, a.receivers, a.statuses, a.post_concurrency
        );
        let _ = writeln!(
            s,
            "  deliveries:            {} of {} in {:.2} s = {:.0}/s",
            self.delivered,
            self.expected,
            self.wall.as_secs_f64(),
            self.deliveries_per_sec()
        );
        let _ = writeln!(
            s,
            "  first status at all {}: {} after the first post (first delivery after {})",
            a.receivers,
            ms(self.first_status_everywhere),
            ms(self.first_delivery)
        );
        let _ = writeln!(
            s,
            "  post -> last delivery: p50 {}, p90 {}, max {} (per status)",
            ms(self.per_status.p50),
            ms(self.per_status.p90),
            ms(self.per_status.max)
        );
        let _ = writeln!(
            s,
            "  posting:               {} posts in {:.2} s, API latency p50 {}, max {}",
            a.statuses,
            self.posting.as_secs_f64(),
            ms(self.post_latency.p50),
            ms(self.post_latency.max)
        );
        let _ = writeln!(
            s,
            "  duplicates: {}, unsigned: {}, unexpected: {}",
            self.duplicates, self.unsigned, self.unexpected
        );
        let _ = writeln!(
            s,
            "  follow phase:          {} Follows accepted in {:.2} s ({} failed requests retried)",
            a.receivers,
            self.follow_phase.as_secs_f64(),
            self.follow_retries
        );
        for f in &self.follow_failures {
            let _ = writeln!(s, "    e.g. {f}");
        }
        let _ = writeln!(s, "  CPU during delivery:   {}", self.cpu.describe(self.wall));
        if let Some(m) = self.peak_rss_mib {
            let _ = writeln!(s, "  coopol peak RSS:       {m:.0} MiB");
        }
        let (n, lines) = &self.log_problems;
        let _ = writeln!(s, "  coopol log WARN/ERROR lines: {n}");
        for l in lines {
            let _ = writeln!(s, "    {l}");
        }
        s
    }
}

/// `totalItems` of the account's followers collection.
async fn followers_count(client: &reqwest::Client, server: &Coopol) -> Result<u64> {
    let res = client
        .get(format!("{}/followers", server.account_uri()))
        .header("accept", "application/activity+json")
        .send()
        .await
        .context("fetching the followers collection")?;
    if !res.status().is_success() {
        bail!("GET /users/{ACCOUNT}/followers answered {}", res.status());
    }
    let v: Value = res.json().await.context("reading the followers collection")?;
    v.get("totalItems").and_then(Value::as_u64).context("followers collection without totalItems")
}

/// Every receiver follows the account; returns when all got their Accept, with the number of
/// Follow requests that had to be retried.
async fn follow_all(
    client: &reqwest::Client,
    server: &mut Coopol,
    receivers: &Receivers,
    run: &str,
) -> Result<(usize, Vec<String>)> {
    let url = Url::parse(&server.inbox_url()).context("inbox URL")?;
    let target = server.account_uri();
    let mut tasks = tokio::task::JoinSet::new();
    let sem = Arc::new(tokio::sync::Semaphore::new(16));
    for actor in &receivers.actors {
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{run}", actor.id),
            "type": "Follow",
            "actor": actor.id,
            "object": target,
        });
        let (client, url, sem, actor) = (client.clone(), url.clone(), sem.clone(), actor.clone());
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let (status, body, failures) = remote::post_retrying(&client, &url, &actor.key, &follow).await?;
            if status != 202 {
                bail!("coopol refused the Follow of {} with {status}: {body}", actor.id);
            }
            Ok((actor.id, failures))
        });
    }
    let mut retried = 0;
    let mut all_failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (_, failures) = joined
            .context("follow task")?
            .map_err(|e| anyhow::anyhow!("{e:#}\ncoopol log:\n{}", server.log_tail(20)))?;
        retried += failures.len();
        all_failures.extend(failures);
    }
    let examples = crate::stats::tally(all_failures);
    let n = receivers.actors.len();
    let limit = Duration::from_secs(60);
    let started = Instant::now();
    let accepted = || -> HashSet<usize> {
        receivers.recorder.snapshot().iter().filter(|d| d.kind == "Accept").map(|d| d.receiver).collect()
    };
    loop {
        if receivers.recorder.accepts() >= n && accepted().len() >= n {
            break;
        }
        server.check_alive()?;
        if started.elapsed() > limit {
            bail!(
                "only {} of {n} followers received an Accept within {limit:?}; coopol log:\n{}",
                accepted().len(),
                server.log_tail(20)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The Accept is sent after the follow is stored: the collection must say so.
    let total = followers_count(client, server).await?;
    if total != n as u64 {
        bail!("{ACCOUNT}'s followers collection says {total} followers, not {n}");
    }
    Ok((retried, examples))
}

/// One posted status: its URI, when its POST was sent, how long the API took.
struct Posted {
    uri: String,
    sent_at: Instant,
    latency: Duration,
}

/// Posts all statuses, `concurrency` at a time; the result is in posting order.
async fn post_all(
    client: &reqwest::Client,
    server: &Coopol,
    count: usize,
    concurrency: usize,
    run: &str,
) -> Result<Vec<Posted>> {
    let mut posted: Vec<Option<Posted>> = (0..count).map(|_| None).collect();
    let mut next = 0;
    let mut in_flight = tokio::task::JoinSet::new();
    while next < count || !in_flight.is_empty() {
        while next < count && in_flight.len() < concurrency.max(1) {
            let (client, text, i) = (client.clone(), format!("Benchmark status {next} of run {run}"), next);
            let (base, token) = (server.base.clone(), server.token.clone());
            in_flight.spawn(async move {
                let s = ServerRef { base, token };
                (i, s.post(&client, text).await)
            });
            next += 1;
        }
        if let Some(joined) = in_flight.join_next().await {
            let (i, result) = joined.context("post task")?;
            if let Some(slot) = posted.get_mut(i) {
                *slot = Some(result?);
            }
        }
    }
    posted.into_iter().map(|p| p.context("a status was not posted")).collect()
}

/// What a posting task needs of the server.
struct ServerRef {
    base: String,
    token: String,
}

impl ServerRef {
    async fn post(&self, client: &reqwest::Client, text: String) -> Result<Posted> {
        let sent_at = Instant::now();
        let res = client
            .post(format!("{}/api/v1/statuses", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "status": text, "visibility": "public" }))
            .send()
            .await
            .context("POST /api/v1/statuses")?;
        let status = res.status();
        let latency = sent_at.elapsed();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            bail!("POST /api/v1/statuses answered {status}: {body}");
        }
        let v: Value = res.json().await.context("reading a posted status")?;
        let uri = v.get("uri").and_then(Value::as_str).context("posted status without uri")?.to_string();
        Ok(Posted { uri, sent_at, latency })
    }
}

pub async fn run(opts: &ServerOptions, args: &FanoutArgs) -> Result<FanoutReport> {
    if args.receivers == 0 || args.statuses == 0 {
        bail!("--receivers and --statuses must be at least 1");
    }
    let client = remote::client(Duration::from_secs(30))?;
    eprintln!("fan-out: generating a key pair and starting {} receivers", args.receivers);
    let pem = remote::key_pair().await?;
    let receivers = Receivers::start(args.receivers, &pem).await?;
    let mut server = Coopol::start(opts, &client).await?;
    eprintln!(
        "fan-out: coopol pid {} listening on {}",
        server.pid().map_or("?".into(), |p| p.to_string()),
        server.base
    );
    let run = crate::run_tag();

    eprintln!("fan-out: {} receivers follow {ACCOUNT}", args.receivers);
    let t_follow = Instant::now();
    let (follow_retries, follow_failures) = follow_all(&client, &mut server, &receivers, &run).await?;
    let follow_phase = t_follow.elapsed();
    // Anything an inbox got so far (the Accepts) is not part of the measure.
    let before = receivers.recorder.posts();

    eprintln!("fan-out: posting {} statuses", args.statuses);
    let expected = args.receivers * args.statuses;
    let creates_before = receivers.recorder.creates();
    let cpu0 = CpuSnapshot::take(server.pid());
    let t0 = Instant::now();
    let posted = post_all(&client, &server, args.statuses, args.post_concurrency, &run).await?;
    let posting = t0.elapsed();

    let limit = Duration::from_secs(args.delivery_timeout);
    let mut timed_out = false;
    loop {
        if receivers.recorder.creates() - creates_before >= expected {
            // Duplicates count in `creates`: only distinct deliveries end the wait.
            let distinct: HashSet<(usize, String)> = receivers
                .recorder
                .snapshot()
                .into_iter()
                .skip(before)
                .filter(|d| d.kind == "Create")
                .filter_map(|d| d.object.map(|o| (d.receiver, o)))
                .collect();
            if distinct.len() >= expected {
                break;
            }
        }
        server.check_alive()?;
        if t0.elapsed() > limit {
            timed_out = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cpu = cpu0.since(server.pid());
    // A short grace period to catch duplicates sent right after the last delivery.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deliveries: Vec<Delivery> = receivers.recorder.snapshot().into_iter().skip(before).collect();

    // Which status each URI is, and when it was posted.
    let index: HashMap<&str, usize> = posted.iter().enumerate().map(|(i, p)| (p.uri.as_str(), i)).collect();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let (mut duplicates, mut unsigned, mut unexpected) = (0, 0, 0);
    let mut last_per_status: Vec<Option<Instant>> = vec![None; posted.len()];
    let mut receivers_per_status: Vec<usize> = vec![0; posted.len()];
    let mut first_delivery: Option<Instant> = None;
    let mut last_delivery: Option<Instant> = None;
    for d in &deliveries {
        if !d.signed {
            unsigned += 1;
        }
        let Some(i) = (d.kind == "Create").then_some(d.object.as_deref()).flatten().and_then(|o| index.get(o).copied())
        else {
            unexpected += 1;
            continue;
        };
        if !seen.insert((i, d.receiver)) {
            duplicates += 1;
            continue;
        }
        first_delivery = Some(first_delivery.map_or(d.at, |f| f.min(d.at)));
        last_delivery = Some(last_delivery.map_or(d.at, |l| l.max(d.at)));
        if let Some(slot) = last_per_status.get_mut(i) {
            *slot = Some(slot.map_or(d.at, |l| l.max(d.at)));
        }
        if let Some(n) = receivers_per_status.get_mut(i) {
            *n += 1;
        }
    }
    let delivered = seen.len();
    if timed_out || delivered < expected {
        let incomplete = receivers_per_status.iter().filter(|n| **n < args.receivers).count();
        bail!(
            "lost deliveries: {delivered} of {expected} arrived within {limit:?} of the first post \
             ({incomplete} statuses did not reach every follower; duplicates {duplicates}, unexpected {unexpected}); \
             coopol log:\n{}",
            server.log_tail(20)
        );
    }
    let wall = last_delivery.map_or(Duration::ZERO, |l| l.duration_since(t0));
    let first_status_everywhere =
        last_per_status.first().copied().flatten().map_or(Duration::ZERO, |l| l.duration_since(t0));
    let mut per_status: Vec<Duration> = posted
        .iter()
        .zip(&last_per_status)
        .filter_map(|(p, l)| l.map(|l| l.saturating_duration_since(p.sent_at)))
        .collect();
    let mut post_latencies: Vec<Duration> = posted.iter().map(|p| p.latency).collect();

    let report = FanoutReport {
        args: args.clone(),
        follow_phase,
        follow_retries,
        follow_failures,
        posting,
        post_latency: Latency::of(&mut post_latencies),
        expected,
        delivered,
        duplicates,
        unsigned,
        unexpected,
        wall,
        first_delivery: first_delivery.map_or(Duration::ZERO, |f| f.duration_since(t0)),
        first_status_everywhere,
        per_status: Latency::of(&mut per_status),
        cpu,
        peak_rss_mib: server.pid().and_then(crate::stats::peak_rss_mib),
        log_problems: server.log_problems(5),
    };
    server.stop().await;
    Ok(report)
}
