//! `annals chart` through the real binary: the series it derives agree with the views at
//! every step, SVG files parse and carry a title, date axes, a legend and the expected
//! series, uncertain spans and corrections are marked, and terminal charts fit the width.
//! Charts do not mislead: each terminal panel has its own y-scale and follows the terminal's
//! height, the line known now is drawn in the terminal too, the SVG legend is outside the
//! plot, date ticks are evenly stepped calendar boundaries, and equal lines stay visible.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    let out = annals(db)
        .env_remove("COLUMNS")
        .env_remove("LINES")
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
    // Weekly ticks on Mondays (2024-10-18 is a Friday).
    assert!(t.iter().any(|s| s == "2024-10-21"), "date labels: {t:?}");
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

/// Deployments of RUS: 30,000 in BLR next to 190,000 in UKR.
const RUS: &str = concat!(
    r#"{"date": "2022-01-17", "kind": "deployment", "actor": "RUS", "host": "BLR", "strength": 30000}"#,
    "\n",
    r#"{"date": "2022-02-24", "kind": "deployment", "actor": "RUS", "host": "UKR", "strength": 190000}"#,
    "\n",
);

fn rus_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = sample_db(dir);
    let file = dir.path().join("rus.jsonl");
    std::fs::write(&file, RUS).unwrap();
    run(&db, &["import", file.to_str().unwrap()]);
    db
}

/// The terminal chart of `args` with the environment's `LINES` set to `lines` (or unset).
fn term(db: &Path, args: &[&str], lines: Option<&str>) -> String {
    let mut cmd = annals(db);
    cmd.env_remove("COLUMNS").env_remove("LINES");
    if let Some(l) = lines {
        cmd.env("LINES", l);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The braille rows of the panel headed `head`, from its top row to its "0 ┤" row.
fn panel<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with(head))
        .skip(1)
        .collect();
    let zero = rows
        .iter()
        .position(|l| l.trim_start().starts_with("0 ┤"))
        .unwrap_or_else(|| panic!("no panel {head} in\n{text}"));
    rows[..=zero].to_vec()
}

fn has_dots(row: &str) -> bool {
    row.chars().any(|c| ('\u{2801}'..='\u{28FF}').contains(&c))
}

#[test]
fn each_terminal_panel_has_its_own_scale_so_a_small_deployment_is_drawn_above_zero() {
    let dir = tempdir();
    let db = rus_db(&dir);
    let text = term(&db, &["chart", "deployments", "--actor", "RUS"], None);
    let blr = panel(&text, "RUS in BLR");
    assert!(blr[0].trim_start().starts_with("30,000 ┤"), "{text}");
    assert!(has_dots(blr[0]), "30,000 is on the top row:\n{text}");
    let zero = blr.last().unwrap();
    assert!(!has_dots(zero), "nothing on BLR's zero row:\n{text}");
    let ukr = panel(&text, "RUS in UKR");
    assert!(ukr[0].trim_start().starts_with("190,000 ┤"), "{text}");
    assert!(has_dots(ukr[0]), "{text}");
    // Piped, with no LINES: 6 rows a panel; and the legend says each has its own scale.
    assert_eq!(blr.len(), 6, "{text}");
    assert!(text.contains("each panel has its own scale"), "{text}");
}

#[test]
fn terminal_panels_follow_the_terminal_height() {
    let dir = tempdir();
    let db = rus_db(&dir);
    let args = ["chart", "deployments", "--actor", "RUS"];
    let tall = term(&db, &args, Some("60"));
    let rows = panel(&tall, "RUS in BLR").len();
    assert!(rows > 6, "{rows} rows at 60 lines:\n{tall}");
    assert!(tall.lines().count() <= 60, "{tall}");
    let short = term(&db, &args, Some("12"));
    assert_eq!(
        panel(&short, "RUS in BLR").len(),
        4,
        "the minimum:\n{short}"
    );
    // Taller panels still put 30,000 on the top row and nothing on the zero row.
    let blr = panel(&tall, "RUS in BLR");
    assert!(has_dots(blr[0]) && !has_dots(blr.last().unwrap()), "{tall}");
}

