//! Semantic analysis: declarations and names, typed attributes, environment overrides,
//! the dependency graph and the typed model.

pub mod base;
pub mod graph;
pub mod image_ref;
pub mod model;
pub mod schema;
pub mod value;

use crate::diag::suggest::Names;
use crate::diag::{Diagnostic, Severity, code, did_you_mean};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::{self, Item, Key, StrLit};
use graph::{Edge, EdgeKind, Graph};
use model::{Get, Model, Vars};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use value::{Attrs, Ctx, Spanned, Val};

/// One declaration, checked.
#[derive(Clone, Debug)]
pub struct Decl {
    pub kind: String,
    pub name: String,
    pub file: FileId,
    pub span: Span,
    pub name_span: Span,
    pub kind_span: Span,
    /// The body, braces included.
    pub body_span: Span,
    pub doc: Option<String>,
    /// Declared by the stdlib (and not overridden).
    pub stdlib: bool,
    pub attrs: Attrs,
    /// For `env`: its dotted-key overrides.
    pub overrides: Vec<Override>,
    /// For `env`: its overrides' indexes by target, in the order written; made on first
    /// use ([`Decl::overrides_of`]), once the overrides are checked.
    by_target: std::sync::OnceLock<HashMap<String, Vec<usize>>>,
}

impl Decl {
    /// For `env`: its overrides of the declaration `target`, in the order written. An
    /// environment may override every one of thousands of declarations, and each of them
    /// asks for its own: an index, not a scan.
    pub fn overrides_of(&self, target: &str) -> impl Iterator<Item = &Override> {
        let index = self.by_target.get_or_init(|| {
            let mut index: HashMap<String, Vec<usize>> = HashMap::default();
            for (i, o) in self.overrides.iter().enumerate() {
                index.entry(o.target.text.clone()).or_default().push(i);
            }
            index
        });
        index
            .get(target)
            .into_iter()
            .flatten()
            .map(|&i| &self.overrides[i])
    }
}

/// `target.attr[.KEY] = value` inside an `env`.
#[derive(Clone, Debug)]
pub struct Override {
    pub target: ast::Ident,
    /// The attribute (and map key) after the target.
    pub path: Vec<ast::Ident>,
    pub key_span: Span,
    pub value: ast::Value,
    /// Filled in once the target is known and the value checked.
    pub checked: Option<Spanned>,
}

/// The result of semantic analysis.
#[derive(Clone, Debug, Default)]
pub struct Sema {
    pub decls: Vec<Decl>,
    /// Name → index into `decls`.
    pub by_name: HashMap<String, usize>,
    pub graph: Graph,
    /// Declarations in dependency order (what a declaration uses comes before it).
    pub topo: Vec<usize>,
    pub model: Model,
    /// The base view ([`base::base_env`]), made on first use.
    base: std::sync::OnceLock<model::Env>,
}

