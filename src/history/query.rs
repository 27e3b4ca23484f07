//! Time-travel queries: the typed API (`store.at(day).known_at(k).view::<V>()`), answers
//! with their basis, and the questions built on views: `history`, `diff`, `relations`.
//!
//! Invariants: every answer names its basis — the as-of day and the knowledge (a seq and
//! its recorded time) it was computed at — and is a pure function of that basis: events
//! recorded later never change it. A query reads a head snapshot and holds the views lock
//! shared, so it never sees a half-maintained checkpoint set.

use super::changes::FieldChange;
use crate::error::{Error, Result};
use crate::model::date::Day;
use crate::model::event::{Code, Event, Kind};
use crate::model::interchange::format_recorded;
use crate::store::Store;
use crate::views::{
    state_of, AllianceRow, Alliances, Arms, ArmsRow, Change, DeploymentRow, Deployments, RowDiff,
    RowFrame, View,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

/// Which knowledge to answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownAt {
    /// Everything recorded so far.
    Now,
    /// Everything recorded at or before this seq.
    Seq(u64),
    /// Everything recorded at or before this moment.
    Time(DateTime<Utc>),
}

impl KnownAt {
    /// Parse `now`, `seq:N`, an RFC 3339 timestamp, or a day as `--as-of` takes it
    /// (`today`, `YYYY-MM-DD`, `YYYY-MM`, `YYYY`): a day means the **end** of that day, UTC
    /// (everything recorded on it counts), and a month or year its last day.
    pub fn parse(text: &str) -> Result<KnownAt> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("now") {
            return Ok(KnownAt::Now);
        }
        if let Some(n) = t.strip_prefix("seq:") {
            return n.parse::<u64>().map(KnownAt::Seq).map_err(|_| {
                Error::InvalidArgument(format!(
                    "known-at `{t}`: expected seq:N with N a whole number"
                ))
            });
        }
        if let Ok(d) = DateTime::parse_from_rfc3339(t) {
            return Ok(KnownAt::Time(d.with_timezone(&Utc)));
        }
        match Day::parse_query(t).ok().and_then(end_of_day) {
            Some(end) => Ok(KnownAt::Time(end)),
            None => Err(Error::InvalidArgument(format!("known-at `{t}`: expected now, seq:N, an RFC 3339 timestamp (2024-11-01T00:00:00Z) or a day (2024-11-01, 2024-11, 2024, today: the end of that day, UTC)"))),
        }
    }
}

/// The last microsecond of `day`, UTC.
fn end_of_day(day: Day) -> Option<DateTime<Utc>> {
    let next = day.to_naive().succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc();
    Some(next - chrono::Duration::microseconds(1))
}

impl From<DateTime<Utc>> for KnownAt {
    fn from(t: DateTime<Utc>) -> Self {
        KnownAt::Time(t)
    }
}

/// What an answer was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Basis {
    /// The valid-time day.
    pub as_of: Day,
    /// The last seq known.
    pub known_seq: u64,
    /// When that seq was recorded (`None` for an empty log).
    pub known_recorded: Option<DateTime<Utc>>,
}

impl Basis {
    /// `{"as_of": "...", "known_at": {"seq": N, "recorded": "..."}}` as a JSON object map.
    pub fn json(&self) -> serde_json::Map<String, Value> {
        match serde_json::to_value(self.wire()) {
            Ok(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        }
    }

    /// The JSON form of the basis, to serialize (the one declaration of its keys).
    fn wire(&self) -> BasisWire {
        BasisWire {
            as_of: self.as_of.to_string(),
            known_at: KnownAtWire {
                seq: self.known_seq,
                recorded: self.known_recorded.map(format_recorded),
            },
        }
    }

    /// A one-line description for the human table's header.
    pub fn describe(&self) -> String {
        format!(
            "as of {}, known at seq {} ({})",
            self.as_of,
            self.known_seq,
            self.known_recorded
                .map(format_recorded)
                .unwrap_or_else(|| "empty log".into())
        )
    }
}

/// [`Basis`] as written in JSON: `{"as_of", "known_at": {"seq", "recorded"}}`.
#[derive(Serialize)]
struct BasisWire {
    as_of: String,
    known_at: KnownAtWire,
}

#[derive(Serialize)]
struct KnownAtWire {
    seq: u64,
    recorded: Option<String>,
}

/// How [`At::write_rows`] lays out the rows of a view (see the README, "Machine formats").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowsFormat {
    /// One object `{"as_of", "known_at": {"seq", "recorded"}, "rows": [...]}` and a newline.
    Json,
    /// JSON Lines, one row per line with its basis: `{"as_of", "known_at", "row": {...}}`.
    Jsonl,
}

