//! The JSON Lines interchange format: the public contract (`schema/interchange.md`).
//!
//! Owns: parsing one line into a [`NewEvent`] with strict checks (unknown fields, duplicate
//! keys, wrong types, limits, near-miss suggestions), writing an event back as one line,
//! and the canonical content text that content-addressed ids are derived from. Kind
//! fields are parsed and written as their declaration (`event::KINDS`) says.
//!
//! Invariants: parsing never panics on any input; every rejection names the field and the
//! reason; `to_json(parse(x))` is a fixed point (printing and re-parsing gives equal
//! content); the canonical text depends only on the content, never on the stored format.

use crate::model::date::Date;
use crate::model::event::*;
use crate::model::limits::*;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::fmt;
use uuid::Uuid;

/// The JSON Schema (draft 2020-12) of one interchange line, as `annals schema` prints it.
pub const JSON_SCHEMA: &str = include_str!("../../schema/event.schema.json");

/// The namespace of content-addressed event ids (UUID v5 of the canonical content).
pub const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_7c2e_9b3d_4e58_a0c4_1d2e_3f40_5b6c);

/// One parsed input line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedLine {
    pub event: NewEvent,
    /// `seq` as written by an export; informational, never trusted.
    pub seq: Option<u64>,
    /// `recorded` as written by an export; used only by `import --keep-recorded`.
    pub recorded: Option<DateTime<Utc>>,
    /// `Some` for an amendment that names its target by seq or by id prefix, or a partial
    /// correction (`set`): only the store can complete it (`targets::resolve_line`). Until
    /// then `event` is a placeholder whose target is the nil UUID, which no event has.
    pub unresolved: Option<crate::model::targets::Unresolved>,
}

/// A JSON value that remembers key order and refuses duplicate keys.
#[derive(Debug, Clone)]
enum Strict {
    Null,
    Bool,
    Unsigned(u64),
    Negative(i64),
    Float(f64),
    Str(String),
    Array(Vec<Strict>),
    Object(Vec<(String, Strict)>),
}

