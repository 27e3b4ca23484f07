//! Appending: validating a stream of events, staging them past the head in chunks, and
//! committing them with one head record (or rolling every staged chunk back).
//!
//! The index entries go into the same batches as their records; the head, which commits
//! them, goes into the final batch of the append together with the writes the [`Derive`]
//! adds (view checkpoints). The chunk that ends an input is held in memory
//! (`storage/overlay.rs`) and written with that final batch, so a single append is one
//! engine commit.
//!
//! API appends that fit one engine batch go through group commit (`group`), which stages
//! each request with the same planning ([`Log::plan`]) and commits the group with
//! [`Log::commit_head`].
//!
//! Invariants: an append either writes every event of its input, their index entries and
//! the new head, or nothing (a failed multi-chunk import is rolled back, see `recovery`);
//! success is reported only after the durable commit; seqs are gap-free; recorded time
//! never decreases; an id maps to exactly one content.

use super::follow_on::{self, Rejected, Subjects};
use super::{
    amend_value, chain_hash, decode_posting, index_entries, posting_value, seq_value, Derive, Head,
    Log, LogRecord, Staged, AMEND_RETRACTION, INDEX_VERSION, LOG_RECORD_VERSION,
};
use crate::error::{Error, InputError, Result, Structure};
use crate::format::{envelope, keys};
use crate::locks::WriterGuard;
use crate::model::event::{Content, Event, Kind, NewEvent};
use crate::model::interchange::{content_id, occurrence_id, ParsedLine};
use crate::model::targets::{TargetRef, Unresolved};
use crate::storage::{Batch, Engine};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Appends of at most this many events hand them to the [`Derive`] in memory
/// ([`Staged::events`]); larger ones let it read the staged records back from the engine.
const FRESH_LIMIT: usize = 20_000;

/// A head bound that includes the records staged past the head by the append in progress
/// (only the writer, holding the writer lock, reads with it).
const STAGED: u64 = u64::MAX;

/// The state of an append in progress, across its chunks.
pub(super) struct Staging {
    /// The committed head when the append started (in a group commit, the head as staged
    /// by the requests before it).
    head: Head,
    /// The chain head of the last staged record.
    pub(super) new_head: Head,
    last_recorded: i64,
    /// Recorded time for events without a kept one.
    now: i64,
    errors: Vec<InputError>,
    /// The lines rejected before the views, and what they named (for follow-ons).
    rejected: Rejected,
    outcomes: Vec<(Uuid, Outcome)>,
    /// The input line of each staged event, by seq - head - 1.
    lines: Vec<usize>,
    /// Targets retracted by staged events: target seq -> retraction seq.
    retracted: HashMap<u64, u64>,
    /// Seqs that staged amendments target.
    pub(super) amended_targets: Vec<u64>,
    /// The staged events, while there are at most `FRESH_LIMIT`.
    pub(super) kept: Option<Vec<Event>>,
    /// Id-less lines seen so far, by content id: how many had that content.
    occurrences: HashMap<Uuid, u32>,
    /// Lines identical to an earlier id-less line of this input.
    repeated: u64,
    /// Plausibility warnings (`validate::warnings`), by line.
    warnings: Vec<InputError>,
    /// Whether a warning rejects its line (`--strict`).
    strict: bool,
}

impl Staging {
    pub(super) fn new(head: Head, now: i64) -> Staging {
        Staging {
            head,
            new_head: head,
            last_recorded: head.recorded_micros,
            now: now.max(head.recorded_micros),
            errors: Vec::new(),
            rejected: Rejected::default(),
            outcomes: Vec::new(),
            lines: Vec::new(),
            retracted: HashMap::new(),
            amended_targets: Vec::new(),
            kept: Some(Vec::new()),
            occurrences: HashMap::new(),
            repeated: 0,
            warnings: Vec::new(),
            strict: false,
        }
    }

    /// The same staging, with warnings made errors when `strict`.
    pub(super) fn strict(mut self, strict: bool) -> Staging {
        self.strict = strict;
        self
    }

    /// The id of an id-less line: its content's, numbered by occurrence among the
    /// identical id-less lines of this input (`interchange::occurrence_id`).
    fn occurrence_id(&mut self, content: &Content) -> Uuid {
        let first = content_id(content);
        let n = self.occurrences.entry(first).or_insert(0);
        *n += 1;
        if *n == 1 {
            return first;
        }
        self.repeated += 1;
        occurrence_id(content, *n)
    }

