//! Server configuration: the `serve` flags and environment variables, and
//! the checked [`Settings`] the server runs with.
//!
//! Every flag has an environment variable (the flag wins) so the same
//! binary runs from a shell, a systemd unit or a container. Values are
//! checked once at startup, with a message naming the variable, so a typo
//! in a deployment fails loudly instead of serving with a surprise.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;

use super::auth::Tokens;
use super::listener::ConnectionLimits;
use super::rate_limit::RateLimit;
use accueil_service::clock::{Clock, SystemClock};
use accueil_service::conversation::Policy;

/// `accueil serve`: the HTTP server.
#[derive(clap::Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (host:port; port 0 picks a free port).
    #[arg(long, env = "ACCUEIL_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// Folder of the embedded store (inbox, counters, agents' changes),
    /// created if missing; the default `--store`.
    #[arg(long, env = "ACCUEIL_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// Where to keep what outlives a request: `sled:FOLDER` (the embedded
    /// store; the default is `sled:` + `--data`) or a PostgreSQL URL
    /// (`postgres://user:password@host:5432/db`) shared by several
    /// instances. Prefer the environment variable: a URL with a password
    /// shows in the process list.
    #[arg(long, env = "ACCUEIL_STORE", hide_env_values = true)]
    pub store: Option<String>,

    /// Connections to PostgreSQL kept by this instance.
    #[arg(long, env = "ACCUEIL_PG_POOL", default_value_t = 16,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub pg_pool: usize,

    /// With a shared store: how often this instance looks for the agents'
    /// changes made on another one (attach, dismiss, notices).
    #[arg(long, env = "ACCUEIL_SYNC_INTERVAL", default_value = "500ms",
          value_parser = parse_duration)]
    pub sync_interval: std::time::Duration,

    /// Tokens of agents and admins, comma-separated `name:role:secret`
    /// (role `agent` or `admin`, secret of 16 characters or more). Prefer
    /// the environment variable: a flag shows in the process list.
    #[arg(
        long,
        env = "ACCUEIL_TOKENS",
        hide_env_values = true,
        default_value = ""
    )]
    pub tokens: String,

    /// A file of tokens, one `name:role:secret` per line (`#` comments and
    /// blank lines ignored), added to `--tokens`: keeps the secrets out of
    /// the environment and the process list.
    #[arg(long, env = "ACCUEIL_TOKENS_FILE")]
    pub tokens_file: Option<PathBuf>,

    /// Origins allowed to call the API from a browser (the sites that embed
    /// the widget), comma-separated, like `https://www.prefecture.gouv.fr`;
    /// `*` allows any origin. None by default.
    #[arg(long, env = "ACCUEIL_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Idle time after which a web session ends (e.g. 30m, 90s, 500ms).
    #[arg(long, env = "ACCUEIL_WEB_SESSION_TTL", default_value = "30m", value_parser = parse_duration)]
    pub web_session_ttl: Duration,

    /// Idle time after which a kiosk session ends.
    #[arg(long, env = "ACCUEIL_KIOSK_SESSION_TTL", default_value = "3m", value_parser = parse_duration)]
    pub kiosk_session_ttl: Duration,

    /// How often expired sessions are purged from the store.
    #[arg(long, env = "ACCUEIL_PURGE_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub purge_interval: Duration,

    /// Longest time a request may take, reading its body included.
    #[arg(long, env = "ACCUEIL_REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Log filter (`info`, `warn`, `accueil=debug`...). At `info`, one line
    /// per request, never the text of a message.
    #[arg(long, env = "ACCUEIL_LOG", default_value = "info")]
    pub log: String,

    /// The pages (widget, kiosk, console): public address, folder.
    #[command(flatten)]
    pub pages: super::pages::PagesArgs,

    /// Most conversations kept at once; past it, the one idle the longest
    /// ends (counted in /metrics).
    #[arg(long, env = "ACCUEIL_MAX_SESSIONS", default_value_t = accueil_service::store::DEFAULT_MAX_SESSIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    pub max_sessions: usize,

    /// Chat turns and feedbacks a minute per client (IP address); 0 turns
    /// the limit off (load tests).
    #[arg(long, env = "ACCUEIL_RATE_LIMIT", default_value_t = 120)]
    pub rate_limit: u32,

    /// Requests a client may send at once before the per-minute rate applies.
    #[arg(long, env = "ACCUEIL_RATE_BURST", default_value_t = 40)]
    pub rate_burst: u32,

    /// Behind a reverse proxy: the header it sets with the client's address
    /// (`X-Forwarded-For`, `X-Real-IP`); its last address is the client's.
    /// Only set it when the proxy overwrites or appends it: clients can send it too.
    #[arg(long, env = "ACCUEIL_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Most connections open at once; past it, new ones get `503 busy`.
    /// Keep it under the process's open-file limit (`ulimit -n`).
    #[arg(long, env = "ACCUEIL_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,

    /// Time a client has to send a request's headers, and to start the next
    /// request on an idle keep-alive connection; then it is closed.
    #[arg(long, env = "ACCUEIL_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// Serve /metrics to anyone (for a scraper on a private network);
    /// otherwise it needs an admin or `metrics` token.
    #[arg(long, env = "ACCUEIL_METRICS_OPEN")]
    pub metrics_open: bool,

    /// Days the agents' review keeps unanswered questions and statistics;
    /// older ones are purged by a background task (1 to 3650).
    #[arg(long, env = "ACCUEIL_RETENTION_DAYS", default_value_t = accueil_service::review::DEFAULT_RETENTION_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
}

