//! Charts as SVG files, drawn with plotters' SVG backend. Text is written as SVG `<text>`
//! in the generic `sans-serif` family, so no font files or system libraries are needed.
//!
//! Invariants: every chart has a title, a date axis ticked at calendar boundaries one step
//! apart and labelled in that step's precision ([`super::ticks`]), a value or member axis,
//! a legend naming every series and every kind of shading and mark drawn, drawn in a column
//! of its own right of the plot so it never covers a line, and a footer naming its window
//! and basis.
//! Step lines that would coincide are drawn a few pixels apart, and the legend says so.

use super::ticks::{calendar_ticks, TickStep};
use super::{Gantt, LineChart, Mark, MarkKind, Series, Step};
use crate::cli::progress::thousands;
use crate::cli::render::known_at;
use annals::Day;
use anyhow::Result;
use chrono::NaiveDate;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{
    DefaultFormatting, KeyPointHint, Ranged, SegmentValue, SegmentedCoord,
};
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::Path;

/// The width of a chart without its legend.
const WIDTH: u32 = 1000;

/// The width of the plot itself, about: the chart less its margins and value labels.
const PLOT_WIDTH: usize = 870;

/// Pixels between step lines that would coincide.
const APART: f64 = 4.0;

/// The plotting area of a line chart: dates across, values up.
type LineArea<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<CalendarAxis, RangedCoordf64>>;

/// The plotting area of a Gantt chart: dates across, one segment per bar up.
type GanttArea<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<CalendarAxis, SegmentedCoord<RangedCoordi32>>>;
const FONT: &str = "sans-serif";

fn date(day: Day) -> NaiveDate {
    day.to_naive()
}

/// The day after `day` (charts draw up to the end of their last day).
fn after(day: Day) -> Day {
    Day(day.0.saturating_add(1))
}

/// A date axis from the start of `start` to the end of `end`, mapping days linearly to
/// pixels, whose only grid lines and labels are its calendar-aligned ticks.
pub struct CalendarAxis {
    start: NaiveDate,
    /// The day after the last day drawn.
    until: NaiveDate,
    step: TickStep,
    ticks: Vec<NaiveDate>,
}

impl CalendarAxis {
    /// The axis of `start..=end`, with as many ticks as labels fit in the plot's width.
    fn new(start: Day, end: Day) -> CalendarAxis {
        // A label is about 7 px a character, with at least 16 px between labels; at most
        // 12 labels (every month of a year).
        let room = |step: TickStep| (PLOT_WIDTH / (step.label_width() * 7 + 16)).min(12);
        let (step, ticks) = calendar_ticks(start, end, room);
        CalendarAxis {
            start: date(start),
            until: date(after(end)),
            step,
            ticks: ticks.into_iter().map(date).collect(),
        }
    }
}

impl Ranged for CalendarAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = NaiveDate;

    fn map(&self, value: &NaiveDate, limit: (i32, i32)) -> i32 {
        let days = (self.until - self.start).num_days().max(1) as f64;
        let offset = (*value - self.start).num_days() as f64;
        limit.0 + (f64::from(limit.1 - limit.0) * offset / days).round() as i32
    }

    /// The ticks, for the bold grid lines and labels; no light grid lines.
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<NaiveDate> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<NaiveDate> {
        self.start..self.until
    }
}

/// What a legend entry shows before its label.
#[derive(Clone, Copy, Debug)]
enum Glyph {
    /// A series' step line.
    Line(RGBColor),
    /// A series' line as known now, dashed.
    Dashed(RGBColor),
    /// A filled box: a Gantt bar, or shading.
    Fill(RGBAColor),
    /// The symbol of a mark on a line chart.
    Mark(MarkKind),
    /// A vertical rule: a mark on a Gantt chart.
    Rule,
    /// Two thin lines a little apart: lines of equal value drawn apart.
    Apart,
}

/// One line of a legend.
struct Entry {
    glyph: Glyph,
    label: String,
}

/// The width of the legend column for `entries`: about 7 px a character of the longest
/// label at 15 px, plus the glyph and margins.
fn legend_width(entries: &[Entry]) -> u32 {
    let chars = entries.iter().map(|e| e.label.chars().count()).max();
    chars.unwrap_or(0) as u32 * 7 + 80
}

/// The ordinary stroke of marks.
fn mark_style() -> ShapeStyle {
    MARK.stroke_width(2)
}

