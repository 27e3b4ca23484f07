//! The bitemporal row-version index of keyed views (`views::KeyedView`).
//!
//! For every row key of a keyed view, the index keeps one *version* per fact that the
//! effective timeline folded into that key: the key's entry after the fact, valid from the
//! fact's timeline position until the next version's (valid time), and known from the seq
//! that wrote it until the seq that replaced it (`known_to`, open while current). At
//! knowledge `k` the versions with `known_from <= k < known_to` of one key form its chain
//! at `k`: one version per fact in effect at `k`, in position order.
//!
//! - An as-of-D, known-at-k answer is, per row key, one reverse probe: the first version at
//!   or before position end-of-D visible at `k`; keys not yet born at D, or known dead by
//!   then, are skipped from their `N` record. A view with few versions per key is read in
//!   one scan instead (`StoreOptions::row_scan_ratio`). A filter by actor probes only the
//!   keys whose facts named it (`M`).
//! - An append is absorbed event by event, in seq order, at that event's knowledge `s`: the
//!   entries it put in or took out of the effective timeline name the keys it touches;
//!   each such key is refolded from the earliest touched position, starting from its
//!   version just before. New versions are written with `known_from = s`; versions that
//!   differ are closed (`known_to = s`) and kept, never deleted, so every earlier known-at
//!   answer stays exactly reproducible. An append after the key's last version (the usual
//!   case) reads one version and writes one. A backdated fact rewrites that key's
//!   versions from its position on, and no other key's.
//!
//! Invariants: per key, at any knowledge at most one visible version per position, and the
//! visible versions are exactly the folds of the facts in effect at that knowledge (verify
//! checks the head's chains against a fold of the log); versions are closed, never
//! deleted (but one opened and closed by the same seq, which no knowledge sees); the row
//! key list `N` holds every key with a version, with the smallest position of any, and
//! `ends` only while the key's chain has not changed since its seq.
//!
//! Cost: a fact dated before n versions of its key rewrites those n (a running total
//! changes at every later version), so facts arriving in reverse date order into one key
//! store n(n+1)/2 versions; `benches/README.md` measures it.
//!
//! Byte layout: `schema/storage.md` §10.

use super::materialize::Fold;
use crate::error::{Error, Result, Structure};
use crate::format::{envelope, keys};
use crate::log::timeline::{effective_from, Effective};
use crate::model::event::{Code, Event};
use crate::storage::{Batch, Engine};
use crate::views::{ErasedKeyed, ErasedState, ErasedView, Fact, Refolded};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The envelope version of `W`, `N` and `M` values.
pub(crate) const ROWS_VERSION: u8 = 1;

/// The stored form of a row key (`N`): what lets a full answer skip a key without
/// reading its versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RowKeyRecord {
    /// The smallest position of any version of the key, at any knowledge: before it the
    /// key is absent whatever the knowledge.
    pub first: u128,
    /// `Some((p, s))`: at every knowledge from `s` on (`s` is the seq that last rewrote the
    /// key's versions), the key's last version is at `p` and says absent, so the key is
    /// absent at every position from `p` on.
    pub ends: Option<(u128, u64)>,
}

impl RowKeyRecord {
    /// Whether the key is surely absent at position `through` as known at `k`.
    fn absent(&self, through: u128, k: u64) -> bool {
        through < self.first || self.ends.is_some_and(|(p, s)| through >= p && k >= s)
    }
}

/// How many versions and row keys an absorb added to a view.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Added {
    pub versions: u64,
    pub keys: u64,
}

/// The stored form of a row version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VersionRecord {
    /// The seq that replaced this version; `None` while it is current.
    pub known_to: Option<u64>,
    /// The bincode of the key's entry after the fact; `None` when the key is absent.
    pub entry: Option<Vec<u8>>,
}

impl VersionRecord {
    fn visible_at(&self, known_from: u64, k: u64) -> bool {
        known_from <= k && self.known_to.is_none_or(|t| t > k)
    }
}

fn corrupt(view: &'static str, reason: impl Into<String>) -> Error {
    Error::corrupt_in(Structure::RowIndex { view }, reason.into())
}