impl Sema {
    /// The base view: every declaration as written, with no environment's overrides and
    /// the variables left as `${domain}`, `${env}` and `${namespace}`.
    #[must_use]
    pub fn base(&self) -> &model::Env {
        self.base.get_or_init(|| base::base_env(self))
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Decl> {
        self.by_name.get(name).map(|i| &self.decls[*i])
    }
}

/// The variables a string may interpolate.
pub const VARIABLES: &[&str] = &["domain", "env", "namespace"];

/// Kinds whose strings are resolved per environment (and whose attributes an `env`
/// may override).
const PER_ENV_KINDS: &[&str] = &["service", "site", "database", "cache"];

/// Analyses parsed files. `stdlib[i]` tells whether file `i` belongs to the stdlib.
pub fn analyze(files: &[SourceFile], asts: &[ast::File], diags: &mut Vec<Diagnostic>) -> Sema {
    let mut s = Sema::default();
    collect(files, asts, diags, &mut s);
    required(&s, diags);
    platform_count(files, &s, diags);
    check_overrides(&mut s, diags);
    // Side by side: the graph with the checks that read it and the topological order;
    // the resolved environments; the base view. Diagnostics are sorted at the end.
    let s_ref = &s;
    let ((graph, topo, found), ((model, model_found), base)) = rayon::join(
        || {
            let mut found = Vec::new();
            let graph = build_graph(s_ref, &mut found);
            cycles(s_ref, &graph, &mut found);
            check_variables(s_ref, &mut found);
            check_plaintext(s_ref, &mut found);
            unused(s_ref, &graph, &mut found);
            let key = |i: usize| s_ref.decls[i].name.clone();
            let topo = graph.topo_order(&key);
            (graph, topo, found)
        },
        || {
            rayon::join(
                || {
                    let mut found = Vec::new();
                    (build_model(s_ref, &mut found), found)
                },
                || base::base_env(s_ref),
            )
        },
    );
    diags.extend(found);
    diags.extend(model_found);
    s.graph = graph;
    s.topo = topo;
    s.model = model;
    let _ = s.base.set(base);
    s
}

/// Declarations into the symbol table: unknown kinds, invalid names, duplicates and the
/// stdlib's `override` rule.
fn collect(files: &[SourceFile], asts: &[ast::File], diags: &mut Vec<Diagnostic>, s: &mut Sema) {
    // Each file's declarations are checked on their own, side by side; they enter the
    // symbol table in file order, which decides duplicates.
    let per_file: Vec<FileDecls> = asts
        .par_iter()
        .enumerate()
        .map(|(fi, file_ast)| check_file(files, fi, file_ast))
        .collect();
    for (decls, found) in per_file {
        diags.extend(found);
        for (decl, override_kw) in decls {
            insert(s, decl, override_kw, diags);
        }
    }
}

/// One file's checked declarations (each with its `override` keyword) and diagnostics.
type FileDecls = (Vec<(Decl, Option<Span>)>, Vec<Diagnostic>);

/// The declarations of one file, checked against their kind's schema.
fn check_file(files: &[SourceFile], fi: usize, file_ast: &ast::File) -> FileDecls {
    let mut found = Vec::new();
    let diags = &mut found;
    let mut out = Vec::new();
    {
        let file = FileId(u32::try_from(fi).unwrap_or(u32::MAX));
        let stdlib = crate::stdlib::is_stdlib_path(&files[fi].path);
        for d in &file_ast.decls {
            let Some(spec) = schema::kind(&d.kind.text) else {
                let kinds = schema::KINDS.iter().map(|k| k.kind);
                let fix = did_you_mean(&d.kind.text, schema::KINDS.iter().map(|k| k.kind));
                let mut diag = Diagnostic::new(
                    code::UNKNOWN_KIND,
                    format!("unknown declaration kind `{}`", d.kind.text),
                    file,
                    d.kind.span,
                )
                .label("not a kind")
                .help(match did_you_mean(&d.kind.text, kinds) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => format!(
                        "the kinds are: {}",
                        schema::KINDS
                            .iter()
                            .map(|k| k.kind)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                if let Some(k) = fix {
                    diag = diag.fix(format!("replace with `{k}`"), d.kind.span, k);
                }
                diags.push(diag);
                continue;
            };
            if !value::is_dns_label(&d.name.text) {
                diags.push(
                    Diagnostic::new(
                        code::INVALID_NAME,
                        format!("invalid name `{}`", d.name.text),
                        file,
                        d.name.span,
                    )
                    .label("names become Kubernetes object names")
                    .help(name_help(&d.name.text)),
                );
            }
            let mut ctx = Ctx { file, diags };
            let is_env = spec.kind == "env";
            let dotted = |it: &Item| {
                is_env
                    && matches!(it, Item::Attr(a) if matches!(&a.key, Key::Path(p) if p.len() > 1))
            };
            let what = format!("a `{}`", spec.kind);
            let attrs = value::check_body(&mut ctx, spec.attrs, &d.body, &what, &dotted);
            let overrides = if is_env {
                d.body
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        Item::Attr(a) => match &a.key {
                            Key::Path(p) if p.len() > 1 => Some(Override {
                                target: p[0].clone(),
                                path: p[1..].to_vec(),
                                key_span: a.key.span(),
                                value: a.value.clone(),
                                checked: None,
                            }),
                            _ => None,
                        },
                        Item::Block(_) => None,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let decl = Decl {
                kind: spec.kind.to_string(),
                name: d.name.text.clone(),
                file,
                span: d.span,
                name_span: d.name.span,
                kind_span: d.kind.span,
                body_span: d.body.span,
                doc: d.doc.clone(),
                stdlib,
                attrs,
                overrides,
                by_target: std::sync::OnceLock::new(),
            };
            out.push((decl, d.override_kw));
        }
    }
    (out, found)
}

fn name_help(name: &str) -> String {
    let fixed: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    let base = "a name is lower-case letters, digits and `-`, starts with a letter, does not end with `-`, and has at most 63 characters";
    if !fixed.is_empty() && value::is_dns_label(&fixed) && fixed != name {
        format!("{base}: try `{fixed}`")
    } else {
        base.to_string()
    }
}

fn insert(s: &mut Sema, decl: Decl, override_kw: Option<Span>, diags: &mut Vec<Diagnostic>) {
    let idx = s.decls.len();
    match s.by_name.get(&decl.name).copied() {
        None => {
            if let Some(kw) = override_kw {
                diags.push(
                    Diagnostic::new(
                        code::OVERRIDE_NOTHING,
                        format!(
                            "`override` on `{}`, which the stdlib does not define",
                            decl.name
                        ),
                        decl.file,
                        kw,
                    )
                    .label("nothing to override")
                    .help("remove `override`"),
                );
            }
            s.by_name.insert(decl.name.clone(), idx);
            s.decls.push(decl);
        }
        Some(prev) if s.decls[prev].stdlib && !decl.stdlib => {
            let p = &s.decls[prev];
            if override_kw.is_none() {
                diags.push(
                    Diagnostic::new(
                        code::STDLIB_REDEFINED,
                        format!("`{}` is already defined by the stdlib", decl.name),
                        decl.file,
                        decl.name_span,
                    )
                    .label(format!("redefines the stdlib {} `{}`", p.kind, p.name))
                    .help(format!(
                        "write `override {} {} {{ ... }}` to replace it, or choose another name",
                        decl.kind, decl.name
                    )),
                );
                return;
            }
            if p.kind != decl.kind {
                diags.push(
                    Diagnostic::new(
                        code::OVERRIDE_NOTHING,
                        format!(
                            "`override {}` on `{}`, which the stdlib defines as a {}",
                            decl.kind, decl.name, p.kind
                        ),
                        decl.file,
                        decl.kind_span,
                    )
                    .label(format!("the stdlib `{}` is a {}", p.name, p.kind))
                    .help("an override must have the same kind as what it replaces"),
                );
                return;
            }
            // The override replaces the stdlib declaration in place.
            s.decls[prev] = decl;
        }
        Some(prev) => {
            let p = &s.decls[prev];
            diags.push(
                Diagnostic::new(
                    code::DUPLICATE_DECLARATION,
                    format!("`{}` is declared twice", decl.name),
                    decl.file,
                    decl.name_span,
                )
                .label(format!("{} `{}` declared again here", decl.kind, decl.name))
                .with_secondary(
                    p.file,
                    p.name_span,
                    format!("first declared here as a {}", p.kind),
                )
                .help("all files of a workspace share one namespace: rename one of them"),
            );
        }
    }
}

fn required(s: &Sema, diags: &mut Vec<Diagnostic>) {
    for d in &s.decls {
        let Some(spec) = schema::kind(&d.kind) else {
            continue;
        };
        for a in spec.attrs.iter().filter(|a| a.required) {
            if !d.attrs.contains_key(a.name) {
                diags.push(
                    Diagnostic::new(
                        code::MISSING_ATTRIBUTE,
                        format!("{} `{}` is missing `{}`", d.kind, d.name, a.name),
                        d.file,
                        d.name_span,
                    )
                    .label(format!("`{}` is required", a.name))
                    .help(format!("add `{} = ...`: {}", a.name, a.doc))
                    .fix(
                        format!("add `{}`", a.name),
                        Span::new(
                            d.body_span.start as usize + 1,
                            d.body_span.start as usize + 1,
                        ),
                        format!("\n  {} = {}", a.name, sample(&a.ty)),
                    ),
                );
            }
        }
    }
}

/// A placeholder value of a type, for "add the missing attribute" fixes.
fn sample(ty: &schema::Ty) -> String {
    match ty {
        schema::Ty::Str(_) => "\"\"".into(),
        schema::Ty::Int { min, .. } => min.max(&1).to_string(),
        schema::Ty::Cpu => "100m".into(),
        schema::Ty::Bytes => "1Gi".into(),
        schema::Ty::Duration => "30s".into(),
        schema::Ty::Bool => "true".into(),
        schema::Ty::Ref(kinds) => kinds.first().copied().unwrap_or("name").to_string(),
        schema::Ty::Sym(words) => words.first().copied().unwrap_or("").to_string(),
        schema::Ty::List(_) => "[]".into(),
        schema::Ty::Block(_) | schema::Ty::Map { .. } | schema::Ty::Sealed => "{}".into(),
    }
}

fn platform_count(files: &[SourceFile], s: &Sema, diags: &mut Vec<Diagnostic>) {
    let platforms: Vec<&Decl> = s.decls.iter().filter(|d| d.kind == "platform").collect();
    match platforms.as_slice() {
        [] => {
            // Point at the start of the first workspace file.
            if let Some(fi) = files
                .iter()
                .position(|f| !crate::stdlib::is_stdlib_path(&f.path))
            {
                diags.push(
                    Diagnostic::new(
                        code::PLATFORM_COUNT,
                        "the workspace declares no `platform`",
                        FileId(u32::try_from(fi).unwrap_or(0)),
                        Span::new(0, 0),
                    )
                    .label("no `platform` in any file")
                    .help("add `platform NAME { repo = \"https://...\" }` to one file"),
                );
            }
        }
        [_] => {}
        [first, rest @ ..] => {
            for p in rest {
                diags.push(
                    Diagnostic::new(
                        code::PLATFORM_COUNT,
                        "a workspace has exactly one `platform`",
                        p.file,
                        p.name_span,
                    )
                    .label("a second platform")
                    .with_secondary(
                        first.file,
                        first.name_span,
                        "the platform is declared here",
                    ),
                );
            }
        }
    }
}

/// Which kinds a reference attribute may name.
fn ref_kinds(kind: &str, attr: &str) -> &'static [&'static str] {
    match schema::kind(kind).and_then(|k| k.attr(attr)).map(|a| &a.ty) {
        Some(schema::Ty::Ref(kinds) | schema::Ty::List(schema::Ty::Ref(kinds))) => kinds,
        _ => &[],
    }
}

fn edge_kind(attr: &str) -> Option<EdgeKind> {
    Some(match attr {
        "uses" => EdgeKind::Uses,
        "credentials" => EdgeKind::Credentials,
        "engine" => EdgeKind::Engine,
        "cluster" => EdgeKind::Cluster,
        "policy" => EdgeKind::Policy,
        _ => return None,
    })
}

fn build_graph(s: &Sema, diags: &mut Vec<Diagnostic>) -> Graph {
    let mut g = Graph::with_nodes(s.decls.len());
    let mut suggestions = RefSuggestions::default();
    let clusters: Vec<usize> = (0..s.decls.len())
        .filter(|i| s.decls[*i].kind == "cluster")
        .collect();
    for (i, d) in s.decls.iter().enumerate() {
        for (attr, v) in &d.attrs {
            let Some(kind) = edge_kind(attr) else {
                continue;
            };
            let refs: Vec<&ast::Ident> = match &v.val {
                Val::Ref(id) => vec![id],
                Val::List(items) => items
                    .iter()
                    .filter_map(|s| match &s.val {
                        Val::Ref(id) => Some(id),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let allowed = ref_kinds(&d.kind, attr);
            let mut seen = BTreeSet::new();
            for r in refs {
                if let Some(t) = resolve_ref(s, d, attr, r, allowed, &mut suggestions, diags) {
                    if !seen.insert(t) {
                        diags.push(
                            Diagnostic::new(
                                code::DUPLICATE_ATTRIBUTE,
                                format!("`{}` is listed twice in `{attr}`", r.text),
                                d.file,
                                r.span,
                            )
                            .label("listed again here")
                            .help("remove the repetition"),
                        );
                        continue;
                    }
                    g.add(
                        i,
                        t,
                        Edge {
                            kind,
                            at: Some((d.file, r.span)),
                        },
                    );
                }
            }
        }
        // Implied edges.
        match d.kind.as_str() {
            "platform" if !d.attrs.contains_key("policy") => {
                if let Some(&p) = s.by_name.get("open-source") {
                    g.add(
                        i,
                        p,
                        Edge {
                            kind: EdgeKind::Policy,
                            at: None,
                        },
                    );
                }
            }
            "env" if !d.attrs.contains_key("cluster") => match clusters.as_slice() {
                [only] => g.add(
                    i,
                    *only,
                    Edge {
                        kind: EdgeKind::Cluster,
                        at: None,
                    },
                ),
                [] => {}
                many => {
                    let names: Vec<&str> = many.iter().map(|c| s.decls[*c].name.as_str()).collect();
                    diags.push(
                        Diagnostic::new(
                            code::MISSING_ATTRIBUTE,
                            format!("env `{}` is missing `cluster`", d.name),
                            d.file,
                            d.name_span,
                        )
                        .label("`cluster` is required when there is more than one cluster")
                        .help(format!(
                            "add `cluster = {}` (the clusters are: {})",
                            names[0],
                            names.join(", ")
                        )),
                    );
                }
            },
            _ => {}
        }
    }
    g
}

/// "Did you mean" for unknown references: the declarations' names prepared once per set
/// of kinds, and the answer kept per name. A workspace can hold thousands of
/// declarations and as many unknown references (a renamed database that every service
/// uses), so that each lookup would otherwise measure every name again.
#[derive(Default)]
struct RefSuggestions<'s> {
    /// Per set of kinds; `&[]` holds every declaration.
    names: HashMap<&'static [&'static str], Names<'s>>,
    answers: HashMap<(&'static [&'static str], &'s str), Option<&'s str>>,
}

impl<'s> RefSuggestions<'s> {
    /// The closest name to `name`, preferring declarations of the `allowed` kinds.
    fn closest(
        &mut self,
        s: &'s Sema,
        allowed: &'static [&'static str],
        name: &'s str,
    ) -> Option<&'s str> {
        if let Some(&known) = self.answers.get(&(allowed, name)) {
            return known;
        }
        let mut of = |kinds: &'static [&'static str]| {
            self.names
                .entry(kinds)
                .or_insert_with(|| {
                    Names::new(
                        s.decls
                            .iter()
                            .filter(|d| kinds.is_empty() || kinds.contains(&d.kind.as_str()))
                            .map(|d| d.name.as_str()),
                    )
                })
                .closest(name)
        };
        let answer = of(allowed).or_else(|| of(&[]));
        self.answers.insert((allowed, name), answer);
        answer
    }
}

fn resolve_ref<'s>(
    s: &'s Sema,
    from: &Decl,
    attr: &str,
    r: &'s ast::Ident,
    allowed: &'static [&'static str],
    suggestions: &mut RefSuggestions<'s>,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let Some(&t) = s.by_name.get(&r.text) else {
        // Prefer names of the right kind.
        let suggestion = suggestions.closest(s, allowed, &r.text);
        let mut d = Diagnostic::new(
            code::UNDEFINED_REFERENCE,
            format!("`{}` is not declared", r.text),
            from.file,
            r.span,
        )
        .label(format!(
            "no {} is called `{}`",
            one_of(allowed, "or"),
            r.text
        ));
        if let Some(sug) = suggestion {
            d = d.help(format!("did you mean `{sug}`?")).fix(
                format!("replace with `{sug}`"),
                r.span,
                sug,
            );
            if let Some(target) = s.get(sug) {
                d = d.with_secondary(
                    target.file,
                    target.name_span,
                    format!("`{sug}` is declared here"),
                );
            }
        }
        diags.push(d);
        return None;
    };
    let target = &s.decls[t];
    if !allowed.contains(&target.kind.as_str()) {
        let what = if attr == "uses" {
            format!("a {} cannot use a {}", from.kind, target.kind)
        } else {
            format!(
                "`{attr}` must name a {}, not a {}",
                one_of(allowed, "or"),
                target.kind
            )
        };
        diags.push(
            Diagnostic::new(
                code::WRONG_KIND,
                format!("`{}` is a {}: {what}", r.text, target.kind),
                from.file,
                r.span,
            )
            .label(format!("expected a {}", one_of(allowed, "or")))
            .with_secondary(
                target.file,
                target.name_span,
                format!("`{}` is declared here as a {}", target.name, target.kind),
            ),
        );
        return None;
    }
    // An engine must serve what names it.
    if attr == "engine" {
        if let Some(Val::Sym(serves)) = target.attrs.get("serves").map(|v| &v.val) {
            if serves != &from.kind {
                diags.push(
                    Diagnostic::new(
                        code::WRONG_KIND,
                        format!("engine `{}` backs a {serves}, not a {}", r.text, from.kind),
                        from.file,
                        r.span,
                    )
                    .label(format!("not an engine for a {}", from.kind))
                    .with_secondary(
                        target.file,
                        target.name_span,
                        format!("`{}` serves a {serves}", target.name),
                    )
                    .maybe_help(engine_help(s, &from.kind)),
                );
                return None;
            }
        }
    }
    Some(t)
}

