//! The endpoints' answers: each a plain function of the store, the path's segments and the
//! checked query parameters, returning the JSON the matching `--json` command prints (the
//! same functions of `commands/` make both), or the CLI's error for the same mistake.
//!
//! Parameter names are the CLI flags' with `_` for `-` (`as_of` for `--as-of`); error
//! messages name the flag as the CLI does, so that one message means one mistake wherever
//! it is made. Answers are bounded: lists are cut at `limit` (each endpoint's default and
//! maximum are the constants below, and the README's table) and then say
//! `"truncated": true`.

use super::params::{Allowed, Params};
use crate::cli::args::{
    ArmsBy, ConflictsBy, DayRange, DiffArgs, EventRange, HistoryArgs, ViewArgs,
};
use crate::cli::commands::{read, views};
use crate::cli::common::{parse_day, parse_known_at};
use crate::cli::failure::usage;
use crate::cli::render;
use annals::query::RowsFormat;
use annals::{Day, KnownAt, Store};
use anyhow::Result;
use clap::ValueEnum;
use serde_json::{json, Value};

/// An endpoint's answer from the store, its path segments and its parameters.
pub type Answer = fn(&Store, &[String], &Params) -> Result<Value>;

/// Every API endpoint: its route, the parameters it takes, and its answer. The README's
/// API table lists the same.
pub const ENDPOINTS: &[(&str, Allowed, Answer)] = &[
    ("/api/views", &[], view_names),
    (
        "/api/views/{name}",
        &["as_of", "known_at", "actor", "by", "limit"],
        view,
    ),
    (
        "/api/history/{code}",
        &["from", "to", "kind", "known_at", "limit"],
        history,
    ),
    (
        "/api/diff",
        &["view", "from", "to", "known_at*", "as_of", "limit"],
        diff,
    ),
    ("/api/relations/{a}/{b}", &["as_of", "known_at"], relations),
    (
        "/api/timeline",
        &["from", "to", "actor", "known_at", "around", "limit"],
        timeline,
    ),
    ("/api/basis", &["as_of", "known_at"], basis),
    ("/api/bounds", &[], super::event::bounds),
    ("/api/event/{id}", &["known_at"], super::event::event),
    (
        "/api/places",
        &["as_of", "known_at", "actor", "limit"],
        super::event::places,
    ),
];

/// Rows of a view: 1,000 unless `limit` says otherwise, at most 10,000.
const VIEW_ROWS: (usize, usize) = (1_000, 10_000);
/// Events of a history: 1,000 by default, at most 10,000.
const HISTORY_EVENTS: (usize, usize) = (1_000, 10_000);
/// Rows of each list of a diff (added, removed, changed): 1,000 by default, at most 10,000.
const DIFF_ROWS: (usize, usize) = (1_000, 10_000);
/// Events of a timeline: 200 by default, at most 2,000.
const TIMELINE_EVENTS: (usize, usize) = (200, 2_000);

/// The path segment `i` (the router always gives the segments its route names).
fn segment(path: &[String], i: usize) -> &str {
    path.get(i).map(String::as_str).unwrap_or_default()
}

/// Cut the array at `key` of `v` (an object) to `limit`; whether anything was cut.
fn cut(v: &mut Value, key: &str, limit: usize) -> bool {
    match v.get_mut(key).and_then(Value::as_array_mut) {
        Some(rows) if rows.len() > limit => {
            rows.truncate(limit);
            true
        }
        _ => false,
    }
}

/// Cut the arrays at `keys` to `limit`, and say `"truncated": true` when any was cut.
fn bounded(mut v: Value, keys: &[&str], limit: usize) -> Value {
    let mut truncated = false;
    for key in keys {
        truncated |= cut(&mut v, key, limit);
    }
    if let (true, Some(m)) = (truncated, v.as_object_mut()) {
        m.insert("truncated".into(), json!(true));
    }
    v
}

