//! Creating a database so that a kill cannot leave it half made. Used by both engines.
//!
//! The problem: an engine creating its files is not atomic. A process killed while redb
//! writes its header leaves `annals.redb` without a valid magic number; one killed while
//! sled sets up leaves a directory holding only `blobs/`. Either way no later open could
//! use the directory, although nothing was ever written to it.
//!
//! The rule kept here: an engine builds a new, empty database under a *staging name*,
//! makes it durable, and only then *publishes* it under its real name with one atomic
//! filesystem step that never replaces an existing database (a hard link of redb's file;
//! of sled's `db`, its last file). A kill before that step leaves only staging entries,
//! which [`super::detect`] does not mistake for a database and a later open removes; a
//! kill after it leaves a complete, empty database. Nothing is acknowledged to a caller before the engine has opened the
//! published database, so no acknowledged data can be in a staging entry.
//!
//! Staging names are `<prefix><pid>-<counter>`, unique on the machine while their process
//! lives. Leftovers are removed by the next open: once the database exists, every staging
//! entry no process holds a lock on; while it does not, only those also older than
//! [`STALE_AFTER`] (creating an empty database takes milliseconds).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How old an unlocked staging entry must be before a later creation removes it.
pub(super) const STALE_AFTER: Duration = Duration::from_secs(60);

/// A fresh staging path in `dir`: `<prefix><pid>-<counter>`.
pub(super) fn staging_path(dir: &Path, prefix: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{prefix}{}-{n}", std::process::id()))
}

/// Whether a directory entry's file name is a staging name for `prefix`.
pub(super) fn is_staging_name(name: &std::ffi::OsStr, prefix: &str) -> bool {
    name.to_str().is_some_and(|n| n.starts_with(prefix))
}

/// Remove the staging entries for `prefix` in `dir` (files or directories) that are at
/// least `older_than` old and not locked. `lock_file` names the file an engine locks while
/// the entry is open. Before a database exists, only entries older than [`STALE_AFTER`]
/// are removed (a fresh one may be a live creator's); once it exists, any unlocked one is
/// garbage (a creator still at work finds the database there and keeps it). Best effort:
/// an entry that cannot be inspected or removed is left alone.
pub(super) fn remove_stale(
    dir: &Path,
    prefix: &str,
    older_than: Duration,
    lock_file: impl Fn(&Path) -> PathBuf,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_staging_name(&entry.file_name(), prefix) {
            continue;
        }
        let path = entry.path();
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age >= older_than);
        if !old_enough || is_locked(&lock_file(&path)) {
            continue;
        }
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

/// Whether some process holds a lock on `file`. A missing file is not locked.
fn is_locked(file: &Path) -> bool {
    use fs2::FileExt;
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)
    {
        Ok(f) => match f.try_lock_exclusive() {
            Ok(()) => {
                let _ = FileExt::unlock(&f);
                false
            }
            Err(_) => true,
        },
        Err(_) => false,
    }
}

/// How publishing a staged file ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Published {
    /// The staged database is now the database.
    Ours,
    /// Another process published its database first; ours was discarded.
    Theirs,
}

/// Publish the staged file at `staging` as `target` without ever replacing an existing
/// `target`, then remove the staging name and make the directory entry durable.
///
/// A hard link is the atomic no-replace step. Where the filesystem has no hard links, a
/// rename after checking that `target` is absent stands in (a concurrent creator could
/// then win the race between the check and the rename; a kill cannot do harm).
pub(super) fn publish_file(staging: &Path, target: &Path) -> std::io::Result<Published> {
    let published = match std::fs::hard_link(staging, target) {
        Ok(()) => Published::Ours,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Published::Theirs,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
        Err(_) if !target.exists() => {
            std::fs::rename(staging, target)?;
            Published::Ours
        }
        Err(_) => Published::Theirs,
    };
    if staging.exists() {
        std::fs::remove_file(staging)?;
    }
    if let Some(dir) = target.parent() {
        sync_dir(dir)?;
    }
    Ok(published)
}

/// Make `dir`'s entries (new, renamed or removed names) durable. A no-op where
/// directories cannot be opened for syncing.
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_never_replaces_an_existing_database() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("db");
        let first = staging_path(dir.path(), "db.new-");
        std::fs::write(&first, b"first").unwrap();
        assert_eq!(publish_file(&first, &target).unwrap(), Published::Ours);
        let second = staging_path(dir.path(), "db.new-");
        std::fs::write(&second, b"second").unwrap();
        assert_eq!(publish_file(&second, &target).unwrap(), Published::Theirs);
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert!(!first.exists() && !second.exists(), "staging names removed");
    }

    #[test]
    fn publishing_a_vanished_staging_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("db.new-0-0");
        let e = publish_file(&gone, &dir.path().join("db")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(!dir.path().join("db").exists());
    }

    #[test]
    fn only_old_unlocked_staging_entries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = staging_path(dir.path(), "db.new-");
        std::fs::write(&fresh, b"x").unwrap();
        let old = dir.path().join("db.new-1-1");
        std::fs::write(&old, b"x").unwrap();
        let locked = dir.path().join("db.new-2-2");
        std::fs::write(&locked, b"x").unwrap();
        let other = dir.path().join("unrelated");
        std::fs::write(&other, b"x").unwrap();
        let long_ago = std::time::SystemTime::now() - 2 * STALE_AFTER;
        for path in [&old, &locked, &other] {
            std::fs::File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        let holder = std::fs::File::options()
            .read(true)
            .write(true)
            .open(&locked)
            .unwrap();
        fs2::FileExt::lock_exclusive(&holder).unwrap();
        remove_stale(dir.path(), "db.new-", STALE_AFTER, |p| p.to_path_buf());
        assert!(
            fresh.exists(),
            "a fresh staging file may belong to a live creator"
        );
        assert!(!old.exists(), "an old unlocked staging file is removed");
        assert!(locked.exists(), "a locked staging file is in use");
        assert!(other.exists(), "only staging names are touched");
        // Once the database exists, age no longer matters; locks still do.
        remove_stale(dir.path(), "db.new-", Duration::ZERO, |p| p.to_path_buf());
        assert!(
            !fresh.exists(),
            "an unlocked staging file beside a database is garbage"
        );
        assert!(locked.exists() && other.exists());
    }
}
