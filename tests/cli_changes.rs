//! "Show what changed" through the real binary: a correction as a field diff in `history`,
//! `log` and `timeline` (and their JSON), the short id column, `history --from/--to/--kind`,
//! `diff --known-at A --known-at B`, and `relations` with every kind two actors share.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::path::Path;

/// A deployment reported at 150,000 on 2022-02-24, then corrected to 190,000 on 2022-02-23
/// with a region it did not have.
const CORRECTED: &str = r#"{"id":"11111111-2222-4333-8444-555555555555","date":"2022-02-24","kind":"deployment","actor":"RUS","host":"UKR","strength":150000,"summary":"first estimate"}
{"kind":"correction","target":"11111111-2222-4333-8444-555555555555","event":{"date":"2022-02-23","kind":"deployment","actor":"RUS","host":"UKR","region":"Donbas","strength":190000,"summary":"first estimate"}}
"#;

/// Events between USA and RUS of every kind `relations` lists, and one of another pair.
const PAIR: &str = r#"{"date":"2021-06-16","kind":"meeting","actors":["USA","RUS"],"place":"Geneva"}
{"date":"2010-04-08","kind":"agreement","actors":["USA","RUS"],"name":"New START"}
{"date":"2022-02-22","kind":"sanctions_imposed","actor":"USA","against":"RUS"}
{"date":"2022-03-10","kind":"sanctions_imposed","actor":"RUS","against":"USA"}
{"date":"2023-01-01","kind":"sanctions_lifted","actor":"RUS","against":"USA"}
{"date":"2012-07-01","kind":"joint_exercise","actors":["USA","RUS"],"assets":["ships"]}
{"date":"2021-06-16","kind":"statement","actors":["USA","RUS"],"summary":"strategic stability"}
{"date":"2022-02-22","kind":"sanctions_imposed","actor":"USA","against":"CHN"}
"#;

/// A database holding `lines`, imported through the binary.
fn db_with(dir: &tempfile::TempDir, lines: &str) -> std::path::PathBuf {
    let db = db_path(dir);
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, lines).unwrap();
    annals(&db).arg("import").arg(&file).assert().success();
    db
}

