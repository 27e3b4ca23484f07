//! Live subscriptions: follow the log in seq order, first catching up from what is stored,
//! then following new appends.
//!
//! A subscription is a cursor over the log, not a buffer: it reads each event from storage
//! by seq, so it cannot miss or repeat one across the switch from catching up to
//! following, and a slow subscriber never holds anything a writer waits for. Writers only
//! bump a counter and notify a condition variable after each commit (sled's
//! `watch_prefix`, which blocks writers when a subscriber's buffer is full, is not used).
//!
//! On a shared engine (PostgreSQL, where other processes append too) a caught-up
//! subscription re-reads the head and waits for the engine's commit notifications
//! (`LISTEN/NOTIFY`) instead of the condition variable, so it needs no polling.
//!
//! Invariant: a subscription yields seqs `from, from + 1, ...` with no gap and no
//! duplicate, each only after it was committed.

use super::Log;
use crate::error::Result;
use crate::locks::lock_leaf;
use crate::model::event::Event;
use crate::storage::Engine;
use std::time::{Duration, Instant};

/// A cursor that follows the log. Made by [`crate::Store::subscribe`].
pub struct Subscription<'s> {
    log: &'s Log,
    next: u64,
}

impl Log {
    /// A subscription from `from_seq` (see `Store::subscribe`).
    pub(crate) fn subscribe(&self, from_seq: u64) -> Subscription<'_> {
        Subscription {
            log: self,
            next: from_seq.max(1),
        }
    }
}

impl<'s> Subscription<'s> {
    /// The seq the next event will have.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// The next event if one is already committed, without waiting. On a store other
    /// handles write too (PostgreSQL), their commits are seen as well.
    pub fn try_next(&mut self) -> Option<Result<Event>> {
        if self.next > self.log.head().seq {
            match self.log.refresh() {
                Err(e) => return Some(Err(e)),
                Ok(head) if self.next > head.seq => return None,
                Ok(_) => {}
            }
        }
        let event = self.log.event_at(self.next, self.log.head().seq);
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
            if self.log.engine.shared() {
                // Other handles' commits arrive as notifications (LISTEN/NOTIFY); the loop
                // re-reads the head either way.
                let wait = (deadline - now).min(Duration::from_secs(1));
                if let Err(e) = self.log.engine.wait_for_commit(wait) {
                    return Some(Err(e));
                }
                continue;
            }
            let (lock, cvar) = &self.log.commits;
            let guard = lock_leaf(lock);
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
