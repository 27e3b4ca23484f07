//! One row to zero or more event drafts: each `[[event]]` block whose `when` holds makes
//! one interchange JSON object (date, kind, the kind's fields from templates, location).
//! The objects are checked later by the interchange parser, which owns every field rule.

use super::dates::{date_text, DatePlan};
use super::mapping::{hint, ColumnTemplate, EventSpec, LocationSpec, NumberKind, When};
use super::read::Row;
use crate::codes::{self, System};
use crate::model::event::Code;
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// Resolves column names against the header and remembers which were used.
pub(super) struct Columns<'a> {
    header: &'a [String],
    used: Vec<bool>,
}

impl<'a> Columns<'a> {
    pub(super) fn new(header: &'a [String]) -> Columns<'a> {
        Columns {
            header,
            used: vec![false; header.len()],
        }
    }

    /// The index of `name`, or an error naming it and the nearest column.
    pub(super) fn index(&mut self, name: &str) -> Result<usize, String> {
        match self.header.iter().position(|h| h == name) {
            Some(i) => {
                self.used[i] = true;
                Ok(i)
            }
            None => Err(format!(
                "unknown column `{name}`{}; the file's columns are {}",
                hint(name, self.header.iter().map(String::as_str)),
                self.header.join(", ")
            )),
        }
    }

    /// Which columns were used, by index.
    pub(super) fn used(&self) -> &[bool] {
        &self.used
    }
}

/// The cell values that mean "no value".
#[derive(Clone, Debug)]
pub(super) struct Missing(Vec<String>);

impl Missing {
    pub(super) fn new(markers: Vec<String>) -> Missing {
        Missing(markers)
    }

    pub(super) fn is_marker(&self, value: &str) -> bool {
        value.is_empty() || self.0.iter().any(|m| m == value)
    }

    /// The cell's value, unless it is blank or a missing marker.
    pub(super) fn get<'r>(&self, row: &'r Row, column: usize) -> Option<&'r str> {
        let v = row.cells.get(column)?.as_str();
        (!self.is_marker(v)).then_some(v)
    }
}

/// Check a field template's shape when the mapping is loaded.
pub(super) fn check_template(value: &toml::Value) -> Result<(), String> {
    if let toml::Value::Table(_) = value {
        let t: ColumnTemplate = value
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        check_column_template(&t)?;
    }
    Ok(())
}

fn check_column_template(t: &ColumnTemplate) -> Result<(), String> {
    if t.column.is_some() == t.format.is_some() {
        return Err(
            "give exactly one of `column` (a cell) or `format` (text with {column} placeholders)"
                .into(),
        );
    }
    if let Some(s) = &t.code {
        System::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = System::ALL.iter().map(|(n, _)| *n).collect();
            format!(
                "unknown code system `{s}`{}; use one of {}",
                hint(s, names.iter().copied()),
                names.join(", ")
            )
        })?;
        if t.number.is_some() {
            return Err("`code` and `number` cannot be combined".into());
        }
    }
    if (t.nonstate || t.nonstate_name.is_some()) && t.code.is_none() {
        return Err("`nonstate` and `nonstate_name` go with `code`".into());
    }
    if t.split.as_deref() == Some("") {
        return Err("`split` must not be empty".into());
    }
    Ok(())
}

/// A field's value maker, columns resolved.
#[derive(Clone, Debug)]
enum Template {
    Const(Value),
    Cell(CellPlan),
}

#[derive(Clone, Debug)]
struct CellPlan {
    source: CellSource,
    code: Option<(System, bool)>,
    nonstate_name: Option<usize>,
    split: Option<String>,
    number: Option<NumberKind>,
    map: Option<BTreeMap<String, Value>>,
    default: Option<Value>,
}

#[derive(Clone, Debug)]
enum CellSource {
    Column(usize),
    Format(Vec<Piece>),
}

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Column(usize),
}

