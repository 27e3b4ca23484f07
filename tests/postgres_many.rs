//! Many processes on one PostgreSQL store, and faults: 8 writer processes with 2 readers
//! and a subscriber; writers killed with SIGKILL mid-append; the server restarted
//! (`pg_ctl restart -m immediate`) during an import; connections dropped mid-query
//! (`pg_terminate_backend`); wrong passwords and foreign tables.
//!
//! Every check is the same: nothing acknowledged is lost, seqs have no gap, and `verify`
//! passes with an intact chain.
//!
//! Writers, readers and the subscriber are processes: this test binary run again with
//! one of the `child_*` tests (ignored, so they run only when a parent asks, and idle
//! otherwise) and its role in `ANNALS_CHILD`. A child prints what it saw as lines starting
//! `ACK`/`SAW`, which the parent reads.
//!
//! The server comes from `$ANNALS_TEST_POSTGRES`; without it every test prints a NOTICE
//! and returns. The restart test needs `$ANNALS_TEST_PG_STATE` (`.ci/postgres start`
//! prints both) and holds the other tests of this file off while the server restarts.
#![cfg(feature = "postgres")]

mod common;
#[path = "common/pg.rs"]
mod pg;

use annals::{Store, StoreOptions};
use common::*;
use pg::TestDb;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Tests share the server; the restart test takes it alone.
static SERVER: RwLock<()> = RwLock::new(());

const CHILD: &str = "ANNALS_CHILD";

/// This test binary, run again as the child `test` with `role` and `url` in its
/// environment, its stdout piped.
fn spawn_child(test: &str, role: &str, url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, role)
        .env("ANNALS_CHILD_URL", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The lines a child printed that start with `tag`, without it.
fn tagged(child: Child, tag: &str) -> (std::process::ExitStatus, Vec<String>) {
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| after(l, tag))
        .collect();
    (out.status, lines)
}

/// What follows `tag` in `line` (libtest may print its `test NAME ... ` first).
fn after(line: &str, tag: &str) -> Option<String> {
    line.split_once(tag).map(|(_, rest)| rest.to_string())
}

/// The child's role and store URL, or `None` when this runs as an ordinary test.
fn child_role() -> Option<(String, String)> {
    let role = std::env::var(CHILD).ok()?;
    let url = std::env::var("ANNALS_CHILD_URL").ok()?;
    Some((role, url))
}

fn open(url: &str) -> Store {
    let options = StoreOptions::default().with_wait(Duration::from_secs(120));
    Store::open_with(url, options).unwrap()
}

/// A statement naming its writer and number (its content, so its id, is unique).
fn statement(writer: &str, i: usize) -> annals::NewEvent {
    let line = format!(
        r#"{{"date":"2024-01-{:02}","kind":"statement","actors":["USA"],"summary":"{writer}-{i}"}}"#,
        1 + i % 28
    );
    annals::interchange::parse_line(&line).unwrap().event
}

/// Child `writer:NAME:COUNT`: append COUNT statements one at a time (each its own durable
/// commit), printing `ACK seq NAME-i` after each acknowledged one.
#[test]
#[ignore = "a child process of the tests in this file"]
fn child_writer() {
    let Some((role, url)) = child_role() else {
        return;
    };
    let mut parts = role.split(':').skip(1);
    let name = parts.next().unwrap().to_string();
    let count: usize = parts.next().unwrap().parse().unwrap();
    let store = open(&url);
    let mut out = std::io::stdout().lock();
    for i in 0..count {
        let outcome = store.append(statement(&name, i)).unwrap();
        writeln!(out, "ACK {} {name}-{i}", outcome.seq()).unwrap();
        out.flush().unwrap();
    }
}

