//! The PostgreSQL store: every repository of [`accueil_service::store`]
//! in one database that several instances share, so that a conversation
//! started on one continues on another, an agent's action on one is
//! answered by all, and a restart loses nothing.
//!
//! - Schema migrations ([`MIGRATIONS`]) are applied at start, in order,
//!   each once (the `accueil_schema` table keeps the versions applied),
//!   under an advisory lock so two instances starting together do not
//!   both migrate.
//! - Transactions where the embedded store has them: an entry and its
//!   paraphrase change together; a waiting question is recorded in its
//!   entry and removed together. Updates of one entry are serialised by a
//!   transaction-scoped advisory lock on its id, which also covers the
//!   entry that does not exist yet (`SELECT … FOR UPDATE` would lock
//!   nothing there).
//! - Counters are added element by element in SQL (`unnest … WITH
//!   ORDINALITY`), with no read in the application.
//! - Expiry and purge are SQL `DELETE`s.
//! - A one-row `changes` table counts the changes of paraphrases and
//!   notices, bumped in the same transaction; instances poll it
//!   ([`Store::changes`]) to pick up the others' changes.
//!
//! Sessions are not bounded by count here (the database is sized for
//! it); they expire by time like the embedded ones. Connections go
//! without TLS: reach the database on a private network or a Unix socket
//! (`host=/var/run/postgresql`), as docs/DEPLOY.md says.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::types::Json;
use tokio_postgres::{NoTls, Row};

use accueil_engine::notices::Notice;
use accueil_service::store::{
    Change, CounterKey, Counters, Entry, EntryId, Inbox, Millis, Notices, Paraphrase, Paraphrases,
    Pending, PendingQuestions, SessionLookup, Sessions, Status, Store, StoreError, Summary, Taught,
    ID_BYTES,
};

/// Connections kept by default in one instance's pool.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// The schema, one step per version. Never edit a step once released: add
/// the next one.
pub const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    r#"
CREATE TABLE sessions (
    id text PRIMARY KEY,
    expires_at bigint NOT NULL,
    state bytea NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE TABLE inbox (
    id bytea PRIMARY KEY,
    count bigint NOT NULL,
    first_seen bigint NOT NULL,
    last_seen bigint NOT NULL,
    status text NOT NULL,
    purged boolean NOT NULL,
    sites text[] NOT NULL,
    entry jsonb NOT NULL
);
CREATE TABLE pending (
    ticket text PRIMARY KEY,
    expires_at bigint NOT NULL,
    question jsonb NOT NULL
);
CREATE TABLE counters (
    day integer NOT NULL,
    kind "char" NOT NULL,
    intent text NOT NULL,
    vals bigint[] NOT NULL,
    PRIMARY KEY (day, kind, intent)
);
CREATE TABLE paraphrases (
    entry bytea PRIMARY KEY,
    at bigint NOT NULL,
    paraphrase jsonb NOT NULL
);
CREATE TABLE notices (
    id text PRIMARY KEY,
    notice jsonb NOT NULL
);
CREATE TABLE changes (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO changes (one, version) VALUES (true, 0);
"#,
)];

/// Advisory lock key of the migrations (any constant shared by instances).
const MIGRATION_LOCK: i64 = 0x6163_6375_6569_6c01;

fn fail(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("{what}: {e}"))
}

/// The store in a PostgreSQL database.
pub struct PgStore {
    pool: Pool,
    /// Sessions counted at the latest purge (`Sessions::alive` must not
    /// wait on the database).
    alive: AtomicU64,
}

impl PgStore {
    /// Connect to `url` (`postgres://user:password@host:port/db`, or the
    /// key=value form), check the database answers and apply the schema
    /// migrations. The error says what failed: a bad URL, an unreachable
    /// server, a refused login, a failed migration.
    pub async fn connect(url: &str, pool_size: usize) -> Result<PgStore, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| fail("the PostgreSQL URL is not valid", e))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| fail("cannot set up the connection pool", e))?;
        let store = PgStore {
            pool,
            alive: AtomicU64::new(0),
        };
        store.migrate().await?;
        let alive = store
            .client()
            .await?
            .query_one("SELECT count(*) FROM sessions", &[])
            .await
            .map_err(|e| fail("counting sessions", e))?
            .get::<_, i64>(0);
        store.alive.store(alive.max(0) as u64, Ordering::Relaxed);
        Ok(store)
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| fail("cannot reach PostgreSQL", e))
    }

    /// Apply the migrations not applied yet; returns the schema version.
    pub async fn migrate(&self) -> Result<i32, StoreError> {
        let mut client = self.client().await?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| fail("locking the schema", e))?;
        let result = apply(&mut client).await;
        let unlocked = client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await;
        let version = result?;
        unlocked.map_err(|e| fail("unlocking the schema", e))?;
        Ok(version)
    }
}

