//! Inbox throughput: distinct signed activities POSTed to coopol's shared inbox with a fixed
//! number in flight. Every request is signed before the clock starts, so the figure is
//! coopol's (and the loopback's), not the bench's RSA signing.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use url::Url;

use crate::coopol::{Coopol, ServerOptions, ACCOUNT};
use crate::remote::{self, ActorHost, Signed, PUBLIC};
use crate::stats::{ms, CpuSnapshot, CpuUse, Latency};

/// What the measured requests carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActivityKind {
    /// `Create(Note)`, public, mentioning the local account: stored by the inbox worker
    /// (status, mention), the full path of a post arriving.
    Create,
    /// `Like` of a status that does not exist: accepted, then dropped cheaply by the worker.
    Like,
}

#[derive(Debug, Clone, Args)]
pub struct InboxArgs {
    /// Measured requests, each a distinct activity.
    #[arg(long, default_value_t = 20_000)]
    pub requests: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Fake remote actors (on one port) the activities come from.
    #[arg(long, default_value_t = 4)]
    pub actors: usize,
    /// Kind of activity sent.
    #[arg(long, value_enum, default_value_t = ActivityKind::Create)]
    pub activity: ActivityKind,
    /// Unmeasured requests sent first (after one per actor, which makes coopol fetch its key).
    #[arg(long, default_value_t = 500)]
    pub warmup: usize,
    /// After the burst, how long to wait for coopol's inbox worker to apply the backlog
    /// (a last activity sent after the others becomes visible through the search API).
    /// 0 skips this step.
    #[arg(long, default_value_t = 120)]
    pub drain_timeout: u64,
}

/// The measured figures.
pub struct InboxReport {
    pub args: InboxArgs,
    pub sent: usize,
    pub accepted: usize,
    pub non_202: usize,
    pub transport_errors: usize,
    /// Distinct failures, most frequent first, with their counts.
    pub first_failures: Vec<String>,
    pub wall: Duration,
    pub latency: Latency,
    pub cpu: CpuUse,
    pub drain: Option<Drain>,
    pub fake_inbox_posts: usize,
    /// Unmeasured requests (first one per actor, last one) that coopol failed and that were
    /// retried.
    pub setup_failures: Vec<String>,
    /// Warm-up requests not accepted.
    pub warmup_failed: usize,
    pub peak_rss_mib: Option<f64>,
    pub log_problems: (usize, Vec<String>),
}

/// How the inbox worker kept up.
pub enum Drain {
    /// The last activity was applied this long after the first measured request was sent.
    Done {
        after_start: Duration,
        after_burst: Duration,
        sample_found: usize,
        sample_size: usize,
        /// Accepted notes that alice has a `mention` notification of, and accepted notes
        /// (Create only).
        notified: Option<(usize, usize)>,
    },
    NotWithin(Duration),
}

