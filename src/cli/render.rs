//! Human-readable output: tables (through [`Look::table`]), one-line descriptions of
//! events, the chronology, diffs and relations.
//!
//! Invariants: every answer printed here starts with a header line naming its basis (the
//! as-of day where there is one, and the known-at seq with its recorded time); dates are
//! printed exactly as they were given (their precision is kept); uncertain rows are marked
//! with `?` and counted in a footnote.

use super::output::{Look, Tone};
use super::progress::thousands;
use annals::history::changes::FieldChange;
use annals::query::{Basis, DiffAxis, HistoryEntry, Status};
use annals::{Event, Kind, Stats};
use comfy_table::Cell;
use std::io::Write;

fn codes(list: &[annals::Code]) -> String {
    list.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `" (Kursk)"` for a region, else nothing.
fn in_region(region: &Option<String>) -> String {
    region
        .as_ref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

/// A one-line description of what an event says.
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Meeting { actors, place } => {
            let at = place.as_ref().map(|p| format!(" at {p}"));
            format!("{}{}", codes(actors), at.unwrap_or_default())
        }
        Kind::Agreement { actors, name } => format!("{name} ({})", codes(actors)),
        Kind::Statement { actors } => codes(actors),
        Kind::AllianceFormed {
            alliance,
            alliance_type,
            members,
            name,
            ..
        } => format!(
            "{alliance}{} ({}) with {}",
            name.as_ref().map(|n| format!(" “{n}”")).unwrap_or_default(),
            alliance_type.as_str(),
            codes(members)
        ),
        Kind::AllianceJoined {
            alliance, members, ..
        } => format!("{} join {alliance}", codes(members)),
        Kind::AllianceLeft { alliance, members } => format!("{} leave {alliance}", codes(members)),
        Kind::AllianceDissolved { alliance } => format!("{alliance} dissolved"),
        Kind::LeaderTookOffice {
            actor,
            office,
            person,
            ..
        } => format!("{person} becomes {actor} {office}"),
        Kind::LeaderLeftOffice {
            actor,
            office,
            person,
            ..
        } => format!(
            "{} leaves {actor} {office}",
            person.as_deref().unwrap_or("holder")
        ),
        Kind::Deployment {
            actor,
            host,
            region,
            strength,
        } => format!(
            "{actor} in {host}{}: {}",
            in_region(region),
            thousands(*strength)
        ),
        Kind::Withdrawal {
            actor,
            host,
            region,
        } => format!("{actor} out of {host}{}", in_region(region)),
        Kind::ArmsTransfer {
            supplier,
            recipient,
            item,
            quantity,
            unit,
            ..
        } => format!(
            "{supplier} → {recipient}: {} {}{item}",
            quantity.map_or("?".to_string(), thousands),
            unit.as_ref()
                .map(|u| format!("{u} of "))
                .unwrap_or_default()
        ),
        Kind::MissileTest {
            actor,
            class,
            count,
        } => format!("{actor} {class} ×{}", thousands(*count)),
        Kind::NuclearTest { actor } => actor.to_string(),
        Kind::JointExercise { actors, assets } => match assets.is_empty() {
            true => codes(actors),
            false => format!("{} with {}", codes(actors), assets.join(", ")),
        },
        Kind::SanctionsImposed { actor, against } => format!("{actor} on {against}"),
        Kind::SanctionsLifted { actor, against } => format!("{actor} lifts on {against}"),
        Kind::Retraction { target, reason } => {
            format!("retracts {}: {reason}", short_uuid(target))
        }
        Kind::Correction {
            target,
            replacement,
        } => format!(
            "corrects {} → {} {}",
            short_uuid(target),
            replacement.kind.name(),
            describe(&replacement.kind)
        ),
        Kind::ArmedConflict {
            side_a,
            side_b,
            country,
            deaths_best,
            ..
        } => format!(
            "{side_a} vs {side_b} in {country}: {} deaths",
            thousands(*deaths_best)
        ),
        Kind::StateEntered { actor, .. } => format!("{actor} enters the state system"),
        Kind::StateExited { actor, .. } => format!("{actor} leaves the state system"),
    }
}

