//! Side-by-side comparison: annals (on sled, on redb and on PostgreSQL) against three
//! SQLite designs and naive event sourcing, on the same generated events, in one run.
//!
//! ```sh
//! cargo run --release --example compare -- --size 100000
//! cargo run --release --example compare -- --size 1000000 --markdown
//! ```
//!
//! (An example rather than a `[[bin]]`, because SQLite comes in through rusqlite as a
//! dev-dependency only: the library and the `annals` binary never link it.)
//!
//! The parent writes the workload (`annals::workload::generate_lines`, seeded) to a JSON
//! Lines file, then runs every contender in a child process of its own (this program
//! with `--contender NAME`), so that each one's peak RSS is its own. Each child prints one
//! JSON object of measurements; the parent prints a table with absolute figures, the best
//! SQLite design per metric and the ratios of each annals engine against that best one and
//! against naive.
//!
//! The contenders:
//! - **annals-sled**, **annals-redb**, **annals-postgres**: `Store::import_reader`
//!   (streaming import, views maintained), `store.at(day).known_at(k).view::<V>()`.
//!   annals-postgres runs when `$ANNALS_COMPARE_POSTGRES` names a database on a
//!   PostgreSQL server (it makes its own database `annals_compare` there); otherwise it
//!   is skipped with a notice.
//!
//! Durable appends from many writer processes at once (`concurrent.rs`) are measured for
//! the annals engines and plain SQLite.
//! - **sqlite**: what a careful user would build by hand — a table of events (the JSON
//!   line as the body) with indexes on id, (kind, valid date) and actor, in WAL mode,
//!   imported in transactions of 10,000 rows; an as-of answer selects the events of the
//!   view's kinds dated up to the day (plus every correction and retraction) with SQL, and
//!   folds them in Rust with `annals::replay`.
//! - **sqlite-latest** (`latest.rs`): the events table, plus per view a table of event
//!   versions with their knowledge interval `[kf, kt)`, indexed by the view's row key; an
//!   answer is one SQL query (latest report per key by `ROW_NUMBER() OVER (PARTITION BY
//!   key …)`, or `SUM … GROUP BY` for the cumulative views).
//! - **sqlite-interval** (`interval.rs`): the events table, plus per view an R*Tree of
//!   answer rows with their valid-day and knowledge rectangles, computed at import (and per
//!   append) by annals' fold per key; an answer is one range probe.
//! - **naive**: an append-only JSON Lines file; every query reads and parses the whole
//!   file and folds it with `annals::replay` (event sourcing without snapshots).
//!
//! Every contender answers the same queries (same days, same knowledge), and the parent
//! checks that the answers are identical (a SHA-256 of each answer's rows), so the
//! comparison compares equal work.

mod concurrent;
mod interval;
mod latest;
mod resolve;

use annals::event::KindTag;
use annals::interchange::{parse_line, read_lines, ParsedLine};
use annals::replay::Replay;
use annals::views::{Alliances, Arms, Deployments, Leaders, Tests, View};
use annals::workload::{generate_lines, Rng};
use annals::{Day, EngineKind, Event, Kind, KnownAt, Store, StoreOptions};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use resolve::{Change, Resolver};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, Error>;

const VIEWS: [&str; 5] = ["alliances", "deployments", "leaders", "arms", "tests"];
const CONTENDERS: [&str; 7] = [
    "annals-sled",
    "annals-redb",
    "annals-postgres",
    "sqlite",
    "sqlite-latest",
    "sqlite-interval",
    "naive",
];

