//! Which version of each event is in effect, maintained one event at a time, for the
//! SQLite designs that store derived rows (`sqlite-latest`, `sqlite-interval`).
//!
//! The rules are annals' (`src/log/timeline.rs`, `src/history/replay.rs`): at knowledge
//! `k`, a root (any non-amendment) is gone if a retraction of it is known; otherwise, among
//! its known corrections that are in effect themselves, the highest seq wins, recursively.
//! Fed the log in seq order, [`Resolver::add`] reports how event `s` changed the versions in
//! effect: a version *opened* at `s` is in effect for knowledge `[s, …)`, a version *closed*
//! at `s` was in effect up to `s - 1`. That is all a store needs to keep
//! `[known_from, known_to)` per version, at import and on every append.
//!
//! The resolution index (ids, amendments, roots) is held in memory and rebuilt from the
//! events table by a rebuild; the derived rows live in SQLite.

use annals::{Content, Date, Event, Kind};
use std::collections::HashMap;

/// A version in effect: the leaf's seq, its valid-time date and the content in effect (for
/// a correction, its replacement).
#[derive(Clone, Debug)]
pub struct Eff {
    pub seq: u64,
    pub d0: u32,
    pub d1: u32,
    pub date: Date,
    pub content: Content,
}

impl Eff {
    /// Timeline position: (earliest, latest, seq), as annals orders the timeline.
    pub fn pos(&self) -> (u32, u32, u64) {
        (self.d0, self.d1, self.seq)
    }
}

/// How one event changed the versions in effect.
pub enum Change {
    Opened(Eff),
    Closed(Eff),
}

#[derive(Default)]
pub struct Resolver {
    by_id: HashMap<uuid::Uuid, u64>,
    /// target seq -> its amendments (seq, is_retraction), in seq order.
    amendments: HashMap<u64, Vec<(u64, bool)>>,
    /// correction seq -> the root it ultimately replaces.
    root_of: HashMap<u64, u64>,
    /// Facts and corrections, by seq (what a leaf's content is read from).
    contents: HashMap<u64, Content>,
    /// root -> the version in effect now (absent when retracted or undated).
    open: HashMap<u64, Eff>,
}

impl Resolver {
    /// Take event `event` (the next in seq order) into account.
    pub fn add(&mut self, event: &Event) -> Vec<Change> {
        self.by_id.insert(event.id, event.seq);
        let (target, retraction) = match &event.content.kind {
            Kind::Correction { target, .. } => (*target, false),
            Kind::Retraction { target, .. } => (*target, true),
            _ => {
                self.contents.insert(event.seq, event.content.clone());
                return match self.eff(event.seq) {
                    Some(eff) => {
                        self.open.insert(event.seq, eff.clone());
                        vec![Change::Opened(eff)]
                    }
                    None => Vec::new(),
                };
            }
        };
        // An amendment of an unknown event is ignored, as annals ignores it.
        let Some(&t) = self.by_id.get(&target) else {
            return Vec::new();
        };
        let root = self.root_of.get(&t).copied().unwrap_or(t);
        let before = self.resolve(root);
        self.amendments
            .entry(t)
            .or_default()
            .push((event.seq, retraction));
        if !retraction {
            self.root_of.insert(event.seq, root);
            self.contents.insert(event.seq, event.content.clone());
        }
        let after = self.resolve(root);
        if before == after {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(old) = self.open.remove(&root) {
            out.push(Change::Closed(old));
        }
        if let Some(eff) = after.and_then(|leaf| self.eff(leaf)) {
            self.open.insert(root, eff.clone());
            out.push(Change::Opened(eff));
        }
        out
    }

    /// The effective form of the version at `leaf`, if it has a date.
    fn eff(&self, leaf: u64) -> Option<Eff> {
        let content = match self.contents.get(&leaf)? {
            Content {
                kind: Kind::Correction { replacement, .. },
                ..
            } => (**replacement).clone(),
            c => c.clone(),
        };
        let date = content.date?;
        Some(Eff {
            seq: leaf,
            d0: date.earliest().0,
            d1: date.latest().0,
            date,
            content,
        })
    }

    /// The leaf in effect of `root` now, or `None` when retracted (annals' own rule).
    fn resolve(&self, root: u64) -> Option<u64> {
        annals::replay::resolve_in(&self.amendments, root)
    }
}