/// A glyph drawn in a legend, its left end at `(x, y)` (pixels of the legend's area).
fn draw_glyph(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    glyph: Glyph,
    (x, y): (i32, i32),
) -> Result<()> {
    let across = vec![(x, y), (x + 24, y)];
    match glyph {
        Glyph::Line(c) => area.draw(&PathElement::new(across, c.stroke_width(3)))?,
        Glyph::Dashed(c) => area.draw(&DashedPathElement::new(
            across,
            6,
            3,
            c.mix(0.55).stroke_width(2),
        ))?,
        Glyph::Fill(c) => area.draw(&Rectangle::new([(x, y - 6), (x + 24, y + 6)], c.filled()))?,
        Glyph::Mark(MarkKind::Correction) => {
            area.draw(&Cross::new((x + 12, y), 6, mark_style()))?
        }
        Glyph::Mark(MarkKind::Retraction) => {
            area.draw(&Circle::new((x + 12, y), 6, mark_style()))?
        }
        Glyph::Mark(MarkKind::Revised) => {
            area.draw(&TriangleMarker::new((x + 12, y), 7, mark_style()))?
        }
        Glyph::Rule => area.draw(&PathElement::new(
            vec![(x + 12, y - 7), (x + 12, y + 7)],
            mark_style(),
        ))?,
        Glyph::Apart => {
            let grey = RGBColor(120, 120, 120).stroke_width(2);
            area.draw(&PathElement::new(vec![(x, y - 2), (x + 24, y - 2)], grey))?;
            area.draw(&PathElement::new(vec![(x, y + 2), (x + 24, y + 2)], grey))?;
        }
    }
    Ok(())
}

/// A boxed legend of `entries` in `area`, the column right of the plot, its top at `top`:
/// nothing of it is drawn over the plot.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    entries: &[Entry],
    top: i32,
) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let (left, right) = (10, w as i32 - 10);
    let bottom = top + 20 * entries.len() as i32 + 12;
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        RGBColor(160, 160, 160),
    ))?;
    let font = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (k, e) in entries.iter().enumerate() {
        let y = top + 16 + 20 * k as i32;
        draw_glyph(area, e.glyph, (left + 10, y))?;
        area.draw_text(&e.label, &font, (left + 44, y))?;
    }
    Ok(())
}

/// The footer line under every chart: its window and basis.
fn draw_footer(
    footer: &DrawingArea<SVGBackend<'_>, Shift>,
    start: Day,
    end: Day,
    basis: &annals::Basis,
) -> Result<()> {
    footer.draw_text(
        &format!(
            "valid time {start} to {end}, {} · drawn by annals",
            known_at(basis)
        ),
        &TextStyle::from((FONT, 13).into_font()).color(&RGBColor(90, 90, 90)),
        (20, 4),
    )?;
    Ok(())
}

/// The runs of present values of a step series, as step-line points, `lift` higher than
/// their values.
fn step_runs(steps: &[Step], end: Day, lift: f64) -> Vec<Vec<(NaiveDate, f64)>> {
    let mut runs = Vec::new();
    let mut run: Vec<(NaiveDate, f64)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let until = super::step_until(steps, i, end);
        match s.value {
            Some(v) => {
                run.push((date(s.start), v as f64 + lift));
                run.push((date(until), v as f64 + lift));
            }
            None => {
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

fn series_color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 6] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(23, 190, 207),
    ];
    COLORS[i % COLORS.len()]
}

const UNCERTAIN: RGBColor = RGBColor(240, 173, 40);
const MARK: RGBColor = RGBColor(60, 60, 60);
const MARK_KINDS: [MarkKind; 3] = [
    MarkKind::Correction,
    MarkKind::Retraction,
    MarkKind::Revised,
];

/// The line known now, when it is drawn: at a past knowledge, where it differs.
fn known_now(s: &Series) -> Option<&Vec<Step>> {
    s.now.as_ref().filter(|now| **now != s.steps)
}

/// The legend of a line chart: each series (and its line known now, when drawn), the
/// shading, lines drawn apart, and each kind of mark, as far as they are drawn.
fn line_entries(c: &LineChart, ranks: &[usize]) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (i, s) in c.series.iter().enumerate() {
        let color = series_color(i);
        entries.push(Entry {
            glyph: Glyph::Line(color),
            label: s.label.clone(),
        });
        if known_now(s).is_some() {
            let label = format!("{} (as known now)", s.label);
            entries.push(Entry {
                glyph: Glyph::Dashed(color),
                label,
            });
        }
    }
    let uncertain = |s: &Series| s.steps.iter().any(|st| !st.certain && st.value.is_some());
    if c.series.iter().any(uncertain) {
        let label = "date not yet certain (shaded)".into();
        entries.push(Entry {
            glyph: Glyph::Fill(UNCERTAIN.mix(0.3)),
            label,
        });
    }
    if ranks.iter().any(|r| *r > 0) {
        let label = format!("equal values drawn {APART} px apart");
        entries.push(Entry {
            glyph: Glyph::Apart,
            label,
        });
    }
    for kind in MARK_KINDS
        .into_iter()
        .filter(|k| c.marks.iter().any(|m| m.kind == *k))
    {
        entries.push(Entry {
            glyph: Glyph::Mark(kind),
            label: kind.legend().into(),
        });
    }
    entries
}

