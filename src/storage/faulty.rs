//! A fault-injecting engine wrapper, for tests of what the store does when the engine
//! fails (behind the `test-util` feature).
//!
//! [`Faults`] is shared between the test and the wrapper: after a chosen number of
//! further successful writes (`write`, `write_durable`, `flush`), every write fails with
//! a storage error until the test heals it. Reads always pass through.

use super::{Batch, Engine, KeyIter, PairIter};
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// When the wrapped engine's writes fail.
#[derive(Debug)]
pub struct Faults {
    /// Writes that still succeed before refusals start; `u64::MAX` means every one does.
    remaining: AtomicU64,
    /// Writes to refuse once `remaining` is used up; `u64::MAX` means every later one.
    to_refuse: AtomicU64,
    /// Writes refused so far.
    refused: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            remaining: AtomicU64::new(u64::MAX),
            to_refuse: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }
}

impl Faults {
    /// Let `n` more writes succeed, then fail every write until [`Faults::heal`].
    pub fn fail_after(&self, n: u64) {
        self.fail_some_after(n, u64::MAX);
    }

    /// Let `n` more writes succeed, then fail the next `k`, then succeed again.
    pub fn fail_some_after(&self, n: u64, k: u64) {
        self.to_refuse.store(k, Ordering::SeqCst);
        self.remaining.store(n, Ordering::SeqCst);
    }

    /// Let every write succeed again.
    pub fn heal(&self) {
        self.remaining.store(u64::MAX, Ordering::SeqCst);
    }

    /// How many writes were refused.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    fn check(&self, op: &str) -> Result<()> {
        let granted =
            self.remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
                    u64::MAX => Some(u64::MAX),
                    0 => None,
                    n => Some(n - 1),
                });
        if granted.is_ok() {
            return Ok(());
        }
        let refuse = self
            .to_refuse
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |k| match k {
                u64::MAX => Some(u64::MAX),
                0 => None,
                k => Some(k - 1),
            });
        if refuse.is_err() {
            return Ok(()); // the refusals are used up: healthy again
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        Err(Error::storage_msg(format!("injected fault: {op} refused")))
    }
}

/// An engine whose writes fail when its [`Faults`] say so.
pub struct FaultyEngine {
    inner: Box<dyn Engine>,
    faults: Arc<Faults>,
    batch_events: usize,
}

impl FaultyEngine {
    /// Wrap `inner`; imports stage `batch_events` events per engine write, so that a test
    /// can make a multi-chunk import out of a few events.
    pub fn new(inner: Box<dyn Engine>, faults: Arc<Faults>, batch_events: usize) -> FaultyEngine {
        FaultyEngine {
            inner,
            faults,
            batch_events: batch_events.max(1),
        }
    }
}

impl Engine for FaultyEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner.get(key)
    }
    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.inner.scan(start, end)
    }
    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        self.inner.scan_rev(start, end)
    }
    fn keys_rev(&self, start: &[u8], end: &[u8]) -> KeyIter<'_> {
        self.inner.keys_rev(start, end)
    }
    fn write(&self, batch: Batch) -> Result<()> {
        self.faults.check("write")?;
        self.inner.write(batch)
    }
    fn flush(&self) -> Result<()> {
        self.faults.check("flush")?;
        self.inner.flush()
    }
    fn write_durable(&self, batch: Batch) -> Result<()> {
        self.faults.check("durable write")?;
        self.inner.write_durable(batch)
    }
    fn size_on_disk(&self) -> Result<u64> {
        self.inner.size_on_disk()
    }
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn batch_events(&self) -> usize {
        self.batch_events
    }
}
