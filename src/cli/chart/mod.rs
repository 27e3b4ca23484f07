//! `annals chart`: pictures of the timeline. Owns the arguments, the derivation of what is
//! drawn (step series of deployment strength or alliance member counts, Gantt bars of
//! alliance membership, marks for corrections, retractions and later revisions), and the
//! choice of output: SVG (`svg.rs`), the terminal (`term.rs`), or JSON. Both drawings tick
//! their date axis at calendar boundaries chosen by `ticks.rs`.
//!
//! So that charts do not mislead: in the terminal each series has a panel with its own
//! y-scale (labelled), as tall as the terminal allows, and at a past knowledge the line
//! known now is drawn too (`╌`); in SVG the legend stands right of the plot, and series
//! with equal values on the same days are drawn a few pixels apart
//! ([`coincidence_ranks`]), which the legend says.
//!
//! Invariants: every value drawn is read from a view as of a day, at one knowledge (the
//! basis's seq), as the library's typed rows (`DeploymentRow`, `AllianceRow`; JSON is made
//! only for `--json`/`--jsonl`) — nothing is folded or hard-coded here. The days a view is read at are the
//! earliest and latest days of every event that can change what is drawn (so a step starts
//! where a report's date starts, and stops being uncertain where its date ends); between
//! two such days the views cannot change. Dates given to month or year precision are
//! placed at their earliest day; rows not `certain` as of a day are drawn as uncertain.

mod svg;
mod term;
mod ticks;

use super::common::{first_day_of, known_actor, open_existing, parse_day, parse_known_at, stdout};
use super::failure::usage;
use super::output::{Format, Look};
use annals::query::{Basis, HistoryEntry, Status};
use annals::views::{AllianceRow, Alliances, DeploymentRow, Deployments};
use annals::{Code, Day, Event, Kind, KnownAt, Store, View};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum ChartCommand {
    /// Reported strength of an actor's deployments over time, one step line per deployment.
    /// Spans where a report's date is not yet certain are shaded; corrections and
    /// retractions are marked, and with a past --known-at, where later knowledge differs.
    #[command(
        after_help = "Examples:\n  annals chart deployments --actor PRK\n  annals chart deployments --actor PRK --host RUS --from 2024-10 --to 2024-11 --svg prk.svg\n  annals chart deployments --actor PRK --known-at 2024-11-01T00:00:00Z"
    )]
    Deployments {
        /// The deploying actor's code.
        #[arg(long)]
        actor: String,
        /// Only deployments in this host's territory.
        #[arg(long)]
        host: Option<String>,
        #[command(flatten)]
        window: Window,
    },
    /// Alliance membership over time: with --alliance, a Gantt chart of each member's span;
    /// without, the member count of every alliance.
    #[command(
        after_help = "Examples:\n  annals chart alliances --alliance NATO\n  annals chart alliances --alliance NATO --from 1990 --svg nato.svg\n  annals chart alliances --json"
    )]
    Alliances {
        /// Chart the members of this alliance (default: member counts of every alliance).
        #[arg(long)]
        alliance: Option<String>,
        #[command(flatten)]
        window: Window,
    },
}

/// The valid-time window, the knowledge and the output file of a chart.
#[derive(clap::Args, Debug)]
pub struct Window {
    /// Start of the chart: today, YYYY, YYYY-MM or YYYY-MM-DD (default: the first change).
    #[arg(long)]
    from: Option<String>,
    /// End of the chart, inclusive: today, YYYY, YYYY-MM (its last day) or YYYY-MM-DD
    /// (default: a little after the last change, and never after today).
    #[arg(long, visible_alias = "as-of")]
    to: Option<String>,
    /// Knowledge: an RFC 3339 timestamp, seq:N, or now. A past knowledge also shows, dashed,
    /// what is known now, and marks where it differs.
    #[arg(long, default_value = "now")]
    known_at: String,
    /// Write the chart as an SVG file instead of drawing it in the terminal.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

/// One step of a series: its value from `start` until the next step starts (or the end of
/// the chart). `None` means absent (not deployed, not a member, not formed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub start: Day,
    pub value: Option<u64>,
    pub certain: bool,
}

/// What a mark on a chart says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A correction in effect replaces a report here.
    Correction,
    /// A report here was retracted.
    Retraction,
    /// What is known now differs from the chart's (past) knowledge from here.
    Revised,
}

