//! The built-in crosswalk table (see `mod.rs`). One row per annals code.

use super::Entry;

pub(super) const ENTRIES: &[Entry] = &[];
