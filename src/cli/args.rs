//! The command line as data: every command, flag and argument (clap derive). Declarative
//! tables only; what a command does lives in `commands/`.

use super::chart::ChartCommand;
use super::output::ColorChoice;
use annals::EngineKind;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "annals",
    version,
    about = "An embedded, bitemporal timeline database for diplomatic and military events",
    after_help = "Examples:\n  annals --db demo.db demo\n  annals --db my.db import schema/examples/sample_timeline.jsonl --keep-recorded\n  annals --db my.db log --actor PRK --from 2024\n  annals --db my.db chart deployments --actor PRK --svg prk.svg"
)]
pub struct Cli {
    /// Database directory [env: ANNALS_DB] [default: ./annals.db]
    #[arg(
        long,
        global = true,
        env = "ANNALS_DB",
        default_value = "annals.db",
        hide_env = true,
        hide_default_value = true
    )]
    pub db: PathBuf,

    /// Print machine-readable JSON instead of a table (the stable format).
    #[arg(long, global = true)]
    pub json: bool,

    /// Storage engine for a database this command creates: redb (default) or sled
    /// [env: ANNALS_ENGINE]. An existing database always opens with its own engine.
    #[arg(long, global = true, value_parser = parse_engine, value_name = "ENGINE")]
    pub engine: Option<EngineKind>,

    /// Print JSON Lines: one object per row, event or chart step, to stream into jq and
    /// other tools (a command with a single answer prints it as one line).
    #[arg(long, global = true, conflicts_with = "json")]
    pub jsonl: bool,

    /// When to colour output: auto (stdout is a terminal and NO_COLOR is unset), always or
    /// never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// How long to wait while another process holds the database, e.g. 500ms, 5s, 2m;
    /// 0 fails at once [env: ANNALS_WAIT] [default: 5s].
    #[arg(long, global = true, env = "ANNALS_WAIT", hide_env = true, value_name = "DURATION", value_parser = annals::parse_wait)]
    pub wait: Option<std::time::Duration>,

    /// Open the database for reading only: commands that would write fail, and on redb
    /// any number of read-only commands share the database at once (never beside a
    /// writer); on sled the open stays exclusive.
    #[arg(long, global = true)]
    pub read_only: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import JSON Lines from FILE (or - for stdin), or a published dataset's table with
    /// --from. All rows are validated first; any invalid one fails the whole import and
    /// nothing is written (unless --skip-invalid). Errors are those `check` reports; a
    /// follow-on error (one caused by an earlier invalid line) is marked.
    #[command(
        after_help = "Example:\n  annals import events.jsonl\n  cat events.jsonl | annals import -\n  annals import --list-formats\n  annals import --from archigos archigos_4.1.csv\n  annals import --from csv --map my-mapping.toml data.csv --dry-run\n  annals import --show-map sipri > my-mapping.toml"
    )]
    Import(ImportArgs),
    /// Validate JSON Lines exactly as `import` would (the same parser; with --db, the same
    /// checks against that database), write nothing, and report every invalid line, the
    /// follow-on errors of an earlier invalid line marked `(follow-on of line N)`.
    #[command(
        after_help = "Example:\n  annals check events.jsonl\n  annals --db my.db check events.jsonl --json"
    )]
    Check {
        /// A JSON Lines file, or - for standard input.
        file: String,
        /// Check each line's `recorded` time as `import --keep-recorded` would.
        #[arg(long)]
        keep_recorded: bool,
        /// Treat plausibility warnings as errors, as `import --strict` would.
        #[arg(long)]
        strict: bool,
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
        /// Append only if the log still ends at seq N (optimistic concurrency); otherwise
        /// write nothing and exit 3.
        #[arg(long, value_name = "N")]
        expect_seq: Option<u64>,
        /// Treat plausibility warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Correct some fields of an event: a partial correction of TARGET (a seq such as 17
    /// or seq:17, an id, or a unique id prefix of at least 8 hex digits), checked as
    /// `import` checks it. The stored correction carries the whole new version.
    #[command(
        after_help = "Example:\n  annals amend 17 --set strength=190000 --source https://example.org/report\n  annals amend 3f9c2d1e --set date=2022-02-23 --summary \"dated a day earlier\""
    )]
    Amend(AmendArgs),
    /// Retract an event: TARGET (a seq, seq:N, an id or an id prefix) no longer holds.
    #[command(after_help = "Example:\n  annals retract 17 --reason \"the report was withdrawn\"")]
    Retract(RetractArgs),
    /// List events in timeline order (or recorded order), each with a short id (the first 8
    /// hex digits of its UUID); a correction shows the fields it changed.
    #[command(
        after_help = "Example:\n  annals log --actor PRK --from 2024 --kind deployment\n  annals log --on 2013-01-04 --kind armed_conflict"
    )]
    Log {
        #[command(flatten)]
        range: EventRange,
        /// Only events that may cover this day (YYYY-MM-DD): a multi-day event counts on
        /// every day of its interval, an imprecise date on every day it may mean (`--from`
        /// and `--to` select by an event's first day instead).
        #[arg(long, value_name = "DAY", conflicts_with_all = ["from", "to"])]
        on: Option<String>,
        /// Only events of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Timeline (valid-time) order, or recorded (seq) order.
        #[arg(long, value_enum, default_value_t = Order::Valid)]
        order: Order,
    },
    /// Write every event in seq order as JSON Lines; or, with `--format geojson`, the events
    /// with coordinates as a GeoJSON FeatureCollection.
    #[command(
        after_help = "Example:\n  annals export > backup.jsonl\n  annals --db copy.db import backup.jsonl --keep-recorded\n  annals export --format geojson > events.geojson"
    )]
    Export {
        /// jsonl (every event, the default) or geojson (a FeatureCollection of the events
        /// that have `location.lat`/`lon`; how many had none is reported on stderr).
        #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
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
    /// Cumulative arms transfers up to a date; with --by, totals by number and by TIV.
    #[command(
        after_help = "Example:\n  annals arms --actor PRK --as-of 2024\n  annals arms --by supplier --as-of 1990"
    )]
    Arms {
        #[command(flatten)]
        args: ViewArgs,
        /// Total the rows per supplier, recipient or pair.
        #[arg(long, value_enum)]
        by: Option<ArmsBy>,
    },
    /// Missile and nuclear tests summed up to a date.
    #[command(after_help = "Example:\n  annals tests --actor PRK --as-of 2017")]
    Tests(ViewArgs),
    /// Organised violence up to a date (UCDP GED events): deaths and activity per
    /// (conflict, sides, country); with --by, totals per conflict, country or pair of sides.
    #[command(
        after_help = "Example:\n  annals conflicts --as-of 2013-12-31 --actor SYR\n  annals conflicts --by country --as-of 2022"
    )]
    Conflicts {
        #[command(flatten)]
        args: ViewArgs,
        /// Total the rows per conflict, country or pair of sides.
        #[arg(long, value_enum)]
        by: Option<ConflictsBy>,
    },
    /// Members of the state system (COW) as of a date.
    #[command(after_help = "Example:\n  annals states --as-of 1990-10-02")]
    States(ViewArgs),
    /// A built-in view by name: alliances, deployments, leaders, arms, tests, conflicts or
    /// states. (Custom views are registered by a program that embeds the library, with
    /// `StoreOptions::with_view`; this binary knows only the built-ins.)
    #[command(after_help = "Example:\n  annals view deployments --as-of 2024-11")]
    View {
        /// The view's name: alliances, deployments, leaders, arms, tests, conflicts or states.
        name: String,
        #[command(flatten)]
        args: ViewArgs,
    },
    /// Every event involving an actor, in timeline order, with corrections applied and
    /// retracted or superseded events marked; each correction shows the fields it changed.
    #[command(
        override_usage = "annals history <CODE> [--from DATE] [--to DATE] [--kind KIND] [--known-at K] [--json | --jsonl]",
        after_help = "Example:\n  annals history JPN --known-at 2024-11-16T00:00:00Z\n  annals history PRK --from 2024-10 --kind deployment"
    )]
    History(HistoryArgs),
    /// Rows added, removed and changed between two as-of dates (at one knowledge), or,
    /// with `--known-at` given twice, between two knowledges on one as-of date.
    #[command(
        override_usage = "annals diff <FROM> <TO> [--view VIEW] [--known-at K]\n       annals diff --known-at A --known-at B [--as-of DATE] [--view VIEW]",
        after_help = "Example:\n  annals diff 2024-01-01 2024-12-31 --view deployments\n  annals diff --known-at 2024-11-01 --known-at now --as-of 2024-11-15 --view deployments"
    )]
    Diff(DiffArgs),
    /// What two actors share: alliances, deployments of one in the other, arms flows, and
    /// the events naming both: meetings, agreements, sanctions (either way), joint
    /// exercises and statements. Every section is printed; an empty one says `(none)`.
    #[command(after_help = "Example:\n  annals relations PRK RUS --as-of 2024-11-15")]
    Relations {
        a: String,
        b: String,
        /// Valid time: today, YYYY, YYYY-MM or YYYY-MM-DD (month and year mean their last day).
        #[arg(long, default_value = "today")]
        as_of: String,
        /// Knowledge: now, seq:N, an RFC 3339 timestamp, or a day (YYYY-MM-DD, YYYY-MM, YYYY, today: the end of that day, UTC).
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
    /// A readable chronology: one line per event, grouped by year and month, with its short
    /// id, summary and source, and markers for corrected and retracted events (a
    /// correction's with the fields it changed).
    #[command(
        after_help = "Example:\n  annals timeline --from 2024-10 --actor PRK\n  annals timeline --actor JPN --known-at 2024-11-16T00:00:00Z"
    )]
    Timeline {
        #[command(flatten)]
        range: EventRange,
        /// Knowledge: now, seq:N, an RFC 3339 timestamp, or a day (YYYY-MM-DD, YYYY-MM, YYYY, today: the end of that day, UTC).
        #[arg(long, default_value = "now")]
        known_at: String,
    },
    /// Draw a chart of the timeline: deployment strength over time, or alliance membership.
    /// In the terminal with Unicode blocks and braille; with --svg, as an SVG file.
    #[command(
        subcommand,
        after_help = "Examples:\n  annals chart deployments --actor PRK\n  annals chart deployments --actor PRK --host RUS --known-at 2024-11-01T00:00:00Z --svg prk.svg\n  annals chart alliances --alliance NATO --svg nato.svg\n  annals chart alliances --from 1990"
    )]
    Chart(ChartCommand),
    /// The code crosswalk: annals codes with their COW, Gleditsch–Ward and ISO codes, names
    /// and years. QUERY matches a code of any system, a number or part of a name; no match
    /// suggests the nearest names. Needs no database.
    #[command(
        after_help = "Example:\n  annals codes\n  annals codes soviet\n  annals codes 365 --json"
    )]
    Codes {
        /// A code (SUN, GMY, 255) or part of a name (soviet); all rows when absent.
        query: Option<String>,
    },
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
    /// Serve the time-travel explorer: one page and a read-only JSON API (the answers of
    /// the `--json` commands) over HTTP, from this binary, with no network needed. Binds
    /// to loopback unless --bind says otherwise (then it warns). Ctrl-C stops it.
    #[command(
        after_help = "Example:\n  annals --db demo.db serve\n  annals --db demo.db serve --bind 127.0.0.1:0 --open\n  curl 'http://127.0.0.1:8080/api/views/deployments?as_of=2024-11-15&actor=PRK'"
    )]
    Serve(ServeArgs),
    /// Import the bundled sample timeline (into --db when given, else a temporary database
    /// that is gone when the tour ends), show it, and name commands to try next.
    #[command(
        after_help = "Example:\n  annals --db demo.db demo\n  annals --db demo.db timeline --actor PRK"
    )]
    Demo,
}

