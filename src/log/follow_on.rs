//! Follow-on problems: which events the views reject only because a line before them was
//! rejected (an invalid `alliance_formed` line makes every later `alliance_joined` of that
//! alliance fail with "does not exist"). `import` and `check` share this one rule, so they
//! report the same primary problems, the follow-on ones marked.
//!
//! The rule: a view's rejection of an event is a follow-on of the first rejected line that
//! names, in the same single-code field (`alliance`, `actor`, `host`, ...), the same code,
//! and is not dated after the event (a formation dated later would not have helped).
//! A rejected line that did not parse is read as loosely as possible (any JSON object) for
//! those fields. Only view rejections can be follow-ons; a line rejected on its own
//! (syntax, a field, a reference) is always primary.

use crate::model::date::Date;
use crate::model::event::{Content, FieldRef, FieldType, KindTag};

/// What a line names: its single-code fields as (field, code), e.g. `("alliance", "NATO")`,
/// and its date when it has one that reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Subjects {
    codes: Vec<(&'static str, String)>,
    date: Option<Date>,
}

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
        if !subjects.codes.is_empty() && self.lines.len() < MAX_REMEMBERED {
            self.lines.push((line, subjects));
        }
    }

    /// The first rejected line that names one of the codes of `event` in the same field,
    /// and whose date (if known) does not start after the event's ends.
    pub(crate) fn cause_of(&self, event: &Subjects) -> Option<usize> {
        let before = |named: &Subjects| match (named.date, event.date) {
            (Some(cause), Some(event)) => cause.earliest() <= event.latest(),
            _ => true,
        };
        self.lines
            .iter()
            .filter(|(_, named)| named.codes.iter().any(|c| event.codes.contains(c)))
            .filter(|(_, named)| before(named))
            .map(|(line, _)| *line)
            .min()
    }
}

/// The single-code fields of a content.
pub(crate) fn of_content(content: &Content) -> Subjects {
    let spec = content.kind.tag().spec();
    let codes = spec
        .fields
        .iter()
        .zip(content.kind.fields())
        .filter_map(|(field, value)| match value {
            FieldRef::Code(code) => Some((field.name, code.as_str().to_string())),
            _ => None,
        })
        .collect();
    Subjects {
        codes,
        date: content.date,
    }
}

/// The single-code fields of a line that did not parse, read loosely: every top-level
/// string under a name some kind declares as a single code.
pub(crate) fn of_text(text: &str) -> Subjects {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Subjects::default();
    };
    let codes = map
        .iter()
        .filter_map(|(name, value)| {
            let field = code_field(name)?;
            let code = value.as_str()?.trim().to_ascii_uppercase();
            Some((field, code))
        })
        .collect();
    let date = map
        .get("date")
        .and_then(|d| d.as_str())
        .and_then(|d| Date::parse(d).ok());
    Subjects { codes, date }
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

    fn named(field: &'static str, code: &str, date: &str) -> Subjects {
        Subjects {
            codes: vec![(field, code.to_string())],
            date: Date::parse(date).ok(),
        }
    }

    #[test]
    fn a_line_that_did_not_parse_still_names_its_codes_and_date() {
        let text = r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"nato","type":"defence_pact","members":["USA","CAN"]}"#;
        assert_eq!(of_text(text), named("alliance", "NATO", "1949-04-04"));
        assert_eq!(of_text("not json"), Subjects::default());
    }

    #[test]
    fn the_first_earlier_rejected_line_naming_the_same_field_and_code_is_the_cause() {
        let mut r = Rejected::default();
        r.add(7, named("actor", "NATO", "1950"));
        r.add(3, named("alliance", "NATO", "1949-04-04"));
        r.add(4, Subjects::default());
        assert_eq!(r.cause_of(&named("alliance", "NATO", "1952")), Some(3));
        assert_eq!(r.cause_of(&named("actor", "NATO", "1952")), Some(7));
        assert_eq!(r.cause_of(&named("alliance", "CSTO", "1952")), None);
        // A formation dated after the join would not have made it valid.
        assert_eq!(r.cause_of(&named("alliance", "NATO", "1948")), None);
    }
}
