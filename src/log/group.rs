//! Group commit: concurrent appenders share one durable commit.
//!
//! An API append ([`Log::commit_grouped`]) does not take the writer lock itself. It puts
//! its request (its events and, for `append_expecting`, the seq it expects the log to end
//! at) into the queue and waits on its own [`Slot`]. One appender at a time is the
//! *leader* (the queue's `leading` flag): it takes the writer lock, drains the queue from
//! the front, and commits the requests it drained as one group:
//!
//! 1. each request is staged in turn past the head, in queue order, against the head *as
//!    staged so far*: its `append_expecting` conflict, its idempotency and reference
//!    checks are judged there, exactly as if the requests before it had committed alone.
//!    A request with a problem is rejected alone — nothing of it is staged, and the
//!    requests after it are staged as if it had never been sent;
//! 2. view maintenance runs once for the whole group; an oddity is attributed, by its seq,
//!    to the request that staged it. If there is any, the whole group is rolled back, the
//!    requests with oddities are rejected, and the others are staged again from scratch
//!    (so the outcome is that of running the surviving requests one after the other);
//! 3. one durable commit writes every staged record, index entry and view checkpoint and
//!    the new head; only then does the head move and each request get its
//!    [`AppendReport`] (or its own error) in its slot. If that commit fails, nothing of
//!    the group was committed: it is rolled back (`recovery`) and every staged request
//!    gets the error.
//!
//! While requests wait, the leader commits the next group too, up to `LEAD_GROUPS` in a
//! row; then it hands leadership to the request at the front of the queue (or clears the
//! flag when the queue is empty), so no appender leads for others for long before it
//! returns. A leader that panics hands leadership on while unwinding, and every
//! request it drained and did not answer gets an error: no appender waits forever.
//!
//! Invariants (see the module `log`): seqs stay gap-free in commit order because each
//! request is staged right after the one before it in the same group, and groups commit
//! one at a time under the writer lock; the head record, written last in the group's one
//! commit, is the commit point; no request is answered before that commit is durable;
//! recorded time never decreases (the group takes one clock reading, never earlier than
//! the committed head's); ids stay unique because each request's idempotency check reads
//! the records staged before it.
//!
//! Lock order: the queue and the slots are leaf locks. The leader takes them while it
//! holds the writer lock; an appender never takes the writer lock while it holds either,
//! and the queue lock is taken before a slot's, never after.

use super::append::{Pending, Staging};
use super::{AppendReport, Derive, Head, Log, Staged};
use crate::error::{Error, Result};
use crate::locks::{lock_leaf, WriterGuard};
use crate::storage::Engine;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};

/// How many groups a leader commits in a row (while requests wait) before it hands
/// leadership on. Handing on costs a thread wake-up between two commits, which on a busy
/// machine is as long as a commit; leading a few in a row keeps the disk busy while the
/// appenders just answered queue their next requests, and bounds the leader's own wait.
const LEAD_GROUPS: usize = 4;

/// What a waiting appender is told.
enum Turn {
    Wait,
    /// Lead the next group.
    Lead,
    /// Its request was committed (or rejected).
    Done(Result<AppendReport>),
}

/// Where one appender waits for its answer.
struct Slot {
    turn: Mutex<Turn>,
    wake: Condvar,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            turn: Mutex::new(Turn::Wait),
            wake: Condvar::new(),
        }
    }

    fn set(&self, turn: Turn) {
        *lock_leaf(&self.turn) = turn;
        self.wake.notify_one();
    }

    /// Wait until told to lead or given the answer.
    fn wait(&self) -> Turn {
        let mut turn = lock_leaf(&self.turn);
        while matches!(*turn, Turn::Wait) {
            turn = self
                .wake
                .wait(turn)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        std::mem::replace(&mut *turn, Turn::Wait)
    }
}

/// One appender's request.
struct Request {
    pending: Vec<Pending>,
    expect: Option<u64>,
    /// `None` once answered.
    slot: Option<Arc<Slot>>,
}

impl Request {
    fn answer(&mut self, result: Result<AppendReport>) {
        if let Some(slot) = self.slot.take() {
            slot.set(Turn::Done(result));
        }
    }
}

impl Drop for Request {
    /// A request dropped unanswered (its leader panicked) is answered with an error.
    fn drop(&mut self) {
        self.answer(Err(Error::storage_msg(
            "the group commit carrying this append was abandoned (its leader panicked); nothing of it was committed",
        )));
    }
}

/// The requests waiting for a leader, and whether some appender leads.
#[derive(Default)]
pub(crate) struct Queue {
    waiting: VecDeque<Request>,
    leading: bool,
}

/// Hands leadership on when dropped, even while unwinding from a panic.
struct Leadership<'a>(&'a Log);

impl Drop for Leadership<'_> {
    fn drop(&mut self) {
        let mut queue = lock_leaf(&self.0.queue);
        match queue.waiting.front().and_then(|r| r.slot.as_ref()) {
            Some(slot) => slot.set(Turn::Lead),
            None => queue.leading = false,
        }
    }
}

