//! Charts in the terminal: step series as braille line charts (2×4 dots a character), one
//! panel per series, and Gantt bars as Unicode blocks, fitted to the terminal width (80
//! columns when unknown) and, for line charts, to its height.
//!
//! Invariants: no line is wider than [`Look::chart_width`] columns; colour comes only from
//! the [`Look`]; columns map to days linearly from the chart's first to its last day, so a
//! mark, a step or a tick lands in the column of its day; every panel of a line chart has
//! its own y-scale from 0 (its bottom row) to its series' largest value (its top row), both
//! labelled, so a small series is never flattened onto the zero row by a large one; the
//! date axis is ticked at calendar boundaries one step apart ([`super::ticks`]).

use super::ticks::calendar_ticks;
use super::{Gantt, LineChart, Mark, MarkKind, Series, Step};
use crate::cli::output::{Look, Tone};
use crate::cli::progress::thousands;
use crate::cli::render::known_at;
use annals::Day;
use std::io::{Result, Write};

/// Braille rows per panel when the terminal's height is unknown (24 levels of dots).
const DEFAULT_HEIGHT: usize = 6;

/// The fewest braille rows a panel gets (16 levels), however short the terminal.
const MIN_HEIGHT: usize = 4;

/// The most braille rows a panel gets (64 levels), however tall the terminal.
const MAX_HEIGHT: usize = 16;

/// The glyph of the line "as known now", drawn where it differs from the chart's knowledge.
const NOW_GLYPH: char = '╌';

/// The bits of the braille dots in a character, by (column, row from the top).
const DOTS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// Maps days to columns of a chart `cols` characters wide.
struct Scale {
    start: Day,
    end: Day,
    /// Days drawn (the end day included).
    days: u64,
    cols: usize,
}

