//! How the binary fails, for scripts: exit 2 for a usage error (clap's own and every bad
//! flag or argument value), 1 for other errors, 3 for a conflict; and, with `--json`, the
//! error as one JSON object on one line of stderr (`{"error": {"kind", "message", ...}}`).

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// Every command that takes a flag or argument value, with a bad value, and the text the
/// error must contain (the flag it names, or what was wrong with the value).
const BAD_VALUES: &[(&[&str], &str)] = &[
    // log
    (&["log", "--from", "garbage"], "--from"),
    (&["log", "--to", "2024-13"], "--to"),
    (&["log", "--on", "soon"], "--on"),
    (&["log", "--actor", "123!"], "--actor"),
    (&["log", "--actor", "ZZZZ"], "--actor"),
    (&["log", "--kind", "meting"], "--kind"),
    (&["log", "--order", "sideways"], "--order"),
    // timeline
    (&["timeline", "--from", "garbage"], "--from"),
    (&["timeline", "--to", "garbage"], "--to"),
    (&["timeline", "--actor", "123!"], "--actor"),
    (&["timeline", "--known-at", "seq:x"], "--known-at"),
    // history
    (&["history", "123!"], "history"),
    (&["history", "JPN", "--known-at", "seq:x"], "known-at"),
    // views
    (&["alliances", "--as-of", "garbage"], "--as-of"),
    (&["deployments", "--known-at", "seq:x"], "--known-at"),
    (&["leaders", "--actor", "123!"], "--actor"),
    (&["tests", "--format", "nonsense"], "--format"),
    (&["states", "--as-of", "1999-02-30"], "--as-of"),
    (&["arms", "--by", "nonsense"], "--by"),
    (
        &["arms", "--by", "supplier", "--as-of", "garbage"],
        "--as-of",
    ),
    (&["conflicts", "--by", "nonsense"], "--by"),
    (&["conflicts", "--known-at", "yesterday"], "--known-at"),
    (&["view", "nonsense"], "unknown view `nonsense`"),
    (&["view", "deployments", "--as-of", "garbage"], "--as-of"),
    // diff and relations
    (&["diff", "garbage", "2024"], "from"),
    (
        &["diff", "2024", "2025", "--view", "nonsense"],
        "unknown view",
    ),
    (&["diff", "2024", "2025", "--known-at", "seq:x"], "known-at"),
    (&["relations", "PRK", "123!"], "relations"),
    (
        &["relations", "PRK", "RUS", "--as-of", "garbage"],
        "--as-of",
    ),
    (
        &["relations", "PRK", "RUS", "--known-at", "seq:x"],
        "known-at",
    ),
    // chart
    (&["chart", "deployments", "--actor", "123!"], "--actor"),
    (
        &["chart", "deployments", "--actor", "PRK", "--host", "XX!"],
        "--host",
    ),
    (
        &["chart", "deployments", "--actor", "PRK", "--from", "x"],
        "--from",
    ),
    (&["chart", "alliances", "--to", "x"], "--to"),
    (&["chart", "alliances", "--known-at", "seq:x"], "--known-at"),
    (&["chart", "alliances", "--alliance", "123!"], "--alliance"),
    (
        &["chart", "alliances", "--from", "2025", "--to", "2024"],
        "--from",
    ),
    // the rest
    (&["verify", "--since", "not-a-hash"], "--since"),
    (&["tail", "--from-seq", "x"], "--from-seq"),
    (&["tail", "--poll-ms", "x"], "--poll-ms"),
    (&["export", "--format", "nonsense"], "--format"),
    (&["generate", "--events", "x"], "--events"),
    (&["completions", "nosh"], "nosh"),
    (&["import", "--limit", "x", "f.jsonl"], "--limit"),
    (&["--engine", "nonsense", "stats"], "--engine"),
    (&["--color", "nonsense", "stats"], "--color"),
    (&["frobnicate"], "frobnicate"),
    // import formats, the knowledge diff, the amending commands and --wait
    (&["import", "--from", "nonsense", "f.csv"], "--from"),
    (&["import", "--from", "csv", "f.csv"], "--map"),
    (&["import", "--show-map", "nonsense"], "--show-map"),
    (
        &[
            "diff",
            "2024",
            "2025",
            "--known-at",
            "seq:1",
            "--known-at",
            "seq:2",
        ],
        "diff",
    ),
    (
        &["diff", "--known-at", "seq:1", "--known-at", "seq:x"],
        "--known-at",
    ),
    (&["history", "JPN", "--kind", "meting"], "--kind"),
    (&["amend", "1", "--set", "strength"], "--set"),
    (&["amend", "1"], "--set"),
    (&["retract", "1"], "--reason"),
    (&["append", "--expect-seq", "x", "{}"], "--expect-seq"),
    (&["--wait", "5 parsecs", "stats"], "--wait"),
];

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    annals(db).args(args).output().unwrap()
}

