//! Opening a database: choosing and opening the engine, the format record, the
//! derived-state version, and bringing the log and the views to a usable state (rolling
//! back leftovers of an unacknowledged write, rebuilding derived state computed with
//! another meaning, folding newly registered views).

use super::Store;
use crate::error::{Error, Result, Structure};
use crate::format::{envelope, keys};
use crate::history::Materializer;
use crate::log::clock::{Clock, SystemClock};
use crate::log::Log;
use crate::storage::{self, Batch, Engine, EngineKind, EngineOptions};
use crate::views::{ErasedView, ViewRegistration};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The storage format version this build writes. Version 2 added the interchange-v2
/// fields to stored events (log record version 2); version 3 the dataset fields and kinds
/// (log record version 3); see `schema/CHANGELOG.md`.
pub const STORAGE_FORMAT_VERSION: u32 = 3;
/// The oldest storage format version this build reads.
pub const MIN_STORAGE_FORMAT_VERSION: u32 = 1;

pub(crate) const FORMAT_RECORD_VERSION: u8 = 1;

/// The meaning of the derived state (indexes, touch summary, checkpoints). Bump it when a
/// change makes derived state computed by an older annals wrong; opening a database whose
/// `D` record differs rebuilds everything derived from the log. A rebuild sets it to 0
/// first, so an interrupted rebuild is finished on the next open.
/// 1: annals 0.1. 2: a correction sits in the timeline at its replacement's date, never at
/// its own informational date. 3: keyed views (the built-ins) kept in the row-version index
/// instead of checkpoints; view meta records of version 2. 4: the v3 fields in the
/// alliances, leaders and arms entries, and the `conflicts` and `states` views.
pub(crate) const DERIVED_VERSION: u32 = 4;

/// The format record: written when a database is created, and rewritten only to raise its
/// version when a newer annals opens it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct FormatRecord {
    pub version: u32,
    pub engine: String,
    pub created_micros: i64,
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
    /// Views to maintain besides the built-ins (see [`StoreOptions::with_view`]).
    pub views: Vec<ViewRegistration>,
    /// A view checkpoint is cut every this many entries the view folds.
    pub checkpoint_interval: u64,
    /// How many entries an ordinary append may refold per view to repair checkpoints
    /// after a backdated event (imports of 1,000+ events always finish the repair).
    pub repair_budget: u64,
    /// A full answer of a keyed view scans all its row versions instead of probing each
    /// row key when it has fewer than this many versions per key (0: always probe;
    /// `u64::MAX`: always scan), times the engine's probe cost factor (1 on the embedded
    /// engines, 10 on PostgreSQL, where a probe is a round trip). Answers are the same
    /// either way; only speed differs.
    pub row_scan_ratio: u64,
    /// How long opening waits while another handle (this process or another) holds the
    /// database, retrying with backoff and jitter; zero fails at once with
    /// [`Error::InUse`]. Default: `$ANNALS_WAIT` when set and valid, else 5 s.
    pub wait: std::time::Duration,
    /// Open for reading only: nothing is created or written (an append, or a recovery,
    /// upgrade or repair the open would make, fails with [`Error::ReadOnly`]). On redb any
    /// number of read-only handles share a database; on sled the open is exclusive.
    pub read_only: bool,
}

/// The default wait for a held database.
pub const DEFAULT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Parse a wait: a number with a unit (`500ms`, `5s`, `2m`, `1h`), or `0`.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(annals::parse_wait("250ms"), Ok(Duration::from_millis(250)));
/// assert_eq!(annals::parse_wait("0"), Ok(Duration::ZERO));
/// assert!(annals::parse_wait("5").is_err());
/// ```
pub fn parse_wait(text: &str) -> std::result::Result<std::time::Duration, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 500ms, 5s or 2m"))?;
    let ms = match unit {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => None,
    }
    .ok_or_else(|| {
        format!("`{text}` is not a duration like 500ms, 5s or 2m (units: ms, s, m, h)")
    })?;
    Ok(std::time::Duration::from_millis(ms))
}

/// The wait `$ANNALS_WAIT` asks for, if it is set and valid.
fn wait_from_env() -> Option<std::time::Duration> {
    parse_wait(&std::env::var("ANNALS_WAIT").ok()?).ok()
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
            row_scan_ratio: 4,
            wait: wait_from_env().unwrap_or(DEFAULT_WAIT),
            read_only: false,
        }
    }
}

impl StoreOptions {
    /// Register a custom view: it is built from the existing log on open, then kept as
    /// checkpoints of its whole state, rebuilt and verified like the built-ins.
    pub fn with_view<V: crate::views::View>(mut self) -> Self {
        self.views.push(ViewRegistration::of::<V>());
        self
    }

    /// Register a custom keyed view: like [`StoreOptions::with_view`], but kept in the
    /// bitemporal row-version index, as the built-ins are (see [`crate::views::KeyedView`]).
    pub fn with_keyed_view<V: crate::views::KeyedView>(mut self) -> Self {
        self.views.push(ViewRegistration::keyed::<V>());
        self
    }

