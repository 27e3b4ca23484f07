//! Held writes: an engine plus a small set of writes kept in memory, visible to every read
//! through this handle, and handed to the engine together with the next write.
//!
//! Why: an append stages its log records and index entries, then computes the view
//! bookkeeping from what it staged, then commits the head. Staging through
//! [`Engine::write`] costs one engine commit and the commit another — on redb, two
//! copy-on-write commits per durable append. Holding the staged writes here instead lets
//! the append read them back (view maintenance reads the staged index entries) and still
//! reach the engine in one [`Engine::write_durable`]. Large imports stage through the
//! engine as before, chunk by chunk, so that memory stays bounded; only the chunk that
//! ends an input is held.
//!
//! Invariants:
//! - a read sees exactly what it would see had the held writes been applied with
//!   [`Engine::write`]: a held value shadows the engine's, a held delete hides it, and
//!   scans merge both in key order;
//! - the next [`Engine::write`] or [`Engine::write_durable`] applies the held writes and
//!   its own batch (later writes win) in one engine batch, so a crash keeps all of them or
//!   none; the held set is emptied only after that batch succeeded, under a lock that
//!   readers also take, so a reader sees the held writes or their committed copy, never
//!   neither;
//! - [`Overlay::discard_held`] forgets held writes without touching the engine (a failed
//!   append's rollback); [`Engine::flush`] does not apply them (they are not yet written).

use super::{Batch, Engine, KeyIter, Pair, PairIter};
use crate::error::Result;
use crate::locks::Leaf;
use std::collections::BTreeMap;
use std::iter::Peekable;
use std::sync::{RwLockReadGuard, RwLockWriteGuard};

/// A held write: a key and its new value, or `None` for a delete.
type HeldWrite = (Vec<u8>, Option<Vec<u8>>);
type Held = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// An engine with writes held in memory (see the module documentation).
pub struct Overlay {
    held: Leaf<Held>,
    /// Values read ahead by [`Overlay::prefetch`] (what the engine held then), consulted
    /// by `get` after the held writes until [`Overlay::forget_prefetched`]; kept only
    /// while nothing writes (the appender plans a chunk between the two).
    prefetched: Leaf<Held>,
    engine: Box<dyn Engine>,
}

impl Overlay {
    pub fn new(engine: Box<dyn Engine>) -> Overlay {
        Overlay {
            held: Leaf::new(BTreeMap::new()),
            prefetched: Leaf::new(BTreeMap::new()),
            engine,
        }
    }

    fn read_held(&self) -> Result<RwLockReadGuard<'_, Held>> {
        Ok(self.held.read())
    }

    fn write_held(&self) -> Result<RwLockWriteGuard<'_, Held>> {
        Ok(self.held.write())
    }

    /// Keep `batch` in memory: visible to reads from now on, applied to the engine with
    /// the next write.
    pub fn hold(&self, batch: Batch) -> Result<()> {
        let mut held = self.write_held()?;
        for (key, value) in batch.writes {
            held.insert(key, value);
        }
        Ok(())
    }

    /// Read `keys` from the engine in one [`Engine::get_many`], so that the `get`s that
    /// follow find them in memory. The caller writes nothing until it calls
    /// [`Overlay::forget_prefetched`].
    pub fn prefetch(&self, keys: Vec<Vec<u8>>) -> Result<()> {
        let values = self.engine.get_many(&keys)?;
        let mut prefetched = self.prefetched.write();
        prefetched.extend(keys.into_iter().zip(values));
        Ok(())
    }

    /// Forget what [`Overlay::prefetch`] read.
    pub fn forget_prefetched(&self) {
        self.prefetched.write().clear();
    }

    /// Forget every held write.
    pub fn discard_held(&self) -> Result<()> {
        self.write_held()?.clear();
        Ok(())
    }

    /// Apply the held writes followed by `batch` with `apply`, then forget them.
    fn apply_with<T>(&self, batch: Batch, apply: impl FnOnce(Batch) -> Result<T>) -> Result<T> {
        let mut held = self.write_held()?;
        if held.is_empty() {
            return apply(batch);
        }
        let mut combined = Batch::new();
        combined.writes.reserve(held.len() + batch.len());
        for (key, value) in held.iter() {
            combined.writes.push((key.clone(), value.clone()));
        }
        combined.writes.extend(batch.writes);
        let done = apply(combined)?;
        held.clear();
        Ok(done)
    }

    /// The held writes with `start <= key < end`, in ascending key order.
    fn held_range(held: &Held, start: &[u8], end: &[u8]) -> Vec<HeldWrite> {
        if held.is_empty() || start >= end {
            return Vec::new();
        }
        held.range::<[u8], _>((
            std::ops::Bound::Included(start),
            std::ops::Bound::Excluded(end),
        ))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
    }

    /// `engine_scan` merged with the held writes in `[start, end)`, descending if `rev`.
    fn merged<'a>(
        &'a self,
        start: &[u8],
        end: &[u8],
        rev: bool,
        engine_scan: impl FnOnce() -> PairIter<'a>,
    ) -> PairIter<'a> {
        // The engine scan starts while the held writes are read under the lock, so that a
        // concurrent commit cannot slip between them.
        let guard = match self.read_held() {
            Ok(g) => g,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let mut held = Overlay::held_range(&guard, start, end);
        let engine = engine_scan();
        drop(guard);
        if held.is_empty() {
            return engine;
        }
        if rev {
            held.reverse();
        }
        Box::new(Merge {
            engine: engine.peekable(),
            held: held.into_iter().peekable(),
            rev,
        })
    }
}

