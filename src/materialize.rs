//! Materialized views: checkpoints along the valid timeline, kept in step with the log.
//!
//! A checkpoint of view V at position X holds V's state after folding every entry of the
//! effective timeline (at the knowledge it was computed at) with position <= X. An as-of-D
//! query loads the nearest usable checkpoint at or before D and folds only the entries
//! between it and D. Checkpoints are written every `checkpoint_interval` entries that V
//! folds (entries of other kinds are skipped without being read).
//!
//! Maintenance runs inside every append, before the head is committed, at the new
//! knowledge:
//! - each new event *touches* timeline positions: its own, or for an amendment the
//!   positions of the version in effect before and after it; a view is touched when it
//!   folds the kind found there;
//! - an append after a view's last checkpoint (the usual case) invalidates nothing: at most
//!   the tail after the last checkpoint is folded, to check the new events and to cut the
//!   next checkpoint;
//! - a backdated event or an amendment at position P deletes only that view's checkpoints
//!   at or after P, then refolds from the checkpoint before P: through the new events (to
//!   check them), then onwards for at most `repair_budget` entries per append (imports of
//!   1,000 events or more run to the end). Where the budget stops, the view's *frontier*
//!   is recorded; later appends continue the repair, so a stream of backdated events costs
//!   bounded work each instead of a refold of everything after it;
//! - new events whose fold reports an oddity (see `views`) fail the append: nothing is
//!   committed.
//!
//! Invariants: every checkpoint below a view's frontier equals a from-scratch fold at the
//! head's knowledge (`verify` checks it); checkpoints are deleted, never patched; a
//! checkpoint that fails to decode or carries another view version is skipped, never
//! trusted; a checkpoint's knowledge (`computed_at`) never decreases with its position
//! (maintenance rewrites everything from some position on), which lets a query find its
//! checkpoint by binary search; the touch summary records, per block of 256 seqs, the
//! smallest position those seqs touched, which is how a query with an earlier `known_at`
//! decides which checkpoints it may reuse.

use crate::date::Day;
use crate::envelope;
use crate::error::{Error, Result};
use crate::keys;
use crate::log::INDEX_VERSION;
use crate::storage::{Batch, Engine};
use crate::store::Store;
use crate::views::{ErasedState, ErasedView, Fact};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) const CHECKPOINT_VERSION: u8 = 1;
pub(crate) const VIEW_META_VERSION: u8 = 1;
/// Appends of at least this many events refold to the end regardless of the budget.
const BULK_EVENTS: u64 = 1000;

/// The stored form of a checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CheckpointRecord {
    pub view_version: u32,
    /// The head seq whose knowledge the state reflects.
    pub computed_at: u64,
    /// bincode of the view's state.
    pub state: Vec<u8>,
}

/// The stored per-view bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ViewMeta {
    pub view_version: u32,
    /// `None` when checkpoints are complete; else no checkpoint exists at or after it.
    pub frontier: Option<u128>,
    /// Entries folded by the view after its last checkpoint (when complete).
    pub tail: u64,
    /// The head seq the view was last maintained at.
    pub applied: u64,
}

/// Where a fold stopped.
enum FoldEnd {
    Complete { tail: u64 },
    Stopped { frontier: u128 },
}

impl Store {
    pub(crate) fn view_meta(&self, view: &dyn ErasedView) -> Result<Option<ViewMeta>> {
        match self.engine.get(&keys::view_meta(view.name()))? {
            None => Ok(None),
            Some(bytes) => envelope::open(keys::VIEW_META, VIEW_META_VERSION, &bytes)
                .map(Some)
                .map_err(|e| {
                    Error::corrupt_in(format!("view {} meta", view.name()), e.to_string())
                }),
        }
    }

    fn put_meta(batch: &mut Batch, view: &dyn ErasedView, meta: &ViewMeta) {
        batch.put(
            keys::view_meta(view.name()).to_vec(),
            envelope::seal(keys::VIEW_META, VIEW_META_VERSION, meta),
        );
    }

