//! The append-only log: appending events, the hash chain, and the derived indexes that an
//! append writes in the same atomic batch.
//!
//! A log record is the envelope (tag 'L', version 2; version 1 is still read, see
//! `event_v1.rs`) around the bincode of [`LogRecord`]: the previous record's chain hash
//! and the [`Event`]. The chain hash of a
//! record is SHA-256 of its payload, so every record commits to all records before it,
//! and the head record holds the hash of the last one.
//!
//! Index entries written with each event (few per event, because every engine insert costs
//! throughput and, in sled, memory): `I` id → seq, one per event; `R` (target, seq) for
//! amendments only; and two kinds of posting lists, which a batch merges so that it
//! touches one stored value per bucket instead of one per event: `T`, one list per
//! earliest day of (latest, seq, kind code), giving timeline order; `A`, one list per actor
//! code and block of 4096 seqs. The index entries go into the same batches as their
//! records; the head, which commits them, goes into the final batch of the append. The
//! chunk that ends an input is held in memory (`storage/overlay.rs`) and written with that
//! final batch, so a single append is one engine commit.
//!
//! Invariants: an append either writes every event of its batch, their index entries and
//! the new head, or nothing (a failed multi-batch import is rolled back by recovery);
//! success is reported only after a flush; seqs are gap-free; recorded time never
//! decreases; an id maps to exactly one content.

use crate::date::Date;
use crate::envelope;
use crate::error::{Error, InputError, Result};
use crate::event::{Code, Content, Event, Kind, NewEvent};
use crate::interchange::{content_id, ParsedLine};
use crate::keys;
use crate::storage::{Batch, Engine};
use crate::store::{Head, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The log record version written now. Version 1 (annals 0.1, without the interchange-v2
/// fields) is still read and upcast; see `event_v1.rs`.
pub(crate) const LOG_RECORD_VERSION: u8 = 2;
pub(crate) const INDEX_VERSION: u8 = 1;

/// Appends of at most this many events keep them in memory for view maintenance
/// (`Store::fresh`); larger ones let it read the staged records back from the engine.
const FRESH_LIMIT: usize = 20_000;

/// A head bound that includes the records staged past the head by the append in progress
/// (only the writer, holding the writer lock, reads with it).
const STAGED: u64 = u64::MAX;

/// The state of an append in progress, across its chunks.
struct Staging {
    /// The committed head when the append started.
    head: Head,
    /// The chain head of the last staged record.
    new_head: Head,
    last_recorded: i64,
    /// Recorded time for events without a kept one.
    now: i64,
    errors: Vec<InputError>,
    outcomes: Vec<(Uuid, Outcome)>,
    /// The input line of each staged event, by seq - head - 1.
    lines: Vec<usize>,
    /// Targets retracted by staged events: target seq -> retraction seq.
    retracted: HashMap<u64, u64>,
    /// Seqs that staged amendments target.
    amended_targets: Vec<u64>,
    /// The staged events, while there are at most `FRESH_LIMIT`.
    kept: Option<Vec<Event>>,
}

/// The stored form of one log entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct LogRecord {
    pub prev_hash: [u8; 32],
    pub event: Event,
}

/// The amendment kinds as stored in the `R` index.
pub(crate) const AMEND_RETRACTION: u8 = 0;
pub(crate) const AMEND_CORRECTION: u8 = 1;

/// Decode and check one log record read under `key`.
pub(crate) fn decode_record(key: &[u8], value: &[u8]) -> Result<LogRecord> {
    let key_seq = key
        .get(1..9)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| {
            Error::corrupt_in(
                "log keyspace",
                format!("malformed log key of {} bytes", key.len()),
            )
        })?;
    let corrupt = |e: envelope::EnvelopeError| Error::corrupt_seq(key_seq, e.to_string());
    let (version, payload) = envelope::open_any_version(keys::LOG, value).map_err(corrupt)?;
    let record: LogRecord = match version {
        LOG_RECORD_VERSION => envelope::decode_payload(payload).map_err(corrupt)?,
        1 => {
            let v1: crate::event_v1::LogRecordV1 =
                envelope::decode_payload(payload).map_err(corrupt)?;
            LogRecord {
                prev_hash: v1.prev_hash,
                event: v1.event.into(),
            }
        }
        found => {
            return Err(corrupt(envelope::EnvelopeError::UnknownVersion {
                found,
                supported: LOG_RECORD_VERSION,
            }));
        }
    };
    if record.event.seq != key_seq {
        return Err(Error::corrupt_seq(
            key_seq,
            format!(
                "record says seq {} but is stored under seq {key_seq}",
                record.event.seq
            ),
        ));
    }
    Ok(record)
}