impl Strict {
    fn type_name(&self) -> &'static str {
        match self {
            Strict::Null => "null",
            Strict::Bool => "a boolean",
            Strict::Unsigned(_) | Strict::Negative(_) | Strict::Float(_) => "a number",
            Strict::Str(_) => "a string",
            Strict::Array(_) => "an array",
            Strict::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrictVisitor;
        impl<'de> Visitor<'de> for StrictVisitor {
            type Value = Strict;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Strict, E> {
                Ok(Strict::Null)
            }
            fn visit_none<E>(self) -> Result<Strict, E> {
                Ok(Strict::Null)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
                Ok(Strict::Bool)
            }
            fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
                Ok(Strict::Unsigned(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
                Ok(if v >= 0 {
                    Strict::Unsigned(v as u64)
                } else {
                    Strict::Negative(v)
                })
            }
            fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
                Ok(Strict::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
                Ok(Strict::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Strict, E> {
                Ok(Strict::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Strict::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
                let mut entries: Vec<(String, Strict)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!(
                            "duplicate key `{}`",
                            key.chars().take(64).collect::<String>()
                        )));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(Strict::Object(entries))
            }
        }
        deserializer.deserialize_any(StrictVisitor)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match nearest(word, candidates.iter().copied()) {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// The fields of one JSON object being taken apart; remembers which were used so the
/// rest can be reported as unknown.
struct Fields {
    context: String,
    entries: Vec<(String, Strict)>,
}

impl Fields {
    fn new(context: impl Into<String>, value: Strict) -> Result<Fields, String> {
        let context = context.into();
        match value {
            Strict::Object(entries) => Ok(Fields { context, entries }),
            other => Err(format!(
                "{context} must be a JSON object, not {}",
                other.type_name()
            )),
        }
    }

    /// Remove a field; `null` counts as absent.
    fn take(&mut self, name: &str) -> Option<Strict> {
        let pos = self.entries.iter().position(|(k, _)| k == name)?;
        match self.entries.remove(pos).1 {
            Strict::Null => None,
            v => Some(v),
        }
    }

    fn require(&mut self, name: &str) -> Result<Strict, String> {
        self.take(name)
            .ok_or_else(|| format!("{}: missing field `{name}`", self.context))
    }

    fn field_error(&self, name: &str, reason: impl fmt::Display) -> String {
        format!("{}: field `{name}` {reason}", self.context)
    }

    fn text(&mut self, name: &str, max: usize) -> Result<Option<String>, String> {
        match self.take(name) {
            None => Ok(None),
            Some(Strict::Str(s)) => {
                let n = s.chars().count();
                if s.trim().is_empty() {
                    Err(self.field_error(name, "must not be empty"))
                } else if n > max {
                    Err(self
                        .field_error(name, format!("is {n} characters long; the limit is {max}")))
                } else {
                    Ok(Some(s))
                }
            }
            Some(other) => {
                Err(self.field_error(name, format!("must be a string, not {}", other.type_name())))
            }
        }
    }

    fn required_text(&mut self, name: &str, max: usize) -> Result<String, String> {
        self.text(name, max)?
            .ok_or_else(|| format!("{}: missing field `{name}`", self.context))
    }

    fn code(&mut self, name: &str) -> Result<Code, String> {
        match self.require(name)? {
            Strict::Str(s) => {
                Code::parse(&s).map_err(|e| self.field_error(name, format!("is an {e}")))
            }
            other => Err(self.field_error(
                name,
                format!("must be an actor code string, not {}", other.type_name()),
            )),
        }
    }

    fn codes(&mut self, name: &str, min: usize) -> Result<Vec<Code>, String> {
        let items = match self.require(name)? {
            Strict::Array(items) => items,
            other => {
                return Err(self.field_error(
                    name,
                    format!("must be an array of actor codes, not {}", other.type_name()),
                ))
            }
        };
        if items.len() < min {
            return Err(self.field_error(
                name,
                format!(
                    "needs at least {min} actor code{}",
                    if min == 1 { "" } else { "s" }
                ),
            ));
        }
        if items.len() > MAX_CODES {
            return Err(self.field_error(
                name,
                format!("has {} codes; the limit is {MAX_CODES}", items.len()),
            ));
        }
        let mut codes: Vec<Code> = Vec::with_capacity(items.len());
        for item in items {
            let code = match item {
                Strict::Str(s) => Code::parse(&s)
                    .map_err(|e| self.field_error(name, format!("contains an {e}")))?,
                other => {
                    return Err(self.field_error(
                        name,
                        format!(
                            "must contain only actor code strings, not {}",
                            other.type_name()
                        ),
                    ))
                }
            };
            if codes.contains(&code) {
                return Err(self.field_error(name, format!("names `{code}` twice")));
            }
            codes.push(code);
        }
        Ok(codes)
    }

    fn integer(&mut self, name: &str, min: u64, max: u64) -> Result<Option<u64>, String> {
        let range = || format!("must be an integer from {min} to {max}");
        match self.take(name) {
            None => Ok(None),
            Some(Strict::Unsigned(n)) if (min..=max).contains(&n) => Ok(Some(n)),
            Some(Strict::Unsigned(n)) => {
                Err(self.field_error(name, format!("{}; got {n}", range())))
            }
            Some(Strict::Negative(n)) => {
                Err(self.field_error(name, format!("{}; got {n}", range())))
            }
            Some(Strict::Float(f)) => Err(self.field_error(name, format!("{}; got {f}", range()))),
            Some(other) => {
                Err(self.field_error(name, format!("{}, not {}", range(), other.type_name())))
            }
        }
    }

    fn uuid(&mut self, name: &str) -> Result<Option<Uuid>, String> {
        match self.take(name) {
            None => Ok(None),
            Some(Strict::Str(s)) => Uuid::try_parse(&s).map(Some).map_err(|_| {
                self.field_error(
                    name,
                    format!(
                        "must be a UUID like 0190f7a2-7c1e-7cc1-9a55-3f9c2d1e0b6a; got `{}`",
                        short(&s)
                    ),
                )
            }),
            Some(other) => Err(self.field_error(
                name,
                format!("must be a UUID string, not {}", other.type_name()),
            )),
        }
    }

    fn choice<T: Copy>(
        &mut self,
        name: &str,
        options: &[(&'static str, T)],
    ) -> Result<Option<T>, String> {
        match self.take(name) {
            None => Ok(None),
            Some(Strict::Str(s)) => match options.iter().find(|(n, _)| *n == s) {
                Some((_, v)) => Ok(Some(*v)),
                None => {
                    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                    Err(self.field_error(
                        name,
                        format!(
                            "must be one of {}; got `{}`{}",
                            names.join(", "),
                            short(&s),
                            did_you_mean(&s, &names)
                        ),
                    ))
                }
            },
            Some(other) => {
                Err(self.field_error(name, format!("must be a string, not {}", other.type_name())))
            }
        }
    }

    /// Fail on any field left over, suggesting the nearest allowed name.
    fn finish(self, allowed: &[&str]) -> Result<(), String> {
        if let Some((key, _)) = self.entries.first() {
            return Err(format!(
                "{}: unknown field `{}`{}",
                self.context,
                short(key),
                did_you_mean(key, allowed)
            ));
        }
        Ok(())
    }
}

/// Fields every line may have besides its kind's; a correction's `event` takes all but the
/// store's three (`id`, `seq`, `recorded`, the last three).
pub const COMMON_FIELDS: [&str; 11] = [
    "date",
    "kind",
    "summary",
    "sources",
    "confidence",
    "location",
    "mode",
    "context",
    "id",
    "seq",
    "recorded",
];

fn office(fields: &mut Fields, name: &str) -> Result<String, String> {
    let office = fields.required_text(name, MAX_OFFICE_CHARS)?;
    crate::model::validate::office(&office).map_err(|e| format!("{}: {e}", fields.context))?;
    Ok(office)
}

fn text_list(f: &mut Fields, name: &str) -> Result<Vec<String>, String> {
    let items = match f.take(name) {
        None => return Ok(Vec::new()),
        Some(Strict::Array(items)) => items,
        Some(other) => {
            return Err(f.field_error(
                name,
                format!("must be an array of strings, not {}", other.type_name()),
            ))
        }
    };
    if items.is_empty() || items.len() > MAX_ASSETS {
        return Err(f.field_error(name, format!("must list 1 to {MAX_ASSETS} assets")));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Strict::Str(s) if !s.trim().is_empty() && s.chars().count() <= MAX_TEXT_CHARS => {
                out.push(s)
            }
            _ => {
                let rule = format!("non-empty strings of at most {MAX_TEXT_CHARS} characters");
                return Err(f.field_error(name, format!("must contain only {rule}")));
            }
        }
    }
    Ok(out)
}

fn missing(f: &Fields, name: &str) -> String {
    format!("{}: missing field `{name}`", f.context)
}

/// Parse one kind field as its declaration says.
fn parse_field(f: &mut Fields, spec: &FieldSpec) -> Result<FieldValue, String> {
    let name = spec.name;
    Ok(match spec.ty {
        FieldType::Code => FieldValue::Code(f.code(name)?),
        FieldType::Codes { min } => FieldValue::Codes(f.codes(name, min)?),
        FieldType::Text if spec.required => {
            FieldValue::Text(Some(f.required_text(name, MAX_TEXT_CHARS)?))
        }
        FieldType::Text => FieldValue::Text(f.text(name, MAX_TEXT_CHARS)?),
        FieldType::Office => FieldValue::Text(Some(office(f, name)?)),
        FieldType::Integer { min, max, default } => {
            let n = f.integer(name, min, max)?;
            let n = if spec.required { n } else { n.or(default) };
            FieldValue::Integer(n.ok_or_else(|| missing(f, name))?)
        }
        FieldType::AllianceType => FieldValue::AllianceType(
            f.choice(name, &AllianceType::ALL)?
                .ok_or_else(|| missing(f, name))?,
        ),
        FieldType::Uuid => FieldValue::Uuid(f.uuid(name)?.ok_or_else(|| missing(f, name))?),
        FieldType::TextList => FieldValue::TextList(text_list(f, name)?),
        FieldType::Replacement => {
            let value = f.require(name)?;
            let context = format!("{}: field `{name}`", f.context);
            FieldValue::Replacement(Box::new(parse_content(Fields::new(context, value)?, true)?))
        }
        FieldType::MaybeInteger { min, max } => {
            FieldValue::MaybeInteger(f.integer(name, min, max)?)
        }
        FieldType::Date => FieldValue::Date(date_field(f, name)?),
        FieldType::Choice(words) => {
            let word = word_choice(f, name, words)?;
            if spec.required && word.is_none() {
                return Err(missing(f, name));
            }
            FieldValue::Choice(word)
        }
        FieldType::Choices(words) => FieldValue::Choices(word_choices(f, name, words)?),
        FieldType::Years => FieldValue::Years(years(f, name)?),
        FieldType::Decimal => FieldValue::Decimal(decimal(f, name)?),
    })
}

/// An optional EDTF date field (`signed`), parsed as `date` is.
fn date_field(f: &mut Fields, name: &str) -> Result<Option<Date>, String> {
    match f.take(name) {
        None => Ok(None),
        Some(Strict::Str(s)) => Date::parse(&s)
            .map(Some)
            .map_err(|e| f.field_error(name, format!(": {e}"))),
        Some(other) => Err(f.field_error(
            name,
            format!(
                "must be a date string like 1949-04-04, not {}",
                other.type_name()
            ),
        )),
    }
}

/// One of `words`, or absent.
fn word_choice(
    f: &mut Fields,
    name: &str,
    words: &'static [&'static str],
) -> Result<Option<String>, String> {
    let options: Vec<(&'static str, &'static str)> = words.iter().map(|w| (*w, *w)).collect();
    Ok(f.choice(name, &options)?.map(String::from))
}

/// Distinct words of `words`, kept in the list's order; absent or empty means none.
fn word_choices(
    f: &mut Fields,
    name: &str,
    words: &'static [&'static str],
) -> Result<Vec<String>, String> {
    let items = match f.take(name) {
        None => return Ok(Vec::new()),
        Some(Strict::Array(items)) => items,
        Some(other) => {
            let what = other.type_name();
            return Err(f.field_error(name, format!("must be an array of words, not {what}")));
        }
    };
    let mut given = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Strict::Str(s) if words.contains(&s.as_str()) && !given.contains(&s) => given.push(s),
            Strict::Str(s) if given.contains(&s) => {
                return Err(f.field_error(name, format!("names `{}` twice", short(&s))))
            }
            other => {
                let got = match other {
                    Strict::Str(s) => format!("`{}`{}", short(&s), did_you_mean(&s, words)),
                    other => other.type_name().to_string(),
                };
                let allowed = words.join(", ");
                return Err(f.field_error(name, format!("may hold only {allowed}; got {got}")));
            }
        }
    }
    Ok(words
        .iter()
        .filter(|w| given.iter().any(|g| g == *w))
        .map(|w| w.to_string())
        .collect())
}

/// Years 1..=9999, strictly ascending; absent means none.
fn years(f: &mut Fields, name: &str) -> Result<Vec<u16>, String> {
    let items = match f.take(name) {
        None => return Ok(Vec::new()),
        Some(Strict::Array(items)) if items.len() <= MAX_YEARS => items,
        Some(Strict::Array(items)) => {
            let n = items.len();
            return Err(f.field_error(name, format!("has {n} years; the limit is {MAX_YEARS}")));
        }
        Some(other) => {
            let what = other.type_name();
            return Err(f.field_error(name, format!("must be an array of years, not {what}")));
        }
    };
    let mut out: Vec<u16> = Vec::with_capacity(items.len());
    for item in items {
        let year = match item {
            Strict::Unsigned(n) if (1..=9999).contains(&n) => n as u16,
            _ => return Err(f.field_error(name, "must hold years from 1 to 9999")),
        };
        if out.last().is_some_and(|last| *last >= year) {
            return Err(f.field_error(name, "must list distinct years in ascending order"));
        }
        out.push(year);
    }
    Ok(out)
}

/// A non-negative decimal with at most three decimals, in thousandths.
fn decimal(f: &mut Fields, name: &str) -> Result<Option<u64>, String> {
    let text = match f.take(name) {
        None => return Ok(None),
        Some(Strict::Unsigned(n)) => n.to_string(),
        Some(Strict::Float(x)) if x >= 0.0 => x.to_string(),
        Some(other) => {
            let what = match other {
                Strict::Negative(n) => n.to_string(),
                Strict::Float(x) => x.to_string(),
                other => other.type_name().to_string(),
            };
            return Err(f.field_error(name, format!("must be a number of at least 0; got {what}")));
        }
    };
    crate::model::validate::parse_milli(&text)
        .map(Some)
        .map_err(|e| f.field_error(name, e))
}

/// Parse a kind's fields in declaration order and build the kind.
fn parse_kind(tag: KindTag, f: &mut Fields) -> Result<Kind, String> {
    let spec = tag.spec();
    let values = spec
        .fields
        .iter()
        .map(|field| parse_field(f, field))
        .collect::<Result<Vec<_>, _>>()?;
    Kind::from_fields(tag, values).ok_or_else(|| {
        format!(
            "{}: the fields do not match the kind's declaration",
            spec.name
        )
    })
}

/// Parse the content fields (everything but `id`, `seq`, `recorded`) and check that
/// nothing is left over. `replacement` is true inside a correction's `event`.
fn parse_content(mut f: Fields, replacement: bool) -> Result<Content, String> {
    let (tag, kind_name) = parse_kind_name(&mut f, replacement)?;
    let amendment = tag.spec().amendment;
    if replacement && amendment {
        return Err(format!("{}: a correction's replacement cannot be a `{kind_name}`; correct or retract the target instead", f.context));
    }
    if !replacement {
        f.context = kind_name;
    }
    let date = parse_date_field(&mut f, amendment)?;
    let kind = parse_kind(tag, &mut f)?;
    let summary = f.text("summary", MAX_SUMMARY_CHARS)?;
    let sources = parse_sources(&mut f)?;
    let confidence = f.choice("confidence", &Confidence::ALL)?;
    let location = parse_location(&mut f)?;
    let mode = f.text("mode", MAX_TAG_CHARS)?;
    let context = parse_context(&mut f)?;
    let context_name = f.context.clone();
    finish_content_fields(f, tag, replacement)?;
    let content = Content {
        date,
        kind,
        summary,
        sources,
        confidence,
        location,
        mode,
        context,
    };
    // The v2 fields' rules (tags, coordinates) live in one place: the validator.
    crate::model::validate::check_v2_fields(&content)
        .map_err(|e| format!("{context_name}: {e}"))?;
    Ok(content)
}

/// The `kind` field: its tag and its name as written.
fn parse_kind_name(f: &mut Fields, replacement: bool) -> Result<(KindTag, String), String> {
    let kind_name = match f.take("kind") {
        Some(Strict::Str(s)) => s,
        Some(other) => {
            return Err(format!(
                "{}: field `kind` must be a string, not {}",
                f.context,
                other.type_name()
            ))
        }
        None => return Err(format!("{}: missing field `kind`", f.context)),
    };
    let Some(tag) = KindTag::from_name(&kind_name) else {
        return Err(format!(
            "{}unknown kind `{}`{}",
            if replacement {
                format!("{}: ", f.context)
            } else {
                String::new()
            },
            short(&kind_name),
            did_you_mean(&kind_name, &KIND_NAMES)
        ));
    };
    Ok((tag, kind_name))
}

/// The `date` field: required, except on an amendment.
fn parse_date_field(f: &mut Fields, amendment: bool) -> Result<Option<Date>, String> {
    match f.take("date") {
        None if amendment => Ok(None),
        None => Err(format!("{}: missing field `date`", f.context)),
        Some(Strict::Str(s)) => Date::parse(&s)
            .map(Some)
            .map_err(|e| format!("{}: field `date`: {e}", f.context)),
        Some(other) => Err(format!(
            "{}: field `date` must be a string like 2024-11-15, 2023-08 or 2024, not {}",
            f.context,
            other.type_name()
        )),
    }
}

/// The `context` field: a non-empty array of tag strings, or absent.
fn parse_context(f: &mut Fields) -> Result<Vec<String>, String> {
    let items = match f.take("context") {
        None => return Ok(Vec::new()),
        Some(Strict::Array(items)) => items,
        Some(other) => {
            return Err(f.field_error(
                "context",
                format!("must be an array of tags, not {}", other.type_name()),
            ))
        }
    };
    let mut tags = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Strict::Str(t) => tags.push(t),
            other => {
                return Err(f.field_error(
                    "context",
                    format!("must contain only tag strings, not {}", other.type_name()),
                ))
            }
        }
    }
    if tags.is_empty() {
        return Err(f.field_error("context", "must list at least one tag (omit it for none)"));
    }
    Ok(tags)
}

