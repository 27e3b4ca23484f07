//! The `cow_states` hook, and what both COW hooks share: spells that cross a change of
//! annals code.
//!
//! A COW number can stand for different annals states over time (COW 345 is `SRB` to 1918,
//! `YUG` 1919–2005 and `SRB` again; COW 365 is `RUS`, then `SUN` 1923–1991). The crosswalk
//! gives each year one code, so a COW spell crossing a change is split there: the old code
//! leaves and the new one enters on 1 January of the first year of the new code. Each event
//! of a spell thus names the state the crosswalk gives for its date.
//!
//! The hook takes the mapping's `entered` (at the start) and `exited` (the day after the
//! end) drafts of one `states2016.csv` row and adds the split events between them (roles
//! `exited_YYYY` and `entered_YYYY`, so their ids derive from the row as well).

use super::hooks::{Draft, Hook, Output};
use super::read::Row;
use super::RowProblem;
use crate::codes::{translate, System};
use crate::model::event::Code;
use serde_json::Value;

/// The annals code of COW number `ccode` in each year from `from` to `to`, as the years
/// where it changes: `(first year, code)`, the first at `from`. Years the crosswalk does
/// not know keep the code before them.
pub(super) fn code_changes(ccode: &str, from: i32, to: i32) -> Vec<(i32, Code)> {
    let mut out: Vec<(i32, Code)> = Vec::new();
    for year in from..=to.max(from) {
        let Ok(code) = translate(System::CowNum, ccode, Some(year)) else {
            continue;
        };
        if out.last().is_none_or(|(_, c)| *c != code) {
            out.push((year, code));
        }
    }
    out
}

/// A copy of `like` as another event of the same row: role, date, one code field.
pub(super) fn variant(like: &Draft, role: String, date: String, field: &str, code: Value) -> Draft {
    let mut d = like.clone();
    d.role = role;
    d.object.insert("date".into(), Value::String(date));
    d.object.insert(field.into(), code);
    d
}

/// A code as the JSON a field takes: a string, or a one-item list for `members`.
pub(super) fn code_value(code: &Code, list: bool) -> Value {
    let s = Value::String(code.to_string());
    if list {
        Value::Array(vec![s])
    } else {
        s
    }
}

/// Makes the hook for a file with this header.
pub(super) fn make(header: &[String]) -> Result<Box<dyn Hook>, String> {
    let mut index = [0usize; 3];
    for (slot, name) in index.iter_mut().zip(["ccode", "styear", "endyear"]) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            format!("the cow_states hook needs the column `{name}` (COW states2016.csv)")
        })?;
    }
    Ok(Box::new(CowStates { index }))
}

struct CowStates {
    /// ccode, styear, endyear.
    index: [usize; 3],
}

impl CowStates {
    fn cell<'r>(&self, row: &'r Row, i: usize) -> &'r str {
        self.index
            .get(i)
            .and_then(|c| row.cells.get(*c))
            .map_or("", String::as_str)
    }

    fn year(&self, row: &Row, i: usize) -> Result<i32, String> {
        let text = self.cell(row, i);
        text.parse()
            .map_err(|_| format!("year `{text}` is not a number"))
    }

    fn split(&self, row: &Row, drafts: Vec<Draft>) -> Result<Output, String> {
        let (mut entered, mut exited) = (None, None);
        for d in drafts {
            match d.role.as_str() {
                "entered" => entered = Some(d),
                "exited" => exited = Some(d),
                other => return Err(format!("the cow_states hook does not know the block role `{other}` (it needs `entered` and `exited`)")),
            }
        }
        let entered = entered.ok_or("the cow_states hook needs an `entered` block")?;
        let changes = code_changes(self.cell(row, 0), self.year(row, 1)?, self.year(row, 2)?);
        let mut out = vec![Ok(entered.clone())];
        for pair in changes.windows(2) {
            let (Some((_, old)), Some((year, new))) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let date = format!("{year:04}-01-01");
            let old = code_value(old, false);
            let new = code_value(new, false);
            let x = variant(
                &entered,
                format!("exited_{year}"),
                date.clone(),
                "actor",
                old,
            );
            out.push(Ok(to_exit(x)));
            out.push(Ok(variant(
                &entered,
                format!("entered_{year}"),
                date,
                "actor",
                new,
            )));
        }
        if let Some(mut x) = exited {
            if let Some((_, last)) = changes.last() {
                x.object.insert("actor".into(), code_value(last, false));
            }
            out.push(Ok(x));
        }
        Ok(out)
    }
}

/// An `entered` variant made into an exit.
fn to_exit(mut d: Draft) -> Draft {
    d.object
        .insert("kind".into(), Value::String("state_exited".into()));
    d
}

impl Hook for CowStates {
    fn row(&mut self, row: &Row, drafts: Vec<Draft>) -> Output {
        self.split(row, drafts).unwrap_or_else(|reason| {
            vec![Err(RowProblem {
                line: row.line,
                row: row.number,
                reason,
            })]
        })
    }

    fn finish(&mut self) -> Output {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_split_where_the_code_changes() {
        let c = |years: Vec<(i32, Code)>| -> Vec<(i32, String)> {
            years.into_iter().map(|(y, c)| (y, c.to_string())).collect()
        };
        assert_eq!(
            c(code_changes("345", 1878, 1941)),
            vec![(1878, "SRB".into()), (1919, "YUG".into())]
        );
        assert_eq!(
            c(code_changes("255", 1990, 2016)),
            vec![(1990, "DEU".into())]
        );
    }
}