/// Which days `log`, `timeline` and `history` list events from.
#[derive(clap::Args, Debug)]
pub struct DayRange {
    /// Only events whose earliest day is on or after this date (today, YYYY, YYYY-MM,
    /// YYYY-MM-DD; YYYY and YYYY-MM mean their first day).
    #[arg(long)]
    pub from: Option<String>,
    /// Only events whose earliest day is on or before this date (today, YYYY, YYYY-MM,
    /// YYYY-MM-DD; YYYY and YYYY-MM mean their last day).
    #[arg(long)]
    pub to: Option<String>,
}

/// Which events `log` and `timeline` list.
#[derive(clap::Args, Debug)]
pub struct EventRange {
    #[command(flatten)]
    pub days: DayRange,
    /// Only events naming this actor code.
    #[arg(long)]
    pub actor: Option<String>,
}

/// The arguments of `history`.
#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// An actor code (or alliance code).
    pub code: String,
    #[command(flatten)]
    pub days: DayRange,
    /// Only events of this kind (a correction in effect counts as its replacement's kind).
    #[arg(long)]
    pub kind: Option<String>,
    /// Knowledge: now, seq:N, an RFC 3339 timestamp, or a day (YYYY-MM-DD, YYYY-MM, YYYY, today: the end of that day, UTC).
    #[arg(long, default_value = "now")]
    pub known_at: String,
}