/// Refuse any field left over: one the kind does not declare, or (in a correction's
/// replacement) an identity field.
fn finish_content_fields(f: Fields, tag: KindTag, replacement: bool) -> Result<(), String> {
    let mut allowed: Vec<&str> = tag.spec().field_names().collect();
    allowed.extend_from_slice(if replacement {
        &COMMON_FIELDS[..8]
    } else {
        &COMMON_FIELDS
    });
    if replacement {
        if let Some((key, _)) = f
            .entries
            .iter()
            .find(|(k, _)| k == "id" || k == "seq" || k == "recorded")
        {
            return Err(format!(
                "{}: a replacement event has no `{key}`; it takes the target's identity",
                f.context
            ));
        }
    }
    f.finish(&allowed)
}

/// Degrees (a JSON number) to integer microdegrees within `limit` degrees.
fn microdegrees(value: Strict, limit: f64) -> Result<i32, String> {
    let degrees = match value {
        Strict::Unsigned(n) => n as f64,
        Strict::Negative(n) => n as f64,
        Strict::Float(x) => x,
        other => {
            return Err(format!(
                "must be a number of degrees, not {}",
                other.type_name()
            ))
        }
    };
    if !degrees.is_finite() || degrees.abs() > limit {
        return Err(format!(
            "must be between -{limit} and {limit} degrees; got {degrees}"
        ));
    }
    Ok((degrees * 1e6).round() as i32)
}

