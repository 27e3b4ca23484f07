//! Live subscriptions: follow the log in seq order, first catching up from what is stored,
//! then following new appends.
//!
//! A subscription is a cursor over the log, not a buffer: it reads each event from storage
//! by seq, so it cannot miss or repeat one across the switch from catching up to
//! following, and a slow subscriber never holds anything a writer waits for. Writers only
//! bump a counter and notify a condition variable after each commit (sled's
//! `watch_prefix`, which blocks writers when a subscriber's buffer is full, is not used).
//!
//! Invariant: a subscription yields seqs `from, from + 1, ...` with no gap and no
//! duplicate, each only after it was committed.

use crate::error::{Error, Result};
use crate::event::Event;
use crate::store::Store;
use std::time::{Duration, Instant};

/// A cursor that follows the log. Made by [`Store::subscribe`].
pub struct Subscription<'s> {
    store: &'s Store,
    next: u64,
}

impl Store {
    /// Follow the log from `from_seq` (1 = the beginning): yields every stored event from
    /// there, then each new one as it is committed. Iterating blocks while caught up; use
    /// [`Subscription::next_timeout`] or [`Subscription::try_next`] to bound the wait.
    pub fn subscribe(&self, from_seq: u64) -> Subscription<'_> {
        Subscription {
            store: self,
            next: from_seq.max(1),
        }
    }

    /// Wake every subscription: called after each commit.
    pub(crate) fn notify_subscribers(&self, head: u64) {
        let (lock, cvar) = &self.commits;
        match lock.lock() {
            Ok(mut seq) => *seq = head,
            Err(poisoned) => *poisoned.into_inner() = head,
        }
        cvar.notify_all();
    }
}

impl<'s> Subscription<'s> {
    /// The seq the next event will have.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// The next event if one is already committed, without waiting.
    pub fn try_next(&mut self) -> Option<Result<Event>> {
        if self.next > self.store.head().seq {
            return None;
        }
        let event = self.store.event(self.next);
        if event.is_ok() {
            self.next += 1;
        }
        Some(event)
    }

    /// The next event, waiting up to `timeout` for it to be committed.
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<Result<Event>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.try_next() {
                return Some(e);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let (lock, cvar) = &self.store.commits;
            let guard = match lock.lock() {
                Ok(g) => g,
                Err(_) => return Some(Err(Error::Storage("subscription lock poisoned".into()))),
            };
            if *guard >= self.next {
                continue;
            }
            // Spurious wake-ups and races are harmless: the loop re-reads the head.
            let _ = cvar.wait_timeout(guard, (deadline - now).min(Duration::from_millis(100)));
        }
    }
}

impl Iterator for Subscription<'_> {
    type Item = Result<Event>;

    /// Blocks until the next event is committed.
    fn next(&mut self) -> Option<Result<Event>> {
        loop {
            if let Some(e) = self.next_timeout(Duration::from_secs(3600)) {
                return Some(e);
            }
        }
    }
}
