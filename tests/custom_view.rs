//! A custom view (the worked example in `examples/meetings_per_year.rs`) registered on a
//! store that already holds events is built from the existing log, then maintained,
//! checkpointed, rebuilt and verified like the built-ins.

mod common;

#[path = "../examples/meetings_per_year.rs"]
mod example;

use annals::{Day, Store, StoreOptions};
use example::{MeetingsPerYear, PairYear};

fn pair(a: &str, b: &str, year: i32, meetings: u64) -> PairYear {
    PairYear {
        a: a.into(),
        b: b.into(),
        year,
        meetings,
    }
}

#[test]
fn a_view_registered_later_is_built_from_the_existing_log() {
    let dir = common::tempdir();
    let path = common::db_path(&dir);
    {
        let store = Store::open(&path).unwrap();
        store
            .import_lines(common::lines(common::SAMPLE), true)
            .unwrap();
    }
    let options = || {
        StoreOptions {
            checkpoint_interval: 2,
            ..StoreOptions::default()
        }
        .with_view::<MeetingsPerYear>()
    };
    let store = Store::open_with(&path, options()).unwrap();
    assert!(store.view_names().contains(&"pair_meetings"));
    let rows = store
        .at(Day::parse_query("2024").unwrap())
        .view::<MeetingsPerYear>()
        .unwrap()
        .rows;
    // 2023: Camp David (USA, KOR, JPN — the corrected version) and Vostochny (PRK, RUS);
    // 2024: Lima trilateral and Biden–Boluarte.
    assert!(rows.contains(&pair("JPN", "KOR", 2023, 1)), "{rows:#?}");
    assert!(rows.contains(&pair("PRK", "RUS", 2023, 1)));
    assert!(rows.contains(&pair("JPN", "USA", 2024, 1)));
    assert!(rows.contains(&pair("PER", "USA", 2024, 1)));
    annals::testing::assert_rebuild_matches(&store);

    // Maintained on append, like the built-ins.
    store
        .append(
            annals::interchange::parse_line(
                r#"{"date":"2024-11-16","kind":"meeting","actors":["USA","PER"],"place":"Lima"}"#,
            )
            .unwrap()
            .event,
        )
        .unwrap();
    let rows = store
        .at(Day::parse_query("2024").unwrap())
        .view::<MeetingsPerYear>()
        .unwrap()
        .rows;
    assert!(rows.contains(&pair("PER", "USA", 2024, 2)));
    // And by name, as the CLI's `annals view NAME` does.
    let json = store
        .at(Day::parse_query("2024").unwrap())
        .view_json("pair_meetings", None)
        .unwrap();
    assert!(json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["meetings"] == 2));
    store.rebuild().unwrap();
    annals::testing::assert_rebuild_matches(&store);
    drop(store);

    // Reopened with the view: no rebuild needed, same answers. Without it: still opens.
    let store = Store::open_with(&path, options()).unwrap();
    assert_eq!(
        store
            .at(Day::parse_query("2024").unwrap())
            .view::<MeetingsPerYear>()
            .unwrap()
            .rows,
        rows
    );
    drop(store);
    Store::open(&path).unwrap().verify().unwrap();
}

#[test]
fn view_names_are_checked() {
    struct Bad;
    impl annals::View for Bad {
        const NAME: &'static str = "Bad Name";
        const VERSION: u32 = 1;
        type State = u64;
        type Row = u64;
        fn consumes(_: annals::event::KindTag) -> bool {
            false
        }
        fn apply(_: &mut u64, _: &annals::views::Fact<'_>) -> Result<(), String> {
            Ok(())
        }
        fn rows(s: &u64, _: Day) -> Vec<u64> {
            vec![*s]
        }
        fn row_mentions(_: &u64, _: &annals::Code) -> bool {
            false
        }
        fn row_key(r: &u64) -> String {
            r.to_string()
        }
    }
    let err = Store::temporary_with(StoreOptions::default().with_view::<Bad>()).unwrap_err();
    assert!(err.to_string().contains("view name `Bad Name`"), "{err}");
    let err = Store::temporary_with(StoreOptions::default().with_view::<annals::views::Arms>())
        .unwrap_err();
    assert!(err.to_string().contains("already registered"), "{err}");
}