/// Child `reader:UNTIL`: until the head reaches UNTIL, refresh and read what was committed
/// since the last read, checking that the head never moves back and that every seq up to
/// it is there, in order; at the end, read the whole log once more. Prints `SAW reads
/// last-head`.
#[test]
#[ignore = "a child process of the tests in this file"]
fn child_reader() {
    let Some((role, url)) = child_role() else {
        return;
    };
    let until: u64 = role.split(':').nth(1).unwrap().parse().unwrap();
    let store = open(&url);
    let (mut last, mut reads) = (0, 0);
    while last < until {
        let head = store.refresh().unwrap().seq;
        assert!(head >= last, "the head went back from {last} to {head}");
        let seqs: Vec<u64> = store
            .events_from(last + 1)
            .map(|e| e.unwrap().seq)
            .collect();
        assert_eq!(
            seqs,
            (last + 1..=head).collect::<Vec<_>>(),
            "a gap below the head"
        );
        last = head;
        reads += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    let all: Vec<u64> = store.events_from(1).map(|e| e.unwrap().seq).collect();
    assert_eq!(all, (1..=last).collect::<Vec<_>>());
    println!("SAW {reads} {last}");
}

/// Child `subscriber:UNTIL`: follow the log from seq 1 until UNTIL, printing `SAW seq`
/// for each event.
#[test]
#[ignore = "a child process of the tests in this file"]
fn child_subscriber() {
    let Some((role, url)) = child_role() else {
        return;
    };
    let until: u64 = role.split(':').nth(1).unwrap().parse().unwrap();
    let store = open(&url);
    let mut out = std::io::stdout().lock();
    let mut subscription = store.subscribe(1);
    let deadline = Instant::now() + Duration::from_secs(600);
    while subscription.position() <= until && Instant::now() < deadline {
        if let Some(event) = subscription.next_timeout(Duration::from_secs(5)) {
            writeln!(out, "SAW {}", event.unwrap().seq).unwrap();
        }
    }
    out.flush().unwrap();
}

/// What `annals verify --json` says about the store.
fn verify(url: &str) -> serde_json::Value {
    let out = annals(Path::new(url))
        .args(["--wait", "30s", "verify", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every event's summary, by seq, after checking the log is gap-free.
fn summaries(url: &str) -> Vec<String> {
    let store = open(url);
    let events: Vec<_> = store.events().map(|e| e.unwrap()).collect();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "a gap in the log");
    }
    events
        .iter()
        .map(|e| e.content.summary.clone().unwrap_or_default())
        .collect()
}

#[test]
fn eight_writer_processes_two_readers_and_a_subscriber() {
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("eight_writer_processes_two_readers_and_a_subscriber") else {
        return;
    };
    const WRITERS: usize = 8;
    let per: usize = std::env::var("ANNALS_PG_WRITER_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let total = (WRITERS * per) as u64;
    drop(open(&db.url)); // create the store before the processes race to
    let started = Instant::now();
    let subscriber = spawn_child("child_subscriber", &format!("subscriber:{total}"), &db.url);
    let readers: Vec<Child> = (0..2)
        .map(|_| spawn_child("child_reader", &format!("reader:{total}"), &db.url))
        .collect();
    let writers: Vec<Child> = (0..WRITERS)
        .map(|w| spawn_child("child_writer", &format!("writer:w{w}:{per}"), &db.url))
        .collect();
    let mut acked = Vec::new();
    for writer in writers {
        let (status, lines) = tagged(writer, "ACK ");
        assert!(status.success(), "a writer failed");
        assert_eq!(lines.len(), per, "every append was acknowledged");
        acked.extend(lines);
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{total} durable appends from {WRITERS} processes in {elapsed:?}: {:.0} events/s",
        total as f64 / elapsed.as_secs_f64()
    );
    for reader in readers {
        let (status, saw) = tagged(reader, "SAW ");
        assert!(
            status.success(),
            "a reader found a gap or a head going back"
        );
        eprintln!("reader: {saw:?} (reads, last head)");
    }
    let (status, seen) = tagged(subscriber, "SAW ");
    assert!(status.success());
    let seen: Vec<u64> = seen.iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "each event once, in order"
    );
    // Every acknowledged append is in the log at the seq it was acknowledged with, once.
    let log = summaries(&db.url);
    assert_eq!(log.len() as u64, total);
    for line in &acked {
        let (seq, summary) = line.split_once(' ').unwrap();
        let seq: usize = seq.parse().unwrap();
        assert_eq!(log[seq - 1], summary, "seq {seq}");
    }
    let mut unique = log.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), log.len(), "no event twice");
    let report = verify(&db.url);
    assert_eq!(report["events"], total, "{report}");
}

#[test]
fn writers_killed_mid_append_lose_nothing_acknowledged() {
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("writers_killed_mid_append_lose_nothing_acknowledged") else {
        return;
    };
    drop(open(&db.url));
    let mut acked = Vec::new();
    let kills = 50;
    for round in 0..kills {
        // Two writers at a time, so that one is often killed holding the writer lock or in
        // the middle of its commit while the other waits for it.
        let children: Vec<Child> = (0..2)
            .map(|k| {
                spawn_child(
                    "child_writer",
                    &format!("writer:r{round}k{k}:100000"),
                    &db.url,
                )
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + (round as u64 * 37) % 200));
        for mut child in children {
            child.kill().unwrap(); // SIGKILL
            let stdout = child.stdout.take().unwrap();
            child.wait().unwrap();
            acked.extend(
                BufReader::new(stdout)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| after(&l, "ACK ")),
            );
        }
    }
    let log = summaries(&db.url);
    for line in &acked {
        let (seq, summary) = line.split_once(' ').unwrap();
        let seq: usize = seq.parse().unwrap();
        assert_eq!(log.get(seq - 1), Some(&summary.to_string()), "seq {seq}");
    }
    eprintln!(
        "{} writers killed; {} appends acknowledged, {} in the log",
        kills * 2,
        acked.len(),
        log.len()
    );
    assert!(acked.len() > 50, "the writers got some appends in");
    let report = verify(&db.url);
    assert_eq!(report["events"], log.len(), "{report}");
}

