//! The engine: validated content plus the matcher compiled from it.
//!
//! An `Engine` is immutable. A reload builds a new one and the server swaps
//! an `Arc`, so no request ever sees half-loaded content.

use std::path::Path;
use std::sync::Arc;

use crate::check;
use crate::content::{Content, ContentError, Intent, Site};
use crate::index::Index;
use crate::matcher::{Match, Matcher, Params};
use crate::memo::Memo;
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

/// Questions whose decisions are kept, per generation ([`Memo`]).
const MEMO_QUESTIONS: usize = 2048;

/// Questions longer than this (bytes) are matched every time: stories
/// hardly repeat.
const MEMO_QUESTION_BYTES: usize = 160;

/// Answers kept per generation: more than intents × sites × languages.
const MEMO_ANSWERS: usize = 4096;

/// An answer's key: language, site id and intent id.
const MEMO_ANSWER_KEY_BYTES: usize = 512;

#[derive(Debug, Clone)]
pub struct Engine {
    pub content: Content,
    /// The same content worded for English replies ([`crate::locale`]).
    pub english: Content,
    pub matcher: Matcher,
    /// The sentence encoder's view, when its model files were found.
    pub semantic: Option<Arc<Semantic>>,
    /// Recent decisions ([`Engine::decide`]'s), valid as long as the
    /// engine: `matcher` and `semantic` are set before the first question
    /// (a copy of the engine starts with an empty memo).
    memo: Memo<Match>,
    /// Full answers as worded ([`Engine::intent_reply`]): the same few
    /// hundred, built from the content's strings on every turn otherwise.
    answers: Memo<Reply>,
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
        let matcher = Matcher::with_params(index, params).with_calibration(calibration);
        let english = crate::locale::english(&content);
        Engine::from_parts(content, english, matcher)
    }

    /// An engine of parts already built (a tuning loop reuses one index
    /// for many parameters).
    pub fn from_parts(content: Content, english: Content, matcher: Matcher) -> Engine {
        Engine {
            content,
            english,
            matcher,
            semantic: None,
            memo: Memo::new(MEMO_QUESTIONS, MEMO_QUESTION_BYTES),
            answers: Memo::new(MEMO_ANSWERS, MEMO_ANSWER_KEY_BYTES),
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
        self.memo = Memo::new(MEMO_QUESTIONS, MEMO_QUESTION_BYTES);
        self
    }

    /// Match a question to an intent (or to none): lexically, and with the
    /// encoder where the lexical decision is unsure and the layer is on.
    /// The same question gets the same decision, so recent ones are
    /// kept ([`crate::memo`]) — only those with nothing to mask: a
    /// question holding personal data stays nowhere, not even in memory.
    pub fn decide(&self, question: &str) -> Match {
        if let Some(m) = self.memo.get(question) {
            return m;
        }
        let m = self.decide_with(question, false);
        if self.memo.fits(question) && crate::mask::mask(question) == question {
            self.memo.put(question, m.clone());
        }
        m
    }

    /// A question with its personal data masked ([`crate::mask::mask`]):
    /// a question whose decision is kept is known to hold none (every
    /// answered question is masked for the agents' review).
    pub fn mask(&self, question: &str) -> String {
        if self.memo.contains(question) {
            // Kept only when masking found nothing.
            return question.to_owned();
        }
        crate::mask::mask(question)
    }

    /// [`reply::intent_reply`], kept per language, site and intent when
    /// `content` is this engine's (French or English; `site` one of its
    /// sites): a reply depends on nothing else.
    pub fn intent_reply(&self, content: &Content, site: Option<&Site>, intent: &Intent) -> Reply {
        let ours = std::ptr::eq(content, &self.content) || std::ptr::eq(content, &self.english);
        if !ours {
            return reply::intent_reply(content, site, intent);
        }
        let key = format!(
            "{}\u{1}{}\u{1}{}",
            content.lang.code(),
            site.map_or("", |s| s.id.as_str()),
            intent.id
        );
        self.answers
            .get_or(&key, || reply::intent_reply(content, site, intent))
    }

    /// How many decisions [`Engine::decide`] reused and made.
    pub fn memo_counts(&self) -> (u64, u64) {
        self.memo.counts()
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
