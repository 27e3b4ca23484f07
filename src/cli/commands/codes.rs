//! `annals codes [QUERY]`: the built-in code crosswalk (no database needed).

use crate::cli::common::{stdout, Ctx};
use crate::cli::failure::not_found;
use crate::cli::output::Format;
use annals::codes::{self, Entry};
use anyhow::Result;
use serde_json::json;
use std::io::Write;

/// `annals codes [QUERY]`: every crosswalk row matching QUERY (a code of any system, a
/// number, or part of a name), or all of them; none is an error that suggests the nearest.
pub fn list(ctx: &Ctx, query: Option<&str>) -> Result<()> {
    let query = query.unwrap_or("");
    let rows = codes::search(query);
    if rows.is_empty() {
        let near: Vec<String> = codes::suggest(query)
            .iter()
            .map(|e| format!("{} ({})", e.code, e.name))
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", near.join(", "))
        };
        return Err(not_found(format!(
            "no code or name matches `{}`{hint}",
            query.trim()
        )));
    }
    let mut out = stdout();
    match ctx.format {
        Format::Json => {
            let all: Vec<serde_json::Value> = rows.iter().map(|e| row_json(e)).collect();
            writeln!(out, "{}", serde_json::Value::Array(all))?;
        }
        Format::Jsonl => {
            for e in &rows {
                writeln!(out, "{}", row_json(e))?;
            }
        }
        Format::Human => table(ctx, &mut out, &rows)?,
    }
    Ok(out.flush()?)
}

/// One row as JSON (the stable format: fields are only ever added).
fn row_json(e: &Entry) -> serde_json::Value {
    json!({
        "code": e.code,
        "name": e.name,
        "cow": e.cow_num,
        "cow_abb": e.cow_abb,
        "gw": e.gw,
        "iso3": e.iso3,
        "from_year": e.from_year,
        "to_year": e.to_year,
        "aliases": e.aliases,
    })
}

/// The rows as an aligned table.
fn table(ctx: &Ctx, out: &mut impl Write, rows: &[&Entry]) -> std::io::Result<()> {
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let cells = rows
        .iter()
        .map(|e| {
            [
                e.code.to_string(),
                e.name.to_string(),
                dash(e.cow_num.map(|n| n.to_string())),
                dash(e.cow_abb.map(str::to_string)),
                dash(e.gw.map(|n| n.to_string())),
                dash(e.iso3.map(str::to_string)),
                e.years(),
            ]
            .into_iter()
            .map(|text| ctx.look.cell(None, text))
            .collect()
        })
        .collect();
    ctx.look.table(
        out,
        &["code", "name", "cow", "cow_abb", "gw", "iso3", "years"],
        cells,
    )
}
