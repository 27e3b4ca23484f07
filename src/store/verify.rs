//! Proving the store is intact, and rebuilding what is derived.
//!
//! `verify` walks the log from seq 1: each record's checksum and version, its seq (gap-free),
//! and its link in the hash chain; then it compares every derived index with what the log
//! implies. `rebuild_indexes` drops the derived keyspaces and derives them again from the log.
//!
//! Invariant: neither ever rewrites a log record; a corrupt log is reported, never repaired.

use crate::error::{Error, Result, Structure};
use crate::format::envelope;
use crate::format::keys;
use crate::log::{chain_hash, decode_posting, decode_record, index_entries};
use crate::log::{hex, Head};
use crate::model::date::Day;
use crate::model::event::{Content, Event};
use crate::storage::{Batch, Engine};
use crate::store::Store;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// How often (in events) a log walk reports progress.
const PROGRESS_EVERY: u64 = 1024;

/// A check of one stored index value.
type ValueCheck = Box<dyn Fn(&[u8]) -> bool>;

/// A derived keyspace (prefix, structure) with the (key, value check) list it must hold.
type KeyspaceCheck = (u8, Structure, Vec<(Vec<u8>, ValueCheck)>);

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Events checked.
    pub events: u64,
    /// The head seq.
    pub head_seq: u64,
    /// The head hash, hex: keep it to prove later that the log was not rewritten.
    pub head_hash: String,
    /// Derived index entries checked.
    pub index_entries: u64,
    /// View checkpoints checked against a from-scratch fold.
    pub checkpoints: u64,
    /// Row versions of keyed views (visible at the head) checked against a fold.
    pub row_versions: u64,
}

/// Counts and extent of the log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub events: u64,
    pub by_kind: BTreeMap<String, u64>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub last_seq: u64,
    pub size_on_disk: u64,
    /// The storage engine: `sled`, `redb` or `postgres`.
    pub engine: String,
}

/// The index entries the log implies, gathered in memory.
#[derive(Default)]
struct ExpectedIndexes {
    ids: Vec<([u8; 17], u64)>,
    amends: Vec<([u8; 17], u8)>,
    /// Timeline and actor posting lists, by bucket key.
    postings: BTreeMap<Vec<u8>, Vec<u128>>,
    /// The touch summary: per block of seqs, the smallest position touched.
    touches: BTreeMap<u64, u128>,
}

impl ExpectedIndexes {
    /// Every derived keyspace with the (key, value check) list it must hold, in the order
    /// `verify` compares them.
    fn into_checks(self) -> Vec<KeyspaceCheck> {
        let index = crate::log::INDEX_VERSION;
        let ids = self.ids.into_iter().map(|(k, seq)| {
            let check: ValueCheck =
                Box::new(move |v| envelope::open::<u64>(keys::ID, index, v) == Ok(seq));
            (k.to_vec(), check)
        });
        let amends = self.amends.into_iter().map(|(k, kind)| {
            let check: ValueCheck =
                Box::new(move |v| envelope::open::<u8>(keys::AMEND, index, v) == Ok(kind));
            (k.to_vec(), check)
        });
        let touches = self.touches.into_iter().map(|(block, min)| {
            let check: ValueCheck =
                Box::new(move |v| envelope::open::<u128>(keys::TOUCH, index, v) == Ok(min));
            (keys::touch(block).to_vec(), check)
        });
        let (mut times, mut actors) = (Vec::new(), Vec::new());
        for (key, items) in self.postings {
            let probe = key.clone();
            let check: ValueCheck =
                Box::new(move |v| decode_posting(&probe, v).is_ok_and(|got| got == items));
            if key[0] == keys::TIME {
                times.push((key, check));
            } else {
                actors.push((key, check));
            }
        }
        vec![
            (keys::ID, Structure::IdIndex, ids.collect()),
            (keys::AMEND, Structure::AmendmentIndex, amends.collect()),
            (keys::TIME, Structure::TimelineIndex, times),
            (keys::TOUCH, Structure::TouchSummary, touches.collect()),
            (keys::ACTOR, Structure::ActorIndex, actors),
        ]
    }
}