/// The one JSON error object of a failed `--json` run.
fn json_error(out: &std::process::Output) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line of JSON on stderr: {stderr}");
    let v: Value = serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert!(v["error"]["message"].is_string(), "{v}");
    v
}

#[test]
fn every_bad_flag_value_is_a_usage_error_naming_the_flag() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    for (args, needle) in BAD_VALUES {
        let out = run(&db, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?} should name {needle}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed data");
    }
}

#[test]
fn with_json_every_usage_error_is_one_json_line() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    for (args, needle) in BAD_VALUES {
        // `--format` conflicts with `--json` on the view commands: use `--jsonl` there,
        // which wants JSON errors too.
        let flag = if args.contains(&"--format") && args[0] != "export" {
            "--jsonl"
        } else {
            "--json"
        };
        let out = run(&db, &[*args, &[flag]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v = json_error(&out);
        assert_eq!(v["error"]["kind"], "usage", "{args:?}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{args:?} should name {needle}: {v}"
        );
        assert!(!message.starts_with("error:"), "{v}");
    }
}

#[test]
fn other_errors_exit_1_with_a_stable_kind() {
    let dir = tempdir();
    let db = db_path(&dir);
    // No database there.
    let out = run(&db, &["stats", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_error(&out);
    assert_eq!(v["error"]["kind"], "cannot_open", "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no database there"));
    // A database another handle holds.
    import_sample(&db);
    {
        let _held = annals::Store::open(&db).unwrap();
        let out = run(&db, &["log", "--json"]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(json_error(&out)["error"]["kind"], "in_use");
    }
    // A code query matching nothing.
    let out = run(&db, &["codes", "zzqqxx", "--jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_error(&out)["error"]["kind"], "not_found");
    // Without --json the same error is text.
    let out = run(&db, &["codes", "zzqqxx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: no code or name matches"));
}

#[test]
fn invalid_input_is_one_json_object_listing_every_bad_line() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"date":"2024-11-01","kind":"missile_test","actor":"PRK","class":"SRBM"}"#,
            r#"{"date":"2024-13-01","kind":"missile_test","actor":"PRK","class":"ICBM"}"#,
            r#"{"date":"2024","kind":"meting","actors":["USA","KOR"]}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    for (command, writes) in [("check", false), ("import", true)] {
        let out = annals(&db)
            .arg(command)
            .arg(&file)
            .arg("--json")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        let e = &json_error(&out)["error"];
        assert_eq!(e["kind"], "invalid_input", "{e}");
        assert_eq!(e["line"], 2, "the first bad line: {e}");
        let lines: Vec<u64> = e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [2, 3], "{e}");
        assert!(e["lines"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("month 13"));
        assert_eq!(e["lines"][0]["follow_on"], false);
        let message = e["message"].as_str().unwrap();
        assert!(message.starts_with("2 invalid lines"), "{message}");
        assert_eq!(
            message.contains("nothing was written"),
            writes,
            "{command}: {message}"
        );
        // The answer on stdout is kept.
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer["valid"], false);
    }
    // append: one line, numbered 1.
    let out = run(&db, &["append", r#"{"date":"2024"}"#, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let e = &json_error(&out)["error"];
    assert_eq!(
        (e["kind"].as_str(), e["line"].as_u64()),
        (Some("invalid_input"), Some(1))
    );
    assert_eq!(event_count(&db), 54, "nothing was written");
}

#[test]
fn check_never_says_nothing_was_written() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, r#"{"date":"2024","kind":"meting","actors":["USA"]}"#).unwrap();
    let check = annals(&db).arg("check").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr.starts_with("error: 1 invalid line\n"), "{stderr}");
    let dry = annals(&db)
        .args(["import", "--dry-run"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&dry.stderr).contains("nothing was written"));
    let import = annals(&db).arg("import").arg(&file).output().unwrap();
    assert!(String::from_utf8_lossy(&import.stderr)
        .starts_with("error: 1 invalid line; nothing was written\n"));
}

#[test]
fn help_and_version_still_exit_0_with_json_on_the_line() {
    let dir = tempdir();
    let db = db_path(&dir);
    for args in [&["--help", "--json"][..], &["--version", "--json"]] {
        let out = run(&db, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}

/// `annals log | head -1`: the reader leaving early is not an error (no message, exit 0).
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempdir();
    let db = db_path(&dir);
    let events = annals(&db)
        .args(["generate", "--events", "3000"])
        .output()
        .unwrap();
    let file = dir.path().join("g.jsonl");
    std::fs::write(&file, &events.stdout).unwrap();
    assert!(run(&db, &["import", file.to_str().unwrap()])
        .status
        .success());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", db.to_str().unwrap(), "log"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    assert!(first.starts_with("SEQ"), "{first}");
    // The reader is dropped here: the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
