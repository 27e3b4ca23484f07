//! Data-driven time-travel tests: every `tests/scripts/*.txt` is a goldenscript (the
//! format of the `goldenscript` crate, as toydb uses it) run against a fresh temporary
//! store on the engine `$ANNALS_ENGINE` selects. A script appends interchange lines and
//! asks bitemporal questions; after each `---` comes the expected answer, rendered from
//! the typed library results. `tests/scripts/README.md` describes the commands.
//!
//! `UPDATE_GOLDEN=1 cargo test --test scripts` (or goldenscript's own
//! `UPDATE_GOLDENFILES=1`) rewrites the expected outputs; without it, a mismatch fails
//! with a diff naming the script and the line.

use annals::interchange::{format_recorded, parse_line, parse_reader};
use annals::query::{Basis, HistoryEntry, Status};
use annals::views::{
    AllianceRow, Alliances, Arms, ArmsRow, DeploymentRow, Deployments, LeaderRow, Leaders, TestRow,
    Tests, View,
};
use annals::{At, Code, Content, Day, EngineKind, KnownAt, ManualClock, Outcome, Store};
use annals::{Clock, StoreOptions};
use serde_json::Value;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Fallible<T = String> = Result<T, Box<dyn Error>>;

const SCRIPTS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts");

/// Where recorded time starts in every script (then one second per append).
const CLOCK_START: &str = "2025-01-01T00:00:00Z";

#[test]
fn scripts() {
    let paths = script_paths();
    assert!(
        !paths.is_empty(),
        "no scripts (*.txt) in {SCRIPTS_DIR}: the runner would prove nothing"
    );
    let update = update_requested();
    let (mut cases, mut failures) = (0, Vec::new());
    for path in &paths {
        if let Err(message) = run_script(path, update, &mut cases) {
            failures.push(message);
        }
    }
    let engine = EngineKind::default_for_new().map_or_else(|e| e.to_string(), |k| k.to_string());
    println!(
        "ran {} scripts, {cases} cases, on engine {engine}",
        paths.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} scripts failed:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

/// Every `*.txt` in the scripts directory, sorted.
fn script_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(SCRIPTS_DIR)
        .unwrap_or_else(|e| panic!("{SCRIPTS_DIR}: {e}"))
        .map(|entry| entry.expect("read the scripts directory").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
}

/// `UPDATE_GOLDEN=1` (or goldenscript's `UPDATE_GOLDENFILES=1`) asks to rewrite outputs.
fn update_requested() -> bool {
    ["UPDATE_GOLDEN", "UPDATE_GOLDENFILES"]
        .iter()
        .any(|var| std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0"))
}

/// Run one script, adding the cases (blocks) it ran to `cases`; why it failed, if it did.
fn run_script(path: &Path, update: bool, cases: &mut usize) -> Result<(), String> {
    let name = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let input = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let mut runner = ScriptRunner::new().map_err(|e| format!("{name}: {e}"))?;
    let output = goldenscript::generate(&mut runner, &input);
    *cases += runner.cases;
    let output = output.map_err(|e| format!("{name}: {e}"))?;
    if output != input {
        if !update {
            return Err(diff_report(&name, &input, &output));
        }
        std::fs::write(path, &output).map_err(|e| format!("{name}: {e}"))?;
        println!("updated {name}");
    }
    Ok(())
}

/// A line diff of expected (the script) against actual, each line named `script:line`.
fn diff_report(name: &str, expected: &str, actual: &str) -> String {
    const MAX_LINES: usize = 60;
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = vec![format!(
        "{name}: the output differs from the expected one (- expected, + actual; \
         UPDATE_GOLDEN=1 rewrites it):"
    )];
    for op in line_diff(&old, &new) {
        match op {
            Op::Removed(i) => out.push(format!("{name}:{}: - {}", i + 1, old[i])),
            Op::Added(i, j) => out.push(format!("{name}:{}: + {}", i.max(1), new[j])),
        }
        if out.len() > MAX_LINES {
            out.push("…".into());
            break;
        }
    }
    if out.len() == 1 {
        out.push(format!("{name}: only line endings differ"));
    }
    out.join("\n")
}

/// One difference: an expected line missing (its index), or an actual line added before
/// expected line `.0` (the actual line's index is `.1`), reported at the line before it
/// (so a changed line reads as `-` and `+` at the same line).
enum Op {
    Removed(usize),
    Added(usize, usize),
}

/// The differences of a longest-common-subsequence alignment of `old` and `new`.
fn line_diff(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Removed(i));
            i += 1;
        } else {
            ops.push(Op::Added(i, j));
            j += 1;
        }
    }
    ops
}

