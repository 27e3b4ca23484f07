//! The README's first screen works when followed literally, in order, in a fresh
//! directory: `annals` is put on the PATH first, then every `annals` line runs (with the
//! binary under test) and succeeds.

use std::process::Command;

/// The lines of the README's first `sh` block, comments cut off.
fn first_screen() -> Vec<String> {
    let readme = include_str!("../README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block in the README");
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_readmes_first_screen_runs_in_order() {
    let lines = first_screen();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("cargo install --path ."),
        "annals must be put on the PATH before it is used: {lines:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for line in &lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] == "cargo" {
            continue;
        }
        assert_eq!(words[0], "annals", "{line}");
        assert!(!line.contains(['\'', '"']), "no quoting to split: {line}");
        let out = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(&words[1..])
            .current_dir(dir.path())
            .env_remove("ANNALS_DB")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{line} printed nothing");
        ran += 1;
    }
    assert!(
        ran >= 3,
        "the first screen queries the demo database: {lines:?}"
    );
    // What the comments promise.
    let then = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", "demo.db", "deployments", "--actor", "PRK"])
        .args(["--as-of", "2024-11-15", "--known-at", "2024-11-01"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&then.stdout).contains("8,000"));
}

#[test]
fn the_demo_names_the_commands_to_try_next() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("ANNALS_DB")
            .output()
            .unwrap()
    };
    let kept = run(&["--db", "demo.db", "demo"]);
    let stderr = String::from_utf8_lossy(&kept.stderr);
    assert!(
        stderr.contains("The sample timeline is in demo.db. Try:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  annals --db demo.db history JPN\n"),
        "{stderr}"
    );
    assert!(dir.path().join("demo.db").is_dir());
    let temporary = run(&["demo"]);
    let stderr = String::from_utf8_lossy(&temporary.stderr);
    assert!(stderr.contains("temporary database, now gone"), "{stderr}");
    assert!(stderr.contains("  annals --db demo.db demo\n"), "{stderr}");
}
