//! The `annals` command line: parsing (`args.rs`, declarative clap tables), one small
//! function per command (`commands/`, grouped by kind: `write.rs` takes events in,
//! `read.rs` lists them, `views.rs` answers from views, `admin.rs` is about the database
//! and the tool; `demo.rs`, `chart/` and `serve/` (the web explorer) are commands of
//! their own), and the printing they share (`render.rs` for rows and tables, `output.rs`
//! for colour and width, `progress.rs` for progress bars, `common.rs` for opening the store and parsing flags, `failure.rs` for
//! how an error ends the command). This file owns only [`run`]: parse, [`dispatch`] to the
//! command, and turn the outcome into an exit code.
//!
//! Invariants, stable for scripts:
//! - data goes to stdout, diagnostics (errors, progress, "wrote FILE") to stderr;
//! - exit codes: 0 success; 1 an error (invalid input, corrupt data, database in use,
//!   I/O, ...); 2 a usage error (an unknown command or flag, or a bad flag or argument
//!   value: a malformed date, known-at or code, an unknown kind, view or actor code);
//!   3 a conflict (`append --expect-seq N` found the log elsewhere; nothing was written).
//!   The kind of an error is decided by its type in `failure.rs`, never by its text;
//! - with `--json` or `--jsonl` on the command line, an error is one JSON line on stderr,
//!   `{"error": {"kind", "message", "line"?, "lines"?}}`, clap's usage errors included;
//!   `kind` is one of the stable words of [`failure::Kind::name`];
//! - `--json` and `--jsonl` print the library's stable JSON forms; JSON is made or read
//!   only at that output edge (and for views the CLI cannot know the type of, such as
//!   `view NAME`): charts and other derivations work on the library's typed rows.
//!
//! Imports: only the public API of the `annals` library (never its test helpers), and the
//! crates for the edge: clap (with clap_complete and clap_mangen), anyhow for errors with
//! context, serde_json for machine output, comfy-table, console and indicatif for the
//! terminal, plotters for SVG, axum and tokio for `serve`'s HTTP. Nothing in `src/cli/` is used by the library.

mod args;
mod chart;
mod commands;
mod common;
mod demo;
mod failure;
mod output;
mod progress;
mod render;
mod serve;

use anyhow::Result;
use args::{Cli, Command};
use clap::Parser;
use commands::{admin, codes, datasets, read, views, write};
use common::Ctx;
use output::{Format, Look};
use std::process::ExitCode;

/// Parse the command line, run it, and turn the outcome into an exit code.
pub fn run() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let json_errors = failure::json_wanted(&argv);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if json_errors && e.use_stderr() => {
            return ExitCode::from(failure::report_clap_json(&e));
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    common::set_opening(cli.wait.unwrap_or(annals::DEFAULT_WAIT), cli.read_only);
    let no_db_given = std::env::var_os("ANNALS_DB").is_none()
        && !argv.iter().any(|a| a == "--db" || a.starts_with("--db="));
    let ctx = Ctx {
        db: cli.db,
        engine: cli.engine,
        format: Format::of(cli.json, cli.jsonl),
        look: Look::detect(cli.color),
        no_db_given,
    };
    let writes = writes(&cli.command);
    match dispatch(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`annals log | head`): nothing is wrong, and nothing to say.
        Err(e) if failure::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(failure::report(&e, json_errors, writes)),
    }
}

/// Whether `command` would write to the database (so that rejected input can say
/// "nothing was written"; `check` and `import --dry-run` never write).
fn writes(command: &Command) -> bool {
    match command {
        Command::Import(a) => !a.dry_run,
        Command::Append { .. } | Command::Amend(_) | Command::Retract(_) => true,
        _ => false,
    }
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
        C::Serve(args) => serve::run(ctx, args),
    }
}
