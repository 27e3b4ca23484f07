//! The test-replay kit (`annals::testing`) used the way a test suite would, including what
//! its failures say.

mod common;

use annals::testing::{assert_rebuild_matches, Scenario};
use annals::views::{Alliances, DeploymentRow, Deployments, Leaders};

const KURSK: &str = r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000}"#;

#[test]
fn given_when_then_with_a_deterministic_clock() {
    Scenario::new()
        .at("2024-10-31T20:00:00Z")
        .given_lines(KURSK)
        .at("2024-11-15T18:00:00Z")
        .when_line(r#"{"date":"2024-11-15","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":12000}"#)
        .then_accepted()
        .then_view_as_of::<Deployments>("2024-11-14", |rows| assert_eq!(rows[0].strength, 8000))
        .then_view_as_of::<Deployments>("2024-11-15", |rows| assert_eq!(rows[0].strength, 12000))
        .then_view_as_of_known_at::<Deployments>("2024-11-15", "2024-11-01T00:00:00Z", |rows| assert_eq!(rows[0].strength, 8000))
        .then_rows::<Deployments>(
            "2024-12-31",
            &[DeploymentRow {
                actor: "PRK".into(),
                host: "RUS".into(),
                region: Some("Kursk".into()),
                strength: 12000,
                since: "2024-10-31".into(),
                reported: "2024-11-15".into(),
                withdrawing: None,
                certain: true,
            }],
        )
        .then_rebuild_matches();
}

#[test]
fn fixtures_replay_with_their_recorded_times() {
    let s = Scenario::new()
        .given_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/examples/sample_timeline.jsonl"
        ))
        .then_view_as_of::<Alliances>("1999-03-11", |rows| {
            let nato = rows.iter().find(|r| r.alliance == "NATO").unwrap();
            assert_eq!(nato.members.len(), 16);
        })
        // The background history was recorded on 2024-10-01: before that, nothing was known.
        .then_view_as_of_known_at::<Leaders>("2024-10-01", "2024-09-01T00:00:00Z", |rows| {
            assert!(rows.is_empty())
        })
        .then_view_as_of_known_at::<Leaders>("2024-10-01", "2024-10-02T00:00:00Z", |rows| {
            assert!(rows.iter().any(|r| r.person == "Shigeru Ishiba"));
        });
    assert_rebuild_matches(s.store());
}

#[test]
fn rejections_are_expectations_too() {
    Scenario::new()
        .when_line(r#"{"date":"2024-12-01","kind":"withdrawal","actor":"PRK","host":"RUS","region":"Kursk"}"#)
        .then_rejected("no deployment of PRK in RUS (Kursk)")
        .then_view_as_of::<Deployments>("2025", |rows| assert!(rows.is_empty()));
}

#[test]
#[should_panic(expected = "expected but missing")]
fn a_row_mismatch_says_what_differed() {
    Scenario::new().given_lines(KURSK).then_rows::<Deployments>(
        "2024-11-01",
        &[DeploymentRow {
            actor: "PRK".into(),
            host: "RUS".into(),
            region: Some("Kursk".into()),
            strength: 9999,
            since: "2024-10-31".into(),
            reported: "2024-10-31".into(),
            withdrawing: None,
            certain: true,
        }],
    );
}

#[test]
#[should_panic(expected = "expected a rejection mentioning")]
fn an_accepted_event_fails_then_rejected() {
    Scenario::new().when_line(KURSK).then_rejected("anything");
}
