//! Group commit (issue #14): concurrent appenders share one durable commit, and each
//! request keeps its own all-or-nothing semantics and its own errors.
//!
//! Grouping is made certain, not left to timing, by a clock that stalls once: the group
//! leader reads the clock while it holds the writer lock, so while the first append's
//! leader is stalled every other appender queues up, and the next leader commits them all
//! in one group. A group takes one clock reading, and the test clock steps one second per
//! reading, so committed events share a recorded time exactly when they were committed
//! together — which the tests check.

mod common;

use annals::interchange::parse_line;
use annals::storage::Faults;
use annals::testing_raw::temporary_with_faults;
use annals::{Clock, Error, ManualClock, NewEvent, Outcome, Store, StoreOptions};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

/// A stepping clock whose next reading, once armed, takes `STALL`.
struct StallingClock {
    inner: ManualClock,
    armed: AtomicBool,
}

const STALL: std::time::Duration = std::time::Duration::from_millis(600);

impl Clock for StallingClock {
    fn now(&self) -> DateTime<Utc> {
        if self.armed.swap(false, Ordering::SeqCst) {
            std::thread::sleep(STALL);
        }
        self.inner.now()
    }
}

fn stalling_clock() -> Arc<StallingClock> {
    Arc::new(StallingClock {
        inner: ManualClock::stepping(common::t("2025-01-01T00:00:00Z"), Duration::seconds(1)),
        armed: AtomicBool::new(false),
    })
}

fn store_with(clock: Arc<StallingClock>) -> Store {
    Store::temporary_with(StoreOptions::default().with_clock(clock)).unwrap()
}

fn test_event(thread: usize, i: usize) -> NewEvent {
    let line = format!(
        r#"{{"date":"2024-{:02}-{:02}","kind":"missile_test","actor":"T{thread:02}","class":"SRBM","count":1,"summary":"{i}"}}"#,
        1 + i % 12,
        1 + i % 28
    );
    parse_line(&line).unwrap().event
}

/// A retraction of an event that is not stored: an invalid event.
fn dangling_retraction() -> NewEvent {
    common::ev(
        r#"{"date":"2024-05-05","kind":"retraction","target":"00000000-0000-4000-8000-000000000001","reason":"none"}"#,
    )
}

/// Run `first` on thread 0 with the clock armed, so that its leader stalls, and each of
/// `rest` on its own thread once thread 0 leads, 20 ms apart so that they queue in thread
/// order; the answers in thread order.
fn grouped<T: Send>(
    clock: &StallingClock,
    first: impl FnOnce() -> T + Send,
    rest: Vec<Box<dyn FnOnce() -> T + Send + '_>>,
) -> (T, Vec<T>) {
    clock.armed.store(true, Ordering::SeqCst);
    let barrier = Barrier::new(rest.len() + 1);
    std::thread::scope(|scope| {
        let lead = scope.spawn(|| {
            barrier.wait();
            first()
        });
        let others: Vec<_> = rest
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    // Thread 0 leads and stalls first.
                    std::thread::sleep(STALL / 6 + std::time::Duration::from_millis(20 * i as u64));
                    f()
                })
            })
            .collect();
        let others = others.into_iter().map(|h| h.join().unwrap()).collect();
        (lead.join().unwrap(), others)
    })
}

/// The distinct recorded times of the committed events `from..=to`.
fn recorded_times(store: &Store, from: u64, to: u64) -> HashSet<i64> {
    (from..=to)
        .map(|seq| store.event(seq).unwrap().recorded_micros)
        .collect()
}