struct Args {
    size: usize,
    seed: u64,
    /// Random as-of days per view (and as many known-at-in-the-past queries).
    queries: usize,
    /// Seconds a slow contender may spend on one view's series before it stops (after at
    /// least 3 queries).
    budget: f64,
    appends: usize,
    dir: Option<PathBuf>,
    contender: Option<String>,
    only: Vec<String>,
    markdown: bool,
    /// Writer processes of the concurrent-appends measurement, and appends per writer.
    writers: usize,
    writer_appends: usize,
    /// Run as writer process I of the concurrent-appends measurement of this contender.
    writer_of: Option<(String, usize)>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        size: 100_000,
        seed: 1,
        queries: 30,
        budget: 20.0,
        appends: 1_000,
        dir: None,
        contender: None,
        only: CONTENDERS.iter().map(|s| s.to_string()).collect(),
        markdown: false,
        writers: 8,
        writer_appends: 250,
        writer_of: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => args.size = value()?.replace('_', "").parse()?,
            "--seed" => args.seed = value()?.parse()?,
            "--queries" => args.queries = value()?.parse()?,
            "--budget" => args.budget = value()?.parse()?,
            "--appends" => args.appends = value()?.parse()?,
            "--dir" => args.dir = Some(PathBuf::from(value()?)),
            "--contender" => args.contender = Some(value()?),
            "--only" => args.only = value()?.split(',').map(str::to_string).collect(),
            "--markdown" => args.markdown = true,
            "--writers" => args.writers = value()?.parse()?,
            "--writer-appends" => args.writer_appends = value()?.parse()?,
            "--writer-of" => {
                let v = value()?;
                let (name, i) = v.split_once(':').ok_or("--writer-of NAME:I")?;
                args.writer_of = Some((name.to_string(), i.parse()?));
            }
            "--bench" => {} // passed by `cargo bench`
            "-h" | "--help" => {
                println!("usage: compare [--size N] [--seed S] [--queries Q] [--budget SECONDS] [--appends N] [--writers N] [--writer-appends N] [--only a,b] [--dir DIR] [--markdown]\n(annals-postgres runs when $ANNALS_COMPARE_POSTGRES names a PostgreSQL database to create its own in)");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(args)
}

fn main() {
    let result = parse_args().and_then(|args| match (&args.writer_of, &args.contender) {
        (Some((name, i)), _) => concurrent::run_writer(&args, name, *i),
        (None, Some(name)) => run_child(&args, name),
        (None, None) => run_parent(&args),
    });
    if let Err(e) = result {
        eprintln!("compare: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------
// The queries every contender answers.

/// One query: a view, a day, a knowledge (seq bound), and its series.
#[derive(Clone)]
struct Query {
    series: &'static str,
    view: &'static str,
    day: Day,
    known_through: u64,
}

fn queries(args: &Args, head: u64) -> Vec<Query> {
    let first = Day::parse_query("1950-01-01").map(|d| d.0).unwrap_or(1);
    let last = Day::parse_query("2025-12-31").map(|d| d.0).unwrap_or(2);
    let today = Day::parse_query("2025-12-31").unwrap_or(Day(last));
    let mut rng = Rng::new(args.seed ^ 0xA5A5);
    let mut out = Vec::new();
    // (series, how many, a random day or today, knowledge); the draw order of days is fixed.
    let series = [
        ("as-of", args.queries, true, head),
        ("current", 5, false, head),
        ("known-at", args.queries, true, head / 2),
    ];
    for view in VIEWS {
        for (name, count, random_day, known_through) in series {
            for _ in 0..count {
                let day = if random_day {
                    Day(first + rng.below(u64::from(last - first)) as u32)
                } else {
                    today
                };
                out.push(Query {
                    series: name,
                    view,
                    day,
                    known_through,
                });
            }
        }
    }
    out
}

/// An answer's rows, kept for fingerprinting after the clock has stopped (so that the
/// comparison times the queries, not the harness).
trait Rows {
    /// Row count and SHA-256 of the rows' JSON.
    fn fingerprint(&self) -> String;
}

impl<R: serde::Serialize> Rows for Vec<R> {
    fn fingerprint(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("{}:{hex}", self.len())
    }
}

type Answer = Box<dyn Rows>;

macro_rules! by_view {
    ($name:expr, $f:ident ( $($arg:expr),* )) => {
        match $name {
            "alliances" => $f::<Alliances>($($arg),*),
            "deployments" => $f::<Deployments>($($arg),*),
            "leaders" => $f::<Leaders>($($arg),*),
            "arms" => $f::<Arms>($($arg),*),
            _ => $f::<Tests>($($arg),*),
        }
    };
}

// ---------------------------------------------------------------------------------------
// Contenders.

trait Contender {
    /// Import the JSON Lines file; returns the number of events stored.
    fn import(&mut self, file: &Path) -> Result<u64>;
    /// Append one event durably (flushed before returning).
    fn append(&mut self, line: &str) -> Result<()>;
    /// Answer a query.
    fn answer(&mut self, q: &Query) -> Result<Answer>;
    /// Rebuild derived data from the log; `None` when there is none.
    fn rebuild(&mut self) -> Result<Option<u64>>;
    /// Bytes on disk.
    fn disk_bytes(&self) -> Result<u64>;
    /// Let go of the database (before other processes write it).
    fn close(&mut self) {}
}

struct Annals {
    store: Option<Store>,
    path: PathBuf,
    engine: EngineKind,
}

fn annals_rows<V: View>(store: &Store, q: &Query) -> Result<Answer> {
    let answer = store
        .at(q.day)
        .known_at(KnownAt::Seq(q.known_through))
        .view::<V>()?;
    Ok(Box::new(answer.rows))
}

impl Contender for Annals {
    fn import(&mut self, file: &Path) -> Result<u64> {
        let options = match self.engine {
            EngineKind::Postgres => StoreOptions::default(),
            engine => StoreOptions::default().with_engine(engine),
        };
        let store = Store::open_with(&self.path, options)?;
        let input = BufReader::with_capacity(1 << 16, std::fs::File::open(file)?);
        let report = store.import_reader(input, false, &mut |_| {})?;
        let n = report.new_count();
        self.store = Some(store);
        Ok(n)
    }

    fn append(&mut self, line: &str) -> Result<()> {
        let store = self.store.as_ref().ok_or("not open")?;
        store.append(parse_line(line)?.event)?;
        Ok(())
    }

    fn answer(&mut self, q: &Query) -> Result<Answer> {
        let store = self.store.as_ref().ok_or("not open")?;
        by_view!(q.view, annals_rows(store, q))
    }

    fn rebuild(&mut self) -> Result<Option<u64>> {
        let store = self.store.as_ref().ok_or("not open")?;
        Ok(Some(store.rebuild()?))
    }

    fn disk_bytes(&self) -> Result<u64> {
        match &self.store {
            Some(store) if self.engine == EngineKind::Postgres => Ok(store.stats()?.size_on_disk),
            _ => Ok(dir_bytes(&self.path)),
        }
    }

    fn close(&mut self) {
        self.store = None;
    }
}

/// What the SQLite and naive contenders derive from a line before storing it.
struct Row {
    event: Event,
    kind: &'static str,
    day_start: u32,
    actors: Vec<String>,
    line: String,
}

fn row_of(seq: u64, recorded_micros: i64, line: &str) -> Result<Row> {
    let parsed = parse_line(line)?;
    let content = parsed.event.content;
    let id = parsed
        .event
        .id
        .unwrap_or_else(|| annals::interchange::content_id(&content));
    // A correction sits at its replacement's date; a retraction counts everywhere.
    let date = match &content.kind {
        Kind::Correction { replacement, .. } => replacement.date,
        _ => content.date,
    };
    let kind = content.kind.name();
    let actors = content
        .kind
        .codes()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let event = Event {
        id,
        seq,
        recorded_micros,
        content,
    };
    // What the store keeps: the line with its id, seq and recorded time.
    let line = annals::interchange::event_line(&event);
    Ok(Row {
        event,
        kind,
        day_start: date.map(|d| d.earliest().0).unwrap_or(0),
        actors,
        line,
    })
}

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

struct Sqlite {
    conn: Option<rusqlite::Connection>,
    path: PathBuf,
    next_seq: u64,
}

impl Sqlite {
    fn conn(&self) -> Result<&rusqlite::Connection> {
        Ok(self.conn.as_ref().ok_or("not open")?)
    }

    fn insert(tx: &rusqlite::Connection, row: &Row) -> Result<()> {
        let mut insert = tx.prepare_cached(
            "INSERT INTO events (seq, id, kind, day_start, recorded, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        insert.execute(rusqlite::params![
            row.event.seq as i64,
            &row.event.id.as_bytes()[..],
            row.kind,
            row.day_start,
            row.event.recorded_micros,
            row.line
        ])?;
        let mut actor =
            tx.prepare_cached("INSERT OR IGNORE INTO event_actors (actor, seq) VALUES (?1, ?2)")?;
        for a in &row.actors {
            actor.execute(rusqlite::params![a, row.event.seq as i64])?;
        }
        Ok(())
    }
}

fn sqlite_rows<V: View>(conn: &rusqlite::Connection, q: &Query) -> Result<Answer> {
    let kinds: Vec<String> = KindTag::ALL
        .into_iter()
        .filter(|k| V::consumes(*k))
        .map(|k| format!("'{k}'"))
        .collect();
    let sql = format!(
        "SELECT body FROM events WHERE seq <= ?1 AND ((kind IN ({}) AND day_start <= ?2) OR kind IN ('correction', 'retraction')) ORDER BY seq",
        kinds.join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let known = q.known_through.min(i64::MAX as u64) as i64;
    let mut rows = stmt.query(rusqlite::params![known, q.day.0])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        let body: String = r.get(0)?;
        events.push(event_of_line(&body)?);
    }
    Ok(Box::new(
        Replay::new(&events, q.known_through).rows::<V>(q.day),
    ))
}

/// An event back from a stored line (with its id, seq and recorded time).
fn event_of_line(line: &str) -> Result<Event> {
    event_of_parsed(parse_line(line)?)
}

/// An event back from a parsed stored line (with its id, seq and recorded time).
fn event_of_parsed(parsed: ParsedLine) -> Result<Event> {
    Ok(Event {
        id: parsed.event.id.ok_or("stored line without id")?,
        seq: parsed.seq.ok_or("stored line without seq")?,
        recorded_micros: parsed
            .recorded
            .ok_or("stored line without recorded")?
            .timestamp_micros(),
        content: parsed.event.content,
    })
}

/// The events table every SQLite design keeps, and its indexes.
const EVENTS_SCHEMA: &str = "
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id BLOB NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        day_start INTEGER NOT NULL,
        recorded INTEGER NOT NULL,
        body TEXT NOT NULL);
    CREATE INDEX events_kind_day ON events (kind, day_start);
    CREATE TABLE event_actors (
        actor TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (actor, seq)) WITHOUT ROWID;";

/// Import a JSON Lines file into a new SQLite database: WAL, `synchronous=NORMAL`,
/// transactions of 10,000 rows, each row inserted and handed to `derive` in the same
/// transaction; then a full checkpoint and `synchronous=FULL` for what follows.
fn sqlite_import(
    path: &Path,
    file: &Path,
    schema: &str,
    mut derive: impl FnMut(&rusqlite::Connection, &Row) -> Result<()>,
) -> Result<(rusqlite::Connection, u64)> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    conn.execute_batch(EVENTS_SCHEMA)?;
    conn.execute_batch(schema)?;
    let recorded = now_micros();
    let mut n = 0u64;
    let mut lines = BufReader::with_capacity(1 << 16, std::fs::File::open(file)?).lines();
    loop {
        let tx = conn.transaction()?;
        let mut in_tx = 0;
        for line in lines.by_ref() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            n += 1;
            let row = row_of(n, recorded, &line)?;
            Sqlite::insert(&tx, &row)?;
            derive(&tx, &row)?;
            in_tx += 1;
            if in_tx == 10_000 {
                break;
            }
        }
        tx.commit()?;
        if in_tx < 10_000 {
            break;
        }
    }
    // Durable, like the others: a full checkpoint of the WAL into the database.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA synchronous = FULL;")?;
    Ok((conn, n))
}

