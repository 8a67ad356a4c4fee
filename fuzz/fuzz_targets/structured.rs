//! Structure-aware: a profile description (`proflens_fuzz::spec`) written
//! with ProfileWriter, so mutations reach the model and the reports. A
//! written profile must decode, unless a limit or its drop_frames refuses
//! it; the top report's total must be pprof's (the wrapping sum of the
//! values' absolute values), and the flame graph's root the wrapping sum
//! of the values.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proflens_core::graph::Granularity;
use proflens_core::report::{flame, top, ReportOptions};
use proflens_core::{decode, gomath, Error};
use proflens_fuzz::spec::ProfileSpec;
use proflens_fuzz::{decode_options, option_sets, run_comparisons, run_reports};

fuzz_target!(|spec: ProfileSpec| {
    let bytes = spec.encode();
    let p = match decode(&bytes, &decode_options(spec.compact_stacks)) {
        Ok(p) => p,
        Err(Error::FrameRegexp { .. } | Error::TooMany { .. } | Error::TooLarge { .. }) => return,
        Err(e) => panic!("a written profile does not decode: {e}"),
    };
    let last = spec.type_count() - 1;
    let values: Vec<i64> = spec.samples.iter().map(|s| spec.values(s)[last]).collect();
    if let Ok(r) = top(&p, &ReportOptions { trim: false, ..ReportOptions::default() }) {
        assert_eq!(r.total, gomath::sum(values.iter().map(|&v| gomath::abs(v))), "the total is pprof's");
    }
    if spec.drop_frames.is_none() {
        let g = flame(&p, &ReportOptions::default(), Granularity::Functions, None).unwrap();
        assert_eq!(
            g.tree.nodes[0].total,
            gomath::sum(values.iter().copied()),
            "the flame root sums the values"
        );
    }
    let sets = option_sets();
    run_reports(&p, &sets[spec.options as usize % sets.len()]);
    if spec.compare {
        run_comparisons(&p, &p, spec.options as usize);
    }
});
