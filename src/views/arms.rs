//! The `arms` view: cumulative arms transfers up to a day, per (supplier, recipient, item,
//! unit): the summed quantity ordered, the number of transfers (deals), the dates of the
//! first and the last in timeline order, and — where the events give them (SIPRI) — the
//! number delivered and trend-indicator values (TIV, in millions, three decimals).
//!
//! Ordered amounts (`quantity`, `tiv_order`) count from the event's date. Delivered
//! amounts (`delivered`, `tiv_delivered`) count in the years delivered: a deal's total is
//! spread evenly over its `delivery_years` (SIPRI gives totals per deal, not per year;
//! integer shares, remainders to the later years) and a year's share counts from that
//! year's first day, the row staying uncertain until its last day, as any year-precision
//! date. Without delivery years, deliveries count from the event's date. A transfer
//! without a `quantity` is counted in `unknown_quantity`. Sums saturate at u64::MAX.
//! Rows are sorted by (supplier, recipient, item, unit).

use super::{certain_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use crate::model::validate::format_milli;
use chrono::NaiveDate;
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
    /// Transfers that did not give a quantity.
    pub unknown_quantity: u64,
    /// Summed TIV of the orders, in thousandths; `None` until a transfer gives one.
    pub tiv_order: Option<u64>,
    /// Deliveries by the first day they count from: (number, TIV thousandths, the last
    /// day of their period).
    pub deliveries: BTreeMap<Day, (u64, u64, Day)>,
}

/// A row of the `arms` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArmsRow {
    pub supplier: String,
    pub recipient: String,
    pub item: String,
    pub unit: Option<String>,
    pub quantity: u64,
    /// Transfers without a quantity, when there are any.
    pub unknown_quantity: Option<u64>,
    pub transfers: u64,
    pub first: String,
    pub last: String,
    /// Delivered by the as-of day; `None` when no transfer gives deliveries.
    pub delivered: Option<u64>,
    /// TIV of the orders, in millions, when any transfer gives it.
    pub tiv_order: Option<Thousandths>,
    /// TIV delivered by the as-of day, in millions, when any transfer gives deliveries.
    pub tiv_delivered: Option<Thousandths>,
    pub certain: bool,
}

/// An exact decimal with three decimals, kept in thousandths; written as the JSON number
/// it is (`4.5`, `2875`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Thousandths(pub u64);

impl std::fmt::Display for Thousandths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_milli(self.0))
    }
}

impl Serialize for Thousandths {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(1000) {
            return s.serialize_u64(self.0 / 1000);
        }
        // Three decimals print back exactly from the nearest f64.
        s.serialize_f64(format_milli(self.0).parse().unwrap_or(f64::NAN))
    }
}

/// The share of `total` that falls to part `i` of `n` (integer; remainders go late).
fn share(total: u64, i: u64, n: u64) -> u64 {
    let upto = |k: u64| ((total as u128 * k as u128) / n as u128) as u64;
    upto(i + 1) - upto(i)
}

/// The first and last day of a year.
fn year_days(year: u16) -> Option<(Day, Day)> {
    let first = NaiveDate::from_ymd_opt(i32::from(year), 1, 1).and_then(Day::from_naive)?;
    let last = NaiveDate::from_ymd_opt(i32::from(year), 12, 31).and_then(Day::from_naive)?;
    Some((first, last))
}

/// Where a transfer's deliveries count: per delivery year, or at the event's date.
fn delivery_periods(years: &[u16], date: &Date) -> Vec<(Day, Day)> {
    if years.is_empty() {
        return vec![(date.earliest(), date.latest())];
    }
    years.iter().filter_map(|y| year_days(*y)).collect()
}

