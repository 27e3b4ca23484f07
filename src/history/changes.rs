//! What a correction changed: its replacement compared with the version it replaces, field
//! by field, as the interchange writes them.
//!
//! Invariants: the fields compared are the common content fields (`date`, `kind`,
//! `summary`, `sources`, `confidence`, `location`, `mode`, `context`) and the fields the
//! kind declarations ([`KindTag::spec`]) give the two kinds, in interchange order; a value
//! is the JSON the interchange writes for it, so an absent optional field is `None`.

use crate::error::Result;
use crate::model::event::{Content, Event, Kind, KindTag};
use crate::model::interchange::{content_json, COMMON_FIELDS};
use crate::store::Store;
use serde::Serialize;
use serde_json::Value;

/// One field a correction changed: its interchange name and its JSON value before and
/// after (`None` where the field is absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub from: Option<Value>,
    pub to: Option<Value>,
}

/// How many of [`COMMON_FIELDS`] are content (the rest are the store's: id, seq, recorded).
const CONTENT_COMMON_FIELDS: usize = 8;

/// The fields whose values differ between `old` and `new`, in interchange order.
///
/// ```
/// use annals::{history::changes::field_changes, interchange::parse_line};
/// let old = parse_line(r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","strength":8000}"#).unwrap().event.content;
/// let new = parse_line(r#"{"date":"2024-10-30","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000}"#).unwrap().event.content;
/// let changes = field_changes(&old, &new);
/// let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
/// assert_eq!(fields, ["date", "region"]);
/// assert_eq!(changes[1].from, None);
/// assert_eq!(changes[1].to, Some(serde_json::json!("Kursk")));
/// ```
pub fn field_changes(old: &Content, new: &Content) -> Vec<FieldChange> {
    let (before, after) = (content_json(old), content_json(new));
    field_names(old.kind.tag(), new.kind.tag())
        .into_iter()
        .filter_map(|field| {
            let (from, to) = (before.get(field).cloned(), after.get(field).cloned());
            (from != to).then(|| FieldChange {
                field: field.to_string(),
                from,
                to,
            })
        })
        .collect()
}

/// `date`, `kind`, the fields of `old`'s kind then those only `new`'s kind has, then the
/// other common fields.
fn field_names(old: KindTag, new: KindTag) -> Vec<&'static str> {
    let common = &COMMON_FIELDS[..CONTENT_COMMON_FIELDS];
    let mut names: Vec<&'static str> = vec!["date", "kind"];
    for name in old.spec().field_names().chain(new.spec().field_names()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.extend(common.iter().filter(|f| !["date", "kind"].contains(f)));
    names
}

/// The content a version of an event says: a correction's replacement, else its content.
fn version_content(event: Event) -> Content {
    match event.content.kind {
        Kind::Correction { replacement, .. } => *replacement,
        _ => event.content,
    }
}

impl Store {
    /// What the correction `event` changed in the version it replaced, known at seq `k`:
    /// the version of its event in effect just before it was recorded (its target, unless
    /// a later correction of the target was then in effect). Empty for any other event, or
    /// when the target is not known at `k`.
    pub(crate) fn changes_at(&self, event: &Event, k: u64) -> Result<Vec<FieldChange>> {
        let Kind::Correction {
            target,
            replacement,
        } = &event.content.kind
        else {
            return Ok(Vec::new());
        };
        let log = self.log.read();
        let Some(target_seq) = log.lookup_id(target, k)? else {
            return Ok(Vec::new());
        };
        let root = log.root_of(event.seq, &event.content, k)?;
        let replaced = log
            .resolve(root, event.seq.saturating_sub(1))?
            .unwrap_or(target_seq);
        let old = version_content(log.event_at(replaced, k)?);
        Ok(field_changes(&old, replacement))
    }

    /// What the correction `event` changed in the version it replaced (see
    /// [`field_changes`]); empty for any other event.
    pub fn correction_changes(&self, event: &Event) -> Result<Vec<FieldChange>> {
        self.changes_at(event, self.head().seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::interchange::parse_line;

    fn content(line: &str) -> Content {
        parse_line(line).unwrap().event.content
    }

    #[test]
    fn a_change_of_kind_compares_the_fields_of_both_kinds() {
        let old =
            content(r#"{"date":"2024","kind":"meeting","actors":["USA","RUS"],"place":"Geneva"}"#);
        let new = content(
            r#"{"date":"2024","kind":"agreement","actors":["USA","RUS"],"name":"New START"}"#,
        );
        let changes = field_changes(&old, &new);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["kind", "place", "name"]);
        assert_eq!(changes[1].to, None);
        assert_eq!(changes[2].from, None);
    }

    #[test]
    fn equal_contents_change_nothing() {
        let c = content(r#"{"date":"2024","kind":"statement","actors":["USA"],"summary":"x"}"#);
        assert!(field_changes(&c, &c).is_empty());
    }
}
