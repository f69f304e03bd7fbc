//! Crash safety of the agents' review, with the real `accueil serve`
//! binary: what was acknowledged survives a SIGKILL.
//!
//! Properties checked: questions recorded by acknowledged chat turns,
//! agents' actions acknowledged by the review API and a feedback
//! acknowledged by the feedback endpoint are all found after the process
//! is killed right after the acknowledgements (no graceful stop, no flush
//! on exit) and restarted on the same data directory; the attached
//! paraphrase still answers; and the raw personal data typed by people is
//! nowhere in the data directory's files nor in the log, while its masked
//! form is.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::support::*;
use serde_json::{json, Value};

/// `accueil serve` as a child process, its log lines collected.
pub(crate) struct Server {
    child: std::process::Child,
    logs: LogLines,
    pub(crate) addr: SocketAddr,
}

impl Server {
    pub(crate) fn start(content: &Path, data: &Path) -> Server {
        Server::start_with(content, data, &[])
    }

    pub(crate) fn start_with(content: &Path, data: &Path, env: &[(&str, &str)]) -> Server {
        let mut cmd = serve_command(
            content,
            data,
            &format!("root:admin:{ADMIN_SECRET},alice:agent:{AGENT_SECRET}"),
        );
        cmd.envs(env.iter().copied());
        let mut child = cmd.spawn().expect("spawn accueil");
        let stderr = child.stderr.take().expect("stderr");
        let logs = LogLines::read(stderr);
        let mut server = Server {
            child,
            logs,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let line = server.wait_for("listening on http://", Duration::from_secs(30));
        server.addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in `{line}`"));
        server
    }

    fn wait_for(&mut self, needle: &str, within: Duration) -> String {
        self.logs.wait_for(needle, within)
    }

    /// SIGKILL: no signal handler runs, nothing is flushed on the way out.
    pub(crate) fn kill(mut self) -> Vec<String> {
        self.child.kill().expect("SIGKILL our own child");
        self.child.wait().expect("reaped");
        self.logs.drain();
        std::mem::take(&mut self.logs.log)
    }

    pub(crate) async fn chat(&self, body: Value) -> Value {
        let r = http_post(self.addr, "/api/v1/chat", "", &body.to_string()).await;
        assert_eq!(r.status, 200, "{body} → {}", r.body);
        r.json()
    }

    pub(crate) async fn agent_get(&self, path: &str) -> Value {
        self.get_as(AGENT_SECRET, path).await.json()
    }

    pub(crate) async fn get_as(&self, secret: &str, path: &str) -> Raw {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nAuthorization: Bearer {secret}\r\n\r\n"
        );
        let r = send_raw(self.addr, req.as_bytes()).await.expect("GET");
        assert_eq!(r.status, 200, "{path} → {}", r.body);
        r
    }

    pub(crate) async fn act(&self, id: &str, body: Value) -> Value {
        let r = http_post(
            self.addr,
            &format!("/api/v1/review/questions/{id}"),
            &format!("Authorization: Bearer {AGENT_SECRET}\r\n"),
            &body.to_string(),
        )
        .await;
        assert_eq!(r.status, 200, "{body} → {}", r.body);
        r.json()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only our own child, by its id.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Does any file under `dir` pass `test`?
fn any_file(dir: &Path, test: &dyn Fn(&[u8]) -> bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let path = e.path();
        if path.is_dir() {
            any_file(&path, test)
        } else {
            std::fs::read(&path).map(|b| test(&b)).unwrap_or(false)
        }
    })
}