/// Two key-ordered streams merged; on equal keys the held write wins, and a held delete
/// hides the engine's pair.
struct Merge<'a> {
    engine: Peekable<PairIter<'a>>,
    held: Peekable<std::vec::IntoIter<HeldWrite>>,
    rev: bool,
}

impl Iterator for Merge<'_> {
    type Item = Result<Pair>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let take_held = match (self.engine.peek(), self.held.peek()) {
                (_, None) => return self.engine.next(),
                (None, Some(_)) => true,
                (Some(Err(_)), Some(_)) => return self.engine.next(),
                (Some(Ok((ek, _))), Some((hk, _))) => {
                    let order = ek.cmp(hk);
                    let order = if self.rev { order.reverse() } else { order };
                    match order {
                        std::cmp::Ordering::Less => false,
                        std::cmp::Ordering::Equal => {
                            self.engine.next(); // shadowed by the held write
                            true
                        }
                        std::cmp::Ordering::Greater => true,
                    }
                }
            };
            if take_held {
                if let Some((key, value)) = self.held.next() {
                    if let Some(value) = value {
                        return Some(Ok((key, value)));
                    }
                    // A held delete: nothing to return for this key.
                    continue;
                }
            }
            return self.engine.next();
        }
    }
}

impl Engine for Overlay {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        {
            let held = self.read_held()?;
            if let Some(value) = held.get(key) {
                return Ok(value.clone());
            }
            if let Some(value) = self.prefetched.read().get(key) {
                return Ok(value.clone());
            }
            if !held.is_empty() {
                // Read the engine under the lock, as scans do.
                return self.engine.get(key);
            }
        }
        self.engine.get(key)
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let held = self.read_held()?;
        let missing: Vec<Vec<u8>> = keys
            .iter()
            .filter(|k| !held.contains_key(*k))
            .cloned()
            .collect();
        let mut read = self.engine.get_many(&missing)?.into_iter();
        Ok(keys
            .iter()
            .map(|k| match held.get(k) {
                Some(value) => value.clone(),
                None => read.next().flatten(),
            })
            .collect())
    }

    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.merged(start, end, false, || self.engine.scan(start, end))
    }

    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.merged(start, end, true, || self.engine.scan_rev(start, end))
    }

    fn keys_rev(&self, start: &[u8], end: &[u8]) -> KeyIter<'_> {
        let pairs = self.merged(start, end, true, || {
            Box::new(
                self.engine
                    .keys_rev(start, end)
                    .map(|item| item.map(|key| (key, Vec::new()))),
            )
        });
        Box::new(pairs.map(|item| item.map(|(key, _)| key)))
    }

    fn write(&self, batch: Batch) -> Result<()> {
        self.apply_with(batch, |b| self.engine.write(b))
    }

    fn flush(&self) -> Result<()> {
        self.engine.flush()
    }

    fn write_durable(&self, batch: Batch) -> Result<()> {
        self.apply_with(batch, |b| self.engine.write_durable(b))
    }

    fn write_durable_if(&self, batch: Batch, key: &[u8], expected: Option<&[u8]>) -> Result<bool> {
        self.apply_with(batch, |b| self.engine.write_durable_if(b, key, expected))
    }

    fn shared(&self) -> bool {
        self.engine.shared()
    }

    fn lock_writer(&self, wait: std::time::Duration) -> Result<()> {
        self.engine.lock_writer(wait)
    }

    fn unlock_writer(&self) -> Result<()> {
        self.engine.unlock_writer()
    }

    fn wait_for_commit(&self, timeout: std::time::Duration) -> Result<bool> {
        self.engine.wait_for_commit(timeout)
    }

    fn probe_cost_factor(&self) -> u64 {
        self.engine.probe_cost_factor()
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.engine.size_on_disk()
    }

    fn name(&self) -> &'static str {
        self.engine.name()
    }

    fn batch_events(&self) -> usize {
        self.engine.batch_events()
    }
}