/// The top of a chart's plot, in pixels from the top of the image.
fn plot_top<X: Ranged, Y: Ranged>(
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
) -> i32 {
    chart.plotting_area().get_pixel_range().1.start
}

/// A step chart: one step line per series (lines that would coincide drawn [`APART`]
/// pixels apart); spans not yet certain shaded; a dashed line for what is known now when
/// drawn at a past knowledge; marks for corrections, retractions and revisions; the legend
/// in a column right of the plot.
pub fn line_chart(path: &Path, c: &LineChart) -> Result<()> {
    let ranks = super::coincidence_ranks(&c.series);
    let entries = line_entries(c, &ranks);
    let root = SVGBackend::new(path, (WIDTH + legend_width(&entries), 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(572);
    let (plot, side) = body.split_horizontally(WIDTH);
    let ymax = (c.max_value() as f64 * 1.2).max(1.0);
    let axis = CalendarAxis::new(c.start, c.end);
    let fmt = axis.step.format();
    let mut chart = ChartBuilder::on(&plot)
        .caption(&c.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(axis, 0f64..ymax)?;
    chart
        .configure_mesh()
        .y_labels(8)
        .x_label_formatter(&|d: &NaiveDate| d.format(fmt).to_string())
        .y_label_formatter(&|v: &f64| thousands(v.max(0.0).round() as u64))
        .x_desc("valid time")
        .y_desc(c.y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    let height = f64::from(chart.plotting_area().dim_in_pixel().1.max(1));
    let lifts: Vec<f64> = (ranks.iter())
        .map(|r| *r as f64 * APART * ymax / height)
        .collect();
    for (i, s) in c.series.iter().enumerate() {
        draw_uncertain(&mut chart, s, c.end, ymax)?;
        draw_steps(&mut chart, s, (series_color(i), lifts[i]), c.end)?;
    }
    draw_line_marks(&mut chart, c, &lifts)?;
    draw_legend(&side, &entries, plot_top(&chart))?;
    draw_footer(&footer, c.start, c.end, &c.basis)?;
    root.present()?;
    Ok(())
}

/// Shade the spans where a series' value is not yet certain.
fn draw_uncertain(chart: &mut LineArea, s: &Series, end: Day, ymax: f64) -> Result<()> {
    for (j, st) in s.steps.iter().enumerate() {
        if !st.certain && st.value.is_some() {
            let until = super::step_until(&s.steps, j, end);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(date(st.start), 0.0), (date(until), ymax)],
                UNCERTAIN.mix(0.18).filled(),
            )))?;
        }
    }
    Ok(())
}

/// A series' step line, and dashed, what is known now where it differs; both `lift` higher
/// than their values.
fn draw_steps(
    chart: &mut LineArea,
    s: &Series,
    (color, lift): (RGBColor, f64),
    end: Day,
) -> Result<()> {
    for run in step_runs(&s.steps, end, lift) {
        chart.draw_series(LineSeries::new(run, color.stroke_width(3)))?;
    }
    let Some(now) = known_now(s) else {
        return Ok(());
    };
    let faint = color.mix(0.55);
    for run in step_runs(now, end, lift) {
        chart.draw_series(DashedLineSeries::new(run, 8, 5, faint.stroke_width(2)))?;
    }
    Ok(())
}

/// The marks of a line chart, each kind with its symbol; each on its series' line as drawn,
/// `lifts[i]` higher than series `i`'s value (at 0 where it has no value then).
fn draw_line_marks(chart: &mut LineArea, c: &LineChart, lifts: &[f64]) -> Result<()> {
    let at = |m: &Mark| {
        let value = (c.series.iter().zip(lifts))
            .find(|(s, _)| s.label == m.series)
            .map_or(0.0, |(s, lift)| {
                super::value_at(&s.steps, m.day).map_or(0.0, |v| v.0 as f64) + lift
            });
        (date(m.day), value)
    };
    let style = mark_style();
    for m in &c.marks {
        let p = at(m);
        let mark = match m.kind {
            MarkKind::Correction => Cross::new(p, 7, style).into_dyn(),
            MarkKind::Retraction => Circle::new(p, 7, style).into_dyn(),
            MarkKind::Revised => TriangleMarker::new(p, 8, style).into_dyn(),
        };
        chart.draw_series(std::iter::once(mark))?;
    }
    Ok(())
}

