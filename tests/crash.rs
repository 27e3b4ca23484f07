//! Crash safety: a child process appends in a loop (single events and batches) while this
//! test kills it with SIGKILL at random moments. After each kill the database is reopened
//! and checked: every acknowledged event is present and byte-for-byte what was written, no
//! event is partial, the seq is gap-free, the hash chain is valid, and every view and
//! checkpoint equals a rebuild. 50 kills in the regular suite; 1,000 in the ignored soak.

mod common;

#[path = "../examples/crash_child.rs"]
mod child;

use annals::workload::Rng;
use annals::Store;
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

fn kill_rounds(rounds: usize, seed: u64) {
    let dir = common::tempdir();
    let db = dir.path().join("db");
    let bin = child_binary();
    let mut rng = Rng::new(seed);
    let mut acked_total = 0u64;
    let mut checked_through = 0u64;
    for round in 0..rounds {
        let mut child = Command::new(&bin)
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = 0u64;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parts: Vec<&str> = line.split_whitespace().collect();
                if parts.len() == 3 && parts[0] == "ack" {
                    acked = acked.max(parts[2].parse().unwrap());
                }
            }
            acked
        });
        std::thread::sleep(Duration::from_millis(20 + rng.below(120)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        acked_total = acked_total.max(acked);

        let store =
            Store::open(&db).unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
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
    assert!(
        acked_total > rounds as u64,
        "the child made progress ({acked_total} acknowledged)"
    );
}

#[test]
fn fifty_kills_lose_nothing_acknowledged() {
    kill_rounds(50, 7);
}

#[test]
#[ignore = "soak: 1,000 kills (run with --ignored)"]
fn a_thousand_kills_lose_nothing_acknowledged() {
    kill_rounds(1000, 11);
}
