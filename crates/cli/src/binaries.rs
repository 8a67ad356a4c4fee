//! Binaries among the file arguments (pprof's `[BINARY...] PROFILE`
//! convention, told apart by content) and symbolizing profiles with them.

use std::io::Read as _;

use proflens_core::DecodeOptions;
use proflens_symbolize::{is_object_file, symbolize, ObjectFile};

/// Object files read whole, with the paths they were given as.
pub struct Binaries {
    files: Vec<(String, Vec<u8>)>,
}

impl Binaries {
    /// Splits `paths` into object files (read now) and the rest, in order.
    pub fn split(paths: &[String]) -> Result<(Binaries, Vec<String>), String> {
        let mut files = Vec::new();
        let mut rest = Vec::new();
        for path in paths {
            if looks_like_object(path)? {
                let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
                files.push((path.clone(), bytes));
            } else {
                rest.push(path.clone());
            }
        }
        Ok((Binaries { files }, rest))
    }

    /// No binaries were given.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Symbolizes the profile at `path`; returns the symbolized profile
    /// (gzip profile.proto) and the symbolizer's per-mapping report.
    pub fn symbolize(&self, path: &str, options: &DecodeOptions) -> Result<(Vec<u8>, Vec<String>), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let objects: Vec<ObjectFile<'_>> =
            self.files.iter().map(|(name, bytes)| ObjectFile { name, bytes }).collect();
        let out = symbolize(&bytes, &objects, options).map_err(|e| format!("{path}: {e}"))?;
        Ok((out.profile, out.report))
    }
}

/// Whether the file at `path` starts like an object file.
fn looks_like_object(path: &str) -> Result<bool, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let mut head = Vec::with_capacity(4);
    file.take(4).read_to_end(&mut head).map_err(|e| format!("cannot read {path}: {e}"))?;
    Ok(is_object_file(&head))
}
