//! The `annals` command line: parsing (`args.rs`, declarative clap tables), one small
//! function per command (`commands/`, grouped by kind: `write.rs` takes events in,
//! `read.rs` lists them, `views.rs` answers from views, `admin.rs` is about the database
//! and the tool; `demo.rs` and `chart/` are commands of their own), and the printing they
//! share (`render.rs` for rows and tables, `output.rs` for colour and width, `progress.rs`
//! for progress bars, `common.rs` for opening the store and parsing flags). This file owns
//! only [`run`]: parse, [`dispatch`] to the command, and turn the outcome into an exit code.
//!
//! Invariants, stable for scripts:
//! - data goes to stdout, diagnostics (errors, progress, "wrote FILE") to stderr;
//! - exit codes: 0 success, 1 an error (bad input, corrupt data, database in use, I/O),
//!   2 a usage error (unknown command or flag, bad argument syntax);
//! - `--json` and `--jsonl` print the library's stable JSON forms; JSON is made or read
//!   only at that output edge (and for views the CLI cannot know the type of, such as
//!   `view NAME`): charts and other derivations work on the library's typed rows.
//!
//! Imports: only the public API of the `annals` library (never its test helpers), and the
//! crates for the edge: clap (with clap_complete and clap_mangen), anyhow for errors with
//! context, serde_json for machine output, comfy-table, console and indicatif for the
//! terminal, plotters for SVG. Nothing in `src/cli/` is used by the library.

mod args;
mod chart;
mod commands;
mod common;
mod demo;
mod output;
mod progress;
mod render;

use annals::Error;
use anyhow::Result;
use args::{Cli, Command};
use clap::Parser;
use commands::{admin, codes, datasets, read, views, write};
use common::Ctx;
use output::{Format, Look};
use std::io::Write;
use std::process::ExitCode;

/// Parse the command line, run it, and turn the outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    common::set_wait(cli.wait.unwrap_or(annals::DEFAULT_WAIT));
    let no_db_given = std::env::var_os("ANNALS_DB").is_none()
        && !std::env::args().any(|a| a == "--db" || a.starts_with("--db="));
    let ctx = Ctx {
        db: cli.db,
        engine: cli.engine,
        format: Format::of(cli.json, cli.jsonl),
        look: Look::detect(cli.color),
        no_db_given,
    };
    match dispatch(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

/// Print an error on stderr: every bad line of invalid input, or the error and its causes.
fn report(e: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    // Input errors list every bad line, one per line.
    if let Some(Error::InvalidInput(lines)) = e.downcast_ref::<Error>() {
        let follow_ons = lines.iter().filter(|l| l.is_follow_on()).count();
        let primary = lines.len() - follow_ons;
        let _ = writeln!(
            stderr,
            "error: {primary} invalid line{}{}; nothing was written",
            if primary == 1 { "" } else { "s" },
            match follow_ons {
                0 => String::new(),
                1 => ", and 1 follow-on error (marked)".into(),
                n => format!(", and {n} follow-on errors (marked)"),
            }
        );
        // In line order, up to 50; follow-ons only up to 20, so that many of them never
        // hide a primary error further on.
        let mut shown = 0usize;
        for l in lines {
            if shown < if l.is_follow_on() { 20 } else { 50 } {
                let _ = writeln!(stderr, "  {l}");
                shown += 1;
            }
        }
        if lines.len() > shown {
            let _ = writeln!(stderr, "  ... and {} more", lines.len() - shown);
        }
        return;
    }
    let _ = write!(stderr, "error: {e}");
    for cause in e.chain().skip(1) {
        let _ = write!(stderr, ": {cause}");
    }
    let _ = writeln!(stderr);
}

/// The import options of the flags `--keep-recorded` and `--strict`.
fn intake(keep_recorded: bool, strict: bool) -> annals::ImportOptions {
    annals::ImportOptions::default()
        .keep_recorded(keep_recorded)
        .strict(strict)
}

/// Run one command.
fn dispatch(ctx: &Ctx, command: Command) -> Result<()> {
    use Command as C;
    match command {
        C::Import(args) => datasets::import(ctx, args),
        C::Check {
            file,
            keep_recorded,
            strict,
        } => write::check(ctx, &file, intake(keep_recorded, strict)),
        C::Append {
            event,
            expect_seq,
            strict,
        } => write::append(ctx, event, intake(false, strict).expect_seq(expect_seq)),
        C::Amend(args) => write::amend(ctx, args),
        C::Retract(args) => write::retract(ctx, args),
        C::Log {
            range,
            on,
            kind,
            order,
        } => read::log(ctx, range, on, kind, order),
        C::Export { format } => read::export(ctx, format),
        C::Tail {
            from_seq,
            max,
            poll_ms,
        } => read::tail(ctx, from_seq, max, poll_ms),
        C::History(args) => read::history(ctx, args),
        C::Timeline { range, known_at } => read::timeline(ctx, range, &known_at),
        C::Alliances(args) => views::show(ctx, "alliances", &args),
        C::Deployments(args) => views::show(ctx, "deployments", &args),
        C::Leaders(args) => views::show(ctx, "leaders", &args),
        C::Tests(args) => views::show(ctx, "tests", &args),
        C::Arms { args, by: None } => views::show(ctx, "arms", &args),
        C::Arms { args, by: Some(by) } => views::arms_totals(ctx, &args, by),
        C::Conflicts { args, by: None } => views::show(ctx, "conflicts", &args),
        C::Conflicts { args, by: Some(by) } => views::conflict_totals(ctx, &args, by),
        C::States(args) => views::show(ctx, "states", &args),
        C::View { name, args } => views::show(ctx, &name, &args),
        C::Diff(args) => views::diff(ctx, args),
        C::Relations {
            a,
            b,
            as_of,
            known_at,
        } => views::relations(ctx, (&a, &b), &as_of, &known_at),
        C::Chart(command) => chart::run(&ctx.db, command, ctx.format, &ctx.look),
        C::Verify { since } => admin::verify(ctx, since),
        C::Stats => admin::stats(ctx),
        C::Rebuild => admin::rebuild(ctx),
        C::Schema => admin::schema(),
        C::Codes { query } => codes::list(ctx, query.as_deref()),
        C::Generate { events, seed } => admin::generate(events, seed),
        C::Completions { shell } => admin::completions(shell),
        C::Man => admin::man(),
        C::Demo => demo::command(ctx),
    }
}
