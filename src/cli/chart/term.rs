//! Charts in the terminal: step series as braille line charts (2×4 dots a character) and
//! Gantt bars as Unicode blocks, fitted to the terminal width (80 columns when unknown).
//!
//! Invariants: no line is wider than [`Look::chart_width`] columns; colour comes only from
//! the [`Look`]; columns map to days linearly from the chart's first to its last day, so a
//! mark or a step lands in the column of its day.

use super::{Gantt, LineChart, Mark, MarkKind, Step};
use crate::cli::output::{Look, Tone};
use crate::cli::progress::thousands;
use crate::cli::render::known_at;
use annals::Day;
use std::io::{Result, Write};

/// Braille rows per series: 16 levels of dots.
const HEIGHT: usize = 4;

/// The bits of the braille dots in a character, by (column, row from the top).
const DOTS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// Maps days to columns of a chart `cols` characters wide.
struct Scale {
    start: Day,
    /// Days drawn (the end day included).
    days: u64,
    cols: usize,
}

impl Scale {
    fn new(start: Day, end: Day, cols: usize) -> Scale {
        Scale {
            start,
            days: u64::from(end.0.saturating_sub(start.0)) + 1,
            cols: cols.max(1),
        }
    }

    /// The first day of sub-column `i` of `parts` per column.
    fn day(&self, i: usize, parts: usize) -> Day {
        let offset = self.days * i as u64 / (self.cols * parts) as u64;
        Day(self.start.0.saturating_add(offset as u32))
    }

    /// The column a day falls in.
    fn col(&self, day: Day) -> usize {
        let offset = u64::from(day.0.saturating_sub(self.start.0));
        ((offset * self.cols as u64 / self.days) as usize).min(self.cols - 1)
    }

    /// A line of `cols` characters with date labels spread along it.
    fn labels(&self) -> String {
        let mut line = vec![' '; self.cols];
        let width = 10;
        let n = (self.cols / (width + 4)).clamp(1, 6);
        for k in 0..=n {
            // n is at least 1 (clamped above).
            let col = k * self.cols.saturating_sub(width) / n;
            let text = self.day(col, 1).to_string();
            if line[col..].len() >= text.len()
                && line[col.saturating_sub(1)..(col + text.len()).min(self.cols)]
                    .iter()
                    .all(|c| *c == ' ')
            {
                for (i, ch) in text.chars().enumerate() {
                    line[col + i] = ch;
                }
            }
        }
        line.into_iter().collect::<String>().trim_end().to_string()
    }
}

/// The value of a step series at the start of each dot column.
fn dot_values(steps: &[Step], scale: &Scale) -> Vec<Option<u64>> {
    (0..scale.cols * 2)
        .map(|x| super::value_at(steps, scale.day(x, 2)).map(|v| v.0))
        .collect()
}

/// A braille step line of `values` (one per dot column) scaled to `max`.
fn braille(values: &[Option<u64>], max: u64) -> Vec<String> {
    let levels = (HEIGHT * 4 - 1) as u64;
    let cols = values.len().div_ceil(2);
    let mut cells = vec![vec![0u32; cols]; HEIGHT];
    let mut set = |x: usize, level: u64| {
        let row_from_top = (levels - level.min(levels)) as usize;
        cells[row_from_top / 4][x / 2] |= DOTS[x % 2][row_from_top % 4];
    };
    let mut previous: Option<u64> = None;
    for (x, v) in values.iter().enumerate() {
        let Some(v) = v else {
            previous = None;
            continue;
        };
        let level = (v * levels + max / 2) / max.max(1);
        // A step up or down is drawn as a vertical stroke from the previous level.
        let from = previous.unwrap_or(level);
        for l in from.min(level)..=from.max(level) {
            set(x, l);
        }
        previous = Some(level);
    }
    cells
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|bits| match bits {
                    0 => ' ',
                    _ => char::from_u32(0x2800 + bits).unwrap_or(' '),
                })
                .collect()
        })
        .collect()
}

