//! Human-readable output: aligned tables and one-line descriptions of events.

use annals::{Event, Kind, Stats};
use std::io::Write;

fn codes(list: &[annals::Code]) -> String {
    list.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A one-line description of what an event says.
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Meeting { actors, place } => format!(
            "{}{}",
            codes(actors),
            place
                .as_ref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default()
        ),
        Kind::Agreement { actors, name } => format!("{name} ({})", codes(actors)),
        Kind::Statement { actors } => codes(actors),
        Kind::AllianceFormed {
            alliance,
            alliance_type,
            members,
        } => format!(
            "{alliance} ({}) with {}",
            alliance_type.as_str(),
            codes(members)
        ),
        Kind::AllianceJoined { alliance, members } => format!("{} join {alliance}", codes(members)),
        Kind::AllianceLeft { alliance, members } => format!("{} leave {alliance}", codes(members)),
        Kind::AllianceDissolved { alliance } => format!("{alliance} dissolved"),
        Kind::LeaderTookOffice {
            actor,
            office,
            person,
        } => format!("{person} becomes {actor} {office}"),
        Kind::LeaderLeftOffice {
            actor,
            office,
            person,
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
            "{actor} in {host}{}: {strength}",
            region
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        Kind::Withdrawal {
            actor,
            host,
            region,
        } => format!(
            "{actor} out of {host}{}",
            region
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        Kind::ArmsTransfer {
            supplier,
            recipient,
            item,
            quantity,
            unit,
        } => format!(
            "{supplier} → {recipient}: {quantity} {}{item}",
            unit.as_ref()
                .map(|u| format!("{u} of "))
                .unwrap_or_default()
        ),
        Kind::MissileTest {
            actor,
            class,
            count,
        } => format!("{actor} {class} ×{count}"),
        Kind::NuclearTest { actor } => actor.to_string(),
        Kind::JointExercise { actors, assets } => format!(
            "{}{}",
            codes(actors),
            if assets.is_empty() {
                String::new()
            } else {
                format!(" with {}", assets.join(", "))
            }
        ),
        Kind::SanctionsImposed { actor, against } => format!("{actor} on {against}"),
        Kind::SanctionsLifted { actor, against } => format!("{actor} lifts on {against}"),
        Kind::Retraction { target, reason } => format!("retracts {target}: {reason}"),
        Kind::Correction {
            target,
            replacement,
        } => format!(
            "corrects {target} → {} {}",
            replacement.kind.name(),
            describe(&replacement.kind)
        ),
    }
}

/// Print rows as aligned columns; the last column is not padded.
pub fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let n = cells.len();
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == n {
                    c.to_string()
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(header.to_vec()).trim_end())?;
    for row in rows {
        writeln!(
            out,
            "{}",
            line(row.iter().map(String::as_str).collect()).trim_end()
        )?;
    }
    Ok(())
}

/// One event as one line of text (for `tail`).
pub fn event_line(e: &Event) -> String {
    format!(
        "{}  {}  {}  {}",
        e.seq,
        e.content
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        e.content.kind.name(),
        describe(&e.content.kind)
    )
}

/// The log as a table.
pub fn event_table(out: &mut impl Write, events: &[Event]) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.content
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                e.content.kind.name().to_string(),
                describe(&e.content.kind),
            ]
        })
        .collect();
    table(out, &["SEQ", "DATE", "KIND", "WHAT"], &rows)?;
    writeln!(
        out,
        "({} event{})",
        events.len(),
        if events.len() == 1 { "" } else { "s" }
    )
}

/// Stats as a small report.
pub fn stats(out: &mut impl Write, s: &Stats) -> std::io::Result<()> {
    writeln!(out, "events        {}", s.events)?;
    writeln!(out, "last seq      {}", s.last_seq)?;
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
    writeln!(out, "size on disk  {} bytes", s.size_on_disk)?;
    writeln!(out, "engine        {}", s.engine)?;
    writeln!(out, "by kind:")?;
    let rows: Vec<Vec<String>> = s
        .by_kind
        .iter()
        .map(|(k, n)| vec![format!("  {k}"), n.to_string()])
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
        other => other.to_string(),
    }
}

/// View rows (JSON objects) as a table; uncertain rows are marked with `?` in the first
/// column. The `joined` map of alliances is left to `--json`.
pub fn json_rows(out: &mut impl Write, rows: &[serde_json::Value]) -> std::io::Result<()> {
    let Some(first) = rows.first().and_then(|r| r.as_object()) else {
        return writeln!(out, "(no rows)");
    };
    let columns: Vec<&String> = first
        .keys()
        .filter(|k| *k != "certain" && *k != "joined")
        .collect();
    let mut header: Vec<String> = vec![" ".into()];
    header.extend(columns.iter().map(|c| c.to_uppercase()));
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![if r["certain"] == serde_json::Value::Bool(false) {
                "?".to_string()
            } else {
                " ".to_string()
            }];
            row.extend(columns.iter().map(|c| cell(&r[c.as_str()])));
            row
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    table(out, &header_refs, &table_rows)?;
    let uncertain = rows
        .iter()
        .filter(|r| r["certain"] == serde_json::Value::Bool(false))
        .count();
    writeln!(
        out,
        "({} row{}{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if uncertain > 0 {
            format!("; ? = not certain as of this date: {uncertain}")
        } else {
            String::new()
        }
    )
}

