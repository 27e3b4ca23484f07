//! The rules every stored event obeys, checked on every append whatever its origin (the
//! JSON parser, the Rust API, a test). The parser reports most of these earlier with the
//! field's context; this check is the authority, so an embedder cannot store an event
//! the interchange format could not express.
//!
//! Invariant: `check_content(c).is_ok()` implies `canonical_text(c)` parses back to `c`.

use crate::model::date::Day;
use crate::model::event::{Code, Content, FieldRef, FieldSpec, FieldType, Kind, KindTag};
use crate::model::limits::*;

fn text(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if value.trim().is_empty() {
        Err(format!("field `{field}` must not be empty"))
    } else if n > max {
        Err(format!(
            "field `{field}` is {n} characters long; the limit is {max}"
        ))
    } else {
        Ok(())
    }
}

fn opt_text(field: &str, value: &Option<String>, max: usize) -> Result<(), String> {
    value.as_deref().map_or(Ok(()), |v| text(field, v, max))
}

fn code(field: &str, c: &Code) -> Result<(), String> {
    if c.is_valid() {
        Ok(())
    } else {
        Err(format!("field `{field}` holds an invalid actor code `{c}`"))
    }
}

fn codes(field: &str, list: &[Code], min: usize) -> Result<(), String> {
    if list.len() < min {
        return Err(format!(
            "field `{field}` needs at least {min} actor code{}",
            if min == 1 { "" } else { "s" }
        ));
    }
    if list.len() > MAX_CODES {
        return Err(format!(
            "field `{field}` has {} codes; the limit is {MAX_CODES}",
            list.len()
        ));
    }
    for (i, c) in list.iter().enumerate() {
        code(field, c)?;
        if list[..i].contains(c) {
            return Err(format!("field `{field}` names `{c}` twice"));
        }
    }
    Ok(())
}

fn range(field: &str, value: u64, min: u64, max: u64) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "field `{field}` must be an integer from {min} to {max}; got {value}"
        ))
    }
}

