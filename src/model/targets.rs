//! Amendments that only the store can complete: a target named by its seq (`"seq:17"` or
//! `17`) or by a unique prefix of its id (at least 8 hex digits), and partial corrections
//! (`"set": {"strength": 190000}`), whose replacement is the target's version in effect
//! with the named fields changed.
//!
//! Owns: recognising such a line ([`classify`]), checking everything but the target at
//! parse time ([`parse_unresolved`]), and completing it once the log has said which event
//! is meant and what it holds ([`resolve_line`]). The log (`log/append.rs`) finds the
//! target; nothing here reads it.
//!
//! Invariants: a completed line is parsed by exactly the rules of any other line (it goes
//! through `interchange::parse_value`), and its stored form always names the target by its
//! full id and carries the whole replacement, so views and the stored format never see a
//! seq, a prefix or a `set`; a `set` may name only fields the target's kind has, and the
//! error lists them.

use crate::model::event::Content;
use crate::model::interchange::{self, ParsedLine, COMMON_FIELDS};
use serde_json::{Map, Value};
use std::fmt;
use uuid::Uuid;

/// The fewest hex digits an id prefix may have.
pub const MIN_PREFIX_DIGITS: usize = 8;

/// How an amendment names its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetRef {
    /// By its full id.
    Id(Uuid),
    /// By its seq.
    Seq(u64),
    /// By the first hex digits of its id (lower case, without hyphens).
    Prefix(String),
}

impl fmt::Display for TargetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRef::Id(id) => write!(f, "{id}"),
            TargetRef::Seq(seq) => write!(f, "seq:{seq}"),
            TargetRef::Prefix(p) => write!(f, "{p}"),
        }
    }
}

/// An amendment line waiting for the store: its target as written and the whole line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub target: TargetRef,
    /// The line as written (with `target` and any `set` unchanged).
    pub line: Map<String, Value>,
}

impl Unresolved {
    /// Whether the line is a partial correction (`set`), which needs the target's content.
    pub fn is_partial(&self) -> bool {
        self.line.contains_key("set")
    }
}

/// The `target` field as written, for [`classify`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawTarget<'a> {
    Absent,
    Str(&'a str),
    Int(u64),
    Other,
}

/// Whether a line of kind `kind` with this `target` (and a `set` field or not) needs the
/// store; `Err` for a target that is no id, prefix or seq. Lines of other kinds, and
/// targets absent or of the wrong type, are left to the ordinary parser's errors.
pub(crate) fn classify(
    kind: Option<&str>,
    target: RawTarget<'_>,
    has_set: bool,
) -> Result<Option<TargetRef>, String> {
    let Some(kind @ ("retraction" | "correction")) = kind else {
        return Ok(None);
    };
    let partial = has_set && kind == "correction";
    let bad = |got: String| {
        format!(
            "{kind}: field `target` must be the target's id (a UUID, or a unique prefix of at least {MIN_PREFIX_DIGITS} hex digits) or its seq (`seq:17` or 17); got {got}"
        )
    };
    match target {
        RawTarget::Absent | RawTarget::Other => Ok(None),
        RawTarget::Int(0) => Err(bad("0 (seqs start at 1)".into())),
        RawTarget::Int(n) => Ok(Some(TargetRef::Seq(n))),
        RawTarget::Str(s) => {
            if let Ok(id) = Uuid::try_parse(s) {
                return Ok(partial.then_some(TargetRef::Id(id)));
            }
            if let Some(n) = s.strip_prefix("seq:") {
                return match n.parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Some(TargetRef::Seq(n))),
                    _ => Err(bad(format!("`{}`", short(s)))),
                };
            }
            let hex: String = s.chars().filter(|c| *c != '-').collect();
            let is_prefix = (MIN_PREFIX_DIGITS..32).contains(&hex.len())
                && hex.chars().all(|c| c.is_ascii_hexdigit());
            if is_prefix {
                return Ok(Some(TargetRef::Prefix(hex.to_ascii_lowercase())));
            }
            Err(bad(format!("`{}`", short(s))))
        }
    }
}

