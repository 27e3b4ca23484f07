//! The interchange contract: `schema/event.schema.json` and the parser must agree. Every
//! example line validates against the schema and imports; every line in the invalid list
//! is rejected by both.

mod common;

use annals::interchange::{canonical_text, parse_line};
use common::*;
use serde_json::Value;

fn schema() -> (boon::Schemas, boon::SchemaIndex) {
    let text = include_str!("../schema/event.schema.json");
    let value: Value = serde_json::from_str(text).expect("the schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource("urn:annals:event", value).unwrap();
    let index = compiler.compile("urn:annals:event", &mut schemas).unwrap();
    (schemas, index)
}

fn schema_accepts(schemas: &boon::Schemas, index: boon::SchemaIndex, line: &str) -> bool {
    match serde_json::from_str::<Value>(line) {
        Ok(v) => schemas.validate(&v, index).is_ok(),
        Err(_) => false,
    }
}

#[test]
fn every_example_line_validates_and_imports() {
    let (schemas, index) = schema();
    for (file, text) in [
        ("events.jsonl", EXAMPLES),
        ("sample_timeline.jsonl", SAMPLE),
    ] {
        let mut n = 0;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: Value = serde_json::from_str(line).unwrap();
            if let Err(e) = schemas.validate(&v, index) {
                panic!("{file}:{}: schema rejects the example: {e:#}", i + 1);
            }
            parse_line(line)
                .unwrap_or_else(|e| panic!("{file}:{}: parser rejects the example: {e}", i + 1));
            n += 1;
        }
        assert!(n > 0);
        let store = temp_store();
        store
            .import_lines(lines(text), file == "sample_timeline.jsonl")
            .unwrap();
    }
}

#[test]
fn every_kind_is_in_the_examples() {
    for kind in annals::event::KIND_NAMES {
        assert!(
            EXAMPLES.contains(&format!("\"kind\": \"{kind}\""))
                || EXAMPLES.contains(&format!("\"kind\":\"{kind}\"")),
            "no example of {kind}"
        );
    }
}

#[test]
fn what_the_writer_prints_the_schema_accepts() {
    let (schemas, index) = schema();
    let store = temp_store();
    store.import_lines(lines(SAMPLE), true).unwrap();
    store.import_lines(lines(EXAMPLES), false).unwrap();
    for e in store.events() {
        let e = e.unwrap();
        let line = annals::interchange::event_line(&e);
        assert!(
            schema_accepts(&schemas, index, &line),
            "schema rejects our own output: {line}"
        );
        assert!(schema_accepts(&schemas, index, &canonical_text(&e.content)));
    }
}

