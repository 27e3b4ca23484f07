//! The commands about the database and the tool itself: `verify`, `stats`, `rebuild`,
//! `schema`, `generate`, `completions` and `man`.

use crate::cli::args::Cli;
use crate::cli::common::{plural, stdout, Ctx};
use crate::cli::failure::usage;
use crate::cli::progress::{self, thousands, Progress};
use crate::cli::render;
use anyhow::Result;
use serde_json::json;
use std::io::Write;

/// `annals verify [--since HASH]`: check every checksum, the chain, indexes and views.
pub fn verify(ctx: &Ctx, since: Option<String>) -> Result<()> {
    let store = ctx.open_existing()?;
    let extends = since
        .map(|h| store.verify_extends(&h).map(|seq| (h, seq)))
        .transpose()
        .map_err(since_error)?;
    let mut progress = Progress::start(
        "verifying",
        "events",
        None,
        progress::bar_allowed(ctx.json()),
    );
    let report = store.verify_with_progress(&mut |done, total| progress.set(done, total))?;
    progress.finish("verified", report.events);
    if let Some((h, seq)) = &extends {
        if ctx.json() {
            let mut v = serde_json::to_value(&report)?;
            v["extends"] = json!({"head_hash": h.trim().to_ascii_lowercase(), "seq": seq});
            let mut out = stdout();
            writeln!(out, "{v}")?;
            return Ok(out.flush()?);
        }
        println!(
            "the log extends the log whose head was seq {seq} ({})",
            h.trim()
        );
    }
    let mut out = stdout();
    if ctx.json() {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        writeln!(out, "{}", verify_text(&report))?;
    }
    Ok(out.flush()?)
}

/// A malformed `--since` is a usage error that names the flag.
fn since_error(e: annals::Error) -> anyhow::Error {
    match e {
        annals::Error::InvalidArgument(m) => usage(format!("--since: {m}")),
        other => other.into(),
    }
}

/// `ok: 54 events, hash chain intact, ...`: what was checked, each count with its noun
/// in the right number. A young database has no view checkpoints yet, which is no failure.
fn verify_text(r: &annals::VerifyReport) -> String {
    let checkpoints = match r.checkpoints {
        0 => format!(
            "; no view checkpoints yet (a view makes one every {} events it folds)",
            thousands(annals::StoreOptions::default().checkpoint_interval)
        ),
        n => format!(", {} match", plural(n, "view checkpoint")),
    };
    format!(
        "ok: {}, hash chain intact; {} and {} match the log{checkpoints}\nhead: seq {} hash {}",
        plural(r.events, "event"),
        plural(r.index_entries, "index entry"),
        plural(r.row_versions, "row version"),
        r.head_seq,
        r.head_hash
    )
}

/// `annals stats`: counts by kind, dates, last seq, size on disk.
pub fn stats(ctx: &Ctx) -> Result<()> {
    let store = ctx.open_existing()?;
    let stats = store.stats()?;
    let mut out = stdout();
    if ctx.json() {
        writeln!(out, "{}", serde_json::to_string(&stats)?)?;
    } else {
        render::stats(&mut out, &stats)?;
    }
    Ok(out.flush()?)
}

/// `annals rebuild`: drop the derived indexes and rebuild them from the log.
pub fn rebuild(ctx: &Ctx) -> Result<()> {
    let store = ctx.open_existing()?;
    let mut progress = Progress::start(
        "rebuilding",
        "events",
        None,
        progress::bar_allowed(ctx.json()),
    );
    let n = store.rebuild_with_progress(&mut |done, total| progress.set(done, total))?;
    progress.finish("rebuilt indexes and views from", n);
    Ok(())
}

/// `annals schema`: the JSON Schema of one interchange line.
pub fn schema() -> Result<()> {
    let mut out = stdout();
    out.write_all(annals::interchange::JSON_SCHEMA.as_bytes())?;
    Ok(out.flush()?)
}

/// `annals generate`: a synthetic, deterministic timeline as JSON Lines.
pub fn generate(events: usize, seed: u64) -> Result<()> {
    let mut out = stdout();
    for line in annals::workload::generate_lines(events, seed) {
        writeln!(out, "{line}")?;
    }
    Ok(out.flush()?)
}

/// `annals completions SHELL`: a shell completion script.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = stdout();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "annals",
        &mut out,
    );
    Ok(out.flush()?)
}

/// `annals man`: the man page (roff).
pub fn man() -> Result<()> {
    let mut out = stdout();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
    Ok(out.flush()?)
}