/// Rows of a view with their basis.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<R> {
    pub basis: Basis,
    pub rows: Vec<R>,
}

impl<R: Serialize> Answer<R> {
    /// The stable JSON form: `{"as_of", "known_at": {"seq", "recorded"}, "rows": [...]}`.
    pub fn to_json(&self) -> Value {
        let mut m = self.basis.json();
        m.insert(
            "rows".into(),
            serde_json::to_value(&self.rows).unwrap_or(Value::Null),
        );
        Value::Object(m)
    }
}

/// The basis, the view, and its state at a point.
type ViewAt = (
    Basis,
    std::sync::Arc<dyn crate::views::ErasedView>,
    Box<dyn crate::views::ErasedState>,
);

/// A point in bitemporal time to ask questions at. Made by [`Store::at`].
#[derive(Clone, Copy, Debug)]
pub struct At<'s> {
    store: &'s Store,
    as_of: Day,
    known_at: KnownAt,
}

impl Store {
    /// Ask as of valid-time `as_of`, with everything known now (change with `known_at`).
    ///
    /// ```
    /// use annals::{Day, KnownAt, views::Deployments, interchange::parse_line};
    /// let store = annals::Store::temporary()?;
    /// for line in [
    ///     r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000}"#,
    ///     r#"{"date":"2024-11-15","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":12000}"#,
    /// ] {
    ///     store.append(parse_line(line).unwrap().event)?;
    /// }
    /// let now = store.at(Day::parse_query("2024-11-15")?).view::<Deployments>()?;
    /// assert_eq!(now.rows[0].strength, 12000);
    /// // As known when only the first report was recorded (seq 1):
    /// let then = store.at(Day::parse_query("2024-11-15")?).known_at(KnownAt::Seq(1)).view::<Deployments>()?;
    /// assert_eq!(then.rows[0].strength, 8000);
    /// assert_eq!(then.basis.known_seq, 1);
    /// // The day before the second report, as known now:
    /// let before = store.at(Day::parse_query("2024-11-14")?).view::<Deployments>()?;
    /// assert_eq!(before.rows[0].strength, 8000);
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn at(&self, as_of: Day) -> At<'_> {
        At {
            store: self,
            as_of,
            known_at: KnownAt::Now,
        }
    }

    /// The last seq recorded at or before `t` (0 when none).
    pub fn seq_at_time(&self, t: DateTime<Utc>) -> Result<u64> {
        let head = self.head().seq;
        let micros = t.timestamp_micros();
        // Recorded time never decreases with seq: binary search.
        let (mut lo, mut hi) = (0u64, head);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.log.event_at(mid, head)?.recorded_micros <= micros {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(lo)
    }

    pub(crate) fn basis(&self, as_of: Day, known_at: KnownAt) -> Result<Basis> {
        let head = self.head().seq;
        let seq = match known_at {
            KnownAt::Now => head,
            KnownAt::Seq(s) => s.min(head),
            KnownAt::Time(t) => self.seq_at_time(t)?,
        };
        let recorded = if seq == 0 {
            None
        } else {
            Some(self.log.event_at(seq, head)?.recorded())
        };
        Ok(Basis {
            as_of,
            known_seq: seq,
            known_recorded: recorded,
        })
    }
}

