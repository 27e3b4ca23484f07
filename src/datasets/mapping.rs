//! The mapping file: a TOML document that says how to read a table and which events each
//! row makes. Parsed strictly (`deny_unknown_fields`), then checked against the kind
//! declarations (`event::KINDS`) so that an unknown kind or field is an error naming it.

use super::DatasetError;
use crate::model::event::{KindTag, KINDS, KIND_NAMES};
use crate::model::interchange::{nearest, COMMON_FIELDS};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The largest shift `plus_days` accepts (about 100 years).
pub const MAX_PLUS_DAYS: i64 = 36_600;

/// The missing-value markers used when a mapping's `[read]` does not list its own.
pub const DEFAULT_MISSING: [&str; 5] = ["", "NA", "-9", "xx", "XX"];

/// A whole mapping file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The mapping's name: part of every event id it makes (`archigos`).
    pub name: String,
    /// The dataset it reads, for people (`Archigos 4.1`).
    pub dataset: String,
    /// The citation the dataset asks for.
    #[serde(default)]
    pub citation: Option<String>,
    /// The source every event it makes names.
    #[serde(default)]
    pub source: Option<SourceSpec>,
    /// The columns that identify a row in the dataset (its own key, never a line number).
    pub id: Vec<String>,
    /// What rows with the same identity are: an error (the default), or distinct records
    /// numbered by occurrence (for datasets without a row key, such as SIPRI's register).
    #[serde(default)]
    pub duplicates: Duplicates,
    /// Columns the mapping knowingly does not carry.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// A named hook for logic the mapping cannot say (see `hooks.rs`).
    #[serde(default)]
    pub hook: Option<String>,
    #[serde(default)]
    pub read: ReadSpec,
    /// The event blocks, in the order their events are made for each row.
    #[serde(rename = "event", default)]
    pub events: Vec<EventSpec>,
}

/// What rows with the same identity (`id` cells) are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// An error naming both rows (nothing is merged silently).
    #[default]
    Error,
    /// Distinct records: the n-th row (n ≥ 2, in file order) with an identity gets `#n`
    /// added to it, so its events get their own ids and a re-import finds them again.
    Number,
}

/// Where events come from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// How to read the file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadSpec {
    /// One ASCII character (`","`, `";"`, `"\t"`).
    #[serde(default = "comma")]
    pub delimiter: String,
    /// `utf-8` or `windows-1252`.
    #[serde(default = "utf8")]
    pub encoding: String,
    /// Lines before the header row (a preamble).
    #[serde(default)]
    pub skip_lines: usize,
    /// The quote character, or `""` for none.
    #[serde(default = "dquote")]
    pub quote: String,
    /// Cell values that mean "no value" (compared after trimming).
    #[serde(default)]
    pub missing: Option<Vec<String>>,
}

fn comma() -> String {
    ",".into()
}
fn utf8() -> String {
    "utf-8".into()
}
fn dquote() -> String {
    "\"".into()
}

impl Default for ReadSpec {
    fn default() -> Self {
        ReadSpec {
            delimiter: comma(),
            encoding: utf8(),
            skip_lines: 0,
            quote: dquote(),
            missing: None,
        }
    }
}

/// One `[[event]]` block: one event (at most) per row.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// What this block's event is to the row (`took_office`); part of the event's id.
    pub role: String,
    /// The event kind's JSON name.
    pub kind: String,
    /// Make the event only when this holds.
    #[serde(default)]
    pub when: Option<When>,
    /// The event's date.
    #[serde(default)]
    pub date: Option<DateSpec>,
    /// An end date: the event's date becomes the interval `date/end`.
    #[serde(default)]
    pub end: Option<DateSpec>,
    /// Where it happened.
    #[serde(default)]
    pub location: Option<LocationSpec>,
    /// Interchange fields (the kind's, and `summary`, `confidence`, `mode`, `context`).
    #[serde(default)]
    pub fields: BTreeMap<String, toml::Value>,
}

