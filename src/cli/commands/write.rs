//! The commands that take events in: `import`, `check` (and `import --dry-run`) and
//! `append`. Input is validated whole before anything is written; an invalid line fails
//! the command with every bad line listed on stderr.

use crate::cli::args::{AmendArgs, RetractArgs};
use crate::cli::common::{open_existing, stdout, Ctx};
use crate::cli::progress::{self, Progress};
use annals::interchange::{parse_line, ParsedLine};
use annals::{AppendReport, Error, ImportOptions, Outcome, Store};
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
pub fn import(ctx: &Ctx, file: &str, options: ImportOptions) -> Result<()> {
    let input = open_input(file)?;
    let existed = ctx.db.exists();
    let store = ctx.open_or_create()?;
    let mut progress = Progress::start(
        "importing",
        "events",
        None,
        progress::bar_allowed(ctx.json()),
    );
    let result = store.import_reader_with(input, options, &mut |lines| {
        progress.inc(lines.saturating_sub(progress.done()))
    });
    if result.is_err() && !existed {
        // A failed import writes nothing: not even the database it would have made.
        drop(store);
        let _ = std::fs::remove_dir_all(&ctx.db);
    }
    let report = result.map_err(|e| rejected(ctx, e))?;
    progress.finish("read", report.events.len() as u64);
    notes(&report);
    print_import(&report, ctx.json())
}

/// `n noun` or `n nouns`.
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// What an import or check says on stderr besides its answer: lines identical to an
/// earlier one (kept as events of their own) and plausibility warnings.
pub fn notes(report: &AppendReport) {
    if report.repeated > 0 {
        eprintln!(
            "note: {} identical to an earlier line of this input; each is an event of its own (give lines an `id` to make them one)",
            match report.repeated {
                1 => "1 line was".to_string(),
                n => format!("{n} lines were"),
            }
        );
    }
    for w in report.warnings.iter().take(50) {
        eprintln!("warning: line {}: {}", w.line, w.reason);
    }
    if report.warnings.len() > 50 {
        eprintln!("warning: ... and {} more", report.warnings.len() - 50);
    }
    if !report.warnings.is_empty() {
        eprintln!("(--strict makes warnings errors)");
    }
}

/// A JSON import answer with what every one says about repeats and warnings:
/// `identical_lines` and `warnings: [{line, warning}]`.
pub fn with_notes(mut answer: serde_json::Value, report: &AppendReport) -> serde_json::Value {
    let warnings: Vec<_> = report
        .warnings
        .iter()
        .map(|w| json!({"line": w.line, "warning": w.reason}))
        .collect();
    if let Some(m) = answer.as_object_mut() {
        m.insert("identical_lines".into(), json!(report.repeated));
        m.insert("warnings".into(), json!(warnings));
    }
    answer
}

fn print_import(report: &AppendReport, json: bool) -> Result<()> {
    let mut out = stdout();
    let range = report.seq_range();
    if json {
        let answer = with_notes(
            json!({
                "imported": report.new_count(),
                "already_present": report.present_count(),
                "first_seq": range.map(|r| r.0),
                "last_seq": range.map(|r| r.1),
            }),
            report,
        );
        writeln!(out, "{answer}")?;
    } else {
        let new = count(report.new_count(), "new event");
        let present = report.present_count();
        match range {
            Some((a, b)) => writeln!(
                out,
                "imported {new} ({present} already present), seq {a}..{b}"
            )?,
            None => writeln!(out, "imported {new} ({present} already present)")?,
        }
    }
    Ok(out.flush()?)
}

