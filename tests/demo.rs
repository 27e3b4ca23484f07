//! `annals demo` prints a fixed guided tour of the bundled timeline. Its whole output is
//! compared with `tests/golden/demo.txt` (regenerate with `UPDATE_GOLDEN=1 cargo test
//! --test demo` after an intended change, and review the diff).

mod common;

use std::time::{Duration, Instant};

#[test]
fn the_demo_tour_matches_its_golden_output() {
    let dir = common::tempdir();
    let started = Instant::now();
    let out = common::annals(&common::db_path(&dir))
        .arg("demo")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "the demo took {elapsed:?}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/demo.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&golden)
        .expect("tests/golden/demo.txt (create it with UPDATE_GOLDEN=1)");
    if text != expected {
        for (i, (got, want)) in text.lines().zip(expected.lines()).enumerate() {
            assert_eq!(got, want, "first difference at line {}", i + 1);
        }
        assert_eq!(
            text.lines().count(),
            expected.lines().count(),
            "line count differs"
        );
    }
    // The facts the tour exists to show.
    for needle in [
        "NATO      defense_pact  1949-04-04  BEL CAN DEU DNK ESP FRA GBR GRC ISL ITA LUX NLD NOR PRT TUR USA",
        "PRK    RUS   Kursk   8,000",
        "PRK    RUS   Kursk   12,000",
        "\"known at seq N (TIME)\" below: the answer uses only the first N events the log recorded",
        "~ NATO: members: +SWE",
        "corrected by seq",
        "Fumio Kishida",
        "PRK_RUS",
    ] {
        assert!(text.contains(needle), "the tour lacks {needle:?}");
    }
}
