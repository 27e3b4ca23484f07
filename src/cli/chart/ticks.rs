//! Calendar-aligned ticks for the date axis of every chart, in the terminal and in SVG.
//!
//! Invariants: ticks fall on calendar boundaries of one step (every day; Mondays, weekly or
//! fortnightly; the first of every month, quarter or half-year; 1 January of every 1, 2, 5,
//! 10, 20, ... years), so consecutive ticks are always one step apart; the step chosen is
//! the finest of those that puts no more ticks in the window than there is room for.

use annals::Day;
use chrono::{Datelike, NaiveDate};

/// A calendar step between ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickStep {
    /// Every `n` days, counted from 0001-01-01 (a Monday): 1 is every day, 7 every Monday,
    /// 14 every other Monday.
    Days(u32),
    /// The first of every `n`th month, counted from January: 1, 3 (quarters) or 6.
    Months(u32),
    /// 1 January of every year divisible by `n`.
    Years(u32),
}

/// The steps tried, finest first.
const STEPS: [TickStep; 16] = [
    TickStep::Days(1),
    TickStep::Days(7),
    TickStep::Days(14),
    TickStep::Months(1),
    TickStep::Months(3),
    TickStep::Months(6),
    TickStep::Years(1),
    TickStep::Years(2),
    TickStep::Years(5),
    TickStep::Years(10),
    TickStep::Years(20),
    TickStep::Years(50),
    TickStep::Years(100),
    TickStep::Years(200),
    TickStep::Years(500),
    TickStep::Years(1000),
];

impl TickStep {
    /// The chrono format of this step's labels: as precise as the step, no more.
    pub fn format(self) -> &'static str {
        match self {
            TickStep::Days(_) => "%Y-%m-%d",
            TickStep::Months(_) => "%Y-%m",
            TickStep::Years(_) => "%Y",
        }
    }

    /// The label of a tick of this step.
    pub fn label(self, day: Day) -> String {
        day.to_naive().format(self.format()).to_string()
    }

    /// The width of every label of this step, in characters.
    pub fn label_width(self) -> usize {
        match self {
            TickStep::Days(_) => 10,
            TickStep::Months(_) => 7,
            TickStep::Years(_) => 4,
        }
    }

    /// Whether `date` is a tick of this step.
    fn is_tick(self, date: NaiveDate) -> bool {
        match self {
            TickStep::Days(n) => {
                Day::from_naive(date).is_some_and(|d| (d.0 - 1).is_multiple_of(n.max(1)))
            }
            TickStep::Months(n) => date.day() == 1 && date.month0().is_multiple_of(n.max(1)),
            TickStep::Years(n) => date.ordinal() == 1 && date.year() % n.max(1) as i32 == 0,
        }
    }

    /// The first tick on or after `date`, if the calendar has one.
    fn first_from(self, date: NaiveDate) -> Option<NaiveDate> {
        let mut d = match self {
            TickStep::Days(_) => date,
            TickStep::Months(_) => first_of_month(date)?,
            TickStep::Years(_) => first_of_year(date)?,
        };
        // At most n - 1 candidates are not ticks (n <= 1000 years, months or days).
        for _ in 0..1000 {
            if self.is_tick(d) {
                return Some(d);
            }
            d = self.unit_after(d)?;
        }
        None
    }

    /// The next candidate after `date`: the next day, first of a month or 1 January.
    fn unit_after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            TickStep::Days(_) => date.succ_opt(),
            TickStep::Months(_) => date.checked_add_months(chrono::Months::new(1)),
            TickStep::Years(_) => date.with_year(date.year() + 1),
        }
    }

    /// The tick after `tick` (which is a tick of this step).
    fn next(self, tick: NaiveDate) -> Option<NaiveDate> {
        match self {
            TickStep::Days(n) => tick.checked_add_days(chrono::Days::new(u64::from(n))),
            TickStep::Months(n) => tick.checked_add_months(chrono::Months::new(n)),
            TickStep::Years(n) => tick.with_year(tick.year() + n as i32),
        }
    }
}

/// The first day of `date`'s month, or of the next month when `date` is not a first.
fn first_of_month(date: NaiveDate) -> Option<NaiveDate> {
    let first = date.with_day(1)?;
    if first == date {
        Some(first)
    } else {
        first.checked_add_months(chrono::Months::new(1))
    }
}

/// 1 January of `date`'s year, or of the next year when `date` is not 1 January.
fn first_of_year(date: NaiveDate) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(date.year(), 1, 1)?;
    if first == date {
        Some(first)
    } else {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    }
}