fn parse_location(f: &mut Fields) -> Result<Option<Location>, String> {
    let Some(value) = f.take("location") else {
        return Ok(None);
    };
    let mut l = Fields::new(format!("{}: location", f.context), value)?;
    let name = l.text("name", MAX_TEXT_CHARS)?;
    let lat = match l.take("lat") {
        None => None,
        Some(v) => Some(microdegrees(v, 90.0).map_err(|e| l.field_error("lat", e))?),
    };
    let lon = match l.take("lon") {
        None => None,
        Some(v) => Some(microdegrees(v, 180.0).map_err(|e| l.field_error("lon", e))?),
    };
    l.finish(&["name", "lat", "lon"])?;
    Ok(Some(Location {
        name,
        lat_micro: lat,
        lon_micro: lon,
    }))
}

fn parse_sources(f: &mut Fields) -> Result<Vec<Source>, String> {
    let items = match f.take("sources") {
        None => return Ok(Vec::new()),
        Some(Strict::Array(items)) => items,
        Some(other) => {
            return Err(f.field_error(
                "sources",
                format!(
                    "must be an array of {{name, url?}} objects, not {}",
                    other.type_name()
                ),
            ))
        }
    };
    if items.len() > MAX_SOURCES {
        return Err(f.field_error(
            "sources",
            format!("has {} entries; the limit is {MAX_SOURCES}", items.len()),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut s = Fields::new(format!("{}: sources[{i}]", f.context), item)?;
        let name = s.required_text("name", MAX_TEXT_CHARS)?;
        let url = s.text("url", MAX_URL_CHARS)?;
        s.finish(&["name", "url"])?;
        out.push(Source { name, url });
    }
    Ok(out)
}

/// Read JSON Lines from `reader` and parse every line. Blank lines are skipped; CRLF
/// endings are accepted. Returns every parsed line with its 1-based line number, or every
/// problem found (never just the first), so a caller can report them all and write nothing.
pub fn parse_reader(
    reader: impl std::io::BufRead,
) -> Result<Vec<(usize, ParsedLine)>, Vec<crate::error::InputError>> {
    let (parsed, errors) = parse_reader_all(reader);
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// Like [`parse_reader`], but returns the lines that parsed together with the problems of
/// those that did not (for `check`, which reports everything it can).
pub fn parse_reader_all(
    reader: impl std::io::BufRead,
) -> (Vec<(usize, ParsedLine)>, Vec<crate::error::InputError>) {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for item in read_lines(reader) {
        match item {
            Ok(line) => parsed.push(line),
            Err(e) => errors.push(e),
        }
    }
    (parsed, errors)
}

/// Stream JSON Lines from `reader`, one parsed line (with its 1-based line number) or one
/// problem at a time, holding at most one line in memory. Blank lines are skipped; CRLF
/// endings are accepted; a byte-order mark, invalid UTF-8 and over-long lines are
/// problems; an input with no lines at all yields one "empty" problem. A read error ends
/// the stream after reporting it.
pub fn read_lines<R: std::io::BufRead>(reader: R) -> LineReader<R> {
    LineReader {
        reader,
        line_no: 0,
        buf: Vec::new(),
        saw_any: false,
        done: false,
        failed_text: None,
    }
}

/// The iterator [`read_lines`] returns.
pub struct LineReader<R> {
    reader: R,
    line_no: usize,
    buf: Vec<u8>,
    saw_any: bool,
    done: bool,
    /// The text of the last line that did not parse, until taken.
    failed_text: Option<String>,
}

impl<R> LineReader<R> {
    /// The text of the line of the last parse problem returned (once).
    pub(crate) fn take_failed_text(&mut self) -> Option<String> {
        self.failed_text.take()
    }
}

impl<R: std::io::BufRead> LineReader<R> {
    /// Read the next raw line into `buf` (without its newline). `Ok(None)` at the end;
    /// `Ok(Some(false))` when the line exceeded the limit (its bytes were dropped).
    fn next_raw(&mut self) -> std::io::Result<Option<bool>> {
        self.buf.clear();
        // Never hold more than the limit (plus the line ending, to detect it).
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if self.buf.is_empty() && !too_long {
                    return Ok(None);
                }
                break;
            }
            let (chunk, found_newline) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let n = chunk.len();
            if !too_long {
                if self.buf.len() + n > MAX_LINE_BYTES + 2 {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            self.reader.consume(n);
            if found_newline {
                break;
            }
        }
        if too_long {
            return Ok(Some(false));
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(true))
    }
}

impl<R: std::io::BufRead> Iterator for LineReader<R> {
    type Item = Result<(usize, ParsedLine), crate::error::InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        use crate::error::InputError;
        let problem = |line: usize, reason: String| Some(Err(InputError::new(line, reason)));
        while !self.done {
            self.line_no += 1;
            let line_no = self.line_no;
            match self.next_raw() {
                Err(e) => {
                    self.done = true;
                    return problem(line_no, format!("cannot read input: {e}"));
                }
                Ok(None) => {
                    self.done = true;
                    if !self.saw_any {
                        return problem(1, "the input is empty: no events to read".into());
                    }
                    return None;
                }
                Ok(Some(false)) => {
                    self.saw_any = true;
                    return problem(
                        line_no,
                        format!("line is longer than the limit of {MAX_LINE_BYTES} bytes"),
                    );
                }
                Ok(Some(true)) => {}
            }
            if line_no == 1 && self.buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.saw_any = true;
                return problem(
                    1,
                    "the input starts with a byte-order mark (BOM); save it as UTF-8 without a BOM"
                        .into(),
                );
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => {
                    self.saw_any = true;
                    return problem(
                        line_no,
                        format!(
                            "not valid UTF-8 (bad byte at column {})",
                            e.valid_up_to() + 1
                        ),
                    );
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            self.saw_any = true;
            return Some(match parse_line(text) {
                Ok(p) => Ok((line_no, p)),
                Err(reason) => {
                    self.failed_text = Some(text.to_string());
                    Err(InputError::new(line_no, reason))
                }
            });
        }
        None
    }
}

/// Parse one line of JSON Lines. The error is a sentence for a person, without the line
/// number (the caller adds it).
pub fn parse_line(text: &str) -> Result<ParsedLine, String> {
    if text.len() > MAX_LINE_BYTES {
        return Err(format!(
            "line is {} bytes long; the limit is {MAX_LINE_BYTES}",
            text.len()
        ));
    }
    let value: Strict = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line 1 column N"; keep the column, drop the line.
        format!(
            "invalid JSON: {}",
            msg.replace(" at line 1 column ", " at column ")
        )
    })?;
    if let Some(target) = needs_store(&value)? {
        let raw: Map<String, Value> =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        return crate::model::targets::parse_unresolved(target, raw);
    }
    parse_strict(value)
}

/// Parse one line already held as a JSON value (an importer's event object), by exactly
/// the rules of [`parse_line`] without printing and re-reading the text.
pub fn parse_value(value: Value) -> Result<ParsedLine, String> {
    if let Some(target) = crate::model::targets::needs_store_value(&value)? {
        if let Value::Object(raw) = value {
            return crate::model::targets::parse_unresolved(target, raw);
        }
    }
    let value = Strict::deserialize(value).map_err(|e| format!("invalid JSON: {e}"))?;
    parse_strict(value)
}

/// Whether a parsed line names its target by seq or id prefix, or is a partial
/// correction (`targets::classify`).
fn needs_store(value: &Strict) -> Result<Option<crate::model::targets::TargetRef>, String> {
    use crate::model::targets::{classify, RawTarget};
    let Strict::Object(entries) = value else {
        return Ok(None);
    };
    let get = |name: &str| entries.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let kind = match get("kind") {
        Some(Strict::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let target = match get("target") {
        None | Some(Strict::Null) => RawTarget::Absent,
        Some(Strict::Str(s)) => RawTarget::Str(s),
        Some(Strict::Unsigned(n)) => RawTarget::Int(*n),
        Some(_) => RawTarget::Other,
    };
    classify(kind, target, get("set").is_some())
}

fn parse_strict(value: Strict) -> Result<ParsedLine, String> {
    let mut f = Fields::new("the line", value)?;
    let id = f.uuid("id")?;
    let seq = f.integer("seq", 1, u64::MAX)?;
    let recorded = match f.take("recorded") {
        None => None,
        Some(Strict::Str(s)) => Some(
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| format!("field `recorded` must be an RFC 3339 timestamp: {e}"))?
                .with_timezone(&Utc),
        ),
        Some(other) => {
            return Err(format!(
                "field `recorded` must be an RFC 3339 timestamp string, not {}",
                other.type_name()
            ))
        }
    };
    let content = parse_content(f, false)?;
    if let Some(target) = content.kind.target() {
        if Some(target) == id {
            return Err(format!(
                "{}: it targets itself (id {target})",
                content.kind.name()
            ));
        }
    }
    Ok(ParsedLine {
        event: NewEvent { id, content },
        seq,
        recorded,
        unresolved: None,
    })
}

fn codes_json(codes: &[Code]) -> Value {
    Value::Array(codes.iter().map(|c| Value::String(c.to_string())).collect())
}

fn put_opt(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        map.insert(key.into(), Value::String(v.clone()));
    }
}

/// One kind field as JSON; `None` for an absent optional field.
fn field_json(value: FieldRef<'_>) -> Option<Value> {
    Some(match value {
        FieldRef::Code(c) => json!(c.as_str()),
        FieldRef::Codes(list) => codes_json(list),
        FieldRef::Text(t) => json!(t?),
        FieldRef::Integer(n) => json!(n),
        FieldRef::AllianceType(t) => json!(t.as_str()),
        FieldRef::Uuid(u) => json!(u.to_string()),
        FieldRef::TextList([]) => return None,
        FieldRef::TextList(items) => json!(items),
        FieldRef::Replacement(r) => {
            let mut inner = Map::new();
            content_fields(r, &mut inner);
            Value::Object(inner)
        }
        FieldRef::MaybeInteger(n) => json!(n?),
        FieldRef::Date(d) => json!(d?.to_string()),
        FieldRef::Choice(w) => json!(w?),
        FieldRef::Choices([]) => return None,
        FieldRef::Choices(words) => json!(words),
        FieldRef::Years([]) => return None,
        FieldRef::Years(years) => json!(years),
        FieldRef::Decimal(milli) => milli_json(milli?),
    })
}

/// Thousandths as the JSON number they were written as (`4.5`, `2875`).
fn milli_json(milli: u64) -> Value {
    if milli.is_multiple_of(1000) {
        return json!(milli / 1000);
    }
    let text = crate::model::validate::format_milli(milli);
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::String(text), Value::Number)
}

