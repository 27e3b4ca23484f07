//! Key encodings of every keyspace. All keyspaces share one ordered engine; the first
//! byte of a key names its keyspace, and every integer is big-endian so byte order is
//! numeric order.
//!
//! ```text
//! keyspace  key                                          value (an envelope, see envelope.rs)
//! 'D'       'D'                                          derived-state version: u32 (tag 'D'); 0 while a rebuild runs
//! 'F'       'F'                                          format record: version, engine, created
//! 'H'       'H'                                          head: last committed seq, its hash, recorded
//! 'L'       'L' seq:u64                                  log record (tag 'L')
//! 'I'       'I' id:16 bytes                              seq:u64 of the event with that id (tag 'I')
//! 'T'       'T' earliest:u32                             posting list of (latest, seq, kind code) of events whose timeline date starts that day (tag 'T')
//! 'C'       'C' view:16 bytes position:u128              view checkpoint: the view's state after folding every effective entry at or before position (tag 'C')
//! 'V'       'V' view:16 bytes                            view meta: state version, checkpoint frontier, tail count, applied seq (tag 'V')
//! 'U'       'U' block:u64                                smallest timeline position touched by the seqs of that block of 256 (tag 'U')
//! 'A'       'A' code:16 bytes (zero-padded) block:u64    posting list of seqs naming that code in that seq block (tag 'A')
//! 'R'       'R' target_seq:u64 seq:u64                   an amendment (retraction/correction) of target
//! 'W'       'W' view:16 len:u32 key:len pos:u128 known_from:u64   a row version of a keyed view: known_to, entry (tag 'W')
//! 'N'       'N' view:16 len:u32 key:len                  a row key of a keyed view: the smallest position of any of its versions (tag 'N')
//! 'M'       'M' view:16 code:16 len:u32 key:len          a row key of a keyed view whose facts named code (tag 'M', empty)
//! ```
//!
//! Invariants: every key of a keyspace starts with its prefix byte and has a fixed length,
//! or (`W`, `N`, `M`) a length field before its one variable part, so prefix scans never
//! mix keyspaces or row keys and decoding a key never reads out of bounds.

use crate::model::date::Day;
use crate::model::event::Code;
use uuid::Uuid;

pub const FORMAT: u8 = b'F';
/// The version of the derived state's meaning (see `crate::store`), key `'D'`.
pub const DERIVED: u8 = b'D';
pub const HEAD: u8 = b'H';
pub const LOG: u8 = b'L';
pub const ID: u8 = b'I';
pub const TIME: u8 = b'T';
pub const ACTOR: u8 = b'A';
pub const AMEND: u8 = b'R';
pub const CHECKPOINT: u8 = b'C';
pub const VIEW_META: u8 = b'V';
pub const TOUCH: u8 = b'U';
pub const ROW_VERSION: u8 = b'W';
pub const ROW_KEY: u8 = b'N';
pub const ROW_MENTION: u8 = b'M';

/// Seqs per touch-summary block.
pub const TOUCH_BLOCK: u64 = 256;

/// Seqs per actor-index block: one stored posting list holds an actor's seqs in
/// `[block * ACTOR_BLOCK, (block + 1) * ACTOR_BLOCK)`.
pub const ACTOR_BLOCK: u64 = 4096;

pub fn log(seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = LOG;
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub fn id(id: &Uuid) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = ID;
    k[1..].copy_from_slice(id.as_bytes());
    k
}

/// The timeline bucket of one earliest day.
pub fn time_bucket(earliest: Day) -> [u8; 5] {
    let mut k = [0u8; 5];
    k[0] = TIME;
    k[1..5].copy_from_slice(&earliest.0.to_be_bytes());
    k
}

/// Decode a timeline bucket key into its earliest day.
pub fn parse_time_bucket(key: &[u8]) -> Option<Day> {
    if key.len() != 5 || key[0] != TIME {
        return None;
    }
    Some(Day(u32::from_be_bytes(key[1..5].try_into().ok()?)))
}

/// A timeline posting: (latest, seq, kind code) packed so numeric order is timeline order.
pub fn time_item(latest: Day, seq: u64, code: u8) -> u128 {
    (u128::from(latest.0) << 72) | (u128::from(seq) << 8) | u128::from(code)
}

/// Unpack a timeline posting into (latest, seq, kind code).
pub fn parse_time_item(item: u128) -> (Day, u64, u8) {
    (Day((item >> 72) as u32), (item >> 8) as u64, item as u8)
}

/// The seq inside a posting-list item (timeline items carry it above the kind code).
pub fn item_seq(key: &[u8], item: u128) -> u64 {
    if key.first() == Some(&TIME) {
        (item >> 8) as u64
    } else {
        item as u64
    }
}