fn open_version(view: &'static str, bytes: &[u8]) -> Result<VersionRecord> {
    envelope::open(keys::ROW_VERSION, ROWS_VERSION, bytes)
        .map_err(|e| corrupt(view, format!("{e}; run `annals rebuild`")))
}

/// One key's versions as loaded by an absorb. Knowledge only rises during an absorb, so
/// a version closed (or found closed) is never visible again: only current versions are
/// kept, and the closed ones wait in `closed` to be written.
#[derive(Default)]
struct Chain {
    /// The current versions with position >= `loaded_from`: position -> (known_from,
    /// entry). Those with known_from above the absorb's `written_through` are not stored
    /// yet (this absorb opened them).
    current: BTreeMap<u128, (u64, Option<Vec<u8>>)>,
    /// The versions this absorb closed, to be written (or deleted: opened and closed by
    /// the same seq, which no knowledge sees).
    closed: Vec<((u128, u64), Option<VersionRecord>)>,
    /// Every current version at or after this position is in `current`.
    loaded_from: Option<u128>,
    /// The seq of this absorb's last refold that changed the key's versions (0: none).
    refolded_at: u64,
    /// The smallest position this absorb opened a version at.
    first: Option<u128>,
}

impl Chain {
    /// The entry of the current version before `from` (`None` when there is none or the
    /// key was absent), and the positions of the current versions from `from` on.
    fn at(&self, from: u128) -> (Option<Vec<u8>>, Vec<u128>) {
        let base = self
            .current
            .range(..from)
            .next_back()
            .and_then(|(_, (_, entry))| entry.clone());
        (base, self.current.range(from..).map(|(&p, _)| p).collect())
    }

    /// Whether the current version before `from` is loaded (or none exists).
    fn has_base(&self, from: u128) -> bool {
        self.loaded_from == Some(0) || self.current.range(..from).next_back().is_some()
    }
}

/// A current version as read from storage: (position, known_from, entry).
type Current = (u128, u64, Option<Vec<u8>>);

/// What one absorb found and will write for one keyed view.
struct ViewRows<'v> {
    view: &'v dyn ErasedView,
    keyed: &'v dyn ErasedKeyed,
    chains: HashMap<Vec<u8>, Chain>,
    mentions: BTreeSet<(Code, Vec<u8>)>,
    added: Added,
}

/// The absorb of a run of events into the row-version index of every keyed view, in seq
/// order (see the module documentation). Writes nothing until [`Absorb::finish`].
pub(crate) struct Absorb<'a, 'v> {
    fold: Fold<'a>,
    views: Vec<ViewRows<'v>>,
    /// Events after this seq are new: the fold's verdicts on them are kept.
    old_head: u64,
    /// The latest verdict of a view's fold on a new event (seq, view): `Err` is an oddity.
    verdicts: BTreeMap<(u64, &'static str), std::result::Result<(), String>>,
    /// Versions refolded since the last drain (what is held in memory, roughly).
    refolded: usize,
    /// Every version with known_from at or below this seq is stored; the current versions
    /// above it were opened by this absorb and are written by the next drain.
    written_through: u64,
    /// The last seq absorbed.
    last: u64,
}

impl<'a, 'v> Absorb<'a, 'v> {
    /// An absorb of events after `old_head` (whose verdicts it keeps) into an index that
    /// holds every version known at `written_through` (the old head; 0 for a rebuild).
    pub(crate) fn new(
        fold: Fold<'a>,
        views: impl Iterator<Item = &'v dyn ErasedView>,
        old_head: u64,
        written_through: u64,
    ) -> Self {
        let views = views
            .filter_map(|view| {
                view.keyed().map(|keyed| ViewRows {
                    view,
                    keyed,
                    chains: HashMap::new(),
                    mentions: BTreeSet::new(),
                    added: Added::default(),
                })
            })
            .collect();
        Absorb {
            fold,
            views,
            old_head,
            verdicts: BTreeMap::new(),
            refolded: 0,
            written_through,
            last: written_through,
        }
    }

    /// Absorb event `event` (its seq is its knowledge).
    pub(crate) fn event(&mut self, event: Event) -> Result<()> {
        let s = event.seq;
        self.last = s;
        let (before, after) = self.fold.entries_touched(event, s)?;
        for i in 0..self.views.len() {
            let touched = touched_keys(&self.views[i], &before, &after);
            for (key, t) in touched {
                self.refold(i, key, t, s)?;
            }
        }
        Ok(())
    }