    /// Record the plausibility warnings of the event at `line`; when strict, reject it
    /// instead (`true`).
    fn warn(&mut self, line: usize, content: &Content, recorded: i64) -> bool {
        let warnings = crate::model::validate::warnings(content, recorded);
        if warnings.is_empty() {
            return false;
        }
        if self.strict {
            for w in warnings {
                let reason = format!("{w} (a warning; --strict makes it an error)");
                self.reject(line, reason, follow_on::of_content(content));
            }
            return true;
        }
        self.warnings
            .extend(warnings.into_iter().map(|w| InputError::new(line, w)));
        false
    }

    /// The recorded time of the next event: the one it keeps (which must not go
    /// backwards), else the clock's.
    fn recorded_time(&mut self, kept: Option<DateTime<Utc>>) -> std::result::Result<i64, String> {
        let recorded = match kept {
            None => self.now,
            Some(t) => {
                let micros = t.timestamp_micros();
                if micros < self.last_recorded {
                    let before =
                        DateTime::from_timestamp_micros(self.last_recorded).unwrap_or_default();
                    return Err(format!(
                        "recorded time {} is earlier than the one before it ({}); recorded time never goes backwards",
                        crate::model::interchange::format_recorded(t),
                        crate::model::interchange::format_recorded(before)
                    ));
                }
                micros
            }
        };
        self.last_recorded = recorded;
        Ok(recorded)
    }

    /// Reject `line`, which named `subjects`, before the views.
    fn reject(&mut self, line: usize, reason: String, subjects: Subjects) {
        self.rejected.add(line, subjects);
        self.errors.push(InputError::new(line, reason));
    }

    /// Turn oddities (seq, reason) found by the views into input errors at their lines.
    pub(super) fn add_oddities(&mut self, oddities: Vec<(u64, String)>) {
        let none = vec![Subjects::default(); oddities.len()];
        self.add_oddities_naming(oddities, none);
    }

    /// [`Staging::add_oddities`], each oddity's event naming `subjects` (in the same
    /// order): one that names what a rejected line named is marked as its follow-on.
    fn add_oddities_naming(&mut self, oddities: Vec<(u64, String)>, subjects: Vec<Subjects>) {
        for ((seq, reason), named) in oddities.into_iter().zip(subjects) {
            let line = seq
                .checked_sub(self.head.seq + 1)
                .and_then(|i| self.lines.get(i as usize))
                .copied()
                .unwrap_or(0);
            let mut error = InputError::new(line, reason);
            error.follow_on_of = self.rejected.cause_of(&named).filter(|&of| of != line);
            self.errors.push(error);
        }
    }

    /// Whether `seq` is one this append staged.
    pub(super) fn owns(&self, seq: u64) -> bool {
        seq > self.head.seq && seq <= self.new_head.seq
    }

    /// Every problem found so far, in line order, as one error (and none are left).
    pub(super) fn take_errors(&mut self) -> Option<Error> {
        if self.errors.is_empty() {
            return None;
        }
        let mut errors = std::mem::take(&mut self.errors);
        errors.sort_by_key(|e| e.line);
        Some(Error::InvalidInput(errors))
    }

    pub(super) fn into_report(self, head: Head) -> AppendReport {
        AppendReport {
            events: self.outcomes,
            head,
            repeated: self.repeated,
            warnings: self.warnings,
        }
    }

    /// Every problem, in line order; or, without any, the report at the old head (a
    /// dry run, or nothing new).
    fn into_report_or_errors(mut self) -> Result<AppendReport> {
        match self.take_errors() {
            Some(e) => Err(e),
            None => {
                let head = self.head;
                Ok(self.into_report(head))
            }
        }
    }
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
    /// How many id-less lines were identical to an earlier line of the same input: each is
    /// an event of its own (`interchange::occurrence_id`), never merged into the first.
    pub repeated: u64,
    /// Plausibility warnings (`validate::warnings`) of the appended events, by line.
    pub warnings: Vec<InputError>,
}

/// How an import treats its input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportOptions {
    /// Keep each line's `recorded` time (restores); it must be present on every line.
    pub keep_recorded: bool,
    /// Treat plausibility warnings as errors.
    pub strict: bool,
    /// Fail with [`Error::Conflict`] unless the log ends at this seq.
    pub expect_seq: Option<u64>,
    /// Check everything and commit nothing.
    pub dry_run: bool,
}