/// A timeline position (earliest, latest, seq) as one ordered number.
pub fn position(earliest: Day, latest: Day, seq: u64) -> u128 {
    (u128::from(earliest.0) << 96) | (u128::from(latest.0) << 64) | u128::from(seq)
}

/// Split a position into (earliest, latest, seq).
pub fn parse_position(pos: u128) -> (Day, Day, u64) {
    (Day((pos >> 96) as u32), Day((pos >> 64) as u32), pos as u64)
}

/// The largest position whose earliest day is `day`: every entry counted as of `day`.
pub fn position_end_of(day: Day) -> u128 {
    position(day, Day(u32::MAX), u64::MAX)
}

fn view_bytes(view: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    let b = view.as_bytes();
    let n = b.len().min(16);
    out[..n].copy_from_slice(&b[..n]);
    out
}

pub fn checkpoint(view: &str, pos: u128) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = CHECKPOINT;
    k[1..17].copy_from_slice(&view_bytes(view));
    k[17..].copy_from_slice(&pos.to_be_bytes());
    k
}

pub fn parse_checkpoint_pos(key: &[u8]) -> Option<u128> {
    if key.len() != 33 || key[0] != CHECKPOINT {
        return None;
    }
    Some(u128::from_be_bytes(key[17..33].try_into().ok()?))
}

pub fn view_meta(view: &str) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = VIEW_META;
    k[1..].copy_from_slice(&view_bytes(view));
    k
}

pub fn touch(block: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = TOUCH;
    k[1..].copy_from_slice(&block.to_be_bytes());
    k
}

