//! Thread safety and live subscriptions: concurrent appenders keep the seq gap-free;
//! subscribers that start and stop while appends run see every event exactly once, in
//! order, across the switch from catching up to following; `annals tail` follows appends
//! made by other processes.

mod common;

use annals::interchange::parse_line;
use annals::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn statement(thread: usize, i: usize) -> annals::NewEvent {
    parse_line(&format!(r#"{{"date":"2024-01-{:02}","kind":"statement","actors":["T{thread:02}"],"summary":"event {i}"}}"#, 1 + i % 28)).unwrap().event
}

#[test]
fn concurrent_appenders_and_subscribers() {
    const THREADS: usize = 4;
    const EACH: usize = 150;
    let store = Arc::new(common::temp_store());
    let done = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let store = store.clone();
            scope.spawn(move || {
                for i in 0..EACH {
                    if i % 10 == 0 {
                        store
                            .append_batch((0..3).map(|j| statement(t, 10_000 + i * 3 + j)))
                            .unwrap();
                    } else {
                        store.append(statement(t, i)).unwrap();
                    }
                }
            });
        }
        // Subscribers start at different moments and positions, read a while, stop.
        for s in 0..6 {
            let store = store.clone();
            let done = done.clone();
            scope.spawn(move || {
                std::thread::sleep(Duration::from_millis(5 * s as u64));
                let from = (store.head().seq / 2).max(1) + s as u64;
                let mut sub = store.subscribe(from);
                let mut expected = from;
                let mut seen = 0;
                while seen < 200 {
                    match sub.next_timeout(Duration::from_secs(10)) {
                        Some(event) => {
                            let event = event.unwrap();
                            assert_eq!(event.seq, expected, "subscriber {s} skipped or repeated");
                            expected += 1;
                            seen += 1;
                        }
                        None => {
                            assert!(
                                done.load(Ordering::SeqCst),
                                "subscriber {s} starved while appends ran"
                            );
                            break;
                        }
                    }
                }
            });
        }
        scope.spawn({
            let store = store.clone();
            let done = done.clone();
            move || {
                let total = (THREADS * (EACH - EACH / 10 + (EACH / 10) * 3)) as u64;
                let mut sub = store.subscribe(1);
                for expected in 1..=total {
                    let e = sub
                        .next_timeout(Duration::from_secs(30))
                        .expect("the full subscriber saw every event")
                        .unwrap();
                    assert_eq!(e.seq, expected);
                }
                done.store(true, Ordering::SeqCst);
            }
        });
    });
    let total = (THREADS * (EACH - EACH / 10 + (EACH / 10) * 3)) as u64;
    assert_eq!(store.head().seq, total);
    let seqs: Vec<u64> = store.events().map(|e| e.unwrap().seq).collect();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "gap-free");
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn a_subscription_catches_up_then_follows() {
    let store = common::temp_store();
    for i in 0..5 {
        store.append(statement(0, i)).unwrap();
    }
    let mut sub = store.subscribe(3);
    assert_eq!(sub.try_next().unwrap().unwrap().seq, 3);
    assert_eq!(sub.try_next().unwrap().unwrap().seq, 4);
    assert_eq!(sub.try_next().unwrap().unwrap().seq, 5);
    assert!(sub.try_next().is_none());
    assert!(sub.next_timeout(Duration::from_millis(20)).is_none());
    store.append(statement(0, 99)).unwrap();
    assert_eq!(
        sub.next_timeout(Duration::from_secs(5))
            .unwrap()
            .unwrap()
            .seq,
        6
    );
}

#[test]
fn tail_follows_appends_from_other_processes() {
    let dir = common::tempdir();
    let db = common::db_path(&dir);
    common::annals(&db)
        .args([
            "append",
            r#"{"date":"2024","kind":"statement","actors":["USA"]}"#,
        ])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("annals");
    let child = std::process::Command::new(bin)
        .env_remove("ANNALS_DB")
        .args([
            "--db",
            db.to_str().unwrap(),
            "tail",
            "--from-seq",
            "1",
            "--max",
            "3",
            "--poll-ms",
            "20",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for year in [2025, 2026] {
        // The tail holds the database only briefly; retry while it is in use.
        let line = format!(r#"{{"date":"{year}","kind":"statement","actors":["USA"]}}"#);
        let mut ok = false;
        for _ in 0..200 {
            let out = common::annals(&db)
                .args(["append", &line])
                .output()
                .unwrap();
            if out.status.success() {
                ok = true;
                break;
            }
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("in use"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(ok, "append kept failing while tail ran");
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dates: Vec<&str> = lines.iter().map(|l| l["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2024", "2025", "2026"]);
    let seqs: Vec<u64> = lines.iter().map(|l| l["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);
    let _ = Store::open(&db).unwrap();
}
