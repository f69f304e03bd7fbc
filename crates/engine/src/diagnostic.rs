//! Where a problem in the content is, and how bad: the one type every
//! loading and checking pass reports with. A leaf: it knows no other module,
//! so parsers, checkers and the server can all speak it.

use std::fmt;
use std::path::PathBuf;

/// Where a diagnostic points, and how bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the content: `file:line: severity: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {}: {}",
            self.path.display(),
            self.line,
            sev,
            self.message
        )
    }
}

/// The content could not be loaded; each diagnostic says where and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("content has {} error(s); first: {}", .0.iter().filter(|d| d.severity == Severity::Error).count(), .0.first().map(|d| d.to_string()).unwrap_or_default())]
pub struct ContentError(pub Vec<Diagnostic>);

/// 1-based line of a byte offset in a text.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
