//! The index page: every profile with its count, a one-line description,
//! the raw download and "open in proflens".

use std::fmt::Write as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::agent::Response;
use crate::config::Config;
use crate::{cpu, heap, tasks, threads, ui};

struct Entry {
    name: &'static str,
    /// The link's path and query, relative to the index.
    href: String,
    count: String,
    about: &'static str,
    /// Whether it is a profile.proto the analyzer can open.
    proto: bool,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// What a query value escapes: everything but unreserved characters and `/`.
const QUERY_VALUE: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// `s` as a query value.
fn query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

fn entries(config: &Config) -> Vec<Entry> {
    let heap_count = if heap::is_installed() { heap::record_count().to_string() } else { "off".into() };
    let secs = config.cpu_default_seconds();
    let mut v = vec![
        Entry {
            name: "allocs",
            href: "allocs".into(),
            count: heap_count.clone(),
            about: "Sampled allocations since the program started, freed or not (opens on alloc_space).",
            proto: true,
        },
        Entry {
            name: "heap",
            href: "heap".into(),
            count: heap_count,
            about: "Sampled allocations still live (inuse_space). Add ?seconds=N for what changed over N seconds.",
            proto: true,
        },
        Entry {
            name: "profile",
            href: format!("profile?seconds={secs}"),
            count: if cpu::running() { "1 running".into() } else { "0".into() },
            about: "CPU profile: where the threads spend CPU time during ?seconds=N (it takes that long to answer).",
            proto: true,
        },
        Entry {
            name: "threads",
            href: "threads".into(),
            count: threads::count().to_string(),
            about: "Every OS thread with its name and current stack. ?debug=1 groups them as text, ?debug=2 lists each.",
            proto: true,
        },
    ];
    if tasks::AVAILABLE {
        let handle = config.tasks_handle();
        v.push(Entry {
            name: "tasks",
            href: "tasks".into(),
            count: tasks::count(handle).map_or_else(|| "?".into(), |n| n.to_string()),
            about: "Every tokio task and the futures it waits on. ?debug=1 groups them as text, ?debug=2 lists each.",
            proto: true,
        });
    }
    v.push(Entry {
        name: "cmdline",
        href: "cmdline".into(),
        count: std::env::args_os().count().to_string(),
        about: "The program's command line, arguments separated by NUL bytes.",
        proto: false,
    });
    v
}

/// The index page.
/// `base` goes before every link: `""` when the page is served at
/// `<mount>/`, `"<last segment>/"` when served at `<mount>`.
pub(crate) fn page(config: &Config, mount: &str, base: &str) -> Response {
    let mount = mount.trim_end_matches('/');
    let title = format!("{mount}/");
    let mut rows = String::new();
    for e in entries(config) {
        let open = if e.proto && ui::ENABLED {
            let url = query_value(&format!("../{}", e.href));
            format!("<a href=\"{}ui/?url={}\">open in proflens</a>", escape(base), escape(&url))
        } else if e.proto {
            "<span class=muted title=\"build proflens-agent with feature ui\">(no ui)</span>".to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            rows,
            "<tr><td class=n>{}</td><td><a href=\"{}{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            escape(&e.count),
            escape(base),
            escape(&e.href),
            e.name,
            open,
            escape(e.about)
        );
    }
    let b = escape(base);
    let extra = if ui::ENABLED {
        format!(
            "<p>\u{201c}open in proflens\u{201d} opens the profile in the analyzer served by this process \
             (<a href=\"{b}ui/\">ui/</a>); nothing leaves your browser.</p>"
        )
    } else {
        String::new()
    };
    let tasks_link = if tasks::AVAILABLE {
        format!(" · <a href=\"{b}tasks?debug=2\">full task dump</a>")
    } else {
        String::new()
    };
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d2230; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: .3em .8em; border-bottom: 1px solid #e3e6ee; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
a {{ color: #2f5fd0; }}
.muted {{ color: #8a90a0; }}
code {{ background: #f2f4f8; padding: 0 .25em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Profiles of this process (pid {pid}) as gzipped <code>profile.proto</code>, readable by
<code>go tool pprof</code> and proflens. Add <code>?debug=1</code> for text where noted.</p>
<table>
<thead><tr><th>Count</th><th>Profile</th><th></th><th>What it shows</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
<p><a href="{b}threads?debug=2">full thread dump</a>{tasks_link} · <a href="{b}heap?debug=1">heap as text</a></p>
{extra}
<p class=muted>From the command line: <code>go tool pprof http://HOST{prefix}/heap</code></p>
</body>
</html>
"#,
        title = escape(&title),
        pid = std::process::id(),
        prefix = escape(mount),
    );
    Response::html(body)
}