/// A condition on a row.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum When {
    /// The column holds a value (not blank, not a missing marker).
    Present(String),
    Test(WhenTest),
}

/// A condition on one column's value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenTest {
    pub column: String,
    /// The value equals this.
    #[serde(default)]
    pub equals: Option<String>,
    /// The value is not this (a missing value is never equal).
    #[serde(default)]
    pub not_equals: Option<String>,
    /// The value is missing (`true`) or present (`false`).
    #[serde(default)]
    pub missing: Option<bool>,
}

/// A date built from one column or from year, month and day columns.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateSpec {
    /// One column holding the whole date.
    #[serde(default)]
    pub column: Option<String>,
    /// A chrono format for `column` (`%d-%m-%Y`); without it the value must be EDTF.
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub month: Option<String>,
    #[serde(default)]
    pub day: Option<String>,
    /// When the date is uncertain (`?`): a column whose value (any, not missing) says so,
    /// or `{ column, one_of = [...] }`, when its value is one of these.
    #[serde(default)]
    pub uncertain: Option<Flag>,
    /// A column whose value (any, not missing) makes the date approximate (`~`).
    #[serde(default)]
    pub approximate: Option<String>,
    /// Days added to a day-precise date (e.g. `1` turns a dataset's last day of membership
    /// into the first day out); a date known only to the month or year is left as it is.
    #[serde(default)]
    pub plus_days: Option<i64>,
}

/// A date flag: a column that marks the date by having a value, or by having one of
/// some values.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Flag {
    Present(String),
    OneOf(FlagTest),
}

/// `{ column, one_of = [...] }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagTest {
    pub column: String,
    pub one_of: Vec<String>,
}

/// Location columns: a place name and/or decimal degrees.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationSpec {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub lat: Option<String>,
    #[serde(default)]
    pub lon: Option<String>,
}

/// How a field's value is made from a row (a table in `[event.fields]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTemplate {
    /// The column the value comes from.
    #[serde(default)]
    pub column: Option<String>,
    /// Text with `{column}` placeholders (`{{` and `}}` for braces).
    #[serde(default)]
    pub format: Option<String>,
    /// Translate through the crosswalk from this code system (`cow`, `gw`, `iso3`, `name`,
    /// `cow_abb`, `annals`).
    #[serde(default)]
    pub code: Option<String>,
    /// With `code`: a value the crosswalk does not know is a non-state party.
    #[serde(default)]
    pub nonstate: bool,
    /// With `code`: when the cell is missing, the party is non-state, named by this column
    /// (UCDP: `gwnoa` is blank for an armed group, named in `side_a`).
    #[serde(default)]
    pub nonstate_name: Option<String>,
    /// The value is a list separated by this text.
    #[serde(default)]
    pub split: Option<String>,
    /// `integer` or `decimal`.
    #[serde(default)]
    pub number: Option<NumberKind>,
    /// Replace values: cell text → field value (a value not listed is an error, unless
    /// `default` is given).
    #[serde(default)]
    pub map: Option<BTreeMap<String, toml::Value>>,
    /// The value when the cell is missing, or not in `map`.
    #[serde(default)]
    pub default: Option<toml::Value>,
}

/// How a number cell is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Integer,
    Decimal,
}

