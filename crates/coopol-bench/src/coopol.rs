//! A coopol process of our own: fresh data directory, free loopback port, development mode,
//! an account and an API token made with the admin CLI. Killed (and its data removed) when
//! dropped, whatever happened.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use tokio::process::{Child, Command};

/// The local account the benchmarks talk to.
pub const ACCOUNT: &str = "alice";
const EMAIL: &str = "alice@bench.invalid";
const PASSWORD: &str = "longpassword1";
/// How long the server may take to answer `GET /api/v1/instance` after it starts.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long one admin command may take (it hashes a password and may run migrations).
const ADMIN_WITHIN: Duration = Duration::from_secs(60);

/// What is needed to start a coopol.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The `coopol` binary.
    pub binary: PathBuf,
    /// `COOPOL_DATABASE_URL`; `None` for SQLite in the data directory.
    pub database_url: Option<String>,
    /// Leave the data directory (database, log) in place at the end.
    pub keep_data: bool,
}

impl ServerOptions {
    /// Checks that the binary exists and makes its path absolute (the server runs in its
    /// data directory, so that no stray `coopol.toml` is read).
    pub fn checked(mut self) -> Result<Self> {
        self.binary = std::fs::canonicalize(&self.binary).with_context(|| {
            format!(
                "coopol binary not found at {} (build it with `cargo build --release -p coopol`, or pass --coopol PATH)",
                self.binary.display()
            )
        })?;
        Ok(self)
    }

    /// The database as shown in reports: SQLite, or the URL without its password.
    pub fn database_label(&self) -> String {
        match &self.database_url {
            None => "SQLite (WAL) in a fresh temporary directory".to_string(),
            Some(u) => match url::Url::parse(u) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("***"));
                    parsed.to_string()
                }
                _ => u.clone(),
            },
        }
    }

    /// `coopol --version`.
    pub async fn version(&self) -> String {
        match Command::new(&self.binary).arg("--version").output().await {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
            _ => "unknown".to_string(),
        }
    }
}

/// A running coopol.
pub struct Coopol {
    child: Option<Child>,
    pid: Option<u32>,
    /// `localhost:PORT`.
    pub domain: String,
    /// `http://localhost:PORT`.
    pub base: String,
    /// Bearer token of [`ACCOUNT`].
    pub token: String,
    port: u16,
    data_dir: PathBuf,
    log_path: PathBuf,
    keep_data: bool,
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(l.local_addr().context("finding a free port")?.port())
}

fn unique_suffix() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

/// The last `lines` lines of a file, for error messages.
fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            all.get(start..).unwrap_or_default().join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

impl Coopol {
    /// Creates the account and its token with the admin CLI, starts `coopol serve` and waits
    /// until it answers.
    pub async fn start(opts: &ServerOptions, client: &reqwest::Client) -> Result<Coopol> {
        let port = free_port()?;
        let domain = format!("localhost:{port}");
        let data_dir = std::env::temp_dir().join(format!("coopol-bench-{}", unique_suffix()));
        std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let log_path = data_dir.join("coopol.log");
        // From here on, dropping `server` cleans up.
        let mut server = Coopol {
            child: None,
            pid: None,
            base: format!("http://{domain}"),
            domain,
            token: String::new(),
            port,
            data_dir,
            log_path,
            keep_data: opts.keep_data,
        };
        let command = |args: &[&str]| server.command(opts, args);

        let admin = |args: &'static [&'static str]| {
            let mut c = command(args);
            async move {
                let out = tokio::time::timeout(ADMIN_WITHIN, c.output())
                    .await
                    .map_err(|_| anyhow!("`coopol {}` did not finish within {ADMIN_WITHIN:?}", args.join(" ")))?
                    .with_context(|| format!("running `coopol {}`", args.join(" ")))?;
                if !out.status.success() {
                    bail!(
                        "`coopol {}` failed ({}): {}",
                        args.join(" "),
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    );
                }
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
        };
        admin(&["admin", "account", "create", ACCOUNT, "--email", EMAIL])
            .await
            .context("creating the benchmark account (with --database-url, use an empty database)")?;
        server.token = admin(&["admin", "token", ACCOUNT]).await?;
        if server.token.is_empty() || server.token.contains(char::is_whitespace) {
            bail!("`coopol admin token {ACCOUNT}` printed no usable token");
        }

        server.serve(opts, client, &[]).await?;
        Ok(server)
    }

