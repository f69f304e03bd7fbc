//! The library: the content files and the agents' overlays, and the one
//! engine served from them.
//!
//! The served engine is always the files' engine with the agents'
//! paraphrases laid over it (at start, after a reload, after an agent's
//! action), never a previous mix; both are kept, because an agent's
//! action is checked against the files alone (see
//! [`crate::review::paraphrases::fit`]). Every change goes through one
//! swap, one at a time: [`Library::reload`] (the admin endpoint, SIGHUP)
//! and [`Library::relay`] (attach, dismiss, undo). A reload that fails
//! keeps what is served and returns every diagnostic.
//!
//! Readers take a snapshot ([`Library::served`], an `Arc` copy under a
//! lock held for that copy) and keep it for a whole request, whatever
//! swaps happen meanwhile. The calls that load or lay block (files, index
//! build): async callers run them on a blocking thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use accueil_engine::content::ContentError;
use accueil_engine::engine::Engine;
use accueil_engine::semantic::Setup;

use crate::review::paraphrases;
use crate::store::Store;

/// The files' engine and the served one.
#[derive(Clone)]
struct Shelves {
    files: Arc<Engine>,
    served: Arc<Engine>,
}

pub struct Library {
    root: PathBuf,
    /// The sentence encoder every new engine gets its semantic view from;
    /// `None`: lexical matching only.
    semantic: Option<Setup>,
    shelves: RwLock<Shelves>,
    /// One change at a time: two racing reloads could otherwise swap in
    /// the older files last, and a relay could lay over stale files.
    changing: Mutex<()>,
}

/// What a successful reload changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    pub version: String,
    pub previous_version: String,
    pub intents: usize,
    pub warnings: usize,
}

impl Library {
    /// The library of the content under `root`, already loaded as `files`,
    /// with the stored paraphrases laid over it.
    pub fn new(root: &Path, files: Engine, store: &dyn Store) -> Library {
        Library::with_semantic(root, files, store, None)
    }

    /// [`Library::new`] with the semantic layer of `semantic` on every
    /// engine it serves (built now for `files` when it has none).
    pub fn with_semantic(
        root: &Path,
        files: Engine,
        store: &dyn Store,
        semantic: Option<Setup>,
    ) -> Library {
        let files = match (&semantic, &files.semantic) {
            (Some(setup), None) => attach(files, setup),
            _ => files,
        };
        let files = Arc::new(files);
        let served = lay(files.clone(), store, semantic.as_ref());
        Library {
            semantic,
            root: root.to_owned(),
            shelves: RwLock::new(Shelves { files, served }),
            changing: Mutex::new(()),
        }
    }

    /// Whether the engines get the sentence encoder's view.
    pub fn semantic(&self) -> Option<&Setup> {
        self.semantic.as_ref()
    }

    /// The content root the files are read from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn shelves(&self) -> Shelves {
        // A poisoned lock only means a panic elsewhere while holding it;
        // the `Arc`s inside are always whole, so keep serving them.
        self.shelves
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The engine to answer with: a snapshot for the caller to keep.
    pub fn served(&self) -> Arc<Engine> {
        self.shelves().served
    }

    /// The engine of the files alone, without the agents' paraphrases.
    pub fn files(&self) -> Arc<Engine> {
        self.shelves().files
    }

    fn swap(&self, shelves: Shelves) -> Shelves {
        let mut slot = self.shelves.write().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *slot, shelves)
    }

    /// Re-read and check the files, lay the paraphrases over them and swap
    /// both in. On error nothing changes.
    pub fn reload(&self, store: &dyn Store) -> Result<Reloaded, ContentError> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        let mut files = Engine::load(&self.root)?;
        if let Some(setup) = &self.semantic {
            files = attach(files, setup);
        }
        let files = Arc::new(files);
        let served = lay(files.clone(), store, self.semantic.as_ref());
        let reloaded = Reloaded {
            version: served.content.version.clone(),
            previous_version: String::new(),
            intents: served.content.intents.len(),
            warnings: served.content.warnings.len(),
        };
        let previous = self.swap(Shelves { files, served });
        Ok(Reloaded {
            previous_version: previous.served.content.version.clone(),
            ..reloaded
        })
    }

    /// After the agents' paraphrases changed: lay them over the same files
    /// and swap the served engine in. Returns it.
    pub fn relay(&self, store: &dyn Store) -> Arc<Engine> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        let files = self.files();
        let served = lay(files.clone(), store, self.semantic.as_ref());
        self.swap(Shelves {
            files,
            served: served.clone(),
        });
        served
    }
}

