//! The inbox as agents read and act on it: listing with filters, sorting
//! and cursors; the three actions; retention.
//!
//! Listing reads every entry's binary summary and sorts in memory, then
//! decodes only the page returned: the inbox holds one entry per distinct
//! question over the retention period (thousands, not millions), and
//! 10,000 entries list in about 10 ms (see docs/REVIEW.md), far less than
//! keeping sorted indexes in step with every recorded question. A cursor
//! is the sort key of the last item returned, so paging is stable while
//! new questions arrive (an entry whose count grows meanwhile may move to
//! a page already read).

use serde::Serialize;

use super::counters;
use super::entry::{Action, Entry, EntryId, Status, Summary};
use super::paraphrases::Paraphrase;
use super::record::{sweep_pending, Swept};
use super::time::{day_of, DAY_MILLIS};
use crate::store::{Change, Millis, Store, StoreError, Taught};

/// Most items per page.
pub const MAX_LIMIT: usize = 500;
/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: usize = 50;

/// Every readable entry but tombstones, in key order.
pub async fn entries(store: &dyn Store) -> Result<Vec<(EntryId, Entry)>, StoreError> {
    Ok(store
        .inbox()
        .all()
        .await?
        .into_iter()
        .filter(|(_, e)| !e.purged)
        .collect())
}

/// One entry, tombstones included.
pub async fn entry(store: &dyn Store, id: EntryId) -> Result<Option<Entry>, StoreError> {
    store.inbox().get(id).await
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Most asked first (then most recent).
    Count,
    /// Most recently asked first.
    Recent,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "count" => Some(Sort::Count),
            "recent" => Some(Sort::Recent),
            _ => None,
        }
    }
}

/// The position after which a page starts: the sort key of the last item
/// of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    count: u64,
    last_seen: Millis,
    id: EntryId,
}

impl Cursor {
    fn of(sort: Sort, id: EntryId, e: &Summary) -> Cursor {
        Cursor {
            count: if sort == Sort::Count { e.count } else { 0 },
            last_seen: e.last_seen,
            id,
        }
    }

    /// `c.<count>.<last seen>.<id>` or `r.<last seen>.<id>`.
    pub fn encode(&self, sort: Sort) -> String {
        match sort {
            Sort::Count => format!("c.{}.{}.{}", self.count, self.last_seen, self.id.hex()),
            Sort::Recent => format!("r.{}.{}", self.last_seen, self.id.hex()),
        }
    }

    pub fn parse(sort: Sort, text: &str) -> Result<Cursor, String> {
        let bad = || {
            format!(
                "`{text}` is not a cursor of this listing (sort={})",
                match sort {
                    Sort::Count => "count",
                    Sort::Recent => "recent",
                }
            )
        };
        let parts: Vec<&str> = text.split('.').collect();
        let (count, last_seen, id) = match (sort, parts.as_slice()) {
            (Sort::Count, ["c", count, seen, id]) => {
                (count.parse().map_err(|_| bad())?, *seen, *id)
            }
            (Sort::Recent, ["r", seen, id]) => (0, *seen, *id),
            _ => return Err(bad()),
        };
        Ok(Cursor {
            count,
            last_seen: last_seen.parse().map_err(|_| bad())?,
            id: EntryId::parse(id).ok_or_else(bad)?,
        })
    }

    /// Sort key: smaller comes first.
    fn key(&self) -> (std::cmp::Reverse<u64>, std::cmp::Reverse<Millis>, EntryId) {
        (
            std::cmp::Reverse(self.count),
            std::cmp::Reverse(self.last_seen),
            self.id,
        )
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: every status.
    pub status: Option<Status>,
    /// Only questions asked on this site.
    pub site: Option<String>,
    /// Only questions asked at or after this time.
    pub since: Option<Millis>,
}

impl Filter {
    /// Whether the entry of this summary is listed (never a tombstone).
    pub fn keeps(&self, e: &Summary) -> bool {
        !e.purged
            && self.status.is_none_or(|s| e.status == s)
            && self.site.as_ref().is_none_or(|s| e.sites.contains(s))
            && self.since.is_none_or(|t| e.last_seen >= t)
    }
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<(EntryId, Entry)>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Entries matching the filter, all pages together.
    pub total: usize,
}

/// Every entry that `filter` keeps, in `sort` order.
pub async fn sorted(
    store: &dyn Store,
    filter: &Filter,
    sort: Sort,
) -> Result<Vec<(EntryId, Entry)>, StoreError> {
    let kept = keyed(store, filter, sort).await?;
    let ids: Vec<EntryId> = kept.iter().map(|(_, id)| *id).collect();
    store.inbox().entries(&ids).await
}

/// The entries `filter` keeps, in `sort` order, by their summaries.
async fn keyed(
    store: &dyn Store,
    filter: &Filter,
    sort: Sort,
) -> Result<Vec<(Cursor, EntryId)>, StoreError> {
    let mut kept: Vec<(Cursor, EntryId)> = store
        .inbox()
        .summaries()
        .await?
        .into_iter()
        .filter(|(_, summary)| filter.keeps(summary))
        .map(|(id, summary)| (Cursor::of(sort, id, &summary), id))
        .collect();
    kept.sort_by_key(|a| a.0.key());
    Ok(kept)
}

/// A page of the entries that `filter` keeps, in `sort` order, after `cursor`.
pub async fn list(
    store: &dyn Store,
    filter: &Filter,
    sort: Sort,
    limit: usize,
    cursor: Option<&Cursor>,
) -> Result<Page, StoreError> {
    let kept = keyed(store, filter, sort).await?;
    let total = kept.len();
    let start = match cursor {
        Some(c) => kept.partition_point(|(k, _)| k.key() <= c.key()),
        None => 0,
    };
    let limit = limit.clamp(1, MAX_LIMIT);
    let more = kept.len() > start + limit;
    let page: Vec<(Cursor, EntryId)> = kept.into_iter().skip(start).take(limit).collect();
    let ids: Vec<EntryId> = page.iter().map(|(_, id)| *id).collect();
    let items = store.inbox().entries(&ids).await?;
    let next_cursor = if more {
        page.last().map(|(c, _)| c.encode(sort))
    } else {
        None
    };
    Ok(Page {
        items,
        next_cursor,
        total,
    })
}

/// An agent's action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Make the question a paraphrase of `intent`, with this text.
    Attach {
        intent: String,
        paraphrase: String,
    },
    Dismiss,
    ToWrite,
}

