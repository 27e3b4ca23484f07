//! Core log benchmarks (criterion): bulk import of 100k generated events, a full log scan,
//! and a timeline scan, through the public library API on a real on-disk sled database.
//! Peak RSS (VmHWM) of the process is printed after the import runs.
//!
//! Run: `cargo bench --bench log`. Results and the machine they came from: benches/README.md.

use annals::{workload, Store};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::{Duration, Instant};

const EVENTS: usize = 100_000;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn import(c: &mut Criterion) {
    let events = workload::generate(EVENTS, 1);
    let mut group = c.benchmark_group("log");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40))
        .warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("import_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(dir.path().join("db")).unwrap();
                let batch = events.clone();
                let start = Instant::now();
                let report = store.append_batch(batch).unwrap();
                total += start.elapsed();
                assert_eq!(report.new_count(), EVENTS as u64);
            }
            total
        })
    });
    if let Some(mb) = peak_rss_mb() {
        eprintln!("peak RSS of the bench process after the imports: {mb:.0} MB");
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store.append_batch(events.clone()).unwrap();
    }
    // Reopen, as a reader would: scans run against the on-disk state.
    let store = Store::open(&path).unwrap();
    group.bench_function("scan_100k_seq_order", |b| {
        b.iter(|| {
            let n = store.events().filter(|e| e.is_ok()).count();
            assert_eq!(n, EVENTS);
        })
    });
    group.bench_function("scan_100k_timeline_order", |b| {
        b.iter(|| {
            let n = store.timeline(None, None).filter(|e| e.is_ok()).count();
            assert_eq!(n, EVENTS);
        })
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
