//! Truncation and zeroing, toydb-style: copy a database, cut or zero its newest bytes at a
//! range of offsets, and open it. It must either recover a consistent prefix of the log
//! (verify passes and every event is what was written) or fail with a clear error — never
//! serve a mix, never panic.

mod common;

use annals::{EngineKind, Store, StoreOptions};
use std::path::Path;

#[derive(Debug, Default)]
struct Outcomes {
    recovered_all: usize,
    recovered_prefix: usize,
    refused: usize,
}

fn damage_and_open(
    original: &Path,
    events: &[annals::Event],
    damage: impl Fn(&Path),
    outcomes: &mut Outcomes,
    what: &str,
) {
    let dir = common::tempdir();
    let copy = dir.path().join("db");
    common::copy_dir(original, &copy);
    damage(&copy);
    // The CLI on the same damage (its own copy, since opening may repair): a clean exit or
    // a clear error, never a panic's text.
    let cli_copy = dir.path().join("cli");
    common::copy_dir(original, &cli_copy);
    damage(&cli_copy);
    let cli = common::annals(&cli_copy).arg("verify").output().unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(
        matches!(cli.status.code(), Some(0) | Some(1)),
        "{what}: `annals verify` exited with {:?}: {stderr}",
        cli.status.code()
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: `annals verify` printed a panic: {stderr}"
    );
    let opened = std::panic::catch_unwind(|| Store::open(&copy));
    let store = match opened {
        Err(_) => panic!("{what}: opening panicked"),
        Ok(Err(e)) => {
            let text = e.to_string();
            assert!(!text.is_empty(), "{what}: empty error");
            outcomes.refused += 1;
            return;
        }
        Ok(Ok(store)) => store,
    };
    let head = store.head().seq;
    match store.verify() {
        Ok(report) => assert_eq!(report.events, head, "{what}"),
        Err(e) => {
            // A clear error naming what is wrong is acceptable; serving a mix is not.
            assert!(
                matches!(
                    e,
                    annals::Error::Corrupt { .. } | annals::Error::Storage { .. }
                ),
                "{what}: {e}"
            );
            outcomes.refused += 1;
            return;
        }
    }
    for seq in 1..=head {
        assert_eq!(
            &store.event(seq).unwrap(),
            &events[seq as usize - 1],
            "{what}: seq {seq} is not what was written"
        );
    }
    if head as usize == events.len() {
        outcomes.recovered_all += 1;
    } else {
        outcomes.recovered_prefix += 1;
    }
}

#[test]
fn truncated_or_zeroed_sled_databases_recover_a_prefix_or_refuse() {
    truncate_and_zero(EngineKind::Sled, "db");
}

#[test]
fn truncated_or_zeroed_redb_databases_recover_a_prefix_or_refuse() {
    truncate_and_zero(EngineKind::Redb, "annals.redb");
}

/// Damage `data_file` (the engine's main file inside the database directory).
fn truncate_and_zero(engine: EngineKind, data_file: &str) {
    let dir = common::tempdir();
    let original = dir.path().join("db");
    let events = {
        let store =
            Store::open_with(&original, StoreOptions::default().with_engine(engine)).unwrap();
        store
            .import_lines(common::lines(common::SAMPLE), true)
            .unwrap();
        // More commits, so the newest data spans several batches.
        for i in 0..20 {
            let line = format!(
                r#"{{"date":"2025-02-{:02}","kind":"statement","actors":["USA"],"summary":"late {i}"}}"#,
                i + 1
            );
            store
                .append(annals::interchange::parse_line(&line).unwrap().event)
                .unwrap();
        }
        store.events().map(|e| e.unwrap()).collect::<Vec<_>>()
    };
    let db_file = original.join(data_file);
    let len = std::fs::metadata(&db_file).unwrap().len();
    // Where the data really ends (sled preallocates): the last non-zero byte.
    let bytes = std::fs::read(&db_file).unwrap();
    let used = bytes
        .iter()
        .rposition(|b| *b != 0)
        .map(|p| p as u64 + 1)
        .unwrap_or(len);
    let mut outcomes = Outcomes::default();
    for cut in [1u64, 7, 64, 257, 1024, 4096, 8192, 16384] {
        if cut >= used {
            continue;
        }
        damage_and_open(
            &original,
            &events,
            |p| {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p.join(data_file))
                    .unwrap();
                f.set_len(used - cut).unwrap();
            },
            &mut outcomes,
            &format!("truncated {cut} bytes before the end of the data"),
        );
        damage_and_open(
            &original,
            &events,
            |p| {
                let mut data = std::fs::read(p.join(data_file)).unwrap();
                let from = (used - cut) as usize;
                let to = (from + 512).min(data.len());
                data[from..to].iter_mut().for_each(|b| *b = 0);
                std::fs::write(p.join(data_file), data).unwrap();
            },
            &mut outcomes,
            &format!("zeroed 512 bytes from {cut} bytes before the end of the data"),
        );
    }
    if engine == EngineKind::Sled {
        // sled's snapshot files are derived by sled and may be removed.
        damage_and_open(
            &original,
            &events,
            |p| {
                for entry in std::fs::read_dir(p).unwrap() {
                    let entry = entry.unwrap();
                    if entry.file_name().to_string_lossy().starts_with("snap.") {
                        std::fs::remove_file(entry.path()).unwrap();
                    }
                }
            },
            &mut outcomes,
            "snapshot removed",
        );
    }
    eprintln!("{engine} truncation outcomes: {outcomes:?}");
    assert!(outcomes.recovered_all + outcomes.recovered_prefix + outcomes.refused >= 10);
}