    /// How many versions are held in memory (to bound a long absorb).
    pub(crate) fn held(&self) -> usize {
        self.refolded
    }

    /// Refold row `key` of view `i` at knowledge `s` after the touches `t`.
    fn refold(&mut self, i: usize, key: Vec<u8>, t: KeyTouch<'_>, s: u64) -> Result<()> {
        self.load(i, &key, t.from, s - 1)?;
        let v = &self.views[i];
        let chain = v.chains.get(&key).map(|c| c.at(t.from));
        let (base, old) = chain.unwrap_or_default();
        let facts = self.facts_in_effect(v.view.name(), &old, &t, s)?;
        let list = facts_of(facts.values());
        let refolded = v
            .keyed
            .refold(&key, base.as_deref(), &list)
            .ok_or_else(|| corrupt(v.view.name(), "a row key or entry does not decode"))?;
        self.keep_verdicts(i, &list, &refolded);
        let new: Vec<(u128, Option<Vec<u8>>)> = facts
            .keys()
            .copied()
            .zip(refolded.into_iter().map(|(entry, _)| entry))
            .collect();
        for e in t.added {
            for code in e.content.kind.codes() {
                self.views[i].mentions.insert((code.clone(), key.clone()));
            }
        }
        self.refolded += old.len() + new.len() + 1;
        self.rewrite(i, key, old, new, s);
        Ok(())
    }

    /// The facts of a key in effect at `s` from the touched position on: the old chain's
    /// (at positions `old`, read from the log), less the entries the event took out, plus
    /// those it put in.
    fn facts_in_effect(
        &self,
        name: &'static str,
        old: &[u128],
        t: &KeyTouch<'_>,
        s: u64,
    ) -> Result<BTreeMap<u128, Effective>> {
        let mut facts = BTreeMap::new();
        for &pos in old.iter().filter(|p| !t.removed.contains(p)) {
            let seq = pos as u64;
            let event = self.fold.event_at(seq, s)?;
            let e = effective_from(seq, event.content)
                .ok_or_else(|| corrupt(name, format!("a version names seq {seq}, not a fact")))?;
            facts.insert(pos, e);
        }
        for e in &t.added {
            facts.insert(e.pos, (*e).clone());
        }
        Ok(facts)
    }

