//! Command definitions (clap derive) and dispatch. Each command is a thin layer over the
//! library; the formatting of rows lives in `render.rs`, colour and width in `output.rs`,
//! progress bars in `progress.rs` and charts in `chart/`.

mod chart;
mod demo;
mod output;
mod progress;
mod render;

use output::{ColorChoice, Format, Look};
use progress::Progress;

use annals::interchange::{event_line, parse_line};
use annals::{Code, Day, EngineKind, Error, KnownAt, Store, StoreOptions};
use anyhow::{anyhow, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "annals",
    version,
    about = "An embedded, bitemporal timeline database for diplomatic and military events",
    after_help = "Examples:\n  annals demo\n  annals --db my.db import schema/examples/sample_timeline.jsonl --keep-recorded\n  annals --db my.db log --actor PRK --from 2024\n  annals --db my.db chart deployments --actor PRK --svg prk.svg"
)]
struct Cli {
    /// Database directory [env: ANNALS_DB] [default: ./annals.db]
    #[arg(
        long,
        global = true,
        env = "ANNALS_DB",
        default_value = "annals.db",
        hide_env = true,
        hide_default_value = true
    )]
    db: PathBuf,

    /// Print machine-readable JSON instead of a table (the stable format).
    #[arg(long, global = true)]
    json: bool,

    /// Storage engine for a database this command creates: redb (default) or sled
    /// [env: ANNALS_ENGINE]. An existing database always opens with its own engine.
    #[arg(long, global = true, value_parser = parse_engine, value_name = "ENGINE")]
    engine: Option<EngineKind>,

    /// Print JSON Lines: one object per row, event or chart step, to stream into jq and
    /// other tools (a command with a single answer prints it as one line).
    #[arg(long, global = true, conflicts_with = "json")]
    jsonl: bool,

    /// When to colour output: auto (stdout is a terminal and NO_COLOR is unset), always or
    /// never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import JSON Lines from FILE (or - for stdin). All lines are validated first; any
    /// invalid line fails the whole import and nothing is written.
    #[command(
        after_help = "Example:\n  annals import events.jsonl\n  cat events.jsonl | annals import -"
    )]
    Import {
        /// A JSON Lines file, or - for standard input.
        file: String,
        /// Keep each line's `recorded` time (restoring an export) instead of assigning now.
        #[arg(long)]
        keep_recorded: bool,
        /// Validate only, exactly as `annals check` does; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Validate JSON Lines exactly as `import` would (the same parser; with --db, the same
    /// checks against that database), write nothing, and report every invalid line.
    #[command(
        after_help = "Example:\n  annals check events.jsonl\n  annals --db my.db check events.jsonl --json"
    )]
    Check {
        /// A JSON Lines file, or - for standard input.
        file: String,
        /// Check each line's `recorded` time as `import --keep-recorded` would.
        #[arg(long)]
        keep_recorded: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of one interchange line.
    #[command(after_help = "Example:\n  annals schema > event.schema.json")]
    Schema,
    /// Append one event given as JSON (as an argument, or on stdin).
    #[command(
        after_help = "Example:\n  annals append '{\"date\":\"2024-10-31\",\"kind\":\"missile_test\",\"actor\":\"PRK\",\"class\":\"ICBM\"}'"
    )]
    Append {
        /// The event as one JSON object; read from stdin when absent.
        event: Option<String>,
    },
    /// List events in timeline order (or recorded order).
    #[command(after_help = "Example:\n  annals log --actor PRK --from 2024 --kind deployment")]
    Log {
        #[command(flatten)]
        range: EventRange,
        /// Only events of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Timeline (valid-time) order, or recorded (seq) order.
        #[arg(long, value_enum, default_value_t = Order::Valid)]
        order: Order,
    },
    /// Write every event in seq order as JSON Lines.
    #[command(
        after_help = "Example:\n  annals export > backup.jsonl\n  annals --db copy.db import backup.jsonl --keep-recorded"
    )]
    Export,
    /// Check every checksum, the hash chain, every derived index and view checkpoint.
    /// `--json` prints the head hash: keep it to prove later that the log was only appended to.
    #[command(
        after_help = "Example:\n  annals verify --json\n  annals verify --since 0284588b9e67c3d6cd5a2a3b377a2371d35ee5b5aa666bacbed52b9d5bfac931"
    )]
    Verify {
        /// Also prove that the log extends the log that had this head hash.
        #[arg(long)]
        since: Option<String>,
    },
    /// Counts by kind, first and last dates, last seq, size on disk.
    #[command(after_help = "Example:\n  annals stats")]
    Stats,
    /// Drop the derived indexes and rebuild them from the log.
    #[command(after_help = "Example:\n  annals rebuild")]
    Rebuild,
    /// Alliances and their members as of a date.
    #[command(after_help = "Example:\n  annals alliances --as-of 1999-03-11 --actor NATO")]
    Alliances(ViewArgs),
    /// Deployments (forces of one actor in another's territory) as of a date.
    #[command(
        after_help = "Example:\n  annals deployments --actor PRK --as-of 2024-11-15 --known-at 2024-11-01T00:00:00Z"
    )]
    Deployments(ViewArgs),
    /// Office holders as of a date.
    #[command(after_help = "Example:\n  annals leaders --as-of 2024-10-01 --actor JPN")]
    Leaders(ViewArgs),
    /// Cumulative arms transfers up to a date.
    #[command(after_help = "Example:\n  annals arms --actor PRK --as-of 2024")]
    Arms(ViewArgs),
    /// Missile and nuclear tests summed up to a date.
    #[command(after_help = "Example:\n  annals tests --actor PRK --as-of 2017")]
    Tests(ViewArgs),
    /// Any registered view by name (the built-ins or a custom one).
    #[command(after_help = "Example:\n  annals view deployments --as-of 2024-11")]
    View {
        /// The view's name.
        name: String,
        #[command(flatten)]
        args: ViewArgs,
    },
    /// Every event involving an actor, in timeline order, with corrections applied and
    /// retracted or superseded events marked.
    #[command(after_help = "Example:\n  annals history JPN --known-at 2024-11-16T00:00:00Z")]
    History {
        /// An actor code (or alliance code).
        code: String,
        /// Knowledge: an RFC 3339 timestamp, seq:N, or now.
        #[arg(long, default_value = "now")]
        known_at: String,
    },
    /// Rows added, removed and changed between two as-of dates.
    #[command(after_help = "Example:\n  annals diff 2024-01-01 2024-12-31 --view deployments")]
    Diff {
        /// The earlier as-of date.
        from: String,
        /// The later as-of date.
        to: String,
        /// Only this view (default: every view).
        #[arg(long)]
        view: Option<String>,
        /// Knowledge: an RFC 3339 timestamp, seq:N, or now.
        #[arg(long, default_value = "now")]
        known_at: String,
    },
    /// What two actors share: alliances, deployments of one in the other, arms flows, meetings.
    #[command(after_help = "Example:\n  annals relations PRK RUS --as-of 2024-11-15")]
    Relations {
        a: String,
        b: String,
        /// Valid time: today, YYYY, YYYY-MM or YYYY-MM-DD (month and year mean their last day).
        #[arg(long, default_value = "today")]
        as_of: String,
        /// Knowledge: an RFC 3339 timestamp, seq:N, or now.
        #[arg(long, default_value = "now")]
        known_at: String,
    },
    /// Follow new events as they are appended, until interrupted. The database is opened
    /// only briefly at each poll, so other processes can keep appending to it.
    #[command(after_help = "Example:\n  annals tail --json\n  annals tail --from-seq 1 --max 10")]
    Tail {
        /// Start at this seq (default: after the current last event).
        #[arg(long)]
        from_seq: Option<u64>,
        /// Stop after printing this many events.
        #[arg(long)]
        max: Option<u64>,
        /// How often to look for new events, in milliseconds.
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
    },
    /// A readable chronology: one line per event, grouped by year and month, with its
    /// summary and source, and markers for corrected and retracted events.
    #[command(
        after_help = "Example:\n  annals timeline --from 2024-10 --actor PRK\n  annals timeline --actor JPN --known-at 2024-11-16T00:00:00Z"
    )]
    Timeline {
        #[command(flatten)]
        range: EventRange,
        /// Knowledge: an RFC 3339 timestamp, seq:N, or now.
        #[arg(long, default_value = "now")]
        known_at: String,
    },
    /// Draw a chart of the timeline: deployment strength over time, or alliance membership.
    /// In the terminal with Unicode blocks and braille; with --svg, as an SVG file.
    #[command(
        subcommand,
        after_help = "Examples:\n  annals chart deployments --actor PRK\n  annals chart deployments --actor PRK --host RUS --known-at 2024-11-01T00:00:00Z --svg prk.svg\n  annals chart alliances --alliance NATO --svg nato.svg\n  annals chart alliances --from 1990"
    )]
    Chart(chart::ChartCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  annals completions bash > /etc/bash_completion.d/annals\n  annals completions zsh > ~/.zfunc/_annals"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  annals man > annals.1 && man ./annals.1")]
    Man,
    /// Print a synthetic, deterministic timeline as JSON Lines (for benchmarks and trials).
    #[command(after_help = "Example:\n  annals generate --events 100000 --seed 1 > big.jsonl")]
    Generate {
        /// How many events.
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// The seed; the same seed gives the same timeline.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import the bundled sample timeline (into a temporary database, or --db when given)
    /// and show it.
    #[command(after_help = "Example:\n  annals demo")]
    Demo,
}