    /// The key range of `view`'s checkpoints with position in `[from, to]`.
    fn checkpoint_range(view: &dyn ErasedView, from: u128, to: u128) -> (Vec<u8>, Vec<u8>) {
        let start = keys::checkpoint(view.name(), from).to_vec();
        let end = match to.checked_add(1) {
            Some(p) => keys::checkpoint(view.name(), p).to_vec(),
            None => {
                let mut e = keys::checkpoint(view.name(), u128::MAX).to_vec();
                e.push(0);
                e
            }
        };
        (start, end)
    }

    fn checkpoint_pos(key: &[u8]) -> Result<u128> {
        keys::parse_checkpoint_pos(key)
            .ok_or_else(|| Error::corrupt_in("checkpoints", "malformed key"))
    }

    /// Checkpoints of `view` with position in `[from, to]`, newest first, as raw pairs.
    fn checkpoints_rev(
        &self,
        view: &dyn ErasedView,
        from: u128,
        to: u128,
    ) -> impl Iterator<Item = Result<(u128, Vec<u8>)>> + '_ {
        let (start, end) = Store::checkpoint_range(view, from, to);
        self.engine.scan_rev(&start, &end).map(|item| {
            let (key, value) = item?;
            Ok((Store::checkpoint_pos(&key)?, value))
        })
    }

    /// The positions of `view`'s checkpoints in `[from, to]`, newest first, without
    /// reading the checkpoints themselves.
    fn checkpoint_positions_rev(
        &self,
        view: &dyn ErasedView,
        from: u128,
        to: u128,
    ) -> impl Iterator<Item = Result<u128>> + '_ {
        let (start, end) = Store::checkpoint_range(view, from, to);
        self.engine
            .keys_rev(&start, &end)
            .map(|key| Store::checkpoint_pos(&key?))
    }

    /// A stored checkpoint of `view`, if it opens and is of the view's version; its state
    /// is still encoded (decoding a large state costs far more than the checks).
    fn decode_checkpoint_record(view: &dyn ErasedView, value: &[u8]) -> Option<CheckpointRecord> {
        let record: CheckpointRecord =
            envelope::open(keys::CHECKPOINT, CHECKPOINT_VERSION, value).ok()?;
        (record.view_version == view.version()).then_some(record)
    }

    fn decode_checkpoint(
        view: &dyn ErasedView,
        value: &[u8],
    ) -> Option<(CheckpointRecord, Box<dyn ErasedState>)> {
        let record = Store::decode_checkpoint_record(view, value)?;
        let state = view.decode(&record.state)?;
        Some((record, state))
    }

    /// The newest checkpoint of `view` at or before position `through` that decodes and
    /// that is valid for knowledge `k`, with its state.
    ///
    /// A checkpoint computed at knowledge `c > k` is valid at `k` only if nothing recorded
    /// in `(k, c]` touched a position at or before it. Checkpoint knowledge never decreases
    /// with position (each maintenance deletes every checkpoint from some position on and
    /// writes new ones there at the newest knowledge), so walking back in position, a
    /// checkpoint's knowledge only falls and its touch bound only rises: once one is valid,
    /// every earlier one is. The newest valid checkpoint is therefore found by binary
    /// search over the checkpoint keys, reading O(log n) checkpoints instead of every one
    /// after it (at 1M events, a known-at query in the past read ~130 checkpoints of
    /// ~450 KB each). The search only chooses which checkpoint to try: validity is checked
    /// on the one used, so a database breaking that order would still get right answers,
    /// folded from further back.
    pub(crate) fn usable_checkpoint(
        &self,
        view: &dyn ErasedView,
        through: u128,
        k: u64,
    ) -> Result<Option<(u128, Box<dyn ErasedState>)>> {
        let mut keys = self.checkpoint_positions_rev(view, 0, through);
        let Some(newest) = keys.next().transpose()? else {
            return Ok(None);
        };
        let mut touch_cache = BTreeMap::new();
        let mut valid = |pos: u128| self.checkpoint_if_valid(view, pos, k, &mut touch_cache);
        // The usual case (a query at the current knowledge, view maintenance): the newest
        // checkpoint is valid, and no other key is read.
        if let Some(record) = valid(newest)? {
            if let Some(state) = view.decode(&record.state) {
                return Ok(Some((newest, state)));
            }
        }
        // Otherwise find the newest valid one among the older checkpoints (older[0] is
        // the newest of them).
        let older: Vec<u128> = keys.collect::<Result<_>>()?;
        let mut found: Option<(usize, CheckpointRecord)> = None;
        let (mut lo, mut hi) = (0, older.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match valid(older[mid])? {
                Some(record) => {
                    found = Some((mid, record));
                    hi = mid;
                }
                None => lo = mid + 1,
            }
        }
        let Some((first, record)) = found else {
            return Ok(None);
        };
        // Only the checkpoint used is decoded; one whose state does not decode is passed
        // over for the next valid one back.
        if let Some(state) = view.decode(&record.state) {
            return Ok(Some((older[first], state)));
        }
        for &pos in &older[first + 1..] {
            if let Some(record) = valid(pos)? {
                if let Some(state) = view.decode(&record.state) {
                    return Ok(Some((pos, state)));
                }
            }
        }
        Ok(None)
    }

    /// The checkpoint of `view` at `pos` if it opens, is of the view's version, and is
    /// valid at knowledge `k`. `touch_cache` keeps `touch_min(k, c)` per knowledge `c`.
    fn checkpoint_if_valid(
        &self,
        view: &dyn ErasedView,
        pos: u128,
        k: u64,
        touch_cache: &mut BTreeMap<u64, Option<u128>>,
    ) -> Result<Option<CheckpointRecord>> {
        let Some(value) = self.engine.get(&keys::checkpoint(view.name(), pos))? else {
            return Ok(None);
        };
        let Some(record) = Store::decode_checkpoint_record(view, &value) else {
            return Ok(None);
        };
        if record.computed_at > k {
            let touched = match touch_cache.get(&record.computed_at) {
                Some(t) => *t,
                None => {
                    let t = self.touch_min(k, record.computed_at)?;
                    touch_cache.insert(record.computed_at, t);
                    t
                }
            };
            if touched.is_some_and(|t| t <= pos) {
                return Ok(None);
            }
        }
        Ok(Some(record))
    }

    /// The state of `view` as of `as_of` at knowledge `k`.
    pub(crate) fn view_state(
        &self,
        view: &dyn ErasedView,
        as_of: Day,
        k: u64,
    ) -> Result<Box<dyn ErasedState>> {
        let through = keys::position_end_of(as_of);
        let (after, state) = match self.usable_checkpoint(view, through, k)? {
            Some((pos, state)) => (Some(pos), state),
            None => (None, view.empty()),
        };
        self.fold_to(view, state, after, as_of, k)
    }

    /// Fold the effective entries after position `after` up to `as_of` (at knowledge `k`)
    /// into `state`. Oddities are folded leniently and not reported (queries only read).
    fn fold_to(
        &self,
        view: &dyn ErasedView,
        mut state: Box<dyn ErasedState>,
        after: Option<u128>,
        as_of: Day,
        k: u64,
    ) -> Result<Box<dyn ErasedState>> {
        let wanted = |code: u8| view.consumes_code(code);
        for entry in self.effective_entries(after, Some(as_of), k, &wanted) {
            let e = entry?;
            let _ = state.apply(&Fact {
                seq: e.seq,
                date: &e.date,
                content: &e.content,
            });
        }
        Ok(state)
    }

    /// The state of `view` as of `as_of` at knowledge `k`, folded from the start of the
    /// log without any checkpoint (the oracle for checkpointed answers).
    pub(crate) fn view_state_from_scratch(
        &self,
        view: &dyn ErasedView,
        as_of: Day,
        k: u64,
    ) -> Result<Box<dyn ErasedState>> {
        self.fold_to(view, view.empty(), None, as_of, k)
    }

    /// The earliest days of every checkpoint of `view`.
    pub(crate) fn checkpoint_days(&self, view: &dyn ErasedView) -> Result<Vec<Day>> {
        self.checkpoint_positions_rev(view, 0, u128::MAX)
            .map(|item| item.map(|pos| keys::parse_position(pos).0))
            .collect()
    }

    /// Fold `view` from `start` at knowledge `k`, cutting checkpoints into `batch`.
    #[allow(clippy::too_many_arguments)]
    fn fold_view(
        &self,
        view: &dyn ErasedView,
        start: Option<(u128, Box<dyn ErasedState>)>,
        k: u64,
        old_head: u64,
        must_reach: Option<u128>,
        budget: Option<u64>,
        batch: &mut Batch,
        oddities: &mut Vec<(u64, String)>,
    ) -> Result<FoldEnd> {
        let (after, mut state) = match start {
            Some((p, s)) => (Some(p), s),
            None => (None, view.empty()),
        };
        let interval = self.checkpoint_interval.max(1);
        let (mut since, mut folded) = (0u64, 0u64);
        let wanted = |code: u8| view.consumes_code(code);
        for entry in self.effective_entries(after, None, k, &wanted) {
            let e = entry?;
            if let Err(reason) = state.apply(&Fact {
                seq: e.seq,
                date: &e.date,
                content: &e.content,
            }) {
                if e.seq > old_head && view.may_reject_code(crate::log::kind_index(&e.content.kind))
                {
                    oddities.push((e.seq, format!("{} view: {reason}", view.name())));
                }
            }
            since += 1;
            folded += 1;
            if since >= interval {
                let record = CheckpointRecord {
                    view_version: view.version(),
                    computed_at: k,
                    state: state.encode(),
                };
                batch.put(
                    keys::checkpoint(view.name(), e.pos).to_vec(),
                    envelope::seal(keys::CHECKPOINT, CHECKPOINT_VERSION, &record),
                );
                since = 0;
                let reached = must_reach.is_none_or(|m| e.pos >= m);
                if reached && budget.is_some_and(|b| folded >= b) {
                    return Ok(FoldEnd::Stopped {
                        frontier: e.pos + 1,
                    });
                }
            }
        }
        Ok(FoldEnd::Complete { tail: since })
    }

    /// Delete `view`'s checkpoints at or after `from`.
    fn drop_checkpoints_from(
        &self,
        view: &dyn ErasedView,
        from: u128,
        batch: &mut Batch,
    ) -> Result<()> {
        for pos in self.checkpoint_positions_rev(view, from, u128::MAX) {
            let pos = pos?;
            batch.delete(keys::checkpoint(view.name(), pos).to_vec());
        }
        Ok(())
    }

    /// Keep every view in step with the log after events `(old_head, new_head]` were
    /// written (not yet committed). Adds checkpoint, meta and touch-summary writes to
    /// `batch`; returns the oddities found among the new events as (seq, reason).
    pub(crate) fn maintain_views(
        &self,
        old_head: u64,
        new_head: u64,
        batch: &mut Batch,
    ) -> Result<Vec<(u64, String)>> {
        let k = new_head;
        let n_new = new_head - old_head;
        // What the new events touched: per block (touch summary) and per view.
        let mut block_min: BTreeMap<u64, u128> = BTreeMap::new();
        let views: Vec<Arc<dyn ErasedView>> = self.views.clone();
        let mut touched_min: Vec<Option<u128>> = vec![None; views.len()];
        let mut must_reach: Vec<Option<u128>> = vec![None; views.len()];
        let mut touched_count: Vec<u64> = vec![0; views.len()];
        // The new events, from memory when the append kept them, else in one log scan.
        let kept: Vec<crate::event::Event> = match self.fresh.read() {
            Ok(fresh) if fresh.first().map(|e| e.seq) == Some(old_head + 1) => fresh.clone(),
            _ => Vec::new(),
        };
        let new_events: Box<dyn Iterator<Item = Result<crate::event::Event>>> = if kept.is_empty() {
            Box::new(self.events_between(old_head + 1, new_head))
        } else {
            Box::new(kept.into_iter().map(Ok))
        };
        for event in new_events {
            let event = event?;
            let seq = event.seq;
            for (pos, code) in self.touched_by_event(event, k)? {
                let b = block_min.entry(seq / keys::TOUCH_BLOCK).or_insert(pos);
                *b = (*b).min(pos);
                for (i, v) in views.iter().enumerate() {
                    if v.consumes_code(code) {
                        touched_min[i] = Some(touched_min[i].map_or(pos, |m| m.min(pos)));
                        touched_count[i] += 1;
                        if v.may_reject_code(code) {
                            must_reach[i] = Some(must_reach[i].map_or(pos, |m| m.max(pos)));
                        }
                    }
                }
            }
        }
        for (block, min) in block_min {
            let key = keys::touch(block);
            let min = match self.engine.get(&key)? {
                Some(v) => envelope::open::<u128>(keys::TOUCH, INDEX_VERSION, &v)
                    .map(|old| old.min(min))
                    .map_err(|e| {
                        Error::corrupt_in("touch summary", format!("{e}; run `annals rebuild`"))
                    })?,
                None => min,
            };
            batch.put(
                key.to_vec(),
                envelope::seal(keys::TOUCH, INDEX_VERSION, &min),
            );
        }
        let budget = if n_new >= BULK_EVENTS {
            None
        } else {
            Some(self.repair_budget)
        };
        let mut oddities = Vec::new();
        for (i, view) in views.iter().enumerate() {
            let view = view.as_ref();
            let mut meta = match self.view_meta(view)? {
                Some(m) if m.view_version == view.version() => m,
                _ => {
                    // Missing or stale bookkeeping: rebuild this view from the log.
                    self.rebuild_view_into(view, k, old_head, batch, &mut oddities)?;
                    continue;
                }
            };
            meta.applied = new_head;
            let last_cp = self
                .checkpoint_positions_rev(view, 0, u128::MAX)
                .next()
                .transpose()?;
            match (touched_min[i], meta.frontier) {
                (None, None) => {
                    Store::put_meta(batch, view, &meta);
                    continue;
                }
                (Some(p), None) if last_cp.is_none_or(|c| p > c) => {
                    // Everything new lies after the last checkpoint.
                    if must_reach[i].is_none()
                        && meta.tail + touched_count[i] < self.checkpoint_interval
                    {
                        meta.tail += touched_count[i];
                        Store::put_meta(batch, view, &meta);
                        continue;
                    }
                    let start = match last_cp {
                        Some(c) => self.usable_checkpoint(view, c, k)?,
                        None => None,
                    };
                    match self.fold_view(
                        view,
                        start,
                        k,
                        old_head,
                        must_reach[i],
                        None,
                        batch,
                        &mut oddities,
                    )? {
                        FoldEnd::Complete { tail } => meta.tail = tail,
                        FoldEnd::Stopped { .. } => unreachable!("no budget"),
                    }
                }
                (touched, frontier) => {
                    let from = match (touched, frontier) {
                        (Some(t), Some(f)) => t.min(f),
                        (Some(t), None) => t,
                        (None, Some(f)) => f,
                        (None, None) => unreachable!("handled above"),
                    };
                    self.drop_checkpoints_from(view, from, batch)?;
                    let start = if from == 0 {
                        None
                    } else {
                        self.usable_checkpoint(view, from - 1, k)?
                    };
                    match self.fold_view(
                        view,
                        start,
                        k,
                        old_head,
                        must_reach[i],
                        budget,
                        batch,
                        &mut oddities,
                    )? {
                        FoldEnd::Complete { tail } => {
                            meta.frontier = None;
                            meta.tail = tail;
                        }
                        FoldEnd::Stopped { frontier } => {
                            meta.frontier = Some(frontier);
                            meta.tail = 0;
                        }
                    }
                }
            }
            Store::put_meta(batch, view, &meta);
        }
        oddities.sort();
        oddities.dedup();
        Ok(oddities)
    }

    /// Drop `view`'s checkpoints and fold it from scratch at knowledge `k` into `batch`.
    fn rebuild_view_into(
        &self,
        view: &dyn ErasedView,
        k: u64,
        old_head: u64,
        batch: &mut Batch,
        oddities: &mut Vec<(u64, String)>,
    ) -> Result<()> {
        self.drop_checkpoints_from(view, 0, batch)?;
        let tail = match self.fold_view(view, None, k, old_head, None, None, batch, oddities)? {
            FoldEnd::Complete { tail } => tail,
            FoldEnd::Stopped { .. } => 0,
        };
        let meta = ViewMeta {
            view_version: view.version(),
            frontier: None,
            tail,
            applied: k,
        };
        Store::put_meta(batch, view, &meta);
        Ok(())
    }

    /// Take the writer lock and the views lock exclusively (for rebuilding views).
    fn lock_for_views(
        &self,
    ) -> Result<(
        std::sync::MutexGuard<'_, ()>,
        std::sync::RwLockWriteGuard<'_, ()>,
    )> {
        let writer = self
            .writer
            .lock()
            .map_err(|_| Error::Storage("writer lock poisoned".into()))?;
        let views = self
            .views_lock
            .write()
            .map_err(|_| Error::Storage("views lock poisoned".into()))?;
        Ok((writer, views))
    }

    /// Drop and refold every view's checkpoints from the log (at the head's knowledge).
    pub fn rebuild_views(&self) -> Result<()> {
        self.rebuild_views_with_progress(&mut |_, _| {})
    }

    /// [`Store::rebuild_views`], calling `progress(step, steps)` after the touch summary
    /// and after each view.
    pub(crate) fn rebuild_views_with_progress(
        &self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<()> {
        let (_writer, _views) = self.lock_for_views()?;
        self.rebuild_views_locked(progress)
    }

    pub(crate) fn rebuild_views_locked(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let steps = self.views.len() as u64 + 1;
        let head = self.head().seq;
        // Rebuild the touch summary too: it is derived from the log like everything else.
        let mut batch = Batch::new();
        let (start, end) = keys::keyspace(keys::TOUCH);
        for item in self.engine.scan(&start, &end) {
            batch.delete(item?.0);
        }
        let mut block_min: BTreeMap<u64, u128> = BTreeMap::new();
        for seq in 1..=head {
            for (pos, _) in self.touched_by_with_codes(seq, head)? {
                let b = block_min.entry(seq / keys::TOUCH_BLOCK).or_insert(pos);
                *b = (*b).min(pos);
            }
        }
        for (block, min) in block_min {
            batch.put(
                keys::touch(block).to_vec(),
                envelope::seal(keys::TOUCH, INDEX_VERSION, &min),
            );
        }
        self.engine.write(batch)?;
        progress(1, steps);
        for (i, view) in self.views.clone().into_iter().enumerate() {
            let mut batch = Batch::new();
            let mut ignored = Vec::new();
            self.rebuild_view_into(view.as_ref(), head, head, &mut batch, &mut ignored)?;
            self.engine.write(batch)?;
            progress(i as u64 + 2, steps);
        }
        self.engine.flush()
    }

    /// Bring views whose bookkeeping is missing, stale or behind the head up to date
    /// (on open: a newly registered view, a changed view version, an interrupted write).
    pub(crate) fn ensure_views(&self) -> Result<()> {
        let head = self.head().seq;
        let mut stale = false;
        for view in &self.views {
            match self.view_meta(view.as_ref()) {
                Ok(Some(m)) if m.view_version == view.version() && m.applied == head => {}
                _ => stale = true,
            }
        }
        if stale {
            let (_writer, _views) = self.lock_for_views()?;
            for view in self.views.clone() {
                let fine = matches!(self.view_meta(view.as_ref()), Ok(Some(m)) if m.view_version == view.version() && m.applied == head);
                if !fine {
                    let mut batch = Batch::new();
                    let mut ignored = Vec::new();
                    self.rebuild_view_into(view.as_ref(), head, head, &mut batch, &mut ignored)?;
                    self.engine.write(batch)?;
                }
            }
            self.engine.flush()?;
        }
        Ok(())
    }

    /// Check every view's checkpoints against a from-scratch fold at the head's knowledge.
    /// Returns the number of checkpoints checked.
    pub(crate) fn verify_views(&self) -> Result<u64> {
        let _views = self
            .views_lock
            .read()
            .map_err(|_| Error::Storage("views lock poisoned".into()))?;
        let head = self.head().seq;
        let mut checked = 0;
        for view in &self.views {
            let view = view.as_ref();
            let name = format!("view {} checkpoints", view.name());
            let meta = self.view_meta(view)?.ok_or_else(|| {
                Error::corrupt_in(
                    name.clone(),
                    "the view's meta record is missing; run `annals rebuild`",
                )
            })?;
            if meta.view_version != view.version() || meta.applied != head {
                return Err(Error::corrupt_in(
                    name,
                    "the view's meta record is stale; run `annals rebuild`",
                ));
            }
            let mut checkpoints: Vec<(u128, Vec<u8>)> = self
                .checkpoints_rev(view, 0, u128::MAX)
                .collect::<Result<_>>()?;
            checkpoints.reverse();
            let mut state = view.empty();
            let wanted = |code: u8| view.consumes_code(code);
            let mut entries = self.effective_entries(None, None, head, &wanted).peekable();
            // Checkpoint knowledge never decreases with position (module doc).
            let mut knowledge_so_far = 0;
            for (pos, value) in checkpoints {
                if meta.frontier.is_some_and(|f| pos >= f) {
                    return Err(Error::corrupt_in(
                        name,
                        "a checkpoint lies beyond the view's frontier; run `annals rebuild`",
                    ));
                }
                while let Some(Ok(e)) = entries.peek() {
                    if e.pos > pos {
                        break;
                    }
                    let e = entries.next().and_then(|r| r.ok()).ok_or_else(|| {
                        Error::corrupt_in(name.clone(), "timeline changed during verify")
                    })?;
                    let _ = state.apply(&Fact {
                        seq: e.seq,
                        date: &e.date,
                        content: &e.content,
                    });
                }
                if let Some(Err(_)) = entries.peek() {
                    return Err(entries.next().and_then(|r| r.err()).unwrap_or_else(|| {
                        Error::corrupt_in(name.clone(), "timeline read failed")
                    }));
                }
                let Some((record, stored)) = Store::decode_checkpoint(view, &value) else {
                    return Err(Error::corrupt_in(name, format!("the checkpoint at position {pos:#x} does not decode; run `annals rebuild`")));
                };
                if record.computed_at < knowledge_so_far {
                    let (d, _, s) = keys::parse_position(pos);
                    return Err(Error::corrupt_in(name, format!("the checkpoint at {d} (seq {s}) was computed at an earlier knowledge than one before it; run `annals rebuild`")));
                }
                knowledge_so_far = record.computed_at;
                if !stored.eq_state(state.as_ref()) {
                    let (d, _, s) = keys::parse_position(pos);
                    return Err(Error::corrupt_in(name, format!("the checkpoint at {d} (seq {s}) differs from a fold of the log; run `annals rebuild`")));
                }
                checked += 1;
            }
        }
        Ok(checked)
    }
}

