//! Every report (top, traces, tree, peek, dot, list, flame) on whatever
//! decodes, with option sets covering every filter, granularity, sort and
//! unit. The input's length picks the option set and whether the stacks
//! are compacted, so the whole input is the profile (and the seeds are
//! plain profiles).

#![no_main]

use libfuzzer_sys::fuzz_target;
use proflens_core::decode;
use proflens_fuzz::{decode_options, option_sets, run_reports};

fuzz_target!(|data: &[u8]| {
    let sets = option_sets();
    let (set, compact) = (data.len() % sets.len(), data.len() / sets.len() % 2 == 1);
    let Ok(p) = decode(data, &decode_options(compact)) else { return };
    run_reports(&p, &sets[set]);
});
