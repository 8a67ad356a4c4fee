//! Caps that keep a hostile or huge file from exhausting memory.

/// Upper bounds applied while decoding. Exceeding one is an error, never an
/// out-of-memory abort.
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 2 << 30,
            max_samples: 100_000_000,
            max_table_rows: 50_000_000,
            max_strings: 50_000_000,
            max_stack_nodes: 200_000_000,
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