/// What became of one request in a round of staging.
enum Fate {
    /// Rejected alone; nothing of it is staged.
    Rejected(Error),
    /// Staged (or nothing new); it commits with the group.
    Staged(Box<Staging>),
}

/// How a round of a group ended.
enum Round {
    /// Committed: every request's answer.
    Done(Vec<Result<AppendReport>>),
    /// View maintenance found oddities: the requests to reject, with their errors.
    Odd(Vec<(usize, Error)>),
}

impl Log {
    /// Append `pending` (expecting the log to end at `expect`, if given) in the next group
    /// commit. See the module documentation.
    pub(crate) fn commit_grouped(
        &self,
        derive: &dyn Derive,
        pending: Vec<Pending>,
        expect: Option<u64>,
    ) -> Result<AppendReport> {
        let slot = Arc::new(Slot::new());
        let mut lead = {
            let mut queue = lock_leaf(&self.queue);
            queue.waiting.push_back(Request {
                pending,
                expect,
                slot: Some(slot.clone()),
            });
            !std::mem::replace(&mut queue.leading, true)
        };
        loop {
            if lead {
                self.lead(derive);
            }
            match slot.wait() {
                Turn::Done(result) => return result,
                Turn::Lead | Turn::Wait => lead = true,
            }
        }
    }

    /// Take the writer lock, commit the group at the front of the queue and answer every
    /// request of it — again, while requests wait, up to [`LEAD_GROUPS`] groups — and hand
    /// leadership on.
    fn lead(&self, derive: &dyn Derive) {
        let _leadership = Leadership(self);
        let writer = match self.writer() {
            Ok(writer) => writer,
            Err(e) => {
                // The database's writer lock was not had (another handle held it past the
                // wait, or the connection failed): the group at the front gets the error.
                let mut group = self.drain_group();
                let results = shared(e, group.len());
                for (request, result) in group.iter_mut().zip(results) {
                    request.answer(result);
                }
                return;
            }
        };
        for _ in 0..LEAD_GROUPS {
            let mut group = self.drain_group();
            if group.is_empty() {
                return;
            }
            let results = self.commit_group(&writer, derive, &group);
            for (request, result) in group.iter_mut().zip(results) {
                request.answer(result);
            }
        }
    }

    /// The requests at the front of the queue, at least one (if any wait), up to one
    /// engine batch of events in all.
    fn drain_group(&self) -> Vec<Request> {
        let limit = self.engine.batch_events();
        let mut queue = lock_leaf(&self.queue);
        let mut group = Vec::new();
        let mut events = 0;
        while let Some(front) = queue.waiting.front() {
            if !group.is_empty() && events + front.pending.len() > limit {
                break;
            }
            events += front.pending.len();
            group.extend(queue.waiting.pop_front());
        }
        group
    }

    /// Stage, check and commit `group`; one answer per request, in order.
    fn commit_group(
        &self,
        writer: &WriterGuard<'_>,
        derive: &dyn Derive,
        group: &[Request],
    ) -> Vec<Result<AppendReport>> {
        if let Err(e) = self.ensure_rolled_back() {
            return shared(e, group.len());
        }
        // Requests rejected for oddities in an earlier round.
        let mut odd: Vec<Option<Error>> = group.iter().map(|_| None).collect();
        loop {
            let round = self
                .stage_group(group, &odd)
                .and_then(|(head, fates)| self.commit_round(writer, derive, head, fates));
            match round {
                Ok(Round::Done(mut results)) => {
                    for (result, odd) in results.iter_mut().zip(&mut odd) {
                        if let Some(e) = odd.take() {
                            *result = Err(e);
                        }
                    }
                    return results;
                }
                Ok(Round::Odd(rejected)) => {
                    for (i, e) in rejected {
                        odd[i] = Some(e);
                    }
                }
                Err(e) => {
                    // The engine failed: nothing of the group is committed. A failed
                    // rollback is kept and refuses the next write.
                    if self.roll_back().is_ok() {
                        let _ = self.load_amended();
                    }
                    return shared(e, group.len());
                }
            }
        }
    }

    /// Stage every request not rejected for oddities, in order, each against the head as
    /// staged so far. Returns the committed head and each request's fate (`None` for the
    /// requests skipped). An `Err` means the engine failed; the caller rolls back.
    fn stage_group(
        &self,
        group: &[Request],
        odd: &[Option<Error>],
    ) -> Result<(Head, Vec<Option<Fate>>)> {
        let committed = self.head();
        let now = self.clock.now().timestamp_micros();
        self.mark_unfinished();
        let mut at = committed;
        let mut fates = Vec::with_capacity(group.len());
        for (request, odd) in group.iter().zip(odd) {
            if odd.is_some() {
                fates.push(None);
                continue;
            }
            let fate = self.stage_request(request, at, now)?;
            if let Fate::Staged(st) = &fate {
                at = st.new_head;
            }
            fates.push(Some(fate));
        }
        Ok((committed, fates))
    }