/// A TOML value as JSON (dates become their text).
pub(super) fn json_of(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(json_of).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect())
        }
    }
}

impl Template {
    fn compile(value: &toml::Value, cols: &mut Columns) -> Result<Template, String> {
        let toml::Value::Table(_) = value else {
            return Ok(Template::Const(json_of(value)));
        };
        let t: ColumnTemplate = value
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        check_column_template(&t)?;
        let source = match (&t.column, &t.format) {
            (Some(c), _) => CellSource::Column(cols.index(c)?),
            (None, Some(f)) => CellSource::Format(pieces(f, cols)?),
            (None, None) => return Err("a template needs `column` or `format`".into()),
        };
        Ok(Template::Cell(CellPlan {
            source,
            code: t
                .code
                .as_deref()
                .and_then(System::from_name)
                .map(|s| (s, t.nonstate)),
            nonstate_name: t
                .nonstate_name
                .as_deref()
                .map(|c| cols.index(c))
                .transpose()?,
            split: t.split,
            number: t.number,
            map: t
                .map
                .map(|m| m.iter().map(|(k, v)| (k.clone(), json_of(v))).collect()),
            default: t.default.as_ref().map(json_of),
        }))
    }

    /// The field's value for this row; `None` leaves the field out.
    fn value(
        &self,
        row: &Row,
        missing: &Missing,
        year: Option<i32>,
    ) -> Result<Option<Value>, String> {
        match self {
            Template::Const(v) => Ok(Some(v.clone())),
            Template::Cell(plan) => plan.value(row, missing, year),
        }
    }
}

/// Split `{column}` placeholders out of a format string.
fn pieces(format: &str, cols: &mut Columns) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push(Piece::Text(std::mem::take(&mut text)));
                out.push(Piece::Column(cols.index(&name)?));
            }
            '}' => {
                return Err(format!(
                    "format `{format}`: a lone `}}` (write `}}}}` for a brace)"
                ))
            }
            c => text.push(c),
        }
    }
    out.push(Piece::Text(text));
    Ok(out)
}

impl CellPlan {
    fn raw(&self, row: &Row, missing: &Missing) -> Option<String> {
        match &self.source {
            CellSource::Column(c) => missing.get(row, *c).map(str::to_owned),
            CellSource::Format(pieces) => {
                let mut s = String::new();
                for p in pieces {
                    match p {
                        Piece::Text(t) => s.push_str(t),
                        Piece::Column(c) => s.push_str(missing.get(row, *c).unwrap_or("")),
                    }
                }
                let s = s.trim().to_owned();
                (!s.is_empty()).then_some(s)
            }
        }
    }