    /// Create new databases with this engine.
    pub fn with_engine(mut self, kind: EngineKind) -> Self {
        self.engine_kind = Some(kind);
        self
    }

    /// Use this clock for recorded time.
    /// Open for reading only (see [`StoreOptions::read_only`]).
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// How long opening waits for a database another handle holds (zero: fail at once).
    pub fn with_wait(mut self, wait: std::time::Duration) -> Self {
        self.wait = wait;
        self
    }

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

impl Store {
    /// Open the database at `path`, creating it if it does not exist. While another handle
    /// (in this or another process) holds it, opening waits up to [`StoreOptions::wait`]
    /// (5 s unless `$ANNALS_WAIT` says otherwise), then fails with [`Error::InUse`].
    ///
    /// ```
    /// use annals::{Store, StoreOptions};
    /// let dir = tempfile::tempdir()?;
    /// let store = Store::open(dir.path().join("my.db"))?;
    /// assert_eq!(store.head().seq, 0);
    /// let at_once = StoreOptions::default().with_wait(std::time::Duration::ZERO);
    /// assert!(matches!(Store::open_with(dir.path().join("my.db"), at_once), Err(annals::Error::InUse { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, StoreOptions::default())
    }

    /// Open with options (a clock, engine tuning, whether to create).
    ///
    /// A path whose text starts with `postgres://` or `postgresql://` is the URL of a
    /// PostgreSQL database that keeps the store instead of a directory (feature `postgres`).
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        let path = path.as_ref();
        if let Some(url) = storage::url_of(path) {
            return Store::open_url(url, options);
        }
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
                if !options.create || options.read_only {
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
        let mut engine_options = options.engine.clone();
        engine_options.read_only = options.read_only;
        let engine = super::wait::open_waiting(path, kind, &engine_options, options.wait)?;
        Store::from_engine(engine, Some(path.to_path_buf()), options)
    }

    /// Open the store kept in the PostgreSQL database at `url`: no directory, no holder
    /// file, no waiting (any number of handles share it; writers wait for its writer
    /// lock, up to the same `wait`).
    fn open_url(url: &str, options: StoreOptions) -> Result<Store> {
        if let Some(asked) = options.engine_kind.filter(|k| *k != EngineKind::Postgres) {
            return Err(Error::InvalidArgument(format!(
                "a postgres:// URL is kept by the postgres engine (asked for {asked})"
            )));
        }
        let mut engine_options = options.engine.clone();
        engine_options.read_only = options.read_only;
        let engine = storage::open_url(url, options.create, &engine_options)?;
        let shown = PathBuf::from(storage::redact_url(url));
        Store::from_engine(engine, Some(shown), options)
    }

    /// A throwaway database, deleted when the handle drops.
    ///
    /// ```
    /// let store = annals::Store::temporary()?;
    /// assert_eq!(store.view_names(), annals::views::BUILTIN_NAMES);
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

    pub(crate) fn from_engine(
        engine: Box<dyn Engine>,
        path: Option<PathBuf>,
        options: StoreOptions,
    ) -> Result<Store> {
        let read_only = options.read_only;
        let views = registered_views(options.views)?;
        let mut log = Log::new(engine, options.clock);
        log.lock_wait = options.wait;
        log.read_only = read_only;
        let store = Store {
            log,
            history: Materializer::new(
                views,
                options.checkpoint_interval,
                options.repair_budget,
                options.row_scan_ratio,
            ),
            path,
        };
        if store.log.engine.shared() {
            store.settle_shared()?;
            return Ok(store);
        }
        store.check_format()?;
        store.log.load_head()?;
        // Leftovers past the head are invisible to reads (every read is bounded by the
        // head), so a read-only handle leaves them for the next writer to roll back.
        if !read_only && store.log.remove_past_head()? {
            // A leftover did not decode: which index entries it wrote is unknown.
            store.rebuild_indexes()?;
        }
        store.log.load_amended()?;
        store.ensure_derived_version()?;
        let writer = store.log.writer()?;
        store.fold().ensure_views(&writer)?;
        drop(writer);
        Ok(store)
    }

    /// Opening a store other handles may be writing (a shared engine): write nothing
    /// unless the store needs it (a new store, an older format record, derived state to
    /// rebuild), and then only under the database's writer lock — which also rolls back
    /// what a writer that died left past the head. Leftovers are otherwise left to the
    /// next writer: reads never look past the head.
    fn settle_shared(&self) -> Result<()> {
        self.log.load_head()?;
        if self.settled()? {
            self.check_format()?;
            return self.log.load_amended();
        }
        // Each step under the writer lock (a read-only handle takes only its own, and is
        // refused the writes); a rebuild takes it itself.
        {
            let _writer = self.log.writer()?;
            self.check_format()?;
            self.log.load_amended()?;
        }
        self.ensure_derived_version()?;
        let writer = self.log.writer()?;
        self.fold().ensure_views(&writer)
    }

