//! The answers the page needs beyond the CLI's: the ranges of its two sliders
//! (`/api/bounds`), one event's recording history (`/api/event/ID`), the events around a
//! day (`/api/timeline?around=`), and where deployments were reported (`/api/places`). Built from the library's queries and the CLI's
//! JSON forms (`render::history_json`), never from a second encoding of an event.

use super::api::known_param;
use super::params::Params;
use crate::cli::common::Range;
use crate::cli::failure::{not_found, usage};
use crate::cli::render;
use annals::query::{HistoryEntry, Status};
use annals::views::{DeploymentRow, Deployments, View};
use annals::{Day, Event, Kind, KnownAt, Store};
use anyhow::Result;
use serde_json::{json, Value};

/// `GET /api/bounds`: what the sliders range over. `days`: the earliest and the latest
/// day of any event (valid time); `knowledge`: the first and the last seq, with their
/// recorded times.
pub fn bounds(store: &Store, _: &[String], _: &Params) -> Result<Value> {
    let head = store.head().seq;
    let (mut first, mut last) = (None, None);
    for key in store.timeline_keys(None, None) {
        let (earliest, latest, _) = key?;
        first = Some(first.map_or(earliest, |f: Day| f.min(earliest)));
        last = Some(last.map_or(latest, |l: Day| l.max(latest)));
    }
    let known = |seq: u64| -> Result<Value> {
        let b = store.at(Day::today()).known_at(KnownAt::Seq(seq)).basis()?;
        Ok(b.json().get("known_at").cloned().unwrap_or(Value::Null))
    };
    Ok(json!({
        "events": head,
        "days": {
            "first": first.map(|d| d.to_string()),
            "last": last.map(|d| d.to_string()),
        },
        "knowledge": {
            "first": known(head.min(1))?,
            "last": known(head)?,
        },
    }))
}

/// The event named by `text`: `seq:N`, `N`, or an id.
fn find(store: &Store, text: &str) -> Result<Event> {
    let seq = text.strip_prefix("seq:").unwrap_or(text);
    if let Ok(n) = seq.parse::<u64>() {
        if n == 0 || n > store.head().seq {
            return Err(not_found(format!("event: no event has seq {n}")));
        }
        return Ok(store.event(n)?);
    }
    let id = uuid::Uuid::parse_str(text).map_err(|_| {
        usage(format!(
            "event: `{text}` is neither a seq (17, seq:17) nor an id"
        ))
    })?;
    store
        .get(&id)?
        .ok_or_else(|| not_found(format!("event: no event has id {id}")))
}

/// The seq of the event a history entry is a version of: itself, or for a correction or a
/// retraction the event it amends.
fn root_of(entry: &HistoryEntry) -> u64 {
    match (&entry.event.content.kind, entry.status) {
        (Kind::Correction { .. }, _) | (_, Status::Retraction) => {
            entry.by.unwrap_or(entry.event.seq)
        }
        _ => entry.event.seq,
    }
}

/// `GET /api/event/ID`: how one event was recorded, as known at `known_at`: `event` (the
/// entry asked for), `versions` (the event and every correction and retraction of it, in
/// seq order, each as `history --json` shows it: `status`, `by`, and for a correction the
/// fields it changed, `changes: [{field, from, to}]`), and `sources` (every version's, once).
pub fn event(store: &Store, path: &[String], p: &Params) -> Result<Value> {
    let text = path.first().map(String::as_str).unwrap_or_default();
    let known = known_param(p)?;
    let basis = store.at(Day::today()).known_at(known).basis()?;
    let k = basis.known_seq;
    let event = find(store, text)?;
    if event.seq > k {
        return Err(not_found(format!(
            "event: seq {} was recorded after the knowledge asked for (seq {k})",
            event.seq
        )));
    }
    let entry = store.history_entry(event, KnownAt::Seq(k))?;
    let versions = versions(store, &entry, k)?;
    let versions: Vec<Value> = versions.iter().map(render::history_json).collect();
    let mut m = basis.json();
    m.shift_remove("as_of");
    m.insert("event".into(), render::history_json(&entry));
    m.insert("sources".into(), sources(&versions));
    m.insert("versions".into(), Value::Array(versions));
    Ok(Value::Object(m))
}

/// The entries of the event `entry` is a version of, and of its corrections and
/// retractions, at knowledge `k`, in seq order.
fn versions(store: &Store, entry: &HistoryEntry, k: u64) -> Result<Vec<HistoryEntry>> {
    let root = root_of(entry);
    let root_event = store.event(root)?;
    let Some(code) = root_event
        .content
        .kind
        .codes()
        .first()
        .map(|c| (*c).clone())
    else {
        return Ok(vec![entry.clone()]);
    };
    let all = store.history(&code, KnownAt::Seq(k))?;
    let mut chain: Vec<u64> = vec![root];
    chain.extend(
        all.iter()
            .filter(|e| {
                matches!(e.event.content.kind, Kind::Correction { .. }) && e.by == Some(root)
            })
            .map(|e| e.event.seq),
    );
    let mut found: Vec<HistoryEntry> = all
        .into_iter()
        .filter(|e| {
            chain.contains(&e.event.seq)
                || (e.status == Status::Retraction && e.by.is_some_and(|b| chain.contains(&b)))
        })
        .collect();
    found.sort_by_key(|e| e.event.seq);
    found.dedup_by_key(|e| e.event.seq);
    Ok(found)
}

