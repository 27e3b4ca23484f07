//! The bundled importers `archigos`, `ucdp-ged` and `sipri` against the real files in
//! `../shared/data/` (never committed; each test prints a notice and passes when the
//! directory is absent). Every test imports through the real binary and checks the
//! database against an oracle that parses the CSV itself.

mod common;

use annals::codes::{self, System};
use annals::views::conflicts::{totals, By};
use annals::views::{Arms, Conflicts, Leaders};
use annals::{date::Qualifier, Day, Store};
use chrono::NaiveDate;
use common::{annals, db_path, tempdir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn data(rel: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    let path = dir.join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("NOTICE: {} is absent; test skipped", path.display());
        None
    }
}

/// Import `file` with the bundled `format`; returns the database and the stderr text.
fn import(format: &str, file: &PathBuf, extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempdir();
    let out = annals(&db_path(&dir))
        .args(["import", "--from", format])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    (dir, err)
}

fn day(d: NaiveDate) -> Day {
    Day::from_naive(d).unwrap()
}

fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

// ---------------------------------------------------------------- Archigos

struct Spell {
    gw: u16,
    leader: String,
    start: NaiveDate,
    end: NaiveDate,
    censored: bool,
}

fn archigos_spells(path: &PathBuf) -> Vec<Spell> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (cc, ld, sd, ed, ex) = (
        col("ccode"),
        col("leader"),
        col("startdate"),
        col("enddate"),
        col("exit"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Spell {
                gw: rec[cc].parse().unwrap(),
                leader: rec[ld].trim().to_string(),
                start: ymd(&rec[sd]),
                end: ymd(&rec[ed]),
                censored: &rec[ex] == "Still in Office",
            }
        })
        .collect()
}

/// The state a GW number means on day `d`: the days of the successions under one number
/// written out here (independent of the importer's hook), the crosswalk by year otherwise.
fn state_on(gw: u16, d: NaiveDate) -> String {
    let before = |s: &str| d < ymd(s);
    let code = match gw {
        365 if before("1922-12-30") => "RUS",
        365 if before("1991-12-26") => "SUN",
        365 => "RUS",
        678 if before("1990-05-22") => "XYN",
        678 => "YEM",
        // Archigos ends 345 on 2006-06-04 and starts 340 that day.
        345 if d.year_ce().1 >= 1919 => "YUG",
        _ => {
            return codes::translate(System::Gw, &gw.to_string(), Some(d.year_ce().1 as i32))
                .unwrap()
                .to_string()
        }
    };
    code.to_string()
}

use chrono::Datelike;

/// Who holds each state's office on `d` by the spells: the spell with start ≤ d < end (on
/// a handover day the successor; on the last day of a spell with no successor that day,
/// nobody), or a spell still running at the coverage end.
fn oracle_leaders(spells: &[Spell], d: NaiveDate) -> BTreeSet<(String, String)> {
    spells
        .iter()
        .filter(|s| s.start <= d && (d < s.end || s.censored))
        .map(|s| (state_on(s.gw, d), s.leader.clone()))
        .collect()
}

#[test]
fn archigos_leaders_equal_the_spells() {
    let Some(path) = data("archigos/archigos_4.1.csv") else {
        return;
    };
    let (dir, err) = import("archigos", &path, &[]);
    assert!(!err.contains("rejected") && !err.contains("row "), "{err}");
    let spells = archigos_spells(&path);
    let store = Store::open(db_path(&dir)).unwrap();
    let mut dates: BTreeSet<NaiveDate> = BTreeSet::new();
    // Handover days (and the day before) of the UK, the USSR/Russia, Yemen, Yugoslavia and
    // Serbia, and the successions themselves.
    for s in spells
        .iter()
        .filter(|s| [200, 365, 678, 345, 340].contains(&s.gw))
    {
        if s.start.year() >= 1900 {
            dates.insert(s.start);
            dates.insert(s.start.pred_opt().unwrap());
        }
    }
    for d in [
        "1922-12-29",
        "1922-12-30",
        "1991-12-25",
        "1991-12-26",
        "1990-05-21",
    ] {
        dates.insert(ymd(d));
    }
    // One day a year, 1950-2015.
    for y in 1950..=2015 {
        dates.insert(NaiveDate::from_ymd_opt(y, 7, 1).unwrap());
    }
    assert!(dates.len() >= 50, "{}", dates.len());
    for d in &dates {
        let rows = store.at(day(*d)).view::<Leaders>().unwrap().rows;
        let got: BTreeSet<(String, String)> = rows
            .iter()
            .filter(|r| r.office == "leader")
            .map(|r| (r.actor.clone(), r.person.clone()))
            .collect();
        assert_eq!(got, oracle_leaders(&spells, *d), "on {d}");
    }
    // Major ends and Blair starts 1997-05-02: exactly one holder that day, the successor.
    let rows = store
        .at(day(ymd("1997-05-02")))
        .view::<Leaders>()
        .unwrap()
        .rows;
    let gbr: Vec<&str> = rows
        .iter()
        .filter(|r| r.actor == "GBR")
        .map(|r| r.person.as_str())
        .collect();
    assert_eq!(gbr, ["Blair"]);
    println!("archigos: {} dates checked", dates.len());
}

