//! Dates from a row: one column (EDTF, or read with a chrono format such as `%d-%m-%Y`),
//! or year, month and day columns. A missing part (blank or a missing marker such as
//! `-9`, `xx`, `NA`) makes the date coarser: an unknown day gives `YYYY-MM`, an unknown
//! month `YYYY`. A flag column adds EDTF's `?` (uncertain) or `~` (approximate); an end
//! date makes the interval `A/B`. The text built here is checked by `Date::parse` when the
//! event goes through the interchange parser, so no date rule is restated.

use super::mapping::{DateSpec, Flag};
use super::read::Row;
use super::rows::{Columns, Missing};
use chrono::NaiveDate;

/// A [`DateSpec`] with its columns resolved.
#[derive(Clone, Debug)]
pub(super) struct DatePlan {
    source: Source,
    uncertain: Option<FlagPlan>,
    approximate: Option<usize>,
    plus_days: i64,
}

/// A [`Flag`] with its column resolved: set when the cell has a value (`None`) or one of
/// these values.
#[derive(Clone, Debug)]
struct FlagPlan {
    column: usize,
    one_of: Option<Vec<String>>,
}

impl FlagPlan {
    fn compile(flag: &Flag, cols: &mut Columns) -> Result<FlagPlan, String> {
        Ok(match flag {
            Flag::Present(c) => FlagPlan {
                column: cols.index(c)?,
                one_of: None,
            },
            Flag::OneOf(t) => FlagPlan {
                column: cols.index(&t.column)?,
                one_of: Some(t.one_of.clone()),
            },
        })
    }

    fn holds(&self, row: &Row, missing: &Missing) -> bool {
        match (missing.get(row, self.column), &self.one_of) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(v), Some(values)) => values.iter().any(|x| x == v),
        }
    }
}

#[derive(Clone, Debug)]
enum Source {
    Column {
        column: usize,
        format: Option<String>,
    },
    Parts {
        year: usize,
        month: Option<usize>,
        day: Option<usize>,
    },
}

/// A date point as built: its EDTF text (no qualifier) and its year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Point {
    pub text: String,
    pub year: i32,
}

impl DatePlan {
    pub(super) fn compile(spec: &DateSpec, cols: &mut Columns) -> Result<DatePlan, String> {
        let source = match (&spec.column, &spec.year) {
            (Some(c), _) => Source::Column {
                column: cols.index(c)?,
                format: spec.format.clone(),
            },
            (None, Some(y)) => Source::Parts {
                year: cols.index(y)?,
                month: spec.month.as_deref().map(|m| cols.index(m)).transpose()?,
                day: spec.day.as_deref().map(|d| cols.index(d)).transpose()?,
            },
            (None, None) => return Err("a date needs `column` or `year`".into()),
        };
        Ok(DatePlan {
            source,
            uncertain: spec
                .uncertain
                .as_ref()
                .map(|f| FlagPlan::compile(f, cols))
                .transpose()?,
            approximate: spec
                .approximate
                .as_deref()
                .map(|c| cols.index(c))
                .transpose()?,
            plus_days: spec.plus_days.unwrap_or(0),
        })
    }

    /// The point this row gives, or `None` when its year (or whole value) is missing.
    pub(super) fn point(&self, row: &Row, missing: &Missing) -> Result<Option<Point>, String> {
        let point = self.unshifted(row, missing)?;
        match point {
            Some(p) if self.plus_days != 0 => shift(p, self.plus_days).map(Some),
            other => Ok(other),
        }
    }

    fn unshifted(&self, row: &Row, missing: &Missing) -> Result<Option<Point>, String> {
        match &self.source {
            Source::Column { column, format } => {
                let Some(value) = missing.get(row, *column) else {
                    return Ok(None);
                };
                match format {
                    Some(f) => formatted(value, f).map(Some),
                    None => Ok(Some(edtf_like(value, missing))),
                }
            }
            Source::Parts { year, month, day } => {
                let Some(y) = missing.get(row, *year) else {
                    return Ok(None);
                };
                let m = month.and_then(|m| missing.get(row, m));
                let d = day.and_then(|d| missing.get(row, d));
                from_parts(y, m, d).map(Some)
            }
        }
    }

    /// `?`, `~`, `%` or nothing, from the flag columns.
    fn qualifier(&self, row: &Row, missing: &Missing) -> &'static str {
        let flag = |c: Option<usize>| c.is_some_and(|c| missing.get(row, c).is_some());
        let uncertain = self
            .uncertain
            .as_ref()
            .is_some_and(|f| f.holds(row, missing));
        match (uncertain, flag(self.approximate)) {
            (true, true) => "%",
            (true, false) => "?",
            (false, true) => "~",
            (false, false) => "",
        }
    }
}

/// The event's date text (`A`, or `A/B` when an end is given and present, with the start's
/// qualifier) and the start's year; `None` when the start is missing.
pub(super) fn date_text(
    start: &DatePlan,
    end: Option<&DatePlan>,
    row: &Row,
    missing: &Missing,
) -> Result<Option<Point>, String> {
    let Some(mut point) = start.point(row, missing)? else {
        return Ok(None);
    };
    if let Some(end) = end {
        if let Some(e) = end.point(row, missing)? {
            if e.text != point.text {
                point.text = format!("{}/{}", point.text, e.text);
            }
        }
    }
    point.text.push_str(start.qualifier(row, missing));
    Ok(Some(point))
}

