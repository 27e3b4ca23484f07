//! The store's checkpointed answers against a store-free replay of the same events
//! (`annals::replay`): every built-in view, at random days, at the current and at earlier
//! knowledge, on a generated workload with backdated events, corrections and retractions.
//! The benchmark's naive and SQLite contenders answer with the replay, so this also proves
//! that the comparison compares equal answers.

mod common;

use annals::views::{Alliances, Arms, Deployments, Leaders, Tests, View};
use annals::workload::{generate, Rng};
use annals::{replay::Replay, Day, Event, KnownAt, Store, StoreOptions};

fn agree<V: View>(store: &Store, replay: &Replay, day: Day, k: u64) {
    let stored = store
        .at(day)
        .known_at(KnownAt::Seq(k))
        .view::<V>()
        .unwrap()
        .rows;
    assert_eq!(
        stored,
        replay.rows::<V>(day),
        "{} as of {day} known through seq {k}",
        V::NAME
    );
}

#[test]
fn checkpointed_answers_equal_a_replay_from_nothing() {
    // A small checkpoint interval, so most answers start from a checkpoint.
    let store = Store::temporary_with(StoreOptions {
        checkpoint_interval: 64,
        ..StoreOptions::default()
    })
    .unwrap();
    let generated = generate(4_000, 5);
    for chunk in generated.chunks(700) {
        store.append_batch(chunk.to_vec()).unwrap();
    }
    let events: Vec<Event> = store.events().map(|e| e.unwrap()).collect();
    let head = store.head().seq;
    let amended = events
        .iter()
        .filter(|e| e.content.kind.target().is_some())
        .count();
    assert!(amended > 20, "the workload has amendments ({amended})");
    let mut rng = Rng::new(9);
    for k in [head, head / 2, 700, 1] {
        let replay = Replay::new(&events, k);
        for _ in 0..12 {
            let date = chrono::NaiveDate::from_ymd_opt(
                1950 + rng.below(80) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .unwrap();
            let day = Day::from_naive(date).unwrap();
            agree::<Alliances>(&store, &replay, day, k);
            agree::<Deployments>(&store, &replay, day, k);
            agree::<Leaders>(&store, &replay, day, k);
            agree::<Arms>(&store, &replay, day, k);
            agree::<Tests>(&store, &replay, day, k);
        }
    }
}

#[test]
fn the_sample_replays_to_the_stored_answers() {
    let store = common::temp_store();
    store
        .import_lines(common::lines(common::SAMPLE), true)
        .unwrap();
    let events: Vec<Event> = store.events().map(|e| e.unwrap()).collect();
    for k in 1..=store.head().seq {
        let replay = Replay::new(&events, k);
        for day in ["1999-03-11", "2024-11-15", "2024-10", "2025"] {
            let day = Day::parse_query(day).unwrap();
            agree::<Alliances>(&store, &replay, day, k);
            agree::<Deployments>(&store, &replay, day, k);
            agree::<Leaders>(&store, &replay, day, k);
        }
    }
}