/// `known at seq 54 (2025-01-20T18:00:00Z)`: the knowledge part of a basis.
pub fn known_at(basis: &Basis) -> String {
    format!(
        "known at seq {} ({})",
        basis.known_seq,
        basis
            .known_recorded
            .map(annals::interchange::format_recorded)
            .unwrap_or_else(|| "empty log".into())
    )
}

/// `(3 rows)`, `(1 event)`.
fn count(n: usize, noun: &str) -> String {
    format!("({n} {noun}{})", if n == 1 { "" } else { "s" })
}

fn plain_cells(look: &Look, row: Vec<String>) -> Vec<Cell> {
    row.into_iter().map(|c| look.cell(None, c)).collect()
}

fn date_text(e: &Event) -> String {
    e.content
        .date
        .map(|d| d.to_string())
        .unwrap_or_else(|| "-".into())
}

/// One event as one line of text (for `tail`).
pub fn event_line(e: &Event) -> String {
    format!(
        "{}  {}  {}  {}",
        e.seq,
        date_text(e),
        e.content.kind.name(),
        describe(&e.content.kind)
    )
}

/// The short id shown in tables: the first 8 hex digits of the event's UUID (enough to
/// name it as an amendment's target).
fn short_id(e: &Event) -> String {
    short_uuid(&e.id)
}

/// An id as the ID column shows it (and `amend`/`retract` take it): its first 8 hex digits.
fn short_uuid(id: &uuid::Uuid) -> String {
    id.simple().to_string().chars().take(8).collect()
}

/// A value as a change shows it: numbers with thousands separators, lists of words joined
/// by `, `, absent as `none`; `None` when too long or structured to show in a line.
fn change_value(v: Option<&serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    const SHOWN_CHARS: usize = 40;
    let text = match v {
        None | Some(Value::Null) => "none".to_string(),
        Some(Value::Number(n)) => n.as_u64().map_or(n.to_string(), super::progress::thousands),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        }
        Some(_) => return None,
    };
    (text.chars().count() <= SHOWN_CHARS).then_some(text)
}

/// What a correction changed, in a line: `strength 150,000 → 190,000; summary …` (a
/// long or structured value is shown as `…`).
pub fn changes_text(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .map(
            |c| match (change_value(c.from.as_ref()), change_value(c.to.as_ref())) {
                (Some(from), Some(to)) => format!("{} {from} → {to}", c.field),
                _ => format!("{} …", c.field),
            },
        )
        .collect::<Vec<_>>()
        .join("; ")
}

/// ` [changes: …]` after what a correction says; nothing when it changed nothing.
fn changes_suffix(changes: &[FieldChange]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    format!(" [changes: {}]", changes_text(changes))
}

/// The log as a table; `changes[i]` is what `events[i]` changed (empty but for
/// corrections).
pub fn event_table(
    out: &mut impl Write,
    look: &Look,
    events: &[Event],
    changes: &[Vec<FieldChange>],
) -> std::io::Result<()> {
    let rows: Vec<Vec<Cell>> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let changed = changes.get(i).map_or(String::new(), |c| changes_suffix(c));
            plain_cells(
                look,
                vec![
                    e.seq.to_string(),
                    short_id(e),
                    date_text(e),
                    e.content.kind.name().to_string(),
                    describe(&e.content.kind) + &changed,
                ],
            )
        })
        .collect();
    look.table(out, &["SEQ", "ID", "DATE", "KIND", "WHAT"], rows)?;
    writeln!(out, "{}", count(events.len(), "event"))
}

