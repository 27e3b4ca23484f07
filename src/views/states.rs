//! The `states` view: the members of the state system as of a day (COW's state system
//! membership), keyed by actor.
//!
//! Fold: `state_entered` makes the actor a member from its date; `state_exited`, dated the
//! first day out, ends it. A state may leave and come back (Germany 1816–1945 and 1990–
//! under COW's GMY). Lenient rules: entering as a member, or exiting as a non-member, is
//! ignored (and rejected when appended). Rows are sorted by actor.

use super::{certain_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One member as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub since: Date,
    pub name: Option<String>,
}

/// A row of the `states` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateRow {
    pub actor: String,
    pub name: Option<String>,
    pub since: String,
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
    const VERSION: u32 = 1;
    type State = BTreeMap<Code, Membership>;
    type Row = StateRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(kind, KindTag::StateEntered | KindTag::StateExited)
    }

    fn may_reject(_kind: KindTag) -> bool {
        true
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        match &fact.content.kind {
            Kind::StateEntered { actor, name } => match state.get(actor) {
                Some(m) => Err(format!(
                    "{actor} is a member of the state system at this date (since {})",
                    m.since
                )),
                None => {
                    let since = *fact.date;
                    let name = name.clone();
                    state.insert(actor.clone(), Membership { since, name });
                    Ok(())
                }
            },
            Kind::StateExited { actor, .. } => match state.remove(actor) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "{actor} is not a member of the state system at this date"
                )),
            },
            _ => Ok(()),
        }
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<StateRow> {
        state
            .iter()
            .map(|(actor, m)| StateRow {
                actor: actor.to_string(),
                name: m.name.clone(),
                since: m.since.to_string(),
                certain: certain_as_of(m.since.latest(), as_of),
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
