//! Command-line arguments, spelled like pprof's options in kebab-case.

use std::fs::File;
use std::io::BufReader;

use clap::{Args, Parser, Subcommand, ValueEnum};
use proflens_core::compare::{combine, BaseMode, Combine};
use proflens_core::graph::Granularity;
use proflens_core::report::{ReportOptions, Sort};
use proflens_core::Profile;

/// Analyze pprof profiles: the reports of `go tool pprof`, number for number.
#[derive(Parser, Debug)]
#[command(name = "proflens", version, about)]
pub struct Cli {
    /// The report to print.
    #[command(subcommand)]
    pub command: Command,
}

/// The reports.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Top entries by flat (or cum) value, as `go tool pprof -top`.
    Top(ReportArgs),
    /// Every sample with its stack, as `go tool pprof -traces`.
    Traces(ReportArgs),
    /// Each node with its callers and callees, as `go tool pprof -tree`.
    Tree(ReportArgs),
    /// Collapsed (folded) stacks: `root;caller;leaf N` per distinct stack,
    /// sorted, as inferno and the FlameGraph scripts write them.
    Collapsed(ReportArgs),
    /// Source lines of functions matching REGEX with their costs, as `go tool pprof -list`.
    List {
        /// Regexp matched against function names.
        regex: String,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// The call graph in DOT, as `go tool pprof -dot`.
    Dot(ReportArgs),
    /// Leak suspects: allocation sites whose in-use memory grows across two
    /// or more heap profiles (ordered by their times, else as given).
    Leaks {
        /// The heap profiles.
        #[arg(required = true, num_args = 2.., value_name = "FILE")]
        files: Vec<String>,
    },
    /// Serve the analyzer page on 127.0.0.1 with the profiles loaded, as
    /// `go tool pprof -http` does; prints the address.
    Serve {
        /// The profiles (the first opens; the others are served beside it).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Open the page in the browser.
        #[arg(long)]
        open: bool,
        /// Also answer requests for HOST (a name or name:port; repeatable).
        /// Only localhost, 127.0.0.1 and [::1] are answered otherwise, so
        /// that no web page can read the profiles by pointing its own name
        /// at this machine.
        #[arg(long, value_name = "HOST")]
        allow_host: Vec<String>,
    },
    /// Write the analyzer page with the profile inside, one HTML file that
    /// works offline (for a bug report, say).
    Export {
        /// The profile.
        file: String,
        /// Where to write the page.
        #[arg(short, long, value_name = "HTML")]
        output: String,
    },
    /// Label values with their share of each label key, as `go tool pprof -tags`.
    Tags(ReportArgs),
    /// Name a profile's addresses from the binaries it came from and write
    /// the symbolized profile (gzip profile.proto); the per-mapping report
    /// goes to stderr.
    Symbolize {
        /// The binaries (ELF executables, shared libraries, debug files),
        /// then the profile.
        #[arg(required = true, num_args = 2.., value_name = "BINARY... PROFILE")]
        files: Vec<String>,
        /// Where to write the symbolized profile.
        #[arg(short, long, value_name = "OUT.pb.gz")]
        output: String,
    },
    /// Callers and callees of the nodes matching REGEX, as `go tool pprof -peek`.
    Peek {
        /// Regexp matched against node names.
        regex: String,
        #[command(flatten)]
        report: ReportArgs,
    },
}

/// pprof's granularities.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum GranularityArg {
    Functions,
    Filefunctions,
    Files,
    Lines,
    Addresses,
}

