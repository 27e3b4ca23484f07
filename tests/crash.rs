//! Crash safety: a child process appends in a loop (single events and batches) while this
//! test kills it with SIGKILL at random moments. After each kill the database is reopened
//! and checked: every acknowledged event is present and byte-for-byte what was written, no
//! event is partial, the seq is gap-free, the hash chain is valid, and every view and
//! checkpoint equals a rebuild.
//!
//! Two kinds of kill: mid-append (one database; every other round killed 20–140 ms after
//! the child starts, the others within 40 ms of its first acknowledged append) and
//! mid-creation (a new database every round, killed within its first 120 ms, often while
//! the engine is creating its files; creation must be atomic, `src/storage/creation.rs`).
//!
//! Every test runs on both engines. redb must pass the strict form (every reopen succeeds
//! and serves every acknowledged event): 50 kills in the regular suite, and the 1,000-kill
//! soak passed on 2026-11-28 (406 s, 0 refusals; again with locked atomic creation and the
//! half-after-ack timing, together with 500 creation kills: 297 s). sled is held to the weaker form below.
//!
//! FINDING (2026-11-28): sled 0.34.7 sometimes cannot reopen a database after a SIGKILL —
//! `Read corrupted data at file offset None` from sled's own recovery, about once in 300
//! kills here (first seen at round 14 of a CI run on the 2-core machine; 0 in 200 kills
//! over four later runs). The acknowledged events are then unreachable. The strict tests
//! that demand every reopen succeed are kept, `#[ignore]`d with this evidence; the regular
//! suite runs 50 kills and demands what sled does guarantee here: every reopen either
//! serves every acknowledged event exactly as written, or refuses with a clear error —
//! never a wrong or partial answer, never a panic. See `schema/storage.md` §2.

mod common;

#[path = "../examples/crash_child.rs"]
mod child;

use annals::workload::Rng;
use annals::{EngineKind, Store, StoreOptions};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn child_binary() -> PathBuf {
    // cargo test builds examples next to the test binaries' directory.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(format!("crash_child{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "build the crash child first: {} (cargo test builds it)",
        path.display()
    );
    path
}

/// When the kills fall.
#[derive(Clone, Copy, PartialEq)]
enum Kills {
    /// One database; every other round killed 20–140 ms after the child starts (often
    /// mid-reopen), the others within 40 ms of its first acknowledged append.
    MidAppend,
    /// A database that does not exist yet in every round, killed 0–25 or 0–120 ms after the child
    /// starts: often while the engine is still creating its files.
    MidCreation,
}

