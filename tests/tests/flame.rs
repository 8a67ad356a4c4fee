//! The flame tree: totals add up, the Go service's leak chain is there, and
//! pivoting shows callers above and callees below.

use proflens_core::graph::Granularity;
use proflens_core::report::{flame, top, FlameGraph, FlameTree, ReportOptions};
use proflens_core::{decode, DecodeOptions};
use proflens_tests::fixture;

fn heap2() -> proflens_core::Profile {
    decode(&fixture("go/heap2.pb.gz"), &DecodeOptions::default()).unwrap()
}

fn name<'a>(g: &'a FlameGraph, tree: &FlameTree, node: usize) -> &'a str {
    &g.functions[tree.nodes[node].function as usize].name
}

/// Follows `names` down from `node`, returning the last node.
fn follow(g: &FlameGraph, tree: &FlameTree, mut node: usize, names: &[&str]) -> Option<usize> {
    for want in names {
        node = tree.children(node).find(|&c| name(g, tree, c) == *want)?;
    }
    Some(node)
}

fn check_sums(tree: &FlameTree) {
    for (i, n) in tree.nodes.iter().enumerate() {
        let children: i64 = tree.children(i).map(|c| tree.nodes[c].total).sum();
        assert_eq!(n.total, n.self_value + children, "node {i}: total = self + children");
        for c in tree.children(i) {
            assert_eq!(tree.nodes[c].depth, n.depth + 1);
        }
    }
}

#[test]
fn totals_add_up_and_match_the_report_total() {
    for f in ["go/heap2.pb.gz", "go/cpu.pb.gz", "pprof/large.cpu"] {
        let p = decode(&fixture(f), &DecodeOptions::default()).unwrap();
        for g in [Granularity::Functions, Granularity::FileFunctions] {
            let fg = flame(&p, &ReportOptions::default(), g, None).unwrap();
            check_sums(&fg.tree);
            assert_eq!(fg.tree.nodes[0].total, fg.total, "{f}: root is everything");
            assert!(fg.callers.is_none());
        }
    }
}

#[test]
fn the_leak_chain_is_in_the_tree_with_top_numbers() {
    let p = heap2();
    let fg = flame(&p, &ReportOptions::default(), Granularity::Functions, None).unwrap();
    let leaf = follow(
        &fg,
        &fg.tree,
        0,
        &["main.flushEvent", "main.ResetLogId", "main.SetCtxValue", "context.WithValue"],
    )
    .expect("flushEvent -> ResetLogId -> SetCtxValue -> WithValue");
    let rows = top(&p, &ReportOptions::default()).unwrap().rows;
    let with_value = rows.iter().find(|r| r.name == "context.WithValue").unwrap();
    assert_eq!(fg.tree.nodes[leaf].total, with_value.cum);
    assert_eq!(fg.tree.nodes[leaf].self_value, with_value.flat);
}

#[test]
fn pivot_shows_callers_above_and_callees_below() {
    let p = heap2();
    let fg =
        flame(&p, &ReportOptions::default(), Granularity::Functions, Some("^main\\.ResetLogId$")).unwrap();
    let callers = fg.callers.as_ref().expect("a pivot has callers");
    check_sums(&fg.tree);
    assert!(follow(&fg, callers, 0, &["main.flushEvent"]).is_some(), "caller flushEvent");
    for callee in ["main.SetCtxValue", "fmt.Sprintf"] {
        assert!(follow(&fg, &fg.tree, 0, &[callee]).is_some(), "callee {callee}");
    }
    let rows = top(&p, &ReportOptions::default()).unwrap().rows;
    let reset = rows.iter().find(|r| r.name == "main.ResetLogId").unwrap();
    assert_eq!(fg.tree.nodes[0].total, reset.cum);
    assert_eq!(callers.nodes[0].total, reset.cum);
    assert_eq!(fg.tree.nodes[0].self_value, reset.flat);
}

#[test]
fn granularities_other_than_functions_are_refused() {
    let err = flame(&heap2(), &ReportOptions::default(), Granularity::Lines, None).unwrap_err();
    assert!(err.to_string().contains("filefunctions"));
}
