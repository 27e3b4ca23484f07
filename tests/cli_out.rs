//! Data out through the real binary: `--format csv` of every view answer, read back with
//! the `csv` crate and compared cell by cell with the JSON answer; `export --format
//! geojson`, read back with the `geojson` crate and compared with the JSON Lines export.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

const VIEWS: [&str; 5] = ["alliances", "deployments", "leaders", "arms", "tests"];

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    let out = annals(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The JSON rows of an answer.
fn json_rows(db: &Path, args: &[&str]) -> Vec<Value> {
    let out = run(db, &[args, &["--format", "json"]].concat());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["rows"].as_array().unwrap().clone()
}

/// The CSV answer as (header, records), parsed by the `csv` crate.
fn csv_answer(db: &Path, args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let out = run(db, &[args, &["--format", "csv"]].concat());
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header = if out.stdout.is_empty() {
        Vec::new()
    } else {
        reader.headers().unwrap().iter().map(String::from).collect()
    };
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, records)
}

/// The documented cell of a JSON value: null empty, lists and maps joined by `;`.
fn expected_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(expected_cell)
            .collect::<Vec<_>>()
            .join(";"),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", expected_cell(v)))
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

/// The CSV answer has as many rows as the JSON one, its header is the rows' keys, and
/// every cell is the JSON value's.
fn assert_csv_matches_json(db: &Path, args: &[&str]) -> usize {
    let rows = json_rows(db, args);
    let (header, records) = csv_answer(db, args);
    assert_eq!(records.len(), rows.len(), "{args:?}");
    if let Some(first) = rows.first() {
        let keys: Vec<String> = first.as_object().unwrap().keys().cloned().collect();
        assert_eq!(header, keys, "{args:?}");
    }
    for (row, record) in rows.iter().zip(&records) {
        for (column, cell) in header.iter().zip(record) {
            assert_eq!(*cell, expected_cell(&row[column]), "{args:?} {column}");
        }
    }
    rows.len()
}

#[test]
fn csv_of_every_view_equals_its_json_answer() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let mut total = 0;
    for view in VIEWS {
        for as_of in ["2024-06-30", "2024-12-31"] {
            for known in ["now", "seq:30"] {
                let args = [view, "--as-of", as_of, "--known-at", known];
                total += assert_csv_matches_json(&db, &args);
            }
        }
        total += assert_csv_matches_json(&db, &["view", view, "--as-of", "2024-12-31"]);
        total += assert_csv_matches_json(&db, &[view, "--as-of", "2024-12-31", "--actor", "PRK"]);
    }
    assert!(total > 50, "the answers compared had rows: {total}");
}

#[test]
fn format_json_and_jsonl_equal_the_global_flags_and_conflict_with_them() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let args = ["arms", "--as-of", "2024-12-31"];
    for (format, flag) in [("json", "--json"), ("jsonl", "--jsonl")] {
        let by_format = run(&db, &[&args[..], &["--format", format]].concat()).stdout;
        let by_flag = run(&db, &[&args[..], &[flag]].concat()).stdout;
        assert_eq!(by_format, by_flag, "{format}");
        annals(&db)
            .args(args)
            .args(["--format", "csv", flag])
            .assert()
            .code(2);
    }
    let table = run(&db, &[&args[..], &["--format", "table"]].concat()).stdout;
    let plain = run(&db, &args).stdout;
    assert_eq!(table, plain);
}

#[test]
fn csv_quotes_commas_and_quotes_and_an_empty_answer_prints_nothing() {
    let dir = tempdir();
    let db = db_path(&dir);
    let item = r#"shells, "heavy" ones"#;
    let line = serde_json::json!({
        "date": "2024-10-01", "kind": "arms_transfer", "supplier": "PRK",
        "recipient": "RUS", "item": item, "quantity": 5,
    });
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, format!("{line}\n")).unwrap();
    annals(&db).arg("import").arg(&file).assert().success();
    let (header, records) = csv_answer(&db, &["arms", "--as-of", "2024-12-31"]);
    let at = header.iter().position(|h| h == "item").unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0][at], item);
    // A null (a transfer without a unit) is an empty cell.
    let unit = header.iter().position(|h| h == "unit").unwrap();
    assert_eq!(records[0][unit], "");
    assert_csv_matches_json(&db, &["arms", "--as-of", "2024-12-31"]);
    // Before any transfer: no rows, and no output at all.
    let out = run(&db, &["arms", "--as-of", "2000", "--format", "csv"]);
    assert!(out.stdout.is_empty());
}

/// A database holding the golden version-2 export (two events with coordinates).
fn located_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_path(dir);
    annals(&db)
        .args(["import", "tests/golden/v2/export.jsonl", "--keep-recorded"])
        .assert()
        .success();
    db
}

#[test]
fn geojson_export_has_a_feature_per_located_event_matching_the_jsonl_export() {
    let dir = tempdir();
    let db = located_db(&dir);
    let jsonl = run(&db, &["export"]).stdout;
    let events: Vec<Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let located: Vec<&Value> = events
        .iter()
        .filter(|e| e["location"]["lat"].is_number() && e["location"]["lon"].is_number())
        .collect();
    assert!(!located.is_empty());
    let out = run(&db, &["export", "--format", "geojson"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let collection = match text.parse::<geojson::GeoJson>().unwrap() {
        geojson::GeoJson::FeatureCollection(c) => c,
        other => panic!("not a FeatureCollection: {other:?}"),
    };
    assert_eq!(collection.features.len(), located.len());
    for (feature, event) in collection.features.iter().zip(&located) {
        let geometry = feature.geometry.as_ref().unwrap();
        let geojson::Value::Point(point) = &geometry.value else {
            panic!("not a point: {geometry:?}");
        };
        let lat = event["location"]["lat"].as_f64().unwrap();
        let lon = event["location"]["lon"].as_f64().unwrap();
        assert_eq!(point, &vec![lon, lat]);
        let properties = Value::Object(feature.properties.clone().unwrap());
        assert_eq!(&properties, *event);
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    let without = events.len() - located.len();
    assert!(
        stderr.contains(&format!(
            "{without} events without coordinates not exported"
        )),
        "{stderr}"
    );
}

#[test]
fn geojson_export_without_located_events_is_an_empty_feature_collection() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let out = run(&db, &["export", "--format", "geojson"]);
    let text = String::from_utf8(out.stdout).unwrap();
    match text.parse::<geojson::GeoJson>().unwrap() {
        geojson::GeoJson::FeatureCollection(c) => assert!(c.features.is_empty()),
        other => panic!("not a FeatureCollection: {other:?}"),
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("54 events without coordinates not exported"),
        "{stderr}"
    );
}
