//! The PostgreSQL engine behind the storage seam, through the synchronous `postgres` crate
//! (no TLS). This is the only file that names a `postgres` type.
//!
//! Owns: the connection of one store handle (which also holds its writer lock), the
//! listening connection of its subscriptions, the table `annals_kv`, and the database's writer lock
//! (`schema/storage.md` §2.3).
//!
//! Layout: one table, `annals_kv (key bytea PRIMARY KEY, value bytea NOT NULL)`, in the
//! connection's current schema, holding every keyspace under its one-byte key prefix
//! (`format/keys.rs`), byte for byte as redb's and sled's single trees do. `bytea` compares
//! as unsigned bytes, lexicographically, with a shorter prefix first: the order the
//! [`Engine`] contract asks for. The table is created (in a transaction) at the first open
//! that may create a store; an open that may not and finds no table is refused.
//!
//! Many handles at once ([`Engine::shared`]): any number of processes, on any number of
//! machines, open one store. Writers exclude each other with the session advisory lock
//! `LOCK_KEY` ([`Engine::lock_writer`]: `pg_advisory_lock` on the session that writes,
//! under `lock_timeout` = the store's wait, then [`Error::InUse`] naming the holder's pid
//! from its `application_name`); the server releases it when the holder's session ends,
//! also when its process is killed. The head record is committed by
//! `SELECT value … FOR UPDATE` on the head row and a comparison in the same transaction
//! ([`Engine::write_durable_if`]), which also sends `NOTIFY annals_commit`; subscriptions
//! `LISTEN` on a second connection ([`Engine::wait_for_commit`]), so they wake without
//! polling.
//!
//! Mapping of the contract: `get` is one `SELECT`; scans page through
//! `key >= $1 AND key < $2 ORDER BY key [DESC] LIMIT 512`, continuing after the last key
//! of the page, so a full scan never holds more than a page; `write` is one transaction
//! of chunked multi-row upserts (`INSERT … SELECT unnest(…) ON CONFLICT (key) DO UPDATE`)
//! and one `DELETE … = ANY(…)`; the session runs with `synchronous_commit = on`, so a
//! commit is durable when it returns, `flush` has nothing left to do and `write_durable`
//! is `write`.
//!
//! Invariants: `postgres` errors never escape as `postgres` types; a URL is shown only
//! with its password removed ([`super::redact_url`]); each client is reached only under
//! its own mutex, taken with [`lock_leaf`] and never held across a call into another lock
//! (nor while waiting for the writer lock: each try takes the mutex anew).
//!
//! May import: `crate::error`, `crate::locks`, and the seam (`super`).

use super::{Batch, Engine, EngineOptions, KeyIter, Pair, PairIter};
use crate::error::{Error, Result};
use crate::locks::lock_leaf;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls, Statement};
use std::collections::{BTreeMap, VecDeque};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The writer lock's advisory key: the bytes of "annals" followed by two zero bytes,
/// big-endian.
pub(crate) const LOCK_KEY: i64 = i64::from_be_bytes(*b"annals\0\0");

/// Rows per page of a scan.
const PAGE_ROWS: i64 = 512;

/// Rows per upsert statement of a write.
const UPSERT_ROWS: usize = 1_000;

/// The table every keyspace lives in.
const CREATE_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS annals_kv (key bytea PRIMARY KEY, value bytea NOT NULL)";

const UPSERT: &str = "INSERT INTO annals_kv (key, value) \
     SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value";

const DELETE: &str = "DELETE FROM annals_kv WHERE key = ANY($1::bytea[])";

/// The channel a commit of the head notifies and subscriptions listen on.
const CHANNEL: &str = "annals_commit";

/// The prepared statements of one connection.
struct Conn {
    client: Client,
    get: Statement,
    scan: Statement,
    scan_rev: Statement,
    keys_rev: Statement,
}

pub(crate) struct PostgresEngine {
    conn: Mutex<Conn>,
    /// The connection subscriptions wait on (`LISTEN annals_commit`), made at the first
    /// wait.
    listener: Mutex<Option<Client>>,
    config: Config,
    /// The URL without its password, for messages.
    shown: String,
    /// The schema of a temporary store, dropped with the engine.
    temporary: Option<String>,
    /// The writer lock's key: [`LOCK_KEY`], or for a temporary store one of its own (its
    /// schema's number in the low 16 bits), so that throwaway stores do not queue behind
    /// each other.
    lock_key: i64,
}