impl MarkKind {
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Correction => "correction",
            MarkKind::Retraction => "retraction",
            MarkKind::Revised => "revised",
        }
    }

    /// The symbol drawn for it in the terminal and in legends.
    pub fn symbol(self) -> char {
        match self {
            MarkKind::Correction => '×',
            MarkKind::Retraction => '∅',
            MarkKind::Revised => '!',
        }
    }

    pub fn legend(self) -> &'static str {
        match self {
            MarkKind::Correction => "corrected report",
            MarkKind::Retraction => "retracted report",
            MarkKind::Revised => "known differently now",
        }
    }
}

/// A mark at a day, on the series (or bar) labelled `series`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub day: Day,
    pub series: String,
    pub kind: MarkKind,
    pub note: String,
}

/// A step series with its label; `now` is the same series as known now, when the chart is
/// drawn at a past knowledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    pub steps: Vec<Step>,
    pub now: Option<Vec<Step>>,
}

/// Step lines over valid time.
#[derive(Clone, Debug)]
pub struct LineChart {
    pub name: &'static str,
    pub title: String,
    pub y_label: &'static str,
    pub start: Day,
    /// The last day drawn (inclusive).
    pub end: Day,
    pub basis: Basis,
    pub series: Vec<Series>,
    pub marks: Vec<Mark>,
}

impl Series {
    /// The largest value the series reaches, as known at the chart's basis or now (0 when
    /// it has none).
    pub fn max_value(&self) -> u64 {
        (self.steps.iter().chain(self.now.iter().flatten()))
            .filter_map(|s| s.value)
            .max()
            .unwrap_or(0)
    }
}

impl LineChart {
    /// The largest value any series reaches, as known at the chart's basis or now.
    pub fn max_value(&self) -> u64 {
        self.series.iter().map(Series::max_value).max().unwrap_or(0)
    }
}

/// One presence of a member: from `start` until `end` (exclusive), with its date not yet
/// certain before `certain_from`, and its ending (a departure or dissolution dated
/// imprecisely, shown while pending) not yet certain from `uncertain_from`:
/// `start <= certain_from <= uncertain_from <= end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: Day,
    pub certain_from: Day,
    pub uncertain_from: Day,
    pub end: Day,
}

impl Span {
    /// A span whose start is uncertain before `certain_from` and whose end is uncertain
    /// from `leaving` (if pending), with the days put in order.
    fn new(start: Day, certain_from: Day, leaving: Option<Day>, end: Day) -> Span {
        let uncertain_from = leaving.unwrap_or(end).clamp(start, end);
        Span {
            start,
            certain_from: certain_from.clamp(start, uncertain_from),
            uncertain_from,
            end,
        }
    }
}

/// One row of a Gantt chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub spans: Vec<Span>,
}

/// Bars of presence over valid time.
#[derive(Clone, Debug)]
pub struct Gantt {
    pub name: &'static str,
    pub title: String,
    pub start: Day,
    /// The last day drawn (inclusive).
    pub end: Day,
    pub basis: Basis,
    pub bars: Vec<Bar>,
    pub marks: Vec<Mark>,
}

/// A chart of either shape.
pub enum Chart {
    Line(LineChart),
    Gantt(Gantt),
}

