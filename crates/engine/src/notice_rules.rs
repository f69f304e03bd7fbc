//! The rules of a valid notice that need the whole content (its sites,
//! intents and glossary), for the admin API and for `accueil check`; the
//! notice itself is [`crate::notices`].

use std::path::Path;

use serde::Deserialize;

use crate::content::{Content, Diagnostic, Severity};
use crate::falc::{falc_problems, sentences};
use crate::notices::{
    clean_text, echo, format_datetime, is_http_url, is_valid_id, parse_datetime, trimmed, Millis,
    Notice, NoticeError, NoticeLink, Origin, DEFAULT_LINK_LABEL, DOMAINS, MAX_TEXT_CHARS,
};

/// Every rule a notice breaks, against the content it will be shown with
/// (time aside: the API also refuses a notice that already ended).
pub fn problems(notice: &Notice, content: &Content) -> Vec<NoticeError> {
    let mut out = Vec::new();
    if !is_valid_id(&notice.id) {
        out.push(NoticeError::InvalidId(echo(&notice.id)));
    }
    let chars = notice.text.chars().count();
    if notice.text.trim().is_empty() {
        out.push(NoticeError::EmptyText);
    } else if chars > MAX_TEXT_CHARS {
        out.push(NoticeError::TextTooLong(chars));
    } else {
        let falc: Vec<String> = sentences(&notice.text)
            .iter()
            .flat_map(|s| falc_problems(s, &content.glossary))
            .filter(|(severity, _)| *severity == Severity::Error)
            .map(|(_, message)| message)
            .collect();
        if !falc.is_empty() {
            out.push(NoticeError::NotFalc(falc));
        }
    }
    if notice.ends_at <= notice.starts_at {
        out.push(NoticeError::EndsBeforeStart {
            starts: format_datetime(notice.starts_at),
            ends: format_datetime(notice.ends_at),
        });
    }
    if let Some(link) = &notice.link {
        if !is_http_url(&link.url) {
            out.push(NoticeError::InvalidLink(echo(&link.url)));
        }
    }
    if let Some(site) = &notice.site {
        if !content.sites.contains_key(site) {
            out.push(unknown_site(content, site));
        }
    }
    for intent in &notice.intents {
        if content.intent(intent).is_none() {
            out.push(NoticeError::UnknownIntent(echo(intent)));
        }
    }
    for domain in &notice.domains {
        if !DOMAINS.contains(&domain.as_str()) {
            out.push(NoticeError::UnknownDomain(echo(domain)));
        }
    }
    out
}

fn unknown_site(content: &Content, id: &str) -> NoticeError {
    let known: Vec<&str> = content.sites.keys().map(String::as_str).collect();
    NoticeError::UnknownSite {
        id: echo(id),
        known: if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        },
    }
}

/// A notice as the admin API receives it. Unknown fields are refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// Chosen by the admin to replace a notice later; made up if absent.
    pub id: Option<String>,
    /// A site id; absent, `null` or `""` for every site.
    pub site: Option<String>,
    /// RFC 3339 with an offset; absent means now.
    pub starts_at: Option<String>,
    pub ends_at: String,
    pub text: String,
    pub link: Option<LinkInput>,
    #[serde(default)]
    pub intents: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub label: Option<String>,
    pub url: String,
}

impl NoticeInput {
    /// Check the input against the content and the clock. `id` is used
    /// when the input has none. The first problem is returned, except
    /// that every FALC problem of the text comes together.
    pub fn into_notice(
        self,
        content: &Content,
        id: String,
        by: &str,
        now: Millis,
    ) -> Result<Notice, NoticeError> {
        let starts_at = match self.starts_at.as_deref().map(str::trim) {
            None | Some("") => now,
            Some(s) => parse_datetime(s).map_err(|why| NoticeError::InvalidDate {
                field: "starts_at",
                why,
            })?,
        };
        let ends_at =
            parse_datetime(self.ends_at.trim()).map_err(|why| NoticeError::InvalidDate {
                field: "ends_at",
                why,
            })?;
        let notice = Notice {
            id: self.id.map(|s| s.trim().to_owned()).unwrap_or(id),
            site: self
                .site
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            starts_at,
            ends_at,
            text: clean_text(&self.text),
            link: self.link.map(|l| NoticeLink {
                label: l
                    .label
                    .map(|s| clean_text(&s))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| DEFAULT_LINK_LABEL.to_owned()),
                url: l.url.trim().to_owned(),
            }),
            intents: trimmed(self.intents),
            domains: trimmed(self.domains),
            origin: Origin::Admin {
                by: by.to_owned(),
                at: now,
            },
        };
        // An end in the past is a mistake of its own (often the year),
        // whatever the start.
        if notice.ends_at <= now {
            return Err(NoticeError::AlreadyEnded(format_datetime(notice.ends_at)));
        }
        match problems(&notice, content).into_iter().next() {
            Some(first) => Err(first),
            None => Ok(notice),
        }
    }
}

