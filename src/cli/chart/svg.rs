//! Charts as SVG files, drawn with plotters' SVG backend. Text is written as SVG `<text>`
//! in the generic `sans-serif` family, so no font files or system libraries are needed.
//!
//! Invariants: every chart has a title, a date axis (labelled in the precision that suits
//! its span), a value or member axis, a legend naming every series and every kind of shading
//! and mark drawn, and a footer naming its window and basis.

use super::{Gantt, LineChart, Mark, MarkKind, Series, Step};
use crate::cli::progress::thousands;
use crate::cli::render::known_at;
use annals::Day;
use anyhow::Result;
use chrono::NaiveDate;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::{RangedCoordf64, RangedCoordi32, RangedDate};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::path::Path;

const WIDTH: u32 = 1000;

/// The plotting area of a line chart: dates across, values up.
type LineArea<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedDate<NaiveDate>, RangedCoordf64>>;

/// The plotting area of a Gantt chart: dates across, one segment per bar up.
type GanttArea<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<RangedDate<NaiveDate>, SegmentedCoord<RangedCoordi32>>,
>;
const FONT: &str = "sans-serif";

fn date(day: Day) -> NaiveDate {
    day.to_naive()
}

/// The day after `day` (charts draw up to the end of their last day).
fn after(day: Day) -> Day {
    Day(day.0.saturating_add(1))
}

/// Year, month or day labels, by the span drawn.
fn date_format(start: Day, end: Day) -> &'static str {
    match end.0.saturating_sub(start.0) {
        s if s > 3 * 366 => "%Y",
        s if s > 120 => "%Y-%m",
        _ => "%Y-%m-%d",
    }
}

/// The footer line under every chart: its window and basis.
fn draw_footer(
    footer: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
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

/// The runs of present values of a step series, as step-line points.
fn step_runs(steps: &[Step], end: Day) -> Vec<Vec<(NaiveDate, f64)>> {
    let mut runs = Vec::new();
    let mut run: Vec<(NaiveDate, f64)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let until = super::step_until(steps, i, end);
        match s.value {
            Some(v) => {
                run.push((date(s.start), v as f64));
                run.push((date(until), v as f64));
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

/// A step chart: one step line per series; spans not yet certain shaded; a dashed line for
/// what is known now when drawn at a past knowledge; marks for corrections, retractions
/// and revisions.
pub fn line_chart(path: &Path, c: &LineChart) -> Result<()> {
    let root = SVGBackend::new(path, (WIDTH, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(572);
    let max = c.max_value();
    let ymax = (max as f64 * 1.2).max(1.0);
    let fmt = date_format(c.start, c.end);
    let mut chart = ChartBuilder::on(&body)
        .caption(&c.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(date(c.start)..date(after(c.end)), 0f64..ymax)?;
    chart
        .configure_mesh()
        .x_labels(8)
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
    let mut shaded = false;
    for (i, s) in c.series.iter().enumerate() {
        shaded |= draw_uncertain(&mut chart, s, c.end, ymax)?;
        draw_steps(&mut chart, s, series_color(i), c.end)?;
    }
    if shaded {
        chart
            .draw_series(std::iter::empty::<Rectangle<(NaiveDate, f64)>>())?
            .label("date not yet certain (shaded)")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], UNCERTAIN.mix(0.3).filled())
            });
    }
    draw_line_marks(&mut chart, c)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    draw_footer(&footer, c.start, c.end, &c.basis)?;
    root.present()?;
    Ok(())
}

/// Shade the spans where a series' value is not yet certain; whether any was shaded.
fn draw_uncertain(chart: &mut LineArea, s: &Series, end: Day, ymax: f64) -> Result<bool> {
    let mut shaded = false;
    for (j, st) in s.steps.iter().enumerate() {
        if !st.certain && st.value.is_some() {
            shaded = true;
            let until = super::step_until(&s.steps, j, end);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(date(st.start), 0.0), (date(until), ymax)],
                UNCERTAIN.mix(0.18).filled(),
            )))?;
        }
    }
    Ok(shaded)
}

/// A series' step line, and dashed, what is known now where it differs.
fn draw_steps(chart: &mut LineArea, s: &Series, color: RGBColor, end: Day) -> Result<()> {
    for (j, run) in step_runs(&s.steps, end).into_iter().enumerate() {
        let drawn = chart.draw_series(LineSeries::new(run, color.stroke_width(3)))?;
        if j == 0 {
            drawn.label(s.label.clone()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        }
    }
    // What is known now, where it differs from the chart's knowledge.
    let Some(now) = s.now.as_ref().filter(|now| **now != s.steps) else {
        return Ok(());
    };
    let faint = color.mix(0.55);
    for (j, run) in step_runs(now, end).into_iter().enumerate() {
        let drawn = chart.draw_series(DashedLineSeries::new(run, 8, 5, faint.stroke_width(2)))?;
        if j == 0 {
            drawn
                .label(format!("{} (as known now)", s.label))
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 24, y)], 6, 3, faint.stroke_width(2))
                });
        }
    }
    Ok(())
}