/// Write the content's fields into `map` in schema order (date, kind, kind fields,
/// summary, sources, confidence). Absent optional fields are omitted.
/// A content's interchange fields as a JSON object (no `id`, `seq` or `recorded`).
pub fn content_json(content: &Content) -> Map<String, Value> {
    let mut map = Map::new();
    content_fields(content, &mut map);
    map
}

fn content_fields(content: &Content, map: &mut Map<String, Value>) {
    if let Some(date) = &content.date {
        map.insert("date".into(), Value::String(date.to_string()));
    }
    map.insert("kind".into(), Value::String(content.kind.name().into()));
    let spec = content.kind.tag().spec();
    for (field, value) in spec.fields.iter().zip(content.kind.fields()) {
        if let Some(v) = field_json(value) {
            map.insert(field.name.into(), v);
        }
    }
    put_opt(map, "summary", &content.summary);
    if !content.sources.is_empty() {
        let sources: Vec<Value> = content
            .sources
            .iter()
            .map(|s| {
                let mut m = Map::new();
                m.insert("name".into(), json!(s.name));
                put_opt(&mut m, "url", &s.url);
                Value::Object(m)
            })
            .collect();
        map.insert("sources".into(), Value::Array(sources));
    }
    if let Some(c) = content.confidence {
        map.insert("confidence".into(), json!(c.as_str()));
    }
    if let Some(l) = &content.location {
        let mut m = Map::new();
        put_opt(&mut m, "name", &l.name);
        if let Some(lat) = l.lat_micro {
            m.insert("lat".into(), json!(f64::from(lat) / 1e6));
        }
        if let Some(lon) = l.lon_micro {
            m.insert("lon".into(), json!(f64::from(lon) / 1e6));
        }
        map.insert("location".into(), Value::Object(m));
    }
    put_opt(map, "mode", &content.mode);
    if !content.context.is_empty() {
        map.insert("context".into(), json!(content.context));
    }
}

