//! The PostgreSQL engine on a real server: the engine contract (order of unsigned bytes,
//! paging, empty ranges, all-or-nothing batches, many handles and one writer lock,
//! compare-and-write) and the store through the real binary (import, verify, time travel,
//! export identical to redb's, handles that share the store, waiting for the writer lock,
//! an import killed with SIGKILL). Many processes at once and faults are in
//! `postgres_many.rs`.
//!
//! The server comes from `$ANNALS_TEST_POSTGRES` (a URL of a database the tests may use to
//! create others; `.ci/postgres start` prints one). Each test creates its own database
//! `annals_test_<pid>_<n>` and drops it at the end, so tests run in parallel. Without the
//! variable every test prints a NOTICE and returns.
#![cfg(feature = "postgres")]

mod common;
#[path = "common/pg.rs"]
mod pg;

use annals::storage::{self, Batch, Engine, EngineOptions};
use common::*;
use pg::TestDb;
use std::path::Path;
use std::time::{Duration, Instant};

fn put(engine: &dyn Engine, pairs: &[(&[u8], &[u8])]) {
    let mut batch = Batch::new();
    for (k, v) in pairs {
        batch.put(k.to_vec(), v.to_vec());
    }
    engine.write(batch).unwrap();
}

fn keys(iter: storage::PairIter<'_>) -> Vec<Vec<u8>> {
    iter.map(|item| item.unwrap().0).collect()
}

#[test]
fn get_put_delete_and_the_order_of_unsigned_bytes() {
    let Some(db) = TestDb::new("get_put_delete_and_the_order_of_unsigned_bytes") else {
        return;
    };
    let engine = db.engine();
    assert_eq!(engine.name(), "postgres");
    assert_eq!(engine.get(b"\x01").unwrap(), None);
    let mut expected: Vec<Vec<u8>> = vec![
        vec![0x00],
        vec![0x01],
        vec![0x01, 0x00],
        vec![0x01, 0x00, 0x00],
        vec![0x01, 0x7f],
        vec![0x01, 0x80],
        vec![0x01, 0xff],
        vec![0x01, 0xff, 0xff],
        vec![0x02],
        vec![0xff],
        vec![0xff, 0x00],
        vec![0xff, 0xff],
    ];
    let mut batch = Batch::new();
    for k in expected.iter().rev() {
        batch.put(k.clone(), [k.as_slice(), b"v"].concat());
    }
    engine.write(batch).unwrap();
    assert_eq!(
        engine.get(&[0x01, 0x00]).unwrap(),
        Some(vec![0x01, 0x00, b'v'])
    );
    assert_eq!(keys(engine.scan(&[], &[0xff, 0xff, 0xff])), expected);
    // [0x01, 0x02): every key that starts with 0x01, and nothing else.
    let ones: Vec<Vec<u8>> = expected.iter().filter(|k| k[0] == 1).cloned().collect();
    assert_eq!(keys(engine.scan(&[0x01], &[0x02])), ones);
    let mut rev = ones.clone();
    rev.reverse();
    assert_eq!(keys(engine.scan_rev(&[0x01], &[0x02])), rev);
    let rev_keys: Vec<Vec<u8>> = engine
        .keys_rev(&[0x01], &[0x02])
        .map(|k| k.unwrap())
        .collect();
    assert_eq!(rev_keys, rev);
    // Values come back with their keys.
    for item in engine.scan_rev(&[0x00], &[0xff, 0xff, 0x00]) {
        let (k, v) = item.unwrap();
        assert_eq!(v, [k.as_slice(), b"v"].concat());
    }
    // Deletes, and later writes to a key win within a batch.
    let mut batch = Batch::new();
    batch.delete(vec![0x01, 0x7f]);
    batch.put(vec![0x02], b"first".to_vec());
    batch.put(vec![0x02], b"second".to_vec());
    batch.put(vec![0x03], b"gone".to_vec());
    batch.delete(vec![0x03]);
    engine.write(batch).unwrap();
    expected.retain(|k| k != &[0x01, 0x7f]);
    assert_eq!(engine.get(&[0x01, 0x7f]).unwrap(), None);
    assert_eq!(engine.get(&[0x02]).unwrap(), Some(b"second".to_vec()));
    assert_eq!(engine.get(&[0x03]).unwrap(), None);
    assert_eq!(keys(engine.scan(&[], &[0xff, 0xff, 0xff])), expected);
    assert!(engine.size_on_disk().unwrap() > 0);
}

