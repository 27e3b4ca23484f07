//! The `arms` view: cumulative arms transfers up to a day, per (supplier, recipient, item,
//! unit): the summed quantity, the number of transfers, and the dates of the first and the
//! last transfer in timeline order. Sums saturate at u64::MAX (they cannot overflow).
//! Rows are sorted by (supplier, recipient, item, unit).

use super::{certain_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One flow as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub quantity: u64,
    pub transfers: u64,
    pub first: Date,
    pub last: Date,
    /// The latest day any folded transfer may refer to (for `certain`).
    pub latest: Day,
}

/// A row of the `arms` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArmsRow {
    pub supplier: String,
    pub recipient: String,
    pub item: String,
    pub unit: Option<String>,
    pub quantity: u64,
    pub transfers: u64,
    pub first: String,
    pub last: String,
    pub certain: bool,
}

/// The `arms` view.
pub struct Arms;

impl KeyedView for Arms {
    type Key = (Code, Code, String, Option<String>);
    type Entry = Flow;

    fn key_of(content: &Content) -> Option<Self::Key> {
        match &content.kind {
            Kind::ArmsTransfer {
                supplier,
                recipient,
                item,
                unit,
                ..
            } => Some((
                supplier.clone(),
                recipient.clone(),
                item.clone(),
                unit.clone(),
            )),
            _ => None,
        }
    }
}

impl View for Arms {
    const NAME: &'static str = "arms";
    const VERSION: u32 = 1;
    type State = BTreeMap<(Code, Code, String, Option<String>), Flow>;
    type Row = ArmsRow;

    fn consumes(kind: KindTag) -> bool {
        kind == KindTag::ArmsTransfer
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        if let (Some(key), Kind::ArmsTransfer { quantity, .. }) =
            (Self::key_of(fact.content), &fact.content.kind)
        {
            let date = *fact.date;
            let flow = state.entry(key).or_insert(Flow {
                quantity: 0,
                transfers: 0,
                first: date,
                last: date,
                latest: date.latest(),
            });
            flow.quantity = flow.quantity.saturating_add(*quantity);
            flow.transfers += 1;
            flow.last = date;
            flow.latest = flow.latest.max(date.latest());
        }
        Ok(())
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<ArmsRow> {
        state
            .iter()
            .map(|((supplier, recipient, item, unit), f)| ArmsRow {
                supplier: supplier.to_string(),
                recipient: recipient.to_string(),
                item: item.clone(),
                unit: unit.clone(),
                quantity: f.quantity,
                transfers: f.transfers,
                first: f.first.to_string(),
                last: f.last.to_string(),
                certain: certain_as_of(f.latest, as_of),
            })
            .collect()
    }

    fn row_mentions(row: &ArmsRow, code: &Code) -> bool {
        row.supplier == code.as_str() || row.recipient == code.as_str()
    }

    fn row_key(row: &ArmsRow) -> String {
        format!(
            "{}/{}/{}/{}",
            row.supplier,
            row.recipient,
            row.item,
            row.unit.as_deref().unwrap_or("-")
        )
    }

    fn same_row(a: &ArmsRow, b: &ArmsRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}
