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
//! The paraphrases come from the store, read asynchronously by
//! [`Library::list`] before the blocking work; reads are numbered when
//! they start, and a list is laid only if no later read was laid already,
//! so two racing agents' actions can never leave the older list served.
//! A read that fails keeps the list laid before.
//!
//! Readers take a snapshot ([`Library::served`], an `Arc` copy under a
//! lock held for that copy) and keep it for a whole request, whatever
//! swaps happen meanwhile. The calls that load or lay block (files, index
//! build): async callers run them on a blocking thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use accueil_engine::content::ContentError;
use accueil_engine::engine::Engine;
use accueil_engine::semantic::Setup;

use crate::review::paraphrases::{self, Paraphrase};
use crate::store::{Store, StoreError};

/// The files' engine, the served one, and the paraphrases laid.
#[derive(Clone)]
struct Shelves {
    files: Arc<Engine>,
    served: Arc<Engine>,
    laid: Arc<Listed>,
}

/// The agents' paraphrases as read from the store, numbered in the order
/// the reads started (see [`Library::list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    read: u64,
    paraphrases: Vec<Paraphrase>,
    /// The read failed: `paraphrases` is empty and means nothing.
    failed: bool,
}

impl Listed {
    /// The first list, read before the library exists.
    pub async fn first(store: &dyn Store) -> Listed {
        Listed::from_read(0, store.paraphrases().list().await)
    }

    /// A list given as is (tests, tools without a store).
    pub fn of(paraphrases: Vec<Paraphrase>) -> Listed {
        Listed {
            read: 0,
            paraphrases,
            failed: false,
        }
    }

    fn from_read(read: u64, result: Result<Vec<Paraphrase>, StoreError>) -> Listed {
        match result {
            Ok(paraphrases) => Listed {
                read,
                paraphrases,
                failed: false,
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot read the agents' paraphrases");
                Listed {
                    read,
                    paraphrases: Vec::new(),
                    failed: true,
                }
            }
        }
    }
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
    /// The number of the next [`Library::list`].
    reads: AtomicU64,
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
    pub fn new(root: &Path, files: Engine, listed: Listed) -> Library {
        Library::with_semantic(root, files, listed, None)
    }

    /// [`Library::new`] with the semantic layer of `semantic` on every
    /// engine it serves (built now for `files` when it has none).
    pub fn with_semantic(
        root: &Path,
        files: Engine,
        listed: Listed,
        semantic: Option<Setup>,
    ) -> Library {
        let files = match (&semantic, &files.semantic) {
            (Some(setup), None) => attach(files, setup),
            _ => files,
        };
        let files = Arc::new(files);
        let served = lay(files.clone(), &listed, semantic.as_ref());
        Library {
            semantic,
            root: root.to_owned(),
            shelves: RwLock::new(Shelves {
                files,
                served,
                laid: Arc::new(listed),
            }),
            changing: Mutex::new(()),
            reads: AtomicU64::new(1),
        }
    }

    /// Read the agents' paraphrases for a [`Library::reload`] or
    /// [`Library::relay`] (numbered before the read starts).
    pub async fn list(&self, store: &dyn Store) -> Listed {
        let read = self.reads.fetch_add(1, Ordering::SeqCst);
        Listed::from_read(read, store.paraphrases().list().await)
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

    /// The newer of `listed` and the list laid now (a failed read keeps
    /// the list laid before).
    fn newer(&self, listed: Listed) -> Arc<Listed> {
        let laid = self.shelves().laid;
        if listed.read > laid.read && !listed.failed {
            Arc::new(listed)
        } else {
            laid
        }
    }

    /// Re-read and check the files, lay the paraphrases over them and swap
    /// both in. On error nothing changes.
    pub fn reload(&self, listed: Listed) -> Result<Reloaded, ContentError> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        let mut files = Engine::load(&self.root)?;
        if let Some(setup) = &self.semantic {
            files = attach(files, setup);
        }
        let files = Arc::new(files);
        let laid = self.newer(listed);
        let served = lay(files.clone(), &laid, self.semantic.as_ref());
        let reloaded = Reloaded {
            version: served.content.version.clone(),
            previous_version: String::new(),
            intents: served.content.intents.len(),
            warnings: served.content.warnings.len(),
        };
        let previous = self.swap(Shelves {
            files,
            served,
            laid,
        });
        Ok(Reloaded {
            previous_version: previous.served.content.version.clone(),
            ..reloaded
        })
    }

    /// After the agents' paraphrases changed: lay them over the same files
    /// and swap the served engine in. Returns it. A list older than the
    /// one laid (a racing relay got there first) changes nothing.
    pub fn relay(&self, listed: Listed) -> Arc<Engine> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        let shelves = self.shelves();
        let laid = self.newer(listed);
        if Arc::ptr_eq(&laid, &shelves.laid) {
            return shelves.served;
        }
        let files = shelves.files;
        let served = lay(files.clone(), &laid, self.semantic.as_ref());
        self.swap(Shelves {
            files,
            served: served.clone(),
            laid,
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

/// The files' engine with the listed paraphrases (the files' engine
/// itself when none adds anything).
fn lay(files: Arc<Engine>, listed: &Listed, semantic: Option<&Setup>) -> Arc<Engine> {
    match paraphrases::with_paraphrases(&files, &listed.paraphrases) {
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

    #[tokio::test]
    async fn reload_relay_and_a_failed_reload() {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let dir = tmp.path().to_owned();
        copy_dir(&fixture(), &dir);
        let store = SledStore::temporary().expect("store");
        let library = Library::new(
            &dir,
            Engine::load(&dir).expect("fixture loads"),
            Listed::first(&store).await,
        );
        let before = library.served();
        assert!(Arc::ptr_eq(&library.files(), &before), "nothing to lay yet");
        let intent = "sejour.renouvellement".to_owned();
        let text = "mon papier pour rester en france se termine bientot";
        assert_ne!(before.decide(text).intent.as_deref(), Some(intent.as_str()));
        let id = crate::store::EntryId::of("q");
        let taught = Paraphrase {
            intent: intent.clone(),
            text: text.into(),
            question: id.hex(),
            by: "alice".into(),
            at: 1,
        };
        let stale = library.list(&store).await;
        store
            .inbox()
            .update(id, &mut |_| {
                crate::store::Change::Put(Box::default(), crate::store::Taught::Set(taught.clone()))
            })
            .await
            .expect("stored");
        assert!(
            Arc::ptr_eq(&library.served(), &before),
            "nothing changes before the relay"
        );
        let fresh = library.list(&store).await;
        let served = library.relay(fresh);
        assert!(!Arc::ptr_eq(&library.files(), &served));
        assert!(
            Arc::ptr_eq(&library.relay(stale), &served),
            "an older read, relayed last, changes nothing"
        );
        assert_eq!(
            served.decide(text).intent.as_deref(),
            Some(intent.as_str()),
            "the relayed engine knows the paraphrase"
        );
        let reloaded = library.reload(library.list(&store).await).expect("reload");
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
        assert!(library.reload(library.list(&store).await).is_err());
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
