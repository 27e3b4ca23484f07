//! The `alliances` view: which alliances exist as of a day, with their members.
//!
//! Fold: `alliance_formed` creates the alliance (its members join on that date, with the
//! event's obligations or else the alliance type's; one member is enough);
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
    pub name: Option<String>,
    pub signed: Option<Date>,
    /// Member → its obligations (the event's, or else the alliance type's).
    pub obligations: BTreeMap<Code, Vec<String>>,
}

/// The obligations a member takes on when its event names none: its alliance type's.
pub fn default_obligations(t: AllianceType) -> Vec<String> {
    let word = match t {
        AllianceType::DefensePact => "defense",
        AllianceType::Neutrality => "neutrality",
        AllianceType::NonAggression => "non_aggression",
        AllianceType::Entente => "entente",
        AllianceType::Partnership => return Vec::new(),
    };
    vec![word.to_string()]
}

fn obligations_of(given: &[String], t: AllianceType) -> Vec<String> {
    if given.is_empty() {
        default_obligations(t)
    } else {
        given.to_vec()
    }
}

/// A row of the `alliances` view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllianceRow {
    pub alliance: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub alliance_type: String,
    pub since: String,
    pub signed: Option<String>,
    pub members: Vec<String>,
    pub joined: BTreeMap<String, String>,
    /// Member → its obligations (`defense`, `neutrality`, `non_aggression`, `entente`).
    pub obligations: BTreeMap<String, Vec<String>>,
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
        match &fact.content.kind {
            Kind::AllianceFormed {
                alliance,
                alliance_type,
                members,
                name,
                signed,
                obligations,
            } => {
                let existed = state.get(alliance).map(|a| a.since);
                let duties = obligations_of(obligations, *alliance_type);
                state.insert(
                    alliance.clone(),
                    AllianceState {
                        alliance_type: *alliance_type,
                        since: *fact.date,
                        members: members.iter().map(|m| (m.clone(), *fact.date)).collect(),
                        name: name.clone(),
                        signed: *signed,
                        obligations: members
                            .iter()
                            .map(|m| (m.clone(), duties.clone()))
                            .collect(),
                    },
                );
                match existed {
                    Some(since) => Err(format!(
                        "alliance {alliance} already exists at this date (formed {since})"
                    )),
                    None => Ok(()),
                }
            }
            Kind::AllianceJoined {
                alliance,
                members,
                obligations,
            } => {
                let Some(a) = state.get_mut(alliance) else {
                    return Err(format!("alliance {alliance} does not exist at this date; record its alliance_formed first"));
                };
                let duties = obligations_of(obligations, a.alliance_type);
                let mut already = Vec::new();
                for m in members {
                    match a.members.get(m) {
                        Some(d) => already.push(format!("{m} (since {d})")),
                        None => {
                            a.members.insert(m.clone(), *fact.date);
                            a.obligations.insert(m.clone(), duties.clone());
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
                    .filter(|m| {
                        a.obligations.remove(*m);
                        a.members.remove(*m).is_none()
                    })
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
                    name: a.name.clone(),
                    signed: a.signed.map(|d| d.to_string()),
                    obligations: a
                        .obligations
                        .iter()
                        .map(|(m, o)| (m.to_string(), o.clone()))
                        .collect(),
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
