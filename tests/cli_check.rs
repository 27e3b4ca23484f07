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
        .stdout("ok: 1 events valid; an import would add 1 (0 already present)\n");
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
