//! The `cow_alliances` hook: COW Formal Alliances v4.1 member spells into alliances.
//!
//! The mapping's blocks make, per row (one member spell), an `alliance_joined` at the
//! spell's start (role `member`) and, when the spell ends, an `alliance_left` on the day
//! after its end (role `left`: COW's end is the last day in force). This hook groups the
//! rows of one alliance (`version4id`; the file must be sorted by it, and a group that
//! comes back is a row problem naming the rule) and, at the end of each group, emits:
//!
//! - `alliance_formed` on the earliest member start, with the members starting that day
//!   whose obligations equal those of the first of them (in file order); the others
//!   starting that day get same-day `alliance_joined` events, so each member's obligations
//!   are exactly its flags. `type` comes from `ss_type`, `name` is "COW alliance N",
//!   `signed` is the treaty date (`all_st_*`) when it differs from the formation date;
//! - the spells' joins and departures; a departure on or after the dissolution is left to
//!   the dissolution, and a departure carries the member code of its join (translated
//!   with the spell's start year);
//! - `alliance_dissolved` on the day after `all_end_*`, when given.
//!
//! A spell whose COW number changes annals code is split where it does (see
//! `cow_states.rs`: COW 365 is `SUN` 1923–1991, `RUS` after).
//!
//! Events are ordered by date and, on one date, departures, then the dissolution, then
//! the formation, then joins: a member that leaves and joins on one day (GFR then GMY in
//! NATO, both DEU) stays a member.

use super::cow_states::{code_changes, code_value, variant};
use super::dates::{point_from_parts, shift};
use super::hooks::{Draft, Hook, Output};
use super::mapping::DEFAULT_MISSING;
use super::read::Row;
use super::RowProblem;
use crate::model::date::{Date, Day};
use crate::model::event::Code;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The obligation flags, in the order of `event::OBLIGATIONS`.
const FLAGS: [(&str, &str); 4] = [
    ("defense", "defense"),
    ("neutrality", "neutrality"),
    ("nonaggression", "non_aggression"),
    ("entente", "entente"),
];

/// The columns the hook reads, beyond the mapping's blocks.
const COLUMNS: [&str; 15] = [
    "version4id",
    "ss_type",
    "all_st_year",
    "all_st_month",
    "all_st_day",
    "all_end_year",
    "all_end_month",
    "all_end_day",
    "defense",
    "neutrality",
    "nonaggression",
    "entente",
    "ccode",
    "mem_st_year",
    "mem_end_year",
];

/// The last year of the data's coverage: spells with a blank end run to it.
const COVERAGE_END: i32 = 2012;

/// Makes the hook for a file with this header.
pub(super) fn make(header: &[String]) -> Result<Box<dyn Hook>, String> {
    let mut index = [0usize; COLUMNS.len()];
    for (slot, name) in index.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            format!("the cow_alliances hook needs the column `{name}` (COW alliance_v4.1_by_member.csv)")
        })?;
    }
    Ok(Box::new(CowAlliances {
        index,
        group: None,
        closed: HashSet::new(),
    }))
}

/// One member spell, as drafted by the mapping.
struct Spell {
    joined: Draft,
    left: Option<Draft>,
    start: Day,
    obligations: Vec<String>,
    /// The annals codes of its COW number over its years (see `cow_states::code_changes`).
    changes: Vec<(i32, Code)>,
}

/// The rows of one alliance seen so far.
struct Group {
    id: String,
    alliance_type: &'static str,
    signed: Option<String>,
    end: Option<String>,
    spells: Vec<Spell>,
}

struct CowAlliances {
    index: [usize; COLUMNS.len()],
    group: Option<Group>,
    closed: HashSet<String>,
}

/// Events of one day in this order: departures, dissolution, formation, joins.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Order {
    Left,
    Dissolved,
    Formed,
    Joined,
}

