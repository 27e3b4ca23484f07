//! How human output looks: colour and width, decided once at startup from `--color`, the
//! environment and whether stdout is a terminal; and the one table style every command uses.
//!
//! Invariants: nothing in the program styles text except through a [`Look`], so `--color
//! never`, `NO_COLOR` and piped output always give plain text; a table is wrapped to a
//! width only when one is known (a terminal, or `COLUMNS`), so piped output never wraps and
//! stays greppable.

use clap::ValueEnum;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};
use std::io::{IsTerminal, Write};

/// `--color`: when to colour output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour (overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

/// How human-readable output looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Whether to colour (ANSI escapes).
    pub color: bool,
    /// The width to fit tables and charts to, when known.
    pub width: Option<u16>,
    /// The height of the terminal in lines, when known (a terminal, or `LINES`).
    pub height: Option<u16>,
}

/// A size from the environment variable `name` (`COLUMNS`, `LINES`), if it is a number of
/// at least `min`.
fn env_size(name: &str, min: u16) -> Option<u16> {
    std::env::var(name)
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|n| *n >= min)
}

/// Semantic colours: what a piece of text means, not how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Headers and group titles.
    Heading,
    /// Not certain as of the date asked, or approximate.
    Uncertain,
    /// Replaced by a correction, or a correction itself.
    Corrected,
    /// Withdrawn.
    Retracted,
    /// Secondary information (sources, footnotes).
    Dim,
}

impl Look {
    /// Decide once, at startup.
    pub fn detect(choice: ColorChoice) -> Look {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let size = if tty {
            console::Term::stdout().size_checked()
        } else {
            None
        };
        let width = size.map(|(_, w)| w).or_else(|| env_size("COLUMNS", 20));
        let height = size.map(|(h, _)| h).or_else(|| env_size("LINES", 5));
        Look {
            color,
            width,
            height,
        }
    }

    /// The width to draw charts at (80 columns when none is known).
    pub fn chart_width(&self) -> usize {
        usize::from(self.width.unwrap_or(80)).clamp(40, 400)
    }

    /// `text` in the colour of `tone` (unchanged without colour).
    pub fn paint(&self, tone: Tone, text: &str) -> String {
        if !self.color || text.is_empty() {
            return text.to_string();
        }
        let style = console::Style::new().force_styling(true);
        let style = match tone {
            Tone::Heading => style.bold(),
            Tone::Uncertain => style.yellow(),
            Tone::Corrected => style.cyan(),
            Tone::Retracted => style.red(),
            Tone::Dim => style.dim(),
        };
        style.apply_to(text).to_string()
    }

    /// `text` in the colour of series number `i` of a chart (unchanged without colour).
    pub fn series(&self, i: usize, text: &str) -> String {
        if !self.color || text.is_empty() {
            return text.to_string();
        }
        let style = console::Style::new().force_styling(true);
        let style = match i % 6 {
            0 => style.blue(),
            1 => style.red(),
            2 => style.green(),
            3 => style.magenta(),
            4 => style.cyan(),
            _ => style.yellow(),
        };
        style.apply_to(text).to_string()
    }

    /// A cell of `text` in the colour of `tone`.
    pub fn cell(&self, tone: Option<Tone>, text: impl Into<String>) -> Cell {
        let cell = Cell::new(text.into());
        match tone {
            None => cell,
            Some(Tone::Heading) => cell.add_attribute(Attribute::Bold),
            Some(Tone::Uncertain) => cell.fg(Color::Yellow),
            Some(Tone::Corrected) => cell.fg(Color::Cyan),
            Some(Tone::Retracted) => cell.fg(Color::Red),
            Some(Tone::Dim) => cell.add_attribute(Attribute::Dim),
        }
    }

