//! Fuzz the date parsers (EDTF subset for events, query days for --as-of): any text gives
//! a date or an error, never a panic; a parsed date's earliest day is never after its
//! latest.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(date) = annals::Date::parse(text) {
        assert!(date.earliest() <= date.latest());
        // What is printed parses back to the same date.
        assert_eq!(annals::Date::parse(&date.to_string()).ok(), Some(date));
    }
    let _ = annals::Day::parse_query(text);
});
