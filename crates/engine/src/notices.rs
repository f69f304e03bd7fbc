//! Service notices: "the desk is closed on Monday", "the ANEF site is down".
//!
//! A préfecture must tell everyone at once about a change, and the person
//! must see it where they look: above the answer. A [`Notice`] is a short
//! FALC text with a validity window (start and end date-times), for one
//! site or for every site (national), and optionally only for some intents
//! or domains. A notice with no intent and no domain is general: it is
//! shown at the start of a conversation; a scoped one is shown with every
//! answer it concerns, until it ends.
//!
//! Notices come from two places, merged when a reply is built:
//! - the content: a `[[notices]]` array in `faq/sites/<site>.toml` (national
//!   ones in `_generique.toml`), reviewed like the rest of the content and
//!   checked by `accueil check`;
//! - the admins: `POST /api/v1/admin/notices`, kept in the store's overlays
//!   under `notice:<id>` so they survive a restart, and mirrored in memory
//!   by a [`Board`] so a chat turn never scans the store.
//!
//! Both go through the same rules ([`problems`]). Times are [`Millis`];
//! the API reads and writes RFC 3339 date-times, with their offset
//! ([`parse_datetime`], [`format_datetime`]), because a date-time without
//! a time zone is ambiguous for a service in Guyane or at Réunion.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{line_of, Diagnostic, Severity};
use crate::domain::Domain;

/// A moment, in milliseconds since 1970-01-01 UTC: how every layer
/// speaks of time (the engine has no clock; callers give it `now`).
pub type Millis = u64;

/// Overlay names of the admins' notices start with this.
pub const OVERLAY_PREFIX: &str = "notice:";

/// Longest notice text, in characters: a notice is a few short sentences.
pub const MAX_TEXT_CHARS: usize = 280;

/// Longest notice id.
pub const MAX_ID_CHARS: usize = 64;

/// At most this many notices above one answer: more would bury it.
pub const MAX_SHOWN: usize = 3;

/// Label of a notice's link when none is given.
pub const DEFAULT_LINK_LABEL: &str = "En savoir plus";

/// The domains a notice may concern (intent id prefixes).
pub const DOMAINS: &[&str] = &["sejour", "ddtm", "fs"];

/// A link under a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLink {
    pub label: String,
    pub url: String,
}

/// Where a notice comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A `[[notices]]` entry of a site file.
    Content { path: PathBuf, line: usize },
    /// Posted through the admin API.
    Admin { by: String, at: Millis },
}

/// One notice. Serialised as is into the store (times in milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: String,
    /// The site it is for; `None` for every site (national).
    #[serde(default)]
    pub site: Option<String>,
    /// Shown from this time (included)...
    pub starts_at: Millis,
    /// ...until this time (excluded).
    pub ends_at: Millis,
    pub text: String,
    #[serde(default)]
    pub link: Option<NoticeLink>,
    /// Intents it concerns; with `domains` empty too, it is general.
    #[serde(default)]
    pub intents: Vec<String>,
    /// Domains it concerns (`sejour`, `ddtm`, `fs`).
    #[serde(default)]
    pub domains: Vec<String>,
    pub origin: Origin,
}

impl Notice {
    /// A general notice written by an agent (`by`, at time 0): for every
    /// site, with no link, about no intent or domain. Callers narrow it.
    pub fn by_agent(id: &str, text: &str, starts_at: Millis, ends_at: Millis, by: &str) -> Notice {
        Notice {
            id: id.to_owned(),
            site: None,
            starts_at,
            ends_at,
            text: text.to_owned(),
            link: None,
            intents: Vec::new(),
            domains: Vec::new(),
            origin: Origin::Admin {
                by: by.to_owned(),
                at: 0,
            },
        }
    }

    pub fn is_active(&self, now: Millis) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// Neither intents nor domains: shown at the start of a conversation.
    pub fn is_general(&self) -> bool {
        self.intents.is_empty() && self.domains.is_empty()
    }