async fn apply(client: &mut Object) -> Result<i32, StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS accueil_schema (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(|e| fail("creating the schema table", e))?;
    let current: i32 = client
        .query_one("SELECT coalesce(max(version), 0) FROM accueil_schema", &[])
        .await
        .map_err(|e| fail("reading the schema version", e))?
        .get(0);
    let mut version = current;
    for (step, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("starting a migration", e))?;
        tx.batch_execute(sql)
            .await
            .map_err(|e| fail(&format!("schema migration {step}"), e))?;
        tx.execute("INSERT INTO accueil_schema (version) VALUES ($1)", &[step])
            .await
            .map_err(|e| fail(&format!("recording schema migration {step}"), e))?;
        tx.commit()
            .await
            .map_err(|e| fail(&format!("committing schema migration {step}"), e))?;
        tracing::info!(version = step, "schema migration applied");
        version = *step;
    }
    Ok(version)
}

fn status_text(s: Status) -> &'static str {
    s.as_str()
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// The advisory lock key of an entry: its first 8 bytes.
fn lock_key(id: EntryId) -> i64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&id.0[..8]);
    i64::from_be_bytes(first)
}

fn entry_id(bytes: &[u8]) -> Option<EntryId> {
    <[u8; ID_BYTES]>::try_from(bytes).ok().map(EntryId)
}

fn summary_of(row: &Row) -> Result<Summary, tokio_postgres::Error> {
    Ok(Summary {
        count: u64_of(row.try_get("count")?),
        first_seen: u64_of(row.try_get("first_seen")?),
        last_seen: u64_of(row.try_get("last_seen")?),
        status: Status::parse(row.try_get("status")?).unwrap_or_default(),
        purged: row.try_get("purged")?,
        sites: row.try_get("sites")?,
    })
}

/// An entry as stored; `None` if it cannot be read (another version).
fn entry_of(row: &Row, column: &str) -> Option<Entry> {
    row.try_get::<_, Json<Entry>>(column).ok().map(|j| j.0)
}

async fn bump(client: &impl GenericClient) -> Result<(), StoreError> {
    client
        .execute("UPDATE changes SET version = version + 1", &[])
        .await
        .map_err(|e| fail("counting a change", e))?;
    Ok(())
}

async fn put_entry(
    client: &impl GenericClient,
    id: EntryId,
    entry: &Entry,
) -> Result<(), StoreError> {
    let s = entry.summary();
    client
        .execute(
            "INSERT INTO inbox (id, count, first_seen, last_seen, status, purged, sites, entry)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET count = EXCLUDED.count,
                first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen,
                status = EXCLUDED.status, purged = EXCLUDED.purged,
                sites = EXCLUDED.sites, entry = EXCLUDED.entry",
            &[
                &id.0.as_slice(),
                &i64_of(s.count),
                &i64_of(s.first_seen),
                &i64_of(s.last_seen),
                &status_text(s.status),
                &s.purged,
                &s.sites,
                &Json(entry),
            ],
        )
        .await
        .map_err(|e| fail("writing an inbox entry", e))?;
    Ok(())
}

async fn locked_entry(
    client: &impl GenericClient,
    id: EntryId,
) -> Result<Option<Entry>, StoreError> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&lock_key(id)])
        .await
        .map_err(|e| fail("locking an inbox entry", e))?;
    Ok(client
        .query_opt("SELECT entry FROM inbox WHERE id = $1", &[&id.0.as_slice()])
        .await
        .map_err(|e| fail("reading an inbox entry", e))?
        .and_then(|row| entry_of(&row, "entry")))
}

