//! `sqlite-interval`: validity intervals precomputed at import, in an R*Tree per view
//! (`rtree_i32`: `[v0, v1]` valid days × `[k0, k1]` knowledge seqs, closed ranges, with
//! the row's sort key and JSON as auxiliary columns). An answer is one range probe:
//! the pieces whose rectangle contains (day, k), sorted by key.
//!
//! Import (and every append) keeps, per view key, the versions in effect now and the
//! pieces open at the current knowledge: when event `s` changes a key's versions (a new
//! fact, a correction, a retraction), the key is folded again with annals' own
//! `View::apply`; the valid intervals that start before the earliest changed day and end
//! at or before it are kept, every other open piece is closed at `s - 1` and the new
//! pieces are inserted from `s` on. A piece's row is final: an interval is split where
//! `certain` turns true, so nothing is computed at query time but the sort.

use super::resolve::{Change, Eff};
use super::{Answer, Derived, Query, Result, Rows, VIEWS};
use annals::views::{Alliances, Arms, Deployments, Fact, Leaders, Tests, View};
use annals::{Day, Kind};
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// `k1` (and `v1`) of a piece still open.
const OPEN: i64 = i32::MAX as i64;

struct Piece {
    id: i64,
    v0: u32,
    v1: u32,
    row: String,
}

/// One valid-time interval `[start, end)` of a key's state, cut into pieces.
struct Span {
    start: u32,
    end: u32,
    pieces: Vec<Piece>,
}

#[derive(Default)]
struct KeyState {
    /// Versions in effect now, in timeline order.
    alive: Vec<Eff>,
    /// Spans open at the current knowledge.
    spans: Vec<Span>,
}

#[derive(Default)]
pub struct Interval {
    keys: HashMap<(usize, String), KeyState>,
}

/// An order-preserving text encoding of a key tuple (`None` sorts first, like `Option`).
fn sort_key(parts: &[Option<&str>]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            None => out.push('\u{1}'),
            Some(s) => {
                out.push('\u{2}');
                out.push_str(s);
                out.push('\u{1}');
            }
        }
    }
    out
}

/// The view (index into `VIEWS`) and row key an event version belongs to.
fn key_of(kind: &Kind) -> Option<(usize, String)> {
    Some(match kind {
        Kind::AllianceFormed { alliance, .. }
        | Kind::AllianceJoined { alliance, .. }
        | Kind::AllianceLeft { alliance, .. }
        | Kind::AllianceDissolved { alliance } => (0, sort_key(&[Some(alliance.as_str())])),
        Kind::Deployment {
            actor,
            host,
            region,
            ..
        }
        | Kind::Withdrawal {
            actor,
            host,
            region,
        } => (
            1,
            sort_key(&[Some(actor.as_str()), Some(host.as_str()), region.as_deref()]),
        ),
        Kind::LeaderTookOffice { actor, office, .. }
        | Kind::LeaderLeftOffice { actor, office, .. } => {
            (2, sort_key(&[Some(actor.as_str()), Some(office)]))
        }
        Kind::ArmsTransfer {
            supplier,
            recipient,
            item,
            unit,
            ..
        } => (
            3,
            sort_key(&[
                Some(supplier.as_str()),
                Some(recipient.as_str()),
                Some(item),
                unit.as_deref(),
            ]),
        ),
        Kind::MissileTest { actor, class, .. } => {
            (4, sort_key(&[Some(actor.as_str()), Some(class)]))
        }
        Kind::NuclearTest { actor } => (4, sort_key(&[Some(actor.as_str()), Some("nuclear")])),
        _ => return None,
    })
}

/// The answer rows of one key at `day` as JSON (at most one row per key in every view).
fn row_json<V: View>(state: &V::State, day: u32) -> Result<Option<String>> {
    let rows = V::rows(state, Day(day));
    match rows.as_slice() {
        [] => Ok(None),
        [row] => Ok(Some(serde_json::to_string(row)?)),
        _ => Err("a key folded to more than one row".into()),
    }
}

/// The pieces of a key's state over `[start, end)`: one, or two where `certain` turns true
/// (monotone in the day, so found by bisection).
fn pieces<V: View>(state: &V::State, start: u32, end: u32) -> Result<Vec<Piece>> {
    let last = end.saturating_sub(1).min(OPEN as u32);
    let piece = |v0, v1, row| Piece { id: 0, v0, v1, row };
    let (Some(lo), Some(hi)) = (row_json::<V>(state, start)?, row_json::<V>(state, last)?) else {
        return Ok(Vec::new());
    };
    if lo == hi {
        return Ok(vec![piece(start, last, lo)]);
    }
    let (mut a, mut b) = (start, last); // rows(a) == lo, rows(b) == hi
    while b - a > 1 {
        let mid = a + (b - a) / 2;
        if row_json::<V>(state, mid)?.as_deref() == Some(hi.as_str()) {
            b = mid;
        } else {
            a = mid;
        }
    }
    Ok(vec![piece(start, a, lo), piece(b, last, hi)])
}

