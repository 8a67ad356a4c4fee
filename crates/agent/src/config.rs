//! The endpoint's settings.

/// Settings for the endpoints. `Config::default()` serves under
/// `/debug/pprof` with no token, CPU profiles of 30 s by default and at most
/// 300 s, sampled at 100 Hz.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) prefix: String,
    pub(crate) token: Option<String>,
    pub(crate) default_seconds: u64,
    pub(crate) max_seconds: u64,
    pub(crate) cpu_hz: u32,
    pub(crate) allow_remote: bool,
    pub(crate) thread_signal: i32,
    #[cfg(feature = "tokio-taskdump")]
    pub(crate) tokio: Option<tokio::runtime::Handle>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            prefix: "/debug/pprof".into(),
            token: None,
            default_seconds: 30,
            max_seconds: 300,
            cpu_hz: 100,
            allow_remote: false,
            thread_signal: crate::threads::default_signal(),
            #[cfg(feature = "tokio-taskdump")]
            tokio: None,
        }
    }
}

impl Config {
    /// The same as `Config::default()`.
    pub fn new() -> Self {
        Config::default()
    }

    /// The path the endpoints are served under by [`crate::serve_with`]
    /// (default `/debug/pprof`; `""` or `"/"` serves at the root). Routers
    /// mounted in a framework ignore it: the mount point decides.
    pub fn prefix(mut self, prefix: &str) -> Self {
        let p = prefix.trim_end_matches('/');
        self.prefix = if p.is_empty() || p.starts_with('/') { p.to_string() } else { format!("/{p}") };
        self
    }

    /// Requires `Authorization: Bearer <token>` on every request.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The longest CPU profile or heap delta a request may ask for, in
    /// seconds (default 300); longer requests get 400.
    pub fn max_seconds(mut self, seconds: u64) -> Self {
        self.max_seconds = seconds.max(1);
        self
    }

    /// The CPU profile duration when the request names none (default 30;
    /// capped by [`Config::max_seconds`]).
    pub fn default_seconds(mut self, seconds: u64) -> Self {
        self.default_seconds = seconds.max(1);
        self
    }

    /// CPU samples per second (default 100, as Go).
    pub fn cpu_frequency(mut self, hz: u32) -> Self {
        self.cpu_hz = hz.clamp(1, 10_000);
        self
    }

    /// Lets [`crate::serve_with`] listen on addresses other than loopback.
    /// Off by default: profiles reveal a lot about a process; set a
    /// [`Config::token`] too.
    pub fn allow_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// The real-time signal used to capture thread stacks (default
    /// SIGRTMIN+6). It must have no other handler in the process.
    pub fn thread_signal(mut self, signal: i32) -> Self {
        self.thread_signal = signal;
        self
    }

    /// The tokio runtime whose tasks `tasks` dumps, for servers not running
    /// on it (within an axum app the current runtime is used).
    #[cfg(feature = "tokio-taskdump")]
    pub fn tokio_handle(mut self, handle: tokio::runtime::Handle) -> Self {
        self.tokio = Some(handle);
        self
    }

    /// The effective default CPU profile duration.
    pub(crate) fn cpu_default_seconds(&self) -> u64 {
        self.default_seconds.min(self.max_seconds)
    }
}
