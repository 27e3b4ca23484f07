//! Rolling back unfinished writes: records past the committed head, and their index
//! entries, are leftovers of a write that failed or crashed before its head record; they
//! were never reported as written.
//!
//! Modelled on redb's `PreviousIo`: the appender marks the log *unfinished* before it
//! stages anything and clears the mark only after it committed or rolled back. A write
//! that fails and whose rollback fails too leaves the mark set with the reason; the next
//! write retries the rollback first and, if that fails again, refuses with
//! [`Error::PreviousWriteFailed`] until the database is reopened (opening rolls back
//! from disk). So a handle never plans a write against records past its head — the bug
//! where a retried append answered "already present" at a seq the head never reached.
//! A panic mid-append leaves the mark set too, and is handled the same way.

use super::{decode_record, Log};
use crate::error::{Error, Result, Structure};
use crate::format::keys;
use crate::storage::{Batch, Engine};

impl Log {
    /// Mark the log as possibly holding records past the head (before staging).
    pub(super) fn mark_unfinished(&self) {
        *self.dirty.write() = Some("an earlier write was interrupted".into());
    }

    /// The write committed: nothing lies past the head.
    pub(super) fn mark_finished(&self) {
        *self.dirty.write() = None;
    }

    /// Roll back what an earlier failed write left, if anything; refuse when that fails.
    pub(crate) fn ensure_rolled_back(&self) -> Result<()> {
        let Some(reason) = self.dirty.read().clone() else {
            return Ok(());
        };
        self.roll_back()
            .map_err(|e| Error::PreviousWriteFailed {
                reason: format!("{reason}; rolling it back failed again: {e}"),
            })
            .and_then(|()| self.load_amended())
    }

    /// Forget the held chunk and remove every record past the head with its index
    /// entries, durably. On failure the reason is kept and the next write retries.
    pub(crate) fn roll_back(&self) -> Result<()> {
        match self.remove_past_head() {
            Ok(_) => {
                self.mark_finished();
                Ok(())
            }
            Err(e) => {
                *self.dirty.write() = Some(format!("rolling back a failed write failed: {e}"));
                Err(e)
            }
        }
    }

    /// Remove the records past the head and their index entries. Returns whether some
    /// leftover did not decode (its index entries are unknown: the caller rebuilds them).
    pub(crate) fn remove_past_head(&self) -> Result<bool> {
        self.engine.discard_held()?;
        let start = keys::log(self.head().seq.saturating_add(1));
        let end = keys::log(u64::MAX);
        let leftovers: Vec<_> = self.engine.scan(&start, &end).collect::<Result<_>>()?;
        if leftovers.is_empty() {
            return Ok(false); // nothing past the head: no write, no flush
        }
        let mut batch = Batch::new();
        let mut damaged = false;
        for (key, value) in leftovers {
            match decode_record(&key, &value) {
                Ok(record) => self.unindex(&record.event, &mut batch)?,
                Err(_) => damaged = true,
            }
            batch.delete(key);
        }
        self.engine.write(batch)?;
        self.engine.flush()?;
        Ok(damaged)
    }

    /// Load the set of amended seqs from the amendment index.
    pub(crate) fn load_amended(&self) -> Result<()> {
        let (start, end) = keys::keyspace(keys::AMEND);
        let mut set = std::collections::HashSet::new();
        for item in self.engine.scan(&start, &end) {
            let (key, _) = item?;
            let (target, _) = keys::parse_amend(&key)
                .ok_or_else(|| Error::corrupt_in(Structure::AmendmentIndex, "malformed key"))?;
            set.insert(target);
        }
        *self.amended.write() = set;
        Ok(())
    }
}
