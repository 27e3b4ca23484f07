//! The store handle: opening a database, its format record, its committed head, and
//! crash recovery. Appends live in `log.rs`, reads in `read.rs`, checks in `verify.rs`.
//!
//! Invariants:
//! - the head record ('H') is the commit point: the log holds exactly the records
//!   `1..=head.seq`, and readers never look past the head they started with;
//! - a multi-batch import writes the head only in its last batch, so records past the head
//!   found on open are leftovers of an unacknowledged write; recovery removes them and
//!   their index entries before the store is used (they were never reported as written);
//! - one writer at a time (the `writer` mutex); readers take a snapshot of the head.

use crate::clock::{Clock, SystemClock};
use crate::envelope;
use crate::error::{Error, Result};
use crate::keys;
use crate::storage::{self, Batch, Engine, EngineKind, EngineOptions, Overlay};
use crate::views::{ErasedView, ViewRegistration};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The storage format version this build writes. Version 2 added the interchange-v2
/// fields to stored events (log record version 2); see `schema/CHANGELOG.md`.
pub const STORAGE_FORMAT_VERSION: u32 = 2;
/// The oldest storage format version this build reads.
pub const MIN_STORAGE_FORMAT_VERSION: u32 = 1;

pub(crate) const FORMAT_RECORD_VERSION: u8 = 1;

/// The meaning of the derived state (indexes, touch summary, checkpoints). Bump it when a
/// change makes derived state computed by an older annals wrong; opening a database whose
/// `D` record differs rebuilds everything derived from the log. A rebuild sets it to 0
/// first, so an interrupted rebuild is finished on the next open.
/// 1: annals 0.1. 2: a correction sits in the timeline at its replacement's date, never at
/// its own informational date.
pub(crate) const DERIVED_VERSION: u32 = 2;
pub(crate) const HEAD_RECORD_VERSION: u8 = 1;

/// The format record: written when a database is created, and rewritten only to raise its
/// version when a newer annals opens it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct FormatRecord {
    pub version: u32,
    pub engine: String,
    pub created_micros: i64,
}

/// The committed end of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The last committed seq; 0 for an empty log.
    pub seq: u64,
    /// The hash-chain value after the last record (all zero for an empty log).
    pub hash: [u8; 32],
    /// Recorded time of the last record, microseconds since the Unix epoch.
    pub recorded_micros: i64,
}

impl Head {
    pub(crate) const EMPTY: Head = Head {
        seq: 0,
        hash: [0; 32],
        recorded_micros: 0,
    };

    /// The head hash as lowercase hex.
    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Where recorded time comes from.
    pub clock: Arc<dyn Clock>,
    /// Engine tuning.
    pub engine: EngineOptions,
    /// The engine for a new database (`None`: `$ANNALS_ENGINE`, else the default, redb).
    /// An existing database always opens with the engine it was created with; asking
    /// for a different one is an error.
    pub engine_kind: Option<EngineKind>,
    /// Create the database if the path does not exist.
    pub create: bool,
    /// Views to maintain besides the five built-ins (see [`StoreOptions::with_view`]).
    pub views: Vec<ViewRegistration>,
    /// A view checkpoint is cut every this many entries the view folds.
    pub checkpoint_interval: u64,
    /// How many entries an ordinary append may refold per view to repair checkpoints
    /// after a backdated event (imports of 1,000+ events always finish the repair).
    pub repair_budget: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            clock: Arc::new(SystemClock),
            engine: EngineOptions::default(),
            engine_kind: None,
            create: true,
            views: Vec::new(),
            checkpoint_interval: 1024,
            repair_budget: 4096,
        }
    }
}

impl StoreOptions {
    /// Register a custom view: it is built from the existing log on open, then
    /// materialized, checkpointed, rebuilt and verified like the built-ins.
    pub fn with_view<V: crate::views::View>(mut self) -> Self {
        self.views.push(ViewRegistration::of::<V>());
        self
    }

    /// Create new databases with this engine.
    pub fn with_engine(mut self, kind: EngineKind) -> Self {
        self.engine_kind = Some(kind);
        self
    }

    /// Use this clock for recorded time.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("engine", &self.engine)
            .field("engine_kind", &self.engine_kind)
            .field("create", &self.create)
            .finish_non_exhaustive()
    }
}

