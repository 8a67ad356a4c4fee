//! How much memory the CLI lets a profile's decoding take (`--max-memory`).
//!
//! The decoder's default caps (1 GiB of decoded tables, 2 GiB decompressed)
//! protect the page and embedders from a small file that inflates into a
//! flood. The CLI reads a file the user chose on their own machine, so it
//! scales the caps with that file: a profile of N bytes may take 2N of
//! tables (real profiles take about 1.9x at the peak), and never less than
//! the defaults. `--max-memory` sets the cap outright.

use proflens_core::{DecodeOptions, Error, Limits};

/// Decoded tables allowed per byte of the input file, by default.
const TABLES_PER_FILE_BYTE: u64 = 2;

/// Parses a size such as `4GB`, `512MB`, `1.5GB` or `1000000` (bytes), with
/// pprof's binary units (kB = 1024 B).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("{text:?} is not a size such as 4GB or 512MB"))?;
    let unit = if unit.is_empty() { "B" } else { unit.trim() };
    // One whole unit in bytes (`scale` converts integers only). An unknown
    // unit scales to no unit at all, another kind's to its own.
    let (_, known) = proflens_core::units::scale(1, unit, "minimum");
    let (per_unit, to) = proflens_core::units::scale(1, unit, "B");
    if known.is_empty() || to != "B" {
        return Err(format!("{unit:?} is not a size unit (B, kB, MB, GB, TB)"));
    }
    let bytes = number * per_unit;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("{text:?} is not a usable memory size"));
    }
    Ok(bytes as u64)
}

/// The decode options for the profile at `path`: caps scaled with its size
/// unless `max_memory` sets them.
pub fn decode_options(path: &str, all_frames: bool, max_memory: Option<u64>) -> DecodeOptions {
    let defaults = Limits::default();
    let tables = max_memory.unwrap_or_else(|| {
        let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        file_bytes.saturating_mul(TABLES_PER_FILE_BYTE).max(defaults.max_decoded_bytes)
    });
    let limits = Limits {
        max_decoded_bytes: tables,
        // Tables take more bytes than the protobuf they come from, so the
        // decompressed cap never binds before the tables' one.
        max_decompressed_bytes: tables.max(defaults.max_decompressed_bytes),
        ..defaults
    };
    DecodeOptions { limits, all_frames, ..DecodeOptions::default() }
}

/// The decoder's error for `path`, with the option that lifts a memory cap
/// when that is what stopped it.
pub fn explain(path: &str, error: &Error) -> String {
    match error {
        Error::TooMany { what: "bytes of decoded tables", .. } | Error::TooLarge { .. } => {
            format!("{path}: {error} (--max-memory=SIZE, e.g. --max-memory=8GB; the default is twice the file's size, at least 1 GiB)")
        }
        _ => format!("{path}: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("4GB").unwrap(), 4 << 30);
        assert_eq!(parse_size("512mb").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5kB").unwrap(), 1536);
        assert!(parse_size("4 parsecs").is_err());
        assert!(parse_size("4ms").is_err());
        assert!(parse_size("GB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("1e400").is_err());
    }

    #[test]
    fn the_default_cap_grows_with_the_file_and_never_shrinks() {
        let small = decode_options("/nonexistent/profile", false, None);
        assert_eq!(small.limits, Limits::default());
        let set = decode_options("/nonexistent/profile", true, Some(8 << 30));
        assert_eq!(set.limits.max_decoded_bytes, 8 << 30);
        assert_eq!(set.limits.max_decompressed_bytes, 8 << 30);
        assert!(set.all_frames);
        let exe = std::env::current_exe().unwrap();
        let len = std::fs::metadata(&exe).unwrap().len();
        let scaled = decode_options(exe.to_str().unwrap(), false, None);
        assert_eq!(scaled.limits.max_decoded_bytes, (2 * len).max(Limits::default().max_decoded_bytes));
    }

    #[test]
    fn only_memory_caps_point_at_the_option() {
        let tables = Error::TooMany { what: "bytes of decoded tables", limit: 1 };
        assert!(explain("p", &tables).contains("--max-memory"));
        let samples = Error::TooMany { what: "samples", limit: 1 };
        assert!(!explain("p", &samples).contains("--max-memory"));
    }
}
