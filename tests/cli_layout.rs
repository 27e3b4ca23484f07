//! The layout of human output, through the real binary at fixed widths (`COLUMNS`, which
//! the binary honours when stdout is not a terminal): dates and words are never split when
//! a table wraps, interval dates keep the chronology aligned, an undated retraction does
//! not break the timeline's year groups, and numbers in tables have thousands separators
//! (never in JSON or CSV).

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;

fn stdout_of(db: &Path, args: &[&str], columns: Option<&str>) -> String {
    let mut cmd = annals(db);
    cmd.env_remove("NO_COLOR").args(["--color", "never"]);
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every whitespace-separated token of a table (the rule under the header left out).
fn tokens(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('─'))
        .flat_map(str::split_whitespace)
        .map(String::from)
        .collect()
}

/// A database with a 2022 deployment, later retracted, and events around it; one has an
/// interval date and a long summary.
fn war_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_path(dir);
    let file = dir.path().join("war.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"id":"00000000-0000-4000-8000-000000000001","date":"2022-02-24","kind":"deployment","actor":"RUS","host":"UKR","strength":190000,"summary":"Russia invades Ukraine"}"#,
            r#"{"date":"2022-03-01","kind":"meeting","actors":["UKR","RUS"],"summary":"first talks in Belarus"}"#,
            r#"{"date":"2022-08/2022-09","kind":"statement","actors":["UKR"],"summary":"a long summary that has to wrap at the spaces between its words and never inside the date column"}"#,
            r#"{"date":"2023-01-05","kind":"meeting","actors":["UKR","USA"],"summary":"later talks"}"#,
            r#"{"kind":"retraction","target":"00000000-0000-4000-8000-000000000001","reason":"the wrong figure"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    annals(&db).arg("import").arg(&file).assert().success();
    db
}

#[test]
fn wrapped_tables_never_split_a_date() {
    let dir = tempdir();
    let db = war_db(&dir);
    let piped = stdout_of(&db, &["history", "UKR"], None);
    let narrow = stdout_of(&db, &["history", "UKR"], Some("60"));
    assert!(narrow.lines().count() > piped.lines().count(), "{narrow}");
    for date in ["2022-08/2022-09", "2022-02-24", "2023-01-05"] {
        assert!(narrow.contains(date), "{date} split:\n{narrow}");
    }
    // The sample's JPN history has an interval date; at 72 columns the text wraps.
    let sample = db_path(&tempdir());
    import_sample(&sample);
    let narrow = stdout_of(&sample, &["history", "JPN"], Some("72"));
    assert!(narrow.contains("2024-10-01/2024-11-15"), "{narrow}");
    for line in narrow.lines().skip(1) {
        assert!(line.chars().count() <= 72, "{line:?}");
    }
}

#[test]
fn wrapped_tables_split_no_word_when_the_words_fit() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    // Widths at which every column's longest word fits, and the text still wraps.
    for (args, width) in [
        (&["history", "JPN"][..], "110"),
        (&["arms", "--as-of", "2024"], "100"),
        (&["relations", "PRK", "RUS", "--as-of", "2024-11-15"], "100"),
    ] {
        let piped = stdout_of(&db, args, None);
        let narrow = stdout_of(&db, args, Some(width));
        assert!(
            narrow.lines().count() > piped.lines().count() + 1,
            "{args:?} wrapped"
        );
        assert_eq!(
            tokens(&narrow),
            tokens(&piped),
            "{args:?}: a word was split at {width} columns:\n{narrow}"
        );
        for line in narrow.lines() {
            assert!(line.chars().count() <= width.parse().unwrap(), "{line:?}");
        }
    }
}

#[test]
fn an_undated_retraction_stays_in_its_targets_year() {
    let dir = tempdir();
    let db = war_db(&dir);
    let text = stdout_of(&db, &["timeline"], None);
    let headings: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(' ') && !l.starts_with('('))
        .collect();
    assert_eq!(headings, ["2022", "2023"], "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let target = lines
        .iter()
        .position(|l| l.contains("Russia invades"))
        .unwrap();
    assert!(lines[target + 1].contains("retraction"), "{text}");
    // The line is `ID DATE KIND ...`: an undated retraction shows `-` for its date.
    assert_eq!(
        lines[target + 1].split_whitespace().nth(1),
        Some("-"),
        "{text}"
    );
}

#[test]
fn interval_dates_keep_the_chronology_aligned() {
    let dir = tempdir();
    let db = war_db(&dir);
    let text = stdout_of(&db, &["timeline"], None);
    let kinds = ["deployment", "meeting", "statement", "retraction"];
    let columns: BTreeSet<usize> = text
        .lines()
        .filter(|l| l.starts_with("    "))
        .map(|l| {
            let k = kinds.iter().find(|k| l.contains(*k)).unwrap();
            l.find(k).unwrap()
        })
        .collect();
    assert_eq!(columns.len(), 1, "kind columns at {columns:?}:\n{text}");
    // The widest date sets the column: two spaces after it.
    assert!(text.contains("2022-08/2022-09  statement"), "{text}");
    assert!(text.contains("2022-02-24       deployment"), "{text}");
}

#[test]
fn numbers_in_tables_have_thousands_separators_but_not_in_machine_output() {
    let dir = tempdir();
    let db = war_db(&dir);
    // Before the retraction (seq 5).
    let day = ["--as-of", "2022-03-01", "--known-at", "seq:4"];
    let table = stdout_of(&db, &[&["deployments"][..], &day].concat(), None);
    assert!(table.contains("190,000"), "{table}");
    let log = stdout_of(&db, &["log"], None);
    assert!(log.contains("RUS in UKR: 190,000"), "{log}");
    let json = stdout_of(&db, &[&["deployments", "--json"][..], &day].concat(), None);
    assert!(
        json.contains("\"strength\":190000") && !json.contains("190,000"),
        "{json}"
    );
    let csv = stdout_of(
        &db,
        &[&["deployments", "--format", "csv"][..], &day].concat(),
        None,
    );
    assert!(
        csv.contains(",190000,") && !csv.contains("190,000"),
        "{csv}"
    );
    let jsonl = stdout_of(&db, &["log", "--jsonl"], None);
    assert!(!jsonl.contains("190,000"), "{jsonl}");
}

#[test]
fn counts_are_pluralised() {
    let dir = tempdir();
    let db = war_db(&dir);
    let one = stdout_of(&db, &["log", "--kind", "statement"], None);
    assert!(one.trim_end().ends_with("(1 event)"), "{one}");
    let verify = stdout_of(&db, &["verify"], None);
    assert!(
        verify.starts_with("ok: 5 events, hash chain intact;"),
        "{verify}"
    );
    assert!(verify.contains("no view checkpoints yet (a view makes one every 1,024 events"));
    assert!(!verify.contains("0 view checkpoints"), "{verify}");
    let single = db_path(&tempdir());
    annals(&single)
        .args([
            "append",
            r#"{"date":"2024-10-31","kind":"missile_test","actor":"PRK","class":"ICBM"}"#,
        ])
        .assert()
        .success();
    let out = annals(&single).arg("verify").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("ok: 1 event, hash chain intact;"),
        "{stdout}"
    );
    assert!(stderr.starts_with("verified 1 event in "), "{stderr}");
}
