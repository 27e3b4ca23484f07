//! The log: the only truth. The appender and the read side of the append-only,
//! hash-chained log.
//!
//! Owns: the `Log` (the engine handle, the committed [`Head`], the writer lock, recorded
//! time, the set of amended seqs, the commit counter that wakes subscriptions, the
//! rollback state after a failed write, and the queue of appends waiting for a group
//! commit); the log record format (`record`); the derived
//! indexes an append writes in the same batch (`index`); appending (`append`), and which of
//! its problems are follow-ons of another (`follow_on`); rollback of
//! unfinished writes (`recovery`); reading by seq, id, actor and timeline order (`read`);
//! the effective timeline at a knowledge (`timeline`); subscriptions (`subscribe`); and
//! where recorded time comes from (`clock`).
//!
//! Invariants:
//! - the head record is the commit point: the log holds exactly the records
//!   `1..=head.seq`, and a reader never looks past the head it started with;
//! - seqs are gap-free, recorded time never decreases, an id maps to exactly one content;
//! - an append writes every event of its input, their index entries and the new head, or
//!   nothing; success is reported only after a flush;
//! - records past the head are leftovers of an unfinished write: they are rolled back
//!   before the next write, and a handle whose rollback failed refuses every write
//!   ([`crate::Error::PreviousWriteFailed`]) until it is reopened.
//!
//! Group commit (`group`): concurrent API appends share one durable commit. Appenders
//! queue their requests; one of them leads, takes the writer lock, stages the queued
//! requests one after another past the head, runs view maintenance once and writes one
//! durable commit with the new head, then answers each request. The invariants above hold
//! per request and per group: requests are staged in queue order, each right after the one
//! before it, so seqs stay gap-free in commit order; the group's head record is its commit
//! point, written last in its one engine commit, and no request is answered before that
//! commit is durable (if it fails, every request of the group gets the error and the
//! leftovers are rolled back as for any failed write); the group takes one clock reading,
//! never earlier than the committed head's, so recorded time never decreases; and each
//! request's idempotency check reads the records staged before it, so ids stay unique. A
//! request with a problem (an invalid event, an `append_expecting` conflict against the
//! head as staged so far, a view oddity) is rejected alone, and the others commit as if it
//! had never been sent. Imports, dry runs and batches larger than one engine batch keep
//! the exclusive path: they take the writer lock alone.
//!
//! The appender knows nothing of views: it hands the events of each append, typed and
//! numbered, to a `Derive` (the store passes its materializer), which adds its writes to
//! the commit batch.
//!
//! May import: `crate::model`, `crate::format`, `crate::storage`, `crate::locks`,
//! `crate::error`. Never `crate::history`, `crate::views` or `crate::store`.

pub(crate) mod append;
pub mod clock;
mod follow_on;
mod group;
mod index;
pub(crate) mod read;
mod record;
mod recovery;
mod shared;
pub mod subscribe;
pub(crate) mod timeline;

pub use append::{AppendReport, ImportOptions, Outcome};
pub(crate) use index::*;
pub use read::TimelineKey;
pub(crate) use record::*;
pub(crate) use shared::Writer;

