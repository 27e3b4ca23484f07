//! Durable appends from many writer processes at once, and the PostgreSQL contender's
//! database.
//!
//! After a contender's other measurements (and after it let go of its database), its child
//! starts `--writers` processes (this program with `--writer-of NAME:I`), each appending
//! `--writer-appends` events one at a time, each acknowledged only once durable, all at
//! once. What each design must do to let many processes write:
//! - **annals-redb / annals-sled**: an embedded database is held by one process at a time,
//!   so each append opens the store (waiting for the others: `StoreOptions::with_wait`),
//!   appends and closes it — what `annals append` in a shell loop does;
//! - **annals-postgres**: every process keeps its store open; writers take turns on the
//!   store's writer lock for each append;
//! - **sqlite**: every process keeps a connection (WAL, `synchronous=FULL`,
//!   `busy_timeout`), and each append is a `BEGIN IMMEDIATE` transaction that takes the
//!   next seq (`MAX(seq) + 1`, gap-free) and inserts the row.
//!
//! The figure is all appends divided by the time from the first start to the last exit.

use super::{append_lines, now_micros, parse_line, row_of, Args, Result, Sqlite};
use annals::{Store, StoreOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// The environment variable naming the PostgreSQL server (a URL of a database on it)
/// the annals-postgres contender makes its own database on.
pub const POSTGRES_ENV: &str = "ANNALS_COMPARE_POSTGRES";

/// The database of the annals-postgres contender, made empty on the server
/// [`POSTGRES_ENV`] names; its URL.
pub fn fresh_postgres() -> Result<String> {
    let admin = std::env::var(POSTGRES_ENV).map_err(|_| format!("{POSTGRES_ENV} is not set"))?;
    let (base, _) = admin.rsplit_once('/').ok_or("a URL ending in /dbname")?;
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)?;
    // Two statements: CREATE DATABASE cannot share an implicit transaction.
    client.batch_execute("DROP DATABASE IF EXISTS annals_compare WITH (FORCE)")?;
    client.batch_execute("CREATE DATABASE annals_compare")?;
    Ok(format!("{base}/annals_compare"))
}

/// Where contender `name` keeps its database under `work` (what `run_child` made).
fn target(name: &str, work: &Path) -> Result<String> {
    Ok(match name {
        "annals-postgres" => {
            let admin = std::env::var(POSTGRES_ENV)?;
            let (base, _) = admin.rsplit_once('/').ok_or("a URL ending in /dbname")?;
            format!("{base}/annals_compare")
        }
        "sqlite" => work.join("events.sqlite").display().to_string(),
        _ => work.join("db").display().to_string(),
    })
}

/// Run the writer processes for contender `name`; appends per second in all, or `None`
/// for contenders this measurement leaves out (the derived SQLite designs and naive,
/// whose appends are the plain SQLite one's plus their own work).
pub fn measure(args: &Args, name: &str, work: &Path) -> Result<Option<f64>> {
    if !matches!(
        name,
        "annals-redb" | "annals-sled" | "annals-postgres" | "sqlite"
    ) {
        return Ok(None);
    }
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let children: Vec<_> = (0..args.writers)
        .map(|i| {
            std::process::Command::new(&exe)
                .arg("--writer-of")
                .arg(format!("{name}:{i}"))
                .arg("--dir")
                .arg(work)
                .args(["--writer-appends", &args.writer_appends.to_string()])
                .spawn()
        })
        .collect::<std::io::Result<_>>()?;
    for mut child in children {
        if !child.wait()?.success() {
            return Err(format!("a writer of {name} failed").into());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let total = args.writers * args.writer_appends;
    eprintln!(
        "{name}: {total} durable appends from {} processes in {secs:.1} s",
        args.writers
    );
    Ok(Some(total as f64 / secs))
}

/// Writer process `i` of contender `name`: its appends, each durable before the next.
pub fn run_writer(args: &Args, name: &str, i: usize) -> Result<()> {
    let work = args.dir.clone().ok_or("--dir is needed")?;
    let target = target(name, &work)?;
    let lines: Vec<String> = append_lines(args.writer_appends, false)
        .into_iter()
        .map(|l| l.replace("durable append", &format!("writer {i} append")))
        .collect();
    let wait = StoreOptions::default().with_wait(Duration::from_secs(600));
    match name {
        "annals-postgres" => {
            let store = Store::open_with(&target, wait)?;
            for line in &lines {
                store.append(parse_line(line)?.event)?;
            }
        }
        "sqlite" => sqlite_writer(&target, &lines)?,
        _ => {
            for line in &lines {
                let store = Store::open_with(&target, wait.clone())?;
                store.append(parse_line(line)?.event)?;
            }
        }
    }
    Ok(())
}

/// Append `lines` to the SQLite events table, each in its own `BEGIN IMMEDIATE`
/// transaction that numbers it after the last row.
fn sqlite_writer(path: &str, lines: &[String]) -> Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(600))?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
    for line in lines {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let next: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events", [], |r| {
            r.get(0)
        })?;
        Sqlite::insert(&tx, &row_of(u64::try_from(next)?, now_micros(), line)?)?;
        tx.commit()?;
    }
    Ok(())
}
