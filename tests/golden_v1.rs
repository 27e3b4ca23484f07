//! Data written by annals 0.1 (storage format 1, interchange v1) must load forever. Three
//! fixtures written by the v1 code are opened with the current code, and the exact answers
//! of several as-of queries are checked: `tests/golden/v1/export.jsonl` (an export),
//! `records.bin` (raw stored records: u32-le key length, key, u32-le value length, value,
//! repeated) and `db/` (a whole v1 database directory).

mod common;

use annals::views::{Alliances, Arms, Deployments, Leaders};
use annals::{Day, KnownAt, Store};
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v1");

fn day(s: &str) -> Day {
    Day::parse_query(s).unwrap()
}

/// The exact answers the v1 data must keep giving.
fn check_answers(store: &Store) {
    let nato = |as_of: &str| {
        store
            .at(day(as_of))
            .view::<Alliances>()
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.alliance == "NATO")
            .map(|r| r.members.len())
            .unwrap_or(0)
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
    assert_eq!(kursk("2024-11-14", "now"), Some(10000));
    let pm = store
        .at(day("2024-10-01"))
        .view::<Leaders>()
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.actor == "JPN")
        .map(|r| r.person);
    assert_eq!(pm.as_deref(), Some("Shigeru Ishiba"));
    let containers: u64 = store
        .at(day("2024-12-31"))
        .view::<Arms>()
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.supplier == "PRK")
        .map(|r| r.quantity)
        .sum();
    assert_eq!(containers, 13000);
    // The v1 examples: the Warsaw Pact, dissolved in 1991.
    let warsaw = |as_of: &str| {
        store
            .at(day(as_of))
            .view::<Alliances>()
            .unwrap()
            .rows
            .into_iter()
            .any(|r| r.alliance == "WARSAW_PACT")
    };
    assert!(warsaw("1991-06-30"));
    assert!(!warsaw("1991-07-01"));
}

#[test]
fn a_v1_export_imports_with_the_same_answers() {
    let text = std::fs::read_to_string(format!("{GOLDEN}/export.jsonl")).unwrap();
    let store = common::temp_store();
    let report = store.import_lines(common::lines(&text), true).unwrap();
    assert_eq!(report.new_count(), 79);
    check_answers(&store);
    // Ids are content-derived or explicit: re-exporting gives the v1 lines back, unchanged.
    let again: Vec<String> = store
        .events()
        .map(|e| annals::interchange::event_line(&e.unwrap()))
        .collect();
    assert_eq!(again, text.lines().collect::<Vec<_>>());
}

#[test]
fn raw_v1_records_decode_and_upcast() {
    let bytes = std::fs::read(format!("{GOLDEN}/records.bin")).unwrap();
    let export = std::fs::read_to_string(format!("{GOLDEN}/export.jsonl")).unwrap();
    let expected: Vec<&str> = export.lines().collect();
    let mut rest: &[u8] = &bytes;
    let mut take = |n: usize| -> Vec<u8> {
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head.to_vec()
    };
    let mut log_records = 0;
    let total = bytes.len();
    let mut consumed = 0;
    while consumed < total {
        let klen = u32::from_le_bytes(take(4).try_into().unwrap()) as usize;
        let key = take(klen);
        let vlen = u32::from_le_bytes(take(4).try_into().unwrap()) as usize;
        let value = take(vlen);
        consumed += 8 + klen + vlen;
        if key[0] == b'L' {
            assert_eq!(value[0], b'L');
            assert_eq!(value[1], 1, "a version-1 log record");
            let event = annals::testing_raw::decode_log_record(&key, &value).unwrap();
            assert_eq!(event.content.location, None);
            assert!(event.content.context.is_empty());
            assert_eq!(
                annals::interchange::event_line(&event),
                expected[log_records],
                "record {}",
                log_records + 1
            );
            log_records += 1;
        }
    }
    assert_eq!(log_records, 79);
}

#[test]
fn a_v1_database_opens_verifies_and_keeps_growing() {
    let dir = common::tempdir();
    let path = dir.path().join("db");
    common::copy_dir(Path::new(&format!("{GOLDEN}/db")), &path);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.head().seq, 79);
    let report = store.verify().unwrap();
    assert_eq!(report.events, 79);
    check_answers(&store);
    // Opening upgraded only the format record; the v1 records stay as written.
    assert_eq!(
        annals::testing_raw::format_version(&store).unwrap(),
        annals::STORAGE_FORMAT_VERSION
    );
    let v1_record = annals::testing_raw::get(&store, &annals::testing_raw::log_key(1))
        .unwrap()
        .unwrap();
    assert_eq!(v1_record[1], 1);
    // New events are written in the current version, and the chain continues across.
    let line = r#"{"date":"2024-12-01","kind":"statement","actors":["PRK"],"location":{"name":"Kursk","lat":51.73,"lon":36.19},"mode":"ground_forces","context":["military"]}"#;
    store
        .append(annals::interchange::parse_line(line).unwrap().event)
        .unwrap();
    let new_record = annals::testing_raw::get(&store, &annals::testing_raw::log_key(80))
        .unwrap()
        .unwrap();
    assert_eq!(
        new_record[1], 3,
        "new records are written in the current version"
    );
    store.verify().unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let last = store.event(80).unwrap();
    assert_eq!(
        last.content.location.as_ref().and_then(|l| l.lat_micro),
        Some(51_730_000)
    );
    assert!(annals::interchange::event_line(&last).contains(r#""location":{"name":"Kursk","lat":51.73,"lon":36.19},"mode":"ground_forces","context":["military"]"#));
    check_answers(&store);
}

#[test]
fn a_database_from_a_newer_annals_is_refused_naming_both_versions() {
    let dir = common::tempdir();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        annals::testing_raw::set_format_version(&store, annals::STORAGE_FORMAT_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err().to_string();
    let newer = annals::STORAGE_FORMAT_VERSION + 1;
    assert!(
        err.contains(&format!("database format version {newer} is not supported")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "reads versions {}..={}",
            annals::MIN_STORAGE_FORMAT_VERSION,
            annals::STORAGE_FORMAT_VERSION
        )),
        "{err}"
    );
    assert!(err.contains("newer annals"), "{err}");
}