/// Lines both the schema and the parser must reject. Each differs from a valid line in
/// one way.
const INVALID: &[&str] = &[
    r#"{"date":"2024","kind":"meting","actors":["USA","KOR"]}"#,
    r#"{"date":"2024","kind":"meeting","actors":["USA"]}"#,
    r#"{"date":"2024","kind":"meeting","actors":["USA","KOR"],"colour":"red"}"#,
    r#"{"date":"2024","kind":"meeting","actors":["USA","USA"]}"#,
    r#"{"date":"2024","kind":"meeting","actors":["U SA","KOR"]}"#,
    r#"{"date":"2024","kind":"meeting","actors":["1SA","KOR"]}"#,
    r#"{"date":"2024","kind":"meeting","actors":["USA","KOR"],"place":""}"#,
    r#"{"date":"2024","kind":"meeting","actors":"USA"}"#,
    r#"{"kind":"meeting","actors":["USA","KOR"]}"#,
    r#"{"date":"2024-1-5","kind":"meeting","actors":["USA","KOR"]}"#,
    r#"{"date":"24","kind":"meeting","actors":["USA","KOR"]}"#,
    r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":-1}"#,
    r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":1.5}"#,
    r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":"12000"}"#,
    r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS"}"#,
    r#"{"date":"2024","kind":"deployment","actor":"PRK","host":"RUS","strength":100000001}"#,
    r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","quantity":-1}"#,
    r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","tiv_order":-2}"#,
    r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","status":"used"}"#,
    r#"{"date":"2024","kind":"alliance_formed","alliance":"X","type":"entente","members":["USA"],"signed":"1993-13"}"#,
    r#"{"date":"2024","kind":"armed_conflict","conflict":"1","violence":"war","side_a":"SYR","side_b":"XX","country":"SYR","deaths_best":1}"#,
    r#"{"date":"2024","kind":"armed_conflict","conflict":"1","violence":"one_sided","side_a":"SYR","side_b":"XX","country":"SYR"}"#,
    r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","quantity":1e30}"#,
    r#"{"date":"2024","kind":"missile_test","actor":"PRK","class":"ICBM","count":0}"#,
    r#"{"date":"2024","kind":"missile_test","actor":"PRK","class":"ICBM","strength":1}"#,
    r#"{"date":"2024","kind":"alliance_formed","alliance":"NATO","type":"military","members":["USA","CAN"]}"#,
    r#"{"date":"2024","kind":"alliance_formed","alliance":"NATO","members":["USA","CAN"]}"#,
    r#"{"date":"2024","kind":"leader_took_office","actor":"JPN","office":"Prime Minister","person":"Ishiba"}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"confidence":"sure"}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"sources":[{"url":"https://example.org"}]}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"sources":[{"name":"AP","page":3}]}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"id":"not-a-uuid"}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"seq":0}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"recorded":"yesterday"}"#,
    r#"{"kind":"retraction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001"}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"kind":"statement","actors":["USA"]}}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"date":"2024","kind":"retraction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000002","reason":"x"}}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"id":"0f6b5d2e-1111-4c3b-8a6f-000000000003","date":"2024","kind":"statement","actors":["USA"]}}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"date":"2024","kind":"statement","actors":["USA"],"seq":4}}"#,
    r#"{"date":"2024","kind":"joint_exercise","actors":["USA","KOR"],"assets":[]}"#,
    r#"{"date":"2024","kind":"joint_exercise","actors":["USA","KOR"],"assets":"B-1B"}"#,
    r#"{"date":"2024","kind":"sanctions_imposed","actor":"USA"}"#,
    r#"[]"#,
    r#""just a string""#,
    r#"{"date":"2024","kind":null,"actors":["USA"]}"#,
    // Interchange v2: location, mode, context.
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"lat":51.7}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"lat":91,"lon":0}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"lat":0,"lon":-181}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"name":"Kursk","alt":3}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":"Kursk"}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"mode":"Bad Mode"}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"context":[]}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"context":["military","military"]}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"context":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"date":"2024","kind":"statement","actors":["USA"],"mode":"X"}}"#,
    // Targets: a seq of 0, a prefix of fewer than 8 hex digits, not an id at all.
    r#"{"kind":"retraction","target":"seq:0","reason":"x"}"#,
    r#"{"kind":"retraction","target":0,"reason":"x"}"#,
    r#"{"kind":"retraction","target":"0f6b5d2","reason":"x"}"#,
    r#"{"kind":"retraction","target":"NATO-1951","reason":"x"}"#,
    // A partial correction: `set` and `event` together, an empty `set`, `set` not an object.
    r#"{"kind":"correction","target":"seq:3","event":{"date":"2024","kind":"statement","actors":["USA"]},"set":{"summary":"x"}}"#,
    r#"{"kind":"correction","target":"seq:3","set":{}}"#,
    r#"{"kind":"correction","target":"seq:3","set":["strength"]}"#,
    r#"{"kind":"correction","target":"seq:3","set":{"kind":"meeting"}}"#,
    r#"{"kind":"retraction","target":"seq:3","reason":"x","set":{"summary":"x"}}"#,
];

/// Amendments naming their target by seq or id prefix, and partial corrections: lines
/// both accept, which only the store can complete.
const VALID_TARGETS: &[&str] = &[
    r#"{"kind":"retraction","target":"seq:17","reason":"x"}"#,
    r#"{"kind":"retraction","target":17,"reason":"x"}"#,
    r#"{"kind":"retraction","target":"0f6b5d2e","reason":"x"}"#,
    r#"{"kind":"retraction","target":"0f6b5d2e-1111","reason":"x"}"#,
    r#"{"kind":"correction","target":"seq:17","set":{"strength":190000},"summary":"new figure"}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","set":{"region":null}}"#,
];

#[test]
fn targets_by_seq_and_prefix_and_partial_corrections_are_accepted_by_both() {
    let (schemas, index) = schema();
    for line in VALID_TARGETS {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Err(e) = schemas.validate(&v, index) {
            panic!("schema rejects {line}: {e:#}");
        }
        let parsed = parse_line(line).unwrap_or_else(|e| panic!("parser rejects {line}: {e}"));
        assert!(parsed.unresolved.is_some(), "{line}: needs the store");
    }
}

