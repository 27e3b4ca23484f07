//! A custom view, worked through: how many times each pair of actors met in each year.
//!
//! Run: `cargo run --example meetings_per_year`
//!
//! A view is a struct implementing [`annals::View`]: which kinds it folds, how one fact
//! changes its state, and what rows a state shows as of a day. Registered with
//! `StoreOptions::with_view`, it is built from the existing log when the store opens, then
//! materialized, checkpointed, rebuilt and verified exactly like the built-in views.

use annals::event::KindTag;
use annals::views::{Fact, View};
use annals::{Code, Day, Kind, Store, StoreOptions};
use serde::Serialize;
use std::collections::BTreeMap;

/// Meetings per unordered pair of actors and calendar year (of the meeting's earliest day).
pub struct MeetingsPerYear;

/// One row: `a` < `b`, the year, and how many meetings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairYear {
    pub a: String,
    pub b: String,
    pub year: i32,
    pub meetings: u64,
}

impl View for MeetingsPerYear {
    const NAME: &'static str = "pair_meetings";
    const VERSION: u32 = 1;
    /// (a, b, year) -> count. Ordered map: the encoding is deterministic.
    type State = BTreeMap<(Code, Code, i32), u64>;
    type Row = PairYear;

    fn consumes(kind: KindTag) -> bool {
        kind == KindTag::Meeting
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        if let Kind::Meeting { actors, .. } = &fact.content.kind {
            let year = chrono::Datelike::year(&fact.date.earliest().to_naive());
            for (i, x) in actors.iter().enumerate() {
                for y in &actors[i + 1..] {
                    let (a, b) = if x < y { (x, y) } else { (y, x) };
                    *state.entry((a.clone(), b.clone(), year)).or_insert(0) += 1;
                }
            }
        }
        Ok(())
    }

    fn rows(state: &Self::State, _as_of: Day) -> Vec<PairYear> {
        state
            .iter()
            .map(|((a, b, year), n)| PairYear {
                a: a.to_string(),
                b: b.to_string(),
                year: *year,
                meetings: *n,
            })
            .collect()
    }

    fn row_mentions(row: &PairYear, code: &Code) -> bool {
        row.a == code.as_str() || row.b == code.as_str()
    }

    fn row_key(row: &PairYear) -> String {
        format!("{}/{}/{}", row.a, row.b, row.year)
    }
}

/// The bundled sample timeline.
pub const SAMPLE: &str = include_str!("../schema/examples/sample_timeline.jsonl");

#[allow(dead_code)]
fn main() -> Result<(), annals::Error> {
    let store = Store::temporary_with(StoreOptions::default().with_view::<MeetingsPerYear>())?;
    let lines = annals::interchange::parse_reader(SAMPLE.as_bytes())
        .map_err(annals::Error::InvalidInput)?;
    store.import_lines(lines, true)?;
    let answer = store
        .at(Day::parse_query("2024")?)
        .view::<MeetingsPerYear>()?;
    println!("meetings per pair and year, {}", answer.basis.describe());
    for row in &answer.rows {
        println!("  {} {} {}: {}", row.year, row.a, row.b, row.meetings);
    }
    store.verify()?;
    Ok(())
}