/// An open annals database. `Send + Sync`: share it between threads with an `Arc`.
pub struct Store {
    /// The engine, with the writes an append holds until it commits (see `overlay.rs`).
    pub(crate) engine: Overlay,
    pub(crate) path: Option<PathBuf>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) writer: Mutex<()>,
    pub(crate) head: RwLock<Head>,
    /// Readers of view checkpoints hold it shared; view maintenance holds it exclusively.
    pub(crate) views_lock: RwLock<()>,
    pub(crate) views: Vec<Arc<dyn ErasedView>>,
    /// Events written past the head by the append in progress, in seq order from
    /// head + 1, so that view maintenance reads them from memory instead of the log.
    /// Only the writer (holding `writer`) reads past the head.
    pub(crate) fresh: RwLock<Vec<crate::event::Event>>,
    /// Seqs that some amendment targets (committed, or written by the append in
    /// progress). A timeline entry whose seq is not here is in effect as recorded, so
    /// queries skip the amendment lookup for the ~99% of events never amended. Derived
    /// from the `R` index on open.
    pub(crate) amended: RwLock<std::collections::HashSet<u64>>,
    /// The last committed seq, for waking subscriptions (see `subscribe.rs`).
    pub(crate) commits: (Mutex<u64>, std::sync::Condvar),
    pub(crate) checkpoint_interval: u64,
    pub(crate) repair_budget: u64,
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
    /// Open the database at `path`, creating it if it does not exist. A second handle on
    /// the same path (in this or another process) fails with [`Error::InUse`].
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = annals::Store::open(dir.path().join("my.db"))?;
    /// assert_eq!(store.head().seq, 0);
    /// assert!(matches!(annals::Store::open(dir.path().join("my.db")), Err(annals::Error::InUse { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, StoreOptions::default())
    }

    /// Open with options (a clock, engine tuning, whether to create).
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::Open {
                    path: shown,
                    reason: "it is a file, not a database directory".into(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !options.create {
                    return Err(Error::Open {
                        path: shown,
                        reason: "no database there; create one with `annals import FILE` or `annals --db PATH append JSON`".into(),
                    });
                }
            }
            Err(e) => {
                return Err(Error::Open {
                    path: shown,
                    reason: e.to_string(),
                })
            }
        }
        let detected = storage::detect(path).map_err(|e| Error::Open {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let kind = match (detected, options.engine_kind) {
            (Some(found), Some(asked)) if found != asked => {
                return Err(Error::InvalidArgument(format!(
                    "the database at {shown} uses the {found} engine; the engine is chosen only when a database is created (asked for {asked})"
                )))
            }
            (Some(found), _) => found,
            (None, Some(asked)) => asked,
            (None, None) => EngineKind::default_for_new()?,
        };
        let engine = storage::open(path, kind, &options.engine)?;
        Store::from_engine(engine, Some(path.to_path_buf()), options)
    }

    /// A throwaway database, deleted when the handle drops.
    ///
    /// ```
    /// let store = annals::Store::temporary()?;
    /// assert_eq!(store.view_names(), ["alliances", "deployments", "leaders", "arms", "tests"]);
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn temporary() -> Result<Store> {
        Store::temporary_with(StoreOptions::default())
    }

    /// A throwaway database with options (for deterministic clocks in tests).
    pub fn temporary_with(options: StoreOptions) -> Result<Store> {
        let kind = match options.engine_kind {
            Some(kind) => kind,
            None => EngineKind::default_for_new()?,
        };
        let engine = storage::temporary(kind, &options.engine)?;
        Store::from_engine(engine, None, options)
    }

    fn from_engine(
        engine: Box<dyn Engine>,
        path: Option<PathBuf>,
        options: StoreOptions,
    ) -> Result<Store> {
        let mut views: Vec<Arc<dyn ErasedView>> =
            crate::views::builtin().into_iter().map(|v| v.0).collect();
        for extra in options.views {
            let name = extra.name();
            if !crate::views::valid_view_name(name) {
                return Err(Error::InvalidArgument(format!(
                    "view name `{name}` must be 1-16 characters of a-z, 0-9 and _"
                )));
            }
            if views.iter().any(|v| v.name() == name) {
                return Err(Error::InvalidArgument(format!(
                    "a view named `{name}` is already registered"
                )));
            }
            views.push(extra.0);
        }
        let store = Store {
            engine: Overlay::new(engine),
            path,
            clock: options.clock,
            writer: Mutex::new(()),
            head: RwLock::new(Head::EMPTY),
            views_lock: RwLock::new(()),
            views,
            fresh: RwLock::new(Vec::new()),
            amended: RwLock::new(std::collections::HashSet::new()),
            commits: (Mutex::new(0), std::sync::Condvar::new()),
            checkpoint_interval: options.checkpoint_interval.max(1),
            repair_budget: options.repair_budget.max(1),
        };
        store.check_format()?;
        let head = store.read_head()?;
        *store
            .head
            .write()
            .map_err(|_| Error::Storage("head lock poisoned".into()))? = head;
        store.recover()?;
        store.load_amended()?;
        store.ensure_derived_version()?;
        store.ensure_views()?;
        Ok(store)
    }

    /// The derived-state version recorded in the database (0 when absent or mid-rebuild).
    pub(crate) fn derived_version(&self) -> Result<u32> {
        match self.engine.get(&[keys::DERIVED])? {
            None => Ok(0),
            Some(bytes) => envelope::open(keys::DERIVED, 1, &bytes)
                .map_err(|e| Error::corrupt_in("derived-state version", e.to_string())),
        }
    }

    /// Record the derived-state version (and make it durable).
    pub(crate) fn set_derived_version(&self, version: u32) -> Result<()> {
        let mut batch = Batch::new();
        batch.put(
            vec![keys::DERIVED],
            envelope::seal(keys::DERIVED, 1, &version),
        );
        self.engine.write(batch)?;
        self.engine.flush()
    }

    /// Rebuild everything derived if it was computed with another meaning (or a rebuild
    /// was interrupted).
    fn ensure_derived_version(&self) -> Result<()> {
        if self.derived_version()? == DERIVED_VERSION {
            return Ok(());
        }
        if self.head().seq > 0 {
            self.rebuild()?;
        } else {
            self.set_derived_version(DERIVED_VERSION)?;
        }
        Ok(())
    }

    /// Load the set of amended seqs from the amendment index.
    pub(crate) fn load_amended(&self) -> Result<()> {
        let (start, end) = crate::keys::keyspace(crate::keys::AMEND);
        let mut set = std::collections::HashSet::new();
        for item in self.engine.scan(&start, &end) {
            let (key, _) = item?;
            let (target, _) = crate::keys::parse_amend(&key)
                .ok_or_else(|| Error::corrupt_in("amendment index", "malformed key"))?;
            set.insert(target);
        }
        *self
            .amended
            .write()
            .map_err(|_| Error::Storage("amended-set lock poisoned".into()))? = set;
        Ok(())
    }

    /// Whether any amendment (committed or being written) targets `seq`.
    pub(crate) fn is_amended(&self, seq: u64) -> bool {
        match self.amended.read() {
            Ok(set) => set.contains(&seq),
            Err(_) => true, // unknown: take the slow, always-correct path
        }
    }

    /// The names of the views this store maintains.
    pub fn view_names(&self) -> Vec<&'static str> {
        self.views.iter().map(|v| v.name()).collect()
    }

    pub(crate) fn find_view(&self, name: &str) -> Result<Arc<dyn ErasedView>> {
        self.views
            .iter()
            .find(|v| v.name() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = self.view_names();
                let hint = crate::interchange::nearest(name, names.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                Error::InvalidArgument(format!(
                    "unknown view `{name}`{hint} (views: {})",
                    names.join(", ")
                ))
            })
    }

    /// Where the database lives (`None` for a temporary one).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The committed head right now.
    pub fn head(&self) -> Head {
        match self.head.read() {
            Ok(h) => *h,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    pub(crate) fn set_head(&self, head: Head) {
        match self.head.write() {
            Ok(mut h) => *h = head,
            Err(poisoned) => *poisoned.into_inner() = head,
        }
        self.notify_subscribers(head.seq);
    }

    fn check_format(&self) -> Result<()> {
        match self.engine.get(&[keys::FORMAT])? {
            Some(bytes) => {
                let record: FormatRecord = envelope::open(
                    keys::FORMAT,
                    FORMAT_RECORD_VERSION,
                    &bytes,
                )
                .map_err(|e| match e {
                    envelope::EnvelopeError::UnknownVersion { found, .. } => Error::Open {
                        path: self.shown_path(),
                        reason: format!(
                            "its format record has a layout (envelope version {found}) this annals cannot read (it reads storage format versions {MIN_STORAGE_FORMAT_VERSION}..={STORAGE_FORMAT_VERSION}); it was written by a newer annals"
                        ),
                    },
                    other => Error::corrupt_in("format record", other.to_string()),
                })?;
                if record.version > STORAGE_FORMAT_VERSION
                    || record.version < MIN_STORAGE_FORMAT_VERSION
                {
                    return Err(Error::UnsupportedFormat {
                        found: record.version,
                        min: MIN_STORAGE_FORMAT_VERSION,
                        max: STORAGE_FORMAT_VERSION,
                        hint: if record.version > STORAGE_FORMAT_VERSION {
                            "it was written by a newer annals; upgrade annals to open it"
                        } else {
                            "it is older than this annals can read; export it with the annals that wrote it"
                        },
                    });
                }
                if record.engine != self.engine.name() {
                    return Err(Error::Open {
                        path: self.shown_path(),
                        reason: format!(
                            "the database was created with the {} engine, not {}",
                            record.engine,
                            self.engine.name()
                        ),
                    });
                }
                if record.version < STORAGE_FORMAT_VERSION {
                    // Upgrade the format record only: older records keep loading as they are,
                    // and from now on an older annals refuses this database at open instead
                    // of failing on the first newer record it meets.
                    let upgraded = FormatRecord {
                        version: STORAGE_FORMAT_VERSION,
                        ..record.clone()
                    };
                    let mut batch = Batch::new();
                    batch.put(
                        vec![keys::FORMAT],
                        envelope::seal(keys::FORMAT, FORMAT_RECORD_VERSION, &upgraded),
                    );
                    self.engine.write(batch)?;
                    self.engine.flush()?;
                }
                Ok(())
            }
            None => {
                let mut any = self.engine.scan(&[0], &[0xff]);
                if let Some(first) = any.next() {
                    first?;
                    return Err(Error::corrupt_in(
                        "format record",
                        "the database has data but no format record",
                    ));
                }
                drop(any);
                let record = FormatRecord {
                    version: STORAGE_FORMAT_VERSION,
                    engine: self.engine.name().to_string(),
                    created_micros: self.clock.now().timestamp_micros(),
                };
                let mut batch = Batch::new();
                batch.put(
                    vec![keys::FORMAT],
                    envelope::seal(keys::FORMAT, FORMAT_RECORD_VERSION, &record),
                );
                self.engine.write(batch)?;
                self.engine.flush()
            }
        }
    }

    pub(crate) fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(temporary)".into())
    }

    fn read_head(&self) -> Result<Head> {
        match self.engine.get(&[keys::HEAD])? {
            None => Ok(Head::EMPTY),
            Some(bytes) => envelope::open(keys::HEAD, HEAD_RECORD_VERSION, &bytes)
                .map_err(|e| Error::corrupt_in("head record", e.to_string())),
        }
    }

    pub(crate) fn head_value(head: &Head) -> Vec<u8> {
        envelope::seal(keys::HEAD, HEAD_RECORD_VERSION, head)
    }

    /// Remove log records past the committed head (leftovers of a write that crashed before
    /// its commit) together with their index entries.
    fn recover(&self) -> Result<()> {
        let head = self.head();
        let start = keys::log(head.seq.saturating_add(1));
        let end = keys::log(u64::MAX);
        let mut leftovers = Vec::new();
        for item in self.engine.scan(&start, &end) {
            leftovers.push(item?);
        }
        if leftovers.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::new();
        let mut damaged = false;
        for (key, value) in &leftovers {
            match crate::log::decode_record(key, value) {
                Ok(record) => self.unindex(&record.event, &mut batch)?,
                Err(_) => damaged = true,
            }
            batch.delete(key.clone());
        }
        self.engine.write(batch)?;
        if damaged {
            // We could not tell which index entries the damaged leftovers wrote: rebuild.
            self.rebuild_indexes()?;
        }
        self.engine.flush()
    }
}
