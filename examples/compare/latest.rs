//! `sqlite-latest`: per view, a table of event versions (one row per version in effect
//! over a knowledge interval `[kf, kt)`), keyed by the view's row key, with the valid date
//! as (d0, d1) = (earliest, latest) day and the leaf seq. An answer is one SQL query: the
//! versions with `d0 <= day` known at `k`, then the latest per key by a window
//! (`ROW_NUMBER() OVER (PARTITION BY key ORDER BY d0 DESC, d1 DESC, seq DESC)`), or a
//! `SUM … GROUP BY` for the aggregate views. Timeline order is annals' (earliest, latest,
//! seq); the views' lenient rules are written in SQL (see each query).

use super::resolve::{Change, Eff};
use super::{Answer, Derived, Query, Result};
use annals::views::{AllianceRow, ArmsRow, DeploymentRow, LeaderRow, TestRow};
use annals::{AllianceType, Kind};
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// `kt` of a version still in effect.
const OPEN: i64 = i64::MAX;

pub struct Latest;

const SCHEMA: &str = "
CREATE TABLE lt_deployments (actor TEXT NOT NULL, host TEXT NOT NULL, region TEXT,
    kind INTEGER NOT NULL, strength INTEGER, d0 INTEGER NOT NULL, d1 INTEGER NOT NULL,
    seq INTEGER NOT NULL, date TEXT NOT NULL, kf INTEGER NOT NULL, kt INTEGER NOT NULL);
CREATE INDEX lt_deployments_key ON lt_deployments (actor, host, region, d0, d1, seq);
CREATE INDEX lt_deployments_seq ON lt_deployments (seq);
CREATE TABLE lt_leaders (actor TEXT NOT NULL, office TEXT NOT NULL, kind INTEGER NOT NULL,
    person TEXT, d0 INTEGER NOT NULL, d1 INTEGER NOT NULL, seq INTEGER NOT NULL,
    date TEXT NOT NULL, kf INTEGER NOT NULL, kt INTEGER NOT NULL);
CREATE INDEX lt_leaders_key ON lt_leaders (actor, office, d0, d1, seq);
CREATE INDEX lt_leaders_seq ON lt_leaders (seq);
CREATE TABLE lt_arms (supplier TEXT NOT NULL, recipient TEXT NOT NULL, item TEXT NOT NULL,
    unit TEXT, quantity INTEGER NOT NULL, d0 INTEGER NOT NULL, d1 INTEGER NOT NULL,
    seq INTEGER NOT NULL, date TEXT NOT NULL, kf INTEGER NOT NULL, kt INTEGER NOT NULL);
CREATE INDEX lt_arms_key ON lt_arms (supplier, recipient, item, unit, d0, d1, seq);
CREATE INDEX lt_arms_seq ON lt_arms (seq);
CREATE TABLE lt_tests (actor TEXT NOT NULL, class TEXT NOT NULL, count INTEGER NOT NULL,
    d0 INTEGER NOT NULL, d1 INTEGER NOT NULL, seq INTEGER NOT NULL, date TEXT NOT NULL,
    kf INTEGER NOT NULL, kt INTEGER NOT NULL);
CREATE INDEX lt_tests_key ON lt_tests (actor, class, d0, d1, seq);
CREATE INDEX lt_tests_seq ON lt_tests (seq);
-- alliances: one row per alliance-level event (member NULL: formed 0, dissolved 3) and one
-- per member of a membership event (formed 0, joined 1, left 2).
CREATE TABLE lt_alliances (alliance TEXT NOT NULL, member TEXT, kind INTEGER NOT NULL,
    type TEXT, d0 INTEGER NOT NULL, d1 INTEGER NOT NULL, seq INTEGER NOT NULL,
    date TEXT NOT NULL, kf INTEGER NOT NULL, kt INTEGER NOT NULL);
CREATE INDEX lt_alliances_key ON lt_alliances (alliance, member, d0, d1, seq);
CREATE INDEX lt_alliances_seq ON lt_alliances (seq);
";

const TABLES: [&str; 5] = [
    "lt_deployments",
    "lt_leaders",
    "lt_arms",
    "lt_tests",
    "lt_alliances",
];

/// The table a version's kind goes to, if any.
fn table_of(kind: &Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Deployment { .. } | Kind::Withdrawal { .. } => "lt_deployments",
        Kind::LeaderTookOffice { .. } | Kind::LeaderLeftOffice { .. } => "lt_leaders",
        Kind::ArmsTransfer { .. } => "lt_arms",
        Kind::MissileTest { .. } | Kind::NuclearTest { .. } => "lt_tests",
        Kind::AllianceFormed { .. }
        | Kind::AllianceJoined { .. }
        | Kind::AllianceLeft { .. }
        | Kind::AllianceDissolved { .. } => "lt_alliances",
        _ => return None,
    })
}