/// Import `file` through the binary in the background.
fn spawn_import(url: &str, file: &Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("annals"))
        .env_remove("ANNALS_DB")
        .args(["--db", url, "import"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The generated events of a test, in a file.
fn generated(dir: &Path, n: usize) -> std::path::PathBuf {
    let file = dir.join("events.jsonl");
    let text: Vec<String> = annals::workload::generate_lines(n, 5).collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
    file
}

/// After a fault during an import of `n` events that exited with `status`: the store
/// holds all of them (only if the import said so) or none, and verifies.
fn all_or_nothing(url: &str, n: u64, succeeded: bool) {
    let count = summaries(url).len() as u64;
    if succeeded {
        assert_eq!(count, n);
    } else {
        assert_eq!(count, 0, "a failed import left events");
    }
    assert_eq!(verify(url)["events"], count);
}

/// Import 20,000 generated events through the binary, with `fault` 1.5 s in; the import
/// must succeed or fail with a clear error (exit 1), and leave all of its events or none,
/// with `verify` passing. Returns the file (and the directory that holds it).
fn import_with_fault(
    db: &TestDb,
    what: &str,
    fault: impl FnOnce(),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let file = generated(dir.path(), 20_000);
    let import = spawn_import(&db.url, &file);
    std::thread::sleep(Duration::from_millis(1_500));
    fault();
    let out = import.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "the import during {what}: {:?}: {stderr}",
        out.status.code()
    );
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.starts_with("error: "), "a clear error: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    all_or_nothing(&db.url, 20_000, out.status.success());
    (dir, file)
}

#[test]
fn the_server_restarted_during_an_import() {
    let Ok(state) = std::env::var("ANNALS_TEST_PG_STATE") else {
        eprintln!("NOTICE: the_server_restarted_during_an_import skipped: ANNALS_TEST_PG_STATE is not set (see .ci/postgres)");
        return;
    };
    let _server = SERVER.write().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("the_server_restarted_during_an_import") else {
        return;
    };
    let (_dir, file) = import_with_fault(&db, "a server restart", || {
        let restart = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/postgres"))
            .arg("restart")
            .env("ANNALS_PG_STATE", &state)
            .output()
            .unwrap();
        assert!(
            restart.status.success(),
            "{}",
            String::from_utf8_lossy(&restart.stderr)
        );
    });
    // The store takes the import again once the server is back.
    annals(db.path())
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    all_or_nothing(&db.url, 20_000, true);
}

#[test]
fn connections_dropped_mid_import() {
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("connections_dropped_mid_import") else {
        return;
    };
    let name = &db.name;
    import_with_fault(&db, "its connection dropped", || {
        db.sql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND application_name LIKE 'annals-%'"
        ))
    });
}

#[test]
fn wrong_passwords_and_other_tables() {
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("wrong_passwords_and_other_tables") else {
        return;
    };
    // The role `annals_pw` must authenticate (.ci/postgres); a wrong password is a clear
    // error, exit 1, shown without the password, and nothing is created.
    let (base, _) = db.url.rsplit_once('/').unwrap();
    let host = base.rsplit_once('@').map(|(_, h)| h).unwrap();
    let wrong = format!("postgres://annals_pw:not-it@{host}/{}", db.name);
    let out = annals(Path::new(&wrong))
        .args([
            "append",
            r#"{"date":"2023","kind":"statement","actors":["USA"]}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-it"), "{stderr}");
    assert_eq!(db.query_here("SELECT to_regclass('annals_kv')::text"), None);
    // A database that holds other tables: annals touches only its own.
    db.sql_here(
        "CREATE TABLE inventory (id int PRIMARY KEY, item text); \
         INSERT INTO inventory VALUES (1, 'tank'), (2, 'drone'); \
         CREATE TABLE kv (key bytea PRIMARY KEY, value bytea)",
    );
    import_sample(db.path());
    annals(db.path()).arg("verify").assert().success();
    assert_eq!(
        db.query_here("SELECT string_agg(id || ':' || item, ',' ORDER BY id) FROM inventory"),
        Some("1:tank,2:drone".into())
    );
    assert_eq!(
        db.query_here("SELECT count(*)::text FROM kv"),
        Some("0".into())
    );
    assert_eq!(
        db.query_here(
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
        ),
        Some("annals_kv,inventory,kv".into())
    );
}

#[test]
fn tail_follows_other_processes_by_notification() {
    let _server = SERVER.read().unwrap_or_else(|e| e.into_inner());
    let Some(db) = TestDb::new("tail_follows_other_processes_by_notification") else {
        return;
    };
    drop(open(&db.url));
    let tail = Command::new(assert_cmd::cargo::cargo_bin("annals"))
        .env_remove("ANNALS_DB")
        .args(["--db", &db.url, "--json", "tail", "--max", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    for year in [2021, 2022, 2023] {
        let line = format!(r#"{{"date":"{year}","kind":"statement","actors":["USA"]}}"#);
        annals(db.path()).args(["append", &line]).assert().success();
    }
    let out = tail.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seqs: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert!(started.elapsed() < Duration::from_secs(30));
}