impl Store {
    /// Walk the log and call `each` with every event and its target (for amendments), in
    /// seq order, checking checksums, seqs and the hash chain on the way. Returns the head
    /// the walk ended at.
    fn walk_log(
        &self,
        mut each: impl FnMut(&Event, Option<(u64, &Content)>) -> Result<()>,
    ) -> Result<Head> {
        let head = self.head();
        let mut ids: HashMap<Uuid, u64> = HashMap::new();
        let mut running = [0u8; 32];
        let mut expected = 1u64;
        let mut last_recorded = i64::MIN;
        let start = keys::log(1);
        let end = keys::log(head.seq.saturating_add(1));
        for item in self.log.engine.scan(&start, &end) {
            let (key, value) = item?;
            let record = decode_record(&key, &value)?;
            let seq = record.event.seq;
            if seq != expected {
                return Err(Error::corrupt_seq(
                    expected,
                    "the log record is missing (the seq has a gap)",
                ));
            }
            if record.prev_hash != running {
                return Err(Error::corrupt_seq(
                    seq.saturating_sub(1).max(1),
                    format!(
                        "hash chain broken: seq {seq} does not commit to the hash of the record before it; a record was rewritten after it was chained"
                    ),
                ));
            }
            if record.event.recorded_micros < last_recorded {
                return Err(Error::corrupt_seq(seq, "recorded time goes backwards"));
            }
            last_recorded = record.event.recorded_micros;
            // The checksum passed, so the payload is exactly what was written.
            running = chain_hash(
                envelope::open_any_version(keys::LOG, &value)
                    .map(|(_, p)| p)
                    .unwrap_or(&[]),
            );
            let target = match record.event.content.kind.target() {
                Some(t) => match ids.get(&t) {
                    Some(&ts) => Some((ts, self.log.event_at(ts, head.seq)?.content)),
                    None => {
                        return Err(Error::corrupt_seq(
                            seq,
                            format!("amends {t}, which is not earlier in the log"),
                        ));
                    }
                },
                None => None,
            };
            ids.insert(record.event.id, seq);
            each(&record.event, target.as_ref().map(|(s, c)| (*s, c)))?;
            expected += 1;
        }
        if expected != head.seq + 1 {
            return Err(Error::corrupt_seq(
                expected,
                "the log record is missing (the log ends before its head)",
            ));
        }
        if running != head.hash {
            return Err(Error::corrupt_seq(
                head.seq,
                format!(
                    "the head record's hash {} does not match the log's ({}); the last record was rewritten",
                    hex(&head.hash),
                    hex(&running)
                ),
            ));
        }
        Ok(head)
    }

    fn expected_indexes(&self, walked: &mut dyn FnMut(u64)) -> Result<(Head, ExpectedIndexes)> {
        let mut exp = ExpectedIndexes::default();
        let head = self.walk_log(|event, target| {
            if event.seq.is_multiple_of(PROGRESS_EVERY) {
                walked(event.seq);
            }
            let entries = index_entries(event, target);
            exp.ids.push((entries.id, event.seq));
            if let Some(a) = entries.amend {
                exp.amends.push(a);
            }
            for (key, item) in entries.postings {
                exp.postings.entry(key).or_default().push(item);
            }
            // A fact touches its own position; an amendment, those of the versions in
            // effect before and after it (resolution reads only seqs up to this one).
            let touched: Vec<u128> = if event.content.kind.is_amendment() {
                self.log
                    .read()
                    .touched_by_with_codes(event.seq, event.seq)?
                    .into_iter()
                    .map(|(p, _)| p)
                    .collect()
            } else {
                crate::log::timeline::effective_from(event.seq, event.content.clone())
                    .map(|e| e.pos)
                    .into_iter()
                    .collect()
            };
            for pos in touched {
                let min = exp
                    .touches
                    .entry(event.seq / keys::TOUCH_BLOCK)
                    .or_insert(pos);
                *min = (*min).min(pos);
            }
            Ok(())
        })?;
        exp.ids.sort_unstable();
        exp.amends.sort_unstable();
        for items in exp.postings.values_mut() {
            items.sort_unstable();
        }
        Ok((head, exp))
    }

