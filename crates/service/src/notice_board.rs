//! The admins' notices (`POST /api/v1/admin/notices`): kept in the
//! store ([`crate::store::Notices`]) so they survive a restart, and
//! mirrored in memory so a chat turn never scans the store. The replies
//! carry them through the engine's composer ([`accueil_engine::reply::Composer`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::store::{Store, StoreError};
use accueil_engine::notices::{Notice, Origin, OVERLAY_PREFIX};

/// A fresh notice id for an input without one: `avis-` and 48 random bits.
pub fn new_id() -> Result<String, String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(format!("avis-{}", hex::encode(bytes)))
}

/// The admins' notices, as a snapshot each reader keeps for a turn. The
/// store is the truth; the board mirrors it so a chat turn never reads
/// the store. A write goes to the store first; then the board reads the
/// store's list again and keeps it unless a later read was kept already
/// (reads are numbered before they start, so the list kept last is the
/// newest). A store shared by several servers needs [`Board::refresh`]
/// from time to time for the others' writes.
pub struct Board {
    notices: RwLock<Kept>,
    reads: AtomicU64,
}

struct Kept {
    read: u64,
    notices: Arc<Vec<Notice>>,
}

impl Default for Board {
    fn default() -> Self {
        Board {
            notices: RwLock::new(Kept {
                read: 0,
                notices: Arc::new(Vec::new()),
            }),
            reads: AtomicU64::new(0),
        }
    }
}

impl Board {
    /// Read every notice from the store. An unreadable entry (written by
    /// another version) is skipped and named in the second value.
    pub async fn load(store: &dyn Store) -> Result<(Board, Vec<String>), StoreError> {
        let board = Board::default();
        let skipped = board.refresh(store).await?;
        Ok((board, skipped))
    }

    /// Read the store's notices again; returns the names of those that
    /// could not be read.
    pub async fn refresh(&self, store: &dyn Store) -> Result<Vec<String>, StoreError> {
        let read = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        let (listed, mut skipped) = store.notices().list().await?;
        let mut notices = Vec::with_capacity(listed.len());
        for n in listed {
            if matches!(n.origin, Origin::Admin { .. }) {
                notices.push(n);
            } else {
                skipped.push(format!("{OVERLAY_PREFIX}{}", n.id));
            }
        }
        notices.sort_by(|a, b| a.id.cmp(&b.id));
        let mut kept = self.notices.write().unwrap_or_else(PoisonError::into_inner);
        if read > kept.read {
            *kept = Kept {
                read,
                notices: Arc::new(notices),
            };
        }
        Ok(skipped)
    }

    /// Every admin notice, by id.
    pub fn snapshot(&self) -> Arc<Vec<Notice>> {
        // A poisoned lock only means a panic elsewhere; the `Arc` is whole.
        self.notices
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .notices
            .clone()
    }

    pub fn get(&self, id: &str) -> Option<Notice> {
        self.snapshot().iter().find(|n| n.id == id).cloned()
    }

    /// Create or replace a notice; `true` if it was created.
    pub async fn put(&self, store: &dyn Store, notice: Notice) -> Result<bool, StoreError> {
        let created = self.get(&notice.id).is_none();
        store.notices().put(&notice).await?;
        self.refresh(store).await?;
        Ok(created)
    }

    /// Remove a notice; `true` if it existed.
    pub async fn remove(&self, store: &dyn Store, id: &str) -> Result<bool, StoreError> {
        let existed = store.notices().remove(id).await?;
        self.refresh(store).await?;
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    fn notice(id: &str) -> Notice {
        Notice::by_agent(id, "Le guichet est fermé lundi.", 1_000, 2_000, "root")
    }

    #[tokio::test]
    async fn the_board_mirrors_the_store() {
        let store = SledStore::temporary().unwrap();
        let (board, skipped) = Board::load(&store).await.unwrap();
        assert!(board.snapshot().is_empty() && skipped.is_empty());
        assert!(board.put(&store, notice("b")).await.unwrap());
        assert!(board.put(&store, notice("a")).await.unwrap());
        let replaced = Notice {
            text: "Autre texte.".into(),
            ..notice("a")
        };
        assert!(!board.put(&store, replaced).await.unwrap());
        // A notice of the content files has no business in the store.
        let content = Notice {
            origin: Origin::Content {
                path: "x.toml".into(),
                line: 1,
            },
            ..notice("c")
        };
        store.notices().put(&content).await.unwrap();
        let (again, skipped) = Board::load(&store).await.unwrap();
        let ids: Vec<String> = again.snapshot().iter().map(|n| n.id.clone()).collect();
        assert_eq!(ids, vec!["a", "b"]);
        assert_eq!(again.get("a").unwrap().text, "Autre texte.");
        assert_eq!(skipped, vec!["notice:c"]);
        assert!(again.remove(&store, "a").await.unwrap());
        assert!(!again.remove(&store, "a").await.unwrap());
        assert!(again.get("a").is_none());
        // Another instance's write shows after a refresh.
        store.notices().put(&notice("d")).await.unwrap();
        assert!(again.get("d").is_none());
        again.refresh(&store).await.unwrap();
        assert!(again.get("d").is_some());
    }
}
