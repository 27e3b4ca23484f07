//! The commands that list events: `log`, `export`, `tail`, `history` and `timeline`.

use crate::cli::args::{EventRange, ExportFormat, HistoryArgs, Order};
use crate::cli::common::{known_actor, parse_day, parse_known_at, stdout, Ctx, Range};
use crate::cli::failure::usage;
use crate::cli::output::Format;
use crate::cli::progress::{self, Progress};
use crate::cli::render;
use annals::history::changes::FieldChange;
use annals::interchange::event_line;
use annals::query::HistoryEntry;
use annals::{Day, Error, Event, KnownAt, Store};
use anyhow::Result;
use serde_json::json;
use std::io::Write;

/// `--kind` must name a kind of event; an unknown one suggests the nearest.
fn check_kind(kind: Option<&String>) -> Result<()> {
    let Some(k) = kind else { return Ok(()) };
    if annals::event::KIND_NAMES.contains(&k.as_str()) {
        return Ok(());
    }
    let hint = annals::interchange::nearest(k, annals::event::KIND_NAMES)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(usage(format!("--kind: unknown kind `{k}`{hint}")))
}

/// The events in `range`, in `order`.
fn events_in(store: &Store, range: &Range, order: Order) -> Result<Vec<Event>> {
    let events: Vec<Event> = match (&range.actor, order) {
        (Some(code), _) => store.actor_events(code)?,
        (None, Order::Valid) => store.read_repairing(|| {
            store
                .timeline(range.from, range.to)
                .collect::<annals::Result<_>>()
        })?,
        (None, Order::Recorded) => store.events().collect::<annals::Result<_>>()?,
    };
    // The timeline of the whole log is already limited to the range.
    if range.actor.is_none() && order == Order::Valid {
        return Ok(events);
    }
    let mut kept = Vec::with_capacity(events.len());
    for e in events {
        if range.contains(store, &e)? {
            kept.push(e);
        }
    }
    if order == Order::Recorded {
        kept.sort_by_key(|e| e.seq);
    }
    Ok(kept)
}

/// The events that may cover `day` (naming `--actor` when given), in the order asked for.
fn events_covering(store: &Store, range: &Range, day: Day, order: Order) -> Result<Vec<Event>> {
    let mut events = store.events_on(day)?;
    if let Some(code) = &range.actor {
        events.retain(|e| e.content.kind.codes().contains(&code));
    }
    if order == Order::Recorded {
        events.sort_by_key(|e| e.seq);
    }
    Ok(events)
}

/// `annals log`: events in timeline (or recorded) order.
pub fn log(
    ctx: &Ctx,
    range: EventRange,
    on: Option<String>,
    kind: Option<String>,
    order: Order,
) -> Result<()> {
    check_kind(kind.as_ref())?;
    let on = on.map(|day| parse_day("--on", &day)).transpose()?;
    let (store, range) = range.resolve(|| ctx.open_existing())?;
    let mut events = match on {
        Some(day) => events_covering(&store, &range, day, order)?,
        None => events_in(&store, &range, order)?,
    };
    if let Some(k) = &kind {
        events.retain(|e| e.content.kind.name() == k);
    }
    let changes = events
        .iter()
        .map(|e| store.correction_changes(e))
        .collect::<annals::Result<Vec<_>>>()?;
    let mut out = stdout();
    if ctx.json() {
        for (e, changed) in events.iter().zip(&changes) {
            writeln!(out, "{}", log_json(e, changed))?;
        }
    } else {
        render::event_table(&mut out, &ctx.look, &events, &changes)?;
    }
    Ok(out.flush()?)
}

/// An event as `log --json` prints it: its interchange line, and for a correction the
/// fields it changed (`changes`).
fn log_json(e: &Event, changes: &[FieldChange]) -> serde_json::Value {
    let mut v = annals::interchange::event_json(e);
    if let (annals::Kind::Correction { .. }, Some(m)) = (&e.content.kind, v.as_object_mut()) {
        m.insert("changes".into(), json!(changes));
    }
    v
}

