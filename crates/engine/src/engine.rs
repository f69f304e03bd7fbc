//! The engine: validated content plus the matcher compiled from it.
//!
//! An `Engine` is immutable. A reload builds a new one and the server swaps
//! an `Arc`, so no request ever sees half-loaded content.

use std::path::Path;

use crate::check;
use crate::content::{Content, ContentError, Site};
use crate::index::Index;
use crate::matcher::{Match, Matcher, Params};
use crate::notices::Millis;
use crate::reply::{self, Reply};

/// What the checks are given: `now` and the menu the replies offer.
pub fn check_inputs(now: Option<Millis>) -> check::Inputs<'static> {
    check::Inputs {
        now,
        menu: reply::MAIN_TOPICS,
    }
}

// Here, at the top of the engine, rather than in `content`: loading means
// parsing (content) then checking (check, given the replies' menu), and
// content must not depend on what depends on it.
impl Content {
    /// Parse and check everything under `root`, skipping the rules about
    /// time; fails if any file has an error. See [`check::load`].
    pub fn load(root: &Path) -> Result<Content, ContentError> {
        check::load(root, &check_inputs(None))
    }
}

#[derive(Debug, Clone)]
pub struct Engine {
    pub content: Content,
    pub matcher: Matcher,
}

impl Engine {
    /// Load, check and compile the content under `root` (the folder
    /// holding `faq/` and `intents/`). Rules about dates are skipped: the
    /// engine has no clock (see [`Engine::load_at`]).
    pub fn load(root: &Path) -> Result<Engine, ContentError> {
        Engine::load_at(root, None)
    }

    /// [`Engine::load`], checking the rules about time against `now`.
    pub fn load_at(root: &Path, now: Option<Millis>) -> Result<Engine, ContentError> {
        Ok(Engine::from_content(check::load(root, &check_inputs(now))?))
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
        reply::Composer::new(&self.content, site).for_match(m)
    }

    /// Match and reply in one go.
    pub fn ask(&self, question: &str, site: Option<&Site>) -> (Match, Reply) {
        let m = self.decide(question);
        let r = self.reply(&m, site);
        (m, r)
    }
}
