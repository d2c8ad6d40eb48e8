//! Configuration: built-in defaults, then an optional TOML file (`coopol.toml` in the working
//! directory, or the file named by `--config`), then `COOPOL_*` environment variables, then
//! command-line flags. Each later source wins over the earlier ones, key by key.
//!
//! Resolution is a pure function of its inputs ([`Config::resolve`]), so the precedence rules
//! are unit-tested without touching the process environment or the file system.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use coopol_core::RegistrationMode;
use coopol_federation::InstanceConfig;
use serde::Deserialize;

/// Name of the configuration file looked for in the working directory.
pub const DEFAULT_FILE: &str = "coopol.toml";
/// Where the server listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Where the server keeps its data unless told otherwise.
pub const DEFAULT_DATA_DIR: &str = "./coopol-data";
/// Name of the instance unless told otherwise.
pub const DEFAULT_TITLE: &str = "coopol";

/// Errors in the configuration, each naming where the bad value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{source_name}: {message}")]
    Invalid { source_name: String, message: String },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
}

fn invalid(source_name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { source_name: source_name.to_string(), message: message.into() }
}

/// The configuration file, as written. Every key is optional; unknown keys are refused so
/// that a typo does not silently fall back to a default.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Public host name, with the port when it is not the default one.
    pub domain: Option<String>,
    /// Address and port to listen on.
    pub listen: Option<String>,
    /// Directory for the SQLite database and other data.
    pub data_dir: Option<PathBuf>,
    /// `sqlite://...` or `postgres://...`.
    pub database_url: Option<String>,
    /// Development mode.
    pub dev: Option<bool>,
    /// Name of the instance.
    pub title: Option<String>,
    /// Who may sign up, until the admin changes it from the panel: `closed`, `invite`,
    /// `approval` or `open` (`true` is `open`, `false` is `closed`).
    pub registrations: Option<RegistrationsSetting>,
    /// What the front page says about the instance: who runs it and what it is for.
    pub description: Option<String>,
    /// The rules of the instance, shown on the front page in order.
    pub rules: Option<Vec<String>>,
    /// Where users can get the source of the code this instance runs (AGPL §13).
    pub source_url: Option<String>,
    /// Directory of uploaded media (default: `media` inside the data directory).
    pub media_dir: Option<PathBuf>,
    /// Size limit of video and audio uploads, in MiB (default 100).
    pub media_video_limit_mib: Option<u64>,
    /// Directory of the group libraries' files (default: `library` inside the data directory).
    pub library_dir: Option<PathBuf>,
    /// The largest file a group library takes, in MiB (default 1024).
    pub library_file_limit_mib: Option<u64>,
    /// What each group's library may store unless the admin set its own quota, in MiB (default 2048).
    pub library_group_quota_mib: Option<u64>,
    /// What all group libraries together may store, in MiB (default 20480).
    pub library_instance_quota_mib: Option<u64>,
    /// Minutes before an event starts when participants are reminded (default 1440; 0: never).
    pub event_reminder_minutes: Option<u32>,
    /// Client API requests allowed per token (or per address without one) and period; 0: no limit.
    pub rate_limit_requests: Option<u32>,
    /// Length of a rate-limit period, in seconds.
    pub rate_limit_period_secs: Option<u64>,
}

impl FileConfig {
    /// Parses the text of a configuration file; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.to_string() })
    }

    /// Reads the configuration file: the one given (which must exist), or `coopol.toml` in
    /// the working directory when there is one.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_FILE);
                if !p.exists() {
                    return Ok((FileConfig::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        Ok((FileConfig::parse(&text, &path)?, Some(path)))
    }
}

/// Overrides from the command line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CliOverrides {
    /// `--dev`: development mode on, whatever the file or environment say.
    pub dev: bool,
}