/// `GET /api/views`: the names of the views this binary answers for.
fn view_names(store: &Store, _: &[String], _: &Params) -> Result<Value> {
    Ok(json!({ "views": store.view_names() }))
}

/// `GET /api/views/NAME`: `annals view NAME --json` (with `by`, `annals arms --by` or
/// `annals conflicts --by`).
fn view(store: &Store, path: &[String], p: &Params) -> Result<Value> {
    let name = segment(path, 0);
    let args = ViewArgs {
        as_of: p.or("as_of", "today"),
        known_at: p.or("known_at", "now"),
        actor: p.owned("actor"),
        format: None,
    };
    let limit = p.limit(VIEW_ROWS.0, VIEW_ROWS.1)?;
    let point = views::view_point(&args)?;
    if let Some(by) = p.get("by") {
        let (basis, rows) = views::totals(store, point, &args, totals_by(name, by)?)?;
        return Ok(bounded(views::totals_value(&basis, rows), &["rows"], limit));
    }
    let actor = views::view_actor(store, &args)?;
    // The rows are streamed from the typed rows as `--jsonl` streams them (no JSON tree
    // of every row is built); only the first `limit` lines are kept and read back.
    let mut first = FirstLines::new(limit);
    let at = store.at(point.0).known_at(point.1);
    let (basis, written) = at.write_rows(name, actor.as_ref(), RowsFormat::Jsonl, &mut first)?;
    let mut m = basis.json();
    m.insert("rows".into(), Value::Array(first.rows()?));
    if written > limit {
        m.insert("truncated".into(), json!(true));
    }
    Ok(Value::Object(m))
}

/// A sink that keeps the first `max` lines written to it and counts the rest away.
struct FirstLines {
    kept: Vec<u8>,
    lines: usize,
    max: usize,
}

impl FirstLines {
    fn new(max: usize) -> FirstLines {
        FirstLines {
            kept: Vec::new(),
            lines: 0,
            max,
        }
    }

    /// The `row` of each kept line (`{"as_of", "known_at", "row"}`, as `--jsonl` writes).
    fn rows(&self) -> Result<Vec<Value>> {
        self.kept
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut line: Value = serde_json::from_slice(l)?;
                Ok(line.get_mut("row").map(Value::take).unwrap_or(Value::Null))
            })
            .collect()
    }
}