/// Does any file under `dir` contain `needle`?
fn found_in_files(dir: &Path, needle: &[u8]) -> bool {
    any_file(dir, &|bytes| {
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

/// Does `hay` hold `needle` as a whole word ("issa" is not in
/// "naissance")? Bytes of letters (ASCII or UTF-8) around it break it.
fn holds_word(hay: &[u8], needle: &[u8]) -> bool {
    let letter = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let n = needle.len();
    n > 0
        && hay.windows(n).enumerate().any(|(i, w)| {
            w == needle
                && (i == 0 || !letter(hay[i - 1]) || !letter(needle[0]))
                && (i + n == hay.len() || !letter(hay[i + n]) || !letter(needle[n - 1]))
        })
}

/// [`holds_word`] over every file under `dir`, in lowercase.
fn found_word_in_files(dir: &Path, needle: &[u8]) -> bool {
    any_file(dir, &|bytes| {
        holds_word(&bytes.to_ascii_lowercase(), needle)
    })
}

const PHONE: &str = "06 12 34 56 78";
const EXPIRING: &str = "mon papier pour rester en france se termine bientot";

fn questions() -> Vec<String> {
    let mut q: Vec<String> = (1..=12)
        .map(|k| format!("question hors sujet numero {k} sur la peche au gros"))
        .collect();
    q.push(format!("rappelez moi au {PHONE} pour la blanquette"));
    q.push(EXPIRING.to_owned());
    q.push("horaires de la piscine".to_owned());
    q
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_records_and_actions_survive_a_sigkill() {
    let content = content_copy();
    let data = temp_dir("review-crash");
    let store = data.path().join("store");

    let server = Server::start(content.path(), &store);
    for q in questions() {
        let v = server.chat(json!({"message": q, "channel": "web"})).await;
        assert_eq!(v["outcome"], "fallback", "{q}: {v}");
    }
    let answered = server
        .chat(json!({"message": "je dois refaire ma carte de séjour", "channel": "kiosk"}))
        .await;
    assert_eq!(answered["intent"], "sejour.renouvellement");
    let all = server.agent_get("/api/v1/review/questions?limit=500").await;
    let id_of = |text: &str| {
        all["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["text"] == text))
            .and_then(|i| i["id"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no `{text}` in {all}"))
    };
    let attach = id_of(EXPIRING);
    let dismiss = id_of("question hors sujet numero 1 sur la peche au gros");
    let to_write = id_of("horaires de la piscine");
    // The acknowledgements, then at once the kill.
    server
        .act(
            &attach,
            json!({"action": "attach", "intent": "sejour.renouvellement"}),
        )
        .await;
    server.act(&dismiss, json!({"action": "dismiss"})).await;
    server.act(&to_write, json!({"action": "to_write"})).await;
    let fb = http_post(
        server.addr,
        "/api/v1/feedback",
        "",
        &json!({"session": answered["session"], "intent": "sejour.renouvellement", "useful": false})
            .to_string(),
    )
    .await;
    assert_eq!(fb.status, 200, "{}", fb.body);
    let last = server
        .chat(json!({"message": "derniere question sur les champignons", "channel": "web"}))
        .await;
    assert_eq!(last["outcome"], "fallback");
    let log = server.kill();

    let server = Server::start(content.path(), &store);
    let after = server
        .agent_get("/api/v1/review/questions?status=all&limit=500")
        .await;
    let texts: Vec<&str> = after["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["text"].as_str()).collect())
        .unwrap_or_default();
    let mut expected: Vec<String> = questions()
        .into_iter()
        .map(|q| q.replace(PHONE, "[téléphone]"))
        .collect();
    expected.push("je dois refaire ma carte de séjour".into());
    expected.push("derniere question sur les champignons".into());
    for q in &expected {
        assert!(texts.contains(&q.as_str()), "`{q}` lost: {texts:?}");
    }
    assert_eq!(texts.len(), expected.len());
    let status_of = |id: &str| {
        after["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    let attached = status_of(&attach);
    assert_eq!(attached["status"], "attached");
    assert_eq!(attached["intent"], "sejour.renouvellement");
    assert_eq!(attached["action"]["by"], "alice");
    assert_eq!(status_of(&dismiss)["status"], "dismissed");
    assert_eq!(status_of(&to_write)["status"], "to_write");
    let stats = server.agent_get("/api/v1/review/stats?days=1").await;
    assert_eq!(stats["days"][0]["feedback_not_useful"], 1, "{stats}");
    // The attached paraphrase still answers.
    let v = server
        .chat(json!({"message": EXPIRING, "channel": "web"}))
        .await;
    assert_eq!(v["intent"], "sejour.renouvellement", "{v}");
    let log2 = server.kill();

    // Raw personal data never reached the disk nor the log.
    assert!(
        found_in_files(&store, "[téléphone]".as_bytes()),
        "the search finds what is there"
    );
    assert!(
        !found_in_files(&store, PHONE.as_bytes()),
        "the raw phone number is in the store's files"
    );
    let log = [log, log2].concat().join("\n");
    assert!(!log.contains(PHONE), "the raw phone number is in the log");
    assert!(!log.contains("blanquette"), "a question text is in the log");
}

/// The adversarial set of `tests/data/personal_data.tsv`: each message as
/// a chat turn, then again as the free-text reason of a "not useful"
/// feedback. No raw value, as typed, in lowercase or without accents, is
/// in any file of the data folder, the log, the inbox API, the clusters or
/// the exports; the masked forms are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_raw_personal_data_reaches_files_log_inbox_or_exports() {
    let cases: Vec<(String, Vec<String>)> = include_str!("../data/personal_data.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| l.split_once('\t'))
        .map(|(m, raws)| {
            (
                m.replace("\\n", "\n"),
                raws.split('|').map(str::to_owned).collect(),
            )
        })
        .collect();
    assert!(cases.len() >= 60, "{}", cases.len());
    assert!(holds_word(b"moi c'est issa kabore", b"issa"));
    assert!(!holds_word(b"date de naissance", b"issa"));
    let content = content_copy();
    let data = temp_dir("personal-data");
    let store = data.path().join("store");
    let server = Server::start_with(
        content.path(),
        &store,
        &[
            ("ACCUEIL_RATE_LIMIT", "0"),
            ("ACCUEIL_LEXICAL_ONLY", "true"),
        ],
    );
    for (message, _) in &cases {
        let v = server
            .chat(json!({"message": message, "channel": "web"}))
            .await;
        let intent = v["intent"].as_str().unwrap_or("sejour.renouvellement");
        let fb = http_post(
            server.addr,
            "/api/v1/feedback",
            "",
            &json!({"session": v["session"], "intent": intent, "useful": false, "reason": message})
                .to_string(),
        )
        .await;
        assert_eq!(fb.status, 200, "{message} → {}", fb.body);
    }
    let inbox = server
        .get_as(
            AGENT_SECRET,
            "/api/v1/review/questions?status=all&limit=500",
        )
        .await
        .body;
    let clusters = server
        .get_as(AGENT_SECRET, "/api/v1/review/clusters")
        .await
        .body;
    let csv = server
        .get_as(ADMIN_SECRET, "/api/v1/review/export?format=csv&status=all")
        .await
        .body;
    let toml = server
        .get_as(ADMIN_SECRET, "/api/v1/review/export?format=toml")
        .await
        .body;
    let stats = server
        .get_as(AGENT_SECRET, "/api/v1/review/stats?days=1")
        .await
        .body;
    let log = server.kill().join("\n");

    // The search finds what is there: masked forms were recorded.
    assert!(
        inbox.contains("[téléphone]") && inbox.contains("[nom]"),
        "{inbox}"
    );
    assert!(csv.contains("[courriel]"), "{csv}");
    assert!(found_in_files(&store, "[adresse]".as_bytes()));
    let mut leaks = Vec::new();
    for (message, raws) in &cases {
        for raw in raws {
            let forms = [
                raw.clone(),
                raw.to_lowercase(),
                accueil_engine::normalize::normalize(raw),
            ];
            for form in forms.iter().filter(|f| f.chars().count() >= 3) {
                for (place, text) in [
                    ("the log", &log),
                    ("the inbox", &inbox),
                    ("the clusters", &clusters),
                    ("the CSV export", &csv),
                    ("the TOML export", &toml),
                    ("the stats", &stats),
                ] {
                    if holds_word(
                        text.to_lowercase().as_bytes(),
                        form.to_lowercase().as_bytes(),
                    ) {
                        leaks.push(format!("`{form}` of `{message}` in {place}"));
                    }
                }
                if found_word_in_files(&store, form.to_lowercase().as_bytes()) {
                    leaks.push(format!("`{form}` of `{message}` in the data folder"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
