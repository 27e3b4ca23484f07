//! Narrative tests from real history (the bundled sample timeline and small fixtures):
//! exact rows at boundary dates — the day before and the day of — and bitemporal answers
//! before and after corrections and retractions.

mod common;

use annals::query::Status;
use annals::views::{Alliances, Arms, Deployments, Leaders, Tests, View};
use annals::{Code, Day, KnownAt, Store};
use common::*;

fn sample() -> Store {
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    store
}

fn day(s: &str) -> Day {
    Day::parse_query(s).unwrap()
}

fn rows<V: View>(store: &Store, as_of: &str, known: KnownAt) -> Vec<V::Row> {
    store
        .at(day(as_of))
        .known_at(known)
        .view::<V>()
        .unwrap()
        .rows
}

fn members(store: &Store, alliance: &str, as_of: &str) -> Vec<String> {
    rows::<Alliances>(store, as_of, KnownAt::Now)
        .into_iter()
        .find(|r| r.alliance == alliance)
        .map(|r| r.members)
        .unwrap_or_default()
}

#[test]
fn nato_membership_at_its_enlargements() {
    let s = sample();
    assert!(
        members(&s, "NATO", "1949-04-03").is_empty(),
        "NATO did not exist the day before the treaty"
    );
    assert_eq!(members(&s, "NATO", "1949-04-04").len(), 12);
    let eve = members(&s, "NATO", "1999-03-11");
    assert_eq!(eve.len(), 16, "{eve:?}");
    for c in ["CZE", "HUN", "POL"] {
        assert!(!eve.contains(&c.to_string()));
    }
    let day_of = members(&s, "NATO", "1999-03-12");
    assert_eq!(day_of.len(), 19);
    assert!(day_of.contains(&"POL".to_string()));
    assert!(!members(&s, "NATO", "2023-04-03").contains(&"FIN".to_string()));
    assert!(members(&s, "NATO", "2023-04-04").contains(&"FIN".to_string()));
    assert_eq!(members(&s, "NATO", "2024-03-06").len(), 31);
    assert_eq!(members(&s, "NATO", "2024-03-07").len(), 32);
    let row = rows::<Alliances>(&s, "2024-12-31", KnownAt::Now)
        .into_iter()
        .find(|r| r.alliance == "NATO")
        .unwrap();
    assert_eq!(row.since, "1949-04-04");
    assert_eq!(row.joined["SWE"], "2024-03-07");
    assert_eq!(row.joined["USA"], "1949-04-04");
    assert!(row.certain);
}

#[test]
fn the_north_korea_russia_treaty_is_an_alliance_from_its_signing() {
    let s = sample();
    assert!(members(&s, "PRK_RUS", "2024-06-18").is_empty());
    assert_eq!(members(&s, "PRK_RUS", "2024-06-19"), ["PRK", "RUS"]);
}

#[test]
fn japan_changes_prime_minister_on_2024_10_01() {
    let s = sample();
    let pm = |as_of: &str| {
        rows::<Leaders>(&s, as_of, KnownAt::Now)
            .into_iter()
            .find(|r| r.actor == "JPN" && r.office == "prime_minister")
            .map(|r| r.person)
    };
    assert_eq!(pm("2021-10-03"), None);
    assert_eq!(pm("2021-10-04").as_deref(), Some("Fumio Kishida"));
    assert_eq!(pm("2024-09-30").as_deref(), Some("Fumio Kishida"));
    assert_eq!(pm("2024-10-01").as_deref(), Some("Shigeru Ishiba"));
    let president = |as_of: &str| {
        rows::<Leaders>(&s, as_of, KnownAt::Now)
            .into_iter()
            .find(|r| r.actor == "USA" && r.office == "president")
            .map(|r| r.person)
    };
    assert_eq!(president("2025-01-19").as_deref(), Some("Joe Biden"));
    assert_eq!(president("2025-01-20").as_deref(), Some("Donald Trump"));
}