impl std::io::Write for FirstLines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while self.lines < self.max && !rest.is_empty() {
            match rest.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    self.kept.extend_from_slice(&rest[..=i]);
                    self.lines += 1;
                    rest = &rest[i + 1..];
                }
                None => {
                    self.kept.extend_from_slice(rest);
                    break;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `by` of `arms` and `conflicts` (clap's values); any other view takes none.
fn totals_by(view: &str, by: &str) -> Result<views::TotalsBy> {
    let bad = |values: &str| {
        usage(format!(
            "--by: invalid value `{by}`; possible values: {values}"
        ))
    };
    match view {
        "arms" => ArmsBy::from_str(by, false)
            .map(views::TotalsBy::Arms)
            .map_err(|_| bad("supplier, recipient, pair")),
        "conflicts" => ConflictsBy::from_str(by, false)
            .map(views::TotalsBy::Conflicts)
            .map_err(|_| bad("conflict, country, pair")),
        _ => Err(usage(format!(
            "--by: only the arms and conflicts views have totals, not `{view}`"
        ))),
    }
}

/// `GET /api/history/CODE`: `annals history CODE --json`.
fn history(store: &Store, path: &[String], p: &Params) -> Result<Value> {
    let args = HistoryArgs {
        code: segment(path, 0).to_string(),
        days: DayRange {
            from: p.owned("from"),
            to: p.owned("to"),
        },
        kind: p.owned("kind"),
        known_at: p.or("known_at", "now"),
    };
    let limit = p.limit(HISTORY_EVENTS.0, HISTORY_EVENTS.1)?;
    let (code, basis, entries) = read::history_entries(store, args)?;
    let v = read::history_value(&code, &basis, &entries);
    Ok(bounded(v, &["events"], limit))
}

/// `GET /api/diff`: `annals diff FROM TO [--view V] [--known-at K] --json`, or with
/// `known_at` twice, `annals diff --known-at A --known-at B [--as-of D] --json`.
fn diff(store: &Store, _: &[String], p: &Params) -> Result<Value> {
    let args = DiffArgs {
        from: p.owned("from"),
        to: p.owned("to"),
        view: p.owned("view"),
        known_at: p.all("known_at"),
        as_of: p.owned("as_of"),
    };
    if args.from.is_some() != args.to.is_some() {
        return Err(usage(
            "give both from and to (the two as-of dates), or neither",
        ));
    }
    let limit = p.limit(DIFF_ROWS.0, DIFF_ROWS.1)?;
    let (view, mode) = views::diff_mode(args)?;
    let diffs = views::diffs(store, view, mode)?;
    let bound = |d: Value| bounded(d, &["added", "removed", "changed"], limit);
    Ok(match views::diffs_value(&diffs) {
        Value::Array(all) => Value::Array(all.into_iter().map(bound).collect()),
        one => bound(one),
    })
}

/// `GET /api/relations/A/B`: `annals relations A B --json`.
fn relations(store: &Store, path: &[String], p: &Params) -> Result<Value> {
    let pair = (segment(path, 0), segment(path, 1));
    let (as_of, known_at) = (p.or("as_of", "today"), p.or("known_at", "now"));
    let (_, _, rel) = views::relations_of(store, pair, &as_of, &known_at)?;
    Ok(rel.to_json())
}

/// `GET /api/basis`: the basis a question at `as_of` and `known_at` is answered at.
fn basis(store: &Store, _: &[String], p: &Params) -> Result<Value> {
    let as_of = parse_day("--as-of", &p.or("as_of", "today"))?;
    let known = parse_known_at("--known-at", &p.or("known_at", "now"))?;
    Ok(Value::Object(
        store.at(as_of).known_at(known).basis()?.json(),
    ))
}

/// `GET /api/timeline`: `annals timeline --json` (its lines as `events`, with the
/// knowledge they were read at); with `around=DATE`, the `limit` events nearest that day
/// in timeline order (half before or on it, half after), instead of `from`/`to`.
fn timeline(store: &Store, _: &[String], p: &Params) -> Result<Value> {
    let known = parse_known_at("--known-at", &p.or("known_at", "now"))?;
    let limit = p.limit(TIMELINE_EVENTS.0, TIMELINE_EVENTS.1)?;
    let range = EventRange {
        days: DayRange {
            from: p.owned("from"),
            to: p.owned("to"),
        },
        actor: p.owned("actor"),
    };
    let around = p
        .get("around")
        .map(|d| parse_day("--around", d))
        .transpose()?;
    if around.is_some() && (range.days.from.is_some() || range.days.to.is_some()) {
        return Err(usage("--around: give either around or from/to, not both"));
    }
    let range = range.resolve_in(store)?;
    let basis = store.at(Day::today()).known_at(known).basis()?;
    let (entries, truncated) = match around {
        Some(day) => super::event::around(store, &range, day, basis.known_seq, limit)?,
        None => {
            let mut entries = read::timeline_entries(store, &range, basis.known_seq)?;
            let truncated = entries.len() > limit;
            entries.truncate(limit);
            (entries, truncated)
        }
    };
    let mut m = basis.json();
    m.shift_remove("as_of");
    let events: Vec<Value> = entries.iter().map(render::history_json).collect();
    m.insert("events".into(), Value::Array(events));
    if truncated {
        m.insert("truncated".into(), json!(true));
    }
    Ok(Value::Object(m))
}

/// A knowledge parameter's value as the CLI reads it (for `event`).
pub fn known_param(p: &Params) -> Result<KnownAt> {
    parse_known_at("--known-at", &p.or("known_at", "now"))
}