fn status_text(e: &annals::query::HistoryEntry) -> String {
    use annals::query::Status;
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

/// An actor's history as a table.
pub fn history_table(
    out: &mut impl Write,
    entries: &[annals::query::HistoryEntry],
) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.event.seq.to_string(),
                e.shown
                    .content
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                e.shown.content.kind.name().to_string(),
                status_text(e),
                e.shown
                    .content
                    .summary
                    .clone()
                    .unwrap_or_else(|| describe(&e.shown.content.kind)),
            ]
        })
        .collect();
    table(out, &["SEQ", "DATE", "KIND", "STATUS", "WHAT"], &rows)?;
    writeln!(
        out,
        "({} event{})",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" }
    )
}

/// One history entry as JSON.
pub fn history_json(e: &annals::query::HistoryEntry) -> serde_json::Value {
    let mut v = annals::interchange::event_json(&e.shown);
    if let Some(m) = v.as_object_mut() {
        m.insert("seq".into(), serde_json::json!(e.event.seq));
        m.insert(
            "status".into(),
            serde_json::to_value(e.status).unwrap_or_default(),
        );
        m.insert("by".into(), serde_json::json!(e.by));
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
        if old == new || k == "joined" {
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

/// A diff as text.
pub fn diff(out: &mut impl Write, d: &annals::query::Diff) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} → {} (known at seq {})",
        d.view, d.from.as_of, d.to.as_of, d.from.known_seq
    )?;
    let brief = |r: &serde_json::Value| {
        r.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| *k != "joined" && *k != "certain")
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
        writeln!(
            out,
            "  ~ {}: {}",
            cell(&c["key"]),
            row_changes(&c["from"], &c["to"])
        )?;
    }
    if d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty() {
        writeln!(out, "  (no change)")?;
    }
    Ok(())
}

/// Relations as text.
pub fn relations(
    out: &mut impl Write,
    a: &annals::Code,
    b: &annals::Code,
    r: &annals::query::Relations,
) -> std::io::Result<()> {
    writeln!(out, "{a} and {b}, {}", r.basis.describe())?;
    writeln!(out, "alliances in common:")?;
    json_rows(out, &r.alliances)?;
    writeln!(out, "deployments between them:")?;
    json_rows(out, &r.deployments)?;
    writeln!(out, "arms flows between them:")?;
    json_rows(out, &r.arms)?;
    writeln!(out, "meetings up to {}:", r.basis.as_of)?;
    let rows: Vec<Vec<String>> = r
        .meetings
        .iter()
        .map(|m| {
            vec![
                cell(&m["date"]),
                cell(&m["actors"]),
                cell(&m["place"]),
                cell(&m["summary"]),
            ]
        })
        .collect();
    table(out, &["DATE", "ACTORS", "PLACE", "SUMMARY"], &rows)
}

/// A readable chronology: events grouped by year and month, each with its summary, its
/// first source, and a marker when it was corrected, retracted, or is itself an amendment.
pub fn chronology(
    out: &mut impl Write,
    entries: &[annals::query::HistoryEntry],
) -> std::io::Result<()> {
    use annals::query::Status;
    let mut year = String::new();
    let mut month = String::new();
    for e in entries {
        let date = e
            .shown
            .content
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into());
        let y = date.get(..4).unwrap_or("-").to_string();
        let m = date
            .get(5..7)
            .filter(|m| m.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or("")
            .to_string();
        if y != year {
            writeln!(out, "{y}")?;
            year = y;
            month.clear();
        }
        if m != month {
            if !m.is_empty() {
                writeln!(out, "  {m}")?;
            }
            month = m;
        }
        let marker = match (e.status, e.by) {
            (Status::Corrected, Some(by)) => format!(" [corrected by seq {by}]"),
            (Status::Retracted, Some(by)) => format!(" [retracted by seq {by}]"),
            (Status::Retracted, None) => " [retracted]".to_string(),
            (Status::Superseded, _) => " [superseded correction]".to_string(),
            (Status::Current, Some(root)) => format!(" [correction of seq {root}]"),
            (Status::Retraction, Some(t)) => format!(" [retracts seq {t}]"),
            _ => String::new(),
        };
        let what = e
            .shown
            .content
            .summary
            .clone()
            .unwrap_or_else(|| describe(&e.shown.content.kind));
        let source = e
            .shown
            .content
            .sources
            .first()
            .map(|s| format!(" ({})", s.name))
            .unwrap_or_default();
        writeln!(
            out,
            "    {date:<12} {:<18} {what}{source}{marker}",
            e.shown.content.kind.name()
        )?;
    }
    writeln!(
        out,
        "({} event{})",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" }
    )
}
