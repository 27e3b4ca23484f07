//! The `tests` view: missile and nuclear tests summed per (actor, class) up to a day.
//! `missile_test` adds its `count` under its `class`; `nuclear_test` adds one under class
//! `nuclear`. `last` is the date of the last test in timeline order. Rows are sorted by
//! (actor, class).

use super::{certain_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One tally as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub count: u64,
    pub last: Date,
    pub latest: Day,
}

/// A row of the `tests` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestRow {
    pub actor: String,
    pub class: String,
    pub count: u64,
    pub last: String,
    pub certain: bool,
}

/// The `tests` view.
pub struct Tests;

impl KeyedView for Tests {
    type Key = (Code, String);
    type Entry = Tally;

    fn key_of(content: &Content) -> Option<Self::Key> {
        match &content.kind {
            Kind::MissileTest { actor, class, .. } => Some((actor.clone(), class.clone())),
            Kind::NuclearTest { actor } => Some((actor.clone(), "nuclear".to_string())),
            _ => None,
        }
    }
}

impl View for Tests {
    const NAME: &'static str = "tests";
    const VERSION: u32 = 1;
    type State = BTreeMap<(Code, String), Tally>;
    type Row = TestRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(kind, KindTag::MissileTest | KindTag::NuclearTest)
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let count = match &fact.content.kind {
            Kind::MissileTest { count, .. } => *count,
            Kind::NuclearTest { .. } => 1,
            _ => return Ok(()),
        };
        let Some(key) = Self::key_of(fact.content) else {
            return Ok(());
        };
        let date = *fact.date;
        let t = state.entry(key).or_insert(Tally {
            count: 0,
            last: date,
            latest: date.latest(),
        });
        t.count = t.count.saturating_add(count);
        t.last = date;
        t.latest = t.latest.max(date.latest());
        Ok(())
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<TestRow> {
        state
            .iter()
            .map(|((actor, class), t)| TestRow {
                actor: actor.to_string(),
                class: class.clone(),
                count: t.count,
                last: t.last.to_string(),
                certain: certain_as_of(t.latest, as_of),
            })
            .collect()
    }

    fn row_mentions(row: &TestRow, code: &Code) -> bool {
        row.actor == code.as_str()
    }

    fn row_key(row: &TestRow) -> String {
        format!("{}/{}", row.actor, row.class)
    }

    fn same_row(a: &TestRow, b: &TestRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}