fn stdout_of(db: &Path, args: &[&str]) -> String {
    let out = annals(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_of(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(db, &[args, &["--json"]].concat())).unwrap()
}

/// JSON Lines as values.
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn history_log_and_timeline_show_what_a_correction_changed() {
    let dir = tempdir();
    let db = db_with(&dir, CORRECTED);
    let changes = json!([
        {"field": "date", "from": "2022-02-24", "to": "2022-02-23"},
        {"field": "region", "from": null, "to": "Donbas"},
        {"field": "strength", "from": 150000, "to": 190000},
    ]);
    let text =
        "[changes: date 2022-02-24 → 2022-02-23; region none → Donbas; strength 150,000 → 190,000]";

    let history = stdout_of(&db, &["history", "RUS"]);
    let row = history.lines().find(|l| l.contains("corrects seq 1"));
    assert!(row.is_some_and(|r| r.contains(text)), "{history}");
    // The correction sorts first: its replacement is dated a day earlier.
    let h = json_of(&db, &["history", "RUS"]);
    assert_eq!(h["events"][0]["by"], 1);
    assert_eq!(h["events"][0]["changes"], changes);
    assert_eq!(h["events"][1]["status"], "corrected");
    assert_eq!(h["events"][1]["changes"], json!([]), "the original: none");
    let jsonl = json_lines(&stdout_of(&db, &["history", "RUS", "--jsonl"]));
    assert_eq!(jsonl[0]["changes"], changes);

    let log = stdout_of(&db, &["log"]);
    let row = log.lines().find(|l| l.contains("correction"));
    assert!(row.is_some_and(|r| r.contains(text)), "{log}");
    let log = json_lines(&stdout_of(&db, &["log", "--json", "--order", "recorded"]));
    assert_eq!(
        log[0].get("changes"),
        None,
        "only corrections carry changes"
    );
    assert_eq!(log[1]["changes"], changes);

    let timeline = stdout_of(&db, &["timeline", "--actor", "RUS"]);
    assert!(
        timeline.contains(
            "[correction of seq 1; changes: date 2022-02-24 → 2022-02-23; region none → Donbas; strength 150,000 → 190,000]"
        ),
        "{timeline}"
    );
    let timeline = json_lines(&stdout_of(&db, &["timeline", "--json"]));
    assert!(timeline.iter().any(|e| e["changes"] == changes));
}

#[test]
fn a_long_or_structured_change_is_named_not_quoted() {
    let dir = tempdir();
    let db = db_with(&dir, CORRECTED);
    // A second correction replaces the first (in effect when it was recorded), so it
    // changed only what differs from the first.
    let long = "a summary far too long to show in a line of the history table, so it is named";
    let line = format!(
        r#"{{"kind":"correction","target":"11111111-2222-4333-8444-555555555555","event":{{"date":"2022-02-23","kind":"deployment","actor":"RUS","host":"UKR","region":"Donbas","strength":190000,"summary":"{long}","sources":[{{"name":"MoD"}}]}}}}"#
    );
    annals(&db).args(["append", &line]).assert().success();
    let history = stdout_of(&db, &["history", "RUS"]);
    assert!(
        history.contains("[changes: summary …; sources …]"),
        "{history}"
    );
    let h = json_of(&db, &["history", "RUS"]);
    let events = h["events"].as_array().unwrap();
    let last = &events.iter().find(|e| e["seq"] == 3).unwrap()["changes"];
    assert_eq!(last[0]["to"], long, "JSON has the whole value");
    assert_eq!(last[1]["from"], Value::Null);
    assert_eq!(last[1]["to"], json!([{"name": "MoD"}]));
}

#[test]
fn tables_show_a_short_id_to_amend_by() {
    let dir = tempdir();
    let db = db_with(&dir, CORRECTED);
    let log = json_lines(&stdout_of(&db, &["log", "--json", "--order", "recorded"]));
    let short: Vec<String> = log
        .iter()
        .map(|e| e["id"].as_str().unwrap()[..8].to_string())
        .collect();
    assert_eq!(short[0], "11111111");
    let table = stdout_of(&db, &["log"]);
    assert!(table.lines().next().unwrap().starts_with("SEQ  ID "));
    let history = stdout_of(&db, &["history", "RUS"]);
    assert!(history.lines().nth(1).unwrap().starts_with("SEQ  ID "));
    let timeline = stdout_of(&db, &["timeline"]);
    for id in &short {
        for out in [&table, &history, &timeline] {
            assert!(out.contains(id.as_str()), "{id} missing in:\n{out}");
        }
    }
    // JSON keeps the full ids.
    assert_eq!(log[0]["id"], "11111111-2222-4333-8444-555555555555");
}

#[test]
fn history_takes_from_to_and_kind() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let all = json_of(&db, &["history", "PRK"]);
    let some = json_of(
        &db,
        &[
            "history",
            "PRK",
            "--from",
            "2024-10",
            "--to",
            "2024-10",
            "--kind",
            "deployment",
        ],
    );
    let events = some["events"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{some}");
    for e in events {
        assert_eq!(e["kind"], "deployment");
        assert!(e["date"].as_str().unwrap().starts_with("2024-10"), "{e}");
    }
    assert!(all["events"].as_array().unwrap().len() > events.len());
    let table = stdout_of(&db, &["history", "PRK", "--kind", "meeting"]);
    assert!(table.contains("(1 event)"), "{table}");
    annals(&db)
        .args(["history", "PRK", "--kind", "deploymnt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("did you mean `deployment`"));
    annals(&db)
        .args(["history", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Usage: annals history <CODE> [--from DATE] [--to DATE] [--kind KIND] [--known-at K]",
        ));
}

#[test]
fn diff_compares_two_knowledges_on_one_day() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let knowledge = [
        "diff",
        "--known-at",
        "2024-11-01",
        "--known-at",
        "now",
        "--as-of",
        "2024-11-15",
        "--view",
        "deployments",
    ];
    let d = json_of(&db, &knowledge);
    assert_eq!(d["as_of"], "2024-11-15");
    assert_eq!(d["known_at"]["from"]["seq"], 42);
    assert_eq!(d["known_at"]["to"]["seq"], 54);
    let changed = d["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{d}");
    assert_eq!(changed[0]["key"], "PRK/RUS/Kursk");
    assert_eq!(changed[0]["from"]["strength"], 8000);
    assert_eq!(changed[0]["to"]["strength"], 12000);
    let text = stdout_of(&db, &knowledge);
    assert!(text.starts_with(
        "deployments as of 2024-11-15: known at seq 42 (2024-10-31T20:00:00.000000Z) → known at seq 54 (2025-01-20T18:00:00.000000Z)\n"
    ), "{text}");
    assert!(text.contains("~ PRK/RUS/Kursk: strength: "), "{text}");
    // Without --view: every view, as an array; the dates form still works.
    let every = json_of(&db, &["diff", "--known-at", "seq:1", "--known-at", "now"]);
    assert!(every.as_array().is_some_and(|a| a.len() > 1));
    let dates = json_of(
        &db,
        &["diff", "2024-01-01", "2024-12-31", "--view", "alliances"],
    );
    assert_eq!(dates["from"], "2024-01-01");
}

#[test]
fn diff_refuses_a_mixture_of_its_two_forms_as_a_usage_error() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    for (args, says) in [
        (
            &[
                "diff",
                "2024-01-01",
                "2024-12-31",
                "--known-at",
                "seq:1",
                "--known-at",
                "now",
            ][..],
            "not both",
        ),
        (&["diff", "--known-at", "seq:1"][..], "--known-at twice"),
        (&["diff"][..], "--known-at twice"),
        (
            &["diff", "--known-at", "now", "--as-of", "2024"][..],
            "--as-of goes with two --known-at",
        ),
        (
            &["diff", "2024-01-01", "2024-12-31", "--as-of", "2024"][..],
            "cannot be used with",
        ),
        (
            &[
                "diff",
                "--known-at",
                "seq:1",
                "--known-at",
                "seq:2",
                "--known-at",
                "now",
            ][..],
            "not more",
        ),
        (&["diff", "2024-01-01"][..], "<TO>"),
    ] {
        annals(&db)
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn relations_lists_every_kind_two_actors_share() {
    let dir = tempdir();
    let db = db_with(&dir, PAIR);
    let r = json_of(&db, &["relations", "USA", "RUS", "--as-of", "2024-12-31"]);
    let counts: Vec<(&str, usize)> = [
        "alliances",
        "deployments",
        "arms",
        "meetings",
        "agreements",
        "sanctions",
        "joint_exercises",
        "statements",
    ]
    .into_iter()
    .map(|k| (k, r[k].as_array().map_or(usize::MAX, Vec::len)))
    .collect();
    assert_eq!(
        counts,
        [
            ("alliances", 0),
            ("deployments", 0),
            ("arms", 0),
            ("meetings", 1),
            ("agreements", 1),
            ("sanctions", 3),
            ("joint_exercises", 1),
            ("statements", 1),
        ]
    );
    let against: Vec<&str> = r["sanctions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["against"].as_str().unwrap())
        .collect();
    assert_eq!(against, ["RUS", "USA", "USA"], "both directions, not CHN");

    let text = stdout_of(&db, &["relations", "USA", "RUS", "--as-of", "2024-12-31"]);
    for heading in [
        "alliances in common:\n(none)",
        "deployments between them:\n(none)",
        "arms flows between them:\n(none)",
        "meetings up to 2024-12-31:",
        "agreements up to 2024-12-31:",
        "sanctions up to 2024-12-31:",
        "joint exercises up to 2024-12-31:",
        "statements up to 2024-12-31:",
    ] {
        assert!(text.contains(heading), "{heading:?} missing in:\n{text}");
    }
    assert!(text.contains("New START"), "{text}");
    assert!(text.contains("RUS lifts on USA"), "{text}");
    // Before any of them: every section, each empty.
    let early = stdout_of(&db, &["relations", "USA", "RUS", "--as-of", "2000"]);
    assert_eq!(early.matches("(none)").count(), 8, "{early}");
}
