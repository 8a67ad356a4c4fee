//! The endpoint's settings.

use std::time::Duration;

/// Settings for the endpoints. `Config::default()` serves under
/// `/debug/pprof` to loopback clients only, with no token, CPU profiles of
/// 30 s by default and at most 300 s, sampled at 100 Hz, at most 4 profile
/// requests at once and 10 s for a client to send its request.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) prefix: String,
    pub(crate) token: Option<String>,
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) request_deadline: Duration,
    pub(crate) max_concurrent_profiles: usize,
    pub(crate) default_seconds: u64,
    pub(crate) max_seconds: u64,
    pub(crate) cpu_hz: u32,
    pub(crate) allow_remote: bool,
    pub(crate) thread_signal: i32,
    pub(crate) symbolize: bool,
    #[cfg(feature = "tokio-taskdump")]
    pub(crate) tokio: Option<tokio::runtime::Handle>,
    /// Set by `serve_with`: the router runs on the agent's own runtime,
    /// whose tasks are not the program's.
    pub(crate) standalone: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            prefix: "/debug/pprof".into(),
            token: None,
            allowed_hosts: Vec::new(),
            request_deadline: Duration::from_secs(10),
            max_concurrent_profiles: 4,
            default_seconds: 30,
            max_seconds: 300,
            cpu_hz: 100,
            allow_remote: false,
            thread_signal: crate::threads::default_signal(),
            symbolize: true,
            #[cfg(feature = "tokio-taskdump")]
            tokio: None,
            standalone: false,
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

    /// Lets [`crate::serve_with`] listen on addresses other than loopback,
    /// and the router answer peers that are not on loopback. Off by
    /// default: profiles reveal a lot about a process; set a
    /// [`Config::token`] too. (With a token and without this, the router
    /// answers any peer that has the token; `serve_with` still listens on
    /// loopback only.)
    pub fn allow_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// Also answers requests whose `Host` is `host` (`name` or
    /// `name:port`). Without a token and without
    /// [`Config::allow_remote`], only loopback names (`localhost`,
    /// 127.0.0.0/8, `[::1]`) are answered, so that a web page whose DNS
    /// name is pointed at 127.0.0.1 (DNS rebinding) cannot read the
    /// profiles; name the hosts your own tools use here. Once a host is
    /// named, the check applies with a token or `allow_remote` too. A value
    /// that is not a host makes [`crate::serve_with`] fail and matches
    /// nothing in the router.
    pub fn allow_host(mut self, host: &str) -> Self {
        self.allowed_hosts.push(host.to_string());
        self
    }

    /// How long a client has to send its whole request head (default
    /// 10 s), however it spaces the bytes; then [`crate::serve_with`]'s
    /// server closes the connection. (A router mounted in another server
    /// follows that server's limits, and refuses request bodies itself.)
    pub fn request_deadline(mut self, deadline: Duration) -> Self {
        self.request_deadline = deadline.max(Duration::from_millis(100));
        self
    }

    /// How many profile requests (profile, heap, allocs, threads, tasks)
    /// run at once (default 4, at least 1); more get 503 with
    /// `Retry-After`. The index, cmdline and the page are not counted.
    pub fn max_concurrent_profiles(mut self, n: usize) -> Self {
        self.max_concurrent_profiles = n.max(1);
        self
    }

    /// The real-time signal used to capture thread stacks (default
    /// SIGRTMIN+6). It must have no other handler in the process.
    pub fn thread_signal(mut self, signal: i32) -> Self {
        self.thread_signal = signal;
        self
    }

    /// Whether profiles name their functions, files and lines (default
    /// true). With `false`, `heap`, `allocs`, `profile` and `threads` are
    /// address-only, as pprof-rs and perf write them: each location is an
    /// absolute program counter (the interrupted instruction at the leaf
    /// of CPU and thread stacks, the return address minus one, inside the
    /// call, for callers) in a mapping that gives the file, its GNU build
    /// ID and the start, limit and file offset the kernel mapped it at,
    /// with `has_functions` false. `go tool pprof` or proflens symbolize
    /// them later from the binary. The process then reads no debug
    /// information at all (cheaper for big binaries: no symbolization
    /// time, no debug-information cache in memory). The text forms
    /// (`debug=1`, `debug=2`) and `tasks` are always symbolized.
    pub fn symbolize(mut self, symbolize: bool) -> Self {
        self.symbolize = symbolize;
        self
    }

    /// The tokio runtime whose tasks `tasks` dumps, for servers not running
    /// on it (within an axum app the current runtime is used).
    #[cfg(feature = "tokio-taskdump")]
    pub fn tokio_handle(mut self, handle: tokio::runtime::Handle) -> Self {
        self.tokio = Some(handle);
        self
    }

    /// Whether only loopback clients are answered: no token and no
    /// `allow_remote`.
    pub(crate) fn loopback_only(&self) -> bool {
        self.token.is_none() && !self.allow_remote
    }

    /// The Host check this configuration asks for; `Err` names a host
    /// value that is not one.
    pub(crate) fn host_check(&self) -> Result<proflens_http::HostCheck, String> {
        self.allowed_hosts.iter().try_fold(self.base_host_check(), |check, h| check.allow(h))
    }

    /// [`Config::host_check`], leaving out host values that are not hosts.
    pub(crate) fn host_check_lenient(&self) -> proflens_http::HostCheck {
        self.allowed_hosts
            .iter()
            .fold(self.base_host_check(), |check, h| check.clone().allow(h).unwrap_or(check))
    }

    fn base_host_check(&self) -> proflens_http::HostCheck {
        if self.loopback_only() || !self.allowed_hosts.is_empty() {
            proflens_http::HostCheck::loopback()
        } else {
            proflens_http::HostCheck::any()
        }
    }

    /// The runtime whose tasks `tasks` dumps: the configured one, else (in
    /// a framework) the one serving the request; never the built-in
    /// server's own.
    pub(crate) fn tasks_handle(&self) -> Option<crate::tasks::Handle> {
        #[cfg(feature = "tokio-taskdump")]
        {
            self.tokio.clone().or_else(|| {
                if self.standalone {
                    None
                } else {
                    tokio::runtime::Handle::try_current().ok()
                }
            })
        }
        #[cfg(not(feature = "tokio-taskdump"))]
        {
            None
        }
    }

    /// The effective default CPU profile duration.
    pub(crate) fn cpu_default_seconds(&self) -> u64 {
        self.default_seconds.min(self.max_seconds)
    }
}
