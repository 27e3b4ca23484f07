//! Load on `annals serve` (issue 18): 50 clients, each sending 200 requests one after
//! another over loopback (arguments: the server's URL and the log's last seq), mixing the API's endpoints as the page asks them (views at
//! varying dates and knowledges, the knowledge diffs, the timeline around a day, the
//! bounds). Prints every non-200 answer or transport error, then p50, p99 and max
//! latency; exits 1 if any request failed.
//!
//! ```text
//! cargo build --release
//! target/release/annals --db big.db serve --bind 127.0.0.1:8080 &
//! cargo run --release --example serve_load -- http://127.0.0.1:8080 100000
//! ```
//!
//! Numbers: benches/README.md, "Explorer (issue 18)".

use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const REQUESTS: usize = 200;

/// The `i`-th request of client `c`: the page's questions at dates spread over 1990–2024.
fn path(c: usize, i: usize, head: usize) -> String {
    let year = 1990 + (c * 7 + i) % 35;
    let day = format!("{year}-{:02}-{:02}", 1 + (i % 12), 1 + (c % 28));
    let known = if i.is_multiple_of(3) {
        "now".to_string()
    } else {
        format!("seq:{}", 1 + (c * 997 + i * 31) % head)
    };
    match i % 8 {
        0 => format!("/api/views/alliances?as_of={day}&known_at={known}"),
        1 => format!("/api/views/deployments?as_of={day}&known_at={known}"),
        2 => format!("/api/views/arms?as_of={day}&known_at={known}"),
        3 => format!("/api/views/leaders?as_of={day}&known_at={known}"),
        4 => format!("/api/views/arms?as_of={day}&by=pair"),
        5 => format!("/api/timeline?around={day}&limit=15&known_at={known}"),
        6 => format!("/api/diff?view=deployments&as_of={day}&known_at={known}&known_at=now"),
        _ => "/api/bounds".to_string(),
    }
}

/// One client's latencies, and its failures as text.
fn client(base: &str, c: usize, head: usize) -> (Vec<Duration>, Vec<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let (mut times, mut failures) = (Vec::with_capacity(REQUESTS), Vec::new());
    for i in 0..REQUESTS {
        let p = path(c, i, head);
        let started = Instant::now();
        match agent.get(format!("{base}{p}")).call() {
            Ok(mut r) => {
                let status = r.status().as_u16();
                let body = r.body_mut().read_to_string().unwrap_or_default();
                if status != 200 {
                    failures.push(format!("{p}: {status} {body}"));
                }
            }
            Err(e) => failures.push(format!("{p}: {e}")),
        }
        times.push(started.elapsed());
    }
    (times, failures)
}

fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let base = base.trim_end_matches('/').to_string();
    // The knowledges asked for range over seqs 1..=HEAD (the second argument; default 50).
    let head: usize = std::env::args()
        .nth(2)
        .and_then(|h| h.parse().ok())
        .unwrap_or(50)
        .max(1);
    let started = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let base = base.clone();
            std::thread::spawn(move || client(&base, c, head))
        })
        .collect();
    let (mut times, mut failures) = (Vec::new(), Vec::new());
    for h in handles {
        let (t, f) = h.join().unwrap_or_default();
        times.extend(t);
        failures.extend(f);
    }
    let wall = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    for f in failures.iter().take(20) {
        eprintln!("failed: {f}");
    }
    println!(
        "{CLIENTS} clients x {REQUESTS} requests: {} answered, {} failed, in {:.1} s ({:.0} requests/s); \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        failures.len(),
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
