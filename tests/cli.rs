//! The real `annals` binary: exit codes, stderr diagnostics with line numbers, nothing
//! written on failure, the in-use error from a second process, round trips through files.

mod common;

use common::*;
use predicates::prelude::*;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn import_reports_counts_and_is_idempotent() {
    let dir = tempdir();
    let db = db_path(&dir);
    annals(&db)
        .args(["import", "schema/examples/events.jsonl"])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"^imported 34 new events \(0 already present\), seq 1\.\.34\n$",
            )
            .unwrap(),
        );
    annals(&db)
        .args(["import", "schema/examples/events.jsonl", "--json"])
        .assert()
        .success()
        .stdout("{\"imported\":0,\"already_present\":34,\"first_seq\":null,\"last_seq\":null,\"identical_lines\":0,\"warnings\":[]}\n");
}

#[test]
fn bad_lines_give_line_numbers_exit_1_and_write_nothing() {
    let dir = tempdir();
    let db = db_path(&dir);
    annals(&db)
        .args(["import", "schema/examples/events.jsonl"])
        .assert()
        .success();
    let before = event_count(&db);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", b"".to_vec(), "line 1: the input is empty"),
        ("bom", b"\xEF\xBB\xBF{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n".to_vec(), "line 1: the input starts with a byte-order mark"),
        ("non-utf8", b"{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"\xff\xfe\"]}\n".to_vec(), "line 2: not valid UTF-8"),
        ("typo", b"{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n\n{\"date\":\"2024\",\"kind\":\"meting\",\"actors\":[\"USA\",\"KOR\"]}\n".to_vec(), "line 3: unknown kind `meting`; did you mean `meeting`?"),
        ("day", b"{\"date\":\"2024-02-30\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n".to_vec(), "line 1: statement: field `date`: invalid date `2024-02-30`"),
        ("year0", b"{\"date\":\"0000\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n".to_vec(), "year must be between 0001 and 9999"),
        ("year10000", b"{\"date\":\"10000\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n".to_vec(), "line 1: statement: field `date`"),
        ("dupkey", b"{\"date\":\"2024\",\"kind\":\"statement\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n".to_vec(), "duplicate key `kind`"),
        ("negative", b"{\"date\":\"2024\",\"kind\":\"deployment\",\"actor\":\"PRK\",\"host\":\"RUS\",\"strength\":-5}\n".to_vec(), "line 1: deployment: field `strength` must be an integer from 0"),
        ("huge", b"{\"date\":\"2024\",\"kind\":\"arms_transfer\",\"supplier\":\"PRK\",\"recipient\":\"RUS\",\"item\":\"x\",\"quantity\":1e30}\n".to_vec(), "field `quantity`"),
        ("deep", format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(), "line 1: invalid JSON: recursion limit exceeded"),
        ("longline", { let mut v = b"{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"],\"summary\":\"".to_vec(); v.extend(std::iter::repeat_n(b'a', 10 << 20)); v.extend(b"\"}\n"); v }, "line 1: line is longer than the limit of 1048576 bytes"),
        ("many-actors", format!("{{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[{}]}}\n", (0..100_000).map(|i| format!("\"A{i}\"")).collect::<Vec<_>>().join(",")).into_bytes(), "has 100000 codes; the limit is 256"),
    ];
    for (name, bytes, expected) in cases {
        let file = write(&dir, name, &bytes);
        annals(&db)
            .arg("import")
            .arg(&file)
            .assert()
            .code(1)
            .stdout("")
            .stderr(
                predicate::str::contains(expected)
                    .and(predicate::str::contains("nothing was written")),
            );
        assert_eq!(event_count(&db), before, "{name} wrote something");
    }
}

#[test]
fn every_invalid_line_is_listed() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = write(
        &dir,
        "bad.jsonl",
        b"{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n{\"date\":\"x\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\n{}\n",
    );
    annals(&db)
        .arg("import")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("2 invalid lines")
                .and(predicate::str::contains("line 2:"))
                .and(predicate::str::contains(
                    "line 3: the line: missing field `kind`",
                )),
        );
    assert!(
        !db.exists(),
        "a failed import into a new path creates nothing"
    );
}

#[test]
fn crlf_is_accepted() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = write(&dir, "crlf.jsonl", b"{\"date\":\"2024\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\r\n{\"date\":\"2025\",\"kind\":\"statement\",\"actors\":[\"USA\"]}\r\n");
    annals(&db).arg("import").arg(&file).assert().success();
    assert_eq!(event_count(&db), 2);
}