/// Stats as a small report.
pub fn stats(out: &mut impl Write, s: &Stats) -> std::io::Result<()> {
    writeln!(out, "events        {}", thousands(s.events))?;
    writeln!(out, "last seq      {}", thousands(s.last_seq))?;
    writeln!(
        out,
        "first date    {}",
        s.first_day.as_deref().unwrap_or("-")
    )?;
    writeln!(
        out,
        "last date     {}",
        s.last_day.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "size on disk  {} bytes", thousands(s.size_on_disk))?;
    writeln!(out, "engine        {}", s.engine)?;
    writeln!(out, "by kind:")?;
    let rows: Vec<Vec<String>> = s
        .by_kind
        .iter()
        .map(|(k, n)| vec![format!("  {k}"), thousands(*n)])
        .collect();
    for row in rows {
        writeln!(out, "{:<22}{:>8}", row[0], row[1])?;
    }
    Ok(())
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" "),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}:{}", cell(v)))
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Number(n) => number_text(n),
        other => other.to_string(),
    }
}

/// A number for people: thousands separated (`190,000`, `-1,500`, `2,875.5`). Machine
/// output (JSON, JSON Lines, CSV) never goes through here.
pub fn number_text(n: &serde_json::Number) -> String {
    if let Some(u) = n.as_u64() {
        return thousands(u);
    }
    if let Some(i) = n.as_i64() {
        return format!("-{}", thousands(i.unsigned_abs()));
    }
    let text = n.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    match digits.split_once('.') {
        Some((int, frac)) if !frac.contains(['e', 'E']) => match int.parse::<u64>() {
            Ok(whole) => format!("{sign}{}.{frac}", thousands(whole)),
            Err(_) => text.clone(),
        },
        _ => text.clone(),
    }
}

/// Whether a table shows a column: not `certain` (it is the `?` mark), not a map (alliances'
/// `joined` and `obligations` are left to `--json`), and not absent from every row.
fn shown_column(rows: &[serde_json::Value], key: &str) -> bool {
    key != "certain"
        && rows.iter().all(|r| !r[key].is_object())
        && rows.iter().any(|r| !r[key].is_null())
}