#[test]
fn a_past_knowledge_draws_the_line_known_now_in_the_terminal() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let args = ["chart", "deployments", "--actor", "PRK", "--host", "RUS"];
    let then = term(
        &db,
        &[&args[..], &["--known-at", "2024-11-01T00:00:00Z"]].concat(),
        None,
    );
    let kursk = panel(&then, "PRK in RUS (Kursk)");
    // 12,000 known now is on the top row, drawn ╌ and not as the chart's line (8,000).
    assert!(kursk[0].trim_start().starts_with("12,000 ┤"), "{then}");
    assert!(kursk[0].contains('╌') && !has_dots(kursk[0]), "{then}");
    let line_row = kursk.iter().position(|r| has_dots(r)).unwrap();
    assert!(line_row > 0, "{then}");
    assert!(then.contains("╌ as known now"), "{then}");
    assert!(then.contains("! known differently now"), "{then}");
    let now = term(&db, &args, None);
    assert!(
        !now.contains('╌'),
        "nothing differs at the current knowledge:\n{now}"
    );
}

/// A rectangle in SVG pixels: (left, top, right, bottom).
type Rect = (f64, f64, f64, f64);

fn points(node: roxmltree::Node) -> Vec<(f64, f64)> {
    node.attribute("points")
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// The plot area: the bounding box of the axes (black polylines, ticks included).
fn plot_area(doc: &roxmltree::Document) -> Rect {
    let pts: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke") == Some("#000000"))
        .flat_map(points)
        .collect();
    assert!(!pts.is_empty(), "no axes");
    pts.iter().fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(l, t, r, b), &(x, y)| (l.min(x), t.min(y), r.max(x), b.max(y)),
    )
}

/// The legend's box: the rectangle with its grey border.
fn legend_box(doc: &roxmltree::Document) -> Rect {
    let n = doc
        .descendants()
        .find(|n| n.tag_name().name() == "rect" && n.attribute("stroke") == Some("#A0A0A0"))
        .expect("a legend box");
    let v = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    (v("x"), v("y"), v("x") + v("width"), v("y") + v("height"))
}

fn intersect(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[test]
fn the_svg_legend_is_outside_the_plot_and_covers_no_line() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let cases: [&[&str]; 3] = [
        &[
            "deployments",
            "--actor",
            "PRK",
            "--host",
            "RUS",
            "--known-at",
            "2024-11-01T00:00:00Z",
        ],
        &["alliances"],
        &["alliances", "--alliance", "NATO"],
    ];
    for (k, args) in cases.iter().enumerate() {
        let svg = dir.path().join(format!("legend{k}.svg"));
        run(
            &db,
            &[&["chart"][..], args, &["--svg", svg.to_str().unwrap()]].concat(),
        );
        let text = svg_text(&svg);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let (plot, legend) = (plot_area(&doc), legend_box(&doc));
        assert!(
            !intersect(plot, legend),
            "{args:?}: legend {legend:?} on plot {plot:?}"
        );
        assert!(
            legend.0 > plot.2,
            "{args:?}: the legend is right of the plot"
        );
        let width: f64 = doc
            .root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            legend.2 <= width,
            "{args:?}: the legend is inside the image"
        );
    }
    // The dashed "as known now" line is named in the legend and no point of it is under it.
    let text = svg_text(&dir.path().join("legend0.svg"));
    let doc = roxmltree::Document::parse(&text).unwrap();
    let legend = legend_box(&doc);
    let dashed: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("2"))
        .flat_map(points)
        .filter(|&(x, _)| x < legend.0)
        .collect();
    assert!(
        dashed.iter().any(|&(_, y)| y < 200.0),
        "the 12,000 step is drawn: {dashed:?}"
    );
    assert!(texts(&text)
        .iter()
        .any(|t| t == "PRK in RUS (Kursk) (as known now)"));
}

/// A date label as (year, month, day), the parts it has.
fn date_parts(label: &str) -> Option<Vec<u32>> {
    let parts: Vec<&str> = label.split('-').collect();
    let ok = parts[0].len() == 4 && parts[1..].iter().all(|p| p.len() == 2) && parts.len() <= 3;
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    nums.filter(|_| ok)
}