/// Run `rounds` kills. With `strict`, a database that cannot be reopened fails the test;
/// otherwise the refusal must be a clear error and the next round starts a new database.
/// Returns how many reopens were refused.
fn kill_rounds(engine: EngineKind, rounds: usize, seed: u64, strict: bool, kills: Kills) -> usize {
    let dir = common::tempdir();
    let mut generation = 0;
    let mut db = dir.path().join("db0");
    let bin = child_binary();
    let mut rng = Rng::new(seed);
    let mut acked_total = 0u64;
    let mut checked_through = 0u64;
    let mut progress = 0u64;
    let mut refused = 0;
    for round in 0..rounds {
        if kills == Kills::MidCreation {
            generation += 1;
            db = dir.path().join(format!("db{generation}"));
            acked_total = 0;
            checked_through = 0;
        }
        let mut child = Command::new(&bin)
            .arg(&db)
            .arg(engine.name())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_ack, first_ack_seen) = std::sync::mpsc::channel::<()>();
        let reader = std::thread::spawn(move || {
            let mut acked = 0u64;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parts: Vec<&str> = line.split_whitespace().collect();
                if parts.len() == 3 && parts[0] == "ack" {
                    acked = acked.max(parts[2].parse().unwrap());
                    let _ = first_ack.send(());
                }
            }
            acked
        });
        let after_ms = match kills {
            // Every other round waits for the child's first acknowledged append, so that
            // the test makes progress however slow the machine (a loaded 2-core machine
            // can spend the whole of a fixed delay reopening sled), then kills within
            // the next 40 ms; the other rounds kill at a fixed delay, often mid-reopen.
            Kills::MidAppend if round % 2 == 1 => {
                let _ = first_ack_seen.recv_timeout(Duration::from_secs(30));
                rng.below(40)
            }
            Kills::MidAppend => 20 + rng.below(120),
            // Creating takes ~15 ms on redb and ~80 ms on sled in a debug build here.
            Kills::MidCreation if round % 2 == 0 => rng.below(25),
            Kills::MidCreation => rng.below(120),
        };
        std::thread::sleep(Duration::from_millis(after_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        progress += acked.saturating_sub(acked_total);
        acked_total = acked_total.max(acked);

        let store = match std::panic::catch_unwind(|| {
            Store::open_with(&db, StoreOptions::default().with_engine(engine))
        }) {
            Err(_) => panic!("round {round}: reopening panicked"),
            Ok(Ok(store)) => store,
            Ok(Err(e)) if !strict => {
                assert!(
                    matches!(
                        e,
                        annals::Error::Open { .. } | annals::Error::Storage { .. }
                    ),
                    "round {round}: unclear error {e:?}"
                );
                // Only sled's own recovery may refuse; a half-made directory is our bug.
                assert!(
                    !e.to_string().contains("no annals database"),
                    "round {round}: a kill left a half-made database: {e}"
                );
                eprintln!("round {round}: {engine} refused to reopen after the kill: {e}");
                refused += 1;
                generation += 1;
                db = dir.path().join(format!("db{generation}"));
                acked_total = 0;
                checked_through = 0;
                continue;
            }
            Ok(Err(e)) => panic!("round {round}: {engine} reopen failed: {e}"),
        };
        let head = store.head().seq;
        assert!(
            head >= acked_total,
            "round {round}: acknowledged seq {acked_total} lost (head {head})"
        );
        // Everything new since the last round is exactly what the child wrote.
        for seq in checked_through + 1..=head {
            let event = store
                .event(seq)
                .unwrap_or_else(|e| panic!("round {round}: seq {seq}: {e}"));
            assert_eq!(
                event.content,
                child::content_for(seq).content,
                "round {round}: seq {seq} differs"
            );
        }
        checked_through = head;
        let report = store
            .verify()
            .unwrap_or_else(|e| panic!("round {round}: verify: {e}"));
        assert_eq!(report.events, head);
        if round % 10 == 9 || round + 1 == rounds {
            annals::testing::assert_rebuild_matches(&store);
        }
    }
    if kills == Kills::MidAppend {
        // Half the rounds wait for an acknowledgement before the kill.
        assert!(
            progress >= rounds as u64 / 2,
            "the child made progress ({progress} acknowledged in {rounds} rounds)"
        );
    }
    refused
}

#[test]
fn redb_fifty_kills_lose_nothing_acknowledged() {
    kill_rounds(EngineKind::Redb, 50, 7, true, Kills::MidAppend);
}

/// A CI run once killed the child while redb was still writing a new file's header; the
/// file then had no valid magic number and could never be opened ("Not a redb database").
/// Creation is now atomic (`src/storage/creation.rs`); this kills 80 creations.
#[test]
fn redb_kills_during_creation_leave_a_usable_database() {
    kill_rounds(EngineKind::Redb, 80, 5, true, Kills::MidCreation);
}

#[test]
#[ignore = "soak: 500 creation kills on redb (run with --ignored)"]
fn redb_five_hundred_kills_during_creation_leave_a_usable_database() {
    kill_rounds(EngineKind::Redb, 500, 13, true, Kills::MidCreation);
}

/// sled creation is atomic too (`src/storage/creation.rs`); before, a kill could leave a
/// directory holding only `blobs/`, which no open accepts.
/// sled's own reopen problem after a kill (module doc) is tolerated as in the test above.
#[test]
fn sled_kills_during_creation_leave_a_usable_database() {
    let refused = kill_rounds(EngineKind::Sled, 80, 5, false, Kills::MidCreation);
    eprintln!("sled refused to reopen after {refused} of 80 creation kills");
}

#[test]
#[ignore = "soak: 1,000 kills on redb (run with --ignored)"]
fn redb_a_thousand_kills_lose_nothing_acknowledged() {
    kill_rounds(EngineKind::Redb, 1000, 11, true, Kills::MidAppend);
}

#[test]
fn sled_fifty_kills_never_serve_a_wrong_answer() {
    let refused = kill_rounds(EngineKind::Sled, 50, 7, false, Kills::MidAppend);
    eprintln!("sled refused to reopen after {refused} of 50 kills");
}

#[test]
#[ignore = "fails about once in 300 kills: sled 0.34.7 cannot always reopen after SIGKILL (see the module doc)"]
fn sled_fifty_kills_lose_nothing_acknowledged() {
    kill_rounds(EngineKind::Sled, 50, 7, true, Kills::MidAppend);
}

