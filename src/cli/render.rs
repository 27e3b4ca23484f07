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
