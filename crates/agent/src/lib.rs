//! proflens-agent (in progress).
