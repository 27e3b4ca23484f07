//! Time travel's core: which version of each event is in effect at a given knowledge, and
//! the effective timeline that views fold.
//!
//! Knowledge `k` is a seq: everything recorded at or before it is known, nothing after.
//! At knowledge `k` an event (a *root*: any non-amendment) is resolved like this:
//! - if a retraction of it is known, it is gone;
//! - otherwise, among the corrections that target it directly and are known and in effect
//!   themselves (not retracted), the one with the highest seq wins, and resolution
//!   continues from that correction (a correction can be corrected in turn);
//! - otherwise the event itself is in effect.
//!
//! So retracting a correction restores what it replaced, and a correction of a superseded
//! correction changes nothing. The version in effect (the *leaf*) sits in the timeline at
//! its own date with its own seq: position (earliest, latest, leaf seq).
//!
//! Invariants: resolution is iterative (no recursion depth limit on hostile chains); it
//! only reads entries with seq <= k, so an answer for knowledge k never changes when
//! events are appended later.

use super::{decode_posting, LogRead, AMEND_RETRACTION, CORRECTION_BIT};
use crate::error::{Error, Result, Structure};
use crate::format::keys;
use crate::model::date::{Date, Day};
use crate::model::event::{Content, Event, Kind};
use crate::storage::Engine;
use std::collections::HashMap;

/// One entry of the effective timeline: the version of an event in effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effective {
    /// Timeline position (earliest, latest, seq) packed by `keys::position`.
    pub pos: u128,
    /// The seq of the version in effect (the event itself or the correction replacing it).
    pub seq: u64,
    /// The valid-time date of the version in effect.
    pub date: Date,
    /// The content in effect (for a correction: its replacement).
    pub content: Content,
}

impl<'r> LogRead<'r> {
    /// The version in effect of the event at `root` (a non-amendment, or a correction when
    /// resolving a sub-tree) at knowledge `k`, or `None` when it is retracted.
    pub(crate) fn resolve(&self, root: u64, k: u64) -> Result<Option<u64>> {
        // Depth-first: each frame holds a node and its remaining candidate corrections,
        // highest seq first.
        let mut stack: Vec<(u64, Vec<u64>)> = Vec::new();
        let enter = |node: u64, stack: &mut Vec<(u64, Vec<u64>)>| -> Result<bool> {
            let amendments = if self.is_amended(node) {
                self.amendments_of(node, k)?
            } else {
                Vec::new()
            };
            if amendments.iter().any(|(_, kind)| *kind == AMEND_RETRACTION) {
                return Ok(false);
            }
            let mut corrections: Vec<u64> = amendments
                .into_iter()
                .filter(|(_, kind)| *kind != AMEND_RETRACTION)
                .map(|(s, _)| s)
                .collect();
            corrections.sort_unstable(); // popped from the end: highest seq first
            stack.push((node, corrections));
            Ok(true)
        };
        if !enter(root, &mut stack)? {
            return Ok(None);
        }
        while let Some((node, candidates)) = stack.last_mut() {
            match candidates.pop() {
                Some(c) => {
                    // A retracted correction is skipped; the next one down is tried.
                    enter(c, &mut stack)?;
                }
                None => return Ok(Some(*node)),
            }
        }
        Ok(None)
    }

    /// The root (the non-amendment event) a correction ultimately replaces.
    pub(crate) fn root_of(&self, seq: u64, content: &Content, k: u64) -> Result<u64> {
        let mut current_seq = seq;
        let mut current = content.kind.clone();
        let mut hops = 0u64;
        while let Kind::Correction { target, .. } = &current {
            let target_seq = self.lookup_id(target, k)?.ok_or_else(|| {
                Error::corrupt_seq(
                    current_seq,
                    format!("corrects {target}, which is not in the log"),
                )
            })?;
            if target_seq >= current_seq {
                return Err(Error::corrupt_seq(
                    current_seq,
                    "corrects an event recorded after it",
                ));
            }
            current_seq = target_seq;
            current = self.event_at(target_seq, k)?.content.kind;
            hops += 1;
            if hops > seq {
                return Err(Error::corrupt_seq(seq, "correction chain does not end"));
            }
        }
        Ok(current_seq)
    }