impl<'s> At<'s> {
    /// Ask with the knowledge of `k` instead of now.
    pub fn known_at(self, k: impl Into<KnownAt>) -> At<'s> {
        At {
            known_at: k.into(),
            ..self
        }
    }

    /// The basis this point resolves to (the knowledge as a seq and its recorded time).
    pub fn basis(&self) -> Result<Basis> {
        self.store.basis(self.as_of, self.known_at)
    }

    /// The basis, the view called `name`, and its state at this point.
    ///
    /// Derived state found corrupt on the way (an index, the touch summary) is rebuilt
    /// from the log and the query answered again; a corrupt log is reported, never repaired.
    fn state_of_view(&self, name: &str, actor: Option<&Code>) -> Result<ViewAt> {
        self.store
            .read_repairing(|| self.state_of_view_once(name, actor))
    }

    /// With `actor`, a keyed view's state holds only the rows whose facts named it (a
    /// probe of those keys); every caller still filters rows by `View::row_mentions`.
    fn state_of_view_once(&self, name: &str, actor: Option<&Code>) -> Result<ViewAt> {
        let erased = self.store.find_view(name)?;
        let _guard = self.store.history.read_lock();
        let basis = self.store.basis(self.as_of, self.known_at)?;
        let state = self.store.fold().view_state_for(
            erased.as_ref(),
            self.as_of,
            basis.known_seq,
            actor,
        )?;
        Ok((basis, erased, state))
    }

    /// The rows of view `V`.
    pub fn view<V: View>(&self) -> Result<Answer<V::Row>> {
        let (basis, _, state) = self.state_of_view(V::NAME, None)?;
        let typed = state_of::<V>(state.as_ref()).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "view `{}` is registered with another type",
                V::NAME
            ))
        })?;
        Ok(Answer {
            rows: V::rows(typed, self.as_of),
            basis,
        })
    }

    /// The rows of the view called `name` as (identity, JSON), optionally only rows
    /// mentioning `actor`.
    pub fn view_rows_json(
        &self,
        name: &str,
        actor: Option<&Code>,
    ) -> Result<(Basis, Vec<(String, Value)>)> {
        let (basis, erased, state) = self.state_of_view(name, actor)?;
        Ok((basis, erased.rows_json(state.as_ref(), self.as_of, actor)))
    }

    /// Write the rows of the view called `name` (optionally only rows mentioning `actor`)
    /// to `out` as `format`, each serialized straight from its typed row: no JSON tree is
    /// built and nothing is buffered beyond `out` (give it a `BufWriter`). The bytes are
    /// those of [`At::view_json`] (and of one line per row for [`RowsFormat::Jsonl`]).
    /// Returns the basis and how many rows were written.
    pub fn write_rows(
        &self,
        name: &str,
        actor: Option<&Code>,
        format: RowsFormat,
        out: &mut dyn Write,
    ) -> Result<(Basis, usize)> {
        let (basis, erased, state) = self.state_of_view(name, actor)?;
        // The basis object without its closing brace opens each wrapper.
        let mut open = serde_json::to_vec(&basis.wire()).map_err(std::io::Error::from)?;
        open.pop();
        let write = |frame: &RowFrame<'_>, out: &mut dyn Write| {
            erased.write_rows_json(state.as_ref(), self.as_of, actor, frame, out)
        };
        let written = match format {
            RowsFormat::Json => {
                open.extend_from_slice(br#","rows":["#);
                out.write_all(&open)?;
                let frame = RowFrame {
                    before: b"",
                    after: b"",
                    between: b",",
                };
                let written = write(&frame, out)?;
                out.write_all(b"]}\n")?;
                written
            }
            RowsFormat::Jsonl => {
                open.extend_from_slice(br#","row":"#);
                let frame = RowFrame {
                    before: &open,
                    after: b"}\n",
                    between: b"",
                };
                write(&frame, out)?
            }
        };
        Ok((basis, written))
    }

    /// `{"as_of", "known_at", "rows"}` for the view called `name`.
    pub fn view_json(&self, name: &str, actor: Option<&Code>) -> Result<Value> {
        let (basis, rows) = self.view_rows_json(name, actor)?;
        let mut m = basis.json();
        m.insert(
            "rows".into(),
            Value::Array(rows.into_iter().map(|(_, r)| r).collect()),
        );
        Ok(Value::Object(m))
    }

    /// What `a` and `b` share as of this point: alliances both belong to, deployments of
    /// one in the other, arms flows between them, and the events naming both up to the
    /// as-of day (meetings, agreements, sanctions either way, joint exercises, statements).
    ///
    /// ```
    /// use annals::{Code, Day, interchange::parse_line};
    /// let store = annals::Store::temporary()?;
    /// store.append(parse_line(r#"{"date":"2024-06-19","kind":"alliance_formed","alliance":"PRK_RUS","type":"defense_pact","members":["PRK","RUS"]}"#).unwrap().event)?;
    /// store.append(parse_line(r#"{"date":"2023-09-13","kind":"meeting","actors":["PRK","RUS"]}"#).unwrap().event)?;
    /// store.append(parse_line(r#"{"date":"2024-06-19","kind":"agreement","actors":["PRK","RUS"],"name":"Comprehensive Strategic Partnership"}"#).unwrap().event)?;
    /// store.append(parse_line(r#"{"date":"2024-12-16","kind":"sanctions_imposed","actor":"RUS","against":"PRK"}"#).unwrap().event)?;
    /// let (prk, rus) = (Code::parse("PRK").unwrap(), Code::parse("RUS").unwrap());
    /// let r = store.at(Day::parse_query("2024-12-31")?).relations(&prk, &rus)?;
    /// assert_eq!(r.alliances.len(), 1);
    /// assert_eq!(r.meetings.len(), 1);
    /// assert_eq!(r.agreements.len(), 1);
    /// assert_eq!(r.sanctions.len(), 1);
    /// assert!(r.joint_exercises.is_empty() && r.statements.is_empty());
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn relations(&self, a: &Code, b: &Code) -> Result<Relations> {
        let pair = |x: &str, y: &str| {
            (x == a.as_str() && y == b.as_str()) || (x == b.as_str() && y == a.as_str())
        };
        let alliances = self.view::<Alliances>()?;
        let basis = alliances.basis;
        let alliances = alliances
            .rows
            .into_iter()
            .filter(|r| {
                r.members.iter().any(|m| m == a.as_str())
                    && r.members.iter().any(|m| m == b.as_str())
            })
            .collect();
        let mut deployments = self.view::<Deployments>()?.rows;
        deployments.retain(|r| pair(&r.actor, &r.host));
        let mut arms = self.view::<Arms>()?.rows;
        arms.retain(|r| pair(&r.supplier, &r.recipient));
        let mut relations = Relations {
            basis,
            alliances,
            deployments,
            arms,
            meetings: Vec::new(),
            agreements: Vec::new(),
            sanctions: Vec::new(),
            joint_exercises: Vec::new(),
            statements: Vec::new(),
        };
        for event in self.shared_events(a, b, relations.basis.known_seq)? {
            if let Some(section) = relations.section_of(&event.content.kind) {
                section.push(event);
            }
        }
        Ok(relations)
    }

    /// The events in effect at knowledge `k` that name both `a` and `b`, dated on or
    /// before the as-of day, in timeline order.
    fn shared_events(&self, a: &Code, b: &Code, k: u64) -> Result<Vec<Event>> {
        let mut shared = Vec::new();
        for entry in self.store.history(a, KnownAt::Seq(k))? {
            let content = &entry.shown.content;
            let day = content.date.map(|d| d.earliest());
            if entry.status == Status::Current
                && content.kind.codes().contains(&b)
                && day.is_some_and(|d| d <= self.as_of)
            {
                shared.push(entry.shown);
            }
        }
        Ok(shared)
    }

    /// Rows added, removed and changed in view `V` between this as-of day and `to` (both
    /// at this knowledge), compared as typed rows.
    ///
    /// ```
    /// use annals::{Day, interchange::parse_line, views::Leaders};
    /// let store = annals::Store::temporary()?;
    /// store.append(parse_line(r#"{"date":"2024-10-01","kind":"leader_took_office","actor":"JPN","office":"prime_minister","person":"Shigeru Ishiba"}"#).unwrap().event)?;
    /// let d = store.at(Day::parse_query("2024-01-01")?).diff_view::<Leaders>(Day::parse_query("2024-12-31")?)?;
    /// assert_eq!(d.added.len(), 1);
    /// assert_eq!(d.added[0].person, "Shigeru Ishiba");
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn diff_view<V: View>(&self, to: Day) -> Result<Diff<V::Row>> {
        let before = self.view::<V>()?;
        let after = self.later(to, &before.basis).view::<V>()?;
        let rows = crate::views::diff_rows::<V>(before.rows, after.rows);
        Ok(Diff::new(V::NAME, before.basis, after.basis, rows))
    }

    /// [`At::diff_view`] for the view called `name` (a built-in or a registered one):
    /// the rows are compared typed, then given as JSON, since their type is not known here.
    ///
    /// ```
    /// use annals::{Day, interchange::parse_line};
    /// let store = annals::Store::temporary()?;
    /// store.append(parse_line(r#"{"date":"2024-10-01","kind":"leader_took_office","actor":"JPN","office":"prime_minister","person":"Shigeru Ishiba"}"#).unwrap().event)?;
    /// let d = store.at(Day::parse_query("2024-01-01")?).diff("leaders", Day::parse_query("2024-12-31")?)?;
    /// assert_eq!(d.added.len(), 1);
    /// assert_eq!(d.added[0]["person"], "Shigeru Ishiba");
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn diff(&self, name: &str, to: Day) -> Result<Diff<Value>> {
        let (from_basis, view, before) = self.state_of_view(name, None)?;
        let (to_basis, _, after) = self.later(to, &from_basis).state_of_view(name, None)?;
        let rows = view.diff_json((before.as_ref(), self.as_of), (after.as_ref(), to));
        Ok(Diff::new(view.name(), from_basis, to_basis, rows))
    }

    /// Rows added, removed and changed in the view called `name` on this as-of day, between
    /// this knowledge and `to`: what the world looked like as known then versus as known
    /// at `to` (after a batch of corrections, say). The rows are compared typed, as
    /// [`At::diff`] compares them; the answer's `from` and `to` bases share the as-of day.
    ///
    /// ```
    /// use annals::{Day, KnownAt, interchange::parse_line};
    /// let store = annals::Store::temporary()?;
    /// for line in [
    ///     r#"{"date":"2024-10-31","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":8000}"#,
    ///     r#"{"date":"2024-11-15","kind":"deployment","actor":"PRK","host":"RUS","region":"Kursk","strength":12000}"#,
    /// ] {
    ///     store.append(parse_line(line).unwrap().event)?;
    /// }
    /// let at = store.at(Day::parse_query("2024-11-20")?).known_at(KnownAt::Seq(1));
    /// let d = at.diff_knowledge("deployments", KnownAt::Now)?;
    /// assert_eq!((d.from.known_seq, d.to.known_seq), (1, 2));
    /// assert_eq!(d.changed[0].from["strength"], 8000);
    /// assert_eq!(d.changed[0].to["strength"], 12000);
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn diff_knowledge(&self, name: &str, to: impl Into<KnownAt>) -> Result<Diff<Value>> {
        let (from_basis, view, before) = self.state_of_view(name, None)?;
        let (to_basis, _, after) = self.known_at(to).state_of_view(name, None)?;
        let rows = view.diff_json((before.as_ref(), self.as_of), (after.as_ref(), self.as_of));
        let mut diff = Diff::new(view.name(), from_basis, to_basis, rows);
        diff.axis = DiffAxis::Knowledge;
        Ok(diff)
    }

    /// The same question as of `to`, at the knowledge `basis` was answered at.
    fn later(&self, to: Day, basis: &Basis) -> At<'s> {
        At {
            as_of: to,
            known_at: KnownAt::Seq(basis.known_seq),
            ..*self
        }
    }
}

