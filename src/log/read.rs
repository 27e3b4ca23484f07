//! Reading the log: by id, by seq, in timeline order, and by actor.
//!
//! Invariant: every read is bounded by a head snapshot taken when it starts, so a reader
//! never sees part of an append that is still being written; index entries are only hints
//! that are confirmed against the log record they point to.

use super::{decode_posting, decode_record, timeline_date, Log, LogRead, Staged};
use crate::error::{Error, Result, Structure};
use crate::format::keys;
use crate::model::date::Day;
use crate::model::event::{Code, Event};
use crate::storage::Engine;
use uuid::Uuid;

/// Timeline order: (earliest day, latest day, seq).
pub type TimelineKey = (Day, Day, u64);

impl LogRead<'_> {
    /// The event at `seq`, which must be at or before `head`: from the staged events
    /// handed over by the appender when it is one of them, else from the engine.
    pub(crate) fn event_at(&self, seq: u64, head: u64) -> Result<Event> {
        if let Some(Staged {
            first,
            events: Some(events),
            ..
        }) = self.staged()
        {
            if seq >= *first && seq <= head {
                if let Some(e) = events.get((seq - first) as usize) {
                    return Ok(e.clone());
                }
            }
        }
        self.log().event_at(seq, head)
    }
}

impl Log {
    /// The event at `seq`, which must be at or before `head`.
    pub(crate) fn event_at(&self, seq: u64, head: u64) -> Result<Event> {
        if seq == 0 || seq > head {
            return Err(Error::NotFound(format!("seq {seq}")));
        }
        let key = keys::log(seq);
        match self.engine.get(&key)? {
            Some(value) => Ok(decode_record(&key, &value)?.event),
            None => Err(Error::corrupt_seq(seq, "the log record is missing")),
        }
    }

    /// The event with `id`, if committed.
    pub(crate) fn get(&self, id: &Uuid) -> Result<Option<Event>> {
        let head = self.head().seq;
        match self.lookup_id(id, head)? {
            Some(seq) => self.event_at(seq, head).map(Some),
            None => Ok(None),
        }
    }

    /// Every event from `from_seq` to the current head, in seq order.
    pub(crate) fn events_from(&self, from_seq: u64) -> impl Iterator<Item = Result<Event>> + '_ {
        self.events_between(from_seq, self.head().seq)
    }

    /// The events with `from_seq <= seq <= through`, in seq order, in one scan of the log
    /// (the writer also reads the records it staged past the head this way). A missing
    /// record — in the middle or at the end — is reported, not skipped.
    pub(crate) fn events_between(
        &self,
        from_seq: u64,
        through: u64,
    ) -> impl Iterator<Item = Result<Event>> + '_ {
        let start = keys::log(from_seq.max(1));
        let end = keys::log(through.saturating_add(1));
        let mut expected = from_seq.max(1);
        let mut scan = self.engine.scan(&start, &end);
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let result = match scan.next() {
                Some(item) => item.and_then(|(key, value)| {
                    let event = decode_record(&key, &value)?.event;
                    if event.seq != expected {
                        return Err(Error::corrupt_seq(expected, "the log record is missing"));
                    }
                    expected += 1;
                    Ok(event)
                }),
                None if expected <= through => {
                    Err(Error::corrupt_seq(expected, "the log record is missing"))
                }
                None => return None,
            };
            failed = result.is_err();
            Some(result)
        })
    }

    /// Every event in seq (append) order.
    pub(crate) fn events(&self) -> impl Iterator<Item = Result<Event>> + '_ {
        self.events_from(1)
    }

    /// The timeline key of an event (looks up the target of an undated retraction).
    pub(crate) fn timeline_key(&self, event: &Event) -> Result<Option<TimelineKey>> {
        let target = match (&event.content.date, event.content.kind.target()) {
            (None, Some(t)) => self.get(&t)?.map(|e| e.content),
            _ => None,
        };
        Ok(timeline_date(&event.content, target.as_ref())
            .map(|d| (d.earliest(), d.latest(), event.seq)))
    }

    /// The seqs of events in timeline order (earliest, latest, seq) whose earliest day is
    /// within `[from, to]` (either bound optional), with their timeline keys.
    pub(crate) fn timeline_keys(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> impl Iterator<Item = Result<TimelineKey>> + '_ {
        let head = self.head().seq;
        let start = keys::time_bucket(from.unwrap_or(Day(0)));
        let end = match to {
            Some(d) if d.0 < u32::MAX => keys::time_bucket(Day(d.0 + 1)).to_vec(),
            _ => vec![keys::TIME + 1],
        };
        self.engine.scan(&start, &end).flat_map(move |item| {
            let decoded = item.and_then(|(key, value)| {
                let earliest = keys::parse_time_bucket(&key)
                    .ok_or_else(|| Error::corrupt_in(Structure::TimelineIndex, "malformed key"))?;
                Ok((earliest, decode_posting(&key, &value)?))
            });
            let out: Vec<Result<TimelineKey>> = match decoded {
                Err(e) => vec![Err(e)],
                Ok((earliest, items)) => items
                    .into_iter()
                    .map(keys::parse_time_item)
                    .filter(|(_, seq, _)| *seq <= head)
                    .map(|(latest, seq, _)| Ok((earliest, latest, seq)))
                    .collect(),
            };
            out
        })
    }

    /// Events in timeline order (earliest, latest, seq) whose earliest day is within
    /// `[from, to]` (either bound optional).
    pub(crate) fn timeline(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> impl Iterator<Item = Result<Event>> + '_ {
        let head = self.head().seq;
        self.timeline_keys(from, to)
            .map(move |key| key.and_then(|(_, _, seq)| self.event_at(seq, head)))
    }

    /// The seqs of every event naming `code` (as actor, member, alliance, host, ...), ascending.
    pub(crate) fn actor_seqs(&self, code: &Code) -> Result<Vec<u64>> {
        let head = self.head().seq;
        let (start, end) = keys::actor_range(code);
        let mut seqs = Vec::new();
        for item in self.engine.scan(&start, &end) {
            let (key, value) = item?;
            seqs.extend(
                decode_posting(&key, &value)?
                    .into_iter()
                    .map(|s| s as u64)
                    .filter(|s| *s <= head),
            );
        }
        Ok(seqs)
    }

    /// Whether any event names `code` (one probe of the actor index).
    pub(crate) fn knows_code(&self, code: &Code) -> Result<bool> {
        let (start, end) = keys::actor_range(code);
        Ok(self.engine.scan(&start, &end).next().transpose()?.is_some())
    }

    /// Every actor code the log names (from the actor index), sorted.
    pub(crate) fn known_codes(&self) -> Result<Vec<String>> {
        let (start, end) = keys::keyspace(keys::ACTOR);
        let mut codes: Vec<String> = Vec::new();
        for item in self.engine.scan(&start, &end) {
            let (key, _) = item?;
            let raw = key.get(1..17).unwrap_or_default();
            let len = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
            let code = String::from_utf8_lossy(&raw[..len]).into_owned();
            if codes.last() != Some(&code) {
                codes.push(code);
            }
        }
        Ok(codes)
    }

    /// Every event naming `code`, in timeline order.
    pub(crate) fn actor_events(&self, code: &Code) -> Result<Vec<Event>> {
        let head = self.head().seq;
        let mut out = Vec::new();
        for seq in self.actor_seqs(code)? {
            let event = self.event_at(seq, head)?;
            let key = self.timeline_key(&event)?;
            out.push((key, event));
        }
        out.sort_by_key(|(k, e)| k.unwrap_or((Day(u32::MAX), Day(u32::MAX), e.seq)));
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }
}