/// By hand, so that printing the command line never shows the secrets.
impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tokens = if self.tokens.trim().is_empty() {
            "none"
        } else {
            "<redacted>"
        };
        f.debug_struct("ServeArgs")
            .field("addr", &self.addr)
            .field("data", &self.data)
            .field(
                "store",
                &self
                    .store
                    .as_deref()
                    .map(|s| match StoreChoice::parse(Some(s), &self.data) {
                        Ok(StoreChoice::Sled(p)) => format!("sled:{}", p.display()),
                        Ok(StoreChoice::Postgres(_)) => "postgres:<redacted>".to_owned(),
                        Err(_) => "<invalid>".to_owned(),
                    }),
            )
            .field("pg_pool", &self.pg_pool)
            .field("sync_interval", &self.sync_interval)
            .field("tokens", &tokens)
            .field("tokens_file", &self.tokens_file)
            .field("cors_origins", &self.cors_origins)
            .field("web_session_ttl", &self.web_session_ttl)
            .field("kiosk_session_ttl", &self.kiosk_session_ttl)
            .field("purge_interval", &self.purge_interval)
            .field("request_timeout", &self.request_timeout)
            .field("log", &self.log)
            .field("pages", &self.pages)
            .field("retention_days", &self.retention_days)
            .field("max_sessions", &self.max_sessions)
            .field("rate_limit", &self.rate_limit)
            .field("rate_burst", &self.rate_burst)
            .field("client_ip_header", &self.client_ip_header)
            .field("max_connections", &self.max_connections)
            .field("header_timeout", &self.header_timeout)
            .field("metrics_open", &self.metrics_open)
            .finish()
    }
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// No CORS headers: only same-origin pages and non-browser clients.
    #[default]
    Off,
    /// `*`: any origin.
    Any,
    /// These exact origins.
    Origins(Vec<HeaderValue>),
}

impl Cors {
    /// Parse the configured origins: `https://host[:port]` each, or `*`.
    pub fn parse(origins: &[String]) -> Result<Cors, String> {
        let origins: Vec<&str> = origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .collect();
        if origins.is_empty() {
            return Ok(Cors::Off);
        }
        if origins.contains(&"*") {
            if origins.len() > 1 {
                return Err(
                    "ACCUEIL_CORS_ORIGINS: `*` cannot be combined with other origins".into(),
                );
            }
            return Ok(Cors::Any);
        }
        let mut out = Vec::new();
        for origin in origins {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let valid = rest.is_some_and(|host| {
                !host.is_empty()
                    && host.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            });
            if !valid {
                return Err(format!(
                    "ACCUEIL_CORS_ORIGINS: `{origin}` is not an origin like https://www.example.gouv.fr (scheme and host, no path)"
                ));
            }
            let value = HeaderValue::from_str(origin)
                .map_err(|e| format!("ACCUEIL_CORS_ORIGINS: `{origin}`: {e}"))?;
            out.push(value);
        }
        Ok(Cors::Origins(out))
    }
}