fn kursk(s: &Store, as_of: &str, known: KnownAt) -> Option<(u64, bool)> {
    rows::<Deployments>(s, as_of, known)
        .into_iter()
        .find(|r| r.actor == "PRK" && r.host == "RUS" && r.region.as_deref() == Some("Kursk"))
        .map(|r| (r.strength, r.certain))
}

#[test]
fn north_korean_troops_in_kursk_as_reported_and_as_known() {
    let s = sample();
    assert_eq!(kursk(&s, "2024-10-27", KnownAt::Now), None);
    assert_eq!(kursk(&s, "2024-10-28", KnownAt::Now), Some((3000, true)));
    assert_eq!(kursk(&s, "2024-10-30", KnownAt::Now), Some((3000, true)));
    assert_eq!(kursk(&s, "2024-10-31", KnownAt::Now), Some((8000, true)));
    assert_eq!(kursk(&s, "2024-11-03", KnownAt::Now), Some((8000, true)));
    assert_eq!(kursk(&s, "2024-11-04", KnownAt::Now), Some((10000, true)));
    assert_eq!(kursk(&s, "2024-11-14", KnownAt::Now), Some((10000, true)));
    assert_eq!(kursk(&s, "2024-11-15", KnownAt::Now), Some((12000, true)));
    // "How many North Korean troops were in Kursk on 2024-11-15, as we knew it on 2024-11-01?"
    let nov1 = KnownAt::parse("2024-11-01T00:00:00Z").unwrap();
    assert_eq!(kursk(&s, "2024-11-15", nov1), Some((8000, true)));
    // Before the first Kursk report was recorded, nothing was known there.
    let oct20 = KnownAt::parse("2024-10-20T00:00:00Z").unwrap();
    assert_eq!(kursk(&s, "2024-11-15", oct20), None);
}

#[test]
fn munitions_containers_accumulate_with_imprecise_dates() {
    let s = sample();
    let flow = |as_of: &str| {
        rows::<Arms>(&s, as_of, KnownAt::Now)
            .into_iter()
            .find(|r| r.supplier == "PRK" && r.recipient == "RUS")
            .map(|r| (r.quantity, r.transfers, r.certain))
    };
    assert_eq!(flow("2023-07-31"), None);
    // The first transfer is dated 2023-08/2024-02: counted from 2023-08-01, certain from 2024-02-29.
    assert_eq!(flow("2023-08-01"), Some((6700, 1, false)));
    assert_eq!(flow("2024-02-29"), Some((6700, 1, true)));
    assert_eq!(flow("2024-03-01"), Some((13000, 2, false)));
    assert_eq!(flow("2024-10-31"), Some((13000, 2, true)));
}

#[test]
fn nuclear_and_missile_tests_are_counted_up_to_the_day() {
    let s = sample();
    let count = |as_of: &str, class: &str| {
        rows::<Tests>(&s, as_of, KnownAt::Now)
            .into_iter()
            .find(|r| r.actor == "PRK" && r.class == class)
            .map(|r| r.count)
            .unwrap_or(0)
    };
    assert_eq!(count("2006-10-08", "nuclear"), 0);
    assert_eq!(count("2006-10-09", "nuclear"), 1);
    assert_eq!(count("2017-09-02", "nuclear"), 5);
    assert_eq!(count("2017-09-03", "nuclear"), 6);
    assert_eq!(count("2024-10-30", "ICBM"), 2);
    assert_eq!(count("2024-10-31", "ICBM"), 3);
    assert_eq!(count("2024-11-05", "SRBM"), 7);
}

#[test]
fn the_camp_david_correction_shows_both_versions() {
    let s = sample();
    let jpn = Code::parse("JPN").unwrap();
    let camp_david = |known: KnownAt| {
        s.history(&jpn, known)
            .unwrap()
            .into_iter()
            .find(|e| {
                e.status == Status::Current
                    && e.shown.content.date.map(|d| d.to_string()).as_deref() == Some("2023-08-18")
            })
            .unwrap()
    };
    let before = camp_david(KnownAt::parse("2024-11-16T00:00:00Z").unwrap());
    assert_eq!(before.status, Status::Current);
    assert!(
        before
            .shown
            .content
            .summary
            .as_deref()
            .unwrap_or("")
            .contains("Ishiba"),
        "{:?}",
        before.shown.content.summary
    );
    let after = camp_david(KnownAt::Now);
    assert!(after
        .shown
        .content
        .summary
        .as_deref()
        .unwrap_or("")
        .contains("Kishida"));
    // The mistaken report is still in the log, marked as corrected.
    let history = s.history(&jpn, KnownAt::Now).unwrap();
    assert!(history.iter().any(|e| e.status == Status::Corrected));
}