    /// Stage one request after `at`: rejected alone on a conflict or any invalid event,
    /// else its records are held for the group's commit.
    fn stage_request(&self, request: &Request, at: Head, now: i64) -> Result<Fate> {
        if let Some(expected) = request.expect {
            if expected != at.seq {
                return Ok(Fate::Rejected(Error::Conflict {
                    expected,
                    actual: at.seq,
                }));
            }
        }
        let mut st = Staging::new(at, now);
        let mut planned = Vec::new();
        let mut ids = HashMap::new();
        for p in request.pending.iter().cloned() {
            self.plan(&mut st, p, &mut planned, &mut ids)?;
        }
        if let Some(e) = st.take_errors() {
            return Ok(Fate::Rejected(e));
        }
        if !planned.is_empty() {
            self.write_staged(&mut st, &planned, true)?;
            self.amended
                .write()
                .extend(st.amended_targets.iter().copied());
        }
        Ok(Fate::Staged(Box::new(st)))
    }

    /// Run view maintenance over the whole group and commit it — or, on oddities, roll
    /// it back and name the requests to reject.
    fn commit_round(
        &self,
        writer: &WriterGuard<'_>,
        derive: &dyn Derive,
        committed: Head,
        mut fates: Vec<Option<Fate>>,
    ) -> Result<Round> {
        let staged: Vec<&mut Staging> = fates
            .iter_mut()
            .filter_map(|fate| match fate {
                Some(Fate::Staged(st)) => Some(&mut **st),
                _ => None,
            })
            .collect();
        let new_head = staged.last().map_or(committed, |st| st.new_head);
        if new_head.seq > committed.seq {
            let events = staged
                .into_iter()
                .map(|st| st.kept.take())
                .collect::<Option<Vec<_>>>()
                .map(|kept| kept.concat());
            let group = Staged {
                first: committed.seq + 1,
                last: new_head.seq,
                events,
            };
            let oddities = self.commit_head(writer, derive, &group, new_head, false)?;
            if !oddities.is_empty() {
                self.roll_back()?;
                self.load_amended()?;
                return Ok(Round::Odd(attribute(fates, oddities)));
            }
        }
        self.mark_finished();
        let results = fates
            .into_iter()
            .map(|fate| match fate {
                Some(Fate::Staged(st)) => {
                    let head = st.new_head;
                    Ok((*st).into_report(head))
                }
                Some(Fate::Rejected(e)) => Err(e),
                // Rejected for oddities in an earlier round: `commit_group` answers it.
                None => Err(Error::storage_msg("rejected for view oddities")),
            })
            .collect();
        Ok(Round::Done(results))
    }
}

/// The staged requests whose events have oddities, each with its error. An oddity that
/// no staged request owns (never expected) rejects every staged request, so that the next
/// round cannot meet it again.
fn attribute(fates: Vec<Option<Fate>>, oddities: Vec<(u64, String)>) -> Vec<(usize, Error)> {
    let mut stagings: Vec<(usize, Box<Staging>)> = fates
        .into_iter()
        .enumerate()
        .filter_map(|(i, fate)| match fate {
            Some(Fate::Staged(st)) => Some((i, st)),
            _ => None,
        })
        .collect();
    let mut owned: Vec<Vec<(u64, String)>> = stagings.iter().map(|_| Vec::new()).collect();
    for (seq, reason) in oddities {
        match stagings.iter().position(|(_, st)| st.owns(seq)) {
            Some(k) => owned[k].push((seq, reason)),
            None => owned.iter_mut().for_each(|o| o.push((seq, reason.clone()))),
        }
    }
    stagings
        .iter_mut()
        .zip(owned)
        .filter(|(_, o)| !o.is_empty())
        .filter_map(|((i, st), o)| {
            st.add_oddities(o);
            st.take_errors().map(|e| (*i, e))
        })
        .collect()
}

/// `e` for every one of `n` requests: the first gets it, the others a copy.
fn shared(e: Error, n: usize) -> Vec<Result<AppendReport>> {
    let mut out: Vec<Result<AppendReport>> = (1..n).map(|_| Err(copy_error(&e))).collect();
    out.insert(0, Err(e));
    out
}

/// A copy of `e` with the same variant and message (an engine error loses its source).
fn copy_error(e: &Error) -> Error {
    match e {
        Error::Storage { message, .. } => Error::storage_msg(message.clone()),
        Error::PreviousWriteFailed { reason } => Error::PreviousWriteFailed {
            reason: reason.clone(),
        },
        Error::Corrupt {
            seq,
            structure,
            reason,
        } => Error::Corrupt {
            seq: *seq,
            structure: structure.clone(),
            reason: reason.clone(),
        },
        Error::InvalidInput(problems) => Error::InvalidInput(problems.clone()),
        Error::Io(io) => Error::Io(std::io::Error::new(io.kind(), io.to_string())),
        other => Error::storage_msg(other.to_string()),
    }
}
