//! Published datasets in: a generic tabular importer driven by declarative mapping files,
//! and the bundled mapping files that make it an importer for COW, Archigos, UCDP and
//! SIPRI.
//!
//! Owns: the mapping format (`mapping.rs`, documented in `schema/mapping.md`), reading
//! tables (`read.rs`: delimiters, encodings, preambles, header names), dates from parts
//! (`dates.rs`), rows to event drafts (`rows.rs`), named hooks for what a mapping cannot
//! say (`hooks.rs`), the bundled mappings (`bundled/`), and the [`Importer`] that turns a
//! file into a stream of events or row problems.
//!
//! Every event is built as an interchange JSON object and parsed by
//! `interchange::parse_value` (the rules of `parse_line`, without the text), so every field rule, limit and kind declaration applies
//! exactly once: a new kind or field needs no change here. Ids are UUID v5 of the mapping's
//! name, the `[[event]]` block's role and the row's own identity (its `id` columns), never
//! of line numbers, so re-importing a file adds nothing.
//!
//! Invariants: nothing here panics on any input; every row is either mapped or reported
//! with its line and row number (a record with the wrong number of cells, a value the
//! mapping cannot read, a duplicate identity), never dropped silently; a row's events are
//! emitted all together or not at all; memory holds one row (plus what a hook groups, and
//! the ids seen, to catch duplicate identities).
//!
//! May import: `crate::model`, `crate::codes`, `crate::error` and external crates. The
//! store is not used here; callers append the events (see `Store::import_events`).

pub mod hooks;
pub mod mapping;
pub mod read;

mod cow_alliances;
mod cow_states;
mod dates;
mod rows;

pub use mapping::{Duplicates, Mapping};
pub use read::Row;

use crate::model::event::NewEvent;
use crate::model::interchange::parse_value;
use hooks::{Draft, Hook, Output};
use read::{Record, TableReader};
use rows::{Block, Columns, Missing};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::io::BufRead;
use uuid::Uuid;

/// The namespace of dataset event ids (UUID v5 of mapping name, role and row identity).
pub const DATASET_ID_NAMESPACE: Uuid = Uuid::from_u128(0x3c5e_0b7a_91d4_4f2b_8e6a_d2c1_7f90_a4b3);

/// What can stop a dataset import as a whole (row problems are [`RowProblem`]s instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The mapping is invalid or does not fit the file (an unknown key, kind, field or column).
    #[error("mapping {origin}: {reason}")]
    Mapping { origin: String, reason: String },
    /// The file cannot be read at this line (encoding, a missing header).
    #[error("line {line}: {reason}")]
    Read { line: u64, reason: String },
    /// No bundled format has this name.
    #[error("unknown format `{name}`{hint}; `annals import --list-formats` lists them")]
    UnknownFormat { name: String, hint: String },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// A row that cannot be mapped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// The file line the row starts on.
    pub line: u64,
    /// The 1-based data row.
    pub row: u64,
    pub reason: String,
}

/// One event made from a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedEvent {
    pub line: u64,
    pub row: u64,
    pub event: NewEvent,
}

/// What the importer yields: an event, or a row it cannot map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Event(Box<MappedEvent>),
    Problem(RowProblem),
}

/// The bundled formats: name and mapping text.
pub const BUNDLED: &[(&str, &str)] = &[
    ("archigos", include_str!("bundled/archigos.toml")),
    ("cow-alliances", include_str!("bundled/cow-alliances.toml")),
    ("cow-states", include_str!("bundled/cow-states.toml")),
    ("ucdp-ged", include_str!("bundled/ucdp-ged.toml")),
    ("sipri", include_str!("bundled/sipri.toml")),
];

/// The text of a bundled mapping.
pub fn bundled_text(name: &str) -> Result<&'static str, DatasetError> {
    match BUNDLED.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => Ok(text),
        None => Err(DatasetError::UnknownFormat {
            name: name.into(),
            hint: mapping::hint(name, BUNDLED.iter().map(|(n, _)| *n)),
        }),
    }
}

/// A bundled mapping, parsed.
pub fn bundled(name: &str) -> Result<Mapping, DatasetError> {
    Mapping::from_toml(bundled_text(name)?, &format!("bundled {name}"))
}

/// Which of the file's columns the mapping does not use.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ColumnReport {
    /// Neither used nor listed under `ignore`.
    pub not_carried: Vec<String>,
    /// Listed under `ignore`.
    pub ignored: Vec<String>,
}

