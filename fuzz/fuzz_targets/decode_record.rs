//! Fuzz the stored-record decoder: raw bytes (checked by the envelope's tag, version and
//! CRC) and, behind a valid envelope, arbitrary payloads for the bincode decoder of both
//! record versions. Corrupt bytes give `Error::Corrupt`, never a panic.
#![no_main]

use annals::testing_raw::{decode_log_record, log_key, seal_log_payload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = log_key(7);
    let _ = decode_log_record(&key, data);
    for version in [1, 2] {
        match decode_log_record(&key, &seal_log_payload(version, data)) {
            Ok(event) => assert_eq!(event.seq, 7, "a record decodes only under its own seq"),
            Err(e) => assert!(matches!(e, annals::Error::Corrupt { .. }), "{e}"),
        }
    }
});
