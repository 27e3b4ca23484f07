//! The frozen version-1 stored form of events (annals 0.1), kept so that version-1 log
//! records load forever. Never change these types: they describe bytes already on disk.
//!
//! Version 1 differs from the current form only in `Content`, which lacked `location`,
//! `mode` and `context`; upcasting fills those in empty.

use crate::model::date::Date;
use crate::model::event::{Confidence, Content, Event, Source};
use crate::model::event_v2::KindV2;
use serde::Deserialize;
use uuid::Uuid;

/// `Content` as stored by version 1.
#[derive(Deserialize)]
pub(crate) struct ContentV1 {
    date: Option<Date>,
    kind: KindV2<ContentV1>,
    summary: Option<String>,
    sources: Vec<Source>,
    confidence: Option<Confidence>,
}

/// `Event` as stored by version 1.
#[derive(Deserialize)]
pub(crate) struct EventV1 {
    id: Uuid,
    seq: u64,
    recorded_micros: i64,
    content: ContentV1,
}

/// A log record as stored by version 1.
#[derive(Deserialize)]
pub(crate) struct LogRecordV1 {
    pub prev_hash: [u8; 32],
    pub event: EventV1,
}

impl From<ContentV1> for Content {
    fn from(v1: ContentV1) -> Content {
        Content {
            date: v1.date,
            kind: v1.kind.upcast(Content::from),
            summary: v1.summary,
            sources: v1.sources,
            confidence: v1.confidence,
            location: None,
            mode: None,
            context: Vec::new(),
        }
    }
}

impl From<EventV1> for Event {
    fn from(v1: EventV1) -> Event {
        Event {
            id: v1.id,
            seq: v1.seq,
            recorded_micros: v1.recorded_micros,
            content: v1.content.into(),
        }
    }
}
