//! `cargo xtask setup`: installs what building and testing the page needs,
//! each piece only when it is missing or the wrong version, so it is cheap
//! to run again (`serve`, `dist`, `test` and `perf-web` start with it).
//!
//! | piece | check | install |
//! |---|---|---|
//! | wasm32 target | `rustup target list --installed` | `rustup target add wasm32-unknown-unknown` |
//! | wasm-bindgen (+ test runner) | `wasm-bindgen --version` | `cargo install wasm-bindgen-cli --version 0.2.130` |
//! | trunk | `trunk --version` | `cargo install --locked trunk --version 0.21.14` |
//! | wasm-opt | `.tools/node_modules/.bin/wasm-opt --version` | `npm install` of binaryen 132 in `.tools/` |
//! | Chromium, chromedriver | /usr/bin/chromium, /usr/bin/chromedriver | `apt-get install -y chromium chromium-driver` (root) |
//! | playwright-core, typescript | tests/e2e/node_modules | `npm ci` in tests/e2e |

use std::path::{Path, PathBuf};

use crate::util::{self, output, path_str, run, run_env, which};

/// The wasm-bindgen version: the `wasm-bindgen` crate in crates/web pins it
/// (`=0.2.130`) and Trunk.toml asks for it; the CLI must match exactly.
pub const WASM_BINDGEN: &str = "0.2.130";
/// The trunk version the build is tested with.
pub const TRUNK: &str = "0.21.14";
/// binaryen's version, as Trunk.toml's `wasm_opt = "version_132"` asks.
pub const BINARYEN: &str = "132";
const TARGET: &str = "wasm32-unknown-unknown";

/// What a command needs.
#[derive(Clone, Copy)]
pub struct Needs {
    /// Building the page: the wasm target, wasm-bindgen, trunk, wasm-opt.
    pub build: bool,
    /// Browser tests: Chromium, chromedriver, playwright-core.
    pub browser: bool,
}

/// Everything (`cargo xtask setup`, `test`, `perf-web`).
pub const ALL: Needs = Needs { build: true, browser: true };
/// Building only (`serve`, `dist`).
pub const BUILD: Needs = Needs { build: true, browser: false };

/// Checks each piece and installs what is missing.
pub fn setup(root: &Path, needs: Needs) -> Result<(), String> {
    println!("setup: checking tools (each is installed only when missing)");
    node()?;
    if needs.build {
        wasm_target()?;
        wasm_bindgen()?;
        trunk()?;
        wasm_opt(root)?;
    }
    if needs.browser {
        chromium()?;
        playwright(root)?;
    }
    Ok(())
}

fn ok(what: &str, detail: &str) {
    println!("  ok       {what}: {detail}");
}

fn installing(what: &str, how_long: &str) {
    println!("  install  {what} ({how_long})");
}

fn node() -> Result<(), String> {
    let version = output("node", &["--version"]).ok_or(
        "Node.js is missing: install Node.js 18 or newer with npm (e.g. `apt-get install -y nodejs npm`)",
    )?;
    let major: u32 =
        version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < 18 {
        return Err(format!("Node.js {version} is too old: 18 or newer is needed"));
    }
    let npm =
        output("npm", &["--version"]).ok_or("npm is missing: install it (e.g. `apt-get install -y npm`)")?;
    ok("node", &format!("{version}, npm {npm}"));
    Ok(())
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"])
        .ok_or("rustup is missing: install Rust with rustup (https://rustup.rs) to get the wasm32 target")?;
    if installed.lines().any(|l| l.trim() == TARGET) {
        ok("rust target", TARGET);
        return Ok(());
    }
    installing(&format!("rust target {TARGET}"), "a few seconds");
    run(Path::new("."), "rustup", &["target", "add", TARGET])
}

/// `program --version`'s last word, e.g. "0.2.130" for "wasm-bindgen 0.2.130".
fn version_of(program: &str) -> Option<String> {
    let text = output(program, &["--version"])?;
    text.split_whitespace().nth(1).map(str::to_string)
}

fn wasm_bindgen() -> Result<(), String> {
    let main = version_of("wasm-bindgen");
    let runner = version_of("wasm-bindgen-test-runner");
    if main.as_deref() == Some(WASM_BINDGEN) && runner.as_deref() == Some(WASM_BINDGEN) {
        ok("wasm-bindgen, wasm-bindgen-test-runner", WASM_BINDGEN);
        return Ok(());
    }
    if let Some(v) = main.as_deref().filter(|v| *v != WASM_BINDGEN) {
        println!("  note     wasm-bindgen {v} is on PATH; replacing it with {WASM_BINDGEN} (the version the page's wasm-bindgen crate needs)");
    }
    installing(&format!("wasm-bindgen-cli {WASM_BINDGEN}"), "about 4 minutes on 2 cores");
    // --force: replace a binary of another version, however it was installed.
    run(Path::new("."), "cargo", &["install", "--force", "wasm-bindgen-cli", "--version", WASM_BINDGEN])?;
    match version_of("wasm-bindgen").as_deref() {
        Some(WASM_BINDGEN) => Ok(()),
        other => Err(format!(
            "installed wasm-bindgen-cli, but `wasm-bindgen --version` says {other:?}; is {} first on PATH?",
            util::cargo_bin_dir().display()
        )),
    }
}

