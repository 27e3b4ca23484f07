//! The event model: what one entry of the log says about the world.
//!
//! Owns: [`Event`], its [`Content`] and [`Kind`] with their fields, actor [`Code`]s, and
//! the rules every event obeys (non-empty lists, no duplicate codes, limits). These types
//! are also the *stored* form (bincode via serde), so they use no serde attributes and
//! field order is part of the storage format: change them only with a new format version.
//! The JSON interchange form lives in `interchange.rs`.
//!
//! Invariants: a `Code` always matches `[A-Z][A-Z0-9_]{1,15}`; a `Content` built by the
//! parser has a `date` unless it is a retraction or correction; a correction's replacement
//! is never itself a retraction or correction.

use crate::model::date::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// An actor code: a state (ISO 3166-1 alpha-3 recommended), a historical state (SUN, DDR),
/// an organisation or an alliance (NATO). Always uppercase `[A-Z][A-Z0-9_]{1,15}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    /// Validate and normalise (to uppercase) an actor code.
    pub fn parse(text: &str) -> Result<Code, String> {
        let upper = text.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let ok = (2..=16).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes[1..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        if ok {
            Ok(Code(upper))
        } else {
            Err(format!(
                "invalid actor code `{}`: codes are 2 to 16 characters, a letter then letters, digits or '_' (e.g. USA, PRK, NATO)",
                text.chars().take(40).collect::<String>()
            ))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a code decoded from storage still obeys the rules.
    pub fn is_valid(&self) -> bool {
        Code::parse(&self.0).is_ok_and(|c| c.0 == self.0)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::parse(s)
    }
}

/// Where a report came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
}

/// How sure the record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    Confirmed,
    Reported,
    Estimated,
    Claimed,
}

impl Confidence {
    pub const ALL: [(&'static str, Confidence); 4] = [
        ("confirmed", Confidence::Confirmed),
        ("reported", Confidence::Reported),
        ("estimated", Confidence::Estimated),
        ("claimed", Confidence::Claimed),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Reported => "reported",
            Confidence::Estimated => "estimated",
            Confidence::Claimed => "claimed",
        }
    }
}

/// What kind of alliance an `alliance_formed` creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AllianceType {
    DefensePact,
    NonAggression,
    Neutrality,
    Entente,
    Partnership,
}

impl AllianceType {
    pub const ALL: [(&'static str, AllianceType); 5] = [
        ("defense_pact", AllianceType::DefensePact),
        ("non_aggression", AllianceType::NonAggression),
        ("neutrality", AllianceType::Neutrality),
        ("entente", AllianceType::Entente),
        ("partnership", AllianceType::Partnership),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AllianceType::DefensePact => "defense_pact",
            AllianceType::NonAggression => "non_aggression",
            AllianceType::Neutrality => "neutrality",
            AllianceType::Entente => "entente",
            AllianceType::Partnership => "partnership",
        }
    }
}

/// The kind of an event with the fields of that kind: [`KindOf`] with the current
/// [`Content`] as a correction's replacement.
pub type Kind = KindOf<Content>;

/// The kinds, generic over the type of a correction's replacement so that the frozen
/// version-1 stored form (`event_v1.rs`) shares this one definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KindOf<C> {
    Meeting {
        actors: Vec<Code>,
        place: Option<String>,
    },
    Agreement {
        actors: Vec<Code>,
        name: String,
    },
    Statement {
        actors: Vec<Code>,
    },
    AllianceFormed {
        alliance: Code,
        alliance_type: AllianceType,
        members: Vec<Code>,
    },
    AllianceJoined {
        alliance: Code,
        members: Vec<Code>,
    },
    AllianceLeft {
        alliance: Code,
        members: Vec<Code>,
    },
    AllianceDissolved {
        alliance: Code,
    },
    LeaderTookOffice {
        actor: Code,
        office: String,
        person: String,
    },
    LeaderLeftOffice {
        actor: Code,
        office: String,
        person: Option<String>,
    },
    Deployment {
        actor: Code,
        host: Code,
        region: Option<String>,
        strength: u64,
    },
    Withdrawal {
        actor: Code,
        host: Code,
        region: Option<String>,
    },
    ArmsTransfer {
        supplier: Code,
        recipient: Code,
        item: String,
        quantity: u64,
        unit: Option<String>,
    },
    MissileTest {
        actor: Code,
        class: String,
        count: u64,
    },
    NuclearTest {
        actor: Code,
    },
    JointExercise {
        actors: Vec<Code>,
        /// Empty when none were given.
        assets: Vec<String>,
    },
    SanctionsImposed {
        actor: Code,
        against: Code,
    },
    SanctionsLifted {
        actor: Code,
        against: Code,
    },
    /// Withdraws an earlier event (or an earlier correction) from every answer known after it.
    Retraction {
        target: Uuid,
        reason: String,
    },
    /// Replaces an earlier event (or correction) with `replacement`.
    Correction {
        target: Uuid,
        replacement: Box<C>,
    },
}

