//! Replay: answer a view from a plain slice of events, in memory, with no store, no index
//! and no checkpoint — what an event-sourcing system without snapshots does for every
//! query.
//!
//! Owns: [`rows_as_of`] and [`Replay`], the in-memory form of time travel's resolution
//! rules (`timeline.rs` documents them: a known retraction removes an event; among its
//! known, non-retracted corrections the highest seq wins, recursively). The benchmark's
//! naive and SQLite contenders fold with it, and tests use it as a second, store-free
//! oracle for the store's answers.
//!
//! Invariants: knowledge is a seq bound — events with a higher seq do not exist for the
//! replay; resolution is iterative, so hostile correction chains cannot overflow the
//! stack; amendments whose target is unknown at that knowledge are ignored.

use crate::log::timeline::{effective_from, Effective};
use crate::model::date::Day;
use crate::model::event::{Event, Kind, KindTag};
use crate::views::{Fact, View};
use std::collections::HashMap;

/// The events known at a seq bound, indexed for resolution.
pub struct Replay<'a> {
    /// Known events by seq.
    by_seq: HashMap<u64, &'a Event>,
    /// Known non-amendment events, in seq order.
    roots: Vec<u64>,
    /// target seq -> known amendments of it (seq, is_retraction).
    amendments: HashMap<u64, Vec<(u64, bool)>>,
}

impl<'a> Replay<'a> {
    /// Index every event of `events` with `seq <= known_through` (any order).
    pub fn new(events: &'a [Event], known_through: u64) -> Replay<'a> {
        let known: Vec<&Event> = events.iter().filter(|e| e.seq <= known_through).collect();
        let by_id: HashMap<uuid::Uuid, u64> = known.iter().map(|e| (e.id, e.seq)).collect();
        let mut roots = Vec::new();
        let mut amendments: HashMap<u64, Vec<(u64, bool)>> = HashMap::new();
        for e in &known {
            match &e.content.kind {
                Kind::Correction { target, .. } | Kind::Retraction { target, .. } => {
                    if let Some(&t) = by_id.get(target) {
                        let retraction = matches!(e.content.kind, Kind::Retraction { .. });
                        amendments.entry(t).or_default().push((e.seq, retraction));
                    }
                }
                _ => roots.push(e.seq),
            }
        }
        roots.sort_unstable();
        Replay {
            by_seq: known.into_iter().map(|e| (e.seq, e)).collect(),
            roots,
            amendments,
        }
    }

    /// The effective timeline up to and including `as_of`, in timeline order, limited to
    /// entries `wanted` accepts (by kind).
    pub(crate) fn effective(&self, as_of: Day, wanted: impl Fn(KindTag) -> bool) -> Vec<Effective> {
        let mut out: Vec<Effective> = self
            .roots
            .iter()
            .filter_map(|&root| resolve_in(&self.amendments, root))
            .filter_map(|leaf| {
                let event = self.by_seq.get(&leaf)?;
                effective_from(leaf, event.content.clone())
            })
            .filter(|e| e.date.earliest() <= as_of && wanted(e.content.kind.tag()))
            .collect();
        out.sort_unstable_by_key(|e| e.pos);
        out
    }

    /// The state of `V` as of `as_of`, folded from nothing (oddities folded leniently).
    pub fn state<V: View>(&self, as_of: Day) -> V::State {
        let mut state = V::State::default();
        for e in self.effective(as_of, V::consumes) {
            let _ = V::apply(
                &mut state,
                &Fact {
                    seq: e.seq,
                    date: &e.date,
                    content: &e.content,
                },
            );
        }
        state
    }

    /// The rows of `V` as of `as_of`.
    pub fn rows<V: View>(&self, as_of: Day) -> Vec<V::Row> {
        V::rows(&self.state::<V>(as_of), as_of)
    }
}

/// The rows of view `V` as of `as_of`, knowing the events with `seq <= known_through`,
/// replayed from `events` alone.
///
/// ```
/// use annals::{interchange::parse_line, replay, views::Alliances, Day};
/// let store = annals::Store::temporary()?;
/// for line in [
///     r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"NATO","type":"defense_pact","members":["USA","CAN"]}"#,
///     r#"{"date":"1999-03-12","kind":"alliance_joined","alliance":"NATO","members":["POL"]}"#,
/// ] {
///     store.append(parse_line(line).unwrap().event)?;
/// }
/// let events: Vec<_> = store.events().collect::<Result<_, _>>()?;
/// let day = Day::parse_query("1999-03-11")?;
/// let replayed = replay::rows_as_of::<Alliances>(&events, day, store.head().seq);
/// assert_eq!(replayed, store.at(day).view::<Alliances>()?.rows);
/// # Ok::<(), annals::Error>(())
/// ```
pub fn rows_as_of<V: View>(events: &[Event], as_of: Day, known_through: u64) -> Vec<V::Row> {
    Replay::new(events, known_through).rows::<V>(as_of)
}

pub use crate::log::timeline::resolve_in;
