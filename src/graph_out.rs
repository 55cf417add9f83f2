//! `afc graph`: the dependency graph as DOT, Mermaid or JSON. Nodes are the workspace's
//! declarations plus the stdlib declarations they refer to; everything is sorted by
//! name so the output is the same for the same workspace.

use crate::sema::Sema;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

#[derive(Serialize)]
struct Node<'a> {
    name: &'a str,
    kind: &'a str,
    stdlib: bool,
}

#[derive(Serialize)]
struct Edge<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
struct Json<'a> {
    nodes: Vec<Node<'a>>,
    edges: Vec<Edge<'a>>,
    /// Dependency order: what a declaration uses comes before it.
    order: Vec<&'a str>,
}

struct View<'a> {
    nodes: Vec<usize>,
    edges: Vec<(usize, usize, &'a str)>,
    s: &'a Sema,
}

fn view(s: &Sema) -> View<'_> {
    let edges: Vec<(usize, usize, &str)> = s
        .graph
        .edges_sorted()
        .into_iter()
        .filter(|(a, _, _)| !s.decls[*a].stdlib)
        .map(|(a, b, k)| (a, b, k.as_str()))
        .collect();
    let mut nodes: BTreeSet<usize> = (0..s.decls.len()).filter(|i| !s.decls[*i].stdlib).collect();
    nodes.extend(edges.iter().map(|(_, b, _)| *b));
    let mut nodes: Vec<usize> = nodes.into_iter().collect();
    nodes.sort_by(|a, b| s.decls[*a].name.cmp(&s.decls[*b].name));
    let mut edges = edges;
    edges.sort_by(|x, y| {
        (&s.decls[x.0].name, &s.decls[x.1].name, x.2).cmp(&(
            &s.decls[y.0].name,
            &s.decls[y.1].name,
            y.2,
        ))
    });
    View { nodes, edges, s }
}

/// Graphviz DOT.
#[must_use]
pub fn dot(s: &Sema) -> String {
    let v = view(s);
    let mut out = String::from(
        "digraph platform {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n",
    );
    for &n in &v.nodes {
        let d = &v.s.decls[n];
        let style = if d.stdlib { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n({})\"{style}];",
            d.name, d.name, d.kind
        );
    }
    for (a, b, k) in &v.edges {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{k}\"];",
            v.s.decls[*a].name, v.s.decls[*b].name
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_id(name: &str) -> String {
    name.replace('-', "_")
}

/// A Mermaid flowchart.
#[must_use]
pub fn mermaid(s: &Sema) -> String {
    let v = view(s);
    let mut out = String::from("flowchart LR\n");
    for &n in &v.nodes {
        let d = &v.s.decls[n];
        let _ = writeln!(
            out,
            "  {}[\"{} ({})\"]",
            mermaid_id(&d.name),
            d.name,
            d.kind
        );
    }
    for (a, b, k) in &v.edges {
        let _ = writeln!(
            out,
            "  {} -->|{k}| {}",
            mermaid_id(&v.s.decls[*a].name),
            mermaid_id(&v.s.decls[*b].name)
        );
    }
    out
}

/// JSON: nodes, edges and the dependency order.
#[must_use]
pub fn json(s: &Sema) -> String {
    let v = view(s);
    let shown: BTreeSet<usize> = v.nodes.iter().copied().collect();
    let j = Json {
        nodes: v
            .nodes
            .iter()
            .map(|&n| Node {
                name: &s.decls[n].name,
                kind: &s.decls[n].kind,
                stdlib: s.decls[n].stdlib,
            })
            .collect(),
        edges: v
            .edges
            .iter()
            .map(|(a, b, k)| Edge {
                from: &s.decls[*a].name,
                to: &s.decls[*b].name,
                kind: k,
            })
            .collect(),
        order: s
            .topo
            .iter()
            .filter(|i| shown.contains(i))
            .map(|&i| s.decls[i].name.as_str())
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&j).unwrap_or_default();
    out.push('\n');
    out
}