/// `accueil check` for the content's notices: the rules of [`problems`],
/// ids unique across files, and a warning for a notice that has ended
/// (it only clutters the file).
pub fn check(content: &Content, now: Option<Millis>, diags: &mut Vec<Diagnostic>) {
    let mut seen: std::collections::BTreeMap<&str, &Path> = std::collections::BTreeMap::new();
    for notice in &content.notices {
        let Origin::Content { path, line } = &notice.origin else {
            continue;
        };
        let mut push = |severity: Severity, message: String| {
            diags.push(Diagnostic {
                path: path.clone(),
                line: *line,
                severity,
                message,
            })
        };
        if let Some(first) = seen.insert(&notice.id, path) {
            push(
                Severity::Error,
                format!(
                    "duplicate notice id `{}` (also in {})",
                    notice.id,
                    first.display()
                ),
            );
        }
        for problem in problems(notice, content) {
            push(
                Severity::Error,
                format!("notice `{}`: {problem}", notice.id),
            );
        }
        if now.is_some_and(|now| notice.ends_at <= now) && notice.ends_at > notice.starts_at {
            push(
                Severity::Warning,
                format!(
                    "notice `{}` ended on {}: remove it",
                    notice.id,
                    format_datetime(notice.ends_at)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notices::tests::at;

    fn content() -> Content {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/content");
        Content::load(&root).expect("fixture content")
    }

    fn input(json: serde_json::Value) -> NoticeInput {
        serde_json::from_value(json).expect("input shape")
    }

    #[test]
    fn inputs_are_checked() {
        let c = content();
        let now = at("2026-05-01T00:00:00Z");
        let ok = input(serde_json::json!({
            "site": "prefecture-exemple",
            "starts_at": "2026-05-04T08:00:00+02:00",
            "ends_at": "2026-05-05T18:00:00+02:00",
            "text": "  Le guichet est fermé lundi 4 mai.\n\n Revenez mardi.  ",
            "link": {"url": "https://www.exemple.gouv.fr/avis"},
            "intents": ["sejour.rendez_vous", "sejour.rendez_vous"],
            "domains": ["sejour"]
        }));
        let n = ok.into_notice(&c, "avis-1".into(), "root", now).unwrap();
        assert_eq!(n.id, "avis-1");
        assert_eq!(n.text, "Le guichet est fermé lundi 4 mai.\nRevenez mardi.");
        assert_eq!(n.intents, vec!["sejour.rendez_vous"]);
        assert_eq!(n.link.unwrap().label, DEFAULT_LINK_LABEL);
        let table = [
            (
                serde_json::json!({"id": "Avis 1", "ends_at": "2026-06-01T00:00:00Z", "text": "Fermé."}),
                "invalid_notice_id",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01", "text": "Fermé."}),
                "invalid_notice_date",
            ),
            (
                serde_json::json!({"starts_at": "2026-06-02T00:00:00Z", "ends_at": "2026-06-01T00:00:00Z", "text": "Fermé."}),
                "notice_ends_before_start",
            ),
            (
                serde_json::json!({"starts_at": "2026-04-01T00:00:00Z", "ends_at": "2026-04-02T00:00:00Z", "text": "Fermé."}),
                "notice_already_ended",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": " \n "}),
                "empty_notice_text",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "a".repeat(MAX_TEXT_CHARS + 1)}),
                "notice_text_too_long",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "Fermé ; revenez demain."}),
                "notice_not_falc",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "Fermé.", "link": {"url": "javascript:alert(1)"}}),
                "invalid_notice_link",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "Fermé.", "site": "atlantide"}),
                "unknown_site",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "Fermé.", "intents": ["sejour.inconnu"]}),
                "notice_unknown_intent",
            ),
            (
                serde_json::json!({"ends_at": "2026-06-01T00:00:00Z", "text": "Fermé.", "domains": ["conv"]}),
                "notice_unknown_domain",
            ),
        ];
        for (json, code) in table {
            let err = input(json.clone())
                .into_notice(&c, "x".into(), "root", now)
                .unwrap_err();
            assert_eq!(err.code(), code, "{json}: {err}");
        }
    }
}
