//! Valid time: the EDTF subset annals accepts, and the day arithmetic built on it.
//!
//! Owns: parsing and printing of `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, intervals `A/B` of
//! those, and one trailing qualifier (`?`, `~`, `%`); the earliest and latest day of a
//! date; parsing of `--as-of` style query days.
//!
//! Invariants: a [`Date`] is only ever built by [`Date::parse`] or from a validated stored
//! form, so it always names real calendar days in years 1..=9999, its interval is never
//! reversed, and printing it gives back exactly the text it was parsed from.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar day as a count of days from 0001-01-01 (which is day 1). Keys and
/// comparisons use this; it is order-preserving and fits in a `u32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(pub u32);

impl Day {
    /// The day of a chrono date (years 1..=9999 only).
    pub fn from_naive(date: NaiveDate) -> Option<Day> {
        let n = date.num_days_from_ce();
        (n >= 1 && (1..=9999).contains(&date.year())).then_some(Day(n as u32))
    }

    /// The chrono date of this day.
    pub fn to_naive(self) -> NaiveDate {
        // Every Day we build comes from a valid NaiveDate in 1..=9999, so this cannot fail;
        // fall back to the minimum date rather than panic on a forged value.
        NaiveDate::from_num_days_from_ce_opt(self.0 as i32).unwrap_or(NaiveDate::MIN)
    }

    /// Today's date in UTC.
    pub fn today() -> Day {
        Day::from_naive(chrono::Utc::now().date_naive()).unwrap_or(Day(1))
    }

    /// Parse a query day: `today`, `YYYY-MM-DD`, `YYYY-MM` (the last day of that month)
    /// or `YYYY` (the last day of that year). Qualifiers and intervals are not allowed.
    pub fn parse_query(text: &str) -> Result<Day, DateError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("today") {
            return Ok(Day::today());
        }
        let point = DatePoint::parse(text)?;
        Ok(point.latest())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_naive().format("%Y-%m-%d"))
    }
}

/// Why a date string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date `{text}`: {reason}")]
pub struct DateError {
    pub text: String,
    pub reason: String,
}

fn date_error(text: &str, reason: impl Into<String>) -> DateError {
    DateError {
        text: text.chars().take(64).collect(),
        reason: reason.into(),
    }
}

/// One endpoint: a year, a month of a year, or a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DatePoint {
    year: u16,
    /// 0 when only the year is given.
    month: u8,
    /// 0 when the day is not given.
    day: u8,
}

/// Which precision a date point was given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl DatePoint {
    fn parse(text: &str) -> Result<DatePoint, DateError> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = bytes.get(range)?;
            if part.iter().all(u8::is_ascii_digit) {
                Some(part.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')))
            } else {
                None
            }
        };
        let shape = || {
            date_error(
                text,
                "expected YYYY, YYYY-MM or YYYY-MM-DD (4-digit year, 2-digit month and day)",
            )
        };
        let (year, month, day) = match bytes.len() {
            4 => (digits(0..4).ok_or_else(shape)?, 0, 0),
            7 if bytes[4] == b'-' => (
                digits(0..4).ok_or_else(shape)?,
                digits(5..7).ok_or_else(shape)?,
                0,
            ),
            10 if bytes[4] == b'-' && bytes[7] == b'-' => (
                digits(0..4).ok_or_else(shape)?,
                digits(5..7).ok_or_else(shape)?,
                digits(8..10).ok_or_else(shape)?,
            ),
            _ => return Err(shape()),
        };
        if !(1..=9999).contains(&year) {
            return Err(date_error(text, "year must be between 0001 and 9999"));
        }
        if month > 12 || (bytes.len() > 4 && month == 0) {
            return Err(date_error(text, format!("month {month:02} does not exist")));
        }
        if bytes.len() == 10
            && (day == 0 || NaiveDate::from_ymd_opt(year as i32, month, day).is_none())
        {
            return Err(date_error(
                text,
                format!("day {day:02} does not exist in {year:04}-{month:02}"),
            ));
        }
        Ok(DatePoint {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The precision the point was given in.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (0, _) => Precision::Year,
            (_, 0) => Precision::Month,
            _ => Precision::Day,
        }
    }

    fn first_naive(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(
            i32::from(self.year),
            u32::from(self.month.max(1)),
            u32::from(self.day.max(1)),
        )
    }

    fn last_naive(&self) -> Option<NaiveDate> {
        let year = i32::from(self.year);
        match self.precision() {
            Precision::Year => NaiveDate::from_ymd_opt(year, 12, 31),
            Precision::Day => self.first_naive(),
            Precision::Month => {
                let month = u32::from(self.month);
                let next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)
                };
                match next {
                    Some(n) => n.pred_opt(),
                    None => NaiveDate::from_ymd_opt(year, 12, 31), // 9999-12
                }
            }
        }
    }

    /// The first day this point covers.
    pub fn earliest(&self) -> Day {
        self.first_naive()
            .and_then(Day::from_naive)
            .unwrap_or(Day(1))
    }

    /// The last day this point covers.
    pub fn latest(&self) -> Day {
        self.last_naive()
            .and_then(Day::from_naive)
            .unwrap_or(Day(1))
    }

    fn is_valid(&self) -> bool {
        (1..=9999).contains(&self.year)
            && self.month <= 12
            && !(self.month == 0 && self.day != 0)
            && (self.day == 0 || self.first_naive().is_some())
    }
}

