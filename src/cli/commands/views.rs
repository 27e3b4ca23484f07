//! The commands that answer from views: one command per built-in view (`arms --by` and
//! `conflicts --by` for totals) and `view NAME`, `diff` and `relations`.
//!
//! `view NAME` answers for a view by name (this binary registers only the built-ins; a
//! program embedding the library can register custom views, but the `annals` binary never
//! sees them): `--json` and `--jsonl` rows are streamed by the library from the typed rows,
//! and the human table gets them as JSON objects (the output edge).

use crate::cli::args::{AnswerFormat, ArmsBy, ConflictsBy, DiffArgs, DiffMode, ViewArgs};
use crate::cli::common::{known_actor, open_existing, parse_day, parse_known_at, stdout, Ctx};
use crate::cli::output::Format;
use crate::cli::render;
use annals::query::RowsFormat;
use anyhow::Result;
use serde_json::Value;
use std::io::Write;

/// `annals NAME` for a built-in view, or `annals view NAME`: the rows as of a day.
///
/// `--json` and `--jsonl` stream each typed row straight into buffered stdout; only the
/// human table reads rows as JSON objects (its columns are the row's keys).
pub fn show(ctx: &Ctx, name: &str, args: &ViewArgs) -> Result<()> {
    let point = view_point(args)?;
    let store = open_existing(&ctx.db, None)?;
    let actor = view_actor(&store, args)?;
    let at = store.at(point.0).known_at(point.1);
    let mut out = stdout();
    let rows_format = match answer_format(ctx, args) {
        AnswerFormat::Json => RowsFormat::Json,
        AnswerFormat::Jsonl => RowsFormat::Jsonl,
        AnswerFormat::Csv => {
            let (_, rows) = at.view_rows_json(name, actor.as_ref())?;
            let rows: Vec<Value> = rows.into_iter().map(|(_, r)| r).collect();
            render::csv_rows(&mut out, &rows).map_err(csv_error)?;
            return Ok(out.flush()?);
        }
        AnswerFormat::Table => {
            let (basis, rows) = at.view_rows_json(name, actor.as_ref())?;
            let rows: Vec<Value> = rows.into_iter().map(|(_, r)| r).collect();
            writeln!(out, "{name} {}", basis.describe())?;
            render::json_rows(&mut out, &ctx.look, &rows)?;
            return Ok(out.flush()?);
        }
    };
    at.write_rows(name, actor.as_ref(), rows_format, &mut out)
        .map_err(output_error)?;
    Ok(out.flush()?)
}

/// `--as-of` and `--known-at` of a view command, each a usage error naming its flag.
pub fn view_point(args: &ViewArgs) -> Result<(annals::Day, annals::KnownAt)> {
    Ok((
        parse_day("--as-of", &args.as_of)?,
        parse_known_at("--known-at", &args.known_at)?,
    ))
}

/// `--actor` of a view command, checked against the store (unknown: a usage error that
/// suggests the nearest codes).
pub fn view_actor(store: &annals::Store, args: &ViewArgs) -> Result<Option<annals::Code>> {
    args.actor
        .as_deref()
        .map(|a| known_actor(store, "--actor", a))
        .transpose()
}

/// `annals arms --by`: totals by number and by TIV per supplier, recipient or pair.
pub fn arms_totals(ctx: &Ctx, args: &ViewArgs, by: ArmsBy) -> Result<()> {
    show_totals(ctx, args, TotalsBy::Arms(by))
}

/// `annals conflicts --by`: deaths and events per conflict, country or pair of sides.
pub fn conflict_totals(ctx: &Ctx, args: &ViewArgs, by: ConflictsBy) -> Result<()> {
    show_totals(ctx, args, TotalsBy::Conflicts(by))
}

/// Which totals: those of `arms --by` or of `conflicts --by`.
#[derive(Clone, Copy, Debug)]
pub enum TotalsBy {
    Arms(ArmsBy),
    Conflicts(ConflictsBy),
}

impl TotalsBy {
    /// The view totalled.
    fn view(self) -> &'static str {
        match self {
            TotalsBy::Arms(_) => "arms",
            TotalsBy::Conflicts(_) => "conflicts",
        }
    }
}