/// The ticks of `step` within `start..=end`, or `None` when there are more than `limit`.
pub fn ticks_of(step: TickStep, start: Day, end: Day, limit: usize) -> Option<Vec<Day>> {
    let last = end.to_naive();
    let mut ticks = Vec::new();
    let mut t = step.first_from(start.to_naive());
    while let Some(d) = t.filter(|d| *d <= last) {
        if ticks.len() == limit {
            return None;
        }
        ticks.extend(Day::from_naive(d));
        t = step.next(d);
    }
    Some(ticks)
}

/// The finest calendar step whose ticks in `start..=end` number no more than `room(step)`
/// (the room for labels of that step's width), and those ticks. When even the coarsest step
/// has too many, it is used anyway.
pub fn calendar_ticks(
    start: Day,
    end: Day,
    room: impl Fn(TickStep) -> usize,
) -> (TickStep, Vec<Day>) {
    for step in STEPS {
        if let Some(ticks) = ticks_of(step, start, end, room(step).max(1)) {
            return (step, ticks);
        }
    }
    let coarsest = TickStep::Years(1000);
    let ticks = ticks_of(coarsest, start, end, usize::MAX).unwrap_or_default();
    (coarsest, ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::from_naive(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()).unwrap()
    }

    fn labels(start: &str, end: &str, max: usize) -> (TickStep, Vec<String>) {
        let (step, ticks) = calendar_ticks(day(start), day(end), |_| max);
        (step, ticks.into_iter().map(|t| step.label(t)).collect())
    }

    #[test]
    fn a_few_days_get_a_tick_every_day() {
        let (step, l) = labels("2024-10-30", "2024-11-02", 8);
        assert_eq!(step, TickStep::Days(1));
        assert_eq!(l, ["2024-10-30", "2024-10-31", "2024-11-01", "2024-11-02"]);
    }

    #[test]
    fn six_weeks_get_mondays() {
        let (step, l) = labels("2024-10-18", "2024-11-29", 8);
        assert_eq!(step, TickStep::Days(7));
        // 2024-10-21 is a Monday.
        assert_eq!(
            l,
            [
                "2024-10-21",
                "2024-10-28",
                "2024-11-04",
                "2024-11-11",
                "2024-11-18",
                "2024-11-25"
            ]
        );
        let (step, l) = labels("2024-10-18", "2024-11-29", 4);
        assert_eq!(step, TickStep::Days(14));
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn half_a_year_gets_months_and_two_years_quarters() {
        let (step, l) = labels("2022-02-24", "2022-09-30", 8);
        assert_eq!(step, TickStep::Months(1));
        assert_eq!(
            l,
            ["2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09"]
        );
        let (step, l) = labels("2022-02-24", "2023-12-31", 8);
        assert_eq!(step, TickStep::Months(3));
        assert_eq!(l[..3], ["2022-04", "2022-07", "2022-10"]);
        let (step, _) = labels("2022-02-24", "2024-12-31", 8);
        assert_eq!(step, TickStep::Months(6));
    }

    #[test]
    fn decades_get_years_and_lustrums_and_a_century_decades() {
        let (step, l) = labels("1989-06-01", "2001-06-01", 8);
        assert_eq!(step, TickStep::Years(2));
        assert_eq!(l, ["1990", "1992", "1994", "1996", "1998", "2000"]);
        let (step, l) = labels("1990-01-01", "2026-12-01", 8);
        assert_eq!(step, TickStep::Years(5));
        assert_eq!(
            l,
            ["1990", "1995", "2000", "2005", "2010", "2015", "2020", "2025"]
        );
        let (step, l) = labels("1949-04-04", "2026-12-01", 8);
        assert_eq!(step, TickStep::Years(10));
        assert_eq!(l.first().map(String::as_str), Some("1950"));
        assert_eq!(l.last().map(String::as_str), Some("2020"));
        let (step, _) = labels("1900-01-01", "2026-12-01", 8);
        assert_eq!(step, TickStep::Years(20));
    }

    #[test]
    fn a_single_day_and_no_room_still_answer() {
        let (step, l) = labels("2024-02-29", "2024-02-29", 8);
        assert_eq!((step, l.len()), (TickStep::Days(1), 1));
        let (_, ticks) = calendar_ticks(day("0001-01-01"), day("9999-12-31"), |_| 1);
        assert!(ticks.len() <= 10);
    }
}