/// One line under a chart with `symbol` in each column where `hit` is true.
fn flag_row(scale: &Scale, symbol: char, hit: impl Fn(Day, Day) -> bool) -> Option<String> {
    let line: String = (0..scale.cols)
        .map(|c| {
            let (from, until) = (scale.day(c, 1), scale.day(c + 1, 1));
            if hit(from, until.max(Day(from.0 + 1))) {
                symbol
            } else {
                ' '
            }
        })
        .collect();
    (line.trim() != "").then(|| line.trim_end().to_string())
}

/// The steps' uncertain spans: [start, until) of every step not certain.
fn uncertain_spans(steps: &[Step], end: Day) -> Vec<(Day, Day)> {
    steps
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.certain && s.value.is_some())
        .map(|(i, s)| (s.start, super::step_until(steps, i, end)))
        .collect()
}

fn marks_row(scale: &Scale, marks: &[&Mark]) -> Option<String> {
    if marks.is_empty() {
        return None;
    }
    let mut line = vec![' '; scale.cols];
    for m in marks {
        line[scale.col(m.day)] = m.kind.symbol();
    }
    Some(line.into_iter().collect::<String>().trim_end().to_string())
}

/// The legend: what the chart itself draws (`drawn`), then the marks it shows.
fn legend(drawn: &[String], marks: &[Mark]) -> String {
    let mut parts: Vec<String> = drawn.to_vec();
    for kind in [
        MarkKind::Correction,
        MarkKind::Retraction,
        MarkKind::Revised,
    ] {
        if marks.iter().any(|m| m.kind == kind) {
            parts.push(format!("{} {}", kind.symbol(), kind.legend()));
        }
    }
    parts.join("   ")
}

fn mark_lines(out: &mut impl Write, look: &Look, marks: &[Mark]) -> Result<()> {
    for m in marks {
        writeln!(
            out,
            "  {} {}  {}: {}",
            m.kind.symbol(),
            m.day,
            m.series,
            look.paint(Tone::Dim, &m.note)
        )?;
    }
    Ok(())
}

/// A step chart: one braille chart per series on a shared scale, with rows for uncertain
/// spans and marks under it, then a date axis and a legend.
pub fn line_chart(out: &mut impl Write, look: &Look, c: &LineChart) -> Result<()> {
    writeln!(out, "{}", look.paint(Tone::Heading, &c.title))?;
    writeln!(out, "{} to {}, {}", c.start, c.end, known_at(&c.basis))?;
    let max = c.max_value().max(1);
    let gutter = thousands(max).len();
    let scale = Scale::new(c.start, c.end, look.chart_width() - gutter - 2);
    let pad = " ".repeat(gutter + 1);
    let mut any_uncertain = false;
    for (i, s) in c.series.iter().enumerate() {
        let last = |steps: &[Step]| {
            super::value_at(steps, c.end).map_or("none".to_string(), |v| thousands(v.0))
        };
        let mut head = format!("{}  (on {}: {}", s.label, c.end, last(&s.steps));
        if let Some(now) = &s.now {
            head.push_str(&format!("; known now: {}", last(now)));
        }
        head.push(')');
        writeln!(out, "{}", look.series(i, &head))?;
        for (r, row) in braille(&dot_values(&s.steps, &scale), max)
            .into_iter()
            .enumerate()
        {
            let axis = match r {
                0 => format!("{:>gutter$} ┤", thousands(max)),
                r if r == HEIGHT - 1 => format!("{:>gutter$} ┤", 0),
                _ => format!("{pad}│"),
            };
            writeln!(out, "{axis}{}", look.series(i, row.trim_end()))?;
        }
        let spans = uncertain_spans(&s.steps, c.end);
        if let Some(row) = flag_row(&scale, '░', |from, until| {
            spans.iter().any(|(a, b)| *a < until && *b > from)
        }) {
            any_uncertain = true;
            writeln!(out, "{pad} {}", look.paint(Tone::Uncertain, &row))?;
        }
        let marks: Vec<&Mark> = c.marks.iter().filter(|m| m.series == s.label).collect();
        if let Some(row) = marks_row(&scale, &marks) {
            writeln!(out, "{pad} {}", look.paint(Tone::Corrected, &row))?;
        }
    }
    writeln!(out, "{pad}└{}", "─".repeat(scale.cols))?;
    writeln!(out, "{pad} {}", scale.labels())?;
    let drawn: Vec<String> = any_uncertain
        .then(|| format!("{} date not yet certain", look.paint(Tone::Uncertain, "░")))
        .into_iter()
        .collect();
    let legend = legend(&drawn, &c.marks);
    if !legend.is_empty() {
        writeln!(out, "{legend}")?;
    }
    mark_lines(out, look, &c.marks)
}

