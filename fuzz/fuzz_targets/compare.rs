//! Two profiles from one input, split at the first `SEPARATOR` (without
//! one, the input is compared with itself): merge, -base, -diff_base or
//! -normalize (the input's length picks one, and the report options) and
//! the leak report on them, and every report on the result.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proflens_core::decode;
use proflens_fuzz::{decode_options, run_comparisons, SEPARATOR};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], &data[at + SEPARATOR.len()..]),
        None => (data, data),
    };
    let (Ok(a), Ok(b)) = (decode(a, &decode_options(false)), decode(b, &decode_options(true))) else {
        return;
    };
    run_comparisons(&a, &b, data.len());
});
