//! Durable single-event appends from 1 and 8 threads sharing one `Arc<Store>`, on redb and
//! sled, in a temporary directory on disk: events/s and p50/p99 latency (issue #14, group
//! commit). Ignored in the regular suite; run with
//! `cargo test --release --test group_commit_bench -- --ignored --nocapture`.

use annals::interchange::parse_line;
use annals::{EngineKind, NewEvent, Store, StoreOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The dates appends carry.
#[derive(Clone, Copy, Debug)]
enum Dates {
    /// Cycling through 2024 (month i % 12, day i % 28): almost every append is dated
    /// before events already stored, so each one rewrites the later versions of its row
    /// key. Spread over 100 tallies per thread (class `K0`..`K99`): one tally fed out of
    /// order rewrites all its later versions per append, quadratic in its length
    /// (`tests/row_index.rs`; benches/README, weak spots).
    Backdated,
    /// Rising, one day per append (a live feed): each append lands after every
    /// checkpoint, the common case.
    Rising,
}

fn event(dates: Dates, thread: usize, i: usize) -> NewEvent {
    let date = match dates {
        Dates::Backdated => format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        Dates::Rising => {
            let day = annals::Day::parse_query("2000-01-01").unwrap().0 + i as u32;
            annals::Day(day).to_string()
        }
    };
    let class = match dates {
        Dates::Backdated => format!("K{}", i % 100),
        Dates::Rising => "SRBM".to_string(),
    };
    let line = format!(
        r#"{{"date":"{date}","kind":"missile_test","actor":"T{thread:02}","class":"{class}","count":1,"summary":"{i}"}}"#
    );
    parse_line(&line).unwrap().event
}

/// What one run measured.
struct Run {
    rate: f64,
    p50: Duration,
    p99: Duration,
    /// Events per durable commit: a group takes one clock reading, so the events of one
    /// commit share their recorded time.
    per_commit: f64,
}

/// Run `threads` appenders of `each` single-event appends.
fn measure(kind: EngineKind, dates: Dates, threads: usize, each: usize) -> Run {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let store = Arc::new(
        Store::open_with(
            dir.path().join("db"),
            StoreOptions::default().with_engine(kind),
        )
        .unwrap(),
    );
    let start = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let store = store.clone();
                scope.spawn(move || {
                    (0..each)
                        .map(|i| {
                            let e = event(dates, t, i);
                            let began = Instant::now();
                            store.append(e).unwrap();
                            began.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = start.elapsed();
    assert_eq!(store.head().seq, (threads * each) as u64);
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let mut times: Vec<i64> = store.events().map(|e| e.unwrap().recorded_micros).collect();
    times.dedup();
    Run {
        rate: (threads * each) as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        per_commit: (threads * each) as f64 / times.len() as f64,
    }
}

#[test]
#[ignore = "measurement: durable appends from 1 and 8 threads on disk (run with --release)"]
fn durable_appends_one_and_eight_threads() {
    for (kind, dates) in [
        (EngineKind::Redb, Dates::Rising),
        (EngineKind::Redb, Dates::Backdated),
        (EngineKind::Sled, Dates::Rising),
        (EngineKind::Sled, Dates::Backdated),
    ] {
        for (threads, each) in [(1, 2_000), (8, 1_000)] {
            let run = measure(kind, dates, threads, each);
            println!(
                "{kind:?} {dates:?} threads={threads} appends={} rate={:.0}/s p50={:.2}ms p99={:.2}ms events/commit={:.2}",
                threads * each,
                run.rate,
                run.p50.as_secs_f64() * 1e3,
                run.p99.as_secs_f64() * 1e3,
                run.per_commit
            );
        }
    }
}