fn add_deliveries(flow: &mut Flow, periods: &[(Day, Day)], number: u64, tiv: u64) {
    let n = periods.len() as u64;
    for (i, (first, last)) in periods.iter().enumerate() {
        let slot = flow.deliveries.entry(*first).or_insert((0, 0, *last));
        slot.0 = slot.0.saturating_add(share(number, i as u64, n));
        slot.1 = slot.1.saturating_add(share(tiv, i as u64, n));
    }
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
    const VERSION: u32 = 2;
    type State = BTreeMap<(Code, Code, String, Option<String>), Flow>;
    type Row = ArmsRow;

    fn consumes(kind: KindTag) -> bool {
        kind == KindTag::ArmsTransfer
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let (
            Some(key),
            Kind::ArmsTransfer {
                quantity,
                delivered,
                delivery_years,
                tiv_order,
                tiv_delivered,
                ..
            },
        ) = (Self::key_of(fact.content), &fact.content.kind)
        else {
            return Ok(());
        };
        let date = *fact.date;
        let flow = state.entry(key).or_insert(Flow {
            quantity: 0,
            transfers: 0,
            first: date,
            last: date,
            latest: date.latest(),
            unknown_quantity: 0,
            tiv_order: None,
            deliveries: BTreeMap::new(),
        });
        match quantity {
            Some(q) => flow.quantity = flow.quantity.saturating_add(*q),
            None => flow.unknown_quantity += 1,
        }
        flow.transfers += 1;
        flow.last = date;
        flow.latest = flow.latest.max(date.latest());
        if let Some(t) = tiv_order {
            flow.tiv_order = Some(flow.tiv_order.unwrap_or(0).saturating_add(*t));
        }
        if delivered.is_some() || tiv_delivered.is_some() {
            let periods = delivery_periods(delivery_years, &date);
            add_deliveries(
                flow,
                &periods,
                delivered.unwrap_or(0),
                tiv_delivered.unwrap_or(0),
            );
        }
        Ok(())
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<ArmsRow> {
        state
            .iter()
            .map(|((supplier, recipient, item, unit), f)| {
                let any = !f.deliveries.is_empty();
                let counted = f.deliveries.range(..=as_of).map(|(_, d)| d);
                let (mut delivered, mut tiv, mut latest) = (0u64, 0u64, f.latest);
                for (number, milli, last) in counted {
                    delivered = delivered.saturating_add(*number);
                    tiv = tiv.saturating_add(*milli);
                    latest = latest.max(*last);
                }
                ArmsRow {
                    supplier: supplier.to_string(),
                    recipient: recipient.to_string(),
                    item: item.clone(),
                    unit: unit.clone(),
                    quantity: f.quantity,
                    transfers: f.transfers,
                    first: f.first.to_string(),
                    last: f.last.to_string(),
                    certain: certain_as_of(latest, as_of),
                    unknown_quantity: (f.unknown_quantity > 0).then_some(f.unknown_quantity),
                    delivered: any.then_some(delivered),
                    tiv_order: f.tiv_order.map(Thousandths),
                    tiv_delivered: any.then_some(Thousandths(tiv)),
                }
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

/// How to total `arms` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Supplier,
    Recipient,
    /// The pair (supplier, recipient).
    Pair,
}

/// One total over `arms` rows: by number (ordered, delivered) and by TIV.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArmsTotal {
    /// The supplier, the recipient, or `SUPPLIER/RECIPIENT`.
    pub group: String,
    pub transfers: u64,
    pub quantity: u64,
    pub unknown_quantity: u64,
    pub delivered: u64,
    pub tiv_order: Thousandths,
    pub tiv_delivered: Thousandths,
}

/// Rows totalled per supplier, recipient or pair, sorted by group. Absent amounts count 0.
pub fn totals(rows: &[ArmsRow], by: By) -> Vec<ArmsTotal> {
    let mut out: BTreeMap<String, ArmsTotal> = BTreeMap::new();
    for r in rows {
        let group = match by {
            By::Supplier => r.supplier.clone(),
            By::Recipient => r.recipient.clone(),
            By::Pair => format!("{}/{}", r.supplier, r.recipient),
        };
        let t = out.entry(group.clone()).or_insert(ArmsTotal {
            group,
            ..ArmsTotal::default()
        });
        t.transfers = t.transfers.saturating_add(r.transfers);
        t.quantity = t.quantity.saturating_add(r.quantity);
        t.unknown_quantity = t
            .unknown_quantity
            .saturating_add(r.unknown_quantity.unwrap_or(0));
        t.delivered = t.delivered.saturating_add(r.delivered.unwrap_or(0));
        let add = |a: Thousandths, b: Option<Thousandths>| {
            Thousandths(a.0.saturating_add(b.map_or(0, |b| b.0)))
        };
        t.tiv_order = add(t.tiv_order, r.tiv_order);
        t.tiv_delivered = add(t.tiv_delivered, r.tiv_delivered);
    }
    out.into_values().collect()
}
