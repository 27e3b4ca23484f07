//! The `states` view: the members of the state system as of a day (COW's state system
//! membership), keyed by actor.
//!
//! Fold: `state_entered` makes the actor a member from its date; `state_exited`, dated the
//! first day out, ends it. A state may leave and come back (Germany 1816–1945 and 1990–
//! under COW's GMY).
//!
//! Same-day exit and entry: on one date, exits apply before entries, whatever order they
//! were appended in. When two states become one actor (COW's GFR ends and GMY restarts,
//! both `DEU`: an exit and an entry dated 1990-10-03), the actor is a member on both days,
//! since the re-entry. The fold sees same-day facts in append order, so an entry while a
//! member is held as a pending re-entry: an exit on that same date then ends the old spell
//! and starts the new one; any later fact drops a pending re-entry that no exit met (it was
//! an oddity and is ignored).
//!
//! Imprecise exits follow every view's ending rule ([`super::ended_as_of`]): an exit dated
//! `1991-12` keeps the state, uncertain, with the date in `until`, and takes effect on the
//! date's latest day; an entry before then is a re-entry.
//!
//! Lenient rules: entering as a member (other than such a re-entry), or exiting as a
//! non-member, is ignored (and rejected when appended). Rows are sorted by actor.

use super::{certain_as_of, ended_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One member as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub since: Date,
    pub name: Option<String>,
    /// An entry dated while already a member: it takes over if an exit on its date follows.
    pub reentry: Option<Reentry>,
    /// An imprecise exit that has not certainly taken effect yet.
    pub until: Option<Date>,
}

/// A pending re-entry (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reentry {
    pub since: Date,
    pub name: Option<String>,
}

/// A row of the `states` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateRow {
    pub actor: String,
    pub name: Option<String>,
    pub since: String,
    /// The date of an exit that has not certainly taken effect.
    pub until: Option<String>,
    pub certain: bool,
}

/// The `states` view.
pub struct States;

impl KeyedView for States {
    type Key = Code;
    type Entry = Membership;

    fn key_of(content: &Content) -> Option<Code> {
        match &content.kind {
            Kind::StateEntered { actor, .. } | Kind::StateExited { actor, .. } => {
                Some(actor.clone())
            }
            _ => None,
        }
    }
}

impl View for States {
    const NAME: &'static str = "states";
    const VERSION: u32 = 3;
    type State = BTreeMap<Code, Membership>;
    type Row = StateRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(kind, KindTag::StateEntered | KindTag::StateExited)
    }

    fn may_reject(_kind: KindTag) -> bool {
        true
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        if let Some(actor) = Self::key_of(fact.content) {
            settle(state, &actor, fact.date.earliest());
        }
        match &fact.content.kind {
            Kind::StateEntered { actor, name } => enter(state, actor, name, fact.date),
            Kind::StateExited { actor, .. } => exit(state, actor, fact.date),
            _ => Ok(()),
        }
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<StateRow> {
        state
            .iter()
            .filter(|(_, m)| !ended_as_of(m.until.as_ref(), as_of))
            .map(|(actor, m)| StateRow {
                actor: actor.to_string(),
                name: m.name.clone(),
                since: m.since.to_string(),
                until: m.until.map(|d| d.to_string()),
                certain: certain_as_of(
                    m.since.latest().max(m.until.map_or(Day(0), |d| d.latest())),
                    as_of,
                ),
            })
            .collect()
    }

    fn row_mentions(row: &StateRow, code: &Code) -> bool {
        row.actor == code.as_str()
    }

    fn row_key(row: &StateRow) -> String {
        row.actor.clone()
    }

    fn same_row(a: &StateRow, b: &StateRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}

/// Apply `actor`'s pending imprecise exit if it has certainly taken effect by `day`.
fn settle(state: &mut BTreeMap<Code, Membership>, actor: &Code, day: Day) {
    if state
        .get(actor)
        .is_some_and(|m| ended_as_of(m.until.as_ref(), day))
    {
        state.remove(actor);
    }
}

/// Drop a pending re-entry dated before `date` (no exit met it on its day).
fn expire(m: &mut Membership, date: &Date) {
    if m.reentry.as_ref().is_some_and(|r| r.since != *date) {
        m.reentry = None;
    }
}

fn enter(
    state: &mut BTreeMap<Code, Membership>,
    actor: &Code,
    name: &Option<String>,
    date: &Date,
) -> Result<(), String> {
    let Some(m) = state.get_mut(actor) else {
        let m = Membership {
            since: *date,
            name: name.clone(),
            reentry: None,
            until: None,
        };
        state.insert(actor.clone(), m);
        return Ok(());
    };
    expire(m, date);
    if m.until.is_some() {
        // Its exit may not have happened yet: this entry starts a new spell.
        *m = Membership {
            since: *date,
            name: name.clone(),
            reentry: None,
            until: None,
        };
        return Ok(());
    }
    if m.since == *date || m.reentry.is_some() {
        return Err(format!(
            "{actor} is a member of the state system at this date (since {})",
            m.since
        ));
    }
    m.reentry = Some(Reentry {
        since: *date,
        name: name.clone(),
    });
    Ok(())
}

fn exit(state: &mut BTreeMap<Code, Membership>, actor: &Code, date: &Date) -> Result<(), String> {
    let Some(m) = state.get_mut(actor) else {
        return Err(format!(
            "{actor} is not a member of the state system at this date"
        ));
    };
    expire(m, date);
    if m.until.is_some() {
        return Err(format!(
            "{actor} is already leaving the state system at this date"
        ));
    }
    if date.earliest() != date.latest() && m.reentry.is_none() {
        m.until = Some(*date);
        return Ok(());
    }
    match m.reentry.take() {
        Some(r) => {
            m.since = r.since;
            m.name = r.name;
        }
        None => {
            state.remove(actor);
        }
    }
    Ok(())
}
