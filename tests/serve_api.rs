//! `annals serve`'s JSON API through the real binary on a free loopback port, with the
//! sample timeline: every endpoint answers what the matching `--json` command prints,
//! every bad parameter gets a 400 with the CLI's own message, and the server stays
//! read-only, bounded and closed to other hosts and paths.

mod serve_common;

use serde_json::{json, Value};
use serve_common::{annals_bin, sample_template, Sample};
use std::path::Path;

/// The sample database this file's tests copy, and the CLI reads (`--read-only`).
fn template() -> &'static Path {
    sample_template("serve_api")
}

/// `annals serve` on a copy of the sample, on a free loopback port; stopped when dropped.
fn server() -> Sample {
    Sample::serve(template(), &["--bind", "127.0.0.1:0"])
}

/// `annals ARGS --json` on the sample: the exit status, stdout and stderr.
fn cli(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(annals_bin())
        .env_remove("ANNALS_DB")
        .arg("--db")
        .arg(template())
        .arg("--read-only")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// The CLI's `--json` answer.
fn cli_json(args: &[&str]) -> Value {
    let (ok, stdout, stderr) = cli(args);
    assert!(ok, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// The CLI's error message for `args` (it must fail with a usage error).
fn cli_error(args: &[&str]) -> String {
    let (ok, _, stderr) = cli(args);
    assert!(!ok, "{args:?} should fail");
    let v: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(v["error"]["kind"], "usage", "{args:?}: {stderr}");
    v["error"]["message"].as_str().unwrap().to_string()
}

/// GET that must answer 200.
fn ok(s: &Sample, path: &str) -> Value {
    let (status, v) = s.get(path);
    assert_eq!(status, 200, "{path}: {v}");
    v
}

/// GET that must answer `status` with a JSON error of `kind`: its message.
fn fails(s: &Sample, path: &str, status: u16, kind: &str) -> String {
    let (got, v) = s.get(path);
    assert_eq!(got, status, "{path}: {v}");
    assert_eq!(v["error"]["kind"], kind, "{path}: {v}");
    v["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn views_answer_as_the_view_commands_do() {
    let s = server();
    let api = ok(
        &s,
        "/api/views/deployments?as_of=2024-11-20&known_at=2024-11-01&actor=PRK",
    );
    let cli = cli_json(&[
        "deployments",
        "--as-of",
        "2024-11-20",
        "--known-at",
        "2024-11-01",
        "--actor",
        "PRK",
    ]);
    assert_eq!(api, cli);
    assert_eq!(api["rows"][0]["strength"], 8000);
    assert_eq!(api["known_at"]["seq"], 42);
    let api = ok(&s, "/api/views/alliances?as_of=1999-03-12");
    assert_eq!(
        api,
        cli_json(&["view", "alliances", "--as-of", "1999-03-12"])
    );
    let api = ok(&s, "/api/views/arms?as_of=2024-12-31&by=pair");
    assert_eq!(
        api,
        cli_json(&["arms", "--as-of", "2024-12-31", "--by", "pair"])
    );
    let names = ok(&s, "/api/views");
    assert!(names["views"]
        .as_array()
        .unwrap()
        .contains(&json!("deployments")));
}

#[test]
fn nato_has_three_more_members_on_1999_03_12() {
    let s = server();
    let count = |day: &str| {
        let v = ok(&s, &format!("/api/views/alliances?as_of={day}"));
        let nato = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["alliance"] == "NATO");
        nato.unwrap()["members"].as_array().unwrap().len()
    };
    assert_eq!(count("1999-03-11") + 3, count("1999-03-12"));
}

#[test]
fn view_rows_are_cut_at_the_limit_and_say_so() {
    let s = server();
    let v = ok(&s, "/api/views/leaders?as_of=2024-12-31&limit=2");
    assert_eq!(v["rows"].as_array().unwrap().len(), 2);
    assert_eq!(v["truncated"], true);
    let v = ok(&s, "/api/views/leaders?as_of=2024-12-31");
    assert!(v.get("truncated").is_none());
}

#[test]
fn history_answers_as_history_does() {
    let s = server();
    let api = ok(&s, "/api/history/JPN?known_at=2024-11-16T00:00:00Z");
    let cli = cli_json(&["history", "JPN", "--known-at", "2024-11-16T00:00:00Z"]);
    assert_eq!(api, cli);
    let api = ok(&s, "/api/history/PRK?from=2024-10&kind=deployment");
    let cli = cli_json(&[
        "history",
        "PRK",
        "--from",
        "2024-10",
        "--kind",
        "deployment",
    ]);
    assert_eq!(api, cli);
    assert!(!api["events"].as_array().unwrap().is_empty());
}

#[test]
fn diff_answers_both_forms_as_diff_does() {
    let s = server();
    let api = ok(&s, "/api/diff?from=1999-01-01&to=1999-12-31&view=alliances");
    let cli = cli_json(&["diff", "1999-01-01", "1999-12-31", "--view", "alliances"]);
    assert_eq!(api, cli);
    let api = ok(
        &s,
        "/api/diff?view=deployments&known_at=2024-11-01&known_at=now&as_of=2024-11-15",
    );
    let cli = cli_json(&[
        "diff",
        "--known-at",
        "2024-11-01",
        "--known-at",
        "now",
        "--as-of",
        "2024-11-15",
        "--view",
        "deployments",
    ]);
    assert_eq!(api, cli);
    assert_eq!(api["changed"][0]["from"]["strength"], 8000);
    assert_eq!(api["changed"][0]["to"]["strength"], 12000);
    // Every view at once: an array, as the CLI prints it.
    let api = ok(&s, "/api/diff?from=2024-01-01&to=2024-12-31");
    assert_eq!(api, cli_json(&["diff", "2024-01-01", "2024-12-31"]));
}

#[test]
fn relations_answer_as_relations_does() {
    let s = server();
    let api = ok(&s, "/api/relations/PRK/RUS?as_of=2024-11-15");
    assert_eq!(
        api,
        cli_json(&["relations", "PRK", "RUS", "--as-of", "2024-11-15"])
    );
    assert_eq!(api["deployments"][0]["strength"], 12000);
}

#[test]
fn the_timeline_holds_the_lines_of_timeline_json() {
    let s = server();
    let api = ok(&s, "/api/timeline?actor=PRK&known_at=2024-11-01");
    let (success, stdout, stderr) =
        cli(&["timeline", "--actor", "PRK", "--known-at", "2024-11-01"]);
    assert!(success, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(api["events"], Value::Array(lines));
    assert_eq!(api["known_at"]["seq"], 42);
    let cut = ok(&s, "/api/timeline?limit=3");
    assert_eq!(cut["events"].as_array().unwrap().len(), 3);
    assert_eq!(cut["truncated"], true);
}

#[test]
fn the_timeline_around_a_day_has_the_nearest_events() {
    let s = server();
    let v = ok(&s, "/api/timeline?around=1999-03-12&limit=4");
    let dates: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(dates.len(), 4, "{dates:?}");
    assert!(dates[..2].iter().all(|d| *d <= "1999-03-12"), "{dates:?}");
    assert!(dates[2..].iter().all(|d| *d > "1999-03-12"), "{dates:?}");
    assert!(dates.contains(&"1999-03-12"));
    let prk = ok(&s, "/api/timeline?around=2024-11-01&actor=PRK&limit=2");
    for e in prk["events"].as_array().unwrap() {
        assert!(e.to_string().contains("PRK"), "{e}");
    }
}

#[test]
fn basis_and_bounds_give_the_sliders_ranges() {
    let s = server();
    let b = ok(&s, "/api/basis?as_of=2024-11-15&known_at=seq:42");
    assert_eq!(b["as_of"], "2024-11-15");
    assert_eq!(b["known_at"]["seq"], 42);
    assert_eq!(b["known_at"]["recorded"], "2024-10-31T20:00:00.000000Z");
    let bounds = ok(&s, "/api/bounds");
    assert_eq!(bounds["events"], 54);
    assert_eq!(bounds["days"]["first"], "1949-04-04");
    assert_eq!(bounds["knowledge"]["first"]["seq"], 1);
    assert_eq!(bounds["knowledge"]["last"]["seq"], 54);
    assert!(bounds["days"]["last"].as_str().unwrap() >= "2024-12-16");
}

#[test]
fn an_event_shows_its_versions_field_changes_and_sources() {
    let s = server();
    // Camp David (seq 51) was corrected by seq 52: Ishiba → Kishida.
    for id in [
        "seq:51",
        "51",
        "0bf21ecb-a7c0-447a-9aa1-b1b64f07c408",
        "seq:52",
    ] {
        let v = ok(&s, &format!("/api/event/{id}"));
        let versions = v["versions"].as_array().unwrap();
        let seqs: Vec<u64> = versions
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [51, 52], "{id}");
        assert_eq!(versions[0]["status"], "corrected");
        assert_eq!(versions[0]["by"], 52);
        let changes = versions[1]["changes"].as_array().unwrap();
        let summary = changes.iter().find(|c| c["field"] == "summary").unwrap();
        assert!(summary["from"].as_str().unwrap().contains("Ishiba"));
        assert!(summary["to"].as_str().unwrap().contains("Kishida"));
        let sources = v["sources"].to_string();
        assert!(sources.contains("AP via seed article") && sources.contains("whitehouse.gov"));
    }
    // Known before the correction: one version, in effect.
    let then = ok(&s, "/api/event/seq:51?known_at=2024-11-16");
    assert_eq!(then["versions"].as_array().unwrap().len(), 1);
    assert_eq!(then["event"]["status"], "current");
}

#[test]
fn bad_parameters_get_a_400_with_the_clis_message() {
    let s = server();
    let cases: &[(&str, &[&str])] = &[
        (
            "/api/views/deployments?as_of=2024-13-45",
            &["deployments", "--as-of", "2024-13-45"],
        ),
        (
            "/api/views/deployments?known_at=yesterday",
            &["deployments", "--known-at", "yesterday"],
        ),
        (
            "/api/views/deployments?known_at=seq:x",
            &["deployments", "--known-at", "seq:x"],
        ),
        (
            "/api/views/deployments?actor=ZZZ",
            &["deployments", "--actor", "ZZZ"],
        ),
        (
            "/api/views/deployments?actor=no%20code",
            &["deployments", "--actor", "no code"],
        ),
        ("/api/views/nope", &["view", "nope"]),
        ("/api/history/ZZZ", &["history", "ZZZ"]),
        (
            "/api/history/PRK?kind=deploy",
            &["history", "PRK", "--kind", "deploy"],
        ),
        (
            "/api/history/PRK?from=2024-99",
            &["history", "PRK", "--from", "2024-99"],
        ),
        (
            "/api/diff?from=2024-01-01&to=2024-13",
            &["diff", "2024-01-01", "2024-13"],
        ),
        (
            "/api/diff?from=2024&to=2025&view=nope",
            &["diff", "2024", "2025", "--view", "nope"],
        ),
        (
            "/api/diff?from=2024&to=2025&known_at=now&known_at=now",
            &[
                "diff",
                "2024",
                "2025",
                "--known-at",
                "now",
                "--known-at",
                "now",
            ],
        ),
        ("/api/diff?known_at=now", &["diff", "--known-at", "now"]),
        ("/api/relations/PRK/ZZZ", &["relations", "PRK", "ZZZ"]),
        (
            "/api/relations/PRK/RUS?as_of=soon",
            &["relations", "PRK", "RUS", "--as-of", "soon"],
        ),
        (
            "/api/timeline?from=1999-02-30",
            &["timeline", "--from", "1999-02-30"],
        ),
        ("/api/timeline?actor=QQQ", &["timeline", "--actor", "QQQ"]),
        (
            "/api/timeline?known_at=later",
            &["timeline", "--known-at", "later"],
        ),
        (
            "/api/basis?as_of=1999-3",
            &["deployments", "--as-of", "1999-3"],
        ),
    ];
    for (path, args) in cases {
        let api = fails(&s, path, 400, "usage");
        assert_eq!(api, cli_error(args), "{path}");
    }
}

#[test]
fn the_apis_own_mistakes_are_400s_too() {
    let s = server();
    let m = fails(&s, "/api/views/deployments?asof=2024", 400, "usage");
    assert_eq!(
        m,
        "unknown parameter `asof`; this endpoint takes as_of, known_at, actor, by, limit"
    );
    let m = fails(
        &s,
        "/api/views/deployments?as_of=2024&as_of=2025",
        400,
        "usage",
    );
    assert!(m.contains("more than once"), "{m}");
    let m = fails(&s, "/api/views/leaders?limit=0", 400, "usage");
    assert!(
        m.starts_with("limit: expected a whole number from 1 to 10000"),
        "{m}"
    );
    let m = fails(&s, "/api/views/leaders?by=pair", 400, "usage");
    assert!(m.contains("only the arms and conflicts views"), "{m}");
    let m = fails(&s, "/api/views/arms?by=nobody", 400, "usage");
    assert!(
        m.contains("possible values: supplier, recipient, pair"),
        "{m}"
    );
    let m = fails(&s, "/api/diff?from=2024", 400, "usage");
    assert!(m.contains("both from and to"), "{m}");
    let m = fails(
        &s,
        "/api/timeline?around=2024-01-01&from=2023",
        400,
        "usage",
    );
    assert!(m.contains("around"), "{m}");
    fails(&s, "/api/timeline?around=2024-02-31", 400, "usage");
    fails(&s, "/api/bounds?x=1", 400, "usage");
    let m = fails(&s, "/api/event/nonsense", 400, "usage");
    assert!(m.contains("neither a seq"), "{m}");
    fails(&s, "/api/event/seq:999", 404, "not_found");
    fails(
        &s,
        "/api/event/6f1c0a52-3c1b-4c0e-9a55-3f9c2d1e0b6a",
        404,
        "not_found",
    );
    fails(&s, "/api/event/seq:52?known_at=seq:10", 404, "not_found");
}

#[test]
fn unknown_paths_are_404_and_nothing_is_read_from_disk() {
    let s = server();
    for path in [
        "/api/nope",
        "/nope",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/app.js.map",
        "/Cargo.toml",
        "/assets/",
    ] {
        fails(&s, path, 404, "not_found");
    }
}

#[test]
fn the_page_and_its_assets_come_from_the_binary() {
    let s = server();
    let (status, headers, body) = s.get_raw("/", &[]);
    assert_eq!(status, 200);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert!(header("content-type").unwrap().starts_with("text/html"));
    assert!(header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header("access-control-allow-origin").is_none(), "no CORS");
    assert!(
        body.contains("/assets/app.js") && !body.contains("http://") && !body.contains("https://")
    );
    for asset in [
        "/assets/app.js",
        "/assets/map.js",
        "/assets/app.css",
        "/assets/LICENSE-world-atlas.txt",
    ] {
        let (status, _, body) = s.get_raw(asset, &[]);
        assert_eq!(status, 200, "{asset}");
        assert!(
            !body.contains("https://cdn"),
            "{asset} loads nothing from the network"
        );
    }
    let (_, map) = s.get("/assets/countries-110m.json");
    assert_eq!(map["type"], "Topology");
    let (_, centroids) = s.get("/assets/centroids.json");
    assert!(centroids["centroids"]["RUS"].is_array());
    assert_eq!(centroids["via"]["SUN"], "RUS");
    assert!(centroids["missing"]
        .as_array()
        .unwrap()
        .contains(&json!("MLT")));
}

#[test]
fn only_reads_are_answered() {
    let s = server();
    let agent = serve_common::agent();
    let url = format!("{}/api/views/deployments", s.base);
    let response = agent.post(&url).send("{}").unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let response = agent.delete(&url).call().unwrap();
    assert_eq!(response.status().as_u16(), 405);
    // No API answer has CORS headers either.
    let (_, headers, _) = s.get_raw("/api/bounds", &[("Origin", "http://evil.example")]);
    assert!(!headers
        .iter()
        .any(|(k, _)| k.to_ascii_lowercase().starts_with("access-control")));
}

#[test]
fn requests_naming_another_host_are_refused() {
    let s = server();
    let (status, _, body) = s.get_raw("/api/bounds", &[("Host", "evil.example:8080")]);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"forbidden\""));
    let (status, _, _) = s.get_raw("/", &[("Host", "localhost")]);
    assert_eq!(status, 200);
}

#[test]
fn a_bind_beyond_loopback_warns() {
    let wide = Sample::serve(template(), &["--bind", "0.0.0.0:0"]);
    assert!(
        wide.banner
            .iter()
            .any(|l| l.starts_with("warning: --bind 0.0.0.0:")),
        "{:?}",
        wide.banner
    );
    // Any host may ask a server bound beyond loopback (the warning said so).
    let url = wide.base.replace("0.0.0.0", "127.0.0.1");
    let response = serve_common::agent()
        .get(format!("{url}/api/bounds"))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let quiet = server();
    assert!(
        !quiet.banner.iter().any(|l| l.contains("warning")),
        "{:?}",
        quiet.banner
    );
}

#[test]
fn the_database_is_opened_read_only() {
    let s = server();
    assert!(s.banner.join("\n").contains("read-only"), "{:?}", s.banner);
    // On redb read-only opens share the database and never sit beside a writer: another
    // read-only command reads it at once (it could not, were the explorer writing), and a
    // command that writes is refused. (On sled every open is exclusive.)
    if std::env::var("ANNALS_ENGINE").is_ok_and(|e| e == "sled") {
        return;
    }
    let run = |args: &[&str]| {
        std::process::Command::new(annals_bin())
            .env_remove("ANNALS_DB")
            .args(["--wait", "0", "--db"])
            .arg(&s.db)
            .args(args)
            .output()
            .unwrap()
    };
    let read = run(&["--read-only", "stats", "--json"]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let write = run(&["rebuild"]);
    assert!(!write.status.success());
    let (status, v) = s.get("/api/bounds");
    assert_eq!((status, v["events"].as_u64()), (200, Some(54)));
}

#[test]
fn places_put_a_deployment_where_its_report_says() {
    let s = server();
    let none = ok(&s, "/api/places?as_of=2024-11-20&actor=PRK");
    assert_eq!(none["places"], json!([]), "the sample gives no coordinates");
    fails(&s, "/api/places?as_of=2024-02-30", 400, "usage");
    // A database whose Kursk report has coordinates.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000,"location":{"name":"Kursk","lat":51.73,"lon":36.19}}"#,
            "\n",
            r#"{"date":"2024-11-02","kind":"deployment","actor":"PRK","host":"RUS","region":"Primorsky","strength":500}"#,
            "\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("db");
    let out = std::process::Command::new(annals_bin())
        .env_remove("ANNALS_DB")
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let located = serve_common::Server::start(&db);
    let (status, v) = located.get("/api/places?as_of=2024-12-01");
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["places"],
        json!([{"actor": "PRK", "host": "RUS", "region": "Kursk", "lat": 51.73, "lon": 36.19, "name": "Kursk", "seq": 1}])
    );
}