/// Runs the commands of one script against its own temporary store.
struct ScriptRunner {
    store: Store,
    clock: Arc<ManualClock>,
    cases: usize,
}

impl ScriptRunner {
    fn new() -> Fallible<ScriptRunner> {
        let clock = Arc::new(ManualClock::stepping(
            chrono::DateTime::parse_from_rfc3339(CLOCK_START)?.to_utc(),
            chrono::Duration::seconds(1),
        ));
        let options = StoreOptions::default().with_clock(clock.clone() as Arc<dyn Clock>);
        Ok(ScriptRunner {
            store: Store::temporary_with(options)?,
            clock,
            cases: 0,
        })
    }
}

impl goldenscript::Runner for ScriptRunner {
    type Command = goldenscript::Command;

    fn run(&mut self, command: &Self::Command, _: &goldenscript::Context) -> Fallible {
        let name = command.name.as_str();
        if name.starts_with('{') {
            command.consume_args().reject_next()?;
            return Ok(or_error(append(&self.store, name)));
        }
        let mut args = command.consume_args();
        let output = match name {
            "import" => {
                let path = args.next_pos().ok_or("import needs a path")?;
                let keep = match args.next_pos() {
                    None => false,
                    Some("keep_recorded") => true,
                    Some(other) => return Err(format!("import: unknown flag `{other}`").into()),
                };
                args.reject_next()?;
                or_error(import(&self.store, path, keep))
            }
            "clock" => {
                let to = args.next_pos().ok_or("clock needs an RFC 3339 time")?;
                args.reject_next()?;
                self.clock
                    .set(chrono::DateTime::parse_from_rfc3339(to)?.to_utc());
                format!("clock {to}")
            }
            "head" => {
                args.reject_next()?;
                format!("head seq {}", self.store.head().seq)
            }
            "verify" => {
                args.reject_next()?;
                or_error(verify(&self.store))
            }
            _ => self.query(name, args)?,
        };
        Ok(output)
    }

    fn start_block(&mut self, _: &goldenscript::Block) -> Fallible {
        self.cases += 1;
        Ok(String::new())
    }

    /// Every script ends with a store whose derived state matches its log.
    fn end_script(&mut self) -> Fallible<()> {
        self.store.verify()?;
        Ok(())
    }
}

impl ScriptRunner {
    /// The questions: `view`, `history`, `diff`, `relations`.
    fn query(&self, name: &str, mut args: goldenscript::ArgumentConsumer<'_>) -> Fallible {
        let known_at = args.take_key("known_at");
        let output = match name {
            "view" => {
                let view = args.next_pos().ok_or("view needs a view name")?;
                let as_of = args.take_key("as_of").ok_or("view needs as_of=DAY")?;
                let actor = args.take_key("actor");
                args.reject_next()?;
                or_error(
                    self.at(as_of, known_at)
                        .and_then(|at| view_rows(&at, view, actor)),
                )
            }
            "history" => {
                let code = args.next_pos().ok_or("history needs an actor code")?;
                args.reject_next()?;
                or_error(history(&self.store, code, known_at))
            }
            "diff" => {
                let view = args.next_pos().ok_or("diff needs a view name")?;
                if let Some(later) = args.take_key("known_at2") {
                    let as_of = args.take_key("as_of").ok_or("diff needs as_of=DAY")?;
                    let known_at = known_at.ok_or("diff with known_at2 needs known_at=K")?;
                    args.reject_next()?;
                    return Ok(or_error(diff_knowledge(
                        self,
                        view,
                        as_of,
                        (known_at, later),
                    )));
                }
                let from = args.take_key("from").ok_or("diff needs from=DAY")?;
                let to = args.take_key("to").ok_or("diff needs to=DAY")?;
                args.reject_next()?;
                or_error(diff(self, view, from, to, known_at))
            }
            "relations" => {
                let (a, b) = (args.next_pos(), args.next_pos());
                let (a, b) = a.zip(b).ok_or("relations needs two actor codes")?;
                let as_of = args.take_key("as_of").ok_or("relations needs as_of=DAY")?;
                args.reject_next()?;
                or_error(self.at(as_of, known_at).and_then(|at| relations(&at, a, b)))
            }
            other => return Err(format!("unknown command `{other}`").into()),
        };
        Ok(output)
    }