/// Run `annals chart ...`.
pub fn run(db: &PathBuf, command: ChartCommand, format: Format, look: &Look) -> Result<()> {
    let store = open_existing(db, None)?;
    let (chart, svg) = match command {
        ChartCommand::Deployments {
            actor,
            host,
            window,
        } => {
            let actor = known_actor(&store, "--actor", &actor)?;
            let host = host
                .map(|h| known_actor(&store, "--host", &h))
                .transpose()?;
            let w = window.resolve(&store)?;
            (
                Chart::Line(deployments(&store, &actor, host.as_ref(), &w)?),
                window.svg,
            )
        }
        ChartCommand::Alliances { alliance, window } => {
            let alliance = alliance
                .map(|a| known_actor(&store, "--alliance", &a))
                .transpose()?;
            let w = window.resolve(&store)?;
            let chart = match alliance {
                Some(a) => Chart::Gantt(members(&store, &a, &w)?),
                None => Chart::Line(member_counts(&store, &w)?),
            };
            (chart, window.svg)
        }
    };
    let mut out = stdout();
    if let Some(path) = &svg {
        match &chart {
            Chart::Line(c) => svg::line_chart(path, c),
            Chart::Gantt(g) => svg::gantt(path, g),
        }
        .with_context(|| format!("writing the chart to {}", path.display()))?;
    }
    match (format, &svg) {
        (Format::Json, _) => writeln!(out, "{}", to_json(&chart))?,
        (Format::Jsonl, _) => {
            for line in to_json_lines(&chart) {
                writeln!(out, "{line}")?;
            }
        }
        (Format::Human, Some(path)) => {
            let (title, basis) = match &chart {
                Chart::Line(c) => (&c.title, &c.basis),
                Chart::Gantt(g) => (&g.title, &g.basis),
            };
            eprintln!(
                "wrote {} ({title}, {})",
                path.display(),
                super::render::known_at(basis)
            );
        }
        (Format::Human, None) => match &chart {
            Chart::Line(c) => term::line_chart(&mut out, look, c)?,
            Chart::Gantt(g) => term::gantt(&mut out, look, g)?,
        },
    }
    Ok(out.flush()?)
}

/// The strength of `actor`'s deployments as known now, drawn in the terminal (for the
/// demo's tour), at the default panel height whatever the terminal's, so the tour is
/// always the same.
pub fn deployments_in_terminal(
    out: &mut impl Write,
    look: &Look,
    store: &Store,
    actor: &Code,
) -> Result<()> {
    let w = Resolved {
        basis: store.at(Day::today()).basis()?,
        head: store.head().seq,
        from: None,
        to: None,
    };
    let look = Look {
        height: None,
        ..*look
    };
    Ok(term::line_chart(
        out,
        &look,
        &deployments(store, actor, None, &w)?,
    )?)
}

/// A window resolved against a store: the knowledge, and the optional bounds.
struct Resolved {
    basis: Basis,
    head: u64,
    from: Option<Day>,
    to: Option<Day>,
}

impl Window {
    fn resolve(&self, store: &Store) -> Result<Resolved> {
        let from = self.from.as_deref().map(first_day_of).transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|t| parse_day("--to", t))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(usage(format!("--from {f} is after --to {t}; swap them")));
            }
        }
        let basis = store
            .at(Day::today())
            .known_at(parse_known_at("--known-at", &self.known_at)?)
            .basis()?;
        Ok(Resolved {
            basis,
            head: store.head().seq,
            from,
            to,
        })
    }
}

impl Resolved {
    /// Whether the chart is drawn at a knowledge older than the log's head.
    fn is_past(&self) -> bool {
        self.basis.known_seq < self.head
    }

    /// The first and last day to draw, given the days where something changes: from the
    /// first change (or --from) to a little after the last one (or --to), never after today
    /// unless asked.
    fn bounds(&self, changes: &BTreeSet<Day>) -> Result<(Day, Day)> {
        let first = changes.first().copied();
        let last = changes.last().copied();
        let start = match (self.from, first) {
            (Some(f), _) => f,
            (None, Some(d)) => d,
            (None, None) => bail!("nothing to chart"),
        };
        let end = match (self.to, last) {
            (Some(t), _) => t,
            (None, Some(l)) => {
                let span = l.0.saturating_sub(start.0);
                let padded = Day(l.0.saturating_add((span / 10).max(14)));
                padded.min(Day::today().max(l))
            }
            (None, None) => start,
        };
        Ok((start, end.max(start)))
    }
}

/// Every day on which an event with this date can change a view or its certainty.
fn date_days(date: Option<&annals::Date>, days: &mut BTreeSet<Day>) {
    if let Some(d) = date {
        days.insert(d.earliest());
        days.insert(d.latest());
    }
}

/// The value of a series on `day` (and whether it is certain then).
pub fn value_at(steps: &[Step], day: Day) -> Option<(u64, bool)> {
    steps
        .iter()
        .take_while(|s| s.start <= day)
        .last()
        .and_then(|s| s.value.map(|v| (v, s.certain)))
}

