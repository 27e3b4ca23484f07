//! # annals
//!
//! An embedded, event-sourced, bitemporal timeline database for dated diplomatic and
//! military events. The append-only, hash-chained log is the single source of truth;
//! indexes, view checkpoints and every answer are derived from it and can be rebuilt and
//! verified against it. Views answer *as of* any day, *as known at* any moment.
//!
//! ```
//! use annals::{Store, interchange::parse_line};
//!
//! let store = Store::temporary()?;
//! let line = r#"{"date":"2023-08-18","kind":"meeting","actors":["USA","KOR","JPN"],"place":"Camp David"}"#;
//! let event = parse_line(line).map_err(annals::Error::InvalidArgument)?.event;
//! let outcome = store.append(event.clone())?;
//! assert_eq!(outcome.seq(), 1);
//! // Appending the same content again is a no-op: its id is derived from its content.
//! assert_eq!(store.append(event)?, annals::Outcome::AlreadyPresent(1));
//! assert_eq!(store.head().seq, 1);
//! store.verify()?;
//! # Ok::<(), annals::Error>(())
//! ```
//!
//! ## Module map
//!
//! One folder per subsystem; each `mod.rs` says what it owns, its invariants and what it
//! may import. From the bottom up:
//!
//! | subsystem | owns |
//! |---|---|
//! | [`model`] | the event model: valid time ([`date`]), events and kinds ([`event`]), the JSON Lines interchange ([`interchange`]), validation ([`validate`]), limits ([`limits`]) |
//! | `format` | stored-format primitives: the checksummed record envelope and the keyspace |
//! | [`storage`] | the engine seam: the [`storage::Engine`] trait, redb and sled behind it |
//! | [`log`] | the log: appending, the record and index formats, reading, rollback, the effective timeline, subscriptions, recorded time ([`clock`]) |
//! | [`views`] | the [`View`] trait and the seven built-in views |
//! | [`history`] | the materializer (view checkpoints), time-travel queries ([`query`]) and the storage-free oracle ([`replay`]) |
//! | [`codes`] | the code crosswalk: COW, Gleditsch–Ward, ISO and names to annals codes |
//! | [`datasets`] | published datasets in: mapping files, the tabular importer, bundled formats |
//! | [`store`] | the [`Store`] handle that composes the log and the materializer; verify and rebuild |
//! | `tools` | the test-replay kit ([`testing`]) and the synthetic workload ([`workload`]) |
//!
//! `locks` writes down the one lock order (writer → views) and holds it by construction;
//! [`error`] has the typed errors. The `annals` command line (`src/cli/`, feature `cli`)
//! is a client of this library's public API only.
//!
//! ## Cargo features
//!
//! `redb` and `sled` (both default) build the engines; `cli` (default) builds the
//! command line and its dependencies; `test-util` exposes `testing_raw`, raw engine access
//! and fault injection for tests. `--no-default-features --features redb` is the lean
//! embedding build.

pub mod codes;
pub mod datasets;
pub mod error;
pub mod history;
mod locks;
pub mod log;
pub mod model;
pub mod storage;
pub mod store;
pub mod views;

mod format;
mod tools;

pub use history::{query, replay};
pub use log::clock;
pub use model::{date, event, interchange, limits, validate};
pub use tools::{testing, workload};

pub use clock::{Clock, ManualClock, SystemClock};
pub use date::{Date, Day};
pub use error::{Error, InputError, Result, Structure};
pub use event::{AllianceType, Code, Confidence, Content, Event, Kind, KindTag, NewEvent, Source};
pub use log::subscribe::Subscription;
pub use log::{AppendReport, Head, ImportOptions, Outcome, TimelineKey};
pub use query::{Answer, At, Basis, KnownAt};
pub use storage::EngineKind;
pub use store::verify::{Stats, VerifyReport};
pub use store::{
    parse_wait, Store, StoreOptions, DEFAULT_WAIT, MIN_STORAGE_FORMAT_VERSION,
    STORAGE_FORMAT_VERSION,
};
pub use views::{View, ViewRegistration};

/// Raw access to the engine and fault injection, for corruption and failure tests. Only
/// with the `test-util` feature; not part of the stable API.
#[cfg(feature = "test-util")]
#[doc(hidden)]
pub use store::raw as testing_raw;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
