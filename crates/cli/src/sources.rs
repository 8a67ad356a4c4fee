//! Source files for `proflens list`, found on disk the way go tool pprof
//! finds them: after trimming, an absolute path must exist; a relative one
//! is tried under each directory of the search path and their parents.

use std::path::{Path, PathBuf};

use proflens_core::graph::trim_source_path;
use proflens_core::report::SourceFiles;

/// Reads source files from disk.
pub struct DiskSources {
    search_path: String,
    trim_path: String,
}

impl DiskSources {
    /// Searches `search_path` (colon-separated; the current directory when
    /// empty), trimming `trim_path` prefixes first.
    pub fn new(search_path: &str, trim_path: &str) -> Self {
        let search_path = if search_path.is_empty() {
            std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_else(|_| ".".into())
        } else {
            search_path.to_string()
        };
        DiskSources { search_path, trim_path: trim_path.to_string() }
    }

    fn find(&self, path: &str) -> Result<PathBuf, String> {
        let path = trim_source_path(path, &self.trim_path, &self.search_path);
        if Path::new(path).is_absolute() {
            return if Path::new(path).is_file() {
                Ok(PathBuf::from(path))
            } else {
                Err(format!("open {path}: no such file or directory"))
            };
        }
        for dir in self.search_path.split(':').filter(|d| !d.is_empty()) {
            let mut dir = PathBuf::from(dir);
            loop {
                let candidate = dir.join(path);
                if candidate.is_file() {
                    return Ok(candidate);
                }
                match dir.parent() {
                    Some(parent) if parent != dir && !parent.as_os_str().is_empty() => {
                        dir = parent.to_path_buf()
                    }
                    _ => break,
                }
            }
        }
        Err(format!("could not find file {path} on path {}", self.search_path))
    }
}

impl SourceFiles for DiskSources {
    fn lines(&self, path: &str) -> Result<Vec<String>, String> {
        let file = self.find(path)?;
        let text = std::fs::read(&file).map_err(|e| format!("open {}: {e}", file.display()))?;
        let text = String::from_utf8_lossy(&text);
        // Like Go's line scanner: a final newline ends the last line rather
        // than starting an empty one, and "\r\n" counts as a newline.
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.is_empty() {
            return Ok(Vec::new());
        }
        Ok(text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()).collect())
    }
}