    fn value(
        &self,
        row: &Row,
        missing: &Missing,
        year: Option<i32>,
    ) -> Result<Option<Value>, String> {
        let Some(raw) = self.raw(row, missing) else {
            let name = self.nonstate_name.and_then(|c| missing.get(row, c));
            return Ok(name
                .map(|n| Value::String(codes::nonstate(n).to_string()))
                .or_else(|| self.default.clone()));
        };
        if let Some(map) = &self.map {
            return match (map.get(&raw), &self.default) {
                (Some(v), _) => Ok(Some(v.clone())),
                (None, Some(d)) => Ok(Some(d.clone())),
                (None, None) => Err(format!(
                    "value `{raw}` is not one the mapping knows ({})",
                    map.keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        }
        match &self.split {
            Some(sep) => {
                let items = raw
                    .split(sep.as_str())
                    .map(str::trim)
                    .filter(|s| !missing.is_marker(s))
                    .map(|s| self.scalar(s, year))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((!items.is_empty()).then_some(Value::Array(items)))
            }
            None => self.scalar(&raw, year).map(Some),
        }
    }

    fn scalar(&self, text: &str, year: Option<i32>) -> Result<Value, String> {
        if let Some((system, nonstate)) = self.code {
            return code(system, nonstate, text, year).map(|c| Value::String(c.to_string()));
        }
        match self.number {
            Some(kind) => number(kind, text),
            None => Ok(Value::String(text.to_owned())),
        }
    }
}

/// The key of a memoised translation.
type CodeKey = (System, bool, String, Option<i32>);

thread_local! {
    /// Translations already made: a dataset names the same few hundred parties thousands of
    /// times, and a crosswalk lookup (and the hint of a miss) costs far more than a hash.
    /// Translation is a pure function of the key, so the memo is never stale; it is
    /// cleared when it grows past `CODE_MEMO_LIMIT` entries, keeping memory bounded.
    static CODE_MEMO: std::cell::RefCell<std::collections::HashMap<CodeKey, Result<Code, String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

const CODE_MEMO_LIMIT: usize = 65_536;

/// Translate through the crosswalk, memoised (see [`CODE_MEMO`]).
fn code(system: System, nonstate: bool, text: &str, year: Option<i32>) -> Result<Code, String> {
    let key = (system, nonstate, text.to_owned(), year);
    if let Some(hit) = CODE_MEMO.with(|m| m.borrow().get(&key).cloned()) {
        return hit;
    }
    let result = translate_code(system, nonstate, text, year);
    CODE_MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CODE_MEMO_LIMIT {
            m.clear();
        }
        m.insert(key, result.clone());
    });
    result
}

/// Translate through the crosswalk. annals' own codes are only checked, not looked up.
fn translate_code(
    system: System,
    nonstate: bool,
    text: &str,
    year: Option<i32>,
) -> Result<Code, String> {
    if system == System::Annals {
        return Code::parse(text);
    }
    // A party marked non-state (SIPRI's `*`, `**`) is never a state: no lookup (whose
    // failure would also compute a did-you-mean hint, the slowest part of a SIPRI import).
    if nonstate && codes::is_marked_nonstate(text) {
        return Ok(codes::nonstate(text));
    }
    if !nonstate {
        return codes::translate(system, text, year).map_err(|e| e.to_string());
    }
    match codes::find(system, text, year) {
        Ok(Some(c)) => Ok(c),
        _ => Ok(codes::nonstate(text)),
    }
}

/// A number cell: an integer (`6`, `6.0`) or a decimal (`4.5`).
fn number(kind: NumberKind, text: &str) -> Result<Value, String> {
    let x: f64 = text
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite())
        .ok_or_else(|| format!("`{text}` is not a number"))?;
    match kind {
        NumberKind::Decimal => Ok(Number::from_f64(x).map_or(Value::Null, Value::Number)),
        NumberKind::Integer if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Value::from(x as i64)),
        NumberKind::Integer => Err(format!("`{text}` is not a whole number")),
    }
}

/// A `when` with its column resolved.
#[derive(Clone, Debug)]
struct WhenPlan {
    column: usize,
    equals: Option<String>,
    not_equals: Option<String>,
    missing: Option<bool>,
}

impl WhenPlan {
    fn compile(when: &When, cols: &mut Columns) -> Result<WhenPlan, String> {
        Ok(match when {
            When::Present(c) => WhenPlan {
                column: cols.index(c)?,
                equals: None,
                not_equals: None,
                missing: Some(false),
            },
            When::Test(t) => WhenPlan {
                column: cols.index(&t.column)?,
                equals: t.equals.clone(),
                not_equals: t.not_equals.clone(),
                missing: t.missing,
            },
        })
    }

    fn holds(&self, row: &Row, missing: &Missing) -> bool {
        let v = missing.get(row, self.column);
        self.missing.is_none_or(|m| m == v.is_none())
            && self.equals.as_deref().is_none_or(|e| v == Some(e))
            && self.not_equals.as_deref().is_none_or(|e| v != Some(e))
    }
}

/// Location columns, resolved.
#[derive(Clone, Debug)]
struct LocationPlan {
    name: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
}

