//! `proflens leaks`: the text report against golden files in
//! tests/golden/leaks/, and the seed's leak found in the Go service's heaps.
//!
//! The golden files are proflens' own output, reviewed by hand when they
//! change: regenerate with `UPDATE_GOLDEN=1 cargo test -p proflens-tests
//! --test leaks` and read the diff.

use proflens_cli::{run_args, Outcome};
use proflens_tests::tests_dir;

fn leaks(files: &[&str]) -> Outcome {
    let mut args = vec!["proflens".to_string(), "leaks".to_string()];
    args.extend(files.iter().map(|f| tests_dir().join("fixtures").join(f).display().to_string()));
    run_args(args)
}

fn output(files: &[&str]) -> String {
    match leaks(files) {
        Outcome::Output(text) => text,
        other => panic!("proflens leaks {files:?}: {other:?}"),
    }
}

fn check_golden(name: &str, text: &str) {
    let path = tests_dir().join("golden/leaks").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if want != text {
        let line = want.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name}: the leak report differs from {} at line {}:\n  want: {:?}\n  got:  {:?}",
            path.display(),
            line + 1,
            want.lines().nth(line),
            text.lines().nth(line)
        );
    }
}

#[test]
fn go_service_heaps_name_the_context_leak() {
    let text = output(&["go/heap1.pb.gz", "go/heap2.pb.gz"]);
    check_golden("go_heap1_heap2", &text);
    // The seed's leak, whatever else changes in the format.
    let first = text.split("\n#1 ").nth(1).expect("a first suspect");
    let lines: Vec<&str> = first.lines().map(str::trim).collect();
    assert_eq!(lines[0], "context.WithValue");
    let chain: Vec<&str> = lines.iter().filter(|l| l.starts_with("<- ")).map(|l| &l[3..]).take(3).collect();
    assert_eq!(chain, ["main.SetCtxValue", "main.ResetLogId", "main.flushEvent"]);
}

#[test]
fn synthetic_series_ranks_the_planted_leak_first() {
    let series =
        ["synthetic/heapseries1.pb.gz", "synthetic/heapseries2.pb.gz", "synthetic/heapseries3.pb.gz"];
    let text = output(&series);
    check_golden("heapseries", &text);
    assert!(text.contains("\n#1 main.newEntry\n"), "{text}");
    // Given newest first, the times still order them.
    let reversed = output(&[series[2], series[1], series[0]]);
    assert_eq!(reversed.replace("heapseries3", "X").lines().count(), text.lines().count());
    assert!(reversed.contains("\n#1 main.newEntry\n"));
    assert!(reversed.contains("1. heapseries1.pb.gz"));
}

#[test]
fn identical_snapshots_have_no_suspects() {
    let text = output(&["go/heap2.pb.gz", "go/heap2.pb.gz"]);
    assert!(text.contains("No suspects"), "{text}");
}

#[test]
fn a_cpu_profile_is_refused_with_a_reason() {
    match leaks(&["go/heap1.pb.gz", "go/cpu.pb.gz"]) {
        Outcome::Failed { message, status: 1 } => {
            assert!(message.contains("cpu.pb.gz is not a heap profile"), "{message}")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}
