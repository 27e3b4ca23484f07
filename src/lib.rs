//! # annals
//!
//! An embedded, event-sourced, bitemporal timeline database for dated diplomatic and
//! military events. The append-only log is the single source of truth; indexes (and, in
//! later versions, views and checkpoints) are derived from it and can be rebuilt and
//! verified against it.
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
//! Module map: `date` (valid time), `event` (the event model), `interchange` (JSON Lines),
//! `validate` (the rules), `storage` (the engine seam), `envelope` and `keys` (stored
//! formats), `store`/`log`/`read`/`verify` (the log), `clock` (recorded time).

pub mod clock;
pub mod date;
mod envelope;
pub mod error;
pub mod event;
mod event_v1;
pub mod interchange;
mod keys;
pub mod limits;
mod log;
mod materialize;
pub mod query;
mod read;
pub mod replay;
pub mod storage;
mod store;
mod subscribe;
pub mod testing;
mod timeline;
pub mod validate;
mod verify;
pub mod views;
pub mod workload;

pub use clock::{Clock, ManualClock, SystemClock};
pub use date::{Date, Day};
pub use error::{Error, InputError, Result};
pub use event::{AllianceType, Code, Confidence, Content, Event, Kind, NewEvent, Source};
pub use log::{AppendReport, Outcome};
pub use query::{Answer, At, Basis, KnownAt};
pub use read::TimelineKey;
pub use storage::EngineKind;
pub use store::{Head, Store, StoreOptions, MIN_STORAGE_FORMAT_VERSION, STORAGE_FORMAT_VERSION};
pub use subscribe::Subscription;
pub use verify::{Stats, VerifyReport};
pub use views::{View, ViewRegistration};

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[doc(hidden)]
/// Raw access to the engine, for corruption-injection tests. Not part of the stable API.
pub mod testing_raw {
    use crate::error::Result;
    use crate::storage::{Batch, Engine};
    use crate::Store;

    /// Read a raw value.
    pub fn get(store: &Store, key: &[u8]) -> Result<Option<Vec<u8>>> {
        store.engine.get(key)
    }

    /// Overwrite a raw value (bypassing every check).
    pub fn put(store: &Store, key: &[u8], value: &[u8]) -> Result<()> {
        let mut b = Batch::new();
        b.put(key.to_vec(), value.to_vec());
        store.engine.write(b)?;
        store.engine.flush()
    }

    /// Delete a raw key.
    pub fn delete(store: &Store, key: &[u8]) -> Result<()> {
        let mut b = Batch::new();
        b.delete(key.to_vec());
        store.engine.write(b)?;
        store.engine.flush()
    }

    /// The log key of a seq.
    pub fn log_key(seq: u64) -> Vec<u8> {
        crate::keys::log(seq).to_vec()
    }

    /// Decode a raw log record (any supported version) into its event.
    pub fn decode_log_record(key: &[u8], value: &[u8]) -> Result<crate::Event> {
        crate::log::decode_record(key, value).map(|r| r.event)
    }

    /// Wrap `payload` in a log-record envelope (tag, `version`, a valid checksum), so
    /// that fuzzers and proptests reach the payload decoder behind the checksum.
    pub fn seal_log_payload(version: u8, payload: &[u8]) -> Vec<u8> {
        crate::envelope::seal_payload(crate::keys::LOG, version, payload)
    }

    /// The storage format version recorded in the database's format record.
    pub fn format_version(store: &Store) -> Result<u32> {
        let bytes = get(store, &[crate::keys::FORMAT])?
            .ok_or_else(|| crate::Error::NotFound("format record".into()))?;
        let record: crate::store::FormatRecord = crate::envelope::open(
            crate::keys::FORMAT,
            crate::store::FORMAT_RECORD_VERSION,
            &bytes,
        )
        .map_err(|e| crate::Error::corrupt_in("format record", e.to_string()))?;
        Ok(record.version)
    }

    /// Overwrite the format record's storage version (to simulate a database written by
    /// another annals).
    pub fn set_format_version(store: &Store, version: u32) -> Result<()> {
        let bytes = get(store, &[crate::keys::FORMAT])?
            .ok_or_else(|| crate::Error::NotFound("format record".into()))?;
        let mut record: crate::store::FormatRecord = crate::envelope::open(
            crate::keys::FORMAT,
            crate::store::FORMAT_RECORD_VERSION,
            &bytes,
        )
        .map_err(|e| crate::Error::corrupt_in("format record", e.to_string()))?;
        record.version = version;
        put(
            store,
            &[crate::keys::FORMAT],
            &crate::envelope::seal(
                crate::keys::FORMAT,
                crate::store::FORMAT_RECORD_VERSION,
                &record,
            ),
        )
    }

    /// Rewrite history as a careful attacker would: change the event at `seq`, then re-chain
    /// every later record and the head so that checksums and the chain are all valid again.
    /// Only a head hash kept from before (`verify --since`) can tell.
    pub fn rewrite_history(
        store: &Store,
        seq: u64,
        edit: impl FnOnce(&mut crate::Event),
    ) -> Result<()> {
        let head = store.head();
        let mut prev = [0u8; 32];
        let mut edit = Some(edit);
        let mut batch = Batch::new();
        let mut last = head;
        for s in 1..=head.seq {
            let key = crate::keys::log(s);
            let value =
                get(store, &key)?.ok_or_else(|| crate::Error::NotFound(format!("seq {s}")))?;
            let mut record = crate::log::decode_record(&key, &value)?;
            if s == seq {
                if let Some(f) = edit.take() {
                    f(&mut record.event);
                }
            }
            record.prev_hash = prev;
            let payload = crate::envelope::encode_payload(&record);
            prev = crate::log::chain_hash(&payload);
            last.hash = prev;
            batch.put(
                key.to_vec(),
                crate::envelope::seal_payload(
                    crate::keys::LOG,
                    crate::log::LOG_RECORD_VERSION,
                    &payload,
                ),
            );
        }
        batch.put(vec![crate::keys::HEAD], Store::head_value(&last));
        store.engine.write(batch)?;
        store.engine.flush()?;
        store.set_head(last);
        Ok(())
    }

    /// Mark the derived state as mid-rebuild (as an interrupted `rebuild` leaves it).
    pub fn mark_rebuild_interrupted(store: &Store) -> Result<()> {
        store.set_derived_version(0)
    }

    /// Every raw key with the given one-byte prefix.
    pub fn keys_with_prefix(store: &Store, prefix: u8) -> Result<Vec<Vec<u8>>> {
        let (s, e) = crate::keys::keyspace(prefix);
        store
            .engine
            .scan(&s, &e)
            .map(|r| r.map(|(k, _)| k))
            .collect()
    }

    /// Forge a rewrite of the record at `seq` that keeps a valid checksum (so only the
    /// hash chain can catch it): decode it, let `edit` change the event, re-encode, re-seal.
    pub fn forge_log_record(
        store: &Store,
        seq: u64,
        edit: impl FnOnce(&mut crate::Event),
    ) -> Result<()> {
        let key = crate::keys::log(seq);
        let value =
            get(store, &key)?.ok_or_else(|| crate::Error::NotFound(format!("seq {seq}")))?;
        let mut record = crate::log::decode_record(&key, &value)?;
        edit(&mut record.event);
        let sealed =
            crate::envelope::seal(crate::keys::LOG, crate::log::LOG_RECORD_VERSION, &record);
        put(store, &key, &sealed)
    }
}