/// Which events `log` and `timeline` list.
#[derive(clap::Args, Debug)]
struct EventRange {
    /// Only events whose earliest day is on or after this date (today, YYYY, YYYY-MM,
    /// YYYY-MM-DD; YYYY and YYYY-MM mean their first day).
    #[arg(long)]
    from: Option<String>,
    /// Only events whose earliest day is on or before this date (today, YYYY, YYYY-MM,
    /// YYYY-MM-DD; YYYY and YYYY-MM mean their last day).
    #[arg(long)]
    to: Option<String>,
    /// Only events naming this actor code.
    #[arg(long)]
    actor: Option<String>,
}

/// An [`EventRange`] checked against a store.
struct Range {
    from: Option<Day>,
    to: Option<Day>,
    actor: Option<Code>,
}

impl EventRange {
    fn resolve(self, store: &Store) -> Result<Range> {
        Ok(Range {
            from: self.from.map(|f| first_day_of(&f)).transpose()?,
            to: self.to.map(|t| parse_day("--to", &t)).transpose()?,
            actor: self
                .actor
                .map(|a| known_actor(store, "--actor", &a))
                .transpose()?,
        })
    }
}

impl Range {
    /// Whether an event at this timeline position (its earliest day) is in the range.
    fn contains(&self, store: &Store, event: &annals::Event) -> Result<bool> {
        let day = store.timeline_key(event)?.map(|k| k.0);
        Ok(self.from.is_none_or(|f| day.is_some_and(|d| d >= f))
            && self.to.is_none_or(|t| day.is_some_and(|d| d <= t)))
    }
}