/// `check` and `import --dry-run`: validate against --db when one is given (flag or
/// ANNALS_DB), else against an empty temporary database.
pub fn check(ctx: &Ctx, file: &str, options: ImportOptions) -> Result<()> {
    let input = open_input(file)?;
    let store = if ctx.no_db_given {
        Store::temporary()?
    } else {
        open_existing(&ctx.db, None)?
    };
    let report = store
        .import_reader_with(input, options.dry_run(true), &mut |_| {})
        .map_err(|e| rejected(ctx, e))?;
    notes(&report);
    let n = report.events.len() as u64;
    let mut out = stdout();
    if ctx.json() {
        let answer = with_notes(
            json!({"valid": true, "events": n, "new": report.new_count(), "already_present": report.present_count(), "errors": []}),
            &report,
        );
        writeln!(out, "{answer}")?;
    } else {
        writeln!(
            out,
            "ok: {} valid; an import would add {} ({} already present)",
            count(n, "event"),
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
pub fn append(ctx: &Ctx, event: Option<String>, options: ImportOptions) -> Result<()> {
    let text = event_text(event)?;
    let text = text.trim();
    let parsed = parse_line(text).map_err(|reason| Error::input(1, reason))?;
    append_parsed(ctx, parsed, options)
}

/// Append one parsed line and say what became of it.
fn append_parsed(ctx: &Ctx, parsed: ParsedLine, options: ImportOptions) -> Result<()> {
    let store = ctx.open_or_create()?;
    let report = store.import_lines_with(vec![(1, parsed)], options)?;
    notes(&report);
    let (id, outcome) = report.events[0];
    let mut out = stdout();
    match (ctx.json(), outcome) {
        (true, o) => {
            let answer = with_notes(
                json!({"id": id.to_string(), "seq": o.seq(), "already_present": matches!(o, Outcome::AlreadyPresent(_))}),
                &report,
            );
            writeln!(out, "{answer}")?
        }
        (false, Outcome::Appended(seq)) => writeln!(out, "appended seq {seq} (id {id})")?,
        (false, Outcome::AlreadyPresent(seq)) => writeln!(
            out,
            "already present at seq {seq} (id {id}); nothing written"
        )?,
    }
    Ok(out.flush()?)
}

/// `annals amend TARGET --set FIELD=VALUE ...`: a partial correction of the event at
/// TARGET (a seq, `seq:N`, an id or an id prefix), with the checks of `import`.
pub fn amend(ctx: &Ctx, args: AmendArgs) -> Result<()> {
    let mut set = serde_json::Map::new();
    for (field, value) in &args.set {
        set.insert(field.clone(), set_value(value));
    }
    let mut line = json!({"kind": "correction", "target": target_value(&args.target), "set": set});
    add_common(&mut line, args.summary.as_deref(), args.source.as_deref());
    let parsed =
        annals::interchange::parse_value(line).map_err(|reason| Error::input(1, reason))?;
    append_parsed(ctx, parsed, ImportOptions::default().strict(args.strict))
}

/// `annals retract TARGET --reason TEXT`.
pub fn retract(ctx: &Ctx, args: RetractArgs) -> Result<()> {
    let mut line =
        json!({"kind": "retraction", "target": target_value(&args.target), "reason": args.reason});
    add_common(&mut line, None, args.source.as_deref());
    let parsed =
        annals::interchange::parse_value(line).map_err(|reason| Error::input(1, reason))?;
    append_parsed(ctx, parsed, ImportOptions::default())
}

/// A target as the interchange format takes it: a bare seq as a number, else the text.
fn target_value(target: &str) -> serde_json::Value {
    match target.parse::<u64>() {
        Ok(seq) => json!(seq),
        Err(_) => json!(target),
    }
}

/// A `--set` value: JSON when it reads as a number, boolean, array or object (or a
/// quoted string), else the text itself.
fn set_value(text: &str) -> serde_json::Value {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if !v.is_null() => v,
        _ if text == "null" => serde_json::Value::Null,
        _ => json!(text),
    }
}

/// The amendment's own `summary` and `sources` (a URL, or a name).
fn add_common(line: &mut serde_json::Value, summary: Option<&str>, source: Option<&str>) {
    let Some(m) = line.as_object_mut() else {
        return;
    };
    if let Some(s) = summary {
        m.insert("summary".into(), json!(s));
    }
    if let Some(src) = source {
        let is_url = src.starts_with("http://") || src.starts_with("https://");
        let source = if is_url {
            json!({"name": src.split('/').nth(2).unwrap_or(src), "url": src})
        } else {
            json!({"name": src})
        };
        m.insert("sources".into(), json!([source]));
    }
}