    /// Keep view `i`'s verdicts on the new events among `facts` (those it may reject).
    fn keep_verdicts(&mut self, i: usize, facts: &[Fact<'_>], refolded: &Refolded) {
        let view = self.views[i].view;
        for (fact, (_, verdict)) in facts.iter().zip(refolded) {
            let code = crate::log::kind_index(&fact.content.kind);
            if fact.seq > self.old_head && view.may_reject_code(code) {
                self.verdicts
                    .insert((fact.seq, view.name()), verdict.clone());
            }
        }
    }

    /// Close the old versions that the new chain does not keep and open the new ones.
    fn rewrite(
        &mut self,
        i: usize,
        key: Vec<u8>,
        old: Vec<u128>,
        new: Vec<(u128, Option<Vec<u8>>)>,
        s: u64,
    ) {
        let v = &mut self.views[i];
        let chain = v.chains.entry(key).or_default();
        let closed_before = chain.closed.len();
        if let Some(&(p, _)) = new.first() {
            chain.first = Some(chain.first.map_or(p, |f| f.min(p)));
        }
        let mut new_at: BTreeMap<u128, Option<Vec<u8>>> = new.into_iter().collect();
        for pos in old {
            let Some((kf, entry)) = chain.current.remove(&pos) else {
                continue;
            };
            if new_at.get(&pos) == Some(&entry) {
                new_at.remove(&pos);
                chain.current.insert(pos, (kf, entry));
                continue;
            }
            let closed = (kf < s).then_some(VersionRecord {
                known_to: Some(s),
                entry,
            });
            chain.closed.push(((pos, kf), closed));
        }
        // A refold that changed nothing leaves the key's `N` record as it is.
        if !new_at.is_empty() || chain.closed.len() > closed_before {
            chain.refolded_at = s;
        }
        for (pos, entry) in new_at {
            chain.current.insert(pos, (s, entry));
        }
    }

    /// Make sure row `key` of view `i` holds every current version from `from` on, and
    /// the one just before it (current = visible at `k`, the knowledge before the event).
    fn load(&mut self, i: usize, key: &[u8], from: u128, k: u64) -> Result<()> {
        let engine = &self.fold.engine;
        let v = &mut self.views[i];
        let name = v.view.name();
        let chain = v.chains.entry(key.to_vec()).or_default();
        let loaded = chain.loaded_from.unwrap_or(u128::MAX);
        if loaded <= from && chain.has_base(from) {
            return Ok(());
        }
        // The current version of a stored (pos, known_from, record), if it is one.
        let read = |item: Result<(Vec<u8>, Vec<u8>)>| -> Result<Option<Current>> {
            let (k2, value) = item?;
            let (pos, kf) = keys::parse_row_version(key.len(), &k2)
                .ok_or_else(|| corrupt(name, "malformed row version key"))?;
            if kf > k {
                return Err(corrupt(
                    name,
                    "a row version is newer than the head; run `annals rebuild`",
                ));
            }
            let rec = open_version(name, &value)?;
            Ok(rec.visible_at(kf, k).then_some((pos, kf, rec.entry)))
        };
        // Forward: [from, loaded), which this absorb has not seen yet.
        if from < loaded {
            let start = keys::row_version(name, key, from, 0);
            let end = match chain.loaded_from {
                Some(l) => keys::row_version(name, key, l, 0),
                None => keys::row_versions(name, key, 0, u128::MAX).1,
            };
            for item in engine.scan(&start, &end) {
                if let Some((pos, kf, entry)) = read(item)? {
                    chain.current.insert(pos, (kf, entry));
                }
            }
            chain.loaded_from = Some(from);
        }
        // Backward from `from` to the first current version.
        if !chain.has_base(from) {
            let start = keys::row_version(name, key, 0, 0);
            let end = keys::row_version(name, key, from, 0);
            let mut lowest = 0;
            for item in engine.scan_rev(&start, &end) {
                if let Some((pos, kf, entry)) = read(item)? {
                    chain.current.insert(pos, (kf, entry));
                    lowest = pos;
                    break;
                }
            }
            chain.loaded_from = Some(lowest);
        }
        Ok(())
    }

    /// The oddities of the new events: the latest verdict of each view that may reject it.
    pub(crate) fn oddities(&self) -> Vec<(u64, String)> {
        self.verdicts
            .iter()
            .filter_map(|(&(seq, view), verdict)| {
                verdict
                    .as_ref()
                    .err()
                    .map(|reason| (seq, format!("{view} view: {reason}")))
            })
            .collect()
    }

    /// What this absorb added to each view so far, by view name.
    pub(crate) fn added(&self) -> Vec<(&'static str, Added)> {
        self.views
            .iter()
            .map(|v| (v.view.name(), v.added))
            .collect()
    }

    /// Write the `N` record of a key this absorb refolded; 1 when the key is new.
    fn put_row_key(
        fold: Fold<'_>,
        name: &'static str,
        key: &[u8],
        chain: &Chain,
        batch: &mut Batch,
    ) -> Result<u64> {
        let k = keys::row_key(name, key);
        let stored = read_row_key(fold, name, &k)?;
        let Some(first) = stored.map(|r| r.first).into_iter().chain(chain.first).min() else {
            return Ok(0); // no version at all
        };
        let ends = match chain.current.last_key_value() {
            Some((&p, (_, None))) => Some((p, chain.refolded_at)),
            _ => None,
        };
        let record = RowKeyRecord { first, ends };
        // Unchanged (an append after a live key's last version): no write.
        if stored != Some(record) {
            batch.put(k, envelope::seal(keys::ROW_KEY, ROWS_VERSION, &record));
        }
        Ok(u64::from(stored.is_none()))
    }

    /// Move every write into `batch`, leaving the absorb empty (ready for more events).
    pub(crate) fn drain_into(&mut self, batch: &mut Batch) -> Result<()> {
        self.refolded = 0;
        let unwritten = self.written_through;
        self.written_through = self.last;
        for v in &mut self.views {
            let name = v.view.name();
            let chains: Vec<(Vec<u8>, Chain)> = v.chains.drain().collect();
            for (key, mut chain) in chains {
                if chain.refolded_at > 0 {
                    v.added.keys += Absorb::put_row_key(self.fold, name, &key, &chain, batch)?;
                }
                for (pos, (kf, entry)) in std::mem::take(&mut chain.current) {
                    if kf > unwritten {
                        v.added.versions += 1;
                        let rec = VersionRecord {
                            known_to: None,
                            entry,
                        };
                        chain.closed.push(((pos, kf), Some(rec)));
                    }
                }
                for ((pos, kf), rec) in chain.closed {
                    let k = keys::row_version(name, &key, pos, kf);
                    match rec {
                        Some(rec) => {
                            batch.put(k, envelope::seal(keys::ROW_VERSION, ROWS_VERSION, &rec))
                        }
                        None => batch.delete(k),
                    }
                }
            }
            for (code, key) in std::mem::take(&mut v.mentions) {
                let k = keys::row_mention(name, &code, &key);
                // Most appends name codes their key already had: a read, not a write.
                if self.fold.engine.get(&k)?.is_none() {
                    batch.put(k, envelope::seal(keys::ROW_MENTION, ROWS_VERSION, &()));
                }
            }
        }
        Ok(())
    }
}

/// The facts a view folds for these effective entries.
fn facts_of<'e>(entries: impl Iterator<Item = &'e Effective>) -> Vec<Fact<'e>> {
    entries
        .map(|e| Fact {
            seq: e.seq,
            date: &e.date,
            content: &e.content,
        })
        .collect()
}

