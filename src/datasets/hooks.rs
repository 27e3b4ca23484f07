//! Named hooks: logic a mapping cannot say, run between the `[[event]]` blocks and the
//! interchange check (for example, forming an alliance from its members' first spells).
//! A mapping names one with `hook = "NAME"`; the registry below lists them.
//!
//! A hook sees each row with the drafts its blocks made and returns the drafts to emit
//! now; it may hold some back (to group rows) and emit them at [`Hook::finish`]. Drafts
//! keep the row they came from, so problems and ids still name the dataset's rows.

use super::read::Row;
use super::RowProblem;
use crate::codes;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

/// One event being made: its interchange object, before ids and sources are added.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// The line and data row it comes from.
    pub line: u64,
    pub row: u64,
    /// The role of the `[[event]]` block (or the hook) that made it: part of its id.
    pub role: String,
    /// The dataset identity it derives its id from (the row's `id` columns, or what the
    /// hook says, e.g. an alliance's own id for its formation).
    pub identity: String,
    pub object: Map<String, Value>,
}

/// What a hook gives back: drafts, or problems with rows.
pub type Output = Vec<Result<Draft, RowProblem>>;

/// A hook: see the module documentation.
pub trait Hook {
    /// One row, with the drafts the mapping's blocks made from it.
    fn row(&mut self, row: &Row, drafts: Vec<Draft>) -> Output;
    /// The end of the input: whatever was held back.
    fn finish(&mut self) -> Output;
}

/// Makes a hook for a file with this header, or says why it cannot.
type Maker = fn(header: &[String]) -> Result<Box<dyn Hook>, String>;

/// Every hook: name, what it does, and its maker.
const HOOKS: &[(&str, &str, Maker)] = &[(
    "cow_alliances",
    "COW Formal Alliances member spells (grouped by version4id) into alliance_formed, alliance_joined, alliance_left and alliance_dissolved",
    super::cow_alliances::make,
), (
    "cow_states",
    "COW state system spells: splits a spell where the crosswalk's annals code for its COW number changes (COW 345: SRB, then YUG from 1919)",
    super::cow_states::make,
), (
    "state-succession",
    "a tenure whose state code changes under the dataset's number (GW 365: SUN, then RUS) is split at the day of the change: the holder leaves the old state's office and takes the new one's that day",
    |_| Ok(Box::new(StateSuccession)),
)];

/// The names of every hook.
pub fn names() -> impl Iterator<Item = (&'static str, &'static str)> {
    HOOKS.iter().map(|(n, d, _)| (*n, *d))
}

/// Check a hook name when a mapping is loaded.
pub(super) fn check_name(name: &str) -> Result<(), String> {
    if HOOKS.iter().any(|(n, _, _)| *n == name) {
        return Ok(());
    }
    let known: Vec<&str> = HOOKS.iter().map(|(n, _, _)| *n).collect();
    Err(format!(
        "unknown hook `{name}`{}; the hooks are: {}",
        super::mapping::hint(name, known.iter().copied()),
        if known.is_empty() {
            "(none)".to_string()
        } else {
            known.join(", ")
        }
    ))
}

/// The hook named `name`, for a file with this header.
pub(super) fn make(name: &str, header: &[String]) -> Result<Box<dyn Hook>, String> {
    check_name(name)?;
    match HOOKS.iter().find(|(n, _, _)| *n == name) {
        Some((_, _, maker)) => maker(header),
        None => Err(format!("unknown hook `{name}`")),
    }
}

/// `state-succession`: see [`HOOKS`]. Works on a row's `leader_took_office` and
/// `leader_left_office` drafts; rows without both, or whose actors agree, pass unchanged.
struct StateSuccession;

impl Hook for StateSuccession {
    fn row(&mut self, _row: &Row, drafts: Vec<Draft>) -> Output {
        split_at_succession(drafts).into_iter().map(Ok).collect()
    }

    fn finish(&mut self) -> Output {
        Vec::new()
    }
}

fn text<'a>(d: &'a Draft, key: &str) -> Option<&'a str> {
    d.object.get(key).and_then(Value::as_str)
}

fn day_of(d: &Draft) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text(d, "date")?.get(..10)?, "%Y-%m-%d").ok()
}

fn kind_index(drafts: &[Draft], kind: &str) -> Option<usize> {
    drafts.iter().position(|d| text(d, "kind") == Some(kind))
}

/// The drafts with a took/left pair split at the state succession between them.
fn split_at_succession(mut drafts: Vec<Draft>) -> Vec<Draft> {
    let (Some(t), Some(l)) = (
        kind_index(&drafts, "leader_took_office"),
        kind_index(&drafts, "leader_left_office"),
    ) else {
        return drafts;
    };
    let (took, left) = (&drafts[t], &drafts[l]);
    let (Some(old), Some(new)) = (text(took, "actor"), text(left, "actor")) else {
        return drafts;
    };
    if old == new {
        return drafts;
    }
    let (Some(start), Some(end)) = (day_of(took), day_of(left)) else {
        return drafts;
    };
    let Some(day) = codes::succession_day(old, new, start.year(), end.year()) else {
        return drafts;
    };
    let (old, new) = (old.to_owned(), new.to_owned());
    if day <= start {
        drafts[t].object.insert("actor".into(), Value::String(new));
    } else if day >= end {
        drafts[l].object.insert("actor".into(), Value::String(old));
    } else {
        let note = format!("the tenure continues: the state's code changes from {old} to {new} on {day} (state succession)");
        let at = |d: &Draft, role: &str, actor: &str, drop: &str| {
            let mut d = d.clone();
            d.role = format!("{role}_at_succession");
            d.object.remove(drop);
            d.object
                .insert("actor".into(), Value::String(actor.to_owned()));
            d.object
                .insert("date".into(), Value::String(day.to_string()));
            d.object
                .insert("summary".into(), Value::String(note.clone()));
            d
        };
        let leave = at(&drafts[l], "left_office", &old, "exit");
        let take = at(&drafts[t], "took_office", &new, "entry");
        drafts.insert(l, take);
        drafts.insert(l, leave);
    }
    drafts
}