/// View rows (JSON objects) as a table; uncertain rows are marked with `?` in the first
/// column.
pub fn json_rows(
    out: &mut impl Write,
    look: &Look,
    rows: &[serde_json::Value],
) -> std::io::Result<()> {
    let Some(first) = rows.first().and_then(|r| r.as_object()) else {
        return writeln!(out, "(no rows)");
    };
    let columns: Vec<&String> = first.keys().filter(|k| shown_column(rows, k)).collect();
    let mut header: Vec<String> = vec![" ".into()];
    header.extend(columns.iter().map(|c| c.to_uppercase()));
    let uncertain = |r: &serde_json::Value| r["certain"] == serde_json::Value::Bool(false);
    let table_rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let tone = uncertain(r).then_some(Tone::Uncertain);
            let mut row = vec![look.cell(tone, if tone.is_some() { "?" } else { " " })];
            row.extend(
                columns
                    .iter()
                    .map(|c| look.cell(tone, cell(&r[c.as_str()]))),
            );
            row
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    look.table(out, &header_refs, table_rows)?;
    let n_uncertain = rows.iter().filter(|r| uncertain(r)).count();
    let footnote = if n_uncertain > 0 {
        format!("; ? = not certain as of this date: {n_uncertain}")
    } else {
        String::new()
    };
    writeln!(
        out,
        "({} row{}{footnote})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

/// One JSON value as one CSV cell: null is empty, a string is itself, a list joins its
/// elements' cells with `;`, an object its `key=value` pairs with `;`; numbers and booleans
/// as JSON writes them.
pub fn csv_cell(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(csv_cell).collect::<Vec<_>>().join(";"),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", csv_cell(v)))
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

/// The CSV columns of view rows: the fields of the first row, in the row type's order
/// (one `value` column when rows are not objects).
fn csv_columns(first: &serde_json::Value) -> Vec<String> {
    match first.as_object() {
        Some(m) => m.keys().cloned().collect(),
        None => vec!["value".into()],
    }
}

/// View rows (JSON objects, made from the typed rows) as CSV: a header row of the fields,
/// then one record per row, quoted by the `csv` writer. No rows, no output: the columns
/// come from the rows.
pub fn csv_rows(out: &mut impl Write, rows: &[serde_json::Value]) -> csv::Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns = csv_columns(first);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&columns)?;
    for row in rows {
        let record: Vec<String> = match row.as_object() {
            Some(m) => columns
                .iter()
                .map(|c| m.get(c).map(csv_cell).unwrap_or_default())
                .collect(),
            None => vec![csv_cell(row)],
        };
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

fn status_text(e: &HistoryEntry) -> String {
    match (e.status, e.by) {
        (Status::Current, Some(root)) if e.event.content.kind.is_amendment() => {
            format!("current (corrects seq {root})")
        }
        (Status::Current, _) => "current".into(),
        (Status::Corrected, Some(by)) => format!("corrected by seq {by}"),
        (Status::Retracted, Some(by)) => format!("retracted by seq {by}"),
        (Status::Superseded, _) => "superseded".into(),
        (Status::Retraction, Some(t)) => format!("retracts seq {t}"),
        (s, _) => format!("{s:?}").to_lowercase(),
    }
}

/// The colour of an entry's status: replaced, withdrawn, or an amendment itself.
fn status_tone(e: &HistoryEntry) -> Option<Tone> {
    match (e.status, e.by) {
        (Status::Corrected | Status::Superseded, _) => Some(Tone::Corrected),
        (Status::Retracted | Status::Retraction, _) => Some(Tone::Retracted),
        (Status::Current, Some(_)) => Some(Tone::Corrected),
        (Status::Current, None) => None,
    }
}

/// What an entry says: its summary, or a description of its content.
fn what(e: &HistoryEntry) -> String {
    e.shown
        .content
        .summary
        .clone()
        .unwrap_or_else(|| describe(&e.shown.content.kind))
}

/// An actor's history as a table.
pub fn history_table(
    out: &mut impl Write,
    look: &Look,
    entries: &[HistoryEntry],
) -> std::io::Result<()> {
    let rows: Vec<Vec<Cell>> = entries
        .iter()
        .map(|e| {
            vec![
                look.cell(None, e.event.seq.to_string()),
                look.cell(None, short_id(&e.event)),
                look.cell(None, date_text(&e.shown)),
                look.cell(None, e.shown.content.kind.name()),
                look.cell(status_tone(e), status_text(e)),
                look.cell(None, what(e) + &changes_suffix(&e.changes)),
            ]
        })
        .collect();
    look.table(out, &["SEQ", "ID", "DATE", "KIND", "STATUS", "WHAT"], rows)?;
    writeln!(out, "{}", count(entries.len(), "event"))
}

/// An event with coordinates as a GeoJSON Feature: a Point `[lon, lat]` in decimal degrees,
/// with the event's interchange line (location included) as its properties. `None` when
/// the event has no coordinates.
pub fn geojson_feature(e: &Event) -> Option<serde_json::Value> {
    let l = e.content.location.as_ref()?;
    let (lat, lon) = (l.lat_micro?, l.lon_micro?);
    Some(serde_json::json!({
        "type": "Feature",
        "id": e.id.to_string(),
        "geometry": {
            "type": "Point",
            "coordinates": [f64::from(lon) / 1e6, f64::from(lat) / 1e6],
        },
        "properties": annals::interchange::event_json(e),
    }))
}

/// One history entry as JSON.
pub fn history_json(e: &HistoryEntry) -> serde_json::Value {
    let mut v = annals::interchange::event_json(&e.shown);
    if let Some(m) = v.as_object_mut() {
        m.insert("seq".into(), serde_json::json!(e.event.seq));
        m.insert(
            "status".into(),
            serde_json::to_value(e.status).unwrap_or_default(),
        );
        m.insert("by".into(), serde_json::json!(e.by));
        m.insert("changes".into(), serde_json::json!(e.changes));
    }
    v
}

/// What differs between two versions of a row: one `field: old → new` per changed field;
/// for lists, the elements added (+) and removed (-).
fn row_changes(from: &serde_json::Value, to: &serde_json::Value) -> String {
    let (Some(f), Some(t)) = (from.as_object(), to.as_object()) else {
        return format!("{} → {}", cell(from), cell(to));
    };
    let mut parts = Vec::new();
    for (k, new) in t {
        let old = f.get(k).unwrap_or(&serde_json::Value::Null);
        if old == new || new.is_object() {
            continue;
        }
        match (old.as_array(), new.as_array()) {
            (Some(o), Some(n)) => {
                let added: Vec<String> = n.iter().filter(|x| !o.contains(x)).map(cell).collect();
                let removed: Vec<String> = o.iter().filter(|x| !n.contains(x)).map(cell).collect();
                let mut change = Vec::new();
                if !added.is_empty() {
                    change.push(format!("+{}", added.join(" +")));
                }
                if !removed.is_empty() {
                    change.push(format!("-{}", removed.join(" -")));
                }
                parts.push(format!("{k}: {}", change.join(" ")));
            }
            _ => parts.push(format!("{k}: {} → {}", cell(old), cell(new))),
        }
    }
    parts.join(", ")
}

/// A diff as text. The library compared the rows typed; a view chosen by name (custom ones
/// included) gives them as JSON, printed generically at this output edge.
pub fn diff(out: &mut impl Write, d: &annals::query::Diff) -> std::io::Result<()> {
    match d.axis {
        DiffAxis::ValidTime => writeln!(
            out,
            "{}: {} → {}, {}",
            d.view,
            d.from.as_of,
            d.to.as_of,
            known_at(&d.from)
        )?,
        DiffAxis::Knowledge => writeln!(
            out,
            "{} as of {}: {} → {}",
            d.view,
            d.from.as_of,
            known_at(&d.from),
            known_at(&d.to)
        )?,
    }
    let brief = |r: &serde_json::Value| {
        r.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, v)| !v.is_object() && !v.is_null() && *k != "certain")
                    .map(|(k, v)| format!("{k}:{}", cell(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    for r in &d.added {
        writeln!(out, "  + {}", brief(r))?;
    }
    for r in &d.removed {
        writeln!(out, "  - {}", brief(r))?;
    }
    for c in &d.changed {
        writeln!(out, "  ~ {}: {}", c.key, row_changes(&c.from, &c.to))?;
    }
    if d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty() {
        writeln!(out, "  (no change)")?;
    }
    Ok(())
}

/// One line in the heading style.
fn heading(out: &mut impl Write, look: &Look, text: &str) -> std::io::Result<()> {
    writeln!(out, "{}", look.paint(Tone::Heading, text))
}

/// Relations as text: the typed rows, shown as view tables, then each section of events
/// naming both; an empty section says `(none)`.
pub fn relations(
    out: &mut impl Write,
    look: &Look,
    a: &annals::Code,
    b: &annals::Code,
    r: &annals::query::Relations,
) -> std::io::Result<()> {
    writeln!(out, "{a} and {b}, {}", r.basis.describe())?;
    for (title, rows) in [
        ("alliances in common", rows_as_json(&r.alliances)),
        ("deployments between them", rows_as_json(&r.deployments)),
        ("arms flows between them", rows_as_json(&r.arms)),
    ] {
        heading(out, look, &format!("{title}:"))?;
        match rows.is_empty() {
            true => writeln!(out, "(none)")?,
            false => json_rows(out, look, &rows)?,
        }
    }
    for (section, events) in r.event_sections() {
        heading(
            out,
            look,
            &format!("{} up to {}:", section.replace('_', " "), r.basis.as_of),
        )?;
        if events.is_empty() {
            writeln!(out, "(none)")?;
            continue;
        }
        let rows: Vec<Vec<Cell>> = events
            .iter()
            .map(|e| plain_cells(look, event_cells(e)))
            .collect();
        look.table(out, &["DATE", "KIND", "WHAT", "SUMMARY"], rows)?;
    }
    Ok(())
}

/// Typed view rows as JSON objects, for the generic view table (the output edge).
fn rows_as_json<T: serde::Serialize>(rows: &[T]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|r| serde_json::to_value(r).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// Date, kind, description and summary of an event.
fn event_cells(e: &Event) -> Vec<String> {
    vec![
        date_text(e),
        e.content.kind.name().to_string(),
        describe(&e.content.kind),
        e.content.summary.clone().unwrap_or_else(|| "-".into()),
    ]
}

/// A readable chronology: events grouped by year and month, each with its summary, its
/// first source, and a marker when it was corrected, retracted, or is itself an amendment.
/// An undated entry (a retraction has no date of its own; the timeline puts it after its
/// target) stays in the group before it. Dates and kinds are padded to the widest, so an
/// interval (`2024-10-01/2024-11-15`) keeps the columns aligned.
pub fn chronology(
    out: &mut impl Write,
    look: &Look,
    entries: &[HistoryEntry],
) -> std::io::Result<()> {
    let widest = |f: &dyn Fn(&HistoryEntry) -> usize| entries.iter().map(f).max().unwrap_or(0);
    let date_w = widest(&|e| date_text(&e.shown).chars().count());
    let kind_w = widest(&|e| e.shown.content.kind.name().len());
    let mut group: Option<(String, String)> = None;
    for e in entries {
        let date = date_text(&e.shown);
        if let Some((y, m)) = year_and_month(&e.shown) {
            let (year, month) = group.get_or_insert_with(|| (String::new(), String::new()));
            if y != *year {
                heading(out, look, &y)?;
                (*year, *month) = (y, String::new());
            }
            if m != *month && !m.is_empty() {
                writeln!(out, "  {}", look.paint(Tone::Heading, &m))?;
            }
            *month = m;
        }
        writeln!(
            out,
            "    {} {date:<date_w$}  {:<kind_w$}  {}{}{}",
            short_id(&e.event),
            e.shown.content.kind.name(),
            what(e),
            look.paint(Tone::Dim, &first_source(e)),
            status_tone(e).map_or(marker(e), |t| look.paint(t, &marker(e)))
        )?;
    }
    writeln!(out, "{}", count(entries.len(), "event"))
}

/// The year and month (empty when the date has none) an entry is grouped under; `None`
/// for an undated one.
fn year_and_month(e: &Event) -> Option<(String, String)> {
    let date = e.content.date?.to_string();
    let y = date.get(..4)?.to_string();
    let m = date
        .get(5..7)
        .filter(|m| m.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("")
        .to_string();
    Some((y, m))
}

/// ` (Reuters)`: the entry's first source, or nothing.
fn first_source(e: &HistoryEntry) -> String {
    e.shown
        .content
        .sources
        .first()
        .map(|s| format!(" ({})", s.name))
        .unwrap_or_default()
}

/// ` [corrected by seq 17]`: how an entry was amended, or what it amends.
fn marker(e: &HistoryEntry) -> String {
    match (e.status, e.by) {
        (Status::Corrected, Some(by)) => format!(" [corrected by seq {by}]"),
        (Status::Retracted, Some(by)) => format!(" [retracted by seq {by}]"),
        (Status::Retracted, None) => " [retracted]".to_string(),
        (Status::Superseded, _) => " [superseded correction]".to_string(),
        (Status::Current, Some(root)) => format!(
            " [correction of seq {root}{}]",
            match e.changes.is_empty() {
                true => String::new(),
                false => format!("; changes: {}", changes_text(&e.changes)),
            }
        ),
        (Status::Retraction, Some(t)) => format!(" [retracts seq {t}]"),
        _ => String::new(),
    }
}
