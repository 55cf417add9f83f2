//! The dependency graph over every declaration (petgraph): one node per declaration,
//! one edge per reference (`uses`, `credentials`, `engine`, `cluster`, `policy`). Edges
//! point from the user to what it uses.

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    Uses,
    Credentials,
    Engine,
    Cluster,
    Policy,
}

impl EdgeKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Uses => "uses",
            EdgeKind::Credentials => "credentials",
            EdgeKind::Engine => "engine",
            EdgeKind::Cluster => "cluster",
            EdgeKind::Policy => "policy",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub kind: EdgeKind,
    /// Where the reference is written; `None` for an implied edge (the default policy,
    /// the only cluster).
    pub at: Option<(FileId, Span)>,
}

/// Node weights are indexes into [`super::Sema::decls`]; node `i` is declaration `i`.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub g: DiGraph<usize, Edge>,
}

impl Graph {
    #[must_use]
    pub fn with_nodes(n: usize) -> Self {
        let mut g = DiGraph::with_capacity(n, n * 2);
        for i in 0..n {
            g.add_node(i);
        }
        Self { g }
    }

    pub fn add(&mut self, from: usize, to: usize, edge: Edge) {
        self.g
            .add_edge(NodeIndex::new(from), NodeIndex::new(to), edge);
    }

    /// Declarations `from` points to, with the edge.
    pub fn out(&self, from: usize) -> impl Iterator<Item = (usize, &Edge)> {
        self.g
            .edges(NodeIndex::new(from))
            .map(|e| (petgraph::visit::EdgeRef::target(&e).index(), e.weight()))
    }

    #[must_use]
    pub fn in_degree(&self, to: usize) -> usize {
        self.g
            .neighbors_directed(NodeIndex::new(to), petgraph::Direction::Incoming)
            .count()
    }

    /// Every edge as (from, to, kind), sorted: the order output is written in.
    #[must_use]
    pub fn edges_sorted(&self) -> Vec<(usize, usize, EdgeKind)> {
        let mut v: Vec<_> = self
            .g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.g.edge_endpoints(e)?;
                Some((a.index(), b.index(), self.g[e].kind))
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Strongly connected components of the subgraph `keep` (edges of kind `kinds`),
    /// that are cycles: more than one node, or a node with an edge to itself. Each
    /// cycle's nodes come in path order, starting from the smallest key.
    #[must_use]
    pub fn cycles(
        &self,
        keep: &dyn Fn(usize) -> bool,
        kinds: &[EdgeKind],
        key: &dyn Fn(usize) -> String,
    ) -> Vec<Vec<usize>> {
        let sub = self.g.filter_map(
            |_, &w| Some(w),
            |_, e| kinds.contains(&e.kind).then_some(e.kind),
        );
        let sub = sub.filter_map(|_, &w| keep(w).then_some(w), |_, &e| Some(e));
        let mut out = Vec::new();
        // Kosaraju's walks keep their own stack (petgraph's Tarjan recurses once per
        // node of a path, and a `uses` chain may be as long as the platform).
        for scc in petgraph::algo::kosaraju_scc(&sub) {
            let nodes: BTreeSet<usize> = scc.iter().map(|n| sub[*n]).collect();
            let self_loop = scc.len() == 1 && sub.contains_edge(scc[0], scc[0]);
            if nodes.len() < 2 && !self_loop {
                continue;
            }
            // The shortest cycle through the smallest member (breadth-first).
            let start = *nodes.iter().min_by_key(|n| key(**n)).unwrap_or(&0);
            let path = self.shortest_cycle(start, &nodes, kinds, key);
            out.push(path);
        }
        out.sort();
        out
    }

    fn shortest_cycle(
        &self,
        start: usize,
        nodes: &BTreeSet<usize>,
        kinds: &[EdgeKind],
        key: &dyn Fn(usize) -> String,
    ) -> Vec<usize> {
        let succ = |n: usize| {
            let mut v: Vec<usize> = self
                .out(n)
                .filter(|(t, e)| nodes.contains(t) && kinds.contains(&e.kind))
                .map(|(t, _)| t)
                .collect();
            v.sort_by_key(|t| key(*t));
            v.dedup();
            v
        };
        let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for t in succ(n) {
                if t == start {
                    let mut path = vec![n];
                    let mut cur = n;
                    while cur != start {
                        cur = parent[&cur];
                        path.push(cur);
                    }
                    path.reverse();
                    return path;
                }
                if let std::collections::btree_map::Entry::Vacant(e) = parent.entry(t) {
                    e.insert(n);
                    queue.push_back(t);
                }
            }
        }
        vec![start]
    }

    /// A topological order, dependencies first; ties broken by `key` so the order never
    /// depends on declaration order. Nodes on cycles come last, by key.
    #[must_use]
    pub fn topo_order(&self, key: &dyn Fn(usize) -> String) -> Vec<usize> {
        let n = self.g.node_count();
        // out-degree counts: a node is ready when everything it uses is placed.
        let mut remaining: Vec<usize> = (0..n)
            .map(|i| {
                self.out(i)
                    .map(|(t, _)| t)
                    .filter(|t| *t != i)
                    .collect::<BTreeSet<_>>()
                    .len()
            })
            .collect();
        let mut users: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for i in 0..n {
            for (t, _) in self.out(i) {
                if t != i {
                    users[t].insert(i);
                }
            }
        }
        let mut ready: BTreeMap<String, usize> = (0..n)
            .filter(|i| remaining[*i] == 0)
            .map(|i| (key(i), i))
            .collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some((_, i)) = ready.pop_first() {
            order.push(i);
            placed[i] = true;
            for &u in &users[i] {
                remaining[u] -= 1;
                if remaining[u] == 0 {
                    ready.insert(key(u), u);
                }
            }
        }
        let mut rest: Vec<usize> = (0..n).filter(|i| !placed[*i]).collect();
        rest.sort_by_key(|i| key(*i));
        order.extend(rest);
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain `0 -> 1 -> ... -> n-1` of `uses` edges, closed into a cycle when `closed`.
    fn chain(n: usize, closed: bool) -> Graph {
        let mut g = Graph::with_nodes(n);
        let uses = || Edge {
            kind: EdgeKind::Uses,
            at: None,
        };
        for i in 1..n {
            g.add(i - 1, i, uses());
        }
        if closed {
            g.add(n - 1, 0, uses());
        }
        g
    }

    /// Runs `f` on a thread with a small stack: a walk that recurses once per node of a
    /// path overflows it long before the end of the chain.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no overflow")
    }

    #[test]
    fn cycles_of_a_chain_longer_than_the_stack() {
        let n = 50_000;
        let key = |i: usize| format!("d{i:06}");
        let (open, closed) = on_small_stack(move || {
            let all = |_| true;
            let open = chain(n, false).cycles(&all, &[EdgeKind::Uses], &key);
            let closed = chain(n, true).cycles(&all, &[EdgeKind::Uses], &key);
            (open, closed)
        });
        assert!(open.is_empty());
        assert_eq!(closed, vec![(0..n).collect::<Vec<_>>()]);
    }

    #[test]
    fn topological_order_of_a_chain_longer_than_the_stack() {
        let n = 50_000;
        let order = on_small_stack(move || chain(n, false).topo_order(&|i| format!("d{i:06}")));
        assert_eq!(order, (0..n).rev().collect::<Vec<_>>());
    }
}
