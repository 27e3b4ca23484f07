//! The tabular importer through the real binary: mapping files, dates from parts, row
//! problems, idempotency, dry runs and --skip-invalid. Fixtures are synthetic
//! (`tests/fixtures/datasets/`); byte-level cases (Windows-1252, invalid UTF-8) are
//! written here.

mod common;

use common::{annals, db_path, event_count, tempdir};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/datasets")
        .join(name)
}

fn import_args(map: &str, file: &Path) -> Vec<String> {
    vec![
        "import".into(),
        "--from".into(),
        "csv".into(),
        "--map".into(),
        fixture(map).display().to_string(),
        file.display().to_string(),
    ]
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn date_parts_with_missing_markers_and_two_events_per_row() {
    let dir = tempdir();
    let mut args = import_args("leaders.toml", &fixture("leaders.csv"));
    args.push("--dry-run".into());
    let out = annals(&db_path(&dir)).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = lines(&out.stdout);
    let dates: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["date"].as_str().unwrap()))
        .collect();
    assert_eq!(
        dates,
        [
            ("leader_took_office", "1901-03-04"),
            ("leader_left_office", "1905-03"), // day -9
            ("leader_took_office", "1905-03"), // day xx
            ("leader_left_office", "1911"),    // month NA, day blank
            ("leader_took_office", "1920"),    // month and day -9; no end: one event
        ]
    );
    assert_eq!(events[0]["summary"], "Alpha One takes office (elected)");
    assert_eq!(
        events[0]["sources"][0]["url"],
        "https://example.org/leaders"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("columns ignored by the mapping: note"),
        "{stderr}"
    );
    assert!(!db_path(&dir).exists(), "a dry run writes nothing");
}

#[test]
fn reimporting_adds_nothing() {
    let dir = tempdir();
    let db = db_path(&dir);
    let args = import_args("leaders.toml", &fixture("leaders.csv"));
    annals(&db)
        .args(&args)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported 5 new events (0 already present)",
        ));
    annals(&db)
        .args(&args)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported 0 new events (5 already present)",
        ));
    assert_eq!(event_count(&db), 5);
}

#[test]
fn a_duplicate_identity_names_both_rows() {
    let dir = tempdir();
    let file = fixture("duplicate.csv");
    annals(&db_path(&dir))
        .args(import_args("leaders.toml", &file))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:4: row 3: the same identity (1, AAA) as row 1 (line 2)",
            file.display()
        )));
    assert!(!db_path(&dir).exists());
}

#[test]
fn broken_records_are_reported_with_their_lines_and_nothing_is_written() {
    let dir = tempdir();
    let file = fixture("ragged.csv");
    let f = file.display();
    annals(&db_path(&dir))
        .args(import_args("leaders.toml", &file))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{f}:3: row 2: the row has 3 cells but the header has 11"
        )))
        .stderr(predicate::str::contains(format!(
            "{f}:4: row 3: the row has 9 cells"
        )))
        .stderr(predicate::str::contains(format!(
            "{f}:5: row 4: took_office (leader_took_office): date: month `13`"
        )))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!db_path(&dir).exists());
}

#[test]
fn skip_invalid_imports_the_rest_and_counts_the_skipped() {
    let dir = tempdir();
    let db = db_path(&dir);
    let mut args = import_args("leaders.toml", &fixture("ragged.csv"));
    args.extend(["--skip-invalid".into(), "--json".into()]);
    let out = annals(&db).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = &lines(&out.stdout)[0];
    assert_eq!(report["imported"], 3);
    assert_eq!(report["skipped_rows"].as_array().unwrap().len(), 3);
    assert_eq!(report["skipped_rows"][0]["line"], 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped 3 rows that cannot be mapped"),
        "{stderr}"
    );
    assert_eq!(event_count(&db), 3);
}

#[test]
fn windows_1252_preamble_blank_headers_lists_and_numbers() {
    let dir = tempdir();
    let file = dir.path().join("arms.csv");
    let mut bytes = b"Synthetic register\r\nA '?' marks uncertain data.\r\n\r\n".to_vec();
    bytes.extend_from_slice(b"Deal,Recipient,Supplier,Year of order, ,Number ordered, ,Designation,Description,Partners,Comments,TIV\r\n");
    bytes.extend_from_slice(
        b"d1,AAA,BBB,1977,?,6.0,,Kampfj\xe4ger,fighter aircraft,,\"a, b\",4.5\r\n",
    );
    bytes.extend_from_slice(b"d2,CCC,BBB,1980,,12,,Caf\xe9 class,ship,CCC;BBB,,\r\n");
    std::fs::write(&file, bytes).unwrap();
    let mut args = import_args("arms.toml", &file);
    args.push("--dry-run".into());
    let out = annals(&db_path(&dir)).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = lines(&out.stdout);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["date"], "1977?");
    assert_eq!(events[0]["item"], "Kampfjäger (fighter aircraft)");
    assert_eq!(events[0]["quantity"], 6);
    assert_eq!(events[1]["item"], "Café class (ship)");
    assert_eq!(events[2]["kind"], "joint_exercise");
    assert_eq!(events[2]["actors"], serde_json::json!(["CCC", "BBB"]));
}