/// The chain hash of a record: SHA-256 of its payload (which holds the previous hash).
pub(crate) fn chain_hash(payload: &[u8]) -> [u8; 32] {
    Sha256::digest(payload).into()
}

/// What one event of an append came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Appended at this seq.
    Appended(u64),
    /// Already stored with the same content at this seq; nothing was written.
    AlreadyPresent(u64),
}

impl Outcome {
    pub fn seq(self) -> u64 {
        match self {
            Outcome::Appended(s) | Outcome::AlreadyPresent(s) => s,
        }
    }
}

/// What an append or import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendReport {
    /// Per input event, in input order: its id and what happened.
    pub events: Vec<(Uuid, Outcome)>,
    /// The head after the append.
    pub head: Head,
}

impl AppendReport {
    /// How many events were appended.
    pub fn new_count(&self) -> u64 {
        self.events
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Appended(_)))
            .count() as u64
    }

    /// How many were already present.
    pub fn present_count(&self) -> u64 {
        self.events.len() as u64 - self.new_count()
    }

    /// The seqs appended, as (first, last), if any.
    pub fn seq_range(&self) -> Option<(u64, u64)> {
        let mut seqs = self.events.iter().filter_map(|(_, o)| match o {
            Outcome::Appended(s) => Some(*s),
            _ => None,
        });
        let first = seqs.next()?;
        Some((first, seqs.next_back().unwrap_or(first)))
    }
}

/// One event waiting to be appended, with where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// 1-based line (or batch position) for error messages.
    pub line: usize,
    pub event: NewEvent,
    /// Recorded time to keep (restores); `None` takes the clock's.
    pub recorded: Option<DateTime<Utc>>,
}

impl Pending {
    /// API events numbered 1, 2, ... (their "line" in error messages), clock-recorded.
    fn numbered<E: Into<NewEvent>>(events: impl IntoIterator<Item = E>) -> Vec<Pending> {
        events
            .into_iter()
            .enumerate()
            .map(|(i, e)| Pending {
                line: i + 1,
                event: e.into(),
                recorded: None,
            })
            .collect()
    }
}

/// One parsed input line as a pending event; with `keep_recorded`, its `recorded` must
/// be present.
fn pending_line(
    line: usize,
    parsed: ParsedLine,
    keep_recorded: bool,
) -> std::result::Result<Pending, InputError> {
    if keep_recorded && parsed.recorded.is_none() {
        return Err(InputError {
            line,
            reason: "--keep-recorded needs a `recorded` timestamp on every line".into(),
        });
    }
    Ok(Pending {
        line,
        event: parsed.event,
        recorded: if keep_recorded { parsed.recorded } else { None },
    })
}