/// The resolved configuration of a coopol process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Public host (`section.example`, `localhost:8080`): the authority of every URL we mint.
    pub domain: String,
    /// Address the HTTP server binds to.
    pub listen: SocketAddr,
    /// Directory for the SQLite database (and, later, media).
    pub data_dir: PathBuf,
    /// Database URL handed to `coopol_db::connect`.
    pub database_url: String,
    /// Development mode: plain http, loopback peers, quick retries. Never in production.
    pub dev: bool,
    /// Human name of the instance.
    pub title: String,
    /// Who may sign up until the admin sets it (the panel's setting, stored, wins).
    pub registrations: RegistrationMode,
    /// What the front page says about the instance (empty: a default sentence).
    pub description: String,
    /// The rules of the instance, in order.
    pub rules: Vec<String>,
    /// Where users can get the source of the code this instance runs (AGPL §13), shown in
    /// NodeInfo and `/api/v2/instance`.
    pub source_url: Option<String>,
    /// The configuration file that was read, if any.
    pub file: Option<PathBuf>,
    /// Directory of uploaded media files.
    pub media_dir: PathBuf,
    /// Size limit of video and audio uploads, in bytes.
    pub media_video_limit: usize,
    /// Directory of the group libraries' files (content-addressed blobs).
    pub library_dir: PathBuf,
    /// Size limits of the group libraries.
    pub library_limits: coopol_service::library::LibraryLimits,
    /// Minutes before an event starts when participants are reminded; 0 turns reminders off.
    pub event_reminder_minutes: u32,
    /// Client API rate limit: requests per period per token (or address); 0 turns it off.
    pub rate_limit_requests: u32,
    /// Client API rate-limit period, in seconds (at least 1).
    pub rate_limit_period_secs: u64,
}

/// Reads a boolean as written in an environment variable.
/// `registrations` in the file: a mode's name, or the boolean of earlier versions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RegistrationsSetting {
    Flag(bool),
    Mode(String),
}

fn flag_mode(open: bool) -> RegistrationMode {
    if open {
        RegistrationMode::Open
    } else {
        RegistrationMode::Closed
    }
}

/// A registration mode's name, or a boolean (`1`: open, `0`: closed).
fn parse_registrations(name: &str, value: &str) -> Result<RegistrationMode, ConfigError> {
    let v = value.trim().to_ascii_lowercase();
    v.parse::<RegistrationMode>().or_else(|_| {
        parse_bool(name, &v)
            .map(flag_mode)
            .map_err(|_| invalid(name, format!("{v:?} is not a registration mode (closed, invite, approval, open)")))
    })
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(invalid(name, format!("{other:?} is not a boolean (use 1 or 0)"))),
    }
}

/// Checks a public host name: `host` or `host:port`, no scheme, no path. Returns it lowercased.
pub fn normalize_domain(source_name: &str, domain: &str) -> Result<String, ConfigError> {
    let d = domain.trim().to_ascii_lowercase();
    if d.is_empty() {
        return Err(invalid(source_name, "the domain is empty"));
    }
    if d.contains("://") || d.contains('/') {
        return Err(invalid(
            source_name,
            format!(
                "{domain:?} must be a bare host name such as section.example or localhost:8080, without scheme or path"
            ),
        ));
    }
    let parsed =
        url::Url::parse(&format!("http://{d}/")).map_err(|e| invalid(source_name, format!("{domain:?}: {e}")))?;
    let Some(host) = parsed.host_str() else {
        return Err(invalid(source_name, format!("{domain:?} has no host")));
    };
    // Url drops a port that is the scheme's default; compare against what was written instead.
    let rebuilt = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    if rebuilt != d && format!("{rebuilt}:80") != d {
        return Err(invalid(source_name, format!("{domain:?} is not a valid host name")));
    }
    Ok(d)
}

/// The host part of `host[:port]` (an IPv6 literal keeps its brackets).
pub fn host_of(domain: &str) -> &str {
    if domain.starts_with('[') {
        return domain.split_once(']').map_or(domain, |(h, _)| h.trim_start_matches('['));
    }
    match domain.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => domain,
    }
}

/// Whether a domain is an IP address rather than a host name.
pub fn is_ip_domain(domain: &str) -> bool {
    host_of(domain).parse::<std::net::IpAddr>().is_ok()
}