impl InboxReport {
    pub fn accepted_per_sec(&self) -> f64 {
        self.accepted as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Whether coopol refused or failed any request.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.non_202 > 0 || self.transport_errors > 0 {
            p.push(format!(
                "inbox: {} answers other than 202 and {} transport errors out of {} requests",
                self.non_202, self.transport_errors, self.sent
            ));
        }
        if !self.setup_failures.is_empty() || self.warmup_failed > 0 {
            p.push(format!(
                "inbox: coopol also failed {} of the unmeasured first/last requests (retried) and {} of {} warm-up requests",
                self.setup_failures.len(),
                self.warmup_failed,
                self.args.warmup
            ));
        }
        if let Some(Drain::Done { sample_found, sample_size, notified, .. }) = &self.drain {
            if sample_found < sample_size {
                p.push(format!(
                    "inbox: only {sample_found} of {sample_size} sampled notes were stored after the backlog was applied"
                ));
            }
            if let Some((found, of)) = notified.filter(|(found, of)| found < of) {
                p.push(format!("inbox: only {found} of {of} accepted notes gave their mention notification"));
            }
        }
        p
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let a = &self.args;
        let _ = writeln!(s, "Inbox throughput");
        let _ = writeln!(
            s,
            "  {} distinct signed {:?} activities from {} actors to POST /inbox, {} in flight",
            self.sent, a.activity, a.actors, a.concurrency
        );
        let _ = writeln!(
            s,
            "  accepted (202):        {} in {:.2} s = {:.0}/s",
            self.accepted,
            self.wall.as_secs_f64(),
            self.accepted_per_sec()
        );
        let _ = writeln!(
            s,
            "  latency:               p50 {}, p90 {}, p99 {}, max {}",
            ms(self.latency.p50),
            ms(self.latency.p90),
            ms(self.latency.p99),
            ms(self.latency.max)
        );
        let _ = writeln!(s, "  non-202 answers:       {} (transport errors: {})", self.non_202, self.transport_errors);
        for f in &self.first_failures {
            let _ = writeln!(s, "    e.g. {f}");
        }
        if self.warmup_failed > 0 {
            let _ = writeln!(s, "  warm-up requests not accepted: {} of {}", self.warmup_failed, a.warmup);
        }
        if !self.setup_failures.is_empty() {
            let _ = writeln!(
                s,
                "  unmeasured requests failed and retried: {} (e.g. {})",
                self.setup_failures.len(),
                self.setup_failures.first().map_or("", String::as_str)
            );
        }
        let _ = writeln!(s, "  CPU during the burst:  {}", self.cpu.describe(self.wall));
        match &self.drain {
            None => {}
            Some(Drain::Done { after_start, after_burst, sample_found, sample_size, notified }) => {
                let _ = writeln!(
                    s,
                    "  inbox worker:          backlog applied {:.2} s after the first request ({:.2} s after the burst) = {:.0} activities/s",
                    after_start.as_secs_f64(),
                    after_burst.as_secs_f64(),
                    self.accepted as f64 / after_start.as_secs_f64().max(1e-9)
                );
                if a.activity == ActivityKind::Create {
                    let _ = writeln!(
                        s,
                        "  stored notes sampled:  {sample_found}/{sample_size} found through /api/v2/search"
                    );
                }
                if let Some((found, of)) = notified {
                    let _ = writeln!(
                        s,
                        "  mention notifications: {found}/{of} accepted notes notified (GET /api/v1/notifications)"
                    );
                }
            }
            Some(Drain::NotWithin(d)) => {
                let _ = writeln!(
                    s,
                    "  inbox worker:          backlog NOT applied within {:.0} s of the burst (--drain-timeout)",
                    d.as_secs_f64()
                );
            }
        }
        if let Some(m) = self.peak_rss_mib {
            let _ = writeln!(s, "  coopol peak RSS:       {m:.0} MiB");
        }
        if self.fake_inbox_posts > 0 {
            let _ = writeln!(s, "  deliveries to the fake actors (none expected): {}", self.fake_inbox_posts);
        }
        let (n, lines) = &self.log_problems;
        let _ = writeln!(s, "  coopol log WARN/ERROR lines: {n}");
        for l in lines {
            let _ = writeln!(s, "    {l}");
        }
        s
    }
}

/// Builds the activities of one run; `tag` makes ids unique across runs and requests.
struct Maker {
    kind: ActivityKind,
    account_uri: String,
    account_acct: String,
    base: String,
}

impl Maker {
    fn activity(&self, actor: &str, tag: &str, kind: ActivityKind) -> Value {
        match kind {
            ActivityKind::Create => {
                let note = json!({
                    "id": format!("{actor}/notes/{tag}"),
                    "type": "Note",
                    "attributedTo": actor,
                    "content": format!(
                        "<p>Benchmark note {tag} for <span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{ACCOUNT}</span></a></span></p>",
                        self.account_uri
                    ),
                    "to": [PUBLIC],
                    "cc": [self.account_uri],
                    "tag": [{ "type": "Mention", "href": self.account_uri, "name": self.account_acct }],
                });
                json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": format!("{actor}/activities/{tag}"),
                    "type": "Create",
                    "actor": actor,
                    "to": [PUBLIC],
                    "cc": [self.account_uri],
                    "object": note,
                })
            }
            ActivityKind::Like => json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{actor}/likes/{tag}"),
                "type": "Like",
                "actor": actor,
                // No such status: accepted, then dropped by the worker.
                "object": format!("{}/users/{ACCOUNT}/statuses/1", self.base),
            }),
        }
    }

    fn note_uri(actor: &str, tag: &str) -> String {
        format!("{actor}/notes/{tag}")
    }
}

/// Signs `count` activities (`first..first+count`), on every core.
async fn presign(
    maker: &Arc<Maker>,
    host: &ActorHost,
    url: &Url,
    run: &str,
    first: usize,
    count: usize,
) -> Result<Vec<Signed>> {
    let threads = crate::stats::cpus().max(1);
    let per = count.div_ceil(threads).max(1);
    let mut tasks = Vec::new();
    let mut start = first;
    while start < first + count {
        let end = (start + per).min(first + count);
        let (maker, actors, url, run) = (maker.clone(), host.actors.clone(), url.clone(), run.to_string());
        tasks.push(tokio::task::spawn_blocking(move || {
            (start..end)
                .map(|i| {
                    let actor = actors.get(i % actors.len().max(1)).context("no fake actor")?;
                    let activity = maker.activity(&actor.id, &format!("{run}-{i}"), maker.kind);
                    remote::sign_post(&actor.key, &url, &activity)
                })
                .collect::<Result<Vec<_>>>()
        }));
        start = end;
    }
    let mut all = Vec::with_capacity(count);
    for t in tasks {
        all.extend(t.await.context("signing task")??);
    }
    Ok(all)
}

