//! How a failed command ends: what kind of failure it was (a stable snake_case word), the
//! exit code that kind gets, and the error printed on stderr, as text or, with `--json` or
//! `--jsonl`, as one JSON object on one line.
//!
//! The kind is decided by the error's type, never by its text: a [`Marked`] error from the
//! binary (a bad flag value is [`usage`]), else the library's [`annals::Error`] or an
//! [`std::io::Error`] found in the error's chain of causes.

use annals::Error;
use serde_json::{json, Value};
use std::io::Write;

/// What went wrong, as scripts see it: `kind` in the JSON error and the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The command line was wrong: an unknown command or flag, or a flag or argument value
    /// the command cannot take (a malformed date, known-at or code; an unknown kind, view
    /// or actor code). Exit 2.
    Usage,
    /// Input lines were rejected (import, check, append). Exit 1.
    InvalidInput,
    /// Something asked for does not exist (a code matching nothing). Exit 1.
    NotFound,
    /// Stored bytes failed a check, or the database's format is not one this binary reads.
    /// Exit 1.
    Corrupt,
    /// Another process has the database open. Exit 1.
    InUse,
    /// A write was asked of a database opened with `--read-only`. Exit 1.
    ReadOnly,
    /// The log had moved on from the seq the command expected; nothing was written. Exit 3.
    Conflict,
    /// The path cannot hold a database (absent, a file, unreadable). Exit 1.
    CannotOpen,
    /// The storage engine failed. Exit 1.
    Storage,
    /// Reading input or writing output failed. Exit 1.
    Io,
    /// Any other error. Exit 1.
    Other,
}

impl Kind {
    /// Every kind, in the order the README documents them.
    #[cfg(test)]
    pub const ALL: [Kind; 10] = [
        Kind::Usage,
        Kind::InvalidInput,
        Kind::NotFound,
        Kind::Corrupt,
        Kind::InUse,
        Kind::Conflict,
        Kind::CannotOpen,
        Kind::Storage,
        Kind::Io,
        Kind::Other,
    ];

    /// The kind of `e`: the first cause in its chain the binary knows the type of.
    pub fn of(e: &anyhow::Error) -> Kind {
        for cause in e.chain() {
            if let Some(m) = cause.downcast_ref::<Marked>() {
                return m.kind;
            }
            if let Some(lib) = cause.downcast_ref::<Error>() {
                return Kind::of_library(lib);
            }
            if cause.downcast_ref::<std::io::Error>().is_some() {
                return Kind::Io;
            }
        }
        Kind::Other
    }

    /// The kind of a library error. Every value the CLI gives the library comes from the
    /// command line, so a malformed one ([`Error::InvalidArgument`]: a known-at, a view
    /// name, a head hash, an engine) is a usage error.
    fn of_library(e: &Error) -> Kind {
        match e {
            Error::InvalidInput(_) => Kind::InvalidInput,
            Error::InvalidArgument(_) => Kind::Usage,
            Error::InUse { .. } => Kind::InUse,
            Error::ReadOnly { .. } => Kind::ReadOnly,
            Error::Conflict { .. } => Kind::Conflict,
            Error::Corrupt { .. } | Error::UnsupportedFormat { .. } => Kind::Corrupt,
            Error::Open { .. } => Kind::CannotOpen,
            Error::NotFound(_) => Kind::NotFound,
            Error::Storage { .. } | Error::PreviousWriteFailed { .. } => Kind::Storage,
            Error::Io(_) => Kind::Io,
            _ => Kind::Other,
        }
    }

    /// The stable word for scripts.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::InvalidInput => "invalid_input",
            Kind::NotFound => "not_found",
            Kind::Corrupt => "corrupt",
            Kind::InUse => "in_use",
            Kind::ReadOnly => "read_only",
            Kind::Conflict => "conflict",
            Kind::CannotOpen => "cannot_open",
            Kind::Storage => "storage",
            Kind::Io => "io",
            Kind::Other => "other",
        }
    }

    /// The exit code: 2 for usage, 3 for a conflict, 1 for every other error.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage => 2,
            Kind::Conflict => 3,
            _ => 1,
        }
    }
}