/// A target as seen by a new amendment.
#[derive(Clone, Debug)]
pub(crate) struct TargetInfo {
    pub seq: u64,
    pub content: Content,
    /// Seq of the retraction of this target, if retracted.
    pub retracted_by: Option<u64>,
}

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
pub(crate) use crate::event::CORRECTION_BIT;

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
        "timeline index"
    } else {
        "actor index"
    };
    let deltas: Vec<u128> = envelope::open(tag, INDEX_VERSION, value)
        .map_err(|e| Error::corrupt_in(structure, e.to_string()))?;
    let mut out = Vec::with_capacity(deltas.len());
    let mut acc = 0u128;
    for d in deltas {
        acc = acc
            .checked_add(d)
            .ok_or_else(|| Error::corrupt_in(structure, "posting list overflows"))?;
        out.push(acc);
    }
    Ok(out)
}

impl Store {
    /// Append one event; it is durable when this returns. Returns its seq (or the seq it
    /// already had: appending the same content again is a no-op).
    ///
    /// ```
    /// use annals::{Content, Date, Kind, Code, Outcome};
    /// let store = annals::Store::temporary()?;
    /// let test = Content::new(Date::parse("2024-10-31")?, Kind::MissileTest {
    ///     actor: Code::parse("PRK").map_err(annals::Error::InvalidArgument)?,
    ///     class: "ICBM".into(),
    ///     count: 1,
    /// });
    /// assert_eq!(store.append(test.clone())?, Outcome::Appended(1));
    /// assert_eq!(store.append(test)?, Outcome::AlreadyPresent(1));
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn append(&self, event: impl Into<NewEvent>) -> Result<Outcome> {
        let report = self.append_batch([event.into()])?;
        Ok(report.events[0].1)
    }

    /// Append events atomically, in order: all of them or none. Events already stored with
    /// the same id and content are skipped and reported as present. A bad event fails the
    /// whole batch with [`Error::InvalidInput`], naming each bad event by its position.
    ///
    /// ```
    /// use annals::interchange::parse_line;
    /// let store = annals::Store::temporary()?;
    /// let lines = [
    ///     r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"NATO","type":"defense_pact","members":["USA","CAN"]}"#,
    ///     r#"{"date":"1952-02-18","kind":"alliance_joined","alliance":"NATO","members":["GRC","TUR"]}"#,
    /// ];
    /// let events: Vec<_> = lines.iter().map(|l| parse_line(l).unwrap().event).collect();
    /// let report = store.append_batch(events)?;
    /// assert_eq!(report.seq_range(), Some((1, 2)));
    ///
    /// // Joining an alliance that does not exist yet is rejected; nothing is written.
    /// let odd = parse_line(r#"{"date":"1950","kind":"alliance_joined","alliance":"CSTO","members":["ARM"]}"#).unwrap().event;
    /// assert!(store.append_batch([odd]).is_err());
    /// assert_eq!(store.head().seq, 2);
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn append_batch<E: Into<NewEvent>>(
        &self,
        events: impl IntoIterator<Item = E>,
    ) -> Result<AppendReport> {
        self.commit(Pending::numbered(events), None, false)
    }

    /// Like [`Store::append_batch`], but fails with [`Error::Conflict`] and writes nothing
    /// unless the log still ends at `last_seq` (optimistic concurrency).
    pub fn append_expecting<E: Into<NewEvent>>(
        &self,
        last_seq: u64,
        events: impl IntoIterator<Item = E>,
    ) -> Result<AppendReport> {
        self.commit(Pending::numbered(events), Some(last_seq), false)
    }

    /// Append parsed interchange lines (numbered from 1 in input order). With
    /// `keep_recorded`, each line's `recorded` is kept (it must be present, and recorded
    /// times must not decrease); otherwise the clock assigns it.
    pub fn import_lines(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        keep_recorded: bool,
    ) -> Result<AppendReport> {
        self.import_or_check(lines, keep_recorded, false)
    }

    /// Validate parsed lines exactly as [`Store::import_lines`] would — the same reference
    /// checks, idempotency checks and view checks against this store — without committing
    /// anything: the report says what an import would do, or the error lists every
    /// problem. (The events are staged past the head and discarded, as a failed import's
    /// are; the log and every answer are unchanged.)
    pub fn check_lines(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        keep_recorded: bool,
    ) -> Result<AppendReport> {
        self.import_or_check(lines, keep_recorded, true)
    }