impl ImportOptions {
    pub fn keep_recorded(mut self, yes: bool) -> Self {
        self.keep_recorded = yes;
        self
    }
    pub fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }
    pub fn expect_seq(mut self, seq: Option<u64>) -> Self {
        self.expect_seq = seq;
        self
    }
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }
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

/// An input item that was rejected before it became an event, with what it named.
pub(crate) struct Failed {
    pub error: InputError,
    pub subjects: Subjects,
}

impl From<InputError> for Failed {
    fn from(error: InputError) -> Failed {
        Failed {
            error,
            subjects: Subjects::default(),
        }
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
    /// A target named by seq or id prefix, or a partial correction: completed by
    /// [`Log::plan`] against the log.
    pub unresolved: Option<Unresolved>,
}

impl Pending {
    /// API events numbered 1, 2, ... (their "line" in error messages), clock-recorded.
    pub(crate) fn numbered<E: Into<NewEvent>>(events: impl IntoIterator<Item = E>) -> Vec<Pending> {
        events
            .into_iter()
            .enumerate()
            .map(|(i, e)| Pending {
                line: i + 1,
                event: e.into(),
                recorded: None,
                unresolved: None,
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
) -> std::result::Result<Pending, Failed> {
    if keep_recorded && parsed.recorded.is_none() {
        return Err(Failed {
            error: InputError::new(
                line,
                "--keep-recorded needs a `recorded` timestamp on every line",
            ),
            subjects: follow_on::of_content(&parsed.event.content),
        });
    }
    Ok(Pending {
        line,
        event: parsed.event,
        recorded: if keep_recorded { parsed.recorded } else { None },
        unresolved: parsed.unresolved,
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

/// The id-index key a pending event is likely looked up by (see [`Log::stage`]).
fn prefetch_key(item: &std::result::Result<Pending, Failed>) -> Option<Vec<u8>> {
    let p = item.as_ref().ok()?;
    let id = p
        .event
        .id
        .unwrap_or_else(|| crate::model::interchange::content_id(&p.event.content));
    Some(keys::id(&id).to_vec())
}

impl Log {
    /// The seq of the event with `id`, if it is committed at or before `head`.
    pub(crate) fn lookup_id(&self, id: &Uuid, head: u64) -> Result<Option<u64>> {
        match self.engine.get(&keys::id(id))? {
            None => Ok(None),
            Some(bytes) => {
                let seq: u64 = envelope::open(keys::ID, INDEX_VERSION, &bytes).map_err(|e| {
                    Error::corrupt_in(Structure::IdIndex, format!("entry for {id}: {e}"))
                })?;
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
                .ok_or_else(|| Error::corrupt_in(Structure::AmendmentIndex, "malformed key"))?;
            if seq > head {
                continue;
            }
            let kind: u8 = envelope::open(keys::AMEND, INDEX_VERSION, &value)
                .map_err(|e| Error::corrupt_in(Structure::AmendmentIndex, e.to_string()))?;
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

    /// Validate, then write, a batch of API events. A batch that fits one engine batch
    /// shares a durable commit with concurrent appends (`group`); a larger one, or a dry
    /// run, takes the writer lock alone.
    pub(crate) fn commit(
        &self,
        derive: &dyn Derive,
        pending: Vec<Pending>,
        expect: Option<u64>,
        dry_run: bool,
    ) -> Result<AppendReport> {
        if !dry_run && pending.len() <= self.engine.batch_events() {
            return self.commit_grouped(derive, pending, expect);
        }
        self.commit_stream(
            derive,
            pending.into_iter().map(Ok::<Pending, InputError>),
            ImportOptions::default().expect_seq(expect).dry_run(dry_run),
            &mut |_| {},
        )
    }

    /// Parse, validate and write (or, with `dry_run`, only check) JSON Lines from `reader`.
    pub(crate) fn commit_reader(
        &self,
        derive: &dyn Derive,
        reader: impl std::io::BufRead,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let keep_recorded = options.keep_recorded;
        let mut lines = crate::model::interchange::read_lines(reader);
        let input = std::iter::from_fn(move || {
            let item = lines.next()?;
            Some(match item {
                Ok((line, parsed)) => pending_line(line, parsed, keep_recorded),
                Err(error) => Err(Failed {
                    error,
                    subjects: lines
                        .take_failed_text()
                        .map(|text| follow_on::of_text(&text))
                        .unwrap_or_default(),
                }),
            })
        });
        self.commit_stream(derive, input, options, progress)
    }

    /// Validate and write (or only check) lines already parsed.
    pub(crate) fn commit_lines(
        &self,
        derive: &dyn Derive,
        lines: Vec<(usize, ParsedLine)>,
        options: ImportOptions,
    ) -> Result<AppendReport> {
        let input = lines
            .into_iter()
            .map(|(line, parsed)| pending_line(line, parsed, options.keep_recorded));
        self.commit_stream(derive, input, options, &mut |_| {})
    }

    /// Validate and stage a stream of events, chunk by chunk, then commit them all with
    /// one head record — or, if any problem was found (or on a dry run), roll every staged
    /// chunk back. Problems from the input itself (`Err` items, e.g. lines that did not
    /// parse) fail the append like invalid events do; every problem is reported, in line
    /// order. Memory stays bounded by the chunk size whatever the input's length: staged
    /// events are looked up in the engine (ids, targets), not kept. `progress` is called
    /// with the number of input items consumed so far after each chunk. A problem is an
    /// [`InputError`], or a [`Failed`] that also says what the line named (follow-ons).
    pub(crate) fn commit_stream<E: Into<Failed>>(
        &self,
        derive: &dyn Derive,
        input: impl Iterator<Item = std::result::Result<Pending, E>>,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let writer = self.writer()?;
        self.ensure_rolled_back()?;
        let head = self.head();
        let dry_run = options.dry_run;
        if let Some(expected) = options.expect_seq {
            if expected != head.seq {
                return Err(Error::Conflict {
                    expected,
                    actual: head.seq,
                });
            }
        }
        let mut st = Staging::new(head, self.clock.now().timestamp_micros()).strict(options.strict);
        self.mark_unfinished();
        if let Err(e) = self.stage(&mut st, input.map(|i| i.map_err(Into::into)), progress) {
            // The engine failed; a failed rollback is kept and refuses the next write.
            let _ = self.roll_back();
            return Err(e);
        }
        if st.new_head.seq == head.seq {
            self.mark_finished(); // nothing was staged
            return st.into_report_or_errors();
        }
        // A problem anywhere fails the whole append; the valid events are still checked
        // against the views (and rolled back), so that an import reports every problem at
        // once, exactly as a dry run does, follow-on problems marked.
        let check_only = dry_run || !st.errors.is_empty();
        self.finish(&writer, derive, st, check_only)
    }

    /// Hand the staged events to `derive` and commit the head with its writes — or, on a
    /// dry run or when `derive` found oddities, roll everything back.
    fn finish(
        &self,
        writer: &WriterGuard<'_>,
        derive: &dyn Derive,
        mut st: Staging,
        dry_run: bool,
    ) -> Result<AppendReport> {
        self.amended
            .write()
            .extend(st.amended_targets.iter().copied());
        let staged = Staged {
            first: st.head.seq + 1,
            last: st.new_head.seq,
            events: st.kept.take(),
        };
        match self.commit_head(writer, derive, &staged, st.new_head, dry_run) {
            Ok(oddities) if oddities.is_empty() && !dry_run => {
                self.mark_finished();
                let head = st.new_head;
                Ok(st.into_report(head))
            }
            Ok(oddities) => {
                let named = self.subjects_of(&staged, &oddities);
                self.roll_back()?;
                self.load_amended()?;
                st.add_oddities_naming(oddities, named?);
                st.into_report_or_errors()
            }
            Err(e) => {
                // Undo whatever chunks made it in; the head was not moved. A failed
                // rollback is kept and refuses the next write.
                if self.roll_back().is_ok() {
                    let _ = self.load_amended();
                }
                Err(e)
            }
        }
    }

    /// What the staged event of each oddity names (read before the rollback drops it).
    fn subjects_of(&self, staged: &Staged, oddities: &[(u64, String)]) -> Result<Vec<Subjects>> {
        oddities
            .iter()
            .map(|(seq, _)| {
                let kept = staged.events.as_ref().and_then(|events| {
                    let i = seq.checked_sub(staged.first)?;
                    events.get(usize::try_from(i).ok()?)
                });
                Ok(match kept {
                    Some(e) => follow_on::of_content(&e.content),
                    None => follow_on::of_content(&self.event_at(*seq, STAGED)?.content),
                })
            })
            .collect()
    }

    /// Let `derive` add its writes, then write the head in the same durable commit.
    /// Returns the oddities instead when there are any (or nothing is to be committed).
    pub(super) fn commit_head(
        &self,
        writer: &WriterGuard<'_>,
        derive: &dyn Derive,
        staged: &Staged,
        new_head: Head,
        dry_run: bool,
    ) -> Result<Vec<(u64, String)>> {
        let mut commit = Batch::new();
        let (_views, oddities) = derive.absorb(writer, self, staged, &mut commit)?;
        if !oddities.is_empty() || dry_run {
            return Ok(oddities);
        }
        self.commit_head_record(commit, new_head)?;
        Ok(Vec::new())
    }

    /// Plan and write `input` in chunks past the head (uncommitted), recording outcomes
    /// and problems in `st`. An `Err` return means the engine failed; the caller rolls
    /// back.
    fn stage(
        &self,
        st: &mut Staging,
        input: impl Iterator<Item = std::result::Result<Pending, Failed>>,
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
            let items: Vec<_> = input.by_ref().take(chunk).collect();
            let exhausted = items.len() < chunk;
            consumed += items.len() as u64;
            // The id lookups of the chunk in one read (ids given, or content ids: the id
            // of an id-less line's first occurrence); the rest miss and read alone.
            self.engine
                .prefetch(items.iter().filter_map(prefetch_key).collect())?;
            let planning = items.into_iter().try_for_each(|item| match item {
                Err(problem) => {
                    st.reject(problem.error.line, problem.error.reason, problem.subjects);
                    Ok(())
                }
                Ok(p) => self.plan(st, p, &mut planned, &mut chunk_ids),
            });
            self.engine.forget_prefetched();
            planning?;
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
    pub(super) fn plan(
        &self,
        st: &mut Staging,
        p: Pending,
        planned: &mut Vec<(Event, Option<TargetInfo>)>,
        chunk_ids: &mut HashMap<Uuid, usize>,
    ) -> Result<()> {
        let line = p.line;
        let p = match self.complete(st, p, planned, chunk_ids)? {
            Ok(p) => p,
            Err((reason, subjects)) => {
                st.reject(line, reason, subjects);
                return Ok(());
            }
        };
        let fail = |st: &mut Staging, reason: String| {
            st.reject(line, reason, follow_on::of_content(&p.event.content))
        };
        if let Err(reason) = crate::model::validate::check_content(&p.event.content) {
            fail(st, reason);
            return Ok(());
        }
        let id = match p.event.id {
            Some(id) => id,
            None => st.occurrence_id(&p.event.content),
        };
        if let Some(verdict) = self.already_present(st, id, &p.event.content, planned, chunk_ids)? {
            match verdict {
                Ok(outcome) => st.outcomes.push((id, outcome)),
                Err(reason) => fail(st, reason),
            }
            return Ok(());
        }
        let target = match self.check_target(st, &p.event.content, planned, chunk_ids)? {
            Ok(target) => target,
            Err(reason) => {
                fail(st, reason);
                return Ok(());
            }
        };
        let recorded = match st.recorded_time(p.recorded) {
            Ok(recorded) => recorded,
            Err(reason) => {
                fail(st, reason);
                return Ok(());
            }
        };
        if st.warn(line, &p.event.content, recorded) {
            return Ok(());
        }
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

    /// Complete a line that names its target by seq or id prefix, or changes only some
    /// fields (`model::targets`): find the target in this input or the log, and build the
    /// full amendment. `Err` is the reason the line is refused, with what it named.
    fn complete(
        &self,
        st: &Staging,
        mut p: Pending,
        planned: &[(Event, Option<TargetInfo>)],
        chunk_ids: &HashMap<Uuid, usize>,
    ) -> Result<std::result::Result<Pending, (String, Subjects)>> {
        let Some(u) = p.unresolved.take() else {
            return Ok(Ok(p));
        };
        let what = p.event.content.kind.name();
        let refused = |reason: String| Ok(Err((reason, Subjects::default())));
        let found = match &u.target {
            TargetRef::Id(id) => self.target_by_id(*id, planned, chunk_ids)?,
            TargetRef::Seq(seq) => self.target_by_seq(st, *seq, planned)?,
            TargetRef::Prefix(hex) => self.target_by_prefix(hex, planned)?,
        };
        let target = match found {
            Ok(target) => target,
            Err(reason) => return refused(format!("{what}: {reason}")),
        };
        let is_retraction = matches!(target.content.kind, Kind::Retraction { .. });
        let current = match (u.is_partial(), is_retraction) {
            (false, _) => None,
            (true, true) => {
                return refused(format!(
                    "{what}: target {} (seq {}) is a retraction; a retraction cannot be corrected — to restore the event, append it again or correct it",
                    u.target, target.seq
                ))
            }
            (true, false) => Some(self.version_in_effect(&target, planned)?),
        };
        match crate::model::targets::resolve_line(&u, target.id, current.as_ref()) {
            Ok(parsed) => {
                p.event = parsed.event;
                Ok(Ok(p))
            }
            Err(reason) => refused(reason),
        }
    }

    /// The event with `id`, in this chunk or the log (staged records included).
    fn target_by_id(
        &self,
        id: Uuid,
        planned: &[(Event, Option<TargetInfo>)],
        chunk_ids: &HashMap<Uuid, usize>,
    ) -> Result<std::result::Result<Event, String>> {
        if let Some(&i) = chunk_ids.get(&id) {
            return Ok(Ok(planned[i].0.clone()));
        }
        Ok(match self.lookup_id(&id, STAGED)? {
            Some(seq) => Ok(self.event_at(seq, STAGED)?),
            None => Err(format!(
                "target {id} is not in the store or earlier in this input (an amendment must come after what it amends)"
            )),
        })
    }

    /// The event at `seq`, in this chunk or the log (staged records included).
    fn target_by_seq(
        &self,
        st: &Staging,
        seq: u64,
        planned: &[(Event, Option<TargetInfo>)],
    ) -> Result<std::result::Result<Event, String>> {
        if let Some((e, _)) = planned.iter().find(|(e, _)| e.seq == seq) {
            return Ok(Ok(e.clone()));
        }
        if seq <= st.new_head.seq {
            return Ok(Ok(self.event_at(seq, STAGED)?));
        }
        let last = st.head.seq + st.lines.len() as u64;
        Ok(Err(format!(
            "target seq:{seq} does not exist: the log ends at seq {last}"
        )))
    }

    /// The one event whose id starts with the hex digits `hex`, in this chunk or the log.
    fn target_by_prefix(
        &self,
        hex: &str,
        planned: &[(Event, Option<TargetInfo>)],
    ) -> Result<std::result::Result<Event, String>> {
        let mut seqs: Vec<u64> = Vec::new();
        let (low, high) = prefix_bounds(hex);
        let mut end = keys::id(&high).to_vec();
        end.push(0);
        for item in self.engine.scan(&keys::id(&low), &end).take(3) {
            let (_, value) = item?;
            let seq: u64 = envelope::open(keys::ID, INDEX_VERSION, &value)
                .map_err(|e| Error::corrupt_in(Structure::IdIndex, e.to_string()))?;
            seqs.push(seq);
        }
        seqs.extend(
            planned
                .iter()
                .filter(|(e, _)| e.id.simple().to_string().starts_with(hex))
                .map(|(e, _)| e.seq),
        );
        seqs.sort_unstable();
        seqs.dedup();
        Ok(match seqs[..] {
            [] => Err(format!("no event's id starts with {hex}")),
            [seq] => match planned.iter().find(|(e, _)| e.seq == seq) {
                Some((e, _)) => Ok(e.clone()),
                None => Ok(self.event_at(seq, STAGED)?),
            },
            _ => Err(format!(
                "{hex} is ambiguous: it begins the ids of more than one event (seq {}); give more digits, or the seq",
                seqs.iter().map(u64::to_string).collect::<Vec<_>>().join(", seq ")
            )),
        })
    }

    /// The content in effect of `target` (a fact, or a correction's replacement): its
    /// own, or the replacement of the correction that wins among those known, by the
    /// resolution rule of `timeline.rs`, counting this input's amendments so far.
    fn version_in_effect(
        &self,
        target: &Event,
        planned: &[(Event, Option<TargetInfo>)],
    ) -> Result<Content> {
        let mut amendments: HashMap<u64, Vec<(u64, bool)>> = HashMap::new();
        let mut todo = vec![target.seq];
        while let Some(node) = todo.pop() {
            let mut list: Vec<(u64, bool)> = self
                .amendments_of(node, STAGED)?
                .into_iter()
                .map(|(seq, kind)| (seq, kind == AMEND_RETRACTION))
                .collect();
            list.extend(planned.iter().filter_map(|(e, t)| {
                t.as_ref().filter(|t| t.seq == node)?;
                Some((e.seq, matches!(e.content.kind, Kind::Retraction { .. })))
            }));
            todo.extend(list.iter().filter(|(_, r)| !r).map(|(s, _)| *s));
            amendments.insert(node, list);
        }
        let winner = crate::log::timeline::resolve_in(&amendments, target.seq);
        let event = match winner {
            Some(seq) if seq != target.seq => match planned.iter().find(|(e, _)| e.seq == seq) {
                Some((e, _)) => e.clone(),
                None => self.event_at(seq, STAGED)?,
            },
            _ => target.clone(),
        };
        Ok(match event.content.kind {
            Kind::Correction { replacement, .. } => *replacement,
            _ => event.content,
        })
    }

    /// Idempotency: whether an event with `id` is already in this chunk, an earlier chunk
    /// or the committed log — with the same content (`Ok`: already present) or another
    /// (`Err`: the reason it is refused). `None` when `id` is new.
    fn already_present(
        &self,
        st: &Staging,
        id: Uuid,
        content: &Content,
        planned: &[(Event, Option<TargetInfo>)],
        chunk_ids: &HashMap<Uuid, usize>,
    ) -> Result<Option<std::result::Result<Outcome, String>>> {
        let (seq, same) = if let Some(&i) = chunk_ids.get(&id) {
            let (earlier, _) = &planned[i];
            (earlier.seq, earlier.content == *content)
        } else if let Some(seq) = self.lookup_id(&id, STAGED)? {
            (seq, self.event_at(seq, STAGED)?.content == *content)
        } else {
            return Ok(None);
        };
        Ok(Some(if same {
            Ok(Outcome::AlreadyPresent(seq))
        } else if seq > st.head.seq {
            Err(format!(
                "id {id} appears twice in this input with different content (first as seq {seq})"
            ))
        } else {
            Err(format!(
                "id {id} is already stored (seq {seq}) with different content; to change an event, append a correction that targets it"
            ))
        }))
    }

    /// Reference checks for an amendment: its target exists (in this input before it, or
    /// stored), is not a retraction and is not retracted. `Ok(None)` for a fact.
    fn check_target(
        &self,
        st: &Staging,
        content: &Content,
        planned: &[(Event, Option<TargetInfo>)],
        chunk_ids: &HashMap<Uuid, usize>,
    ) -> Result<std::result::Result<Option<TargetInfo>, String>> {
        let Some(target_id) = content.kind.target() else {
            return Ok(Ok(None));
        };
        let what = content.kind.name();
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
        let Some(mut info) = info else {
            return Ok(Err(format!(
                "{what}: target {target_id} is not in the store or earlier in this input (an amendment must come after what it amends)"
            )));
        };
        if let Some(&by) = st.retracted.get(&info.seq) {
            info.retracted_by = Some(by);
        }
        if matches!(info.content.kind, Kind::Retraction { .. }) {
            return Ok(Err(format!(
                "{what}: target {target_id} (seq {}) is a retraction; a retraction cannot be retracted or corrected — to restore the event, append it again or correct it",
                info.seq
            )));
        }
        if let Some(by) = info.retracted_by {
            return Ok(Err(format!(
                "{what}: target {target_id} (seq {}) was already retracted at seq {by}",
                info.seq
            )));
        }
        Ok(Ok(Some(info)))
    }

    /// Write planned events (the next seqs) with their index entries, past the head.
    pub(super) fn write_staged(
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
        let keys: Vec<Vec<u8>> = postings.keys().cloned().collect();
        let stored = self.engine.get_many(&keys)?;
        for ((key, items), existing) in postings.into_iter().zip(stored) {
            let mut merged = match existing {
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
}

/// The lowest and highest ids that start with the hex digits `hex` (8 to 31 of them).
fn prefix_bounds(hex: &str) -> (Uuid, Uuid) {
    let pad = |c: char| {
        let full: String = hex.chars().chain(std::iter::repeat(c)).take(32).collect();
        Uuid::try_parse(&full).unwrap_or(Uuid::nil())
    };
    (pad('0'), pad('f'))
}
