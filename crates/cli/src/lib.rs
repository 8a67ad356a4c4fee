//! proflens: go tool pprof's text reports, computed by proflens-core.
//!
//! The binary only parses arguments, reads files and prints what core
//! returns; every number comes from proflens-core. The library form lets
//! tests run the exact command line without spawning a process.

#![forbid(unsafe_code)]

mod args;
mod binaries;
mod memory;
mod page;
pub mod serve;
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

/// The last component of a path.
fn file_name(path: &str) -> &str {
    std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or(path)
}

/// `proflens serve`: checks the files, prints the address, then serves
/// until the process is stopped.
fn serve_files(files: &[String], port: u16, open: bool, allow_host: &[String]) -> Result<String, String> {
    let hosts = serve::host_check(allow_host)?;
    // Without the built page, still serve the profiles, with a note.
    let page = page::page().unwrap_or_else(|why| {
        eprintln!("proflens: {why}");
        page::FALLBACK
    });
    let mut served = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| format!("cannot read {f}: {e}"))?;
        proflens_core::decode(&bytes, &proflens_core::DecodeOptions::default())
            .map_err(|e| format!("{f}: {e}"))?;
        served.push(serve::ServedFile { name: file_name(f).to_string(), bytes });
    }
    let listener = serve::bind(port)?;
    let url = serve::page_url(&listener, &served)?;
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "proflens is serving {} on {url}", served[0].name);
        let base = url.split('?').next().unwrap_or(&url);
        for (i, f) in served.iter().enumerate().skip(1) {
            let _ = writeln!(out, "  also {}: {base}?url={}", f.name, serve::profile_path(i, &f.name));
        }
        let _ = writeln!(out, "Stop with Ctrl-C.");
        let _ = out.flush();
    }
    if open {
        if let Err(e) = serve::open_browser(&url) {
            eprintln!("proflens: {e}");
        }
    }
    serve::serve(listener, page, served, hosts)?;
    Ok(String::new())
}

/// `proflens symbolize BINARY... PROFILE -o OUT`: writes the symbolized
/// profile; the per-mapping report goes to stderr.
fn symbolize_files(files: &[String], output: &str) -> Result<String, String> {
    let (binaries, profiles) = binaries::Binaries::split(files)?;
    let [profile] = profiles.as_slice() else {
        return Err(format!(
            "symbolize wants binaries and then one profile; {} of the files are not binaries: {}",
            profiles.len(),
            profiles.join(", ")
        ));
    };
    if binaries.is_empty() {
        return Err("symbolize wants at least one binary (ELF) before the profile".to_string());
    }
    // The decode cap scales with the file, as for the reports.
    let options = crate::memory::decode_options(profile, false, None);
    let (bytes, report) = binaries.symbolize(profile, &options)?;
    for line in &report {
        eprintln!("{line}");
    }
    std::fs::write(output, &bytes).map_err(|e| format!("cannot write {output}: {e}"))?;
    Ok(format!("wrote {output}\n"))
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
        Command::Collapsed(a) => {
            let (p, o) = a.load()?;
            report::collapsed(&p, &o).map_err(|e| e.to_string())
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
        Command::Tags(a) => {
            let (p, o) = a.load()?;
            report::tags(&p, &o).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
        Command::Dot(a) => {
            let (p, o) = a.load()?;
            report::dot(&p, &o).map(|g| g.to_dot()).map_err(|e| e.to_string())
        }
        Command::Leaks { files } => {
            let profiles: Vec<_> =
                files.iter().map(|f| args::load_profile(f, false, None)).collect::<Result<_, _>>()?;
            let names: Vec<&str> = files.iter().map(|f| f.rsplit('/').next().unwrap_or(f)).collect();
            let inputs: Vec<report::LeakInput<'_>> = profiles
                .iter()
                .zip(&names)
                .map(|(profile, name)| report::LeakInput { name, profile })
                .collect();
            report::leak_suspects(&inputs).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
        Command::Serve { files, port, open, allow_host } => serve_files(&files, port, open, &allow_host),
        Command::Export { file, output } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
            // Refuse what the page would refuse, before writing anything.
            proflens_core::decode(&bytes, &proflens_core::DecodeOptions::default())
                .map_err(|e| format!("{file}: {e}"))?;
            let html = page::page_with_profile(file_name(&file), &bytes)?;
            std::fs::write(&output, html).map_err(|e| format!("cannot write {output}: {e}"))?;
            Ok(format!(
                "wrote {output}: the analyzer with {} inside; open it in a browser, no server needed\n",
                file_name(&file)
            ))
        }
        Command::Symbolize { files, output } => symbolize_files(&files, &output),
        Command::Peek { regex, report: a } => {
            let (p, o) = a.load()?;
            report::peek(&p, &o, &regex).map(|r| r.to_text()).map_err(|e| e.to_string())
        }
    }
}
