//! The frozen version-2 stored form of events (log record versions 1 and 2), kept so that
//! those records load forever. Never change these types: they describe bytes already on
//! disk.
//!
//! Versions 1 and 2 share this kind enum; version 3 added fields to `alliance_formed`,
//! `alliance_joined`, the leader kinds and `arms_transfer` (and made `quantity`
//! optional), and new kinds after tag 18. Upcasting fills the new fields in empty.

use crate::model::date::Date;
use crate::model::event::{
    AllianceType, Code, Confidence, Content, Event, KindOf, Location, Source,
};
use serde::Deserialize;
use uuid::Uuid;

/// The kinds as stored by versions 1 and 2, generic over a correction's replacement.
#[derive(Deserialize)]
pub(crate) enum KindV2<C> {
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
    Retraction {
        target: Uuid,
        reason: String,
    },
    Correction {
        target: Uuid,
        replacement: Box<C>,
    },
}

impl<C> KindV2<C> {
    /// The current kind: new fields empty, the replacement converted by `f`.
    pub(crate) fn upcast<D>(self, f: impl FnOnce(C) -> D) -> KindOf<D> {
        use KindOf as K;
        use KindV2::*;
        match self {
            Meeting { actors, place } => K::Meeting { actors, place },
            Agreement { actors, name } => K::Agreement { actors, name },
            Statement { actors } => K::Statement { actors },
            AllianceFormed {
                alliance,
                alliance_type,
                members,
            } => K::AllianceFormed {
                alliance,
                alliance_type,
                members,
                name: None,
                signed: None,
                obligations: Vec::new(),
            },
            AllianceJoined { alliance, members } => K::AllianceJoined {
                alliance,
                members,
                obligations: Vec::new(),
            },
            AllianceLeft { alliance, members } => K::AllianceLeft { alliance, members },
            AllianceDissolved { alliance } => K::AllianceDissolved { alliance },
            LeaderTookOffice {
                actor,
                office,
                person,
            } => K::LeaderTookOffice {
                actor,
                office,
                person,
                entry: None,
            },
            LeaderLeftOffice {
                actor,
                office,
                person,
            } => K::LeaderLeftOffice {
                actor,
                office,
                person,
                exit: None,
            },
            Deployment {
                actor,
                host,
                region,
                strength,
            } => K::Deployment {
                actor,
                host,
                region,
                strength,
            },
            Withdrawal {
                actor,
                host,
                region,
            } => K::Withdrawal {
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
            } => K::ArmsTransfer {
                supplier,
                recipient,
                item,
                quantity: Some(quantity),
                unit,
                description: None,
                delivered: None,
                delivery_years: Vec::new(),
                status: None,
                tiv_unit: None,
                tiv_order: None,
                tiv_delivered: None,
            },
            MissileTest {
                actor,
                class,
                count,
            } => K::MissileTest {
                actor,
                class,
                count,
            },
            NuclearTest { actor } => K::NuclearTest { actor },
            JointExercise { actors, assets } => K::JointExercise { actors, assets },
            SanctionsImposed { actor, against } => K::SanctionsImposed { actor, against },
            SanctionsLifted { actor, against } => K::SanctionsLifted { actor, against },
            Retraction { target, reason } => K::Retraction { target, reason },
            Correction {
                target,
                replacement,
            } => K::Correction {
                target,
                replacement: Box::new(f(*replacement)),
            },
        }
    }
}

/// `Content` as stored by version 2.
#[derive(Deserialize)]
pub(crate) struct ContentV2 {
    date: Option<Date>,
    kind: KindV2<ContentV2>,
    summary: Option<String>,
    sources: Vec<Source>,
    confidence: Option<Confidence>,
    location: Option<Location>,
    mode: Option<String>,
    context: Vec<String>,
}

/// `Event` as stored by version 2.
#[derive(Deserialize)]
pub(crate) struct EventV2 {
    id: Uuid,
    seq: u64,
    recorded_micros: i64,
    content: ContentV2,
}

/// A log record as stored by version 2.
#[derive(Deserialize)]
pub(crate) struct LogRecordV2 {
    pub prev_hash: [u8; 32],
    pub event: EventV2,
}

impl From<ContentV2> for Content {
    fn from(v2: ContentV2) -> Content {
        Content {
            date: v2.date,
            kind: v2.kind.upcast(Content::from),
            summary: v2.summary,
            sources: v2.sources,
            confidence: v2.confidence,
            location: v2.location,
            mode: v2.mode,
            context: v2.context,
        }
    }
}

impl From<EventV2> for Event {
    fn from(v2: EventV2) -> Event {
        Event {
            id: v2.id,
            seq: v2.seq,
            recorded_micros: v2.recorded_micros,
            content: v2.content.into(),
        }
    }
}
