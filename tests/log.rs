//! The append-only log through the library API: round trips, idempotency, rejection of
//! bad input with nothing written, corruption caught by verify, timeline order, reopening.

mod common;

use annals::interchange::{event_line, parse_reader};
use annals::testing_raw;
use annals::{Error, Outcome, Store};
use common::*;

fn export(store: &Store) -> Vec<String> {
    store.events().map(|e| event_line(&e.unwrap())).collect()
}

#[test]
fn import_export_import_round_trip() {
    let a = temp_store();
    a.import_lines(lines(SAMPLE), true).unwrap();
    a.import_lines(lines(EXAMPLES), false).unwrap();
    let exported = export(&a).join("\n");

    let b = temp_store();
    let report = b.import_lines(lines(&exported), true).unwrap();
    assert_eq!(report.new_count(), a.head().seq);
    // Same ids, same seqs, same recorded times, same content: byte-identical export.
    assert_eq!(export(&b).join("\n"), exported);
    // Same chain, because the records are the same.
    assert_eq!(a.head().hash, b.head().hash);
    assert_eq!(a.verify().unwrap(), b.verify().unwrap());
}

#[test]
fn reimport_is_idempotent() {
    let store = temp_store();
    let first = store.import_lines(lines(EXAMPLES), false).unwrap();
    let n = first.new_count();
    assert!(n >= 19, "every kind is in the examples");
    let again = store.import_lines(lines(EXAMPLES), false).unwrap();
    assert_eq!(again.new_count(), 0);
    assert_eq!(again.present_count(), n);
    assert_eq!(store.head().seq, n);
    // Lines without an id get a content-derived id, so re-appending one is a no-op too.
    let line = r#"{"date":"2024-10-31","kind":"missile_test","actor":"PRK","class":"ICBM"}"#;
    let s = store.append(ev(line)).unwrap();
    assert_eq!(
        store.append(ev(line)).unwrap(),
        Outcome::AlreadyPresent(s.seq())
    );
}

#[test]
fn same_id_with_different_content_is_rejected() {
    let store = temp_store();
    let id = "7d0c8a40-6c1f-4a57-9a51-0d3e8f1b2c01";
    store
        .append(ev(&format!(
            r#"{{"id":"{id}","date":"2024","kind":"statement","actors":["USA"]}}"#
        )))
        .unwrap();
    let err = store
        .append(ev(&format!(
            r#"{{"id":"{id}","date":"2025","kind":"statement","actors":["USA"]}}"#
        )))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("already stored (seq 1) with different content"),
        "{err}"
    );
    assert_eq!(store.head().seq, 1);
}

#[test]
fn a_bad_line_fails_the_whole_batch_and_writes_nothing() {
    let store = temp_store();
    store.import_lines(lines(EXAMPLES), false).unwrap();
    let before = store.head();
    let bad_references = [
        // target that does not exist
        r#"{"kind":"retraction","target":"00000000-0000-4000-8000-000000000099","reason":"x"}"#,
        // retraction of a retraction (line 24 of the examples is a retraction)
        &format!(
            r#"{{"kind":"retraction","target":"{}","reason":"x"}}"#,
            store.event(24).unwrap().id
        ),
        // correction of a retracted event
        &format!(
            r#"{{"kind":"correction","target":"{}","event":{{"date":"2006","kind":"nuclear_test","actor":"PRK"}}}}"#,
            match store.event(24).unwrap().content.kind {
                annals::Kind::Retraction { target, .. } => target,
                _ => unreachable!(),
            }
        ),
    ];
    for bad in bad_references {
        let text = format!(
            "{}\n{bad}\n",
            r#"{"date":"2030","kind":"statement","actors":["USA"]}"#
        );
        let err = store.import_lines(lines(&text), false).unwrap_err();
        match &err {
            Error::InvalidInput(errs) => assert_eq!(errs[0].line, 2, "{err}"),
            other => panic!("{other}"),
        }
        assert_eq!(store.head(), before, "nothing written for {bad}");
    }
}