    /// Import JSON Lines from `reader`, streaming: lines are parsed, checked and staged
    /// chunk by chunk, so memory stays bounded whatever the input's size; the import
    /// commits all of them or, on any problem (a line that does not parse, an invalid
    /// event), none, and the error lists every problem by line. `progress` is called with
    /// the number of lines read so far, after each chunk.
    ///
    /// ```
    /// let store = annals::Store::temporary()?;
    /// let input = b"{\"date\":\"2024-10-31\",\"kind\":\"missile_test\",\"actor\":\"PRK\",\"class\":\"ICBM\"}\n";
    /// let report = store.import_reader(&input[..], false, &mut |_| {})?;
    /// assert_eq!(report.new_count(), 1);
    /// let bad = b"{\"date\":\"2024-11\",\"kind\":\"missile_test\",\"actor\":\"PRK\",\"class\":\"SRBM\"}\nnot json\n";
    /// assert!(store.import_reader(&bad[..], false, &mut |_| {}).is_err());
    /// assert_eq!(store.head().seq, 1); // nothing of the failed import was kept
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn import_reader(
        &self,
        reader: impl std::io::BufRead,
        keep_recorded: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        self.commit_reader(reader, keep_recorded, false, progress)
    }

    /// Validate JSON Lines from `reader` exactly as [`Store::import_reader`] would,
    /// without committing anything (see [`Store::check_lines`]).
    pub fn check_reader(
        &self,
        reader: impl std::io::BufRead,
        keep_recorded: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        self.commit_reader(reader, keep_recorded, true, progress)
    }

    fn commit_reader(
        &self,
        reader: impl std::io::BufRead,
        keep_recorded: bool,
        dry_run: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let input = crate::interchange::read_lines(reader)
            .map(|item| item.and_then(|(line, parsed)| pending_line(line, parsed, keep_recorded)));
        self.commit_stream(input, None, dry_run, progress)
    }

    fn import_or_check(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        keep_recorded: bool,
        dry_run: bool,
    ) -> Result<AppendReport> {
        let input = lines
            .into_iter()
            .map(|(line, parsed)| pending_line(line, parsed, keep_recorded));
        self.commit_stream(input, None, dry_run, &mut |_| {})
    }

    /// The seq of the event with `id`, if it is committed at or before `head`.
    pub(crate) fn lookup_id(&self, id: &Uuid, head: u64) -> Result<Option<u64>> {
        match self.engine.get(&keys::id(id))? {
            None => Ok(None),
            Some(bytes) => {
                let seq: u64 = envelope::open(keys::ID, INDEX_VERSION, &bytes)
                    .map_err(|e| Error::corrupt_in("id index", format!("entry for {id}: {e}")))?;
                Ok((seq <= head).then_some(seq))
            }
        }
    }

    /// Every amendment (seq, kind) of the event at `target_seq`, committed at or before `head`.
    pub(crate) fn amendments_of(&self, target_seq: u64, head: u64) -> Result<Vec<(u64, u8)>> {
        let start = keys::amend(target_seq, 0);
        let end = keys::amend(target_seq, u64::MAX);
        let mut out = Vec::new();
        for item in self.engine.scan(&start, &end) {
            let (key, value) = item?;
            let (_, seq) = keys::parse_amend(&key)
                .ok_or_else(|| Error::corrupt_in("amendment index", "malformed key"))?;
            if seq > head {
                continue;
            }
            let kind: u8 = envelope::open(keys::AMEND, INDEX_VERSION, &value)
                .map_err(|e| Error::corrupt_in("amendment index", e.to_string()))?;
            out.push((seq, kind));
        }
        Ok(out)
    }

