//! Stored-format primitives shared by every subsystem that writes bytes.
//!
//! Owns: the record envelope (`envelope`: tag, version, CRC-32C checksum around a bincode
//! payload) and the keyspace (`keys`: the one-byte prefixes and the byte layout of every
//! key). `schema/storage.md` specifies both byte by byte.
//!
//! Invariants: a value is opened only through the envelope, so a wrong tag, an unknown
//! version or a bad checksum is an error, never a misread; keys sort in the order their
//! documentation says (big-endian integers), which the scans rely on.
//!
//! May import: `crate::error`, `crate::model` (for the types that go into keys). Nothing
//! else: every other subsystem builds on this one.

pub(crate) mod envelope;
pub(crate) mod keys;
