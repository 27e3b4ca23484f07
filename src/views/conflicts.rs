//! The `conflicts` view: organised violence up to a day (UCDP GED's events), summed per
//! (conflict, side A, side B, country): events, deaths (best, low, high, civilians), the
//! first and last dates, and whether it is `ongoing` (an event covers the day) or `active`
//! (an event overlaps the 365 days up to it). Totals per conflict, per country or per
//! pair of sides are sums of rows ([`totals`]).
//!
//! An event counts from its first day, with all its deaths (a multi-day event is on every
//! day it covers: it is `ongoing` through its last day, and the row is uncertain until
//! then, as for any date not yet ended). Sums saturate at u64::MAX. Rows are sorted by
//! (conflict, side A, side B, country).

use super::{certain_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Deaths summed over events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deaths {
    pub best: u64,
    pub low: u64,
    pub high: u64,
    pub civilians: u64,
}

impl Deaths {
    fn add(&mut self, other: &Deaths) {
        self.best = self.best.saturating_add(other.best);
        self.low = self.low.saturating_add(other.low);
        self.high = self.high.saturating_add(other.high);
        self.civilians = self.civilians.saturating_add(other.civilians);
    }
}

/// One (conflict, sides, country) as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fighting {
    pub conflict_name: Option<String>,
    pub violence: String,
    pub side_a_name: Option<String>,
    pub side_b_name: Option<String>,
    pub events: u64,
    pub deaths: Deaths,
    pub first: Date,
    pub last: Date,
    /// The latest last day of any folded event.
    pub latest: Day,
}

/// A row of the `conflicts` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConflictRow {
    pub conflict: String,
    pub conflict_name: Option<String>,
    pub violence: String,
    pub side_a: String,
    pub side_a_name: Option<String>,
    pub side_b: String,
    pub side_b_name: Option<String>,
    pub country: String,
    pub events: u64,
    pub deaths_best: u64,
    pub deaths_low: u64,
    pub deaths_high: u64,
    pub deaths_civilians: u64,
    pub first: String,
    pub last: String,
    /// An event covers the as-of day.
    pub ongoing: bool,
    /// An event overlaps the 365 days up to the as-of day.
    pub active: bool,
    pub certain: bool,
}

/// The `conflicts` view.
pub struct Conflicts;

type Key = (String, Code, Code, Code);

impl KeyedView for Conflicts {
    type Key = Key;
    type Entry = Fighting;

    fn key_of(content: &Content) -> Option<Key> {
        match &content.kind {
            Kind::ArmedConflict {
                conflict,
                side_a,
                side_b,
                country,
                ..
            } => Some((
                conflict.clone(),
                side_a.clone(),
                side_b.clone(),
                country.clone(),
            )),
            _ => None,
        }
    }
}

/// The deaths an event reports (a missing low or high is the best estimate).
fn deaths_of(kind: &Kind) -> Deaths {
    match kind {
        Kind::ArmedConflict {
            deaths_best,
            deaths_low,
            deaths_high,
            deaths_civilians,
            ..
        } => Deaths {
            best: *deaths_best,
            low: deaths_low.unwrap_or(*deaths_best),
            high: deaths_high.unwrap_or(*deaths_best),
            civilians: deaths_civilians.unwrap_or(0),
        },
        _ => Deaths::default(),
    }
}

fn fighting_of(kind: &Kind, date: Date) -> Option<Fighting> {
    let Kind::ArmedConflict {
        conflict_name,
        violence,
        side_a_name,
        side_b_name,
        ..
    } = kind
    else {
        return None;
    };
    Some(Fighting {
        conflict_name: conflict_name.clone(),
        violence: violence.clone(),
        side_a_name: side_a_name.clone(),
        side_b_name: side_b_name.clone(),
        events: 0,
        deaths: Deaths::default(),
        first: date,
        last: date,
        latest: date.latest(),
    })
}

impl View for Conflicts {
    const NAME: &'static str = "conflicts";
    const VERSION: u32 = 1;
    type State = BTreeMap<Key, Fighting>;
    type Row = ConflictRow;

    fn consumes(kind: KindTag) -> bool {
        kind == KindTag::ArmedConflict
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let kind = &fact.content.kind;
        let (Some(key), Some(fresh)) = (Self::key_of(fact.content), fighting_of(kind, *fact.date))
        else {
            return Ok(());
        };
        let f = state.entry(key).or_insert(fresh);
        f.events += 1;
        f.deaths.add(&deaths_of(kind));
        f.last = *fact.date;
        f.latest = f.latest.max(fact.date.latest());
        Ok(())
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<ConflictRow> {
        state
            .iter()
            .map(|((conflict, a, b, country), f)| ConflictRow {
                conflict: conflict.clone(),
                conflict_name: f.conflict_name.clone(),
                violence: f.violence.clone(),
                side_a: a.to_string(),
                side_a_name: f.side_a_name.clone(),
                side_b: b.to_string(),
                side_b_name: f.side_b_name.clone(),
                country: country.to_string(),
                events: f.events,
                deaths_best: f.deaths.best,
                deaths_low: f.deaths.low,
                deaths_high: f.deaths.high,
                deaths_civilians: f.deaths.civilians,
                first: f.first.to_string(),
                last: f.last.to_string(),
                ongoing: f.latest >= as_of,
                active: f.latest.0.saturating_add(365) >= as_of.0,
                certain: certain_as_of(f.latest, as_of),
            })
            .collect()
    }

    fn row_mentions(row: &ConflictRow, code: &Code) -> bool {
        [&row.side_a, &row.side_b, &row.country]
            .iter()
            .any(|c| c.as_str() == code.as_str())
    }

    fn row_key(row: &ConflictRow) -> String {
        format!(
            "{}/{}/{}/{}",
            row.conflict, row.side_a, row.side_b, row.country
        )
    }

    fn same_row(a: &ConflictRow, b: &ConflictRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}

/// How to total `conflicts` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Conflict,
    Country,
    /// The pair of sides (A, B).
    Pair,
}

/// One total over `conflicts` rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConflictTotal {
    /// The conflict, the country, or `A/B`.
    pub group: String,
    pub events: u64,
    pub deaths_best: u64,
    pub deaths_low: u64,
    pub deaths_high: u64,
    pub deaths_civilians: u64,
    pub ongoing: bool,
    pub active: bool,
}

/// Rows totalled per conflict, per country or per pair of sides, sorted by group.
pub fn totals(rows: &[ConflictRow], by: By) -> Vec<ConflictTotal> {
    let mut out: BTreeMap<String, ConflictTotal> = BTreeMap::new();
    for r in rows {
        let group = match by {
            By::Conflict => r.conflict.clone(),
            By::Country => r.country.clone(),
            By::Pair => format!("{}/{}", r.side_a, r.side_b),
        };
        let t = out.entry(group.clone()).or_insert(ConflictTotal {
            group,
            ..ConflictTotal::default()
        });
        t.events = t.events.saturating_add(r.events);
        t.deaths_best = t.deaths_best.saturating_add(r.deaths_best);
        t.deaths_low = t.deaths_low.saturating_add(r.deaths_low);
        t.deaths_high = t.deaths_high.saturating_add(r.deaths_high);
        t.deaths_civilians = t.deaths_civilians.saturating_add(r.deaths_civilians);
        t.ongoing |= r.ongoing;
        t.active |= r.active;
    }
    out.into_values().collect()
}
