//! The `deployments` view: forces of one actor in another's territory as of a day, keyed
//! by (actor, host, region).
//!
//! Fold: `deployment` sets the strength (a later report replaces it); `since` is the date
//! of the first report of the unbroken deployment and `reported` the date of the latest
//! report. `withdrawal` removes the row. Lenient rule: a withdrawal of a deployment that
//! does not exist at that date is ignored (and rejected when appended). Rows are sorted by
//! (actor, host, region), with no region first.
//!
//! An imprecise withdrawal ([`super::ended_as_of`]) takes effect on its date's latest day:
//! until then the row is still shown, `certain: false`, with the date in `withdrawing`. A
//! new report while a withdrawal is pending starts a new deployment.

use super::{certain_as_of, ended_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One deployment as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentState {
    pub strength: u64,
    pub since: Date,
    pub reported: Date,
    /// The date of a withdrawal that has not certainly taken effect yet.
    pub withdrawn: Option<Date>,
}

/// A row of the `deployments` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeploymentRow {
    pub actor: String,
    pub host: String,
    pub region: Option<String>,
    pub strength: u64,
    pub since: String,
    pub reported: String,
    /// The date of a withdrawal that has not certainly taken effect.
    pub withdrawing: Option<String>,
    pub certain: bool,
}

/// The `deployments` view.
pub struct Deployments;

impl KeyedView for Deployments {
    type Key = (Code, Code, Option<String>);
    type Entry = DeploymentState;

    fn key_of(content: &Content) -> Option<Self::Key> {
        match &content.kind {
            Kind::Deployment {
                actor,
                host,
                region,
                ..
            }
            | Kind::Withdrawal {
                actor,
                host,
                region,
            } => Some((actor.clone(), host.clone(), region.clone())),
            _ => None,
        }
    }
}

impl View for Deployments {
    const NAME: &'static str = "deployments";
    const VERSION: u32 = 2;
    type State = BTreeMap<(Code, Code, Option<String>), DeploymentState>;
    type Row = DeploymentRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(kind, KindTag::Deployment | KindTag::Withdrawal)
    }

    fn may_reject(kind: KindTag) -> bool {
        kind == KindTag::Withdrawal
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let Some(key) = Self::key_of(fact.content) else {
            return Ok(());
        };
        let day = fact.date.earliest();
        if state.get(&key).is_some_and(|d| d.withdrawn.is_some()) {
            // A withdrawal before this fact: from here on the deployment is gone.
            state.remove(&key);
        }
        match &fact.content.kind {
            Kind::Deployment { strength, .. } => {
                let since = state.get(&key).map(|d| d.since).unwrap_or(*fact.date);
                state.insert(
                    key,
                    DeploymentState {
                        strength: *strength,
                        since,
                        reported: *fact.date,
                        withdrawn: None,
                    },
                );
                Ok(())
            }
            Kind::Withdrawal {
                actor,
                host,
                region,
            } => match state.get_mut(&key) {
                Some(d) => {
                    d.withdrawn = Some(*fact.date);
                    if ended_as_of(d.withdrawn.as_ref(), day) {
                        state.remove(&key);
                    }
                    Ok(())
                }
                None => Err(format!(
                    "no deployment of {actor} in {host}{} at this date to withdraw",
                    region
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )),
            },
            _ => Ok(()),
        }
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<DeploymentRow> {
        state
            .iter()
            .filter(|(_, d)| !ended_as_of(d.withdrawn.as_ref(), as_of))
            .map(|((actor, host, region), d)| DeploymentRow {
                actor: actor.to_string(),
                host: host.to_string(),
                region: region.clone(),
                strength: d.strength,
                since: d.since.to_string(),
                reported: d.reported.to_string(),
                withdrawing: d.withdrawn.map(|w| w.to_string()),
                certain: certain_as_of(
                    (d.since.latest().max(d.reported.latest()))
                        .max(d.withdrawn.map_or(Day(0), |w| w.latest())),
                    as_of,
                ),
            })
            .collect()
    }

    fn row_mentions(row: &DeploymentRow, code: &Code) -> bool {
        row.actor == code.as_str() || row.host == code.as_str()
    }

    fn row_key(row: &DeploymentRow) -> String {
        format!(
            "{}/{}/{}",
            row.actor,
            row.host,
            row.region.as_deref().unwrap_or("-")
        )
    }

    fn same_row(a: &DeploymentRow, b: &DeploymentRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}
