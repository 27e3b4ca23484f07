//! The evaluation of `edtf-core` behind `Date::parse` (issue 15): on every date written in
//! the tests, the examples and the golden exports, the new parser accepts and rejects what
//! the hand-written one did, with the same bounds, and `edtf-core`'s own bounds agree.
//! `parse_speed` (ignored; run with `--release -- --ignored --nocapture`) times both.

use annals::Date;
use std::path::Path;
use std::time::Instant;

/// Every `"date": "..."` value (and `date=` in goldenscripts) in the files under `dirs`.
fn corpus() -> Vec<String> {
    let mut dates = Vec::new();
    for dir in [
        "tests/scripts",
        "schema/examples",
        "tests/golden/v1",
        "tests/golden/v2",
    ] {
        let Ok(entries) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for piece in text.split("\"date\"").skip(1) {
                let value = piece.trim_start_matches([' ', ':']).trim_start();
                if let Some(rest) = value.strip_prefix('"') {
                    dates.extend(rest.split('"').next().map(str::to_string));
                }
            }
        }
    }
    dates.sort();
    dates.dedup();
    dates
}

fn edtf_bounds(text: &str) -> Option<(String, String)> {
    let b = edtf_core::Edtf::parse(text).ok()?.bounds();
    let day = |b: edtf_core::Bound| match b {
        edtf_core::Bound::Date(d) => d.to_string(),
        other => format!("{other:?}"),
    };
    Some((day(b.earliest), day(b.latest)))
}

#[test]
fn edtf_core_agrees_with_the_hand_written_parser_on_every_date_in_the_repository() {
    let dates = corpus();
    assert!(dates.len() > 50, "only {} dates found", dates.len());
    let mut accepted = 0;
    for text in &dates {
        let (new, old) = (Date::parse(text), Date::parse_hand_written(text));
        assert_eq!(new.is_ok(), old.is_ok(), "{text}: {new:?} vs {old:?}");
        let Ok(d) = new else { continue };
        accepted += 1;
        assert_eq!(Some(&d), old.as_ref().ok(), "{text}");
        assert_eq!(d.to_string(), *text);
        let ours = (d.earliest().to_string(), d.latest().to_string());
        assert_eq!(edtf_bounds(text), Some(ours), "edtf-core bounds of {text}");
    }
    eprintln!(
        "{} distinct dates compared, {accepted} accepted",
        dates.len()
    );
}

#[test]
#[ignore = "timing: cargo test --release --test edtf_eval -- --ignored --nocapture"]
fn parse_speed() {
    let texts = [
        "1949-04-04",
        "2024",
        "2023-08",
        "2011-12~",
        "1950-10/1950-11%",
        "2013-01-03/2013-01-09",
    ];
    let rounds = 200_000;
    let time = |f: &dyn Fn(&str) -> bool| {
        let start = Instant::now();
        let mut ok = 0usize;
        for _ in 0..rounds {
            for t in texts {
                ok += usize::from(f(std::hint::black_box(t)));
            }
        }
        assert_eq!(ok, rounds * texts.len());
        start.elapsed().as_nanos() as f64 / (rounds * texts.len()) as f64
    };
    let old = time(&|t| Date::parse_hand_written(t).is_ok());
    let new = time(&|t| Date::parse(t).is_ok());
    let core = time(&|t| edtf_core::Edtf::parse(t).is_ok());
    let x = time(&|t| Date::parse(t).is_ok() || t.is_empty());
    println!("ns per parse: hand-written {old:.0}, Date::parse (edtf-core) {new:.0}, edtf-core alone {core:.0} ({x:.0} again)");
}