/// A Gantt chart: one row of blocks per member, █ where it is a member and ▒ where the date
/// it joined, or the date of a pending departure or dissolution, is not yet certain.
pub fn gantt(out: &mut impl Write, look: &Look, g: &Gantt) -> Result<()> {
    writeln!(out, "{}", look.paint(Tone::Heading, &g.title))?;
    writeln!(out, "{} to {}, {}", g.start, g.end, known_at(&g.basis))?;
    let gutter = g
        .bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let scale = Scale::new(g.start, g.end, look.chart_width() - gutter - 2);
    let mut any_uncertain = false;
    for bar in &g.bars {
        let mut line = String::new();
        for col in 0..scale.cols {
            let (from, until) = (
                scale.day(col, 1),
                scale.day(col + 1, 1).max(Day(scale.day(col, 1).0 + 1)),
            );
            let overlaps = |a: Day, b: Day| a < until && b > from && a < b;
            let certain = (bar.spans.iter()).any(|s| overlaps(s.certain_from, s.uncertain_from));
            let uncertain = (bar.spans.iter())
                .any(|s| overlaps(s.start, s.certain_from) || overlaps(s.uncertain_from, s.end));
            line.push_str(&match (certain, uncertain) {
                (true, _) => look.series(0, "█"),
                (false, true) => {
                    any_uncertain = true;
                    look.paint(Tone::Uncertain, "▒")
                }
                _ => " ".to_string(),
            });
        }
        writeln!(out, "{:<gutter$} │{}", bar.label, line.trim_end())?;
    }
    let marks: Vec<&Mark> = g.marks.iter().collect();
    if let Some(row) = marks_row(&scale, &marks) {
        writeln!(out, "{:gutter$}  {}", "", look.paint(Tone::Corrected, &row))?;
    }
    writeln!(out, "{:gutter$} └{}", "", "─".repeat(scale.cols))?;
    writeln!(out, "{:gutter$}  {}", "", scale.labels())?;
    let mut drawn = vec![format!("{} member", look.series(0, "█"))];
    if any_uncertain {
        drawn.push(format!(
            "{} joined or leaving on a date not yet certain",
            look.paint(Tone::Uncertain, "▒")
        ));
    }
    writeln!(out, "{}", legend(&drawn, &g.marks))?;
    mark_lines(out, look, &g.marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_up_is_a_vertical_stroke_and_absence_a_gap() {
        let rows = braille(&[Some(0), Some(0), Some(15), None], 15);
        assert_eq!(rows.len(), HEIGHT);
        // Character 0: the value 0 twice, as the two bottom dots; character 1: a stroke
        // from 0 to the top in its left half, and nothing in its right half (absent).
        assert_eq!(rows[0], " \u{2847}");
        assert_eq!(rows[1], " \u{2847}");
        assert_eq!(rows[HEIGHT - 1], "\u{28C0}\u{2847}");
    }

    #[test]
    fn days_map_to_columns_across_the_whole_width() {
        let start = Day::parse_query("2024-01-01").unwrap();
        let end = Day::parse_query("2024-12-31").unwrap();
        let s = Scale::new(start, end, 61);
        assert_eq!(s.col(start), 0);
        assert_eq!(s.col(end), 60);
        assert_eq!(s.day(0, 1), start);
        assert!(s.labels().starts_with("2024-01-01"));
        assert!(s.labels().chars().count() <= 61);
    }
}