/// The answer of `relations`: typed rows of the views, and the events naming both as
/// events, one section per kind of relation.
#[derive(Clone, Debug, PartialEq)]
pub struct Relations {
    pub basis: Basis,
    /// Alliances both belong to.
    pub alliances: Vec<AllianceRow>,
    /// Deployments of either in the other.
    pub deployments: Vec<DeploymentRow>,
    /// Arms flows between them, either way.
    pub arms: Vec<ArmsRow>,
    /// Their meetings up to the as-of day, in effect at the knowledge asked.
    pub meetings: Vec<Event>,
    /// Agreements both are party to, likewise.
    pub agreements: Vec<Event>,
    /// Sanctions imposed or lifted by either on the other, likewise.
    pub sanctions: Vec<Event>,
    /// Joint exercises both took part in, likewise.
    pub joint_exercises: Vec<Event>,
    /// Statements both made, likewise.
    pub statements: Vec<Event>,
}

impl Relations {
    /// The event sections in the order they are shown: `(JSON key, events)`.
    pub fn event_sections(&self) -> [(&'static str, &[Event]); 5] {
        [
            ("meetings", &self.meetings),
            ("agreements", &self.agreements),
            ("sanctions", &self.sanctions),
            ("joint_exercises", &self.joint_exercises),
            ("statements", &self.statements),
        ]
    }

    /// The section an event of this kind belongs in (`None` for the kinds the views cover).
    fn section_of(&mut self, kind: &Kind) -> Option<&mut Vec<Event>> {
        Some(match kind {
            Kind::Meeting { .. } => &mut self.meetings,
            Kind::Agreement { .. } => &mut self.agreements,
            Kind::SanctionsImposed { .. } | Kind::SanctionsLifted { .. } => &mut self.sanctions,
            Kind::JointExercise { .. } => &mut self.joint_exercises,
            Kind::Statement { .. } => &mut self.statements,
            _ => return None,
        })
    }

    /// The `--json` form: the basis, the rows, and every event section (each event as its
    /// interchange line); every section is an array, empty when there is nothing.
    pub fn to_json(&self) -> Value {
        let mut m = self.basis.json();
        m.insert("alliances".into(), json!(self.alliances));
        m.insert("deployments".into(), json!(self.deployments));
        m.insert("arms".into(), json!(self.arms));
        for (key, events) in self.event_sections() {
            let lines = events
                .iter()
                .map(crate::model::interchange::event_json)
                .collect();
            m.insert(key.into(), Value::Array(lines));
        }
        Value::Object(m)
    }
}

/// Which time a [`Diff`] moves along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffAxis {
    /// Two as-of days at one knowledge ([`At::diff`], [`At::diff_view`]).
    ValidTime,
    /// Two knowledges on one as-of day ([`At::diff_knowledge`]).
    Knowledge,
}