/// An error of the binary whose kind is known where it is made.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Marked {
    pub kind: Kind,
    pub message: String,
}

/// A usage error: a bad flag or argument value. The message names the flag.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Marked {
        kind: Kind::Usage,
        message: message.into(),
    }
    .into()
}

/// Something asked for that does not exist.
pub fn not_found(message: impl Into<String>) -> anyhow::Error {
    Marked {
        kind: Kind::NotFound,
        message: message.into(),
    }
    .into()
}

/// Whether errors are to be printed as JSON: `--json` or `--jsonl` (or a view's
/// `--format json|jsonl`) is on the command line, before any `--`. Read from the raw
/// arguments, so that it holds for clap's own errors too.
pub fn json_wanted(args: &[String]) -> bool {
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .take_while(|a| *a != "--")
        .collect();
    args.iter().enumerate().any(|(i, a)| {
        matches!(
            *a,
            "--json" | "--jsonl" | "--format=json" | "--format=jsonl"
        ) || (*a == "--format" && matches!(args.get(i + 1), Some(&"json" | &"jsonl")))
    })
}

/// Print `e` on stderr (as JSON when `json`) and return its exit code. `writes` says
/// whether the command would have written: only then does rejected input say "nothing
/// was written".
pub fn report(e: &anyhow::Error, json: bool, writes: bool) -> u8 {
    let kind = Kind::of(e);
    let mut stderr = std::io::stderr().lock();
    let input = match e.chain().find_map(|c| c.downcast_ref::<Error>()) {
        Some(Error::InvalidInput(lines)) => Some(lines.as_slice()),
        _ => None,
    };
    let _ = match (input, json) {
        (Some(lines), true) => writeln!(stderr, "{}", input_json(lines, writes)),
        (Some(lines), false) => write_input_errors(&mut stderr, lines, writes),
        (None, true) => writeln!(stderr, "{}", error_json(kind, &chain_text(e), None)),
        (None, false) => writeln!(stderr, "error: {}", chain_text(e)),
    };
    kind.exit_code()
}

/// A clap error (an unknown flag, a bad value of a flag with fixed values) as one JSON
/// line on stderr; exit 2.
pub fn report_clap_json(e: &clap::Error) -> u8 {
    let rendered = e.render().to_string();
    // The error and its details (a missing argument's name), without the usage lines.
    let message = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message).trim();
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        error_json(Kind::Usage, message, None)
    );
    Kind::Usage.exit_code()
}

/// Whether the error is a write to a closed pipe (stdout's reader exited): the first
/// I/O error or library error of the chain decides, so that a broken pipe *inside* a
/// storage error (a PostgreSQL connection the server closed) is never mistaken for a
/// closed stdout and turned into a quiet success.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    for c in e.chain() {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::BrokenPipe;
        }
        if let Some(error) = c.downcast_ref::<Error>() {
            return matches!(error, Error::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe);
        }
    }
    false
}

