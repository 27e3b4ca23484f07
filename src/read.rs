//! Reading the log: by id, by seq, in timeline order, and by actor.
//!
//! Invariant: every read is bounded by a head snapshot taken when it starts, so a reader
//! never sees part of an append that is still being written; index entries are only hints
//! that are confirmed against the log record they point to.

use crate::date::Day;
use crate::error::{Error, Result};
use crate::event::{Code, Event};
use crate::keys;
use crate::log::{decode_posting, decode_record, timeline_date};
use crate::storage::Engine;
use crate::store::Store;
use uuid::Uuid;

/// Timeline order: (earliest day, latest day, seq).
pub type TimelineKey = (Day, Day, u64);

impl Store {
    /// The event at `seq`, which must be at or before `head`.
    pub(crate) fn event_at(&self, seq: u64, head: u64) -> Result<Event> {
        if seq == 0 || seq > head {
            return Err(Error::NotFound(format!("seq {seq}")));
        }
        let committed = self.head().seq;
        if seq > committed {
            if let Ok(fresh) = self.fresh.read() {
                if let Some(e) = fresh.get((seq - committed - 1) as usize) {
                    if e.seq == seq {
                        return Ok(e.clone());
                    }
                }
            }
        }
        let key = keys::log(seq);
        match self.engine.get(&key)? {
            Some(value) => Ok(decode_record(&key, &value)?.event),
            None => Err(Error::corrupt_seq(seq, "the log record is missing")),
        }
    }

    /// The event at `seq`.
    pub fn event(&self, seq: u64) -> Result<Event> {
        self.event_at(seq, self.head().seq)
    }

    /// Run `read`; if it finds derived state corrupt ([`Error::is_derived_corruption`]),
    /// rebuild every index and view from the log and run it once more. Corruption of the
    /// log, head or format record is returned as found. Every public read that uses an
    /// index goes through this, so a damaged index costs a rebuild, never a wrong answer.
    pub fn read_repairing<T>(&self, read: impl Fn() -> Result<T>) -> Result<T> {
        match read() {
            Err(e) if e.is_derived_corruption() => {
                self.rebuild()?;
                read()
            }
            other => other,
        }
    }

    /// The event with `id`, if stored.
    pub fn get(&self, id: &Uuid) -> Result<Option<Event>> {
        self.read_repairing(|| self.get_once(id))
    }

    fn get_once(&self, id: &Uuid) -> Result<Option<Event>> {
        let head = self.head().seq;
        match self.lookup_id(id, head)? {
            Some(seq) => self.event_at(seq, head).map(Some),
            None => Ok(None),
        }
    }

    /// Every event from `from_seq` to the current head, in seq order.
    pub fn events_from(&self, from_seq: u64) -> impl Iterator<Item = Result<Event>> + '_ {
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
    pub fn events(&self) -> impl Iterator<Item = Result<Event>> + '_ {
        self.events_from(1)
    }

    /// The timeline key of an event (looks up the target of an undated retraction).
    pub fn timeline_key(&self, event: &Event) -> Result<Option<TimelineKey>> {
        let target = match (&event.content.date, event.content.kind.target()) {
            (None, Some(t)) => self.get(&t)?.map(|e| e.content),
            _ => None,
        };
        Ok(timeline_date(&event.content, target.as_ref())
            .map(|d| (d.earliest(), d.latest(), event.seq)))
    }

    /// The seqs of events in timeline order (earliest, latest, seq) whose earliest day is
    /// within `[from, to]` (either bound optional), with their timeline keys.
    pub fn timeline_keys(
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
                    .ok_or_else(|| Error::corrupt_in("timeline index", "malformed key"))?;
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
    pub fn timeline(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> impl Iterator<Item = Result<Event>> + '_ {
        let head = self.head().seq;
        self.timeline_keys(from, to)
            .map(move |key| key.and_then(|(_, _, seq)| self.event_at(seq, head)))
    }

    /// The seqs of every event naming `code` (as actor, member, alliance, host, ...), ascending.
    pub fn actor_seqs(&self, code: &Code) -> Result<Vec<u64>> {
        self.read_repairing(|| self.actor_seqs_once(code))
    }

    fn actor_seqs_once(&self, code: &Code) -> Result<Vec<u64>> {
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
    pub fn knows_code(&self, code: &Code) -> Result<bool> {
        let (start, end) = keys::actor_range(code);
        Ok(self.engine.scan(&start, &end).next().transpose()?.is_some())
    }

    /// Every actor code the log names (from the actor index), sorted.
    pub fn known_codes(&self) -> Result<Vec<String>> {
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
    pub fn actor_events(&self, code: &Code) -> Result<Vec<Event>> {
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