/// Whether a domain names this machine or an IP address: fine for trials, useless for
/// federating with the world.
pub fn is_local_domain(domain: &str) -> bool {
    let host = host_of(domain);
    host == "localhost" || host.ends_with(".localhost") || is_ip_domain(domain)
}

/// The SQLite URL of a database file inside `data_dir`. `%`, `?` and `#` in the path are
/// percent-encoded, as the SQLite driver decodes them.
pub fn sqlite_url(data_dir: &Path) -> Result<String, ConfigError> {
    let dir = data_dir
        .to_str()
        .ok_or_else(|| invalid("data directory", format!("{} is not valid UTF-8", data_dir.display())))?;
    let dir = dir.trim_end_matches('/');
    let mut encoded = String::with_capacity(dir.len());
    for c in dir.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            c => encoded.push(c),
        }
    }
    Ok(format!("sqlite://{encoded}/coopol.db?mode=rwc"))
}

impl Config {
    /// Resolves the configuration from its sources. `env` returns the value of an environment
    /// variable (empty values count as unset).
    pub fn resolve(
        file: FileConfig,
        file_path: Option<PathBuf>,
        env: impl Fn(&str) -> Option<String>,
        cli: CliOverrides,
    ) -> Result<Config, ConfigError> {
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let file_name = file_path.as_ref().map_or_else(|| DEFAULT_FILE.to_string(), |p| p.display().to_string());
        let from_file = |key: &str| format!("{file_name}: {key}");

        let listen_src;
        let listen_raw = if let Some(v) = env("COOPOL_LISTEN") {
            listen_src = "COOPOL_LISTEN".to_string();
            v
        } else if let Some(v) = file.listen.clone() {
            listen_src = from_file("listen");
            v
        } else {
            listen_src = "default".to_string();
            DEFAULT_LISTEN.to_string()
        };
        let listen: SocketAddr = listen_raw.trim().parse().map_err(|_| {
            invalid(
                &listen_src,
                format!("{listen_raw:?} is not an address and port such as 127.0.0.1:8080 or [::1]:8080"),
            )
        })?;

        let domain = if let Some(v) = env("COOPOL_DOMAIN") {
            normalize_domain("COOPOL_DOMAIN", &v)?
        } else if let Some(v) = &file.domain {
            normalize_domain(&from_file("domain"), v)?
        } else {
            format!("localhost:{}", listen.port())
        };

        let data_dir = env("COOPOL_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        if data_dir.as_os_str().is_empty() {
            return Err(invalid("data directory", "is empty"));
        }

        let database_url = match env("COOPOL_DATABASE_URL").or_else(|| file.database_url.clone()) {
            Some(u) => {
                let u = u.trim().to_string();
                if !(u.starts_with("sqlite:") || u.starts_with("postgres://") || u.starts_with("postgresql://")) {
                    return Err(invalid("database URL", "must start with sqlite:, postgres:// or postgresql://"));
                }
                u
            }
            None => sqlite_url(&data_dir)?,
        };

        let dev = cli.dev
            || match env("COOPOL_DEV") {
                Some(v) => parse_bool("COOPOL_DEV", &v)?,
                None => file.dev.unwrap_or(false),
            };

        // The scheme's default port is never part of an origin: `https://x.example:443/a` is
        // `x.example` to every peer, so the domain must not carry it either.
        let default_port = if dev { ":80" } else { ":443" };
        let domain = match domain.strip_suffix(default_port) {
            Some(bare) => bare.to_string(),
            None => domain,
        };

        let registrations = match (env("COOPOL_REGISTRATIONS"), &file.registrations) {
            (Some(v), _) => parse_registrations("COOPOL_REGISTRATIONS", &v)?,
            (None, Some(RegistrationsSetting::Flag(open))) => flag_mode(*open),
            (None, Some(RegistrationsSetting::Mode(m))) => parse_registrations("registrations", m)?,
            (None, None) => RegistrationMode::Closed,
        };

        let title = env("COOPOL_TITLE")
            .or_else(|| file.title.clone())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| DEFAULT_TITLE.to_string());

        let description = env("COOPOL_DESCRIPTION")
            .or_else(|| file.description.clone())
            .map(|d| d.trim().to_string())
            .unwrap_or_default();
        let rules: Vec<String> = file
            .rules
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();