/// A small history with a revised deployment, a retracted report, a correction that moves
/// an event to another date, and a retracted correction.
const FIXTURE: &str = r#"{"id":"00000000-0000-4000-8000-000000000001","date":"2022-02-24","kind":"deployment","actor":"RUS","host":"UKR","region":"Kyiv","strength":30000,"recorded":"2022-02-24T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000002","date":"2022-03-10","kind":"deployment","actor":"RUS","host":"UKR","region":"Kyiv","strength":40000,"recorded":"2022-03-10T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000003","date":"2022-03-20","kind":"deployment","actor":"RUS","host":"UKR","region":"Kyiv","strength":90000,"confidence":"claimed","recorded":"2022-03-20T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000004","kind":"retraction","target":"00000000-0000-4000-8000-000000000003","reason":"the claim was not confirmed","recorded":"2022-03-25T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000005","date":"2022-04-02","kind":"withdrawal","actor":"RUS","host":"UKR","region":"Kyiv","recorded":"2022-04-02T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000006","date":"2022-05-01","kind":"leader_took_office","actor":"AAA","office":"president","person":"Early","recorded":"2022-05-01T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000007","kind":"correction","target":"00000000-0000-4000-8000-000000000006","event":{"date":"2022-06-01","kind":"leader_took_office","actor":"AAA","office":"president","person":"Late"},"recorded":"2022-06-15T12:00:00Z"}
{"id":"00000000-0000-4000-8000-000000000008","kind":"retraction","target":"00000000-0000-4000-8000-000000000007","reason":"the correction itself was wrong","recorded":"2022-07-01T12:00:00Z"}"#;

#[test]
fn revisions_retractions_and_corrections_over_knowledge() {
    let s = temp_store();
    s.import_lines(lines(FIXTURE), true).unwrap();
    let kyiv = |as_of: &str, known: &str| {
        rows::<Deployments>(&s, as_of, KnownAt::parse(known).unwrap())
            .into_iter()
            .find(|r| r.region.as_deref() == Some("Kyiv"))
            .map(|r| (r.strength, r.since, r.reported))
    };
    assert_eq!(kyiv("2022-02-23", "now"), None);
    assert_eq!(
        kyiv("2022-02-24", "now"),
        Some((30000, "2022-02-24".into(), "2022-02-24".into()))
    );
    assert_eq!(
        kyiv("2022-03-09", "now"),
        Some((30000, "2022-02-24".into(), "2022-02-24".into()))
    );
    assert_eq!(
        kyiv("2022-03-10", "now"),
        Some((40000, "2022-02-24".into(), "2022-03-10".into()))
    );
    // The claimed 90,000 was believed between its recording and its retraction.
    assert_eq!(
        kyiv("2022-03-21", "2022-03-21T00:00:00Z").map(|r| r.0),
        Some(90000)
    );
    assert_eq!(
        kyiv("2022-03-21", "2022-03-26T00:00:00Z").map(|r| r.0),
        Some(40000)
    );
    assert_eq!(kyiv("2022-03-21", "now").map(|r| r.0), Some(40000));
    assert_eq!(kyiv("2022-04-01", "now").map(|r| r.0), Some(40000));
    assert_eq!(kyiv("2022-04-02", "now"), None, "withdrawn on the day");
    let president = |as_of: &str, known: &str| {
        rows::<Leaders>(&s, as_of, KnownAt::parse(known).unwrap())
            .into_iter()
            .find(|r| r.actor == "AAA")
            .map(|r| (r.person, r.since))
    };
    // As first recorded: from 2022-05-01.
    assert_eq!(
        president("2022-05-15", "2022-06-01T00:00:00Z"),
        Some(("Early".into(), "2022-05-01".into()))
    );
    // The correction moves it to 2022-06-01 with another person.
    assert_eq!(president("2022-05-15", "2022-06-20T00:00:00Z"), None);
    assert_eq!(
        president("2022-06-01", "2022-06-20T00:00:00Z"),
        Some(("Late".into(), "2022-06-01".into()))
    );
    // Retracting the correction restores what it replaced.
    assert_eq!(
        president("2022-05-15", "now"),
        Some(("Early".into(), "2022-05-01".into()))
    );
    s.verify().unwrap();
}

