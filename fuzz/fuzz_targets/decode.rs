//! Decodes arbitrary bytes (gzip or raw protobuf) with the stacks laid out
//! as read and compacted, and through the streaming entry point: all three
//! must agree, on the error or on the profile (compared through the top
//! report).

#![no_main]

use libfuzzer_sys::fuzz_target;
use proflens_core::report::{top, ReportOptions};
use proflens_core::{decode, decode_reader};
use proflens_fuzz::decode_options;

fuzz_target!(|data: &[u8]| {
    let plain = decode(data, &decode_options(false));
    let compact = decode(data, &decode_options(true));
    let streamed = decode_reader(data, &decode_options(false));
    match (&plain, &compact, &streamed) {
        (Ok(a), Ok(b), Ok(c)) => {
            let text = |p| top(p, &ReportOptions::default()).map(|r| r.to_text());
            let expected = text(a);
            assert_eq!(text(b), expected, "compacting the stacks changed the top report");
            assert_eq!(text(c), expected, "decode_reader and decode disagree");
        }
        (Err(a), Err(b), Err(c)) => {
            assert_eq!(a, b, "compact_stacks changed the error");
            assert_eq!(a, c, "decode_reader and decode disagree");
            // Every error renders to one line.
            let message = a.to_string();
            assert!(!message.is_empty() && !message.contains('\n'), "{message:?}");
        }
        _ => panic!("decoders disagree: {:?} / {:?} / {:?}", plain.err(), compact.err(), streamed.err()),
    }
});