/// A rank for each series, such that two series with the same value on the same day
/// somewhere never share one: the smallest rank no earlier such series has (0 for a series
/// that coincides with none). Drawing rank `r` a little higher keeps every line visible.
pub fn coincidence_ranks(series: &[Series]) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(series.len());
    for (i, s) in series.iter().enumerate() {
        let taken: BTreeSet<usize> = (0..i)
            .filter(|&j| coincide(&series[j].steps, &s.steps))
            .map(|j| ranks[j])
            .collect();
        ranks.push((0..=i).find(|r| !taken.contains(r)).unwrap_or(i));
    }
    ranks
}

/// Whether two step series have the same value on some day (checked at every step's start,
/// where one of them can change).
fn coincide(a: &[Step], b: &[Step]) -> bool {
    (a.iter().chain(b)).any(|st| {
        let (x, y) = (value_at(a, st.start), value_at(b, st.start));
        x.is_some() && x.map(|v| v.0) == y.map(|v| v.0)
    })
}

/// What a chart reads from one row of view `V`: the label of the series the row belongs
/// to, its value, and whether it is certain as of the day read; `None` leaves it out.
type Pick<'a, V> = &'a dyn Fn(&<V as View>::Row) -> Option<(String, u64, bool)>;

/// Per day read: each series label's value and whether it is certain then.
type Values = BTreeMap<String, (u64, bool)>;

/// Read view `V` at each of `days` at knowledge `k`, and turn what `pick` sees in each row
/// into step series.
fn sample<V: View>(
    store: &Store,
    days: &[Day],
    k: u64,
    pick: Pick<'_, V>,
) -> Result<BTreeMap<String, Vec<Step>>> {
    let mut at_days: Vec<(Day, Values)> = Vec::with_capacity(days.len());
    for &day in days {
        let rows = store.at(day).known_at(KnownAt::Seq(k)).view::<V>()?.rows;
        let values = rows
            .iter()
            .filter_map(pick)
            .map(|(label, value, certain)| (label, (value, certain)))
            .collect();
        at_days.push((day, values));
    }
    Ok(step_series(&at_days))
}

/// The values read on each day as one step series per label: a step wherever a label's
/// value or certainty changes, starting where it first has a value.
fn step_series(at_days: &[(Day, Values)]) -> BTreeMap<String, Vec<Step>> {
    let labels: BTreeSet<String> = at_days
        .iter()
        .flat_map(|(_, v)| v.keys().cloned())
        .collect();
    let mut series = BTreeMap::new();
    for label in labels {
        let mut steps: Vec<Step> = Vec::new();
        for (day, values) in at_days {
            let (value, certain) = match values.get(&label) {
                Some((v, c)) => (Some(*v), *c),
                None => (None, true),
            };
            let same = steps
                .last()
                .is_some_and(|s| s.value == value && s.certain == certain);
            // A series starts where it first has a value.
            let leading_absence = steps.is_empty() && value.is_none();
            if !same && !leading_absence {
                steps.push(Step {
                    start: *day,
                    value,
                    certain,
                });
            }
        }
        series.insert(label, steps);
    }
    series
}