/// "database, cache or secret"
pub(crate) fn one_of(words: &[&str], conj: &str) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} {conj} {last}", rest.join(", ")),
    }
}

fn engine_help(s: &Sema, kind: &str) -> Option<String> {
    let names: Vec<&str> = s
        .decls
        .iter()
        .filter(|d| {
            d.kind == "engine"
                && matches!(d.attrs.get("serves").map(|v| &v.val), Some(Val::Sym(k)) if k == kind)
        })
        .map(|d| d.name.as_str())
        .collect();
    (!names.is_empty()).then(|| format!("engines for a {kind}: {}", names.join(", ")))
}

/// The longest cycle shown whole; a longer one shows its first [`CYCLE_HEAD`] and last
/// [`CYCLE_TAIL`] hops and says how many it leaves out.
const CYCLE_SHOWN: usize = 12;
const CYCLE_HEAD: usize = 6;
const CYCLE_TAIL: usize = 5;

fn cycles(s: &Sema, graph: &Graph, diags: &mut Vec<Diagnostic>) {
    let is_workload = |i: usize| matches!(s.decls[i].kind.as_str(), "service" | "site");
    let key = |i: usize| s.decls[i].name.clone();
    for cycle in graph.cycles(&is_workload, &[EdgeKind::Uses], &key) {
        let n = cycle.len();
        let name = |w: usize| s.decls[cycle[w % n]].name.as_str();
        // The hops shown: all of them, or the first and the last few.
        let shown: Vec<usize> = if n <= CYCLE_SHOWN {
            (0..n).collect()
        } else {
            (0..CYCLE_HEAD).chain(n - CYCLE_TAIL..n).collect()
        };
        let mut text = String::new();
        for (k, &w) in shown.iter().enumerate() {
            text.push_str(name(w));
            text.push_str(" → ");
            if k + 1 < shown.len() && shown[k + 1] != w + 1 {
                text.push_str(&format!("… ({} more) … → ", shown[k + 1] - w - 1));
            }
        }
        text.push_str(name(0));
        let message = if n <= CYCLE_SHOWN {
            format!("dependency cycle: {text}")
        } else {
            format!("dependency cycle of {n} services: {text}")
        };
        // One label per hop shown, on the `uses` entry that makes it.
        let hop = |w: usize| {
            let (from, to) = (cycle[w], cycle[(w + 1) % n]);
            graph
                .out(from)
                .find(|(t, e)| *t == to && e.kind == EdgeKind::Uses)
                .and_then(|(_, e)| e.at)
        };
        let first = cycle[0];
        let (file, span) = hop(0).unwrap_or((s.decls[first].file, s.decls[first].name_span));
        let mut d = Diagnostic::new(code::CYCLE, message, file, span)
        .label(format!("`{}` uses `{}`", name(0), name(1)))
        .help(if n <= CYCLE_SHOWN {
            "services must form a DAG so that they can start in order: break the cycle by removing one `uses` entry".to_string()
        } else {
            format!("services must form a DAG so that they can start in order: break the cycle by removing one `uses` entry (the {} hops not shown are the `uses` entries between `{}` and `{}`)", n - shown.len(), name(CYCLE_HEAD), name(n - CYCLE_TAIL))
        });
        for &w in &shown[1..] {
            if let Some((f, sp)) = hop(w) {
                d = d.with_secondary(f, sp, format!("`{}` uses `{}`", name(w), name(w + 1)));
            }
        }
        diags.push(d);
    }
}