    fn stored_target(&self, id: &Uuid, head: u64) -> Result<Option<TargetInfo>> {
        let Some(seq) = self.lookup_id(id, head)? else {
            return Ok(None);
        };
        let event = self.event_at(seq, head)?;
        let retracted_by = self
            .amendments_of(seq, head)?
            .into_iter()
            .find(|(_, k)| *k == AMEND_RETRACTION)
            .map(|(s, _)| s);
        Ok(Some(TargetInfo {
            seq,
            content: event.content,
            retracted_by,
        }))
    }

    /// Validate, then write, a batch. Holds the writer lock throughout.
    pub(crate) fn commit(
        &self,
        pending: Vec<Pending>,
        expect: Option<u64>,
        dry_run: bool,
    ) -> Result<AppendReport> {
        self.commit_stream(pending.into_iter().map(Ok), expect, dry_run, &mut |_| {})
    }

    /// Validate and stage a stream of events, chunk by chunk, then commit them all with
    /// one head record — or, if any problem was found (or on a dry run), roll every staged
    /// chunk back. Problems from the input itself (`Err` items, e.g. lines that did not
    /// parse) fail the append like invalid events do; every problem is reported, in line
    /// order. Memory stays bounded by the chunk size whatever the input's length: staged
    /// events are looked up in the engine (ids, targets), not kept. `progress` is called
    /// with the number of input items consumed so far after each chunk.
    pub(crate) fn commit_stream(
        &self,
        input: impl Iterator<Item = std::result::Result<Pending, InputError>>,
        expect: Option<u64>,
        dry_run: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let _writer = self.writer.lock().map_err(|_| {
            Error::Storage("writer lock poisoned by a panic in another thread".into())
        })?;
        let head = self.head();
        if let Some(expected) = expect {
            if expected != head.seq {
                return Err(Error::Conflict {
                    expected,
                    actual: head.seq,
                });
            }
        }
        let mut staging = Staging {
            head,
            new_head: head,
            last_recorded: head.recorded_micros,
            now: self
                .clock
                .now()
                .timestamp_micros()
                .max(head.recorded_micros),
            errors: Vec::new(),
            outcomes: Vec::new(),
            lines: Vec::new(),
            retracted: HashMap::new(),
            amended_targets: Vec::new(),
            kept: Some(Vec::new()),
        };
        let staged = self.stage(&mut staging, input, progress);
        let Staging {
            new_head,
            mut errors,
            outcomes,
            lines,
            amended_targets,
            kept,
            ..
        } = staging;
        if let Err(e) = staged {
            let _ = self.recover_after_failure();
            return Err(e);
        }
        if new_head.seq == head.seq {
            // Nothing new: nothing was staged.
            return if errors.is_empty() {
                Ok(AppendReport {
                    events: outcomes,
                    head,
                })
            } else {
                errors.sort_by_key(|e| e.line);
                Err(Error::InvalidInput(errors))
            };
        }
        // Without a dry run, a problem anywhere fails the whole append before the views
        // are touched. (A dry run goes on to check the valid events against the views too,
        // so that it reports every problem at once.)
        if !errors.is_empty() && !dry_run {
            self.recover_after_failure()?;
            errors.sort_by_key(|e| e.line);
            return Err(Error::InvalidInput(errors));
        }

        // Views, checks and the commit record go together in the last batch.
        let result = (|| -> Result<Vec<(u64, String)>> {
            let _views = self.views_lock.write().map_err(|_| {
                Error::Storage("views lock poisoned by a panic in another thread".into())
            })?;
            let mut commit = Batch::new();
            if let Ok(mut set) = self.amended.write() {
                set.extend(amended_targets.iter().copied());
            }
            *self
                .fresh
                .write()
                .map_err(|_| Error::Storage("fresh-events lock poisoned".into()))? =
                kept.unwrap_or_default();
            let maintained = self.maintain_views(head.seq, new_head.seq, &mut commit);
            if let Ok(mut fresh) = self.fresh.write() {
                *fresh = Vec::new();
            }
            let oddities = maintained?;
            if !oddities.is_empty() || dry_run {
                return Ok(oddities);
            }
            commit.put(vec![keys::HEAD], Store::head_value(&new_head));
            self.engine.write_durable(commit)?;
            self.set_head(new_head);
            Ok(Vec::new())
        })();
        match result {
            Ok(oddities) if oddities.is_empty() && !dry_run => Ok(AppendReport {
                events: outcomes,
                head: new_head,
            }),
            Ok(oddities) => {
                // A dry run, or oddities: discard the staged events.
                self.recover_after_failure()?;
                self.load_amended()?;
                if oddities.is_empty() && errors.is_empty() {
                    return Ok(AppendReport {
                        events: outcomes,
                        head,
                    });
                }
                errors.extend(oddities.into_iter().map(|(seq, reason)| {
                    InputError {
                        line: seq
                            .checked_sub(head.seq + 1)
                            .and_then(|i| lines.get(i as usize))
                            .copied()
                            .unwrap_or(0),
                        reason,
                    }
                }));
                errors.sort_by_key(|e| e.line);
                Err(Error::InvalidInput(errors))
            }
            Err(e) => {
                // Undo whatever chunks made it in; the head was not moved.
                let _ = self.recover_after_failure();
                let _ = self.load_amended();
                Err(e)
            }
        }
    }

