//! `import --from`: published datasets through mapping files (`annals::datasets`), and
//! `import --list-formats` / `--show-map`. Plain `import FILE` (JSON Lines) is routed to
//! `write.rs` unchanged.
//!
//! Row problems are printed on stderr as they are found (`FILE:LINE: row N: reason`);
//! without --skip-invalid they also fail the store's import, so nothing is written.

use super::write::{self, open_input};
use crate::cli::args::ImportArgs;
use crate::cli::common::{open_existing, stdout, Ctx};
use crate::cli::failure::usage;
use annals::datasets::{self, ColumnReport, Importer, Item, Mapping, RowProblem};
use annals::interchange::canonical_text;
use annals::{AppendReport, Error, InputError, NewEvent, Store};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::io::Write;

/// `annals import ...`: route by the flags.
pub fn import(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    if args.list_formats {
        return list_formats(ctx);
    }
    if let Some(name) = &args.show_map {
        return show_map(name);
    }
    let file = args
        .file
        .clone()
        .ok_or_else(|| anyhow!("FILE is required"))?;
    match args.from.as_deref() {
        None | Some("jsonl") if args.map.is_none() => {
            let options = annals::ImportOptions::default()
                .keep_recorded(args.keep_recorded)
                .strict(args.strict);
            if args.dry_run {
                write::check(ctx, &file, options)
            } else {
                write::import(ctx, &file, options)
            }
        }
        _ => import_table(ctx, &args, &file),
    }
}

/// The mapping --from and --map name.
fn mapping(args: &ImportArgs) -> Result<Mapping> {
    match (args.from.as_deref(), &args.map) {
        (Some("csv"), Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping {}", path.display()))?;
            Ok(Mapping::from_toml(&text, &path.display().to_string())?)
        }
        (Some("csv"), None) => Err(usage("--from csv needs --map MAPPING (a mapping file; `annals import --show-map archigos` prints an example)")),
        (Some(name), None) => datasets::bundled(name).map_err(|e| usage(format!("--from: {e}"))),
        (Some(name), Some(_)) => Err(usage(format!("--map goes with --from csv, not with the bundled format `{name}`"))),
        (None, _) => Err(usage("--map needs --from csv")),
    }
}

/// `--list-formats`.
fn list_formats(ctx: &Ctx) -> Result<()> {
    let mut out = stdout();
    let mut rows = Vec::new();
    for (name, _) in datasets::BUNDLED {
        let m = datasets::bundled(name)?;
        rows.push(json!({"name": name, "dataset": m.dataset, "citation": m.citation}));
        if !ctx.json() {
            let citation = m.citation.as_deref().unwrap_or("");
            writeln!(out, "{name:<16} {:<36} {citation}", m.dataset)?;
        }
    }
    if ctx.json() {
        writeln!(out, "{}", Value::Array(rows))?;
    }
    Ok(out.flush()?)
}

/// `--show-map NAME`.
fn show_map(name: &str) -> Result<()> {
    let mut out = stdout();
    let text = datasets::bundled_text(name).map_err(|e| usage(format!("--show-map: {e}")))?;
    out.write_all(text.as_bytes())?;
    Ok(out.flush()?)
}

/// What a table import saw besides its events.
#[derive(Default)]
struct Seen {
    problems: Vec<RowProblem>,
    reported: HashSet<(usize, String)>,
    fatal: Option<datasets::DatasetError>,
    printed: usize,
}

/// `import --from FORMAT FILE`: map, check, and append all or nothing.
fn import_table(ctx: &Ctx, args: &ImportArgs, file: &str) -> Result<()> {
    let mapping = mapping(args)?;
    let importer = Importer::new(&mapping, open_input(file)?)
        .with_context(|| format!("cannot import {file}"))?;
    report_columns(file, importer.columns());
    let (store, existed) = table_store(ctx, args.dry_run)?;
    let mut seen = Seen::default();
    let result = {
        let events = feed(importer, file, args, &mut seen);
        let options = annals::ImportOptions::default()
            .dry_run(args.dry_run)
            .strict(args.strict);
        store.import_events_with(events, options, &mut |_| {})
    };
    if result.is_err() && !existed && !args.dry_run {
        drop(store);
        let _ = std::fs::remove_dir_all(&ctx.db);
    }
    if let Some(e) = seen.fatal.take() {
        return Err(anyhow!(e).context(format!("cannot import {file}; nothing was written")));
    }
    let report = match result {
        Ok(r) => r,
        Err(Error::InvalidInput(errors)) => return fail(ctx, file, &seen, &errors),
        Err(e) => return Err(e.into()),
    };
    print_table_import(ctx, file, args, &report, &seen)
}