impl Contender for Sqlite {
    fn import(&mut self, file: &Path) -> Result<u64> {
        let (conn, n) = sqlite_import(&self.path, file, "", |_, _| Ok(()))?;
        self.next_seq = n + 1;
        self.conn = Some(conn);
        Ok(n)
    }

    fn append(&mut self, line: &str) -> Result<()> {
        let row = row_of(self.next_seq, now_micros(), line)?;
        let conn = self.conn.as_mut().ok_or("not open")?;
        let tx = conn.transaction()?;
        Sqlite::insert(&tx, &row)?;
        tx.commit()?; // synchronous = FULL: durable on commit
        self.next_seq += 1;
        Ok(())
    }

    fn answer(&mut self, q: &Query) -> Result<Answer> {
        let conn = self.conn()?;
        by_view!(q.view, sqlite_rows(conn, q))
    }

    fn rebuild(&mut self) -> Result<Option<u64>> {
        // SQLite's derived data is its indexes.
        self.conn()?.execute_batch("REINDEX;")?;
        Ok(Some(self.next_seq - 1))
    }

    fn disk_bytes(&self) -> Result<u64> {
        Ok(dir_bytes(self.path.parent().ok_or("no parent")?))
    }
}

/// What a SQLite design derives from the log, besides the events table.
trait Derived {
    /// Tables and indexes of the derived data.
    fn schema(&self) -> &'static str;
    /// Event `seq` changed the versions in effect: bring the derived rows up to date (in
    /// the caller's transaction).
    fn apply(&mut self, tx: &rusqlite::Connection, seq: u64, changes: Vec<Change>) -> Result<()>;
    /// Forget every derived row (before a rebuild).
    fn reset(&mut self, conn: &rusqlite::Connection) -> Result<()>;
    /// Answer a query from the derived rows.
    fn answer(&mut self, conn: &rusqlite::Connection, q: &Query) -> Result<Answer>;
}

