//! The `proflens` binary: a thin shell over proflens_cli::run_args.

#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use proflens_cli::{run_args, Outcome};

fn main() -> ExitCode {
    match run_args(std::env::args_os()) {
        Outcome::Output(text) | Outcome::Info(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Outcome::Failed { message, status } => {
            let message = message.trim_end();
            if status == 2 {
                eprintln!("{message}");
            } else {
                eprintln!("proflens: {message}");
            }
            ExitCode::from(status)
        }
    }
}