/// `point` moved by `days` when it is a day (`YYYY-MM-DD`); coarser points are kept as
/// they are (their bounds already span the day a shift would give, or nearly so).
pub(super) fn shift(point: Point, days: i64) -> Result<Point, String> {
    let Ok(date) = NaiveDate::parse_from_str(&point.text, "%Y-%m-%d") else {
        return Ok(point);
    };
    let moved = date
        .checked_add_signed(chrono::Duration::days(days))
        .filter(|d| (1..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| format!("{} plus {days} days is out of range", point.text))?;
    Ok(Point {
        text: moved.format("%Y-%m-%d").to_string(),
        year: chrono::Datelike::year(&moved),
    })
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` from parts (see [`from_parts`]), for hooks.
pub(super) fn point_from_parts(y: &str, m: Option<&str>, d: Option<&str>) -> Result<Point, String> {
    from_parts(y, m, d)
}

fn number(text: &str, what: &str) -> Result<u32, String> {
    let t = text.strip_suffix(".0").unwrap_or(text);
    t.parse::<u32>()
        .map_err(|_| format!("{what} `{text}` is not a number (nor a missing marker)"))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` from parts; a missing month drops the day too.
fn from_parts(y: &str, m: Option<&str>, d: Option<&str>) -> Result<Point, String> {
    let year = number(y, "year")?;
    if !(1..=9999).contains(&year) {
        return Err(format!("year `{y}` is outside 1..=9999"));
    }
    let year_i = year as i32;
    let Some(m) = m else {
        return Ok(Point {
            text: format!("{year:04}"),
            year: year_i,
        });
    };
    let month = number(m, "month")?;
    if !(1..=12).contains(&month) {
        return Err(format!("month `{m}` is not 1 to 12"));
    }
    let Some(d) = d else {
        return Ok(Point {
            text: format!("{year:04}-{month:02}"),
            year: year_i,
        });
    };
    let day = number(d, "day")?;
    NaiveDate::from_ymd_opt(year_i, month, day)
        .ok_or_else(|| format!("there is no day {year:04}-{month:02}-{day:02}"))?;
    Ok(Point {
        text: format!("{year:04}-{month:02}-{day:02}"),
        year: year_i,
    })
}

/// A value read with a chrono format (a date, or a date and time whose time is dropped).
fn formatted(value: &str, format: &str) -> Result<Point, String> {
    let date = NaiveDate::parse_from_str(value, format)
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(value, format).map(|t| t.date()))
        .map_err(|e| format!("date `{value}` does not match the format `{format}` ({e})"))?;
    let year = chrono::Datelike::year(&date);
    Ok(Point {
        text: date.format("%Y-%m-%d").to_string(),
        year,
    })
}

/// A value taken as EDTF: a time after the day (`1997-05-02 00:00:00`) is dropped, and
/// trailing parts that are missing markers (`1985-04-xx`) make it coarser. Anything else
/// is passed on as written, for `Date::parse` to accept or reject.
fn edtf_like(value: &str, missing: &Missing) -> Point {
    let date_part = value.split([' ', 'T']).next().unwrap_or(value);
    let mut parts: Vec<&str> = date_part.split('-').collect();
    while parts.len() > 1 && parts.last().is_some_and(|p| missing.is_marker(p)) {
        parts.pop();
    }
    let text = parts.join("-");
    let year = text.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    Point { text, year }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_become_coarser_when_missing() {
        assert_eq!(
            from_parts("1816", Some("1"), Some("1")).unwrap().text,
            "1816-01-01"
        );
        assert_eq!(from_parts("1816", Some("3"), None).unwrap().text, "1816-03");
        assert_eq!(from_parts("1816", None, Some("4")).unwrap().text, "1816");
        assert!(from_parts("1990", Some("2"), Some("30")).is_err());
        assert!(from_parts("1990", Some("13"), None).is_err());
    }

    #[test]
    fn plus_days_shifts_days_only() {
        let p = |t: &str| Point {
            text: t.into(),
            year: 1990,
        };
        assert_eq!(shift(p("1990-10-02"), 1).unwrap().text, "1990-10-03");
        let y = shift(p("1990-12-31"), 1).unwrap();
        assert_eq!((y.text.as_str(), y.year), ("1991-01-01", 1991));
        assert_eq!(shift(p("1990-10"), 1).unwrap().text, "1990-10");
        assert_eq!(shift(p("1990"), 1).unwrap().text, "1990");
    }

    #[test]
    fn formats_and_edtf_values() {
        assert_eq!(
            formatted("29-5-1997", "%d-%m-%Y").unwrap().text,
            "1997-05-29"
        );
        let t = formatted("2013-03-03 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!((t.text.as_str(), t.year), ("2013-03-03", 2013));
        let m = Missing::new(vec!["xx".into()]);
        assert_eq!(edtf_like("1985-04-xx", &m).text, "1985-04");
        assert_eq!(edtf_like("1997-05-02 00:00:00.000", &m).text, "1997-05-02");
    }
}
