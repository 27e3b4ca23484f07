//! `annals serve`: the time-travel explorer, one page and a JSON API served over HTTP from
//! this binary (issue 18).
//!
//! Owns: the HTTP server (axum on a small tokio runtime), the routes, turning answers and
//! errors into responses, and the embedded page. `api.rs` answers each endpoint from the
//! store (with the functions of `commands/` that make the `--json` answers, so both say the
//! same), `event.rs` the page's extra questions (slider bounds, an event's versions, the
//! events around a day), `params.rs` checks query parameters, `assets.rs` holds the page's
//! files.
//!
//! Invariants:
//! - read-only: the store is opened with `read_only` whatever the flags say, and no route
//!   writes; only `GET` (and `HEAD`) are answered;
//! - bounded: at most [`WORKERS`] store queries run at once (each on a blocking thread,
//!   holding a semaphore permit until it ends, even past its timeout); a request waits at
//!   most [`QUEUE_WAIT`] for a permit (else 503 `busy`) and [`REQUEST_TIMEOUT`] for its
//!   answer (else 503 `timeout`); lists are cut at documented limits (`api.rs`);
//! - errors are the CLI's: the same message, as `{"error": {"kind", "message"}}`, with 400
//!   for a usage error (a bad date, known-at, code, view or parameter), 404 for something
//!   absent, 500 otherwise; unknown paths are 404;
//! - loopback by default: any other `--bind` prints a warning; while bound to loopback, a
//!   request naming another host (DNS rebinding) is refused with 403; no CORS headers;
//! - assets come from the binary, found by exact path: no file is read from disk.
//!
//! Imports: `commands/` (for the answers), `common.rs` (opening, parsing), `failure.rs`
//! (error kinds and their JSON), `render.rs` (an event's JSON); axum, tokio, serde_json.

mod api;
mod assets;
mod event;
mod params;

use crate::cli::args::ServeArgs;
use crate::cli::common::{store_options, Ctx};
use crate::cli::failure::{error_shape, error_value, Kind};
use annals::Store;
use anyhow::{Context, Result};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use params::{Allowed, Params};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many store queries run at once.
pub const WORKERS: usize = 4;
/// How long a request waits for a free worker.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);
/// How long a request waits for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every request shares.
struct App {
    store: Arc<Store>,
    permits: Arc<Semaphore>,
    /// Bound to a loopback address: requests must name a loopback host.
    loopback: bool,
}

/// Run `annals serve` until interrupted.
pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let options = store_options(false, ctx.engine).with_read_only(true);
    let store = Store::open_with(&ctx.db, options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(WORKERS * 2)
        .enable_all()
        .build()
        .context("starting the HTTP runtime")?;
    runtime.block_on(serve(store, args))
}

/// Bind, say where, and answer until Ctrl-C.
async fn serve(store: Store, args: ServeArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let addr = listener.local_addr()?;
    let loopback = addr.ip().is_loopback();
    if !loopback {
        eprintln!(
            "warning: --bind {addr} is not a loopback address: anyone who can reach this \
             machine can read the whole database through the explorer"
        );
    }
    let url = format!("http://{addr}/");
    eprintln!("annals serve: listening on {url} (read-only; Ctrl-C stops)");
    if args.open {
        open_browser(&url);
    }
    let app = Arc::new(App {
        store: Arc::new(store),
        permits: Arc::new(Semaphore::new(WORKERS)),
        loopback,
    });
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")
}

/// Open `url` in the desktop's browser; a failure is only a warning.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("warning: --open: could not start {opener}: {e}; open {url} yourself");
    }
}

/// Every route: the API's endpoints, the page's assets, and 404 for the rest.
fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for &(route, allowed, answer) in api::ENDPOINTS {
        router = router.route(
            route,
            get(
                move |State(app): State<Arc<App>>,
                      headers: HeaderMap,
                      path: Result<Path<Vec<(String, String)>>, PathRejection>,
                      query: Result<Query<Vec<(String, String)>>, QueryRejection>| async move {
                    app.answer((answer, allowed), &headers, path, query).await
                },
            ),
        );
    }
    router.fallback(asset).with_state(app)
}