    /// The version in effect (seq and content) of the event at `root` at knowledge `k`.
    pub(crate) fn effective_of(&self, root: u64, k: u64) -> Result<Option<Effective>> {
        let Some(leaf) = self.resolve(root, k)? else {
            return Ok(None);
        };
        let event = self.event_at(leaf, k)?;
        Ok(effective_from(leaf, event.content))
    }

    /// If the timeline entry at `seq` is in effect at knowledge `k`, its effective form.
    /// `code` is the entry's kind code from the timeline index.
    pub(crate) fn entry_if_effective(
        &self,
        seq: u64,
        code: u8,
        k: u64,
    ) -> Result<Option<Effective>> {
        let event = self.event_at(seq, k)?;
        let in_effect = if code & CORRECTION_BIT != 0 {
            let root = self.root_of(seq, &event.content, k)?;
            self.resolve(root, k)? == Some(seq)
        } else if event.content.kind.is_amendment() {
            false // retractions sit in the timeline for `log` only
        } else {
            // Most events were never amended; only the others need resolving.
            !self.is_amended(seq) || self.resolve(seq, k)? == Some(seq)
        };
        Ok(if in_effect {
            effective_from(seq, event.content)
        } else {
            None
        })
    }

    /// The effective timeline at knowledge `k`: entries after position `after` (exclusive)
    /// whose earliest day is at or before `through` (inclusive; `None` = to the end), in
    /// timeline order, restricted to kind codes `wanted` accepts (checked before reading the
    /// log, so skipped kinds cost nothing).
    pub(crate) fn effective_entries<'a>(
        self,
        after: Option<u128>,
        through: Option<Day>,
        k: u64,
        wanted: &'a dyn Fn(u8) -> bool,
    ) -> impl Iterator<Item = Result<Effective>> + 'a
    where
        'r: 'a,
    {
        let log: &'r super::Log = self.log();
        let start_day = after.map(|p| keys::parse_position(p).0).unwrap_or(Day(0));
        let start = keys::time_bucket(start_day);
        let end = match through {
            Some(d) if d.0 < u32::MAX => keys::time_bucket(Day(d.0 + 1)).to_vec(),
            _ => vec![keys::TIME + 1],
        };
        log.engine
            .scan(&start, &end)
            .flat_map(move |item| {
                let entries: Vec<Result<(u128, u64, u8)>> = match item.and_then(|(key, value)| {
                    let earliest = keys::parse_time_bucket(&key).ok_or_else(|| {
                        Error::corrupt_in(Structure::TimelineIndex, "malformed key")
                    })?;
                    Ok((earliest, decode_posting(&key, &value)?))
                }) {
                    Err(e) => vec![Err(e)],
                    Ok((earliest, items)) => items
                        .into_iter()
                        .map(keys::parse_time_item)
                        .filter(|(_, seq, code)| *seq <= k && wanted(*code & !CORRECTION_BIT))
                        .map(|(latest, seq, code)| {
                            Ok((keys::position(earliest, latest, seq), seq, code))
                        })
                        .filter(|r| match (r, after) {
                            (Ok((pos, _, _)), Some(a)) => *pos > a,
                            _ => true,
                        })
                        .collect(),
                };
                entries
            })
            .filter_map(move |entry| match entry {
                Err(e) => Some(Err(e)),
                Ok((_, seq, code)) => self.entry_if_effective(seq, code, k).transpose(),
            })
    }

    /// The timeline positions (with kind codes) event `seq` touched when it was appended:
    /// its own position for a fact; the positions of the version in effect before and
    /// after it for an amendment.
    pub(crate) fn touched_by_with_codes(&self, seq: u64, k: u64) -> Result<Vec<(u128, u8)>> {
        self.touched_by_event(self.event_at(seq, k)?, k)
    }

    /// [`LogRead::touched_by_with_codes`] for an event already read.
    pub(crate) fn touched_by_event(&self, event: Event, k: u64) -> Result<Vec<(u128, u8)>> {
        let (before, after) = self.versions_around(event, k)?;
        Ok(before
            .into_iter()
            .chain(after)
            .map(|e| (e.pos, crate::log::kind_index(&e.content.kind)))
            .collect())
    }

    /// The effective entries of what `event` is about, in effect just before it (knowledge
    /// seq − 1) and just after (knowledge seq): for a fact, nothing and itself; for an
    /// amendment, its root's version at each (`k` is the knowledge the lookups use).
    pub(crate) fn versions_around(
        &self,
        event: Event,
        k: u64,
    ) -> Result<(Option<Effective>, Option<Effective>)> {
        let seq = event.seq;
        if !event.content.kind.is_amendment() {
            return Ok((None, effective_from(seq, event.content)));
        }
        let root = self.amended_root(&event, k)?;
        Ok((
            self.effective_of(root, seq - 1)?,
            self.effective_of(root, seq)?,
        ))
    }

    /// The root (non-amendment) event that amendment `event` ultimately amends.
    pub(crate) fn amended_root(&self, event: &Event, k: u64) -> Result<u64> {
        let target = event.content.kind.target().unwrap_or_default();
        let target_seq = self.lookup_id(&target, k)?.ok_or_else(|| {
            Error::corrupt_seq(
                event.seq,
                format!("amends {target}, which is not in the log"),
            )
        })?;
        let target_event = self.event_at(target_seq, k)?;
        self.root_of(target_seq, &target_event.content, k)
    }

    pub(crate) fn touched_by(&self, seq: u64, k: u64) -> Result<Vec<u128>> {
        Ok(self
            .touched_by_with_codes(seq, k)?
            .into_iter()
            .map(|(p, _)| p)
            .collect())
    }
}

