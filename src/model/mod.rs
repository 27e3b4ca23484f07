//! The data model: what an event is, before and apart from any storage.
//!
//! Owns: valid time (`date`: EDTF days and precision), the event and its kinds (`event`),
//! the frozen version-1 stored event (`event_v1`, read only to upcast old logs), the JSON
//! Lines interchange format (`interchange`), amendments that name their target by seq or
//! id prefix and partial corrections, which the log completes (`targets`), the validation
//! rules and plausibility warnings (`validate`) and the input limits (`limits`).
//!
//! Invariants: every type here is plain data with no I/O; a value that passed
//! `validate::check_content` renders to an interchange line that parses back to an equal
//! value; the stored (bincode) layout of `Event` and `KindOf` changes only with a new log
//! record version (see `CONTRIBUTING.md`).
//!
//! May import: `crate::error` and external crates only. Nothing here knows the log, the
//! engines or the views.

pub mod date;
pub mod event;
pub(crate) mod event_v1;
pub(crate) mod event_v2;
pub mod interchange;
pub mod limits;
pub mod targets;
pub mod validate;
