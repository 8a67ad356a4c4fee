//! Why a worker stopped, in words: out of memory, out of stack, a bug (a
//! panic, with its message), or something else the browser reported. Pure
//! Rust, tested natively.
//!
//! A worker stops with a wasm trap. A panic reaches the page first as the
//! worker's own [`crate::protocol::Response::Panicked`] message, sent by
//! its panic hook. A failed memory allocation does not panic: Rust aborts,
//! which in wasm is an `unreachable` trap with no message before it; so
//! "unreachable" without a panic, or a RangeError about memory, means the
//! tab's WebAssembly memory (4 GB at most) ran out.

/// Why a worker stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crash {
    /// WebAssembly memory ran out.
    OutOfMemory,
    /// The call stack ran out (very deep recursion).
    StackOverflow,
    /// A bug: the panic's message.
    Panic(String),
    /// Something else the browser reported.
    Stopped(String),
}

impl Crash {
    /// The crash an error event's message describes (no panic came first).
    pub fn classify(error: &str) -> Crash {
        let lower = error.to_ascii_lowercase();
        if lower.contains("call stack") || lower.contains("too much recursion") {
            Crash::StackOverflow
        } else if lower.contains("memory") || lower.contains("allocation") || lower.contains("unreachable") {
            Crash::OutOfMemory
        } else {
            let text = error.trim().trim_start_matches("Uncaught ").trim();
            Crash::Stopped(if text.is_empty() { "no reason given".into() } else { text.into() })
        }
    }

    /// What to tell the user: what happened while `doing` (e.g. "loading
    /// heap.pb.gz"), and what to do.
    pub fn message(&self, doing: &str) -> String {
        match self {
            Crash::OutOfMemory => format!(
                "The analysis ran out of memory while {doing}: a browser tab gives WebAssembly at most \
                 4 GB. Open the profile with the proflens command instead (proflens top FILE)."
            ),
            Crash::StackOverflow => format!(
                "The analysis ran out of stack while {doing}: the profile's call stacks are too deep \
                 for a browser tab. Open it with the proflens command instead (proflens top FILE)."
            ),
            Crash::Panic(message) => format!(
                "The analysis stopped on an internal error while {doing}: {message}. \
                 This is a proflens bug; please report it with the profile if you can."
            ),
            Crash::Stopped(message) => format!("The analysis worker stopped while {doing}: {message}."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_errors_are_told_apart() {
        assert_eq!(Crash::classify("Uncaught RuntimeError: unreachable"), Crash::OutOfMemory);
        assert_eq!(
            Crash::classify("Uncaught RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded"),
            Crash::OutOfMemory
        );
        assert_eq!(
            Crash::classify("Uncaught RangeError: Array buffer allocation failed"),
            Crash::OutOfMemory
        );
        assert_eq!(
            Crash::classify("Uncaught RangeError: Maximum call stack size exceeded"),
            Crash::StackOverflow
        );
        assert_eq!(
            Crash::classify("Uncaught TypeError: x is not a function"),
            Crash::Stopped("TypeError: x is not a function".into())
        );
        assert_eq!(Crash::classify(""), Crash::Stopped("no reason given".into()));
    }

    #[test]
    fn messages_say_what_happened_and_what_to_do() {
        let oom = Crash::OutOfMemory.message("loading big.pb.gz");
        assert!(oom.starts_with("The analysis ran out of memory while loading big.pb.gz"), "{oom}");
        assert!(oom.contains("proflens top"), "{oom}");
        assert!(!oom.contains("may be too large"), "a guess is not a reason: {oom}");
        let panic = Crash::Panic("index out of bounds".into()).message("computing the Graph view");
        assert!(
            panic.contains("internal error while computing the Graph view: index out of bounds"),
            "{panic}"
        );
    }
}