/// Format a recorded time the way annals prints it: RFC 3339, UTC, microseconds.
pub fn format_recorded(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One stored event as a JSON object: `id`, `seq`, `recorded`, then the content fields.
pub fn event_json(event: &Event) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), json!(event.id.to_string()));
    map.insert("seq".into(), json!(event.seq));
    map.insert("recorded".into(), json!(format_recorded(event.recorded())));
    content_fields(&event.content, &mut map);
    Value::Object(map)
}

/// One stored event as one line of JSON Lines (no trailing newline).
pub fn event_line(event: &Event) -> String {
    event_json(event).to_string()
}

/// The canonical text of a content: its JSON object in schema order, without `id`, `seq`
/// and `recorded`. Content-addressed ids are the UUID v5 of this text.
pub fn canonical_text(content: &Content) -> String {
    let mut map = Map::new();
    content_fields(content, &mut map);
    Value::Object(map).to_string()
}

/// The content-addressed id of a content: UUID v5 of [`canonical_text`].
pub fn content_id(content: &Content) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, canonical_text(content).as_bytes())
}

/// The id of the `n`th line (from 1) of one input with this content and no `id`: the
/// first is [`content_id`], so a re-import and a retried single append find their event
/// again; the `n`th (n > 1) is the UUID v5 of the canonical text followed by `#n`, so two
/// identical lines are two events (`schema/interchange.md`, "Ids").
pub fn occurrence_id(content: &Content, n: u32) -> Uuid {
    if n <= 1 {
        return content_id(content);
    }
    let text = format!("{}#{n}", canonical_text(content));
    Uuid::new_v5(&ID_NAMESPACE, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> String {
        parse_line(line).unwrap_err()
    }

    #[test]
    fn parses_and_prints_back() {
        let line = r#"{"date":"2024-11","kind":"deployment","actor":"prk","host":"RUS","region":"Kursk","strength":12000,"summary":"as many as 12,000","sources":[{"name":"AP"}],"confidence":"reported"}"#;
        let parsed = parse_line(line).unwrap();
        let text = canonical_text(&parsed.event.content);
        assert_eq!(
            text,
            r#"{"date":"2024-11","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":12000,"summary":"as many as 12,000","sources":[{"name":"AP"}],"confidence":"reported"}"#
        );
        assert_eq!(
            parse_line(&text).unwrap().event.content,
            parsed.event.content
        );
    }

    #[test]
    fn suggests_near_misses() {
        assert!(
            err(r#"{"date":"2024","kind":"meting","actors":["USA","KOR"]}"#)
                .contains("did you mean `meeting`")
        );
        let e =
            err(r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strenght":1}"#);
        assert!(e.contains("missing field `strength`"), "{e}");
        let e = err(
            r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":1,"regoin":"x"}"#,
        );
        assert!(
            e.contains("unknown field `regoin`") && e.contains("did you mean `region`"),
            "{e}"
        );
    }

    #[test]
    fn rejects_bad_values() {
        for (line, needle) in [
            (
                r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":-1}"#,
                "got -1",
            ),
            (
                r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"x","quantity":1e30}"#,
                "quantity",
            ),
            (
                r#"{"date":"2024","kind":"meeting","actors":["USA"]}"#,
                "at least 2",
            ),
            (
                r#"{"date":"2024","kind":"meeting","actors":["USA","usa"]}"#,
                "twice",
            ),
            (
                r#"{"date":"2024","date":"2025","kind":"statement","actors":["USA"]}"#,
                "duplicate key",
            ),
            (
                r#"{"date":"0000","kind":"statement","actors":["USA"]}"#,
                "year",
            ),
            (
                r#"{"date":"2024","kind":"statement","actors":["U SA"]}"#,
                "invalid actor code",
            ),
            (
                r#"{"kind":"statement","actors":["USA"]}"#,
                "missing field `date`",
            ),
            (r#"[1,2]"#, "must be a JSON object"),
            (
                r#"{"id":"00000000-0000-0000-0000-000000000001","kind":"retraction","target":"00000000-0000-0000-0000-000000000001","reason":"x"}"#,
                "targets itself",
            ),
            (
                r#"{"kind":"correction","target":"00000000-0000-0000-0000-000000000001","event":{"kind":"retraction","target":"00000000-0000-0000-0000-000000000002","reason":"x"}}"#,
                "cannot be a `retraction`",
            ),
            (
                r#"{"kind":"correction","target":"00000000-0000-0000-0000-000000000001","event":{"id":"00000000-0000-0000-0000-000000000003","date":"2024","kind":"statement","actors":["USA"]}}"#,
                "has no `id`",
            ),
        ] {
            let e = err(line);
            assert!(e.contains(needle), "{line} -> {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let line = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(err(&line).contains("recursion limit"));
    }

    #[test]
    fn content_ids_are_stable() {
        let a = parse_line(r#"{"date":"2024","kind":"statement","actors":["usa"]}"#).unwrap();
        let b = parse_line(r#"{"actors":["USA"],"kind":"statement","date":"2024"}"#).unwrap();
        assert_eq!(content_id(&a.event.content), content_id(&b.event.content));
    }
}