/// The stored `N` record at key `k`, if any.
fn read_row_key(fold: Fold<'_>, name: &'static str, k: &[u8]) -> Result<Option<RowKeyRecord>> {
    match fold.engine.get(k)? {
        Some(bytes) => envelope::open(keys::ROW_KEY, ROWS_VERSION, &bytes)
            .map(Some)
            .map_err(|e| corrupt(name, format!("{e}; run `annals rebuild`"))),
        None => Ok(None),
    }
}

/// The touches of one event on one row key: the earliest position, and the effective
/// entries taken out of and put into the timeline there.
struct KeyTouch<'e> {
    from: u128,
    removed: Vec<u128>,
    added: Vec<&'e Effective>,
}

/// The keys of view `v` that the entries `before` (taken out) and `after` (put in) touch.
fn touched_keys<'e>(
    v: &ViewRows<'_>,
    before: &'e [Effective],
    after: &'e [Effective],
) -> BTreeMap<Vec<u8>, KeyTouch<'e>> {
    let mut out: BTreeMap<Vec<u8>, KeyTouch<'e>> = BTreeMap::new();
    let key_of = |e: &Effective| {
        let code = crate::log::kind_index(&e.content.kind);
        if v.view.consumes_code(code) {
            v.keyed.key_of(&e.content)
        } else {
            None
        }
    };
    fn touch<'m, 'e>(
        out: &'m mut BTreeMap<Vec<u8>, KeyTouch<'e>>,
        key: Vec<u8>,
        pos: u128,
    ) -> &'m mut KeyTouch<'e> {
        let t = out.entry(key).or_insert(KeyTouch {
            from: pos,
            removed: Vec::new(),
            added: Vec::new(),
        });
        t.from = t.from.min(pos);
        t
    }
    for e in before {
        if let Some(key) = key_of(e) {
            touch(&mut out, key, e.pos).removed.push(e.pos);
        }
    }
    for e in after {
        if let Some(key) = key_of(e) {
            touch(&mut out, key, e.pos).added.push(e);
        }
    }
    out
}

