//! The log record: its stored form, its decoding (every supported version) and the hash
//! chain. `schema/storage.md` §4 specifies it byte by byte.
//!
//! A log record is the envelope (tag 'L', version 3; versions 1 and 2 are still read, see
//! `model/event_v1.rs` and `model/event_v2.rs`) around the bincode of [`LogRecord`]: the previous record's chain
//! hash and the [`Event`]. The chain hash of a record is SHA-256 of its payload, so every
//! record commits to all records before it, and the head record holds the hash of the last.

use crate::error::{Error, Result, Structure};
use crate::format::{envelope, keys};
use crate::model::event::Event;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The log record version written now. Version 1 (annals 0.1, without the interchange-v2
/// fields) and version 2 (before the dataset fields and kinds of version 3) are still read
/// and upcast; see `event_v1.rs` and `event_v2.rs`.
pub(crate) const LOG_RECORD_VERSION: u8 = 3;
pub(crate) const INDEX_VERSION: u8 = 1;

/// The stored form of one log entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct LogRecord {
    pub prev_hash: [u8; 32],
    pub event: Event,
}

/// The amendment kinds as stored in the `R` index.
pub(crate) const AMEND_RETRACTION: u8 = 0;
pub(crate) const AMEND_CORRECTION: u8 = 1;

/// Decode and check one log record read under `key`.
pub(crate) fn decode_record(key: &[u8], value: &[u8]) -> Result<LogRecord> {
    let key_seq = key
        .get(1..9)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| {
            Error::corrupt_in(
                Structure::Log,
                format!("malformed log key of {} bytes", key.len()),
            )
        })?;
    let corrupt = |e: envelope::EnvelopeError| Error::corrupt_seq(key_seq, e.to_string());
    let (version, payload) = envelope::open_any_version(keys::LOG, value).map_err(corrupt)?;
    let record: LogRecord = match version {
        LOG_RECORD_VERSION => envelope::decode_payload(payload).map_err(corrupt)?,
        2 => {
            let v2: crate::model::event_v2::LogRecordV2 =
                envelope::decode_payload(payload).map_err(corrupt)?;
            LogRecord {
                prev_hash: v2.prev_hash,
                event: v2.event.into(),
            }
        }
        1 => {
            let v1: crate::model::event_v1::LogRecordV1 =
                envelope::decode_payload(payload).map_err(corrupt)?;
            LogRecord {
                prev_hash: v1.prev_hash,
                event: v1.event.into(),
            }
        }
        found => {
            return Err(corrupt(envelope::EnvelopeError::UnknownVersion {
                found,
                supported: LOG_RECORD_VERSION,
            }));
        }
    };
    if record.event.seq != key_seq {
        return Err(Error::corrupt_seq(
            key_seq,
            format!(
                "record says seq {} but is stored under seq {key_seq}",
                record.event.seq
            ),
        ));
    }
    Ok(record)
}

/// The chain hash of a record: SHA-256 of its payload (which holds the previous hash).
pub(crate) fn chain_hash(payload: &[u8]) -> [u8; 32] {
    Sha256::digest(payload).into()
}
