//! The library's error type. Every fallible public call returns [`Result`].
//!
//! Invariants: input problems carry the 1-based line (or event position) they were
//! found at; corruption carries the log seq or the structure where it was found; no
//! variant is produced by a panic path. The enum is `#[non_exhaustive]` so new failure
//! modes can be added without breaking embedders.

use std::fmt;

/// One problem with one input line (or one event of a batch, numbered from 1).
///
/// A *follow-on* problem is one that a line rejected before it most likely caused: an event
/// a view rejects (e.g. "alliance NATO does not exist at this date") that names, in the same
/// single-code field, what a rejected line named (its `alliance_formed` line was invalid,
/// so the alliance was never formed). `import` and `check` report the same problems, the
/// follow-on ones marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line number in the input, or the 1-based position in a batch.
    pub line: usize,
    /// What is wrong, phrased for a person.
    pub reason: String,
    /// The line of the rejected line this problem most likely follows from, if any.
    pub follow_on_of: Option<usize>,
}

impl InputError {
    /// A primary problem at `line`.
    pub fn new(line: usize, reason: impl Into<String>) -> InputError {
        InputError {
            line,
            reason: reason.into(),
            follow_on_of: None,
        }
    }

    /// Whether this problem follows from another line's.
    pub fn is_follow_on(&self) -> bool {
        self.follow_on_of.is_some()
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.follow_on_of {
            Some(of) => write!(
                f,
                "line {}: (follow-on of line {of}) {}",
                self.line, self.reason
            ),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// `{"line", "reason", "follow_on", "follow_on_of"}` (the last `null` for a primary one).
impl serde::Serialize for InputError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("InputError", 4)?;
        m.serialize_field("line", &self.line)?;
        m.serialize_field("reason", &self.reason)?;
        m.serialize_field("follow_on", &self.is_follow_on())?;
        m.serialize_field("follow_on_of", &self.follow_on_of)?;
        m.end()
    }
}

/// Everything that can go wrong in annals.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was rejected; nothing was written. Holds every problem found, in line order.
    #[error("{}", describe_input_errors(.0))]
    InvalidInput(Vec<InputError>),

    /// A value given to the API (not an event line) is malformed: a date, a code, a known-at.
    #[error("{0}")]
    InvalidArgument(String),

    /// Another process (or another handle in this process) has the database open, and it
    /// was not released within the wait (`StoreOptions::with_wait`).
    #[error("database at {path} is in use by another process{}; {}", holder_text(.holder), waited_text(*.waited_ms))]
    InUse {
        path: String,
        /// The holder's pid, when the database directory records it.
        holder: Option<u32>,
        /// How long opening waited for it, in milliseconds.
        waited_ms: u64,
    },

    /// `append_expecting` found the log had moved on; nothing was written.
    #[error("conflict: expected the log to end at seq {expected}, but it ends at seq {actual}")]
    Conflict { expected: u64, actual: u64 },

    /// Stored bytes failed a check. `seq` names the log record when the damage is in the log.
    #[error("corrupt data{}: {reason}", match .seq { Some(s) => format!(" at seq {s}"), None => format!(" in {}", .structure) })]
    Corrupt {
        seq: Option<u64>,
        structure: Structure,
        reason: String,
    },

    /// The database was written by a format this binary does not understand.
    #[error("database format version {found} is not supported by this annals (it reads versions {min}..={max}); {hint}")]
    UnsupportedFormat {
        found: u32,
        min: u32,
        max: u32,
        hint: &'static str,
    },

    /// A write was asked of a store opened read-only (`StoreOptions::read_only`): an
    /// append, or the recovery, upgrade or repair an open or a read would have made.
    #[error("cannot write to the database at {path}: it is open read-only; open it without --read-only (StoreOptions::read_only) to write, recover, upgrade or repair it")]
    ReadOnly { path: String },

    /// The path cannot hold a database (a file, unreadable, read-only, disk full).
    #[error("cannot open database at {path}: {reason}")]
    Open { path: String, reason: String },

    /// No such event or object.
    #[error("not found: {0}")]
    NotFound(String),