/// Options shared by every report.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The profiles: gzip-compressed or raw profile.proto. Several are
    /// merged, as `go tool pprof a b` does. Binaries (ELF executables,
    /// shared libraries or debug files, recognised by content) given before
    /// them name their addresses, as `go tool pprof BINARY PROFILE` does.
    #[arg(required = true, value_name = "[BINARY...] FILE")]
    pub files: Vec<String>,
    /// Subtract this profile and show the change, with percentages of its
    /// total (`-diff_base`). Repeatable: several bases are merged.
    #[arg(long, value_name = "FILE")]
    pub diff_base: Vec<String>,
    /// Subtract this profile (`-base`). Repeatable.
    #[arg(long, value_name = "FILE", conflicts_with = "diff_base")]
    pub base: Vec<String>,
    /// Scale the profiles so their totals equal the base's before
    /// subtracting.
    #[arg(long)]
    pub normalize: bool,
    /// Sample type by name (alloc_space, inuse_objects, cpu, ...) or index.
    #[arg(long, value_name = "INDEX")]
    pub sample_index: Option<String>,
    /// Sort by cumulative value instead of flat.
    #[arg(long)]
    pub cum: bool,
    /// Show at most N nodes.
    #[arg(long, value_name = "N")]
    pub nodecount: Option<usize>,
    /// Hide nodes below this fraction of the total.
    #[arg(long, value_name = "F", default_value_t = 0.005)]
    pub nodefraction: f64,
    /// Hide edges below this fraction of the total.
    #[arg(long, value_name = "F", default_value_t = 0.001)]
    pub edgefraction: f64,
    /// Ignore nodecount, nodefraction and edgefraction.
    #[arg(long)]
    pub no_trim: bool,
    /// What a node stands for.
    #[arg(long, value_enum, default_value = "functions")]
    pub granularity: GranularityArg,
    /// Attribute inlined functions to their first out-of-line caller.
    #[arg(long)]
    pub noinlines: bool,
    /// Keep only samples through a frame matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub focus: Option<String>,
    /// Drop samples through a frame matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub ignore: Option<String>,
    /// Remove frames matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub hide: Option<String>,
    /// Keep only frames matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub show: Option<String>,
    /// Drop frames above the highest frame matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub show_from: Option<String>,
    /// Keep only samples with labels matching: `key=regexp`, regexps
    /// matched against `key:value`, or a numeric range (`bytes=1kb:`).
    #[arg(long, value_name = "FILTER")]
    pub tagfocus: Option<String>,
    /// Drop samples with labels matching (same syntax as --tagfocus).
    #[arg(long, value_name = "FILTER")]
    pub tagignore: Option<String>,
    /// Show only label keys matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub tagshow: Option<String>,
    /// Hide label keys matching this regexp.
    #[arg(long, value_name = "REGEX")]
    pub taghide: Option<String>,
    /// Add pseudo-frames for these comma-separated label keys at the root
    /// of every stack.
    #[arg(long, value_name = "KEYS")]
    pub tagroot: Option<String>,
    /// Add pseudo-frames for these comma-separated label keys at the leaf
    /// of every stack.
    #[arg(long, value_name = "KEYS")]
    pub tagleaf: Option<String>,
    /// Output unit: minimum, auto, or a unit (B, kB, MB, ns, ms, s, ...).
    #[arg(long, default_value = "minimum")]
    pub unit: String,
    /// Percentages of the filtered total, not the whole profile.
    #[arg(long)]
    pub relative_percentages: bool,
    /// Keep frames the profile's drop_frames would remove.
    #[arg(long)]
    pub all_frames: bool,
    /// Memory the profile's decoded tables may take, e.g. 8GB (default:
    /// twice the file's size, at least 1 GiB).
    #[arg(long, value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: Option<u64>,
    /// Leave out nodes with negative values.
    #[arg(long)]
    pub drop_negative: bool,
    /// Prefix to strip from source file paths.
    #[arg(long, default_value = "")]
    pub trim_path: String,
    /// Where to look for source files.
    #[arg(long, default_value = "")]
    pub source_path: String,
}