/// The days within `[start, end]` to read views at: `start` itself and every change.
fn sample_days(changes: &BTreeSet<Day>, start: Day, end: Day) -> Vec<Day> {
    std::iter::once(start)
        .chain(changes.range(start..=end).copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Marks where `now` differs from `then`: the first day of each run of days on which the
/// two series disagree.
fn revisions(label: &str, then: &[Step], now: &[Step], days: &[Day]) -> Vec<Mark> {
    let mut marks = Vec::new();
    let mut differing = false;
    for &day in days {
        let (a, b) = (
            value_at(then, day).map(|v| v.0),
            value_at(now, day).map(|v| v.0),
        );
        if a != b && !differing {
            let show = |v: Option<u64>| v.map_or("none".into(), super::progress::thousands);
            marks.push(Mark {
                day,
                series: label.to_string(),
                kind: MarkKind::Revised,
                note: format!("{} then, {} now", show(a), show(b)),
            });
        }
        differing = a != b;
    }
    marks
}

/// "PRK in RUS (Kursk)".
fn deployment_label(actor: &str, host: &str, region: Option<&str>) -> String {
    format!(
        "{actor} in {host}{}",
        region.map(|r| format!(" ({r})")).unwrap_or_default()
    )
}

/// The deployment an event reports on, as (actor, host, label).
fn deployment_of(kind: &Kind) -> Option<(&Code, &Code, String)> {
    match kind {
        Kind::Deployment {
            actor,
            host,
            region,
            ..
        }
        | Kind::Withdrawal {
            actor,
            host,
            region,
        } => Some((
            actor,
            host,
            deployment_label(actor.as_str(), host.as_str(), region.as_deref()),
        )),
        _ => None,
    }
}

/// A mark for an entry that a correction or retraction touches, if any.
fn amendment_mark(e: &HistoryEntry, label: String) -> Option<Mark> {
    let day = e.shown.content.date.as_ref()?.earliest();
    match (e.status, e.by) {
        (Status::Current, Some(root)) if e.event.content.kind.is_amendment() => Some(Mark {
            day,
            series: label,
            kind: MarkKind::Correction,
            note: format!("seq {} corrects seq {root}", e.event.seq),
        }),
        (Status::Retracted, by) => Some(Mark {
            day,
            series: label,
            kind: MarkKind::Retraction,
            note: match by {
                Some(by) => format!("seq {} retracted by seq {by}", e.event.seq),
                None => format!("seq {} retracted", e.event.seq),
            },
        }),
        _ => None,
    }
}

/// Strength of `actor`'s deployments (optionally only in `host`) over time.
fn deployments(
    store: &Store,
    actor: &Code,
    host: Option<&Code>,
    w: &Resolved,
) -> Result<LineChart> {
    let wanted = |kind: &Kind| {
        deployment_of(kind)
            .filter(|(a, h, _)| *a == actor && host.is_none_or(|x| x == *h))
            .map(|(_, _, label)| label)
    };
    // Change days at the chart's knowledge and now (a correction can move a date).
    let mut changes = BTreeSet::new();
    let mut marks = Vec::new();
    for k in BTreeSet::from([w.basis.known_seq, w.head]) {
        for e in store.history(actor, KnownAt::Seq(k))? {
            for event in [&e.event, &e.shown] {
                if wanted(&event.content.kind).is_some() {
                    date_days(event.content.date.as_ref(), &mut changes);
                }
            }
            if k == w.basis.known_seq {
                if let Some(label) = wanted(&e.shown.content.kind) {
                    marks.extend(amendment_mark(&e, label));
                }
            }
        }
    }
    if changes.is_empty() {
        bail!(
            "no deployment of {actor}{} is known at seq {}; see `annals log --actor {actor} --kind deployment`",
            host.map(|h| format!(" in {h}")).unwrap_or_default(),
            w.basis.known_seq
        );
    }
    let (start, end) = w.bounds(&changes)?;
    let days = sample_days(&changes, start, end);
    let pick = |row: &DeploymentRow| {
        (row.actor == actor.as_str() && host.is_none_or(|x| x.as_str() == row.host)).then(|| {
            (
                deployment_label(&row.actor, &row.host, row.region.as_deref()),
                row.strength,
                row.certain,
            )
        })
    };
    let series = sampled_series::<Deployments>(store, w, (&days, start, end), &pick, &mut marks)?;
    Ok(LineChart {
        name: "deployments",
        title: format!(
            "Deployments of {actor}{}: reported strength",
            host.map(|h| format!(" in {h}")).unwrap_or_default()
        ),
        y_label: "troops (reported strength)",
        start,
        end,
        basis: w.basis.clone(),
        series,
        marks,
    })
}

/// The series of view `V` on `days`, as known at the window's basis and, when that is in
/// the past, as known now; `marks` gains the revisions and keeps only those within
/// `start..=end`, in order.
fn sampled_series<V: View>(
    store: &Store,
    w: &Resolved,
    (days, start, end): (&[Day], Day, Day),
    pick: Pick<'_, V>,
    marks: &mut Vec<Mark>,
) -> Result<Vec<Series>> {
    let then = sample::<V>(store, days, w.basis.known_seq, pick)?;
    let now = if w.is_past() {
        Some(sample::<V>(store, days, w.head, pick)?)
    } else {
        None
    };
    let series = merge_series(then, now, days, marks);
    marks.retain(|m| m.day >= start && m.day <= end);
    marks.sort_by(|a, b| (a.day, &a.series).cmp(&(b.day, &b.series)));
    Ok(series)
}

/// Pair each series at the chart's knowledge with the same series known now (when the
/// chart is at a past knowledge), adding a mark where they differ.
fn merge_series(
    then: BTreeMap<String, Vec<Step>>,
    now: Option<BTreeMap<String, Vec<Step>>>,
    days: &[Day],
    marks: &mut Vec<Mark>,
) -> Vec<Series> {
    let labels: BTreeSet<&String> = then
        .keys()
        .chain(now.iter().flat_map(|n| n.keys()))
        .collect();
    labels
        .into_iter()
        .map(|label| {
            let steps = then.get(label).cloned().unwrap_or_default();
            let now_steps = now
                .as_ref()
                .map(|n| n.get(label).cloned().unwrap_or_default());
            if let Some(n) = &now_steps {
                marks.extend(revisions(label, &steps, n, days));
            }
            Series {
                label: label.clone(),
                steps,
                now: now_steps,
            }
        })
        .collect()
}

/// The alliance an event forms, joins, leaves or dissolves.
fn alliance_of(kind: &Kind) -> Option<&Code> {
    match kind {
        Kind::AllianceFormed { alliance, .. }
        | Kind::AllianceJoined { alliance, .. }
        | Kind::AllianceLeft { alliance, .. }
        | Kind::AllianceDissolved { alliance } => Some(alliance),
        _ => None,
    }
}

/// Member counts of every alliance over time.
fn member_counts(store: &Store, w: &Resolved) -> Result<LineChart> {
    let mut changes = BTreeSet::new();
    let mut marks = Vec::new();
    // Every event that is, corrects or retracts an alliance event, up to the head.
    for e in store.timeline(None, None) {
        let e: Event = e?;
        let shown = match &e.content.kind {
            Kind::Correction { replacement, .. } => Some((**replacement).clone()),
            Kind::Retraction { target, .. } => store.get(target)?.map(|t| t.content),
            _ => Some(e.content.clone()),
        };
        let Some(content) = shown else { continue };
        let Some(alliance) = alliance_of(&content.kind).cloned() else {
            continue;
        };
        date_days(content.date.as_ref(), &mut changes);
        date_days(e.content.date.as_ref(), &mut changes);
        if e.seq <= w.basis.known_seq {
            let entry = store.history_entry(e, KnownAt::Seq(w.basis.known_seq))?;
            marks.extend(amendment_mark(&entry, alliance.to_string()));
        }
    }
    if changes.is_empty() {
        bail!("no alliance is known; record an alliance_formed event first");
    }
    let (start, end) = w.bounds(&changes)?;
    let days = sample_days(&changes, start, end);
    let pick =
        |row: &AllianceRow| Some((row.alliance.clone(), row.members.len() as u64, row.certain));
    let series = sampled_series::<Alliances>(store, w, (&days, start, end), &pick, &mut marks)?;
    Ok(LineChart {
        name: "alliances",
        title: "Alliances: number of members".into(),
        y_label: "members",
        start,
        end,
        basis: w.basis.clone(),
        series,
        marks,
    })
}

/// Each member's span in `alliance` over time.
fn members(store: &Store, alliance: &Code, w: &Resolved) -> Result<Gantt> {
    let k = w.basis.known_seq;
    let (changes, mut marks) = alliance_changes(store, alliance, w)?;
    if changes.is_empty() {
        bail!(
            "{alliance} is not an alliance known at seq {k}; `annals chart alliances` lists every alliance"
        );
    }
    let (start, end) = w.bounds(&changes)?;
    let days = sample_days(&changes, start, end);
    let bars = member_bars(store, alliance, k, &days, end)?;
    marks.retain(|m| m.day >= start && m.day <= end);
    if bars.is_empty() {
        return Err(anyhow!(
            "{alliance} has no members between {start} and {end} as known at seq {k}"
        ));
    }
    Ok(Gantt {
        name: "alliance",
        title: format!("{alliance}: membership over time"),
        start,
        end,
        basis: w.basis.clone(),
        bars,
        marks,
    })
}

/// The days on which `alliance`'s events, at the chart's knowledge and now, can change it;
/// and marks for its events amended at the chart's knowledge.
fn alliance_changes(
    store: &Store,
    alliance: &Code,
    w: &Resolved,
) -> Result<(BTreeSet<Day>, Vec<Mark>)> {
    let k = w.basis.known_seq;
    let mut changes = BTreeSet::new();
    let mut marks = Vec::new();
    for kk in BTreeSet::from([k, w.head]) {
        for e in store.history(alliance, KnownAt::Seq(kk))? {
            for event in [&e.event, &e.shown] {
                if alliance_of(&event.content.kind) == Some(alliance) {
                    date_days(event.content.date.as_ref(), &mut changes);
                }
            }
            if kk == k && alliance_of(&e.shown.content.kind) == Some(alliance) {
                marks.extend(amendment_mark(&e, alliance.to_string()));
            }
        }
    }
    Ok((changes, marks))
}

/// The members of `alliance` as of `day` at knowledge `k`, each with the latest day of the
/// date it joined on and whether its departure (or the dissolution) is pending.
fn joined_on(
    store: &Store,
    alliance: &Code,
    day: Day,
    k: u64,
) -> Result<BTreeMap<String, (Day, bool)>> {
    let rows = store
        .at(day)
        .known_at(KnownAt::Seq(k))
        .view::<Alliances>()?
        .rows;
    let Some(row) = rows.into_iter().find(|r| r.alliance == alliance.as_str()) else {
        return Ok(BTreeMap::new());
    };
    let ending = row.dissolving.is_some();
    Ok(row
        .joined
        .into_iter()
        .map(|(member, date)| {
            let latest = annals::Date::parse(&date).map_or(day, |d| d.latest());
            let leaving = ending || row.leaving.contains_key(&member);
            (member, (latest, leaving))
        })
        .collect())
}

/// One bar per member of `alliance` with its spans over `days` (up to `end`), in the order
/// they joined, as a Gantt chart reads.
fn member_bars(store: &Store, alliance: &Code, k: u64, days: &[Day], end: Day) -> Result<Vec<Bar>> {
    // Member → (open span start, its date's latest day, the first day its ending was
    // pending), and the spans closed so far.
    let mut open: BTreeMap<String, (Day, Day, Option<Day>)> = BTreeMap::new();
    let mut bars: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for &day in days {
        let joined = joined_on(store, alliance, day, k)?;
        for (member, (since, latest, leaving)) in std::mem::take(&mut open) {
            match joined.get(&member) {
                Some(&(_, pending)) => {
                    let leaving = pending.then(|| leaving.unwrap_or(day));
                    open.insert(member, (since, latest, leaving));
                }
                None => {
                    (bars.entry(member).or_default()).push(Span::new(since, latest, leaving, day))
                }
            }
        }
        for (member, (latest, pending)) in joined {
            open.entry(member)
                .or_insert((day, latest, pending.then_some(day)));
        }
    }
    let after_end = Day(end.0.saturating_add(1));
    for (member, (since, latest, leaving)) in open {
        (bars.entry(member).or_default()).push(Span::new(since, latest, leaving, after_end));
    }
    let mut bars: Vec<Bar> = bars
        .into_iter()
        .map(|(label, spans)| Bar { label, spans })
        .collect();
    bars.sort_by(|a, b| {
        (a.spans.first().map(|s| s.start), &a.label)
            .cmp(&(b.spans.first().map(|s| s.start), &b.label))
    });
    Ok(bars)
}

fn basis_json(basis: &Basis) -> Value {
    Value::Object(basis.json())
        .get("known_at")
        .cloned()
        .unwrap_or(Value::Null)
}

/// The day after a step: the next step's start, or the day after the chart's end.
fn step_until(steps: &[Step], i: usize, end: Day) -> Day {
    steps
        .get(i + 1)
        .map_or(Day(end.0.saturating_add(1)), |s| s.start)
}

fn steps_json(steps: &[Step], end: Day) -> Vec<Value> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "from": s.start.to_string(),
                "until": step_until(steps, i, end).to_string(),
                "value": s.value,
                "certain": s.certain,
            })
        })
        .collect()
}