/// Resolves and type-checks every `env` override against its target's schema.
fn check_overrides(s: &mut Sema, diags: &mut Vec<Diagnostic>) {
    // "Did you mean" for every unknown target, the names prepared once (see
    // `RefSuggestions`).
    let unknown: BTreeSet<&str> = s
        .decls
        .iter()
        .filter(|d| d.kind == "env")
        .flat_map(|d| &d.overrides)
        .map(|o| o.target.text.as_str())
        .filter(|t| !s.by_name.contains_key(*t))
        .collect();
    let suggestions: HashMap<String, String> = if unknown.is_empty() {
        HashMap::default()
    } else {
        let names = Names::new(
            s.decls
                .iter()
                .filter(|d| PER_ENV_KINDS.contains(&d.kind.as_str()))
                .map(|d| d.name.as_str()),
        );
        unknown
            .into_iter()
            .filter_map(|t| Some((t.to_string(), names.closest(t)?.to_string())))
            .collect()
    };
    for ei in 0..s.decls.len() {
        if s.decls[ei].kind != "env" {
            continue;
        }
        let file = s.decls[ei].file;
        let mut overrides = std::mem::take(&mut s.decls[ei].overrides);
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for o in &mut overrides {
            let Some(&ti) = s.by_name.get(&o.target.text) else {
                let sug = suggestions.get(&o.target.text);
                diags.push(
                    Diagnostic::new(
                        code::UNDEFINED_REFERENCE,
                        format!("`{}` is not declared", o.target.text),
                        file,
                        o.target.span,
                    )
                    .label("overrides an attribute of nothing")
                    .maybe_help(sug.map(|x| format!("did you mean `{x}`?"))),
                );
                continue;
            };
            let target = &s.decls[ti];
            if !PER_ENV_KINDS.contains(&target.kind.as_str()) {
                diags.push(
                    Diagnostic::new(
                        code::INVALID_OVERRIDE,
                        format!("an env cannot override a {}", target.kind),
                        file,
                        o.target.span,
                    )
                    .label(format!("`{}` is a {}", target.name, target.kind))
                    .with_secondary(target.file, target.name_span, "declared here")
                    .help("environments override services, sites, databases and caches"),
                );
                continue;
            }
            let spec = schema::kind(&target.kind).expect("declared kinds have schemas");
            let attr_id = &o.path[0];
            let Some(aspec) = spec.attr(&attr_id.text) else {
                diags.push(
                    Diagnostic::new(
                        code::UNKNOWN_ATTRIBUTE,
                        format!(
                            "unknown attribute `{}` of {} `{}`",
                            attr_id.text, target.kind, target.name
                        ),
                        file,
                        attr_id.span,
                    )
                    .label("not an attribute of this kind")
                    .maybe_help(
                        did_you_mean(&attr_id.text, spec.attrs.iter().map(|a| a.name))
                            .map(|x| format!("did you mean `{x}`?")),
                    ),
                );
                continue;
            };
            if !aspec.overridable {
                diags.push(
                    Diagnostic::new(
                        code::INVALID_OVERRIDE,
                        format!("`{}` cannot be overridden per environment", aspec.name),
                        file,
                        attr_id.span,
                    )
                    .label("the same in every environment")
                    .help(
                        if matches!(aspec.name, "uses" | "credentials" | "engine") {
                            "the dependency graph is the same in every environment"
                        } else {
                            "set it on the declaration itself"
                        },
                    ),
                );
                continue;
            }
            let full = o
                .path
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(".");
            let mut ctx = Ctx { file, diags };
            let checked = match (&aspec.ty, o.path.len()) {
                (
                    schema::Ty::Map {
                        keys: schema::KeyRule::EnvVar,
                        value,
                    },
                    2,
                ) => {
                    let key = &o.path[1];
                    if value::is_env_key(&key.text) {
                        value::check_value(&mut ctx, value, &o.value, &key.text)
                    } else {
                        ctx.diags.push(
                            Diagnostic::new(
                                code::INVALID_NAME,
                                format!("invalid key `{}` in `env`", key.text),
                                file,
                                key.span,
                            )
                            .label("expected a name of letters, digits and `_`"),
                        );
                        None
                    }
                }
                (schema::Ty::Map { .. }, _) => {
                    ctx.diags.push(
                        Diagnostic::new(
                            code::INVALID_OVERRIDE,
                            format!("override one entry of `{}` at a time", aspec.name),
                            file,
                            o.key_span,
                        )
                        .label(format!("expected `{}.{}.KEY`", o.target.text, aspec.name)),
                    );
                    None
                }
                (_, 1) => value::check_value(&mut ctx, &aspec.ty, &o.value, aspec.name),
                _ => {
                    ctx.diags.push(
                        Diagnostic::new(
                            code::INVALID_OVERRIDE,
                            format!("`{}` has no parts to override", aspec.name),
                            file,
                            o.path[1].span.to(o.path[o.path.len() - 1].span),
                        )
                        .label(format!("expected `{}.{}`", o.target.text, aspec.name)),
                    );
                    None
                }
            };
            let key = format!("{}.{full}", o.target.text);
            if let Some(first) = seen.get(&key) {
                diags.push(
                    Diagnostic::new(
                        code::DUPLICATE_ATTRIBUTE,
                        format!("`{key}` is overridden twice"),
                        file,
                        o.key_span,
                    )
                    .label("given again here")
                    .with_secondary(file, *first, "first given here"),
                );
                continue;
            }
            seen.insert(key, o.key_span);
            o.checked = checked.map(|val| Spanned {
                val,
                file,
                span: o.value.span,
                key_span: o.key_span,
            });
        }
        s.decls[ei].overrides = overrides;
    }
}

