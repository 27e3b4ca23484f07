//! The views the dataset model added (`conflicts`, `states`) and what it added to `arms`
//! and `alliances`, at the days where their rules turn: a multi-day event's first and last
//! day and the day after, a delivery year's first and last day, a state's last day in and
//! first day out; and the CLI totals (`--by`) against sums worked out by hand.

mod common;

use annals::views::{arms, conflicts, Alliances, Arms, Conflicts, States};
use annals::{Day, Store};
use serde_json::Value;

fn day(s: &str) -> Day {
    Day::parse_query(s).unwrap()
}

fn store_with(lines: &[&str]) -> Store {
    let store = common::temp_store();
    for l in lines {
        store.append(common::ev(l)).unwrap();
    }
    store
}

const FIGHTING: &[&str] = &[
    // Two days of fighting in SYR, one precise day, one event in another country.
    r#"{"date":"2013-01-03/2013-01-04","kind":"armed_conflict","conflict":"299","violence":"state_based","side_a":"SYR","side_b":"X_SYRIAN_INSURG","country":"SYR","deaths_best":10,"deaths_low":8,"deaths_high":14,"deaths_civilians":3}"#,
    r#"{"date":"2013-01-10","kind":"armed_conflict","conflict":"299","violence":"state_based","side_a":"SYR","side_b":"X_SYRIAN_INSURG","country":"SYR","deaths_best":5}"#,
    r#"{"date":"2013-02-01","kind":"armed_conflict","conflict":"299","violence":"state_based","side_a":"SYR","side_b":"X_SYRIAN_INSURG","country":"LBN","deaths_best":2}"#,
    r#"{"date":"1989-05-10","kind":"armed_conflict","conflict":"327","violence":"state_based","side_a":"AGO","side_b":"X_UNITA","country":"AGO","deaths_best":14}"#,
];

#[test]
fn a_multi_day_event_counts_from_its_first_day_and_is_ongoing_through_its_last() {
    let store = store_with(FIGHTING);
    let rows = |d: &str| store.at(day(d)).view::<Conflicts>().unwrap().rows;
    let syr = |d: &str| rows(d).into_iter().find(|r| r.country == "SYR");
    assert!(syr("2013-01-02").is_none());
    let first = syr("2013-01-03").unwrap();
    assert_eq!(
        (first.events, first.deaths_best, first.deaths_low),
        (1, 10, 8)
    );
    assert!(first.ongoing && !first.certain);
    let last = syr("2013-01-04").unwrap();
    assert!(last.ongoing && last.certain);
    let after = syr("2013-01-05").unwrap();
    assert!(!after.ongoing && after.active);
    let later = syr("2013-01-10").unwrap();
    // A missing low or high counts as the best estimate.
    assert_eq!(
        (
            later.events,
            later.deaths_best,
            later.deaths_low,
            later.deaths_high
        ),
        (2, 15, 13, 19)
    );
    assert_eq!(later.deaths_civilians, 3);
    assert!(syr("2014-01-10").is_some_and(|r| r.active));
    assert!(syr("2014-01-11").is_some_and(|r| !r.active));
}

#[test]
fn conflict_totals_sum_rows_per_conflict_country_and_pair() {
    let store = store_with(FIGHTING);
    let rows = store
        .at(day("2013-12-31"))
        .view::<Conflicts>()
        .unwrap()
        .rows;
    let by_country = conflicts::totals(&rows, conflicts::By::Country);
    let best: Vec<(&str, u64)> = by_country
        .iter()
        .map(|t| (t.group.as_str(), t.deaths_best))
        .collect();
    assert_eq!(best, [("AGO", 14), ("LBN", 2), ("SYR", 15)]);
    let by_conflict = conflicts::totals(&rows, conflicts::By::Conflict);
    assert_eq!(by_conflict[0].group, "299");
    assert_eq!((by_conflict[0].events, by_conflict[0].deaths_best), (3, 17));
    let pairs = conflicts::totals(&rows, conflicts::By::Pair);
    assert_eq!(pairs.len(), 2);
}

