//! `annals schema`, `annals check` and `import --dry-run`: validation exactly as import
//! does it, every invalid line reported, nothing written.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn schema_prints_the_json_schema() {
    let dir = tempdir();
    let out = annals(&db_path(&dir)).arg("schema").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../schema/event.schema.json")).unwrap();
    assert_eq!(printed, file);
}

#[test]
fn check_reports_every_invalid_line_and_writes_nothing() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let before = event_count(&db);
    let nato =
        r#"{"date":"2025-06-01","kind":"alliance_joined","alliance":"NATO","members":["UKR"]}"#;
    let file = dir.path().join("mixed.jsonl");
    let text = [
        nato,
        r#"{"date":"2024","kind":"meting","actors":["USA","KOR"]}"#,
        r#"{"date":"1990-01-01","kind":"alliance_joined","alliance":"PRK_RUS","members":["BLR"]}"#,
        r#"{"kind":"retraction","target":"00000000-0000-4000-8000-00000000abcd","reason":"x"}"#,
    ]
    .join("\n");
    std::fs::write(&file, text).unwrap();
    for args in [vec!["check"], vec!["import", "--dry-run"]] {
        let out = annals(&db)
            .args(&args)
            .arg(&file)
            .arg("--json")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["valid"], false);
        let lines: Vec<u64> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [2, 3, 4], "{v}");
        assert_eq!(event_count(&db), before, "{args:?} wrote something");
    }
    // A valid file: counts what an import would do, including what is already present.
    std::fs::write(&file, format!("{nato}\n")).unwrap();
    annals(&db)
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout("ok: 1 event valid; an import would add 1 (0 already present)\n");
    annals(&db)
        .arg("check")
        .arg("schema/examples/sample_timeline.jsonl")
        .arg("--keep-recorded")
        .assert()
        .success()
        .stdout(predicate::str::contains("would add 0 (54 already present)"));
    assert_eq!(event_count(&db), before);
    annals(&db).arg("verify").assert().success();
}

#[test]
fn check_without_a_database_checks_against_an_empty_one() {
    let dir = tempdir();
    let file = dir.path().join("ok.jsonl");
    std::fs::write(&file, "{\"date\":\"1949-04-04\",\"kind\":\"alliance_formed\",\"alliance\":\"NATO\",\"type\":\"defense_pact\",\"members\":[\"USA\",\"CAN\"]}\n{\"date\":\"1952-02-18\",\"kind\":\"alliance_joined\",\"alliance\":\"NATO\",\"members\":[\"GRC\"]}\n").unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("annals").unwrap();
    cmd.env_remove("ANNALS_DB")
        .current_dir(dir.path())
        .arg("check")
        .arg(&file)
        .assert()
        .success();
    assert!(
        !dir.path().join("annals.db").exists(),
        "check created no database"
    );
}

/// What `check` and `import` say about `file` (with `--json`, or as text on stderr):
/// (exit code, stdout, stderr).
fn both(
    db: &std::path::Path,
    file: &std::path::Path,
    json: bool,
) -> Vec<(Option<i32>, String, String)> {
    [vec!["check"], vec!["import"]]
        .iter()
        .map(|args| {
            let mut cmd = annals(db);
            cmd.args(args).arg(file);
            if json {
                cmd.arg("--json");
            }
            let out = cmd.output().unwrap();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            (out.status.code(), text(&out.stdout), text(&out.stderr))
        })
        .collect()
}

/// The (line, follow_on_of) of every error of a `--json` answer.
fn errors_of(stdout: &str) -> Vec<(u64, Option<u64>)> {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
    assert_eq!(v["valid"], false, "{v}");
    let errors = v["errors"].as_array().unwrap();
    let follow_ons = errors.iter().filter(|e| e["follow_on"] == true).count();
    assert_eq!(v["follow_on_count"], follow_ons as u64, "{v}");
    errors
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["follow_on_of"].as_u64()))
        .collect()
}