impl App {
    /// Check the request, then answer it on a worker, bounded in number and time.
    async fn answer(
        &self,
        (answer, allowed): (api::Answer, Allowed),
        headers: &HeaderMap,
        path: Result<Path<Vec<(String, String)>>, PathRejection>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Response {
        if let Some(refused) = self.refuse_host(headers) {
            return refused;
        }
        let path: Vec<String> = match path {
            Ok(Path(segments)) => segments.into_iter().map(|(_, v)| v).collect(),
            // A route without segments has none to extract.
            Err(PathRejection::MissingPathParams(_)) => Vec::new(),
            Err(e) => return own_error(StatusCode::BAD_REQUEST, "usage", &e.body_text()),
        };
        let pairs = match query {
            Ok(Query(pairs)) => pairs,
            Err(e) => return own_error(StatusCode::BAD_REQUEST, "usage", &e.body_text()),
        };
        let params = match Params::check(pairs, allowed) {
            Ok(p) => p,
            Err(e) => return error_response(&e),
        };
        self.on_worker(move |store| answer(store, &path, &params))
            .await
    }

    /// Run `f` on a blocking thread once a permit is free, within the time limits.
    async fn on_worker<F>(&self, f: F) -> Response
    where
        F: FnOnce(&Store) -> Result<Value> + Send + 'static,
    {
        let permit =
            match tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                _ => {
                    return own_error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "busy",
                        "every worker is busy; try again",
                    )
                }
            };
        let store = Arc::clone(&self.store);
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // A PostgreSQL store is written by other processes meanwhile: answer from the
            // head they committed (free on the embedded engines).
            store.refresh()?;
            f(&store)
        });
        match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
            Ok(Ok(Ok(v))) => json_response(StatusCode::OK, &v),
            Ok(Ok(Err(e))) => error_response(&e),
            Ok(Err(_)) => own_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "other",
                "the query failed",
            ),
            Err(_) => own_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                &format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
            ),
        }
    }

    /// While bound to loopback, a request must name a loopback host: a page elsewhere
    /// that rebinds its own name to 127.0.0.1 is refused.
    fn refuse_host(&self, headers: &HeaderMap) -> Option<Response> {
        if !self.loopback {
            return None;
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        match host {
            Some(h) if is_loopback_host(h) => None,
            _ => Some(own_error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the explorer answers only requests to a loopback host (127.0.0.1, localhost, [::1])",
            )),
        }
    }
}

/// Whether a Host header names a loopback host (with or without a port).
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `GET` of anything else: an embedded asset by exact path, or 404.
async fn asset(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Some(refused) = app.refuse_host(&headers) {
        return refused;
    }
    let Some(a) = assets::find(uri.path()) else {
        let what = format!("no such page or endpoint: {}", uri.path());
        return own_error(StatusCode::NOT_FOUND, "not_found", &what);
    };
    let mut response = (StatusCode::OK, a.bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.media_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    secure(response)
}

/// The headers every answer carries: no sniffing, no framing, no referrer.
fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A JSON answer.
fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    secure(response)
}

/// An error of the CLI as its JSON, with the status its kind gets.
fn error_response(e: &anyhow::Error) -> Response {
    let (kind, v) = error_value(e);
    let status = match kind {
        Kind::Usage => StatusCode::BAD_REQUEST,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::InUse => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    json_response(status, &v)
}

/// An error of the server's own (`busy`, `timeout`, `forbidden`, ...), in the same shape.
fn own_error(status: StatusCode, kind: &str, message: &str) -> Response {
    json_response(status, &error_shape(kind, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for h in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:80",
            "127.1.2.3",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "evil.example:8080",
            "10.0.0.1",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