#[test]
fn the_cli_totals_conflicts_and_arms_by_group_in_every_format() {
    let dir = common::tempdir();
    let db = common::db_path(&dir);
    let mut lines: Vec<&str> = FIGHTING.to_vec();
    lines.extend(DEALS);
    let file = dir.path().join("d.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    common::annals(&db)
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    let json = |args: &[&str]| -> Value {
        let out = common::annals(&db)
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = json(&["conflicts", "--by", "country", "--as-of", "2013-12-31"]);
    let syr = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == "SYR")
        .unwrap();
    assert_eq!(syr["deaths_best"], 15);
    let v = json(&["arms", "--by", "supplier", "--as-of", "1978-12-31"]);
    let sun = &v["rows"][0];
    assert_eq!(
        (sun["group"].as_str(), sun["tiv_delivered"].as_f64()),
        (Some("SUN"), Some(15.6))
    );
    let csv = common::annals(&db)
        .args([
            "arms",
            "--by",
            "recipient",
            "--as-of",
            "1977-06-30",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let record = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| &record[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(
        (cell("group"), cell("tiv_delivered"), cell("delivered")),
        ("AFG", "7.8", "13")
    );
}

const DEALS: &[&str] = &[
    r#"{"date":"1977?","kind":"arms_transfer","supplier":"SUN","recipient":"AFG","item":"AI-25","quantity":26,"delivered":26,"delivery_years":[1977,1978],"status":"new","tiv_unit":0.6,"tiv_order":15.6,"tiv_delivered":15.6}"#,
    r#"{"date":"2010","kind":"arms_transfer","supplier":"RUS","recipient":"AFG","item":"Mi-17","description":"transport helicopter","status":"second_hand","tiv_order":10}"#,
];

#[test]
fn deliveries_count_in_their_delivery_years_spread_evenly() {
    let store = store_with(DEALS);
    let flow = |d: &str| {
        let rows = store.at(day(d)).view::<Arms>().unwrap().rows;
        rows.into_iter().find(|r| r.supplier == "SUN")
    };
    assert!(flow("1976-12-31").is_none());
    let first = flow("1977-01-01").unwrap();
    // 26 over 1977 and 1978: 13 and 13; TIV 15.6 as 7.8 and 7.8. Uncertain until 1977 ends.
    assert_eq!(first.delivered, Some(13));
    assert_eq!(
        first.tiv_delivered.map(|t| t.to_string()),
        Some("7.8".into())
    );
    assert_eq!(first.tiv_order.map(|t| t.to_string()), Some("15.6".into()));
    assert!(!first.certain);
    assert!(flow("1977-12-31").unwrap().certain);
    let both = flow("1978-01-01").unwrap();
    assert_eq!(both.delivered, Some(26));
    assert!(!both.certain);
    let done = flow("1978-12-31").unwrap();
    assert_eq!((done.delivered, done.certain), (Some(26), true));
    // A deal without a quantity is counted apart; without deliveries, nothing delivered.
    let rows = store.at(day("2010-12-31")).view::<Arms>().unwrap().rows;
    let rus = rows.iter().find(|r| r.supplier == "RUS").unwrap();
    assert_eq!(
        (rus.quantity, rus.unknown_quantity, rus.delivered),
        (0, Some(1), None)
    );
    let totals = arms::totals(&rows, arms::By::Recipient);
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0].tiv_order.to_string(), "25.6");
    assert_eq!((totals[0].quantity, totals[0].unknown_quantity), (26, 1));
}

#[test]
fn the_states_view_follows_entries_and_exits() {
    let store = store_with(&[
        r#"{"date":"1954-03-25","kind":"state_entered","actor":"DDR","name":"German Democratic Republic"}"#,
        r#"{"date":"1990-10-03","kind":"state_exited","actor":"DDR"}"#,
        r#"{"date":"1816-01-01","kind":"state_entered","actor":"DEU","name":"Germany"}"#,
        r#"{"date":"1945-05-09","kind":"state_exited","actor":"DEU"}"#,
        r#"{"date":"1955-05-05","kind":"state_entered","actor":"DEU","name":"German Federal Republic"}"#,
    ]);
    let members = |d: &str| -> Vec<String> {
        let rows = store.at(day(d)).view::<States>().unwrap().rows;
        rows.into_iter().map(|r| r.actor).collect()
    };
    assert_eq!(members("1945-05-08"), ["DEU"]);
    assert!(members("1945-05-09").is_empty());
    assert_eq!(members("1990-10-02"), ["DDR", "DEU"]);
    assert_eq!(members("1990-10-03"), ["DEU"]);
    // An exit known to the month keeps the state, uncertain, until the month's last day.
    store
        .append(common::ev(
            r#"{"date":"1991-12","kind":"state_exited","actor":"DEU"}"#,
        ))
        .unwrap();
    let deu = |d: &str| {
        let rows = store.at(day(d)).view::<States>().unwrap().rows;
        rows.into_iter().find(|r| r.actor == "DEU")
    };
    assert!(deu("1991-11-30").is_some_and(|r| r.certain && r.until.is_none()));
    for d in ["1991-12-01", "1991-12-15", "1991-12-30"] {
        let r = deu(d).unwrap();
        assert_eq!(
            (r.certain, r.until.as_deref()),
            (false, Some("1991-12")),
            "{d}"
        );
    }
    assert!(deu("1991-12-31").is_none());
    // Exiting as a non-member is refused when appended.
    let err = store
        .append(common::ev(
            r#"{"date":"1991","kind":"state_exited","actor":"DDR"}"#,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("not a member"), "{err}");
}

#[test]
fn an_alliance_forms_with_one_member_and_keeps_each_members_obligations() {
    let store = store_with(&[
        r#"{"date":"1994-01-01","kind":"alliance_formed","alliance":"COW_349","type":"entente","members":["AZE"],"name":"COW 349","signed":"1993-09","obligations":["non_aggression","entente"]}"#,
        r#"{"date":"1995-06-01","kind":"alliance_joined","alliance":"COW_349","members":["GEO"]}"#,
        r#"{"date":"1996-06-01","kind":"alliance_joined","alliance":"COW_349","members":["UKR"],"obligations":["defense"]}"#,
    ]);
    let row = |d: &str| store.at(day(d)).view::<Alliances>().unwrap().rows.pop();
    let formed = row("1994-01-01").unwrap();
    assert_eq!(formed.members, ["AZE"]);
    assert_eq!(
        (formed.name.as_deref(), formed.signed.as_deref()),
        (Some("COW 349"), Some("1993-09"))
    );
    let all = row("1996-06-01").unwrap();
    let duties = |m: &str| all.obligations[m].clone();
    assert_eq!(duties("AZE"), ["non_aggression", "entente"]);
    assert_eq!(
        duties("GEO"),
        ["entente"],
        "the alliance type's, when the event names none"
    );
    assert_eq!(duties("UKR"), ["defense"]);
}

#[test]
fn log_on_a_day_lists_the_events_that_may_cover_it() {
    let dir = common::tempdir();
    let db = common::db_path(&dir);
    let file = dir.path().join("f.jsonl");
    std::fs::write(&file, FIGHTING.join("\n")).unwrap();
    common::annals(&db)
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    let on = |d: &str| -> Vec<String> {
        let out = common::annals(&db)
            .args(["log", "--on", d, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["date"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert!(on("2013-01-02").is_empty());
    // The two-day event is on both of its days, and only on them.
    assert_eq!(on("2013-01-03"), ["2013-01-03/2013-01-04"]);
    assert_eq!(on("2013-01-04"), ["2013-01-03/2013-01-04"]);
    assert!(on("2013-01-05").is_empty());
    assert_eq!(on("2013-01-10"), ["2013-01-10"]);
    // `--from`/`--to` select by the first day: the interval is not on its second day.
    let out = common::annals(&db)
        .args([
            "log",
            "--from",
            "2013-01-04",
            "--to",
            "2013-01-04",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
}