/// The answer of `diff`: rows of one view added, removed and changed between two as-of
/// days at one knowledge, typed ([`At::diff_view`]) or as JSON ([`At::diff`]); or between
/// two knowledges on one as-of day ([`At::diff_knowledge`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Diff<R = Value> {
    pub view: String,
    /// Which of the two times differs between `from` and `to`.
    pub axis: DiffAxis,
    pub from: Basis,
    pub to: Basis,
    pub added: Vec<R>,
    pub removed: Vec<R>,
    pub changed: Vec<Change<R>>,
}

impl<R> Diff<R> {
    fn new(view: &str, from: Basis, to: Basis, rows: RowDiff<R>) -> Diff<R> {
        Diff {
            view: view.to_string(),
            axis: DiffAxis::ValidTime,
            from,
            to,
            added: rows.added,
            removed: rows.removed,
            changed: rows.changed,
        }
    }
}

impl<R: Serialize> Diff<R> {
    /// The `--json` form: along valid time `{"view", "from", "to", "known_at", "added",
    /// "removed", "changed"}` (`from` and `to` the as-of days); along knowledge `{"view",
    /// "as_of", "known_at": {"from", "to"}, "added", "removed", "changed"}` (each knowledge
    /// as `{"seq", "recorded"}`).
    pub fn to_json(&self) -> Value {
        if self.axis == DiffAxis::Knowledge {
            return json!({
                "view": self.view,
                "as_of": self.from.as_of.to_string(),
                "known_at": {"from": self.from.wire().known_at, "to": self.to.wire().known_at},
                "added": self.added,
                "removed": self.removed,
                "changed": self.changed,
            });
        }
        json!({
            "view": self.view,
            "from": self.from.as_of.to_string(),
            "to": self.to.as_of.to_string(),
            "known_at": self.from.wire().known_at,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        })
    }
}