/// [`classify`] for a line held as a JSON value.
pub(crate) fn needs_store_value(value: &Value) -> Result<Option<TargetRef>, String> {
    let Value::Object(map) = value else {
        return Ok(None);
    };
    let target = match map.get("target") {
        None | Some(Value::Null) => RawTarget::Absent,
        Some(Value::String(s)) => RawTarget::Str(s),
        Some(Value::Number(n)) => n.as_u64().map_or(RawTarget::Other, RawTarget::Int),
        Some(_) => RawTarget::Other,
    };
    let kind = map.get("kind").and_then(Value::as_str);
    classify(kind, target, map.contains_key("set"))
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// A correction's `set` must be an object naming at least one field.
fn check_set(set: &Value) -> Result<(), String> {
    const FIXED: [&str; 4] = ["kind", "id", "seq", "recorded"];
    match set {
        Value::Object(m) if m.keys().any(|k| FIXED.contains(&k.as_str())) => Err(format!(
            "correction: `set` cannot change {}: a correction keeps the event's kind and identity (to change the kind, give the whole replacement in `event`)",
            FIXED.iter().filter(|f| m.contains_key(**f)).map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        )),
        Value::Object(m) if !m.is_empty() => Ok(()),
        Value::Object(_) => Err("correction: field `set` names no field to change".into()),
        _ => Err(
            "correction: field `set` must be an object of the fields to change, like {\"strength\": 190000}"
                .into(),
        ),
    }
}

/// Parse a line that needs the store: every field but the target (and, for a partial
/// correction, the replacement) is checked now, by the ordinary rules, so a bad line is
/// reported at parse time like any other. The event returned is a placeholder.
pub(crate) fn parse_unresolved(
    target: TargetRef,
    line: Map<String, Value>,
) -> Result<ParsedLine, String> {
    let mut check = line.clone();
    check.insert("target".into(), Value::String(Uuid::nil().to_string()));
    let is_correction = check.get("kind").and_then(Value::as_str) == Some("correction");
    if let Some(set) = is_correction.then(|| check.remove("set")).flatten() {
        check_set(&set)?;
        if check.contains_key("event") {
            return Err("correction: give either `event` (the whole replacement) or `set` (only the fields to change), not both".into());
        }
        let placeholder =
            serde_json::json!({"date": "2000", "kind": "statement", "actors": ["USA"]});
        check.insert("event".into(), placeholder);
    }
    let mut parsed = interchange::parse_value(Value::Object(check))?;
    parsed.unresolved = Some(Unresolved { target, line });
    Ok(parsed)
}

/// Complete a line once the store has found its target: `target` is its full id and
/// `current` its version in effect (its content, or for a corrected event the replacement
/// in effect), which a partial correction changes field by field.
pub fn resolve_line(
    unresolved: &Unresolved,
    target: Uuid,
    current: Option<&Content>,
) -> Result<ParsedLine, String> {
    let mut line = unresolved.line.clone();
    line.insert("target".into(), Value::String(target.to_string()));
    if let Some(set) = line.remove("set") {
        let base = current.ok_or("correction: `set` needs the target's content")?;
        line.insert("event".into(), Value::Object(apply_set(base, set)?));
    }
    let mut parsed = interchange::parse_value(Value::Object(line))?;
    parsed.unresolved = None;
    Ok(parsed)
}

/// The fields a partial correction of this content may set: its kind's and the common
/// ones (never `kind`, `id`, `seq` or `recorded`).
pub fn settable_fields(content: &Content) -> Vec<&'static str> {
    let spec = content.kind.tag().spec();
    spec.field_names()
        .chain(COMMON_FIELDS[..8].iter().copied().filter(|f| *f != "kind"))
        .collect()
}

