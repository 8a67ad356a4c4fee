//! The `#` comment lines Go writes under each record of its `?debug=1`
//! texts (goroutine, threadcreate, heap, mutex, block), which pprof
//! ignores. Each names the frame at one address, the call address Go
//! already moved back by one byte, as pprof's reading of the record does:
//!
//! ```text
//! 32 @ 0x47026e 0x406c9c
//! #    0x406c9b    main.idleWorker+0x4c    gen/leak/main.go:327
//! ```
//!
//! Consecutive lines with one address are its inlined frames, innermost
//! first. Addresses Go printed no line for (the runtime frames it hides)
//! stay unnamed.

use std::collections::HashMap;

use super::build::Frame;

/// What the header comment says about how frames were named.
pub(crate) const NAMED_FROM_COMMENTS: &str =
    "Frames named from the # comment lines of Go's ?debug=1 text (no binary; unnamed frames are runtime frames Go does not print)";

/// The frames the comment lines name, by address.
#[derive(Default)]
pub(crate) struct CommentNames {
    names: HashMap<u64, Vec<Frame>>,
    last_named: Option<u64>,
}

impl CommentNames {
    /// Reads the text after a line's `#`; false when it names no frame.
    pub fn read(&mut self, comment: &str) -> bool {
        let Some((address, frame)) = comment_frame(comment) else { return false };
        let frames = self.names.entry(address).or_default();
        // A later record naming the address again replaces its frames.
        if self.last_named != Some(address) {
            frames.clear();
        }
        frames.push(frame);
        self.last_named = Some(address);
        true
    }

    /// A line that is no frame comment ends the run of one address.
    pub fn end_block(&mut self) {
        self.last_named = None;
    }

    /// The frames of `address` (innermost first); none if Go named none.
    pub fn frames(&self, address: u64) -> &[Frame] {
        self.names.get(&address).map_or(&[][..], Vec::as_slice)
    }

    /// Forgets every name (for addresses-only reading).
    pub fn clear(&mut self) {
        self.names.clear();
    }
}

/// `\t0x6eb9ec\tmain.idleWorker+0x4c\tgen/leak/main.go:327`.
pub(crate) fn comment_frame(comment: &str) -> Option<(u64, Frame)> {
    let mut fields = comment.split('\t').map(str::trim).filter(|f| !f.is_empty());
    let address = u64::from_str_radix(fields.next()?.strip_prefix("0x")?, 16).ok()?;
    let symbol = fields.next()?;
    let name = match symbol.rfind("+0x") {
        Some(plus) => &symbol[..plus],
        None => symbol,
    };
    let (file, line) = match fields.next().and_then(|p| p.rsplit_once(':')) {
        Some((file, n)) => (file.to_string(), n.parse().unwrap_or(0)),
        None => (String::new(), 0),
    };
    Some((address, Frame { name: name.to_string(), file, line }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines() {
        let (a, f) = comment_frame("\t0x6eb9ec\tmain.idleWorker+0x4c\tgen/leak/main.go:327").unwrap();
        assert_eq!(a, 0x6eb9ec);
        assert_eq!(f, Frame { name: "main.idleWorker".into(), file: "gen/leak/main.go".into(), line: 327 });
        assert!(comment_frame("\t0x0").is_none());
        assert!(comment_frame(" runtime.MemStats").is_none());
    }

    #[test]
    fn consecutive_lines_are_inlined_frames() {
        let mut names = CommentNames::default();
        assert!(names.read("\t0x10\tinner+0x1\ta.go:1"));
        assert!(names.read("\t0x10\touter+0x1\ta.go:2"));
        names.end_block();
        assert!(names.read("\t0x10\tagain+0x1\ta.go:3"));
        assert_eq!(names.frames(0x10).len(), 1, "a new record replaces the frames");
        assert!(names.frames(0x11).is_empty());
    }
}
