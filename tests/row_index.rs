//! The bitemporal row-version index (`W`, `N`, `M` keyspaces) seen from outside: what an
//! append writes, what a backdated fact rewrites, that earlier knowledge stays exactly
//! reproducible, and the cost of facts arriving out of order into one running tally.

mod common;

use annals::history::replay::Replay;
use annals::interchange::parse_line;
use annals::testing_raw::keys_with_prefix;
use annals::views::{Arms, Tests};
use annals::{Day, KnownAt, NewEvent, Store};

fn transfer(date: &str, quantity: u64) -> NewEvent {
    parse_line(&format!(
        r#"{{"date":"{date}","kind":"arms_transfer","supplier":"AAA","recipient":"BBB","item":"shells","quantity":{quantity},"summary":"q{quantity}"}}"#
    ))
    .unwrap()
    .event
}

fn versions(store: &Store) -> usize {
    keys_with_prefix(store, b'W').unwrap().len()
}

fn quantity(store: &Store, day: &str, k: KnownAt) -> u64 {
    let answer = store
        .at(Day::parse_query(day).unwrap())
        .known_at(k)
        .view::<Arms>()
        .unwrap();
    answer.rows.iter().map(|r| r.quantity).sum()
}

#[test]
fn appends_in_date_order_write_one_version_each() {
    let store = common::temp_store();
    for year in 2001..=2020u64 {
        store.append(transfer(&year.to_string(), year)).unwrap();
    }
    assert_eq!(versions(&store), 20, "one version per fact, none rewritten");
    assert_eq!(
        keys_with_prefix(&store, b'N').unwrap().len(),
        1,
        "one row key"
    );
    // AAA and BBB both name the key.
    assert_eq!(keys_with_prefix(&store, b'M').unwrap().len(), 2);
    assert_eq!(
        quantity(&store, "2010", KnownAt::Now),
        (2001..=2010u64).sum::<u64>()
    );
    store.verify().unwrap();
}

#[test]
fn a_backdated_fact_rewrites_its_keys_later_versions_and_keeps_the_old_ones() {
    let store = common::temp_store();
    for year in 2001..=2010u64 {
        store.append(transfer(&year.to_string(), 1)).unwrap();
    }
    // Another key, untouched by the backdated fact below.
    store
        .append(
            parse_line(
                r#"{"date":"2005","kind":"missile_test","actor":"CCC","class":"ICBM","count":1}"#,
            )
            .unwrap()
            .event,
        )
        .unwrap();
    let before = versions(&store);
    assert_eq!(before, 11);
    // Backdated into 2004-06: the versions of 2005..2010 (6) are closed and rewritten, and
    // the fact itself adds one.
    store.append(transfer("2004-06", 100)).unwrap();
    assert_eq!(versions(&store), before + 6 + 1);
    let head = store.head().seq;
    assert_eq!(quantity(&store, "2010", KnownAt::Now), 110);
    assert_eq!(quantity(&store, "2004-12", KnownAt::Now), 104);
    assert_eq!(quantity(&store, "2004-03", KnownAt::Now), 4);
    // As known before it: exactly the old answers.
    assert_eq!(quantity(&store, "2010", KnownAt::Seq(head - 1)), 10);
    assert_eq!(quantity(&store, "2004-12", KnownAt::Seq(head - 1)), 4);
    let tests = store
        .at(Day::parse_query("2010").unwrap())
        .view::<Tests>()
        .unwrap();
    assert_eq!(tests.rows.len(), 1);
    store.verify().unwrap();
}

/// The worst case of the design: facts of one running tally arriving in reverse date
/// order. Each rewrites every later version of the key, so n facts store n(n+1)/2
/// versions — the price of reproducing every earlier knowledge exactly. Answers at every
/// knowledge still equal a replay of the log.
#[test]
fn out_of_order_facts_into_one_tally_cost_a_rewrite_each_and_stay_exact() {
    let store = common::temp_store();
    let n = 40u64;
    for i in 0..n {
        let year = 2040 - i;
        store.append(transfer(&year.to_string(), i + 1)).unwrap();
    }
    assert_eq!(versions(&store) as u64, n * (n + 1) / 2);
    let events: Vec<_> = store.events().map(|e| e.unwrap()).collect();
    for k in [1, n / 3, n / 2, n - 1, n] {
        for day in ["2000", "2005", "2020", "2030", "2040"] {
            let day = Day::parse_query(day).unwrap();
            let want = Replay::new(&events, k).rows::<Arms>(day);
            let got = store
                .at(day)
                .known_at(KnownAt::Seq(k))
                .view::<Arms>()
                .unwrap();
            assert_eq!(got.rows, want, "as of {day} known at {k}");
        }
    }
    store.verify().unwrap();
}