/// A mapping compiled against one file's header.
struct Plan {
    name: String,
    blocks: Vec<Block>,
    id_columns: Vec<usize>,
    duplicates: Duplicates,
    missing: Missing,
    sources: Value,
}

impl Plan {
    fn compile(m: &Mapping, header: &[String]) -> Result<(Plan, ColumnReport), String> {
        let mut cols = Columns::new(header);
        let id_columns =
            m.id.iter()
                .map(|c| cols.index(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|r| format!("id: {r}"))?;
        let blocks = m
            .events
            .iter()
            .map(|e| Block::compile(e, &mut cols))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ignored_idx = Vec::new();
        for c in &m.ignore {
            ignored_idx.push(cols.index(c).map_err(|r| format!("ignore: {r}"))?);
        }
        let mut report = ColumnReport::default();
        for (i, used) in cols.used().iter().enumerate() {
            if ignored_idx.contains(&i) {
                report.ignored.push(header[i].clone());
            } else if !used {
                report.not_carried.push(header[i].clone());
            }
        }
        let source = match &m.source {
            Some(s) => json!([{"name": s.name, "url": s.url}]),
            None => json!([{"name": m.dataset}]),
        };
        let plan = Plan {
            name: m.name.clone(),
            blocks,
            id_columns,
            duplicates: m.duplicates,
            missing: Missing::new(m.missing()),
            sources: source,
        };
        Ok((plan, report))
    }

    /// The row's identity: its `id` cells, joined by a unit separator.
    fn identity(&self, row: &Row) -> String {
        let parts: Vec<&str> = self
            .id_columns
            .iter()
            .map(|c| row.cells.get(*c).map_or("", String::as_str))
            .collect();
        parts.join("\u{1f}")
    }

    /// The drafts the blocks make from a row with this identity.
    fn drafts(&self, row: &Row, identity: &str) -> Result<Vec<Draft>, String> {
        let mut out = Vec::new();
        for block in &self.blocks {
            if let Some(object) = block.build(row, &self.missing)? {
                out.push(Draft {
                    line: row.line,
                    row: row.number,
                    role: block.role.clone(),
                    identity: identity.to_owned(),
                    object,
                });
            }
        }
        Ok(out)
    }

    /// A draft's event id.
    fn id(&self, draft: &Draft) -> Uuid {
        let name = format!("{}\u{1f}{}\u{1f}{}", self.name, draft.role, draft.identity);
        Uuid::new_v5(&DATASET_ID_NAMESPACE, name.as_bytes())
    }
}

/// Reads a file through a mapping: yields every event it makes and every row it cannot
/// map, in file order (a hook may hold rows back until it has seen their group).
pub struct Importer<R: BufRead> {
    table: TableReader<R>,
    plan: Plan,
    hook: Option<Box<dyn Hook>>,
    columns: ColumnReport,
    queue: VecDeque<Item>,
    seen: HashMap<Uuid, (u64, u64)>,
    /// With `duplicates = "number"`: how many rows had each identity so far.
    occurrences: HashMap<String, u32>,
    done: bool,
}

impl<R: BufRead> Importer<R> {
    /// Read the header and compile the mapping against it.
    pub fn new(mapping: &Mapping, reader: R) -> Result<Importer<R>, DatasetError> {
        let table = TableReader::open(&mapping.read, reader)?;
        let origin = mapping.name.clone();
        let wrong = |reason: String| DatasetError::Mapping {
            origin: origin.clone(),
            reason,
        };
        let (plan, columns) = Plan::compile(mapping, table.header()).map_err(wrong)?;
        let hook = match &mapping.hook {
            Some(h) => Some(hooks::make(h, table.header()).map_err(wrong)?),
            None => None,
        };
        Ok(Importer {
            table,
            plan,
            hook,
            columns,
            queue: VecDeque::new(),
            seen: HashMap::new(),
            occurrences: HashMap::new(),
            done: false,
        })
    }

    /// The file's columns the mapping does not carry, and those it ignores.
    pub fn columns(&self) -> &ColumnReport {
        &self.columns
    }

    /// The file's header, normalised.
    pub fn header(&self) -> &[String] {
        self.table.header()
    }