#[async_trait]
impl Sessions for PgStore {
    async fn get(&self, id: &str, now: Millis) -> Result<SessionLookup, StoreError> {
        let client = self.client().await?;
        let Some(row) = client
            .query_opt(
                "SELECT state, expires_at FROM sessions WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(|e| fail("reading a session", e))?
        else {
            return Ok(SessionLookup::Missing);
        };
        let expires_at = u64_of(row.get("expires_at"));
        if expires_at <= now {
            client
                .execute(
                    "DELETE FROM sessions WHERE id = $1 AND expires_at <= $2",
                    &[&id, &i64_of(now)],
                )
                .await
                .map_err(|e| fail("removing an expired session", e))?;
            return Ok(SessionLookup::Expired);
        }
        Ok(SessionLookup::Found(row.get("state")))
    }

    async fn put(&self, id: &str, expires_at: Millis, state: &[u8]) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO sessions (id, expires_at, state) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at,
                    state = EXCLUDED.state",
                &[&id, &i64_of(expires_at), &state],
            )
            .await
            .map_err(|e| fail("writing a session", e))?;
        Ok(())
    }

    async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM sessions WHERE id = $1", &[&id])
            .await
            .map_err(|e| fail("removing a session", e))?;
        Ok(n > 0)
    }

    async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&i64_of(now)],
            )
            .await
            .map_err(|e| fail("purging sessions", e))?;
        let alive: i64 = client
            .query_one("SELECT count(*) FROM sessions", &[])
            .await
            .map_err(|e| fail("counting sessions", e))?
            .get(0);
        self.alive.store(u64_of(alive), Ordering::Relaxed);
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// As counted at the latest purge.
    fn alive(&self) -> u64 {
        self.alive.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Inbox for PgStore {
    async fn get(&self, id: EntryId) -> Result<Option<Entry>, StoreError> {
        Ok(self
            .client()
            .await?
            .query_opt("SELECT entry FROM inbox WHERE id = $1", &[&id.0.as_slice()])
            .await
            .map_err(|e| fail("reading an inbox entry", e))?
            .and_then(|row| entry_of(&row, "entry")))
    }

    async fn summaries(&self) -> Result<Vec<(EntryId, Summary)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, count, first_seen, last_seen, status, purged, sites
                 FROM inbox ORDER BY id",
                &[],
            )
            .await
            .map_err(|e| fail("reading the inbox", e))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let id = entry_id(row.try_get("id").ok()?)?;
                Some((id, summary_of(row).ok()?))
            })
            .collect())
    }

    async fn entries(&self, ids: &[EntryId]) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        let keys: Vec<&[u8]> = ids.iter().map(|id| id.0.as_slice()).collect();
        let rows = self
            .client()
            .await?
            .query("SELECT id, entry FROM inbox WHERE id = ANY($1)", &[&keys])
            .await
            .map_err(|e| fail("reading inbox entries", e))?;
        let mut found: HashMap<EntryId, Entry> = rows
            .iter()
            .filter_map(|row| Some((entry_id(row.try_get("id").ok()?)?, entry_of(row, "entry")?)))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| Some((*id, found.remove(id)?)))
            .collect())
    }

    async fn all(&self) -> Result<Vec<(EntryId, Entry)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query("SELECT id, entry FROM inbox ORDER BY id", &[])
            .await
            .map_err(|e| fail("reading the inbox", e))?;
        Ok(rows
            .iter()
            .filter_map(|row| Some((entry_id(row.try_get("id").ok()?)?, entry_of(row, "entry")?)))
            .collect())
    }

    async fn update(
        &self,
        id: EntryId,
        change: &mut (dyn FnMut(Option<Entry>) -> Change + Send),
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("starting a transaction", e))?;
        let old = locked_entry(&tx, id).await?;
        match change(old) {
            Change::Keep => {}
            Change::Remove => {
                tx.execute("DELETE FROM inbox WHERE id = $1", &[&id.0.as_slice()])
                    .await
                    .map_err(|e| fail("removing an inbox entry", e))?;
            }
            Change::Put(entry, taught) => {
                put_entry(&tx, id, &entry).await?;
                match taught {
                    Taught::Unchanged => {}
                    Taught::Set(p) => {
                        tx.execute(
                            "INSERT INTO paraphrases (entry, at, paraphrase) VALUES ($1, $2, $3)
                             ON CONFLICT (entry) DO UPDATE SET at = EXCLUDED.at,
                                paraphrase = EXCLUDED.paraphrase",
                            &[&id.0.as_slice(), &i64_of(p.at), &Json(&p)],
                        )
                        .await
                        .map_err(|e| fail("writing a paraphrase", e))?;
                        bump(&tx).await?;
                    }
                    Taught::Cleared => {
                        let n = tx
                            .execute(
                                "DELETE FROM paraphrases WHERE entry = $1",
                                &[&id.0.as_slice()],
                            )
                            .await
                            .map_err(|e| fail("removing a paraphrase", e))?;
                        if n > 0 {
                            bump(&tx).await?;
                        }
                    }
                }
            }
        }
        tx.commit()
            .await
            .map_err(|e| fail("committing an inbox change", e))
    }
}

