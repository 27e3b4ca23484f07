//! Tamper evidence: `verify --json` reports the head hash; `verify --since HASH` proves the
//! current log extends the log that ended at that head — and catches a rewrite that kept
//! every checksum and the chain itself consistent.

mod common;

use common::*;
use predicates::prelude::*;

fn head_hash(db: &std::path::Path) -> String {
    let out = annals(db).args(["verify", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["head_hash"].as_str().unwrap().to_string()
}

#[test]
fn an_appended_log_extends_its_old_head_and_a_rewritten_one_does_not() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let old = head_hash(&db);
    annals(&db)
        .args(["import", "schema/examples/events.jsonl"])
        .assert()
        .success();
    let out = annals(&db)
        .args(["verify", "--json", "--since", &old])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["extends"]["seq"], 54);
    annals(&db)
        .args(["verify", "--since", &old.to_uppercase()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "extends the log whose head was seq 54",
        ));

    // Rewrite an early event and re-chain everything after it: every check but --since passes.
    {
        let store = annals::Store::open(&db).unwrap();
        annals::testing_raw::rewrite_history(&store, 5, |e| {
            e.content.summary = Some("rewritten".into())
        })
        .unwrap();
        store.rebuild().unwrap();
    }
    annals(&db).arg("verify").assert().success();
    annals(&db)
        .args(["verify", "--since", &old])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "does not extend the log with head hash",
        ));
    annals(&db)
        .args(["verify", "--since", "not-a-hash"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--since: `not-a-hash` is not a head hash (64 hex digits",
        ));
}