/// Every string of a value, recursively.
pub(crate) fn strings<'a>(v: &'a Val, out: &mut Vec<&'a StrLit>) {
    match v {
        Val::Str(s) => out.push(s),
        Val::List(items) => items.iter().for_each(|i| strings(&i.val, out)),
        Val::Block(a) => a.values().for_each(|i| strings(&i.val, out)),
        Val::Map(m) => m.values().for_each(|i| strings(&i.val, out)),
        Val::Sealed(b) => b
            .values()
            .flat_map(|blk| blk.keys.values())
            .for_each(|i| strings(&i.val, out)),
        _ => {}
    }
}

/// `${...}` names a known variable, and only where it is resolved.
fn check_variables(s: &Sema, diags: &mut Vec<Diagnostic>) {
    for d in s.decls.iter().filter(|d| !d.stdlib) {
        let mut strs = Vec::new();
        for v in d.attrs.values() {
            strings(&v.val, &mut strs);
        }
        for o in &d.overrides {
            if let Some(c) = &o.checked {
                strings(&c.val, &mut strs);
            }
        }
        let per_env = PER_ENV_KINDS.contains(&d.kind.as_str()) || d.kind == "env";
        for st in strs {
            for v in st.vars() {
                if !VARIABLES.contains(&v.text.as_str()) {
                    let fix = did_you_mean(&v.text, VARIABLES.iter().copied());
                    let diag = Diagnostic::new(
                            code::UNKNOWN_VARIABLE,
                            format!("unknown variable `${{{}}}`", v.text),
                            d.file,
                            v.span,
                        )
                        .label("not a variable")
                        .help(match did_you_mean(&v.text, VARIABLES.iter().copied()) {
                            Some(x) => format!("did you mean `${{{x}}}`? (write `$${{` for a literal `${{`)"),
                            None => "the variables are ${domain}, ${env} and ${namespace}; write `$${` for a literal `${`".into(),
                        });
                    diags.push(match fix {
                        Some(x) => diag.fix(format!("replace with `${{{x}}}`"), v.span, x),
                        None => diag,
                    });
                } else if !per_env || (d.kind == "env" && o_is_env_attr(d, st)) {
                    diags.push(
                        Diagnostic::new(
                            code::UNKNOWN_VARIABLE,
                            format!("`${{{}}}` cannot be used in a {}", v.text, d.kind),
                            d.file,
                            v.span,
                        )
                        .label("not resolved here")
                        .help("only strings of services, sites, databases and caches (and env overrides of them) are resolved per environment"),
                    );
                }
            }
        }
    }
}

