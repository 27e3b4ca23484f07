//! The storage seam: the only door to the key-value engine.
//!
//! Owns: the [`Engine`] trait (an ordered byte-key/byte-value store with atomic batches,
//! range scans and flush), the [`Batch`] of writes, and opening an engine by kind. Three
//! implementations: sled 0.34.7 (`sled_engine.rs`) and redb 4.x (`redb_engine.rs`), which
//! keep a database directory, and PostgreSQL (`postgres_engine.rs`), opened by a
//! `postgres://` URL ([`url_of`], [`open_url`]); no other module names a sled, redb or
//! postgres type. The store reaches its engine through an
//! `Overlay` (`overlay.rs`), which holds an append's last staged chunk in memory so that
//! it reaches the engine in the same commit as the head.
//!
//! Which engine a database directory uses is read from its files before it is opened
//! ([`detect`]): redb keeps one file, `annals.redb`; sled keeps `conf`, `db` and `snap.*`
//! (a database exists once `db` does).
//! The engine's name is also recorded in the database's format record (`crate::store`), which
//! is checked after opening.
//!
//! Contract every engine keeps:
//! - keys are compared as unsigned bytes, lexicographically; scans return keys in order;
//! - [`Engine::write`] applies a whole batch atomically with respect to crashes: after a
//!   crash either every write of the batch is visible or none is. Concurrent readers may
//!   see a batch partly applied (some keys new, some old; never a torn value), so callers
//!   that need a consistent view bound their reads by a committed head (see `crate::store`);
//! - writes are durable only after [`Engine::flush`] returns `Ok`;
//! - an embedded database (a directory) is opened by one handle at a time; a second open
//!   fails with [`crate::Error::InUse`] instead of blocking (only creating a database
//!   waits, for the milliseconds another process may spend creating the same one). A
//!   read-only open (`read_only.rs`) refuses every write; on redb any number of read-only
//!   opens share a database, excluding a writer; on sled it is an exclusive open like any
//!   other;
//! - a *shared* engine ([`Engine::shared`]: PostgreSQL) is opened by any number of
//!   handles, on any number of machines. Writers exclude each other with the database's
//!   writer lock ([`Engine::lock_writer`]), which a dead holder releases; the head record
//!   is committed by compare-and-write ([`Engine::write_durable_if`]); and
//!   [`Engine::wait_for_commit`] wakes a subscriber when another handle commits;
//! - creating a database is atomic: a process killed while an engine creates its files
//!   leaves either no database (the next open creates it) or a complete empty one, never
//!   a directory that cannot be opened (`creation.rs`).
//!
//! Which files each engine keeps is in `layout.rs`, so that a build without an engine
//! (cargo features `redb`, `sled`) still recognises its databases and names the feature
//! they need. `faulty.rs` (feature `test-util`) wraps an engine to fail writes on demand.
//!
//! May import: `crate::error` and `crate::locks` (the poisoning policy) only. Engine
//! types never leave this folder.

mod creation;
#[cfg(feature = "test-util")]
mod faulty;
mod layout;
mod overlay;
#[cfg(feature = "postgres")]
mod postgres_engine;
mod read_only;
#[cfg(feature = "redb")]
mod redb_engine;
#[cfg(feature = "sled")]
mod sled_engine;

#[cfg(feature = "test-util")]
pub use faulty::{Faults, FaultyEngine};
pub(crate) use overlay::Overlay;

use crate::error::Result;
use std::path::Path;

/// One key-value pair read from the engine.
pub type Pair = (Vec<u8>, Vec<u8>);

/// An iterator over pairs in key order (or reverse key order).
pub type PairIter<'a> = Box<dyn Iterator<Item = Result<Pair>> + Send + 'a>;

/// An iterator over keys alone.
pub type KeyIter<'a> = Box<dyn Iterator<Item = Result<Vec<u8>>> + Send + 'a>;