#[test]
fn check_and_import_report_the_same_primary_errors_and_mark_follow_ons() {
    let dir = tempdir();
    let db = db_path(&dir);
    // `check` and `import` read the same database.
    import_sample(&db);
    let file = dir.path().join("follow_on.jsonl");
    let text = [
        // Line 1: invalid (a misspelt type), so EAST is never formed.
        r#"{"date":"1955-05-14","kind":"alliance_formed","alliance":"EAST","type":"defence_pact","members":["SUN","POL"]}"#,
        r#"{"date":"1955-05-15","kind":"alliance_joined","alliance":"EAST","members":["CZE"]}"#,
        r#"{"date":"1956-01-01","kind":"alliance_joined","alliance":"EAST","members":["HUN"]}"#,
        r#"{"date":"1968-09-13","kind":"alliance_left","alliance":"EAST","members":["ALB"]}"#,
        r#"{"date":"1991-07-01","kind":"alliance_dissolved","alliance":"EAST"}"#,
        r#"{"date":"1990-01-01","kind":"meeting","actors":["USA","SUN"]}"#,
    ]
    .join("\n");
    std::fs::write(&file, text).unwrap();
    let before = event_count(&db);
    let json = both(&db, &file, true);
    for (code, stdout, _) in &json {
        assert_eq!(*code, Some(1));
        assert_eq!(
            errors_of(stdout),
            [
                (1, None),
                (2, Some(1)),
                (3, Some(1)),
                (4, Some(1)),
                (5, Some(1))
            ]
        );
    }
    assert_eq!(
        json[0].1, json[1].1,
        "check and import print the same answer"
    );
    let text = both(&db, &file, false);
    for (code, _, stderr) in &text {
        assert_eq!(*code, Some(1));
        assert!(
            stderr.starts_with("error: 1 invalid line, and 4 follow-on errors (marked)"),
            "{stderr}"
        );
        assert!(
            stderr.contains(
                "line 2: (follow-on of line 1) alliances view: alliance EAST does not exist"
            ),
            "{stderr}"
        );
    }
    // The same errors; only import, which would have written, says it wrote nothing.
    assert!(!text[0].2.contains("nothing was written"), "{}", text[0].2);
    assert_eq!(
        text[0].2,
        text[1].2.replacen("; nothing was written", "", 1),
        "check and import print the same errors"
    );
    assert_eq!(event_count(&db), before, "nothing was written");
}

#[test]
fn check_and_import_report_independent_errors_alike() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let file = dir.path().join("two.jsonl");
    let text = [
        // A line that does not parse, and a view error about something else.
        r#"{"date":"2024-13-01","kind":"missile_test","actor":"PRK","class":"ICBM"}"#,
        r#"{"date":"2024-11-01","kind":"missile_test","actor":"PRK","class":"SRBM"}"#,
        r#"{"date":"2024-11-02","kind":"alliance_joined","alliance":"WARSAW","members":["BLR"]}"#,
        // An invalid alliance line naming another alliance: not a cause of line 3.
        r#"{"date":"2024-11-03","kind":"alliance_formed","alliance":"CSTO","type":"defense_pact","members":[]}"#,
    ]
    .join("\n");
    std::fs::write(&file, text).unwrap();
    let json = both(&db, &file, true);
    for (code, stdout, _) in &json {
        assert_eq!(*code, Some(1));
        assert_eq!(errors_of(stdout), [(1, None), (3, None), (4, None)]);
    }
    assert_eq!(json[0].1, json[1].1);
    let text = both(&db, &file, false);
    for (code, _, stderr) in &text {
        assert_eq!(*code, Some(1));
        assert!(stderr.starts_with("error: 3 invalid lines"), "{stderr}");
    }
    assert!(
        text[0].2.starts_with("error: 3 invalid lines\n"),
        "check never writes"
    );
    assert!(text[1]
        .2
        .starts_with("error: 3 invalid lines; nothing was written\n"));
    assert_eq!(
        text[0].2,
        text[1].2.replacen("; nothing was written", "", 1)
    );
}

#[test]
fn many_follow_on_errors_never_hide_a_later_primary_error() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let mut lines = vec![
        r#"{"date":"1955-05-14","kind":"alliance_formed","alliance":"EAST","type":"defence_pact","members":["SUN","POL"]}"#.to_string(),
    ];
    for year in 1956..2016 {
        lines.push(format!(
            r#"{{"date":"{year}-01-01","kind":"alliance_joined","alliance":"EAST","members":["HUN"]}}"#
        ));
    }
    lines.push(r#"{"date":"2024","kind":"meting","actors":["USA","KOR"]}"#.to_string());
    let file = dir.path().join("many.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    for (code, _, stderr) in both(&db, &file, false) {
        assert_eq!(code, Some(1));
        assert!(
            stderr.starts_with("error: 2 invalid lines, and 60 follow-on errors"),
            "{stderr}"
        );
        assert!(stderr.contains("line 62: "), "{stderr}");
    }
}