use crate::error::{Result, Structure};
use crate::format::{envelope, keys};
use crate::locks::{lock_leaf, Leaf, ViewsWrite, WriterGuard, WriterLock};
use crate::model::event::Event;
use crate::storage::{Batch, Engine, Overlay};
use clock::Clock;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub(crate) const HEAD_RECORD_VERSION: u8 = 1;

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

    /// The stored head record.
    pub(crate) fn value(&self) -> Vec<u8> {
        envelope::seal(keys::HEAD, HEAD_RECORD_VERSION, self)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The events of one append, numbered from `first`, handed by the appender to a
/// [`Derive`]. For appends too large to keep in memory, `events` is `None` and the staged
/// records are read back from the engine (they are past the head, which only the writer
/// reads).
pub(crate) struct Staged {
    /// The seq of the first staged event (the committed head + 1).
    pub first: u64,
    /// The seq of the last staged event.
    pub last: u64,
    pub events: Option<Vec<Event>>,
}

/// What keeps state derived from the log in step with each append. The store passes its
/// materializer.
pub(crate) trait Derive {
    /// Add to `commit` the derived writes for the `staged` events (past the head of
    /// `log`; read them through `LogRead::with_staged`). Returns the exclusive views guard,
    /// to be held until the head has moved, and the oddities that must fail the append
    /// (seq, reason).
    fn absorb<'a>(
        &'a self,
        writer: &WriterGuard<'_>,
        log: &Log,
        staged: &Staged,
        commit: &mut Batch,
    ) -> Result<(ViewsWrite<'a>, Vec<(u64, String)>)>;
}

/// The appender and reader of the log. See the module documentation.
pub(crate) struct Log {
    /// The engine, with the writes an append holds until it commits (`storage::Overlay`).
    pub(crate) engine: Overlay,
    pub(crate) clock: Arc<dyn Clock>,
    writer: WriterLock,
    head: Leaf<Head>,
    /// The head record exactly as last read from or written to the engine (`None`: no
    /// head record yet): what the next commit expects to replace (compare-and-write).
    head_bytes: Leaf<Option<Vec<u8>>>,
    /// How long taking a shared engine's writer lock waits for another handle's writer.
    pub(crate) lock_wait: Duration,
    /// A read-only handle never takes a shared engine's writer lock (it never writes).
    pub(crate) read_only: bool,
    /// Seqs that some amendment targets (committed, or written by the append in
    /// progress). A timeline entry whose seq is not here is in effect as recorded, so
    /// queries skip the amendment lookup for the ~99% of events never amended. A superset
    /// is safe (it only costs a lookup); it is derived from the `R` index on open.
    amended: Leaf<HashSet<u64>>,
    /// The last committed seq, for waking subscriptions.
    commits: (Mutex<u64>, Condvar),
    /// Set while a write may have left records past the head: before staging, and after a
    /// failed rollback. The next write rolls back first (see `recovery`).
    dirty: Leaf<Option<String>>,
    /// API appends waiting for a group commit, and whether one of them leads (`group`).
    queue: Mutex<group::Queue>,
}

impl Log {
    /// A log over `engine`; its committed head is read by [`Log::load_head`].
    pub(crate) fn new(engine: Box<dyn Engine>, clock: Arc<dyn Clock>) -> Log {
        Log {
            engine: Overlay::new(engine),
            clock,
            writer: WriterLock::default(),
            head: Leaf::new(Head::EMPTY),
            head_bytes: Leaf::new(None),
            lock_wait: Duration::ZERO,
            read_only: false,
            amended: Leaf::default(),
            commits: (Mutex::new(0), Condvar::new()),
            dirty: Leaf::new(None),
            queue: Mutex::default(),
        }
    }

    /// The committed head right now.
    pub(crate) fn head(&self) -> Head {
        self.head.get()
    }

    /// Move the committed head (after its record, `head.value()`, is durable) and wake
    /// subscriptions.
    pub(crate) fn set_head(&self, head: Head) {
        self.adopt_head(head, Some(head.value()));
    }

    /// Take `head`, stored as `bytes`, as the committed head and wake subscriptions.
    fn adopt_head(&self, head: Head, bytes: Option<Vec<u8>>) {
        // Only the writer reads `head_bytes` (under the writer lock), so the two need not
        // change together.
        *self.head_bytes.write() = bytes;
        self.head.set(head);
        let (lock, cvar) = &self.commits;
        *lock_leaf(lock) = head.seq;
        cvar.notify_all();
    }

    /// The head record as stored (its bytes too), or the empty head when there is none.
    fn stored_head(&self) -> Result<(Head, Option<Vec<u8>>)> {
        let bytes = self.engine.get(&[keys::HEAD])?;
        let head = match &bytes {
            None => Head::EMPTY,
            Some(bytes) => envelope::open(keys::HEAD, HEAD_RECORD_VERSION, bytes)
                .map_err(|e| crate::Error::corrupt_in(Structure::HeadRecord, e.to_string()))?,
        };
        Ok((head, bytes))
    }

    /// Read the head record into memory (on open).
    pub(crate) fn load_head(&self) -> Result<()> {
        let (head, bytes) = self.stored_head()?;
        self.adopt_head(head, bytes);
        Ok(())
    }

    /// Whether any amendment (committed or being written) targets `seq`.
    pub(crate) fn is_amended(&self, seq: u64) -> bool {
        self.amended.read().contains(&seq)
    }

    /// A reader of the committed log.
    pub(crate) fn read(&self) -> LogRead<'_> {
        LogRead {
            log: self,
            staged: None,
        }
    }
}

/// The log as a reader sees it: the committed log, plus, for the materializer during an
/// append, the staged events handed over by the appender. Derefs to [`Log`] for every
/// read that does not depend on staged events.
#[derive(Clone, Copy)]
pub(crate) struct LogRead<'a> {
    log: &'a Log,
    staged: Option<&'a Staged>,
}

impl<'a> LogRead<'a> {
    /// A reader that also sees `staged` (for the writer only).
    pub(crate) fn with_staged(log: &'a Log, staged: &'a Staged) -> LogRead<'a> {
        LogRead {
            log,
            staged: Some(staged),
        }
    }

    /// The staged events' seq range, when reading during an append.
    pub(crate) fn staged(&self) -> Option<&'a Staged> {
        self.staged
    }

    /// The log this reads.
    pub(crate) fn log(&self) -> &'a Log {
        self.log
    }
}

impl std::ops::Deref for LogRead<'_> {
    type Target = Log;
    fn deref(&self) -> &Log {
        self.log
    }
}
