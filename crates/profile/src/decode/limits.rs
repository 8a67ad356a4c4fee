//! Caps that keep a hostile or huge file from exhausting memory.

/// Upper bounds applied while decoding. Exceeding one is an error, never an
/// out-of-memory abort.
///
/// Memory: while decoding, the heap holds at most
/// [`Limits::MEMORY_FACTOR`] times the decompressed profile's size (plus
/// about 1 MiB of fixed buffers), whatever the file repeats: every
/// repeated field's smallest element costs at most that many bytes per
/// byte of protobuf, tested field by field in `tests/tests/memory.rs`.
/// Real profiles take far less (about twice their size at the peak).
/// [`Limits::max_decoded_bytes`] bounds it in absolute terms too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of decompressed profile data (the protobuf itself).
    pub max_decompressed_bytes: u64,
    /// Samples.
    pub max_samples: u64,
    /// Locations, functions and mappings, each.
    pub max_table_rows: u64,
    /// Entries of the string table.
    pub max_strings: u64,
    /// Distinct stack prefixes (nodes of the stack tree).
    pub max_stack_nodes: u64,
    /// Bytes of heap memory the tables being decoded may take (strings,
    /// samples, values, labels, stacks, locations, lines, functions,
    /// mappings): an absolute bound beside `MEMORY_FACTOR`'s relative one,
    /// so a small file that inflates to a flood of tiny elements is refused
    /// before it takes the machine's memory. Checked as the tables grow;
    /// building the model from them takes up to as much again, so
    /// decoding's peak stays below about three times this.
    pub max_decoded_bytes: u64,
}

impl Limits {
    /// Peak heap bytes per decompressed byte while decoding, at most: the
    /// worst measured is 22.4 (a flood of empty sample types).
    pub const MEMORY_FACTOR: u64 = 24;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 2 << 30,
            max_samples: 100_000_000,
            max_table_rows: 50_000_000,
            max_strings: 50_000_000,
            max_stack_nodes: 200_000_000,
            max_decoded_bytes: 1 << 30,
        }
    }
}

/// Options for decoding a profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Caps on sizes and counts.
    pub limits: Limits,
    /// Keep frames that the profile's drop_frames would remove (pprof's
    /// behaviour is to drop them at load time).
    pub all_frames: bool,
    /// Lay the stacks out in the order reports read them: reports get
    /// faster, and decoding briefly needs memory for a second copy of the
    /// stacks (about a raw profile's size).
    pub compact_stacks: bool,
}
