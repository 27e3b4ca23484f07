//! The envelope every stored value travels in, and the bincode codec inside it.
//!
//! Layout of one stored value (all integers little-endian):
//!
//! ```text
//! offset  size  field
//! 0       1     record type tag (b'L' log record, b'H' head, b'F' format, b'I' id entry, ...)
//! 1       1     format version of that record type
//! 2       4     CRC-32 (IEEE) of bytes [0..2] followed by the payload
//! 6       n     payload: bincode 2.0.1, standard config (varint integers), via serde
//! ```
//!
//! Invariants: `open` checks length, tag, version and checksum before decoding, and the
//! decoder runs with a size limit, so no stored bytes can make it panic or allocate without
//! bound; every failure is an error that names what was being read.

use serde::{de::DeserializeOwned, Serialize};

/// Bytes in the envelope header.
pub const HEADER_LEN: usize = 6;
/// The largest payload the decoder will allocate for.
const DECODE_LIMIT: usize = 64 << 20;

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

fn checksum(tag: u8, version: u8, payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&[tag, version]);
    hasher.update(payload);
    hasher.finalize()
}

/// Encode a value to its bincode payload (no envelope).
pub fn encode_payload<T: Serialize>(value: &T) -> Vec<u8> {
    // Encoding into a Vec cannot fail for our types (no maps with non-string keys, no
    // unsupported serde features); an error here is a programming error in a stored type.
    bincode::serde::encode_to_vec(value, config()).unwrap_or_else(|e| {
        unreachable!("stored types always encode: {e}");
    })
}

/// Wrap an already-encoded payload in an envelope.
pub fn seal_payload(tag: u8, version: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.push(tag);
    out.push(version);
    out.extend_from_slice(&checksum(tag, version, payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Encode `value` and wrap it in an envelope.
pub fn seal<T: Serialize>(tag: u8, version: u8, value: &T) -> Vec<u8> {
    seal_payload(tag, version, &encode_payload(value))
}

/// Why an envelope did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    TooShort(usize),
    WrongTag { expected: u8, found: u8 },
    UnknownVersion { found: u8, supported: u8 },
    Checksum,
    Decode(String),
}

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvelopeError::TooShort(n) => write!(f, "record is {n} bytes, shorter than its header"),
            EnvelopeError::WrongTag { expected, found } => write!(
                f,
                "record type tag is {found:#04x}, expected {expected:#04x} ('{}')",
                *expected as char
            ),
            EnvelopeError::UnknownVersion { found, supported } => write!(
                f,
                "record format version {found} is not supported (this annals reads version {supported})"
            ),
            EnvelopeError::Checksum => write!(f, "checksum mismatch"),
            EnvelopeError::Decode(e) => write!(f, "payload does not decode: {e}"),
        }
    }
}

/// Check an envelope's tag and checksum and return its version and payload, whatever the
/// version (for record types that read several versions).
pub fn open_any_version(tag: u8, bytes: &[u8]) -> Result<(u8, &[u8]), EnvelopeError> {
    if bytes.len() < HEADER_LEN {
        return Err(EnvelopeError::TooShort(bytes.len()));
    }
    open_payload(tag, bytes[1], bytes).map(|p| (bytes[1], p))
}

/// Check an envelope's header and checksum and return its payload.
pub fn open_payload(tag: u8, version: u8, bytes: &[u8]) -> Result<&[u8], EnvelopeError> {
    if bytes.len() < HEADER_LEN {
        return Err(EnvelopeError::TooShort(bytes.len()));
    }
    if bytes[0] != tag {
        return Err(EnvelopeError::WrongTag {
            expected: tag,
            found: bytes[0],
        });
    }
    let payload = &bytes[HEADER_LEN..];
    let stored = u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
    if stored != checksum(bytes[0], bytes[1], payload) {
        return Err(EnvelopeError::Checksum);
    }
    if bytes[1] != version {
        return Err(EnvelopeError::UnknownVersion {
            found: bytes[1],
            supported: version,
        });
    }
    Ok(payload)
}

/// Decode a bincode payload, requiring that every byte is used.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, EnvelopeError> {
    if payload.len() > DECODE_LIMIT {
        return Err(EnvelopeError::Decode(
            "payload larger than the decode limit".into(),
        ));
    }
    let cfg = config().with_limit::<DECODE_LIMIT>();
    match bincode::serde::decode_from_slice::<T, _>(payload, cfg) {
        Ok((value, used)) if used == payload.len() => Ok(value),
        Ok((_, used)) => Err(EnvelopeError::Decode(format!(
            "{} trailing bytes after the payload",
            payload.len() - used
        ))),
        Err(e) => Err(EnvelopeError::Decode(e.to_string())),
    }
}

/// Open an envelope and decode its payload.
pub fn open<T: DeserializeOwned>(tag: u8, version: u8, bytes: &[u8]) -> Result<T, EnvelopeError> {
    decode_payload(open_payload(tag, version, bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_flipped_bit_is_caught() {
        let sealed = seal(b'X', 1, &(42u64, String::from("hello")));
        assert_eq!(
            open::<(u64, String)>(b'X', 1, &sealed).unwrap(),
            (42, "hello".into())
        );
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                assert!(
                    open::<(u64, String)>(b'X', 1, &bad).is_err(),
                    "byte {i} bit {bit}"
                );
            }
        }
        assert!(open::<(u64, String)>(b'X', 1, &sealed[..3]).is_err());
    }
}