/// Arguments every view command takes.
#[derive(clap::Args, Debug)]
struct ViewArgs {
    /// Valid time: today, YYYY, YYYY-MM or YYYY-MM-DD (month and year mean their last day).
    #[arg(long, default_value = "today")]
    as_of: String,
    /// Knowledge: an RFC 3339 timestamp, seq:N, or now.
    #[arg(long, default_value = "now")]
    known_at: String,
    /// Only rows involving this actor code.
    #[arg(long)]
    actor: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Valid,
    Recorded,
}

/// Parse the command line, run it, and turn the outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let demo_uses_default_db = std::env::var_os("ANNALS_DB").is_none()
        && !std::env::args().any(|a| a == "--db" || a.starts_with("--db="));
    match dispatch(cli, demo_uses_default_db) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(1)
        }
    }
}

fn report(e: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    // Input errors list every bad line, one per line.
    if let Some(Error::InvalidInput(lines)) = e.downcast_ref::<Error>() {
        let context: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
        let _ = writeln!(
            stderr,
            "error: {} invalid line{}; nothing was written",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        );
        for l in lines.iter().take(50) {
            let _ = writeln!(stderr, "  {l}");
        }
        if lines.len() > 50 {
            let _ = writeln!(stderr, "  ... and {} more", lines.len() - 50);
        }
        let _ = context;
        return;
    }
    let _ = write!(stderr, "error: {e}");
    for cause in e.chain().skip(1) {
        let _ = write!(stderr, ": {cause}");
    }
    let _ = writeln!(stderr);
}

fn open_existing(path: &PathBuf, engine: Option<EngineKind>) -> Result<Store> {
    Ok(Store::open_with(
        path,
        StoreOptions {
            create: false,
            engine_kind: engine,
            ..StoreOptions::default()
        },
    )?)
}

