//! `annals demo`: import the bundled sample timeline and take a short guided tour of what
//! time travel answers. Deterministic: every date and knowledge in it is fixed.

use super::common::{stdout, Ctx};
use super::output::Look;
use super::render;
use annals::interchange::parse_reader;
use annals::{Code, Day, Error, KnownAt, Store};
use anyhow::{Context, Result};
use std::io::Write;

/// The bundled sample timeline (drawn from the seed article and the history it refers to).
pub const SAMPLE_TIMELINE: &str = include_str!("../../schema/examples/sample_timeline.jsonl");

/// `annals demo`: the tour, on a temporary database unless `--db` (or ANNALS_DB) is given.
pub fn command(ctx: &Ctx) -> Result<()> {
    let store = if ctx.no_db_given {
        Store::temporary()?
    } else {
        ctx.open_or_create()?
    };
    let mut out = stdout();
    run(&store, &mut out, &ctx.look)?;
    Ok(out.flush()?)
}

fn day(text: &str) -> Result<Day> {
    Ok(Day::parse_query(text)?)
}

#[allow(clippy::too_many_arguments)]
fn view(
    out: &mut impl Write,
    look: &Look,
    store: &Store,
    name: &str,
    as_of: &str,
    known: KnownAt,
    actor: Option<&str>,
    title: &str,
) -> Result<()> {
    let actor = actor
        .map(Code::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!(e))?;
    let (basis, rows) = store
        .at(day(as_of)?)
        .known_at(known)
        .view_rows_json(name, actor.as_ref())?;
    writeln!(
        out,
        "\n## {title}\n$ annals {name} --as-of {as_of}{}{}",
        actor.map(|a| format!(" --actor {a}")).unwrap_or_default(),
        match known {
            KnownAt::Time(t) => format!(
                " --known-at {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            _ => String::new(),
        }
    )?;
    writeln!(out, "{name} {}", basis.describe())?;
    render::json_rows(
        out,
        look,
        &rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
    )?;
    Ok(())
}

/// Run the tour on `store` (which must be empty or already hold the sample).
pub fn run(store: &Store, out: &mut impl Write, look: &Look) -> Result<()> {
    let lines = parse_reader(SAMPLE_TIMELINE.as_bytes()).map_err(Error::InvalidInput)?;
    let report = store
        .import_lines(lines, true)
        .context("importing the bundled sample timeline")?;
    writeln!(
        out,
        "Imported the bundled sample timeline: {} events ({} already present), drawn from an AP report\nof 2024-11-15 on the APEC summit in Lima and the history behind it.",
        report.new_count(),
        report.present_count()
    )?;
    let nov1 = KnownAt::parse("2024-11-01T00:00:00Z")?;
    let nov16 = KnownAt::parse("2024-11-16T00:00:00Z")?;
    view(
        out,
        look,
        store,
        "alliances",
        "1999-03-11",
        KnownAt::Now,
        Some("NATO"),
        "NATO on the eve of its 1999 enlargement",
    )?;
    view(
        out,
        look,
        store,
        "alliances",
        "1999-03-12",
        KnownAt::Now,
        Some("NATO"),
        "... and on the day Czechia, Hungary and Poland joined",
    )?;
    view(
        out,
        look,
        store,
        "deployments",
        "2024-11-15",
        nov1,
        Some("PRK"),
        "North Korean troops in Russia on 2024-11-15, as known on 2024-11-01",
    )?;
    view(
        out,
        look,
        store,
        "deployments",
        "2024-11-15",
        KnownAt::Now,
        Some("PRK"),
        "... and as known now",
    )?;

    writeln!(
        out,
        "\n## What changed across 2024\n$ annals diff 2024-01-01 2024-12-31"
    )?;
    for name in ["alliances", "deployments", "leaders"] {
        let d = store
            .at(day("2024-01-01")?)
            .diff(name, day("2024-12-31")?)?;
        render::diff(out, &d)?;
    }

    writeln!(out, "\n## The article's error: Camp David, 2023-08-18")?;
    writeln!(
        out,
        "The article says Ishiba met Biden and Yoon at Camp David; it was Fumio Kishida."
    )?;
    let jpn = Code::parse("JPN").map_err(|e| anyhow::anyhow!(e))?;
    for (known, label) in [
        (nov16, "as known on 2024-11-16 (before the correction)"),
        (KnownAt::Now, "as known now"),
    ] {
        writeln!(
            out,
            "$ annals history JPN --known-at {}   # {label}",
            if known == KnownAt::Now {
                "now".to_string()
            } else {
                "2024-11-16T00:00:00Z".to_string()
            }
        )?;
        let entries: Vec<_> = store
            .history(&jpn, known)?
            .into_iter()
            .filter(|e| {
                e.event
                    .content
                    .date
                    .or(e.shown.content.date)
                    .map(|d| d.to_string())
                    .as_deref()
                    == Some("2023-08-18")
            })
            .collect();
        render::history_table(out, look, &entries)?;
    }

    writeln!(
        out,
        "\n## North Korea and Russia\n$ annals relations PRK RUS --as-of 2024-11-15"
    )?;
    let prk = Code::parse("PRK").map_err(|e| anyhow::anyhow!(e))?;
    let rus = Code::parse("RUS").map_err(|e| anyhow::anyhow!(e))?;
    let rel = store.at(day("2024-11-15")?).relations(&prk, &rus)?;
    render::relations(out, look, &prk, &rus, &rel)?;

    writeln!(
        out,
        "\n## North Korean troops in Russia, as a picture\n$ annals chart deployments --actor PRK   # or --svg prk.svg"
    )?;
    super::chart::deployments_in_terminal(out, look, store, &prk)?;
    let v = store.verify()?;
    writeln!(
        out,
        "\nverify: {} events, hash chain intact, {} view checkpoints match the log; head hash {}",
        v.events, v.checkpoints, v.head_hash
    )?;
    Ok(())
}
