//! Fuzz the JSON line parser and the streaming line reader: any bytes give events or
//! clear problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = annals::interchange::parse_line(text);
    }
    for item in annals::interchange::read_lines(data) {
        if let Err(problem) = item {
            assert!(problem.line >= 1 && !problem.reason.is_empty());
        }
    }
});
