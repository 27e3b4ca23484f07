//! The view commands through the real binary: stable JSON with its basis, tables with the
//! basis in the header, history, diff, relations, rebuild and verify.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn json(db: &Path, args: &[&str]) -> Value {
    let out = annals(db).args(args).arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_path(dir);
    import_sample(&db);
    db
}

#[test]
fn view_json_has_basis_and_rows_with_the_documented_keys() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let keys: &[(&str, &[&str])] = &[
        (
            "alliances",
            &[
                "alliance",
                "name",
                "type",
                "since",
                "signed",
                "members",
                "joined",
                "obligations",
                "leaving",
                "dissolving",
                "certain",
            ],
        ),
        (
            "deployments",
            &[
                "actor",
                "host",
                "region",
                "strength",
                "since",
                "reported",
                "withdrawing",
                "certain",
            ],
        ),
        (
            "leaders",
            &[
                "actor", "office", "person", "since", "entry", "until", "certain",
            ],
        ),
        (
            "arms",
            &[
                "supplier",
                "recipient",
                "item",
                "unit",
                "quantity",
                "unknown_quantity",
                "transfers",
                "first",
                "last",
                "delivered",
                "tiv_order",
                "tiv_delivered",
                "certain",
            ],
        ),
        ("tests", &["actor", "class", "count", "last", "certain"]),
    ];
    for (view, fields) in keys {
        let v = json(&db, &[view, "--as-of", "2024-12-31"]);
        assert_eq!(v["as_of"], "2024-12-31");
        assert_eq!(v["known_at"]["seq"], 54);
        assert!(v["known_at"]["recorded"]
            .as_str()
            .unwrap()
            .starts_with("2025-01-20T18:00:00"));
        let rows = v["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{view} has rows");
        for r in rows {
            let got: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(got, fields.iter().collect::<Vec<_>>(), "{view}");
        }
    }
}

#[test]
fn as_of_accepts_year_and_month_and_known_at_accepts_seq() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let v = json(&db, &["alliances", "--as-of", "1999-03", "--actor", "NATO"]);
    assert_eq!(v["as_of"], "1999-03-31");
    assert_eq!(v["rows"][0]["members"].as_array().unwrap().len(), 19);
    let v = json(
        &db,
        &[
            "deployments",
            "--as-of",
            "2024-11-15",
            "--known-at",
            "2024-11-01T00:00:00Z",
            "--actor",
            "PRK",
        ],
    );
    let kursk = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "Kursk")
        .unwrap()
        .clone();
    assert_eq!(kursk["strength"], 8000);
    let seq = v["known_at"]["seq"].as_u64().unwrap();
    let again = json(
        &db,
        &[
            "deployments",
            "--as-of",
            "2024-11-15",
            "--known-at",
            &format!("seq:{seq}"),
            "--actor",
            "PRK",
        ],
    );
    assert_eq!(again, v);
}