/// A view's typed rows (those naming `--actor`, when given) totalled as `by` says, in the
/// answer format asked for.
fn show_totals(ctx: &Ctx, args: &ViewArgs, by: TotalsBy) -> Result<()> {
    let point = view_point(args)?;
    let store = open_existing(&ctx.db, None)?;
    let (basis, rows) = totals(&store, point, args, by)?;
    let mut out = stdout();
    match answer_format(ctx, args) {
        AnswerFormat::Csv => render::csv_rows(&mut out, &rows).map_err(csv_error)?,
        AnswerFormat::Table => {
            writeln!(out, "{} totals {}", by.view(), basis.describe())?;
            render::json_rows(&mut out, &ctx.look, &rows)?;
        }
        AnswerFormat::Json => writeln!(out, "{}", totals_value(&basis, rows))?,
        AnswerFormat::Jsonl => {
            for row in rows {
                let mut m = basis.json();
                m.insert("row".into(), row);
                writeln!(out, "{}", Value::Object(m))?;
            }
        }
    }
    Ok(out.flush()?)
}

/// The totals `by` asks for as of `point` (rows naming `--actor`, checked against the
/// store, when given), as JSON rows with their basis. `annals serve` answers
/// `/api/views/arms?by=` and `/api/views/conflicts?by=` with this and [`totals_value`].
pub fn totals(
    store: &annals::Store,
    point: (annals::Day, annals::KnownAt),
    args: &ViewArgs,
    by: TotalsBy,
) -> Result<(annals::query::Basis, Vec<Value>)> {
    let (basis, rows) = match by {
        TotalsBy::Arms(by) => {
            use annals::views::arms::{totals, By};
            let by = match by {
                ArmsBy::Supplier => By::Supplier,
                ArmsBy::Recipient => By::Recipient,
                ArmsBy::Pair => By::Pair,
            };
            let (a, rows) =
                totals_rows::<annals::views::Arms, _>(store, point, args, |r| totals(r, by))?;
            (a.basis, rows)
        }
        TotalsBy::Conflicts(by) => {
            use annals::views::conflicts::{totals, By};
            let by = match by {
                ConflictsBy::Conflict => By::Conflict,
                ConflictsBy::Country => By::Country,
                ConflictsBy::Pair => By::Pair,
            };
            let (a, rows) =
                totals_rows::<annals::views::Conflicts, _>(store, point, args, |r| totals(r, by))?;
            (a.basis, rows)
        }
    };
    Ok((basis, rows))
}

/// A view's typed rows as of `(day, knowledge)` (those naming `--actor`, when given), and
/// their totals by `total` as JSON rows.
fn totals_rows<V: annals::views::View, T: serde::Serialize>(
    store: &annals::Store,
    (as_of, known): (annals::Day, annals::KnownAt),
    args: &ViewArgs,
    total: impl Fn(&[V::Row]) -> Vec<T>,
) -> Result<(annals::query::Answer<V::Row>, Vec<Value>)> {
    let actor = view_actor(store, args)?;
    let mut answer = store.at(as_of).known_at(known).view::<V>()?;
    if let Some(code) = &actor {
        answer.rows.retain(|r| V::row_mentions(r, code));
    }
    let rows: Vec<Value> = total(&answer.rows)
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    Ok((answer, rows))
}

/// The totals' `--json` form: the basis and `rows`.
pub fn totals_value(basis: &annals::query::Basis, rows: Vec<Value>) -> Value {
    let mut m = basis.json();
    m.insert("rows".into(), Value::Array(rows));
    Value::Object(m)
}

/// `--format`, else the global `--json`/`--jsonl` (clap keeps them exclusive), else a table.
fn answer_format(ctx: &Ctx, args: &ViewArgs) -> AnswerFormat {
    args.format.unwrap_or(match ctx.format {
        Format::Json => AnswerFormat::Json,
        Format::Jsonl => AnswerFormat::Jsonl,
        Format::Human => AnswerFormat::Table,
    })
}

/// A failed CSV write: a closed pipe reads as the I/O error it is.
fn csv_error(e: csv::Error) -> anyhow::Error {
    if e.is_io_error() {
        if let csv::ErrorKind::Io(io) = e.into_kind() {
            return io.into();
        }
        return anyhow::anyhow!("writing CSV failed");
    }
    e.into()
}

/// A failed write to stdout (a closed pipe) reads as the other commands' do: the I/O error.
fn output_error(e: annals::Error) -> anyhow::Error {
    match e {
        annals::Error::Io(io) => io.into(),
        other => other.into(),
    }
}