/// Interchange-v2 lines both must accept.
const VALID_V2: &[&str] = &[
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"name":"Kursk"}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":{"lat":51.73,"lon":36.19}}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"mode":"ground_forces","context":["military","nuclear"]}"#,
    r#"{"date":"2024","kind":"statement","actors":["USA"],"location":null,"mode":null,"context":null}"#,
    r#"{"kind":"correction","target":"0f6b5d2e-1111-4c3b-8a6f-000000000001","event":{"date":"2024","kind":"statement","actors":["USA"],"location":{"name":"Lima"}}}"#,
];

#[test]
fn v2_fields_are_accepted_by_both_and_print_back() {
    let (schemas, index) = schema();
    for line in VALID_V2 {
        let parsed = parse_line(line).unwrap_or_else(|e| panic!("parser rejects {line}: {e}"));
        assert!(
            schema_accepts(&schemas, index, line),
            "schema rejects: {line}"
        );
        let text = canonical_text(&parsed.event.content);
        assert_eq!(
            parse_line(&text).unwrap().event.content,
            parsed.event.content,
            "{text}"
        );
        assert!(
            schema_accepts(&schemas, index, &text),
            "schema rejects our own output: {text}"
        );
    }
    // A v1 line (without them) reads as v2 with the fields empty, and its id is unchanged.
    let v1 = parse_line(r#"{"date":"2024","kind":"statement","actors":["USA"]}"#)
        .unwrap()
        .event
        .content;
    assert_eq!((v1.location, v1.mode, v1.context.len()), (None, None, 0));
}

#[test]
fn schema_and_parser_reject_the_same_lines() {
    let (schemas, index) = schema();
    for line in INVALID {
        let parser = parse_line(line);
        assert!(parser.is_err(), "parser accepts: {line}");
        assert!(
            !schema_accepts(&schemas, index, line),
            "schema accepts: {line}"
        );
    }
}

/// The few rules only the parser can check (JSON Schema cannot express them); listed so
/// the difference is explicit, not accidental.
#[test]
fn rules_only_the_parser_enforces() {
    let (schemas, index) = schema();
    for line in [
        r#"{"date":"2024-02-30","kind":"statement","actors":["USA"]}"#,
        r#"{"date":"2024/2023","kind":"statement","actors":["USA"]}"#,
        r#"{"date":"0000","kind":"statement","actors":["USA"]}"#,
        r#"{"date":"2024","date":"2024","kind":"statement","actors":["USA"]}"#,
        r#"{"date":"2024","kind":"meeting","actors":["usa","USA"]}"#,
        r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","tiv_order":1.2345}"#,
        r#"{"date":"2024","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","delivery_years":[2024,2023]}"#,
        r#"{"date":"2024","kind":"alliance_formed","alliance":"X","type":"entente","members":["USA"],"obligations":["entente","defense"]}"#,
    ] {
        assert!(parse_line(line).is_err(), "parser accepts: {line}");
        let _ = schema_accepts(&schemas, index, line); // may accept: documented in the schema's $comment
    }
}

/// The first example line of each kind in `schema/examples/events.jsonl`.
fn example_of(name: &str) -> &'static str {
    EXAMPLES
        .lines()
        .find(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or(Value::Null);
            v["kind"] == name
        })
        .unwrap_or_else(|| panic!("schema/examples/events.jsonl has no `{name}` line"))
}

/// Fields every line may carry besides its kind's.
const COMMON: [&str; 11] = annals::interchange::COMMON_FIELDS;