// ---------------------------------------------------------------- UCDP GED

struct GedRow {
    id: String,
    start: NaiveDate,
    end: NaiveDate,
    prec: u8,
    country: String,
    best: u64,
    low: u64,
    high: u64,
}

fn ged_rows(path: &PathBuf) -> Vec<GedRow> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let c: Vec<usize> = [
        "id",
        "date_start",
        "date_end",
        "date_prec",
        "country_id",
        "best",
        "low",
        "high",
    ]
    .iter()
    .map(|n| col(n))
    .collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let start = ymd(&rec[c[1]]);
            let gw = &rec[c[4]];
            GedRow {
                id: rec[c[0]].to_string(),
                start,
                end: ymd(&rec[c[2]]),
                prec: rec[c[3]].parse().unwrap(),
                country: codes::translate(System::Gw, gw, Some(start.year()))
                    .unwrap()
                    .to_string(),
                best: rec[c[5]].parse().unwrap(),
                low: rec[c[6]].parse().unwrap(),
                high: rec[c[7]].parse().unwrap(),
            }
        })
        .collect()
}

fn ged_id(id: &str) -> uuid::Uuid {
    let name = format!("ucdp-ged\u{1f}event\u{1f}{id}");
    uuid::Uuid::new_v5(&annals::datasets::DATASET_ID_NAMESPACE, name.as_bytes())
}

#[test]
fn ucdp_ged_events_cover_their_days_and_deaths_add_up() {
    let Some(path) = data("ucdp-ged-sample/ucdp_ged_23.1_sample_1000.csv") else {
        return;
    };
    let (dir, _) = import("ucdp-ged", &path, &[]);
    let rows = ged_rows(&path);
    let store = Store::open(db_path(&dir)).unwrap();
    // Days inside multi-day events (start, middle, end) and single days.
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    for r in rows.iter().filter(|r| r.end > r.start).take(12) {
        days.insert(r.start);
        days.insert(r.start + (r.end - r.start) / 2);
        days.insert(r.end);
    }
    for r in rows.iter().filter(|r| r.end == r.start).take(8) {
        days.insert(r.start);
    }
    assert!(days.len() >= 20);
    let mut nonempty = 0;
    for d in &days {
        let got: BTreeSet<uuid::Uuid> = store
            .events_on(day(*d))
            .unwrap()
            .iter()
            .filter(|e| matches!(e.content.kind, annals::Kind::ArmedConflict { .. }))
            .map(|e| e.id)
            .collect();
        let want: BTreeSet<uuid::Uuid> = rows
            .iter()
            .filter(|r| r.start <= *d && *d <= r.end)
            .map(|r| ged_id(&r.id))
            .collect();
        nonempty += usize::from(!want.is_empty());
        assert_eq!(got, want, "events on {d}");
    }
    assert!(nonempty >= 20);
    // Precision 4-5 (a month, a year or more) is uncertain; 1-3 is not.
    for r in &rows {
        let e = store.get(&ged_id(&r.id)).unwrap().unwrap();
        let date = e.content.date.unwrap();
        let uncertain = date.qualifier() == Qualifier::Uncertain;
        assert_eq!(
            uncertain,
            r.prec >= 4,
            "event {} (date_prec {})",
            r.id,
            r.prec
        );
        assert_eq!(date.earliest(), day(r.start));
        assert_eq!(date.latest(), day(r.end));
    }
    // Cumulative deaths per country as of the last day equal the CSV's sums.
    let last = rows.iter().map(|r| r.end).max().unwrap();
    let view = store.at(day(last)).view::<Conflicts>().unwrap().rows;
    let got: BTreeMap<String, (u64, u64, u64)> = totals(&view, By::Country)
        .into_iter()
        .map(|t| (t.group, (t.deaths_best, t.deaths_low, t.deaths_high)))
        .collect();
    let mut want: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for r in &rows {
        let s = want.entry(r.country.clone()).or_default();
        s.0 += r.best;
        s.1 += r.low;
        s.2 += r.high;
    }
    assert_eq!(got, want);
    println!("ucdp-ged: {} days, {} countries", days.len(), want.len());
}