#[async_trait]
impl PendingQuestions for PgStore {
    async fn put(&self, ticket: &str, question: &Pending) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO pending (ticket, expires_at, question) VALUES ($1, $2, $3)
                 ON CONFLICT (ticket) DO UPDATE SET expires_at = EXCLUDED.expires_at,
                    question = EXCLUDED.question",
                &[&ticket, &i64_of(question.expires_at), &Json(question)],
            )
            .await
            .map_err(|e| fail("writing a pending question", e))?;
        Ok(())
    }

    async fn get(&self, ticket: &str) -> Result<Option<Pending>, StoreError> {
        Ok(self
            .client()
            .await?
            .query_opt("SELECT question FROM pending WHERE ticket = $1", &[&ticket])
            .await
            .map_err(|e| fail("reading a pending question", e))?
            .and_then(|row| row.try_get::<_, Json<Pending>>("question").ok())
            .map(|j| j.0))
    }

    async fn remove(&self, ticket: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM pending WHERE ticket = $1", &[&ticket])
            .await
            .map_err(|e| fail("removing a pending question", e))?;
        Ok(n > 0)
    }

    async fn all(&self) -> Result<Vec<(String, Pending)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT ticket, question FROM pending ORDER BY ticket", &[])
            .await
            .map_err(|e| fail("reading pending questions", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let ticket: String = row.get("ticket");
            match row.try_get::<_, Json<Pending>>("question") {
                Ok(j) => out.push((ticket, j.0)),
                Err(_) => {
                    client
                        .execute("DELETE FROM pending WHERE ticket = $1", &[&ticket])
                        .await
                        .map_err(|e| fail("removing an unreadable pending question", e))?;
                }
            }
        }
        Ok(out)
    }

    async fn settle(
        &self,
        ticket: &str,
        record: &mut (dyn for<'p> FnMut(&'p Pending, Option<Entry>) -> Option<Entry> + Send),
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("starting a transaction", e))?;
        let Some(row) = tx
            .query_opt(
                "SELECT question FROM pending WHERE ticket = $1 FOR UPDATE",
                &[&ticket],
            )
            .await
            .map_err(|e| fail("reading a pending question", e))?
        else {
            return Ok(false);
        };
        let Ok(Json(p)) = row.try_get::<_, Json<Pending>>("question") else {
            tx.execute("DELETE FROM pending WHERE ticket = $1", &[&ticket])
                .await
                .map_err(|e| fail("removing an unreadable pending question", e))?;
            tx.commit().await.map_err(|e| fail("committing", e))?;
            return Ok(false);
        };
        let id = p.entry_id();
        let old = locked_entry(&tx, id).await?;
        let Some(entry) = record(&p, old) else {
            return Ok(false);
        };
        put_entry(&tx, id, &entry).await?;
        tx.execute("DELETE FROM pending WHERE ticket = $1", &[&ticket])
            .await
            .map_err(|e| fail("removing a pending question", e))?;
        tx.commit()
            .await
            .map_err(|e| fail("committing a recorded question", e))?;
        Ok(true)
    }
}

/// Kind and intent columns of a counter key (`t` and an empty intent for
/// the day's turns, `i` and the intent id).
fn counter_columns(key: &CounterKey) -> (i32, i8, &str) {
    match key {
        CounterKey::Turns { day } => (day_i32(*day), b't' as i8, ""),
        CounterKey::Intent { day, intent } => (day_i32(*day), b'i' as i8, intent.as_str()),
    }
}

fn day_i32(day: u32) -> i32 {
    i32::try_from(day).unwrap_or(i32::MAX)
}

