//! Materialized views, kept in step with the log: keyed views (the built-ins) in the
//! row-version index (`super::versions`, absorbed by [`Fold::maintain_views`] too), and the
//! others as checkpoints along the valid timeline, described here.
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

use crate::error::{Error, Result, Structure};
use crate::format::{envelope, keys};
use crate::history::versions::Absorb;
use crate::locks::{ViewsLock, ViewsRead, ViewsWrite, WriterGuard};
use crate::log::{Derive, Log, LogRead, Staged, INDEX_VERSION};
use crate::model::date::Day;
use crate::model::event::{Code, Event};
use crate::storage::{Batch, Engine};
use crate::views::{ErasedState, ErasedView, Fact};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) const CHECKPOINT_VERSION: u8 = 1;
/// 1: annals 0.1 (no `rows`). 2: `rows`.
pub(crate) const VIEW_META_VERSION: u8 = 2;
/// Appends of at least this many events refold to the end regardless of the budget.
const BULK_EVENTS: u64 = 1000;
/// A rebuild of a keyed view writes its versions every this many.
const REBUILD_CHUNK: usize = 200_000;

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
    /// Whether the view is kept in the row-version index (`frontier` and `tail` are then
    /// unused) rather than as checkpoints.
    pub rows: bool,
    /// Row versions and row keys of a keyed view (what the query planner weighs).
    pub versions: u64,
    pub keys: u64,
}

/// The materializer: owns the views, their checkpoints, the repair budget and the views
/// lock (see the module documentation).
pub(crate) struct Materializer {
    views: Vec<Arc<dyn ErasedView>>,
    lock: ViewsLock,
    checkpoint_interval: u64,
    repair_budget: u64,
    /// See `StoreOptions::row_scan_ratio`.
    pub(crate) row_scan_ratio: u64,
}

impl Materializer {
    pub(crate) fn new(
        views: Vec<Arc<dyn ErasedView>>,
        checkpoint_interval: u64,
        repair_budget: u64,
        row_scan_ratio: u64,
    ) -> Materializer {
        Materializer {
            views,
            lock: ViewsLock::default(),
            checkpoint_interval: checkpoint_interval.max(1),
            repair_budget: repair_budget.max(1),
            row_scan_ratio,
        }
    }

    /// The views, built-ins first, in registration order.
    pub(crate) fn views(&self) -> &[Arc<dyn ErasedView>] {
        &self.views
    }

    /// The views kept in the row-version index (`true`) or as checkpoints (`false`).
    fn views_kept(&self, in_rows: bool) -> Vec<&dyn ErasedView> {
        self.views
            .iter()
            .map(|v| v.as_ref())
            .filter(|v| v.keyed().is_some() == in_rows)
            .collect()
    }

    /// The materializer at work on one reading of the log.
    pub(crate) fn on<'a>(&'a self, log: LogRead<'a>) -> Fold<'a> {
        Fold { m: self, log }
    }

    /// Hold the views lock shared: checkpoints do not change meanwhile.
    pub(crate) fn read_lock(&self) -> ViewsRead<'_> {
        self.lock.read()
    }

    /// Hold the views lock exclusively (the writer guard proves the lock order).
    pub(crate) fn write_lock(&self, writer: &WriterGuard<'_>) -> ViewsWrite<'_> {
        self.lock.write(writer)
    }
}

impl Derive for Materializer {
    fn absorb<'a>(
        &'a self,
        writer: &WriterGuard<'_>,
        log: &Log,
        staged: &Staged,
        commit: &mut Batch,
    ) -> Result<(ViewsWrite<'a>, Vec<(u64, String)>)> {
        let guard = self.write_lock(writer);
        let read = LogRead::with_staged(log, staged);
        let oddities = self
            .on(read)
            .maintain_views(staged.first - 1, staged.last, commit)?;
        Ok((guard, oddities))
    }
}

/// The materializer reading the log at one moment: checkpoints, folds and maintenance.
/// Derefs to the [`LogRead`] it reads.
#[derive(Clone, Copy)]
pub(crate) struct Fold<'a> {
    m: &'a Materializer,
    log: LogRead<'a>,
}

impl<'a> std::ops::Deref for Fold<'a> {
    type Target = LogRead<'a>;
    fn deref(&self) -> &LogRead<'a> {
        &self.log
    }
}