impl ReportArgs {
    /// The report options these arguments ask for.
    pub fn options(&self) -> ReportOptions {
        ReportOptions {
            sample_index: self.sample_index.clone().unwrap_or_default(),
            sort: if self.cum { Sort::Cum } else { Sort::Flat },
            node_count: self.nodecount,
            node_fraction: self.nodefraction,
            edge_fraction: self.edgefraction,
            trim: !self.no_trim,
            granularity: match self.granularity {
                GranularityArg::Functions => Granularity::Functions,
                GranularityArg::Filefunctions => Granularity::FileFunctions,
                GranularityArg::Files => Granularity::Files,
                GranularityArg::Lines => Granularity::Lines,
                GranularityArg::Addresses => Granularity::Addresses,
            },
            noinlines: self.noinlines,
            focus: self.focus.clone().unwrap_or_default(),
            ignore: self.ignore.clone().unwrap_or_default(),
            hide: self.hide.clone().unwrap_or_default(),
            show: self.show.clone().unwrap_or_default(),
            show_from: self.show_from.clone().unwrap_or_default(),
            tag_focus: self.tagfocus.clone().unwrap_or_default(),
            tag_ignore: self.tagignore.clone().unwrap_or_default(),
            tag_show: self.tagshow.clone().unwrap_or_default(),
            tag_hide: self.taghide.clone().unwrap_or_default(),
            tag_root: self.tagroot.clone().unwrap_or_default(),
            tag_leaf: self.tagleaf.clone().unwrap_or_default(),
            unit: self.unit.clone(),
            relative_percentages: self.relative_percentages,
            drop_negative: self.drop_negative,
            trim_path: self.trim_path.clone(),
            source_path: self.source_path.clone(),
            time_zone: jiff::tz::TimeZone::system(),
            // pprof lists every comment.
            legend_comments: None,
        }
    }

    /// Reads and decodes the profiles, merges or subtracts them as asked,
    /// adds the tagroot/tagleaf pseudo-frames, and builds the report
    /// options; pprof's notices about the tag options go to stderr.
    pub fn load(&self) -> Result<(Profile, ReportOptions), String> {
        let (binaries, files) = crate::binaries::Binaries::split(&self.files)?;
        if files.is_empty() {
            return Err("no profile given: every file is a binary; give the profile after them".to_string());
        }
        let read = |paths: &[String]| -> Result<Vec<Profile>, String> {
            paths
                .iter()
                .map(|p| {
                    if binaries.is_empty() {
                        load_profile(p, self.all_frames, self.max_memory)
                    } else {
                        load_symbolized(&binaries, p, self.all_frames, self.max_memory)
                    }
                })
                .collect()
        };
        let sources = read(&files)?;
        let (bases, mode) = if self.base.is_empty() {
            (read(&self.diff_base)?, BaseMode::Diff)
        } else {
            (read(&self.base)?, BaseMode::Subtract)
        };
        if self.normalize && bases.is_empty() {
            return Err("--normalize needs --base or --diff-base".to_string());
        }
        let profile = if sources.len() == 1 && bases.is_empty() {
            sources.into_iter().next().expect("one profile")
        } else {
            combine(&Combine { sources: &sources, bases: &bases, mode, normalize: self.normalize })
                .map_err(|e| e.to_string())?
        };
        let options = self.options();
        let prepared = proflens_core::tags::prepare(profile, &options).map_err(|e| e.to_string())?;
        for notice in &prepared.notices {
            eprintln!("{notice}");
        }
        Ok((prepared.profile, options))
    }
}

/// Reads a profile file, symbolizes it with `binaries` and decodes the
/// result; mappings that could not be named are reported on stderr, as
/// pprof reports them.
fn load_symbolized(
    binaries: &crate::binaries::Binaries,
    path: &str,
    all_frames: bool,
    max_memory: Option<u64>,
) -> Result<Profile, String> {
    let options = crate::memory::decode_options(path, all_frames, max_memory);
    let (bytes, report) = binaries.symbolize(path, &options)?;
    for line in report.iter().filter(|l| !l.contains(" locations named from ")) {
        eprintln!("proflens: {line}");
    }
    proflens_core::decode(&bytes, &options)
        .map_err(|e| crate::memory::explain(&format!("{path} (symbolized)"), &e))
}

/// Reads a profile file, streaming it through the decoder, with memory caps
/// scaled to the file (or `max_memory`).
pub fn load_profile(path: &str, all_frames: bool, max_memory: Option<u64>) -> Result<Profile, String> {
    let file = File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let options = crate::memory::decode_options(path, all_frames, max_memory);
    proflens_core::decode_reader(BufReader::with_capacity(256 << 10, file), &options)
        .map_err(|e| crate::memory::explain(path, &e))
}
