//! Progress of long work (import, rebuild, verify, export): a bar on stderr while it runs,
//! and a one-line summary on stderr when it ends (`imported 54 events in 0.01 s (5,400
//! events/s)`).
//!
//! Invariants: nothing is ever written to stdout, so data piped from a command is the same
//! with or without progress; the bar is drawn only when the caller allows it (see
//! [`bar_allowed`]: stderr is a terminal, `TERM` is not `dumb`, and the output is not a
//! machine format), so CI logs and `--json` runs see only the summary line.
//!
//! ```ignore
//! let mut p = Progress::start("importing", "events", Some(total), progress::bar_allowed(machine));
//! for chunk in chunks { write(chunk)?; p.inc(chunk.len() as u64); }
//! p.finish("imported", p.done());
//! ```

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Whether a progress bar may be drawn: stderr is an interactive terminal and the command's
/// output is not a machine format (`--json`, `--jsonl`).
pub fn bar_allowed(machine_output: bool) -> bool {
    !machine_output
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Templates: a known number of units, a fraction of work units, or a count so far.
const COUNTED: &str = "{prefix} [{bar:30}] {human_pos}/{human_len} {msg} ({elapsed}, {eta} left)";
const FRACTION: &str = "{prefix} [{bar:30}] {percent:>3}% ({elapsed}, {eta} left)";
const SPINNER: &str = "{prefix} {spinner} {human_pos} {msg} ({elapsed})";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// A unit of long work being done.
pub struct Progress {
    bar: Option<ProgressBar>,
    unit: &'static str,
    done: u64,
    started: Instant,
}

impl Progress {
    /// Start work called `label` (e.g. "importing"), counted in `unit` (e.g. "events"), of
    /// `total` units when known. With `draw` false (see [`bar_allowed`]) no bar is shown.
    pub fn start(label: &str, unit: &'static str, total: Option<u64>, draw: bool) -> Progress {
        let bar = draw.then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            bar.set_style(style(if total.is_some() { COUNTED } else { SPINNER }));
            bar.set_prefix(label.to_string());
            bar.set_message(unit);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            unit,
            done: 0,
            started: Instant::now(),
        }
    }

    /// `n` more units are done.
    pub fn inc(&mut self, n: u64) {
        self.done += n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// `done` of `total` units are done (for library callbacks that report absolute counts).
    pub fn set(&mut self, done: u64, total: u64) {
        self.done = done;
        if let Some(bar) = &self.bar {
            if bar.length() != Some(total) {
                // The library's work units are not the summary's units: show a fraction.
                bar.set_style(style(FRACTION));
                bar.set_length(total);
            }
            bar.set_position(done);
        }
    }

    /// Units done so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Clear the bar and print the summary: `{what} {count} {unit} in {elapsed} ({rate}
    /// {unit}/s)`, e.g. `p.finish("imported", 54)`.
    pub fn finish(self, what: &str, count: u64) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "{}",
            summary(what, count, self.unit, self.started.elapsed())
        );
    }
}

impl Drop for Progress {
    /// Work that ends in an error leaves no half-drawn bar behind.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `imported 54 events in 0.01 s (5,400 events/s)`.
pub fn summary(what: &str, count: u64, unit: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = count as f64 / secs.max(1e-6);
    let noun = match count {
        1 => unit.strip_suffix('s').unwrap_or(unit),
        _ => unit,
    };
    format!(
        "{what} {} {noun} in {} ({} {unit}/s)",
        thousands(count),
        duration(secs),
        thousands(rate.round() as u64)
    )
}

fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.2} s")
    } else {
        let whole = secs.round() as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

/// `5400` → `5,400`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_gives_count_elapsed_time_and_rate() {
        assert_eq!(
            summary("imported", 5400, "events", Duration::from_millis(500)),
            "imported 5,400 events in 0.50 s (10,800 events/s)"
        );
        assert_eq!(
            summary("verified", 0, "events", Duration::from_secs(75)),
            "verified 0 events in 1 min 15 s (0 events/s)"
        );
        assert_eq!(
            summary("read", 1, "events", Duration::from_secs(1)),
            "read 1 event in 1.00 s (1 events/s)"
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn a_hidden_progress_still_counts() {
        let mut p = Progress::start("importing", "events", Some(10), false);
        p.inc(3);
        p.inc(4);
        assert_eq!(p.done(), 7);
        p.set(9, 10);
        assert_eq!(p.done(), 9);
    }
}
