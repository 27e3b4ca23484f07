//! History: the state of the world as of any day, as known at any moment.
//!
//! Owns: the materializer (`materialize`: keeps every view in step with the log — keyed
//! views, the built-ins, in the bitemporal row-version index of `versions`; other views as
//! checkpoints along the valid timeline, with the touch summary that says which
//! checkpoints an earlier knowledge may reuse, the repair budget and frontier; the views
//! lock), the time-travel queries built on it (`query`: `At`, answers with their basis,
//! `history`, `diff`, `relations`), `changes` (what a correction changed, field by field)
//! and `replay`, the storage-free oracle that folds a list
//! of events the same way.
//!
//! Invariants: see `versions` and `materialize` — at every knowledge, a keyed view's
//! visible row versions are exactly the folds of its facts in effect (versions are closed,
//! never deleted); every checkpoint below a view's frontier equals a from-scratch fold at
//! the head's knowledge; every answer is a pure function of its basis (as-of day,
//! knowledge seq).
//!
//! May import: `crate::model`, `crate::format`, `crate::storage`, `crate::views`,
//! `crate::locks`, and the log's read side (`crate::log::LogRead` and the effective
//! timeline). It never appends: the appender hands it the events of an append as a typed
//! `crate::log::Staged`. One upward reference: `query` answers through a `&Store`, the
//! composition of the log and the materializer, because a query needs both.

pub mod changes;
pub(crate) mod materialize;
pub mod query;
pub mod replay;
pub(crate) mod versions;

pub(crate) use materialize::Materializer;
