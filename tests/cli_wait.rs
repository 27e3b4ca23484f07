//! Many processes on one embedded database: every command waits for the lock (with
//! backoff and jitter) instead of failing, so concurrent CLI loops all succeed; after the
//! wait, the error names the holder and how to wait longer. Real processes, real binary.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Run `n` commands one after another, each made by `args(i)`; the failures' stderr.
fn loop_of(db: PathBuf, n: usize, args: impl Fn(usize) -> Vec<String>) -> Vec<String> {
    let mut failures = Vec::new();
    for i in 0..n {
        let out = annals(&db).args(args(i)).output().unwrap();
        if !out.status.success() {
            failures.push(format!("#{i}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    failures
}

fn statement(who: &str, i: usize) -> Vec<String> {
    let line =
        format!(r#"{{"date":"2024","kind":"statement","actors":["{who}"],"summary":"{who} {i}"}}"#);
    vec!["append".into(), line]
}

fn seed(db: &Path) {
    let line = r#"{"date":"2023","kind":"statement","actors":["USA"]}"#;
    let out = annals(db).args(["append", line]).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn two_append_loops_started_together_all_succeed() {
    let dir = tempdir();
    let db = db_path(&dir);
    seed(&db);
    let started = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| loop_of(db.clone(), 50, |i| statement("USA", i)));
        let b = s.spawn(|| loop_of(db.clone(), 50, |i| statement("KOR", i)));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.is_empty() && b.is_empty(), "failures: {a:?} {b:?}");
    assert_eq!(event_count(&db), 101);
    eprintln!("100 appends in two loops: {:?}", started.elapsed());
    let verify = annals(&db).arg("verify").output().unwrap();
    assert!(verify.status.success());
}

#[test]
fn a_query_loop_beside_an_append_loop_all_succeed() {
    let dir = tempdir();
    let db = db_path(&dir);
    seed(&db);
    let (reads, writes) = std::thread::scope(|s| {
        let reads = s.spawn(|| {
            loop_of(db.clone(), 50, |_| {
                vec!["deployments".into(), "--as-of".into(), "2024".into()]
            })
        });
        let writes = s.spawn(|| loop_of(db.clone(), 50, |i| statement("JPN", i)));
        (reads.join().unwrap(), writes.join().unwrap())
    });
    assert!(
        reads.is_empty() && writes.is_empty(),
        "failures: {reads:?} {writes:?}"
    );
    assert_eq!(event_count(&db), 51);
}

#[test]
fn the_wait_comes_from_the_flag_or_annals_wait_and_bad_values_are_usage_errors() {
    let dir = tempdir();
    let db = db_path(&dir);
    seed(&db);
    let held = annals::Store::open(&db).unwrap();
    // ANNALS_WAIT: the command waits about that long, then names the holder.
    let started = Instant::now();
    let out = annals(&db)
        .env("ANNALS_WAIT", "400ms")
        .arg("stats")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(took >= Duration::from_millis(400), "gave up after {took:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("(pid {})", std::process::id())),
        "{stderr}"
    );
    // Released during the wait: the waiting command goes on and succeeds.
    let waiter = std::thread::spawn({
        let db = db.clone();
        move || {
            annals(&db)
                .args(["--wait", "10s", "stats"])
                .output()
                .unwrap()
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    drop(held);
    let out = waiter.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bad duration is a usage error.
    for bad in ["5", "fast", "1.5s", "5 parsecs"] {
        let out = annals(&db).args(["--wait", bad, "stats"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--wait {bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--wait"),
            "--wait {bad}"
        );
    }
}

#[test]
fn the_library_waits_too() {
    let dir = tempdir();
    let db = db_path(&dir);
    let first = annals::Store::open(&db).unwrap();
    let path = db.clone();
    let second = std::thread::spawn(move || {
        let options = annals::StoreOptions::default().with_wait(Duration::from_secs(10));
        annals::Store::open_with(&path, options).map(|s| s.head().seq)
    });
    std::thread::sleep(Duration::from_millis(200));
    drop(first);
    assert_eq!(second.join().unwrap().unwrap(), 0);
    let _again = annals::Store::open(&db).unwrap();
    let at_once = annals::StoreOptions::default().with_wait(Duration::ZERO);
    let started = Instant::now();
    let err = annals::Store::open_with(&db, at_once).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(err.to_string().contains("this process holds it"), "{err}");
}

fn read_only(db: &Path) -> annals::Result<annals::Store> {
    let options = annals::StoreOptions::default()
        .with_read_only(true)
        .with_wait(Duration::ZERO);
    annals::Store::open_with(db, options)
}

#[test]
fn on_redb_read_only_opens_share_the_database_and_exclude_a_writer() {
    let dir = tempdir();
    let db = db_path(&dir);
    // On redb whatever $ANNALS_ENGINE says (CI runs the suite again on sled).
    annals(&db)
        .args([
            "--engine",
            "redb",
            "import",
            "schema/examples/sample_timeline.jsonl",
        ])
        .arg("--keep-recorded")
        .assert()
        .success();
    let reader = read_only(&db).unwrap();
    assert_eq!(reader.head().seq, 54);
    // Another process reads at the same time, read-only.
    let out = annals(&db)
        .args([
            "--read-only",
            "--wait",
            "0",
            "deployments",
            "--as-of",
            "2024-11-15",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("12,000"));
    // A writer waits for the readers, and gives up after its wait.
    let out = annals(&db)
        .args([
            "--wait",
            "300ms",
            "append",
            r#"{"date":"2025","kind":"statement","actors":["USA"]}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
    // The read-only handle itself refuses to write.
    let line =
        annals::interchange::parse_line(r#"{"date":"2025","kind":"statement","actors":["USA"]}"#)
            .unwrap()
            .event;
    assert!(matches!(
        reader.append(line),
        Err(annals::Error::ReadOnly { .. })
    ));
    drop(reader);
    assert_eq!(event_count(&db), 54);
}

#[test]
fn read_only_commands_write_nothing_and_say_why() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let line = r#"{"date":"2025","kind":"statement","actors":["USA"]}"#;
    let out = annals(&db)
        .args(["--read-only", "--json", "append", line])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "read_only", "{error}");
    assert_eq!(event_count(&db), 54);
    // Nothing is created for a read-only open of a missing database.
    let missing = dir.path().join("missing.db");
    let out = annals(&missing)
        .args(["--read-only", "stats"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!missing.exists());
    // verify and the views work read-only.
    for args in [
        &["verify"][..],
        &["history", "JPN"],
        &["log", "--actor", "PRK"],
    ] {
        let out = annals(&db).arg("--read-only").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn on_sled_a_read_only_open_is_exclusive() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = dir.path().join("e.jsonl");
    std::fs::write(
        &file,
        r#"{"date":"2025","kind":"statement","actors":["USA"]}"#,
    )
    .unwrap();
    let out = annals(&db)
        .args(["--engine", "sled", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let reader = read_only(&db).unwrap();
    assert_eq!(reader.head().seq, 1);
    assert!(matches!(read_only(&db), Err(annals::Error::InUse { .. })));
}
