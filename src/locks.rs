//! The lock order, written once, and held by construction.
//!
//! A store has two *ordered* locks and a few *leaf* locks:
//!
//! 1. the **writer lock** ([`WriterLock`], owned by the log's appender): one append,
//!    rebuild or view repair at a time;
//! 2. the **views lock** ([`ViewsLock`], owned by the materializer): held shared by every
//!    query and by `verify` while they read checkpoints, exclusively while checkpoints
//!    change.
//!
//! The order is writer → views. It is held by construction, not by comments: the only way
//! to take the views lock exclusively is [`ViewsLock::write`], which asks for the
//! [`WriterGuard`] as proof that the writer lock is already held; and nothing that holds
//! the views lock shared can take the writer lock (readers get no `WriterLock`).
//!
//! Leaf locks ([`Leaf`], [`lock_leaf`]) guard one small value each (the head, the set of
//! amended seqs, the commit counter, the overlay's held writes, the group-commit queue and
//! each waiting appender's slot). They are never held while another lock is taken — but
//! for the group-commit queue, under which a leader hands leadership on by setting the
//! slot of the request at its front (queue, then slot; never the other way) — so they
//! take no part in the order. An appender waiting for a group commit holds no lock.
//!
//! Poisoning policy (one, for every lock): a lock poisoned by a panic in another thread is
//! entered anyway (`PoisonError::into_inner`). That is sound because no critical section
//! leaves shared state half-changed: leaf values are replaced whole, and the appender marks
//! the log as needing a rollback before it stages anything (see `log::append`), so a panic
//! mid-append is undone by the next writer, exactly like a failed write.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The writer lock (level 1).
#[derive(Default)]
pub(crate) struct WriterLock(Mutex<()>);

/// Proof that the writer lock is held.
pub(crate) struct WriterGuard<'a>(#[allow(dead_code)] MutexGuard<'a, ()>);

impl WriterLock {
    /// Take the writer lock (waits for the writer in progress).
    pub(crate) fn lock(&self) -> WriterGuard<'_> {
        WriterGuard(self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The views lock (level 2).
#[derive(Default)]
pub(crate) struct ViewsLock(RwLock<()>);

/// The views lock held exclusively (checkpoints may change).
pub(crate) struct ViewsWrite<'a>(#[allow(dead_code)] RwLockWriteGuard<'a, ()>);

/// The views lock held shared (checkpoints are stable).
pub(crate) struct ViewsRead<'a>(#[allow(dead_code)] RwLockReadGuard<'a, ()>);

impl ViewsLock {
    /// Take the views lock exclusively; the writer guard proves the order writer → views.
    pub(crate) fn write<'a>(&'a self, _writer: &WriterGuard<'_>) -> ViewsWrite<'a> {
        ViewsWrite(self.0.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// Take the views lock shared (queries, verify).
    pub(crate) fn read(&self) -> ViewsRead<'_> {
        ViewsRead(self.0.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A leaf lock around one value: never held while another lock is taken.
#[derive(Default, Debug)]
pub(crate) struct Leaf<T>(RwLock<T>);

impl<T> Leaf<T> {
    pub(crate) fn new(value: T) -> Leaf<T> {
        Leaf(RwLock::new(value))
    }

    /// Read the value.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Change the value.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Copy> Leaf<T> {
    /// A copy of the value.
    pub(crate) fn get(&self) -> T {
        *self.read()
    }

    /// Replace the value.
    pub(crate) fn set(&self, value: T) {
        *self.write() = value;
    }
}

/// A leaf mutex, for use with a condition variable (the commit counter).
pub(crate) fn lock_leaf<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
