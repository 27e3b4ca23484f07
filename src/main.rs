//! The `annals` command line. Owns argument parsing, opening the store at `--db`, and
//! printing: data to stdout, diagnostics to stderr.
//!
//! Exit codes (stable): 0 success; 1 an error (invalid input, corrupt data, database in
//! use, I/O); 2 a usage error (an unknown command or flag, or a bad flag value); 3 a
//! conflict (the log was not at the seq `append --expect-seq` expected).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_engine_panics();
    cli::run()
}

/// redb panics on some damaged files; the storage seam catches those panics and returns an
/// error naming the damage, which the CLI prints like any other. The default hook would
/// print redb's panic message first, which reads like a crash of annals; it is left out.
/// Every other panic is printed as usual.
fn quiet_engine_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_engine = info.location().is_some_and(|l| l.file().contains("/redb-"));
        if !in_engine {
            default_hook(info);
        }
    }));
}