/// The store to import into: --db (created when absent), or for a dry run without --db a
/// temporary one. Also whether it existed.
fn table_store(ctx: &Ctx, dry_run: bool) -> Result<(Store, bool)> {
    if dry_run {
        let store = if ctx.no_db_given || !ctx.db.exists() {
            Store::temporary()?
        } else {
            open_existing(&ctx.db, None)?
        };
        return Ok((store, true));
    }
    let existed = ctx.db.exists();
    Ok((ctx.open_or_create()?, existed))
}

/// The importer's items as the store's input; row problems are printed as they come and,
/// without --skip-invalid, fail the import.
fn feed<'a, R: std::io::BufRead + 'a>(
    importer: Importer<R>,
    file: &'a str,
    args: &'a ImportArgs,
    seen: &'a mut Seen,
) -> impl Iterator<Item = Result<(usize, NewEvent), InputError>> + 'a {
    importer.filter_map(move |item| match item {
        Ok(Item::Event(e)) => {
            if args.dry_run && seen.printed < args.limit {
                seen.printed += 1;
                println!("{}", event_json(&e.event));
            }
            Some(Ok((e.line as usize, e.event)))
        }
        Ok(Item::Problem(p)) => {
            eprintln!("{file}:{}: row {}: {}", p.line, p.row, p.reason);
            let error = InputError::new(p.line as usize, format!("row {}: {}", p.row, p.reason));
            seen.reported.insert((error.line, error.reason.clone()));
            seen.problems.push(p);
            (!args.skip_invalid).then_some(Err(error))
        }
        Err(e) => {
            let error = InputError::new(0, e.to_string());
            seen.reported.insert((0, error.reason.clone()));
            seen.fatal = Some(e);
            Some(Err(error))
        }
    })
}

/// An event as an interchange line with its id first.
fn event_json(event: &NewEvent) -> String {
    let mut map = Map::new();
    if let Some(id) = event.id {
        map.insert("id".into(), json!(id.to_string()));
    }
    if let Ok(Value::Object(fields)) = serde_json::from_str(&canonical_text(&event.content)) {
        map.extend(fields);
    }
    Value::Object(map).to_string()
}

/// "columns not carried" and "columns ignored", once, on stderr.
fn report_columns(file: &str, columns: &ColumnReport) {
    if !columns.not_carried.is_empty() {
        eprintln!(
            "{file}: columns not carried: {} (list them under `ignore` in the mapping to say so)",
            columns.not_carried.join(", ")
        );
    }
    if !columns.ignored.is_empty() {
        eprintln!(
            "{file}: columns ignored by the mapping: {}",
            columns.ignored.join(", ")
        );
    }
}

/// The import failed on invalid input: print what was not printed yet, and fail.
fn fail(ctx: &Ctx, file: &str, seen: &Seen, errors: &[InputError]) -> Result<()> {
    let others: Vec<&InputError> = errors
        .iter()
        .filter(|e| !seen.reported.contains(&(e.line, e.reason.clone())))
        .collect();
    for e in &others {
        eprintln!("{file}:{}: {}", e.line, e.reason);
    }
    if ctx.json() {
        let mut out = stdout();
        writeln!(
            out,
            "{}",
            json!({"imported": 0, "invalid_rows": seen.problems, "errors": others})
        )?;
        out.flush()?;
    }
    bail!(
        "{} row{} cannot be mapped and {} event{} rejected; nothing was written (--skip-invalid imports the rest)",
        seen.problems.len(),
        if seen.problems.len() == 1 { "" } else { "s" },
        others.len(),
        if others.len() == 1 { " was" } else { "s were" },
    )
}

/// The summary: on stdout (one object with --json), skipped rows counted on stderr.
fn print_table_import(
    ctx: &Ctx,
    file: &str,
    args: &ImportArgs,
    report: &AppendReport,
    seen: &Seen,
) -> Result<()> {
    let skipped = seen.problems.len();
    if skipped > 0 {
        eprintln!(
            "{file}: skipped {skipped} row{} that cannot be mapped",
            if skipped == 1 { "" } else { "s" }
        );
    }
    write::notes(report);
    let mut out = stdout();
    if ctx.json() {
        let range = report.seq_range();
        let answer = write::with_notes(
            json!({
                "dry_run": args.dry_run,
                "events": report.events.len(),
                "imported": if args.dry_run { 0 } else { report.new_count() },
                "already_present": report.present_count(),
                "first_seq": range.map(|r| r.0),
                "last_seq": range.map(|r| r.1),
                "skipped_rows": seen.problems,
            }),
            report,
        );
        writeln!(out, "{answer}")?;
    } else if args.dry_run {
        eprintln!(
            "dry run: {}, {} new ({} already present); nothing was written",
            write::count(report.events.len() as u64, "event"),
            report.new_count(),
            report.present_count()
        );
    } else {
        writeln!(
            out,
            "imported {} ({} already present) from {file}",
            write::count(report.new_count(), "new event"),
            report.present_count()
        )?;
    }
    Ok(out.flush()?)
}