/// The arguments of `diff`: two as-of dates, or two knowledges (see [`DiffArgs::mode`]).
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier as-of date (not with two --known-at).
    #[arg(requires = "to")]
    pub from: Option<String>,
    /// The later as-of date.
    pub to: Option<String>,
    /// Only this view (default: every view).
    #[arg(long)]
    pub view: Option<String>,
    /// Knowledge: now, seq:N, an RFC 3339 timestamp, or a day (YYYY-MM-DD, YYYY-MM, YYYY,
    /// today: the end of that day, UTC). Default now; give it twice, without FROM and TO,
    /// to compare what was known at the first with what was known at the second, on the
    /// --as-of date.
    #[arg(long, value_name = "K", action = clap::ArgAction::Append)]
    pub known_at: Vec<String>,
    /// With two --known-at: the as-of date both knowledges answer for (today, YYYY,
    /// YYYY-MM or YYYY-MM-DD; month and year mean their last day). Default today.
    #[arg(long, value_name = "DATE", conflicts_with_all = ["from", "to"])]
    pub as_of: Option<String>,
}

/// What `diff` compares.
#[derive(Debug, PartialEq, Eq)]
pub enum DiffMode {
    /// Two as-of dates at one knowledge.
    Dates {
        from: String,
        to: String,
        known_at: String,
    },
    /// Two knowledges on one as-of date.
    Knowledge {
        as_of: String,
        from: String,
        to: String,
    },
}

