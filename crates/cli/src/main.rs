//! proflens: go tool pprof's text reports, computed by proflens-core.
//!
//! The binary only parses arguments, reads files and prints what core
//! returns; every number comes from proflens-core.

mod args;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("proflens: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<String, String> {
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
        Command::Peek { regex, report: a } => {
            let (p, o) = a.load()?;
            report::peek(&p, &o, &regex).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
    }
}
