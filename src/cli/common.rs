//! What every command shares: the global flags as one context, opening the store, parsing
//! days and actor codes, the event range of `log` and `timeline`, and buffered stdout.

use super::args::{DayRange, EventRange};
use super::failure::usage;
use super::output::{Format, Look};
use annals::{Code, Day, EngineKind, KnownAt, Store, StoreOptions};
use anyhow::Result;
use std::path::PathBuf;

/// The global flags, resolved once for the command that runs.
pub struct Ctx {
    /// `--db`.
    pub db: PathBuf,
    /// `--engine`, for a database the command creates.
    pub engine: Option<EngineKind>,
    /// `--json`, `--jsonl` or neither.
    pub format: Format,
    /// Colour and width of human output.
    pub look: Look,
    /// Neither `--db` nor ANNALS_DB was given: `demo` and `check` use a temporary database.
    pub no_db_given: bool,
}

impl Ctx {
    /// Whether the output is machine-readable (`--json` or `--jsonl`).
    pub fn json(&self) -> bool {
        self.format.is_machine()
    }

    /// The store at `--db`, which must exist, opened with `--engine`.
    /// The store at `path`, which must exist; an existing database opens with its own engine.
    pub fn open_existing(&self) -> Result<Store> {
        open_existing(&self.db, self.engine)
    }

    /// The store at `--db`, created with `--engine` when absent.
    /// The store at `path`, created with `engine` (default redb) when absent.
    pub fn open_or_create(&self) -> Result<Store> {
        open_or_create(&self.db, self.engine)
    }
}

/// An [`EventRange`] (or a [`DayRange`]) checked against a store.
pub struct Range {
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub actor: Option<Code>,
}

impl EventRange {
    /// Parse the dates (a bad one is a usage error whether or not the database opens),
    /// then open the store with `open` and check the actor code against it.
    pub fn resolve(self, open: impl FnOnce() -> Result<Store>) -> Result<(Store, Range)> {
        let days = self.days.resolve()?;
        let store = open()?;
        let range = Range {
            actor: check_actor(&store, self.actor)?,
            ..days
        };
        Ok((store, range))
    }

    /// [`EventRange::resolve`] against a store already open (as `annals serve` has it).
    pub fn resolve_in(self, store: &Store) -> Result<Range> {
        Ok(Range {
            actor: check_actor(store, self.actor)?,
            ..self.days.resolve()?
        })
    }
}

/// `--actor`, when given, checked against the store.
fn check_actor(store: &Store, actor: Option<String>) -> Result<Option<Code>> {
    actor.map(|a| known_actor(store, "--actor", &a)).transpose()
}

impl DayRange {
    /// The days, parsed (a range of any actor).
    pub fn resolve(self) -> Result<Range> {
        Ok(Range {
            from: self.from.map(|f| first_day_of(&f)).transpose()?,
            to: self.to.map(|t| parse_day("--to", &t)).transpose()?,
            actor: None,
        })
    }
}

impl Range {
    /// Whether an event at this timeline position (its earliest day) is in the range.
    pub fn contains(&self, store: &Store, event: &annals::Event) -> Result<bool> {
        let day = store.timeline_key(event)?.map(|k| k.0);
        Ok(self.from.is_none_or(|f| day.is_some_and(|d| d >= f))
            && self.to.is_none_or(|t| day.is_some_and(|d| d <= t)))
    }
}

/// `--wait` (or ANNALS_WAIT) and `--read-only`, set once by `run` before any command
/// opens a store.
static OPENING: std::sync::OnceLock<(std::time::Duration, bool)> = std::sync::OnceLock::new();

/// Set how every open of this run waits, and whether it is read-only (the first call wins).
pub fn set_opening(wait: std::time::Duration, read_only: bool) {
    let _ = OPENING.set((wait, read_only));
}

/// The options every command opens a store with: `--wait`, `--read-only` and the engine.
pub fn store_options(create: bool, engine: Option<EngineKind>) -> StoreOptions {
    let (wait, read_only) = OPENING
        .get()
        .copied()
        .unwrap_or((annals::DEFAULT_WAIT, false));
    StoreOptions {
        create,
        engine_kind: engine,
        ..StoreOptions::default()
    }
    .with_wait(wait)
    .with_read_only(read_only)
}

pub fn open_existing(path: &PathBuf, engine: Option<EngineKind>) -> Result<Store> {
    Ok(Store::open_with(path, store_options(false, engine))?)
}

pub fn open_or_create(path: &PathBuf, engine: Option<EngineKind>) -> Result<Store> {
    Ok(Store::open_with(path, store_options(true, engine))?)
}

/// A query day (today, YYYY, YYYY-MM, YYYY-MM-DD; month and year mean their last day);
/// an error is a usage error that names the flag.
pub fn parse_day(flag: &str, text: &str) -> Result<Day> {
    Day::parse_query(text).map_err(|e| usage(format!("{flag}: {e}")))
}

/// A knowledge (now, seq:N, an RFC 3339 timestamp, or a day: the end of it, UTC); an
/// error is a usage error that names the flag.
pub fn parse_known_at(flag: &str, text: &str) -> Result<KnownAt> {
    KnownAt::parse(text).map_err(|e| {
        let e = e.to_string();
        usage(match e.strip_prefix("known-at ") {
            Some(rest) => format!("{flag} {rest}"),
            None => format!("{flag}: {e}"),
        })
    })
}

/// Standard output, locked and buffered: every command's data goes here.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}

/// Parse an `--actor` (or positional) code and make sure the log knows it; a malformed or
/// unknown code is a usage error, and an unknown one suggests the nearest known ones, and the crosswalk's nearest by
/// name.
pub fn known_actor(store: &Store, flag: &str, text: &str) -> Result<Code> {
    let code = Code::parse(text).map_err(|e| usage(format!("{flag}: {e}")))?;
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
    let mut suggestions: Vec<String> = near
        .iter()
        .take(3)
        .filter(|(d, _)| *d <= 2)
        .map(|(_, k)| k.to_string())
        .collect();
    // The crosswalk suggests by name too ("SOVIET" → SUN (Soviet Union)).
    for e in annals::codes::suggest(code.as_str()).iter().take(3) {
        if !suggestions.iter().any(|s| s == e.code) {
            suggestions.push(format!("{} ({})", e.code, e.name));
        }
    }
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    };
    Err(usage(format!("{flag}: no event names `{code}`{hint}")))
}

/// `--from 2024` means from the first day of 2024 (`--to 2024`, to its last day).
pub fn first_day_of(text: &str) -> Result<Day> {
    let last = parse_day("--from", text)?;
    Ok(annals::Date::parse(text.trim())
        .map(|d| d.earliest())
        .unwrap_or(last))
}

/// `1 event`, `2 events`, `1 index entry`, `1,024 index entries`: a count with its noun in
/// the right number (and thousands separated).
pub fn plural(n: u64, noun: &str) -> String {
    let n_text = super::progress::thousands(n);
    if n == 1 {
        return format!("{n_text} {noun}");
    }
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{n_text} {stem}ies"),
        _ => format!("{n_text} {noun}s"),
    }
}
