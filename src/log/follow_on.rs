//! Follow-on problems: which events the views reject only because a line before them was
//! rejected (an invalid `alliance_formed` line makes every later `alliance_joined` of that
//! alliance fail with "does not exist"). `import` and `check` share this one rule, so they
//! report the same primary problems, the follow-on ones marked.
//!
//! The rule: a view's rejection of an event is a follow-on of the first rejected line that
//! names, in the same single-code field (`alliance`, `actor`, `host`, ...), the same code.
//! A rejected line that did not parse is read as loosely as possible (any JSON object) for
//! those fields. Only view rejections can be follow-ons; a line rejected on its own
//! (syntax, a field, a reference) is always primary.

use crate::model::event::{Content, FieldRef, FieldType, KindTag};

/// The single-code fields a line names, as (field, code): `("alliance", "NATO")`.
pub(crate) type Subjects = Vec<(&'static str, String)>;

/// At most this many rejected lines are remembered (bounded memory for hostile input).
const MAX_REMEMBERED: usize = 10_000;

/// The rejected lines of an append and what they named.
#[derive(Default)]
pub(crate) struct Rejected {
    lines: Vec<(usize, Subjects)>,
}

impl Rejected {
    /// Remember that `line`, naming `subjects`, was rejected.
    pub(crate) fn add(&mut self, line: usize, subjects: Subjects) {
        if !subjects.is_empty() && self.lines.len() < MAX_REMEMBERED {
            self.lines.push((line, subjects));
        }
    }

    /// The first rejected line that names one of `subjects` in the same field.
    pub(crate) fn cause_of(&self, subjects: &Subjects) -> Option<usize> {
        self.lines
            .iter()
            .filter(|(_, named)| named.iter().any(|s| subjects.contains(s)))
            .map(|(line, _)| *line)
            .min()
    }
}

/// The single-code fields of a content.
pub(crate) fn of_content(content: &Content) -> Subjects {
    let spec = content.kind.tag().spec();
    spec.fields
        .iter()
        .zip(content.kind.fields())
        .filter_map(|(field, value)| match value {
            FieldRef::Code(code) => Some((field.name, code.as_str().to_string())),
            _ => None,
        })
        .collect()
}

/// The single-code fields of a line that did not parse, read loosely: every top-level
/// string under a name some kind declares as a single code.
pub(crate) fn of_text(text: &str) -> Subjects {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, value)| {
            let field = code_field(name)?;
            let code = value.as_str()?.trim().to_ascii_uppercase();
            Some((field, code))
        })
        .collect()
}

/// The declared name of a single-code field called `name` in any kind.
fn code_field(name: &str) -> Option<&'static str> {
    KindTag::ALL
        .iter()
        .flat_map(|tag| tag.spec().fields.iter())
        .find(|f| f.name == name && f.ty == FieldType::Code)
        .map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_did_not_parse_still_names_its_codes() {
        let text = r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"nato","type":"defence_pact","members":["USA","CAN"]}"#;
        assert_eq!(of_text(text), vec![("alliance", "NATO".to_string())]);
        assert!(of_text("not json").is_empty());
    }

    #[test]
    fn the_first_rejected_line_naming_the_same_field_and_code_is_the_cause() {
        let mut r = Rejected::default();
        r.add(7, vec![("actor", "NATO".into())]);
        r.add(3, vec![("alliance", "NATO".into())]);
        assert_eq!(r.cause_of(&vec![("alliance", "NATO".into())]), Some(3));
        assert_eq!(r.cause_of(&vec![("actor", "NATO".into())]), Some(7));
        assert_eq!(r.cause_of(&vec![("alliance", "CSTO".into())]), None);
    }
}