    fn at(&self, as_of: &str, known_at: Option<&str>) -> Fallible<At<'_>> {
        let at = self.store.at(Day::parse_query(as_of)?);
        Ok(match known_at {
            Some(k) => at.known_at(KnownAt::parse(k)?),
            None => at,
        })
    }
}

/// A library error is part of the expected output, as `error: ...`.
fn or_error(result: Fallible) -> String {
    result.unwrap_or_else(|e| format!("error: {e}"))
}

fn append(store: &Store, line: &str) -> Fallible {
    let parsed = parse_line(line)?;
    let keep_recorded = parsed.recorded.is_some();
    let report = store.import_lines(vec![(1, parsed)], keep_recorded)?;
    let (_, outcome) = report
        .events
        .first()
        .ok_or("the store reported no outcome")?;
    Ok(match *outcome {
        Outcome::Appended(seq) => format!(
            "seq {seq} recorded {}",
            format_recorded(store.event(seq)?.recorded())
        ),
        Outcome::AlreadyPresent(seq) => format!("already present at seq {seq}"),
    })
}

fn import(store: &Store, path: &str, keep_recorded: bool) -> Fallible {
    let file = std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))?;
    let lines = parse_reader(std::io::BufReader::new(file)).map_err(|errors| {
        let texts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        texts.join("; ")
    })?;
    let report = store.import_lines(lines, keep_recorded)?;
    let range = report
        .seq_range()
        .map_or_else(|| "nothing new".into(), |(a, b)| format!("seq {a}-{b}"));
    Ok(format!(
        "imported {} new, {} already present: {range}",
        report.new_count(),
        report.present_count()
    ))
}

fn verify(store: &Store) -> Fallible {
    let report = store.verify()?;
    Ok(format!(
        "verified {} events, head seq {}",
        report.events, report.head_seq
    ))
}

/// `(no rows)` for an empty answer, else the lines.
fn lines_or_none(mut out: Vec<String>, rows: Vec<String>) -> String {
    if rows.is_empty() {
        out.push("(no rows)".into());
    }
    out.extend(rows);
    out.join("\n")
}

fn view_rows(at: &At<'_>, view: &str, actor: Option<&str>) -> Fallible {
    let actor = actor.map(Code::parse).transpose()?;
    let (basis, rows) = rendered_view(at, view, actor.as_ref())?;
    let rows = rows.into_iter().map(|r| r.text).collect();
    Ok(lines_or_none(vec![basis.describe()], rows))
}

fn history(store: &Store, code: &str, known_at: Option<&str>) -> Fallible {
    let known_at = known_at.map_or(Ok(KnownAt::Now), KnownAt::parse)?;
    let basis = store.at(Day(1)).known_at(known_at).basis()?;
    let entries = store.history(&Code::parse(code)?, known_at)?;
    let header = format!(
        "history of {code}, known at seq {} ({})",
        basis.known_seq,
        basis
            .known_recorded
            .map_or_else(|| "empty log".into(), format_recorded)
    );
    let rows = entries.iter().map(history_line).collect();
    Ok(lines_or_none(vec![header], rows))
}

fn diff(runner: &ScriptRunner, view: &str, from: &str, to: &str, k: Option<&str>) -> Fallible {
    let at = runner.at(from, k)?;
    let d = at.diff(view, Day::parse_query(to)?)?;
    let later = runner.at(to, Some(&format!("seq:{}", d.from.known_seq)))?;
    let mut known = rendered_view(&at, view, None)?.1;
    known.extend(rendered_view(&later, view, None)?.1);
    let header = format!(
        "{view} from {} to {}, known at seq {}",
        d.from.as_of, d.to.as_of, d.from.known_seq
    );
    Ok(lines_or_none(vec![header], diff_lines(&d, &known)))
}