fn mark_json(m: &Mark) -> Value {
    json!({"date": m.day.to_string(), "series": m.series, "kind": m.kind.name(), "note": m.note})
}

/// The chart's data as one JSON document (`--json`).
fn to_json(chart: &Chart) -> Value {
    match chart {
        Chart::Line(c) => json!({
            "chart": c.name,
            "title": c.title,
            "from": c.start.to_string(),
            "to": c.end.to_string(),
            "known_at": basis_json(&c.basis),
            "series": c.series.iter().map(|s| {
                let mut v = json!({"label": s.label, "steps": steps_json(&s.steps, c.end)});
                if let Some(now) = &s.now {
                    v["now"] = Value::Array(steps_json(now, c.end));
                }
                v
            }).collect::<Vec<_>>(),
            "marks": c.marks.iter().map(mark_json).collect::<Vec<_>>(),
        }),
        Chart::Gantt(g) => json!({
            "chart": g.name,
            "title": g.title,
            "from": g.start.to_string(),
            "to": g.end.to_string(),
            "known_at": basis_json(&g.basis),
            "bars": g.bars.iter().map(|b| json!({
                "label": b.label,
                "spans": b.spans.iter().map(span_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "marks": g.marks.iter().map(mark_json).collect::<Vec<_>>(),
        }),
    }
}

fn span_json(s: &Span) -> Value {
    json!({
        "from": s.start.to_string(),
        "certain_from": s.certain_from.to_string(),
        "uncertain_from": s.uncertain_from.to_string(),
        "until": s.end.to_string(),
    })
}

/// The chart's data as JSON Lines (`--jsonl`): one line per step (or span), each naming
/// its series and the knowledge it was read at.
fn to_json_lines(chart: &Chart) -> Vec<Value> {
    let mut lines = Vec::new();
    match chart {
        Chart::Line(c) => {
            for s in &c.series {
                for (known, steps) in [("then", Some(&s.steps)), ("now", s.now.as_ref())] {
                    let Some(steps) = steps else { continue };
                    for mut step in steps_json(steps, c.end) {
                        step["series"] = json!(s.label);
                        step["known_at"] = if known == "then" {
                            basis_json(&c.basis)
                        } else {
                            json!("now")
                        };
                        lines.push(step);
                    }
                }
            }
        }
        Chart::Gantt(g) => {
            for b in &g.bars {
                for s in &b.spans {
                    let mut v = span_json(s);
                    v["member"] = json!(b.label);
                    v["known_at"] = basis_json(&g.basis);
                    lines.push(v);
                }
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse_query(s).unwrap()
    }

    fn step(start: &str, value: Option<u64>) -> Step {
        Step {
            start: day(start),
            value,
            certain: true,
        }
    }

    #[test]
    fn value_at_reads_the_step_in_force() {
        let steps = [step("2024-10-18", Some(1500)), step("2024-10-28", None)];
        assert_eq!(value_at(&steps, day("2024-10-17")), None);
        assert_eq!(value_at(&steps, day("2024-10-18")), Some((1500, true)));
        assert_eq!(value_at(&steps, day("2024-10-27")), Some((1500, true)));
        assert_eq!(value_at(&steps, day("2024-10-28")), None);
    }

    #[test]
    fn series_of_equal_value_get_different_ranks() {
        let series = |label: &str, steps: Vec<Step>| Series {
            label: label.into(),
            steps,
            now: None,
        };
        let all = [
            series("NATO", vec![step("1949-04-04", Some(12))]),
            series("A", vec![step("1951-01-01", Some(2))]),
            series("B", vec![step("1960-01-01", Some(2))]),
            series(
                "C",
                vec![step("1970-01-01", Some(2)), step("1980-01-01", None)],
            ),
            series("D", vec![step("1990-01-01", Some(3))]),
        ];
        assert_eq!(coincidence_ranks(&all), [0, 0, 1, 2, 0]);
        // Equal values on days that never overlap do not coincide.
        let apart = [
            series(
                "E",
                vec![step("2000-01-01", Some(2)), step("2001-01-01", None)],
            ),
            series("F", vec![step("2002-01-01", Some(2))]),
        ];
        assert_eq!(coincidence_ranks(&apart), [0, 0]);
    }

    #[test]
    fn revisions_mark_the_first_day_of_each_difference() {
        let then = [step("2024-10-31", Some(8000))];
        let now = [
            step("2024-10-31", Some(8000)),
            step("2024-11-04", Some(10000)),
        ];
        let days = [day("2024-10-31"), day("2024-11-04"), day("2024-11-15")];
        let marks = revisions("k", &then, &now, &days);
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].day, day("2024-11-04"));
        assert_eq!(marks[0].note, "8,000 then, 10,000 now");
    }
}