impl DiffArgs {
    /// The comparison asked for; a mixture of the two forms is a usage error.
    pub fn mode(self) -> Result<DiffMode, clap::Error> {
        let usage = |message: &str| {
            use clap::CommandFactory;
            let mut cli = Cli::command();
            let diff = cli.find_subcommand_mut("diff").map(|c| c.clone());
            diff.unwrap_or(cli)
                .error(clap::error::ErrorKind::ArgumentConflict, message)
        };
        let mut known = self.known_at.into_iter();
        match (self.from.zip(self.to), known.len(), self.as_of) {
            (_, 3.., _) => Err(usage(
                "--known-at is given once (two dates) or twice (two knowledges), not more",
            )),
            (Some(_), 2, _) => Err(usage(
                "give either two as-of dates FROM TO, or --known-at twice (with --as-of), not both",
            )),
            (None, 2, as_of) => Ok(DiffMode::Knowledge {
                as_of: as_of.unwrap_or_else(|| "today".into()),
                from: known.next().unwrap_or_default(),
                to: known.next().unwrap_or_default(),
            }),
            (Some((from, to)), _, None) => Ok(DiffMode::Dates {
                from,
                to,
                known_at: known.next().unwrap_or_else(|| "now".into()),
            }),
            (_, _, Some(_)) => Err(usage(
                "--as-of goes with two --known-at; with FROM TO, the dates are the as-of dates",
            )),
            (None, _, None) => Err(usage(
                "give two as-of dates FROM TO, or --known-at twice to compare two knowledges",
            )),
        }
    }
}

/// Arguments every view command takes.
#[derive(clap::Args, Debug)]
pub struct ViewArgs {
    /// Valid time: today, YYYY, YYYY-MM or YYYY-MM-DD (month and year mean their last day).
    #[arg(long, default_value = "today")]
    pub as_of: String,
    /// Knowledge: now, seq:N, an RFC 3339 timestamp, or a day (YYYY-MM-DD, YYYY-MM, YYYY, today: the end of that day, UTC).
    #[arg(long, default_value = "now")]
    pub known_at: String,
    /// Only rows involving this actor code.
    #[arg(long)]
    pub actor: Option<String>,
    /// Output format: table (for people, the default), json, jsonl or csv (a header row,
    /// then one row per view row; lists joined by `;`, null as an empty cell). `--json`
    /// and `--jsonl` are aliases of `--format json` and `--format jsonl`.
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with_all = ["json", "jsonl"])]
    pub format: Option<AnswerFormat>,
}