/// The legend of a Gantt chart: members, the lighter spans, and each kind of mark, as far
/// as they are drawn.
fn gantt_entries(g: &Gantt) -> Vec<Entry> {
    let mut entries = vec![Entry {
        glyph: Glyph::Fill(series_color(0).to_rgba()),
        label: "member".into(),
    }];
    let spans = || g.bars.iter().flat_map(|b| &b.spans);
    if spans().any(|s| s.start < s.certain_from || s.uncertain_from < s.end) {
        let label = "joined or leaving on a date not yet certain".into();
        entries.push(Entry {
            glyph: Glyph::Fill(UNCERTAIN.mix(0.8)),
            label,
        });
    }
    for kind in MARK_KINDS
        .into_iter()
        .filter(|k| g.marks.iter().any(|m| m.kind == *k))
    {
        let label = format!("{} ({})", kind.legend(), kind.name());
        entries.push(Entry {
            glyph: Glyph::Rule,
            label,
        });
    }
    entries
}

/// A Gantt chart: one bar per member, in the order they joined, lighter where the date it
/// joined is not yet certain; amendments of the alliance's events marked on the time axis;
/// the legend in a column right of the plot.
pub fn gantt(path: &Path, g: &Gantt) -> Result<()> {
    let n = g.bars.len();
    let height = (170 + 24 * n as u32).max(320);
    let entries = gantt_entries(g);
    let root = SVGBackend::new(path, (WIDTH + legend_width(&entries), height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(height - 28);
    let (plot, side) = body.split_horizontally(WIDTH);
    let axis = CalendarAxis::new(g.start, g.end);
    let fmt = axis.step.format();
    let labels: Vec<String> = g.bars.iter().map(|b| b.label.clone()).collect();
    let mut chart = ChartBuilder::on(&plot)
        .caption(&g.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            axis,
            // An i32 range is inclusive here: one segment per bar.
            (0..(n as i32 - 1).max(1)).into_segmented(),
        )?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .x_label_formatter(&|d: &NaiveDate| d.format(fmt).to_string())
        .y_label_formatter(&|v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(r) => usize::try_from(*r)
                .ok()
                .and_then(|r| labels.get(n.checked_sub(1 + r)?))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc("valid time")
        .y_desc("member")
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    draw_bars(&mut chart, g, series_color(0))?;
    draw_gantt_marks(&mut chart, g)?;
    draw_legend(&side, &entries, plot_top(&chart))?;
    draw_footer(&footer, g.start, g.end, &g.basis)?;
    root.present()?;
    Ok(())
}

/// One bar per member, lighter where the date it joined, or a pending ending, is not yet
/// certain.
fn draw_bars(chart: &mut GanttArea, g: &Gantt, color: RGBColor) -> Result<()> {
    let n = g.bars.len();
    // Row 0 is drawn at the bottom: the first bar goes on the top row.
    let row = |i: usize| (n - 1 - i) as i32;
    let bar = |from: Day, until: Day, y: i32, style: ShapeStyle| {
        let top = if y + 1 == n as i32 {
            SegmentValue::Last
        } else {
            SegmentValue::Exact(y + 1)
        };
        let mut r = Rectangle::new(
            [(date(from), SegmentValue::Exact(y)), (date(until), top)],
            style,
        );
        r.set_margin(4, 4, 0, 0);
        r
    };
    let light = UNCERTAIN.mix(0.8).filled();
    for (i, b) in g.bars.iter().enumerate() {
        for s in &b.spans {
            for (from, until, style) in [
                (s.start, s.certain_from, light),
                (s.certain_from, s.uncertain_from, color.filled()),
                (s.uncertain_from, s.end, light),
            ] {
                if from < until {
                    chart.draw_series(std::iter::once(bar(from, until, row(i), style)))?;
                }
            }
        }
    }
    Ok(())
}

/// Amendments of the alliance's events, as vertical lines across every bar.
fn draw_gantt_marks(chart: &mut GanttArea, g: &Gantt) -> Result<()> {
    chart.draw_series(g.marks.iter().map(|m| {
        PathElement::new(
            vec![
                (date(m.day), SegmentValue::Exact(0)),
                (date(m.day), SegmentValue::Last),
            ],
            mark_style(),
        )
    }))?;
    Ok(())
}