impl Scale {
    fn new(start: Day, end: Day, cols: usize) -> Scale {
        Scale {
            start,
            end,
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

    /// The date axis: a rule of `cols` characters with `┬` at every calendar tick, and the
    /// ticks' labels under it, each starting in its tick's column (or, near the right edge,
    /// ending at the width, still over its tick's column). Ticks are chosen so their labels
    /// fit with room to spare; a label that would still touch the one before is left out
    /// (its `┬` stays).
    fn axis(&self) -> (String, String) {
        let room = |step: super::ticks::TickStep| self.cols / (step.label_width() + 4);
        let (step, ticks) = calendar_ticks(self.start, self.end, room);
        let mut rule = vec!['─'; self.cols];
        let mut labels = vec![' '; self.cols];
        let mut free_from = 0;
        for tick in ticks {
            let col = self.col(tick);
            rule[col] = '┬';
            let text: Vec<char> = step.label(tick).chars().collect();
            let at = col.min(self.cols.saturating_sub(text.len()));
            if at >= free_from && at + text.len() <= self.cols {
                labels[at..at + text.len()].copy_from_slice(&text);
                free_from = at + text.len() + 1;
            }
        }
        let labels: String = labels.into_iter().collect();
        (rule.into_iter().collect(), labels.trim_end().to_string())
    }
}

/// The value of a step series at the start of each dot column.
fn dot_values(steps: &[Step], scale: &Scale) -> Vec<Option<u64>> {
    (0..scale.cols * 2)
        .map(|x| super::value_at(steps, scale.day(x, 2)).map(|v| v.0))
        .collect()
}

/// The dot level of `v` in a panel `height` rows tall scaled to `max`: 0 on the bottom dot
/// row, `height * 4 - 1` (the top) at `max`, rounded to the nearest.
fn level(v: u64, max: u64, height: usize) -> u64 {
    let levels = (height * 4 - 1) as u64;
    ((v.min(max) * levels + max / 2) / max.max(1)).min(levels)
}

/// The braille bits of a step line of `values` (one per dot column) scaled to `max`, as
/// `height` rows of cells: each value a dot at its level, each step up or down a vertical
/// stroke from the previous level, and nothing where a value is absent.
fn braille_bits(values: &[Option<u64>], max: u64, height: usize) -> Vec<Vec<u32>> {
    let top = (height * 4 - 1) as u64;
    let mut cells = vec![vec![0u32; values.len().div_ceil(2)]; height];
    let mut previous: Option<u64> = None;
    for (x, v) in values.iter().enumerate() {
        let Some(v) = v else {
            previous = None;
            continue;
        };
        let level = level(*v, max, height);
        let from = previous.unwrap_or(level);
        for l in from.min(level)..=from.max(level) {
            let row_from_top = (top - l) as usize;
            cells[row_from_top / 4][x / 2] |= DOTS[x % 2][row_from_top % 4];
        }
        previous = Some(level);
    }
    cells
}

/// The cells (row from the top, column) of the line known now: at the row of its value, in
/// every column where it differs from the chart's line in either dot column.
fn now_cells(
    then: &[Option<u64>],
    now: &[Option<u64>],
    max: u64,
    height: usize,
) -> Vec<(usize, usize)> {
    let top = (height * 4 - 1) as u64;
    then.iter()
        .zip(now)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .filter_map(|(x, (_, b))| b.map(|v| (((top - level(v, max, height)) / 4) as usize, x / 2)))
        .collect()
}

/// Rows of text from braille bits, with [`NOW_GLYPH`] in the `now` cells no dot is in.
fn render(cells: &[Vec<u32>], now: &[(usize, usize)]) -> Vec<String> {
    (cells.iter().enumerate())
        .map(|(r, row)| {
            (row.iter().enumerate())
                .map(|(c, bits)| match bits {
                    0 if now.contains(&(r, c)) => NOW_GLYPH,
                    0 => ' ',
                    _ => char::from_u32(0x2800 + bits).unwrap_or(' '),
                })
                .collect()
        })
        .collect()
}

/// Braille rows per panel: as many as let `panels` panels and `overhead` other lines fit in
/// a terminal of `lines` lines, within [`MIN_HEIGHT`]..=[`MAX_HEIGHT`];
/// [`DEFAULT_HEIGHT`] when the height is unknown (piped, no `LINES`).
fn panel_height(lines: Option<u16>, panels: usize, overhead: usize) -> usize {
    match lines {
        None => DEFAULT_HEIGHT,
        Some(h) => {
            (usize::from(h).saturating_sub(overhead) / panels.max(1)).clamp(MIN_HEIGHT, MAX_HEIGHT)
        }
    }
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

/// The legend: what the chart itself draws (`drawn`), then the marks it shows, as lines no
/// wider than `width` (an item wider than that gets a line of its own).
fn legend(drawn: &[String], marks: &[Mark], width: usize) -> Vec<String> {
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
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        match lines.last_mut() {
            Some(line)
                if console::measure_text_width(line) + 3 + console::measure_text_width(&part)
                    <= width =>
            {
                line.push_str("   ");
                line.push_str(&part);
            }
            _ => lines.push(part),
        }
    }
    lines
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

/// How the panels of a line chart are laid out: the date scale, the braille rows per panel
/// and the width of the y-axis labels.
struct Layout {
    scale: Scale,
    height: usize,
    gutter: usize,
}

/// What a panel drew besides its line.
#[derive(Default)]
struct Drawn {
    uncertain: bool,
    now: bool,
}

/// The line of `s`'s panel head: its label, its value on the last day, and the value known
/// now when the chart is at a past knowledge.
fn panel_head(s: &Series, end: Day) -> String {
    let last =
        |steps: &[Step]| super::value_at(steps, end).map_or("none".to_string(), |v| thousands(v.0));
    let mut head = format!("{}  (on {end}: {}", s.label, last(&s.steps));
    if let Some(now) = &s.now {
        head.push_str(&format!("; known now: {}", last(now)));
    }
    head.push(')');
    head
}

/// Series `i`'s panel: its head, its step line in `height` braille rows scaled to its own
/// largest value (labelled on the top row; 0 on the bottom row), the line known now where
/// it differs, then rows for its uncertain spans and its marks.
fn panel(
    out: &mut impl Write,
    look: &Look,
    (c, i, s): (&LineChart, usize, &Series),
    l: &Layout,
) -> Result<Drawn> {
    let (scale, height, gutter) = (&l.scale, l.height, l.gutter);
    let pad = " ".repeat(gutter + 1);
    let max = s.max_value().max(1);
    writeln!(out, "{}", look.series(i, &panel_head(s, c.end)))?;
    let then = dot_values(&s.steps, scale);
    let now = s.now.as_ref().map(|n| dot_values(n, scale));
    let now = now.map_or(Vec::new(), |n| now_cells(&then, &n, max, height));
    let mut drawn = Drawn {
        now: !now.is_empty(),
        ..Drawn::default()
    };
    for (r, row) in render(&braille_bits(&then, max, height), &now)
        .into_iter()
        .enumerate()
    {
        let axis = match r {
            0 => format!("{:>gutter$} ┤", thousands(max)),
            r if r == height - 1 => format!("{:>gutter$} ┤", 0),
            _ => format!("{pad}│"),
        };
        writeln!(out, "{axis}{}", look.series(i, row.trim_end()))?;
    }
    let spans = uncertain_spans(&s.steps, c.end);
    if let Some(row) = flag_row(scale, '░', |from, until| {
        spans.iter().any(|(a, b)| *a < until && *b > from)
    }) {
        drawn.uncertain = true;
        writeln!(out, "{pad} {}", look.paint(Tone::Uncertain, &row))?;
    }
    let marks: Vec<&Mark> = c.marks.iter().filter(|m| m.series == s.label).collect();
    if let Some(row) = marks_row(scale, &marks) {
        writeln!(out, "{pad} {}", look.paint(Tone::Corrected, &row))?;
    }
    Ok(drawn)
}

/// The lines a line chart takes besides its panels' braille rows: title, window, each
/// panel's head and flag rows, the axis, the legend, the marks' notes and a prompt.
fn overhead(c: &LineChart) -> usize {
    let flagged = c.series.iter().filter(|s| {
        s.steps.iter().any(|st| !st.certain) || c.marks.iter().any(|m| m.series == s.label)
    });
    2 + c.series.len() + flagged.count() + 2 + 2 + c.marks.len() + 1
}

/// A step chart: one panel per series, each on its own y-scale, with rows for uncertain
/// spans and marks under it, then a date axis ticked at calendar boundaries and a legend.
pub fn line_chart(out: &mut impl Write, look: &Look, c: &LineChart) -> Result<()> {
    writeln!(out, "{}", look.paint(Tone::Heading, &c.title))?;
    writeln!(out, "{} to {}, {}", c.start, c.end, known_at(&c.basis))?;
    let gutter = (c.series.iter())
        .map(|s| thousands(s.max_value().max(1)).len())
        .max()
        .unwrap_or(1);
    let layout = Layout {
        scale: Scale::new(c.start, c.end, look.chart_width() - gutter - 2),
        height: panel_height(look.height, c.series.len(), overhead(c)),
        gutter,
    };
    let mut drawn = Drawn::default();
    for (i, s) in c.series.iter().enumerate() {
        let d = panel(out, look, (c, i, s), &layout)?;
        drawn.uncertain |= d.uncertain;
        drawn.now |= d.now;
    }
    let pad = " ".repeat(gutter + 1);
    let (rule, labels) = layout.scale.axis();
    writeln!(out, "{pad}└{rule}")?;
    writeln!(out, "{pad} {labels}")?;
    let mut items = Vec::new();
    if c.series.len() > 1 {
        items.push("each panel has its own scale, 0 to the value on its top row".to_string());
    }
    if drawn.uncertain {
        items.push(format!(
            "{} date not yet certain",
            look.paint(Tone::Uncertain, "░")
        ));
    }
    if drawn.now {
        items.push(format!("{NOW_GLYPH} as known now, where it differs"));
    }
    for line in legend(&items, &c.marks, look.chart_width()) {
        writeln!(out, "{line}")?;
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
    let (rule, labels) = scale.axis();
    writeln!(out, "{:gutter$} └{rule}", "")?;
    writeln!(out, "{:gutter$}  {labels}", "")?;
    let mut drawn = vec![format!("{} member", look.series(0, "█"))];
    if any_uncertain {
        drawn.push(format!(
            "{} joined or leaving on a date not yet certain",
            look.paint(Tone::Uncertain, "▒")
        ));
    }
    for line in legend(&drawn, &g.marks, look.chart_width()) {
        writeln!(out, "{line}")?;
    }
    mark_lines(out, look, &g.marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A braille step line of `values` (one per dot column) scaled to `max`, `height` rows.
    fn braille(values: &[Option<u64>], max: u64, height: usize) -> Vec<String> {
        render(&braille_bits(values, max, height), &[])
    }

    #[test]
    fn a_step_up_is_a_vertical_stroke_and_absence_a_gap() {
        let rows = braille(&[Some(0), Some(0), Some(15), None], 15, 4);
        assert_eq!(rows.len(), 4);
        // Character 0: the value 0 twice, as the two bottom dots; character 1: a stroke
        // from 0 to the top in its left half, and nothing in its right half (absent).
        assert_eq!(rows[0], " \u{2847}");
        assert_eq!(rows[1], " \u{2847}");
        assert_eq!(rows[3], "\u{28C0}\u{2847}");
    }

    #[test]
    fn each_value_is_drawn_at_its_level_on_the_panels_own_scale() {
        // 30,000 on a scale to 30,000 is on the top row, whatever another panel's maximum.
        let rows = braille(&[Some(30_000), Some(30_000)], 30_000, 6);
        assert_ne!(rows[0].trim(), "");
        assert!(rows[1..].iter().all(|r| r.trim().is_empty()), "{rows:?}");
        assert_eq!(level(0, 30_000, 6), 0);
        assert_eq!(level(15_000, 30_000, 6), 12);
        assert_eq!(level(30_000, 30_000, 6), 23);
    }

    #[test]
    fn the_line_known_now_is_drawn_where_it_differs_and_not_over_dots() {
        let then = [Some(8), Some(8), Some(8), Some(8)];
        let now = [Some(8), Some(8), Some(15), Some(15)];
        let cells = now_cells(&then, &now, 15, 4);
        assert_eq!(cells, [(0, 1), (0, 1)]);
        let rows = render(&braille_bits(&then, 15, 4), &cells);
        assert_eq!(rows[0].chars().nth(1), Some(NOW_GLYPH));
        assert_eq!(rows[0].chars().next(), Some(' '));
    }

    #[test]
    fn panels_follow_the_terminal_height_within_bounds() {
        assert_eq!(panel_height(None, 3, 12), DEFAULT_HEIGHT);
        assert_eq!(panel_height(Some(10), 3, 12), MIN_HEIGHT);
        assert_eq!(panel_height(Some(42), 3, 12), 10);
        assert_eq!(panel_height(Some(200), 1, 12), MAX_HEIGHT);
    }

    #[test]
    fn days_map_to_columns_across_the_whole_width() {
        let start = Day::parse_query("2024-01-01").unwrap();
        let end = Day::parse_query("2024-12-31").unwrap();
        let s = Scale::new(start, end, 61);
        assert_eq!(s.col(start), 0);
        assert_eq!(s.col(end), 60);
        assert_eq!(s.day(0, 1), start);
        let (rule, labels) = s.axis();
        assert_eq!(rule.chars().count(), 61);
        assert_eq!(
            rule.chars().next(),
            Some('┬'),
            "2024-01 is ticked at column 0"
        );
        assert!(labels.starts_with("2024-01 "), "{labels}");
        assert!(labels.chars().count() <= 61);
    }

    #[test]
    fn axis_labels_are_under_their_ticks() {
        let start = Day::parse_query("1949-04-04").unwrap();
        let end = Day::parse_query("2026-12-01").unwrap();
        let (rule, labels) = Scale::new(start, end, 72).axis();
        let rule: Vec<char> = rule.chars().collect();
        let mut col = 0;
        for word in labels.split(' ') {
            if !word.is_empty() {
                assert!(rule[col..col + word.len()].contains(&'┬'), "{labels}");
            }
            col += word.len() + 1;
        }
        assert!(
            labels.contains("1950") && labels.contains("2020"),
            "{labels}"
        );
    }
}