/// A set of writes applied together by [`Engine::write`]. Later writes to the same key win.
#[derive(Default, Debug, Clone)]
pub struct Batch {
    pub(crate) writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Set `key` to `value`.
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.writes.push((key.into(), Some(value.into())));
    }

    /// Remove `key`.
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.writes.push((key.into(), None));
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// An ordered key-value engine. See the module documentation for the contract.
pub trait Engine: Send + Sync {
    /// The value under `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// The values under `keys`, in their order (one lookup each by default; an engine
    /// across a network answers them in one round trip).
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        keys.iter().map(|key| self.get(key)).collect()
    }

    /// Pairs with `start <= key < end`, in ascending key order.
    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_>;

    /// Pairs with `start <= key < end`, in descending key order.
    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_>;

    /// The keys with `start <= key < end`, in descending key order, without reading their
    /// values (checkpoints are large; finding the newest should not copy it).
    fn keys_rev(&self, start: &[u8], end: &[u8]) -> KeyIter<'_> {
        Box::new(
            self.scan_rev(start, end)
                .map(|item| item.map(|(key, _)| key)),
        )
    }

    /// Apply every write of `batch` atomically (all or nothing after a crash).
    /// Not durable until [`Engine::flush`].
    fn write(&self, batch: Batch) -> Result<()>;

    /// Make every write applied so far durable.
    fn flush(&self) -> Result<()>;

    /// [`Engine::write`] then [`Engine::flush`], which an engine may do in one step (one
    /// durable commit instead of two).
    fn write_durable(&self, batch: Batch) -> Result<()> {
        self.write(batch)?;
        self.flush()
    }

    /// [`Engine::write_durable`], but only while the value under `key` is still `expected`
    /// (`None`: absent), compared in the same atomic commit: a compare-and-write. Returns
    /// `false`, having written nothing, when it is not. The store commits its head record
    /// this way, so that a head another handle moved is never overwritten.
    fn write_durable_if(&self, batch: Batch, key: &[u8], expected: Option<&[u8]>) -> Result<bool> {
        // One handle owns the database (the default): nothing can move `key` between the
        // read and the write but this handle, whose writer lock the caller holds.
        if self.get(key)?.as_deref() != expected {
            return Ok(false);
        }
        self.write_durable(batch)?;
        Ok(true)
    }

    /// Whether other handles (other processes, other machines) may write this database
    /// while this handle is open: `false` for the embedded engines, which one handle owns at
    /// a time; `true` for PostgreSQL. A store on a shared engine takes
    /// [`Engine::lock_writer`] with its writer lock and then re-reads the head, and
    /// re-reads it before a subscription waits.
    fn shared(&self) -> bool {
        false
    }

    /// Take the database's writer lock, which excludes every other handle's writer until
    /// [`Engine::unlock_writer`] (or until this handle's process dies), waiting at most
    /// `wait`; after that, [`crate::Error::InUse`]. Nothing to do (the default) on an
    /// engine one handle owns: the store's own writer lock is enough.
    fn lock_writer(&self, wait: std::time::Duration) -> Result<()> {
        let _ = wait;
        Ok(())
    }

    /// Release what [`Engine::lock_writer`] took.
    fn unlock_writer(&self) -> Result<()> {
        Ok(())
    }

    /// Wait up to `timeout` until another handle may have committed (a hint: it may wake
    /// early or for nothing, so callers re-read the head). Returns at once with `false` on
    /// an engine one handle owns, where the store's own commits wake its subscriptions.
    fn wait_for_commit(&self, timeout: std::time::Duration) -> Result<bool> {
        let _ = timeout;
        Ok(false)
    }

    /// How many times dearer a point lookup or a short scan is here, relative to reading
    /// the next row of a long scan, than on an embedded engine: 1 there (the default),
    /// and on an engine across a network the rows a round trip could have brought instead
    /// (query planning weighs probes against scans with it: `StoreOptions::row_scan_ratio`).
    fn probe_cost_factor(&self) -> u64 {
        1
    }

    /// Bytes the database occupies on disk.
    fn size_on_disk(&self) -> Result<u64>;

    /// The engine's name as recorded in the database's format record.
    fn name(&self) -> &'static str;

    /// How many events a large import should put in one [`Engine::write`] (measured per
    /// engine; see the implementations).
    fn batch_events(&self) -> usize;
}

/// Which engine a database uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineKind {
    /// sled 0.34.7: a log-structured B+tree directory.
    Sled,
    /// redb 4.x: a copy-on-write B-tree in one file, with checksummed commit slots.
    Redb,
    /// PostgreSQL: one table in a PostgreSQL database, opened by a `postgres://` URL
    /// (never by name: it is not in [`EngineKind::ALL`]).
    Postgres,
}

/// The environment variable that picks the engine for new databases when none is chosen.
pub const ENGINE_ENV: &str = "ANNALS_ENGINE";

/// The environment variable naming a PostgreSQL database (a URL) in which temporary
/// stores ([`temporary`] with [`EngineKind::Postgres`]) are made, each in a schema of its
/// own that is dropped with it.
pub const TEMPORARY_POSTGRES_ENV: &str = "ANNALS_TEMPORARY_POSTGRES";

