//! The engine: validated content plus the matcher compiled from it.
//!
//! An `Engine` is immutable. A reload builds a new one and the server swaps
//! an `Arc`, so no request ever sees half-loaded content.

use std::path::Path;

use crate::content::{Content, ContentError, Site};
use crate::index::Index;
use crate::matcher::{Match, Matcher, Params};
use crate::reply::{self, Reply};

#[derive(Debug, Clone)]
pub struct Engine {
    pub content: Content,
    pub matcher: Matcher,
}

impl Engine {
    /// Load, validate and compile the content under `root` (the folder
    /// holding `faq/` and `intents/`).
    pub fn load(root: &Path) -> Result<Engine, ContentError> {
        Ok(Engine::from_content(Content::load(root)?))
    }

    pub fn from_content(content: Content) -> Engine {
        Engine::with_params(content, Params::default())
    }

    pub fn with_params(content: Content, params: Params) -> Engine {
        let index = Index::build(&content);
        let calibration = content.calibration.clone();
        Engine {
            content,
            matcher: Matcher::with_params(index, params).with_calibration(calibration),
        }
    }

    /// Match a question to an intent (or to none).
    pub fn decide(&self, question: &str) -> Match {
        self.matcher.decide(question)
    }

    /// A site by id; `None` for an unknown id.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.content.sites.get(id)
    }

    /// The reply a person reads for a match, with a site's values.
    pub fn reply(&self, m: &Match, site: Option<&Site>) -> Reply {
        reply::for_match(&self.content, site, m)
    }

    /// Match and reply in one go.
    pub fn ask(&self, question: &str, site: Option<&Site>) -> (Match, Reply) {
        let m = self.decide(question);
        let r = self.reply(&m, site);
        (m, r)
    }
}