/// `diff VIEW as_of=DAY known_at=A known_at2=B`: the rows of one day as known at A
/// against as known at B.
fn diff_knowledge(
    runner: &ScriptRunner,
    view: &str,
    as_of: &str,
    (earlier, later): (&str, &str),
) -> Fallible {
    let at = runner.at(as_of, Some(earlier))?;
    let d = at.diff_knowledge(view, KnownAt::parse(later)?)?;
    let mut known = rendered_view(&at, view, None)?.1;
    let after = runner.at(as_of, Some(&format!("seq:{}", d.to.known_seq)))?;
    known.extend(rendered_view(&after, view, None)?.1);
    let header = format!(
        "{view} as of {}, known at seq {} => known at seq {}",
        d.from.as_of, d.from.known_seq, d.to.known_seq
    );
    Ok(lines_or_none(vec![header], diff_lines(&d, &known)))
}

/// `+ row`, `- row` and `~ old => new`, each row rendered as the view renders it.
fn diff_lines(d: &annals::query::Diff, known: &[Rendered]) -> Vec<String> {
    let mut rows: Vec<String> = d
        .added
        .iter()
        .map(|r| format!("+ {}", lookup(known, r)))
        .collect();
    rows.extend(d.removed.iter().map(|r| format!("- {}", lookup(known, r))));
    rows.extend(
        d.changed
            .iter()
            .map(|c| format!("~ {} => {}", lookup(known, &c.from), lookup(known, &c.to))),
    );
    rows
}

fn relations(at: &At<'_>, a: &str, b: &str) -> Fallible {
    let r = at.relations(&Code::parse(a)?, &Code::parse(b)?)?;
    let mut rows = Vec::new();
    for (view, found) in [
        ("alliances", as_json(&r.alliances)?),
        ("deployments", as_json(&r.deployments)?),
        ("arms", as_json(&r.arms)?),
    ] {
        let known = rendered_view(at, view, None)?.1;
        rows.extend(
            found
                .iter()
                .map(|row| format!("{view}: {}", lookup(&known, row))),
        );
    }
    for (section, events) in r.event_sections() {
        if events.is_empty() {
            rows.push(format!("{section}: (none)"));
        }
        for event in events {
            rows.push(format!(
                "{section}: seq {} | {}",
                event.seq,
                fact_line(&event.content)
            ));
        }
    }
    Ok(lines_or_none(vec![r.basis.describe()], rows))
}

/// Typed rows as JSON, to match them with their rendering.
fn as_json<T: serde::Serialize>(rows: &[T]) -> Fallible<Vec<Value>> {
    Ok(rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?)
}

/// One rendered row with the JSON the library gives for it (to render `diff` and
/// `relations`, which answer in JSON, with the same typed renderers).
struct Rendered {
    json: Value,
    text: String,
}

/// The rendering of `row` among `known`, or its compact JSON when none matches.
fn lookup(known: &[Rendered], row: &Value) -> String {
    known
        .iter()
        .find(|r| &r.json == row)
        .map_or_else(|| row.to_string(), |r| r.text.clone())
}

fn rendered_view(
    at: &At<'_>,
    view: &str,
    actor: Option<&Code>,
) -> Fallible<(Basis, Vec<Rendered>)> {
    match view {
        "alliances" => rendered::<Alliances>(at, actor),
        "deployments" => rendered::<Deployments>(at, actor),
        "leaders" => rendered::<Leaders>(at, actor),
        "arms" => rendered::<Arms>(at, actor),
        "tests" => rendered::<Tests>(at, actor),
        other => Err(format!("no view named `{other}`").into()),
    }
}

fn rendered<V: View>(at: &At<'_>, actor: Option<&Code>) -> Fallible<(Basis, Vec<Rendered>)>
where
    V::Row: Render,
{
    let answer = at.view::<V>()?;
    let rows = answer
        .rows
        .iter()
        .filter(|row| actor.is_none_or(|a| V::row_mentions(row, a)))
        .map(|row| {
            Ok(Rendered {
                json: serde_json::to_value(row)?,
                text: row.render(),
            })
        })
        .collect::<Fallible<_>>()?;
    Ok((answer.basis, rows))
}

/// One line of text for a typed row; rows not yet certain end in `(uncertain)`.
trait Render {
    fn render(&self) -> String;
}

fn uncertain(certain: bool) -> &'static str {
    if certain {
        ""
    } else {
        " (uncertain)"
    }
}