/// Everything the server runs with, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The folder holding `faq/` and `intents/`, re-read on reload.
    pub content_root: PathBuf,
    pub tokens: Tokens,
    pub cors: Cors,
    pub policy: Policy,
    pub request_timeout: Duration,
    pub purge_interval: Duration,
    /// With a shared store: how often to look for other instances' changes.
    pub sync_interval: Duration,
    pub pages: super::pages::PagesSettings,
    /// Days the agents' review keeps what it records.
    pub retention_days: u32,
    /// Where "now" comes from: the system's clock, or a test's manual one.
    pub clock: Arc<dyn Clock>,
    /// The sentence encoder for the semantic layer; `None`: lexical only.
    pub semantic: Option<accueil_engine::semantic::Setup>,
    /// The per-client rate limit of chat turns and feedbacks; `None`: off.
    pub rate_limit: Option<RateLimit>,
    pub connections: ConnectionLimits,
    /// `/metrics` without a token.
    pub metrics_open: bool,
}

impl Settings {
    /// The defaults of `accueil serve`, for `content_root`: no tokens, no
    /// CORS, 30-minute web and 3-minute kiosk sessions, 10-second requests,
    /// 120 turns a minute per client (burst 40), 1024 connections.
    pub fn new(content_root: impl Into<PathBuf>) -> Settings {
        Settings {
            content_root: content_root.into(),
            tokens: Tokens::default(),
            cors: Cors::Off,
            policy: Policy::default(),
            request_timeout: Duration::from_secs(10),
            purge_interval: Duration::from_secs(60),
            sync_interval: Duration::from_millis(500),
            pages: super::pages::PagesSettings::default(),
            retention_days: accueil_service::review::DEFAULT_RETENTION_DAYS,
            clock: Arc::new(SystemClock),
            semantic: None,
            rate_limit: RateLimit::new(120, 40, None).unwrap_or_default(),
            connections: ConnectionLimits::default(),
            metrics_open: false,
        }
    }

    pub fn from_args(content_root: PathBuf, args: &ServeArgs) -> Result<Settings, String> {
        for (name, d) in [
            ("ACCUEIL_WEB_SESSION_TTL", args.web_session_ttl),
            ("ACCUEIL_KIOSK_SESSION_TTL", args.kiosk_session_ttl),
            ("ACCUEIL_PURGE_INTERVAL", args.purge_interval),
            ("ACCUEIL_REQUEST_TIMEOUT", args.request_timeout),
            ("ACCUEIL_HEADER_TIMEOUT", args.header_timeout),
            ("ACCUEIL_SYNC_INTERVAL", args.sync_interval),
        ] {
            if d.is_zero() {
                return Err(format!("{name} must be longer than zero"));
            }
        }
        Ok(Settings {
            content_root,
            tokens: Tokens::parse(&tokens_spec(args)?)
                .map_err(|e| format!("ACCUEIL_TOKENS: {e}"))?,
            cors: Cors::parse(&args.cors_origins)?,
            policy: Policy {
                web_ttl: args.web_session_ttl,
                kiosk_ttl: args.kiosk_session_ttl,
            },
            request_timeout: args.request_timeout,
            purge_interval: args.purge_interval,
            sync_interval: args.sync_interval,
            pages: super::pages::PagesSettings::from_args(&args.pages)?,
            retention_days: args.retention_days,
            clock: Arc::new(SystemClock),
            semantic: None,
            rate_limit: RateLimit::new(
                args.rate_limit,
                args.rate_burst,
                args.client_ip_header.as_deref(),
            )?,
            connections: ConnectionLimits {
                max_connections: args.max_connections,
                header_timeout: args.header_timeout,
            },
            metrics_open: args.metrics_open,
        })
    }
}

/// Which store `accueil serve` opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// The embedded store in this folder.
    Sled(PathBuf),
    /// A PostgreSQL database, by URL.
    Postgres(String),
}

