//! Waiting for a database another handle holds: opening retries the engine's open with
//! exponential backoff and jitter until `StoreOptions::wait` has passed, instead of
//! failing at once; and the holder's pid, recorded in the database directory, so that the
//! error after the timeout can name it.
//!
//! Owns: the retry loop ([`open_waiting`]) and the holder file (`holder.pid`, one line:
//! the pid in decimal; `schema/storage.md` §1). The embedded engines still refuse a second
//! handle at once ([`Error::InUse`]); only this loop waits. (A PostgreSQL store is opened
//! by any number of handles; its writers wait for the writer lock in the engine itself.)
//!
//! Invariants: no busy loop (the first retry sleeps about 1 ms, then each sleep doubles up
//! to a cap, each jittered to 50–150% so that waiting processes do not retry in step); the
//! total wait never exceeds the option by more than one open attempt; a wait of zero tries
//! once. The holder file is advisory: it is written after every successful open and only
//! read to explain an `InUse` error, so a stale one (a killed holder) is harmless — the
//! engine's lock, not the file, decides who holds the database.

use crate::error::{Error, Result};
use crate::storage::{self, Engine, EngineKind, EngineOptions, HOLDER_FILE};
use std::path::Path;
use std::time::{Duration, Instant};

const FIRST_DELAY: Duration = Duration::from_millis(1);

/// The longest sleep between two tries on an embedded database. A waiter must try within
/// the short gap between one command's exit and the next command's open (10–30 ms for a
/// CLI process), or a loop of commands beside it can keep the database the whole wait
/// (seen in CI with a 100 ms cap: one of 50 queries beside 50 appends waited 5 s). A failed
/// try is a file open and a lock attempt, tens of microseconds.
const MAX_DELAY_EMBEDDED: Duration = Duration::from_millis(16);

/// Open the engine at `path`, waiting up to `wait` while another handle holds it.
pub(crate) fn open_waiting(
    path: &Path,
    kind: EngineKind,
    options: &EngineOptions,
    wait: Duration,
) -> Result<Box<dyn Engine>> {
    let engine = retry(
        || storage::open(path, kind, options),
        (wait, MAX_DELAY_EMBEDDED),
        || read_holder(path),
    )?;
    if !options.read_only {
        record_holder(path);
    }
    Ok(engine)
}

/// Call `open` until it returns anything but [`Error::InUse`] or `wait` has passed,
/// sleeping at most `cap` between tries; the final `InUse` names the holder the engine
/// named, else the one `holder` reads.
fn retry(
    mut open: impl FnMut() -> Result<Box<dyn Engine>>,
    (wait, cap): (Duration, Duration),
    holder: impl Fn() -> Option<u32>,
) -> Result<Box<dyn Engine>> {
    let start = Instant::now();
    let mut delay = FIRST_DELAY;
    let mut jitter = Jitter::seeded();
    loop {
        match open() {
            Err(Error::InUse {
                path: shown,
                holder: named,
                ..
            }) => {
                let waited = start.elapsed();
                if waited >= wait {
                    return Err(Error::InUse {
                        path: shown,
                        holder: named.or_else(&holder),
                        waited_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    });
                }
                std::thread::sleep(jitter.spread(delay).min(wait - waited));
                delay = (delay * 2).min(cap);
            }
            other => return other,
        }
    }
}

/// Write this process's pid as the holder (best effort: a read-only directory only loses
/// the name in a later error).
fn record_holder(path: &Path) {
    let _ = std::fs::write(path.join(HOLDER_FILE), format!("{}\n", std::process::id()));
}

/// The pid the holder file names, if it is there and readable.
fn read_holder(path: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(path.join(HOLDER_FILE)).ok()?;
    text.trim().parse().ok()
}

/// A small xorshift generator for jitter: no dependency, seeded per process and call.
struct Jitter(u64);

impl Jitter {
    fn seeded() -> Jitter {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let seed = (u64::from(std::process::id()) << 32) ^ u64::from(nanos) ^ 0x9e37_79b9_7f4a_7c15;
        Jitter(seed.max(1))
    }

    /// `delay` scaled by a factor in [0.5, 1.5).
    fn spread(&mut self, delay: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let unit = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        delay.mul_f64(0.5 + unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_half_to_one_and_a_half() {
        let mut j = Jitter::seeded();
        let d = Duration::from_millis(100);
        let spread: Vec<Duration> = (0..1000).map(|_| j.spread(d)).collect();
        assert!(spread.iter().all(|s| *s >= d / 2 && *s < d * 3 / 2));
        let distinct: std::collections::HashSet<_> = spread.iter().collect();
        assert!(distinct.len() > 900, "the jitter varies");
    }
}
