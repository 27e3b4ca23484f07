//! Helpers shared by the integration tests.
#![allow(dead_code)]

use annals::interchange::{parse_line, parse_reader};
use annals::{Content, ManualClock, NewEvent, Store, StoreOptions};
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const EXAMPLES: &str = include_str!("../../schema/examples/events.jsonl");
pub const SAMPLE: &str = include_str!("../../schema/examples/sample_timeline.jsonl");
#[allow(dead_code)]
pub const SAMPLE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schema/examples/sample_timeline.jsonl"
);

/// Parse one JSON line into an event, panicking with the reason (tests only).
pub fn ev(line: &str) -> NewEvent {
    parse_line(line)
        .unwrap_or_else(|e| panic!("{e}: {line}"))
        .event
}

pub fn content(line: &str) -> Content {
    ev(line).content
}

pub fn lines(text: &str) -> Vec<(usize, annals::interchange::ParsedLine)> {
    parse_reader(text.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"))
}

pub fn t(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

/// A temporary store whose clock starts at 2025-01-01 and ticks one second per append.
pub fn temp_store() -> Store {
    let clock = Arc::new(ManualClock::stepping(
        t("2025-01-01T00:00:00Z"),
        Duration::seconds(1),
    ));
    Store::temporary_with(StoreOptions {
        clock,
        ..StoreOptions::default()
    })
    .unwrap()
}

pub fn open(path: &Path) -> Store {
    Store::open(path).unwrap()
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("db")
}

/// The real `annals` binary pointed at `db`, with no ANNALS_DB from the environment and no
/// COLUMNS (which would wrap tables to that width).
pub fn annals(db: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("annals").unwrap();
    cmd.env_remove("ANNALS_DB")
        .env_remove("COLUMNS")
        .arg("--db")
        .arg(db);
    cmd
}

/// How many events the database at `db` holds, read through `annals stats --json`.
#[allow(dead_code)]
pub fn event_count(db: &Path) -> u64 {
    let out = annals(db).args(["stats", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["events"].as_u64().unwrap()
}

/// Import the bundled sample timeline (with its recorded times) through the binary.
pub fn import_sample(db: &Path) {
    annals(db)
        .args([
            "import",
            "schema/examples/sample_timeline.jsonl",
            "--keep-recorded",
        ])
        .assert()
        .success();
}

/// Copy a directory tree (a database) recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
