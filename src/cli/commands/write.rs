//! The commands that take events in: `import`, `check` (and `import --dry-run`) and
//! `append`. Input is validated whole before anything is written; an invalid line fails
//! the command with every bad line listed on stderr.

use crate::cli::common::{open_existing, stdout, Ctx};
use crate::cli::progress::{self, Progress};
use annals::interchange::parse_line;
use annals::{AppendReport, Error, Outcome, Store};
use anyhow::{Context, Result};
use serde_json::json;
use std::io::{BufReader, Read, Write};

/// The input of `import` and `check`: a file, or stdin for `-`.
pub fn open_input(file: &str) -> Result<Box<dyn std::io::BufRead>> {
    if file == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin().lock())));
    }
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {file}"))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
}

/// `annals import FILE`: validate every line, then append the new events.
pub fn import(ctx: &Ctx, file: &str, keep_recorded: bool) -> Result<()> {
    let input = open_input(file)?;
    let existed = ctx.db.exists();
    let store = ctx.open_or_create()?;
    let mut progress = Progress::start(
        "importing",
        "events",
        None,
        progress::bar_allowed(ctx.json()),
    );
    let result = store.import_reader(input, keep_recorded, &mut |lines| {
        progress.inc(lines.saturating_sub(progress.done()))
    });
    if result.is_err() && !existed {
        // A failed import writes nothing: not even the database it would have made.
        drop(store);
        let _ = std::fs::remove_dir_all(&ctx.db);
    }
    let report = result.map_err(|e| rejected(ctx, e))?;
    progress.finish("read", report.events.len() as u64);
    print_import(&report, ctx.json())
}

fn print_import(report: &AppendReport, json: bool) -> Result<()> {
    let mut out = stdout();
    let range = report.seq_range();
    if json {
        writeln!(
            out,
            "{}",
            json!({
                "imported": report.new_count(),
                "already_present": report.present_count(),
                "first_seq": range.map(|r| r.0),
                "last_seq": range.map(|r| r.1),
            })
        )?;
    } else {
        match range {
            Some((a, b)) => writeln!(
                out,
                "imported {} new events ({} already present), seq {a}..{b}",
                report.new_count(),
                report.present_count()
            )?,
            None => writeln!(
                out,
                "imported 0 new events ({} already present)",
                report.present_count()
            )?,
        }
    }
    Ok(out.flush()?)
}

/// `check` and `import --dry-run`: validate against --db when one is given (flag or
/// ANNALS_DB), else against an empty temporary database.
pub fn check(ctx: &Ctx, file: &str, keep_recorded: bool) -> Result<()> {
    let input = open_input(file)?;
    let store = if ctx.no_db_given {
        Store::temporary()?
    } else {
        open_existing(&ctx.db, None)?
    };
    let report = store
        .check_reader(input, keep_recorded, &mut |_| {})
        .map_err(|e| rejected(ctx, e))?;
    let n = report.events.len();
    let mut out = stdout();
    if ctx.json() {
        writeln!(
            out,
            "{}",
            json!({"valid": true, "events": n, "new": report.new_count(), "already_present": report.present_count(), "errors": []})
        )?;
    } else {
        writeln!(
            out,
            "ok: {n} events valid; an import would add {} ({} already present)",
            report.new_count(),
            report.present_count()
        )?;
    }
    Ok(out.flush()?)
}

/// The one way `import` and `check` answer invalid input: with `--json`, the object
/// `{"valid": false, "errors": [{"line", "reason", "follow_on", "follow_on_of"}],
/// "follow_on_count"}` on stdout; then the error, which `run` prints on stderr (every
/// primary problem, follow-on ones marked) with exit code 1.
fn rejected(ctx: &Ctx, e: Error) -> anyhow::Error {
    if let (Error::InvalidInput(errors), true) = (&e, ctx.json()) {
        let follow_on_count = errors.iter().filter(|e| e.is_follow_on()).count();
        let answer = json!({"valid": false, "errors": errors, "follow_on_count": follow_on_count});
        let mut out = stdout();
        // The error itself is what matters: a closed stdout must not hide it.
        let _ = writeln!(out, "{answer}").and_then(|()| out.flush());
    }
    e.into()
}

/// The event `append` was given, or else what stdin holds (up to one line's limit).
fn event_text(event: Option<String>) -> Result<String> {
    if let Some(t) = event {
        return Ok(t);
    }
    let mut s = String::new();
    std::io::stdin()
        .lock()
        .take(annals::limits::MAX_LINE_BYTES as u64 + 1)
        .read_to_string(&mut s)
        .context("reading the event from stdin")?;
    Ok(s)
}

/// `annals append EVENT`: append one event given as JSON.
pub fn append(ctx: &Ctx, event: Option<String>) -> Result<()> {
    let text = event_text(event)?;
    let text = text.trim();
    let parsed = parse_line(text).map_err(|reason| Error::input(1, reason))?;
    let store = ctx.open_or_create()?;
    let report = store.import_lines(vec![(1, parsed)], false)?;
    let (id, outcome) = report.events[0];
    let mut out = stdout();
    match (ctx.json(), outcome) {
        (true, o) => writeln!(
            out,
            "{}",
            json!({"id": id.to_string(), "seq": o.seq(), "already_present": matches!(o, Outcome::AlreadyPresent(_))})
        )?,
        (false, Outcome::Appended(seq)) => writeln!(out, "appended seq {seq} (id {id})")?,
        (false, Outcome::AlreadyPresent(seq)) => writeln!(
            out,
            "already present at seq {seq} (id {id}); nothing written"
        )?,
    }
    Ok(out.flush()?)
}
