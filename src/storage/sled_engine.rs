//! The sled 0.34.7 engine behind the storage seam. This is the only file that names a sled
//! type.
//!
//! Layout: every keyspace lives in sled's default tree, distinguished by a one-byte key
//! prefix (see `keys.rs`), so that one `apply_batch` is atomic across all of them (sled's
//! multi-tree transactions are far slower for large batches).
//!
//! Invariants: sled errors never escape as sled types; a lock held by another handle
//! becomes `Error::InUse`; sled's own panics are not caught here (sled 0.34 does not panic
//! on ordinary I/O errors).

use super::{Batch, Engine, EngineOptions, Pair, PairIter};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub(crate) struct SledEngine {
    db: sled::Db,
    path: Option<PathBuf>,
}

fn storage_error(e: sled::Error) -> Error {
    Error::Storage(e.to_string())
}

impl SledEngine {
    pub(crate) fn open(path: &Path, options: &EngineOptions) -> Result<SledEngine> {
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_bytes)
            .flush_every_ms(Some(1000));
        let db = config.open().map_err(|e| {
            let text = e.to_string();
            if text.contains("could not acquire lock") {
                Error::InUse {
                    path: path.display().to_string(),
                }
            } else {
                Error::Open {
                    path: path.display().to_string(),
                    reason: text,
                }
            }
        })?;
        Ok(SledEngine {
            db,
            path: Some(path.to_path_buf()),
        })
    }

    pub(crate) fn temporary(options: &EngineOptions) -> Result<SledEngine> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(options.cache_bytes)
            .open()
            .map_err(|e| Error::Open {
                path: "(temporary)".into(),
                reason: e.to_string(),
            })?;
        Ok(SledEngine { db, path: None })
    }
}

fn pair(item: sled::Result<(sled::IVec, sled::IVec)>) -> Result<Pair> {
    item.map(|(k, v)| (k.to_vec(), v.to_vec()))
        .map_err(storage_error)
}

impl Engine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(storage_error)
    }

    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        if start >= end {
            return Box::new(std::iter::empty());
        }
        Box::new(self.db.range(start.to_vec()..end.to_vec()).map(pair))
    }

    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        if start >= end {
            return Box::new(std::iter::empty());
        }
        Box::new(self.db.range(start.to_vec()..end.to_vec()).rev().map(pair))
    }

    fn write(&self, batch: Batch) -> Result<()> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch.writes {
            match value {
                Some(v) => sled_batch.insert(key, v),
                None => sled_batch.remove(key),
            }
        }
        self.db.apply_batch(sled_batch).map_err(storage_error)
    }

    fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(storage_error)
    }

    fn size_on_disk(&self) -> Result<u64> {
        match &self.path {
            Some(path) => Ok(dir_size(path)),
            None => self.db.size_on_disk().map_err(storage_error),
        }
    }

    fn name(&self) -> &'static str {
        "sled"
    }
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
