//! The `coopol` binary: `coopol serve` runs an instance, `coopol admin ...` administers it.
//! Configuration in `config`, command line in `cli`, wiring in `serve`, commands in `admin`.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

mod admin;
mod admin_group;
mod admin_move;
mod admin_registrations;
mod archive;
mod cli;
mod config;
mod error;
mod serve;
mod setup;
mod web_lookup;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};
use crate::config::{CliOverrides, Config};

/// Logs go to standard error (standard output is for command results, such as a token).
/// `RUST_LOG` is respected; by default the server logs at `info` (the database driver's notices
/// at `warn`) and admin commands at `warn`.
fn init_logging(default: &str) {
    let (filter, bad) = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match EnvFilter::try_new(&v) {
            Ok(f) => (f, None),
            Err(e) => (EnvFilter::new(default), Some(format!("RUST_LOG={v:?} is invalid ({e}); using {default}"))),
        },
        _ => (EnvFilter::new(default), None),
    };
    // Colours only on a terminal: journald and log files get plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
    if let Some(msg) = bad {
        tracing::warn!("{msg}");
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), CliOverrides { dev: cli.dev }).context("configuration")?;
    match cli.command {
        Command::Serve => serve::run(config).await?,
        Command::Admin { command } => {
            let mut out = std::io::stdout();
            admin::run(&config, command, &mut out).await?;
        }
    }
    Ok(())
}

/// An error and its causes on one line, leaving out a cause whose text the message above it
/// already contains.
fn describe(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(match cli.command {
        Command::Serve => "info,sqlx=warn",
        Command::Admin { .. } => "warn",
    });
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}