#[test]
fn export_import_round_trip_through_files() {
    let dir = tempdir();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    import_sample(&a);
    annals(&a)
        .args(["import", "schema/examples/events.jsonl"])
        .assert()
        .success();
    let exported = annals(&a).arg("export").output().unwrap().stdout;
    let file = write(&dir, "export.jsonl", &exported);
    annals(&b)
        .arg("import")
        .arg(&file)
        .arg("--keep-recorded")
        .assert()
        .success();
    let again = annals(&b).arg("export").output().unwrap().stdout;
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(exported).unwrap()
    );
    let va = annals(&a)
        .args(["verify", "--json"])
        .output()
        .unwrap()
        .stdout;
    let vb = annals(&b)
        .args(["verify", "--json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(va, vb, "same head hash");
}

#[test]
fn log_json_lines_carry_store_fields() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    let out = annals(&db)
        .args([
            "log",
            "--json",
            "--actor",
            "prk",
            "--kind",
            "deployment",
            "--from",
            "2024-10",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 4, "{text}");
    for r in &rows {
        for key in [
            "id", "seq", "recorded", "date", "kind", "actor", "host", "strength",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert_eq!(r["kind"], "deployment");
    }
    annals(&db)
        .args(["log", "--kind", "meting"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `meeting`"));
}

#[test]
fn append_from_argument_and_stdin() {
    let dir = tempdir();
    let db = db_path(&dir);
    let line = r#"{"date":"2024-10-31","kind":"missile_test","actor":"PRK","class":"ICBM"}"#;
    annals(&db)
        .args(["append", line])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("appended seq 1 (id "));
    annals(&db)
        .arg("append")
        .write_stdin(line)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("already present at seq 1"));
    annals(&db)
        .args(["append", "{\"date\":\"2024\"}"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing field `kind`"));
}

#[test]
fn usage_errors_exit_2_and_missing_databases_explain_themselves() {
    let dir = tempdir();
    let db = db_path(&dir);
    annals(&db).arg("frobnicate").assert().code(2);
    annals(&db)
        .args(["log", "--order", "sideways"])
        .assert()
        .code(2);
    annals(&db)
        .arg("stats")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no database there; create one with",
        ));
    annals(&db)
        .args(["log", "--from", "2024-13"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from"));
}

#[test]
fn a_second_process_gets_a_clear_in_use_error() {
    let dir = tempdir();
    let db = db_path(&dir);
    annals(&db)
        .args(["import", "schema/examples/events.jsonl"])
        .assert()
        .success();
    let _held = annals::Store::open(&db).unwrap();
    let holder = format!("in use by another process (pid {})", std::process::id());
    annals(&db)
        .args(["stats", "--wait", "300ms"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(holder.as_str()))
        .stderr(predicate::str::contains(
            "waited 300 ms; wait longer with --wait",
        ));
    annals(&db)
        .args(["stats", "--wait", "0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not waited for"));
}

#[test]
fn a_file_is_not_a_database() {
    let dir = tempdir();
    let file = write(&dir, "plain", b"hello");
    annals(&file)
        .arg("stats")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "it is a file, not a database directory",
        ));
}

#[test]
fn verify_names_the_corrupt_seq() {
    let dir = tempdir();
    let db = db_path(&dir);
    import_sample(&db);
    {
        let store = annals::Store::open(&db).unwrap();
        let key = annals::testing_raw::log_key(9);
        let mut v = annals::testing_raw::get(&store, &key).unwrap().unwrap();
        let i = v.len() - 5;
        v[i] ^= 0xff;
        annals::testing_raw::put(&store, &key, &v).unwrap();
    }
    annals(&db)
        .arg("verify")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "corrupt data at seq 9: checksum mismatch",
        ));
}

#[test]
fn demo_runs_on_the_bundled_timeline() {
    let dir = tempdir();
    let db = db_path(&dir);
    annals(&db).arg("demo").assert().success().stdout(
        predicate::str::contains("Imported the bundled sample timeline")
            .and(predicate::str::contains("hash chain intact")),
    );
}

#[test]
fn completions_and_man_page() {
    let dir = tempdir();
    let db = db_path(&dir);
    for shell in ["bash", "zsh", "fish"] {
        let out = annals(&db).args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("annals") && text.contains("deployments"),
            "{shell}"
        );
    }
    annals(&db).args(["completions", "tcsh"]).assert().code(2);
    annals(&db).arg("man").assert().success().stdout(
        predicate::str::contains(".TH annals 1").and(predicate::str::contains("deployments")),
    );
}

#[test]
fn every_command_shows_an_example_in_its_help() {
    let dir = tempdir();
    let db = db_path(&dir);
    let commands = [
        "import",
        "check",
        "schema",
        "append",
        "log",
        "export",
        "verify",
        "stats",
        "rebuild",
        "alliances",
        "deployments",
        "leaders",
        "arms",
        "tests",
        "view",
        "history",
        "diff",
        "relations",
        "tail",
        "completions",
        "man",
        "generate",
        "demo",
    ];
    for c in commands {
        annals(&db)
            .args([c, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example:"));
    }
}
