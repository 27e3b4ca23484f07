//! The crosswalk against the real files in `../shared/data/` (skipped with a notice when
//! the folder is absent): every COW pair maps as COW says, ISO codes agree with the R
//! package countrycode except a documented list, and every state name that SIPRI and UCDP
//! write translates. Nothing from the data is copied into the repository.

use annals::codes::{self, System};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// The data file, or `None` (with a printed notice) when the data folder is absent.
fn data(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(DATA).join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

fn records(path: &PathBuf) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Every failure at once, so a run shows the whole list.
fn all_ok(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn try_tr(system: System, value: &str, year: Option<i32>) -> Result<String, String> {
    codes::translate(system, value, year)
        .map(|c| c.to_string())
        .map_err(|e| format!("{value} ({year:?}): {e}"))
}

fn tr(system: System, value: &str, year: Option<i32>) -> String {
    codes::translate(system, value, year)
        .unwrap_or_else(|e| panic!("{value} ({year:?}): {e}"))
        .to_string()
}

#[test]
fn every_cow_pair_maps_as_cow_says() {
    let Some(path) = data("cow-states/states2016.csv") else {
        return;
    };
    let rows = records(&path);
    assert_eq!(rows.len(), 243);
    for r in &rows {
        for year in [&r["styear"], &r["endyear"]] {
            let year: i32 = year.parse().unwrap();
            let by_num = tr(System::CowNum, &r["ccode"], Some(year));
            let by_abb = tr(System::CowAbb, &r["stateabb"], Some(year));
            assert_eq!(by_num, by_abb, "{} {} in {year}", r["ccode"], r["stateabb"]);
            // COW keeps one name for a number whose state changed (345 "Yugoslavia" is
            // Serbia before 1919, 365 "Russia" the USSR): the name must name one of the
            // number's codes.
            let by_name = tr(System::Name, &r["statenme"], Some(year));
            let number_codes: Vec<&str> = codes::entries()
                .iter()
                .filter(|e| Some(e.cow_num.unwrap_or(0).to_string()) == Some(r["ccode"].clone()))
                .map(|e| e.code)
                .collect();
            assert!(
                number_codes.contains(&by_name.as_str()),
                "{} in {year}",
                r["statenme"]
            );
        }
    }
}

#[test]
fn every_gw_state_translates() {
    let Some(path) = data("cow-states/peacesciencer_gw_states.csv") else {
        return;
    };
    let mut failures = Vec::new();
    for r in records(&path) {
        let year: i32 = r["startdate"][..4].parse().unwrap();
        let by_gw = try_tr(System::Gw, &r["gwcode"], Some(year));
        let by_name = try_tr(System::Name, &r["statename"], Some(year));
        match (by_gw, by_name) {
            (Ok(a), Ok(b)) if a == b => {}
            (a, b) => failures.push(format!("{} {}: {a:?} {b:?}", r["gwcode"], r["statename"])),
        }
    }
    all_ok(failures);
}

/// (COW number, countrycode's `iso3c`, annals) where annals deliberately differs. Where
/// countrycode has no ISO code (DDR, CSK, YUG, YMD, XKX, the X-codes) nothing is compared.
const DELIBERATE: &[(&str, &str, &str)] = &[
    // The Papal States (COW 327, 1816–1860) are not the Holy See / Vatican City (1929–).
    ("327", "VAT", "XPS"),
];

#[test]
fn iso_codes_agree_with_countrycode() {
    let Some(path) = data("countrycode/codelist_without_cldr.csv") else {
        return;
    };
    let mut differences = Vec::new();
    let mut compared = 0;
    for r in records(&path) {
        let (cown, iso) = (&r["cown"], &r["iso3c"]);
        if cown.is_empty() || cown == "NA" || iso.is_empty() || iso == "NA" {
            continue;
        }
        compared += 1;
        // countrycode describes today's state: compare at the end of COW's coverage.
        let ours = tr(System::CowNum, cown, Some(2016));
        if &ours != iso {
            differences.push((cown.clone(), iso.clone(), ours));
        }
        let gw = &r["gwn"];
        if !gw.is_empty() && gw != "NA" && !DELIBERATE.iter().any(|d| d.0 == cown) {
            assert_eq!(
                tr(System::Gw, gw, Some(2016)),
                tr(System::Iso3, iso, None),
                "gw {gw}"
            );
        }
    }
    assert!(compared > 180, "{compared}");
    let expected: Vec<(String, String, String)> = DELIBERATE
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(differences, expected);
}

#[test]
fn extract_agrees_and_catches_the_clashes() {
    let Some(path) = data("countrycode/cow_iso3_gw_crosswalk_extract.csv") else {
        return;
    };
    let rows = records(&path);
    let mut clashes = BTreeSet::new();
    for r in &rows {
        let (cowc, iso) = (&r["cowc"], &r["iso3c"]);
        if cowc.is_empty() || iso.is_empty() {
            continue;
        }
        if !DELIBERATE.iter().any(|d| d.0 == r["cown"]) {
            assert_eq!(tr(System::CowAbb, cowc, Some(2016)), *iso, "{cowc}");
        }
        // A COW letter code that is another country's ISO code: translating by string
        // equality would be wrong, and annals is not.
        if rows
            .iter()
            .any(|o| &o.get("iso3c").cloned().unwrap_or_default() == cowc && o["cowc"] != *cowc)
        {
            assert_ne!(
                tr(System::CowAbb, cowc, Some(2016)),
                tr(System::Iso3, cowc, None)
            );
            clashes.insert(cowc.clone());
        }
    }
    for clash in ["AUS", "SLV", "MAC", "MNG", "SWZ"] {
        assert!(clashes.contains(clash), "{clash} not seen: {clashes:?}");
    }
}

/// SIPRI's parties: `*` non-state actor, `**` organisation, and two placeholders.
fn sipri_is_nonstate(name: &str) -> bool {
    codes::is_marked_nonstate(name) || name.starts_with("unknown ")
}

#[test]
fn every_sipri_state_name_translates() {
    let Some(path) = data("sipri-trade-register/trade-register.csv") else {
        return;
    };
    let bytes = std::fs::read(path).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let body: String = text.lines().skip(11).collect::<Vec<_>>().join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut parties = BTreeSet::new();
    for r in reader.records() {
        let r = r.unwrap();
        let year: Option<i32> = r.get(2).and_then(|y| y.trim().parse().ok());
        // The records broken by line breaks inside a field have no order year.
        let Some(year) = year.filter(|y| (1900..2100).contains(y)) else {
            continue;
        };
        for field in [0, 1] {
            parties.insert((r[field].to_string(), year));
        }
    }
    let mut nonstate = BTreeSet::new();
    let mut failures = Vec::new();
    for (name, year) in &parties {
        if sipri_is_nonstate(name) {
            let code = codes::nonstate(name);
            assert!(!codes::is_state(code.as_str()), "{name} → {code}");
            nonstate.insert(code);
        } else if let Err(e) = try_tr(System::Name, name, Some(*year)) {
            failures.push(e);
        }
    }
    all_ok(failures);
    assert!(nonstate.len() > 50, "{}", nonstate.len());
}

#[test]
fn every_ucdp_country_translates_and_agrees_with_its_gw_number() {
    let Some(path) = data("ucdp-ged-sample/ucdp_ged_23.1_sample_1000.csv") else {
        return;
    };
    let mut names = BTreeSet::new();
    for r in records(&path) {
        let year: i32 = r["year"].parse().unwrap();
        let by_name = tr(System::Name, &r["country"], Some(year));
        assert_eq!(
            by_name,
            tr(System::Gw, &r["country_id"], Some(year)),
            "{}",
            r["country"]
        );
        for side in ["gwnoa", "gwnob"] {
            if !r[side].is_empty() {
                for gw in r[side].split(',') {
                    tr(System::Gw, gw.trim(), Some(year));
                }
            }
        }
        names.insert(by_name);
    }
    assert!(names.len() > 40);
}