/// The error and its causes: `outer: inner: root`.
fn chain_text(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

/// `{"error": {"kind", "message", "line"?}}`, plus `extra`'s fields.
fn error_json(kind: Kind, message: &str, extra: Option<(usize, Value)>) -> Value {
    let mut v = error_shape(kind.name(), message);
    if let (Some((line, lines)), Some(inner)) = (extra, v.get_mut("error")) {
        inner["line"] = json!(line);
        inner["lines"] = lines;
    }
    v
}

/// `{"error": {"kind", "message"}}`: the one declaration of the JSON error's shape (the
/// CLI's, and `annals serve`'s, whose own kinds such as `timeout` use it too).
pub fn error_shape(kind: &str, message: &str) -> Value {
    json!({ "error": {"kind": kind, "message": message} })
}

/// `e` as the JSON error `--json` prints for it, with its kind (for `annals serve`).
pub fn error_value(e: &anyhow::Error) -> (Kind, Value) {
    let kind = Kind::of(e);
    (kind, error_json(kind, &chain_text(e), None))
}

/// `error: 2 invalid lines, and 1 follow-on error (marked)[; nothing was written]`.
fn input_headline(lines: &[annals::InputError], writes: bool) -> String {
    let follow_ons = lines.iter().filter(|l| l.is_follow_on()).count();
    let primary = lines.len() - follow_ons;
    format!(
        "{primary} invalid line{}{}{}",
        if primary == 1 { "" } else { "s" },
        match follow_ons {
            0 => String::new(),
            1 => ", and 1 follow-on error (marked)".into(),
            n => format!(", and {n} follow-on errors (marked)"),
        },
        if writes { "; nothing was written" } else { "" }
    )
}

/// Invalid input as one object: the headline as the message, the first bad line as
/// `line`, and every bad line in `lines` (`{"line", "reason", "follow_on",
/// "follow_on_of"}`).
fn input_json(lines: &[annals::InputError], writes: bool) -> Value {
    let first = lines.first().map_or(0, |l| l.line);
    error_json(
        Kind::InvalidInput,
        &input_headline(lines, writes),
        Some((first, serde_json::to_value(lines).unwrap_or(Value::Null))),
    )
}

/// Every bad line, one per line, in line order: up to 50, follow-ons only up to 20, so
/// that many of them never hide a primary error further on.
fn write_input_errors(
    out: &mut impl Write,
    lines: &[annals::InputError],
    writes: bool,
) -> std::io::Result<()> {
    writeln!(out, "error: {}", input_headline(lines, writes))?;
    let mut shown = 0usize;
    for l in lines {
        if shown < if l.is_follow_on() { 20 } else { 50 } {
            writeln!(out, "  {l}")?;
            shown += 1;
        }
    }
    if lines.len() > shown {
        writeln!(out, "  ... and {} more", lines.len() - shown)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_names_and_the_documented_exit_codes() {
        let names: std::collections::BTreeSet<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        for k in Kind::ALL {
            let expected = match k {
                Kind::Usage => 2,
                Kind::Conflict => 3,
                _ => 1,
            };
            assert_eq!(k.exit_code(), expected, "{k:?}");
        }
    }

    #[test]
    fn the_kind_is_found_through_context() {
        use anyhow::Context;
        let e: anyhow::Error = Err::<(), _>(Error::Conflict {
            expected: 3,
            actual: 4,
        })
        .context("appending")
        .unwrap_err();
        assert_eq!(Kind::of(&e), Kind::Conflict);
        assert_eq!(Kind::of(&usage("--as-of: bad")), Kind::Usage);
        assert_eq!(Kind::of(&anyhow::anyhow!("plain")), Kind::Other);
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        assert_eq!(Kind::of(&anyhow::Error::from(io)), Kind::Io);
    }

    #[test]
    fn only_a_closed_stdout_is_a_broken_pipe_not_a_closed_connection() {
        let pipe = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "Broken pipe");
        assert!(is_broken_pipe(
            &anyhow::Error::from(pipe()).context("writing")
        ));
        assert!(is_broken_pipe(&anyhow::Error::from(Error::Io(pipe()))));
        // A server that restarted closes the connection: the client's next write breaks
        // the pipe, inside a storage error. That is a failure, never a quiet success.
        let storage = Error::Storage {
            message: "connection closed".into(),
            source: Some(Box::new(pipe())),
        };
        assert!(!is_broken_pipe(
            &anyhow::Error::from(storage).context("importing")
        ));
    }

    #[test]
    fn json_is_wanted_only_before_a_double_dash() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(json_wanted(&args(&["annals", "log", "--json"])));
        assert!(json_wanted(&args(&["annals", "arms", "--format", "jsonl"])));
        assert!(json_wanted(&args(&["annals", "arms", "--format=json"])));
        assert!(!json_wanted(&args(&["annals", "arms", "--format", "csv"])));
        assert!(!json_wanted(&args(&["annals", "append", "--", "--json"])));
    }
}