/// Every kind's JSON name, in the order of [`Kind`]'s variants.
pub const KIND_NAMES: [&str; 19] = [
    "meeting",
    "agreement",
    "statement",
    "alliance_formed",
    "alliance_joined",
    "alliance_left",
    "alliance_dissolved",
    "leader_took_office",
    "leader_left_office",
    "deployment",
    "withdrawal",
    "arms_transfer",
    "missile_test",
    "nuclear_test",
    "joint_exercise",
    "sanctions_imposed",
    "sanctions_lifted",
    "retraction",
    "correction",
];

impl<C> KindOf<C> {
    /// The same kind with the correction's replacement converted by `f` (every other
    /// variant is moved as it is). Used to upcast stored versions.
    pub fn map_replacement<D>(self, f: impl FnOnce(C) -> D) -> KindOf<D> {
        use KindOf::*;
        match self {
            Meeting { actors, place } => Meeting { actors, place },
            Agreement { actors, name } => Agreement { actors, name },
            Statement { actors } => Statement { actors },
            AllianceFormed {
                alliance,
                alliance_type,
                members,
            } => AllianceFormed {
                alliance,
                alliance_type,
                members,
            },
            AllianceJoined { alliance, members } => AllianceJoined { alliance, members },
            AllianceLeft { alliance, members } => AllianceLeft { alliance, members },
            AllianceDissolved { alliance } => AllianceDissolved { alliance },
            LeaderTookOffice {
                actor,
                office,
                person,
            } => LeaderTookOffice {
                actor,
                office,
                person,
            },
            LeaderLeftOffice {
                actor,
                office,
                person,
            } => LeaderLeftOffice {
                actor,
                office,
                person,
            },
            Deployment {
                actor,
                host,
                region,
                strength,
            } => Deployment {
                actor,
                host,
                region,
                strength,
            },
            Withdrawal {
                actor,
                host,
                region,
            } => Withdrawal {
                actor,
                host,
                region,
            },
            ArmsTransfer {
                supplier,
                recipient,
                item,
                quantity,
                unit,
            } => ArmsTransfer {
                supplier,
                recipient,
                item,
                quantity,
                unit,
            },
            MissileTest {
                actor,
                class,
                count,
            } => MissileTest {
                actor,
                class,
                count,
            },
            NuclearTest { actor } => NuclearTest { actor },
            JointExercise { actors, assets } => JointExercise { actors, assets },
            SanctionsImposed { actor, against } => SanctionsImposed { actor, against },
            SanctionsLifted { actor, against } => SanctionsLifted { actor, against },
            Retraction { target, reason } => Retraction { target, reason },
            Correction {
                target,
                replacement,
            } => Correction {
                target,
                replacement: Box::new(f(*replacement)),
            },
        }
    }

    /// The JSON name of the kind (`meeting`, `alliance_formed`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            KindOf::Meeting { .. } => "meeting",
            KindOf::Agreement { .. } => "agreement",
            KindOf::Statement { .. } => "statement",
            KindOf::AllianceFormed { .. } => "alliance_formed",
            KindOf::AllianceJoined { .. } => "alliance_joined",
            KindOf::AllianceLeft { .. } => "alliance_left",
            KindOf::AllianceDissolved { .. } => "alliance_dissolved",
            KindOf::LeaderTookOffice { .. } => "leader_took_office",
            KindOf::LeaderLeftOffice { .. } => "leader_left_office",
            KindOf::Deployment { .. } => "deployment",
            KindOf::Withdrawal { .. } => "withdrawal",
            KindOf::ArmsTransfer { .. } => "arms_transfer",
            KindOf::MissileTest { .. } => "missile_test",
            KindOf::NuclearTest { .. } => "nuclear_test",
            KindOf::JointExercise { .. } => "joint_exercise",
            KindOf::SanctionsImposed { .. } => "sanctions_imposed",
            KindOf::SanctionsLifted { .. } => "sanctions_lifted",
            KindOf::Retraction { .. } => "retraction",
            KindOf::Correction { .. } => "correction",
        }
    }

    /// Retractions and corrections amend other events; every other kind is a fact.
    pub fn is_amendment(&self) -> bool {
        matches!(self, KindOf::Retraction { .. } | KindOf::Correction { .. })
    }

    /// The id this event amends, for retractions and corrections.
    pub fn target(&self) -> Option<Uuid> {
        match self {
            KindOf::Retraction { target, .. } | KindOf::Correction { target, .. } => Some(*target),
            _ => None,
        }
    }
}

