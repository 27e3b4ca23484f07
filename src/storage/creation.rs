//! Creating a database so that a kill cannot leave it half made. Used by both engines.
//!
//! The problem: an engine creating its files is not atomic. A process killed while redb
//! writes its header leaves `annals.redb` without a valid magic number; one killed while
//! sled sets up leaves a directory holding only `blobs/`. Either way no later open could
//! use the directory, although nothing was ever written to it.
//!
//! The rule kept here: a creator holds the directory's [`CreationLock`] (one creator at a
//! time), builds the new, empty database under a *staging name*, makes it durable, and
//! only then *publishes* it under its real name with one atomic filesystem step that
//! never replaces an existing database (a hard link of redb's file; of sled's `db`, its
//! last file). A kill before that step leaves only staging entries, which
//! [`super::detect`] does not mistake for a database; a kill after it leaves a complete,
//! empty database. Nothing is acknowledged to a caller before the engine has opened the
//! published database, so no acknowledged data can be in a staging entry.
//!
//! Leftover staging entries are removed by whoever next holds the creation lock: the next
//! creator, or an open of the existing database that finds the lock free (an open never
//! waits for it). While the lock is held by nobody, no staging entry is in use.
//!
//! Invariants: the lock file is created before any staging entry and never removed, so a
//! directory holding staging entries or published-before-`db` sled files also holds it;
//! nothing here removes anything but staging names (and, in `sled_engine.rs`, sled's own
//! files where a creation lock shows annals was creating a database).

use fs2::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The file whose lock a creator holds, in the database directory. It stays there.
pub(crate) const LOCK_FILE: &str = ".annals-create.lock";

/// An exclusive lock on a directory's [`LOCK_FILE`], released on drop.
pub(super) struct CreationLock {
    file: std::fs::File,
}

impl Drop for CreationLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

impl CreationLock {
    /// Wait for the creation lock of `dir` (creating the lock file, durably, if needed).
    /// Another creator holds it only for the milliseconds an empty database takes.
    pub(super) fn acquire(dir: &Path) -> std::io::Result<CreationLock> {
        let path = dir.join(LOCK_FILE);
        let existed = path.exists();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        if !existed {
            sync_dir(dir)?;
        }
        file.lock_exclusive()?;
        Ok(CreationLock { file })
    }

    /// The creation lock of `dir` if its lock file exists and nobody holds it.
    pub(super) fn try_acquire(dir: &Path) -> Option<CreationLock> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .ok()?;
        file.try_lock_exclusive().ok()?;
        Some(CreationLock { file })
    }
}

/// Refuse to create a `kind` database in `dir` when, by the time the creation lock is held,
/// the directory holds (or is becoming) another engine's database: another process may
/// have chosen the other engine for the same new directory.
pub(super) fn check_no_other_engine(
    _lock: &CreationLock,
    dir: &Path,
    kind: super::EngineKind,
) -> std::io::Result<()> {
    match super::detect(dir)? {
        Some(found) if found != kind => Err(std::io::Error::other(format!(
            "another process is creating a {found} database here"
        ))),
        _ => Ok(()),
    }
}

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

/// Remove every staging entry for `prefix` in `dir` (files or directories). Call it only
/// while holding the directory's [`CreationLock`]: then no staging entry is in use. (One
/// may share its inode with the published database if a kill fell between linking and
/// unlinking; removing the staging name leaves the database as it is.) Best effort: an
/// entry that cannot be removed is left for the next time.
pub(super) fn remove_staging(_lock: &CreationLock, dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_staging_name(&entry.file_name(), prefix) {
            continue;
        }
        let path = entry.path();
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

/// How publishing a staged file ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Published {
    /// The staged database is now the database.
    Ours,
    /// A database was already there; it is kept and ours discarded.
    Theirs,
}

/// Publish the staged file at `staging` as `target` without ever replacing an existing
/// `target`, then remove the staging name and make the directory entry durable. Call it
/// holding the directory's [`CreationLock`].
///
/// A hard link is the atomic no-replace step. Where the filesystem has no hard links, a
/// rename after checking that `target` is absent stands in; the creation lock keeps other
/// creators out of the gap between the check and the rename.
pub(super) fn publish_file(
    _lock: &CreationLock,
    staging: &Path,
    target: &Path,
) -> std::io::Result<Published> {
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
    match std::fs::remove_file(staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if let Some(dir) = target.parent() {
        sync_dir(dir)?;
    }
    Ok(published)
}

/// Create the directory `dir` (and its parents) if needed, making a new entry durable in
/// its parent.
pub(super) fn create_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => sync_dir(parent),
        _ => Ok(()),
    }
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
        let lock = CreationLock::acquire(dir.path()).unwrap();
        let target = dir.path().join("db");
        let first = staging_path(dir.path(), "db.new-");
        std::fs::write(&first, b"first").unwrap();
        assert_eq!(
            publish_file(&lock, &first, &target).unwrap(),
            Published::Ours
        );
        let second = staging_path(dir.path(), "db.new-");
        std::fs::write(&second, b"second").unwrap();
        assert_eq!(
            publish_file(&lock, &second, &target).unwrap(),
            Published::Theirs
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert!(!first.exists() && !second.exists(), "staging names removed");
    }

    #[test]
    fn publishing_a_vanished_staging_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let lock = CreationLock::acquire(dir.path()).unwrap();
        let gone = dir.path().join("db.new-0-0");
        let e = publish_file(&lock, &gone, &dir.path().join("db")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(!dir.path().join("db").exists());
    }

    #[test]
    fn the_creation_lock_admits_one_holder_and_an_open_never_waits_for_it() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            CreationLock::try_acquire(dir.path()).is_none(),
            "no lock file yet: nothing to clean, and none is created"
        );
        assert!(!dir.path().join(LOCK_FILE).exists());
        let held = CreationLock::acquire(dir.path()).unwrap();
        assert!(CreationLock::try_acquire(dir.path()).is_none(), "held");
        drop(held);
        assert!(CreationLock::try_acquire(dir.path()).is_some(), "released");
    }

    #[test]
    fn a_creator_refuses_a_directory_another_engine_took_meanwhile() {
        use crate::storage::EngineKind;
        let dir = tempfile::tempdir().unwrap();
        let lock = CreationLock::acquire(dir.path()).unwrap();
        check_no_other_engine(&lock, dir.path(), EngineKind::Sled).unwrap();
        std::fs::write(dir.path().join("annals.redb.creating-1-0"), b"").unwrap();
        let e = check_no_other_engine(&lock, dir.path(), EngineKind::Sled).unwrap_err();
        assert!(e.to_string().contains("redb"), "{e}");
        check_no_other_engine(&lock, dir.path(), EngineKind::Redb).unwrap();
    }

    #[test]
    fn only_staging_names_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staged_file = staging_path(dir.path(), "db.new-");
        std::fs::write(&staged_file, b"x").unwrap();
        let staged_dir = staging_path(dir.path(), "db.new-");
        std::fs::create_dir_all(staged_dir.join("blobs")).unwrap();
        let other = dir.path().join("unrelated");
        std::fs::write(&other, b"x").unwrap();
        let lock = CreationLock::acquire(dir.path()).unwrap();
        remove_staging(&lock, dir.path(), "db.new-");
        assert!(!staged_file.exists() && !staged_dir.exists());
        assert!(other.exists() && dir.path().join(LOCK_FILE).exists());
    }
}