    /// Prove that the current log extends the log whose head hash was `head_hash_hex` (as
    /// printed by `verify --json` earlier): the chain must pass through that hash. Returns
    /// the seq it was the head of. Checks the whole chain on the way.
    pub fn verify_extends(&self, head_hash_hex: &str) -> Result<u64> {
        let wanted = head_hash_hex.trim().to_ascii_lowercase();
        if wanted.len() != 64 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidArgument(format!(
                "`{}` is not a head hash (64 hex digits, as `verify --json` prints)",
                head_hash_hex.chars().take(80).collect::<String>()
            )));
        }
        if wanted == hex(&[0u8; 32]) {
            return Ok(0); // the empty log's head: every log extends it
        }
        let mut found = None;
        let mut running = [0u8; 32];
        let head = self.head();
        let start = keys::log(1);
        let end = keys::log(head.seq.saturating_add(1));
        for item in self.log.engine.scan(&start, &end) {
            let (key, value) = item?;
            let record = decode_record(&key, &value)?;
            if record.prev_hash != running {
                return Err(Error::corrupt_seq(
                    record.event.seq.saturating_sub(1).max(1),
                    "hash chain broken",
                ));
            }
            let (_, payload) = envelope::open_any_version(keys::LOG, &value)
                .map_err(|e| Error::corrupt_seq(record.event.seq, e.to_string()))?;
            running = chain_hash(payload);
            if found.is_none() && hex(&running) == wanted {
                found = Some(record.event.seq);
            }
        }
        if running != head.hash {
            return Err(Error::corrupt_seq(
                head.seq,
                "the head record's hash does not match the log's",
            ));
        }
        found.ok_or_else(|| {
            Error::Corrupt {
                seq: None,
                structure: Structure::Log,
                reason: format!("the log does not extend the log with head hash {wanted}: no record's chain hash equals it (the log was rewritten, or the hash is from another database)"),
            }
        })
    }

    /// Drop and refold every view's checkpoints (and the touch summary) from the log, at
    /// the head's knowledge.
    pub fn rebuild_views(&self) -> Result<()> {
        let writer = self.writer()?;
        self.fold().rebuild_views(&writer, &mut |_, _| {})
    }

    /// Drop every derived structure (indexes, touch summary, view checkpoints) and derive
    /// it again from the log. Returns the number of events.
    pub fn rebuild(&self) -> Result<u64> {
        self.rebuild_with_progress(&mut |_, _| {})
    }

    /// [`Store::rebuild`], calling `progress(done, total)` as it goes (work units: one per
    /// event for the index walk, then the same again shared among the views).
    pub fn rebuild_with_progress(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        let events = self.head().seq;
        let total = events.saturating_mul(2);
        let n = self.rebuild_indexes_with_progress(&mut |done| progress(done, total))?;
        let writer = self.writer()?;
        self.fold().rebuild_views(&writer, &mut |step, steps| {
            progress(events + events * step / steps.max(1), total)
        })?;
        drop(writer);
        self.set_derived_version(crate::store::DERIVED_VERSION)?;
        progress(total, total);
        Ok(n)
    }

    /// Check every checksum, the seq sequence, the hash chain, every derived index and
    /// every view checkpoint.
    /// On failure the error names the first bad seq or the bad structure.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_with_progress(&mut |_, _| {})
    }

    /// [`Store::verify`], calling `progress(done, total)` as it goes (work units: one per
    /// event for the log walk, then one for the index comparison and the views).
    pub fn verify_with_progress(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport> {
        // No append may run meanwhile: its uncommitted entries would look stray.
        let _writer = self.writer()?;
        let total = self.head().seq.saturating_add(1);
        let (head, exp) = self.expected_indexes(&mut |done| progress(done, total))?;
        progress(head.seq, total);
        let mut checked = 0u64;
        for (prefix, structure, expected) in exp.into_checks() {
            checked += self.compare_keyspace(prefix, structure, expected)?;
        }
        let (checkpoints, row_versions) = self.fold().verify_views()?;
        progress(total, total);
        Ok(VerifyReport {
            events: head.seq,
            head_seq: head.seq,
            head_hash: head.hash_hex(),
            index_entries: checked,
            checkpoints,
            row_versions,
        })
    }

    /// Compare one keyspace with its expected (key, value check) list, in key order.
    /// Returns the number of entries checked.
    fn compare_keyspace(
        &self,
        prefix: u8,
        name: Structure,
        expected: Vec<(Vec<u8>, ValueCheck)>,
    ) -> Result<u64> {
        let bad = |what: String| {
            Err(Error::corrupt_in(
                name.clone(),
                format!("{what}; run `annals rebuild`"),
            ))
        };
        let (start, end) = keys::keyspace(prefix);
        let mut stored = self.log.engine.scan(&start, &end);
        let mut checked = 0;
        for (key, check) in expected {
            let Some(item) = stored.next() else {
                return bad(format!("entry {} is missing", hex(&key)));
            };
            let (k, v) = item?;
            if k != key {
                return bad(format!(
                    "unexpected entry {} (expected {})",
                    hex(&k),
                    hex(&key)
                ));
            }
            if !check(&v) {
                return bad(format!("entry {} holds a wrong or damaged value", hex(&k)));
            }
            checked += 1;
        }
        if let Some(item) = stored.next() {
            // verify holds the writer lock and recovery removed any leftovers at open, so
            // an entry nobody expects is stray.
            return bad(format!("stray entry {}", hex(&item?.0)));
        }
        Ok(checked)
    }

    /// Drop every derived index and derive it again from the log. The log is only read.
    pub fn rebuild_indexes(&self) -> Result<u64> {
        self.rebuild_indexes_with_progress(&mut |_| {})
    }

    /// [`Store::rebuild_indexes`], calling `walked(events)` every [`PROGRESS_EVERY`] events.
    fn rebuild_indexes_with_progress(&self, walked: &mut dyn FnMut(u64)) -> Result<u64> {
        let _writer = self.writer()?;
        // Marked in progress: if this is interrupted, the next open rebuilds again.
        self.set_derived_version(0)?;
        let chunk = self.log.engine.batch_events();
        for prefix in [keys::ID, keys::TIME, keys::ACTOR, keys::AMEND] {
            let (start, end) = keys::keyspace(prefix);
            loop {
                let mut batch = Batch::new();
                for item in self.log.engine.scan(&start, &end).take(chunk) {
                    batch.delete(item?.0);
                }
                if batch.is_empty() {
                    break;
                }
                self.log.engine.write(batch)?;
            }
        }
        let mut pending: Vec<(Event, Option<(u64, Content)>)> = Vec::new();
        let mut count = 0u64;
        let flush_chunk = |pending: &mut Vec<(Event, Option<(u64, Content)>)>| -> Result<()> {
            let mut batch = Batch::new();
            let items: Vec<_> = pending
                .iter()
                .map(|(e, t)| (e, t.as_ref().map(|(s, c)| (*s, c))))
                .collect();
            self.log.index_into(&mut batch, &items)?;
            self.log.engine.write(batch)?;
            pending.clear();
            Ok(())
        };
        // The walk checks the log as it goes; a corrupt log stops the rebuild with its seq.
        let mut walk_error = None;
        let walked = self.walk_log(|event, target| {
            pending.push((event.clone(), target.map(|(s, c)| (s, c.clone()))));
            count += 1;
            if count.is_multiple_of(PROGRESS_EVERY) {
                walked(count);
            }
            if pending.len() >= chunk {
                if let Err(e) = flush_chunk(&mut pending) {
                    walk_error = Some(e.to_string());
                    return Err(e);
                }
            }
            Ok(())
        });
        walked?;
        flush_chunk(&mut pending)?;
        self.log.engine.flush()?;
        self.log.load_amended()?;
        Ok(count)
    }

    /// Counts by kind, the first and last days of the timeline, the last seq, size on disk.
    pub fn stats(&self) -> Result<Stats> {
        let mut by_kind = BTreeMap::new();
        let mut events = 0u64;
        let mut first: Option<Day> = None;
        let mut last: Option<Day> = None;
        for event in self.events() {
            let event = event?;
            if let Some(date) = crate::log::timeline_date(&event.content, None) {
                first = Some(first.map_or(date.earliest(), |d| d.min(date.earliest())));
                last = Some(last.map_or(date.latest(), |d| d.max(date.latest())));
            }
            *by_kind
                .entry(event.content.kind.name().to_string())
                .or_insert(0) += 1;
            events += 1;
        }
        Ok(Stats {
            events,
            by_kind,
            first_day: first.map(|d| d.to_string()),
            last_day: last.map(|d| d.to_string()),
            last_seq: self.head().seq,
            size_on_disk: self.log.engine.size_on_disk()?,
            engine: self.log.engine.name().to_string(),
        })
    }
}