/// `annals export`: every event in seq order as JSON Lines (or, with `--format geojson`,
/// the events with coordinates as a GeoJSON FeatureCollection).
pub fn export(ctx: &Ctx, format: ExportFormat) -> Result<()> {
    if format == ExportFormat::Geojson {
        return export_geojson(ctx);
    }
    let store = ctx.open_existing()?;
    let mut progress = Progress::start(
        "exporting",
        "events",
        Some(store.head().seq),
        progress::bar_allowed(ctx.json()),
    );
    let mut out = stdout();
    for e in store.events() {
        writeln!(out, "{}", event_line(&e?))?;
        progress.inc(1);
    }
    out.flush()?;
    let n = progress.done();
    progress.finish("exported", n);
    Ok(())
}

/// `annals export --format geojson`: streamed, one feature per event with coordinates, in
/// seq order; the events without are counted and reported on stderr.
fn export_geojson(ctx: &Ctx) -> Result<()> {
    let store = ctx.open_existing()?;
    let mut progress = Progress::start(
        "exporting",
        "events",
        Some(store.head().seq),
        progress::bar_allowed(true),
    );
    let mut out = stdout();
    write!(out, r#"{{"type":"FeatureCollection","features":["#)?;
    let (mut features, mut without) = (0u64, 0u64);
    for e in store.events() {
        let e = e?;
        progress.inc(1);
        let Some(feature) = render::geojson_feature(&e) else {
            without += 1;
            continue;
        };
        let sep = if features == 0 { "\n" } else { ",\n" };
        write!(out, "{sep}{feature}")?;
        features += 1;
    }
    writeln!(out, "\n]}}")?;
    out.flush()?;
    progress.done();
    progress.finish("exported", features);
    if without > 0 {
        eprintln!(
            "{without} event{} without coordinates not exported",
            if without == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `annals tail`: follow new events until interrupted (or `max` are printed). An embedded
/// database is opened only briefly at each poll (so other processes can write between);
/// a PostgreSQL store is held open and followed by its commit notifications, no polling.
pub fn tail(ctx: &Ctx, from_seq: Option<u64>, max: Option<u64>, poll_ms: u64) -> Result<()> {
    if annals::storage::url_of(&ctx.db).is_some() {
        return tail_shared(ctx, from_seq, max);
    }
    let mut next = from_seq;
    let mut printed = 0u64;
    loop {
        match Store::open_with(&ctx.db, crate::cli::common::store_options(false, None)) {
            Ok(store) => {
                let start = *next.get_or_insert(store.head().seq + 1);
                match print_new(&store, start, ctx.json(), max, &mut printed)? {
                    Some(position) => next = Some(position),
                    None => return Ok(()),
                }
            }
            // Another process is writing: look again at the next poll.
            Err(Error::InUse { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(poll_ms.max(10)));
    }
}

/// `annals tail` on a store other processes write at the same time (PostgreSQL): one
/// handle, one subscription, woken by `LISTEN/NOTIFY`.
fn tail_shared(ctx: &Ctx, from_seq: Option<u64>, max: Option<u64>) -> Result<()> {
    let store = ctx.open_existing()?;
    let mut sub = store.subscribe(from_seq.unwrap_or(store.head().seq + 1));
    let mut printed = 0u64;
    let mut out = stdout();
    while max.is_none_or(|m| printed < m) {
        let Some(event) = sub.next_timeout(std::time::Duration::from_secs(60)) else {
            continue;
        };
        let event = event?;
        match ctx.json() {
            true => writeln!(out, "{}", event_line(&event))?,
            false => writeln!(out, "{}", render::event_line(&event))?,
        }
        out.flush()?;
        printed += 1;
    }
    Ok(())
}

/// Print the events from seq `start` on; the position to resume from, or `None` once
/// `max` events are printed in all.
fn print_new(
    store: &Store,
    start: u64,
    json: bool,
    max: Option<u64>,
    printed: &mut u64,
) -> Result<Option<u64>> {
    let mut out = stdout();
    let mut sub = store.subscribe(start);
    while let Some(event) = sub.try_next() {
        let event = event?;
        if json {
            writeln!(out, "{}", event_line(&event))?;
        } else {
            writeln!(out, "{}", render::event_line(&event))?;
        }
        *printed += 1;
        if max.is_some_and(|m| *printed >= m) {
            out.flush()?;
            return Ok(None);
        }
    }
    out.flush()?;
    Ok(Some(sub.position()))
}

/// `annals history CODE`: every event involving an actor, with amendments applied (only
/// those in `--from`/`--to` and of `--kind` when given).
pub fn history(ctx: &Ctx, args: HistoryArgs) -> Result<()> {
    let store = ctx.open_existing()?;
    let (code, basis, entries) = history_entries(&store, args)?;
    let mut out = stdout();
    match ctx.format {
        Format::Json => writeln!(out, "{}", history_value(&code, &basis, &entries))?,
        Format::Jsonl => {
            for e in &entries {
                writeln!(out, "{}", render::history_json(e))?;
            }
        }
        Format::Human => {
            writeln!(out, "history of {code}, {}", render::known_at(&basis))?;
            render::history_table(&mut out, &ctx.look, &entries)?;
        }
    }
    Ok(out.flush()?)
}

/// The arguments of `history` checked against `store` (the code, the kind, the knowledge
/// and the days, each a usage error naming its flag), and the entries it lists with the
/// basis they were read at. `annals serve` answers `/api/history/CODE` with this too.
pub fn history_entries(
    store: &Store,
    args: HistoryArgs,
) -> Result<(annals::Code, annals::query::Basis, Vec<HistoryEntry>)> {
    let code = known_actor(store, "history", &args.code)?;
    check_kind(args.kind.as_ref())?;
    let known = parse_known_at("--known-at", &args.known_at)?;
    let range = Range {
        actor: Some(code.clone()),
        ..args.days.resolve()?
    };
    // One knowledge for the entries and the basis printed with them.
    let basis = store.at(Day::today()).known_at(known).basis()?;
    let mut entries = timeline_entries(store, &range, basis.known_seq)?;
    if let Some(k) = &args.kind {
        entries.retain(|e| e.shown.content.kind.name() == k);
    }
    Ok((code, basis, entries))
}

/// `history --json`: `{"known_at": {"seq", "recorded"}, "actor", "events": [...]}`, each
/// event as [`render::history_json`].
pub fn history_value(
    code: &annals::Code,
    basis: &annals::query::Basis,
    entries: &[HistoryEntry],
) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = entries.iter().map(render::history_json).collect();
    let mut m = basis.json();
    m.shift_remove("as_of");
    m.insert("actor".into(), json!(code.as_str()));
    m.insert("events".into(), serde_json::Value::Array(rows));
    serde_json::Value::Object(m)
}

/// The entries `timeline` shows: those in `range`, as known at seq `known_seq`.
pub fn timeline_entries(store: &Store, range: &Range, known_seq: u64) -> Result<Vec<HistoryEntry>> {
    let known = KnownAt::Seq(known_seq);
    if let Some(code) = &range.actor {
        let mut entries = Vec::new();
        for e in store.history(code, known)? {
            if range.contains(store, &e.shown)? {
                entries.push(e);
            }
        }
        return Ok(entries);
    }
    Ok(store.read_repairing(|| {
        let mut entries = Vec::new();
        for e in store.timeline(range.from, range.to) {
            let e = e?;
            if e.seq <= known_seq {
                entries.push(store.history_entry(e, known)?);
            }
        }
        Ok(entries)
    })?)
}

/// `annals timeline`: a readable chronology grouped by year and month.
pub fn timeline(ctx: &Ctx, range: EventRange, known_at: &str) -> Result<()> {
    let known = parse_known_at("--known-at", known_at)?;
    let (store, range) = range.resolve(|| ctx.open_existing())?;
    let basis = store.at(Day::today()).known_at(known).basis()?;
    let entries = timeline_entries(&store, &range, basis.known_seq)?;
    let mut out = stdout();
    if ctx.json() {
        for e in &entries {
            writeln!(out, "{}", render::history_json(e))?;
        }
    } else {
        writeln!(
            out,
            "timeline{}, {}",
            range
                .actor
                .as_ref()
                .map(|a| format!(" of {a}"))
                .unwrap_or_default(),
            render::known_at(&basis)
        )?;
        render::chronology(&mut out, &ctx.look, &entries)?;
    }
    Ok(out.flush()?)
}
