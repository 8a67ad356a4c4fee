//! Messages between the page and its Web Worker.
//!
//! The page never touches a profile: it sends the file's bytes to the
//! worker, which decodes them with proflens-core and answers report
//! queries. Everything but the bytes travels as postcard-encoded
//! [`Request`] and [`Response`] values.

use serde::{Deserialize, Serialize};

/// What the page asks of the worker (besides loading bytes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Compute the top report for a query; `id` comes back with the answer.
    Top {
        /// Matches the answer to the question.
        id: u32,
        /// The report options.
        query: Query,
    },
}

/// Report options as the page's URL carries them (pprof's parameter names).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Sample type name or index; "" for the profile's default.
    pub si: String,
    /// "flat" or "cum".
    pub sort: String,
    /// Granularity: functions, filefunctions, files, lines, addresses.
    pub g: String,
    /// Focus regexp.
    pub f: String,
    /// Ignore regexp.
    pub i: String,
    /// Hide regexp.
    pub h: String,
    /// Show regexp.
    pub s: String,
    /// Show-from regexp.
    pub sf: String,
    /// Node count limit; None for none (the page shows every node).
    pub n: Option<usize>,
    /// Node fraction; None for pprof's default.
    pub nf: Option<f64>,
    /// Edge fraction; None for pprof's default.
    pub ef: Option<f64>,
    /// Offset east of UTC, in seconds, for the "Time:" line.
    pub tz_offset_seconds: i32,
}

/// Stages of loading a profile, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// The browser reads the file.
    Read,
    /// Inflating gzip and decoding protobuf (they stream together).
    Decode,
    /// Resolving ids and building the model.
    Resolve,
    /// Computing the first report.
    Aggregate,
}

impl Stage {
    /// A label for the progress bar.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Read => "Reading",
            Stage::Decode => "Decoding",
            Stage::Resolve => "Resolving",
            Stage::Aggregate => "Aggregating",
        }
    }
}

/// A sample type of the loaded profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleType {
    /// e.g. "inuse_space".
    pub name: String,
    /// e.g. "bytes".
    pub unit: String,
}

/// What the page needs to know about a loaded profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The file name the user gave.
    pub file_name: String,
    /// Every sample type, in profile order.
    pub sample_types: Vec<SampleType>,
    /// The index pprof shows by default.
    pub default_index: usize,
    /// How many samples.
    pub samples: usize,
    /// How many functions.
    pub functions: usize,
    /// When the profile was taken (Unix nanoseconds), 0 if unknown.
    pub time_nanos: i64,
}

/// One row of the top table, numbers and pprof's texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopRow {
    /// Printable node name.
    pub name: String,
    /// Flat value in sample units.
    pub flat: i64,
    /// Cumulative value in sample units.
    pub cum: i64,
    /// Flat, formatted.
    pub flat_text: String,
    /// Flat percentage, formatted.
    pub flat_pct: String,
    /// Running flat percentage, formatted.
    pub sum_pct: String,
    /// Cum, formatted.
    pub cum_text: String,
    /// Cum percentage, formatted.
    pub cum_pct: String,
    /// "", "(inline)" or "(partial-inline)".
    pub inline: String,
}

/// The top report for a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTable {
    /// pprof's header lines.
    pub legend: Vec<String>,
    /// Rows in pprof's order for the query's sort.
    pub rows: Vec<TopRow>,
    /// The sample type shown.
    pub sample_type: String,
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is running and listening; messages sent before this are
    /// lost, so the page queues them until it arrives.
    Ready,
    /// Loading has reached `done` of `total` bytes at `stage`.
    Progress {
        /// The stage.
        stage: Stage,
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// The profile loaded.
    Loaded(Summary),
    /// The profile did not load (the message says why).
    LoadFailed(String),
    /// The answer to `Request::Top`.
    Top {
        /// The request's id.
        id: u32,
        /// The report, or why it could not be made.
        result: Result<TopTable, String>,
    },
}

/// Encodes a message for postMessage.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).expect("encoding to a Vec cannot fail")
}

/// Decodes a message from postMessage.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("bad message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let r = Request::Top {
            id: 7,
            query: Query { si: "alloc_space".into(), nf: Some(0.01), ..Query::default() },
        };
        assert_eq!(decode::<Request>(&encode(&r)).unwrap(), r);
        let p = Response::Progress { stage: Stage::Decode, done: 5, total: 10 };
        assert_eq!(decode::<Response>(&encode(&p)).unwrap(), p);
        assert!(decode::<Response>(&[0xff, 0xff]).is_err());
    }
}
