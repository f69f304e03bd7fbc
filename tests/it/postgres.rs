//! The store contract on both backends, and several instances on one
//! PostgreSQL database.
//!
//! Properties checked, on sled and on PostgreSQL alike: sessions expire
//! and are purged by time; an entry and its paraphrase change together and
//! bump the change counter; a waiting question settles into its entry once;
//! concurrent updates of one entry lose no count; counters add element by
//! element; notices round-trip; migrations run once. With PostgreSQL, two
//! `accueil serve` on one database: a session started on A continues on
//! B; an agent's attach on A answers on B within a second; a SIGKILL of A
//! loses no acknowledged question.
//!
//! Each PostgreSQL test starts its own cluster in a temporary folder, on
//! 127.0.0.1 and a free port ([`PgCluster`]), from Debian's `postgresql`
//! package (`.ci/run` installs it). Without it the tests print
//! `SKIPPED` on the terminal and return, unless `ACCUEIL_REQUIRE_POSTGRES`
//! is set (CI sets it): then they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::review_crash::Server;
use crate::support::*;
use accueil::notices::Notice;
use accueil::review::TicketKind;
use accueil::store::{
    Change, CounterKey, Entry, EntryId, Paraphrase, Pending, SessionLookup, SledStore, Status,
    Store, Taught,
};
use accueil_postgres::PgStore;
use serde_json::json;

/// Where Debian puts the server's programs (not on `PATH`).
const DEBIAN_BINS: &str = "/usr/lib/postgresql";

fn say_skipped(why: &str) {
    // Straight to the terminal: the test harness captures `eprintln!`.
    let _ = writeln!(std::io::stderr(), "SKIPPED (PostgreSQL): {why}");
}

/// The programs a cluster needs.
const PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "createdb"];

/// The folder of the server's programs: `ACCUEIL_PG_BIN`, the newest
/// version under `/usr/lib/postgresql`, or `PATH`.
fn pg_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ACCUEIL_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let complete = |d: &Path| PROGRAMS.iter().all(|p| d.join(p).is_file());
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_BINS)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            complete(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).find(|d| complete(d)))
}

/// A PostgreSQL cluster of its own, stopped and removed on drop.
pub(crate) struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// Running as root: the server's programs run as `postgres`.
    run_as: Option<String>,
}

impl PgCluster {
    /// Start one, or say why not (`None`: skip the test).
    pub(crate) fn start() -> Option<PgCluster> {
        let required = std::env::var_os("ACCUEIL_REQUIRE_POSTGRES").is_some();
        let Some(bin) = pg_bin() else {
            assert!(
                !required,
                "ACCUEIL_REQUIRE_POSTGRES is set but no initdb was found (install Debian's postgresql)"
            );
            say_skipped("no initdb/pg_ctl (install Debian's `postgresql` package)");
            return None;
        };
        let run_as = is_root().then(|| "postgres".to_owned());
        let dir = tempfile::Builder::new()
            .prefix("accueil-pg-")
            .tempdir()
            .expect("temporary folder");
        if run_as.is_some() {
            // initdb refuses to run as root: the cluster belongs to `postgres`.
            let status = Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(
                status.success(),
                "cannot give the cluster folder to postgres"
            );
        }
        let port = free_port();
        let cluster = PgCluster {
            bin,
            dir,
            port,
            run_as,
        };
        let data = cluster.dir.path().join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            path_str(cluster.dir.path())
        );
        let log = cluster.dir.path().join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&data),
                "-l",
                path_str(&log),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
        Some(cluster)
    }

    /// One of the server's programs, run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new empty database; its URL.
    pub(crate) fn database(&self, name: &str) -> String {
        self.run(
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ],
        );
        self.url(name)
    }

    pub(crate) fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .args(["-D", path_str(&data), "-m", "immediate", "stop"])
            .output();
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

// ---- the contract -----------------------------------------------------------

fn entry(text: &str, count: u64) -> Entry {
    Entry {
        text: text.into(),
        normalized: text.into(),
        count,
        first_seen: 10,
        last_seen: 20,
        ..Entry::default()
    }
}