fn open_or_create(path: &PathBuf, engine: Option<EngineKind>) -> Result<Store> {
    Ok(Store::open_with(
        path,
        StoreOptions {
            engine_kind: engine,
            ..StoreOptions::default()
        },
    )?)
}

fn parse_engine(text: &str) -> std::result::Result<EngineKind, String> {
    EngineKind::from_name(text).ok_or_else(|| format!("no engine named {text:?}; use redb or sled"))
}

fn parse_day(flag: &str, text: &str) -> Result<Day> {
    Day::parse_query(text).map_err(|e| anyhow!("{flag}: {e}"))
}

fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}

fn dispatch(cli: Cli, demo_uses_default_db: bool) -> Result<()> {
    let format = Format::of(cli.json, cli.jsonl);
    let json = format.is_machine();
    let look = Look::detect(cli.color);
    match cli.command {
        Command::Import {
            file,
            keep_recorded,
            dry_run: true,
        } => check(&cli.db, &file, keep_recorded, json, demo_uses_default_db),
        Command::Check {
            file,
            keep_recorded,
        } => check(&cli.db, &file, keep_recorded, json, demo_uses_default_db),
        Command::Schema => {
            let mut out = stdout();
            out.write_all(annals::interchange::JSON_SCHEMA.as_bytes())?;
            Ok(out.flush()?)
        }
        Command::Import {
            file,
            keep_recorded,
            dry_run: false,
        } => {
            let input = open_input(&file)?;
            let existed = cli.db.exists();
            let store = open_or_create(&cli.db, cli.engine)?;
            let mut progress =
                Progress::start("importing", "events", None, progress::bar_allowed(json));
            let result = store.import_reader(input, keep_recorded, &mut |lines| {
                progress.inc(lines.saturating_sub(progress.done()))
            });
            if result.is_err() && !existed {
                // A failed import writes nothing: not even the database it would have made.
                drop(store);
                let _ = std::fs::remove_dir_all(&cli.db);
            }
            let report = result?;
            progress.finish("read", report.events.len() as u64);
            print_import(&report, json)
        }
        Command::Append { event } => {
            let text = match event {
                Some(t) => t,
                None => {
                    let mut s = String::new();
                    std::io::stdin()
                        .lock()
                        .take(annals::limits::MAX_LINE_BYTES as u64 + 1)
                        .read_to_string(&mut s)
                        .context("reading the event from stdin")?;
                    s
                }
            };
            let text = text.trim();
            let parsed = parse_line(text).map_err(|reason| Error::input(1, reason))?;
            let store = open_or_create(&cli.db, cli.engine)?;
            let report = store.import_lines(vec![(1, parsed)], false)?;
            let (id, outcome) = report.events[0];
            let mut out = stdout();
            match (json, outcome) {
                (true, o) => writeln!(
                    out,
                    "{}",
                    json!({"id": id.to_string(), "seq": o.seq(), "already_present": matches!(o, annals::Outcome::AlreadyPresent(_))})
                )?,
                (false, annals::Outcome::Appended(seq)) => {
                    writeln!(out, "appended seq {seq} (id {id})")?
                }
                (false, annals::Outcome::AlreadyPresent(seq)) => writeln!(
                    out,
                    "already present at seq {seq} (id {id}); nothing written"
                )?,
            }
            Ok(out.flush()?)
        }
        Command::Log { range, kind, order } => {
            let store = open_existing(&cli.db, cli.engine)?;
            if let Some(k) = &kind {
                if !annals::event::KIND_NAMES.contains(&k.as_str()) {
                    let hint = annals::interchange::nearest(k, annals::event::KIND_NAMES)
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default();
                    return Err(anyhow!("--kind: unknown kind `{k}`{hint}"));
                }
            }
            let range = range.resolve(&store)?;
            let mut events: Vec<annals::Event> = match (&range.actor, order) {
                (Some(code), _) => store.actor_events(code)?,
                (None, Order::Valid) => store.read_repairing(|| {
                    store
                        .timeline(range.from, range.to)
                        .collect::<annals::Result<_>>()
                })?,
                (None, Order::Recorded) => store.events().collect::<annals::Result<_>>()?,
            };
            if range.actor.is_some() || order == Order::Recorded {
                let mut kept = Vec::with_capacity(events.len());
                for e in events {
                    if range.contains(&store, &e)? {
                        kept.push(e);
                    }
                }
                events = kept;
                if order == Order::Recorded {
                    events.sort_by_key(|e| e.seq);
                }
            }
            if let Some(k) = &kind {
                events.retain(|e| e.content.kind.name() == k);
            }
            let mut out = stdout();
            if json {
                for e in &events {
                    writeln!(out, "{}", event_line(e))?;
                }
            } else {
                render::event_table(&mut out, &look, &events)?;
            }
            Ok(out.flush()?)
        }
        Command::Export => {
            let store = open_existing(&cli.db, cli.engine)?;
            let mut progress = Progress::start(
                "exporting",
                "events",
                Some(store.head().seq),
                progress::bar_allowed(json),
            );
            let mut out = stdout();
            for e in store.events() {
                writeln!(out, "{}", event_line(&e?))?;
                progress.inc(1);
            }
            out.flush()?;
            let n = progress.done();
            progress.finish("exported", n);
            Ok(())
        }
        Command::Verify { since } => {
            let store = open_existing(&cli.db, cli.engine)?;
            let extends = since
                .map(|h| store.verify_extends(&h).map(|seq| (h, seq)))
                .transpose()?;
            let mut progress =
                Progress::start("verifying", "events", None, progress::bar_allowed(json));
            let report =
                store.verify_with_progress(&mut |done, total| progress.set(done, total))?;
            progress.finish("verified", report.events);
            if let Some((h, seq)) = &extends {
                if json {
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
            if json {
                writeln!(out, "{}", serde_json::to_string(&report)?)?;
            } else {
                writeln!(
                    out,
                    "ok: {} events, hash chain intact, {} index entries and {} view checkpoints match the log\nhead: seq {} hash {}",
                    report.events, report.index_entries, report.checkpoints, report.head_seq, report.head_hash
                )?;
            }
            Ok(out.flush()?)
        }
        Command::Stats => {
            let store = open_existing(&cli.db, cli.engine)?;
            let stats = store.stats()?;
            let mut out = stdout();
            if json {
                writeln!(out, "{}", serde_json::to_string(&stats)?)?;
            } else {
                render::stats(&mut out, &stats)?;
            }
            Ok(out.flush()?)
        }
        Command::Rebuild => {
            let store = open_existing(&cli.db, cli.engine)?;
            let mut progress =
                Progress::start("rebuilding", "events", None, progress::bar_allowed(json));
            let n = store.rebuild_with_progress(&mut |done, total| progress.set(done, total))?;
            progress.finish("rebuilt indexes and views from", n);
            Ok(())
        }
        Command::Alliances(args) => show_view(&cli.db, "alliances", &args, format, &look),
        Command::Deployments(args) => show_view(&cli.db, "deployments", &args, format, &look),
        Command::Leaders(args) => show_view(&cli.db, "leaders", &args, format, &look),
        Command::Arms(args) => show_view(&cli.db, "arms", &args, format, &look),
        Command::Tests(args) => show_view(&cli.db, "tests", &args, format, &look),
        Command::View { name, args } => show_view(&cli.db, &name, &args, format, &look),
        Command::Chart(command) => chart::run(&cli.db, command, format, &look),
        Command::History { code, known_at } => {
            let store = open_existing(&cli.db, cli.engine)?;
            let code = known_actor(&store, "history", &code)?;
            let known = KnownAt::parse(&known_at)?;
            // One knowledge for the entries and the basis printed with them.
            let basis = store.at(Day::today()).known_at(known).basis()?;
            let entries = store.history(&code, KnownAt::Seq(basis.known_seq))?;
            let mut out = stdout();
            match format {
                Format::Json => {
                    let rows: Vec<serde_json::Value> =
                        entries.iter().map(render::history_json).collect();
                    let mut m = basis.json();
                    m.shift_remove("as_of");
                    m.insert("actor".into(), json!(code.as_str()));
                    m.insert("events".into(), serde_json::Value::Array(rows));
                    writeln!(out, "{}", serde_json::Value::Object(m))?;
                }
                Format::Jsonl => {
                    for e in &entries {
                        writeln!(out, "{}", render::history_json(e))?;
                    }
                }
                Format::Human => {
                    writeln!(out, "history of {code}, {}", render::known_at(&basis))?;
                    render::history_table(&mut out, &look, &entries)?;
                }
            }
            Ok(out.flush()?)
        }
        Command::Diff {
            from,
            to,
            view,
            known_at,
        } => {
            let store = open_existing(&cli.db, cli.engine)?;
            let from = parse_day("from", &from)?;
            let to = parse_day("to", &to)?;
            let known = KnownAt::parse(&known_at)?;
            let names: Vec<String> = match view {
                Some(v) => vec![v],
                None => store.view_names().into_iter().map(String::from).collect(),
            };
            let mut diffs = Vec::new();
            for name in names {
                diffs.push(store.at(from).known_at(known).diff(&name, to)?);
            }
            let mut out = stdout();
            if json {
                let v: Vec<serde_json::Value> = diffs.iter().map(|d| d.to_json()).collect();
                writeln!(
                    out,
                    "{}",
                    if v.len() == 1 {
                        v[0].clone()
                    } else {
                        serde_json::Value::Array(v)
                    }
                )?;
            } else {
                for d in &diffs {
                    render::diff(&mut out, d)?;
                }
            }
            Ok(out.flush()?)
        }
        Command::Relations {
            a,
            b,
            as_of,
            known_at,
        } => {
            let store = open_existing(&cli.db, cli.engine)?;
            let a = known_actor(&store, "relations", &a)?;
            let b = known_actor(&store, "relations", &b)?;
            let as_of = parse_day("--as-of", &as_of)?;
            let rel = store
                .at(as_of)
                .known_at(KnownAt::parse(&known_at)?)
                .relations(&a, &b)?;
            let mut out = stdout();
            if json {
                writeln!(out, "{}", rel.to_json())?;
            } else {
                render::relations(&mut out, &look, &a, &b, &rel)?;
            }
            Ok(out.flush()?)
        }
        Command::Generate { events, seed } => {
            let mut out = stdout();
            for line in annals::workload::generate_lines(events, seed) {
                writeln!(out, "{line}")?;
            }
            Ok(out.flush()?)
        }
        Command::Timeline { range, known_at } => {
            let store = open_existing(&cli.db, cli.engine)?;
            let range = range.resolve(&store)?;
            let basis = store
                .at(Day::today())
                .known_at(KnownAt::parse(&known_at)?)
                .basis()?;
            let known = KnownAt::Seq(basis.known_seq);
            let mut entries = Vec::new();
            match &range.actor {
                Some(code) => {
                    for e in store.history(code, known)? {
                        if range.contains(&store, &e.shown)? {
                            entries.push(e);
                        }
                    }
                }
                None => {
                    entries = store.read_repairing(|| {
                        let mut entries = Vec::new();
                        for e in store.timeline(range.from, range.to) {
                            let e = e?;
                            if e.seq <= basis.known_seq {
                                entries.push(store.history_entry(e, known)?);
                            }
                        }
                        Ok(entries)
                    })?;
                }
            }
            let mut out = stdout();
            if json {
                for e in &entries {
                    writeln!(out, "{}", render::history_json(e))?;
                }
            } else {
                writeln!(
                    out,
                    "timeline{}, {}",
                    range
                        .actor
                        .as_ref()
                        .map(|a| format!(" of {a}"))
                        .unwrap_or_default(),
                    render::known_at(&basis)
                )?;
                render::chronology(&mut out, &look, &entries)?;
            }
            Ok(out.flush()?)
        }
        Command::Completions { shell } => {
            let mut out = stdout();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "annals",
                &mut out,
            );
            Ok(out.flush()?)
        }
        Command::Man => {
            let mut out = stdout();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
            Ok(out.flush()?)
        }
        Command::Tail {
            from_seq,
            max,
            poll_ms,
        } => tail(&cli.db, from_seq, max, poll_ms, json),
        Command::Demo => {
            let store = if demo_uses_default_db {
                Store::temporary()?
            } else {
                open_or_create(&cli.db, cli.engine)?
            };
            let mut out = stdout();
            demo::run(&store, &mut out, &look)?;
            Ok(out.flush()?)
        }
    }
}

/// The input of `import` and `check`: a file, or stdin for `-`.
fn open_input(file: &str) -> Result<Box<dyn std::io::BufRead>> {
    if file == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin().lock())));
    }
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {file}"))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
}