/// Where a fold starts, how far it must go and what it may stop at.
struct FoldPlan {
    start: Option<(u128, Box<dyn ErasedState>)>,
    /// The knowledge folded at.
    k: u64,
    /// Events after this seq are new: their oddities are reported.
    old_head: u64,
    /// The fold does not stop before this position (the new events' last).
    must_reach: Option<u128>,
    /// Stop after this many entries (once `must_reach` is passed).
    budget: Option<u64>,
}

/// What a fold writes: checkpoints into the batch, and the new events' oddities.
struct FoldOut<'b> {
    batch: &'b mut Batch,
    oddities: &'b mut Vec<(u64, String)>,
}

/// Where a fold stopped.
enum FoldEnd {
    Complete { tail: u64 },
    Stopped { frontier: u128 },
}

/// What the new events of an append touched, for one view.
#[derive(Default)]
struct ViewTouch {
    /// The smallest position touched.
    min: Option<u128>,
    /// The largest position of a kind the view may reject (folds must reach it).
    must_reach: Option<u128>,
    /// How many entries were touched.
    count: u64,
}

/// What the new events of an append touched.
struct Touches {
    /// Per block of seqs, the smallest position touched (the touch summary).
    block_min: BTreeMap<u64, u128>,
    /// Per view, in registration order.
    per_view: Vec<ViewTouch>,
}

impl ViewMeta {
    /// The meta record of a keyed view absorbed up to `applied` (no checkpoints).
    fn rows(view: &dyn ErasedView, applied: u64, versions: u64, keys: u64) -> ViewMeta {
        ViewMeta {
            view_version: view.version(),
            frontier: None,
            tail: 0,
            applied,
            rows: true,
            versions,
            keys,
        }
    }

    /// Whether this bookkeeping is of `view`'s version and form.
    fn fits(&self, view: &dyn ErasedView) -> bool {
        self.view_version == view.version() && self.rows == view.keyed().is_some()
    }

    /// Record where a fold ended: complete with a tail, or stopped at a frontier.
    fn record(&mut self, end: FoldEnd) {
        match end {
            FoldEnd::Complete { tail } => {
                self.frontier = None;
                self.tail = tail;
            }
            FoldEnd::Stopped { frontier } => {
                self.frontier = Some(frontier);
                self.tail = 0;
            }
        }
    }
}

