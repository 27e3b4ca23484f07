use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    if let Some(file) = std::env::args().nth(2) {
        let t = Instant::now();
        let f = std::io::BufReader::new(std::fs::File::open(file).unwrap());
        let lines = annals::interchange::parse_reader(f).unwrap();
        eprintln!("parse {} lines in {:?}", lines.len(), t.elapsed());
        return;
    }
    let t = Instant::now();
    let events = annals::workload::generate(n, 1);
    eprintln!("generate {:?}", t.elapsed());
    let dir = std::env::temp_dir().join(format!("probe-{}", std::process::id()));
    let store = annals::Store::open(&dir).unwrap();
    let t = Instant::now();
    let r = store.append_batch(events).unwrap();
    let el = t.elapsed();
    eprintln!("append_batch {} in {:?} = {:.0}/s", r.new_count(), el, r.new_count() as f64 / el.as_secs_f64());
    for round in 0..2 {
        let t = Instant::now();
        let c = store.events().count();
        let el = t.elapsed();
        eprintln!("scan{round} {} in {:?} = {:.0}/s", c, el, c as f64 / el.as_secs_f64());
    }
    drop(store);
    let store = annals::Store::open(&dir).unwrap();
    let t = Instant::now();
    let c = store.events().count();
    let el = t.elapsed();
    eprintln!("scan after reopen {} in {:?} = {:.0}/s", c, el, c as f64 / el.as_secs_f64());
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}
#[allow(dead_code)]
fn parse_only() {}
