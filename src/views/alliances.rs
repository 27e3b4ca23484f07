//! The `alliances` view: which alliances exist as of a day, with their members.
//!
//! Fold: `alliance_formed` creates the alliance (its members join on that date);
//! `alliance_joined` adds members; `alliance_left` removes them; `alliance_dissolved`
//! removes the alliance. Lenient rules for oddities (each is ignored by the fold and
//! rejected when appended): forming an alliance that exists re-forms it (replacing type,
//! date and members); joining, leaving or dissolving an alliance that does not exist is
//! ignored; joining as an existing member keeps the first join date; leaving as a
//! non-member is ignored. Rows are sorted by alliance code.
//!
//! Imprecise endings ([`super::ended_as_of`]): a departure or a dissolution takes effect
//! on its date's latest day. Until then the member (or the alliance) is still shown, the
//! row `certain: false`, with the pending ending in `leaving` (member → date) or
//! `dissolving`. While a dissolution is pending, only re-forming the alliance is accepted
//! (it replaces it); joining as a member whose departure is pending is a new join.

use super::{certain_as_of, ended_as_of, Fact, KeyedView, View};
use crate::model::date::{Date, Day};
use crate::model::event::{AllianceType, Code, Content, Kind, KindTag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One alliance as folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceState {
    pub alliance_type: AllianceType,
    pub since: Date,
    /// Member → the date it joined.
    pub members: BTreeMap<Code, Date>,
    /// Member → the date of a departure that has not certainly taken effect yet.
    pub leaving: BTreeMap<Code, Date>,
    /// The date of a dissolution that has not certainly taken effect yet.
    pub dissolved: Option<Date>,
}

impl AllianceState {
    /// Drop the members whose departure has certainly taken effect by `day`; `false` when
    /// the alliance's dissolution has.
    fn settle(&mut self, day: Day) -> bool {
        let members = &mut self.members;
        self.leaving.retain(|m, d| {
            let gone = ended_as_of(Some(d), day);
            if gone {
                members.remove(m);
            }
            !gone
        });
        !ended_as_of(self.dissolved.as_ref(), day)
    }
}

/// Apply the endings of `alliance` that have certainly taken effect by `day`.
fn settle(state: &mut BTreeMap<Code, AllianceState>, alliance: &Code, day: Day) {
    if state.get_mut(alliance).is_some_and(|a| !a.settle(day)) {
        state.remove(alliance);
    }
}

/// A row of the `alliances` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllianceRow {
    pub alliance: String,
    #[serde(rename = "type")]
    pub alliance_type: String,
    pub since: String,
    pub members: Vec<String>,
    pub joined: BTreeMap<String, String>,
    /// Members whose departure is dated but has not certainly taken effect, with its date.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub leaving: BTreeMap<String, String>,
    /// The date of a dissolution that has not certainly taken effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dissolving: Option<String>,
    pub certain: bool,
}

/// The `alliances` view.
pub struct Alliances;

impl KeyedView for Alliances {
    type Key = Code;
    type Entry = AllianceState;

    fn key_of(content: &Content) -> Option<Code> {
        match &content.kind {
            Kind::AllianceFormed { alliance, .. }
            | Kind::AllianceJoined { alliance, .. }
            | Kind::AllianceLeft { alliance, .. }
            | Kind::AllianceDissolved { alliance } => Some(alliance.clone()),
            _ => None,
        }
    }
}

impl View for Alliances {
    const NAME: &'static str = "alliances";
    const VERSION: u32 = 2;
    type State = BTreeMap<Code, AllianceState>;
    type Row = AllianceRow;

    fn consumes(kind: KindTag) -> bool {
        matches!(
            kind,
            KindTag::AllianceFormed
                | KindTag::AllianceJoined
                | KindTag::AllianceLeft
                | KindTag::AllianceDissolved
        )
    }