fn trunk() -> Result<(), String> {
    match version_of("trunk") {
        Some(v) if v == TRUNK => {
            ok("trunk", TRUNK);
            return Ok(());
        }
        Some(v) => println!("  note     trunk {v} is on PATH; installing {TRUNK}"),
        None => {}
    }
    installing(&format!("trunk {TRUNK}"), "about 8 minutes on 2 cores");
    run(Path::new("."), "cargo", &["install", "--locked", "--force", "trunk", "--version", TRUNK])?;
    match version_of("trunk") {
        Some(v) if v == TRUNK => Ok(()),
        other => Err(format!("installed trunk, but `trunk --version` says {other:?}")),
    }
}

/// wasm-opt from npm's binaryen package, in the git-ignored `.tools/`
/// (Debian's binaryen is too old for Trunk.toml's version_132).
fn wasm_opt(root: &Path) -> Result<(), String> {
    let tools = root.join(".tools");
    let wasm_opt = tools.join("node_modules/.bin/wasm-opt");
    let version = || output(path_str(&wasm_opt).unwrap_or("wasm-opt"), &["--version"]);
    // "wasm-opt version 132 (version_132)"
    let good = |v: &str| v.split_whitespace().nth(2) == Some(BINARYEN);
    if let Some(v) = version().filter(|v| good(v)) {
        ok("wasm-opt", &format!("{v} in .tools/"));
        return Ok(());
    }
    installing(&format!("wasm-opt (npm binaryen@{BINARYEN}.0.0) into .tools/"), "under a minute");
    std::fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    let package = format!(
        "{{\n  \"name\": \"proflens-tools\",\n  \"private\": true,\n  \"description\": \"Build tools for the proflens page, installed by cargo xtask setup (git-ignored).\",\n  \"dependencies\": {{\n    \"binaryen\": \"{BINARYEN}.0.0\"\n  }}\n}}\n"
    );
    std::fs::write(tools.join("package.json"), package).map_err(|e| e.to_string())?;
    run(&tools, "npm", &["install", "--no-audit", "--no-fund"])?;
    match version() {
        Some(v) if good(&v) => Ok(()),
        other => Err(format!("installed binaryen, but `{} --version` says {other:?}", wasm_opt.display())),
    }
}

/// Chromium: $CHROMIUM, else /usr/bin/chromium.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// chromedriver: $CHROMEDRIVER, else /usr/bin/chromedriver.
pub fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

/// Whether Debian packages can be installed here: as root, with apt-get.
pub fn can_apt_install() -> bool {
    output("id", &["-u"]).as_deref() == Some("0") && which("apt-get").is_some()
}

/// Installs Debian `packages` with apt-get (see [`can_apt_install`]).
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    let dir = Path::new(".");
    let install: Vec<&str> = ["install", "-y"].into_iter().chain(packages.iter().copied()).collect();
    run_env(dir, "apt-get", &["update"], &env).and_then(|()| run_env(dir, "apt-get", &install, &env))
}

const APT_HINT: &str = "apt-get update && apt-get install -y chromium chromium-driver";

fn chromium() -> Result<(), String> {
    let (browser, driver) = (chromium_path(), chromedriver_path());
    if !(browser.is_file() && driver.is_file()) {
        let missing: Vec<String> =
            [&browser, &driver].iter().filter(|p| !p.is_file()).map(|p| p.display().to_string()).collect();
        let manual = format!(
            "{} missing. Install Chromium and its driver as root:\n\n    sudo sh -c '{APT_HINT}'\n\n\
             then run this command again (or install Chromium and a chromedriver of the same major \
             version elsewhere and set CHROMIUM=/path/to/chromium CHROMEDRIVER=/path/to/chromedriver)",
            missing.join(" and "),
        );
        if !can_apt_install() {
            return Err(manual);
        }
        installing("chromium, chromium-driver with apt-get", "a minute or two");
        apt_install(&["chromium", "chromium-driver"]).map_err(|e| format!("{e}\n{manual}"))?;
        if !(browser.is_file() && driver.is_file()) {
            return Err(manual);
        }
    }
    let b = output(path_str(&browser)?, &["--version"]).unwrap_or_default();
    let d = output(path_str(&driver)?, &["--version"]).unwrap_or_default();
    let major = |s: &str| {
        s.split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .and_then(|w| w.split('.').next().map(str::to_string))
    };
    ok("chromium", &format!("{} ({})", b, browser.display()));
    ok("chromedriver", &format!("{} ({})", d.split(" (").next().unwrap_or(&d), driver.display()));
    if major(&b) != major(&d) {
        println!("  warning  Chromium and chromedriver have different major versions; the wasm tests may fail to start");
    }
    Ok(())
}

/// tests/e2e's packages, as its package-lock.json pins them: playwright-core
/// (it drives the installed Chromium; no browser is downloaded) and
/// typescript (the npm package's declarations are type-checked).
fn playwright(root: &Path) -> Result<(), String> {
    let dir = root.join("tests/e2e");
    let check = "const deps = require('./package.json').dependencies;\
                 const got = Object.keys(deps).map((d) => [d, require(`./node_modules/${d}/package.json`).version]);\
                 if (got.some(([d, v]) => deps[d] !== v)) process.exit(1);\
                 console.log(got.map(([d, v]) => `${d} ${v}`).join(', '));";
    let installed = std::process::Command::new("node")
        .args(["-e", check])
        .current_dir(&dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(v) = installed {
        ok("browser-test packages", &format!("{v} in tests/e2e/node_modules"));
        return Ok(());
    }
    installing("playwright-core and typescript (npm ci in tests/e2e)", "a few seconds");
    run_env(&dir, "npm", &["ci", "--no-audit", "--no-fund"], &[("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")])
}
