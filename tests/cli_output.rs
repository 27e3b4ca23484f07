//! How the real binary's output behaves off a terminal: no colour unless asked, no progress
//! bar (only a one-line summary on stderr), tables that wrap only to a known width,
//! `--jsonl` streams, query dates, and an example in every command's `--help`.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn sample_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_path(dir);
    import_sample(&db);
    db
}

fn stdout_of(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = annals(db);
    cmd.env_remove("COLUMNS").env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn colour_only_when_asked_off_a_terminal_and_never_with_color_never() {
    let dir = tempdir();
    let db = sample_db(&dir);
    for args in [
        &["alliances", "--as-of", "2024"][..],
        &["history", "JPN"][..],
        &["timeline", "--actor", "JPN"][..],
    ] {
        let plain = stdout_of(&db, args, &[]);
        assert!(!plain.contains('\x1b'), "{args:?} coloured when piped");
        let never = stdout_of(&db, &[args, &["--color", "never"]].concat(), &[]);
        assert_eq!(never, plain);
        let no_color = stdout_of(&db, args, &[("NO_COLOR", "1")]);
        assert_eq!(no_color, plain);
        // --color always is an explicit request: it wins over NO_COLOR, and only adds
        // escapes (the text is the same without them).
        let always = stdout_of(
            &db,
            &[args, &["--color", "always"]].concat(),
            &[("NO_COLOR", "1")],
        );
        assert!(
            always.contains("\x1b["),
            "{args:?} not coloured with --color always"
        );
        assert_eq!(console::strip_ansi_codes(&always), plain);
    }
    annals(&db)
        .args(["stats", "--color", "sometimes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("auto"));
}

#[test]
fn long_work_prints_only_a_summary_line_on_stderr_when_not_a_terminal() {
    let dir = tempdir();
    let db = sample_db(&dir);
    for (args, summary) in [
        (&["verify"][..], "verified 54 events in "),
        (&["verify", "--json"][..], "verified 54 events in "),
        (
            &["rebuild"][..],
            "rebuilt indexes and views from 54 events in ",
        ),
        (&["export"][..], "exported 54 events in "),
        (&["export", "--json"][..], "exported 54 events in "),
    ] {
        let out = annals(&db).args(args).output().unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        // Exactly one line: count, elapsed time and rate; no bar, no cursor movement.
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
        assert!(stderr.starts_with(summary), "{args:?}: {stderr:?}");
        assert!(stderr.trim_end().ends_with(" events/s)"), "{stderr:?}");
        assert!(
            !stderr.contains('\r') && !stderr.contains('\x1b'),
            "{stderr:?}"
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            !stdout.contains("events/s"),
            "the summary leaked into stdout"
        );
    }
    // Export's stdout is exactly the data.
    let export = stdout_of(&db, &["export"], &[]);
    assert_eq!(export.lines().count(), 54);
    for line in export.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
}

#[test]
fn jsonl_streams_one_row_per_line_with_its_basis() {
    let dir = tempdir();
    let db = sample_db(&dir);
    for view in ["alliances", "deployments", "leaders", "arms", "tests"] {
        let whole: Value = serde_json::from_str(&stdout_of(
            &db,
            &[view, "--as-of", "2024-12-31", "--json"],
            &[],
        ))
        .unwrap();
        let lines: Vec<Value> = stdout_of(&db, &[view, "--as-of", "2024-12-31", "--jsonl"], &[])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let rows = whole["rows"].as_array().unwrap();
        assert_eq!(lines.len(), rows.len(), "{view}");
        for (line, row) in lines.iter().zip(rows) {
            assert_eq!(&line["row"], row);
            assert_eq!(line["as_of"], whole["as_of"]);
            assert_eq!(line["known_at"], whole["known_at"]);
        }
    }
    let history: Value =
        serde_json::from_str(&stdout_of(&db, &["history", "JPN", "--json"], &[])).unwrap();
    let lines: Vec<Value> = stdout_of(&db, &["history", "JPN", "--jsonl"], &[])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&Value::Array(lines), &history["events"]);
    // The log and the timeline are JSON Lines in both formats.
    for args in [&["log"][..], &["timeline"][..]] {
        assert_eq!(
            stdout_of(&db, &[args, &["--json"]].concat(), &[]),
            stdout_of(&db, &[args, &["--jsonl"]].concat(), &[])
        );
    }
    annals(&db)
        .args(["alliances", "--json", "--jsonl"])
        .assert()
        .code(2);
}

#[test]
fn tables_wrap_to_a_known_width_and_never_when_piped() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let piped = stdout_of(&db, &["history", "JPN"], &[]);
    // Piped: one line per row, however long; the header names the basis.
    assert!(piped.starts_with("history of JPN, known at seq 54 (2025-01-20T18:00:00.000000Z)\n"));
    assert!(piped.lines().any(|l| l.chars().count() > 150));
    let rows = piped.lines().filter(|l| l.contains("meeting")).count();
    let narrow = stdout_of(&db, &["history", "JPN"], &[("COLUMNS", "72")]);
    for line in narrow.lines().skip(1) {
        assert!(line.chars().count() <= 72, "{line:?}");
    }
    // Wrapped, not truncated: every character of the piped table is still there.
    let chars = |t: &str| {
        let mut c: Vec<char> = t
            .lines()
            .skip(1)
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace() && *c != '─')
            .collect();
        c.sort_unstable();
        c
    };
    assert_eq!(chars(&narrow), chars(&piped));
    assert!(
        narrow.lines().count() > rows + 3,
        "long values wrapped onto more lines"
    );
}