        let source_url = env("COOPOL_SOURCE_URL")
            .or_else(|| file.source_url.clone())
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &source_url {
            url::Url::parse(u).map_err(|e| invalid("COOPOL_SOURCE_URL", format!("{u:?} is not a URL: {e}")))?;
        }

        let media_dir = env("COOPOL_MEDIA_DIR")
            .map(PathBuf::from)
            .or_else(|| file.media_dir.clone())
            .unwrap_or_else(|| data_dir.join("media"));
        let media_video_limit_mib = match env("COOPOL_MEDIA_VIDEO_LIMIT_MIB") {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| invalid("COOPOL_MEDIA_VIDEO_LIMIT_MIB", format!("{v:?} is not a number of MiB")))?,
            None => file.media_video_limit_mib.unwrap_or(100),
        };
        if !(1..=4096).contains(&media_video_limit_mib) {
            return Err(invalid("media_video_limit_mib", "must be between 1 and 4096 MiB"));
        }
        let media_video_limit = usize::try_from(media_video_limit_mib * 1024 * 1024)
            .map_err(|_| invalid("media_video_limit_mib", "too large for this machine"))?;
        let library_dir = env("COOPOL_LIBRARY_DIR")
            .map(PathBuf::from)
            .or_else(|| file.library_dir.clone())
            .unwrap_or_else(|| data_dir.join("library"));
        let mib = |key: &str, var: &str, from_file: Option<u64>, default: u64| -> Result<u64, ConfigError> {
            let n = match env(var) {
                Some(v) => {
                    v.trim().parse::<u64>().map_err(|_| invalid(var, format!("{v:?} is not a number of MiB")))?
                }
                None => from_file.unwrap_or(default),
            };
            if n == 0 || n > 1 << 30 {
                return Err(invalid(key, "must be between 1 MiB and 1 PiB"));
            }
            Ok(n * 1024 * 1024)
        };
        let library_limits = coopol_service::library::LibraryLimits {
            max_file: mib(
                "library_file_limit_mib",
                "COOPOL_LIBRARY_FILE_LIMIT_MIB",
                file.library_file_limit_mib,
                1024,
            )?,
            group_quota: mib(
                "library_group_quota_mib",
                "COOPOL_LIBRARY_GROUP_QUOTA_MIB",
                file.library_group_quota_mib,
                2048,
            )?,
            instance_quota: mib(
                "library_instance_quota_mib",
                "COOPOL_LIBRARY_INSTANCE_QUOTA_MIB",
                file.library_instance_quota_mib,
                20480,
            )?,
        };
        let event_reminder_minutes = match env("COOPOL_EVENT_REMINDER_MINUTES") {
            Some(v) => v
                .trim()
                .parse::<u32>()
                .map_err(|_| invalid("COOPOL_EVENT_REMINDER_MINUTES", format!("{v:?} is not a number of minutes")))?,
            None => file.event_reminder_minutes.unwrap_or(1440),
        };
        if event_reminder_minutes > 60 * 24 * 30 {
            return Err(invalid("event_reminder_minutes", "must be at most 43200 (30 days)"));
        }
        let defaults = coopol_api::ratelimit::RateLimit::default();
        let rate_limit_requests = match env("COOPOL_RATE_LIMIT_REQUESTS") {
            Some(v) => {
                v.trim().parse().map_err(|_| invalid("COOPOL_RATE_LIMIT_REQUESTS", format!("{v:?} is not a count")))?
            }
            None => file.rate_limit_requests.unwrap_or(defaults.requests),
        };
        let rate_limit_period_secs =
            match env("COOPOL_RATE_LIMIT_PERIOD_SECS") {
                Some(v) => v.trim().parse().ok().filter(|n: &u64| *n >= 1).ok_or_else(|| {
                    invalid("COOPOL_RATE_LIMIT_PERIOD_SECS", format!("{v:?} is not a number of seconds"))
                })?,
                None => file.rate_limit_period_secs.unwrap_or(defaults.period.as_secs()).max(1),
            };

        Ok(Config {
            domain,
            listen,
            data_dir,
            database_url,
            dev,
            title,
            registrations,
            description,
            rules,
            source_url,
            file: file_path,
            media_dir,
            media_video_limit,
            library_dir,
            library_limits,
            event_reminder_minutes,
            rate_limit_requests,
            rate_limit_period_secs,
        })
    }

    /// Loads the configuration of this process: file, then environment, then flags.
    pub fn load(explicit_file: Option<&Path>, cli: CliOverrides) -> Result<Config, ConfigError> {
        let (file, path) = FileConfig::load(explicit_file)?;
        Config::resolve(file, path, |name| std::env::var(name).ok(), cli)
    }

    /// What the web interface's front page says about the instance.
    pub fn site(&self) -> coopol_web::Site {
        coopol_web::Site { description: self.description.clone(), rules: self.rules.clone(), lookup: None }
    }

    /// The client API's rate limits.
    pub fn rate_limit(&self) -> coopol_api::ratelimit::RateLimit {
        coopol_api::ratelimit::RateLimit {
            requests: self.rate_limit_requests,
            period: std::time::Duration::from_secs(self.rate_limit_period_secs),
        }
    }

    /// What the federation and API crates need to know about this instance.
    pub fn instance(&self) -> InstanceConfig {
        InstanceConfig {
            domain: self.domain.clone(),
            dev: self.dev,
            title: self.title.clone(),
            registrations: self.registrations,
            source_url: self.source_url.clone(),
        }
    }

    /// The public base URL (`https://domain`, or `http://domain` in development mode).
    pub fn base_url(&self) -> String {
        self.instance().base_url()
    }

    /// Creates the data directory if it does not exist yet (readable by its owner only).
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        if self.data_dir.is_dir() {
            return Ok(());
        }
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&self.data_dir).map_err(|source| ConfigError::DataDir { path: self.data_dir.clone(), source })
    }

    /// The database URL with any password hidden, for logs and messages.
    pub fn database_url_for_display(&self) -> String {
        match url::Url::parse(&self.database_url) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => self.database_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    fn resolve(file: FileConfig, env: &[(&str, &str)], dev_flag: bool) -> Result<Config, ConfigError> {
        Config::resolve(file, None, env_of(env), CliOverrides { dev: dev_flag })
    }

    #[test]
    fn defaults() {
        let c = resolve(FileConfig::default(), &[], false).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(c.domain, "localhost:8080");
        assert_eq!(c.data_dir, PathBuf::from("./coopol-data"));
        assert_eq!(c.database_url, "sqlite://./coopol-data/coopol.db?mode=rwc");
        assert!(!c.dev);
        assert_eq!(c.registrations, RegistrationMode::Closed);
        assert_eq!(c.title, "coopol");
        assert_eq!(c.base_url(), "https://localhost:8080");
    }

    #[test]
    fn the_default_domain_follows_the_listen_port() {
        let c = resolve(FileConfig::default(), &[("COOPOL_LISTEN", "127.0.0.1:9123")], false).unwrap();
        assert_eq!(c.domain, "localhost:9123");
        let file = FileConfig { listen: Some("0.0.0.0:3000".into()), ..FileConfig::default() };
        assert_eq!(resolve(file, &[], false).unwrap().domain, "localhost:3000");
    }

    #[test]
    fn file_overrides_defaults() {
        let file = FileConfig::parse(
            r#"
            domain = "Section.Example"
            listen = "0.0.0.0:9000"
            data_dir = "/var/lib/coopol"
            dev = false
            title = "Section Nord"
            registrations = "approval"
            description = " Les militants du Nord. "
            rules = ["Be kind", " ", "No doxxing"]
            "#,
            Path::new("coopol.toml"),
        )
        .unwrap();
        let c = resolve(file, &[], false).unwrap();
        assert_eq!(c.description, "Les militants du Nord.");
        assert_eq!(c.rules, vec!["Be kind".to_string(), "No doxxing".to_string()]);
        assert_eq!(c.domain, "section.example");
        assert_eq!(c.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/coopol"));
        assert_eq!(c.database_url, "sqlite:///var/lib/coopol/coopol.db?mode=rwc");
        assert_eq!(c.title, "Section Nord");
        assert_eq!(c.registrations, RegistrationMode::Approval);
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = FileConfig {
            domain: Some("file.example".into()),
            listen: Some("127.0.0.1:7000".into()),
            data_dir: Some("/from/file".into()),
            database_url: Some("sqlite:///from/file.db".into()),
            dev: Some(true),
            title: Some("From file".into()),
            registrations: Some(RegistrationsSetting::Flag(true)),
            description: Some("From file".into()),
            rules: None,
            source_url: Some("https://file.example/src".into()),
            media_dir: None,
            media_video_limit_mib: None,
            library_dir: None,
            library_file_limit_mib: Some(10),
            library_group_quota_mib: Some(20),
            library_instance_quota_mib: None,
            event_reminder_minutes: Some(60),
            rate_limit_requests: Some(100),
            rate_limit_period_secs: Some(60),
        };
        let c = resolve(
            file,
            &[
                ("COOPOL_DOMAIN", "env.example"),
                ("COOPOL_LISTEN", "127.0.0.1:7001"),
                ("COOPOL_DATA_DIR", "/from/env"),
                ("COOPOL_DATABASE_URL", "postgres://coopol@127.0.0.1/coopol"),
                ("COOPOL_DEV", "0"),
                ("COOPOL_TITLE", "From env"),
                ("COOPOL_REGISTRATIONS", "false"),
                ("COOPOL_RATE_LIMIT_REQUESTS", "0"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(c.rate_limit_requests, 0, "the environment turns the limit off");
        assert_eq!(c.library_dir, PathBuf::from("/from/env/library"), "in the data directory by default");
        let lib = c.library_limits;
        assert_eq!((lib.max_file, lib.group_quota, lib.instance_quota), (10 << 20, 20 << 20, 20480 << 20));
        let env = resolve(FileConfig::default(), &[("COOPOL_LIBRARY_GROUP_QUOTA_MIB", "5")], false).unwrap();
        assert_eq!(env.library_limits.group_quota, 5 << 20);
        assert!(resolve(FileConfig::default(), &[("COOPOL_LIBRARY_FILE_LIMIT_MIB", "0")], false).is_err());
        assert!(resolve(FileConfig::default(), &[("COOPOL_LIBRARY_FILE_LIMIT_MIB", "big")], false).is_err());
        assert_eq!(c.rate_limit_period_secs, 60, "the period comes from the file");
        assert_eq!(c.event_reminder_minutes, 60, "reminders as the file says");
        assert_eq!(resolve(FileConfig::default(), &[], false).unwrap().event_reminder_minutes, 1440);
        let off = resolve(FileConfig::default(), &[("COOPOL_EVENT_REMINDER_MINUTES", "0")], false).unwrap();
        assert_eq!(off.event_reminder_minutes, 0, "0 turns reminders off");
        assert!(resolve(FileConfig::default(), &[("COOPOL_EVENT_REMINDER_MINUTES", "soon")], false).is_err());
        assert!(resolve(FileConfig::default(), &[("COOPOL_RATE_LIMIT_PERIOD_SECS", "0")], false).is_err());
        assert_eq!(c.domain, "env.example");
        assert_eq!(c.listen.port(), 7001);
        assert_eq!(c.data_dir, PathBuf::from("/from/env"));
        assert_eq!(c.database_url, "postgres://coopol@127.0.0.1/coopol");
        assert!(!c.dev, "COOPOL_DEV=0 turns off dev = true from the file");
        assert_eq!(c.title, "From env");
        assert_eq!(c.registrations, RegistrationMode::Closed);
    }

    #[test]
    fn the_database_url_follows_the_data_dir_unless_given() {
        let c = resolve(FileConfig::default(), &[("COOPOL_DATA_DIR", "/tmp/x")], false).unwrap();
        assert_eq!(c.database_url, "sqlite:///tmp/x/coopol.db?mode=rwc");
        let file = FileConfig { database_url: Some("sqlite:///elsewhere.db".into()), ..FileConfig::default() };
        let c = resolve(file, &[("COOPOL_DATA_DIR", "/tmp/x")], false).unwrap();
        assert_eq!(c.database_url, "sqlite:///elsewhere.db");
    }

    #[test]
    fn the_dev_flag_wins_over_everything() {
        let file = FileConfig { dev: Some(false), ..FileConfig::default() };
        let c = resolve(file, &[("COOPOL_DEV", "0")], true).unwrap();
        assert!(c.dev);
        assert_eq!(c.base_url(), "http://localhost:8080");
        assert!(resolve(FileConfig::default(), &[("COOPOL_DEV", "1")], false).unwrap().dev);
        assert!(resolve(FileConfig { dev: Some(true), ..FileConfig::default() }, &[], false).unwrap().dev);
    }

    #[test]
    fn empty_environment_values_count_as_unset() {
        let file = FileConfig { domain: Some("file.example".into()), ..FileConfig::default() };
        let c = resolve(file, &[("COOPOL_DOMAIN", ""), ("COOPOL_TITLE", "  ")], false).unwrap();
        assert_eq!(c.domain, "file.example");
        assert_eq!(c.title, "coopol");
    }

    #[test]
    fn bad_values_are_named() {
        let err = resolve(FileConfig::default(), &[("COOPOL_LISTEN", "localhost")], false).unwrap_err();
        assert!(err.to_string().starts_with("COOPOL_LISTEN:"), "{err}");
        let err = resolve(FileConfig::default(), &[("COOPOL_DEV", "maybe")], false).unwrap_err();
        assert!(err.to_string().contains("COOPOL_DEV"), "{err}");
        let err = resolve(FileConfig::default(), &[("COOPOL_DOMAIN", "https://x.example")], false).unwrap_err();
        assert!(err.to_string().contains("without scheme"), "{err}");
        let err = resolve(FileConfig::default(), &[("COOPOL_DATABASE_URL", "mysql://x")], false).unwrap_err();
        assert!(err.to_string().contains("database URL"), "{err}");
        let err = FileConfig::parse("domian = \"typo.example\"", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("c.toml"), "{err}");
    }

    #[test]
    fn the_default_port_of_the_scheme_is_dropped() {
        let c = resolve(FileConfig::default(), &[("COOPOL_DOMAIN", "x.example:443")], false).unwrap();
        assert_eq!(c.domain, "x.example");
        let c = resolve(FileConfig::default(), &[("COOPOL_DOMAIN", "x.example:80")], true).unwrap();
        assert_eq!(c.domain, "x.example");
        let c = resolve(FileConfig::default(), &[("COOPOL_DOMAIN", "x.example:8443")], false).unwrap();
        assert_eq!(c.domain, "x.example:8443");
        let c = resolve(FileConfig::default(), &[("COOPOL_LISTEN", "127.0.0.1:80")], true).unwrap();
        assert_eq!(c.domain, "localhost");
    }

    #[test]
    fn domains() {
        assert_eq!(normalize_domain("t", "Localhost:8081").unwrap(), "localhost:8081");
        assert_eq!(normalize_domain("t", "section.example").unwrap(), "section.example");
        for bad in ["", "a b", "x.example/path", "http://x.example", "x.example:99999", "@x"] {
            assert!(normalize_domain("t", bad).is_err(), "{bad:?}");
        }
        assert!(is_local_domain("localhost:8080"));
        assert!(is_local_domain("localhost"));
        assert!(is_local_domain("127.0.0.1:8080"));
        assert!(is_local_domain("a.localhost"));
        assert!(is_local_domain("[::1]:8080"));
        assert!(!is_local_domain("section.example"));
        assert!(!is_local_domain("section.example:8443"));
    }

    #[test]
    fn sqlite_urls_escape_what_the_driver_decodes() {
        assert_eq!(sqlite_url(Path::new("/srv/a?b#c%d")).unwrap(), "sqlite:///srv/a%3Fb%23c%25d/coopol.db?mode=rwc");
        assert_eq!(sqlite_url(Path::new("data/")).unwrap(), "sqlite://data/coopol.db?mode=rwc");
    }
}