/// True when the string is one of an env's own attributes (not an override value).
fn o_is_env_attr(d: &Decl, st: &StrLit) -> bool {
    d.attrs
        .values()
        .any(|v| matches!(&v.val, Val::Str(x) if std::ptr::eq(x, st)))
}

/// A value in a `secret` that is not a sealed ciphertext is plaintext in git.
fn check_plaintext(s: &Sema, diags: &mut Vec<Diagnostic>) {
    for d in s.decls.iter().filter(|d| d.kind == "secret") {
        let Some(Val::Sealed(blocks)) = d.attrs.get("sealed").map(|v| &v.val) else {
            continue;
        };
        for (label, block) in blocks {
            for (key, v) in &block.keys {
                let Val::Str(st) = &v.val else { continue };
                if crate::sealed::looks_sealed(&st.literal_text()) {
                    continue;
                }
                let env = label
                    .as_deref()
                    .map_or(String::new(), |l| format!(" for `{l}`"));
                diags.push(
                    Diagnostic::new(
                        code::PLAINTEXT_SECRET,
                        format!("`{key}` of secret `{}`{env} is not a sealed ciphertext", d.name),
                        d.file,
                        v.span,
                    )
                    .label("plaintext (value hidden)")
                    .help(format!(
                        "remove the value from git history and seal it: `printf '%s' \"$VALUE\" | afc seal --secret {} --key {key}{}`",
                        d.name,
                        label.as_deref().map_or(String::new(), |l| format!(" --env {l}"))
                    )),
                );
            }
        }
        match (
            d.attrs.get("scope").map(|v| &v.val),
            blocks.keys().any(Option::is_none),
        ) {
            (Some(Val::Sym(sc)), false) if sc == "cluster-wide" && !blocks.is_empty() => {
                let first = blocks
                    .values()
                    .next()
                    .map_or(d.name_span, |b| b.label_span.unwrap_or(b.span));
                diags.push(
                    Diagnostic::new(
                        code::INVALID_VALUE,
                        format!("cluster-wide secret `{}` has per-environment `sealed` blocks", d.name),
                        d.file,
                        first,
                    )
                    .label("expected one `sealed { ... }` block without a label")
                    .help("a cluster-wide ciphertext opens in every namespace: write one unlabelled block"),
                );
            }
            (scope, true) if !matches!(scope, Some(Val::Sym(sc)) if sc == "cluster-wide") => {
                let blk = &blocks[&None];
                diags.push(
                    Diagnostic::new(
                        code::INVALID_VALUE,
                        format!(
                            "secret `{}` has a `sealed` block without an environment",
                            d.name
                        ),
                        d.file,
                        blk.span
                            .start
                            .try_into()
                            .map_or(blk.span, |st: usize| Span::new(st, st + 6)),
                    )
                    .label("expected `sealed ENV { ... }`")
                    .help("only a `scope = cluster-wide` secret has one unlabelled block"),
                );
            }
            _ => {}
        }
    }
}

