//! `annals chart` through the real binary: the series it derives agree with the views at
//! every step, SVG files parse and carry a title, date axes, a legend and the expected
//! series, uncertain spans and corrections are marked, and terminal charts fit the width.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    let out = annals(db)
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&run(db, &[args, &["--json"]].concat()).stdout).unwrap()
}

fn sample_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_path(dir);
    import_sample(&db);
    db
}

/// Parse an SVG file and return its document text (for roxmltree to borrow).
fn svg_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("invalid SVG: {e}"));
    text
}

/// Every text drawn in an SVG document.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

/// The number of points of each series line (stroke width 3: the step lines and their
/// samples in the legend).
fn lines(svg: &str) -> Vec<usize> {
    roxmltree::Document::parse(svg)
        .unwrap()
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("3"))
        .map(|n| {
            n.attribute("points")
                .unwrap_or_default()
                .split_whitespace()
                .count()
        })
        .collect()
}

#[test]
fn every_step_of_the_deployment_chart_is_what_the_view_says_on_that_day() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let chart = json(&db, &["chart", "deployments", "--actor", "PRK"]);
    assert_eq!(chart["chart"], "deployments");
    assert_eq!(chart["known_at"]["seq"], 54);
    let series = chart["series"].as_array().unwrap();
    let labels: Vec<&str> = series
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["PRK in RUS (Kursk)", "PRK in RUS (Primorsky)"]);
    let mut checked = 0;
    for s in series {
        let region = if s["label"].as_str().unwrap().contains("Kursk") {
            "Kursk"
        } else {
            "Primorsky"
        };
        let steps = s["steps"].as_array().unwrap();
        assert!(!steps.is_empty());
        for (i, step) in steps.iter().enumerate() {
            // Steps are contiguous, each until the next one starts.
            if let Some(next) = steps.get(i + 1) {
                assert_eq!(step["until"], next["from"]);
            }
            // The first and the last day of the step, asked of the view.
            let until = step["until"].as_str().unwrap();
            let last_day = annals::Day(annals::Day::parse_query(until).unwrap().0 - 1).to_string();
            for day in [step["from"].as_str().unwrap(), last_day.as_str()] {
                let view = json(&db, &["deployments", "--actor", "PRK", "--as-of", day]);
                let row = view["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["region"] == region)
                    .map(|r| r["strength"].clone())
                    .unwrap_or(Value::Null);
                assert_eq!(row, step["value"], "{region} on {day}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "checked {checked} days");
    // The reports of the sample, in order: 3,000, 8,000, 10,000 and 12,000 in Kursk.
    let kursk: Vec<u64> = series[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["value"].as_u64())
        .collect();
    assert_eq!(kursk, [3000, 8000, 10000, 12000]);
}

#[test]
fn the_deployment_svg_parses_and_has_title_axes_legend_and_one_line_per_deployment() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let svg = dir.path().join("prk.svg");
    let out = run(
        &db,
        &[
            "chart",
            "deployments",
            "--actor",
            "PRK",
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert!(
        out.stdout.is_empty(),
        "the SVG goes to the file, not stdout"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote "));
    let text = svg_text(&svg);
    let t = texts(&text);
    assert!(t
        .iter()
        .any(|s| s == "Deployments of PRK: reported strength"));
    assert!(t.iter().any(|s| s == "valid time"));
    assert!(t.iter().any(|s| s == "troops (reported strength)"));
    assert!(t.iter().any(|s| s == "2024-10-18"), "date labels: {t:?}");
    assert!(t.iter().any(|s| s == "12,000"), "value labels: {t:?}");
    // The legend names both deployments; the footer names the basis.
    assert!(t.iter().any(|s| s == "PRK in RUS (Kursk)"));
    assert!(t.iter().any(|s| s == "PRK in RUS (Primorsky)"));
    assert!(t.iter().any(|s| s.contains("known at seq 54")));
    // One step line per deployment (and none for "known now" at the current knowledge),
    // each with its sample in the legend.
    assert_eq!(lines(&text).len(), 2 * 2, "{text}");
    assert_eq!(lines(&text).iter().max(), Some(&8), "Kursk's four steps");
    assert!(!t.iter().any(|s| s.contains("as known now")));
}

#[test]
fn a_past_knowledge_shows_what_is_known_now_and_marks_where_it_differs() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let args = [
        "chart",
        "deployments",
        "--actor",
        "PRK",
        "--host",
        "RUS",
        "--known-at",
        "2024-11-01T00:00:00Z",
    ];
    let chart = json(&db, &args);
    assert_eq!(chart["known_at"]["seq"], 42);
    let kursk = &chart["series"][0];
    let last = |steps: &Value| steps.as_array().unwrap().last().unwrap()["value"].clone();
    assert_eq!(last(&kursk["steps"]), 8000);
    assert_eq!(last(&kursk["now"]), 12000);
    let marks = chart["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert_eq!(marks[0]["kind"], "revised");
    assert_eq!(marks[0]["date"], "2024-11-04");
    assert_eq!(marks[0]["note"], "8,000 then, 10,000 now");

    let svg = dir.path().join("then.svg");
    run(
        &db,
        &[&args[..], &["--svg", svg.to_str().unwrap()]].concat(),
    );
    let t = texts(&svg_text(&svg));
    assert!(t.iter().any(|s| s == "PRK in RUS (Kursk) (as known now)"));
    assert!(t.iter().any(|s| s == "known differently now"));
    assert!(t.iter().any(|s| s.contains("known at seq 42")));
}

const UNCERTAIN_AND_CORRECTED: &str = r#"{"id":"00000000-0000-4000-8000-000000000001","date":"2024-03","kind":"deployment","actor":"AAA","host":"BBB","strength":100,"recorded":"2024-04-01T00:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000002","date":"2024-06-10","kind":"deployment","actor":"AAA","host":"BBB","strength":300,"recorded":"2024-06-11T00:00:00Z"}
{"kind":"correction","target":"00000000-0000-4000-8000-000000000002","event":{"date":"2024-06-10","kind":"deployment","actor":"AAA","host":"BBB","strength":250},"recorded":"2024-07-01T00:00:00Z"}
"#;

#[test]
fn month_precision_is_shaded_as_uncertain_and_corrections_are_marked() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, UNCERTAIN_AND_CORRECTED).unwrap();
    run(&db, &["import", file.to_str().unwrap(), "--keep-recorded"]);
    let args = ["chart", "deployments", "--actor", "AAA", "--to", "2024-07"];
    let chart = json(&db, &args);
    let steps = chart["series"][0]["steps"].as_array().unwrap();
    // 2024-03 is placed at its earliest day and uncertain until its last.
    assert_eq!(steps[0]["from"], "2024-03-01");
    assert_eq!(steps[0]["certain"], false);
    assert_eq!(steps[0]["value"], 100);
    assert_eq!(steps[1]["from"], "2024-03-31");
    assert_eq!(steps[1]["certain"], true);
    // The corrected report shows its replacement, and is marked.
    assert_eq!(steps[2]["value"], 250);
    let marks = chart["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert_eq!(marks[0]["kind"], "correction");
    assert_eq!(marks[0]["date"], "2024-06-10");
    // Before the correction was recorded, the report stood as first made.
    let then = json(&db, &[&args[..], &["--known-at", "seq:2"]].concat());
    assert_eq!(then["series"][0]["steps"][2]["value"], 300);

    let svg = dir.path().join("aaa.svg");
    run(
        &db,
        &[&args[..], &["--svg", svg.to_str().unwrap()]].concat(),
    );
    let text = svg_text(&svg);
    let t = texts(&text);
    assert!(t.iter().any(|s| s == "date not yet certain (shaded)"));
    assert!(t.iter().any(|s| s == "corrected report"));

    // The terminal draws the shading and the mark under the line, and explains them.
    let term = String::from_utf8(run(&db, &args).stdout).unwrap();
    assert!(term.contains('░'), "{term}");
    assert!(term.contains("× corrected report"), "{term}");
    assert!(
        term.contains("× 2024-06-10  AAA in BBB: seq 3 corrects seq 2"),
        "{term}"
    );
}

#[test]
fn the_alliance_gantt_has_a_bar_per_member_from_the_day_it_joined() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let chart = json(
        &db,
        &[
            "chart",
            "alliances",
            "--alliance",
            "NATO",
            "--to",
            "2024-12-31",
        ],
    );
    let view = json(
        &db,
        &["alliances", "--actor", "NATO", "--as-of", "2024-12-31"],
    );
    let joined = view["rows"][0]["joined"].as_object().unwrap();
    let bars = chart["bars"].as_array().unwrap();
    assert_eq!(bars.len(), joined.len());
    for bar in bars {
        let member = bar["label"].as_str().unwrap();
        assert_eq!(bar["spans"][0]["from"], joined[member], "{member}");
        assert_eq!(bar["spans"][0]["until"], "2025-01-01");
    }
    // In the order they joined: founders first, Sweden last.
    assert_eq!(bars.last().unwrap()["label"], "SWE");

    let svg = dir.path().join("nato.svg");
    run(
        &db,
        &[
            "chart",
            "alliances",
            "--alliance",
            "NATO",
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    let t = texts(&svg_text(&svg));
    assert!(t.iter().any(|s| s == "NATO: membership over time"));
    assert!(t.iter().any(|s| s == "member"));
    for member in joined.keys() {
        assert!(t.iter().any(|s| s == member), "no label for {member}");
    }
}

#[test]
fn without_an_alliance_the_chart_counts_members_of_every_alliance() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let chart = json(&db, &["chart", "alliances", "--to", "2024-12-31"]);
    let view = json(&db, &["alliances", "--as-of", "2024-12-31"]);
    let series = chart["series"].as_array().unwrap();
    assert_eq!(series.len(), view["rows"].as_array().unwrap().len());
    for row in view["rows"].as_array().unwrap() {
        let s = series
            .iter()
            .find(|s| s["label"] == row["alliance"])
            .unwrap();
        let last = s["steps"].as_array().unwrap().last().unwrap();
        assert_eq!(
            last["value"].as_u64().unwrap() as usize,
            row["members"].as_array().unwrap().len()
        );
    }
    let svg = dir.path().join("all.svg");
    run(&db, &["chart", "alliances", "--svg", svg.to_str().unwrap()]);
    let text = svg_text(&svg);
    assert_eq!(lines(&text).len(), 2 * series.len());
    assert!(texts(&text)
        .iter()
        .any(|s| s == "Alliances: number of members"));
}

#[test]
fn terminal_charts_fit_the_width_and_are_plain_when_piped() {
    let dir = tempdir();
    let db = sample_db(&dir);
    for args in [
        &["chart", "deployments", "--actor", "PRK"][..],
        &["chart", "alliances", "--alliance", "NATO"][..],
        &["chart", "alliances"][..],
    ] {
        for (columns, width) in [(None, 80), (Some("60"), 60), (Some("132"), 132)] {
            let mut cmd = annals(&db);
            cmd.env_remove("COLUMNS");
            if let Some(c) = columns {
                cmd.env("COLUMNS", c);
            }
            let out = cmd.args(args).output().unwrap();
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(!text.contains('\x1b'), "colour in piped output");
            for line in text.lines().skip(2) {
                assert!(
                    line.chars().count() <= width,
                    "{args:?} at {width}: {line:?} is {} wide",
                    line.chars().count()
                );
            }
            assert!(
                text.lines().any(|l| l.chars().count() > width - 10),
                "uses the width"
            );
        }
    }
    let out = run(&db, &["chart", "alliances", "--alliance", "NATO"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("SWE │") && text.contains('█'), "{text}");
    let colored = annals(&db)
        .args([
            "chart",
            "deployments",
            "--actor",
            "PRK",
            "--color",
            "always",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8(colored.stdout).unwrap().contains("\x1b["));
}

#[test]
fn chart_errors_say_how_to_fix_them() {
    let dir = tempdir();
    let db = sample_db(&dir);
    annals(&db)
        .args(["chart", "deployments", "--actor", "PRKK"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean PRK"));
    annals(&db)
        .args(["chart", "alliances", "--alliance", "PRK"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`annals chart alliances` lists every alliance",
        ));
    annals(&db)
        .args(["chart", "deployments", "--actor", "JPN"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "annals log --actor JPN --kind deployment",
        ));
    annals(&db)
        .args(["chart", "alliances", "--from", "2024", "--to", "2023"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("swap them"));
    annals(&db)
        .args(["chart", "deployments"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--actor"));
}

#[test]
fn chart_jsonl_has_one_step_per_line_naming_its_series() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let whole = json(&db, &["chart", "deployments", "--actor", "PRK"]);
    let out = run(&db, &["chart", "deployments", "--actor", "PRK", "--jsonl"]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: usize = whole["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["steps"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines.len(), steps);
    for l in &lines {
        assert!(l["series"].is_string() && l["from"].is_string() && l["known_at"]["seq"] == 54);
    }
}

#[test]
fn a_departure_dated_to_the_month_is_shaded_until_its_last_day() {
    let dir = tempdir();
    let db = db_path(&dir);
    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"date": "2001-01-01", "kind": "alliance_formed", "alliance": "AAA", "type": "entente", "members": ["FRA", "ITA"]}"#,
            "\n",
            r#"{"date": "2004-03", "kind": "alliance_left", "alliance": "AAA", "members": ["ITA"]}"#,
            "\n",
            r#"{"date": "2006", "kind": "alliance_dissolved", "alliance": "AAA"}"#,
            "\n",
        ),
    )
    .unwrap();
    run(&db, &["import", file.to_str().unwrap()]);
    let chart = json(
        &db,
        &[
            "chart",
            "alliances",
            "--alliance",
            "AAA",
            "--to",
            "2007-12-31",
        ],
    );
    let span = |label: &str| {
        let bars = chart["bars"].as_array().unwrap();
        let bar = bars.iter().find(|b| b["label"] == label).unwrap();
        bar["spans"][0].clone()
    };
    // ITA: certain until the month starts, uncertain through 2004-03-30, gone 2004-03-31.
    let ita = span("ITA");
    assert_eq!(ita["from"], "2001-01-01");
    assert_eq!(ita["uncertain_from"], "2004-03-01");
    assert_eq!(ita["until"], "2004-03-31");
    // FRA: the year-precise dissolution is shaded through 2006-12-30.
    let fra = span("FRA");
    assert_eq!(fra["uncertain_from"], "2006-01-01");
    assert_eq!(fra["until"], "2006-12-31");
    // The member count is uncertain, never silently lower, during the month.
    let count = json(&db, &["chart", "alliances", "--to", "2007-12-31"]);
    let steps = count["series"][0]["steps"].as_array().unwrap();
    let march = steps.iter().find(|s| s["from"] == "2004-03-01").unwrap();
    assert_eq!(march["value"], 2);
    assert_eq!(march["certain"], false);
}