// ---------------------------------------------------------------- SIPRI

const SIPRI_PREAMBLE: u64 = 11;

/// The register's records as the file has them: (line, cells), one record per line
/// (the register quotes no line breaks), decoded from Windows-1252, header skipped.
fn sipri_records(path: &PathBuf) -> Vec<(u64, Vec<String>)> {
    let bytes = std::fs::read(path).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    text.split('\n')
        .enumerate()
        .skip(SIPRI_PREAMBLE as usize + 1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(l.as_bytes());
            let rec = r.records().next().unwrap().unwrap();
            let cells = rec.iter().map(|c| c.trim().to_string()).collect();
            (i as u64 + 1, cells)
        })
        .collect()
}

fn party(name: &str, year: i32) -> String {
    codes::translate(System::Name, name, Some(year))
        .unwrap_or_else(|_| codes::nonstate(name))
        .to_string()
}

fn thousandths(cell: &str) -> u64 {
    if cell.is_empty() {
        0
    } else {
        (cell.parse::<f64>().unwrap() * 1000.0).round() as u64
    }
}

#[test]
fn sipri_deals_and_tiv_totals_equal_the_register() {
    let Some(path) = data("sipri-trade-register/trade-register.csv") else {
        return;
    };
    let records = sipri_records(&path);
    let broken: Vec<u64> = records
        .iter()
        .filter(|(_, c)| c.len() != 16)
        .map(|(l, _)| *l)
        .collect();
    let deals: Vec<&Vec<String>> = records
        .iter()
        .filter(|(_, c)| c.len() == 16)
        .map(|(_, c)| c)
        .collect();
    let (dir, err) = import("sipri", &path, &["--skip-invalid"]);
    // The broken records are reported with their lines, and nothing else is.
    let reported: Vec<u64> = err
        .lines()
        .filter(|l| l.contains(": row "))
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(reported, broken, "{err}");
    assert_eq!(broken.len(), 4, "two records, each split in two");
    let store = Store::open(db_path(&dir)).unwrap();
    let count = store
        .events()
        .filter(|e| {
            matches!(
                e.as_ref().unwrap().content.kind,
                annals::Kind::ArmsTransfer { .. }
            )
        })
        .count();
    assert_eq!(count, deals.len());
    // TIV totals per supplier and per recipient as of the last day.
    let mut last_year = 0;
    let mut want_s: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut want_r: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for c in &deals {
        let year: i32 = c[2].parse().unwrap();
        for y in c[10].split(';').filter(|y| !y.trim().is_empty()) {
            last_year = last_year.max(y.trim().parse().unwrap());
        }
        last_year = last_year.max(year);
        let (order, delivered) = (thousandths(&c[14]), thousandths(&c[15]));
        for (map, name) in [(&mut want_s, &c[1]), (&mut want_r, &c[0])] {
            let t = map.entry(party(name, year)).or_default();
            t.0 += order;
            t.1 += delivered;
        }
    }
    let as_of = NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap();
    let rows = store.at(day(as_of)).view::<Arms>().unwrap().rows;
    let mut got_s: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut got_r: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &rows {
        let order = r.tiv_order.map_or(0, |t| t.0);
        let delivered = r.tiv_delivered.map_or(0, |t| t.0);
        for (map, code) in [(&mut got_s, &r.supplier), (&mut got_r, &r.recipient)] {
            let t = map.entry(code.clone()).or_default();
            t.0 += order;
            t.1 += delivered;
        }
    }
    want_s.retain(|_, t| *t != (0, 0));
    want_r.retain(|_, t| *t != (0, 0));
    got_s.retain(|_, t| *t != (0, 0));
    got_r.retain(|_, t| *t != (0, 0));
    assert_eq!(got_s, want_s, "per supplier");
    assert_eq!(got_r, want_r, "per recipient");
    // Re-import adds nothing (the store is closed first: one writer at a time).
    drop(store);
    let out = annals(&db_path(&dir))
        .args(["import", "--from", "sipri", "--skip-invalid"])
        .arg(&path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(&format!(
            "imported 0 new events ({} already present)",
            deals.len()
        )),
        "{text}"
    );
    println!(
        "sipri: {} deals, {} broken fragments at lines {broken:?}",
        deals.len(),
        broken.len()
    );
}