/// Data stores, secrets, clusters and user engines or policies nothing refers to.
fn unused(s: &Sema, graph: &Graph, diags: &mut Vec<Diagnostic>) {
    for (i, d) in s.decls.iter().enumerate() {
        if d.stdlib {
            continue;
        }
        let interesting = matches!(
            d.kind.as_str(),
            "secret" | "database" | "cache" | "engine" | "policy" | "cluster"
        );
        if interesting && graph.in_degree(i) == 0 {
            let hint = match d.kind.as_str() {
                "secret" | "database" | "cache" => format!(
                    "add `{}` to the `uses` of the workloads that need it, or remove it",
                    d.name
                ),
                "cluster" => format!("set `cluster = {}` in an env, or remove it", d.name),
                "policy" => format!("set `policy = {}` in the platform, or remove it", d.name),
                _ => format!(
                    "use `engine = {}` in a database or cache, or remove it",
                    d.name
                ),
            };
            diags.push(
                Diagnostic::new(
                    code::UNUSED,
                    format!("{} `{}` is never used", d.kind, d.name),
                    d.file,
                    d.name_span,
                )
                .label("nothing refers to it")
                .help(hint)
                .severity(Severity::Warning),
            );
        }
    }
}

fn build_model(s: &Sema, diags: &mut Vec<Diagnostic>) -> Model {
    let mut m = Model::default();
    let k3s_version = s
        .get("k3s")
        .and_then(|d| {
            Get {
                attrs: &d.attrs,
                vars: None,
            }
            .str("version")
        })
        .unwrap_or_else(|| "v1.31.4+k3s1".into());
    let mut sorted: Vec<&Decl> = s.decls.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for d in &sorted {
        let g = Get {
            attrs: &d.attrs,
            vars: None,
        };
        match d.kind.as_str() {
            "platform" if m.platform.is_none() => {
                m.platform = Some(model::Platform {
                    name: d.name.clone(),
                    repo: g.str("repo").unwrap_or_default(),
                    revision: g.str("revision").unwrap_or_else(|| "HEAD".into()),
                    path: g.str("path").unwrap_or_else(|| "deploy".into()),
                    policy: g.name("policy").unwrap_or_else(|| "open-source".into()),
                });
            }
            "cluster" => m.clusters.push(model::cluster(&d.name, &g, &k3s_version)),
            "secret" => m.secrets.push(model::secret(&d.name, &g)),
            "engine" => m.engines.push(model::engine(&d.name, &g)),
            "component" => m.components.push(model::component(&d.name, &g)),
            "policy" => m.policies.push(model::policy(&d.name, &g)),
            _ => {}
        }
    }
    let platform_name = m
        .platform
        .as_ref()
        .map_or("platform", |p| p.name.as_str())
        .to_string();
    let platform_rev = m
        .platform
        .as_ref()
        .map_or("HEAD", |p| p.revision.as_str())
        .to_string();
    let only_cluster = (m.clusters.len() == 1).then(|| m.clusters[0].name.clone());
    // Environments resolve independently: side by side, collected in name order.
    let envs: Vec<&&Decl> = sorted.iter().filter(|d| d.kind == "env").collect();
    let per_env: Vec<&Decl> = sorted
        .iter()
        .copied()
        .filter(|d| PER_ENV_KINDS.contains(&d.kind.as_str()))
        .collect();
    let resolved: Vec<(model::Env, Vec<Diagnostic>)> = envs
        .par_iter()
        .map(|env| {
            let mut diags = Vec::new();
            let diags = &mut diags;
            let g = Get {
                attrs: &env.attrs,
                vars: None,
            };
            let namespace = g
                .str("namespace")
                .unwrap_or_else(|| format!("{platform_name}-{}", env.name));
            let domain = g.str("domain");
            let vars = Vars {
                domain: domain.as_deref(),
                env: &env.name,
                namespace: &namespace,
            };
            let mut e = model::Env {
                name: env.name.clone(),
                cluster: g.name("cluster").or_else(|| only_cluster.clone()),
                revision: g.str("revision").unwrap_or_else(|| platform_rev.clone()),
                auto_sync: g.bool("auto_sync", true),
                workloads: Vec::new(),
                databases: Vec::new(),
                caches: Vec::new(),
                namespace: namespace.clone(),
                domain: domain.clone(),
            };
            // Declarations resolve independently too: in parallel, kept in name order.
            let records: Vec<(Option<model::Record>, Vec<Diagnostic>)> = per_env
                .par_iter()
                .map(|d| {
                    let mut found = Vec::new();
                    let attrs = apply_overrides(d, env);
                    check_resolved(d, env, &attrs, &vars, &mut found);
                    let g = Get {
                        attrs: &attrs,
                        vars: Some(&vars),
                    };
                    (model::record(&d.kind, &d.name, &g), found)
                })
                .collect();
            for (r, found) in records {
                e.add_opt(r);
                diags.extend(found);
            }
            (e, std::mem::take(diags))
        })
        .collect();
    for (e, found) in resolved {
        m.envs.push(e);
        diags.extend(found);
    }
    m
}

