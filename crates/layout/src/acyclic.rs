//! Cycle breaking: which edges to reverse so the graph becomes acyclic.

/// Returns, for every edge `(tail, head, weight)` (no self loops), whether it
/// must be reversed to make the graph acyclic.
///
/// A depth-first search reverses its back edges. It starts at nodes without
/// incoming edges, then at nodes whose outgoing weight most exceeds their
/// incoming weight, and follows heavier edges first, so heavy edges tend to
/// become tree edges, which are never reversed. Afterwards every reversed
/// edge, heaviest first, is turned forward again if that closes no cycle, so
/// the reversed set is minimal (no single edge of it can be restored).
pub(crate) fn break_cycles(n: usize, edges: &[(usize, usize, i64)]) -> Vec<bool> {
    let mut reversed = vec![false; edges.len()];
    if n == 0 || edges.is_empty() {
        return reversed;
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut in_deg = vec![0usize; n];
    let mut balance = vec![0i64; n]; // in-weight minus out-weight
    for (i, &(a, b, w)) in edges.iter().enumerate() {
        out[a].push(i);
        in_deg[b] += 1;
        balance[b] += w;
        balance[a] -= w;
    }
    for list in &mut out {
        list.sort_by(|&x, &y| edges[y].2.cmp(&edges[x].2).then(x.cmp(&y)));
    }
    let mut roots: Vec<usize> = (0..n).collect();
    roots.sort_by(|&a, &b| {
        (in_deg[a] > 0).cmp(&(in_deg[b] > 0)).then(balance[a].cmp(&balance[b])).then(a.cmp(&b))
    });

    // 0 = unvisited, 1 = on the DFS stack, 2 = finished.
    let mut state = vec![0u8; n];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for &root in &roots {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, 0));
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if *next < out[v].len() {
                let e = out[v][*next];
                *next += 1;
                let w = edges[e].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }

    // Restore reversed edges that no longer close a cycle, heaviest first.
    let mut back: Vec<usize> = (0..edges.len()).filter(|&e| reversed[e]).collect();
    if back.is_empty() {
        return reversed;
    }
    back.sort_by(|&x, &y| edges[y].2.cmp(&edges[x].2).then(x.cmp(&y)));
    // Oriented adjacency of the current acyclic graph.
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(a, b, _)) in edges.iter().enumerate() {
        if reversed[i] {
            adj[b].push(a);
        } else {
            adj[a].push(b);
        }
    }
    let mut seen = vec![0usize; n];
    let mut stamp = 0usize;
    let mut todo: Vec<usize> = Vec::new();
    for e in back {
        let (a, b, _) = edges[e];
        // Forward a -> b closes a cycle iff b reaches a (the reversed copy
        // b -> a itself would be found, so skip one occurrence of it).
        stamp += 1;
        todo.clear();
        todo.push(b);
        seen[b] = stamp;
        let mut skipped = false;
        let mut cycle = false;
        'search: while let Some(v) = todo.pop() {
            for &w in &adj[v] {
                if v == b && w == a && !skipped {
                    skipped = true;
                    continue;
                }
                if w == a {
                    cycle = true;
                    break 'search;
                }
                if seen[w] != stamp {
                    seen[w] = stamp;
                    todo.push(w);
                }
            }
        }
        if !cycle {
            reversed[e] = false;
            // Replace b -> a by a -> b in the adjacency.
            if let Some(p) = adj[b].iter().position(|&w| w == a) {
                adj[b].remove(p);
            }
            adj[a].push(b);
        }
    }
    reversed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_acyclic(n: usize, edges: &[(usize, usize, i64)], rev: &[bool]) -> bool {
        let mut indeg = vec![0; n];
        let mut adj = vec![Vec::new(); n];
        for (i, &(a, b, _)) in edges.iter().enumerate() {
            let (a, b) = if rev[i] { (b, a) } else { (a, b) };
            adj[a].push(b);
            indeg[b] += 1;
        }
        let mut q: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
        let mut seen = 0;
        while let Some(v) = q.pop() {
            seen += 1;
            for &w in &adj[v] {
                indeg[w] -= 1;
                if indeg[w] == 0 {
                    q.push(w);
                }
            }
        }
        seen == n
    }

    #[test]
    fn two_cycle_keeps_heavy_edge() {
        let edges = [(0, 1, 1), (1, 0, 10)];
        let rev = break_cycles(2, &edges);
        assert_eq!(rev, vec![true, false]);
    }

    #[test]
    fn dag_untouched() {
        let edges = [(0, 1, 1), (1, 2, 1), (0, 2, 1)];
        assert_eq!(break_cycles(3, &edges), vec![false; 3]);
    }

    #[test]
    fn cycles_broken() {
        let edges = [
            (0, 1, 5),
            (1, 2, 5),
            (2, 0, 1),
            (2, 3, 1),
            (3, 1, 1),
            (3, 4, 1),
            (4, 3, 1),
            (1, 2, 1),
            (2, 1, 1),
        ];
        let rev = break_cycles(5, &edges);
        assert!(is_acyclic(5, &edges, &rev));
        assert!(!rev[0] && !rev[1]);
    }
}