#[test]
fn cycles_and_self_targets_cannot_be_expressed() {
    let store = temp_store();
    let a = "0f6b5d2e-1111-4c3b-8a6f-000000000001";
    let b = "0f6b5d2e-1111-4c3b-8a6f-000000000002";
    // a corrects b, b corrects a: whichever comes first targets something not yet there.
    let text = format!(
        "{}\n{}\n",
        format_args!(
            r#"{{"id":"{a}","kind":"correction","target":"{b}","event":{{"date":"2024","kind":"statement","actors":["USA"]}}}}"#
        ),
        format_args!(
            r#"{{"id":"{b}","kind":"correction","target":"{a}","event":{{"date":"2024","kind":"statement","actors":["KOR"]}}}}"#
        ),
    );
    let err = store.import_lines(lines(&text), false).unwrap_err();
    assert!(
        err.to_string()
            .contains("not in the store or earlier in this input"),
        "{err}"
    );
    assert_eq!(store.head().seq, 0);
    let self_target = format!(r#"{{"id":"{a}","kind":"retraction","target":"{a}","reason":"x"}}"#);
    let errs = parse_reader(self_target.as_bytes()).unwrap_err();
    assert!(errs[0].reason.contains("targets itself"), "{errs:?}");
}

#[test]
fn flipped_byte_in_a_record_is_caught_with_its_seq() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let key = testing_raw::log_key(17);
    let mut value = testing_raw::get(&store, &key).unwrap().unwrap();
    let mid = value.len() / 2;
    value[mid] ^= 0x20;
    testing_raw::put(&store, &key, &value).unwrap();
    match store.verify().unwrap_err() {
        Error::Corrupt {
            seq: Some(17),
            reason,
            ..
        } => assert!(reason.contains("checksum"), "{reason}"),
        other => panic!("expected corruption at seq 17, got {other}"),
    }
    // Reading the damaged record is an error naming the seq, never a panic or a wrong answer.
    assert!(matches!(
        store.event(17),
        Err(Error::Corrupt { seq: Some(17), .. })
    ));
}

#[test]
fn rewritten_record_with_a_valid_checksum_breaks_the_hash_chain() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    // Forge a rewrite: change the summary and re-seal it with a correct checksum.
    testing_raw::forge_log_record(&store, 30, |e| e.content.summary = Some("rewritten".into()))
        .unwrap();
    assert_eq!(
        store.event(30).unwrap().content.summary.as_deref(),
        Some("rewritten")
    );
    match store.verify() {
        Err(Error::Corrupt {
            seq: Some(30),
            reason,
            ..
        }) => assert!(reason.contains("hash chain"), "{reason}"),
        other => panic!("expected a broken chain at seq 30, got {other:?}"),
    }
}