/// A SQLite design with derived tables: the events table as `sqlite` keeps it, plus the
/// rows `D` derives, maintained in the same transaction as each event.
struct DerivedSqlite<D: Derived> {
    conn: Option<rusqlite::Connection>,
    path: PathBuf,
    next_seq: u64,
    resolver: Resolver,
    derived: D,
}

impl<D: Derived> DerivedSqlite<D> {
    fn new(path: PathBuf, derived: D) -> Self {
        DerivedSqlite {
            conn: None,
            path,
            next_seq: 1,
            resolver: Resolver::default(),
            derived,
        }
    }
}

impl<D: Derived> Contender for DerivedSqlite<D> {
    fn import(&mut self, file: &Path) -> Result<u64> {
        let (resolver, derived) = (&mut self.resolver, &mut self.derived);
        let schema = derived.schema();
        let (conn, n) = sqlite_import(&self.path, file, schema, |tx, row| {
            let changes = resolver.add(&row.event);
            derived.apply(tx, row.event.seq, changes)
        })?;
        self.next_seq = n + 1;
        self.conn = Some(conn);
        Ok(n)
    }

    fn append(&mut self, line: &str) -> Result<()> {
        let row = row_of(self.next_seq, now_micros(), line)?;
        let conn = self.conn.as_mut().ok_or("not open")?;
        let tx = conn.transaction()?;
        Sqlite::insert(&tx, &row)?;
        let changes = self.resolver.add(&row.event);
        self.derived.apply(&tx, row.event.seq, changes)?;
        tx.commit()?; // synchronous = FULL: durable on commit
        self.next_seq += 1;
        Ok(())
    }