impl fmt::Display for DatePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision() {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// How sure the source is of a date (EDTF's trailing qualifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Qualifier {
    /// No qualifier.
    Exact,
    /// `?`
    Uncertain,
    /// `~`
    Approximate,
    /// `%`
    UncertainApproximate,
}

/// A valid-time date: a point or an interval, with an optional qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Date {
    start: DatePoint,
    end: Option<DatePoint>,
    qualifier: Qualifier,
}

impl Date {
    /// Parse the EDTF subset. See the module documentation.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        if text.is_empty() {
            return Err(date_error(text, "the date is empty"));
        }
        if !text.is_ascii() {
            return Err(date_error(
                text,
                "dates are ASCII digits, '-', '/' and one of ?~%",
            ));
        }
        let (body, qualifier) = match text.as_bytes()[text.len() - 1] {
            b'?' => (&text[..text.len() - 1], Qualifier::Uncertain),
            b'~' => (&text[..text.len() - 1], Qualifier::Approximate),
            b'%' => (&text[..text.len() - 1], Qualifier::UncertainApproximate),
            _ => (text, Qualifier::Exact),
        };
        let mut parts = body.split('/');
        let start_text = parts.next().unwrap_or_default();
        let end_text = parts.next();
        if parts.next().is_some() {
            return Err(date_error(text, "an interval has exactly one '/'"));
        }
        let point = |t: &str| {
            DatePoint::parse(t).map_err(|e| {
                if t.is_empty() {
                    date_error(
                        text,
                        "open intervals (`..` or an empty side) are not supported",
                    )
                } else if t == ".." {
                    date_error(text, "open intervals (`..`) are not supported")
                } else {
                    date_error(text, e.reason)
                }
            })
        };
        let start = point(start_text)?;
        let end = match end_text {
            None => None,
            Some(e) => Some(point(e)?),
        };
        if let Some(end) = end {
            if start.earliest() > end.earliest() || start.latest() > end.latest() {
                return Err(date_error(
                    text,
                    "the interval is reversed: its start is after its end",
                ));
            }
        }
        Ok(Date {
            start,
            end,
            qualifier,
        })
    }

    /// The first day the date may refer to.
    pub fn earliest(&self) -> Day {
        self.start.earliest()
    }

    /// The last day the date may refer to.
    pub fn latest(&self) -> Day {
        self.end.unwrap_or(self.start).latest()
    }

    /// The qualifier, if any.
    pub fn qualifier(&self) -> Qualifier {
        self.qualifier
    }

    /// Whether the date is an interval `A/B`.
    pub fn is_interval(&self) -> bool {
        self.end.is_some()
    }

    /// Check a date decoded from storage: the same rules `parse` enforces.
    pub fn is_valid(&self) -> bool {
        self.start.is_valid()
            && self.end.is_none_or(|e| {
                e.is_valid()
                    && self.start.earliest() <= e.earliest()
                    && self.start.latest() <= e.latest()
            })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        if let Some(end) = self.end {
            write!(f, "/{end}")?;
        }
        match self.qualifier {
            Qualifier::Exact => Ok(()),
            Qualifier::Uncertain => f.write_str("?"),
            Qualifier::Approximate => f.write_str("~"),
            Qualifier::UncertainApproximate => f.write_str("%"),
        }
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_precision() {
        for text in [
            "2024",
            "2023-08",
            "2024-11-15",
            "2023-08/2024-02",
            "1949-04-04?",
            "2011-12~",
            "2024%",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2024/2025-03-01",
        ] {
            let date = Date::parse(text).unwrap();
            assert_eq!(date.to_string(), text);
            assert!(date.is_valid());
        }
    }

    #[test]
    fn earliest_and_latest() {
        let d = Date::parse("2023-08").unwrap();
        assert_eq!(d.earliest().to_string(), "2023-08-01");
        assert_eq!(d.latest().to_string(), "2023-08-31");
        let d = Date::parse("2024-02").unwrap();
        assert_eq!(d.latest().to_string(), "2024-02-29");
        let d = Date::parse("2023-08/2024").unwrap();
        assert_eq!(d.earliest().to_string(), "2023-08-01");
        assert_eq!(d.latest().to_string(), "2024-12-31");
        let d = Date::parse("9999-12").unwrap();
        assert_eq!(d.latest().to_string(), "9999-12-31");
    }

    #[test]
    fn rejects_what_is_not_in_the_subset() {
        for text in [
            "",
            "2024-02-30",
            "2023-02-29",
            "0000",
            "10000",
            "2024-13",
            "2024-00",
            "2024-01-00",
            "24-01-01",
            "2024-1-5",
            "2024/2023",
            "2024-05/2024-03",
            "2024-05-02/2024-05-01",
            "2024/",
            "/2024",
            "../2024",
            "2024/..",
            "2024??",
            "2024-01-01T00:00",
            " 2024",
            "2024/2025/2026",
            "２０２４",
            "2024-01-01?/2025",
        ] {
            assert!(Date::parse(text).is_err(), "accepted {text:?}");
        }
    }

    #[test]
    fn query_days() {
        assert_eq!(Day::parse_query("2024").unwrap().to_string(), "2024-12-31");
        assert_eq!(
            Day::parse_query("2023-02").unwrap().to_string(),
            "2023-02-28"
        );
        assert_eq!(
            Day::parse_query("1999-03-11").unwrap().to_string(),
            "1999-03-11"
        );
        assert!(Day::parse_query("today").is_ok());
        assert!(Day::parse_query("2024?").is_err());
    }
}