#[test]
fn oddities_are_rejected_at_append_with_the_line() {
    let s = sample();
    let before = s.head();
    let bad =
        r#"{"date":"1990-01-01","kind":"alliance_joined","alliance":"PRK_RUS","members":["BLR"]}"#;
    let err = s.import_lines(lines(bad), false).unwrap_err().to_string();
    assert!(
        err.contains("line 1: alliances view: alliance PRK_RUS does not exist at this date"),
        "{err}"
    );
    let bad = r#"{"date":"2024-12-01","kind":"withdrawal","actor":"PRK","host":"RUS","region":"Donetsk"}"#;
    let err = s.import_lines(lines(bad), false).unwrap_err().to_string();
    assert!(
        err.contains("no deployment of PRK in RUS (Donetsk)"),
        "{err}"
    );
    let bad = r#"{"date":"2024-10-02","kind":"leader_left_office","actor":"JPN","office":"prime_minister","person":"Fumio Kishida"}"#;
    let err = s.import_lines(lines(bad), false).unwrap_err().to_string();
    assert!(err.contains("held by Shigeru Ishiba"), "{err}");
    assert_eq!(s.head(), before, "nothing written");
    // The same join after the alliance exists is fine.
    let good =
        r#"{"date":"2025-01-01","kind":"alliance_joined","alliance":"PRK_RUS","members":["BLR"]}"#;
    s.import_lines(lines(good), false).unwrap();
}

#[test]
fn a_correction_can_create_an_oddity_that_the_fold_tolerates() {
    // Move NATO's founding after Spain's accession: the join is then ignored (documented
    // lenient behaviour), not an error, because it is the correction that is new.
    let s = sample();
    let nato = s.events().map(|e| e.unwrap()).find(|e| matches!(&e.content.kind, annals::Kind::AllianceFormed { alliance, .. } if alliance.as_str() == "NATO")).unwrap();
    let correction = format!(
        r#"{{"kind":"correction","target":"{}","event":{{"date":"1990-01-01","kind":"alliance_formed","alliance":"NATO","type":"defense_pact","members":["USA","CAN"]}}}}"#,
        nato.id
    );
    s.import_lines(lines(&correction), false).unwrap();
    assert!(members(&s, "NATO", "1985-01-01").is_empty());
    let m = members(&s, "NATO", "1999-03-12");
    assert!(
        m.contains(&"POL".to_string()) && !m.contains(&"ESP".to_string()),
        "{m:?}"
    );
    s.verify().unwrap();
}

#[test]
fn departures_and_dissolution_of_the_warsaw_pact() {
    let s = temp_store();
    s.import_lines(lines(EXAMPLES), false).unwrap();
    let warsaw = |as_of: &str| members(&s, "WARSAW_PACT", as_of);
    assert!(warsaw("1955-05-13").is_empty());
    assert_eq!(warsaw("1955-05-14").len(), 8);
    // Albania left in 1968-09 (month precision): from 1968-09-01 it is gone.
    assert!(warsaw("1968-08-31").contains(&"ALB".to_string()));
    assert!(!warsaw("1968-09-01").contains(&"ALB".to_string()));
    assert_eq!(warsaw("1991-06-30").len(), 7);
    assert!(warsaw("1991-07-01").is_empty(), "dissolved on the day");
}
