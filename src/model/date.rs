//! Valid time: the EDTF subset annals accepts, and the day arithmetic built on it.
//!
//! Owns: parsing and printing of dates; the earliest and latest day of a date; parsing of
//! `--as-of` style query days.
//!
//! The accepted grammar (EDTF, ISO 8601-2 Annex A, parsed by the `edtf-core` crate and
//! then narrowed to what annals stores):
//! - a point: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, years 0001..=9999;
//! - unspecified digits (`X`): trailing year digits (`196X` = 1960–1969, `19XX`,
//!   `1XXX`; a year with `X` digits takes no month or day), a whole month (`1985-XX` = the
//!   year) or a whole day (`1985-04-XX` = the month);
//! - an interval `A/B` of two points (`2013-01-03/2013-01-09`), never reversed;
//! - one qualifier (`?`, `~`, `%`) at the very end, which applies to the whole date (for an
//!   interval, to both ends).
//!
//! Not accepted (each rejected with its reason): open or unknown interval ends (`..`,
//! empty), qualifiers on a component or on an interval's start (`?2004-06`, `2004-?06`,
//! `2004?/2005`), partial month or day masks (`1985-1X`, `1985-04-1X`), `X` in a year before
//! a specified digit (`1X85`), `XXXX`, seasons (`2001-21`), sets (`[…]`, `{…}`), times,
//! `Y`-prefixed and exponential years, significant digits (`S`), year 0000 and negative
//! years. Printing a parsed date gives back exactly its text.
//!
//! Invariants: a [`Date`] is only ever built by [`Date::parse`] or from a validated stored
//! form, so it always names real calendar days in years 1..=9999, its interval is never
//! reversed, and printing it gives back exactly the text it was parsed from.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};

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
    /// The year in the low 14 bits (its `X` digits as 0), and in the top 2 bits how many of
    /// its trailing digits are `X` (0..=3): `196X` is `1960 | 1 << 14`.
    year: u16,
    /// 0 when only the year is given; [`UNSPECIFIED`] for `XX`.
    month: u8,
    /// 0 when the day is not given; [`UNSPECIFIED`] for `XX`.
    day: u8,
}

/// A month or day written `XX`.
const UNSPECIFIED: u8 = 0xFF;
/// Where the count of a year's `X` digits starts in [`DatePoint::year`].
const YEAR_X_SHIFT: u16 = 14;

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

    /// The year with its `X` digits as 0.
    fn year_low(&self) -> u16 {
        self.year & ((1 << YEAR_X_SHIFT) - 1)
    }

    /// How many trailing year digits are `X`.
    fn year_x(&self) -> u32 {
        u32::from(self.year >> YEAR_X_SHIFT)
    }

    /// The last year this point's year covers (`196X` → 1969).
    fn year_high(&self) -> u32 {
        u32::from(self.year_low()) + 10u32.pow(self.year_x()) - 1
    }

    /// A month or day, `None` when absent or `XX`.
    fn given(field: u8) -> Option<u32> {
        (field != 0 && field != UNSPECIFIED).then_some(u32::from(field))
    }

    fn first_naive(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(
            i32::from(self.year_low()),
            Self::given(self.month).unwrap_or(1),
            Self::given(self.day).unwrap_or(1),
        )
    }

    fn last_naive(&self) -> Option<NaiveDate> {
        let year = i32::try_from(self.year_high()).ok()?;
        match (Self::given(self.month), Self::given(self.day)) {
            (None, _) => NaiveDate::from_ymd_opt(year, 12, 31),
            (Some(_), Some(_)) => self.first_naive(),
            (Some(_), None) => {
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
        let unspecified_year = self.year_x() > 0;
        self.year_x() <= 3
            && (1..=9999).contains(&self.year_low())
            && self.year_high() <= 9999
            && !(unspecified_year && self.month != 0)
            && (self.month <= 12 || self.month == UNSPECIFIED)
            && !(self.month == 0 && self.day != 0)
            && !(self.month == UNSPECIFIED && self.day != 0 && self.day != UNSPECIFIED)
            && (Self::given(self.day).is_none() || self.first_naive().is_some())
            && self.last_naive().is_some()
    }

    /// The point of a date parsed by `edtf-core`, and the qualifiers on any of its parts.
    fn from_edtf(text: &str, d: &edtf_core::Date) -> Result<(DatePoint, Qualifier), DateError> {
        if d.precision() == edtf_core::Precision::Season {
            return Err(date_error(
                text,
                "seasons (months 21 to 41) are not supported",
            ));
        }
        let point = DatePoint {
            year: edtf_year(text, &d.year)?,
            month: edtf_field(text, d.month, "month")?,
            day: edtf_field(text, d.day, "day")?,
        };
        if point.year_x() > 0 && point.month != 0 {
            return Err(date_error(
                text,
                "a year with X digits takes no month or day",
            ));
        }
        if !point.is_valid() {
            return Err(date_error(
                text,
                "a day needs its month: write `YYYY-XX-XX` or `YYYY-MM-DD`",
            ));
        }
        let qualifier = Qualifier::of(d.is_uncertain(), d.is_approximate());
        Ok((point, qualifier))
    }
}

/// A year parsed by `edtf-core` as stored in [`DatePoint::year`].
fn edtf_year(text: &str, y: &edtf_core::Year) -> Result<u16, DateError> {
    let range = || date_error(text, "year must be between 0001 and 9999");
    let digits = match (y.kind, y.significant_digits) {
        (
            edtf_core::YearKind::Standard {
                negative: false,
                digits,
            },
            None,
        ) => digits,
        _ => return Err(range()),
    };
    let specified = digits.iter().take_while(|d| d.is_some()).count();
    if digits[specified..].iter().any(Option::is_some) {
        return Err(date_error(
            text,
            "unspecified digits (X) go at the end of the year",
        ));
    }
    if specified == 0 {
        return Err(date_error(
            text,
            "a year needs its first digit (`XXXX` is not supported)",
        ));
    }
    let value = (digits.iter()).fold(0u16, |n, d| n * 10 + u16::from(d.unwrap_or(0)));
    if value == 0 || value > 9999 {
        return Err(range());
    }
    // At most 3 X digits (`specified` >= 1), so the count fits the top 2 bits.
    Ok(value | ((4 - specified) as u16) << YEAR_X_SHIFT)
}

/// A month or day parsed by `edtf-core`: 0 when absent, [`UNSPECIFIED`] for `XX`.
fn edtf_field(text: &str, f: Option<edtf_core::DateField>, what: &str) -> Result<u8, DateError> {
    match f.map(|f| f.digits) {
        None => Ok(0),
        Some([None, None]) => Ok(UNSPECIFIED),
        Some([Some(a), Some(b)]) => Ok(a * 10 + b),
        Some(_) => Err(date_error(
            text,
            format!(
                "a {what} is two digits or `XX` (partly unspecified {what}s are not supported)"
            ),
        )),
    }
}

impl fmt::Display for DatePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, x) = (self.year_low(), self.year_x());
        for place in (0..4u32).rev() {
            let digit = (year / 10u16.pow(place)) % 10;
            match place < x {
                true => f.write_char('X')?,
                false => f.write_char(char::from(b'0' + digit as u8))?,
            }
        }
        for field in [self.month, self.day] {
            match field {
                0 => return Ok(()),
                UNSPECIFIED => f.write_str("-XX")?,
                n => write!(f, "-{n:02}")?,
            }
        }
        Ok(())
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

