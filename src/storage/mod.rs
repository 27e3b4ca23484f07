//! The storage seam: the only door to the key-value engine.
//!
//! Owns: the [`Engine`] trait (an ordered byte-key/byte-value store with atomic batches,
//! range scans and flush), the [`Batch`] of writes, and opening an engine by kind. The
//! only implementation today is sled (`sled_engine.rs`); no other module names a sled type.
//!
//! Contract every engine keeps:
//! - keys are compared as unsigned bytes, lexicographically; scans return keys in order;
//! - [`Engine::write`] applies a whole batch atomically with respect to crashes: after a
//!   crash either every write of the batch is visible or none is. Concurrent readers may
//!   see a batch partly applied (some keys new, some old; never a torn value), so callers
//!   that need a consistent view bound their reads by a committed head (see `store.rs`);
//! - writes are durable only after [`Engine::flush`] returns `Ok`;
//! - a database directory is opened by one handle at a time; a second open fails with
//!   [`crate::Error::InUse`] instead of blocking.

mod sled_engine;

use crate::error::Result;
use std::path::Path;

/// One key-value pair read from the engine.
pub type Pair = (Vec<u8>, Vec<u8>);

/// An iterator over pairs in key order (or reverse key order).
pub type PairIter<'a> = Box<dyn Iterator<Item = Result<Pair>> + Send + 'a>;

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

    /// Pairs with `start <= key < end`, in ascending key order.
    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_>;

    /// Pairs with `start <= key < end`, in descending key order.
    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_>;

    /// Apply every write of `batch` atomically (all or nothing after a crash).
    /// Not durable until [`Engine::flush`].
    fn write(&self, batch: Batch) -> Result<()>;

    /// Make every write applied so far durable.
    fn flush(&self) -> Result<()>;

    /// Bytes the database occupies on disk.
    fn size_on_disk(&self) -> Result<u64>;

    /// The engine's name as recorded in the database's format record.
    fn name(&self) -> &'static str;
}

/// Which engine a database uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Sled,
}

impl EngineKind {
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Sled => "sled",
        }
    }

    pub fn from_name(name: &str) -> Option<EngineKind> {
        match name {
            "sled" => Some(EngineKind::Sled),
            _ => None,
        }
    }
}

/// Tuning for an engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Bytes of page cache the engine may keep.
    pub cache_bytes: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            cache_bytes: 256 << 20,
        }
    }
}

/// Open (or create) the database directory at `path`.
pub fn open(path: &Path, kind: EngineKind, options: &EngineOptions) -> Result<Box<dyn Engine>> {
    match kind {
        EngineKind::Sled => Ok(Box::new(sled_engine::SledEngine::open(path, options)?)),
    }
}

/// A database that lives only as long as the handle (for tests and the demo).
pub fn temporary(kind: EngineKind, options: &EngineOptions) -> Result<Box<dyn Engine>> {
    match kind {
        EngineKind::Sled => Ok(Box::new(sled_engine::SledEngine::temporary(options)?)),
    }
}
