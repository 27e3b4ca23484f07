//! View answers streamed from typed rows (`At::write_rows`, the CLI's `--json` and
//! `--jsonl`) are byte-identical to the reference form: each typed row turned into a
//! `serde_json::Value` (`to_value`, keys in declaration order) inside the basis object.
//! Checked for every built-in view (and a custom one, through the library), on the bundled
//! sample and on a generated timeline, at several as-of days and knowledges, with and
//! without `--actor`.

mod common;

use annals::query::RowsFormat;
use annals::views::{Alliances, Arms, Deployments, Leaders, Tests, View};
use annals::{Code, Day, KnownAt, Store};
use common::*;
use serde_json::Value;
use std::path::Path;

/// One question asked of one view: the CLI arguments and the bytes expected for them.
struct Case {
    args: Vec<String>,
    expected: Vec<u8>,
}

/// The reference `--json` and `--jsonl` bytes of view `V`, built through `to_value`.
fn reference<V: View>(
    store: &Store,
    (day, known): (Day, KnownAt),
    actor: Option<&Code>,
) -> (Vec<u8>, Vec<u8>) {
    let answer = store.at(day).known_at(known).view::<V>().unwrap();
    let rows: Vec<Value> = answer
        .rows
        .iter()
        .filter(|r| actor.is_none_or(|a| V::row_mentions(r, a)))
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let mut json = answer.basis.json();
    json.insert("rows".into(), Value::Array(rows.clone()));
    let json = format!("{}\n", Value::Object(json)).into_bytes();
    let mut jsonl = Vec::new();
    for row in rows {
        let mut line = answer.basis.json();
        line.insert("row".into(), row);
        jsonl.extend_from_slice(format!("{}\n", Value::Object(line)).as_bytes());
    }
    (json, jsonl)
}

/// The streamed bytes of the view called `name`.
fn streamed(
    store: &Store,
    name: &str,
    (day, known): (Day, KnownAt),
    actor: Option<&Code>,
    format: RowsFormat,
) -> Vec<u8> {
    let mut out = Vec::new();
    let (_, written) = store
        .at(day)
        .known_at(known)
        .write_rows(name, actor, format, &mut out)
        .unwrap();
    if format == RowsFormat::Jsonl {
        assert_eq!(written, out.iter().filter(|b| **b == b'\n').count());
    }
    out
}

/// Compare view `V` streamed against the reference; the CLI cases for the same question.
fn check<V: View>(
    store: &Store,
    point: (Day, KnownAt, &str),
    actor: Option<&Code>,
    rows_seen: &mut usize,
) -> Vec<Case> {
    let (day, known, known_arg) = point;
    let (json, jsonl) = reference::<V>(store, (day, known), actor);
    let what = format!(
        "{} as of {day} known at {known_arg}, actor {actor:?}",
        V::NAME
    );
    let got = streamed(store, V::NAME, (day, known), actor, RowsFormat::Json);
    assert_eq!(
        String::from_utf8(got).unwrap(),
        String::from_utf8_lossy(&json),
        "--json of {what}"
    );
    let got = streamed(store, V::NAME, (day, known), actor, RowsFormat::Jsonl);
    assert_eq!(
        String::from_utf8(got).unwrap(),
        String::from_utf8_lossy(&jsonl),
        "--jsonl of {what}"
    );
    *rows_seen += jsonl.iter().filter(|b| **b == b'\n').count();
    let mut args = vec![
        V::NAME.to_string(),
        "--as-of".into(),
        day.to_string(),
        "--known-at".into(),
        known_arg.to_string(),
    ];
    if let Some(a) = actor {
        args.extend(["--actor".to_string(), a.to_string()]);
    }
    let with = |flag: &str, expected: Vec<u8>| Case {
        args: args.iter().cloned().chain([flag.to_string()]).collect(),
        expected,
    };
    vec![with("--json", json), with("--jsonl", jsonl)]
}