impl Qualifier {
    fn of(uncertain: bool, approximate: bool) -> Qualifier {
        match (uncertain, approximate) {
            (false, false) => Qualifier::Exact,
            (true, false) => Qualifier::Uncertain,
            (false, true) => Qualifier::Approximate,
            (true, true) => Qualifier::UncertainApproximate,
        }
    }
}

/// A valid-time date: a point or an interval, with an optional qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Date {
    start: DatePoint,
    end: Option<DatePoint>,
    qualifier: Qualifier,
}

impl Date {
    /// Parse the accepted EDTF grammar (see the module documentation) with `edtf-core`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        if text.is_empty() {
            return Err(date_error(text, "the date is empty"));
        }
        let edtf = edtf_core::Edtf::parse(text).map_err(|e| Self::rejected(text, &e))?;
        let date = Self::from_edtf(text, &edtf)?;
        if !date.prints_as(text) {
            return Err(date_error(
                text,
                "write the qualifier (?, ~ or %) once, at the very end of the date",
            ));
        }
        Ok(date)
    }

    /// Whether the date prints exactly as `text` (without allocating).
    fn prints_as(&self, text: &str) -> bool {
        struct Same<'a>(&'a str);
        impl fmt::Write for Same<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Same(text);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }

    /// The reason for a text `edtf-core` rejects: the hand-written parser's, which names
    /// the shapes annals accepts, or else `edtf-core`'s.
    fn rejected(text: &str, e: &edtf_core::ParseError) -> DateError {
        match Self::parse_hand_written(text) {
            Err(ours) => ours,
            Ok(_) => date_error(text, e.to_string()),
        }
    }

    /// A date parsed by `edtf-core`, narrowed to what annals stores.
    fn from_edtf(text: &str, edtf: &edtf_core::Edtf) -> Result<Date, DateError> {
        use edtf_core::{Edtf, IntervalEndpoint};
        match edtf {
            Edtf::Date(d) => {
                let (start, qualifier) = DatePoint::from_edtf(text, d)?;
                Ok(Date {
                    start,
                    end: None,
                    qualifier,
                })
            }
            Edtf::Interval(iv) => {
                let (IntervalEndpoint::Date(a), IntervalEndpoint::Date(b)) = (&iv.start, &iv.end)
                else {
                    return Err(date_error(
                        text,
                        "open intervals (`..` or an empty side) are not supported",
                    ));
                };
                let (start, first) = DatePoint::from_edtf(text, a)?;
                let (end, qualifier) = DatePoint::from_edtf(text, b)?;
                if first != Qualifier::Exact {
                    return Err(date_error(
                        text,
                        "an interval's qualifier goes once, at its end",
                    ));
                }
                if start.earliest() > end.earliest() || start.latest() > end.latest() {
                    return Err(date_error(
                        text,
                        "the interval is reversed: its start is after its end",
                    ));
                }
                Ok(Date {
                    start,
                    end: Some(end),
                    qualifier,
                })
            }
            Edtf::DateTime(_) => Err(date_error(text, "times of day are not supported")),
            Edtf::Set(_) => Err(date_error(
                text,
                "sets (`[...]`, `{...}`) are not supported",
            )),
        }
    }

    /// The hand-written parser of the subset annals accepted before `edtf-core` (no `X`
    /// digits): kept for its error messages and as the baseline of `benches/dates.rs`.
    #[doc(hidden)]
    pub fn parse_hand_written(text: &str) -> Result<Date, DateError> {
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

    /// One date of every form of the subset annals accepted before `edtf-core`.
    const OLD_SUBSET: [&str; 11] = [
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
    ];

    #[test]
    fn round_trips_every_precision() {
        for text in OLD_SUBSET {
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

    /// `edtf-core`'s own bounds of `text`, as (earliest, latest) day text.
    fn edtf_bounds(text: &str) -> (String, String) {
        let b = edtf_core::Edtf::parse(text).unwrap().bounds();
        let day = |b: edtf_core::Bound| match b {
            edtf_core::Bound::Date(d) => d.to_string(),
            other => format!("{other:?}"),
        };
        (day(b.earliest), day(b.latest))
    }

    #[test]
    fn unspecified_digits_and_the_dataset_forms_round_trip_with_day_bounds() {
        for (text, earliest, latest) in [
            ("1985-04-XX", "1985-04-01", "1985-04-30"),
            ("2024-02-XX", "2024-02-01", "2024-02-29"),
            ("1985-XX", "1985-01-01", "1985-12-31"),
            ("1985-XX-XX", "1985-01-01", "1985-12-31"),
            ("196X", "1960-01-01", "1969-12-31"),
            ("19XX", "1900-01-01", "1999-12-31"),
            ("1XXX", "1000-01-01", "1999-12-31"),
            ("999X", "9990-01-01", "9999-12-31"),
            ("196X?", "1960-01-01", "1969-12-31"),
            ("2013-01-03/2013-01-09", "2013-01-03", "2013-01-09"),
            ("196X/197X", "1960-01-01", "1979-12-31"),
            ("1985-04-XX/1985-05", "1985-04-01", "1985-05-31"),
            ("1977?", "1977-01-01", "1977-12-31"),
            ("2004-03~", "2004-03-01", "2004-03-31"),
            ("1950-10/1950-11%", "1950-10-01", "1950-11-30"),
        ] {
            let d = Date::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(d.to_string(), text);
            assert!(d.is_valid(), "{text}");
            assert_eq!(d.earliest().to_string(), earliest, "{text}");
            assert_eq!(d.latest().to_string(), latest, "{text}");
            let (e, l) = edtf_bounds(text);
            assert_eq!(
                (e.as_str(), l.as_str()),
                (earliest, latest),
                "edtf-core on {text}"
            );
        }
    }

    #[test]
    fn unsupported_edtf_forms_are_rejected_with_a_reason() {
        for (text, reason) in [
            ("1X85", "end of the year"),
            ("XXXX", "first digit"),
            ("0XXX", "0001 and 9999"),
            ("0000", "0001 and 9999"),
            ("1985-1X", "two digits or `XX`"),
            ("1985-04-1X", "two digits or `XX`"),
            ("196X-05", "no month or day"),
            ("1985-XX-12", "needs its month"),
            ("2001-21", "seasons"),
            ("[1667,1668]", "sets"),
            ("{1667,1668}", "sets"),
            ("?2004-06", "at the very end"),
            ("2004-?06", "at the very end"),
            ("2004?-06", "at the very end"),
            ("2004?/2005", "once, at its end"),
            ("2004/..", "open intervals"),
            ("../2004", "open intervals"),
            ("2004/", "open intervals"),
            ("1985-04-12T10:00:00", "times of day"),
            ("Y170000", "0001 and 9999"),
            ("1985S2", "0001 and 9999"),
            ("-1985", "0001 and 9999"),
        ] {
            let e = Date::parse(text).expect_err(text);
            assert!(e.reason.contains(reason), "{text}: {}", e.reason);
        }
    }

    #[test]
    fn edtf_core_and_the_hand_written_parser_agree_on_the_old_subset() {
        for text in OLD_SUBSET {
            assert_eq!(Date::parse(text), Date::parse_hand_written(text), "{text}");
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
