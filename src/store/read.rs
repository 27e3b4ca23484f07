//! Reading: the public read API. Each call reads the log below the committed head; a
//! read that uses a derived index goes through [`Store::read_repairing`], so a damaged
//! index costs a rebuild, never a wrong answer.

use super::Store;
use crate::error::Result;
use crate::log::subscribe::Subscription;
use crate::log::TimelineKey;
use crate::model::date::Day;
use crate::model::event::{Code, Event};
use uuid::Uuid;

impl Store {
    /// Run `read`; if it finds derived state corrupt ([`crate::Error::is_derived_corruption`]),
    /// rebuild every index and view from the log and run it once more. Corruption of the
    /// log, head or format record is returned as found. Every public read that uses an
    /// index goes through this.
    pub fn read_repairing<T>(&self, read: impl Fn() -> Result<T>) -> Result<T> {
        match read() {
            Err(e) if e.is_derived_corruption() => {
                self.rebuild()?;
                read()
            }
            other => other,
        }
    }

    /// The event at `seq`.
    pub fn event(&self, seq: u64) -> Result<Event> {
        self.log.event_at(seq, self.head().seq)
    }

    /// The event with `id`, if stored.
    pub fn get(&self, id: &Uuid) -> Result<Option<Event>> {
        self.read_repairing(|| self.log.get(id))
    }

    /// Every event from `from_seq` to the current head, in seq order.
    pub fn events_from(&self, from_seq: u64) -> impl Iterator<Item = Result<Event>> + '_ {
        self.log.events_from(from_seq)
    }

    /// Every event in seq (append) order.
    pub fn events(&self) -> impl Iterator<Item = Result<Event>> + '_ {
        self.log.events()
    }

    /// The timeline key of an event (looks up the target of an undated retraction).
    pub fn timeline_key(&self, event: &Event) -> Result<Option<TimelineKey>> {
        self.read_repairing(|| self.log.timeline_key(event))
    }

    /// The timeline keys (earliest, latest, seq) of events whose earliest day is within
    /// `[from, to]` (either bound optional), in timeline order.
    pub fn timeline_keys(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> impl Iterator<Item = Result<TimelineKey>> + '_ {
        self.log.timeline_keys(from, to)
    }

    /// Events in timeline order (earliest, latest, seq) whose earliest day is within
    /// `[from, to]` (either bound optional).
    pub fn timeline(
        &self,
        from: Option<Day>,
        to: Option<Day>,
    ) -> impl Iterator<Item = Result<Event>> + '_ {
        self.log.timeline(from, to)
    }

    /// Events whose days cover `day` (earliest ≤ `day` ≤ latest: a multi-day event counts
    /// on every day of its interval, a year-precision date on every day of its year), in
    /// timeline order. `timeline(Some(d), Some(d))` is narrower: it selects by the
    /// earliest day only.
    pub fn events_on(&self, day: Day) -> Result<Vec<Event>> {
        let keys = self.read_repairing(|| {
            self.timeline_keys(None, Some(day))
                .filter(|k| k.as_ref().map_or(true, |k| k.1 >= day))
                .collect::<Result<Vec<_>>>()
        })?;
        keys.iter().map(|k| self.event(k.2)).collect()
    }

    /// The seqs of every event naming `code` (as actor, member, alliance, host, ...), ascending.
    pub fn actor_seqs(&self, code: &Code) -> Result<Vec<u64>> {
        self.read_repairing(|| self.log.actor_seqs(code))
    }

    /// Whether any event names `code` (one probe of the actor index).
    pub fn knows_code(&self, code: &Code) -> Result<bool> {
        self.log.knows_code(code)
    }

    /// Every actor code the log names (from the actor index), sorted.
    pub fn known_codes(&self) -> Result<Vec<String>> {
        self.log.known_codes()
    }

    /// Every event naming `code`, in timeline order.
    pub fn actor_events(&self, code: &Code) -> Result<Vec<Event>> {
        self.read_repairing(|| self.log.actor_events(code))
    }

    /// Catch up with what other handles committed, and return the head. Only a store
    /// other processes write too (PostgreSQL) can fall behind: there, [`Store::head`] and
    /// every answer reflect the head as of the last refresh (or this handle's own last
    /// commit), and a long-lived reader calls this to see newer commits. Writing and
    /// subscriptions refresh by themselves. On the embedded engines it costs nothing.
    pub fn refresh(&self) -> Result<super::Head> {
        self.log.refresh()
    }

    /// Follow the log from `from_seq` (1 = the beginning): yields every stored event from
    /// there, then each new one as it is committed. Iterating blocks while caught up; use
    /// [`Subscription::next_timeout`] or [`Subscription::try_next`] to bound the wait.
    pub fn subscribe(&self, from_seq: u64) -> Subscription<'_> {
        self.log.subscribe(from_seq)
    }
}