impl CowAlliances {
    fn cell<'r>(&self, row: &'r Row, column: usize) -> Option<&'r str> {
        let i = *self.index.get(column)?;
        let v = row.cells.get(i)?.as_str();
        (!DEFAULT_MISSING.contains(&v)).then_some(v)
    }

    /// The `YYYY[-MM[-DD]]` of three columns (year, month, day), plus `days`.
    fn date(&self, row: &Row, first: usize, days: i64) -> Result<Option<String>, String> {
        let Some(y) = self.cell(row, first) else {
            return Ok(None);
        };
        let point = point_from_parts(y, self.cell(row, first + 1), self.cell(row, first + 2))?;
        Ok(Some(shift(point, days)?.text))
    }

    fn new_group(&self, row: &Row, id: &str) -> Result<Group, String> {
        let label = self.cell(row, 1).unwrap_or("");
        let alliance_type = alliance_type(label)?;
        let signed = self.date(row, 2, 0).map_err(|r| format!("all_st: {r}"))?;
        let end = self.date(row, 5, 1).map_err(|r| format!("all_end: {r}"))?;
        Ok(Group {
            id: id.to_string(),
            alliance_type,
            signed,
            end,
            spells: Vec::new(),
        })
    }

    fn spell(&self, row: &Row, drafts: Vec<Draft>) -> Result<Spell, String> {
        let mut joined = None;
        let mut left = None;
        for d in drafts {
            match d.role.as_str() {
                "member" => joined = Some(d),
                "left" => left = Some(d),
                other => return Err(format!("the cow_alliances hook does not know the block role `{other}` (it needs `member` and `left`)")),
            }
        }
        let joined = joined.ok_or("the cow_alliances hook needs a `member` block")?;
        let start = day_of(&joined)?;
        let year = |i: usize| self.cell(row, i).and_then(|y| y.parse::<i32>().ok());
        let first = year(13).ok_or("mem_st_year is not a year")?;
        let changes = code_changes(
            self.cell(row, 12).unwrap_or(""),
            first,
            year(14).unwrap_or(COVERAGE_END),
        );
        if let (Some(l), Some((_, last))) = (&mut left, changes.last()) {
            l.object.insert("members".into(), code_value(last, true));
        }
        let obligations = FLAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.cell(row, 8 + i) == Some("1"))
            .map(|(_, (_, o))| o.to_string())
            .collect();
        Ok(Spell {
            joined,
            left,
            start,
            obligations,
            changes,
        })
    }

    /// Take one row: start a new group when its version4id changes.
    fn take(&mut self, row: &Row, drafts: Vec<Draft>) -> Result<Output, String> {
        let id = self
            .cell(row, 0)
            .ok_or("version4id is missing")?
            .to_string();
        let mut out = Vec::new();
        if self.group.as_ref().is_none_or(|g| g.id != id) {
            if self.closed.contains(&id) {
                return Err(format!("version4id {id} comes back after other alliances: the cow_alliances hook needs the file sorted by version4id (as COW publishes it)"));
            }
            let fresh = self.new_group(row, &id)?;
            if let Some(done) = self.group.replace(fresh) {
                self.closed.insert(done.id.clone());
                out = finish_group(done);
            }
        }
        let spell = self.spell(row, drafts)?;
        if let Some(g) = &mut self.group {
            g.spells.push(spell);
        }
        Ok(out)
    }
}

impl Hook for CowAlliances {
    fn row(&mut self, row: &Row, drafts: Vec<Draft>) -> Output {
        match self.take(row, drafts) {
            Ok(out) => out,
            Err(reason) => vec![Err(RowProblem {
                line: row.line,
                row: row.number,
                reason,
            })],
        }
    }

    fn finish(&mut self) -> Output {
        match self.group.take() {
            Some(g) => finish_group(g),
            None => Vec::new(),
        }
    }
}

/// The annals alliance type of an `ss_type` label.
fn alliance_type(label: &str) -> Result<&'static str, String> {
    let class = label.split(':').next().unwrap_or("").trim();
    match class {
        "Type I" => Ok("defense_pact"),
        "Type II" | "Type IIa" => Ok("neutrality"),
        "Type IIb" => Ok("non_aggression"),
        "Type III" => Ok("entente"),
        _ => Err(format!(
            "ss_type `{label}` is not a COW alliance type (Type I, II, IIa, IIb or III)"
        )),
    }
}

fn day_of(draft: &Draft) -> Result<Day, String> {
    let text = draft
        .object
        .get("date")
        .and_then(Value::as_str)
        .unwrap_or("");
    Date::parse(text)
        .map(|d| d.earliest())
        .map_err(|e| format!("date `{text}`: {e}"))
}

fn day_of_text(text: &str) -> Option<Day> {
    Date::parse(text).ok().map(|d| d.earliest())
}

/// A draft of the hook's own (formation, dissolution), identified by the alliance.
fn own_draft(like: &Draft, role: &str, id: &str, object: Map<String, Value>) -> Draft {
    Draft {
        line: like.line,
        row: like.row,
        role: role.to_string(),
        identity: id.to_string(),
        object,
    }
}

