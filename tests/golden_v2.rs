//! Data written by annals before the dataset model (storage format 2, log record version
//! 2, interchange v2) must load forever. `tests/golden/v2/db/` is a whole redb database
//! written by that code (the bundled sample timeline plus two located events, 56 in all)
//! and `export.jsonl` its export. They are opened with the current code and the exact
//! answers of several queries are checked.

mod common;

use annals::views::{Alliances, Arms, Deployments, Leaders};
use annals::{Day, KnownAt, Store};
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v2");

fn day(s: &str) -> Day {
    Day::parse_query(s).unwrap()
}

/// The exact answers the v2 data must keep giving.
fn check_answers(store: &Store) {
    let nato = |as_of: &str| {
        let rows = store.at(day(as_of)).view::<Alliances>().unwrap().rows;
        let nato = rows.into_iter().find(|r| r.alliance == "NATO").unwrap();
        // Upcast events name no obligations: every member has the type's.
        assert!(nato.obligations.values().all(|o| o == &["defense"]));
        nato.members.len()
    };
    assert_eq!(nato("1999-03-11"), 16);
    assert_eq!(nato("1999-03-12"), 19);
    assert_eq!(nato("2024-03-07"), 32);
    let kursk = |as_of: &str, known: &str| {
        store
            .at(day(as_of))
            .known_at(KnownAt::parse(known).unwrap())
            .view::<Deployments>()
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.region.as_deref() == Some("Kursk"))
            .map(|r| r.strength)
    };
    assert_eq!(kursk("2024-11-15", "2024-11-01T00:00:00Z"), Some(8000));
    assert_eq!(kursk("2024-11-15", "now"), Some(12000));
    assert_eq!(kursk("2024-12-03", "now"), Some(11000));
    let leaders = store.at(day("2024-10-01")).view::<Leaders>().unwrap().rows;
    let pm = leaders.into_iter().find(|r| r.actor == "JPN").unwrap();
    assert_eq!(pm.person, "Shigeru Ishiba");
    assert_eq!(pm.entry, None);
    let arms = store.at(day("2024-12-31")).view::<Arms>().unwrap().rows;
    let prk: u64 = arms
        .iter()
        .filter(|r| r.supplier == "PRK")
        .map(|r| r.quantity)
        .sum();
    assert_eq!(prk, 13000);
    assert!(arms
        .iter()
        .all(|r| r.unknown_quantity.is_none() && r.delivered.is_none() && r.tiv_order.is_none()));
}

#[test]
fn a_v2_database_opens_verifies_and_keeps_growing() {
    let dir = common::tempdir();
    let path = dir.path().join("db");
    common::copy_dir(Path::new(&format!("{GOLDEN}/db")), &path);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().seq, 56);
    assert_eq!(store.verify().unwrap().events, 56);
    check_answers(&store);
    let old = annals::testing_raw::get(&store, &annals::testing_raw::log_key(56))
        .unwrap()
        .unwrap();
    assert_eq!(old[1], 2, "a version-2 log record, as written");
    // The export of the upcast events is the v2 export, byte for byte.
    let export = std::fs::read_to_string(format!("{GOLDEN}/export.jsonl")).unwrap();
    let again: Vec<String> = store
        .events()
        .map(|e| annals::interchange::event_line(&e.unwrap()))
        .collect();
    assert_eq!(again, export.lines().collect::<Vec<_>>());
    // New events use version 3 (a kind v2 did not have), and the chain continues.
    let line = r#"{"date":"1990-10-03","kind":"state_entered","actor":"DEU","name":"Germany"}"#;
    store
        .append(annals::interchange::parse_line(line).unwrap().event)
        .unwrap();
    let new = annals::testing_raw::get(&store, &annals::testing_raw::log_key(57))
        .unwrap()
        .unwrap();
    assert_eq!(new[1], 3);
    store.verify().unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().seq, 57);
    check_answers(&store);
}

#[test]
fn a_v2_export_imports_with_the_same_answers_and_ids() {
    let text = std::fs::read_to_string(format!("{GOLDEN}/export.jsonl")).unwrap();
    let store = common::temp_store();
    let report = store.import_lines(common::lines(&text), true).unwrap();
    assert_eq!(report.new_count(), 56);
    check_answers(&store);
    let again: Vec<String> = store
        .events()
        .map(|e| annals::interchange::event_line(&e.unwrap()))
        .collect();
    assert_eq!(again, text.lines().collect::<Vec<_>>());
}
