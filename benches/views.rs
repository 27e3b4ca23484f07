//! Time-travel benchmarks at scale (a plain harness, not criterion: each figure is a
//! distribution over many random queries). Measures, through the library on a real
//! on-disk database of generated events:
//! - as-of query latency per view at random dates (p50, p99), warm;
//! - the same at the current date, and with a known-at in the past;
//! - one-key queries (`--actor`: a probe of the row keys whose facts named the actor);
//! - the cost of absorbing a backdated event, and of one into a busy running total;
//! - streamed answer output (`write_rows`, JSON Lines into a sink), rows per second;
//! - view rebuild throughput.
//!
//! Run: `cargo bench --bench views` (1M events; `ANNALS_BENCH_EVENTS=100000` for fewer;
//! `ANNALS_BENCH_DB=path` reuses a database built by an earlier run).

use annals::workload::{generate, Rng};
use annals::{Day, KnownAt, Store};
use std::time::{Duration, Instant};

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn measure(mut f: impl FnMut(&mut Rng), n: usize, rng: &mut Rng) -> (f64, f64) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f(rng);
        times.push(t.elapsed());
    }
    times.sort();
    (pct(&times, 0.5), pct(&times, 0.99))
}

fn random_day(rng: &mut Rng) -> Day {
    let first = Day::parse_query("1950-01-01").unwrap().0;
    let last = Day::parse_query("2025-12-31").unwrap().0;
    Day(first + rng.below(u64::from(last - first)) as u32)
}

