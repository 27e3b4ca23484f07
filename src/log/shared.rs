//! Writing and following a log that other handles write too (a shared engine:
//! [`Engine::shared`], i.e. PostgreSQL, where any number of processes on any number of
//! machines open one store).
//!
//! Owns: the [`Writer`] guard (this handle's writer lock, plus the database's writer lock
//! on a shared engine), catching up with what other handles committed ([`Log::refresh`]),
//! and the compare-and-write of the head record ([`Log::commit_head_record`]).
//!
//! Invariants:
//! - seqs are allocated only under the database's writer lock, after re-reading the head,
//!   so they stay gap-free and in commit order whatever the number of writers: no sequence
//!   is drawn before the commit that makes it visible, so readers never need gap
//!   detection;
//! - under that lock, records past the re-read head can only be leftovers of a writer that
//!   died (the lock is released when its session ends), and are rolled back before
//!   anything is staged;
//! - the head record is replaced only if it still holds the bytes this handle last read
//!   or wrote (compare-and-write in the commit itself): a head another handle moved is
//!   never overwritten, even if the lock were lost;
//! - a handle's head never moves backwards: a refresh adopts a stored head only when it is
//!   further along.
//!
//! On an engine one handle owns, none of this costs anything: the writer lock is the
//! in-process one and the head in memory is the stored one.

use super::Log;
use crate::error::{Error, Result};
use crate::format::keys;
use crate::locks::WriterGuard;
use crate::storage::{Batch, Engine, Overlay};

/// The writer lock, held: this handle's, and on a shared engine the database's (released
/// when this guard drops). Derefs to the in-process guard, which proves the lock order.
pub(crate) struct Writer<'a> {
    guard: WriterGuard<'a>,
    shared: Option<&'a Overlay>,
}

impl<'a> std::ops::Deref for Writer<'a> {
    type Target = WriterGuard<'a>;
    fn deref(&self) -> &WriterGuard<'a> {
        &self.guard
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if let Some(engine) = self.shared {
            // If this fails the session is gone, and the server released the lock with it
            // (the engine refuses further work on a broken session).
            let _ = engine.unlock_writer();
        }
    }
}

impl Log {
    /// Take the writer lock: this handle's, then, on a shared engine (unless read-only),
    /// the database's — waiting up to `lock_wait` for another handle's writer — after
    /// which the head is re-read and leftovers of a dead writer are rolled back.
    pub(crate) fn writer(&self) -> Result<Writer<'_>> {
        let guard = self.writer.lock();
        if !self.engine.shared() || self.read_only {
            return Ok(Writer {
                guard,
                shared: None,
            });
        }
        self.engine.lock_writer(self.lock_wait)?;
        let writer = Writer {
            guard,
            shared: Some(&self.engine),
        };
        self.catch_up()?;
        Ok(writer)
    }

    /// Under the database's writer lock: adopt the head other handles committed and roll
    /// back whatever a writer that died left past it.
    fn catch_up(&self) -> Result<()> {
        self.refresh()?;
        if self.remove_past_head()? {
            return Err(Error::storage_msg(
                "a record past the head (left by a writer that died) did not decode, so its index entries are unknown; run `annals rebuild`",
            ));
        }
        Ok(())
    }

    /// On a shared engine, re-read the head record and adopt it when another handle moved
    /// it further (waking subscriptions and reloading the amended seqs). Returns the head.
    pub(crate) fn refresh(&self) -> Result<super::Head> {
        if !self.engine.shared() {
            return Ok(self.head());
        }
        let (stored, bytes) = self.stored_head()?;
        if stored.seq > self.head().seq {
            self.load_amended()?;
            self.adopt_head(stored, bytes);
        }
        Ok(self.head())
    }

    /// Write `commit` with the head record `new_head` in one durable commit, provided the
    /// stored head is still the one this handle last saw; otherwise nothing is written and
    /// the answer is a [`Error::Conflict`] naming the head found.
    pub(crate) fn commit_head_record(
        &self,
        mut commit: Batch,
        new_head: super::Head,
    ) -> Result<()> {
        let old = self.head();
        let expected = self.head_bytes.read().clone();
        commit.put(vec![keys::HEAD], new_head.value());
        if self
            .engine
            .write_durable_if(commit, &[keys::HEAD], expected.as_deref())?
        {
            self.set_head(new_head);
            return Ok(());
        }
        // Adopt the head found before the caller rolls back: the rollback removes what
        // lies past the head, and records up to the found head are another writer's,
        // committed.
        let found = self.refresh()?;
        Err(Error::Conflict {
            expected: old.seq,
            actual: found.seq,
        })
    }
}