impl Drop for PostgresEngine {
    fn drop(&mut self) {
        if let Some(schema) = &self.temporary {
            let conn = self.conn.get_mut().unwrap_or_else(|e| e.into_inner());
            // Best effort: a schema left behind holds only a throwaway store.
            let _ = conn
                .client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

fn storage_error(e: postgres::Error) -> Error {
    Error::Storage {
        message: describe(&e),
        source: Some(Box::new(e)),
    }
}

/// The error and its causes in one line: `postgres::Error` alone says only "db error" for
/// what the server reported.
fn describe(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl PostgresEngine {
    /// Connect to `url` and make sure the table exists (creating it only when `create`).
    pub(crate) fn open(url: &str, create: bool, _options: &EngineOptions) -> Result<Self> {
        let shown = super::redact_url(url);
        let mut config = Config::from_str(url).map_err(|e| Error::Open {
            path: shown.clone(),
            reason: describe(&e),
        })?;
        config.application_name(&format!("annals-{}", std::process::id()));
        PostgresEngine::open_config(config, shown, create)
    }

    fn open_config(config: Config, shown: String, create: bool) -> Result<Self> {
        let open_error = |reason: String| Error::Open {
            path: shown.clone(),
            reason,
        };
        let mut client = connect(&config).map_err(|e| open_error(describe(&e)))?;
        ensure_table(&mut client, create)
            .map_err(|e| open_error(describe(&e)))?
            .then_some(())
            .ok_or_else(|| {
                open_error("that PostgreSQL database holds no annals store (no table annals_kv); create one with `annals import FILE` or `annals --db URL append JSON`".into())
            })?;
        let conn = Conn::prepare(client).map_err(|e| open_error(describe(&e)))?;
        Ok(PostgresEngine {
            conn: Mutex::new(conn),
            listener: Mutex::new(None),
            config,
            shown,
            temporary: None,
            lock_key: LOCK_KEY,
        })
    }

    /// A store that lives as long as the engine: a fresh schema `annals_tmp_<pid>_<n>` in
    /// the database at `url`, first on the connections' `search_path`, dropped with
    /// everything in it when the engine drops.
    pub(crate) fn temporary(url: &str, _options: &EngineOptions) -> Result<Self> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let schema = format!("annals_tmp_{}_{n}", std::process::id());
        let shown = super::redact_url(url);
        let mut config = Config::from_str(url).map_err(storage_error)?;
        config.application_name(&format!("annals-{}", std::process::id()));
        connect(&config)
            .and_then(|mut c| c.batch_execute(&format!("CREATE SCHEMA {schema}")))
            .map_err(storage_error)?;
        config.options(&format!("-csearch_path={schema}"));
        let mut engine = PostgresEngine::open_config(config, shown, true)?;
        engine.temporary = Some(schema);
        engine.lock_key = LOCK_KEY + 1 + (n % 0xfffe) as i64;
        Ok(engine)
    }

    /// Write `batch` in one transaction — when `check` is given, only if the row under its
    /// key holds the expected value (locked with `FOR UPDATE` until the commit), notifying
    /// subscriptions. Returns whether it was written.
    fn transact(&self, batch: Batch, check: Option<(&[u8], Option<&[u8]>)>) -> Result<bool> {
        let Folded {
            keys,
            values,
            deletes,
        } = fold(batch);
        let mut conn = lock_leaf(&self.conn);
        let mut txn = conn.client.transaction().map_err(storage_error)?;
        if let Some((key, expected)) = check {
            // One round trip: lock and read the row, and queue the notification (sent
            // only if this transaction commits).
            let row = txn
                .query_one(
                    "SELECT (SELECT value FROM annals_kv WHERE key = $1 FOR UPDATE), pg_notify($2, '')::text",
                    &[&key, &CHANNEL],
                )
                .map_err(storage_error)?;
            let found: Option<Vec<u8>> = row.try_get(0).map_err(storage_error)?;
            if found.as_deref() != expected {
                return Ok(false); // the transaction rolls back when dropped
            }
        }
        for (k, v) in keys.chunks(UPSERT_ROWS).zip(values.chunks(UPSERT_ROWS)) {
            txn.execute(UPSERT, &[&k, &v]).map_err(storage_error)?;
        }
        if !deletes.is_empty() {
            txn.execute(DELETE, &[&deletes]).map_err(storage_error)?;
        }
        txn.commit().map_err(storage_error)?;
        Ok(true)
    }

    /// One page of a scan: up to [`PAGE_ROWS`] pairs (or keys, with empty values) with
    /// `start <= key < end`, in the direction `which` sorts.
    fn page(&self, which: Page, start: &[u8], end: &[u8]) -> Result<Vec<Pair>> {
        let mut conn = lock_leaf(&self.conn);
        let Conn {
            client,
            scan,
            scan_rev,
            keys_rev,
            ..
        } = &mut *conn;
        let statement = match which {
            Page::Forward => scan,
            Page::Reverse => scan_rev,
            Page::KeysReverse => keys_rev,
        };
        let rows = client
            .query(&*statement, &[&start, &end, &PAGE_ROWS])
            .map_err(storage_error)?;
        rows.iter()
            .map(|row| {
                let key: Vec<u8> = row.try_get(0).map_err(storage_error)?;
                let value: Vec<u8> = match which {
                    Page::KeysReverse => Vec::new(),
                    _ => row.try_get(1).map_err(storage_error)?,
                };
                Ok((key, value))
            })
            .collect()
    }

    fn pages(&self, which: Page, start: &[u8], end: &[u8]) -> Pages<'_> {
        Pages {
            engine: self,
            which,
            start: start.to_vec(),
            end: end.to_vec(),
            buffer: VecDeque::new(),
            done: start >= end,
        }
    }
}

impl Conn {
    fn prepare(mut client: Client) -> std::result::Result<Conn, postgres::Error> {
        let get = client.prepare("SELECT value FROM annals_kv WHERE key = $1")?;
        let scan = client.prepare(
            "SELECT key, value FROM annals_kv WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3",
        )?;
        let scan_rev = client.prepare(
            "SELECT key, value FROM annals_kv WHERE key >= $1 AND key < $2 ORDER BY key DESC LIMIT $3",
        )?;
        let keys_rev = client.prepare(
            "SELECT key FROM annals_kv WHERE key >= $1 AND key < $2 ORDER BY key DESC LIMIT $3",
        )?;
        Ok(Conn {
            client,
            get,
            scan,
            scan_rev,
            keys_rev,
        })
    }
}

/// Wait up to `wait` in `pg_advisory_lock`; `false` when the wait ran out.
fn wait_lock(client: &mut Client, key: i64, wait: Duration) -> Result<bool> {
    let ms = wait.as_millis().clamp(1, i32::MAX as u128).to_string();
    // One round trip: the timeout is set for this transaction only.
    let sql =
        "SELECT pg_advisory_lock($1)::text FROM (SELECT set_config('lock_timeout', $2, true)) AS t";
    match client.query_one(sql, &[&key, &ms]) {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => Ok(false),
        Err(e) => Err(storage_error(e)),
    }
}

/// A connection whose commits are durable when they return.
fn connect(config: &Config) -> std::result::Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute("SET synchronous_commit = on")?;
    Ok(client)
}

/// Take the writer lock on this session; `false` when another session holds it.
fn take_lock(client: &mut Client, key: i64) -> std::result::Result<bool, postgres::Error> {
    let row = client.query_one("SELECT pg_try_advisory_lock($1)", &[&key])?;
    row.try_get(0)
}

/// The pid of the annals process holding the lock, from its session's `application_name`
/// (`annals-<pid>`), when the server shows it (best effort).
fn lock_holder(client: &mut Client, key: i64) -> Option<u32> {
    // A bigint advisory key shows in pg_locks as classid (high half) and objid (low half).
    let high = (key >> 32) as u32;
    let low = (key & 0xffff_ffff) as u32;
    let row = client
        .query_opt(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 \
             AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             LIMIT 1",
            &[&high, &low],
        )
        .ok()??;
    let name: String = row.try_get(0).ok()?;
    name.strip_prefix("annals-")?.parse().ok()
}

/// Make sure `annals_kv` exists, creating it when `create`; whether it exists now.
fn ensure_table(client: &mut Client, create: bool) -> std::result::Result<bool, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('annals_kv') IS NOT NULL", &[])?
        .try_get(0)?;
    if exists || !create {
        return Ok(exists);
    }
    let mut txn = client.transaction()?;
    txn.batch_execute(CREATE_TABLE)?;
    txn.commit()?;
    Ok(true)
}