    /// Plan and write `input` in chunks past the head (uncommitted), recording outcomes
    /// and problems in `st`. An `Err` return means the engine failed; the caller rolls
    /// back.
    fn stage(
        &self,
        st: &mut Staging,
        input: impl Iterator<Item = std::result::Result<Pending, InputError>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()> {
        let mut input = input.fuse();
        let mut consumed = 0u64;
        let chunk = self.engine.batch_events();
        loop {
            // Plan one chunk: decide every event's fate before writing it.
            let mut planned: Vec<(Event, Option<TargetInfo>)> = Vec::new();
            // id -> index into `planned`, for events new in this chunk.
            let mut chunk_ids: HashMap<Uuid, usize> = HashMap::new();
            let mut exhausted = false;
            while planned.len() < chunk {
                let Some(item) = input.next() else {
                    exhausted = true;
                    break;
                };
                consumed += 1;
                match item {
                    Err(problem) => st.errors.push(problem),
                    Ok(p) => self.plan(st, p, &mut planned, &mut chunk_ids)?,
                }
            }
            if !planned.is_empty() {
                // The chunk that ends the input is held in memory and reaches the engine
                // with the commit record, in one engine commit; earlier chunks are
                // written now, so that memory stays bounded.
                self.write_staged(st, &planned, exhausted)?;
            }
            progress(consumed);
            if exhausted {
                return Ok(());
            }
        }
    }

    /// Decide the fate of one pending event: a problem, already present, or planned as the
    /// next seq. Staged events of earlier chunks are found in the engine (they are past
    /// the head, which only this writer reads).
    fn plan(
        &self,
        st: &mut Staging,
        p: Pending,
        planned: &mut Vec<(Event, Option<TargetInfo>)>,
        chunk_ids: &mut HashMap<Uuid, usize>,
    ) -> Result<()> {
        let line = p.line;
        let mut fail = |reason: String| st.errors.push(InputError { line, reason });
        if let Err(reason) = crate::validate::check_content(&p.event.content) {
            fail(reason);
            return Ok(());
        }
        let id = p.event.id.unwrap_or_else(|| content_id(&p.event.content));
        // Idempotency: against this chunk, earlier chunks, and the committed log.
        if let Some(&i) = chunk_ids.get(&id) {
            let (earlier, _) = &planned[i];
            if earlier.content == p.event.content {
                st.outcomes.push((id, Outcome::AlreadyPresent(earlier.seq)));
            } else {
                fail(format!(
                    "id {id} appears twice in this input with different content (first as seq {})",
                    earlier.seq
                ));
            }
            return Ok(());
        }
        if let Some(seq) = self.lookup_id(&id, STAGED)? {
            let stored = self.event_at(seq, STAGED)?;
            if stored.content == p.event.content {
                st.outcomes.push((id, Outcome::AlreadyPresent(seq)));
            } else if seq > st.head.seq {
                fail(format!("id {id} appears twice in this input with different content (first as seq {seq})"));
            } else {
                fail(format!(
                    "id {id} is already stored (seq {seq}) with different content; to change an event, append a correction that targets it"
                ));
            }
            return Ok(());
        }
        // Reference checks for amendments.
        let target = match p.event.content.kind.target() {
            None => None,
            Some(target_id) => {
                let what = p.event.content.kind.name();
                let info = match chunk_ids.get(&target_id) {
                    Some(&i) => {
                        let (t, _) = &planned[i];
                        Some(TargetInfo {
                            seq: t.seq,
                            content: t.content.clone(),
                            retracted_by: None,
                        })
                    }
                    None => self.stored_target(&target_id, STAGED)?,
                };
                let info = info.map(|mut i| {
                    if let Some(&by) = st.retracted.get(&i.seq) {
                        i.retracted_by = Some(by);
                    }
                    i
                });
                let Some(info) = info else {
                    fail(format!(
                        "{what}: target {target_id} is not in the store or earlier in this input (an amendment must come after what it amends)"
                    ));
                    return Ok(());
                };
                if matches!(info.content.kind, Kind::Retraction { .. }) {
                    fail(format!(
                        "{what}: target {target_id} (seq {}) is a retraction; a retraction cannot be retracted or corrected — to restore the event, append it again or correct it",
                        info.seq
                    ));
                    return Ok(());
                }
                if let Some(by) = info.retracted_by {
                    fail(format!(
                        "{what}: target {target_id} (seq {}) was already retracted at seq {by}",
                        info.seq
                    ));
                    return Ok(());
                }
                Some(info)
            }
        };
        // Recorded time.
        let recorded = match p.recorded {
            None => st.now,
            Some(t) => {
                let micros = t.timestamp_micros();
                if micros < st.last_recorded {
                    fail(format!(
                        "recorded time {} is earlier than the one before it ({}); recorded time never goes backwards",
                        crate::interchange::format_recorded(t),
                        crate::interchange::format_recorded(DateTime::from_timestamp_micros(st.last_recorded).unwrap_or_default())
                    ));
                    return Ok(());
                }
                micros
            }
        };
        st.last_recorded = recorded;
        let seq = st.head.seq + st.lines.len() as u64 + 1;
        let event = Event {
            id,
            seq,
            recorded_micros: recorded,
            content: p.event.content,
        };
        st.outcomes.push((id, Outcome::Appended(seq)));
        if let Some(t) = &target {
            st.amended_targets.push(t.seq);
            if let Kind::Retraction { .. } = &event.content.kind {
                st.retracted.insert(t.seq, seq);
            }
        }
        chunk_ids.insert(id, planned.len());
        st.lines.push(line);
        planned.push((event, target));
        Ok(())
    }

    /// Write planned events (the next seqs) with their index entries, past the head.
    fn write_staged(
        &self,
        st: &mut Staging,
        planned: &[(Event, Option<TargetInfo>)],
        hold: bool,
    ) -> Result<()> {
        let mut batch = Batch::new();
        for (event, _) in planned {
            let record = LogRecord {
                prev_hash: st.new_head.hash,
                event: event.clone(),
            };
            let payload = envelope::encode_payload(&record);
            st.new_head = Head {
                seq: event.seq,
                hash: chain_hash(&payload),
                recorded_micros: event.recorded_micros,
            };
            batch.put(
                keys::log(event.seq).to_vec(),
                envelope::seal_payload(keys::LOG, LOG_RECORD_VERSION, &payload),
            );
        }
        let items: Vec<(&Event, Option<(u64, &Content)>)> = planned
            .iter()
            .map(|(e, t)| (e, t.as_ref().map(|t| (t.seq, &t.content))))
            .collect();
        self.index_into(&mut batch, &items)?;
        if hold {
            self.engine.hold(batch)?;
        } else {
            self.engine.write(batch)?;
        }
        // Small appends keep their events in memory for view maintenance; large ones
        // let it read them back, so memory stays bounded.
        if let Some(kept) = &mut st.kept {
            if kept.len() + planned.len() <= FRESH_LIMIT {
                kept.extend(planned.iter().map(|(e, _)| e.clone()));
            } else {
                st.kept = None;
            }
        }
        Ok(())
    }

    /// Add the index entries of `events` (ascending seq) to `batch`, merging posting lists
    /// with what is stored.
    pub(crate) fn index_into(
        &self,
        batch: &mut Batch,
        events: &[(&Event, Option<(u64, &Content)>)],
    ) -> Result<()> {
        let mut postings: BTreeMap<Vec<u8>, Vec<u128>> = BTreeMap::new();
        for (event, target) in events {
            let entries = index_entries(event, *target);
            batch.put(entries.id.to_vec(), seq_value(event.seq));
            if let Some((key, kind)) = entries.amend {
                batch.put(key.to_vec(), amend_value(kind));
            }
            for (key, item) in entries.postings {
                postings.entry(key).or_default().push(item);
            }
        }
        for (key, items) in postings {
            let mut merged = match self.engine.get(&key)? {
                Some(existing) => decode_posting(&key, &existing)?,
                None => Vec::new(),
            };
            merged.extend(items);
            merged.sort_unstable();
            merged.dedup();
            let value = posting_value(key[0], &merged);
            batch.put(key, value);
        }
        Ok(())
    }

    /// Remove the index entries of a log record that is being rolled back (seq past head).
    pub(crate) fn unindex(&self, event: &Event, batch: &mut Batch) -> Result<()> {
        let head = self.head().seq;
        let target = match event.content.kind.target() {
            None => None,
            Some(t) => match self.lookup_id(&t, u64::MAX)? {
                Some(seq) => Some((seq, self.event_at(seq, u64::MAX)?.content)),
                None => None,
            },
        };
        let entries = index_entries(event, target.as_ref().map(|(s, c)| (*s, c)));
        // Only drop the id entry if it points at this record (never at a committed one).
        if self.lookup_id(&event.id, u64::MAX)? == Some(event.seq) {
            batch.delete(entries.id.to_vec());
        }
        if let Some((key, _)) = entries.amend {
            batch.delete(key.to_vec());
        }
        for (key, _) in entries.postings {
            if let Some(existing) = self.engine.get(&key)? {
                let kept: Vec<u128> = decode_posting(&key, &existing)?
                    .into_iter()
                    .filter(|item| keys::item_seq(&key, *item) <= head)
                    .collect();
                if kept.is_empty() {
                    batch.delete(key);
                } else {
                    let value = posting_value(key[0], &kept);
                    batch.put(key, value);
                }
            }
        }
        Ok(())
    }

    fn recover_after_failure(&self) -> Result<()> {
        self.engine.discard_held()?;
        let head = self.head();
        let start = keys::log(head.seq + 1);
        let end = keys::log(u64::MAX);
        let mut batch = Batch::new();
        let leftovers: Vec<_> = self.engine.scan(&start, &end).collect::<Result<_>>()?;
        for (key, value) in leftovers {
            if let Ok(record) = decode_record(&key, &value) {
                self.unindex(&record.event, &mut batch)?;
            }
            batch.delete(key);
        }
        self.engine.write(batch)?;
        self.engine.flush()
    }
}