/// Fold a key's versions again; spans ending at or before `cutoff` (the earliest changed
/// day) are kept from `old`. Returns the new spans and the pieces to close.
fn refold<V: View>(alive: &[Eff], old: Vec<Span>, cutoff: u32) -> Result<(Vec<Span>, Vec<Piece>)> {
    let mut old: HashMap<(u32, u32), Span> =
        old.into_iter().map(|s| ((s.start, s.end), s)).collect();
    let mut state = V::State::default();
    let mut out = Vec::new();
    let mut i = 0;
    while i < alive.len() {
        let start = alive[i].d0;
        while i < alive.len() && alive[i].d0 == start {
            let e = &alive[i];
            let _ = V::apply(
                &mut state,
                &Fact {
                    seq: e.seq,
                    date: &e.date,
                    content: &e.content,
                },
            );
            i += 1;
        }
        let end = alive.get(i).map(|e| e.d0).unwrap_or(u32::MAX);
        if end <= cutoff {
            if let Some(span) = old.remove(&(start, end)) {
                out.push(span);
                continue;
            }
        }
        out.push(Span {
            start,
            end,
            pieces: pieces::<V>(&state, start, end)?,
        });
    }
    Ok((out, old.into_values().flat_map(|s| s.pieces).collect()))
}

macro_rules! by_index {
    ($i:expr, $f:ident ( $($arg:expr),* )) => {
        match $i {
            0 => $f::<Alliances>($($arg),*),
            1 => $f::<Deployments>($($arg),*),
            2 => $f::<Leaders>($($arg),*),
            3 => $f::<Arms>($($arg),*),
            _ => $f::<Tests>($($arg),*),
        }
    };
}

impl Interval {
    /// Fold key `key` again after event `seq` changed it from day `cutoff` on.
    fn update(
        &mut self,
        tx: &Connection,
        key: (usize, String),
        cutoff: u32,
        seq: u64,
    ) -> Result<()> {
        let view = key.0;
        let ks = self.keys.entry(key.clone()).or_default();
        let old = std::mem::take(&mut ks.spans);
        let (mut spans, retired) = by_index!(view, refold(&ks.alive, old, cutoff))?;
        let table = format!("iv_{}", VIEWS[view]);
        let close = format!("UPDATE {table} SET k1 = ?1 WHERE id = ?2");
        for p in retired {
            tx.prepare_cached(&close)?
                .execute(params![seq as i64 - 1, p.id])?;
        }
        let insert = format!(
            "INSERT INTO {table} (v0, v1, k0, k1, ord, row) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        );
        for p in spans
            .iter_mut()
            .flat_map(|s| s.pieces.iter_mut())
            .filter(|p| p.id == 0)
        {
            tx.prepare_cached(&insert)?
                .execute(params![p.v0, p.v1, seq as i64, OPEN, &key.1, &p.row])?;
            p.id = tx.last_insert_rowid();
        }
        ks.spans = spans;
        Ok(())
    }
}

impl Derived for Interval {
    fn schema(&self) -> &'static str {
        "CREATE VIRTUAL TABLE iv_alliances USING rtree_i32(id, v0, v1, k0, k1, +ord TEXT, +row TEXT);
         CREATE VIRTUAL TABLE iv_deployments USING rtree_i32(id, v0, v1, k0, k1, +ord TEXT, +row TEXT);
         CREATE VIRTUAL TABLE iv_leaders USING rtree_i32(id, v0, v1, k0, k1, +ord TEXT, +row TEXT);
         CREATE VIRTUAL TABLE iv_arms USING rtree_i32(id, v0, v1, k0, k1, +ord TEXT, +row TEXT);
         CREATE VIRTUAL TABLE iv_tests USING rtree_i32(id, v0, v1, k0, k1, +ord TEXT, +row TEXT);"
    }

    fn apply(&mut self, tx: &Connection, seq: u64, changes: Vec<Change>) -> Result<()> {
        let mut touched: BTreeMap<(usize, String), u32> = BTreeMap::new();
        for change in changes {
            let (e, opened) = match change {
                Change::Opened(e) => (e, true),
                Change::Closed(e) => (e, false),
            };
            let Some(key) = key_of(&e.content.kind) else {
                continue;
            };
            let cutoff = touched.entry(key.clone()).or_insert(u32::MAX);
            *cutoff = (*cutoff).min(e.d0);
            let alive = &mut self.keys.entry(key).or_default().alive;
            if opened {
                let at = alive.partition_point(|a| a.pos() < e.pos());
                alive.insert(at, e);
            } else {
                alive.retain(|a| a.seq != e.seq);
            }
        }
        for (key, cutoff) in touched {
            self.update(tx, key, cutoff, seq)?;
        }
        Ok(())
    }

    fn reset(&mut self, conn: &Connection) -> Result<()> {
        self.keys.clear();
        for v in VIEWS {
            conn.execute_batch(&format!("DELETE FROM iv_{v}"))?;
        }
        Ok(())
    }

    fn answer(&mut self, conn: &Connection, q: &Query) -> Result<Answer> {
        let k = q.known_through.min(OPEN as u64) as i64;
        let sql = format!(
            "SELECT row FROM iv_{} WHERE v0 <= ?1 AND v1 >= ?1 AND k0 <= ?2 AND k1 >= ?2 ORDER BY ord",
            q.view
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![q.day.0, k], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Box::new(JsonRows(rows)))
    }
}

/// Rows kept as their JSON: fingerprinted exactly as `serde_json::to_vec` of the rows.
struct JsonRows(Vec<String>);

impl Rows for JsonRows {
    fn fingerprint(&self) -> String {
        let bytes = format!("[{}]", self.0.join(","));
        let digest = Sha256::digest(bytes.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("{}:{hex}", self.0.len())
    }
}