#[derive(Clone, Copy)]
enum Page {
    Forward,
    Reverse,
    KeysReverse,
}

/// A scan, one page at a time: after a page, the range shrinks past its last key.
struct Pages<'a> {
    engine: &'a PostgresEngine,
    which: Page,
    start: Vec<u8>,
    end: Vec<u8>,
    buffer: VecDeque<Pair>,
    done: bool,
}

impl Pages<'_> {
    /// Read the next page into the buffer, narrowing the range past it.
    fn refill(&mut self) -> Result<()> {
        let page = self.engine.page(self.which, &self.start, &self.end)?;
        if page.len() < PAGE_ROWS as usize {
            self.done = true;
        }
        if let Some((last, _)) = page.last() {
            match self.which {
                // The least key greater than `last` is `last` followed by a zero byte.
                Page::Forward => {
                    self.start = last.clone();
                    self.start.push(0);
                }
                Page::Reverse | Page::KeysReverse => self.end = last.clone(),
            }
        }
        self.buffer.extend(page);
        Ok(())
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Pair>;

    fn next(&mut self) -> Option<Result<Pair>> {
        if self.buffer.is_empty() && !self.done {
            if let Err(e) = self.refill() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.buffer.pop_front().map(Ok)
    }
}

/// A batch with later writes to a key winning (one statement may not touch a row twice):
/// the puts as parallel arrays of keys and values, and the deletes, each in key order.
#[derive(Default)]
struct Folded {
    keys: Vec<Vec<u8>>,
    values: Vec<Vec<u8>>,
    deletes: Vec<Vec<u8>>,
}

fn fold(batch: Batch) -> Folded {
    let last: BTreeMap<Vec<u8>, Option<Vec<u8>>> = batch.writes.into_iter().collect();
    let mut folded = Folded::default();
    for (key, value) in last {
        match value {
            Some(value) => {
                folded.keys.push(key);
                folded.values.push(value);
            }
            None => folded.deletes.push(key),
        }
    }
    folded
}

impl Engine for PostgresEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut conn = lock_leaf(&self.conn);
        let Conn { client, get, .. } = &mut *conn;
        let row = client.query_opt(&*get, &[&key]).map_err(storage_error)?;
        row.map(|r| r.try_get(0).map_err(storage_error)).transpose()
    }

    /// One `SELECT … WHERE key = ANY($1)` per 1,000 keys.
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut found: std::collections::HashMap<Vec<u8>, Vec<u8>> = Default::default();
        let mut conn = lock_leaf(&self.conn);
        for chunk in keys.chunks(UPSERT_ROWS) {
            let rows = conn
                .client
                .query(
                    "SELECT key, value FROM annals_kv WHERE key = ANY($1::bytea[])",
                    &[&chunk],
                )
                .map_err(storage_error)?;
            for row in rows {
                let key: Vec<u8> = row.try_get(0).map_err(storage_error)?;
                found.insert(key, row.try_get(1).map_err(storage_error)?);
            }
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    fn scan(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        Box::new(self.pages(Page::Forward, start, end))
    }

    fn scan_rev(&self, start: &[u8], end: &[u8]) -> PairIter<'_> {
        Box::new(self.pages(Page::Reverse, start, end))
    }

    fn keys_rev(&self, start: &[u8], end: &[u8]) -> KeyIter<'_> {
        Box::new(
            self.pages(Page::KeysReverse, start, end)
                .map(|item| item.map(|(key, _)| key)),
        )
    }

    /// One transaction: the upserts in chunks of [`UPSERT_ROWS`] rows, then the deletes.
    fn write(&self, batch: Batch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.transact(batch, None).map(|_| ())
    }

    /// One transaction that first locks the row under `key` (`SELECT … FOR UPDATE`) and
    /// compares it, then writes as [`Engine::write`] does and notifies subscriptions.
    fn write_durable_if(&self, batch: Batch, key: &[u8], expected: Option<&[u8]>) -> Result<bool> {
        self.transact(batch, Some((key, expected)))
    }

    fn shared(&self) -> bool {
        true
    }

    /// `pg_advisory_lock` on the handle's own connection, with `lock_timeout` set to
    /// `wait`: the server queues waiters and wakes the next one the moment the lock is
    /// free. Zero `wait` tries once (`pg_try_advisory_lock`).
    ///
    /// The lock must belong to the session that writes: a server releases a dead
    /// session's locks only after that session's last transaction has committed or
    /// aborted, so no other writer can read the head while a killed writer's commit is
    /// still in flight (a lock held by a second connection was released first, and a
    /// writer killed mid-commit let another number the same seq: found by
    /// `tests/postgres_many.rs`). The price: this handle's other threads wait for the
    /// connection while it waits for the lock.
    fn lock_writer(&self, wait: Duration) -> Result<()> {
        let started = Instant::now();
        let mut conn = lock_leaf(&self.conn);
        let client = &mut conn.client;
        let taken = if wait.is_zero() {
            take_lock(client, self.lock_key).map_err(storage_error)?
        } else {
            wait_lock(client, self.lock_key, wait)?
        };
        if taken {
            return Ok(());
        }
        Err(Error::InUse {
            path: format!("{} (its writer lock)", self.shown),
            holder: lock_holder(client, self.lock_key),
            waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    fn unlock_writer(&self) -> Result<()> {
        let mut conn = lock_leaf(&self.conn);
        conn.client
            .query_one("SELECT pg_advisory_unlock($1)", &[&self.lock_key])
            .map(|_| ())
            .map_err(storage_error)
    }

    /// Wait on the listening connection (made, with `LISTEN`, at the first call: the first
    /// call returns at once, since commits before it were not listened for).
    fn wait_for_commit(&self, timeout: Duration) -> Result<bool> {
        let mut listener = lock_leaf(&self.listener);
        let client = match &mut *listener {
            Some(client) => client,
            None => {
                let mut client = connect(&self.config).map_err(storage_error)?;
                client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map_err(storage_error)?;
                *listener = Some(client);
                return Ok(false);
            }
        };
        let mut notifications = client.notifications();
        let woken = notifications
            .timeout_iter(timeout)
            .next()
            .map_err(storage_error)?
            .is_some();
        // Drain what else arrived: one wake-up covers every commit so far.
        while notifications
            .iter()
            .next()
            .map_err(storage_error)?
            .is_some()
        {}
        Ok(woken)
    }

    /// Every commit is durable when it returns (`synchronous_commit = on`).
    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn write_durable(&self, batch: Batch) -> Result<()> {
        self.write(batch)
    }

    /// A probe costs a round trip: about 100 µs on loopback, where a scan reads a row
    /// version in about 2.4 µs, so a probe costs about 40 scanned rows, 10 times the
    /// embedded engines' 4. Measured at 100k events (`examples/compare`, 2026-12-02): as-of
    /// leaders (9.6 versions per key) 60.7 ms by probes, 12.9 ms by one scan; alliances (98
    /// per key) 12.3 ms by probes, 17.6 ms by a scan; deployments (6 per key, but most keys
    /// absent at a given day) 34 ms by probes, 47 ms by a scan.
    fn probe_cost_factor(&self) -> u64 {
        10
    }

    fn size_on_disk(&self) -> Result<u64> {
        let mut conn = lock_leaf(&self.conn);
        let row = conn
            .client
            .query_one("SELECT pg_total_relation_size('annals_kv')::bigint", &[])
            .map_err(storage_error)?;
        let bytes: i64 = row.try_get(0).map_err(storage_error)?;
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    /// A commit costs one WAL flush and a round trip, so batches amortise it as on redb;
    /// the batch travels as array parameters (1,000 rows per statement), a few MB per
    /// 5,000 events. Measured (2026-12-01, 2-core machine, local PostgreSQL 15, debug
    /// build, 20,000 generated events through `annals import`, the ignored test
    /// `import_throughput_against_redb`): 1,000 per batch 20.5 s; 5,000, 17.8 s; 20,000,
    /// 17.2 s (redb: 6.8 s). The batch size is not what costs: the reads an import makes
    /// (one round trip each) are.
    fn batch_events(&self) -> usize {
        5_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_key_is_the_one_documented() {
        // schema/storage.md §2.3 names this number; changing it lets two annals versions
        // hold one store at once.
        assert_eq!(LOCK_KEY, 7_020_670_233_827_540_992);
        assert_eq!(LOCK_KEY, 0x616e_6e61_6c73_0000);
    }

    #[test]
    fn a_batch_folds_to_its_last_write_per_key() {
        let mut batch = Batch::new();
        batch.put(b"b".to_vec(), b"1".to_vec());
        batch.delete(b"a".to_vec());
        batch.put(b"a".to_vec(), b"2".to_vec());
        batch.put(b"c".to_vec(), b"3".to_vec());
        batch.delete(b"c".to_vec());
        let folded = fold(batch);
        assert_eq!(folded.keys, vec![b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(folded.values, vec![b"2".to_vec(), b"1".to_vec()]);
        assert_eq!(folded.deletes, vec![b"c".to_vec()]);
    }
}