/// `engine` with its semantic view: embeddings come from the cache but for
/// new texts (an agent's paraphrase: milliseconds; the whole content on a
/// first start: seconds).
fn attach(engine: Engine, setup: &Setup) -> Engine {
    let started = std::time::Instant::now();
    let (engine, stats, written) = engine.with_encoder(setup);
    tracing::info!(
        texts = stats.texts,
        embedded = stats.embedded,
        millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "semantic index built"
    );
    if let Err(e) = written {
        tracing::warn!(error = %e, "cannot write the semantic cache: the next start embeds again");
    }
    engine
}

/// The files' engine with the stored paraphrases (the files' engine
/// itself when none adds anything, or when the store cannot be read).
fn lay(files: Arc<Engine>, store: &dyn Store, semantic: Option<&Setup>) -> Arc<Engine> {
    let list = match paraphrases::stored(store) {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the agents' paraphrases: serving the files alone");
            return files;
        }
    };
    match paraphrases::with_paraphrases(&files, &list) {
        (Some(engine), laid) => {
            tracing::info!(
                added = laid.added,
                in_files = laid.in_files,
                skipped = laid.skipped,
                "agents' paraphrases laid over the content"
            );
            Arc::new(match semantic {
                Some(setup) => attach(engine, setup),
                None => engine,
            })
        }
        (None, laid) => {
            if laid.in_files + laid.skipped > 0 {
                tracing::info!(
                    in_files = laid.in_files,
                    skipped = laid.skipped,
                    "no agents' paraphrase to add to the content"
                );
            }
            files
        }
    }
}

#[cfg(test)]
mod tests {
    //! Properties: the served engine is the files plus the stored
    //! paraphrases; a relay picks up a new paraphrase over the same files;
    //! a reload of broken files keeps both engines; a snapshot taken before
    //! a swap stays whole.
    use super::*;
    use crate::store::SledStore;
    use crate::testing::{copy_dir, fixture};

    #[test]
    fn reload_relay_and_a_failed_reload() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let dir = tmp.path().to_owned();
        copy_dir(&fixture(), &dir);
        let store = SledStore::temporary().expect("store");
        let library = Library::new(&dir, Engine::load(&dir).expect("fixture loads"), &store);
        let before = library.served();
        assert!(Arc::ptr_eq(&library.files(), &before), "nothing to lay yet");
        let intent = "sejour.renouvellement".to_owned();
        let text = "mon papier pour rester en france se termine bientot";
        assert_ne!(before.decide(text).intent.as_deref(), Some(intent.as_str()));
        let taught = paraphrases::Paraphrase {
            intent: intent.clone(),
            text: text.into(),
            question: "00ff".into(),
            by: "alice".into(),
            at: 1,
        };
        store
            .put_overlay(
                &paraphrases::overlay_name("00ff"),
                &serde_json::to_vec(&taught).expect("json"),
            )
            .expect("stored");
        assert!(
            Arc::ptr_eq(&library.served(), &before),
            "nothing changes before the relay"
        );
        let served = library.relay(&store);
        assert!(!Arc::ptr_eq(&library.files(), &served));
        assert_eq!(
            served.decide(text).intent.as_deref(),
            Some(intent.as_str()),
            "the relayed engine knows the paraphrase"
        );
        let reloaded = library.reload(&store).expect("reload");
        assert_eq!(reloaded.version, reloaded.previous_version);
        assert_eq!(
            library.served().decide(text).intent.as_deref(),
            Some(intent.as_str()),
            "paraphrases are laid over reloaded files"
        );
        let first = std::fs::read_dir(dir.join("faq"))
            .expect("faq")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.is_dir())
            .expect("a domain folder");
        std::fs::write(first.join("broken.toml"), "id = \n").expect("write");
        let served = library.served();
        assert!(library.reload(&store).is_err());
        assert!(
            Arc::ptr_eq(&served, &library.served()),
            "failed reload keeps the engine"
        );
        assert!(
            before.content.intent(&intent).is_some(),
            "old snapshots stay whole"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
