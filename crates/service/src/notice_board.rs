//! The admins' notices (`POST /api/v1/admin/notices`): kept in the
//! store's overlays under `notice:<id>` so they survive a restart, and
//! mirrored in memory so a chat turn never scans the store. The replies
//! carry them through the engine's composer ([`accueil_engine::reply::Composer`]).

use std::sync::{Arc, Mutex, PoisonError, RwLock};

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
/// the store. Writes go to the store first, then to the mirror, one at a
/// time. One server owns its sled folder, so the mirror cannot go stale;
/// a store shared by several servers would need [`Board::load`] again
/// from time to time.
pub struct Board {
    notices: RwLock<Arc<Vec<Notice>>>,
    write: Mutex<()>,
}

impl Default for Board {
    fn default() -> Self {
        Board {
            notices: RwLock::new(Arc::new(Vec::new())),
            write: Mutex::new(()),
        }
    }
}

impl Board {
    /// Read every notice from the store. An unreadable entry (written by
    /// another version) is skipped and named in the second value.
    pub fn load(store: &dyn Store) -> Result<(Board, Vec<String>), StoreError> {
        let mut notices = Vec::new();
        let mut skipped = Vec::new();
        for (name, bytes) in store.overlays()? {
            if !name.starts_with(OVERLAY_PREFIX) {
                continue;
            }
            match serde_json::from_slice::<Notice>(&bytes) {
                Ok(n) if matches!(n.origin, Origin::Admin { .. }) => notices.push(n),
                _ => skipped.push(name),
            }
        }
        notices.sort_by(|a, b| a.id.cmp(&b.id));
        Ok((
            Board {
                notices: RwLock::new(Arc::new(notices)),
                write: Mutex::new(()),
            },
            skipped,
        ))
    }

    /// Every admin notice, by id.
    pub fn snapshot(&self) -> Arc<Vec<Notice>> {
        // A poisoned lock only means a panic elsewhere; the `Arc` is whole.
        self.notices
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn get(&self, id: &str) -> Option<Notice> {
        self.snapshot().iter().find(|n| n.id == id).cloned()
    }

    /// Create or replace a notice; `true` if it was created.
    pub fn put(&self, store: &dyn Store, notice: Notice) -> Result<bool, StoreError> {
        let _one = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let bytes = serde_json::to_vec(&notice)
            .map_err(|e| StoreError(format!("encoding a notice: {e}")))?;
        store.put_overlay(&format!("{OVERLAY_PREFIX}{}", notice.id), &bytes)?;
        let mut next: Vec<Notice> = self.snapshot().as_ref().clone();
        let created = match next.iter_mut().find(|n| n.id == notice.id) {
            Some(old) => {
                *old = notice;
                false
            }
            None => {
                next.push(notice);
                next.sort_by(|a, b| a.id.cmp(&b.id));
                true
            }
        };
        self.swap(next);
        Ok(created)
    }

    /// Remove a notice; `true` if it existed.
    pub fn remove(&self, store: &dyn Store, id: &str) -> Result<bool, StoreError> {
        let _one = self.write.lock().unwrap_or_else(PoisonError::into_inner);
        let existed = store.remove_overlay(&format!("{OVERLAY_PREFIX}{id}"))?;
        let mut next: Vec<Notice> = self.snapshot().as_ref().clone();
        next.retain(|n| n.id != id);
        self.swap(next);
        Ok(existed)
    }

    fn swap(&self, next: Vec<Notice>) {
        *self.notices.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;
    use accueil_engine::notices::Origin;

    fn notice(id: &str) -> Notice {
        Notice {
            id: id.into(),
            site: None,
            starts_at: 1_000,
            ends_at: 2_000,
            text: "Le guichet est fermé lundi.".into(),
            link: None,
            intents: vec![],
            domains: vec![],
            origin: Origin::Admin {
                by: "root".into(),
                at: 0,
            },
        }
    }

    #[test]
    fn the_board_mirrors_the_store() {
        let store = SledStore::temporary().unwrap();
        let (board, skipped) = Board::load(&store).unwrap();
        assert!(board.snapshot().is_empty() && skipped.is_empty());
        assert!(board.put(&store, notice("b")).unwrap());
        assert!(board.put(&store, notice("a")).unwrap());
        let replaced = Notice {
            text: "Autre texte.".into(),
            ..notice("a")
        };
        assert!(!board.put(&store, replaced).unwrap());
        store.put_overlay("notice:corrupt", b"{").unwrap();
        store.put_overlay("other:thing", b"{}").unwrap();
        let (again, skipped) = Board::load(&store).unwrap();
        let ids: Vec<String> = again.snapshot().iter().map(|n| n.id.clone()).collect();
        assert_eq!(ids, vec!["a", "b"]);
        assert_eq!(again.get("a").unwrap().text, "Autre texte.");
        assert_eq!(skipped, vec!["notice:corrupt"]);
        assert!(again.remove(&store, "a").unwrap());
        assert!(!again.remove(&store, "a").unwrap());
        assert!(again.get("a").is_none());
        assert_eq!(store.get_overlay("notice:a").unwrap(), None);
    }
}
