//! Where recorded time comes from. The store asks its [`Clock`] once per append; tests and
//! replays inject a deterministic one so `known-at` answers are reproducible without sleeping.
//!
//! Invariant: whatever the clock says, the store never records a time earlier than the
//! head's (recorded time is non-decreasing in seq).

use crate::locks::lock_leaf;
use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// A source of "now" for recorded time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's UTC clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a given instant and advances by a fixed step on every reading,
/// or only when told to ([`ManualClock::set`], [`ManualClock::advance`]).
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(DateTime<Utc>, Duration)>,
}

impl ManualClock {
    /// A clock frozen at `start` (step zero).
    pub fn at(start: DateTime<Utc>) -> ManualClock {
        ManualClock::stepping(start, Duration::zero())
    }

    /// A clock that returns `start`, then `start + step`, and so on.
    pub fn stepping(start: DateTime<Utc>, step: Duration) -> ManualClock {
        ManualClock {
            state: Mutex::new((start, step)),
        }
    }

    /// Move the clock to `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        lock_leaf(&self.state).0 = to;
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        lock_leaf(&self.state).0 += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let mut s = lock_leaf(&self.state);
        let now = s.0;
        s.0 = now + s.1;
        now
    }
}