fn insert(tx: &Connection, e: &Eff, kf: i64) -> Result<()> {
    let (d0, d1, seq, date) = (e.d0, e.d1, e.seq as i64, e.date.to_string());
    let common = |sql: &str, head: &[&dyn rusqlite::ToSql]| -> Result<()> {
        let mut p: Vec<&dyn rusqlite::ToSql> = head.to_vec();
        p.extend([&d0 as &dyn rusqlite::ToSql, &d1, &seq, &date, &kf, &OPEN]);
        tx.prepare_cached(sql)?.execute(&p[..])?;
        Ok(())
    };
    const DEP: &str =
        "INSERT INTO lt_deployments VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    const LEAD: &str = "INSERT INTO lt_leaders VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    const AL: &str = "INSERT INTO lt_alliances VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    let none: Option<String> = None;
    match &e.content.kind {
        Kind::Deployment {
            actor,
            host,
            region,
            strength,
        } => {
            let s = *strength as i64;
            common(DEP, &[&actor.as_str(), &host.as_str(), region, &0, &s])
        }
        Kind::Withdrawal {
            actor,
            host,
            region,
        } => common(DEP, &[&actor.as_str(), &host.as_str(), region, &1, &none]),
        Kind::LeaderTookOffice {
            actor,
            office,
            person,
            ..
        } => common(LEAD, &[&actor.as_str(), office, &0, person]),
        Kind::LeaderLeftOffice {
            actor,
            office,
            person,
            ..
        } => common(LEAD, &[&actor.as_str(), office, &1, person]),
        Kind::ArmsTransfer {
            supplier,
            recipient,
            item,
            quantity,
            unit,
            ..
        } => {
            // The workload always gives a quantity (SIPRI-style fields are not compared).
            let q = quantity.unwrap_or(0) as i64;
            common(
                "INSERT INTO lt_arms VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &[&supplier.as_str(), &recipient.as_str(), item, unit, &q],
            )
        }
        Kind::MissileTest {
            actor,
            class,
            count,
        } => {
            let c = *count as i64;
            common(
                "INSERT INTO lt_tests VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[&actor.as_str(), class, &c],
            )
        }
        Kind::NuclearTest { actor } => common(
            "INSERT INTO lt_tests VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &[&actor.as_str(), &"nuclear", &1],
        ),
        Kind::AllianceFormed {
            alliance,
            alliance_type,
            members,
            ..
        } => {
            let t = alliance_type.as_str();
            common(AL, &[&alliance.as_str(), &none, &0, &t])?;
            for m in members {
                common(AL, &[&alliance.as_str(), &m.as_str(), &0, &none])?;
            }
            Ok(())
        }
        Kind::AllianceJoined {
            alliance, members, ..
        }
        | Kind::AllianceLeft { alliance, members } => {
            let kind = if matches!(e.content.kind, Kind::AllianceJoined { .. }) {
                1
            } else {
                2
            };
            for m in members {
                common(AL, &[&alliance.as_str(), &m.as_str(), &kind, &none])?;
            }
            Ok(())
        }
        Kind::AllianceDissolved { alliance } => common(AL, &[&alliance.as_str(), &none, &3, &none]),
        _ => Ok(()),
    }
}

impl Derived for Latest {
    fn schema(&self) -> &'static str {
        SCHEMA
    }

    fn apply(&mut self, tx: &Connection, seq: u64, changes: Vec<Change>) -> Result<()> {
        for change in changes {
            match change {
                Change::Opened(e) => insert(tx, &e, seq as i64)?,
                Change::Closed(e) => {
                    if let Some(table) = table_of(&e.content.kind) {
                        let sql = format!("UPDATE {table} SET kt = ?1 WHERE seq = ?2 AND kt = ?3");
                        tx.prepare_cached(&sql)?.execute(params![
                            seq as i64,
                            e.seq as i64,
                            OPEN
                        ])?;
                    }
                }
            }
        }
        Ok(())
    }

    fn reset(&mut self, conn: &Connection) -> Result<()> {
        for t in TABLES {
            conn.execute_batch(&format!("DELETE FROM {t}"))?;
        }
        Ok(())
    }

    fn answer(&mut self, conn: &Connection, q: &Query) -> Result<Answer> {
        let k = q.known_through.min(i64::MAX as u64 - 1) as i64;
        let d = i64::from(q.day.0);
        match q.view {
            "deployments" => deployments(conn, k, d),
            "leaders" => leaders(conn, k, d),
            "arms" => arms(conn, k, d),
            "tests" => tests(conn, k, d),
            _ => alliances(conn, k, d),
        }
    }
}

