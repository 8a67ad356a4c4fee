//! proflens: go tool pprof's text reports, computed by proflens-core.
//!
//! The binary only parses arguments, reads files and prints what core
//! returns; every number comes from proflens-core. The library form lets
//! tests run the exact command line without spawning a process.

mod args;
mod sources;

use std::ffi::OsString;

use clap::Parser;

pub use args::{Cli, Command};

/// What running the CLI produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Text for stdout; exit status 0.
    Output(String),
    /// Help or version text clap printed; exit status 0.
    Info(String),
    /// An error for stderr; exit status 1 (2 for usage errors).
    Failed {
        /// The message, one line.
        message: String,
        /// The exit status.
        status: u8,
    },
}

/// Runs `proflens` with `args` (including the program name).
pub fn run_args<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => match run(cli) {
            Ok(text) => Outcome::Output(text),
            Err(message) => Outcome::Failed { message, status: 1 },
        },
        Err(e) if !e.use_stderr() => Outcome::Info(e.to_string()),
        Err(e) => Outcome::Failed { message: e.to_string(), status: 2 },
    }
}

/// Runs a parsed command line and returns what it prints.
pub fn run(cli: Cli) -> Result<String, String> {
    use proflens_core::report;
    match cli.command {
        Command::Top(a) => {
            let (p, o) = a.load()?;
            report::top(&p, &o).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
        Command::Traces(a) => {
            let (p, o) = a.load()?;
            report::traces(&p, &o).map_err(|e| e.to_string())
        }
        Command::Tree(a) => {
            let (p, o) = a.load()?;
            report::tree(&p, &o).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
        Command::List { regex, report: a } => {
            let (p, o) = a.load()?;
            let sources = sources::DiskSources::new(&a.source_path, &a.trim_path);
            report::list(&p, &o, &regex).map(|l| l.to_text(&sources)).map_err(|e| e.to_string())
        }
        Command::Dot(a) => {
            let (p, o) = a.load()?;
            report::dot(&p, &o).map(|g| g.to_dot()).map_err(|e| e.to_string())
        }
        Command::Leaks { files } => {
            let profiles: Vec<_> =
                files.iter().map(|f| args::load_profile(f, false)).collect::<Result<_, _>>()?;
            let names: Vec<&str> = files.iter().map(|f| f.rsplit('/').next().unwrap_or(f)).collect();
            let inputs: Vec<report::LeakInput<'_>> = profiles
                .iter()
                .zip(&names)
                .map(|(profile, name)| report::LeakInput { name, profile })
                .collect();
            report::leak_suspects(&inputs).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
        Command::Peek { regex, report: a } => {
            let (p, o) = a.load()?;
            report::peek(&p, &o, &regex).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
    }
}