/// Outcome of one request.
struct Sample {
    /// Position of the request in the batch (its activity's number).
    index: usize,
    latency: Duration,
    status: Option<u16>,
    detail: String,
}

/// Sends `requests` with `concurrency` in flight; returns the samples and the wall time.
async fn blast(
    client: &reqwest::Client,
    url: &Url,
    requests: Vec<Signed>,
    concurrency: usize,
) -> (Vec<Sample>, Duration) {
    let total = requests.len();
    let queue = Arc::new(Mutex::new(requests.into_iter().enumerate()));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (queue, client, url) = (queue.clone(), client.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.next());
                let Some((index, signed)) = next else { break };
                let t = Instant::now();
                let (status, detail) = match remote::send(&client, &url, signed).await {
                    Ok((status, body)) => (Some(status), body),
                    Err(e) => (None, e.to_string()),
                };
                samples.push(Sample { index, latency: t.elapsed(), status, detail });
            }
            samples
        }));
    }
    let mut samples = Vec::with_capacity(total);
    for w in workers {
        if let Ok(s) = w.await {
            samples.extend(s);
        }
    }
    (samples, started.elapsed())
}

/// The URIs of the statuses alice was notified of as mentioned, through the notifications API.
async fn mentioned_notes(client: &reqwest::Client, server: &Coopol) -> Result<std::collections::HashSet<String>> {
    let mut uris = std::collections::HashSet::new();
    let mut max_id: Option<String> = None;
    loop {
        let mut query = vec![("types[]", "mention".to_string()), ("limit", "80".to_string())];
        if let Some(m) = &max_id {
            query.push(("max_id", m.clone()));
        }
        let res = client
            .get(format!("{}/api/v1/notifications", server.base))
            .query(&query)
            .bearer_auth(&server.token)
            .send()
            .await
            .context("listing notifications")?;
        if !res.status().is_success() {
            bail!("GET /api/v1/notifications answered {}", res.status());
        }
        let page: Vec<Value> = res.json().await.context("reading notifications")?;
        let Some(last) = page.last() else { return Ok(uris) };
        max_id = last.get("id").and_then(Value::as_str).map(String::from);
        if max_id.is_none() {
            bail!("a notification without id");
        }
        uris.extend(page.iter().filter_map(|n| n.pointer("/status/uri").and_then(Value::as_str)).map(String::from));
    }
}

