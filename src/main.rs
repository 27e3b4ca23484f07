//! The `annals` command line. Owns argument parsing, opening the store at `--db`, and
//! printing: data to stdout, diagnostics to stderr.
//!
//! Exit codes (stable): 0 success; 1 an error (bad input, corrupt data, database in use,
//! I/O); 2 a usage error (unknown command or flag, bad argument syntax).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
