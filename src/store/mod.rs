//! The store: one handle that composes the log and the materializer.
//!
//! Owns: the [`Store`] handle and its options, opening a database (`open`), the public
//! write API (`write`), the public read API with self-repair of derived state (`read`),
//! proving the store intact and rebuilding what is derived (`verify`), waiting
//! for a database another handle holds (`wait`), and the raw test
//! hooks behind the `test-util` feature (`raw`).
//!
//! A `Store` is two parts with their own state, wired together here and nowhere else:
//! - the **log** (`crate::log::Log`, the appender): the engine handle, the head, the
//!   writer lock, recorded time and rollback after failed writes;
//! - the **materializer** (`crate::history::Materializer`): the views, their checkpoints,
//!   the repair budget and the views lock.
//!
//! The appender hands each append's events to the materializer as a typed
//! `crate::log::Staged` through the `crate::log::Derive` trait; there is no other channel
//! between them. Locks are taken only through `crate::locks`, whose types make the one
//! lock order (writer → views) hold by construction.
//!
//! Invariants: see `crate::log` (the head is the commit point, gap-free seqs, all or
//! nothing) and `crate::history::materialize` (checkpoints equal a fold of the log).
//!
//! May import every other library subsystem; nothing imports it but the crate root and
//! `crate::history::query` / `crate::tools` (which take a `&Store`).

pub(crate) mod open;
#[cfg(feature = "test-util")]
pub mod raw;
mod read;
pub(crate) mod verify;
mod wait;
mod write;

pub use crate::log::Head;
pub(crate) use open::DERIVED_VERSION;
pub use open::{
    parse_wait, StoreOptions, DEFAULT_WAIT, MIN_STORAGE_FORMAT_VERSION, STORAGE_FORMAT_VERSION,
};

use crate::history::materialize::Fold;
use crate::history::Materializer;
use crate::log::Log;
use std::path::{Path, PathBuf};

/// An open annals database. `Send + Sync`: share it between threads with an `Arc`.
pub struct Store {
    pub(crate) log: Log,
    pub(crate) history: Materializer,
    pub(crate) path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("head", &self.head())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The committed head right now.
    pub fn head(&self) -> Head {
        self.log.head()
    }

    /// Where the database lives (`None` for a temporary one).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Take the writer lock for a rebuild or a verify, first rolling back what a failed
    /// write left past the head (refusing, as every write does, while that fails).
    pub(crate) fn writer(&self) -> crate::Result<crate::log::Writer<'_>> {
        let guard = self.log.writer()?;
        self.log.ensure_rolled_back()?;
        Ok(guard)
    }

    /// The materializer reading the committed log.
    pub(crate) fn fold(&self) -> Fold<'_> {
        self.history.on(self.log.read())
    }
}
