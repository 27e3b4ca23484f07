//! The documented input limits, in one place. The parser enforces them with clear errors,
//! and `schema/interchange.md` and `schema/event.schema.json` state the same numbers.

/// Longest accepted input line, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Most actor codes in one list (`actors`, `members`).
pub const MAX_CODES: usize = 256;
/// Longest text field (place, name, person, region, item, unit, class, reason, source name), in characters.
pub const MAX_TEXT_CHARS: usize = 256;
/// Longest `summary`, in characters.
pub const MAX_SUMMARY_CHARS: usize = 4096;
/// Longest source `url`, in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Most sources on one event.
pub const MAX_SOURCES: usize = 32;
/// Most assets on one joint exercise.
pub const MAX_ASSETS: usize = 64;
/// Largest deployment strength.
pub const MAX_STRENGTH: u64 = 100_000_000;
/// Largest arms-transfer quantity.
pub const MAX_QUANTITY: u64 = 1_000_000_000_000;
/// Largest missile-test count.
pub const MAX_TEST_COUNT: u64 = 10_000;
/// Longest `office`, in characters.
pub const MAX_OFFICE_CHARS: usize = 64;
/// Longest `mode` or `context` tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;
/// Most `context` tags on one event.
pub const MAX_CONTEXT_TAGS: usize = 16;
/// Largest death count on one armed-conflict event.
pub const MAX_DEATHS: u64 = 100_000_000;
/// Most years in one `delivery_years` list.
pub const MAX_YEARS: usize = 200;
/// Largest decimal field (a TIV), in thousandths: a million million.
pub const MAX_DECIMAL_MILLI: u64 = 1_000_000_000_000_000;
