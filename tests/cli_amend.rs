//! Recording history as analysts do, with the real binary: identical lines are events of
//! their own (and said so), plausibility warnings and `--strict`, targets by seq and id
//! prefix, partial corrections, `amend`, `retract` and `append --expect-seq`.

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

const RUS_UKR: &str = r#"{"date":"2022-02-24","kind":"deployment","actor":"RUS","host":"UKR","strength":150000,"summary":"Invasion force","sources":[{"name":"Report A"}]}"#;
const SRBM: &str = r#"{"date":"2024-05-17","kind":"missile_test","actor":"PRK","class":"SRBM"}"#;

fn write(dir: &tempfile::TempDir, name: &str, lines: &[&str]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Run annals; (exit code, stdout, stderr).
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = annals(db).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(db: &Path, args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(db, args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

fn strength(db: &Path, as_of: &str) -> Value {
    let answer = json(
        db,
        &["--json", "deployments", "--as-of", as_of, "--actor", "RUS"],
    );
    answer["rows"][0]["strength"].clone()
}

#[test]
fn two_identical_lines_are_two_events_and_a_reimport_adds_none() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = write(&dir, "srbm.jsonl", &[SRBM, SRBM]);
    let (code, stdout, stderr) = run(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported 2 new events"), "{stdout}");
    assert!(
        stderr.contains("1 line was identical to an earlier line of this input"),
        "{stderr}"
    );
    let tests = json(&db, &["--json", "tests", "--as-of", "2024-12-31"]);
    assert_eq!(tests["rows"][0]["count"], 2, "{tests}");
    // Re-importing the same file finds both again; the JSON answer says how many repeat.
    let again = json(&db, &["--json", "import", file.to_str().unwrap()]);
    assert_eq!(again["imported"], 0);
    assert_eq!(again["already_present"], 2);
    assert_eq!(again["identical_lines"], 1);
    // A retried single append is still recognised.
    let (code, stdout, _) = run(&db, &["append", SRBM]);
    assert_eq!(code, 0);
    assert!(stdout.contains("already present at seq 1"), "{stdout}");
    assert_eq!(event_count(&db), 2);
}

#[test]
fn implausible_events_warn_and_strict_makes_them_errors() {
    let dir = tempdir();
    let lines = [
        r#"{"date":"2022-03-01","kind":"deployment","actor":"RUS","host":"RUS","strength":1000}"#,
        r#"{"date":"2031","kind":"statement","actors":["USA"]}"#,
        r#"{"date":"2022-03-02","kind":"deployment","actor":"BLR","host":"UKR","strength":0}"#,
    ];
    let file = write(&dir, "odd.jsonl", &lines);
    let file = file.to_str().unwrap();
    // --strict: every warning is an error, nothing is written, not even the database.
    let strict_db = dir.path().join("strict.db");
    let (code, _, stderr) = run(&strict_db, &["import", "--strict", file]);
    assert_eq!(code, 1, "{stderr}");
    for needle in [
        "line 1: `actor` and `host` are both RUS",
        "line 2: dated 2031, after the day it is recorded",
        "line 3: `strength` is 0",
        "--strict makes it an error",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!strict_db.exists());
    let (code, _, stderr) = run(&strict_db, &["check", "--strict", file]);
    assert_eq!(code, 1, "{stderr}");
    // Without it: imported, each warning on stderr and in the JSON answer.
    let db = db_path(&dir);
    let out = annals(&db)
        .args(["--json", "import", file])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: line 1: `actor` and `host` are both RUS"),
        "{stderr}"
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warned: Vec<u64> = answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["line"].as_u64().unwrap())
        .collect();
    assert_eq!(warned, [1, 2, 3], "{answer}");
    assert_eq!(answer["imported"], 3);
}

#[test]
fn a_partial_correction_by_seq_changes_only_the_named_fields() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = write(&dir, "a.jsonl", &[RUS_UKR]);
    run(&db, &["import", file.to_str().unwrap()]);
    let fix = r#"{"kind":"correction","target":"seq:1","set":{"strength":190000},"summary":"revised estimate"}"#;
    let (code, stdout, stderr) = run(&db, &["append", fix]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("appended seq 2"), "{stdout}");
    assert_eq!(strength(&db, "2022-12-31"), 190000);
    // The stored line names the target by its full id and carries the whole event, the
    // original's summary and sources kept; the correction keeps its own summary.
    let (_, export, _) = run(&db, &["export"]);
    let lines: Vec<Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[1]["target"], lines[0]["id"]);
    assert_eq!(lines[1]["summary"], "revised estimate");
    let event = &lines[1]["event"];
    assert_eq!(event["strength"], 190000);
    assert_eq!(event["host"], "UKR");
    assert_eq!(event["summary"], "Invasion force");
    assert_eq!(event["sources"][0]["name"], "Report A");
    assert!(lines[1].get("set").is_none());
    // A field the kind does not have is refused, naming the kind's fields; nothing is
    // written.
    let bad = r#"{"kind":"correction","target":1,"set":{"troops":5}}"#;
    let (code, _, stderr) = run(&db, &["append", bad]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`set` names `troops`, which a `deployment` does not have")
            && stderr.contains("its fields are actor, host, region, strength, date"),
        "{stderr}"
    );
    assert_eq!(event_count(&db), 2);
}