/// Whether `value` is a snake_case word: a lowercase letter, then lowercase letters, digits
/// or `_` (the shape of `office`, `mode` and `context` values).
fn is_snake_word(value: &str) -> bool {
    value.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn shown(value: &str) -> String {
    value.chars().take(40).collect()
}

/// The rule for `office`: a snake_case word of at most 64 characters.
pub(crate) fn office(value: &str) -> Result<(), String> {
    text("office", value, MAX_OFFICE_CHARS)?;
    if is_snake_word(value) {
        Ok(())
    } else {
        Err(format!("field `office` must be a snake_case word like `president` or `prime_minister`; got `{}`", shown(value)))
    }
}

fn text_list(field: &str, items: &[String]) -> Result<(), String> {
    if items.len() > MAX_ASSETS {
        return Err(format!(
            "field `{field}` has {} entries; the limit is {MAX_ASSETS}",
            items.len()
        ));
    }
    items
        .iter()
        .try_for_each(|a| text(field, a, MAX_TEXT_CHARS))
}

fn replacement(r: &Content) -> Result<(), String> {
    if r.kind.is_amendment() {
        return Err(format!(
            "a correction's replacement cannot be a `{}`",
            r.kind.name()
        ));
    }
    if r.date.is_none() {
        return Err("a correction's replacement needs a `date`".into());
    }
    check_content(r).map_err(|e| format!("replacement: {e}"))
}

/// Check one field's value against its declaration.
fn field(spec: &FieldSpec, value: FieldRef<'_>) -> Result<(), String> {
    let name = spec.name;
    match (spec.ty, value) {
        (FieldType::Code, FieldRef::Code(c)) => code(name, c),
        (FieldType::Codes { min }, FieldRef::Codes(list)) => codes(name, list, min),
        (FieldType::Text, FieldRef::Text(Some(t))) => text(name, t, MAX_TEXT_CHARS),
        (FieldType::Office, FieldRef::Text(Some(t))) => office(t),
        (FieldType::Text | FieldType::Office, FieldRef::Text(None)) if !spec.required => Ok(()),
        (FieldType::Integer { min, max, .. }, FieldRef::Integer(n)) => range(name, n, min, max),
        (FieldType::AllianceType, FieldRef::AllianceType(_)) => Ok(()),
        (FieldType::Uuid, FieldRef::Uuid(_)) => Ok(()),
        (FieldType::TextList, FieldRef::TextList(items)) => text_list(name, items),
        (FieldType::Replacement, FieldRef::Replacement(r)) => replacement(r),
        (FieldType::MaybeInteger { min, max }, FieldRef::MaybeInteger(n)) => match n {
            Some(n) => range(name, n, min, max),
            None => Ok(()),
        },
        (FieldType::Date, FieldRef::Date(d)) => match d {
            Some(d) if !d.is_valid() => Err(format!("field `{name}` is not a valid date")),
            _ => Ok(()),
        },
        (FieldType::Choice(words), FieldRef::Choice(w)) => choice(name, w, words, spec.required),
        (FieldType::Choices(words), FieldRef::Choices(given)) => choices(name, given, words),
        (FieldType::Years, FieldRef::Years(years)) => year_list(name, years),
        (FieldType::Decimal, FieldRef::Decimal(d)) => match d {
            Some(d) if d > MAX_DECIMAL_MILLI => Err(format!("field `{name}` is too large")),
            _ => Ok(()),
        },
        _ => Err(format!(
            "field `{name}` does not match the kind's declaration"
        )),
    }
}

fn choice(name: &str, word: Option<&str>, words: &[&str], required: bool) -> Result<(), String> {
    match word {
        Some(w) if words.contains(&w) => Ok(()),
        None if !required => Ok(()),
        _ => Err(format!(
            "field `{name}` must be one of {}",
            words.join(", ")
        )),
    }
}

fn choices(name: &str, given: &[String], words: &[&str]) -> Result<(), String> {
    // Distinct, and in the declared order: the one canonical form of a set.
    let positions: Option<Vec<usize>> = given
        .iter()
        .map(|g| words.iter().position(|w| w == g))
        .collect();
    match positions {
        Some(p) if p.windows(2).all(|w| w[0] < w[1]) => Ok(()),
        _ => Err(format!(
            "field `{name}` must hold distinct words of {}, in that order",
            words.join(", ")
        )),
    }
}

fn year_list(name: &str, years: &[u16]) -> Result<(), String> {
    let ascending = years.windows(2).all(|w| w[0] < w[1]);
    if years.len() <= MAX_YEARS && ascending && years.iter().all(|y| (1..=9999).contains(y)) {
        Ok(())
    } else {
        Err(format!(
            "field `{name}` must hold at most {MAX_YEARS} distinct years from 1 to 9999, ascending"
        ))
    }
}

/// Parse a non-negative decimal with at most three decimals (`4.5`, `2875`, `0.25`)
/// into thousandths.
pub fn parse_milli(text: &str) -> Result<u64, String> {
    let bad = || format!("must be a number of at least 0 with at most 3 decimals; got `{text}`");
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 3 {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(1000)
        .and_then(|w| w.checked_add(frac))
        .filter(|m| *m <= MAX_DECIMAL_MILLI)
        .ok_or_else(bad)
}

/// Thousandths as decimal text without trailing zeros (`4500` → `4.5`).
pub fn format_milli(milli: u64) -> String {
    let (whole, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:03}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Check a kind's fields against its declaration in [`crate::model::event::KINDS`].
fn kind(k: &Kind) -> Result<(), String> {
    let spec = k.tag().spec();
    let values = k.fields();
    if values.len() != spec.fields.len() {
        return Err("its fields do not match the kind's declaration".into());
    }
    spec.fields
        .iter()
        .zip(values)
        .try_for_each(|(s, v)| field(s, v))
}

fn tag(field: &str, value: &str) -> Result<(), String> {
    if value.len() <= MAX_TAG_CHARS && is_snake_word(value) {
        Ok(())
    } else {
        Err(format!("field `{field}` must hold tags of 1 to {MAX_TAG_CHARS} characters like `ground_forces` (a-z, 0-9, _); got `{}`", shown(value)))
    }
}

/// The rules of the interchange-v2 fields: `location`, `mode`, `context`.
pub(crate) fn check_v2_fields(content: &Content) -> Result<(), String> {
    if let Some(l) = &content.location {
        opt_text("location.name", &l.name, MAX_TEXT_CHARS)?;
        match (l.lat_micro, l.lon_micro) {
            (Some(lat), Some(lon)) => {
                if !(-90_000_000..=90_000_000).contains(&lat)
                    || !(-180_000_000..=180_000_000).contains(&lon)
                {
                    return Err(
                        "field `location`: lat must be within ±90 and lon within ±180 degrees"
                            .into(),
                    );
                }
            }
            (None, None) if l.name.is_some() => {}
            (None, None) => {
                return Err("field `location` needs a `name`, or `lat` and `lon`".into())
            }
            _ => return Err("field `location`: `lat` and `lon` go together".into()),
        }
    }
    if let Some(m) = &content.mode {
        tag("mode", m)?;
    }
    if content.context.len() > MAX_CONTEXT_TAGS {
        return Err(format!(
            "field `context` has {} tags; the limit is {MAX_CONTEXT_TAGS}",
            content.context.len()
        ));
    }
    for (i, t) in content.context.iter().enumerate() {
        tag("context", t)?;
        if content.context[..i].contains(t) {
            return Err(format!("field `context` lists `{t}` twice"));
        }
    }
    Ok(())
}

/// Check one event's content against every rule of the interchange format.
pub fn check_content(content: &Content) -> Result<(), String> {
    let name = content.kind.name();
    if content.date.is_none() && !content.kind.is_amendment() {
        return Err(format!("{name}: missing field `date`"));
    }
    if let Some(d) = &content.date {
        if !d.is_valid() {
            return Err(format!("{name}: field `date` is not a valid date"));
        }
    }
    kind(&content.kind).map_err(|e| format!("{name}: {e}"))?;
    check_v2_fields(content).map_err(|e| format!("{name}: {e}"))?;
    opt_text("summary", &content.summary, MAX_SUMMARY_CHARS).map_err(|e| format!("{name}: {e}"))?;
    if content.sources.len() > MAX_SOURCES {
        return Err(format!(
            "{name}: field `sources` has {} entries; the limit is {MAX_SOURCES}",
            content.sources.len()
        ));
    }
    for s in &content.sources {
        text("sources[].name", &s.name, MAX_TEXT_CHARS).map_err(|e| format!("{name}: {e}"))?;
        opt_text("sources[].url", &s.url, MAX_URL_CHARS).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Pairs of fields naming the two sides of an event, which are rarely the same actor
/// (`warnings`): (kind, field, field, what it would mean).
const SAME_SIDES: [(KindTag, &str, &str, &str); 5] = [
    (
        KindTag::Deployment,
        "actor",
        "host",
        "forces deployed in their own territory",
    ),
    (
        KindTag::Withdrawal,
        "actor",
        "host",
        "a withdrawal from its own territory",
    ),
    (
        KindTag::ArmsTransfer,
        "supplier",
        "recipient",
        "a transfer to itself",
    ),
    (
        KindTag::SanctionsImposed,
        "actor",
        "against",
        "sanctions against itself",
    ),
    (
        KindTag::SanctionsLifted,
        "actor",
        "against",
        "sanctions lifted against itself",
    ),
];

/// Integer fields for which 0 is allowed but suspicious: (kind, field, advice).
const ZERO_FIELDS: [(KindTag, &str, &str); 1] = [(
    KindTag::Deployment,
    "strength",
    "a deployment of no troops; to end a deployment, record a `withdrawal`",
)];

/// Plausibility warnings: things a valid event may say but rarely means. Never a
/// rejection by themselves (`import --strict` makes them errors): the same actor on both
/// sides of a deployment, transfer or sanction; a strength of 0; a date that begins after
/// the event's recorded time (`recorded_micros`). A correction is judged by its
/// replacement.
pub fn warnings(content: &Content, recorded_micros: i64) -> Vec<String> {
    let mut out = Vec::new();
    let judged = match &content.kind {
        Kind::Correction { replacement, .. } => replacement.as_ref(),
        _ => content,
    };
    let tag = judged.kind.tag();
    let value = |name: &str| {
        tag.spec()
            .fields
            .iter()
            .zip(judged.kind.fields())
            .find(|(f, _)| f.name == name)
            .map(|(_, v)| v)
    };
    for (kind, a, b, meaning) in SAME_SIDES {
        if let (true, Some(FieldRef::Code(x)), Some(FieldRef::Code(y))) =
            (kind == tag, value(a), value(b))
        {
            if x == y {
                out.push(format!("`{a}` and `{b}` are both {x}: {meaning}?"));
            }
        }
    }
    for (kind, name, advice) in ZERO_FIELDS {
        if kind == tag && value(name) == Some(FieldRef::Integer(0)) {
            out.push(format!("`{name}` is 0: {advice}"));
        }
    }
    let recorded_day = chrono::DateTime::from_timestamp_micros(recorded_micros)
        .and_then(|t| Day::from_naive(t.date_naive()));
    if let (Some(date), Some(day)) = (&judged.date, recorded_day) {
        if date.earliest() > day {
            out.push(format!(
                "dated {date}, after the day it is recorded ({}): an event in the future?",
                day.to_naive()
            ));
        }
    }
    out
}