impl Store {
    /// How `event` stands at knowledge `k`.
    fn entry_at(&self, event: Event, k: u64) -> Result<HistoryEntry> {
        let seq = event.seq;
        let log = self.log.read();
        let (status, by, shown) = match &event.content.kind {
            Kind::Retraction { target, .. } => {
                (Status::Retraction, log.lookup_id(target, k)?, event.clone())
            }
            Kind::Correction { .. } => {
                let root = log.root_of(seq, &event.content, k)?;
                match log.resolve(root, k)? {
                    Some(leaf) if leaf == seq => {
                        let mut shown = event.clone();
                        if let Kind::Correction { replacement, .. } = &event.content.kind {
                            shown.content = (**replacement).clone();
                        }
                        (Status::Current, Some(root), shown)
                    }
                    _ => (Status::Superseded, Some(root), event.clone()),
                }
            }
            _ => match log.resolve(seq, k)? {
                Some(leaf) if leaf == seq => (Status::Current, None, event.clone()),
                Some(leaf) => (Status::Corrected, Some(leaf), event.clone()),
                None => {
                    let by = log
                        .amendments_of(seq, k)?
                        .into_iter()
                        .find(|(_, kind)| *kind == crate::log::AMEND_RETRACTION)
                        .map(|(s, _)| s);
                    (Status::Retracted, by, event.clone())
                }
            },
        };
        let changes = self.changes_at(&event, k)?;
        Ok(HistoryEntry {
            event,
            shown,
            status,
            by,
            changes,
        })
    }