/// The effective entry of a version: a fact, or a correction standing for its replacement.
pub(crate) fn effective_from(seq: u64, content: Content) -> Option<Effective> {
    let content = match content.kind {
        Kind::Correction { replacement, .. } => *replacement,
        Kind::Retraction { .. } => return None,
        _ => content,
    };
    let date = content.date?;
    Some(Effective {
        pos: keys::position(date.earliest(), date.latest(), seq),
        seq,
        date,
        content,
    })
}

/// The seq of the version in effect of `root`, or `None` when it is retracted, given every
/// known amendment by target seq as (seq, is_retraction): the rule of `log/timeline.rs`
/// (a known retraction removes the event; else the highest-seq correction in effect wins,
/// recursively) over an in-memory map, iteratively.
pub fn resolve_in(amendments: &HashMap<u64, Vec<(u64, bool)>>, root: u64) -> Option<u64> {
    let enter = |node: u64, stack: &mut Vec<(u64, Vec<u64>)>| -> bool {
        let list = amendments.get(&node);
        if list.is_some_and(|l| l.iter().any(|(_, retraction)| *retraction)) {
            return false;
        }
        let mut corrections: Vec<u64> = list
            .map(|l| l.iter().map(|(s, _)| *s).collect())
            .unwrap_or_default();
        corrections.sort_unstable(); // popped from the end: highest seq first
        stack.push((node, corrections));
        true
    };
    let mut stack = Vec::new();
    if !enter(root, &mut stack) {
        return None;
    }
    while let Some((node, candidates)) = stack.last_mut() {
        match candidates.pop() {
            Some(c) => {
                enter(c, &mut stack);
            }
            None => return Some(*node),
        }
    }
    None
}