#[test]
fn eight_appenders_get_gap_free_seqs_each_event_once() {
    const EACH: usize = 60;
    let store = Arc::new(common::temp_store());
    let seqs: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                scope.spawn(move || {
                    (0..EACH)
                        .map(|i| match store.append(test_event(t, i)).unwrap() {
                            Outcome::Appended(seq) => seq,
                            other => panic!("event {t}/{i} was not new: {other:?}"),
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
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=8 * EACH as u64).collect::<Vec<_>>());
    assert_eq!(store.head().seq, 8 * EACH as u64);
    let stored: Vec<_> = store.events().map(Result::unwrap).collect();
    assert_eq!(stored.len(), 8 * EACH);
    let ids: HashSet<_> = stored.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 8 * EACH, "each event exactly once");
    for t in 0..8 {
        for i in 0..EACH {
            let want = test_event(t, i).content;
            assert_eq!(stored.iter().filter(|e| e.content == want).count(), 1);
        }
    }
    let times: Vec<_> = stored.iter().map(|e| e.recorded_micros).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "recorded time never decreases"
    );
    store.verify().unwrap();
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn concurrent_appends_share_one_commit() {
    let clock = stalling_clock();
    let store = store_with(clock.clone());
    let rest: Vec<Box<dyn FnOnce() -> _ + Send>> = (1..8)
        .map(|t| {
            let store = &store;
            Box::new(move || store.append(test_event(t, 0))) as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let (first, others) = grouped(&clock, || store.append(test_event(0, 0)), rest);
    assert_eq!(first.unwrap(), Outcome::Appended(1));
    let mut seqs: Vec<u64> = others.into_iter().map(|o| o.unwrap().seq()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (2..=8).collect::<Vec<_>>());
    // The seven waiting appends were committed together: one clock reading.
    assert_eq!(recorded_times(&store, 2, 8).len(), 1);
    assert_ne!(recorded_times(&store, 1, 1), recorded_times(&store, 2, 2));
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn an_invalid_batch_in_a_group_is_rejected_alone() {
    let clock = stalling_clock();
    let store = store_with(clock.clone());
    let rest: Vec<Box<dyn FnOnce() -> _ + Send>> = (1..8)
        .map(|t| {
            let store = &store;
            Box::new(move || {
                let mut batch = vec![test_event(t, 0), test_event(t, 1)];
                if t == 4 {
                    batch.insert(1, dangling_retraction());
                }
                store.append_batch(batch)
            }) as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let (first, others) = grouped(&clock, || store.append_batch([test_event(0, 0)]), rest);
    assert_eq!(first.unwrap().seq_range(), Some((1, 1)));
    for (t, answer) in (1..8).zip(&others) {
        match (t, answer) {
            (4, Err(Error::InvalidInput(problems))) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].line, 2, "{problems:?}");
            }
            (4, other) => panic!("the invalid batch was not rejected: {other:?}"),
            (_, Ok(report)) => assert_eq!(report.new_count(), 2),
            (_, Err(e)) => panic!("a valid batch of the group failed: {e}"),
        }
    }
    assert_eq!(store.head().seq, 1 + 6 * 2);
    assert_eq!(recorded_times(&store, 2, 13).len(), 1, "one group");
    for i in 0..2 {
        let content = test_event(4, i).content;
        assert!(
            store.events().all(|e| e.unwrap().content != content),
            "nothing of the rejected batch is stored"
        );
    }
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn append_expecting_in_a_group_is_judged_against_the_head_as_staged() {
    let clock = stalling_clock();
    let store = store_with(clock.clone());
    let rest: Vec<Box<dyn FnOnce() -> _ + Send>> = (1..8)
        .map(|t| {
            let store = &store;
            Box::new(move || store.append_expecting(1, [test_event(t, 0)]))
                as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let (first, others) = grouped(&clock, || store.append_batch([test_event(0, 0)]), rest);
    assert_eq!(first.unwrap().seq_range(), Some((1, 1)));
    let won: Vec<_> = others.iter().filter_map(|a| a.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "exactly one expectation holds");
    assert_eq!(won[0].seq_range(), Some((2, 2)));
    for answer in others.iter().filter(|a| a.is_err()) {
        match answer {
            Err(Error::Conflict {
                expected: 1,
                actual: 2,
            }) => {}
            other => panic!("not the conflict against the staged head: {other:?}"),
        }
    }
    assert_eq!(store.head().seq, 2);
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn a_failed_group_commit_fails_every_request_and_the_next_write_works() {
    let clock = stalling_clock();
    let faults = Arc::new(Faults::default());
    let options = StoreOptions::default().with_clock(clock.clone());
    let store = temporary_with_faults(options, faults.clone(), 100).unwrap();
    faults.fail_some_after(1, 1); // the first group commits; the second's commit fails
    let rest: Vec<Box<dyn FnOnce() -> _ + Send>> = (1..8)
        .map(|t| {
            let store = &store;
            Box::new(move || store.append(test_event(t, 0))) as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let (first, others) = grouped(&clock, || store.append(test_event(0, 0)), rest);
    assert_eq!(first.unwrap(), Outcome::Appended(1));
    for answer in &others {
        assert!(
            matches!(answer, Err(Error::Storage { .. })),
            "every request of the failed group gets the error: {answer:?}"
        );
    }
    assert_eq!(faults.refused(), 1);
    assert_eq!(store.head().seq, 1);
    assert_eq!(store.events().count(), 1, "nothing of the group is left");
    assert_eq!(
        store.append(test_event(5, 0)).unwrap(),
        Outcome::Appended(2)
    );
    assert_eq!(
        store.append(test_event(6, 0)).unwrap(),
        Outcome::Appended(3)
    );
    annals::testing::assert_rebuild_matches(&store);
}

#[test]
fn view_oddities_reject_their_batch_alone_and_the_rest_is_staged_again() {
    let formed = r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"NATO","type":"defense_pact","members":["USA","CAN"]}"#;
    let joined = r#"{"date":"1952-02-18","kind":"alliance_joined","alliance":"NATO","members":["GRC","TUR"]}"#;
    let unknown = r#"{"date":"1950","kind":"alliance_joined","alliance":"CSTO","members":["ARM"]}"#;
    let clock = stalling_clock();
    let store = store_with(clock.clone());
    let rest: Vec<Box<dyn FnOnce() -> _ + Send>> = (1..8)
        .map(|t| {
            let store = &store;
            Box::new(move || {
                let batch = match t {
                    2 => vec![common::ev(formed)],
                    3 => vec![test_event(t, 0), common::ev(unknown)], // odd for the views
                    6 => vec![common::ev(joined)], // valid only after thread 2's batch
                    _ => vec![test_event(t, 0)],
                };
                store.append_batch(batch)
            }) as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let (first, others) = grouped(&clock, || store.append_batch([test_event(0, 0)]), rest);
    assert_eq!(first.unwrap().seq_range(), Some((1, 1)));
    for (t, answer) in (1..8).zip(&others) {
        match (t, answer) {
            (3, Err(Error::InvalidInput(problems))) => {
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert_eq!(problems[0].line, 2, "the odd event is named: {problems:?}");
            }
            (3, other) => panic!("the odd batch was not rejected: {other:?}"),
            (_, Ok(report)) => assert_eq!(report.new_count(), 1),
            (_, Err(e)) => panic!("batch {t} failed with the odd one: {e}"),
        }
    }
    assert_eq!(store.head().seq, 7);
    assert_eq!(recorded_times(&store, 2, 7).len(), 1, "one group");
    let content = test_event(3, 0).content;
    assert!(store.events().all(|e| e.unwrap().content != content));
    annals::testing::assert_rebuild_matches(&store);
}
