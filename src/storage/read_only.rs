//! Read-only opens: an engine handle that refuses every write.
//!
//! Owns: opening an existing database for reading only, per engine, and the [`ReadOnly`]
//! wrapper whose `write` and `flush` fail with [`Error::ReadOnly`].
//!
//! What each engine allows (README, "Many processes, one database"):
//! - redb 4: the file is opened with `redb::ReadOnlyDatabase`, which takes a shared lock:
//!   any number of read-only handles, in any processes, read the database at once; a
//!   writer (an ordinary open) excludes them and they exclude it, so each waits for the
//!   other (`store/wait.rs`). A file not closed cleanly needs a read-write open first
//!   (redb repairs it then), and a read-only open says so.
//! - sled 0.34: no read-only mode; the open is exclusive like any other and only refuses
//!   writes.
//! - PostgreSQL: the open takes the same exclusive advisory lock as any other, never
//!   creates the table, and only refuses writes ([`wrap`]).
//!
//! Invariants: nothing is created (the database must exist); no write reaches the engine.

use super::{layout, Batch, Engine, EngineKind, EngineOptions, KeyIter, PairIter};
use crate::error::{Error, Result};
use std::path::Path;

/// An engine that refuses writes.
pub(crate) struct ReadOnly {
    inner: Box<dyn Engine>,
    path: String,
}

/// Open the database at `path` (which must exist) for reading only.
pub(super) fn open(
    path: &Path,
    kind: EngineKind,
    options: &EngineOptions,
) -> Result<Box<dyn Engine>> {
    let shown = path.display().to_string();
    let missing = match kind {
        EngineKind::Redb => !path.join(layout::redb::FILE_NAME).exists(),
        EngineKind::Sled => !layout::sled::holds_database(path),
        EngineKind::Postgres => return Err(super::by_url_only()),
    };
    if missing {
        return Err(Error::Open {
            path: shown,
            reason: "no database there (a read-only open creates nothing)".into(),
        });
    }
    let inner: Box<dyn Engine> = match kind {
        #[cfg(feature = "redb")]
        EngineKind::Redb => Box::new(super::redb_engine::RedbEngine::open_read_only(
            path, options,
        )?),
        #[cfg(feature = "sled")]
        EngineKind::Sled => Box::new(super::sled_engine::SledEngine::open(path, options)?),
        #[allow(unreachable_patterns)]
        other => return Err(super::not_built(other)),
    };
    Ok(Box::new(ReadOnly { inner, path: shown }))
}

/// Wrap an engine opened elsewhere (a PostgreSQL store, `storage::open_url`) so that it
/// refuses every write.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(super) fn wrap(inner: Box<dyn Engine>, path: String) -> Box<dyn Engine> {
    Box::new(ReadOnly { inner, path })
}

impl ReadOnly {
    fn refuse(&self) -> Error {
        Error::ReadOnly {
            path: self.path.clone(),
        }
    }
}

impl Engine for ReadOnly {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner.get(key)
    }

    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.inner.scan(start, end)
    }

    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.inner.scan_rev(start, end)
    }

    fn keys_rev(&self, start: &[u8], end: &[u8]) -> KeyIter<'_> {
        self.inner.keys_rev(start, end)
    }

    fn write(&self, _batch: Batch) -> Result<()> {
        Err(self.refuse())
    }

    fn flush(&self) -> Result<()> {
        Err(self.refuse())
    }

    fn write_durable(&self, _batch: Batch) -> Result<()> {
        Err(self.refuse())
    }

    fn write_durable_if(
        &self,
        _batch: Batch,
        _key: &[u8],
        _expected: Option<&[u8]>,
    ) -> Result<bool> {
        Err(self.refuse())
    }

    /// A read-only handle never writes, so it never takes the writer lock; it still sees
    /// (and waits for) other handles' commits.
    fn shared(&self) -> bool {
        self.inner.shared()
    }

    fn wait_for_commit(&self, timeout: std::time::Duration) -> Result<bool> {
        self.inner.wait_for_commit(timeout)
    }

    fn probe_cost_factor(&self) -> u64 {
        self.inner.probe_cost_factor()
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.inner.size_on_disk()
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn batch_events(&self) -> usize {
        self.inner.batch_events()
    }
}