/// `annals diff FROM TO`: rows added, removed and changed between two as-of dates; or
/// `annals diff --known-at A --known-at B [--as-of D]`: between two knowledges on one day.
pub fn diff(ctx: &Ctx, args: DiffArgs) -> Result<()> {
    let (view, mode) = diff_mode(args)?;
    let store = ctx.open_existing()?;
    let diffs = diffs(&store, view, mode)?;
    print_diffs(ctx, &diffs)
}

/// The view and the comparison `diff` asks for; a mixture of the two forms is a usage
/// error (checked before the database is opened).
pub fn diff_mode(args: DiffArgs) -> Result<(Option<String>, DiffMode)> {
    let view = args.view.clone();
    let mode = args.mode().map_err(|e| {
        let text = e.to_string();
        let text = text.trim().trim_start_matches("error: ").to_string();
        crate::cli::failure::usage(text)
    })?;
    Ok((view, mode))
}

/// The diffs of `view` (every view when `None`) for `mode`, each date and knowledge a
/// usage error naming its flag when malformed. `annals serve` answers `/api/diff` with
/// this and [`diffs_value`].
pub fn diffs(
    store: &annals::Store,
    view: Option<String>,
    mode: DiffMode,
) -> Result<Vec<annals::query::Diff>> {
    let names: Vec<String> = match view {
        Some(v) => vec![v],
        None => store.view_names().into_iter().map(String::from).collect(),
    };
    Ok(match mode {
        DiffMode::Dates { from, to, known_at } => {
            let at = store
                .at(parse_day("from", &from)?)
                .known_at(parse_known_at("--known-at", &known_at)?);
            let to = parse_day("to", &to)?;
            names
                .iter()
                .map(|name| at.diff(name, to))
                .collect::<annals::Result<Vec<_>>>()?
        }
        DiffMode::Knowledge { as_of, from, to } => {
            let at = store
                .at(parse_day("--as-of", &as_of)?)
                .known_at(parse_known_at("--known-at", &from)?);
            let to = parse_known_at("--known-at", &to)?;
            names
                .iter()
                .map(|name| at.diff_knowledge(name, to))
                .collect::<annals::Result<Vec<_>>>()?
        }
    })
}

/// The diffs' `--json` form: one diff's object, or an array of them when there are several.
pub fn diffs_value(diffs: &[annals::query::Diff]) -> Value {
    let mut v: Vec<Value> = diffs.iter().map(|d| d.to_json()).collect();
    if v.len() == 1 {
        v.remove(0)
    } else {
        Value::Array(v)
    }
}

/// The diffs as one JSON value (an array when there are several), or as text.
fn print_diffs(ctx: &Ctx, diffs: &[annals::query::Diff]) -> Result<()> {
    let mut out = stdout();
    if ctx.json() {
        writeln!(out, "{}", diffs_value(diffs))?;
    } else {
        for d in diffs {
            render::diff(&mut out, d)?;
        }
    }
    Ok(out.flush()?)
}

/// `annals relations A B`: what two actors share as of a day.
pub fn relations(ctx: &Ctx, (a, b): (&str, &str), as_of: &str, known_at: &str) -> Result<()> {
    let store = ctx.open_existing()?;
    let (a, b, rel) = relations_of(&store, (a, b), as_of, known_at)?;
    let mut out = stdout();
    if ctx.json() {
        writeln!(out, "{}", rel.to_json())?;
    } else {
        render::relations(&mut out, &ctx.look, &a, &b, &rel)?;
    }
    Ok(out.flush()?)
}

/// The arguments of `relations` checked against `store`, and the answer. `annals serve`
/// answers `/api/relations/A/B` with this (and [`annals::query::Relations::to_json`]).
pub fn relations_of(
    store: &annals::Store,
    (a, b): (&str, &str),
    as_of: &str,
    known_at: &str,
) -> Result<(annals::Code, annals::Code, annals::query::Relations)> {
    let a = known_actor(store, "relations", a)?;
    let b = known_actor(store, "relations", b)?;
    let as_of = parse_day("--as-of", as_of)?;
    let rel = store
        .at(as_of)
        .known_at(parse_known_at("--known-at", known_at)?)
        .relations(&a, &b)?;
    Ok((a, b, rel))
}