#[test]
fn rewriting_the_last_record_is_caught_by_the_head_hash() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let last = store.head().seq;
    testing_raw::forge_log_record(&store, last, |e| e.content.summary = None).unwrap();
    match store.verify() {
        Err(Error::Corrupt {
            seq: Some(s),
            reason,
            ..
        }) => {
            assert_eq!(s, last);
            assert!(reason.contains("head"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn damaged_index_is_reported_and_rebuild_repairs_it() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    store.verify().unwrap();
    for prefix in [b'I', b'T', b'A', b'R'] {
        let keys = testing_raw::keys_with_prefix(&store, prefix).unwrap();
        let key = &keys[keys.len() / 2];
        testing_raw::delete(&store, key).unwrap();
        let err = store.verify().unwrap_err();
        assert!(matches!(err, Error::Corrupt { seq: None, .. }), "{err}");
        assert!(err.to_string().contains("index"), "{err}");
        store.rebuild_indexes().unwrap();
        store.verify().unwrap();
    }
}

#[test]
fn timeline_order_of_imprecise_dates() {
    let store = temp_store();
    let text = [
        r#"{"date":"2024-11-15","kind":"statement","actors":["AAA"]}"#,
        r#"{"date":"2024","kind":"statement","actors":["BBB"]}"#,
        r#"{"date":"2024-11","kind":"statement","actors":["CCC"]}"#,
        r#"{"date":"2024-11-01","kind":"statement","actors":["DDD"]}"#,
        r#"{"date":"2023-08/2024-02","kind":"statement","actors":["EEE"]}"#,
        r#"{"date":"2024-01-01","kind":"statement","actors":["FFF"]}"#,
        r#"{"date":"2024-11~","kind":"statement","actors":["GGG"]}"#,
    ]
    .join("\n");
    store.import_lines(lines(&text), false).unwrap();
    let order: Vec<String> = store
        .timeline(None, None)
        .map(|e| e.unwrap().content.kind.codes()[0].to_string())
        .collect();
    // (earliest, latest, seq): 2023-08-01..; 2024-01-01 (FFF, latest Jan 1) before 2024
    // (BBB, latest Dec 31); 2024-11-01 (DDD) before 2024-11 (CCC) before 2024-11~ (GGG, later seq).
    assert_eq!(order, ["EEE", "FFF", "BBB", "DDD", "CCC", "GGG", "AAA"]);
}

#[test]
fn dates_print_back_in_the_precision_given() {
    let store = temp_store();
    store.import_lines(lines(EXAMPLES), false).unwrap();
    let exported = export(&store).join("\n");
    for date in ["\"1950-04?\"", "\"1950-10/1950-11%\"", "\"2006-10-09\""] {
        assert!(
            exported.contains(&format!("\"date\":{date}")),
            "{date} missing from export"
        );
    }
    let line = r#"{"date":"2023-08","kind":"statement","actors":["USA"]}"#;
    store.append(ev(line)).unwrap();
    let last = store.event(store.head().seq).unwrap();
    assert!(event_line(&last).contains(r#""date":"2023-08""#));
}

#[test]
fn reopening_after_drop_keeps_everything() {
    let dir = tempdir();
    let path = db_path(&dir);
    let (head, exported) = {
        let store = open(&path);
        store.import_lines(lines(SAMPLE), true).unwrap();
        (store.head(), export(&store))
    };
    let store = open(&path);
    assert_eq!(store.head(), head);
    assert_eq!(export(&store), exported);
    store.verify().unwrap();
    // And appending continues the chain.
    store
        .append(ev(r#"{"date":"2026","kind":"statement","actors":["USA"]}"#))
        .unwrap();
    assert_eq!(store.head().seq, head.seq + 1);
    store.verify().unwrap();
}

#[test]
fn a_second_handle_gets_the_in_use_error() {
    let dir = tempdir();
    let path = db_path(&dir);
    let _first = open(&path);
    match Store::open(&path) {
        Err(Error::InUse { path: p, .. }) => assert!(p.contains("db")),
        other => panic!("expected InUse, got {other:?}"),
    }
}

#[test]
fn leftovers_past_the_head_are_rolled_back_on_open() {
    let dir = tempdir();
    let path = db_path(&dir);
    let head = {
        let store = open(&path);
        store.import_lines(lines(SAMPLE), true).unwrap();
        let head = store.head();
        // Simulate a crash in the middle of a multi-batch import: a record past the head.
        let value = testing_raw::get(&store, &testing_raw::log_key(head.seq))
            .unwrap()
            .unwrap();
        testing_raw::put(&store, &testing_raw::log_key(head.seq + 1), &value).unwrap();
        head
    };
    let store = open(&path);
    assert_eq!(store.head(), head);
    assert!(
        testing_raw::get(&store, &testing_raw::log_key(head.seq + 1))
            .unwrap()
            .is_none()
    );
    store.verify().unwrap();
}

#[test]
fn optimistic_concurrency_conflict_writes_nothing() {
    let store = temp_store();
    store
        .append(ev(r#"{"date":"2024","kind":"statement","actors":["USA"]}"#))
        .unwrap();
    let err = store
        .append_expecting(
            0,
            [ev(r#"{"date":"2024","kind":"statement","actors":["KOR"]}"#)],
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Conflict {
                expected: 0,
                actual: 1
            }
        ),
        "{err}"
    );
    assert_eq!(store.head().seq, 1);
    store
        .append_expecting(
            1,
            [ev(r#"{"date":"2024","kind":"statement","actors":["KOR"]}"#)],
        )
        .unwrap();
    assert_eq!(store.head().seq, 2);
}

#[test]
fn api_events_obey_the_same_rules_as_json() {
    let store = temp_store();
    let mut bad = content(r#"{"date":"2024","kind":"meeting","actors":["USA","KOR"]}"#);
    if let annals::Kind::Meeting { actors, .. } = &mut bad.kind {
        actors.pop();
    }
    let err = store.append(bad).unwrap_err();
    assert!(err.to_string().contains("at least 2"), "{err}");
    assert_eq!(store.head().seq, 0);
}

#[test]
fn by_actor_and_by_range() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let prk = annals::Code::parse("prk").unwrap();
    let events = store.actor_events(&prk).unwrap();
    assert!(events.len() >= 15);
    assert!(events
        .iter()
        .all(|e| e.content.kind.codes().iter().any(|c| **c == prk)));
    let days: Vec<_> = events
        .iter()
        .map(|e| store.timeline_key(e).unwrap().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "timeline order");
    let from = annals::Day::parse_query("2024-11-01").unwrap();
    let to = annals::Day::parse_query("2024-11-05").unwrap();
    for e in store.timeline(Some(from), Some(to)) {
        let e = e.unwrap();
        let d = e.content.date.unwrap().earliest();
        assert!(d >= from && d <= to);
    }
}

#[test]
fn store_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
}

#[test]
fn an_interrupted_rebuild_is_finished_on_the_next_open() {
    let dir = tempdir();
    let path = db_path(&dir);
    {
        let store = open(&path);
        store.import_lines(lines(SAMPLE), true).unwrap();
        // What a crash halfway through `rebuild` leaves: the marker, and a partial index.
        testing_raw::mark_rebuild_interrupted(&store).unwrap();
        for key in testing_raw::keys_with_prefix(&store, b'I')
            .unwrap()
            .into_iter()
            .take(10)
        {
            testing_raw::delete(&store, &key).unwrap();
        }
    }
    let store = open(&path);
    store.verify().unwrap();
    // The id index is whole again: re-importing adds nothing.
    assert_eq!(
        store.import_lines(lines(SAMPLE), true).unwrap().new_count(),
        0
    );
}

#[test]
fn corrupt_derived_state_is_rebuilt_from_the_log_on_the_next_query() {
    use annals::views::Deployments;
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let as_of = annals::Day::parse_query("2024-11-15").unwrap();
    let before = store.at(as_of).view::<Deployments>().unwrap().rows;
    // Flip a byte in every timeline bucket and every row version: neither the timeline
    // nor the row-version index the answer is read from can be read any more.
    let damaged = [b'T', b'W']
        .iter()
        .flat_map(|p| testing_raw::keys_with_prefix(&store, *p).unwrap());
    for key in damaged {
        let mut v = testing_raw::get(&store, &key).unwrap().unwrap();
        let i = v.len() - 1;
        v[i] ^= 0x55;
        testing_raw::put(&store, &key, &v).unwrap();
    }
    assert!(store.verify().is_err());
    // The query notices, rebuilds what is derived, and answers correctly.
    assert_eq!(store.at(as_of).view::<Deployments>().unwrap().rows, before);
    store.verify().unwrap();
    // A corrupt log is reported, not repaired.
    let key = testing_raw::log_key(3);
    let mut v = testing_raw::get(&store, &key).unwrap().unwrap();
    let i = v.len() - 1;
    v[i] ^= 0x55;
    testing_raw::put(&store, &key, &v).unwrap();
    let err = store.rebuild().unwrap_err();
    assert!(matches!(err, Error::Corrupt { seq: Some(3), .. }), "{err}");
    assert_eq!(
        testing_raw::get(&store, &key).unwrap().unwrap(),
        v,
        "the log record was left as it is"
    );
}

/// Flip the last byte of every value whose key starts with `prefix`.
fn damage_keyspace(store: &annals::Store, prefix: u8) {
    let keys = testing_raw::keys_with_prefix(store, prefix).unwrap();
    assert!(!keys.is_empty(), "keyspace {} is empty", prefix as char);
    for key in keys {
        let mut v = testing_raw::get(store, &key).unwrap().unwrap();
        let i = v.len() - 1;
        v[i] ^= 0x55;
        testing_raw::put(store, &key, &v).unwrap();
    }
}

#[test]
fn every_index_read_repairs_corrupt_derived_state() {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let prk = annals::Code::parse("PRK").unwrap();
    let some = store.event(5).unwrap();
    let timeline: Vec<_> = store
        .timeline(None, None)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let history = store.history(&prk, annals::KnownAt::Now).unwrap();
    let actor_events = store.actor_events(&prk).unwrap();
    let read_timeline =
        || store.read_repairing(|| store.timeline(None, None).collect::<Result<Vec<_>, _>>());
    // Each read, on its own damaged index, answers as before and leaves a verified store.
    damage_keyspace(&store, b'I');
    assert_eq!(
        store.get(&some.id).unwrap(),
        Some(some.clone()),
        "get by id"
    );
    store.verify().unwrap();
    damage_keyspace(&store, b'A');
    assert_eq!(store.history(&prk, annals::KnownAt::Now).unwrap(), history);
    store.verify().unwrap();
    damage_keyspace(&store, b'A');
    assert_eq!(store.actor_events(&prk).unwrap(), actor_events);
    store.verify().unwrap();
    damage_keyspace(&store, b'T');
    assert_eq!(read_timeline().unwrap(), timeline);
    store.verify().unwrap();
    // Without the repairing wrapper the damage is an error, never a wrong answer.
    damage_keyspace(&store, b'T');
    let err = store
        .timeline(None, None)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err();
    assert!(err.is_derived_corruption(), "{err}");
}