#[test]
fn one_column_dates_intervals_locations_and_value_maps() {
    let dir = tempdir();
    let mut args = import_args("meetings.toml", &fixture("meetings.csv"));
    args.push("--dry-run".into());
    let out = annals(&db_path(&dir)).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = lines(&out.stdout);
    assert_eq!(events[0]["date"], "1997-05-29/1997-05-31");
    assert_eq!(events[0]["location"]["lat"], -12.05);
    assert_eq!(events[0]["confidence"], "confirmed");
    assert_eq!(events[1]["date"], "1997-06-03~");
    assert_eq!(events[1]["confidence"], "reported");
}

#[test]
fn dry_run_limit_prints_the_first_events() {
    let dir = tempdir();
    let mut args = import_args("leaders.toml", &fixture("leaders.csv"));
    args.extend(["--dry-run".into(), "--limit".into(), "2".into()]);
    let out = annals(&db_path(&dir)).args(&args).output().unwrap();
    assert_eq!(lines(&out.stdout).len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("dry run: 5 events"));
}

#[test]
fn invalid_utf8_is_an_error_with_its_line() {
    let dir = tempdir();
    let file = dir.path().join("bad.csv");
    let text = "spell,state,name,st_year,st_month,st_day,end_year,end_month,end_day,how,note\n1,AAA,Alpha,1901,3,4,,,,x,\n";
    let mut bytes = text.as_bytes().to_vec();
    bytes.extend_from_slice(b"2,AAA,M\xfcller,1905,3,4,,,,x,\n");
    std::fs::write(&file, bytes).unwrap();
    annals(&db_path(&dir))
        .args(import_args("leaders.toml", &file))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 3: column 3: invalid UTF-8"))
        .stderr(predicate::str::contains("windows-1252"));
    assert!(!db_path(&dir).exists());
}

#[test]
fn junk_columns_are_reported_not_fatal() {
    let dir = tempdir();
    let mut args = import_args("leaders.toml", &fixture("junk.csv"));
    args.push("--dry-run".into());
    annals(&db_path(&dir))
        .args(&args)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "columns not carried: col12, col13, col14",
        ));
}

fn mapping_error(dir: &tempfile::TempDir, toml: &str) -> String {
    let map = dir.path().join("m.toml");
    std::fs::write(&map, toml).unwrap();
    let out = annals(&db_path(dir))
        .args(["import", "--from", "csv", "--map"])
        .arg(&map)
        .arg(fixture("leaders.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn mapping_errors_name_the_key_column_kind_or_field() {
    let dir = tempdir();
    let base = std::fs::read_to_string(fixture("leaders.toml")).unwrap();
    let unknown_column = base.replace("column = \"name\"", "column = \"nme\"");
    let e = mapping_error(&dir, &unknown_column);
    assert!(
        e.contains("unknown column `nme`; did you mean `name`?"),
        "{e}"
    );
    let e = mapping_error(&dir, &base.replace("ignore =", "ignroe ="));
    assert!(e.contains("unknown field `ignroe`"), "{e}");
    let e = mapping_error(
        &dir,
        &base.replace("kind = \"leader_left_office\"", "kind = \"leader_left\""),
    );
    assert!(e.contains("unknown kind `leader_left`"), "{e}");
    let e = mapping_error(&dir, &base.replace("person =", "persn ="));
    assert!(
        e.contains("unknown field `persn`") && e.contains("did you mean `person`?"),
        "{e}"
    );
    let e = mapping_error(&dir, &base.replace("code = \"annals\"", "code = \"cowz\""));
    assert!(e.contains("unknown code system `cowz`"), "{e}");
}

#[test]
fn bundled_formats_are_listed_and_shown() {
    let dir = tempdir();
    annals(&db_path(&dir))
        .args(["import", "--list-formats"])
        .assert()
        .success()
        .stdout(predicate::str::contains("archigos").and(predicate::str::contains("Goemans")));
    annals(&db_path(&dir))
        .args(["import", "--show-map", "archigos"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# Archigos"));
    annals(&db_path(&dir))
        .args(["import", "--from", "archigoss", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `archigos`?"));
}

#[test]
fn plain_json_lines_import_is_unchanged() {
    let dir = tempdir();
    annals(&db_path(&dir))
        .args(["import", common::SAMPLE_PATH])
        .assert()
        .success()
        .stdout(predicate::str::contains("imported"));
}