/// Every event of one alliance, in date order (see the module documentation).
fn finish_group(g: Group) -> Output {
    let Some(first) = g.spells.iter().map(|s| s.start).min() else {
        return Vec::new();
    };
    let end_day = g.end.as_deref().and_then(day_of_text);
    let mut events: Vec<(Day, Order, Draft)> = Vec::new();
    let founders = founders(&g, first);
    for (i, s) in g.spells.iter().enumerate() {
        if !founders.contains(&i) {
            events.push((s.start, Order::Joined, joined(s)));
        }
        events.extend(splits(s, end_day));
        if let Some(l) = &s.left {
            let day = day_of(l).unwrap_or(s.start);
            if end_day.is_none_or(|e| day < e) {
                events.push((day, Order::Left, l.clone()));
            }
        }
    }
    if let Some(f) = formation(&g, &founders) {
        events.push((first, Order::Formed, f));
    }
    if let (Some(end), Some(day), Some(s)) = (&g.end, end_day, g.spells.first()) {
        let mut o = Map::new();
        o.insert("date".into(), Value::String(end.clone()));
        o.insert("kind".into(), "alliance_dissolved".into());
        o.insert("alliance".into(), alliance_code(&g.id));
        events.push((
            day,
            Order::Dissolved,
            own_draft(&s.joined, "dissolved", &g.id, o),
        ));
    }
    events.sort_by_key(|(day, order, _)| (*day, *order));
    events.into_iter().map(|(_, _, d)| Ok(d)).collect()
}

/// Where a spell's COW number changes annals code: the old code leaves and the new one
/// joins (with the spell's obligations) on 1 January of the change year, unless the
/// alliance has been dissolved by then.
fn splits(s: &Spell, end_day: Option<Day>) -> Vec<(Day, Order, Draft)> {
    let mut out = Vec::new();
    for pair in s.changes.windows(2) {
        let (Some((_, old)), Some((year, new))) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let date = format!("{year:04}-01-01");
        let Some(day) = day_of_text(&date).filter(|d| end_day.is_none_or(|e| *d < e)) else {
            continue;
        };
        let mut left = variant(
            &s.joined,
            format!("left_{year}"),
            date.clone(),
            "members",
            code_value(old, true),
        );
        left.object.insert("kind".into(), "alliance_left".into());
        left.object.remove("obligations");
        let join = variant(
            &joined(s),
            format!("joined_{year}"),
            date,
            "members",
            code_value(new, true),
        );
        out.push((day, Order::Left, left));
        out.push((day, Order::Joined, join));
    }
    out
}

/// The spells that form the alliance: those starting first with the first one's
/// obligations.
fn founders(g: &Group, first: Day) -> Vec<usize> {
    let Some(lead) = g.spells.iter().find(|s| s.start == first) else {
        return Vec::new();
    };
    g.spells
        .iter()
        .enumerate()
        .filter(|(_, s)| s.start == first && s.obligations == lead.obligations)
        .map(|(i, _)| i)
        .collect()
}

fn alliance_code(id: &str) -> Value {
    Value::String(format!("COW_{id}"))
}

/// A spell's join, with its obligations.
fn joined(s: &Spell) -> Draft {
    let mut d = s.joined.clone();
    if !s.obligations.is_empty() {
        d.object
            .insert("obligations".into(), obligations_value(&s.obligations));
    }
    d
}

fn obligations_value(o: &[String]) -> Value {
    Value::Array(o.iter().cloned().map(Value::String).collect())
}

/// The `alliance_formed` of the founders.
fn formation(g: &Group, founders: &[usize]) -> Option<Draft> {
    let lead = g.spells.get(*founders.first()?)?;
    let mut members: Vec<Value> = Vec::new();
    for i in founders {
        let list = g
            .spells
            .get(*i)
            .and_then(|s| s.joined.object.get("members"));
        for m in list.and_then(Value::as_array).into_iter().flatten() {
            if !members.contains(m) {
                members.push(m.clone());
            }
        }
    }
    let date = lead.joined.object.get("date").cloned()?;
    let mut o = Map::new();
    o.insert("date".into(), date.clone());
    o.insert("kind".into(), "alliance_formed".into());
    o.insert("alliance".into(), alliance_code(&g.id));
    o.insert("type".into(), g.alliance_type.into());
    o.insert("members".into(), Value::Array(members));
    o.insert("name".into(), format!("COW alliance {}", g.id).into());
    if let Some(s) = g.signed.as_deref().filter(|s| Some(*s) != date.as_str()) {
        o.insert("signed".into(), s.into());
    }
    if !lead.obligations.is_empty() {
        o.insert("obligations".into(), obligations_value(&lead.obligations));
    }
    Some(own_draft(&lead.joined, "formed", &g.id, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_labels() {
        assert_eq!(alliance_type("Type I: Defense Pact"), Ok("defense_pact"));
        assert_eq!(
            alliance_type("Type IIa: Non-Aggression Pact"),
            Ok("neutrality")
        );
        assert_eq!(
            alliance_type("Type IIb: Non-Aggression Pact"),
            Ok("non_aggression")
        );
        assert_eq!(alliance_type("Type II: Neutrality"), Ok("neutrality"));
        assert_eq!(alliance_type("Type III: Entente"), Ok("entente"));
        assert!(alliance_type("Type IV").is_err());
    }
}
