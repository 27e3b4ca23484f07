//! Tools built on the public API: the test-replay kit (`testing`) for suites that replay
//! a recorded history and assert on the state it produces, and the deterministic
//! synthetic workload (`workload`) used by `annals generate`, the benchmarks and the
//! comparison.
//!
//! Invariants: both are deterministic (a seed, a manual clock); neither reaches below the
//! public `Store` API except `testing`'s checkpoint oracle, which reads through the
//! materializer like `verify` does.
//!
//! May import: every library subsystem.

pub mod testing;
pub mod workload;