impl Kind {
    /// Every actor code the kind names, in field order, without duplicates. A
    /// correction names the codes of its replacement; a retraction names none.
    pub fn codes(&self) -> Vec<&Code> {
        fn push<'a>(c: &'a Code, out: &mut Vec<&'a Code>) {
            if !out.contains(&c) {
                out.push(c)
            }
        }
        let mut out: Vec<&Code> = Vec::new();
        match self {
            Kind::Meeting { actors, .. }
            | Kind::Agreement { actors, .. }
            | Kind::Statement { actors }
            | Kind::JointExercise { actors, .. } => actors.iter().for_each(|c| push(c, &mut out)),
            Kind::AllianceFormed {
                alliance, members, ..
            }
            | Kind::AllianceJoined { alliance, members }
            | Kind::AllianceLeft { alliance, members } => {
                push(alliance, &mut out);
                members.iter().for_each(|c| push(c, &mut out));
            }
            Kind::AllianceDissolved { alliance } => push(alliance, &mut out),
            Kind::LeaderTookOffice { actor, .. }
            | Kind::LeaderLeftOffice { actor, .. }
            | Kind::MissileTest { actor, .. }
            | Kind::NuclearTest { actor } => push(actor, &mut out),
            Kind::Deployment { actor, host, .. } | Kind::Withdrawal { actor, host, .. } => {
                push(actor, &mut out);
                push(host, &mut out);
            }
            Kind::ArmsTransfer {
                supplier,
                recipient,
                ..
            } => {
                push(supplier, &mut out);
                push(recipient, &mut out);
            }
            Kind::SanctionsImposed { actor, against }
            | Kind::SanctionsLifted { actor, against } => {
                push(actor, &mut out);
                push(against, &mut out);
            }
            Kind::Retraction { .. } => {}
            Kind::Correction { replacement, .. } => {
                for c in replacement.kind.codes() {
                    push(c, &mut out)
                }
            }
        }
        out
    }
}

/// Where an event happened (interchange v2): a place name, coordinates, or both.
/// Coordinates are integer microdegrees, so they compare and hash exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub name: Option<String>,
    /// Latitude in millionths of a degree, -90e6..=90e6.
    pub lat_micro: Option<i32>,
    /// Longitude in millionths of a degree, -180e6..=180e6.
    pub lon_micro: Option<i32>,
}

/// What an event says, without its identity: the part that content-addressed ids and
/// idempotency compare. (Stored form version 2; version 1 lacked the last three fields.)
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Content {
    /// Valid time. Present for every fact; optional (informational) on amendments.
    pub date: Option<Date>,
    pub kind: Kind,
    pub summary: Option<String>,
    /// Empty when none were given.
    pub sources: Vec<Source>,
    pub confidence: Option<Confidence>,
    /// Where it happened (v2).
    pub location: Option<Location>,
    /// PLOVER-style mode tag (v2), e.g. `ground_forces`.
    pub mode: Option<String>,
    /// PLOVER-style context tags (v2), e.g. `military`, `nuclear`; empty when none.
    pub context: Vec<String>,
}

impl Content {
    /// A fact with only a date and a kind.
    pub fn new(date: Date, kind: Kind) -> Content {
        Content {
            date: Some(date),
            kind,
            summary: None,
            sources: Vec::new(),
            confidence: None,
            location: None,
            mode: None,
            context: Vec::new(),
        }
    }

    /// Set the summary.
    pub fn with_summary(mut self, summary: impl Into<String>) -> Content {
        self.summary = Some(summary.into());
        self
    }
}

/// One event as given to the store: an optional id (the store derives a UUID v5 from the
/// content when it is `None`) and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub id: Option<Uuid>,
    pub content: Content,
}

impl From<Content> for NewEvent {
    fn from(content: Content) -> Self {
        NewEvent { id: None, content }
    }
}

/// An event as stored: identity, content, and what the store assigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    /// Gap-free, strictly increasing append position, from 1.
    pub seq: u64,
    /// When the store recorded it: microseconds since the Unix epoch, UTC.
    pub recorded_micros: i64,
    pub content: Content,
}

impl Event {
    /// The recorded time as a chrono timestamp.
    pub fn recorded(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_micros(self.recorded_micros).unwrap_or_default()
    }
}