#[test]
fn uncertain_rows_are_marked_and_counted() {
    let dir = tempdir();
    let db = sample_db(&dir);
    // Kim Jong Un took office in 2011-12: as of 2011-12-15 that is not yet certain.
    let text = stdout_of(
        &db,
        &["leaders", "--as-of", "2011-12-15", "--actor", "PRK"],
        &[],
    );
    let row = text.lines().find(|l| l.contains("PRK")).unwrap();
    assert!(row.starts_with('?'), "{text}");
    assert!(row.contains("2011-12"), "dates keep their precision: {row}");
    assert!(
        text.contains("? = not certain as of this date: 1"),
        "{text}"
    );
    let later = stdout_of(&db, &["leaders", "--as-of", "2012", "--actor", "PRK"], &[]);
    assert!(!later.contains("? = not certain"));
}

#[test]
fn query_dates_accept_today_year_month_and_day() {
    let dir = tempdir();
    let db = sample_db(&dir);
    for date in ["today", "2024", "2024-11", "2024-11-15"] {
        stdout_of(&db, &["deployments", "--as-of", date], &[]);
        stdout_of(&db, &["log", "--from", "2024", "--to", date], &[]);
        stdout_of(&db, &["timeline", "--from", "2000", "--to", date], &[]);
        stdout_of(&db, &["chart", "alliances", "--to", date], &[]);
    }
    let today = stdout_of(&db, &["timeline", "--from", "today"], &[]);
    assert!(today.trim_end().ends_with("(0 events)"), "{today}");
    annals(&db)
        .args(["deployments", "--as-of", "2024-13"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("month 13 does not exist"));
}

/// The subcommands listed in a `--help` text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_shows_an_example_in_its_help() {
    let dir = tempdir();
    let db = db_path(&dir);
    let top = stdout_of(&db, &["--help"], &[]);
    let commands = subcommands(&top);
    assert!(commands.len() >= 25, "{commands:?}");
    assert!(commands.contains(&"chart".to_string()));
    let mut checked = 0;
    for c in &commands {
        let help = stdout_of(&db, &[c, "--help"], &[]);
        assert!(
            help.contains("Example"),
            "`annals {c} --help` has no example"
        );
        checked += 1;
        for sub in subcommands(&help) {
            let help = stdout_of(&db, &[c, &sub, "--help"], &[]);
            assert!(
                help.contains("Example"),
                "`annals {c} {sub} --help` has no example"
            );
            checked += 1;
        }
    }
    assert!(checked > commands.len(), "chart's subcommands were checked");
    // Completions and the man page know every command, chart included.
    assert!(stdout_of(&db, &["completions", "bash"], &[]).contains("chart"));
    assert!(stdout_of(&db, &["completions", "fish"], &[]).contains("chart"));
    let man = stdout_of(&db, &["man"], &[]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH"),
        "{}",
        &man[..80]
    );
    assert!(man.contains("chart"));
}