impl Render for AllianceRow {
    /// `NATO defense_pact since 1949-04-04, 16 members: BEL CAN DEU(1955-05-06) ...`:
    /// members who joined on another day than the founding carry their joining day.
    fn render(&self) -> String {
        let members: Vec<String> = self
            .members
            .iter()
            .map(|m| {
                let leaving = self.leaving.get(m).map(|d| format!("(leaving {d})"));
                match self.joined.get(m) {
                    Some(day) if *day == self.since => m.clone() + &leaving.unwrap_or_default(),
                    Some(day) => format!("{m}({day}){}", leaving.unwrap_or_default()),
                    None => format!("{m}(joined ?)"),
                }
            })
            .collect();
        let dissolving = self
            .dissolving
            .as_ref()
            .map(|d| format!(", dissolving {d}"))
            .unwrap_or_default();
        format!(
            "{} {} since {}, {} members: {}{dissolving}{}",
            self.alliance,
            self.alliance_type,
            self.since,
            self.members.len(),
            members.join(" "),
            uncertain(self.certain)
        )
    }
}

impl Render for DeploymentRow {
    fn render(&self) -> String {
        let region = self
            .region
            .as_deref()
            .map(|r| format!("/{r}"))
            .unwrap_or_default();
        let withdrawing = self
            .withdrawing
            .as_ref()
            .map(|d| format!(", withdrawing {d}"))
            .unwrap_or_default();
        format!(
            "{} in {}{region}: {} since {}, reported {}{withdrawing}{}",
            self.actor,
            self.host,
            self.strength,
            self.since,
            self.reported,
            uncertain(self.certain)
        )
    }
}

impl Render for LeaderRow {
    fn render(&self) -> String {
        let until = self
            .until
            .as_ref()
            .map(|d| format!(", until {d}"))
            .unwrap_or_default();
        format!(
            "{} {}: {} since {}{until}{}",
            self.actor,
            self.office,
            self.person,
            self.since,
            uncertain(self.certain)
        )
    }
}

impl Render for ArmsRow {
    fn render(&self) -> String {
        let unit = self
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        format!(
            "{} -> {} {}: {}{unit}, transfers {}, first {}, last {}{}",
            self.supplier,
            self.recipient,
            self.item,
            self.quantity,
            self.transfers,
            self.first,
            self.last,
            uncertain(self.certain)
        )
    }
}

impl Render for TestRow {
    fn render(&self) -> String {
        format!(
            "{} {}: {}, last {}{}",
            self.actor,
            self.class,
            self.count,
            self.last,
            uncertain(self.certain)
        )
    }
}

/// `2023-08-18 meeting USA KOR JPN | summary`: the date, kind and codes of a content,
/// then its summary when it has one (a retraction's reason; a correction's replacement).
fn fact_line(content: &Content) -> String {
    let date = content
        .date
        .as_ref()
        .map_or_else(|| "-".into(), |d| d.to_string());
    let codes: Vec<&str> = content.kind.codes().iter().map(|c| c.as_str()).collect();
    let mut line = format!("{date} {}", content.kind.name());
    if !codes.is_empty() {
        line = format!("{line} {}", codes.join(" "));
    }
    let note = match &content.kind {
        annals::Kind::Retraction { reason, .. } => Some(reason.clone()),
        annals::Kind::Correction { replacement, .. } => {
            Some(format!("to {}", fact_line(replacement)))
        }
        _ => content.summary.clone(),
    };
    match note {
        Some(note) => format!("{line} | {note}"),
        None => line,
    }
}

/// `seq 12 | corrected by seq 54 | 2023-08-18 meeting USA KOR JPN | summary`.
fn history_line(entry: &HistoryEntry) -> String {
    let status = match (entry.status, entry.by) {
        (Status::Current, None) => "current".to_string(),
        (Status::Current, Some(s)) => format!("current, corrects seq {s}"),
        (Status::Corrected, Some(s)) => format!("corrected by seq {s}"),
        (Status::Retracted, Some(s)) => format!("retracted by seq {s}"),
        (Status::Superseded, Some(s)) => format!("superseded, amends seq {s}"),
        (Status::Retraction, Some(s)) => format!("retraction of seq {s}"),
        (status, None) => format!("{status:?}").to_lowercase(),
    };
    let mut line = format!(
        "seq {} | {status} | {}",
        entry.event.seq,
        fact_line(&entry.shown.content)
    );
    for c in &entry.changes {
        let value = |v: &Option<Value>| v.as_ref().map_or("none".into(), Value::to_string);
        line += &format!(
            "\n    changed {}: {} -> {}",
            c.field,
            value(&c.from),
            value(&c.to)
        );
    }
    line
}
