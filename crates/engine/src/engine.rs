//! The engine: validated content plus the matcher compiled from it.
//!
//! An `Engine` is immutable. A reload builds a new one and the server swaps
//! an `Arc`, so no request ever sees half-loaded content.

use std::path::Path;
use std::sync::Arc;

use crate::check;
use crate::content::{Content, ContentError, Site};
use crate::index::Index;
use crate::matcher::{Match, Matcher, Params};
use crate::notices::Millis;
use crate::reply::{self, Reply};
use crate::semantic::{self, Semantic, Setup};

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
    /// The same content worded for English replies ([`crate::locale`]).
    pub english: Content,
    pub matcher: Matcher,
    /// The sentence encoder's view, when its model files were found.
    pub semantic: Option<Arc<Semantic>>,
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
            english: crate::locale::english(&content),
            content,
            matcher: Matcher::with_params(index, params).with_calibration(calibration),
            semantic: None,
        }
    }

    /// This engine with the sentence encoder's view of its content, built
    /// with `setup` (cached per text). The build's figures and the result of
    /// writing the cache come back for the caller's log.
    pub fn with_encoder(
        self,
        setup: &Setup,
    ) -> (
        Engine,
        accueil_encoder::BuildStats,
        Result<(), accueil_encoder::EncoderError>,
    ) {
        let (semantic, stats, written) = Semantic::build(
            setup.encoder.clone(),
            &self.content,
            setup.cache_dir.as_deref(),
        );
        (self.with_semantic(Some(Arc::new(semantic))), stats, written)
    }

    /// This engine with the sentence encoder's view (built for this
    /// engine's content: see [`Semantic::build`]).
    pub fn with_semantic(mut self, semantic: Option<Arc<Semantic>>) -> Engine {
        self.semantic = semantic;
        self
    }

    /// Match a question to an intent (or to none): lexically, and with the
    /// encoder where the lexical decision is unsure and the layer is on.
    pub fn decide(&self, question: &str) -> Match {
        self.decide_with(question, false)
    }

    /// [`Engine::decide`] with an explanation of each candidate and both
    /// views.
    pub fn explain(&self, question: &str) -> Match {
        self.decide_with(question, true)
    }

    fn decide_with(&self, question: &str, explain: bool) -> Match {
        match &self.semantic {
            Some(s) => semantic::decide(
                &self.matcher,
                s,
                self.content.fusion.as_ref(),
                question,
                explain,
            ),
            None => {
                let mut m = if explain {
                    self.matcher.explain_question(question)
                } else {
                    self.matcher.decide(question)
                };
                m.language = crate::language::foreign(question).map(str::to_owned);
                m
            }
        }
    }

    /// The content replies in `lang` are worded from.
    pub fn content_in(&self, lang: crate::lang::Lang) -> &Content {
        match lang {
            crate::lang::Lang::Fr => &self.content,
            crate::lang::Lang::En => &self.english,
        }
    }

    /// A site by id; `None` for an unknown id.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.content.sites.get(id)
    }

    /// The reply a person reads for a match, with a site's values.
    /// A message in English is answered in English.
    pub fn reply(&self, m: &Match, site: Option<&Site>) -> Reply {
        let content = self.content_in(crate::lang::Lang::of_message(m.language.as_deref()));
        let site = site.and_then(|s| content.sites.get(&s.id)).or(site);
        reply::Composer::new(content, site).for_match(m)
    }

    /// Match and reply in one go.
    pub fn ask(&self, question: &str, site: Option<&Site>) -> (Match, Reply) {
        let m = self.decide(question);
        let r = self.reply(&m, site);
        (m, r)
    }
}