    /// Does this notice concern a reply for `site` about `subject`?
    pub fn concerns(&self, site: Option<&str>, subject: &Subject<'_>) -> bool {
        let site_ok = match &self.site {
            None => true,
            Some(s) => site == Some(s.as_str()),
        };
        if !site_ok {
            return false;
        }
        if self.is_general() {
            return subject.start;
        }
        let intent_domain = subject
            .intent
            .and_then(Domain::of_id)
            .map(|d| d.name().to_owned());
        let by_intent = subject
            .intent
            .is_some_and(|i| self.intents.iter().any(|x| x == i));
        let by_domain = self.domains.iter().any(|d| {
            intent_domain.as_deref() == Some(d.as_str()) || subject.domain == Some(d.as_str())
        });
        by_intent || by_domain
    }

    /// What a reply shows of it.
    pub fn view(&self) -> NoticeView {
        NoticeView {
            id: self.id.clone(),
            text: self.text.clone(),
            link: self.link.clone(),
            starts_at: format_datetime(self.starts_at),
            ends_at: format_datetime(self.ends_at),
        }
    }
}

/// A notice as the chat reply carries it (`reply.notices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<NoticeLink>,
    pub starts_at: String,
    pub ends_at: String,
}

/// What a reply is about, to pick the notices that concern it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject<'a> {
    /// The intent whose answer is shown.
    pub intent: Option<&'a str>,
    /// The domain of a guided journey being walked.
    pub domain: Option<&'a str>,
    /// The first turn of a conversation: general notices are shown.
    pub start: bool,
}

/// The active notices that concern a reply, site ones first, then the
/// most recent; at most [`MAX_SHOWN`], each once.
pub fn select<'a>(
    notices: impl IntoIterator<Item = &'a Notice>,
    site: Option<&str>,
    subject: &Subject<'_>,
    now: Millis,
) -> Vec<NoticeView> {
    let mut found: Vec<&Notice> = notices
        .into_iter()
        .filter(|n| n.is_active(now) && n.concerns(site, subject))
        .collect();
    found.sort_by(|a, b| {
        b.site
            .is_some()
            .cmp(&a.site.is_some())
            .then(b.starts_at.cmp(&a.starts_at))
            .then(a.id.cmp(&b.id))
    });
    found.dedup_by(|a, b| a.id == b.id);
    found
        .into_iter()
        .take(MAX_SHOWN)
        .map(Notice::view)
        .collect()
}

/// Why a notice was refused. The HTTP layer maps each to a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("notice id `{0}`: use 1 to {MAX_ID_CHARS} lowercase letters, digits, - or _, starting with a letter or digit")]
    InvalidId(String),
    #[error("`{field}` is not a date-time like 2026-05-04T08:00:00+02:00: {why}")]
    InvalidDate { field: &'static str, why: String },
    #[error("the notice ends ({ends}) before it starts ({starts})")]
    EndsBeforeStart { starts: String, ends: String },
    #[error("the notice already ended ({0}): check the date")]
    AlreadyEnded(String),
    #[error("the notice text is empty")]
    EmptyText,
    #[error("the notice text has {0} characters; the limit is {MAX_TEXT_CHARS}: keep it short")]
    TextTooLong(usize),
    #[error("the notice text breaks FALC rules: {}", .0.join(" / "))]
    NotFalc(Vec<String>),
    #[error("the notice link `{0}` is not an http(s) URL")]
    InvalidLink(String),
    #[error("unknown site `{id}`; known sites: {known}")]
    UnknownSite { id: String, known: String },
    #[error("the notice concerns an unknown intent `{0}`")]
    UnknownIntent(String),
    #[error("the notice concerns an unknown domain `{0}`: use sejour, ddtm or fs")]
    UnknownDomain(String),
    #[error("no notice `{0}`")]
    NotFound(String),
    #[error("notice `{id}` comes from the content ({path}): change it there and reload")]
    InContent { id: String, path: String },
}

impl NoticeError {
    /// The stable code of the API (see docs/HTTP.md).
    pub fn code(&self) -> &'static str {
        match self {
            NoticeError::InvalidId(_) => "invalid_notice_id",
            NoticeError::InvalidDate { .. } => "invalid_notice_date",
            NoticeError::EndsBeforeStart { .. } => "notice_ends_before_start",
            NoticeError::AlreadyEnded(_) => "notice_already_ended",
            NoticeError::EmptyText => "empty_notice_text",
            NoticeError::TextTooLong(_) => "notice_text_too_long",
            NoticeError::NotFalc(_) => "notice_not_falc",
            NoticeError::InvalidLink(_) => "invalid_notice_link",
            NoticeError::UnknownSite { .. } => "unknown_site",
            NoticeError::UnknownIntent(_) => "notice_unknown_intent",
            NoticeError::UnknownDomain(_) => "notice_unknown_domain",
            NoticeError::NotFound(_) => "unknown_notice",
            NoticeError::InContent { .. } => "notice_in_content",
        }
    }
}