    /// How one event stands at `known_at` (see [`Store::history`]).
    pub fn history_entry(&self, event: Event, known_at: KnownAt) -> Result<HistoryEntry> {
        let k = self.basis(Day(1), known_at)?.known_seq;
        self.entry_at(event, k)
    }
}

/// How an event stands at some knowledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In effect as recorded (or, for a correction, the version in effect).
    Current,
    /// Replaced by a correction (the seq of the version in effect is in `by`).
    Corrected,
    /// Withdrawn by a retraction, or replaced by a later correction of the same event.
    Retracted,
    /// A correction no longer in effect (superseded or retracted).
    Superseded,
    /// A retraction (it amends another event).
    Retraction,
}

/// One event in an actor's history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// The event as recorded.
    pub event: Event,
    /// What to show: the event, or for a correction, the correction carrying its replacement.
    pub shown: Event,
    pub status: Status,
    /// The seq that corrected or retracted it, or the seq a correction amends.
    pub by: Option<u64>,
    /// For a correction, the fields it changed in the version it replaced (empty for any
    /// other event).
    pub changes: Vec<FieldChange>,
}

impl Store {
    /// Every event involving `code`, in timeline order, with how it stands at `known_at`.
    ///
    /// ```
    /// use annals::{Code, KnownAt, query::Status, interchange::parse_line};
    /// let store = annals::Store::temporary()?;
    /// let report = parse_line(r#"{"id":"6f1c0a52-3c1b-4c0e-9a55-3f9c2d1e0b6a","date":"2023-08-18","kind":"meeting","actors":["USA","KOR","JPN"],"summary":"with Ishiba"}"#).unwrap().event;
    /// store.append(report)?;
    /// store.append(parse_line(r#"{"kind":"correction","target":"6f1c0a52-3c1b-4c0e-9a55-3f9c2d1e0b6a","event":{"date":"2023-08-18","kind":"meeting","actors":["USA","KOR","JPN"],"summary":"with Kishida"}}"#).unwrap().event)?;
    /// let jpn = Code::parse("JPN").unwrap();
    /// let then = store.history(&jpn, KnownAt::Seq(1))?;
    /// assert_eq!(then[0].shown.content.summary.as_deref(), Some("with Ishiba"));
    /// let now = store.history(&jpn, KnownAt::Now)?;
    /// assert_eq!(now[0].status, Status::Corrected);
    /// assert_eq!(now[1].shown.content.summary.as_deref(), Some("with Kishida"));
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn history(&self, code: &Code, known_at: KnownAt) -> Result<Vec<HistoryEntry>> {
        self.read_repairing(|| self.history_once(code, known_at))
    }

    fn history_once(&self, code: &Code, known_at: KnownAt) -> Result<Vec<HistoryEntry>> {
        let k = self.basis(Day(1), known_at)?.known_seq;
        let mut out = Vec::new();
        for seq in self.actor_seqs(code)? {
            if seq > k {
                continue;
            }
            let event = self.log.event_at(seq, k)?;
            out.push(self.entry_at(event, k)?);
        }
        let mut keyed: Vec<(crate::log::read::TimelineKey, HistoryEntry)> =
            Vec::with_capacity(out.len());
        for entry in out {
            let key = self.timeline_key(&entry.shown)?.unwrap_or((
                Day(u32::MAX),
                Day(u32::MAX),
                entry.event.seq,
            ));
            keyed.push((key, entry));
        }
        keyed.sort_by_key(|(k, _)| *k);
        Ok(keyed.into_iter().map(|(_, e)| e).collect())
    }
}