impl StoreChoice {
    /// From `--store` (`sled:FOLDER` or a `postgres://` / `postgresql://`
    /// URL), or `sled:` + `--data` without it.
    pub fn parse(store: Option<&str>, data: &Path) -> Result<StoreChoice, String> {
        let Some(spec) = store.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(StoreChoice::Sled(data.to_owned()));
        };
        if let Some(folder) = spec.strip_prefix("sled:") {
            if folder.is_empty() {
                return Err("ACCUEIL_STORE: `sled:` needs a folder, as in `sled:./data`".into());
            }
            return Ok(StoreChoice::Sled(PathBuf::from(folder)));
        }
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            return Ok(StoreChoice::Postgres(spec.to_owned()));
        }
        Err(
            "ACCUEIL_STORE: use `sled:FOLDER` or a PostgreSQL URL `postgres://user:password@host:5432/db`"
                .into(),
        )
    }
}

/// The tokens of `--tokens` and of the lines of `--tokens-file`, as one
/// comma-separated list.
fn tokens_spec(args: &ServeArgs) -> Result<String, String> {
    let mut spec = args.tokens.clone();
    if let Some(path) = &args.tokens_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("ACCUEIL_TOKENS_FILE: cannot read {}: {e}", path.display()))?;
        for line in text.lines().map(str::trim) {
            if !line.is_empty() && !line.starts_with('#') {
                spec.push(',');
                spec.push_str(line);
            }
        }
    }
    Ok(spec)
}

/// A duration like `500ms`, `90s`, `30m`, `2h` (`humantime`'s syntax); a
/// bare number is seconds, as the docs promise.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("`{s}` is too long a duration"));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration like 500ms, 90s, 30m or 2h: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let table = [
            ("500ms", Some(Duration::from_millis(500))),
            ("90", Some(Duration::from_secs(90))),
            ("90s", Some(Duration::from_secs(90))),
            ("30m", Some(Duration::from_secs(1800))),
            ("2h", Some(Duration::from_secs(7200))),
            (" 3 min ", Some(Duration::from_secs(180))),
            ("", None),
            ("m", None),
            ("3d", Some(Duration::from_secs(3 * 86_400))),
            ("1h 30m", Some(Duration::from_secs(5400))),
            ("3x", None),
            ("-1s", None),
            ("1.5s", Some(Duration::from_millis(1500))),
            ("99999999999999999999h", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_duration(text).ok(), expected, "{text:?}");
        }
    }

    #[test]
    fn cors_origins() {
        assert_eq!(Cors::parse(&[]), Ok(Cors::Off));
        assert_eq!(Cors::parse(&[" ".into()]), Ok(Cors::Off));
        assert_eq!(Cors::parse(&["*".into()]), Ok(Cors::Any));
        assert!(Cors::parse(&["*".into(), "https://a.fr".into()]).is_err());
        let ok = Cors::parse(&[
            "https://www.moselle.gouv.fr".into(),
            "http://localhost:3000".into(),
        ])
        .unwrap();
        assert_eq!(
            ok,
            Cors::Origins(vec![
                HeaderValue::from_static("https://www.moselle.gouv.fr"),
                HeaderValue::from_static("http://localhost:3000")
            ])
        );
        for bad in [
            "www.moselle.gouv.fr",
            "https://a.fr/",
            "https://a.fr/widget",
            "ftp://a.fr",
            "https://",
        ] {
            assert!(Cors::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn zero_durations_are_refused() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            serve: ServeArgs,
        }
        let args = Cli::try_parse_from(["x", "--request-timeout", "0s"])
            .unwrap()
            .serve;
        let err = Settings::from_args(PathBuf::from("."), &args).unwrap_err();
        assert!(err.contains("ACCUEIL_REQUEST_TIMEOUT"), "{err}");
        let args =
            Cli::try_parse_from(["x", "--kiosk-session-ttl", "90s", "--addr", "127.0.0.1:0"])
                .unwrap()
                .serve;
        let s = Settings::from_args(PathBuf::from("."), &args).unwrap();
        assert_eq!(s.policy.kiosk_ttl, Duration::from_secs(90));
        assert_eq!(s.policy.web_ttl, Duration::from_secs(1800));
        assert_eq!(s.cors, Cors::Off);
        assert!(s.tokens.is_empty());
    }
}