/// The declaration table, the `KindTag` enum, the names and the interchange agree: each
/// kind is declared once, under its own tag, and a sample of it parses, prints (with
/// exactly its declared fields) and parses back to the same content.
#[test]
fn every_kind_is_declared_once() {
    use annals::event::{FieldType, KindTag, KINDS, KIND_NAMES};
    assert_eq!(KINDS.len(), KindTag::ALL.len());
    for (i, spec) in KINDS.iter().enumerate() {
        assert_eq!(
            spec.tag as usize, i,
            "{}: tags are dense, in order",
            spec.name
        );
        assert_eq!(KindTag::ALL[i], spec.tag);
        assert_eq!(KIND_NAMES[i], spec.name);
        assert_eq!(KindTag::from_name(spec.name), Some(spec.tag));
        assert_eq!(
            KINDS.iter().filter(|k| k.name == spec.name).count(),
            1,
            "{} is declared twice",
            spec.name
        );
        let mut names: Vec<&str> = spec.field_names().collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            spec.fields.len(),
            "{}: a field twice",
            spec.name
        );
        for f in spec.fields {
            assert!(
                !COMMON.contains(&f.name),
                "{}: `{}` is a common field",
                spec.name,
                f.name
            );
            let may_be_absent = matches!(
                f.ty,
                FieldType::Text
                    | FieldType::TextList
                    | FieldType::Integer {
                        default: Some(_),
                        ..
                    }
                    | FieldType::MaybeInteger { .. }
                    | FieldType::Date
                    | FieldType::Choice(_)
                    | FieldType::Choices(_)
                    | FieldType::Years
                    | FieldType::Decimal
            );
            assert!(
                f.required || may_be_absent,
                "{}: optional `{}` has no absent value in the stored variant",
                spec.name,
                f.name
            );
        }
        round_trip(spec, example_of(spec.name));
    }
}

/// Parse `line`, check it is of `spec`'s kind, print it, check the printed fields are the
/// declared ones, and parse the print back to the same content.
fn round_trip(spec: &annals::event::KindSpec, line: &str) {
    let content = parse_line(line)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.name))
        .event
        .content;
    assert_eq!(content.kind.tag(), spec.tag, "{line}");
    assert_eq!(content.kind.name(), spec.name);
    annals::validate::check_content(&content).unwrap();
    let text = canonical_text(&content);
    let printed: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = printed
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let own: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !COMMON.contains(k))
        .collect();
    let declared: Vec<&str> = spec.field_names().filter(|n| own.contains(n)).collect();
    assert_eq!(
        own, declared,
        "{}: printed fields in declaration order",
        spec.name
    );
    for f in spec.fields.iter().filter(|f| f.required) {
        assert!(
            keys.contains(&f.name),
            "{}: `{}` not printed",
            spec.name,
            f.name
        );
    }
    assert_eq!(parse_line(&text).unwrap().event.content, content, "{text}");
}

/// What the schema must say of a field of type `ty`.
fn field_schema(f: &annals::event::FieldSpec) -> Value {
    use annals::event::FieldType as T;
    use annals::limits::MAX_ASSETS;
    let r = |name: &str| serde_json::json!({ "$ref": format!("#/$defs/{name}") });
    let nullable = |t: &str| {
        if f.required {
            serde_json::json!(t)
        } else {
            serde_json::json!([t, "null"])
        }
    };
    match f.ty {
        T::Code => r("code"),
        T::Codes { min } => r(&format!("codes_{min}")),
        T::Text if f.required => r("text"),
        T::Text => r("optional_text"),
        T::Office => r("office"),
        T::Integer { min, max, .. } => {
            serde_json::json!({ "type": nullable("integer"), "minimum": min, "maximum": max })
        }
        T::AllianceType => serde_json::json!({
            "enum": annals::AllianceType::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>()
        }),
        T::Uuid => r("target"),
        T::TextList => serde_json::json!({
            "type": nullable("array"), "items": r("text"), "minItems": 1, "maxItems": MAX_ASSETS
        }),
        T::Replacement => r("replacement"),
        T::MaybeInteger { min, max } => {
            serde_json::json!({ "type": nullable("integer"), "minimum": min, "maximum": max })
        }
        T::Date if f.required => r("date"),
        T::Date => serde_json::json!({ "anyOf": [r("date"), { "type": "null" }] }),
        T::Choice(words) if f.required => serde_json::json!({ "enum": words }),
        T::Choice(words) => {
            let mut all: Vec<Value> = words.iter().map(|w| serde_json::json!(w)).collect();
            all.push(Value::Null);
            serde_json::json!({ "enum": all })
        }
        T::Choices(words) => serde_json::json!({
            "type": nullable("array"), "items": { "enum": words }, "uniqueItems": true
        }),
        T::Years => serde_json::json!({
            "type": nullable("array"),
            "items": { "type": "integer", "minimum": 1, "maximum": 9999 },
            "maxItems": annals::limits::MAX_YEARS
        }),
        T::Decimal => serde_json::json!({
            "type": nullable("number"),
            "minimum": 0,
            "maximum": annals::limits::MAX_DECIMAL_MILLI / 1000
        }),
    }
}

fn without_comments(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("$comment");
    }
    v
}