    /// The storage engine failed (I/O error, full disk, ...). `source` is the engine's own
    /// error where there is one.
    #[error("storage error: {message}")]
    Storage {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// An earlier write on this handle failed and so did its rollback: the handle refuses
    /// every write until the database is reopened (reopening rolls the unfinished write
    /// back from disk). Reads still answer from the committed head.
    #[error("a previous write on this handle failed and could not be rolled back ({reason}); reopen the database to recover")]
    PreviousWriteFailed { reason: String },

    /// Reading input or writing output failed at the OS level.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

fn describe_input_errors(errors: &[InputError]) -> String {
    match errors {
        [] => "invalid input".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => {
            let follow_ons = rest.iter().filter(|e| e.is_follow_on()).count();
            let more = rest.len() - follow_ons;
            match follow_ons {
                0 => format!("{first} (and {more} more invalid lines)"),
                n => format!("{first} (and {more} more invalid lines, {n} follow-on errors)"),
            }
        }
    }
}

impl Error {
    /// A single input problem at `line`.
    pub fn input(line: usize, reason: impl Into<String>) -> Self {
        Error::InvalidInput(vec![InputError::new(line, reason)])
    }

    pub(crate) fn corrupt_seq(seq: u64, reason: impl Into<String>) -> Self {
        Error::Corrupt {
            seq: Some(seq),
            structure: Structure::Log,
            reason: reason.into(),
        }
    }

    /// Whether this is corruption of derived state — an index, the touch summary, a view
    /// checkpoint or view bookkeeping — which a rebuild from the log repairs. Corruption
    /// of the log itself, the head record or the format record is not: those are the
    /// source of truth and are reported, never rewritten. Decided by
    /// [`Structure::is_derived`], never by the text of a message.
    pub fn is_derived_corruption(&self) -> bool {
        matches!(self, Error::Corrupt { seq: None, structure, .. } if structure.is_derived())
    }

    pub(crate) fn corrupt_in(structure: Structure, reason: impl Into<String>) -> Self {
        Error::Corrupt {
            seq: None,
            structure,
            reason: reason.into(),
        }
    }

    /// The engine failed; keeps the engine's error as the source.
    pub(crate) fn storage(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Storage {
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }

    /// The engine failed in a way it reported without an error value (a panic caught at
    /// the seam, a closed handle).
    pub(crate) fn storage_msg(message: impl Into<String>) -> Self {
        Error::Storage {
            message: message.into(),
            source: None,
        }
    }
}

/// Where stored bytes were found damaged. The log, the head record and the format record
/// are the source of truth; everything else is derived from the log and is repaired by a
/// rebuild ([`Structure::is_derived`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Structure {
    /// A log record (the source of truth).
    Log,
    /// The head record, the log's commit point.
    HeadRecord,
    /// The format record (storage version, engine).
    FormatRecord,
    /// The `I` index: id to seq.
    IdIndex,
    /// The `R` index: amendments by target.
    AmendmentIndex,
    /// The `T` posting lists: timeline order.
    TimelineIndex,
    /// The `A` posting lists: events by actor.
    ActorIndex,
    /// The touch summary: per block of seqs, the smallest timeline position touched.
    TouchSummary,
    /// The derived-state version record.
    DerivedVersion,
    /// A view's bookkeeping record.
    ViewMeta { view: &'static str },
    /// A view's checkpoints.
    Checkpoints { view: &'static str },
    /// A keyed view's row-version index (`W`, `N`, `M`).
    RowIndex { view: &'static str },
}

impl Structure {
    /// Whether a rebuild from the log repairs damage here.
    pub fn is_derived(&self) -> bool {
        !matches!(
            self,
            Structure::Log | Structure::HeadRecord | Structure::FormatRecord
        )
    }
}

impl fmt::Display for Structure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Structure::Log => f.write_str("log"),
            Structure::HeadRecord => f.write_str("head record"),
            Structure::FormatRecord => f.write_str("format record"),
            Structure::IdIndex => f.write_str("id index"),
            Structure::AmendmentIndex => f.write_str("amendment index"),
            Structure::TimelineIndex => f.write_str("timeline index"),
            Structure::ActorIndex => f.write_str("actor index"),
            Structure::TouchSummary => f.write_str("touch summary"),
            Structure::DerivedVersion => f.write_str("derived-state version"),
            Structure::ViewMeta { view } => write!(f, "view {view} meta"),
            Structure::Checkpoints { view } => write!(f, "view {view} checkpoints"),
            Structure::RowIndex { view } => write!(f, "view {view} row-version index"),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::model::date::DateError> for Error {
    fn from(e: crate::model::date::DateError) -> Self {
        Error::InvalidArgument(e.to_string())
    }
}

fn holder_text(holder: &Option<u32>) -> String {
    match holder {
        Some(pid) if *pid == std::process::id() => " (this process holds it)".into(),
        Some(pid) => format!(" (pid {pid})"),
        None => String::new(),
    }
}

fn waited_text(waited_ms: u64) -> String {
    let how =
        "wait longer with --wait 30s or ANNALS_WAIT=30s (StoreOptions::with_wait in the library)";
    match waited_ms {
        0 => format!("not waited for; {how}"),
        ms if ms % 1000 == 0 => format!("waited {} s; {how}", ms / 1000),
        ms => format!("waited {ms} ms; {how}"),
    }
}
