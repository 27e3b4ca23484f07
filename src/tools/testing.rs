//! The test-replay kit: replay a recorded history into a throwaway store and assert on the
//! state it produces, with reproducible recorded times.
//!
//! ```
//! use annals::testing::Scenario;
//! use annals::views::Deployments;
//!
//! Scenario::new()
//!     .given_lines(r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000}"#)
//!     .when_line(r#"{"date":"2024-11-15","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":12000}"#)
//!     .then_view_as_of::<Deployments>("2024-11-14", |rows| assert_eq!(rows[0].strength, 8000))
//!     .then_view_as_of::<Deployments>("2024-11-15", |rows| assert_eq!(rows[0].strength, 12000))
//!     .then_rebuild_matches();
//! ```
//!
//! Invariants: every step records at a time the scenario's [`ManualClock`] decides (it
//! starts at 2000-01-01T00:00:00Z and advances one second per append unless told
//! otherwise), so replays are byte-for-byte reproducible and `known_at` tests need no
//! sleeping; a failed expectation says what differed, with the answer's basis.

use crate::error::Error;
use crate::history::query::KnownAt;
use crate::log::clock::ManualClock;
use crate::log::Outcome;
use crate::model::date::Day;
use crate::model::event::NewEvent;
use crate::model::interchange::{parse_line, parse_reader};
use crate::store::{Store, StoreOptions};
use crate::views::View;
use chrono::{DateTime, Duration, Utc};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A given-when-then replay of events into a temporary store.
pub struct Scenario {
    store: Store,
    clock: Arc<ManualClock>,
    last: Option<Result<Outcome, Error>>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::new()
    }
}

fn parse_time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("scenario: `{text}` is not an RFC 3339 timestamp: {e}"))
        .with_timezone(&Utc)
}

fn parse_day(text: &str) -> Day {
    Day::parse_query(text).unwrap_or_else(|e| panic!("scenario: {e}"))
}

impl Scenario {
    /// A scenario on a fresh temporary store with the built-in views.
    pub fn new() -> Scenario {
        Scenario::with_options(StoreOptions::default())
    }

    /// A scenario with store options (custom views, checkpoint interval). The clock is
    /// always the scenario's own.
    pub fn with_options(options: StoreOptions) -> Scenario {
        let clock = Arc::new(ManualClock::stepping(
            parse_time("2000-01-01T00:00:00Z"),
            Duration::seconds(1),
        ));
        let store = Store::temporary_with(StoreOptions {
            clock: clock.clone(),
            ..options
        })
        .unwrap_or_else(|e| panic!("scenario: cannot create a temporary store: {e}"));
        Scenario {
            store,
            clock,
            last: None,
        }
    }

    /// The store, for anything the kit does not wrap.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Record the next appends at `rfc3339` (and one second later for each after it).
    pub fn at(self, rfc3339: &str) -> Scenario {
        self.clock.set(parse_time(rfc3339));
        self
    }

    /// Events that must be accepted (the history before the step under test).
    pub fn given<E: Into<NewEvent>>(self, events: impl IntoIterator<Item = E>) -> Scenario {
        let events: Vec<NewEvent> = events.into_iter().map(Into::into).collect();
        if let Err(e) = self.store.append_batch(events) {
            panic!("scenario: the given events were rejected: {e}");
        }
        self
    }

