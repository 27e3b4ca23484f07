//! The `alliances` view: which alliances exist as of a day, with their members.
//!
//! Fold: `alliance_formed` creates the alliance (its members join on that date);
//! `alliance_joined` adds members; `alliance_left` removes them; `alliance_dissolved`
//! removes the alliance. Lenient rules for oddities (each is ignored by the fold and
//! rejected when appended): forming an alliance that exists re-forms it (replacing type,
//! date and members); joining, leaving or dissolving an alliance that does not exist is
//! ignored; joining as an existing member keeps the first join date; leaving as a
//! non-member is ignored. Rows are sorted by alliance code.

use super::{certain_as_of, Fact, View};
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
    pub certain: bool,
}

/// The `alliances` view.
pub struct Alliances;

impl super::KeyedView for Alliances {
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
    const VERSION: u32 = 1;
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
        match &fact.content.kind {
            Kind::AllianceFormed {
                alliance,
                alliance_type,
                members,
            } => {
                let existed = state.get(alliance).map(|a| a.since);
                state.insert(
                    alliance.clone(),
                    AllianceState {
                        alliance_type: *alliance_type,
                        since: *fact.date,
                        members: members.iter().map(|m| (m.clone(), *fact.date)).collect(),
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
                    match a.members.get(m) {
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
                let missing: Vec<String> = members
                    .iter()
                    .filter(|m| a.members.remove(*m).is_none())
                    .map(|m| m.to_string())
                    .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "not members of {alliance} at this date: {}",
                        missing.join(", ")
                    ))
                }
            }
            Kind::AllianceDissolved { alliance } => match state.remove(alliance) {
                Some(_) => Ok(()),
                None => Err(format!("alliance {alliance} does not exist at this date")),
            },
            _ => Ok(()),
        }
    }

    fn rows(state: &Self::State, as_of: Day) -> Vec<AllianceRow> {
        state
            .iter()
            .map(|(code, a)| {
                let latest = a
                    .members
                    .values()
                    .map(|d| d.latest())
                    .chain([a.since.latest()])
                    .max()
                    .unwrap_or(Day(0));
                AllianceRow {
                    alliance: code.to_string(),
                    alliance_type: a.alliance_type.as_str().to_string(),
                    since: a.since.to_string(),
                    members: a.members.keys().map(|m| m.to_string()).collect(),
                    joined: a
                        .members
                        .iter()
                        .map(|(m, d)| (m.to_string(), d.to_string()))
                        .collect(),
                    certain: certain_as_of(latest, as_of),
                }
            })
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
