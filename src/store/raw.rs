//! Raw access to the engine, for corruption-injection and fault-injection tests. Behind
//! the `test-util` feature: a release build of a tamper-evident database does not ship
//! `forge_log_record` or `rewrite_history`. Re-exported as `annals::testing_raw`.

use crate::error::Result;
use crate::error::Structure;
use crate::storage::{Batch, Engine};
use crate::Store;

/// Read a raw value.
pub fn get(store: &Store, key: &[u8]) -> Result<Option<Vec<u8>>> {
    store.log.engine.get(key)
}

/// Overwrite a raw value (bypassing every check).
pub fn put(store: &Store, key: &[u8], value: &[u8]) -> Result<()> {
    let mut b = Batch::new();
    b.put(key.to_vec(), value.to_vec());
    store.log.engine.write(b)?;
    store.log.engine.flush()
}

/// Delete a raw key.
pub fn delete(store: &Store, key: &[u8]) -> Result<()> {
    let mut b = Batch::new();
    b.delete(key.to_vec());
    store.log.engine.write(b)?;
    store.log.engine.flush()
}

/// The log key of a seq.
pub fn log_key(seq: u64) -> Vec<u8> {
    crate::format::keys::log(seq).to_vec()
}

/// Decode a raw log record (any supported version) into its event.
pub fn decode_log_record(key: &[u8], value: &[u8]) -> Result<crate::Event> {
    crate::log::decode_record(key, value).map(|r| r.event)
}

/// Wrap `payload` in a log-record envelope (tag, `version`, a valid checksum), so
/// that fuzzers and proptests reach the payload decoder behind the checksum.
pub fn seal_log_payload(version: u8, payload: &[u8]) -> Vec<u8> {
    crate::format::envelope::seal_payload(crate::format::keys::LOG, version, payload)
}

/// The storage format version recorded in the database's format record.
pub fn format_version(store: &Store) -> Result<u32> {
    let bytes = get(store, &[crate::format::keys::FORMAT])?
        .ok_or_else(|| crate::Error::NotFound("format record".into()))?;
    let record: crate::store::open::FormatRecord = crate::format::envelope::open(
        crate::format::keys::FORMAT,
        crate::store::open::FORMAT_RECORD_VERSION,
        &bytes,
    )
    .map_err(|e| crate::Error::corrupt_in(Structure::FormatRecord, e.to_string()))?;
    Ok(record.version)
}

/// Overwrite the format record's storage version (to simulate a database written by
/// another annals).
pub fn set_format_version(store: &Store, version: u32) -> Result<()> {
    let bytes = get(store, &[crate::format::keys::FORMAT])?
        .ok_or_else(|| crate::Error::NotFound("format record".into()))?;
    let mut record: crate::store::open::FormatRecord = crate::format::envelope::open(
        crate::format::keys::FORMAT,
        crate::store::open::FORMAT_RECORD_VERSION,
        &bytes,
    )
    .map_err(|e| crate::Error::corrupt_in(Structure::FormatRecord, e.to_string()))?;
    record.version = version;
    put(
        store,
        &[crate::format::keys::FORMAT],
        &crate::format::envelope::seal(
            crate::format::keys::FORMAT,
            crate::store::open::FORMAT_RECORD_VERSION,
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
        let key = crate::format::keys::log(s);
        let value = get(store, &key)?.ok_or_else(|| crate::Error::NotFound(format!("seq {s}")))?;
        let mut record = crate::log::decode_record(&key, &value)?;
        if s == seq {
            if let Some(f) = edit.take() {
                f(&mut record.event);
            }
        }
        record.prev_hash = prev;
        let payload = crate::format::envelope::encode_payload(&record);
        prev = crate::log::chain_hash(&payload);
        last.hash = prev;
        batch.put(
            key.to_vec(),
            crate::format::envelope::seal_payload(
                crate::format::keys::LOG,
                crate::log::LOG_RECORD_VERSION,
                &payload,
            ),
        );
    }
    batch.put(vec![crate::format::keys::HEAD], last.value());
    store.log.engine.write(batch)?;
    store.log.engine.flush()?;
    store.log.set_head(last);
    Ok(())
}

/// Mark the derived state as mid-rebuild (as an interrupted `rebuild` leaves it).
pub fn mark_rebuild_interrupted(store: &Store) -> Result<()> {
    store.set_derived_version(0)
}

/// Every raw key with the given one-byte prefix.
pub fn keys_with_prefix(store: &Store, prefix: u8) -> Result<Vec<Vec<u8>>> {
    let (s, e) = crate::format::keys::keyspace(prefix);
    store
        .log
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
    let key = crate::format::keys::log(seq);
    let value = get(store, &key)?.ok_or_else(|| crate::Error::NotFound(format!("seq {seq}")))?;
    let mut record = crate::log::decode_record(&key, &value)?;
    edit(&mut record.event);
    let sealed = crate::format::envelope::seal(
        crate::format::keys::LOG,
        crate::log::LOG_RECORD_VERSION,
        &record,
    );
    put(store, &key, &sealed)
}

/// A throwaway store whose engine fails writes when `faults` says so, and stages imports
/// `batch_events` events per engine write (see `storage::faulty`).
pub fn temporary_with_faults(
    options: crate::StoreOptions,
    faults: std::sync::Arc<crate::storage::Faults>,
    batch_events: usize,
) -> Result<Store> {
    let kind = match options.engine_kind {
        Some(kind) => kind,
        None => crate::EngineKind::default_for_new()?,
    };
    let inner = crate::storage::temporary(kind, &options.engine)?;
    let engine = crate::storage::FaultyEngine::new(inner, faults, batch_events);
    Store::from_engine(Box::new(engine), None, options)
}