/// One table row: typed queries of view `V` (rows built, no JSON).
fn row<V: annals::View>(store: &Store, n: u64, rng: &mut Rng) {
    let rows = store
        .at(Day::parse_query("2025").unwrap())
        .view::<V>()
        .unwrap()
        .rows
        .len();
    let (p50, p99) = measure(
        |r| {
            store.at(random_day(r)).view::<V>().unwrap();
        },
        200,
        rng,
    );
    let today = Day::today();
    let (t50, _) = measure(
        |_| {
            store.at(today).view::<V>().unwrap();
        },
        50,
        rng,
    );
    let (k50, k99) = measure(
        |r| {
            let k = n / 2 + r.below(n / 2);
            store
                .at(random_day(r))
                .known_at(KnownAt::Seq(k))
                .view::<V>()
                .unwrap();
        },
        10,
        rng,
    );
    println!(
        "| {} | {rows} | {p50:.2} | {p99:.2} | {t50:.2} | {k50:.1} | {k99:.1} |",
        V::NAME
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let events: usize = std::env::var("ANNALS_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let keep = std::env::var("ANNALS_BENCH_DB").ok();
    let dir = tempfile::tempdir().unwrap();
    let path = keep
        .clone()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("db"));
    if !path.exists() {
        let t = Instant::now();
        let store = Store::open(&path).unwrap();
        store.append_batch(generate(events, 1)).unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "built {events} events in {secs:.1} s ({:.0} events/s)",
            events as f64 / secs
        );
    }
    let store = Store::open(&path).unwrap();
    let n = store.head().seq;
    println!(
        "database: {} events, {} MB on disk",
        n,
        store.stats().map(|s| s.size_on_disk >> 20).unwrap_or(0)
    );
    let mut rng = Rng::new(42);
    // Warm up: one pass over every view.
    for name in annals::views::BUILTIN_NAMES {
        for _ in 0..20 {
            let d = random_day(&mut rng);
            store.at(d).view_rows_json(name, None).unwrap();
        }
    }
    println!("\n| view | rows at 2025 | as-of p50 ms | p99 ms | today p50 ms | known-at past p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    row::<annals::views::Alliances>(&store, n, &mut rng);
    row::<annals::views::Deployments>(&store, n, &mut rng);
    row::<annals::views::Leaders>(&store, n, &mut rng);
    row::<annals::views::Arms>(&store, n, &mut rng);
    row::<annals::views::Tests>(&store, n, &mut rng);
    // One-key queries: an actor among the generator's (C000..C199) or an alliance (AL000..).
    println!("\n| view | --actor p50 ms | p99 ms | rows per answer (mean) |");
    println!("|---|---|---|---|");
    for name in annals::views::BUILTIN_NAMES {
        let mut rows = 0usize;
        let (p50, p99) = measure(
            |r| {
                let code = if name == "alliances" && r.below(2) == 0 {
                    format!("AL{:03}", r.below(50))
                } else {
                    format!("C{:03}", r.below(200))
                };
                let code = annals::Code::parse(&code).unwrap();
                rows += store
                    .at(random_day(r))
                    .view_rows_json(name, Some(&code))
                    .unwrap()
                    .1
                    .len();
            },
            400,
            &mut rng,
        );
        println!(
            "| {name} | {p50:.3} | {p99:.3} | {:.1} |",
            rows as f64 / 400.0
        );
    }
    // Streamed output: the biggest answer, as JSON Lines into a sink.
    let today = Day::today();
    let mut best = (0usize, f64::MAX);
    for _ in 0..5 {
        let t = Instant::now();
        let (_, written) = store
            .at(today)
            .write_rows(
                "arms",
                None,
                annals::query::RowsFormat::Jsonl,
                &mut std::io::sink(),
            )
            .unwrap();
        best = (written, best.1.min(t.elapsed().as_secs_f64()));
    }
    println!(
        "\narms --jsonl today into a sink: {} rows in {:.1} ms = {:.0} rows/s (best of 5)",
        best.0,
        best.1 * 1000.0,
        best.0 as f64 / best.1
    );
    // Absorbing backdated events: arms transfers (no check) and deployment reports at random dates.
    let mut times = Vec::new();
    for i in 0..20 {
        let d = random_day(&mut rng);
        let line = if i % 2 == 0 {
            format!(
                r#"{{"date":"{d}","kind":"arms_transfer","supplier":"C001","recipient":"C002","item":"bench","quantity":{}}}"#,
                i + 1
            )
        } else {
            format!(
                r#"{{"date":"{d}","kind":"meeting","actors":["C001","C003"],"summary":"bench {i}"}}"#
            )
        };
        let e = annals::interchange::parse_line(&line).unwrap().event;
        let t = Instant::now();
        store.append(e).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "\nbackdated append (flushed), 20 at random dates: p50 {:.1} ms, max {:.1} ms",
        pct(&times, 0.5),
        pct(&times, 1.0)
    );
    let (q50, _) = measure(
        |r| {
            store
                .at(random_day(r))
                .view_rows_json("arms", None)
                .unwrap();
        },
        100,
        &mut rng,
    );
    println!("arms as-of p50 right after them: {q50:.2} ms");
    // A backdated transfer into the busiest running total, then the next query of that
    // key: the cost of rewriting the key's later versions.
    let busiest = store
        .at(today)
        .view::<annals::views::Arms>()
        .unwrap()
        .rows
        .into_iter()
        .max_by_key(|r| r.transfers)
        .unwrap();
    let supplier = annals::Code::parse(&busiest.supplier).unwrap();
    let mut times = Vec::new();
    for i in 0..10 {
        let line = format!(
            r#"{{"date":"{}","kind":"arms_transfer","supplier":"{}","recipient":"{}","item":"{}","quantity":{}}}"#,
            1955 + i,
            busiest.supplier,
            busiest.recipient,
            busiest.item,
            i + 1
        );
        let e = annals::interchange::parse_line(&line).unwrap().event;
        let t = Instant::now();
        store.append(e).unwrap();
        store
            .at(today)
            .view_rows_json("arms", Some(&supplier))
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "backdated transfer into the busiest total ({} transfers), then `arms --actor {}`: p50 {:.1} ms, max {:.1} ms",
        busiest.transfers,
        busiest.supplier,
        pct(&times, 0.5),
        pct(&times, 1.0)
    );
    let t = Instant::now();
    store.rebuild_views().unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "rebuild of all views: {secs:.2} s = {:.0} events/s",
        n as f64 / secs
    );
    if keep.is_none() {
        drop(store);
    }
}
