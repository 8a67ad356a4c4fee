//! Decodes arbitrary bytes as a profile with small limits and, when they
//! decode, computes the text reports with default and filtering options.
//! Errors are expected; panics, aborts, hangs and runaway memory are bugs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proflens_core::graph::Granularity;
use proflens_core::report::{top, traces, tree, ReportOptions, Sort};
use proflens_core::{decode, DecodeOptions, Limits};

fn options() -> DecodeOptions {
    DecodeOptions {
        limits: Limits {
            max_decompressed_bytes: 16 << 20,
            max_samples: 200_000,
            max_table_rows: 200_000,
            max_strings: 200_000,
            max_stack_nodes: 500_000,
        },
        all_frames: false,
    }
}

fn report_options() -> [ReportOptions; 4] {
    [
        ReportOptions::default(),
        ReportOptions {
            focus: "main|f1".into(),
            ignore: "runtime\\.".into(),
            hide: "^sync".into(),
            sort: Sort::Cum,
            ..ReportOptions::default()
        },
        ReportOptions {
            show_from: "main".into(),
            granularity: Granularity::Lines,
            noinlines: true,
            trim: false,
            unit: "auto".into(),
            ..ReportOptions::default()
        },
        ReportOptions {
            show: ".".into(),
            sample_index: "0".into(),
            granularity: Granularity::Addresses,
            node_count: Some(5),
            relative_percentages: true,
            drop_negative: true,
            ..ReportOptions::default()
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let profile = match decode(data, &options()) {
        Ok(p) => p,
        Err(e) => {
            // Every error renders to a message.
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    for o in &report_options() {
        if let Ok(r) = top(&profile, o) {
            let _ = r.to_text();
        }
        let _ = traces(&profile, o);
        if let Ok(r) = tree(&profile, o) {
            let _ = r.to_text();
        }
    }
});