impl<'a> Fold<'a> {
    /// The materializer this fold works for.
    pub(crate) fn materializer(&self) -> &'a Materializer {
        self.m
    }

    pub(crate) fn view_meta(&self, view: &dyn ErasedView) -> Result<Option<ViewMeta>> {
        match self.engine.get(&keys::view_meta(view.name()))? {
            None => Ok(None),
            Some(bytes) => envelope::open(keys::VIEW_META, VIEW_META_VERSION, &bytes)
                .map(Some)
                .map_err(|e| {
                    Error::corrupt_in(Structure::ViewMeta { view: view.name() }, e.to_string())
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

    fn checkpoint_pos(view: &'static str, key: &[u8]) -> Result<u128> {
        keys::parse_checkpoint_pos(key)
            .ok_or_else(|| Error::corrupt_in(Structure::Checkpoints { view }, "malformed key"))
    }

    /// Checkpoints of `view` with position in `[from, to]`, newest first, as raw pairs.
    fn checkpoints_rev(
        &self,
        view: &dyn ErasedView,
        from: u128,
        to: u128,
    ) -> impl Iterator<Item = Result<(u128, Vec<u8>)>> + '_ {
        let (start, end) = Fold::checkpoint_range(view, from, to);
        let name = view.name();
        self.engine.scan_rev(&start, &end).map(move |item| {
            let (key, value) = item?;
            Ok((Fold::checkpoint_pos(name, &key)?, value))
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
        let (start, end) = Fold::checkpoint_range(view, from, to);
        let name = view.name();
        self.engine
            .keys_rev(&start, &end)
            .map(move |key| Fold::checkpoint_pos(name, &key?))
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
        let record = Fold::decode_checkpoint_record(view, value)?;
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
        let Some(record) = Fold::decode_checkpoint_record(view, &value) else {
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

    /// The smallest timeline position touched by any event with seq in `(from, to]`, from
    /// the touch summary and, for partial blocks, the log itself.
    pub(crate) fn touch_min(&self, from: u64, to: u64) -> Result<Option<u128>> {
        if to <= from {
            return Ok(None);
        }
        let mut best: Option<u128> = None;
        let mut take = |p: u128| best = Some(best.map_or(p, |b: u128| b.min(p)));
        let (a, b) = (from + 1, to);
        let tb = keys::TOUCH_BLOCK;
        // Whole blocks inside [a, b] come from the summary; the rest from the log.
        let first_full = a.div_ceil(tb);
        let last_full_exclusive = (b + 1) / tb;
        if first_full >= last_full_exclusive {
            for s in a..=b {
                self.touched_by(s, to)?.into_iter().for_each(&mut take);
            }
            return Ok(best);
        }
        for s in a..first_full * tb {
            self.touched_by(s, to)?.into_iter().for_each(&mut take);
        }
        let start = keys::touch(first_full);
        let end = keys::touch(last_full_exclusive);
        for item in self.engine.scan(&start, &end) {
            let (_, value) = item?;
            let min: u128 =
                crate::format::envelope::open(keys::TOUCH, crate::log::INDEX_VERSION, &value)
                    .map_err(|e| Error::corrupt_in(Structure::TouchSummary, e.to_string()))?;
            take(min);
        }
        for s in last_full_exclusive * tb..=b {
            self.touched_by(s, to)?.into_iter().for_each(&mut take);
        }
        Ok(best)
    }

    /// The state of `view` as of `as_of` at knowledge `k`.
    pub(crate) fn view_state(
        &self,
        view: &dyn ErasedView,
        as_of: Day,
        k: u64,
    ) -> Result<Box<dyn ErasedState>> {
        self.view_state_for(view, as_of, k, None)
    }

    /// The state of `view` as of `as_of` at knowledge `k`; for a keyed view and an `actor`,
    /// only the rows whose facts named it (a superset of the rows that mention it).
    pub(crate) fn view_state_for(
        &self,
        view: &dyn ErasedView,
        as_of: Day,
        k: u64,
        actor: Option<&Code>,
    ) -> Result<Box<dyn ErasedState>> {
        let through = keys::position_end_of(as_of);
        if let Some(keyed) = view.keyed() {
            return self.row_state(view, keyed, through, k, actor);
        }
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

    /// Fold `view` as `plan` says at its knowledge, cutting checkpoints into the batch.
    fn fold_view(
        &self,
        view: &dyn ErasedView,
        plan: FoldPlan,
        out: &mut FoldOut<'_>,
    ) -> Result<FoldEnd> {
        let (after, mut state) = match plan.start {
            Some((p, s)) => (Some(p), s),
            None => (None, view.empty()),
        };
        let interval = self.m.checkpoint_interval;
        let (mut since, mut folded) = (0u64, 0u64);
        let wanted = |code: u8| view.consumes_code(code);
        for entry in self.effective_entries(after, None, plan.k, &wanted) {
            let e = entry?;
            if let Err(reason) = state.apply(&Fact {
                seq: e.seq,
                date: &e.date,
                content: &e.content,
            }) {
                if e.seq > plan.old_head
                    && view.may_reject_code(crate::log::kind_index(&e.content.kind))
                {
                    out.oddities
                        .push((e.seq, format!("{} view: {reason}", view.name())));
                }
            }
            since += 1;
            folded += 1;
            if since >= interval {
                let record = CheckpointRecord {
                    view_version: view.version(),
                    computed_at: plan.k,
                    state: state.encode(),
                };
                out.batch.put(
                    keys::checkpoint(view.name(), e.pos).to_vec(),
                    envelope::seal(keys::CHECKPOINT, CHECKPOINT_VERSION, &record),
                );
                since = 0;
                let reached = plan.must_reach.is_none_or(|m| e.pos >= m);
                if reached && plan.budget.is_some_and(|b| folded >= b) {
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
        let touches = self.touches(old_head, new_head)?;
        self.write_touch_summary(&touches.block_min, batch)?;
        let budget = if new_head - old_head >= BULK_EVENTS {
            None
        } else {
            Some(self.m.repair_budget)
        };
        let mut oddities = Vec::new();
        let mut out = FoldOut {
            batch,
            oddities: &mut oddities,
        };
        for (view, touch) in self.m.views.iter().zip(&touches.per_view) {
            if view.keyed().is_some() {
                continue; // absorbed into the row-version index below
            }
            let span = (old_head, new_head);
            self.maintain_view(view.as_ref(), touch, span, budget, &mut out)?;
        }
        oddities.extend(self.absorb_rows(old_head, new_head, batch)?);
        oddities.sort();
        oddities.dedup();
        Ok(oddities)
    }

    /// The events `(old_head, new_head]`: from the appender's hand-over when it kept them
    /// in memory, else from one scan of the staged log.
    fn new_events(
        &self,
        old_head: u64,
        new_head: u64,
    ) -> Box<dyn Iterator<Item = Result<Event>> + 'a> {
        match self.staged().and_then(|s| s.events.as_ref()) {
            Some(events) => Box::new(events.iter().cloned().map(Ok)),
            None => Box::new(self.log().events_between(old_head + 1, new_head)),
        }
    }

    /// Absorb the events `(old_head, new_head]` into the row-version index of every keyed
    /// view (a view whose bookkeeping is missing or stale is first rebuilt to `old_head`).
    /// Returns the oddities the keyed views found among the new events.
    fn absorb_rows(
        &self,
        old_head: u64,
        new_head: u64,
        batch: &mut Batch,
    ) -> Result<Vec<(u64, String)>> {
        let keyed = self.m.views_kept(true);
        let mut metas = Vec::new();
        for &view in &keyed {
            let meta = match self.view_meta(view) {
                Ok(Some(m)) if m.fits(view) => m,
                _ => self.rebuild_rows(view, old_head)?,
            };
            metas.push(meta);
        }
        let mut absorb = Absorb::new(*self, keyed.iter().copied(), old_head, old_head);
        for event in self.new_events(old_head, new_head) {
            absorb.event(event?)?;
        }
        absorb.drain_into(batch)?;
        for ((view, meta), (_, added)) in keyed.into_iter().zip(metas).zip(absorb.added()) {
            let meta = ViewMeta::rows(
                view,
                new_head,
                meta.versions + added.versions,
                meta.keys + added.keys,
            );
            Fold::put_meta(batch, view, &meta);
        }
        Ok(absorb.oddities())
    }

    /// Drop keyed `view`'s index (and any checkpoints) and absorb the log up to `head` into
    /// it, writing (not flushing) every `REBUILD_CHUNK` versions; the meta record is
    /// deleted first and written last, so an interrupted rebuild is redone on open.
    fn rebuild_rows(&self, view: &dyn ErasedView, head: u64) -> Result<ViewMeta> {
        let metas = self.rebuild_rows_of(&[view], head)?;
        metas.into_iter().next().ok_or_else(|| {
            Error::corrupt_in(Structure::RowIndex { view: view.name() }, "not rebuilt")
        })
    }

    /// [`Fold::rebuild_rows`] for several keyed views in one pass over the log.
    fn rebuild_rows_of(&self, views: &[&dyn ErasedView], head: u64) -> Result<Vec<ViewMeta>> {
        if views.is_empty() {
            return Ok(Vec::new());
        }
        let mut batch = Batch::new();
        for &view in views {
            batch.delete(keys::view_meta(view.name()).to_vec());
            self.drop_checkpoints_from(view, 0, &mut batch)?;
            self.drop_rows(view, &mut batch)?;
        }
        self.engine.write(batch)?;
        let mut absorb = Absorb::new(*self, views.iter().copied(), head, 0);
        for event in self.log().events_between(1, head) {
            absorb.event(event?)?;
            if absorb.held() >= REBUILD_CHUNK {
                let mut batch = Batch::new();
                absorb.drain_into(&mut batch)?;
                self.engine.write(batch)?;
            }
        }
        let mut batch = Batch::new();
        absorb.drain_into(&mut batch)?;
        let mut metas = Vec::new();
        for (&view, (_, added)) in views.iter().zip(absorb.added()) {
            let meta = ViewMeta::rows(view, head, added.versions, added.keys);
            Fold::put_meta(&mut batch, view, &meta);
            metas.push(meta);
        }
        self.engine.write(batch)?;
        Ok(metas)
    }

    /// What the events `(old_head, new_head]` touched: per block of seqs (the touch
    /// summary) and per view. The events come from the appender's hand-over when it kept
    /// them in memory, else from one scan of the staged log.
    fn touches(&self, old_head: u64, new_head: u64) -> Result<Touches> {
        let mut t = Touches {
            block_min: BTreeMap::new(),
            per_view: (0..self.m.views.len())
                .map(|_| ViewTouch::default())
                .collect(),
        };
        for event in self.new_events(old_head, new_head) {
            let event = event?;
            let seq = event.seq;
            for (pos, code) in self.touched_by_event(event, new_head)? {
                let b = t.block_min.entry(seq / keys::TOUCH_BLOCK).or_insert(pos);
                *b = (*b).min(pos);
                for (v, vt) in self.m.views.iter().zip(t.per_view.iter_mut()) {
                    if v.consumes_code(code) {
                        vt.min = Some(vt.min.map_or(pos, |m| m.min(pos)));
                        vt.count += 1;
                        if v.may_reject_code(code) {
                            vt.must_reach = Some(vt.must_reach.map_or(pos, |m| m.max(pos)));
                        }
                    }
                }
            }
        }
        Ok(t)
    }

    /// Merge the blocks' smallest touched positions into the stored touch summary.
    fn write_touch_summary(
        &self,
        block_min: &BTreeMap<u64, u128>,
        batch: &mut Batch,
    ) -> Result<()> {
        for (&block, &min) in block_min {
            let key = keys::touch(block);
            let min = match self.engine.get(&key)? {
                Some(v) => envelope::open::<u128>(keys::TOUCH, INDEX_VERSION, &v)
                    .map(|old| old.min(min))
                    .map_err(|e| {
                        Error::corrupt_in(
                            Structure::TouchSummary,
                            format!("{e}; run `annals rebuild`"),
                        )
                    })?,
                None => min,
            };
            batch.put(
                key.to_vec(),
                envelope::seal(keys::TOUCH, INDEX_VERSION, &min),
            );
        }
        Ok(())
    }

    /// Keep one view in step: nothing to do, extend its tail, or repair its checkpoints
    /// from the earliest position the new events (or an unfinished repair) touched.
    fn maintain_view(
        &self,
        view: &dyn ErasedView,
        touch: &ViewTouch,
        (old_head, new_head): (u64, u64),
        budget: Option<u64>,
        out: &mut FoldOut<'_>,
    ) -> Result<()> {
        let k = new_head;
        let mut meta = match self.view_meta(view) {
            Ok(Some(m)) if m.fits(view) => m,
            // Missing or stale bookkeeping: rebuild this view from the log.
            _ => return self.rebuild_view_into(view, k, old_head, out),
        };
        meta.applied = new_head;
        let last_cp = self
            .checkpoint_positions_rev(view, 0, u128::MAX)
            .next()
            .transpose()?;
        let plan = |start, budget| FoldPlan {
            start,
            k,
            old_head,
            must_reach: touch.must_reach,
            budget,
        };
        match (touch.min, meta.frontier) {
            (None, None) => {}
            (Some(p), None) if last_cp.is_none_or(|c| p > c) => {
                // Everything new lies after the last checkpoint.
                if touch.must_reach.is_none()
                    && meta.tail + touch.count < self.m.checkpoint_interval
                {
                    meta.tail += touch.count;
                } else {
                    let start = match last_cp {
                        Some(c) => self.usable_checkpoint(view, c, k)?,
                        None => None,
                    };
                    meta.record(self.fold_view(view, plan(start, None), out)?);
                }
            }
            (touched, frontier) => {
                let from = touched.into_iter().chain(frontier).min().unwrap_or(0);
                self.drop_checkpoints_from(view, from, out.batch)?;
                let start = match from.checked_sub(1) {
                    Some(before) => self.usable_checkpoint(view, before, k)?,
                    None => None,
                };
                meta.record(self.fold_view(view, plan(start, budget), out)?);
            }
        }
        Fold::put_meta(out.batch, view, &meta);
        Ok(())
    }

    /// Drop `view`'s checkpoints and fold it from scratch at knowledge `k` into the batch.
    fn rebuild_view_into(
        &self,
        view: &dyn ErasedView,
        k: u64,
        old_head: u64,
        out: &mut FoldOut<'_>,
    ) -> Result<()> {
        self.drop_checkpoints_from(view, 0, out.batch)?;
        let plan = FoldPlan {
            start: None,
            k,
            old_head,
            must_reach: None,
            budget: None,
        };
        let mut meta = ViewMeta {
            view_version: view.version(),
            frontier: None,
            tail: 0,
            applied: k,
            rows: false,
            versions: 0,
            keys: 0,
        };
        meta.record(self.fold_view(view, plan, out)?);
        Fold::put_meta(out.batch, view, &meta);
        Ok(())
    }

    /// Rebuild one view from scratch and write it (not flushed).
    fn rebuild_view(&self, view: &dyn ErasedView, head: u64) -> Result<()> {
        if view.keyed().is_some() {
            return self.rebuild_rows(view, head).map(|_| ());
        }
        let mut batch = Batch::new();
        let mut ignored = Vec::new();
        let mut out = FoldOut {
            batch: &mut batch,
            oddities: &mut ignored,
        };
        self.rebuild_view_into(view, head, head, &mut out)?;
        self.engine.write(batch)
    }

    /// Drop and refold every view's checkpoints, and the touch summary, from the log (at
    /// the head's knowledge), calling `progress(step, steps)` after the touch summary and
    /// after each view. The writer guard proves the caller holds the writer lock.
    pub(crate) fn rebuild_views(
        &self,
        writer: &WriterGuard<'_>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<()> {
        let _views = self.m.write_lock(writer);
        let checkpointed = self.m.views_kept(false);
        let keyed = self.m.views_kept(true);
        let steps = checkpointed.len() as u64 + 2;
        let head = self.head().seq;
        self.rebuild_touch_summary(head)?;
        progress(1, steps);
        // Every keyed view in one pass over the log.
        self.rebuild_rows_of(&keyed, head)?;
        progress(2, steps);
        for (i, view) in checkpointed.into_iter().enumerate() {
            self.rebuild_view(view, head)?;
            progress(i as u64 + 3, steps);
        }
        self.engine.flush()
    }

    /// Rewrite the touch summary from the log: it is derived like everything else.
    fn rebuild_touch_summary(&self, head: u64) -> Result<()> {
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
        self.engine.write(batch)
    }

    /// Bring views whose bookkeeping is missing, stale or behind the head up to date
    /// (on open: a newly registered view, a changed view version, an interrupted write).
    pub(crate) fn ensure_views(&self, writer: &WriterGuard<'_>) -> Result<()> {
        let head = self.head().seq;
        let fine = |view: &dyn ErasedView| matches!(self.view_meta(view), Ok(Some(m)) if m.fits(view) && m.applied == head);
        if self.views_fine() {
            return Ok(());
        }
        let _views = self.m.write_lock(writer);
        let stale = |in_rows| -> Vec<&dyn ErasedView> {
            self.m
                .views_kept(in_rows)
                .into_iter()
                .filter(|v| !fine(*v))
                .collect()
        };
        // Stale keyed views in one pass over the log, as a rebuild does.
        self.rebuild_rows_of(&stale(true), head)?;
        for view in stale(false) {
            self.rebuild_view(view, head)?;
        }
        self.engine.flush()
    }

    /// Whether every view's bookkeeping is of its version and form and maintained up to
    /// the head (so [`Fold::ensure_views`] has nothing to do).
    pub(crate) fn views_fine(&self) -> bool {
        let head = self.head().seq;
        self.m.views.iter().all(|v| {
            let view = v.as_ref();
            matches!(self.view_meta(view), Ok(Some(m)) if m.fits(view) && m.applied == head)
        })
    }

    /// Check every view's checkpoints, and every keyed view's row versions visible at the
    /// head, against a from-scratch fold at the head's knowledge. Returns the numbers of
    /// checkpoints and row versions checked.
    pub(crate) fn verify_views(&self) -> Result<(u64, u64)> {
        let _views = self.m.read_lock();
        let head = self.head().seq;
        let (mut checked, mut versions) = (0, 0);
        for view in &self.m.views {
            let view = view.as_ref();
            let name = Structure::Checkpoints { view: view.name() };
            let meta = self.view_meta(view)?.ok_or_else(|| {
                Error::corrupt_in(
                    name.clone(),
                    "the view's meta record is missing; run `annals rebuild`",
                )
            })?;
            if !meta.fits(view) || meta.applied != head {
                return Err(Error::corrupt_in(
                    name,
                    "the view's meta record is stale; run `annals rebuild`",
                ));
            }
            if let Some(keyed) = view.keyed() {
                versions += self.verify_rows(view, keyed, head)?;
                continue;
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
                let Some((record, stored)) = Fold::decode_checkpoint(view, &value) else {
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
        Ok((checked, versions))
    }
}

#[cfg(test)]
mod tests {
    use super::{CheckpointRecord, Fold, CHECKPOINT_VERSION};
    use crate::format::{envelope, keys};
    use crate::model::interchange::parse_line;
    use crate::storage::{Batch, Engine};
    use crate::tools::workload::Rng;
    use crate::views::{Arms, Deployments, Fact, Tests, View};
    use crate::{Code, Day, KindTag, Store, StoreOptions};
    use std::collections::BTreeMap;
    use std::marker::PhantomData;

    /// A built-in view's twin registered as a plain view: kept as checkpoints.
    struct Cp<V>(PhantomData<V>);
    trait Twin: View {
        const TWIN: &'static str;
    }
    impl Twin for Arms {
        const TWIN: &'static str = "cp_arms";
    }
    impl Twin for Deployments {
        const TWIN: &'static str = "cp_deployments";
    }
    impl Twin for Tests {
        const TWIN: &'static str = "cp_tests";
    }
    impl<V: Twin> View for Cp<V> {
        const NAME: &'static str = V::TWIN;
        const VERSION: u32 = 1;
        type State = V::State;
        type Row = V::Row;
        fn consumes(kind: KindTag) -> bool {
            V::consumes(kind)
        }
        fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
            V::apply(state, fact)
        }
        fn rows(state: &Self::State, as_of: Day) -> Vec<Self::Row> {
            V::rows(state, as_of)
        }
        fn row_mentions(row: &Self::Row, code: &Code) -> bool {
            V::row_mentions(row, code)
        }
        fn row_key(row: &Self::Row) -> String {
            V::row_key(row)
        }
    }

    /// A store with checkpointed twins of arms, deployments and tests.
    fn store_with_twins(checkpoint_interval: u64, repair_budget: u64) -> Store {
        Store::temporary_with(
            StoreOptions {
                checkpoint_interval,
                repair_budget,
                ..StoreOptions::default()
            }
            .with_view::<Cp<Arms>>()
            .with_view::<Cp<Deployments>>()
            .with_view::<Cp<Tests>>(),
        )
        .unwrap()
    }

    /// `verify` checks the order the checkpoint search relies on: a checkpoint computed
    /// at a later knowledge than one after it is reported.
    #[test]
    fn verify_reports_checkpoint_knowledge_falling_with_position() {
        let store = store_with_twins(2, StoreOptions::default().repair_budget);
        for year in 2001..=2010 {
            let line = format!(
                r#"{{"date":"{year}","kind":"arms_transfer","supplier":"AAA","recipient":"BBB","item":"shells","quantity":{year},"summary":"s"}}"#
            );
            store.append(parse_line(&line).unwrap().event).unwrap();
        }
        store.verify().unwrap();
        let arms = store.find_view("cp_arms").unwrap();
        let oldest = store
            .fold()
            .checkpoint_positions_rev(arms.as_ref(), 0, u128::MAX)
            .last()
            .unwrap()
            .unwrap();
        let key = keys::checkpoint("cp_arms", oldest).to_vec();
        let value = store.log.engine.get(&key).unwrap().unwrap();
        let record = Fold::decode_checkpoint_record(arms.as_ref(), &value).unwrap();
        let later = CheckpointRecord {
            computed_at: store.head().seq + 1,
            ..record
        };
        let mut batch = Batch::new();
        batch.put(
            key,
            envelope::seal(keys::CHECKPOINT, CHECKPOINT_VERSION, &later),
        );
        store.log.engine.write(batch).unwrap();
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
            let store = store_with_twins(2, 3);
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
            let fold = store.fold();
            for view in store.history.views() {
                let view = view.as_ref();
                let positions: Vec<u128> = fold
                    .checkpoint_positions_rev(view, 0, u128::MAX)
                    .collect::<crate::Result<_>>()
                    .unwrap();
                if view.keyed().is_some() {
                    continue; // the built-ins: no checkpoints
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
                                    fold.checkpoint_if_valid(view, p, k, &mut cache)
                                        .unwrap()
                                        .is_some()
                                });
                        let searched = fold
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
                "the twins of arms, deployments and tests were searched"
            );
        }
        assert!(
            searches_past_the_newest > 100,
            "the newest checkpoint was often invalid ({searches_past_the_newest} times)"
        );
    }
}