/// `check` and `import --dry-run`: validate against --db when one is given (flag or
/// ANNALS_DB), else against an empty temporary database.
fn check(
    db: &PathBuf,
    file: &str,
    keep_recorded: bool,
    json: bool,
    no_db_given: bool,
) -> Result<()> {
    let input = open_input(file)?;
    let store = if no_db_given {
        Store::temporary()?
    } else {
        open_existing(db, None)?
    };
    let outcome = match store.check_reader(input, keep_recorded, &mut |_| {}) {
        Ok(report) => Ok((report.events.len(), report)),
        Err(Error::InvalidInput(errors)) => Err(errors),
        Err(e) => return Err(e.into()),
    };
    let mut out = stdout();
    match outcome {
        Ok((n, report)) => {
            if json {
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
        Err(errors) => {
            if json {
                writeln!(out, "{}", json!({"valid": false, "errors": errors}))?;
                out.flush()?;
            }
            Err(Error::InvalidInput(errors).into())
        }
    }
}

fn tail(
    db: &PathBuf,
    from_seq: Option<u64>,
    max: Option<u64>,
    poll_ms: u64,
    json: bool,
) -> Result<()> {
    let mut next = from_seq;
    let mut printed = 0u64;
    loop {
        match Store::open_with(
            db,
            StoreOptions {
                create: false,
                ..StoreOptions::default()
            },
        ) {
            Ok(store) => {
                let start = *next.get_or_insert(store.head().seq + 1);
                let mut out = stdout();
                let mut sub = store.subscribe(start);
                while let Some(event) = sub.try_next() {
                    let event = event?;
                    if json {
                        writeln!(out, "{}", event_line(&event))?;
                    } else {
                        writeln!(out, "{}", render::event_line(&event))?;
                    }
                    printed += 1;
                    if max.is_some_and(|m| printed >= m) {
                        return Ok(out.flush()?);
                    }
                }
                next = Some(sub.position());
                out.flush()?;
            }
            // Another process is writing: look again at the next poll.
            Err(Error::InUse { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(poll_ms.max(10)));
    }
}

/// Parse an `--actor` (or positional) code and make sure the log knows it; an unknown
/// code is an error that suggests the nearest known ones.
fn known_actor(store: &Store, flag: &str, text: &str) -> Result<Code> {
    let code = Code::parse(text).map_err(|e| anyhow!("{flag}: {e}"))?;
    if store.knows_code(&code)? || store.head().seq == 0 {
        return Ok(code);
    }
    // Only now list every code (one scan of the actor index) for suggestions.
    let known = store.known_codes()?;
    let mut near: Vec<(usize, &String)> = known
        .iter()
        .map(|k| (annals::interchange::edit_distance(code.as_str(), k), k))
        .collect();
    near.sort();
    let suggestions: Vec<&str> = near
        .iter()
        .take(3)
        .filter(|(d, _)| *d <= 2)
        .map(|(_, k)| k.as_str())
        .collect();
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    };
    Err(anyhow!("{flag}: no event names `{code}`{hint}"))
}

fn show_view(db: &PathBuf, name: &str, args: &ViewArgs, format: Format, look: &Look) -> Result<()> {
    let store = open_existing(db, None)?;
    let as_of = parse_day("--as-of", &args.as_of)?;
    let known = KnownAt::parse(&args.known_at)?;
    let actor = args
        .actor
        .as_deref()
        .map(|a| known_actor(&store, "--actor", a))
        .transpose()?;
    let (basis, rows) = store
        .at(as_of)
        .known_at(known)
        .view_rows_json(name, actor.as_ref())?;
    let rows: Vec<serde_json::Value> = rows.into_iter().map(|(_, r)| r).collect();
    let mut out = stdout();
    match format {
        Format::Json => {
            let mut m = basis.json();
            m.insert("rows".into(), serde_json::Value::Array(rows));
            writeln!(out, "{}", serde_json::Value::Object(m))?;
        }
        Format::Jsonl => {
            // Each line names its basis, so a line read alone still says what it answers.
            for row in rows {
                let mut m = basis.json();
                m.insert("row".into(), row);
                writeln!(out, "{}", serde_json::Value::Object(m))?;
            }
        }
        Format::Human => {
            writeln!(out, "{name} {}", basis.describe())?;
            render::json_rows(&mut out, look, &rows)?;
        }
    }
    Ok(out.flush()?)
}

/// `--from 2024` means from the first day of 2024 (`--to 2024`, to its last day).
fn first_day_of(text: &str) -> Result<Day> {
    let last = parse_day("--from", text)?;
    Ok(annals::Date::parse(text.trim())
        .map(|d| d.earliest())
        .unwrap_or(last))
}

fn print_import(report: &annals::AppendReport, json: bool) -> Result<()> {
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
