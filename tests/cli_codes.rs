//! `annals codes` with the real binary: the crosswalk table without a database, `--json`,
//! no match (exit 1, suggestions on stderr), and unknown `--actor` codes suggesting by name.

mod common;

use common::*;
use predicates::prelude::*;

/// The binary with no `--db` and no ANNALS_DB, run in an empty directory.
fn annals_no_db(dir: &tempfile::TempDir) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("annals").unwrap();
    cmd.env_remove("ANNALS_DB")
        .env_remove("COLUMNS")
        .current_dir(dir.path());
    cmd
}

#[test]
fn codes_lists_the_crosswalk_without_a_database() {
    let dir = tempdir();
    let out = annals_no_db(&dir).arg("codes").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let header = text.lines().next().unwrap();
    for column in ["code", "name", "cow", "cow_abb", "gw", "iso3", "years"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(text
        .lines()
        .any(|l| l.starts_with("SUN ") && l.contains("Soviet Union") && l.contains("1923–1991")));
    assert!(text
        .lines()
        .any(|l| l.starts_with("DDR ") && l.contains("265")));
    assert!(text.lines().count() > 250);
    // Nothing was created: the command needs no store.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn codes_query_matches_any_system_and_names() {
    let dir = tempdir();
    annals_no_db(&dir)
        .args(["codes", "soviet"])
        .assert()
        .success()
        .stdout(predicate::str::contains("SUN").and(predicate::str::contains("Soviet Union")));
    let out = annals_no_db(&dir)
        .args(["codes", "AUS", "--json"])
        .assert()
        .success();
    let rows: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let codes: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    // COW AUS is Austria, ISO AUS is Australia: both rows are listed, each under its code.
    assert!(
        codes.contains(&"AUT") && codes.contains(&"AUS"),
        "{codes:?}"
    );
    let austria = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "AUT")
        .unwrap();
    assert_eq!(austria["cow"], 305);
    assert_eq!(austria["cow_abb"], "AUS");
    assert_eq!(austria["iso3"], "AUT");
}

#[test]
fn codes_with_no_match_fails_with_suggestions() {
    let dir = tempdir();
    annals_no_db(&dir)
        .args(["codes", "Sovjet Unon"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("no code or name matches `Sovjet Unon`")
                .and(predicate::str::contains("did you mean SUN (Soviet Union)")),
        );
}

#[test]
fn unknown_actor_codes_suggest_crosswalk_names_too() {
    let dir = tempdir();
    let db = dir.path().join("db");
    annals(&db)
        .args(["import", SAMPLE_PATH, "--keep-recorded"])
        .assert()
        .success();
    annals(&db)
        .args(["deployments", "--actor", "SOVIET"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no event names `SOVIET`")
                .and(predicate::str::contains("SUN (Soviet Union)")),
        );
}
