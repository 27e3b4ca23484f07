//! The child process of the crash tests (`tests/crash.rs`): appends to the database given
//! as its first argument (created with the engine named by the second, `sled` or `redb`)
//! in a loop — single events and batches of three — and after each append
//! has returned prints `ack FIRST LAST` on stdout. The parent kills it with SIGKILL at a
//! random moment and checks that every acknowledged event survived.
//!
//! The content of the event at seq N is a pure function of N (`content_for`), so the
//! parent can check every stored event byte for byte.

use annals::interchange::parse_line;
use annals::{EngineKind, NewEvent, Store, StoreOptions};
use std::io::Write;

/// The event the crash child appends at `seq`. Deployments keep the views busy (reports
/// revise one deployment; some are backdated), arms transfers and statements fill in.
pub fn content_for(seq: u64) -> NewEvent {
    let day = 1 + (seq * 37) % 28;
    let month = 1 + (seq * 7) % 12;
    let year = if seq.is_multiple_of(11) {
        1990 + seq % 20
    } else {
        2024
    };
    let line = match seq % 3 {
        0 => format!(
            r#"{{"date":"{year}-{month:02}-{day:02}","kind":"deployment","actor":"AAA","host":"BBB","region":"North","strength":{seq},"summary":"kill test {seq}"}}"#
        ),
        1 => format!(
            r#"{{"date":"{year}-{month:02}","kind":"arms_transfer","supplier":"AAA","recipient":"CCC","item":"shells","quantity":{seq},"summary":"kill test {seq}"}}"#
        ),
        _ => format!(
            r#"{{"date":"{year}","kind":"statement","actors":["AAA","DDD"],"summary":"kill test {seq}"}}"#
        ),
    };
    match parse_line(&line) {
        Ok(p) => p.event,
        Err(e) => unreachable!("the crash child's own line is valid: {e}"),
    }
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: crash_child DB ENGINE");
    let engine = args
        .next()
        .and_then(|name| EngineKind::from_name(&name))
        .expect("usage: crash_child DB sled|redb");
    let store = Store::open_with(&path, StoreOptions::default().with_engine(engine)).expect("open");
    let mut next = store.head().seq + 1;
    let stdout = std::io::stdout();
    loop {
        let batch: Vec<NewEvent> = if next.is_multiple_of(7) {
            (next..next + 3).map(content_for).collect()
        } else {
            vec![content_for(next)]
        };
        let n = batch.len() as u64;
        let report = store.append_batch(batch).expect("append");
        let (first, last) = report.seq_range().expect("new events");
        assert_eq!((first, last), (next, next + n - 1));
        let mut out = stdout.lock();
        writeln!(out, "ack {first} {last}").expect("stdout");
        out.flush().expect("flush");
        next += n;
    }
}