fn code_bytes(code: &Code) -> [u8; 16] {
    let mut out = [0u8; 16];
    let bytes = code.as_str().as_bytes();
    let n = bytes.len().min(16);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

pub fn actor_block(code: &Code, block: u64) -> [u8; 25] {
    let mut k = [0u8; 25];
    k[0] = ACTOR;
    k[1..17].copy_from_slice(&code_bytes(code));
    k[17..].copy_from_slice(&block.to_be_bytes());
    k
}

/// All actor-index keys of `code`: `[start, end)`.
pub fn actor_range(code: &Code) -> ([u8; 25], [u8; 25]) {
    (actor_block(code, 0), actor_block(code, u64::MAX))
}

pub fn amend(target_seq: u64, seq: u64) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = AMEND;
    k[1..9].copy_from_slice(&target_seq.to_be_bytes());
    k[9..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub fn parse_amend(key: &[u8]) -> Option<(u64, u64)> {
    if key.len() != 17 || key[0] != AMEND {
        return None;
    }
    Some((
        u64::from_be_bytes(key[1..9].try_into().ok()?),
        u64::from_be_bytes(key[9..17].try_into().ok()?),
    ))
}

/// `prefix view:16 len:u32 key`: the start of a row key's keys in keyspace `prefix`.
fn row_prefix(prefix: u8, view: &str, extra: &[u8], key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + 16 + extra.len() + 4 + key.len() + 24);
    k.push(prefix);
    k.extend_from_slice(&view_bytes(view));
    k.extend_from_slice(extra);
    k.extend_from_slice(&(key.len() as u32).to_be_bytes());
    k.extend_from_slice(key);
    k
}

/// The key of one row version: row `key` of `view`, at timeline position `pos`, recorded at
/// knowledge `known_from`.
pub fn row_version(view: &str, key: &[u8], pos: u128, known_from: u64) -> Vec<u8> {
    let mut k = row_prefix(ROW_VERSION, view, &[], key);
    k.extend_from_slice(&pos.to_be_bytes());
    k.extend_from_slice(&known_from.to_be_bytes());
    k
}

/// `[start, end)` of the versions of row `key` of `view` with position in `[from, to]`.
pub fn row_versions(view: &str, key: &[u8], from: u128, to: u128) -> (Vec<u8>, Vec<u8>) {
    let start = row_version(view, key, from, 0);
    let end = match to.checked_add(1) {
        Some(next) => row_version(view, key, next, 0),
        None => {
            let mut e = row_version(view, key, u128::MAX, u64::MAX);
            e.push(0);
            e
        }
    };
    (start, end)
}

/// The (position, known_from) of a row version key of `view` and `key`.
pub fn parse_row_version(key_len: usize, k: &[u8]) -> Option<(u128, u64)> {
    let at = 1 + 16 + 4 + key_len;
    if k.len() != at + 24 || k.first() != Some(&ROW_VERSION) {
        return None;
    }
    Some((
        u128::from_be_bytes(k[at..at + 16].try_into().ok()?),
        u64::from_be_bytes(k[at + 16..].try_into().ok()?),
    ))
}

/// The (row key, position, known_from) of any row version key.
pub fn split_row_version(k: &[u8]) -> Option<(&[u8], u128, u64)> {
    if k.first() != Some(&ROW_VERSION) {
        return None;
    }
    let len = u32::from_be_bytes(k.get(17..21)?.try_into().ok()?) as usize;
    let key = k.get(21..21 + len)?;
    let (pos, kf) = parse_row_version(len, k)?;
    Some((key, pos, kf))
}

/// The key of row `key` of `view` in the list of row keys.
pub fn row_key(view: &str, key: &[u8]) -> Vec<u8> {
    row_prefix(ROW_KEY, view, &[], key)
}

/// `[start, end)` of `view`'s entries in keyspace `prefix` (`W`, `N` or `M`).
pub fn row_space(prefix: u8, view: &str) -> (Vec<u8>, Vec<u8>) {
    let mut start = vec![prefix];
    start.extend_from_slice(&view_bytes(view));
    let mut end = start.clone();
    end.extend_from_slice(&[0xff; 5]);
    (start, end)
}

/// The row key bytes of a `N` key, or of a `M` key (which has a code before it).
pub fn parse_row_key(k: &[u8]) -> Option<&[u8]> {
    let at = match k.first() {
        Some(&ROW_KEY) => 17,
        Some(&ROW_MENTION) => 33,
        _ => return None,
    };
    let len = u32::from_be_bytes(k.get(at..at + 4)?.try_into().ok()?) as usize;
    let key = k.get(at + 4..)?;
    (key.len() == len).then_some(key)
}

/// The key recording that a fact of row `key` of `view` named `code`.
pub fn row_mention(view: &str, code: &Code, key: &[u8]) -> Vec<u8> {
    row_prefix(ROW_MENTION, view, &code_bytes(code), key)
}

/// `[start, end)` of the row keys of `view` whose facts named `code`.
pub fn row_mentions(view: &str, code: &Code) -> (Vec<u8>, Vec<u8>) {
    let mut start = vec![ROW_MENTION];
    start.extend_from_slice(&view_bytes(view));
    start.extend_from_slice(&code_bytes(code));
    let mut end = start.clone();
    end.extend_from_slice(&[0xff; 5]);
    (start, end)
}

/// `[start, end)` covering a whole keyspace.
pub fn keyspace(prefix: u8) -> ([u8; 1], [u8; 1]) {
    ([prefix], [prefix + 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_numerically_and_decode() {
        assert!(log(255) < log(256));
        assert!(time_bucket(Day(5)) < time_bucket(Day(256)));
        assert_eq!(parse_time_bucket(&time_bucket(Day(7))), Some(Day(7)));
        assert!(time_item(Day(5), u64::MAX >> 8, 0) < time_item(Day(6), 0, 0));
        assert_eq!(parse_time_item(time_item(Day(7), 9, 3)), (Day(7), 9, 3));
        assert!(position(Day(1), Day(9), 5) < position(Day(2), Day(2), 0));
        assert_eq!(
            parse_position(position(Day(1), Day(9), 5)),
            (Day(1), Day(9), 5)
        );
        assert!(checkpoint("arms", 5) < checkpoint("arms", 6));
        assert!(checkpoint("arms", u128::MAX) < checkpoint("armsx", 0));
        let us = Code::parse("USA").unwrap();
        let usa_x = Code::parse("USAX").unwrap();
        assert!(actor_block(&us, u64::MAX) < actor_block(&usa_x, 0));
        assert_eq!(parse_amend(&amend(4, 5)), Some((4, 5)));
        let (a, b) = (b"ab".as_slice(), b"abc".as_slice());
        assert!(row_version("arms", a, 9, 9) < row_version("arms", b, 0, 0));
        assert!(row_version("arms", a, 8, u64::MAX) < row_version("arms", a, 9, 0));
        assert_eq!(
            parse_row_version(2, &row_version("arms", a, 7, 3)),
            Some((7, 3))
        );
        assert_eq!(
            split_row_version(&row_version("arms", a, 7, 3)),
            Some((a, 7, 3))
        );
        assert_eq!(split_row_version(&row_key("arms", a)), None);
        let (start, end) = row_versions("arms", a, 3, 5);
        assert!(start <= row_version("arms", a, 3, 0) && row_version("arms", a, 5, u64::MAX) < end);
        assert!(row_version("arms", a, 6, 0) >= end);
        let (s0, e0) = row_space(ROW_KEY, "arms");
        assert!(s0 < row_key("arms", b) && row_key("arms", b) < e0);
        assert!(row_key("armsx", a) >= e0);
        assert_eq!(parse_row_key(&row_key("arms", b)), Some(b));
        assert_eq!(parse_row_key(&row_mention("arms", &us, a)), Some(a));
        let (s1, e1) = row_mentions("arms", &us);
        let m = row_mention("arms", &us, b);
        assert!(s1 < m && m < e1 && row_mention("arms", &usa_x, a) >= e1);
    }
}