/// At most this many characters of a refused value are echoed back.
const ECHO_CHARS: usize = 64;

pub(crate) fn echo(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(ECHO_CHARS)
        .collect();
    if s.chars().count() > ECHO_CHARS {
        out.push('…');
    }
    out
}

pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && id.len() <= MAX_ID_CHARS
}

pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !host.starts_with('.')
    }) && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A notice text as kept: control characters become spaces (line breaks
/// separate sentences and are kept), the ends trimmed.
pub fn clean_text(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c != '\n' && c.is_control() { ' ' } else { c })
        .collect();
    cleaned
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn trimmed(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = list.into_iter().map(|s| s.trim().to_owned()).collect();
    out.sort();
    out.dedup();
    out
}

// ---------------------------------------------------------------------
// Notices written in the site files.

#[derive(Deserialize)]
struct SiteFile {
    #[serde(default)]
    notices: Vec<RawNotice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    id: Spanned<String>,
    starts_at: Spanned<toml::Value>,
    ends_at: Spanned<toml::Value>,
    text: String,
    link: Option<RawLink>,
    #[serde(default)]
    intents: Vec<String>,
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    label: Option<String>,
    url: String,
}

/// The `[[notices]]` of a site file (`site` is `None` for the national
/// file `_generique.toml`). Shape problems become diagnostics here; the
/// rules that need the whole content are applied by [`check`].
pub fn from_site_file(
    path: &Path,
    text: &str,
    site: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Notice> {
    // A file that is not TOML at all is reported by the site parser.
    if toml::from_str::<toml::Table>(text).is_err() {
        return Vec::new();
    }
    let mut err = |line: usize, message: String| {
        diags.push(Diagnostic {
            path: path.to_path_buf(),
            line,
            severity: Severity::Error,
            message,
        })
    };
    let file: SiteFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            err(
                line,
                format!("invalid notice: {}", e.message().trim().replace('\n', " ")),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for raw in file.notices {
        let line = line_of(text, raw.id.span().start);
        let mut date = |field: &'static str, v: &Spanned<toml::Value>| {
            let parsed = match v.get_ref() {
                toml::Value::Datetime(d) => parse_datetime(&d.to_string()),
                toml::Value::String(s) => parse_datetime(s),
                _ => Err("write a date-time like 2026-05-04T08:00:00+02:00".to_owned()),
            };
            parsed
                .map_err(|why| {
                    err(
                        line_of(text, v.span().start),
                        format!("notice `{}`: `{field}`: {why}", raw.id.get_ref()),
                    )
                })
                .ok()
        };
        let (Some(starts_at), Some(ends_at)) = (
            date("starts_at", &raw.starts_at),
            date("ends_at", &raw.ends_at),
        ) else {
            continue;
        };
        out.push(Notice {
            id: raw.id.get_ref().trim().to_owned(),
            site: site.map(str::to_owned),
            starts_at,
            ends_at,
            text: clean_text(&raw.text),
            link: raw.link.map(|l| NoticeLink {
                label: l
                    .label
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| DEFAULT_LINK_LABEL.to_owned()),
                url: l.url.trim().to_owned(),
            }),
            intents: trimmed(raw.intents),
            domains: trimmed(raw.domains),
            origin: Origin::Content {
                path: path.to_path_buf(),
                line,
            },
        });
    }
    out
}

// ---------------------------------------------------------------------
// RFC 3339 date-times, read and written by `jiff` (calendar, offsets,
// fractions, leap seconds); the rules of a notice's date are ours: a time
// and an offset are required, years 2000 to 2999 only (anything else is a
// typing mistake). No time zone database: the engine needs none.

/// An example to show whoever typed a date-time we cannot read.
const WRITE_IT_LIKE: &str = "write it like 2026-05-04T08:00:00+02:00";

/// Read `2026-05-04T08:00:00+02:00` (or `...Z`; seconds and fractions
/// optional; a space may replace the `T`) as milliseconds since the epoch.
/// The offset is required.
pub fn parse_datetime(s: &str) -> Result<Millis, String> {
    use jiff::fmt::temporal::Pieces;

    let pieces = Pieces::parse(s.trim()).map_err(|e| format!("{WRITE_IT_LIKE} ({e})"))?;
    let (Some(time), None) = (pieces.time(), pieces.time_zone_annotation()) else {
        return Err(WRITE_IT_LIKE.to_owned());
    };
    let Some(offset) = pieces.offset() else {
        return Err(
            "add the time zone, like +02:00 (Paris in summer), -03:00 (Guyane) or Z (UTC)".into(),
        );
    };
    let offset = offset.to_numeric_offset();
    if offset.seconds().abs() >= 24 * 3600 {
        return Err("the time zone offset is out of range".into());
    }
    if !(2000..=2999).contains(&pieces.date().year()) {
        return Err("the year must be between 2000 and 2999".into());
    }
    // jiff reads a leap second as the last second of its minute.
    let at = offset
        .to_timestamp(pieces.date().to_datetime(time))
        .map_err(|e| format!("{WRITE_IT_LIKE} ({e})"))?;
    u64::try_from(at.as_millisecond()).map_err(|_| "the date is before 1970".to_owned())
}

/// `2026-05-04T06:00:00Z` (UTC; milliseconds only when there are some).
pub fn format_datetime(ms: Millis) -> String {
    let at = i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::MAX);
    if ms % 1000 == 0 {
        format!("{at:.0}")
    } else {
        format!("{at:.3}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! Properties: date-times read with their offset and written back in
    //! UTC (round trip over 1000 years of days); a notice is active in
    //! its window only (start included, end excluded); site, intent,
    //! domain and general scoping; the rules of a valid notice; the board
    //! mirrors the store and survives a reload from it.
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn at(s: &str) -> Millis {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn date_times_with_offsets() {
        assert_eq!(at("2000-01-01T00:00:00Z"), 946_684_800_000);
        assert_eq!(at("2026-05-04T08:00:00+02:00"), at("2026-05-04T06:00:00Z"));
        assert_eq!(at("2026-05-04T03:00-03:00"), at("2026-05-04T06:00:00Z"));
        assert_eq!(
            at("2026-05-04 06:00:00.5Z"),
            at("2026-05-04T06:00:00Z") + 500
        );
        assert_eq!(
            at("2024-02-29T12:00:00Z") + 86_400_000,
            at("2024-03-01T12:00:00Z")
        );
        assert_eq!(
            format_datetime(at("2026-05-04T08:30:15+02:00")),
            "2026-05-04T06:30:15Z"
        );
        assert_eq!(
            format_datetime(at("2026-12-31T23:59:59.123Z")),
            "2026-12-31T23:59:59.123Z"
        );
        for bad in [
            "",
            "2026-05-04",
            "2026-05-04T08:00",
            "2026-05-04T08:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-05-04T24:00:00Z",
            "2026-05-04T08:00:00+2:00",
            "1999-12-31T23:00:00Z",
            "demain",
            "2026-05-04T08:00:00Zjunk",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad:?}");
        }
        assert!(parse_datetime("2026-05-04T08:00")
            .unwrap_err()
            .contains("time zone"));
    }

    #[test]
    fn date_time_edges() {
        // A leap second is the last second of its minute.
        assert_eq!(at("2026-06-30T23:59:60Z"), at("2026-06-30T23:59:59Z"));
        // Fractions beyond the millisecond are dropped.
        assert_eq!(
            at("2026-05-04T06:00:00.123999Z"),
            at("2026-05-04T06:00:00Z") + 123
        );
        assert_eq!(
            format_datetime(at("2026-05-04T06:00:00.5Z")),
            "2026-05-04T06:00:00.500Z"
        );
        for bad in [
            "2026-05-04T08:00:00+24:00",
            "2026-05-04T08:00:00+02:00[Europe/Paris]",
            "2026-05-04T08:00[Europe/Paris]",
            "3000-01-01T00:00:00Z",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad:?}");
        }
        // What cannot be read says how to write it, and why.
        let why = parse_datetime("2026-02-29T00:00:00Z").unwrap_err();
        assert!(
            why.starts_with(WRITE_IT_LIKE) && why.contains("day"),
            "{why}"
        );
        // Out of range is written, never a panic.
        assert!(format_datetime(u64::MAX).starts_with("9999-"));
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_is_the_identity(ms in 946_684_800_000u64..32_503_680_000_000u64) {
            prop_assert_eq!(parse_datetime(&format_datetime(ms)), Ok(ms));
        }
    }

    pub(crate) fn notice(id: &str) -> Notice {
        Notice::by_agent(id, "Le guichet est fermé lundi.", 1_000, 2_000, "root")
    }

    #[test]
    fn window_start_included_end_excluded() {
        let n = notice("a");
        assert!(!n.is_active(999));
        assert!(n.is_active(1_000));
        assert!(n.is_active(1_999));
        assert!(!n.is_active(2_000));
    }

    #[test]
    fn scoping_by_site_intent_domain_and_start() {
        let general = notice("general");
        let local = Notice {
            site: Some("ici".into()),
            ..notice("local")
        };
        let intent = Notice {
            intents: vec!["sejour.renouvellement".into()],
            ..notice("intent")
        };
        let domain = Notice {
            domains: vec!["ddtm".into()],
            ..notice("domain")
        };
        let start = Subject {
            start: true,
            ..Subject::default()
        };
        let renew = Subject {
            intent: Some("sejour.renouvellement"),
            ..Subject::default()
        };
        let boat = Subject {
            intent: Some("ddtm.permis_bateau"),
            ..Subject::default()
        };
        let walk = Subject {
            domain: Some("ddtm"),
            ..Subject::default()
        };
        assert!(general.concerns(None, &start) && general.concerns(Some("ici"), &start));
        assert!(
            !general.concerns(None, &renew),
            "general: only at the start"
        );
        assert!(local.concerns(Some("ici"), &start));
        assert!(!local.concerns(Some("ailleurs"), &start) && !local.concerns(None, &start));
        assert!(intent.concerns(None, &renew) && !intent.concerns(None, &boat));
        assert!(
            !intent.concerns(None, &start),
            "scoped: not a general notice"
        );
        assert!(domain.concerns(None, &boat) && domain.concerns(None, &walk));
        assert!(!domain.concerns(None, &renew));
        let all = [general, local, intent, domain];
        let both = Subject {
            start: true,
            intent: Some("sejour.renouvellement"),
            domain: None,
        };
        let ids: Vec<String> = select(&all, Some("ici"), &both, 1_500)
            .into_iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(ids, vec!["local", "general", "intent"], "site ones first");
        assert!(
            select(&all, Some("ici"), &both, 2_000).is_empty(),
            "all ended"
        );
    }

    #[test]
    fn at_most_a_few_are_shown() {
        let many: Vec<Notice> = (0..10).map(|k| notice(&format!("n{k}"))).collect();
        let start = Subject {
            start: true,
            ..Subject::default()
        };
        assert_eq!(select(&many, None, &start, 1_500).len(), MAX_SHOWN);
    }

    #[test]
    fn site_file_notices_are_read_with_lines() {
        let text = r#"id = "ici"
nom = "Ici"

[[notices]]
id = "fermeture"
starts_at = 2026-05-04T08:00:00+02:00
ends_at = "2026-05-05T18:00:00+02:00"
text = "Le guichet est fermé."
domains = ["sejour"]

[[notices]]
id = "sans-fuseau"
starts_at = 2026-05-04T08:00:00
ends_at = 2026-05-05T18:00:00+02:00
text = "Fermé."

[[notices]]
id = "faute"
start = 2026-05-04T08:00:00Z
"#;
        let mut d = Vec::new();
        let path = Path::new("faq/sites/ici.toml");
        let found = from_site_file(path, text, Some("ici"), &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("start"), "{}", d[0]);
        assert_eq!(d[0].line, 19, "{}", d[0]);
        assert!(found.is_empty(), "the whole array is refused");
        let good: String = text.lines().take(15).collect::<Vec<_>>().join("\n");
        let mut d = Vec::new();
        let found = from_site_file(path, &good, Some("ici"), &mut d);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].site.as_deref(), Some("ici"));
        assert_eq!(found[0].starts_at, at("2026-05-04T06:00:00Z"));
        assert_eq!(
            found[0].origin,
            Origin::Content {
                path: path.into(),
                line: 5
            }
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("time zone") && d[0].line == 13,
            "{}",
            d[0]
        );
    }
}
