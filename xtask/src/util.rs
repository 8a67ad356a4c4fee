//! Helpers for running commands from xtask.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The workspace root (the parent of xtask/).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Puts the project's tools first on PATH for every command xtask starts:
/// `.tools/node_modules/.bin` (wasm-opt) and cargo's bin directory (trunk,
/// wasm-bindgen, which `cargo install` puts there but a fresh shell may not
/// have on PATH yet). Called once, before any thread starts.
pub fn extend_path(root: &Path) {
    let mut dirs = vec![root.join(".tools/node_modules/.bin"), cargo_bin_dir()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let mut seen = Vec::new();
    dirs.retain(|d| {
        let new = !seen.contains(d);
        seen.push(d.clone());
        new
    });
    if let Ok(joined) = std::env::join_paths(dirs) {
        std::env::set_var("PATH", joined);
    }
}

/// Where `cargo install` puts binaries: $CARGO_HOME/bin, else ~/.cargo/bin.
pub fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| OsString::from("/root"))).join(".cargo")
    });
    home.join("bin")
}

/// Runs `program args` in `dir`, echoing it, and fails if it fails.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    run_env(dir, program, args, &[])
}

/// [`run`] with extra environment variables.
pub fn run_env(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let shown: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    println!("$ {shown}{program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The trimmed stdout of `program args`, or None when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The first program named `program` on PATH (or `program` itself when it
/// is a path that exists).
pub fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Path::new(program).exists().then(|| PathBuf::from(program));
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
}

/// A path as UTF-8, for command arguments.
pub fn path_str(path: &Path) -> Result<&str, String> {
    path.to_str().ok_or_else(|| format!("non-UTF-8 path {}", path.display()))
}

/// Named steps with their durations, printed as a summary at the end.
pub struct Steps {
    started: Instant,
    done: Vec<(String, f64)>,
}

impl Steps {
    /// Starts the clock.
    pub fn new() -> Steps {
        Steps { started: Instant::now(), done: Vec::new() }
    }

    /// Runs one step, announcing it and recording how long it took.
    pub fn step(&mut self, name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
        println!("\n==> {name}");
        let start = Instant::now();
        let result = f();
        self.done.push((name.to_string(), start.elapsed().as_secs_f64()));
        result.map_err(|e| format!("{name}: {e}"))
    }

    /// Prints each step's time and the total.
    pub fn summary(&self) {
        println!("\nsteps:");
        for (name, secs) in &self.done {
            println!("  {:>7}  {name}", format_secs(*secs));
        }
        println!("  {:>7}  total", format_secs(self.started.elapsed().as_secs_f64()));
    }
}

fn format_secs(s: f64) -> String {
    if s >= 59.95 {
        let t = s.round() as u64;
        format!("{}m{:02}s", t / 60, t % 60)
    } else {
        format!("{s:.1}s")
    }
}