    fn answer(&mut self, q: &Query) -> Result<Answer> {
        let conn = self.conn.as_ref().ok_or("not open")?;
        self.derived.answer(conn, q)
    }

    fn rebuild(&mut self) -> Result<Option<u64>> {
        // Everything derived, from the events table: the resolution index and the rows.
        let conn = self.conn.as_mut().ok_or("not open")?;
        let tx = conn.transaction()?;
        self.derived.reset(&tx)?;
        self.resolver = Resolver::default();
        let mut n = 0;
        {
            let mut stmt = tx.prepare("SELECT body FROM events ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let event = event_of_line(r.get_ref(0)?.as_str()?)?;
                let changes = self.resolver.add(&event);
                self.derived.apply(&tx, event.seq, changes)?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(Some(n))
    }

    fn disk_bytes(&self) -> Result<u64> {
        Ok(dir_bytes(self.path.parent().ok_or("no parent")?))
    }
}

struct Naive {
    path: PathBuf,
    file: Option<std::fs::File>,
    next_seq: u64,
}

fn naive_rows<V: View>(events: &[Event], q: &Query) -> Answer {
    Box::new(Replay::new(events, q.known_through).rows::<V>(q.day))
}

impl Contender for Naive {
    fn import(&mut self, file: &Path) -> Result<u64> {
        let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(&self.path)?);
        let recorded = now_micros();
        let mut n = 0u64;
        for line in BufReader::with_capacity(1 << 16, std::fs::File::open(file)?).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            n += 1;
            writeln!(out, "{}", row_of(n, recorded, &line)?.line)?;
        }
        let f = out.into_inner().map_err(|e| e.to_string())?;
        f.sync_all()?;
        self.file = Some(std::fs::OpenOptions::new().append(true).open(&self.path)?);
        self.next_seq = n + 1;
        Ok(n)
    }

    fn append(&mut self, line: &str) -> Result<()> {
        let row = row_of(self.next_seq, now_micros(), line)?;
        let f = self.file.as_mut().ok_or("not open")?;
        writeln!(f, "{}", row.line)?;
        f.sync_data()?;
        self.next_seq += 1;
        Ok(())
    }

    fn answer(&mut self, q: &Query) -> Result<Answer> {
        // Read and parse the whole log, every time.
        let mut events = Vec::new();
        for item in read_lines(BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(&self.path)?,
        )) {
            let (_, parsed) = item.map_err(|e| e.reason)?;
            events.push(event_of_parsed(parsed)?);
        }
        Ok(by_view!(q.view, naive_rows(&events, q)))
    }

    fn rebuild(&mut self) -> Result<Option<u64>> {
        Ok(None) // nothing is derived
    }

    fn disk_bytes(&self) -> Result<u64> {
        Ok(std::fs::metadata(&self.path)?.len())
    }
}