/// Row exists when the latest event per key is a deployment; `since` is the first
/// deployment after the last withdrawal (a withdrawal ends a group: `grp` counts the
/// withdrawals strictly before each row).
const DEPLOYMENTS: &str = "
WITH v AS (SELECT * FROM lt_deployments WHERE d0 <= ?2 AND kf <= ?1 AND kt > ?1),
g AS (SELECT *, SUM(kind) OVER (PARTITION BY actor, host, region ORDER BY d0, d1, seq
        ROWS UNBOUNDED PRECEDING) - kind AS grp FROM v),
h AS (SELECT *, FIRST_VALUE(date) OVER w AS since, FIRST_VALUE(d1) OVER w AS since_d1,
        ROW_NUMBER() OVER (PARTITION BY actor, host, region ORDER BY d0 DESC, d1 DESC, seq DESC) AS rn
      FROM g WINDOW w AS (PARTITION BY actor, host, region, grp ORDER BY d0, d1, seq))
SELECT actor, host, region, strength, since, date, MAX(since_d1, d1) FROM h
WHERE rn = 1 AND kind = 0 ORDER BY actor, host, region";

fn deployments(conn: &Connection, k: i64, d: i64) -> Result<Answer> {
    let mut stmt = conn.prepare_cached(DEPLOYMENTS)?;
    let rows = stmt
        .query_map(params![k, d], |r| {
            Ok(DeploymentRow {
                actor: r.get(0)?,
                host: r.get(1)?,
                region: r.get(2)?,
                strength: r.get::<_, i64>(3)? as u64,
                since: r.get(4)?,
                reported: r.get(5)?,
                // Pending imprecise withdrawals are not modelled in SQL (see README).
                withdrawing: None,
                certain: r.get::<_, i64>(6)? <= d,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Box::new(rows))
}

/// The holder is the latest `took_office`; a later `left_office` removes them unless it
/// names another person (the lenient rule: such a leave is ignored).
const LEADERS: &str = "
WITH v AS (SELECT * FROM lt_leaders WHERE d0 <= ?2 AND kf <= ?1 AND kt > ?1),
t AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY actor, office ORDER BY d0 DESC, d1 DESC, seq DESC) AS rn
      FROM v WHERE kind = 0)
SELECT actor, office, person, date, d1 FROM t
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM v AS l WHERE l.kind = 1 AND l.actor = t.actor
    AND l.office = t.office AND (l.d0, l.d1, l.seq) > (t.d0, t.d1, t.seq)
    AND (l.person IS NULL OR l.person = t.person))
ORDER BY actor, office";