fn pending(text: &str, expires_at: u64) -> Pending {
    Pending {
        kind: TicketKind::Clarify,
        text: text.into(),
        normalized: text.into(),
        channel: accueil::conversation::Channel::Web,
        site: Some("prefecture-exemple".into()),
        at: 5,
        expires_at,
        guesses: vec![],
        intent: None,
        content_version: "v".into(),
    }
}

fn notice(id: &str) -> Notice {
    Notice::by_agent(id, "Le guichet est fermé lundi.", 1_000, 2_000, "root")
}

/// What every store must do, whatever keeps it.
async fn contract(store: Arc<dyn Store>) {
    let backend = store.backend();
    // Sessions: found until their expiry, then gone; purged by time.
    let sessions = store.sessions();
    sessions.put("s1", 1_000, b"state one").await.expect("put");
    sessions.put("s2", 3_000, b"state two").await.expect("put");
    assert_eq!(
        sessions.get("s1", 999).await.expect("get"),
        SessionLookup::Found(b"state one".to_vec()),
        "{backend}"
    );
    assert_eq!(
        sessions.get("s1", 1_000).await.expect("get"),
        SessionLookup::Expired
    );
    assert_eq!(
        sessions.get("s1", 0).await.expect("get"),
        SessionLookup::Missing
    );
    sessions
        .put("s2", 4_000, b"renewed")
        .await
        .expect("replace");
    assert_eq!(sessions.purge_expired(3_500).await.expect("purge"), 0);
    assert_eq!(
        sessions.get("s2", 3_500).await.expect("get"),
        SessionLookup::Found(b"renewed".to_vec())
    );
    assert_eq!(sessions.purge_expired(4_000).await.expect("purge"), 1);
    assert!(!sessions.remove("s2").await.expect("remove"));

    // An entry and its paraphrase, together; the change counter moves.
    let inbox = store.inbox();
    let id = EntryId::of("carte grise perdue");
    let before = store.changes().await.expect("changes");
    let p = Paraphrase {
        intent: "fs.ants_carte_grise".into(),
        text: "carte grise perdue".into(),
        question: id.hex(),
        by: "alice".into(),
        at: 30,
    };
    inbox
        .update(id, &mut |old| {
            assert_eq!(old, None);
            let mut e = entry("carte grise perdue", 1);
            e.sites.insert("ddtm-herault".into(), 1);
            e.status = Status::Attached;
            Change::Put(Box::new(e), Taught::Set(p.clone()))
        })
        .await
        .expect("update");
    assert!(
        store.changes().await.expect("changes") > before,
        "{backend}"
    );
    assert_eq!(store.paraphrases().list().await.expect("list"), vec![p]);
    let summaries = inbox.summaries().await.expect("summaries");
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].0, id);
    assert_eq!(summaries[0].1.status, Status::Attached);
    assert_eq!(summaries[0].1.sites, vec!["ddtm-herault".to_owned()]);
    assert_eq!((summaries[0].1.count, summaries[0].1.last_seen), (1, 20));
    inbox
        .update(id, &mut |old| {
            let mut e = old.expect("stored");
            e.status = Status::Dismissed;
            Change::Put(Box::new(e), Taught::Cleared)
        })
        .await
        .expect("dismiss");
    assert!(store.paraphrases().list().await.expect("list").is_empty());
    assert_eq!(
        inbox.get(id).await.expect("get").map(|e| e.status),
        Some(Status::Dismissed)
    );
    let other = EntryId::of("autre");
    assert_eq!(
        inbox.entries(&[other, id]).await.expect("entries").len(),
        1,
        "unknown ids are left out"
    );
    // Keep changes nothing; Remove removes.
    inbox
        .update(other, &mut |_| Change::Keep)
        .await
        .expect("keep");
    assert_eq!(inbox.get(other).await.expect("get"), None);

    // Concurrent updates of one new entry lose no count.
    let hot = EntryId::of("question chaude");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                for _ in 0..25 {
                    store
                        .inbox()
                        .update(hot, &mut |old| {
                            let mut e = old.unwrap_or_else(|| entry("question chaude", 0));
                            e.count += 1;
                            Change::Put(Box::new(e), Taught::Unchanged)
                        })
                        .await
                        .expect("concurrent update");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(
        inbox.get(hot).await.expect("get").map(|e| e.count),
        Some(200),
        "{backend}"
    );
    inbox
        .update(hot, &mut |_| Change::Remove)
        .await
        .expect("remove");
    assert_eq!(inbox.get(hot).await.expect("get"), None);
    assert_eq!(inbox.all().await.expect("all").len(), 1);

    // A waiting question settles into its entry once.
    let waiting = store.pending();
    waiting
        .put("t1", &pending("permis bateau", 50))
        .await
        .expect("put");
    waiting
        .put("t2", &pending("permis bateau", 60))
        .await
        .expect("put");
    assert!(!waiting.settle("t1", &mut |_, _| None).await.expect("left"));
    assert_eq!(waiting.all().await.expect("all").len(), 2);
    for ticket in ["t1", "t2"] {
        let settled = waiting
            .settle(ticket, &mut |p, old| {
                let mut e = old.unwrap_or_else(|| entry(&p.text, 0));
                e.count += 1;
                Some(e)
            })
            .await
            .expect("settle");
        assert!(settled, "{ticket}");
    }
    assert!(!waiting.settle("t1", &mut |_, _| None).await.expect("gone"));
    assert_eq!(waiting.get("t2").await.expect("get"), None);
    assert_eq!(
        inbox
            .get(EntryId::of("permis bateau"))
            .await
            .expect("get")
            .map(|e| e.count),
        Some(2)
    );
    waiting.put("t3", &pending("x", 70)).await.expect("put");
    assert!(waiting.remove("t3").await.expect("remove"));
    assert!(!waiting.remove("t3").await.expect("remove"));

    // Counters add element by element, by day.
    let counters = store.counters();
    let turns = |day| CounterKey::Turns { day };
    let intent = |day| CounterKey::Intent {
        day,
        intent: "sejour.recepisse".into(),
    };
    counters
        .add(&[(turns(10), &[1, 0, 2]), (intent(10), &[1])])
        .await
        .expect("add");
    counters
        .add(&[
            (turns(10), &[1, 5]),
            (turns(10), &[0, 0, 0, 1]),
            (turns(12), &[7]),
        ])
        .await
        .expect("add");
    let mut read = counters.read(10, 11).await.expect("read");
    read.sort();
    assert_eq!(
        read,
        vec![(turns(10), vec![2, 5, 2, 1]), (intent(10), vec![1])],
        "{backend}"
    );
    assert_eq!(counters.purge_before(11).await.expect("purge"), 2);
    assert_eq!(
        counters.read(0, 100).await.expect("read"),
        vec![(turns(12), vec![7])]
    );

    // Notices round-trip, and move the change counter.
    let before = store.changes().await.expect("changes");
    store.notices().put(&notice("b")).await.expect("put");
    store.notices().put(&notice("a")).await.expect("put");
    let (list, skipped) = store.notices().list().await.expect("list");
    assert_eq!(
        list.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(skipped.is_empty());
    assert!(store.notices().remove("a").await.expect("remove"));
    assert!(store.changes().await.expect("changes") >= before + 3);
    store.check().await.expect("check");
    store.flush().await.expect("flush");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_contract_holds_on_sled() {
    contract(Arc::new(SledStore::temporary().expect("store"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_contract_holds_on_postgres() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let url = pg.database("contract");
    let store = PgStore::connect(&url, 4).await.expect("connect");
    contract(Arc::new(store)).await;
    // Migrations run once: connecting again changes nothing.
    let again = PgStore::connect(&url, 2).await.expect("connect again");
    assert_eq!(again.migrate().await.expect("migrate"), 1);
    assert_eq!(again.backend(), "postgres");
    // Bad URL, unreachable server: clear errors.
    let bad = PgStore::connect("postgres://[nope", 1)
        .await
        .err()
        .expect("refused");
    assert!(bad.0.contains("URL is not valid"), "{bad}");
    let gone = PgStore::connect(
        &format!("postgres://postgres@127.0.0.1:{}/x", free_port()),
        1,
    )
    .await
    .err()
    .expect("refused");
    assert!(gone.0.contains("cannot reach PostgreSQL"), "{gone}");
}

// ---- two instances on one database ------------------------------------------------

fn postgres_server(content: &Path, data: &Path, url: &str) -> Server {
    Server::start_with(
        content,
        data,
        &[
            ("ACCUEIL_STORE", url),
            ("ACCUEIL_SYNC_INTERVAL", "200ms"),
            ("ACCUEIL_LEXICAL_ONLY", "true"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_agents_changes_and_survive_a_sigkill() {
    let Some(pg) = PgCluster::start() else {
        return;
    };
    let url = pg.database("two");
    let content = content_copy();
    let data = temp_dir("pg-two");
    let a = postgres_server(content.path(), &data.path().join("a"), &url);
    let b = postgres_server(content.path(), &data.path().join("b"), &url);
    let health = http_get(a.addr, "/healthz").await;
    assert_eq!(health.json()["store"], "postgres", "{}", health.body);

    // A conversation started on A continues on B.
    let first = a
        .chat(json!({"message": "permis bateau", "channel": "web"}))
        .await;
    assert_eq!(first["outcome"], "clarify", "{first}");
    let next = b
        .chat(json!({"session": first["session"], "choice": "ddtm.permis_bateau_duplicata", "channel": "web"}))
        .await;
    assert_eq!(next["new_session"], false, "{next}");
    assert_eq!(next["intent"], "ddtm.permis_bateau_duplicata");

    // An agent's attach on A answers on B within a second.
    let question = "mon papier pour rester en france se termine bientot";
    let v = b.chat(json!({"message": question, "channel": "web"})).await;
    assert_ne!(v["intent"], "sejour.renouvellement", "{v}");
    let listed = a.agent_get("/api/v1/review/questions?limit=100").await;
    let id = listed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["text"] == question))
        .and_then(|i| i["id"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("B's question is in A's inbox: {listed}"));
    a.act(
        &id,
        json!({"action": "attach", "intent": "sejour.renouvellement"}),
    )
    .await;
    let attached = Instant::now();
    loop {
        let v = b.chat(json!({"message": question, "channel": "web"})).await;
        if v["intent"] == "sejour.renouvellement" {
            break;
        }
        assert!(
            attached.elapsed() < Duration::from_secs(1),
            "B does not answer with A's attach after 1 s: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("attach on A answered on B after {:?}", attached.elapsed());

    // A SIGKILL of A loses no acknowledged question.
    let asked: Vec<String> = (0..20)
        .map(|k| format!("question {k} sur la peche au thon en haute mer"))
        .collect();
    for q in &asked {
        let v = a.chat(json!({"message": q, "channel": "kiosk"})).await;
        assert_eq!(v["outcome"], "fallback", "{q}: {v}");
    }
    a.kill();
    let after = b.agent_get("/api/v1/review/questions?limit=500").await;
    let texts: Vec<&str> = after["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["text"].as_str()).collect())
        .unwrap_or_default();
    for q in &asked {
        assert!(texts.contains(&q.as_str()), "`{q}` lost with A: {texts:?}");
    }
    // Both instances restarted: everything is still there.
    b.kill();
    let c = postgres_server(content.path(), &data.path().join("c"), &url);
    let v = c.chat(json!({"message": question, "channel": "web"})).await;
    assert_eq!(v["intent"], "sejour.renouvellement", "{v}");
    let all = c
        .agent_get("/api/v1/review/questions?status=all&limit=500")
        .await;
    assert!(
        all["total"].as_u64().unwrap_or(0) > asked.len() as u64,
        "{all}"
    );
}

#[test]
fn a_bad_or_unreachable_store_stops_the_server_with_a_clear_message() {
    let content = content_copy();
    let data = temp_dir("pg-bad");
    for (store, said) in [
        (
            "mysql://localhost/x",
            "use `sled:FOLDER` or a PostgreSQL URL",
        ),
        ("postgres://[nope", "URL is not valid"),
        (
            &*format!("postgres://postgres@127.0.0.1:{}/x", free_port()),
            "cannot reach PostgreSQL",
        ),
    ] {
        let out = serve_command(content.path(), data.path(), "")
            .env("ACCUEIL_STORE", store)
            .env("ACCUEIL_LEXICAL_ONLY", "true")
            .output()
            .expect("run accueil serve");
        assert_eq!(out.status.code(), Some(2), "{store}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{store}: {err}");
    }
}
