//! A database of its own for each PostgreSQL test, on the server `$ANNALS_TEST_POSTGRES`
//! names (`.ci/postgres start` prints it). Included by the PostgreSQL test files.
#![allow(dead_code)]

use annals::storage::{self, Engine, EngineOptions};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ENV: &str = "ANNALS_TEST_POSTGRES";

/// A database of its own for one test, dropped with it.
pub struct TestDb {
    pub admin: String,
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A fresh database, or `None` (after a notice) when no server is configured.
    pub fn new(test: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var(ENV) else {
            eprintln!("NOTICE: {test} skipped: {ENV} is not set (see .ci/postgres)");
            return None;
        };
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "annals_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let (base, _) = admin.rsplit_once('/').expect("a URL ending in /dbname");
        let url = format!("{base}/{name}");
        let db = TestDb { admin, name, url };
        db.sql(&format!("CREATE DATABASE {}", db.name));
        Some(db)
    }

    /// Run `sql` on the admin database.
    pub fn sql(&self, sql: &str) {
        let mut client = postgres::Client::connect(&self.admin, postgres::NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    }

    /// Run `sql` on this test's database.
    pub fn sql_here(&self, sql: &str) {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    }

    /// The first column of the first row `sql` returns on this test's database, as text.
    pub fn query_here(&self, sql: &str) -> Option<String> {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        let row = client.query_opt(sql, &[]).unwrap()?;
        row.get(0)
    }

    pub fn path(&self) -> &Path {
        Path::new(&self.url)
    }

    pub fn engine(&self) -> Box<dyn Engine> {
        storage::open_url(&self.url, true, &EngineOptions::default()).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = postgres::Client::connect(&self.admin, postgres::NoTls).and_then(|mut c| {
            c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
        });
    }
}
