//! The derived indexes an append writes in the same batch as its records.
//!
//! Few entries per event, because every engine insert costs throughput (and, in sled,
//! memory): `I` id → seq, one per event; `R` (target, seq) for amendments only; and two
//! kinds of posting lists, which a batch merges so that it touches one stored value per
//! bucket instead of one per event: `T`, one list per earliest day of (latest, seq, kind
//! code), giving timeline order; `A`, one list per actor code and block of 4096 seqs.
//!
//! Invariant: every entry is a function of the log alone (`verify` recomputes them and
//! `rebuild` rewrites them from the log).

use super::record::{AMEND_CORRECTION, AMEND_RETRACTION, INDEX_VERSION};
use crate::error::{Error, Result, Structure};
use crate::format::{envelope, keys};
use crate::model::date::Date;
use crate::model::event::{Code, Content, Event, Kind};

/// The date an event sits at in timeline order: a fact's own date; a correction's
/// replacement's date (a correction's own `date` is informational only, so its place in
/// the timeline is where its replacement takes effect); a retraction's own date, or else
/// its target's timeline date.
pub(crate) fn timeline_date(content: &Content, target: Option<&Content>) -> Option<Date> {
    match &content.kind {
        Kind::Correction { replacement, .. } => replacement.date,
        Kind::Retraction { .. } => content
            .date
            .or_else(|| target.and_then(|t| timeline_date(t, None))),
        _ => content.date,
    }
}

/// The kind code stored in timeline postings (see `Content::posting_code`).
pub(crate) fn kind_code(content: &Content) -> u8 {
    content.posting_code()
}

/// Marks a timeline posting of a correction (the low bits are its replacement's kind).
pub(crate) use crate::model::event::CORRECTION_BIT;

/// A kind's posting code: its stored tag.
pub(crate) fn kind_index(kind: &Kind) -> u8 {
    kind.tag() as u8
}

/// The actor codes an event is indexed under: its own, or its target's for a retraction.
pub(crate) fn index_codes<'a>(content: &'a Content, target: Option<&'a Content>) -> Vec<&'a Code> {
    match (&content.kind, target) {
        (Kind::Retraction { .. }, Some(t)) => t.kind.codes(),
        (kind, _) => kind.codes(),
    }
}

/// The index entries of one event: its own keys, and its items in posting lists.
pub(crate) struct IndexEntries {
    pub id: [u8; 17],
    pub amend: Option<([u8; 17], u8)>,
    /// (bucket key, item) pairs: the timeline bucket and one per actor code.
    pub postings: Vec<(Vec<u8>, u128)>,
}

pub(crate) fn index_entries(event: &Event, target: Option<(u64, &Content)>) -> IndexEntries {
    let mut postings = Vec::new();
    if let Some(d) = timeline_date(&event.content, target.map(|t| t.1)) {
        postings.push((
            keys::time_bucket(d.earliest()).to_vec(),
            keys::time_item(d.latest(), event.seq, kind_code(&event.content)),
        ));
    }
    for code in index_codes(&event.content, target.map(|t| t.1)) {
        postings.push((
            keys::actor_block(code, event.seq / keys::ACTOR_BLOCK).to_vec(),
            u128::from(event.seq),
        ));
    }
    let amend = match (&event.content.kind, target) {
        (Kind::Retraction { .. }, Some((ts, _))) => {
            Some((keys::amend(ts, event.seq), AMEND_RETRACTION))
        }
        (Kind::Correction { .. }, Some((ts, _))) => {
            Some((keys::amend(ts, event.seq), AMEND_CORRECTION))
        }
        _ => None,
    };
    IndexEntries {
        id: keys::id(&event.id),
        amend,
        postings,
    }
}

pub(crate) fn seq_value(seq: u64) -> Vec<u8> {
    envelope::seal(keys::ID, INDEX_VERSION, &seq)
}

pub(crate) fn amend_value(kind: u8) -> Vec<u8> {
    envelope::seal(keys::AMEND, INDEX_VERSION, &kind)
}

/// Encode a sorted posting list (tag 'T' or 'A') as deltas.
pub(crate) fn posting_value(tag: u8, items: &[u128]) -> Vec<u8> {
    let mut deltas = Vec::with_capacity(items.len());
    let mut prev = 0u128;
    for &s in items {
        deltas.push(s - prev);
        prev = s;
    }
    envelope::seal(tag, INDEX_VERSION, &deltas)
}

/// Decode a posting list stored under `key` (its first byte is the tag).
pub(crate) fn decode_posting(key: &[u8], value: &[u8]) -> Result<Vec<u128>> {
    let tag = key.first().copied().unwrap_or(0);
    let structure = if tag == keys::TIME {
        Structure::TimelineIndex
    } else {
        Structure::ActorIndex
    };
    let deltas: Vec<u128> = envelope::open(tag, INDEX_VERSION, value)
        .map_err(|e| Error::corrupt_in(structure.clone(), e.to_string()))?;
    let mut out = Vec::with_capacity(deltas.len());
    let mut acc = 0u128;
    for d in deltas {
        acc = acc
            .checked_add(d)
            .ok_or_else(|| Error::corrupt_in(structure.clone(), "posting list overflows"))?;
        out.push(acc);
    }
    Ok(out)
}