impl Fold<'_> {
    /// The effective state of keyed `view` as of position `through` at knowledge `k`: every
    /// row key's visible version (only the keys whose facts named `actor`, if given).
    pub(crate) fn row_state(
        &self,
        view: &dyn ErasedView,
        keyed: &dyn ErasedKeyed,
        through: u128,
        k: u64,
        actor: Option<&Code>,
    ) -> Result<Box<dyn ErasedState>> {
        let name = view.name();
        let (start, end) = match actor {
            Some(code) => keys::row_mentions(name, code),
            None if self.scan_is_cheaper(view)? => {
                let entries = self.scan_rows(name, through, k)?;
                return keyed.state_from(entries).ok_or_else(|| {
                    corrupt(
                        name,
                        "a row key or entry does not decode; run `annals rebuild`",
                    )
                });
            }
            None => keys::row_space(keys::ROW_KEY, name),
        };
        let mut entries = Vec::new();
        for item in self.engine.scan(&start, &end) {
            let (k2, value) = item?;
            let key = keys::parse_row_key(&k2).ok_or_else(|| corrupt(name, "malformed row key"))?;
            if actor.is_none() {
                let record: RowKeyRecord = envelope::open(keys::ROW_KEY, ROWS_VERSION, &value)
                    .map_err(|e| corrupt(name, format!("{e}; run `annals rebuild`")))?;
                if record.absent(through, k) {
                    continue;
                }
            }
            if let Some(entry) = self.probe(name, key, through, k)? {
                entries.push((key.to_vec(), entry));
            }
        }
        keyed.state_from(entries).ok_or_else(|| {
            corrupt(
                name,
                "a row key or entry does not decode; run `annals rebuild`",
            )
        })
    }

    /// Whether one scan of all of `view`'s versions costs less than a probe per row key:
    /// a probe (a B-tree descent) costs about as much as reading `row_scan_ratio` (4)
    /// versions in a scan (measured at 100k events: arms, 2.3 versions per key, answers
    /// in 10.8 ms by scan and 18 ms by probes; deployments, 6 per key, in 6.0 and 4.9 ms),
    /// times the engine's [`Engine::probe_cost_factor`] (a round trip, on PostgreSQL).
    fn scan_is_cheaper(&self, view: &dyn ErasedView) -> Result<bool> {
        let ratio = self
            .materializer()
            .row_scan_ratio
            .saturating_mul(self.engine.probe_cost_factor());
        Ok(self
            .view_meta(view)?
            .is_some_and(|m| m.versions < m.keys.saturating_mul(ratio)))
    }

    /// Every row key's entry at position `through` as known at `k`, from one scan of all
    /// of `view`'s versions in key order: for each key, the last version at or before
    /// `through` visible at `k`.
    fn scan_rows(
        &self,
        name: &'static str,
        through: u128,
        k: u64,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let (start, end) = keys::row_space(keys::ROW_VERSION, name);
        let mut out = Vec::new();
        // The key being scanned and its entry so far.
        let mut group: Option<(Vec<u8>, Option<Vec<u8>>)> = None;
        for item in self.engine.scan(&start, &end) {
            let (k2, value) = item?;
            let (key, pos, kf) = keys::split_row_version(&k2)
                .ok_or_else(|| corrupt(name, "malformed row version key"))?;
            if group.as_ref().is_none_or(|(g, _)| g.as_slice() != key) {
                if let Some((g, Some(entry))) = group.take() {
                    out.push((g, entry));
                }
                group = Some((key.to_vec(), None));
            }
            if pos > through || kf > k {
                continue;
            }
            let rec = open_version(name, &value)?;
            if rec.visible_at(kf, k) {
                if let Some((_, entry)) = group.as_mut() {
                    *entry = rec.entry;
                }
            }
        }
        if let Some((g, Some(entry))) = group {
            out.push((g, entry));
        }
        Ok(out)
    }

    /// The entry of row `key` at position `through` as known at `k`.
    fn probe(
        &self,
        name: &'static str,
        key: &[u8],
        through: u128,
        k: u64,
    ) -> Result<Option<Vec<u8>>> {
        let (start, end) = keys::row_versions(name, key, 0, through);
        for item in self.engine.scan_rev(&start, &end) {
            let (k2, value) = item?;
            let (_, kf) = keys::parse_row_version(key.len(), &k2)
                .ok_or_else(|| corrupt(name, "malformed row version key"))?;
            if kf > k {
                continue;
            }
            let rec = open_version(name, &value)?;
            if rec.visible_at(kf, k) {
                return Ok(rec.entry);
            }
        }
        Ok(None)
    }

    /// The entries event `event` took out of (at knowledge `s - 1`) and put into (at `s`)
    /// the effective timeline.
    pub(crate) fn entries_touched(
        &self,
        event: Event,
        s: u64,
    ) -> Result<(Vec<Effective>, Vec<Effective>)> {
        let (before, after) = self.versions_around(event, s)?;
        if before == after {
            return Ok((Vec::new(), Vec::new()));
        }
        Ok((before.into_iter().collect(), after.into_iter().collect()))
    }

    /// Delete every `W`, `N` and `M` entry of `view` into `batch`.
    pub(crate) fn drop_rows(&self, view: &dyn ErasedView, batch: &mut Batch) -> Result<()> {
        for prefix in [keys::ROW_VERSION, keys::ROW_KEY, keys::ROW_MENTION] {
            let (start, end) = keys::row_space(prefix, view.name());
            for item in self.engine.scan(&start, &end) {
                batch.delete(item?.0);
            }
        }
        Ok(())
    }

    /// Check keyed `view`'s index at the head's knowledge against a fold of the log: every
    /// key's visible chain must be exactly the fold's entries after each fact. Returns the
    /// number of versions checked.
    pub(crate) fn verify_rows(
        &self,
        view: &dyn ErasedView,
        keyed: &dyn ErasedKeyed,
        head: u64,
    ) -> Result<u64> {
        let name = view.name();
        // The expected chains, from one fold of the effective timeline.
        let mut facts: BTreeMap<Vec<u8>, Vec<Effective>> = BTreeMap::new();
        let wanted = |code: u8| view.consumes_code(code);
        for e in self.effective_entries(None, None, head, &wanted) {
            let e = e?;
            if let Some(key) = keyed.key_of(&e.content) {
                facts.entry(key).or_default().push(e);
            }
        }
        let mut checked = 0;
        let (start, end) = keys::row_space(keys::ROW_KEY, name);
        let mut listed = BTreeSet::new();
        for item in self.engine.scan(&start, &end) {
            let (k2, _) = item?;
            let key = keys::parse_row_key(&k2).ok_or_else(|| corrupt(name, "malformed row key"))?;
            listed.insert(key.to_vec());
        }
        for (key, list) in &facts {
            if !listed.contains(key) {
                return Err(corrupt(
                    name,
                    "a row key is missing from the key list; run `annals rebuild`",
                ));
            }
            let refs = facts_of(list.iter());
            let want: Vec<(u128, Option<Vec<u8>>)> = keyed
                .refold(key, None, &refs)
                .ok_or_else(|| corrupt(name, "a row key does not decode"))?
                .into_iter()
                .zip(list)
                .map(|((entry, _), e)| (e.pos, entry))
                .collect();
            let got = self.visible_chain(name, key, head)?;
            if got != want {
                let (d, _, s) = keys::parse_position(
                    got.iter()
                        .zip(&want)
                        .find(|(a, b)| a != b)
                        .map_or(0, |(a, _)| a.0),
                );
                return Err(corrupt(name, format!("a row's versions differ from a fold of the log (near {d}, seq {s}); run `annals rebuild`")));
            }
            checked += got.len() as u64;
        }
        for key in listed.difference(&facts.keys().cloned().collect()) {
            if !self.visible_chain(name, key, head)?.is_empty() {
                return Err(corrupt(
                    name,
                    "a row has versions no fact of the log explains; run `annals rebuild`",
                ));
            }
        }
        Ok(checked)
    }

    /// The visible versions of row `key` at knowledge `k`, as (position, entry).
    fn visible_chain(
        &self,
        name: &'static str,
        key: &[u8],
        k: u64,
    ) -> Result<Vec<(u128, Option<Vec<u8>>)>> {
        let (start, end) = keys::row_versions(name, key, 0, u128::MAX);
        let mut out: Vec<(u128, Option<Vec<u8>>)> = Vec::new();
        for item in self.engine.scan(&start, &end) {
            let (k2, value) = item?;
            let (pos, kf) = keys::parse_row_version(key.len(), &k2)
                .ok_or_else(|| corrupt(name, "malformed row version key"))?;
            let rec = open_version(name, &value)?;
            if rec.visible_at(kf, k) {
                if out.last().is_some_and(|(p, _)| *p == pos) {
                    return Err(corrupt(
                        name,
                        "two versions of a row are visible at one position; run `annals rebuild`",
                    ));
                }
                out.push((pos, rec.entry));
            }
        }
        Ok(out)
    }
}
