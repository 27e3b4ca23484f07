//! The `leaders` view: who holds each office as of a day, keyed by (actor, office).
//!
//! Fold: `leader_took_office` replaces the holder; `leader_left_office` removes the holder.
//! Lenient rules: leaving an office nobody holds, or that another person holds (when
//! `person` is given), is ignored (and rejected when appended). Rows are sorted by
//! (actor, office).
//!
//! Same-day handovers: the successor holds office on the handover day. A
//! `leader_left_office` whose date has the same bounds as the current holder's
//! `leader_took_office` ends the predecessor, not the new holder, unless its `person` names
//! the new holder (a one-day tenure). So a handover gives exactly one holder on its day,
//! whichever of the two events was appended first.
//!
//! An imprecise departure ([`super::ended_as_of`]) takes effect on its date's latest day:
//! until then the holder is still shown, `certain: false`, with the date in `until`.

use super::{certain_as_of, ended_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One office holder as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub person: String,
    pub since: Date,
    /// The date of a departure that has not certainly taken effect yet.
    pub until: Option<Date>,
    /// How the holder came to office, when the event says.
    pub entry: Option<String>,
}

/// A row of the `leaders` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeaderRow {
    pub actor: String,
    pub office: String,
    pub person: String,
    pub since: String,
    /// How the holder came to office, when the event says.
    pub entry: Option<String>,
    /// The date of a departure that has not certainly taken effect.
    pub until: Option<String>,
    pub certain: bool,
}

/// The `leaders` view.
pub struct Leaders;

impl KeyedView for Leaders {
    type Key = (Code, String);
    type Entry = Holder;

    fn key_of(content: &Content) -> Option<Self::Key> {
        match &content.kind {
            Kind::LeaderTookOffice { actor, office, .. }
            | Kind::LeaderLeftOffice { actor, office, .. } => Some((actor.clone(), office.clone())),
            _ => None,
        }
    }
}

impl View for Leaders {
    const NAME: &'static str = "leaders";
    const VERSION: u32 = 2;
    type State = BTreeMap<(Code, String), Holder>;
    type Row = LeaderRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(kind, KindTag::LeaderTookOffice | KindTag::LeaderLeftOffice)
    }

    fn may_reject(kind: KindTag) -> bool {
        kind == KindTag::LeaderLeftOffice
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let Some(key) = Self::key_of(fact.content) else {
            return Ok(());
        };
        if state.get(&key).is_some_and(|h| h.until.is_some()) {
            // A departure before this fact: from here on nobody holds the office.
            state.remove(&key);
        }
        match &fact.content.kind {
            Kind::LeaderTookOffice { person, entry, .. } => {
                state.insert(
                    key,
                    Holder {
                        person: person.clone(),
                        since: *fact.date,
                        until: None,
                        entry: entry.clone(),
                    },
                );
                Ok(())
            }
            Kind::LeaderLeftOffice {
                actor,
                office,
                person,
                ..
            } => match (state.get(&key), person) {
                (None, _) => Err(format!("nobody holds {actor} {office} at this date")),
                (Some(h), p) if handover(h, fact.date, p.as_deref()) => Ok(()),
                (Some(h), Some(p)) if h.person != *p => Err(format!(
                    "{actor} {office} is held by {} at this date, not {p}",
                    h.person
                )),
                _ => {
                    if let Some(h) = state.get_mut(&key) {
                        h.until = Some(*fact.date);
                        if ended_as_of(h.until.as_ref(), fact.date.earliest()) {
                            state.remove(&key);
                        }
                    }
                    Ok(())
                }
            },
            _ => Ok(()),
        }
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<LeaderRow> {
        state
            .iter()
            .filter(|(_, h)| !ended_as_of(h.until.as_ref(), as_of))
            .map(|((actor, office), h)| LeaderRow {
                actor: actor.to_string(),
                office: office.clone(),
                person: h.person.clone(),
                since: h.since.to_string(),
                entry: h.entry.clone(),
                until: h.until.map(|d| d.to_string()),
                certain: certain_as_of(
                    h.since.latest().max(h.until.map_or(Day(0), |d| d.latest())),
                    as_of,
                ),
            })
            .collect()
    }

    fn row_mentions(row: &LeaderRow, code: &Code) -> bool {
        row.actor == code.as_str()
    }

    fn row_key(row: &LeaderRow) -> String {
        format!("{}/{}", row.actor, row.office)
    }

    fn same_row(a: &LeaderRow, b: &LeaderRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}

/// Whether a departure dated `left` (of `person`, if named) is the predecessor's in a
/// same-day handover to `holder`, and so leaves `holder` in office.
fn handover(holder: &Holder, left: &Date, person: Option<&str>) -> bool {
    let same_day =
        (holder.since.earliest(), holder.since.latest()) == (left.earliest(), left.latest());
    same_day && person != Some(holder.person.as_str())
}