    /// Print a table: a bold header, columns two spaces apart; when a width is known, a rule
    /// under the header and long values wrapped to the width at spaces: a column of single
    /// words (dates, ids, codes, numbers) is never wrapped, and a column of text is made at
    /// least as wide as its longest word whenever every column's longest word fits the
    /// width together (else only a word wider than its column is split).
    pub fn table(
        &self,
        out: &mut impl Write,
        header: &[&str],
        rows: Vec<Vec<Cell>>,
    ) -> std::io::Result<()> {
        let mut table = Table::new();
        // A rule under the header on a terminal; piped output keeps one line per row.
        if self.width.is_some() {
            table.load_style(
                comfy_table::TableStyle::new()
                    .header_separator(comfy_table::LineStyle::none().fill('─')),
            );
        } else {
            table.load_style(comfy_table::TableStyle::new());
        }
        table.force_no_tty();
        if self.color {
            // Style the text only, so padding stays plain and trailing blanks can be trimmed.
            table.enforce_styling();
            table.style_text_only();
        }
        match self.width {
            Some(w) => {
                table.set_content_arrangement(ContentArrangement::Dynamic);
                table.set_width(w);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        table.set_header(
            header
                .iter()
                .map(|h| self.cell(Some(Tone::Heading), *h))
                .collect::<Vec<_>>(),
        );
        let shapes: Vec<Shape> = (0..header.len())
            .map(|i| Shape::of(header[i], rows.iter().filter_map(|r| r.get(i))))
            .collect();
        for row in rows {
            table.add_row(row);
        }
        let last = header.len().saturating_sub(1);
        let floors = self.width.is_some_and(|w| words_fit(&shapes, w));
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if i == last { 0 } else { 2 }));
            let Some(shape) = shapes.get(i) else { continue };
            if let Some(w) = self.width {
                column.set_constraint(shape.constraint(w, floors));
            }
        }
        for line in table.lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// What a table column holds, for laying it out.
struct Shape {
    /// No cell has a space: it is never wrapped.
    unbreakable: bool,
    /// The longest word of any cell (header included), in characters.
    longest_word: usize,
    /// The widest cell (header included), in characters.
    widest: usize,
}

impl Shape {
    fn of<'a>(header: &str, cells: impl Iterator<Item = &'a Cell>) -> Shape {
        let texts: Vec<String> = cells.map(Cell::content).collect();
        let longest_word = texts
            .iter()
            .map(String::as_str)
            .chain([header])
            .flat_map(str::split_whitespace)
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        let widest = texts
            .iter()
            .map(String::as_str)
            .chain([header])
            .flat_map(str::lines)
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        Shape {
            unbreakable: texts
                .iter()
                .all(|t| !t.trim().contains(char::is_whitespace)),
            longest_word,
            widest,
        }
    }

    /// The fewest characters the column needs so that no word in it is split.
    fn needs(&self) -> usize {
        if self.unbreakable {
            self.widest
        } else {
            self.longest_word
        }
    }

    /// How wide the column may be in a table `width` columns wide; `floor`: whether a text
    /// column is kept as wide as its longest word.
    fn constraint(&self, width: u16, floor: bool) -> comfy_table::ColumnConstraint {
        use comfy_table::{ColumnConstraint, Width};
        if self.unbreakable {
            return ColumnConstraint::ContentWidth;
        }
        if !floor {
            return ColumnConstraint::LowerBoundary(Width::Fixed(1));
        }
        let floor = u16::try_from(self.longest_word)
            .unwrap_or(u16::MAX)
            .min(width);
        ColumnConstraint::LowerBoundary(Width::Fixed(floor))
    }
}

/// Whether every column's longest word (the whole cell, for a column never wrapped) fits
/// in `width` together, with two spaces between columns.
fn words_fit(shapes: &[Shape], width: u16) -> bool {
    let gaps = 2 * shapes.len().saturating_sub(1);
    shapes.iter().map(Shape::needs).sum::<usize>() + gaps <= usize::from(width)
}

/// What a command prints on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Tables, charts and text for people.
    Human,
    /// One JSON document (`--json`): the stable machine format.
    Json,
    /// JSON Lines (`--jsonl`): one object per row, event or step.
    Jsonl,
}

impl Format {
    /// From the global `--json` and `--jsonl` flags (clap keeps them exclusive).
    pub fn of(json: bool, jsonl: bool) -> Format {
        match (json, jsonl) {
            (true, _) => Format::Json,
            (_, true) => Format::Jsonl,
            _ => Format::Human,
        }
    }

    /// Whether the output is for machines (either JSON format).
    pub fn is_machine(self) -> bool {
        self != Format::Human
    }
}