/// Every source of the versions (their `sources` and a correction's replacement's), once.
fn sources(versions: &[Value]) -> Value {
    let mut all: Vec<Value> = Vec::new();
    for v in versions {
        let lists = [v.get("sources"), v.pointer("/event/sources")];
        for s in lists
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
        {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
    }
    Value::Array(all)
}

/// Widening windows of days to look back for the events before a day.
const LOOK_BACK: [u32; 4] = [31, 366, 3_660, 36_600];

/// The `limit` events nearest `day` in timeline order at knowledge `k` (half on or before
/// it, the rest after), naming `range.actor` when given; whether more were left out.
pub fn around(
    store: &Store,
    range: &Range,
    day: Day,
    k: u64,
    limit: usize,
) -> Result<(Vec<HistoryEntry>, bool)> {
    let before_n = limit.div_ceil(2);
    if range.actor.is_some() {
        return around_actor(store, range, day, k, (before_n, limit));
    }
    let mut before = Vec::new();
    for back in LOOK_BACK.iter().map(Some).chain([None]) {
        let from = back.map(|b| Day(day.0.saturating_sub(*b)));
        before = seqs(store, (from, Some(day)), k, usize::MAX)?;
        if before.len() >= before_n || from.is_none() {
            break;
        }
    }
    let mut truncated = before.len() > before_n;
    let before = before.split_off(before.len().saturating_sub(before_n));
    let after_n = limit - before.len();
    let after = seqs(store, (Some(Day(day.0 + 1)), None), k, after_n + 1)?;
    truncated |= after.len() > after_n;
    let mut entries = Vec::new();
    for seq in before.into_iter().chain(after.into_iter().take(after_n)) {
        entries.push(store.history_entry(store.event(seq)?, KnownAt::Seq(k))?);
    }
    Ok((entries, truncated))
}

/// [`around`] for the events naming one actor: from the actor's history, which its index
/// keeps small.
fn around_actor(
    store: &Store,
    range: &Range,
    day: Day,
    k: u64,
    (before_n, limit): (usize, usize),
) -> Result<(Vec<HistoryEntry>, bool)> {
    let entries = crate::cli::commands::read::timeline_entries(store, range, k)?;
    let mut split = entries.len();
    for (i, e) in entries.iter().enumerate() {
        if store.timeline_key(&e.shown)?.is_some_and(|key| key.0 > day) {
            split = i;
            break;
        }
    }
    let start = split.saturating_sub(before_n);
    let end = (start + limit).min(entries.len());
    let truncated = start > 0 || end < entries.len();
    Ok((entries[start..end].to_vec(), truncated))
}

/// The seqs (at most `max`, known at `k`) of the events whose earliest day is in
/// `(from, to)`, in timeline order.
fn seqs(
    store: &Store,
    (from, to): (Option<Day>, Option<Day>),
    k: u64,
    max: usize,
) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for key in store.timeline_keys(from, to) {
        let (_, _, seq) = key?;
        if seq <= k {
            out.push(seq);
            if out.len() >= max {
                break;
            }
        }
    }
    Ok(out)
}

/// `GET /api/places`: where the deployments of the `deployments` view as of `as_of` (at
/// `known_at`, naming `actor` when given) were last reported, for the rows whose latest
/// report gives coordinates: `places: [{"actor", "host", "region", "lat", "lon", "name",
/// "seq"}]`. The map puts those circles there instead of at the host's centroid.
pub fn places(store: &Store, _: &[String], p: &Params) -> Result<Value> {
    let args = crate::cli::args::ViewArgs {
        as_of: p.or("as_of", "today"),
        known_at: p.or("known_at", "now"),
        actor: p.owned("actor"),
        format: None,
    };
    let limit = p.limit(1_000, 10_000)?;
    let point = crate::cli::commands::views::view_point(&args)?;
    let actor = crate::cli::commands::views::view_actor(store, &args)?;
    let answer = store.at(point.0).known_at(point.1).view::<Deployments>()?;
    let k = answer.basis.known_seq;
    let mut places = Vec::new();
    let rows = answer.rows.iter().filter(|r| {
        actor
            .as_ref()
            .is_none_or(|a| Deployments::row_mentions(r, a))
    });
    for row in rows.take(limit) {
        if let Some(place) = place_of(store, row, k)? {
            places.push(place);
        }
    }
    let mut m = answer.basis.json();
    m.insert("places".into(), Value::Array(places));
    Ok(Value::Object(m))
}

/// The coordinates of the report a deployment row was last reported by (the deployment
/// of its actor, host and region dated on its `reported` day, latest known at `k`).
fn place_of(store: &Store, row: &DeploymentRow, k: u64) -> Result<Option<Value>> {
    let Ok(date) = annals::Date::parse(&row.reported) else {
        return Ok(None);
    };
    let day = date.earliest();
    let mut found = None;
    for event in store.timeline(Some(day), Some(day)) {
        let event = event?;
        let content = match &event.content.kind {
            Kind::Correction { replacement, .. } => replacement.as_ref(),
            _ => &event.content,
        };
        let Kind::Deployment {
            actor,
            host,
            region,
            ..
        } = &content.kind
        else {
            continue;
        };
        let same =
            actor.as_str() == row.actor && host.as_str() == row.host && *region == row.region;
        if let (true, true, Some(l)) = (same, event.seq <= k, &content.location) {
            if let (Some(lat), Some(lon)) = (l.lat_micro, l.lon_micro) {
                found = Some(json!({
                    "actor": row.actor, "host": row.host, "region": row.region,
                    "lat": f64::from(lat) / 1e6, "lon": f64::from(lon) / 1e6,
                    "name": l.name, "seq": event.seq,
                }));
            }
        }
    }
    Ok(found)
}