impl EngineKind {
    /// Every engine that keeps a database directory (the embedded ones), in the order they
    /// are documented; `--engine` and `$ANNALS_ENGINE` name one of these.
    pub const ALL: [EngineKind; 2] = [EngineKind::Sled, EngineKind::Redb];

    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Sled => "sled",
            EngineKind::Redb => "redb",
            EngineKind::Postgres => "postgres",
        }
    }

    pub fn from_name(name: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The engine `$ANNALS_ENGINE` may also name for temporary stores: `postgres`, when
    /// [`TEMPORARY_POSTGRES_ENV`] says which server to make them on (how the test suites
    /// run on PostgreSQL).
    fn from_env_name(name: &str) -> Option<EngineKind> {
        match name {
            "postgres" if std::env::var_os(TEMPORARY_POSTGRES_ENV).is_some() => {
                Some(EngineKind::Postgres)
            }
            _ => EngineKind::from_name(name),
        }
    }

    /// The engine for a new database when the caller chose none: `$ANNALS_ENGINE` if it
    /// names one, else redb (see `schema/storage.md` for why redb is the default).
    pub fn default_for_new() -> Result<EngineKind> {
        match std::env::var(ENGINE_ENV) {
            Ok(name) if !name.is_empty() => EngineKind::from_env_name(&name).ok_or_else(|| {
                crate::Error::InvalidArgument(format!(
                    "{ENGINE_ENV}={name} names no engine; use one of: sled, redb (or postgres, for temporary stores, with {TEMPORARY_POSTGRES_ENV} set)"
                ))
            }),
            _ => Ok(EngineKind::Redb),
        }
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The engine of the database directory at `path`, read from the files it holds, or
/// `None` when it holds no database yet (missing or empty directory).
/// The advisory file naming the pid of the handle that last opened the database
/// (`store/wait.rs`), which names no engine.
pub(crate) const HOLDER_FILE: &str = "holder.pid";

pub fn detect(path: &Path) -> std::io::Result<Option<EngineKind>> {
    if path.join(layout::redb::FILE_NAME).exists() {
        return Ok(Some(EngineKind::Redb));
    }
    if layout::sled::holds_database(path) {
        return Ok(Some(EngineKind::Sled));
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            // What an interrupted creation leaves (`creation.rs`): the lock file (which
            // names no engine), staging entries, and sled files published before `db`.
            let annals_was_creating = path.join(creation::LOCK_FILE).exists();
            let mut creating = None;
            for entry in entries {
                let name = entry?.file_name();
                if name == creation::LOCK_FILE || name == HOLDER_FILE {
                    continue;
                } else if creation::is_staging_name(&name, layout::redb::CREATING_PREFIX) {
                    creating = Some(EngineKind::Redb);
                } else if creation::is_staging_name(&name, layout::sled::CREATING_PREFIX)
                    || (annals_was_creating && layout::sled::is_published_before_db(&name))
                {
                    creating = creating.or(Some(EngineKind::Sled));
                } else {
                    return Err(std::io::Error::other(
                        "the directory holds files but no annals database (neither annals.redb nor a sled database)",
                    ));
                }
            }
            // Only leftovers of an interrupted creation: the directory was becoming a
            // database of that engine, and opening it finishes that.
            Ok(creating)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The environment variable that sets the default page cache, in MiB.
pub const CACHE_ENV: &str = "ANNALS_CACHE_MB";

/// The default page cache. Measured at 1M events (benches/README.md): on redb, 256 MiB
/// imports in 26 s at 469 MB peak RSS, 128 MiB in 29 s at 320 MB, 32 MiB in 36 s at
/// 169 MB.
pub const DEFAULT_CACHE_MB: u64 = 256;

/// Tuning for an engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Bytes of page cache the engine may keep.
    pub cache_bytes: u64,
    /// Open for reading only: nothing is created, every write fails with
    /// [`crate::Error::ReadOnly`], and on redb the open shares the file with other
    /// read-only opens (`read_only.rs`).
    pub read_only: bool,
}

impl Default for EngineOptions {
    /// `$ANNALS_CACHE_MB` MiB of cache if set to a number, else [`DEFAULT_CACHE_MB`].
    fn default() -> Self {
        let mb = std::env::var(CACHE_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(DEFAULT_CACHE_MB);
        EngineOptions {
            cache_bytes: mb.saturating_mul(1 << 20),
            read_only: false,
        }
    }
}

/// Open (or create) the database directory at `path`. A directory holding another
/// engine's database, or files that are no annals database, is refused.
pub fn open(path: &Path, kind: EngineKind, options: &EngineOptions) -> Result<Box<dyn Engine>> {
    let refuse = |reason: String| crate::Error::Open {
        path: path.display().to_string(),
        reason,
    };
    match detect(path) {
        Err(e) => return Err(refuse(e.to_string())),
        Ok(Some(found)) if found != kind => {
            return Err(refuse(format!(
                "it holds a {found} database, not a {kind} one"
            )))
        }
        Ok(_) => {}
    }
    if options.read_only {
        return read_only::open(path, kind, options);
    }
    match kind {
        #[cfg(feature = "sled")]
        EngineKind::Sled => Ok(Box::new(sled_engine::SledEngine::open(path, options)?)),
        #[cfg(feature = "redb")]
        EngineKind::Redb => Ok(Box::new(redb_engine::RedbEngine::open(path, options)?)),
        EngineKind::Postgres => Err(by_url_only()),
        #[allow(unreachable_patterns)]
        other => Err(not_built(other)),
    }
}

/// The error for asking for a PostgreSQL store without a URL.
fn by_url_only() -> crate::Error {
    crate::Error::InvalidArgument(
        "a PostgreSQL store is opened by its URL (`--db postgres://user@host:port/dbname`), not by a directory".into(),
    )
}

/// The URL schemes that name a PostgreSQL store instead of a directory.
pub const URL_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

/// The URL `path` holds when it names a PostgreSQL store (`postgres://` or
/// `postgresql://`), else `None` (a database directory).
pub fn url_of(path: &Path) -> Option<&str> {
    let text = path.to_str()?;
    URL_SCHEMES
        .iter()
        .any(|scheme| text.starts_with(scheme))
        .then_some(text)
}

/// `url` as it may be shown: the password (in the user part or a `password=` parameter)
/// removed.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => format!("{}@{host}", user.split(':').next().unwrap_or(user)),
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Open (or, when `create`, create) the store kept in the PostgreSQL database at `url`.
/// Another handle holding it is [`crate::Error::InUse`]; a database without a store and
/// `create` false is refused.
#[allow(unused_variables)]
/// With `options.read_only` nothing is created and every write is refused.
pub fn open_url(url: &str, create: bool, options: &EngineOptions) -> Result<Box<dyn Engine>> {
    #[cfg(feature = "postgres")]
    {
        let create = create && !options.read_only;
        let engine: Box<dyn Engine> =
            Box::new(postgres_engine::PostgresEngine::open(url, create, options)?);
        if options.read_only {
            return Ok(read_only::wrap(engine, redact_url(url)));
        }
        Ok(engine)
    }
    #[cfg(not(feature = "postgres"))]
    Err(not_built(EngineKind::Postgres))
}

/// The error for an engine this build leaves out (its cargo feature is off).
#[allow(dead_code)]
fn not_built(kind: EngineKind) -> crate::Error {
    crate::Error::InvalidArgument(format!(
        "this annals was built without the {kind} engine; rebuild with `--features {kind}`"
    ))
}

/// A database that lives only as long as the handle (for tests and the demo).
pub fn temporary(kind: EngineKind, options: &EngineOptions) -> Result<Box<dyn Engine>> {
    match kind {
        #[cfg(feature = "sled")]
        EngineKind::Sled => Ok(Box::new(sled_engine::SledEngine::temporary(options)?)),
        #[cfg(feature = "redb")]
        EngineKind::Redb => Ok(Box::new(redb_engine::RedbEngine::temporary(options)?)),
        #[cfg(feature = "postgres")]
        EngineKind::Postgres => match std::env::var(TEMPORARY_POSTGRES_ENV) {
            Ok(url) => Ok(Box::new(postgres_engine::PostgresEngine::temporary(
                &url, options,
            )?)),
            Err(_) => Err(by_url_only()),
        },
        #[allow(unreachable_patterns)]
        other => Err(not_built(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_directories() {
        assert!(url_of(Path::new("postgres://u@h:5432/db")).is_some());
        assert!(url_of(Path::new("postgresql://h/db")).is_some());
        assert!(url_of(Path::new("annals.db")).is_none());
        assert!(url_of(Path::new("./postgres://x")).is_none());
    }

    #[test]
    fn shown_urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://ann:s3cret@db.example:5432/annals?sslmode=disable"),
            "postgres://ann@db.example:5432/annals?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgresql://ann@h/db?password=s3cret&application_name=x"),
            "postgresql://ann@h/db?application_name=x"
        );
        assert_eq!(redact_url("postgres://h/db?password=p"), "postgres://h/db");
        assert_eq!(redact_url("postgres://h"), "postgres://h");
    }
}