#[cfg(test)]
mod tests {
    use super::{CheckpointRecord, CHECKPOINT_VERSION};
    use crate::interchange::parse_line;
    use crate::storage::{Batch, Engine};
    use crate::workload::Rng;
    use crate::{envelope, keys, Store, StoreOptions};
    use std::collections::BTreeMap;

    /// `verify` checks the order the checkpoint search relies on: a checkpoint computed
    /// at a later knowledge than one after it is reported.
    #[test]
    fn verify_reports_checkpoint_knowledge_falling_with_position() {
        let store = Store::temporary_with(StoreOptions {
            checkpoint_interval: 2,
            ..StoreOptions::default()
        })
        .unwrap();
        for year in 2001..=2010 {
            let line = format!(
                r#"{{"date":"{year}","kind":"arms_transfer","supplier":"AAA","recipient":"BBB","item":"shells","quantity":{year},"summary":"s"}}"#
            );
            store.append(parse_line(&line).unwrap().event).unwrap();
        }
        store.verify().unwrap();
        let arms = store.find_view("arms").unwrap();
        let oldest = store
            .checkpoint_positions_rev(arms.as_ref(), 0, u128::MAX)
            .last()
            .unwrap()
            .unwrap();
        let key = keys::checkpoint("arms", oldest).to_vec();
        let value = store.engine.get(&key).unwrap().unwrap();
        let record = Store::decode_checkpoint_record(arms.as_ref(), &value).unwrap();
        let later = CheckpointRecord {
            computed_at: store.head().seq + 1,
            ..record
        };
        let mut batch = Batch::new();
        batch.put(
            key,
            envelope::seal(keys::CHECKPOINT, CHECKPOINT_VERSION, &later),
        );
        store.engine.write(batch).unwrap();
        let error = store.verify().unwrap_err().to_string();
        assert!(error.contains("earlier knowledge"), "{error}");
    }