/// The replacement of a partial correction: `base` as an interchange object, with each
/// field of `set` put in (or, for `null`, taken out).
fn apply_set(base: &Content, set: Value) -> Result<Map<String, Value>, String> {
    let Value::Object(set) = set else {
        return Err("correction: field `set` must be an object".into());
    };
    let kind = base.kind.name();
    let allowed = settable_fields(base);
    let mut event = interchange::content_json(base);
    for (field, value) in set {
        if !allowed.contains(&field.as_str()) {
            let hint = interchange::nearest(&field, allowed.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "correction: `set` names `{}`, which a `{kind}` does not have{hint}; its fields are {}",
                short(&field),
                allowed.join(", ")
            ));
        }
        if value.is_null() {
            event.remove(&field);
        } else {
            event.insert(field, value);
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::interchange::parse_line;

    #[test]
    fn targets_by_seq_prefix_and_id() {
        let t = |line: &str| parse_line(line).map(|p| p.unresolved.map(|u| u.target));
        assert_eq!(
            t(r#"{"kind":"retraction","target":"seq:17","reason":"x"}"#),
            Ok(Some(TargetRef::Seq(17)))
        );
        assert_eq!(
            t(r#"{"kind":"retraction","target":17,"reason":"x"}"#),
            Ok(Some(TargetRef::Seq(17)))
        );
        assert_eq!(
            t(r#"{"kind":"retraction","target":"6F1C0A52-3c1b","reason":"x"}"#),
            Ok(Some(TargetRef::Prefix("6f1c0a523c1b".into())))
        );
        assert_eq!(
            t(
                r#"{"kind":"retraction","target":"6f1c0a52-3c1b-4c0e-9a55-3f9c2d1e0b6a","reason":"x"}"#
            ),
            Ok(None)
        );
        for bad in [r#""seq:0""#, "0", r#""6f1c0a5""#, r#""seq:x""#, r#""NATO""#] {
            let line = format!(r#"{{"kind":"retraction","target":{bad},"reason":"x"}}"#);
            let e = parse_line(&line).unwrap_err();
            assert!(e.contains("field `target` must be"), "{bad}: {e}");
        }
    }

    #[test]
    fn partial_corrections_check_the_line_now_and_the_fields_later() {
        let p = parse_line(
            r#"{"kind":"correction","target":"seq:2","set":{"strength":190000},"summary":"new figure"}"#,
        )
        .unwrap();
        let u = p.unresolved.unwrap();
        assert!(u.is_partial());
        assert_eq!(p.event.content.kind.target(), Some(Uuid::nil()));
        // Errors of the line itself come at parse time.
        for (line, says) in [
            (
                r#"{"kind":"correction","target":"seq:2","set":{}}"#,
                "names no field",
            ),
            (
                r#"{"kind":"correction","target":"seq:2","set":3}"#,
                "must be an object",
            ),
            (
                r#"{"kind":"correction","target":"seq:2","set":{"a":1},"event":{}}"#,
                "not both",
            ),
            (
                r#"{"kind":"correction","target":"seq:2","set":{"a":1},"bogus":1}"#,
                "bogus",
            ),
        ] {
            let e = parse_line(line).unwrap_err();
            assert!(e.contains(says), "{line}: {e}");
        }
        let base = parse_line(
            r#"{"date":"2022-02-24","kind":"deployment","actor":"RUS","host":"UKR","strength":150000,"summary":"s"}"#,
        )
        .unwrap()
        .event
        .content;
        let id = Uuid::from_u128(7);
        let done = resolve_line(&u, id, Some(&base)).unwrap();
        let crate::model::event::Kind::Correction {
            target,
            replacement,
        } = &done.event.content.kind
        else {
            panic!("not a correction");
        };
        assert_eq!(*target, id);
        assert_eq!(replacement.summary.as_deref(), Some("s"));
        let json = interchange::content_json(replacement);
        assert_eq!(json["strength"], 190000);
        assert_eq!(json["host"], "UKR");
        assert_eq!(done.event.content.summary.as_deref(), Some("new figure"));
        // A field the target's kind does not have is refused, naming the kind's fields.
        let wrong = parse_line(r#"{"kind":"correction","target":"seq:2","set":{"strenght":1}}"#)
            .unwrap()
            .unresolved
            .unwrap();
        let e = resolve_line(&wrong, id, Some(&base)).unwrap_err();
        assert!(
            e.contains("`strenght`") && e.contains("did you mean `strength`"),
            "{e}"
        );
        assert!(
            e.contains("actor, host, region, strength, date, summary"),
            "{e}"
        );
    }
}
