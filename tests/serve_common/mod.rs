//! What the explorer's tests share: the sample database, `annals serve` started on a free
//! loopback port (the port read from the line it prints), and a small HTTP client.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// The `annals` binary under test (or `$ANNALS_BIN`, e.g. a release build to measure).
pub fn annals_bin() -> PathBuf {
    std::env::var_os("ANNALS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("annals"))
}

/// The sample database, imported once per test binary under `CARGO_TARGET_TMPDIR`
/// (`name` tells the binaries apart); tests read it with `--read-only` or copy it.
pub fn sample_template(name: &str) -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        import_sample(&dir.join("db"))
    })
}

/// A copy of the sample database in `dir` (one server per database: on sled an open is
/// exclusive, even read-only).
pub fn sample_copy(template: &Path, dir: &tempfile::TempDir) -> PathBuf {
    let db = dir.path().join("db");
    copy_dir(template, &db);
    db
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A database with the sample timeline at `db`, imported with its recorded times.
pub fn import_sample(db: &Path) -> PathBuf {
    let out = Command::new(annals_bin())
        .env_remove("ANNALS_DB")
        .arg("--db")
        .arg(db)
        .args([
            "import",
            "schema/examples/sample_timeline.jsonl",
            "--keep-recorded",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db.to_path_buf()
}

/// A server on its own copy of the sample database.
pub struct Sample {
    pub server: Server,
    /// The database served.
    pub db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sample {
    /// Copy the template of this test binary and serve the copy with `args`.
    pub fn serve(template: &Path, args: &[&str]) -> Sample {
        let dir = tempfile::tempdir().unwrap();
        let db = sample_copy(template, &dir);
        Sample {
            server: Server::start_with(&db, args),
            db,
            _dir: dir,
        }
    }
}

impl std::ops::Deref for Sample {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

/// `annals serve` running on a database; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    /// What the server printed on stderr before it listened.
    pub banner: Vec<String>,
}

impl Server {
    /// Start `annals --db DB serve --bind 127.0.0.1:0` and wait until it listens.
    pub fn start(db: &Path) -> Server {
        Server::start_with(db, &["--bind", "127.0.0.1:0"])
    }

    /// Start `annals --db DB serve ARGS` and wait (at most 30 s) until it listens.
    pub fn start_with(db: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(annals_bin())
            .env_remove("ANNALS_DB")
            .arg("--db")
            .arg(db)
            .arg("serve")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start annals serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut banner = Vec::new();
        loop {
            let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("annals serve did not start: {banner:?}");
            };
            banner.push(line.clone());
            if let Some(rest) = line.split("listening on ").nth(1) {
                let url = rest.split_whitespace().next().unwrap();
                let base = url.trim_end_matches('/').to_string();
                return Server {
                    child,
                    base,
                    banner,
                };
            }
        }
    }

    /// GET `path`: the status and the body as JSON.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.get_raw(path, &[]);
        let v = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
        (status, v)
    }

    /// GET `path` with extra headers: the status, the response headers and the body.
    pub fn get_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>, String) {
        let mut request = agent().get(format!("{}{path}", self.base));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let mut response = request.call().unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap();
        (status, headers, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that reads every status as an answer (4xx and 5xx carry the JSON error).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}