/// The marks of a line chart, each kind with its symbol and legend.
fn draw_line_marks<'a, 'b: 'a>(chart: &mut LineArea<'a, 'b>, c: &LineChart) -> Result<()> {
    // Marks sit on their series' line (at 0 where it has no value then).
    let at = |m: &Mark| {
        let value = c
            .series
            .iter()
            .find(|s| s.label == m.series)
            .and_then(|s| super::value_at(&s.steps, m.day))
            .map_or(0.0, |v| v.0 as f64);
        (date(m.day), value)
    };
    for kind in [
        MarkKind::Correction,
        MarkKind::Retraction,
        MarkKind::Revised,
    ] {
        let points: Vec<(NaiveDate, f64)> =
            c.marks.iter().filter(|m| m.kind == kind).map(at).collect();
        if points.is_empty() {
            continue;
        }
        let style = MARK.stroke_width(2);
        let drawn = match kind {
            MarkKind::Correction => chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Cross::new(p, 7, style).into_dyn()),
            )?,
            MarkKind::Retraction => chart.draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 7, style).into_dyn()),
            )?,
            MarkKind::Revised => chart.draw_series(
                points
                    .into_iter()
                    .map(|p| TriangleMarker::new(p, 8, style).into_dyn()),
            )?,
        };
        drawn.label(kind.legend()).legend(move |(x, y)| match kind {
            MarkKind::Correction => Cross::new((x + 12, y), 6, style).into_dyn(),
            MarkKind::Retraction => Circle::new((x + 12, y), 6, style).into_dyn(),
            MarkKind::Revised => TriangleMarker::new((x + 12, y), 7, style).into_dyn(),
        });
    }
    Ok(())
}

/// A Gantt chart: one bar per member, in the order they joined, lighter where the date it
/// joined is not yet certain; amendments of the alliance's events marked on the time axis.
pub fn gantt(path: &Path, g: &Gantt) -> Result<()> {
    let n = g.bars.len();
    let height = (170 + 24 * n as u32).max(320);
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(height - 28);
    let fmt = date_format(g.start, g.end);
    let labels: Vec<String> = g.bars.iter().map(|b| b.label.clone()).collect();
    let mut chart = ChartBuilder::on(&body)
        .caption(&g.title, (FONT, 26))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            date(g.start)..date(after(g.end)),
            // An i32 range is inclusive here: one segment per bar.
            (0..(n as i32 - 1).max(1)).into_segmented(),
        )?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(10)
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
    let color = series_color(0);
    let shaded = draw_bars(&mut chart, g, color)?;
    chart
        .draw_series(std::iter::empty::<Rectangle<(NaiveDate, SegmentValue<i32>)>>())?
        .label("member")
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], color.filled()));
    if shaded {
        chart
            .draw_series(std::iter::empty::<Rectangle<(NaiveDate, SegmentValue<i32>)>>())?
            .label("joined or leaving on a date not yet certain")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], UNCERTAIN.mix(0.8).filled())
            });
    }
    draw_gantt_marks(&mut chart, g)?;
    chart
        .configure_series_labels()
        // Bars are in the order members joined: the lower left stays empty.
        .position(SeriesLabelPosition::LowerLeft)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    draw_footer(&footer, g.start, g.end, &g.basis)?;
    root.present()?;
    Ok(())
}

/// One bar per member, lighter where the date it joined, or a pending ending, is not yet certain; whether any
/// part was drawn lighter.
fn draw_bars(chart: &mut GanttArea, g: &Gantt, color: RGBColor) -> Result<bool> {
    let n = g.bars.len();
    // Row 0 is drawn at the bottom: the first bar goes on the top row.
    let row = |i: usize| (n - 1 - i) as i32;
    let mut shaded = false;
    let bar = |from: Day, until: Day, y: i32, style: ShapeStyle| {
        let mut r = Rectangle::new(
            [
                (date(from), SegmentValue::Exact(y)),
                (
                    date(until),
                    if y + 1 == n as i32 {
                        SegmentValue::Last
                    } else {
                        SegmentValue::Exact(y + 1)
                    },
                ),
            ],
            style,
        );
        r.set_margin(4, 4, 0, 0);
        r
    };
    for (i, b) in g.bars.iter().enumerate() {
        for s in &b.spans {
            if s.start < s.certain_from {
                shaded = true;
                chart.draw_series(std::iter::once(bar(
                    s.start,
                    s.certain_from,
                    row(i),
                    UNCERTAIN.mix(0.8).filled(),
                )))?;
            }
            if s.certain_from < s.uncertain_from {
                chart.draw_series(std::iter::once(bar(
                    s.certain_from,
                    s.uncertain_from,
                    row(i),
                    color.filled(),
                )))?;
            }
            if s.uncertain_from < s.end {
                shaded = true;
                chart.draw_series(std::iter::once(bar(
                    s.uncertain_from,
                    s.end,
                    row(i),
                    UNCERTAIN.mix(0.8).filled(),
                )))?;
            }
        }
    }
    Ok(shaded)
}

/// Amendments of the alliance's events, as vertical lines across every bar.
fn draw_gantt_marks(chart: &mut GanttArea, g: &Gantt) -> Result<()> {
    for kind in [
        MarkKind::Correction,
        MarkKind::Retraction,
        MarkKind::Revised,
    ] {
        let days: Vec<Day> = g
            .marks
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.day)
            .collect();
        if days.is_empty() {
            continue;
        }
        let style = MARK.stroke_width(2);
        chart
            .draw_series(days.into_iter().map(|d| {
                PathElement::new(
                    vec![
                        (date(d), SegmentValue::Exact(0)),
                        (date(d), SegmentValue::Last),
                    ],
                    style,
                )
            }))?
            .label(format!("{} ({})", kind.legend(), kind.name()))
            .legend(move |(x, y)| PathElement::new(vec![(x + 12, y - 7), (x + 12, y + 7)], style));
    }
    Ok(())
}