/// The declaration's attributes with one env's overrides of it applied, in order.
fn apply_overrides<'a>(d: &'a Decl, env: &Decl) -> std::borrow::Cow<'a, Attrs> {
    let mut overrides = env.overrides_of(&d.name).peekable();
    if overrides.peek().is_none() {
        return std::borrow::Cow::Borrowed(&d.attrs);
    }
    let mut attrs = d.attrs.clone();
    for o in overrides {
        let Some(v) = &o.checked else { continue };
        let attr = o.path[0].text.clone();
        if o.path.len() == 2 {
            let entry = attrs.entry(attr).or_insert_with(|| Spanned {
                val: Val::Map(BTreeMap::new()),
                file: v.file,
                span: v.span,
                key_span: v.key_span,
            });
            if let Val::Map(m) = &mut entry.val {
                m.insert(o.path[1].text.clone(), v.clone());
            }
        } else {
            attrs.insert(attr, v.clone());
        }
    }
    std::borrow::Cow::Owned(attrs)
}

/// Checks of values that are only known once resolved for one environment.
fn check_resolved(d: &Decl, env: &Decl, attrs: &Attrs, vars: &Vars, diags: &mut Vec<Diagnostic>) {
    let mut strs = Vec::new();
    for (k, v) in attrs {
        let mut these = Vec::new();
        strings(&v.val, &mut these);
        for st in these {
            strs.push((k.as_str(), v.file, st));
        }
    }
    for (attr, file, st) in strs {
        if st.is_plain() {
            continue;
        }
        match vars.subst(st) {
            Err(var) if var == "domain" => {
                let at = st
                    .vars()
                    .find(|v| v.text == "domain")
                    .map_or(st.span, |v| v.span);
                diags.push(
                    Diagnostic::new(
                        code::MISSING_DOMAIN,
                        format!(
                            "`{}` of `{}` uses `${{domain}}`, but env `{}` has no `domain`",
                            attr, d.name, env.name
                        ),
                        file,
                        at,
                    )
                    .label(format!("no value in env `{}`", env.name))
                    .with_secondary(env.file, env.name_span, "this environment sets no `domain`")
                    .help(format!("add `domain = \"...\"` to env `{}`", env.name)),
                );
            }
            Err(_) => {} // unknown variables are reported once, by check_variables
            Ok(text) => {
                // Checked once resolved: `image: ...` and `route ...` read as sentences.
                let problem = match attr {
                    "image" => image_ref::problem(&text, false).map(|p| format!(": {p}")),
                    "route" => value::host_problem(&text).map(|p| format!(" {p}")),
                    _ => None,
                };
                if let Some(p) = problem {
                    diags.push(
                        Diagnostic::new(
                            code::INVALID_VALUE,
                            format!("`{attr}` of `{}` in env `{}`{p}", d.name, env.name),
                            file,
                            st.span,
                        )
                        .label(format!("resolves to `{text}`")),
                    );
                }
            }
        }
    }
}