/// The kinds named by an `allOf` of `if kind == X then $ref` rules.
fn if_then_kinds(all_of: &Value) -> Vec<(String, String)> {
    all_of
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|rule| {
            let kind = rule["if"]["properties"]["kind"]["const"].as_str()?;
            let then = rule["then"]["$ref"].as_str()?;
            Some((kind.to_string(), then.to_string()))
        })
        .collect()
}

/// `schema/event.schema.json` states exactly the kinds and fields of the declaration
/// table, both ways: every declared kind and field is in the schema with its type, and the
/// schema has no kind or kind field the table lacks.
#[test]
fn the_schema_states_the_declared_kinds() {
    use annals::event::{KINDS, KIND_NAMES};
    let schema: Value = serde_json::from_str(annals::interchange::JSON_SCHEMA).unwrap();
    let defs = &schema["$defs"];
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&schema["properties"]["kind"]["enum"]), KIND_NAMES);
    let facts: Vec<&str> = KINDS
        .iter()
        .filter(|k| !k.amendment)
        .map(|k| k.name)
        .collect();
    assert_eq!(
        names(&defs["replacement"]["properties"]["kind"]["enum"]),
        facts
    );
    let fact_rules = if_then_kinds(&defs["kind_fields"]["allOf"]);
    let amendment_rules = if_then_kinds(&schema["allOf"]);
    let mut ruled: Vec<(String, String)> = fact_rules.into_iter().chain(amendment_rules).collect();
    ruled.sort();
    let mut expected: Vec<(String, String)> = KINDS
        .iter()
        .map(|k| (k.name.to_string(), format!("#/$defs/kind_{}", k.name)))
        .collect();
    expected.sort();
    assert_eq!(
        ruled, expected,
        "the if-kind-then rules select each kind's fields"
    );
    let kind_defs: Vec<&String> = defs
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("kind_") && *k != "kind_fields")
        .collect();
    assert_eq!(
        kind_defs.len(),
        KINDS.len(),
        "a kind_* definition per kind: {kind_defs:?}"
    );
    for spec in KINDS {
        let def = &defs[format!("kind_{}", spec.name)];
        let props = def["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no kind_{}", spec.name));
        let prop_names: Vec<&str> = props.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            prop_names,
            spec.field_names().collect::<Vec<_>>(),
            "{}",
            spec.name
        );
        let required: Vec<&str> = spec
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        // A correction's `event` may instead be a `set` of the fields to change: the schema
        // requires one of them (`oneOf`) rather than `event`.
        let partial = spec.name == "correction";
        let required: Vec<&str> = required
            .into_iter()
            .filter(|f| !(partial && *f == "event"))
            .collect();
        assert_eq!(names(&def["required"]), required, "{}: required", spec.name);
        if partial {
            assert_eq!(def["oneOf"][0]["required"][0], "event");
            assert_eq!(def["oneOf"][1]["required"][0], "set");
        }
        for f in spec.fields {
            assert_eq!(
                without_comments(&props[f.name]),
                field_schema(f),
                "{}: field `{}`",
                spec.name,
                f.name
            );
            if let annals::event::FieldType::Codes { min } = f.ty {
                assert_eq!(defs[format!("codes_{min}")]["minItems"], min);
                assert_eq!(
                    defs[format!("codes_{min}")]["maxItems"],
                    annals::limits::MAX_CODES
                );
            }
        }
    }
}

/// `schema/interchange.md` has a row for every kind naming each of its fields.
#[test]
fn the_interchange_doc_lists_every_kind() {
    let doc = include_str!("../schema/interchange.md");
    for spec in annals::event::KINDS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", spec.name)))
            .unwrap_or_else(|| panic!("schema/interchange.md has no row for `{}`", spec.name));
        for name in spec.field_names() {
            assert!(
                row.contains(&format!("`{name}`")),
                "{}: `{name}` undocumented",
                spec.name
            );
        }
    }
}

/// `schema/storage.md` (§6.5) gives every kind's stored tag, variant and name.
#[test]
fn the_storage_doc_lists_every_tag() {
    let doc = include_str!("../schema/storage.md");
    for spec in annals::event::KINDS {
        let row = format!(
            "| {} | `{:?}` (`{}`) |",
            spec.tag as u8, spec.tag, spec.name
        );
        assert!(
            doc.lines().any(|l| l.starts_with(&row)),
            "schema/storage.md §6.5 has no row starting `{row}`"
        );
    }
}