#[test]
fn empty_ranges_and_scans_longer_than_a_page() {
    let Some(db) = TestDb::new("empty_ranges_and_scans_longer_than_a_page") else {
        return;
    };
    let engine = db.engine();
    assert_eq!(engine.scan(&[0x05], &[0x05]).count(), 0);
    assert_eq!(engine.scan(&[0x06], &[0x05]).count(), 0);
    assert_eq!(engine.scan_rev(&[0x06], &[0x05]).count(), 0);
    assert_eq!(engine.keys_rev(&[0x05], &[0x05]).count(), 0);
    // 1,500 keys: three pages of 512 and a part; some keys end in 0x00 or 0xff, which is
    // where continuing "after the last key" could go wrong.
    let mut all: Vec<Vec<u8>> = Vec::new();
    let mut batch = Batch::new();
    for i in 0u16..500 {
        for tail in [&[][..], &[0x00][..], &[0xff][..]] {
            let key = [&[0x10][..], &i.to_be_bytes(), tail].concat();
            batch.put(key.clone(), vec![0xab; 100]);
            all.push(key);
        }
    }
    engine.write(batch).unwrap();
    all.sort();
    assert_eq!(keys(engine.scan(&[0x10], &[0x11])), all);
    let mut rev = all.clone();
    rev.reverse();
    assert_eq!(keys(engine.scan_rev(&[0x10], &[0x11])), rev);
    let rev_keys: Vec<Vec<u8>> = engine
        .keys_rev(&[0x10], &[0x11])
        .map(|k| k.unwrap())
        .collect();
    assert_eq!(rev_keys, rev);
    // A range with no keys in it, beside full ones.
    assert_eq!(engine.scan(&[0x0f], &[0x10]).count(), 0);
    assert_eq!(engine.scan_rev(&[0x11], &[0x12]).count(), 0);
    // A bounded range inside: exactly the keys in [start, end).
    let (start, end) = ([0x10, 0x00, 0x07], [0x10, 0x01, 0x2c, 0x00]);
    let inside: Vec<Vec<u8>> = all
        .iter()
        .filter(|k| k.as_slice() >= &start[..] && k.as_slice() < &end[..])
        .cloned()
        .collect();
    assert!(inside.len() > 512);
    assert_eq!(keys(engine.scan(&start, &end)), inside);
    // Stopping early reads only what it needs; the next scan starts afresh.
    assert_eq!(
        keys(Box::new(engine.scan(&[0x10], &[0x11]).take(3))),
        all[..3]
    );
}

#[test]
fn a_batch_is_all_or_nothing() {
    let Some(db) = TestDb::new("a_batch_is_all_or_nothing") else {
        return;
    };
    let engine = db.engine();
    put(&*engine, &[(b"\x20keep", b"old"), (b"\x20drop", b"old")]);
    // A constraint the last write of the batch breaks, after 1,500 good writes and a
    // delete: the transaction fails at its end, and nothing of it may be visible.
    db.sql_here("ALTER TABLE annals_kv ADD CONSTRAINT poison CHECK (value <> '\\xdead'::bytea)");
    let mut batch = Batch::new();
    for i in 0u16..1500 {
        batch.put([&[0x21][..], &i.to_be_bytes()].concat(), b"new".to_vec());
    }
    batch.put(b"\x20keep".to_vec(), b"new".to_vec());
    batch.delete(b"\x20drop".to_vec());
    batch.put(b"\x7fpoison".to_vec(), vec![0xde, 0xad]);
    assert!(engine.write(batch).is_err());
    assert_eq!(engine.scan(&[0x21], &[0x22]).count(), 0);
    assert_eq!(engine.get(b"\x20keep").unwrap(), Some(b"old".to_vec()));
    assert_eq!(engine.get(b"\x20drop").unwrap(), Some(b"old".to_vec()));
    assert_eq!(engine.get(b"\x7fpoison").unwrap(), None);
    // The handle still works after the failed transaction.
    put(&*engine, &[(b"\x22after", b"ok")]);
    assert_eq!(engine.get(b"\x22after").unwrap(), Some(b"ok".to_vec()));
    engine.flush().unwrap();
}