impl Act {
    pub fn name(&self) -> &'static str {
        match self {
            Act::Attach { .. } => "attach",
            Act::Dismiss => "dismiss",
            Act::ToWrite => "to_write",
        }
    }

    fn status(&self) -> Status {
        match self {
            Act::Attach { .. } => Status::Attached,
            Act::Dismiss => Status::Dismissed,
            Act::ToWrite => Status::ToWrite,
        }
    }
}

/// What an action found.
#[derive(Debug, Clone, PartialEq)]
pub enum Acted {
    Done(Box<Entry>),
    /// No such entry.
    Unknown,
    /// Retention removed its text: there is nothing to attach.
    Purged,
}

/// Apply an action in one transaction: the entry's status and history,
/// and the paraphrase (set by `attach`, removed by the others, so that
/// `attached` always means "taught").
pub async fn act(
    store: &dyn Store,
    id: EntryId,
    action: &Act,
    by: &str,
    now: Millis,
) -> Result<Acted, StoreError> {
    let mut acted = Acted::Unknown;
    store
        .inbox()
        .update(id, &mut |old| {
            acted = Acted::Unknown;
            let Some(mut e) = old else {
                return Change::Keep;
            };
            let (intent, taught) = match action {
                Act::Attach { intent, paraphrase } => {
                    if e.purged {
                        acted = Acted::Purged;
                        return Change::Keep;
                    }
                    let p = Paraphrase {
                        intent: intent.clone(),
                        text: paraphrase.clone(),
                        question: id.hex(),
                        by: by.to_owned(),
                        at: now,
                    };
                    (Some(intent.clone()), Taught::Set(p))
                }
                Act::Dismiss | Act::ToWrite => (None, Taught::Cleared),
            };
            e.act(
                action.status(),
                Action {
                    action: action.name().to_owned(),
                    intent,
                    by: by.to_owned(),
                    at: now,
                },
            );
            acted = Acted::Done(Box::new(e.clone()));
            Change::Put(Box::new(e), taught)
        })
        .await?;
    Ok(acted)
}

/// What a retention purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// New entries not asked within the retention period, removed.
    pub removed: usize,
    /// Entries an agent acted on, not asked within the period: their text
    /// removed, their status kept (tombstones).
    pub emptied: usize,
    /// Entries whose older days were trimmed.
    pub trimmed: usize,
    /// Day counters older than the period, removed.
    pub counters: usize,
    /// Pending questions whose session expired.
    pub pending: Swept,
}

/// Remove what is older than `retention_days` days, and settle the pending
/// questions of expired sessions.
pub async fn purge(
    store: &dyn Store,
    now: Millis,
    retention_days: u32,
) -> Result<Purged, StoreError> {
    let cutoff = now.saturating_sub(u64::from(retention_days) * DAY_MILLIS);
    let cutoff_day = day_of(cutoff);
    let mut purged = Purged {
        pending: sweep_pending(store, now).await?,
        ..Purged::default()
    };
    for (id, e) in store.inbox().all().await? {
        let old_days = e.days.range(..cutoff_day).next().is_some();
        let expired = !e.purged && e.last_seen < cutoff;
        if !old_days && !expired {
            continue;
        }
        // Again inside a transaction: the question may be asked meanwhile.
        let mut what = (0, 0, 0);
        store
            .inbox()
            .update(id, &mut |old| {
                what = (0, 0, 0);
                let Some(mut e) = old else {
                    return Change::Keep;
                };
                if !e.purged && e.last_seen < cutoff {
                    if e.status == Status::New {
                        what = (1, 0, 0);
                        return Change::Remove;
                    }
                    e.text.clear();
                    e.normalized.clear();
                    e.reasons.clear();
                    e.candidates.clear();
                    e.days.clear();
                    e.purged = true;
                    what = (0, 1, 0);
                } else {
                    e.days = e.days.split_off(&cutoff_day);
                    what = (0, 0, 1);
                }
                Change::Put(Box::new(e), Taught::Unchanged)
            })
            .await?;
        purged.removed += what.0;
        purged.emptied += what.1;
        purged.trimmed += what.2;
    }
    purged.counters = counters::purge_before(store, cutoff_day).await?;
    Ok(purged)
}