/// Assert that `labels` are at least three calendar boundaries one calendar step apart:
/// days (each Monday for a step of a week or more), months aligned to the step, or years
/// divisible by the step; return the step as (unit, n).
fn assert_even(labels: &[String], what: &str) -> (&'static str, i64) {
    assert!(labels.len() >= 3, "{what}: {labels:?}");
    let parts: Vec<Vec<u32>> = labels.iter().map(|l| date_parts(l).unwrap()).collect();
    let (unit, at): (&str, Vec<i64>) = match parts[0].len() {
        1 => ("years", parts.iter().map(|p| i64::from(p[0])).collect()),
        2 => (
            "months",
            parts
                .iter()
                .map(|p| i64::from(p[0] * 12 + p[1] - 1))
                .collect(),
        ),
        _ => {
            let days = parts
                .iter()
                .map(|p| chrono::NaiveDate::from_ymd_opt(p[0] as i32, p[1], p[2]).unwrap());
            ("days", days.map(|d| d.num_days_from_ce() as i64).collect())
        }
    };
    assert!(
        parts.iter().all(|p| p.len() == parts[0].len()),
        "{what}: {labels:?}"
    );
    let step = at[1] - at[0];
    assert!(
        at.windows(2).all(|w| w[1] - w[0] == step),
        "{what}: uneven {labels:?}"
    );
    match unit {
        "days" if step >= 7 => assert!(at.iter().all(|d| d % 7 == 1), "{what}: Mondays {labels:?}"),
        "days" => {}
        _ => assert!(
            at.iter().all(|v| v % step == 0),
            "{what}: aligned {labels:?}"
        ),
    }
    (unit, step)
}

use chrono::Datelike;

/// The labels under a terminal chart's date axis.
fn term_ticks(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let axis = lines
        .iter()
        .position(|l| l.trim_start().starts_with('└'))
        .unwrap();
    lines[axis + 1]
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// The date labels of an SVG chart.
fn svg_ticks(svg: &str) -> Vec<String> {
    texts(svg)
        .into_iter()
        .filter(|t| date_parts(t).is_some())
        .collect()
}

#[test]
fn date_ticks_are_evenly_stepped_calendar_boundaries() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let cases: [(&[&str], &str); 5] = [
        (&["deployments", "--actor", "PRK"], "days"),
        (
            &[
                "deployments",
                "--actor",
                "PRK",
                "--from",
                "2024-01",
                "--to",
                "2024-12",
            ],
            "months",
        ),
        (
            &[
                "deployments",
                "--actor",
                "PRK",
                "--from",
                "2022-03",
                "--to",
                "2024-12",
            ],
            "months",
        ),
        (
            &[
                "alliances",
                "--alliance",
                "NATO",
                "--from",
                "1990",
                "--to",
                "2024",
            ],
            "years",
        ),
        (&["alliances", "--to", "2024"], "years"),
    ];
    let mut steps = Vec::new();
    for (k, (args, unit)) in cases.iter().enumerate() {
        let chart = [&["chart"][..], args].concat();
        let what = format!("{args:?} in the terminal");
        let (u, _) = assert_even(&term_ticks(&term(&db, &chart, None)), &what);
        assert_eq!(u, *unit, "{what}");
        let svg = dir.path().join(format!("ticks{k}.svg"));
        run(
            &db,
            &[&chart[..], &["--svg", svg.to_str().unwrap()]].concat(),
        );
        let what = format!("{args:?} in SVG");
        let (u, step) = assert_even(&svg_ticks(&svg_text(&svg)), &what);
        assert_eq!(u, *unit, "{what}");
        steps.push(step);
    }
    // Weeks, months, quarters or half-years, lustrums and decades, as the span grows.
    assert_eq!(steps, [7, 1, 3, 5, 10]);
}

#[test]
fn alliances_with_equal_member_counts_are_drawn_apart_and_say_so() {
    let dir = tempdir();
    let db = sample_db(&dir);
    let svg = dir.path().join("all.svg");
    run(
        &db,
        &[
            "chart",
            "alliances",
            "--to",
            "2024-12-31",
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    let text = svg_text(&svg);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let plot = plot_area(&doc);
    // Each series' horizontal segments in the plot, by colour.
    let mut segments: Vec<(String, f64, f64, f64)> = Vec::new();
    for n in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("3"))
    {
        let color = n.attribute("stroke").unwrap().to_string();
        for w in points(n).windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if y0 == y1 && x0 < x1 && x1 <= plot.2 {
                segments.push((color.clone(), y0, x0, x1));
            }
        }
    }
    let colors: std::collections::BTreeSet<&str> = segments.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        colors.len(),
        4,
        "NATO, PRK_RUS, US_JPN and US_KOR: {segments:?}"
    );
    for a in &segments {
        for b in &segments {
            let overlap = a.2.max(b.2) < a.3.min(b.3);
            assert!(
                a.0 == b.0 || !overlap || (a.1 - b.1).abs() >= 3.0,
                "{a:?} and {b:?} are drawn on top of each other"
            );
        }
    }
    assert!(texts(&text)
        .iter()
        .any(|t| t == "equal values drawn 4 px apart"));
}