/// Whether a status with this URI is stored (and public), through the search API.
async fn note_stored(client: &reqwest::Client, server: &Coopol, uri: &str) -> Result<bool> {
    let res = client
        .get(format!("{}/api/v2/search", server.base))
        .query(&[("q", uri)])
        .bearer_auth(&server.token)
        .send()
        .await
        .context("searching a note")?;
    if !res.status().is_success() {
        bail!("GET /api/v2/search answered {}", res.status());
    }
    let v: Value = res.json().await.context("reading a search result")?;
    Ok(v.get("statuses").and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
}

pub async fn run(opts: &ServerOptions, args: &InboxArgs) -> Result<InboxReport> {
    if args.requests == 0 || args.concurrency == 0 || args.actors == 0 {
        bail!("--requests, --concurrency and --actors must be at least 1");
    }
    let client = remote::client(Duration::from_secs(30))?;
    eprintln!("inbox: generating a key pair and starting {} fake actors", args.actors);
    let pem = remote::key_pair().await?;
    let names: Vec<String> = (0..args.actors).map(|i| format!("bench{i}")).collect();
    let host = ActorHost::start(&names, &pem).await?;
    let mut server = Coopol::start(opts, &client).await?;
    eprintln!("inbox: coopol pid {} listening on {}", server.pid().map_or("?".into(), |p| p.to_string()), server.base);
    let url = Url::parse(&server.inbox_url()).context("inbox URL")?;
    let maker = Arc::new(Maker {
        kind: args.activity,
        account_uri: server.account_uri(),
        account_acct: format!("@{ACCOUNT}@{}", server.domain),
        base: server.base.clone(),
    });
    let run = crate::run_tag();

    // Warm-up: one request per actor, one at a time (coopol fetches each actor's key), then
    // a few hundred to open connections and fill caches.
    let mut setup_failures = Vec::new();
    let mut warmup_failed = 0;
    for (i, actor) in host.actors.iter().enumerate() {
        let activity = maker.activity(&actor.id, &format!("{run}-hello-{i}"), args.activity);
        let (status, body, failures) = remote::post_retrying(&client, &url, &actor.key, &activity)
            .await
            .context("first POST to coopol's inbox")?;
        setup_failures.extend(failures);
        if status != 202 {
            bail!(
                "coopol refused the first activity of {} with {status}: {body}\ncoopol log:\n{}",
                actor.id,
                server.log_tail(20)
            );
        }
    }
    if args.warmup > 0 {
        let warm = presign(&maker, &host, &url, &format!("{run}-warm"), 0, args.warmup).await?;
        let (samples, _) = blast(&client, &url, warm, args.concurrency).await;
        warmup_failed = samples.iter().filter(|s| s.status != Some(202)).count();
    }

    eprintln!("inbox: signing {} activities", args.requests);
    let requests = presign(&maker, &host, &url, &run, 0, args.requests).await?;
    server.check_alive()?;

    eprintln!("inbox: sending them, {} in flight", args.concurrency);
    let cpu0 = CpuSnapshot::take(server.pid());
    let t0 = Instant::now();
    let (samples, wall) = blast(&client, &url, requests, args.concurrency).await;
    let cpu = cpu0.since(server.pid());
    let burst_end = Instant::now();
    server.check_alive()?;

    let sent = samples.len();
    let accepted = samples.iter().filter(|s| s.status == Some(202)).count();
    let transport_errors = samples.iter().filter(|s| s.status.is_none()).count();
    let non_202 = sent - accepted - transport_errors;
    let first_failures =
        crate::stats::tally(samples.iter().filter(|s| s.status != Some(202)).map(|s| match s.status {
            Some(code) => format!("{code}: {}", s.detail),
            None => format!("transport error: {}", s.detail),
        }));
    let mut latencies: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    let latency = Latency::of(&mut latencies);

    // Drain: a last activity, sent after all others; the worker applies activities in the
    // order they were accepted, so when it is visible the backlog is done.
    let drain = if args.drain_timeout == 0 {
        None
    } else {
        eprintln!("inbox: waiting for the inbox worker to apply the backlog");
        let actor = host.actors.first().context("no fake actor")?;
        let tag = format!("{run}-last");
        let last = maker.activity(&actor.id, &tag, ActivityKind::Create);
        let (status, body, failures) =
            remote::post_retrying(&client, &url, &actor.key, &last).await.context("sending the last activity")?;
        setup_failures.extend(failures);
        if status != 202 {
            bail!("coopol refused the last activity with {status}: {body}");
        }
        let limit = Duration::from_secs(args.drain_timeout);
        let note = Maker::note_uri(&actor.id, &tag);
        let mut done = None;
        while burst_end.elapsed() < limit {
            if note_stored(&client, &server, &note).await? {
                done = Some(Instant::now());
                break;
            }
            server.check_alive()?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(match done {
            None => Drain::NotWithin(limit),
            Some(at) => {
                let (mut found, mut size, mut notified) = (0, 0, None);
                if args.activity == ActivityKind::Create {
                    // Every accepted note mentions alice: each must have notified her.
                    eprintln!("inbox: checking alice's mention notifications");
                    let mentioned = mentioned_notes(&client, &server).await?;
                    let accepted: Vec<String> = samples
                        .iter()
                        .filter(|s| s.status == Some(202))
                        .filter_map(|s| host.actors.get(s.index % host.actors.len()).map(|a| (a, s.index)))
                        .map(|(a, i)| Maker::note_uri(&a.id, &format!("{run}-{i}")))
                        .collect();
                    notified = Some((accepted.iter().filter(|u| mentioned.contains(*u)).count(), accepted.len()));
                    // Ten accepted notes, spread over the run, must be stored.
                    let mut accepted_ids: Vec<usize> =
                        samples.iter().filter(|s| s.status == Some(202)).map(|s| s.index).collect();
                    accepted_ids.sort_unstable();
                    let step = (accepted_ids.len() / 10).max(1);
                    for &i in accepted_ids.iter().step_by(step).take(10) {
                        let actor = host.actors.get(i % host.actors.len()).context("no fake actor")?;
                        size += 1;
                        if note_stored(&client, &server, &Maker::note_uri(&actor.id, &format!("{run}-{i}"))).await? {
                            found += 1;
                        }
                    }
                }
                Drain::Done {
                    after_start: at.duration_since(t0),
                    after_burst: at.duration_since(burst_end),
                    sample_found: found,
                    sample_size: size,
                    notified,
                }
            }
        })
    };

    let report = InboxReport {
        args: args.clone(),
        sent,
        accepted,
        non_202,
        transport_errors,
        first_failures,
        wall,
        latency,
        cpu,
        drain,
        setup_failures,
        warmup_failed,
        fake_inbox_posts: host.inbox_posts.load(std::sync::atomic::Ordering::Relaxed),
        peak_rss_mib: server.pid().and_then(crate::stats::peak_rss_mib),
        log_problems: server.log_problems(5),
    };
    server.stop().await;
    Ok(report)
}
