//! `coopol-bench`: measures a real coopol process over loopback.
//!
//! * `inbox`: signed activities accepted per second by `POST /inbox`, at a fixed number of
//!   requests in flight, from fake remote actors served in process.
//! * `fanout`: deliveries per second from coopol to many followers, each a fake server on its
//!   own loopback port, after the local account posts statuses through the client API.
//! * `timelines`: home, public and local timelines and the instance document at scale (a
//!   million statuses seeded straight into the database), every page checked.
//! * `all`: inbox and fanout, one after the other, each with a fresh coopol.
//!
//! The bench starts coopol itself (fresh data directory, free port, development mode), makes
//! the account and token with `coopol admin`, and kills it at the end. Nothing leaves the
//! machine: every address is on the loopback. See `docs/benchmarks.md`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

mod coopol;
mod fanout;
mod inbox;
mod remote;
mod stats;
mod timelines;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};

use crate::coopol::ServerOptions;
use crate::fanout::{FanoutArgs, FanoutReport};
use crate::inbox::{InboxArgs, InboxReport};
use crate::timelines::{TimelinesArgs, TimelinesReport};

/// Benchmarks of coopol over loopback: inbox throughput and delivery fan-out.
///
/// Starts its own coopol (development mode, fresh data directory, free port) and its own fake
/// remote servers; every address used is on this machine. Exit status: 0 when the run
/// completed cleanly, 2 when it completed but coopol refused requests or misdelivered,
/// 1 on errors (coopol failing to start, lost deliveries, timeout).
#[derive(Debug, Parser)]
#[command(name = "coopol-bench", version)]
struct Cli {
    /// The coopol binary to start.
    #[arg(long, global = true, value_name = "PATH", default_value = "target/release/coopol")]
    coopol: PathBuf,

    /// Use this PostgreSQL database instead of SQLite. It must be empty (a fresh database per
    /// run) and on this machine, e.g. postgres://bench:bench@127.0.0.1/coopol_bench.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,

    /// Overall time limit, in seconds: past it the bench stops coopol and fails.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 300)]
    timeout: u64,

    /// Keep coopol's data directory (database and log) instead of removing it.
    #[arg(long, global = true)]
    keep_data: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inbox throughput: signed activities accepted per second by POST /inbox.
    Inbox(InboxArgs),
    /// Delivery fan-out: deliveries per second from one coopol to many followers.
    Fanout(FanoutArgs),
    /// Timelines and the instance document at scale: p50/p99 over HTTP, pages checked, SQL
    /// statements per request.
    Timelines(TimelinesArgs),
    /// The inbox and fanout benchmarks, each against a fresh coopol.
    All(AllArgs),
}

#[derive(Debug, Args)]
struct AllArgs {
    #[command(flatten)]
    inbox: InboxArgs,
    #[command(flatten)]
    fanout: FanoutArgs,
}

/// A string that makes this run's activity ids unique, even against a reused database.
pub fn run_tag() -> String {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    format!("{ms}-{}", std::process::id())
}

/// Refuses a database that is not on this machine: the bench never makes anything talk to
/// another host.
fn check_database_url(url: &str) -> Result<()> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("--database-url must be a postgres:// or postgresql:// URL (SQLite is the default)");
    }
    let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("--database-url is not a URL: {e}"))?;
    let loopback = match parsed.host() {
        None => true, // Unix socket (host given in the query string, or the default).
        // postgres:// is not a "special" scheme: an IP address comes back as a domain.
        Some(url::Host::Domain(d)) => {
            d.is_empty()
                || d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
    };
    if !loopback {
        bail!("--database-url must name a database on this machine (localhost, 127.0.0.1 or a Unix socket)");
    }
    Ok(())
}

struct Reports {
    inbox: Option<InboxReport>,
    fanout: Option<FanoutReport>,
    timelines: Option<TimelinesReport>,
}

async fn run(cli: &Cli, opts: &ServerOptions) -> Result<Reports> {
    let mut reports = Reports { inbox: None, fanout: None, timelines: None };
    match &cli.command {
        Command::Inbox(a) => reports.inbox = Some(inbox::run(opts, a).await?),
        Command::Fanout(a) => reports.fanout = Some(fanout::run(opts, a).await?),
        Command::Timelines(a) => reports.timelines = Some(timelines::run(opts, a).await?),
        Command::All(a) => {
            reports.inbox = Some(inbox::run(opts, &a.inbox).await?);
            reports.fanout = Some(fanout::run(opts, &a.fanout).await?);
        }
    }
    Ok(reports)
}

fn header(opts: &ServerOptions, version: &str) -> String {
    let mem = stats::mem_total_gib().map_or(String::new(), |g| format!(", {g:.1} GiB RAM"));
    format!(
        "coopol-bench {}\n  machine:  {} CPUs (nproc), {}{mem}\n  server:   {version} ({})\n  database: {}\n",
        env!("CARGO_PKG_VERSION"),
        stats::cpus(),
        stats::cpu_model(),
        opts.binary.display(),
        opts.database_label(),
    )
}

async fn main_inner(cli: Cli) -> Result<ExitCode> {
    if let Some(u) = &cli.database_url {
        check_database_url(u)?;
        if matches!(cli.command, Command::All(_)) {
            bail!(
                "with --database-url, run `inbox` and `fanout` separately, each with a fresh empty database \
                 (a coopol database is tied to the address of the instance that created it)"
            );
        }
    }
    let opts =
        ServerOptions { binary: cli.coopol.clone(), database_url: cli.database_url.clone(), keep_data: cli.keep_data }
            .checked()?;
    let version = opts.version().await;
    let limit = Duration::from_secs(cli.timeout);
    let reports = tokio::select! {
        r = tokio::time::timeout(limit, run(&cli, &opts)) => match r {
            Ok(r) => r?,
            Err(_) => bail!("the benchmark did not finish within {} s (--timeout); coopol was stopped", cli.timeout),
        },
        _ = tokio::signal::ctrl_c() => bail!("interrupted; coopol was stopped"),
    };

    let mut out = header(&opts, &version);
    let mut problems = Vec::new();
    if let Some(r) = &reports.inbox {
        out.push('\n');
        out.push_str(&r.render());
        problems.extend(r.problems());
    }
    if let Some(r) = &reports.fanout {
        out.push('\n');
        out.push_str(&r.render());
        problems.extend(r.problems());
    }
    if let Some(r) = &reports.timelines {
        out.push('\n');
        out.push_str(&r.render());
        problems.extend(r.problems());
    }
    print!("{out}");
    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("\ncoopol misbehaved under load:");
        for p in &problems {
            eprintln!("  - {p}");
        }
        Ok(ExitCode::from(2))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match main_inner(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["coopol-bench", "all", "--requests", "10", "--statuses", "2"]).unwrap();
        assert!(matches!(cli.command, Command::All(_)));
    }

    #[test]
    fn only_local_databases() {
        assert!(check_database_url("postgres://u:p@127.0.0.1/db").is_ok());
        assert!(check_database_url("postgresql://u@localhost:5433/db").is_ok());
        assert!(check_database_url("postgres:///db?host=/var/run/postgresql").is_ok());
        assert!(check_database_url("postgres://u@db.example.org/db").is_err());
        assert!(check_database_url("postgres://u@10.0.0.5/db").is_err());
        assert!(check_database_url("postgres://u@[::1]:5432/db").is_ok());
        assert!(check_database_url("postgres://u@127.0.0.2/db").is_ok());
        assert!(check_database_url("sqlite://x.db").is_err());
    }
}
