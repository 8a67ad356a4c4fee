//! The analyzer page at `<prefix>/ui/` (feature `ui`): the repository's
//! built `dist/`, embedded at compile time by build.rs.

use crate::agent::Response;

include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// Whether the page is served (feature `ui`).
pub(crate) const ENABLED: bool = cfg!(feature = "ui");

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>proflens: page not built</title></head>
<body style="font: 14px/1.5 system-ui, sans-serif; margin: 2em">
<h1>The analyzer page was not built into this program</h1>
<p>proflens-agent was compiled with feature <code>ui</code>, but no built page was found.
Build it at the root of the proflens repository with <code>cargo xtask dist</code>
(it writes <code>dist/</code>), or point <code>PROFLENS_UI_DIST</code> at a built copy,
then rebuild this program.</p>
<p>The profiles themselves are served as usual: <a href="../">back to the index</a>.</p>
</body></html>
"#;

/// Serves `path` (below `ui/`; empty for the page itself).
pub(crate) fn serve(path: &str) -> Response {
    if !ENABLED {
        return Response::text(
            404,
            "the analyzer page is not built in: enable proflens-agent's feature ui\n".into(),
        );
    }
    let path = if path.is_empty() { "index.html" } else { path };
    if !BUILT {
        return if path == "index.html" {
            Response::html(NOT_BUILT.to_string())
        } else {
            Response::text(404, format!("{path}: the analyzer page was not built into this program\n"))
        };
    }
    match ASSETS.iter().find(|(p, _)| *p == path) {
        Some((_, bytes)) => Response::asset(proflens_http::files::content_type(path), bytes, "no-cache"),
        None => Response::text(404, format!("{path}: no such file in the analyzer page\n")),
    }
}
