//! `annals demo`: import the bundled sample timeline and take a short guided tour of what
//! time travel answers. Deterministic: every date and knowledge in it is fixed.

use super::common::{plural, stdout, Ctx};
use super::output::Look;
use super::render;
use annals::interchange::parse_reader;
use annals::{Code, Day, Error, KnownAt, Store};
use anyhow::{Context, Result};
use std::io::Write;

/// The bundled sample timeline (drawn from the seed article and the history it refers to).
pub const SAMPLE_TIMELINE: &str = include_str!("../../schema/examples/sample_timeline.jsonl");

/// `annals demo`: the tour, on a temporary database unless `--db` (or ANNALS_DB) is given;
/// then, on stderr, the commands to try next on the database it leaves (or how to keep one).
pub fn command(ctx: &Ctx) -> Result<()> {
    let store = if ctx.no_db_given {
        Store::temporary()?
    } else {
        ctx.open_or_create()?
    };
    let mut out = stdout();
    run(&store, &mut out, &ctx.look)?;
    out.flush()?;
    eprint!("{}", next_steps(ctx));
    Ok(())
}

/// What to try after the tour: queries of the database it filled, or, after a tour on a
/// temporary database, how to keep one.
fn next_steps(ctx: &Ctx) -> String {
    let db = if ctx.no_db_given {
        "demo.db".to_string()
    } else {
        // A PostgreSQL URL is shown without its password.
        let text = ctx.db.display().to_string();
        match annals::storage::url_of(&ctx.db) {
            Some(url) => annals::storage::redact_url(url),
            None => text,
        }
    };
    let intro = if ctx.no_db_given {
        format!("\nThis tour used a temporary database, now gone. To keep one to query, run it with --db:\n  annals --db {db} demo\nthen try:\n")
    } else {
        format!("\nThe sample timeline is in {db}. Try:\n")
    };
    let tries = [
        "timeline --actor PRK",
        "deployments --actor PRK --as-of 2024-11-15 --known-at 2024-11-01",
        "history JPN",
        "log --from 2024 --kind deployment",
    ];
    let mut text = intro;
    for t in tries {
        text.push_str(&format!("  annals --db {db} {t}\n"));
    }
    text
}

fn day(text: &str) -> Result<Day> {
    Ok(Day::parse_query(text)?)
}

/// One view shown in the tour, as `annals NAME --as-of AS_OF [--actor A] [--known-at K]`.
struct Shot {
    name: &'static str,
    as_of: &'static str,
    known: KnownAt,
    actor: Option<&'static str>,
    title: &'static str,
}

fn view(out: &mut impl Write, look: &Look, store: &Store, shot: Shot) -> Result<()> {
    let Shot {
        name,
        as_of,
        known,
        actor,
        title,
    } = shot;
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
    import_sample(store, out)?;
    let nov1 = KnownAt::parse("2024-11-01T00:00:00Z")?;
    let nov16 = KnownAt::parse("2024-11-16T00:00:00Z")?;
    for shot in shots(nov1) {
        view(out, look, store, shot)?;
    }
    what_changed(out, store)?;
    camp_david(out, look, store, nov16)?;
    prk_and_rus(out, look, store)?;
    let v = store.verify()?;
    writeln!(
        out,
        "\nverify: {}, hash chain intact, {} match the log; head hash {}",
        plural(v.events, "event"),
        plural(v.row_versions, "row version"),
        v.head_hash
    )?;
    Ok(())
}

/// Import the sample timeline (again: what is already there is kept) and say so.
fn import_sample(store: &Store, out: &mut impl Write) -> Result<()> {
    let lines = parse_reader(SAMPLE_TIMELINE.as_bytes()).map_err(Error::InvalidInput)?;
    let report = store
        .import_lines(lines, true)
        .context("importing the bundled sample timeline")?;
    writeln!(
        out,
        "Imported the bundled sample timeline: {} ({} already present), drawn from an AP report\nof 2024-11-15 on the APEC summit in Lima and the history behind it.",
        plural(report.new_count() as u64, "event"),
        report.present_count()
    )?;
    writeln!(
        out,
        "\"known at seq N (TIME)\" below: the answer uses only the first N events the log recorded, the Nth at TIME."
    )?;
    Ok(())
}

/// The views the tour shows first: NATO's 1999 enlargement, and North Korean troops in
/// Russia as known before and after the reports of early November 2024.
fn shots(nov1: KnownAt) -> [Shot; 4] {
    [
        Shot {
            name: "alliances",
            as_of: "1999-03-11",
            known: KnownAt::Now,
            actor: Some("NATO"),
            title: "NATO on the eve of its 1999 enlargement",
        },
        Shot {
            name: "alliances",
            as_of: "1999-03-12",
            known: KnownAt::Now,
            actor: Some("NATO"),
            title: "... and on the day Czechia, Hungary and Poland joined",
        },
        Shot {
            name: "deployments",
            as_of: "2024-11-15",
            known: nov1,
            actor: Some("PRK"),
            title: "North Korean troops in Russia on 2024-11-15, as known on 2024-11-01",
        },
        Shot {
            name: "deployments",
            as_of: "2024-11-15",
            known: KnownAt::Now,
            actor: Some("PRK"),
            title: "... and as known now",
        },
    ]
}

/// `annals diff` across 2024 for three views.
fn what_changed(out: &mut impl Write, store: &Store) -> Result<()> {
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
    Ok(())
}

/// The article's error about Camp David, before and after its correction.
fn camp_david(out: &mut impl Write, look: &Look, store: &Store, nov16: KnownAt) -> Result<()> {
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
    Ok(())
}

/// What North Korea and Russia share, and the deployments chart.
fn prk_and_rus(out: &mut impl Write, look: &Look, store: &Store) -> Result<()> {
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
    Ok(())
}