    fn may_reject(_kind: KindTag) -> bool {
        true
    }

    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String> {
        let Some(key) = Self::key_of(fact.content) else {
            return Ok(());
        };
        let day = fact.date.earliest();
        settle(state, &key, day);
        let verdict = Self::fold(state, fact);
        settle(state, &key, day);
        verdict
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<AllianceRow> {
        state
            .iter()
            .filter(|(_, a)| !ended_as_of(a.dissolved.as_ref(), as_of))
            .map(|(code, a)| row(code, a, as_of))
            .collect()
    }

    fn row_mentions(row: &AllianceRow, code: &Code) -> bool {
        row.alliance == code.as_str() || row.members.iter().any(|m| m == code.as_str())
    }

    fn row_key(row: &AllianceRow) -> String {
        row.alliance.clone()
    }

    fn same_row(a: &AllianceRow, b: &AllianceRow) -> bool {
        super::equal_after(a, b, |r| r.certain = true)
    }
}

impl Alliances {
    /// Fold one fact once the endings before it have been applied.
    fn fold(state: &mut BTreeMap<Code, AllianceState>, fact: &Fact<'_>) -> Result<(), String> {
        if let Some(alliance) = Self::key_of(fact.content) {
            let dissolved = state.get(&alliance).and_then(|a| a.dissolved);
            let forming = matches!(fact.content.kind, Kind::AllianceFormed { .. });
            if let (Some(d), false) = (dissolved, forming) {
                return Err(format!(
                    "alliance {alliance} does not exist at this date (dissolved {d})"
                ));
            }
        }
        match &fact.content.kind {
            Kind::AllianceFormed {
                alliance,
                alliance_type,
                members,
            } => {
                let existed = (state.get(alliance))
                    .filter(|a| a.dissolved.is_none())
                    .map(|a| a.since);
                state.insert(
                    alliance.clone(),
                    AllianceState {
                        alliance_type: *alliance_type,
                        since: *fact.date,
                        members: members.iter().map(|m| (m.clone(), *fact.date)).collect(),
                        leaving: BTreeMap::new(),
                        dissolved: None,
                    },
                );
                match existed {
                    Some(since) => Err(format!(
                        "alliance {alliance} already exists at this date (formed {since})"
                    )),
                    None => Ok(()),
                }
            }
            Kind::AllianceJoined { alliance, members } => {
                let Some(a) = state.get_mut(alliance) else {
                    return Err(format!("alliance {alliance} does not exist at this date; record its alliance_formed first"));
                };
                let mut already = Vec::new();
                for m in members {
                    // A member whose departure is pending joins anew.
                    let rejoining = a.leaving.remove(m).is_some();
                    match a.members.get(m).filter(|_| !rejoining) {
                        Some(d) => already.push(format!("{m} (since {d})")),
                        None => {
                            a.members.insert(m.clone(), *fact.date);
                        }
                    }
                }
                if already.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "already members of {alliance}: {}",
                        already.join(", ")
                    ))
                }
            }
            Kind::AllianceLeft { alliance, members } => {
                let Some(a) = state.get_mut(alliance) else {
                    return Err(format!("alliance {alliance} does not exist at this date"));
                };
                let mut missing = Vec::new();
                for m in members {
                    if a.members.contains_key(m) && !a.leaving.contains_key(m) {
                        a.leaving.insert(m.clone(), *fact.date);
                    } else {
                        missing.push(m.to_string());
                    }
                }
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "not members of {alliance} at this date: {}",
                        missing.join(", ")
                    ))
                }
            }
            Kind::AllianceDissolved { alliance } => match state.get_mut(alliance) {
                Some(a) => {
                    a.dissolved = Some(*fact.date);
                    Ok(())
                }
                None => Err(format!("alliance {alliance} does not exist at this date")),
            },
            _ => Ok(()),
        }
    }
}

/// The row of one alliance as of `as_of` (its dissolution not yet certain, if any).
fn row(code: &Code, a: &AllianceState, as_of: Day) -> AllianceRow {
    let gone = |m: &Code| ended_as_of(a.leaving.get(m), as_of);
    let members: BTreeMap<&Code, &Date> = a.members.iter().filter(|(m, _)| !gone(m)).collect();
    let leaving: BTreeMap<&Code, &Date> = a.leaving.iter().filter(|(m, _)| !gone(m)).collect();
    let latest = (members.values().chain(leaving.values()))
        .map(|d| d.latest())
        .chain(a.dissolved.map(|d| d.latest()))
        .chain([a.since.latest()])
        .max()
        .unwrap_or(Day(0));
    let text = |m: BTreeMap<&Code, &Date>| -> BTreeMap<String, String> {
        m.into_iter()
            .map(|(m, d)| (m.to_string(), d.to_string()))
            .collect()
    };
    AllianceRow {
        alliance: code.to_string(),
        alliance_type: a.alliance_type.as_str().to_string(),
        since: a.since.to_string(),
        members: members.keys().map(|m| m.to_string()).collect(),
        joined: text(members),
        leaving: text(leaving),
        dissolving: a.dissolved.map(|d| d.to_string()),
        certain: certain_as_of(latest, as_of),
    }
}