#[test]
fn many_handles_one_writer_lock_and_clear_open_errors() {
    let Some(db) = TestDb::new("many_handles_one_writer_lock_and_clear_open_errors") else {
        return;
    };
    // A database without a store is not created by an open that may not create.
    let refused = storage::open_url(&db.url, false, &EngineOptions::default());
    let Err(annals::Error::Open { reason, .. }) = refused else {
        panic!("expected an Open error");
    };
    assert!(reason.contains("no annals store"), "{reason}");
    // Any number of handles open the store at once; writers take turns.
    let first = db.engine();
    let second = db.engine();
    assert!(first.shared() && second.shared());
    first.lock_writer(Duration::ZERO).unwrap();
    let started = Instant::now();
    match second.lock_writer(Duration::from_millis(300)) {
        Err(annals::Error::InUse {
            holder, waited_ms, ..
        }) => {
            assert_eq!(holder, Some(std::process::id()), "the holder is named");
            assert!(waited_ms >= 300, "{waited_ms}");
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(300));
    first.unlock_writer().unwrap();
    second.lock_writer(Duration::ZERO).unwrap();
    // Dropping a handle ends its session, and the server releases its lock with it.
    drop(second);
    first.lock_writer(Duration::from_secs(5)).unwrap();
    first.unlock_writer().unwrap();
    // The head is committed by compare-and-write: a stale expectation writes nothing.
    let mut batch = Batch::new();
    batch.put(b"\x22k".to_vec(), b"v".to_vec());
    assert!(first
        .write_durable_if(batch.clone(), b"\x01", None)
        .unwrap());
    put(&*first, &[(b"\x01", b"head-2")]);
    assert!(!first
        .write_durable_if(batch.clone(), b"\x01", Some(b"head-1"))
        .unwrap());
    assert!(first
        .write_durable_if(batch, b"\x01", Some(b"head-2"))
        .unwrap());
    drop(first);
    // A server that is not there: an Open error that shows the URL without the password.
    let wrong = "postgres://ann:hunter2@127.0.0.1:1/nothing";
    let err = storage::open_url(wrong, true, &EngineOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("cannot open database at postgres://ann@127.0.0.1:1/nothing"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    // A database that does not exist: a clear error, and nothing created.
    let missing = format!("{}_missing", db.url);
    let err = annals(Path::new(&missing)).arg("stats").output().unwrap();
    assert_eq!(err.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
}

fn stdout_of(db: &Path, args: &[&str]) -> String {
    let out = annals(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_store_through_the_binary_matches_redb() {
    let Some(db) = TestDb::new("the_store_through_the_binary_matches_redb") else {
        return;
    };
    let url = db.path();
    let started = Instant::now();
    import_sample(url);
    eprintln!(
        "imported the sample into PostgreSQL in {:?}",
        started.elapsed()
    );
    let verify = stdout_of(url, &["verify"]);
    assert!(
        verify.contains("ok") || verify.contains("intact"),
        "{verify}"
    );
    let then = stdout_of(
        url,
        &[
            "deployments",
            "--actor",
            "PRK",
            "--as-of",
            "2024-11-15",
            "--known-at",
            "2024-11-01",
        ],
    );
    assert!(then.contains("8,000") && !then.contains("12,000"), "{then}");
    let now = stdout_of(
        url,
        &["deployments", "--actor", "PRK", "--as-of", "2024-11-15"],
    );
    assert!(now.contains("12,000"), "{now}");
    let stats = stdout_of(url, &["stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["engine"], "postgres", "{stats}");
    // The same import on redb exports the same bytes.
    let dir = tempdir();
    let redb = dir.path().join("redb.db");
    annals(&redb)
        .args(["--engine", "redb", "import", SAMPLE_PATH, "--keep-recorded"])
        .assert()
        .success();
    let from_pg = stdout_of(url, &["export"]);
    assert!(!from_pg.is_empty());
    assert_eq!(from_pg, stdout_of(&redb, &["export"]));
    // And the same chain: the head hashes agree.
    let head = |db: &Path| {
        let v: serde_json::Value =
            serde_json::from_str(&stdout_of(db, &["verify", "--json"])).unwrap();
        v["head_hash"].as_str().unwrap().to_string()
    };
    assert_eq!(head(url), head(&redb));
    // Moving a store between engines: `export` then `import --keep-recorded` gives the
    // same head hash, from redb to PostgreSQL and from PostgreSQL to sled.
    let exported = dir.path().join("redb.jsonl");
    std::fs::write(&exported, stdout_of(&redb, &["export"])).unwrap();
    let moved = TestDb::new("the_store_through_the_binary_matches_redb (moved)").unwrap();
    annals(moved.path())
        .args(["import", "--keep-recorded"])
        .arg(&exported)
        .assert()
        .success();
    assert_eq!(head(moved.path()), head(&redb));
    let back = dir.path().join("pg.jsonl");
    std::fs::write(&back, stdout_of(moved.path(), &["export"])).unwrap();
    let sled = dir.path().join("sled.db");
    annals(&sled)
        .args(["--engine", "sled", "import", "--keep-recorded"])
        .arg(&back)
        .assert()
        .success();
    assert_eq!(head(&sled), head(&redb));
    // No holder file or directory was made for the URL.
    assert!(!Path::new("postgres:").exists());
}

#[test]
fn readers_share_the_store_and_a_writer_waits_for_the_writer_lock() {
    let Some(db) = TestDb::new("readers_share_the_store_and_a_writer_waits_for_the_writer_lock")
    else {
        return;
    };
    let url = db.path();
    let line = r#"{"date":"2023","kind":"statement","actors":["USA"]}"#;
    stdout_of(url, &["append", line]);
    // A long-lived handle (a service) does not keep other processes out.
    let held = annals::Store::open(url).unwrap();
    assert_eq!(held.head().seq, 1);
    assert!(stdout_of(url, &["--wait", "0", "stats"]).contains("postgres"));
    let second = r#"{"date":"2024","kind":"statement","actors":["USA"],"summary":"two"}"#;
    stdout_of(url, &["--wait", "0", "append", second]);
    // The held handle sees the other process's commit once it refreshes, and appends
    // after it (its writer lock re-reads the head).
    assert_eq!(held.head().seq, 1);
    assert_eq!(held.refresh().unwrap().seq, 2);
    let third = annals::interchange::parse_line(
        r#"{"date":"2025","kind":"statement","actors":["USA"],"summary":"three"}"#,
    )
    .unwrap()
    .event;
    let stale = annals::Store::open(url).unwrap();
    stdout_of(
        url,
        &[
            "append",
            r#"{"date":"2025","kind":"statement","actors":["FRA"]}"#,
        ],
    );
    assert_eq!(stale.head().seq, 2, "not refreshed yet");
    assert_eq!(stale.append(third).unwrap(), annals::Outcome::Appended(4));
    // A writer waits while another handle holds the writer lock, then names it.
    let engine = db.engine();
    engine.lock_writer(Duration::ZERO).unwrap();
    let started = Instant::now();
    let fourth = r#"{"date":"2026","kind":"statement","actors":["USA"],"summary":"four"}"#;
    let out = annals(url)
        .args(["--wait", "300ms", "append", fourth])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", std::process::id())),
        "the holder is named: {stderr}"
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    // A waiting writer gets its turn once the holder lets go.
    let waiter = std::thread::spawn({
        let url = db.url.clone();
        move || {
            annals(Path::new(&url))
                .args(["--wait", "20s", "append", fourth])
                .output()
                .unwrap()
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    engine.unlock_writer().unwrap();
    let out = waiter.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(event_count(url), 5);
    annals(url).arg("verify").assert().success();
}

#[test]
fn read_only_opens_create_nothing_and_refuse_writes() {
    let Some(db) = TestDb::new("read_only_opens_create_nothing_and_refuse_writes") else {
        return;
    };
    let url = db.path();
    let line = r#"{"date":"2023","kind":"statement","actors":["USA"]}"#;
    let out = annals(url)
        .args(["--read-only", "append", line])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let missing = storage::open_url(&db.url, false, &EngineOptions::default());
    assert!(missing.is_err(), "the read-only open created no table");
    stdout_of(url, &["append", line]);
    assert!(stdout_of(url, &["--read-only", "stats"]).contains("postgres"));
    // A new event (the same one again would be a no-op, not a write).
    let other = r#"{"date":"2024","kind":"statement","actors":["USA"],"summary":"new"}"#;
    let out = annals(url)
        .args(["--read-only", "append", other])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("read-only"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(event_count(url), 1);
}

#[test]
fn a_killed_import_leaves_nothing_and_releases_the_store() {
    let Some(db) = TestDb::new("a_killed_import_leaves_nothing_and_releases_the_store") else {
        return;
    };
    let dir = tempdir();
    let file = dir.path().join("events.jsonl");
    let text: Vec<String> = annals::workload::generate_lines(12_000, 11).collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("annals");
    for round in 0..3u64 {
        let mut child = std::process::Command::new(&bin)
            .env_remove("ANNALS_DB")
            .args(["--db", &db.url, "import"])
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Late kills find chunks staged past the head (5,000 events per engine write).
        std::thread::sleep(Duration::from_millis(1_000 + 2_000 * round));
        child.kill().unwrap(); // SIGKILL, mid-import
        child.wait().unwrap();
        // The server ended the killed session, so its lock is free again; an import is
        // acknowledged only whole, so the reopen rolls back what it staged past the head,
        // and the log verifies.
        let started = Instant::now();
        let out = annals(db.path())
            .args(["--wait", "10s", "stats"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "round {round}: opened after the kill in {:?}",
            started.elapsed()
        );
        let started = Instant::now();
        let out = annals(db.path())
            .args(["--wait", "10s", "verify"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "round {round}: verified after the kill in {:?}",
            started.elapsed()
        );
        assert_eq!(event_count(db.path()), 0, "round {round}");
    }
    // The store is whole: the same import, uninterrupted, lands every event.
    annals(db.path())
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    assert_eq!(event_count(db.path()), 12_000);
    annals(db.path()).arg("verify").assert().success();
}

/// Import throughput against redb on the same generated events, through the binary
/// (`ANNALS_PG_BENCH_EVENTS`, default 20,000). A measurement, not a check: run it with
/// `cargo test --release --test postgres -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement; prints import times for PostgreSQL and redb"]
fn import_throughput_against_redb() {
    let Some(db) = TestDb::new("import_throughput_against_redb") else {
        return;
    };
    let n: usize = std::env::var("ANNALS_PG_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempdir();
    let file = dir.path().join("events.jsonl");
    let text: Vec<String> = annals::workload::generate_lines(n, 7).collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
    let file = file.to_str().unwrap();
    let redb = dir.path().join("redb.db");
    for (name, target) in [("postgres", db.path()), ("redb", redb.as_path())] {
        let started = Instant::now();
        annals(target)
            .args(["import", file])
            .env_remove("ANNALS_ENGINE")
            .assert()
            .success();
        let took = started.elapsed();
        eprintln!(
            "{name}: imported {n} events in {took:?} ({:.0} events/s)",
            n as f64 / took.as_secs_f64()
        );
        assert_eq!(event_count(target), n as u64);
    }
}