#[test]
fn targets_by_id_prefix_must_be_unique_and_known() {
    let dir = tempdir();
    let db = db_path(&dir);
    let a = r#"{"id":"aaaaaaaa-0000-4000-8000-000000000001","date":"2024","kind":"statement","actors":["USA"]}"#;
    let b = r#"{"id":"aaaaaaaa-1000-4000-8000-000000000002","date":"2024","kind":"statement","actors":["KOR"]}"#;
    let file = write(&dir, "ab.jsonl", &[a, b]);
    run(&db, &["import", file.to_str().unwrap()]);
    let cases = [
        ("aaaaaaaa", 1, "aaaaaaaa is ambiguous"),
        ("bbbbbbbb", 1, "no event's id starts with bbbbbbbb"),
        ("aaaaaaa", 1, "at least 8 hex digits"),
        (
            "seq:9",
            1,
            "target seq:9 does not exist: the log ends at seq 2",
        ),
        ("aaaaaaaa-1", 0, "appended seq 3"),
    ];
    for (target, code, says) in cases {
        let (got, stdout, stderr) = run(&db, &["retract", target, "--reason", "test"]);
        assert_eq!(got, code, "{target}: {stderr}");
        assert!(
            stdout.contains(says) || stderr.contains(says),
            "{target}: {stdout}{stderr}"
        );
    }
    let (_, export, _) = run(&db, &["export"]);
    let last: Value = serde_json::from_str(export.lines().last().unwrap()).unwrap();
    assert_eq!(last["target"], "aaaaaaaa-1000-4000-8000-000000000002");
}

#[test]
fn amend_and_retract_commands() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = write(&dir, "a.jsonl", &[RUS_UKR]);
    run(&db, &["import", file.to_str().unwrap()]);
    let (code, _, stderr) = run(
        &db,
        &[
            "amend",
            "1",
            "--set",
            "strength=190000",
            "--set",
            "date=2022-02-23",
            "--source",
            "https://example.org/report",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(strength(&db, "2022-02-23"), 190000);
    let (_, export, _) = run(&db, &["export"]);
    let fix: Value = serde_json::from_str(export.lines().last().unwrap()).unwrap();
    assert_eq!(fix["sources"][0]["url"], "https://example.org/report");
    assert_eq!(fix["event"]["date"], "2022-02-23");
    // `log` names the target by the short id its ID column shows.
    let short = &fix["target"].as_str().unwrap()[..8];
    let (_, log, _) = run(&db, &["log"]);
    assert!(
        log.contains(&format!("corrects {short} → deployment")),
        "{log}"
    );
    // A second amendment of the same event builds on the version in effect.
    let (code, _, _) = run(&db, &["amend", "seq:1", "--set", "region=Kyiv oblast"]);
    assert_eq!(code, 0);
    let rows = json(&db, &["--json", "deployments", "--as-of", "2022-12-31"]);
    assert_eq!(rows["rows"][0]["strength"], 190000);
    assert_eq!(rows["rows"][0]["region"], "Kyiv oblast");
    // Usage errors exit 2; a refused amendment exits 1 and writes nothing.
    let (code, _, _) = run(&db, &["amend", "1", "--set", "strength"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&db, &["amend", "1"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&db, &["amend", "1", "--set", "strength=-5"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, _) = run(&db, &["retract", "1"]);
    assert_eq!(code, 2, "--reason is required");
    let (code, _, stderr) = run(
        &db,
        &["retract", "1", "--reason", "the report was withdrawn"],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows = json(&db, &["--json", "deployments", "--as-of", "2022-12-31"]);
    assert_eq!(rows["rows"].as_array().unwrap().len(), 0);
    let (code, _, stderr) = run(&db, &["amend", "1", "--set", "strength=1"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("already retracted"), "{stderr}");
    assert_eq!(event_count(&db), 4);
}

#[test]
fn append_expect_seq_is_optimistic_concurrency_with_its_own_exit_code() {
    let dir = tempdir();
    let db = db_path(&dir);
    let (code, _, _) = run(&db, &["append", "--expect-seq", "0", SRBM]);
    assert_eq!(code, 0);
    let other = r#"{"date":"2024-06-26","kind":"missile_test","actor":"PRK","class":"MRBM"}"#;
    let (code, _, stderr) = run(&db, &["append", "--expect-seq", "0", other]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("conflict"), "{stderr}");
    assert_eq!(event_count(&db), 1);
    let (code, _, _) = run(&db, &["append", "--expect-seq", "1", other]);
    assert_eq!(code, 0);
}
