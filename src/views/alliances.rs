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

impl AllianceState {
    /// Drop the members whose departure has certainly taken effect by `day`; `false` when
    /// the alliance's dissolution has.
    fn settle(&mut self, day: Day) -> bool {
        let (members, obligations) = (&mut self.members, &mut self.obligations);
        self.leaving.retain(|m, d| {
            let gone = ended_as_of(Some(d), day);
            if gone {
                members.remove(m);
                obligations.remove(m);
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
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub alliance_type: String,
    pub since: String,
    pub signed: Option<String>,
    pub members: Vec<String>,
    pub joined: BTreeMap<String, String>,
    /// Member → its obligations (`defense`, `neutrality`, `non_aggression`, `entente`).
    pub obligations: BTreeMap<String, Vec<String>>,
    /// Members whose departure is dated but has not certainly taken effect, with its date
    /// (empty when none).
    pub leaving: BTreeMap<String, String>,
    /// The date of a dissolution that has not certainly taken effect.
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
                name,
                signed,
                obligations,
            } => {
                let existed = (state.get(alliance))
                    .filter(|a| a.dissolved.is_none())
                    .map(|a| a.since);
                let duties = obligations_of(obligations, *alliance_type);
                state.insert(
                    alliance.clone(),
                    AllianceState {
                        alliance_type: *alliance_type,
                        since: *fact.date,
                        members: members.iter().map(|m| (m.clone(), *fact.date)).collect(),
                        leaving: BTreeMap::new(),
                        dissolved: None,
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
                    // A member whose departure is pending joins anew.
                    let rejoining = a.leaving.remove(m).is_some();
                    match a.members.get(m).filter(|_| !rejoining) {
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
    let obligations = (a.obligations.iter())
        .filter(|(m, _)| members.contains_key(m))
        .map(|(m, o)| (m.to_string(), o.clone()))
        .collect();
    AllianceRow {
        alliance: code.to_string(),
        name: a.name.clone(),
        alliance_type: a.alliance_type.as_str().to_string(),
        since: a.since.to_string(),
        signed: a.signed.map(|d| d.to_string()),
        members: members.keys().map(|m| m.to_string()).collect(),
        joined: text(members),
        obligations,
        leaving: text(leaving),
        dissolving: a.dissolved.map(|d| d.to_string()),
        certain: certain_as_of(latest, as_of),
    }
}