impl LocationPlan {
    fn compile(l: &LocationSpec, cols: &mut Columns) -> Result<LocationPlan, String> {
        let mut col = |c: &Option<String>| c.as_deref().map(|c| cols.index(c)).transpose();
        Ok(LocationPlan {
            name: col(&l.name)?,
            lat: col(&l.lat)?,
            lon: col(&l.lon)?,
        })
    }

    fn value(&self, row: &Row, missing: &Missing) -> Result<Option<Value>, String> {
        let mut obj = Map::new();
        if let Some(n) = self.name.and_then(|c| missing.get(row, c)) {
            obj.insert("name".into(), Value::String(n.into()));
        }
        for (key, col) in [("lat", self.lat), ("lon", self.lon)] {
            if let Some(v) = col.and_then(|c| missing.get(row, c)) {
                let n =
                    number(NumberKind::Decimal, v).map_err(|e| format!("location {key}: {e}"))?;
                obj.insert(key.into(), n);
            }
        }
        Ok((!obj.is_empty()).then_some(Value::Object(obj)))
    }
}

/// One `[[event]]` block, columns resolved.
#[derive(Clone, Debug)]
pub(super) struct Block {
    pub role: String,
    kind: String,
    when: Option<WhenPlan>,
    date: Option<DatePlan>,
    end: Option<DatePlan>,
    location: Option<LocationPlan>,
    fields: Vec<(String, Template)>,
}

impl Block {
    pub(super) fn compile(spec: &EventSpec, cols: &mut Columns) -> Result<Block, String> {
        let at = |r: String| format!("[[event]] role `{}`: {r}", spec.role);
        let mut fields = Vec::with_capacity(spec.fields.len());
        for (name, value) in &spec.fields {
            let t =
                Template::compile(value, cols).map_err(|r| at(format!("field `{name}`: {r}")))?;
            fields.push((name.clone(), t));
        }
        Ok(Block {
            role: spec.role.clone(),
            kind: spec.kind.clone(),
            when: spec
                .when
                .as_ref()
                .map(|w| WhenPlan::compile(w, cols))
                .transpose()
                .map_err(at)?,
            date: spec
                .date
                .as_ref()
                .map(|d| DatePlan::compile(d, cols))
                .transpose()
                .map_err(at)?,
            end: spec
                .end
                .as_ref()
                .map(|d| DatePlan::compile(d, cols))
                .transpose()
                .map_err(at)?,
            location: spec
                .location
                .as_ref()
                .map(|l| LocationPlan::compile(l, cols))
                .transpose()
                .map_err(at)?,
            fields,
        })
    }

    /// The block's interchange object for this row, or `None` when `when` does not hold.
    pub(super) fn build(
        &self,
        row: &Row,
        missing: &Missing,
    ) -> Result<Option<Map<String, Value>>, String> {
        if self.when.as_ref().is_some_and(|w| !w.holds(row, missing)) {
            return Ok(None);
        }
        let at = |r: String| format!("{} ({}): {r}", self.role, self.kind);
        let mut obj = Map::new();
        let mut year = None;
        if let Some(start) = &self.date {
            let point = date_text(start, self.end.as_ref(), row, missing)
                .map_err(|r| at(format!("date: {r}")))?
                .ok_or_else(|| at("date: the date's year (or value) is missing".into()))?;
            year = Some(point.year);
            obj.insert("date".into(), Value::String(point.text));
        }
        obj.insert("kind".into(), Value::String(self.kind.clone()));
        for (name, template) in &self.fields {
            if let Some(v) = template
                .value(row, missing, year)
                .map_err(|r| at(format!("field `{name}`: {r}")))?
            {
                obj.insert(name.clone(), v);
            }
        }
        if let Some(l) = &self.location {
            if let Some(v) = l.value(row, missing).map_err(at)? {
                obj.insert("location".into(), v);
            }
        }
        Ok(Some(obj))
    }
}