    /// Whether opening has nothing to write: the format record is current, and derived
    /// state is of this version and maintained up to the head.
    fn settled(&self) -> Result<bool> {
        let format_current = match self.log.engine.get(&[keys::FORMAT])? {
            None => false,
            Some(bytes) => {
                envelope::open::<FormatRecord>(keys::FORMAT, FORMAT_RECORD_VERSION, &bytes)
                    .map(|r| r.version == STORAGE_FORMAT_VERSION)
                    // An unreadable record is reported by `check_format`, which writes nothing.
                    .unwrap_or(true)
            }
        };
        Ok(
            format_current
                && self.derived_version()? == DERIVED_VERSION
                && self.fold().views_fine(),
        )
    }

    /// The derived-state version recorded in the database (0 when absent or mid-rebuild).
    pub(crate) fn derived_version(&self) -> Result<u32> {
        match self.log.engine.get(&[keys::DERIVED])? {
            None => Ok(0),
            Some(bytes) => envelope::open(keys::DERIVED, 1, &bytes)
                .map_err(|e| Error::corrupt_in(Structure::DerivedVersion, e.to_string())),
        }
    }

    /// Record the derived-state version (and make it durable).
    pub(crate) fn set_derived_version(&self, version: u32) -> Result<()> {
        let mut batch = Batch::new();
        batch.put(
            vec![keys::DERIVED],
            envelope::seal(keys::DERIVED, 1, &version),
        );
        self.log.engine.write(batch)?;
        self.log.engine.flush()
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

    /// The names of the views this store maintains.
    pub fn view_names(&self) -> Vec<&'static str> {
        self.history.views().iter().map(|v| v.name()).collect()
    }

    pub(crate) fn find_view(&self, name: &str) -> Result<Arc<dyn ErasedView>> {
        self.history
            .views()
            .iter()
            .find(|v| v.name() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = self.view_names();
                let hint = crate::model::interchange::nearest(name, names.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                Error::InvalidArgument(format!(
                    "unknown view `{name}`{hint} (views: {})",
                    names.join(", ")
                ))
            })
    }

    /// Check the format record (creating it in a new database) and upgrade an older one.
    fn check_format(&self) -> Result<()> {
        let Some(bytes) = self.log.engine.get(&[keys::FORMAT])? else {
            return self.create_format_record();
        };
        let record: FormatRecord = envelope::open(keys::FORMAT, FORMAT_RECORD_VERSION, &bytes)
            .map_err(|e| match e {
                envelope::EnvelopeError::UnknownVersion { found, .. } => Error::Open {
                    path: self.shown_path(),
                    reason: format!(
                        "its format record has a layout (envelope version {found}) this annals cannot read (it reads storage format versions {MIN_STORAGE_FORMAT_VERSION}..={STORAGE_FORMAT_VERSION}); it was written by a newer annals"
                    ),
                },
                other => Error::corrupt_in(Structure::FormatRecord, other.to_string()),
            })?;
        if record.version > STORAGE_FORMAT_VERSION || record.version < MIN_STORAGE_FORMAT_VERSION {
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
        if record.engine != self.log.engine.name() {
            return Err(Error::Open {
                path: self.shown_path(),
                reason: format!(
                    "the database was created with the {} engine, not {}",
                    record.engine,
                    self.log.engine.name()
                ),
            });
        }
        if record.version < STORAGE_FORMAT_VERSION {
            // Upgrade the format record only: older records keep loading as they are, and
            // from now on an older annals refuses this database at open instead of failing
            // on the first newer record it meets.
            self.write_format_record(&FormatRecord {
                version: STORAGE_FORMAT_VERSION,
                ..record
            })?;
        }
        Ok(())
    }

    /// The format record of a new database; refuses a database with data but none.
    fn create_format_record(&self) -> Result<()> {
        if let Some(first) = self.log.engine.scan(&[0], &[0xff]).next() {
            first?;
            return Err(Error::corrupt_in(
                Structure::FormatRecord,
                "the database has data but no format record",
            ));
        }
        self.write_format_record(&FormatRecord {
            version: STORAGE_FORMAT_VERSION,
            engine: self.log.engine.name().to_string(),
            created_micros: self.log.clock.now().timestamp_micros(),
        })
    }

    fn write_format_record(&self, record: &FormatRecord) -> Result<()> {
        let mut batch = Batch::new();
        batch.put(
            vec![keys::FORMAT],
            envelope::seal(keys::FORMAT, FORMAT_RECORD_VERSION, record),
        );
        self.log.engine.write(batch)?;
        self.log.engine.flush()
    }

    pub(crate) fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(temporary)".into())
    }
}

/// The built-in views followed by the registered ones, checked for valid, unique names.
fn registered_views(extra: Vec<ViewRegistration>) -> Result<Vec<Arc<dyn ErasedView>>> {
    let mut views: Vec<Arc<dyn ErasedView>> =
        crate::views::builtin().into_iter().map(|v| v.0).collect();
    for extra in extra {
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
    Ok(views)
}