#[cfg(test)]
mod tests {
    //! The overlay against a model: a `BTreeMap` that applies every write at once.
    use super::*;
    use crate::storage::{temporary, EngineKind, EngineOptions};
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Hold(Vec<(u8, Option<u8>)>),
        Write(Vec<(u8, Option<u8>)>),
        Discard,
    }

    fn writes() -> impl Strategy<Value = Vec<(u8, Option<u8>)>> {
        proptest::collection::vec((0u8..24, proptest::option::of(any::<u8>())), 0..8)
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            writes().prop_map(Op::Hold),
            writes().prop_map(Op::Write),
            Just(Op::Discard),
        ]
    }

    fn batch(writes: &[(u8, Option<u8>)]) -> Batch {
        let mut b = Batch::new();
        for (k, v) in writes {
            match v {
                Some(v) => b.put(vec![*k], vec![*v]),
                None => b.delete(vec![*k]),
            }
        }
        b
    }

    fn apply(model: &mut BTreeMap<Vec<u8>, Vec<u8>>, writes: &[(u8, Option<u8>)]) {
        for (k, v) in writes {
            match v {
                Some(v) => model.insert(vec![*k], vec![*v]),
                None => model.remove(&vec![*k]),
            };
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn reads_match_a_model(ops in proptest::collection::vec(op(), 1..24), lo in 0u8..24, hi in 0u8..25) {
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            for kind in EngineKind::ALL {
                let overlay = Overlay::new(temporary(kind, &EngineOptions::default()).unwrap());
                // What the engine holds, and what reads through the overlay must show.
                let mut committed = BTreeMap::new();
                let mut visible = BTreeMap::new();
                for op in &ops {
                    match op {
                        Op::Hold(w) => {
                            overlay.hold(batch(w)).unwrap();
                            apply(&mut visible, w);
                        }
                        Op::Write(w) => {
                            overlay.write(batch(w)).unwrap();
                            apply(&mut visible, w);
                            committed = visible.clone();
                        }
                        Op::Discard => {
                            overlay.discard_held().unwrap();
                            visible = committed.clone();
                        }
                    }
                    for k in 0u8..24 {
                        prop_assert_eq!(overlay.get(&[k]).unwrap(), visible.get(&vec![k]).cloned());
                    }
                    let want: Vec<Pair> = visible
                        .range(vec![lo]..vec![hi])
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let got: Vec<Pair> = overlay.scan(&[lo], &[hi]).collect::<Result<_>>().unwrap();
                    prop_assert_eq!(&got, &want);
                    let mut want_rev = want.clone();
                    want_rev.reverse();
                    let got_rev: Vec<Pair> = overlay.scan_rev(&[lo], &[hi]).collect::<Result<_>>().unwrap();
                    prop_assert_eq!(&got_rev, &want_rev);
                    let keys_rev: Vec<Vec<u8>> = overlay.keys_rev(&[lo], &[hi]).collect::<Result<_>>().unwrap();
                    prop_assert_eq!(keys_rev, want_rev.into_iter().map(|(k, _)| k).collect::<Vec<_>>());
                }
            }
        }
    }
}