#[test]
fn a_rebuild_writes_the_same_index() {
    let store = common::temp_store();
    for (i, year) in [2005, 2001, 2009, 2003, 2003, 2007].iter().enumerate() {
        store
            .append(transfer(&year.to_string(), i as u64 + 1))
            .unwrap();
    }
    let key_values = |store: &Store| -> Vec<(Vec<u8>, Vec<u8>)> {
        [b'W', b'N', b'M']
            .iter()
            .flat_map(|p| keys_with_prefix(store, *p).unwrap())
            .map(|k| {
                (
                    k.clone(),
                    annals::testing_raw::get(store, &k).unwrap().unwrap(),
                )
            })
            .collect()
    };
    let before = key_values(&store);
    store.rebuild().unwrap();
    assert_eq!(
        key_values(&store),
        before,
        "the index is a function of the log"
    );
    store.verify().unwrap();
}

#[test]
fn verify_finds_a_damaged_row_version() {
    let store = common::temp_store();
    for year in 2001..=2003u64 {
        store.append(transfer(&year.to_string(), year)).unwrap();
    }
    let key = keys_with_prefix(&store, b'W').unwrap()[1].clone();
    annals::testing_raw::delete(&store, &key).unwrap();
    let error = store.verify().unwrap_err().to_string();
    assert!(error.contains("row-version index"), "{error}");
    store.rebuild().unwrap();
    store.verify().unwrap();
    assert_eq!(quantity(&store, "2003", KnownAt::Now), 2001 + 2002 + 2003);
}

/// A custom keyed view: the built-in `tests` under another name, registered with
/// `StoreOptions::with_keyed_view` on a store that already holds events.
struct TestsTwin;

impl annals::View for TestsTwin {
    const NAME: &'static str = "tests_twin";
    const VERSION: u32 = 1;
    type State = <Tests as annals::View>::State;
    type Row = <Tests as annals::View>::Row;
    fn consumes(kind: annals::KindTag) -> bool {
        <Tests as annals::View>::consumes(kind)
    }
    fn apply(state: &mut Self::State, fact: &annals::views::Fact<'_>) -> Result<(), String> {
        <Tests as annals::View>::apply(state, fact)
    }
    fn rows(state: &Self::State, as_of: Day) -> Vec<Self::Row> {
        <Tests as annals::View>::rows(state, as_of)
    }
    fn row_mentions(row: &Self::Row, code: &annals::Code) -> bool {
        <Tests as annals::View>::row_mentions(row, code)
    }
    fn row_key(row: &Self::Row) -> String {
        <Tests as annals::View>::row_key(row)
    }
}

impl annals::views::KeyedView for TestsTwin {
    type Key = <Tests as annals::views::KeyedView>::Key;
    type Entry = <Tests as annals::views::KeyedView>::Entry;
    fn key_of(content: &annals::Content) -> Option<Self::Key> {
        <Tests as annals::views::KeyedView>::key_of(content)
    }
}

#[test]
fn a_custom_keyed_view_registered_later_is_absorbed_from_the_existing_log() {
    let dir = common::tempdir();
    let path = common::db_path(&dir);
    let test = |date: &str, class: &str| {
        parse_line(&format!(
            r#"{{"date":"{date}","kind":"missile_test","actor":"PRK","class":"{class}","count":1}}"#
        ))
        .unwrap()
        .event
    };
    {
        let store = Store::open(&path).unwrap();
        for (date, class) in [
            ("2017-07-04", "ICBM"),
            ("2016", "IRBM"),
            ("2017-11-29", "ICBM"),
        ] {
            store.append(test(date, class)).unwrap();
        }
    }
    let options = annals::StoreOptions::default().with_keyed_view::<TestsTwin>();
    let store = Store::open_with(&path, options).unwrap();
    store.append(test("2015", "ICBM")).unwrap(); // backdated
    for day in ["2015-06", "2016-12", "2017-08", "2018"] {
        let at = store.at(Day::parse_query(day).unwrap());
        assert_eq!(
            at.view::<TestsTwin>().unwrap().rows,
            at.view::<Tests>().unwrap().rows
        );
    }
    let k1 = store
        .at(Day::parse_query("2018").unwrap())
        .known_at(KnownAt::Seq(1));
    assert_eq!(
        k1.view::<TestsTwin>().unwrap().rows,
        k1.view::<Tests>().unwrap().rows
    );
    assert!(keys_with_prefix(&store, b'W')
        .unwrap()
        .iter()
        .any(|k| k[1..11] == *b"tests_twin"));
    assert!(store.verify().unwrap().row_versions >= 8);
}