#[async_trait]
impl Counters for PgStore {
    async fn add(&self, adds: &[(CounterKey, &[u64])]) -> Result<(), StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO counters (day, kind, intent, vals) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (day, kind, intent) DO UPDATE SET vals = (
                    SELECT array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY n)
                    FROM unnest(counters.vals, EXCLUDED.vals) WITH ORDINALITY AS t(a, b, n)
                 )",
            )
            .await
            .map_err(|e| fail("preparing a counter update", e))?;
        for (key, deltas) in adds {
            let (day, kind, intent) = counter_columns(key);
            let vals: Vec<i64> = deltas.iter().map(|d| i64_of(*d)).collect();
            client
                .execute(&statement, &[&day, &kind, &intent, &vals])
                .await
                .map_err(|e| fail("adding to a counter", e))?;
        }
        Ok(())
    }

    async fn read(&self, from: u32, to: u32) -> Result<Vec<(CounterKey, Vec<u64>)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT day, kind, intent, vals FROM counters
                 WHERE day >= $1 AND day <= $2 ORDER BY day, kind, intent",
                &[&day_i32(from), &day_i32(to)],
            )
            .await
            .map_err(|e| fail("reading counters", e))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let day = u32::try_from(row.get::<_, i32>("day")).ok()?;
                let kind: i8 = row.get("kind");
                let key = if kind == b't' as i8 {
                    CounterKey::Turns { day }
                } else {
                    CounterKey::Intent {
                        day,
                        intent: row.get("intent"),
                    }
                };
                let vals: Vec<i64> = row.get("vals");
                Some((key, vals.into_iter().map(u64_of).collect()))
            })
            .collect())
    }

    async fn purge_before(&self, day: u32) -> Result<usize, StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM counters WHERE day < $1", &[&day_i32(day)])
            .await
            .map_err(|e| fail("purging counters", e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

#[async_trait]
impl Paraphrases for PgStore {
    async fn list(&self) -> Result<Vec<Paraphrase>, StoreError> {
        let rows = self
            .client()
            .await?
            .query("SELECT paraphrase FROM paraphrases ORDER BY at, entry", &[])
            .await
            .map_err(|e| fail("reading paraphrases", e))?;
        Ok(rows
            .iter()
            .filter_map(|row| row.try_get::<_, Json<Paraphrase>>(0).ok().map(|j| j.0))
            .collect())
    }
}

#[async_trait]
impl Notices for PgStore {
    async fn list(&self) -> Result<(Vec<Notice>, Vec<String>), StoreError> {
        let rows = self
            .client()
            .await?
            .query("SELECT id, notice FROM notices ORDER BY id", &[])
            .await
            .map_err(|e| fail("reading notices", e))?;
        let mut notices = Vec::new();
        let mut skipped = Vec::new();
        for row in &rows {
            match row.try_get::<_, Json<Notice>>("notice") {
                Ok(j) => notices.push(j.0),
                Err(_) => skipped.push(format!("notice:{}", row.get::<_, String>("id"))),
            }
        }
        Ok((notices, skipped))
    }

    async fn put(&self, notice: &Notice) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("starting a transaction", e))?;
        tx.execute(
            "INSERT INTO notices (id, notice) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET notice = EXCLUDED.notice",
            &[&notice.id, &Json(notice)],
        )
        .await
        .map_err(|e| fail("writing a notice", e))?;
        bump(&tx).await?;
        tx.commit()
            .await
            .map_err(|e| fail("committing a notice", e))
    }

    async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("starting a transaction", e))?;
        let n = tx
            .execute("DELETE FROM notices WHERE id = $1", &[&id])
            .await
            .map_err(|e| fail("removing a notice", e))?;
        bump(&tx).await?;
        tx.commit()
            .await
            .map_err(|e| fail("committing a notice removal", e))?;
        Ok(n > 0)
    }
}

#[async_trait]
impl Store for PgStore {
    accueil_service::store_accessors!();

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn shared(&self) -> bool {
        true
    }

    async fn changes(&self) -> Result<u64, StoreError> {
        let version: i64 = self
            .client()
            .await?
            .query_one("SELECT version FROM changes", &[])
            .await
            .map_err(|e| fail("reading the change counter", e))?
            .get(0);
        Ok(u64_of(version))
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute("SELECT 1", &[])
            .await
            .map_err(|e| fail("readiness probe", e))?;
        Ok(())
    }

    /// Every statement is committed when it returns: nothing to do.
    async fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