fn leaders(conn: &Connection, k: i64, d: i64) -> Result<Answer> {
    let mut stmt = conn.prepare_cached(LEADERS)?;
    let rows = stmt
        .query_map(params![k, d], |r| {
            Ok(LeaderRow {
                actor: r.get(0)?,
                office: r.get(1)?,
                person: r.get(2)?,
                since: r.get(3)?,
                // Pending imprecise departures are not modelled in SQL (see README).
                until: None,
                certain: r.get::<_, i64>(4)? <= d,
                entry: None,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Box::new(rows))
}

/// Cumulative per key: `SUM`, `COUNT`, the first and last date in timeline order.
const ARMS: &str = "
WITH v AS (SELECT * FROM lt_arms WHERE d0 <= ?2 AND kf <= ?1 AND kt > ?1),
w AS (SELECT *,
        ROW_NUMBER() OVER (PARTITION BY supplier, recipient, item, unit ORDER BY d0, d1, seq) AS a,
        ROW_NUMBER() OVER (PARTITION BY supplier, recipient, item, unit ORDER BY d0 DESC, d1 DESC, seq DESC) AS b
      FROM v)
SELECT supplier, recipient, item, unit, SUM(quantity), COUNT(*),
    MAX(CASE WHEN a = 1 THEN date END), MAX(CASE WHEN b = 1 THEN date END), MAX(d1)
FROM w GROUP BY supplier, recipient, item, unit ORDER BY supplier, recipient, item, unit";

fn arms(conn: &Connection, k: i64, d: i64) -> Result<Answer> {
    let mut stmt = conn.prepare_cached(ARMS)?;
    let rows = stmt
        .query_map(params![k, d], |r| {
            Ok(ArmsRow {
                supplier: r.get(0)?,
                recipient: r.get(1)?,
                item: r.get(2)?,
                unit: r.get(3)?,
                quantity: r.get::<_, i64>(4)? as u64,
                transfers: r.get::<_, i64>(5)? as u64,
                first: r.get(6)?,
                last: r.get(7)?,
                certain: r.get::<_, i64>(8)? <= d,
                unknown_quantity: None,
                delivered: None,
                tiv_order: None,
                tiv_delivered: None,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Box::new(rows))
}

const TESTS: &str = "
WITH v AS (SELECT * FROM lt_tests WHERE d0 <= ?2 AND kf <= ?1 AND kt > ?1),
w AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY actor, class ORDER BY d0 DESC, d1 DESC, seq DESC) AS b
      FROM v)
SELECT actor, class, SUM(count), MAX(CASE WHEN b = 1 THEN date END), MAX(d1)
FROM w GROUP BY actor, class ORDER BY actor, class";

fn tests(conn: &Connection, k: i64, d: i64) -> Result<Answer> {
    let mut stmt = conn.prepare_cached(TESTS)?;
    let rows = stmt
        .query_map(params![k, d], |r| {
            Ok(TestRow {
                actor: r.get(0)?,
                class: r.get(1)?,
                count: r.get::<_, i64>(2)? as u64,
                last: r.get(3)?,
                certain: r.get::<_, i64>(4)? <= d,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Box::new(rows))
}

/// An alliance exists when its latest alliance-level event is `formed` (re-forming
/// replaces it; dissolving removes it). Its members are the member rows from that
/// `formed` on: a member is in when its latest row is not a leave, joined at the first
/// row after its last leave (joining twice keeps the first date).
const ALLIANCES: &str = "
WITH v AS (SELECT * FROM lt_alliances WHERE d0 <= ?2 AND kf <= ?1 AND kt > ?1),
f AS (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY alliance ORDER BY d0 DESC, d1 DESC, seq DESC) AS rn
        FROM v WHERE member IS NULL) WHERE rn = 1 AND kind = 0),
m AS (SELECT v.* FROM v JOIN f ON v.alliance = f.alliance
      WHERE v.member IS NOT NULL AND (v.d0, v.d1, v.seq) >= (f.d0, f.d1, f.seq)),
g AS (SELECT *, SUM(kind = 2) OVER (PARTITION BY alliance, member ORDER BY d0, d1, seq
        ROWS UNBOUNDED PRECEDING) - (kind = 2) AS grp FROM m),
h AS (SELECT *, FIRST_VALUE(date) OVER w AS jdate, FIRST_VALUE(d1) OVER w AS jd1,
        ROW_NUMBER() OVER (PARTITION BY alliance, member ORDER BY d0 DESC, d1 DESC, seq DESC) AS rn
      FROM g WINDOW w AS (PARTITION BY alliance, member, grp ORDER BY d0, d1, seq))
SELECT f.alliance, f.type, f.date, f.d1, h.member, h.jdate, h.jd1
FROM f LEFT JOIN h ON h.alliance = f.alliance AND h.rn = 1 AND h.kind <> 2
ORDER BY f.alliance, h.member";

type AllianceLine = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn alliances(conn: &Connection, k: i64, d: i64) -> Result<Answer> {
    let mut stmt = conn.prepare_cached(ALLIANCES)?;
    let lines = stmt
        .query_map(params![k, d], |r| -> rusqlite::Result<AllianceLine> {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut rows: Vec<(AllianceRow, i64)> = Vec::new();
    for (alliance, kind, since, since_d1, member, joined, joined_d1) in lines {
        if rows.last().is_none_or(|(r, _)| r.alliance != alliance) {
            let row = AllianceRow {
                alliance,
                alliance_type: kind,
                since,
                members: Vec::new(),
                joined: BTreeMap::new(),
                // Pending imprecise endings are not modelled in SQL (see README).
                leaving: BTreeMap::new(),
                dissolving: None,
                certain: false,
                name: None,
                signed: None,
                obligations: BTreeMap::new(),
            };
            rows.push((row, since_d1));
        }
        let Some((row, latest)) = rows.last_mut() else {
            unreachable!()
        };
        if let (Some(m), Some(j), Some(jd1)) = (member, joined, joined_d1) {
            row.members.push(m.clone());
            row.obligations
                .insert(m.clone(), obligations_of_type(&row.alliance_type));
            row.joined.insert(m, j);
            *latest = (*latest).max(jd1);
        }
    }
    let rows: Vec<AllianceRow> = rows
        .into_iter()
        .map(|(mut row, latest)| {
            row.certain = latest <= d;
            row
        })
        .collect();
    Ok(Box::new(rows))
}

/// The obligations annals gives a member whose event names none: its alliance type's.
fn obligations_of_type(name: &str) -> Vec<String> {
    AllianceType::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| annals::views::default_obligations(*t))
        .unwrap_or_default()
}