#[test]
fn tables_show_the_basis_and_mark_uncertain_rows() {
    let dir = tempdir();
    let db = sample_db(&dir);
    annals(&db)
        .args(["arms", "--as-of", "2024-06"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("arms as of 2024-06-30, known at seq 54")
                .and(predicate::str::contains("?"))
                .and(predicate::str::contains("not certain")),
        );
}

#[test]
fn unknown_views_and_bad_dates_explain_themselves() {
    let dir = tempdir();
    let db = sample_db(&dir);
    annals(&db)
        .args(["view", "deploymnets"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `deployments`?"));
    annals(&db)
        .args(["alliances", "--as-of", "1999-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    annals(&db)
        .args(["alliances", "--known-at", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("seq:N"));
}

#[test]
fn history_diff_and_relations() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let h = json(&db, &["history", "JPN"]);
    let events = h["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["status"] == "corrected"));
    assert!(events.iter().any(|e| e["kind"] == "meeting"
        && e["summary"].as_str().unwrap().contains("Kishida")
        && e["status"] == "current"));
    let before = json(
        &db,
        &["history", "JPN", "--known-at", "2024-11-16T00:00:00Z"],
    );
    assert!(before["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] != "corrected"));

    let d = json(
        &db,
        &["diff", "2024-01-01", "2024-12-31", "--view", "alliances"],
    );
    let added: Vec<&str> = d["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["alliance"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["PRK_RUS"]);
    let changed = d["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "NATO gained Sweden");
    assert_eq!(changed[0]["key"], "NATO");

    let r = json(&db, &["relations", "PRK", "RUS", "--as-of", "2024-11-15"]);
    assert_eq!(r["alliances"][0]["alliance"], "PRK_RUS");
    assert!(r["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["region"] == "Kursk" && d["strength"] == 12000));
    assert_eq!(r["arms"][0]["quantity"], 13000);
    assert!(!r["meetings"].as_array().unwrap().is_empty());
}

#[test]
fn rebuild_then_verify() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let before = json(&db, &["deployments", "--as-of", "2024-11-15"]);
    annals(&db)
        .arg("rebuild")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "rebuilt indexes and views from 54 events",
        ));
    annals(&db)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "index entries and 42 row versions match the log; no view checkpoints yet",
        ));
    assert_eq!(json(&db, &["deployments", "--as-of", "2024-11-15"]), before);
}

#[test]
fn timeline_reads_as_a_chronology_with_markers() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let out = annals(&db)
        .args([
            "timeline", "--actor", "JPN", "--from", "2023", "--to", "2023-12",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The header names the basis; the chronology follows it.
    assert_eq!(
        lines[0],
        "timeline of JPN, known at seq 54 (2025-01-20T18:00:00.000000Z)"
    );
    let lines = &lines[1..];
    assert_eq!(lines[0], "2023");
    assert_eq!(lines[1], "  08");
    assert!(
        lines[2].contains("Ishiba") && lines[2].contains("[corrected by seq"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("Kishida") && lines[3].contains("[correction of seq"),
        "{}",
        lines[3]
    );
    assert!(lines[2].contains("(AP via seed article, 2024-11-15)"));
    assert_eq!(*lines.last().unwrap(), "(2 events)");
    let all = annals(&db).arg("timeline").output().unwrap();
    let all = String::from_utf8(all.stdout).unwrap();
    assert!(
        all.starts_with("timeline, known at seq 54 (2025-01-20T18:00:00.000000Z)\n1949\n  04\n"),
        "{all}"
    );
    assert!(all.trim_end().ends_with("(54 events)"));
}

#[test]
fn unknown_actor_codes_suggest_the_nearest_known_ones() {
    let dir = tempdir();
    let db = sample_db(&dir);
    annals(&db)
        .args(["deployments", "--actor", "PRKK"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no event names `PRKK`; did you mean PRK",
        ));
    annals(&db)
        .args(["history", "JPM"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean JPN"));
    annals(&db)
        .args(["deployments", "--actor", "prk"])
        .assert()
        .success();
}

#[test]
fn known_at_takes_a_plain_day_meaning_its_end_utc() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let rows = |known: &str| {
        let v = json(
            &db,
            &["deployments", "--as-of", "2024-11-15", "--known-at", known],
        );
        (v["known_at"].clone(), v["rows"].clone())
    };
    // A day is its last microsecond: the same knowledge as that instant, a month its last day.
    assert_eq!(rows("2024-10-31"), rows("2024-10-31T23:59:59.999999Z"));
    assert_eq!(rows("2024-10"), rows("2024-10-31T23:59:59.999999Z"));
    assert_eq!(rows("2024"), rows("2024-12-31T23:59:59.999999Z"));
    assert_eq!(rows("today"), rows("now"));
    // The sample's 8,000 at Kursk was believed then and corrected to 12,000 later.
    let kursk = |known: &str| {
        let (_, r) = rows(known);
        r.as_array()
            .unwrap()
            .iter()
            .find(|r| r["region"] == "Kursk")
            .map(|r| r["strength"].clone())
    };
    assert_eq!(kursk("2024-10-31"), Some(serde_json::json!(8000)));
    assert_eq!(kursk("today"), Some(serde_json::json!(12000)));
    let out = annals(&db)
        .args(["deployments", "--known-at", "2024-13-01"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a day (2024-11-01, 2024-11, 2024, today"),
        "{err}"
    );
}