impl Mapping {
    /// Parse and check a mapping. `origin` names it in errors (a path, or `bundled NAME`).
    pub fn from_toml(text: &str, origin: &str) -> Result<Mapping, DatasetError> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| DatasetError::Mapping {
            origin: origin.into(),
            reason: e.message().to_string() + &span_hint(text, e.span()),
        })?;
        mapping.check().map_err(|reason| DatasetError::Mapping {
            origin: origin.into(),
            reason,
        })?;
        Ok(mapping)
    }

    /// Rules serde cannot state: kinds and fields exist, roles are unique, ids are given.
    fn check(&self) -> Result<(), String> {
        if self.id.is_empty() {
            return Err(
                "`id` must name at least one column: the dataset's own row identity".into(),
            );
        }
        if self.events.is_empty() && self.hook.is_none() {
            return Err("a mapping needs at least one [[event]] block (or a `hook`)".into());
        }
        let mut roles: Vec<&str> = Vec::new();
        for (i, e) in self.events.iter().enumerate() {
            let at = format!("[[event]] #{} (role `{}`)", i + 1, e.role);
            if roles.contains(&e.role.as_str()) {
                return Err(format!(
                    "{at}: role `{}` is used twice; roles name a row's events and must be unique",
                    e.role
                ));
            }
            roles.push(&e.role);
            e.check().map_err(|r| format!("{at}: {r}"))?;
        }
        super::read::check_read(&self.read)?;
        if let Some(h) = &self.hook {
            super::hooks::check_name(h)?;
        }
        Ok(())
    }

    /// The missing-value markers in effect.
    pub fn missing(&self) -> Vec<String> {
        match &self.read.missing {
            Some(m) => m.clone(),
            None => DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl EventSpec {
    /// The kind's tag (checked by [`EventSpec::check`]).
    pub fn tag(&self) -> Option<KindTag> {
        KindTag::from_name(&self.kind)
    }

    fn check(&self) -> Result<(), String> {
        let Some(tag) = self.tag() else {
            return Err(format!(
                "unknown kind `{}`{}",
                self.kind,
                hint(&self.kind, KIND_NAMES.iter().copied())
            ));
        };
        let spec = &KINDS[tag as usize];
        let allowed: Vec<&str> = spec
            .field_names()
            .chain(["summary", "confidence", "mode", "context"])
            .collect();
        for key in self.fields.keys() {
            if !allowed.contains(&key.as_str()) {
                let why = if COMMON_FIELDS.contains(&key.as_str()) {
                    " (it is set by the importer, or by `date`/`location` in the block)"
                } else {
                    ""
                };
                return Err(format!(
                    "unknown field `{key}` for kind `{}`{why}{}; its fields are {}",
                    spec.name,
                    hint(key, allowed.iter().copied()),
                    allowed.join(", ")
                ));
            }
        }
        if let Some(d) = &self.date {
            d.check().map_err(|r| format!("date: {r}"))?;
        }
        if let Some(d) = &self.end {
            d.check().map_err(|r| format!("end: {r}"))?;
            if self.date.is_none() {
                return Err("`end` needs a `date`".into());
            }
        }
        if self.date.is_none() && !spec.amendment {
            return Err(format!("kind `{}` needs a `date`", spec.name));
        }
        for (key, value) in &self.fields {
            super::rows::check_template(value).map_err(|r| format!("field `{key}`: {r}"))?;
        }
        Ok(())
    }
}

impl DateSpec {
    fn check(&self) -> Result<(), String> {
        match (&self.column, &self.year) {
            (Some(_), Some(_)) => Err("give either `column` or `year` (with `month`, `day`), not both".into()),
            (None, None) => Err("give `column` (one column holding the date) or `year` (with optional `month` and `day` columns)".into()),
            (Some(_), None) if self.month.is_some() || self.day.is_some() => {
                Err("`month` and `day` go with `year`, not with `column`".into())
            }
            (None, Some(_)) if self.format.is_some() => Err("`format` goes with `column`".into()),
            (None, Some(_)) if self.day.is_some() && self.month.is_none() => {
                Err("`day` needs `month`".into())
            }
            _ if self.plus_days.is_some_and(|n| n.abs() > MAX_PLUS_DAYS) => Err(format!(
                "`plus_days` must be within ±{MAX_PLUS_DAYS}"
            )),
            _ => Ok(()),
        }
    }
}

/// "; did you mean `x`?" or nothing.
pub(crate) fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(word, candidates) {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

/// " (line N)" for a TOML error span.
fn span_hint(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(r) => {
            let before = text.as_bytes().get(..r.start).unwrap_or_default();
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}