    /// The row's identity; with `duplicates = "number"` the n-th row (n ≥ 2) with the
    /// same `id` cells gets `#n` added.
    fn identity(&mut self, row: &Row) -> String {
        let identity = self.plan.identity(row);
        if self.plan.duplicates == Duplicates::Error {
            return identity;
        }
        let n = self.occurrences.entry(identity.clone()).or_insert(0);
        *n += 1;
        match *n {
            1 => identity,
            n => format!("{identity}\u{1f}#{n}"),
        }
    }

    /// Map one record into the queue.
    fn take(&mut self, record: Record) {
        let row = match record {
            Record::Ragged {
                line,
                number,
                cells,
            } => {
                let reason = format!(
                    "the row has {cells} cell{} but the header has {} (a record broken by a line break inside an unquoted field, or a stray delimiter?)",
                    if cells == 1 { "" } else { "s" },
                    self.table.header().len()
                );
                self.queue.push_back(Item::Problem(RowProblem {
                    line,
                    row: number,
                    reason,
                }));
                return;
            }
            Record::Row(row) => row,
        };
        let identity = self.identity(&row);
        let drafts = match self.plan.drafts(&row, &identity) {
            Ok(d) => d,
            Err(reason) => {
                let p = RowProblem {
                    line: row.line,
                    row: row.number,
                    reason,
                };
                self.queue.push_back(Item::Problem(p));
                return;
            }
        };
        let output = match &mut self.hook {
            Some(h) => h.row(&row, drafts),
            None => drafts.into_iter().map(Ok).collect(),
        };
        self.emit(output);
    }

    /// Finish drafts row by row: a row's events all pass (parse, unique id) or the row is
    /// one problem.
    fn emit(&mut self, output: Output) {
        let mut pending: Vec<MappedEvent> = Vec::new();
        let mut failed: Option<RowProblem> = None;
        let mut current: Option<u64> = None;
        for item in output {
            let row = match &item {
                Ok(d) => d.row,
                Err(p) => p.row,
            };
            if current != Some(row) {
                self.flush(&mut pending, &mut failed);
                current = Some(row);
            }
            match item {
                Err(p) => failed = failed.or(Some(p)),
                Ok(_) if failed.is_some() => {}
                Ok(d) => match self.finish_draft(d, &pending) {
                    Ok(e) => pending.push(e),
                    Err(p) => failed = Some(p),
                },
            }
        }
        self.flush(&mut pending, &mut failed);
    }

    fn flush(&mut self, pending: &mut Vec<MappedEvent>, failed: &mut Option<RowProblem>) {
        if let Some(p) = failed.take() {
            pending.clear();
            self.queue.push_back(Item::Problem(p));
            return;
        }
        for e in pending.drain(..) {
            if let Some(id) = e.event.id {
                self.seen.insert(id, (e.line, e.row));
            }
            self.queue.push_back(Item::Event(Box::new(e)));
        }
    }

    /// Add the id and sources, parse, and check the id is new.
    fn finish_draft(&self, d: Draft, same_row: &[MappedEvent]) -> Result<MappedEvent, RowProblem> {
        let problem = |reason: String| RowProblem {
            line: d.line,
            row: d.row,
            reason,
        };
        let id = self.plan.id(&d);
        let earlier = self.seen.get(&id).copied().or_else(|| {
            same_row
                .iter()
                .find(|e| e.event.id == Some(id))
                .map(|e| (e.line, e.row))
        });
        if let Some((line, row)) = earlier {
            return Err(problem(format!(
                "the same identity ({}) as row {row} (line {line}); each row of the dataset must have its own `id` values",
                d.identity.replace('\u{1f}', ", ")
            )));
        }
        let mut object = d.object;
        object.insert("id".into(), Value::String(id.to_string()));
        object.insert("sources".into(), self.plan.sources.clone());
        let parsed = parse_value(Value::Object(object)).map_err(problem)?;
        if parsed.unresolved.is_some() {
            // A table row's target must be a full id: seqs and prefixes name events of
            // one store, which a published dataset cannot know.
            return Err(problem(
                "an amendment from a table must name its target by its full id".into(),
            ));
        }
        Ok(MappedEvent {
            line: d.line,
            row: d.row,
            event: parsed.event,
        })
    }
}

impl<R: BufRead> Iterator for Importer<R> {
    type Item = Result<Item, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match self.table.next_record() {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(Some(record)) => self.take(record),
                Ok(None) => {
                    self.done = true;
                    if let Some(h) = &mut self.hook {
                        let output = h.finish();
                        self.emit(output);
                    }
                }
            }
        }
    }
}