/// Every built-in view at `point`, without an actor and with each of `actors`.
fn check_all(
    store: &Store,
    point: (Day, KnownAt, &str),
    actors: &[Code],
    rows_seen: &mut usize,
) -> Vec<Case> {
    let mut cases = Vec::new();
    let filters = std::iter::once(None).chain(actors.iter().map(Some));
    for actor in filters {
        cases.extend(check::<Alliances>(store, point, actor, rows_seen));
        cases.extend(check::<Deployments>(store, point, actor, rows_seen));
        cases.extend(check::<Leaders>(store, point, actor, rows_seen));
        cases.extend(check::<Arms>(store, point, actor, rows_seen));
        cases.extend(check::<Tests>(store, point, actor, rows_seen));
    }
    cases
}

/// Check the library at several points of the database at `db`; return the CLI cases of
/// the last point (the CLI runs each view twice per case, so it gets fewer points).
fn check_database(db: &Path, actors: &[&str], days: &[&str]) -> Vec<Case> {
    let store = open(db);
    let head = store.head().seq;
    let actors: Vec<Code> = actors.iter().map(|a| Code::parse(a).unwrap()).collect();
    let half = format!("seq:{}", head / 2);
    let mut rows_seen = 0;
    let mut cli = Vec::new();
    for day in days {
        let day = Day::parse_query(day).unwrap();
        check_all(
            &store,
            (day, KnownAt::Seq(head / 2), &half),
            &actors,
            &mut rows_seen,
        );
        cli = check_all(&store, (day, KnownAt::Now, "now"), &actors, &mut rows_seen);
    }
    // The comparison must have compared rows, not only empty answers.
    assert!(rows_seen > 50, "only {rows_seen} rows compared");
    cli
}

/// The CLI prints exactly the expected bytes for every case.
fn check_cli(db: &Path, cases: &[Case]) {
    for case in cases {
        let out = annals(db).args(&case.args).output().unwrap();
        assert!(
            out.status.success(),
            "{:?}: {}",
            case.args,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&case.expected),
            "annals {:?}",
            case.args
        );
    }
}

#[test]
fn sample_answers_stream_byte_identical_to_the_reference() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let days = ["1999-03-12", "2017", "2024-11-15", "2025-06-30"];
    let cases = check_database(&db, &["PRK", "RUS", "NATO"], &days);
    check_cli(&db, &cases);
}

#[test]
fn generated_answers_stream_byte_identical_to_the_reference() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = dir.path().join("generated.jsonl");
    let out = annals(&db)
        .args(["generate", "--events", "3000", "--seed", "14"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&file, &out.stdout).unwrap();
    annals(&db).arg("import").arg(&file).assert().success();
    let days = ["1995", "2010-06-30", "2030"];
    let cases = check_database(&db, &["C000", "C017"], &days);
    check_cli(&db, &cases);
}

#[path = "../examples/meetings_per_year.rs"]
#[allow(dead_code)]
mod example;

#[test]
fn custom_view_answers_stream_byte_identical_to_the_reference() {
    use example::MeetingsPerYear;
    let store =
        Store::temporary_with(annals::StoreOptions::default().with_view::<MeetingsPerYear>())
            .unwrap();
    store.import_lines(lines(SAMPLE), true).unwrap();
    let mut rows_seen = 0;
    for day in ["2019", "2023-12-31", "2025"] {
        let point = (Day::parse_query(day).unwrap(), KnownAt::Now);
        for actor in [None, Some("USA"), Some("PRK")] {
            let actor = actor.map(|a| Code::parse(a).unwrap());
            let (json, jsonl) = reference::<MeetingsPerYear>(&store, point, actor.as_ref());
            let name = MeetingsPerYear::NAME;
            let got = streamed(&store, name, point, actor.as_ref(), RowsFormat::Json);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&json)
            );
            let got = streamed(&store, name, point, actor.as_ref(), RowsFormat::Jsonl);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&jsonl)
            );
            rows_seen += jsonl.iter().filter(|b| **b == b'\n').count();
        }
    }
    assert!(rows_seen > 5, "only {rows_seen} rows compared");
}