    /// Given events as JSON Lines. Lines carrying `recorded` keep it (all of them must).
    pub fn given_lines(self, jsonl: &str) -> Scenario {
        let lines = parse_reader(jsonl.as_bytes()).unwrap_or_else(|errors| {
            panic!(
                "scenario: invalid given lines:\n{}",
                errors
                    .iter()
                    .map(|e| format!("  {e}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        let keep = lines.iter().all(|(_, l)| l.recorded.is_some());
        if let Err(e) = self.store.import_lines(lines, keep) {
            panic!("scenario: the given lines were rejected: {e}");
        }
        self
    }

    /// Given events from a JSON Lines file (a fixture).
    pub fn given_file(self, path: impl AsRef<std::path::Path>) -> Scenario {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("scenario: cannot read {}: {e}", path.display()));
        self.given_lines(&text)
    }

    /// The step under test: append `event`, keeping the outcome for `then_*` (a rejection
    /// is not a failure until `then_accepted` says so).
    pub fn when(mut self, event: impl Into<NewEvent>) -> Scenario {
        self.last = Some(self.store.append(event));
        self
    }

    /// `when` with the event as one JSON line.
    pub fn when_line(self, line: &str) -> Scenario {
        let event =
            parse_line(line).unwrap_or_else(|e| panic!("scenario: invalid line: {e}\n  {line}"));
        self.when(event.event)
    }

    /// The last `when` was accepted.
    pub fn then_accepted(self) -> Scenario {
        match &self.last {
            Some(Ok(_)) => self,
            Some(Err(e)) => {
                panic!("scenario: expected the event to be accepted, but it was rejected: {e}")
            }
            None => panic!("scenario: then_accepted without a when"),
        }
    }

    /// The last `when` was rejected with a message containing `needle`, and nothing was written.
    pub fn then_rejected(self, needle: &str) -> Scenario {
        match &self.last {
            Some(Err(e)) if e.to_string().contains(needle) => self,
            Some(Err(e)) => panic!("scenario: expected a rejection mentioning {needle:?}, got: {e}"),
            Some(Ok(o)) => panic!("scenario: expected a rejection mentioning {needle:?}, but the event was accepted at seq {}", o.seq()),
            None => panic!("scenario: then_rejected without a when"),
        }
    }

    /// Check view `V` as of `date` with everything known now.
    pub fn then_view_as_of<V: View>(self, date: &str, check: impl FnOnce(&[V::Row])) -> Scenario {
        self.then_view::<V>(date, KnownAt::Now, check)
    }

    /// Check view `V` as of `date` as known at `known_at` (`now`, `seq:N` or RFC 3339).
    pub fn then_view_as_of_known_at<V: View>(
        self,
        date: &str,
        known_at: &str,
        check: impl FnOnce(&[V::Row]),
    ) -> Scenario {
        let known = KnownAt::parse(known_at).unwrap_or_else(|e| panic!("scenario: {e}"));
        self.then_view::<V>(date, known, check)
    }

    fn then_view<V: View>(
        self,
        date: &str,
        known: KnownAt,
        check: impl FnOnce(&[V::Row]),
    ) -> Scenario {
        let answer = self
            .store
            .at(parse_day(date))
            .known_at(known)
            .view::<V>()
            .unwrap_or_else(|e| panic!("scenario: the {} query failed: {e}", V::NAME));
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&answer.rows))) {
            let rows = serde_json::to_string_pretty(&answer.rows).unwrap_or_default();
            eprintln!(
                "scenario: the check of view {} failed, {}; the rows were:\n{rows}",
                V::NAME,
                answer.basis.describe()
            );
            resume_unwind(panic);
        }
        self
    }

    /// View `V` as of `date` (known now) has exactly `expected` rows; on a mismatch, the
    /// panic lists the rows missing, unexpected and the basis.
    pub fn then_rows<V: View>(self, date: &str, expected: &[V::Row]) -> Scenario {
        let answer = self
            .store
            .at(parse_day(date))
            .view::<V>()
            .unwrap_or_else(|e| panic!("scenario: the {} query failed: {e}", V::NAME));
        if answer.rows != expected {
            let missing: Vec<&V::Row> = expected
                .iter()
                .filter(|r| !answer.rows.contains(r))
                .collect();
            let extra: Vec<&V::Row> = answer
                .rows
                .iter()
                .filter(|r| !expected.contains(r))
                .collect();
            panic!(
                "scenario: view {} {} differs.\n  expected but missing: {missing:#?}\n  present but not expected: {extra:#?}\n  (order of rows counts too: expected {} rows, got {})",
                V::NAME,
                answer.basis.describe(),
                expected.len(),
                answer.rows.len()
            );
        }
        self
    }

    /// Every materialized view and checkpoint equals a from-scratch fold.
    pub fn then_rebuild_matches(self) -> Scenario {
        assert_rebuild_matches(&self.store);
        self
    }
}

/// Panic unless the store's materialized state equals a from-scratch fold of its log:
/// every checkpoint (via `verify`), and every view's answer at each checkpoint date, at the
/// first and last timeline days and today, computed both ways.
pub fn assert_rebuild_matches(store: &Store) {
    if let Err(e) = store.verify() {
        panic!("assert_rebuild_matches: verify failed: {e}");
    }
    let k = store.head().seq;
    let fold = store.fold();
    for view in store.history.views() {
        let mut days: Vec<Day> = fold
            .checkpoint_days(view.as_ref())
            .unwrap_or_else(|e| panic!("assert_rebuild_matches: {e}"));
        days.push(Day::today());
        if let Ok(stats) = store.stats() {
            days.extend(
                stats
                    .first_day
                    .iter()
                    .chain(stats.last_day.iter())
                    .filter_map(|d| Day::parse_query(d).ok()),
            );
        }
        for day in days {
            let materialized = fold
                .view_state(view.as_ref(), day, k)
                .unwrap_or_else(|e| panic!("assert_rebuild_matches: {e}"));
            let scratch = fold
                .view_state_from_scratch(view.as_ref(), day, k)
                .unwrap_or_else(|e| panic!("assert_rebuild_matches: {e}"));
            if !materialized.eq_state(scratch.as_ref()) {
                let a = view.rows_json(materialized.as_ref(), day, None);
                let b = view.rows_json(scratch.as_ref(), day, None);
                panic!(
                    "assert_rebuild_matches: view {} as of {day} at seq {k}: materialized rows {a:#?}\nbut a fold from scratch gives {b:#?}",
                    view.name()
                );
            }
        }
    }
}