    /// `coopol` with our configuration only: nothing inherited from the caller's shell.
    fn command(&self, opts: &ServerOptions, args: &[&str]) -> Command {
        let mut c = Command::new(&opts.binary);
        c.args(args).current_dir(&self.data_dir);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("COOPOL_") || k == "RUST_LOG" {
                c.env_remove(k);
            }
        }
        c.env("COOPOL_DOMAIN", &self.domain)
            .env("COOPOL_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("COOPOL_DATA_DIR", &self.data_dir)
            .env("COOPOL_DEV", "1")
            .env("COOPOL_PASSWORD", PASSWORD)
            // Plain log lines (no colour codes), so that they can be searched.
            .env("NO_COLOR", "1");
        if let Some(u) = &opts.database_url {
            c.env("COOPOL_DATABASE_URL", u);
        }
        c.stdin(Stdio::null()).kill_on_drop(true);
        c
    }

    /// Starts `coopol serve` (with `env` added) and waits until it answers; its output is
    /// appended to the log.
    async fn serve(&mut self, opts: &ServerOptions, client: &reqwest::Client, env: &[(&str, &str)]) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .with_context(|| format!("opening {}", self.log_path.display()))?;
        let log2 = log.try_clone().context("duplicating the log file handle")?;
        let mut command = self.command(opts, &["serve"]);
        for (k, v) in env {
            command.env(k, v);
        }
        let child =
            command.stdout(Stdio::from(log)).stderr(Stdio::from(log2)).spawn().context("starting `coopol serve`")?;
        self.pid = child.id();
        self.child = Some(child);
        self.wait_ready(client).await
    }

    /// Stops the server and starts it again on the same data, with `env` added (e.g. a
    /// `RUST_LOG` that logs each SQL statement).
    pub async fn restart(
        &mut self,
        opts: &ServerOptions,
        client: &reqwest::Client,
        env: &[(&str, &str)],
    ) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
        }
        self.serve(opts, client, env).await
    }

    /// The database the server uses: `--database-url`, or the SQLite file in its data directory.
    pub fn database_url(&self, opts: &ServerOptions) -> String {
        match &opts.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}/coopol.db?mode=rwc", self.data_dir.display()),
        }
    }

    /// The log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    async fn wait_ready(&mut self, client: &reqwest::Client) -> Result<()> {
        let url = format!("{}/api/v1/instance", self.base);
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait().context("watching coopol")? {
                    bail!("coopol exited ({status}) before it was ready; its log ends with:\n{}", self.log_tail(30));
                }
            }
            if let Ok(r) = client.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if started.elapsed() > READY_WITHIN {
                bail!("coopol did not answer {url} within {READY_WITHIN:?}; its log ends with:\n{}", self.log_tail(30));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Process id of the server.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// `http://localhost:PORT/users/alice`.
    pub fn account_uri(&self) -> String {
        format!("{}/users/{ACCOUNT}", self.base)
    }

    /// The shared inbox.
    pub fn inbox_url(&self) -> String {
        format!("{}/inbox", self.base)
    }

    /// The end of the server's log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log_path, lines)
    }

    /// Lines of the server's log at WARN or ERROR level (the first `max` of them), and
    /// how many there are in all.
    pub fn log_problems(&self, max: usize) -> (usize, Vec<String>) {
        let Ok(text) = std::fs::read_to_string(&self.log_path) else {
            return (0, vec![]);
        };
        let bad: Vec<&str> = text
            .lines()
            .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
            // The development-mode notice is expected.
            .filter(|l| !l.contains("development mode is on"))
            .collect();
        let n = bad.len();
        (n, bad.into_iter().take(max).map(String::from).collect())
    }

    /// Whether the server is still running.
    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(child) = self.child.as_mut() {
            if let Some(status) = child.try_wait().context("watching coopol")? {
                bail!("coopol exited ({status}) during the benchmark; its log ends with:\n{}", self.log_tail(30));
            }
        }
        Ok(())
    }

    /// Kills the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
        }
        // Drop removes the data directory.
    }
}

impl Drop for Coopol {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
        if self.keep_data {
            eprintln!("coopol data and log kept in {}", self.data_dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}
