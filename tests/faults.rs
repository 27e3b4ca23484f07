//! What a handle does when the engine fails: a failed commit is rolled back, and when the
//! rollback fails too, the handle never answers from records past its head. It either
//! rolls back before its next write or refuses every write with a clear error until it is
//! reopened (redb's `PreviousIo` is the model). The engine is wrapped by
//! `annals::storage::FaultyEngine` (feature `test-util`), which fails writes on demand.

use annals::interchange::parse_line;
use annals::storage::Faults;
use annals::testing_raw::temporary_with_faults;
use annals::{Error, NewEvent, Outcome, Store, StoreOptions};
use std::sync::Arc;

/// Five distinct missile tests.
fn events() -> Vec<NewEvent> {
    (1..=5)
        .map(|n| {
            let line = format!(
                r#"{{"date":"2024-10-{n:02}","kind":"missile_test","actor":"PRK","class":"SRBM","count":{n}}}"#
            );
            parse_line(&line).unwrap().event
        })
        .collect()
}

/// A store whose imports stage two events per engine write, so five events make an
/// import of three chunks: two written past the head, the last held until the commit.
fn faulty_store() -> (Store, Arc<Faults>) {
    let faults = Arc::new(Faults::default());
    let store = temporary_with_faults(StoreOptions::default(), faults.clone(), 2).unwrap();
    (store, faults)
}

/// Fail the commit of a three-chunk import and the write of its rollback.
fn fail_commit_and_rollback(store: &Store, faults: &Faults) {
    faults.fail_after(2); // the two staged chunks are written; the commit and rollback fail
    let err = store.append_batch(events()).unwrap_err();
    assert!(matches!(err, Error::Storage { .. }), "{err}");
    assert!(
        faults.refused() >= 2,
        "the commit and the rollback were refused"
    );
    assert_eq!(store.head().seq, 0);
}

#[test]
fn after_a_failed_rollback_writes_are_refused_and_nothing_past_the_head_is_seen() {
    let (store, faults) = faulty_store();
    fail_commit_and_rollback(&store, &faults);
    let first = events().remove(0);
    // The old bug: this answered Ok(AlreadyPresent(1)) with the head still at 0.
    let err = store.append(first.clone()).unwrap_err();
    assert!(matches!(err, Error::PreviousWriteFailed { .. }), "{err}");
    assert!(
        err.to_string().contains("reopen"),
        "says how to recover: {err}"
    );
    assert_eq!(store.head().seq, 0);
    assert!(matches!(store.event(1), Err(Error::NotFound(_))));
    assert_eq!(store.events().count(), 0);
    assert!(store.timeline(None, None).next().is_none());
    // Every kind of write is refused, not only appends; so are rebuild and verify, which
    // would otherwise see the leftovers' index entries.
    assert!(store.append_batch(events()).is_err());
    for refused in [store.rebuild().map(|_| ()), store.verify().map(|_| ())] {
        let err = refused.unwrap_err();
        assert!(matches!(err, Error::PreviousWriteFailed { .. }), "{err}");
    }
    assert_eq!(store.head().seq, 0);
}

#[test]
fn once_the_engine_recovers_the_next_write_rolls_back_first() {
    let (store, faults) = faulty_store();
    fail_commit_and_rollback(&store, &faults);
    faults.heal();
    // A verify is the first to take the writer lock: it rolls back, then finds all intact.
    assert_eq!(store.verify().unwrap().events, 0);
    let all = events();
    assert_eq!(store.append(all[0].clone()).unwrap(), Outcome::Appended(1));
    assert_eq!(store.head().seq, 1);
    assert_eq!(store.event(1).unwrap().content, all[0].content);
    store.verify().unwrap();
    let report = store.append_batch(all).unwrap();
    assert_eq!(report.new_count(), 4);
    assert_eq!(report.seq_range(), Some((2, 5)));
    assert_eq!(store.head().seq, 5);
    let report = store.verify().unwrap();
    assert_eq!(report.events, 5);
}

#[test]
fn a_failed_commit_whose_rollback_succeeds_leaves_the_handle_usable() {
    let (store, faults) = faulty_store();
    faults.fail_some_after(2, 1); // only the commit fails; the rollback succeeds
    let err = store.append_batch(events()).unwrap_err();
    assert!(matches!(err, Error::Storage { .. }), "{err}");
    assert_eq!(faults.refused(), 1);
    assert_eq!(store.head().seq, 0);
    assert_eq!(store.events().count(), 0, "nothing staged is left");
    let all = events();
    assert_eq!(store.append(all[1].clone()).unwrap(), Outcome::Appended(1));
    store.verify().unwrap();
}