#[test]
#[ignore = "soak: 1,000 kills (run with --ignored); with sled 0.34.7 expect a refusal to reopen (see the module doc)"]
fn sled_a_thousand_kills_lose_nothing_acknowledged() {
    kill_rounds(EngineKind::Sled, 1000, 11, true, Kills::MidAppend);
}

/// What a kill before publishing leaves — a half-written staging file (redb) or staging
/// directory (sled) — does not stop the database from being created and used.
#[test]
fn leftovers_of_an_interrupted_creation_do_not_block_the_database() {
    for engine in EngineKind::ALL {
        let dir = common::tempdir();
        let db = dir.path().join("db");
        let leftover = if engine == EngineKind::Redb {
            std::fs::create_dir(&db).unwrap();
            // A header cut short: the state a kill mid-creation used to leave as
            // `annals.redb` itself.
            let staging = db.join("annals.redb.creating-999999-0");
            std::fs::write(&staging, [0u8; 4096]).unwrap();
            staging
        } else {
            // What sled leaves when killed early in its staging directory, and when killed
            // while publishing: the creation lock, and `conf`, a snapshot and `blobs/`
            // moved into place without `db`.
            let staging = db.join(".annals-creating-999999-0");
            std::fs::create_dir_all(staging.join("blobs")).unwrap();
            std::fs::write(staging.join("conf"), b"segment_size: 524288\n").unwrap();
            std::fs::write(db.join(".annals-create.lock"), b"").unwrap();
            std::fs::write(db.join("conf"), b"segment_size: 524288\n").unwrap();
            std::fs::write(db.join("snap.0000000000000060"), [7u8; 69]).unwrap();
            std::fs::create_dir(db.join("blobs")).unwrap();
            staging
        };
        assert_eq!(
            annals::storage::detect(&db).unwrap(),
            Some(engine),
            "{engine}: leftovers are a database being created, not a database"
        );
        create_with_one_event(engine, &db);
        assert!(
            !leftover.exists(),
            "{engine}: an open of an existing database removes unlocked leftovers"
        );
        reopen_with_one_event(engine, &db);
    }
}

/// Create (or open) the `engine` database at `db` and append one event to it.
fn create_with_one_event(engine: EngineKind, db: &std::path::Path) {
    let store = Store::open_with(db, StoreOptions::default().with_engine(engine))
        .unwrap_or_else(|e| panic!("{engine}: {e}"));
    store.append(child::content_for(1)).unwrap();
}

/// Reopen the database at `db` and check that it holds exactly that one event.
fn reopen_with_one_event(engine: EngineKind, db: &std::path::Path) {
    let store = Store::open(db).unwrap_or_else(|e| panic!("{engine}: reopen: {e}"));
    assert_eq!(store.head().seq, 1, "{engine}");
    assert_eq!(
        store.event(1).unwrap().content,
        child::content_for(1).content
    );
}

/// Creating a database in an existing empty directory (a common way to hand annals a
/// place) goes through the same staging, and leaves nothing of it behind.
#[test]
fn creation_in_an_existing_empty_directory_leaves_only_the_database() {
    for engine in EngineKind::ALL {
        let dir = common::tempdir();
        create_with_one_event(engine, dir.path());
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("annals-creating") || name.contains(".creating-"))
            .collect();
        assert!(leftovers.is_empty(), "{engine}: {leftovers:?}");
        reopen_with_one_event(engine, dir.path());
    }
}

/// Creation removes only what an interrupted creation by annals left. A directory with
/// files of sled's names but no creation lock (say, a project with a `conf/` folder) is
/// refused and left untouched, whether opened through the store or the storage seam.
#[test]
fn creation_never_removes_files_that_are_not_annals_leftovers() {
    for engine in EngineKind::ALL {
        let dir = common::tempdir();
        std::fs::create_dir(dir.path().join("conf")).unwrap();
        std::fs::write(dir.path().join("conf/settings.toml"), b"mine").unwrap();
        std::fs::write(dir.path().join("snap.2024"), b"mine too").unwrap();
        let by_store = Store::open_with(dir.path(), StoreOptions::default().with_engine(engine));
        assert!(
            matches!(by_store, Err(annals::Error::Open { .. })),
            "{engine}: the store refuses"
        );
        let by_seam = annals::storage::open(
            dir.path(),
            engine,
            &annals::storage::EngineOptions::default(),
        );
        assert!(by_seam.is_err(), "{engine}: the seam refuses");
        assert_eq!(
            std::fs::read(dir.path().join("conf/settings.toml")).unwrap(),
            b"mine"
        );
        assert_eq!(
            std::fs::read(dir.path().join("snap.2024")).unwrap(),
            b"mine too"
        );
    }
}