/// `--format` of a view answer.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerFormat {
    /// An aligned table with a header line naming the basis.
    Table,
    /// One JSON object (as `--json`).
    Json,
    /// JSON Lines, one row per line (as `--jsonl`).
    Jsonl,
    /// CSV (RFC 4180): a header row of the row's fields, one record per row.
    Csv,
}

/// `--by` of `arms`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmsBy {
    Supplier,
    Recipient,
    Pair,
}

/// `--by` of `conflicts`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictsBy {
    Conflict,
    Country,
    Pair,
}

/// `--format` of `export`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// JSON Lines, every event in seq order (the interchange format; the default).
    #[default]
    Jsonl,
    /// A GeoJSON FeatureCollection of the events with coordinates.
    Geojson,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Valid,
    Recorded,
}

pub fn parse_engine(text: &str) -> std::result::Result<EngineKind, String> {
    EngineKind::from_name(text).ok_or_else(|| match text {
        "postgres" | "postgresql" => "a PostgreSQL store is chosen by its URL, not by --engine: use --db postgres://user@host:port/dbname".to_string(),
        _ => format!("no engine named {text:?}; use redb or sled (or --db postgres://… for PostgreSQL)"),
    })
}

/// The arguments of `import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A JSON Lines file (or, with --from, a table), or - for standard input.
    #[arg(required_unless_present_any = ["list_formats", "show_map"])]
    pub file: Option<String>,
    /// Keep each line's `recorded` time (restoring an export) instead of assigning now.
    #[arg(long, conflicts_with = "from")]
    pub keep_recorded: bool,
    /// Validate only, write nothing. With --from: print the first events it would make
    /// (see --limit) and every row it cannot map.
    #[arg(long)]
    pub dry_run: bool,
    /// Read FILE as a table: `csv` (with --map), or a bundled format (see --list-formats).
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
    /// The mapping file for `--from csv` (see `--show-map` for examples).
    #[arg(long, value_name = "MAPPING", requires = "from")]
    pub map: Option<std::path::PathBuf>,
    /// Import the rows that map and report the others, instead of failing.
    #[arg(long, requires = "from")]
    pub skip_invalid: bool,
    /// Treat plausibility warnings (an actor deployed in its own territory, a strength of
    /// 0, a date after the day it is recorded) as errors: nothing is written.
    #[arg(long)]
    pub strict: bool,
    /// How many events a --dry-run with --from prints.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// List the bundled formats: name, dataset and citation.
    #[arg(long, conflicts_with_all = ["file", "show_map"])]
    pub list_formats: bool,
    /// Print a bundled format's mapping file (a starting point for your own).
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub show_map: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct AmendArgs {
    /// The event to correct: a seq (17 or seq:17), an id, or a unique id prefix.
    pub target: String,
    /// A field to change, as FIELD=VALUE (repeatable). VALUE is read as JSON when it is a
    /// number, array or object, else as text; `FIELD=null` removes an optional field.
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true, value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Where the correction comes from: a URL or a name.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
    /// Why, in a sentence (the correction's own summary).
    #[arg(long)]
    pub summary: Option<String>,
    /// Treat plausibility warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(clap::Args, Debug)]
pub struct RetractArgs {
    /// The event to retract: a seq (17 or seq:17), an id, or a unique id prefix.
    pub target: String,
    /// Why it no longer holds.
    #[arg(long)]
    pub reason: String,
    /// Where the retraction comes from: a URL or a name.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
}

/// `FIELD=VALUE` for `amend --set`.
fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "expected FIELD=VALUE, like strength=190000; got `{text}`"
        )),
    }
}

/// The arguments of `serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the address bound is printed on
    /// stderr). Anything but a loopback address makes the explorer reachable from other
    /// machines, and prints a warning.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Open the explorer in the default browser once listening.
    #[arg(long)]
    pub open: bool,
}