    /// The binary search in `usable_checkpoint` finds the same checkpoint as trying every
    /// checkpoint newest first, for every view, position and knowledge, on logs with
    /// backdated events, corrections and a small repair budget (so that frontiers and
    /// partial repairs occur).
    #[test]
    fn binary_search_finds_the_newest_valid_checkpoint() {
        let mut searches_past_the_newest = 0;
        for seed in 0..2 {
            let store = Store::temporary_with(StoreOptions {
                checkpoint_interval: 2,
                repair_budget: 3,
                ..StoreOptions::default()
            })
            .unwrap();
            let mut rng = Rng::new(seed);
            for i in 0..160u64 {
                let year = if rng.below(5) == 0 {
                    2000 + rng.below(10)
                } else {
                    2000 + i / 16
                };
                let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
                let q = i + 1;
                let line = match rng.below(3) {
                    0 => format!(
                        r#"{{"date":"{date}","kind":"arms_transfer","supplier":"AAA","recipient":"BBB","item":"shells","quantity":{q},"summary":"s"}}"#
                    ),
                    1 => format!(
                        r#"{{"date":"{date}","kind":"deployment","actor":"AAA","host":"BBB","region":"R","strength":{q},"summary":"s"}}"#
                    ),
                    _ => format!(
                        r#"{{"date":"{date}","kind":"missile_test","actor":"AAA","class":"ICBM","count":1,"summary":"s"}}"#
                    ),
                };
                store.append(parse_line(&line).unwrap().event).unwrap();
            }
            let head = store.head().seq;
            let mut views_searched = 0;
            for view in store.views.iter() {
                let view = view.as_ref();
                let positions: Vec<u128> = store
                    .checkpoint_positions_rev(view, 0, u128::MAX)
                    .collect::<crate::Result<_>>()
                    .unwrap();
                if positions.len() <= 5 {
                    continue; // alliances and leaders: no events of their kinds here
                }
                views_searched += 1;
                for k in (0..=head).step_by(9) {
                    for &through in positions.iter().step_by(3) {
                        let mut cache = BTreeMap::new();
                        let linear =
                            positions
                                .iter()
                                .copied()
                                .filter(|&p| p <= through)
                                .find(|&p| {
                                    store
                                        .checkpoint_if_valid(view, p, k, &mut cache)
                                        .unwrap()
                                        .is_some()
                                });
                        let searched = store
                            .usable_checkpoint(view, through, k)
                            .unwrap()
                            .map(|(p, _)| p);
                        let newest = positions.iter().copied().find(|&p| p <= through);
                        if linear != newest {
                            searches_past_the_newest += 1;
                        }
                        assert_eq!(
                            searched,
                            linear,
                            "{} k={k} through={through:#x}",
                            view.name()
                        );
                    }
                }
            }
            assert_eq!(
                views_searched, 3,
                "arms, deployments and tests were searched"
            );
        }
        assert!(
            searches_past_the_newest > 100,
            "the newest checkpoint was often invalid ({searches_past_the_newest} times)"
        );
    }
}