fn dir_bytes(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&entry.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// The child: one contender, every measurement.

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Lines for single durable appends (current dates) and backdated appends.
fn append_lines(n: usize, backdated: bool) -> Vec<String> {
    (0..n)
        .map(|i| {
            if backdated {
                // Into the arms view (the largest state), 30–60 years back.
                format!(
                    r#"{{"date":"{}-{:02}-{:02}","kind":"arms_transfer","supplier":"C001","recipient":"C002","item":"backdated {i}","quantity":{}}}"#,
                    1965 + (i * 7) % 30,
                    1 + i % 12,
                    1 + i % 28,
                    i + 1
                )
            } else {
                format!(
                    r#"{{"date":"2025-12-{:02}","kind":"statement","actors":["C001"],"summary":"durable append {i}"}}"#,
                    1 + i % 28
                )
            }
        })
        .collect()
}

fn run_child(args: &Args, name: &str) -> Result<()> {
    let dir = args.dir.clone().ok_or("--dir is needed")?;
    let input = dir.join("events.jsonl");
    let work = dir.join(name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let mut contender: Box<dyn Contender> = match name {
        "annals-sled" | "annals-redb" => Box::new(Annals {
            store: None,
            path: work.join("db"),
            engine: if name == "annals-sled" {
                EngineKind::Sled
            } else {
                EngineKind::Redb
            },
        }),
        "annals-postgres" => Box::new(Annals {
            store: None,
            path: PathBuf::from(concurrent::fresh_postgres()?),
            engine: EngineKind::Postgres,
        }),
        "sqlite" => Box::new(Sqlite {
            conn: None,
            path: work.join("events.sqlite"),
            next_seq: 1,
        }),
        "sqlite-latest" => Box::new(DerivedSqlite::new(
            work.join("events.sqlite"),
            latest::Latest,
        )),
        "sqlite-interval" => Box::new(DerivedSqlite::new(
            work.join("events.sqlite"),
            interval::Interval::default(),
        )),
        "naive" => Box::new(Naive {
            path: work.join("log.jsonl"),
            file: None,
            next_seq: 1,
        }),
        other => return Err(format!("no contender {other}").into()),
    };
    let mut out = serde_json::Map::new();

    let started = Instant::now();
    let n = contender.import(&input)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("{name}: imported {n} events in {secs:.1} s");
    out.insert("events".into(), json!(n));
    out.insert("import_events_per_s".into(), json!(n as f64 / secs));
    out.insert(
        "disk_bytes_per_event".into(),
        json!(contender.disk_bytes()? as f64 / n as f64),
    );

    // Queries: the same list for everyone; a slow series stops at the budget.
    let mut latencies: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let mut answers = Vec::new();
    let mut series_started: Option<(String, Instant, usize)> = None;
    for (i, q) in queries(args, n).iter().enumerate() {
        let key = format!("{}/{}", q.series, q.view);
        match &series_started {
            Some((k, _, _)) if *k == key => {}
            _ => series_started = Some((key.clone(), Instant::now(), 0)),
        }
        let Some((_, since, count)) = &mut series_started else {
            unreachable!()
        };
        if *count >= 3 && since.elapsed().as_secs_f64() > args.budget {
            continue;
        }
        *count += 1;
        let t = Instant::now();
        let rows = contender.answer(q)?;
        latencies
            .entry(key)
            .or_default()
            .push(t.elapsed().as_secs_f64() * 1e3);
        answers.push(json!([i, rows.fingerprint()]));
    }
    let mut q = serde_json::Map::new();
    for (key, mut ms) in latencies {
        ms.sort_by(f64::total_cmp);
        q.insert(
            key,
            json!({"n": ms.len(), "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99)}),
        );
    }
    out.insert("queries".into(), Value::Object(q));
    out.insert("answers".into(), Value::Array(answers));
    eprintln!("{name}: queries done");

    // Single durable appends.
    let lines = append_lines(args.appends, false);
    let t = Instant::now();
    for line in &lines {
        contender.append(line)?;
    }
    out.insert(
        "durable_appends_per_s".into(),
        json!(lines.len() as f64 / t.elapsed().as_secs_f64()),
    );

    // Backdated events: the append, then the first arms query that sees it.
    let mut absorb = Vec::new();
    for line in append_lines(10, true) {
        let t = Instant::now();
        contender.append(&line)?;
        let q = Query {
            series: "current",
            view: "arms",
            day: Day::parse_query("2025-12-31")?,
            known_through: u64::MAX,
        };
        contender.answer(&q)?;
        absorb.push(t.elapsed().as_secs_f64() * 1e3);
    }
    absorb.sort_by(f64::total_cmp);
    out.insert(
        "backdated_append_and_query_p50_ms".into(),
        json!(percentile(&absorb, 0.5)),
    );

    let t = Instant::now();
    if let Some(rebuilt) = contender.rebuild()? {
        out.insert(
            "rebuild_events_per_s".into(),
            json!(rebuilt as f64 / t.elapsed().as_secs_f64()),
        );
    }
    out.insert("peak_rss_bytes".into(), json!(peak_rss_bytes()));
    contender.close();
    drop(contender);
    if let Some(rate) = concurrent::measure(args, name, &work)? {
        out.insert("concurrent_appends_per_s".into(), json!(rate));
    }
    println!("{}", Value::Object(out));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The parent: the workload, the children, the table.

fn run_parent(args: &Args) -> Result<()> {
    let temp;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("events.jsonl");
    {
        let mut f = BufWriter::new(std::fs::File::create(&input)?);
        for line in generate_lines(args.size, args.seed) {
            writeln!(f, "{line}")?;
        }
        f.flush()?;
    }
    eprintln!(
        "workload: {} events (seed {}) in {}",
        args.size,
        args.seed,
        input.display()
    );
    let exe = std::env::current_exe()?;
    let mut results: Vec<(String, Value)> = Vec::new();
    for name in CONTENDERS
        .iter()
        .filter(|c| args.only.iter().any(|o| o == *c))
    {
        if *name == "annals-postgres" && std::env::var_os(concurrent::POSTGRES_ENV).is_none() {
            eprintln!(
                "NOTICE: annals-postgres skipped: set {} to a PostgreSQL URL (e.g. what `.ci/postgres start` prints)",
                concurrent::POSTGRES_ENV
            );
            continue;
        }
        let output = std::process::Command::new(&exe)
            .args(["--contender", name, "--dir"])
            .arg(&dir)
            .args([
                "--size",
                &args.size.to_string(),
                "--seed",
                &args.seed.to_string(),
            ])
            .args([
                "--queries",
                &args.queries.to_string(),
                "--budget",
                &args.budget.to_string(),
            ])
            .args(["--appends", &args.appends.to_string()])
            .args(["--writers", &args.writers.to_string()])
            .args(["--writer-appends", &args.writer_appends.to_string()])
            .stderr(std::process::Stdio::inherit())
            .output()?;
        if !output.status.success() {
            return Err(format!("{name} failed ({})", output.status).into());
        }
        let value: Value = serde_json::from_slice(&output.stdout)?;
        results.push((name.to_string(), value));
        let _ = std::fs::remove_dir_all(dir.join(name));
    }
    check_answers(&results)?;
    print_table(args, &results);
    Ok(())
}

/// Every contender must give the same answer to every query it ran.
fn check_answers(results: &[(String, Value)]) -> Result<()> {
    let mut by_query: std::collections::BTreeMap<u64, Vec<(String, String)>> = Default::default();
    for (name, v) in results {
        for a in v["answers"].as_array().into_iter().flatten() {
            if let (Some(i), Some(fp)) = (a[0].as_u64(), a[1].as_str()) {
                by_query
                    .entry(i)
                    .or_default()
                    .push((name.clone(), fp.to_string()));
            }
        }
    }
    let mut compared = 0;
    for (i, list) in &by_query {
        if list.iter().any(|(_, fp)| *fp != list[0].1) {
            return Err(format!("query {i}: the contenders disagree: {list:?}").into());
        }
        if list.len() > 1 {
            compared += 1;
        }
    }
    eprintln!("answers: {compared} queries answered by more than one contender, all identical");
    Ok(())
}

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    if x >= 100.0 {
        let s = format!("{:.0}", x);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// (label, path into a child's JSON, higher is better) of every metric of the table.
fn metrics() -> Vec<(String, Vec<String>, bool)> {
    let one =
        |label: &str, key: &str, higher: bool| (label.to_string(), vec![key.to_string()], higher);
    let mut metrics = vec![
        one("import, events/s", "import_events_per_s", true),
        one("durable single appends/s", "durable_appends_per_s", true),
        one(
            "durable appends/s, concurrent writer processes",
            "concurrent_appends_per_s",
            true,
        ),
    ];
    for series in ["as-of", "current", "known-at"] {
        for view in VIEWS {
            for p in ["p50_ms", "p99_ms"] {
                metrics.push((
                    format!("{series} {view} {} ms", &p[..3]),
                    vec!["queries".into(), format!("{series}/{view}"), p.into()],
                    false,
                ));
            }
        }
    }
    metrics.extend([
        one(
            "backdated append + next arms query, p50 ms",
            "backdated_append_and_query_p50_ms",
            false,
        ),
        one("rebuild, events/s", "rebuild_events_per_s", true),
        one("disk bytes/event", "disk_bytes_per_event", false),
        one("peak RSS MB", "peak_rss_mb", false),
    ]);
    metrics
}

/// How many times better `ours` is than `theirs` (">1" means annals is better).
fn ratio_cell(ours: f64, theirs: f64, higher_better: bool) -> String {
    let ratio = if higher_better {
        ours / theirs
    } else {
        theirs / ours
    };
    if ratio.is_finite() {
        format!("{ratio:.1}×")
    } else {
        "—".into()
    }
}

/// The best SQLite design for a metric: its name and value.
fn best_sqlite<'a>(
    names: &[&'a str],
    value: &dyn Fn(&str) -> f64,
    higher_better: bool,
) -> Option<(&'a str, f64)> {
    names
        .iter()
        .filter(|n| n.starts_with("sqlite"))
        .map(|n| (*n, value(n)))
        .filter(|(_, v)| v.is_finite())
        .reduce(|best, c| {
            let better = if higher_better {
                c.1 > best.1
            } else {
                c.1 < best.1
            };
            if better {
                c
            } else {
                best
            }
        })
}

fn print_table(args: &Args, results: &[(String, Value)]) {
    let get = |name: &str, path: &[String]| -> f64 {
        let Some((_, v)) = results.iter().find(|(n, _)| n == name) else {
            return f64::NAN;
        };
        if path[0] == "peak_rss_mb" {
            return v["peak_rss_bytes"].as_f64().unwrap_or(f64::NAN) / 1e6;
        }
        let mut cur = v;
        for p in path {
            cur = &cur[p.as_str()];
        }
        cur.as_f64().unwrap_or(f64::NAN)
    };
    let names: Vec<&str> = CONTENDERS
        .iter()
        .copied()
        .filter(|c| results.iter().any(|(n, _)| n == c))
        .collect();
    let ours: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.starts_with("annals"))
        .collect();
    let mut header = vec!["metric".to_string()];
    header.extend(names.iter().map(|n| n.to_string()));
    header.push("best SQLite".into());
    for o in &ours {
        header.push(format!(
            "{} vs best SQLite",
            o.trim_start_matches("annals-")
        ));
    }
    if names.contains(&"naive") {
        header.extend(
            ours.iter()
                .map(|o| format!("{} vs naive", o.trim_start_matches("annals-"))),
        );
    }
    println!(
        "size {} events, seed {}, {} random days per view (slow contenders stop a series after {} s); concurrent appends: {} writer processes × {}; ratios: × better (>1 means annals is better)",
        args.size, args.seed, args.queries, args.budget, args.writers, args.writer_appends
    );
    let sep = if args.markdown { " | " } else { "\t" };
    let line = |cells: &[String]| {
        if args.markdown {
            println!("| {} |", cells.join(sep));
        } else {
            println!("{}", cells.join(sep));
        }
    };
    line(&header);
    if args.markdown {
        println!("|{}", "---|".repeat(header.len()));
    }
    for (label, path, higher_better) in metrics() {
        let value = |name: &str| get(name, &path);
        let mut cells = vec![label.clone()];
        cells.extend(names.iter().map(|n| fmt_num(value(n))));
        let best = best_sqlite(&names, &value, higher_better);
        cells.push(
            best.map(|(n, _)| n.to_string())
                .unwrap_or_else(|| "—".into()),
        );
        for o in &ours {
            let b = best.map(|(_, v)| v).unwrap_or(f64::NAN);
            cells.push(ratio_cell(value(o), b, higher_better));
        }
        if names.contains(&"naive") {
            cells.extend(
                ours.iter()
                    .map(|o| ratio_cell(value(o), value("naive"), higher_better)),
            );
        }
        line(&cells);
    }
}
