//! Databases where they cannot properly live: a directory the user may not read, a
//! database the user may not write, and a disk that fills up in the middle of an import
//! (a path that is a plain file is in `tests/cli.rs`). Each gives a clear error on stderr
//! and a non-zero exit — never a panic (exit 101) — and never damages what was stored.
//!
//! Running as root (as CI does), file permissions do not bind, so the permission tests run
//! the binary as the unprivileged user `nobody` (`setpriv`); otherwise they run it as the
//! current user. The full disk is a 3 MiB tmpfs mounted in a private mount namespace
//! (`unshare --mount`, with `--map-root-user` when not root). Both engines are tested.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A copy of the binary that any user may run, in a directory any user may enter.
fn public_binary(dir: &Path) -> PathBuf {
    chmod(dir, 0o755);
    let bin = dir.join("annals");
    std::fs::copy(assert_cmd::cargo::cargo_bin("annals"), &bin).unwrap();
    chmod(&bin, 0o755);
    bin
}

/// Run the binary on `db` as a user that file permissions bind.
fn run_unprivileged(bin: &Path, db: &Path, args: &[&str]) -> Output {
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.env_remove("ANNALS_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run annals")
}

fn assert_clear_failure(out: &Output, what: &str, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: exit code; stderr: {stderr}"
    );
    assert!(
        stderr.contains(expected),
        "{what}: stderr should say `{expected}`: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: panicked: {stderr}");
}

fn sample_db(dir: &Path, engine: &str) -> PathBuf {
    let db = dir.join(format!("db-{engine}"));
    common::annals(&db)
        .args(["--engine", engine, "import", "--keep-recorded"])
        .arg(common::SAMPLE_PATH)
        .assert()
        .success();
    db
}

#[test]
fn an_unreadable_directory_gives_a_clear_error() {
    for engine in ["redb", "sled"] {
        let dir = common::tempdir();
        let bin = public_binary(dir.path());
        let db = sample_db(dir.path(), engine);
        chmod(&db, 0o000);
        let out = run_unprivileged(&bin, &db, &["stats"]);
        assert_clear_failure(&out, engine, "Permission denied");
        chmod(&db, 0o755);
        assert_eq!(common::event_count(&db), 54, "{engine}: nothing was lost");
    }
}

#[test]
fn a_read_only_database_gives_a_clear_error_and_stays_intact() {
    for engine in ["redb", "sled"] {
        let dir = common::tempdir();
        let bin = public_binary(dir.path());
        let db = sample_db(dir.path(), engine);
        let mut paths = vec![db.clone()];
        for entry in walk(&db) {
            paths.push(entry);
        }
        for p in &paths {
            chmod(p, if p.is_dir() { 0o555 } else { 0o444 });
        }
        let out = run_unprivileged(
            &bin,
            &db,
            &[
                "append",
                r#"{"date":"2025","kind":"statement","actors":["USA"]}"#,
            ],
        );
        assert_clear_failure(&out, engine, "Permission denied");
        for p in &paths {
            chmod(p, if p.is_dir() { 0o755 } else { 0o644 });
        }
        assert_eq!(common::event_count(&db), 54, "{engine}: nothing was lost");
        common::annals(&db).arg("verify").assert().success();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn a_full_disk_fails_the_import_cleanly_and_keeps_what_was_stored() {
    let dir = common::tempdir();
    let big = dir.path().join("big.jsonl");
    let mut lines = String::new();
    for line in annals::workload::generate_lines(10_000, 3) {
        lines.push_str(&line);
        lines.push('\n');
    }
    std::fs::write(&big, lines).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("annals");
    for engine in ["redb", "sled"] {
        let mount = dir.path().join(format!("disk-{engine}"));
        std::fs::create_dir_all(&mount).unwrap();
        // Everything happens inside one private mount namespace, where the tmpfs lives.
        // After the failed import the disk is enlarged, so that a database engine that
        // must write to open (sled) can reopen; what was stored must then be intact.
        let script = format!(
            r#"set -u
mount -t tmpfs -o size=3m tmpfs "$MNT" || exit 90
"$BIN" --db "$MNT/db" --engine {engine} import --keep-recorded "$SAMPLE" >/dev/null 2>&1 || exit 91
"$BIN" --db "$MNT/db" import "$BIG" 2>"$MNT.err"
echo "import exit $?"
mount -o remount,size=64m "$MNT" || exit 92
"$BIN" --db "$MNT/db" verify >/dev/null 2>&1 || exit 93
"$BIN" --db "$MNT/db" stats --json
"#
        );
        let mut cmd = Command::new("unshare");
        if !is_root() {
            cmd.arg("--map-root-user");
        }
        let out = cmd
            .args(["--mount", "sh", "-c", &script])
            .env("MNT", &mount)
            .env("BIN", &bin)
            .env("SAMPLE", common::SAMPLE_PATH)
            .env("BIG", &big)
            .env_remove("ANNALS_DB")
            .output()
            .expect("run unshare");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{engine}: the scenario failed at step {:?} (90: mount, 91: first import, 92: remount, 93: verify after the failure); stdout: {stdout}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let err = std::fs::read_to_string(format!("{}.err", mount.display())).unwrap();
        assert!(stdout.contains("import exit 1"), "{engine}: {stdout} {err}");
        assert!(err.contains("No space left on device"), "{engine}: {err}");
        assert!(!err.contains("panicked"), "{engine}: {err}");
        let json = stdout.lines().last().unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            v["events"], 54,
            "{engine}: the failed import left nothing behind"
        );
    }
}
