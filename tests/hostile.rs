//! Hostile input never panics: random bytes into the stored-record decoder, random and
//! mutated strings into the date and line parsers. Every outcome is a value or an error.

use annals::interchange::{parse_line, parse_reader};
use annals::{testing_raw, Date, Day};
use proptest::prelude::*;

const VALID: &str = r#"{"id":"7d0c8a40-6c1f-4a57-9a51-0d3e8f1b2c01","date":"2023-08/2024-02~","kind":"arms_transfer","supplier":"PRK","recipient":"RUS","item":"shells","quantity":6700,"unit":"containers","summary":"s","sources":[{"name":"n","url":"u"}],"confidence":"reported","location":{"name":"x","lat":1.5,"lon":2.5},"mode":"m","context":["c"]}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_crash_the_record_decoder(seq in 1u64..1000, bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = testing_raw::decode_log_record(&testing_raw::log_key(seq), &bytes);
        // With a valid-looking header too, so the payload decoder itself is exercised.
        let mut sealed = vec![b'L', 2, 0, 0, 0, 0];
        sealed.extend_from_slice(&bytes);
        let crc = {
            let mut h = crc32fast::Hasher::new();
            h.update(&[b'L', 2]);
            h.update(&bytes);
            h.finalize()
        };
        sealed[2..6].copy_from_slice(&crc.to_le_bytes());
        let _ = testing_raw::decode_log_record(&testing_raw::log_key(seq), &sealed);
        sealed[1] = 1;
        let _ = testing_raw::decode_log_record(&testing_raw::log_key(seq), &sealed);
    }

    #[test]
    fn random_strings_never_crash_the_date_parsers(text in ".{0,40}", digits in "[0-9/?~%-]{0,24}") {
        let _ = Date::parse(&text);
        let _ = Date::parse(&digits);
        let _ = Day::parse_query(&text);
        let _ = Day::parse_query(&digits);
        if let Ok(d) = Date::parse(&digits) {
            prop_assert_eq!(d.to_string(), digits.clone());
            prop_assert!(d.earliest() <= d.latest());
        }
    }

    #[test]
    fn random_strings_never_crash_the_line_parser(text in ".{0,200}") {
        let _ = parse_line(&text);
        let _ = parse_reader(text.as_bytes());
    }

    #[test]
    fn mutated_valid_lines_never_crash_the_line_parser(pos in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let mut bytes = VALID.as_bytes().to_vec();
        let p = pos % bytes.len();
        bytes[p] = byte;
        let _ = parse_reader(&bytes[..]);
        let c = cut % bytes.len();
        let _ = parse_reader(&bytes[..c]);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            if let Ok(parsed) = parse_line(text) {
                // Whatever parses prints back to something that parses to the same content.
                let again = annals::interchange::canonical_text(&parsed.event.content);
                prop_assert_eq!(parse_line(&again).map(|p| p.event.content), Ok(parsed.event.content));
            }
        }
    }
}

#[test]
fn the_valid_line_is_valid() {
    parse_line(VALID).unwrap();
}
