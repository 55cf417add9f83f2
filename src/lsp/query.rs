//! What the language server answers, computed from the analysis: what is under the
//! cursor, where a name is declared and used, what may be typed here.

use super::Server;
use super::convert::{diagnostic, location, offset, range};
use crate::sema::schema::{self, AttrSpec, Ty};
use crate::sema::value::Val;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Item, Key, ValueKind};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CompletionItem, CompletionItemKind,
    DocumentSymbol, DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents, Location,
    MarkupContent, MarkupKind, Range, SymbolKind, TextDocumentPositionParams, TextEdit, Url,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// What stands at a position.
#[derive(Debug)]
enum Found {
    /// A declaration keyword.
    Kind(String),
    /// A declaration's own name, or a name that refers to one (a reference, an override
    /// target, a `sealed` label).
    Name(String),
    /// An attribute or block key, with the enclosing kind and block path.
    Key { kind: String, path: Vec<String> },
}

fn contains(span: Span, at: usize) -> bool {
    span.start as usize <= at && at <= span.end as usize
}

/// Finds what is at byte offset `at` of a file.
fn locate(s: &Server, tree: &ast::File, at: usize) -> Option<Found> {
    let d = tree.decls.iter().find(|d| contains(d.span, at))?;
    if contains(d.kind.span, at) {
        return Some(Found::Kind(d.kind.text.clone()));
    }
    if contains(d.name.span, at) {
        return Some(Found::Name(d.name.text.clone()));
    }
    locate_body(s, &d.kind.text, &d.body, &mut Vec::new(), at)
}

fn locate_body(
    s: &Server,
    kind: &str,
    body: &ast::Body,
    path: &mut Vec<String>,
    at: usize,
) -> Option<Found> {
    for item in &body.items {
        if !contains(item.span(), at) {
            continue;
        }
        match item {
            Item::Attr(a) => {
                if contains(a.key.span(), at) {
                    if let Key::Path(p) = &a.key {
                        if kind == "env" && p.len() > 1 {
                            // `target.attr[.KEY]`
                            if contains(p[0].span, at) {
                                return Some(Found::Name(p[0].text.clone()));
                            }
                            let target_kind = s.analysis.sema.get(&p[0].text)?.kind.clone();
                            return Some(Found::Key {
                                kind: target_kind,
                                path: vec![p[1].text.clone()],
                            });
                        }
                    }
                    let mut full = path.clone();
                    full.push(a.key.text().into_owned());
                    return Some(Found::Key {
                        kind: kind.to_string(),
                        path: full,
                    });
                }
                return locate_value(&a.value, at);
            }
            Item::Block(b) => {
                if contains(b.key.span, at) {
                    let mut full = path.clone();
                    full.push(b.key.text.clone());
                    return Some(Found::Key {
                        kind: kind.to_string(),
                        path: full,
                    });
                }
                if let Some(ast::BlockLabel::Name(l)) = &b.label {
                    if contains(l.span, at) && b.key.text == "sealed" {
                        return Some(Found::Name(l.text.clone()));
                    }
                }
                path.push(b.key.text.clone());
                let found = locate_body(s, kind, &b.body, path, at);
                path.pop();
                return found;
            }
        }
    }
    None
}

fn locate_value(v: &ast::Value, at: usize) -> Option<Found> {
    match &v.kind {
        ValueKind::Ref(id) if contains(id.span, at) => Some(Found::Name(id.text.clone())),
        ValueKind::List(items) => items.iter().find_map(|i| locate_value(i, at)),
        _ => None,
    }
}

/// The file and offset of a position.
fn at(s: &mut Server, uri: &Url, pos: lsp_types::Position) -> Option<(FileId, usize)> {
    let id = s.file_id(uri)?;
    let text = &s.analysis.file(id).text;
    Some((id, offset(text, pos)))
}

/// The attribute spec for a path of block keys in a kind.
fn spec_for(kind: &str, path: &[String]) -> Option<&'static AttrSpec> {
    let mut specs: &'static [AttrSpec] = schema::kind(kind)?.attrs;
    let mut found = None;
    for (i, key) in path.iter().enumerate() {
        let spec = specs.iter().find(|a| a.name == key)?;
        found = Some(spec);
        if i + 1 < path.len() {
            match &spec.ty {
                Ty::Block(inner) => specs = inner,
                _ => return None,
            }
        }
    }
    found
}

fn markdown(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

/// A declaration as hover text: its kind, doc comment and what it resolves to.
fn describe_decl(s: &mut Server, name: &str) -> Option<String> {
    let verdicts = license_verdicts(s, name);
    let d = s.analysis.sema.get(name)?;
    let mut out = format!("```af\n{} {}\n```", d.kind, d.name);
    if let Some(doc) = &d.doc {
        out.push_str("\n\n");
        out.push_str(doc);
    }
    let attr_text = |k: &str| -> Option<String> {
        match &d.attrs.get(k)?.val {
            Val::Str(st) => Some(st.literal_text()),
            Val::Ref(id) => Some(id.text.clone()),
            Val::Sym(w) => Some(w.clone()),
            _ => None,
        }
    };
    let mut facts = Vec::new();
    for k in [
        "image",
        "license",
        "engine",
        "version",
        "route",
        "scope",
        "namespace",
        "domain",
    ] {
        if let Some(v) = attr_text(k) {
            facts.push(format!("- `{k}`: `{v}`"));
        }
    }
    if let Val::Map(m) = d
        .attrs
        .get("license")
        .map(|v| &v.val)
        .unwrap_or(&Val::Invalid)
    {
        for (range, v) in m {
            if let Val::Str(e) = &v.val {
                facts.push(format!("- license `{range}`: `{}`", e.literal_text()));
            }
        }
    }
    facts.extend(verdicts);
    if !facts.is_empty() {
        out.push_str("\n\n");
        out.push_str(&facts.join("\n"));
    }
    if d.stdlib {
        out.push_str("\n\n*defined by the afc stdlib*");
    }
    Some(out)
}

/// The license verdicts the policy linter gives what a declaration runs: a workload's
/// image, a data store's engine at its version, an engine or a stack component.
fn license_verdicts(s: &mut Server, name: &str) -> Vec<String> {
    use crate::lint::licenses::Role;
    let mut rows: Vec<String> = s
        .inventory()
        .iter()
        .filter(|c| match &c.role {
            Role::Image { of } => of == name,
            // On a data store and on the engine itself.
            Role::Engine { of } => of == name || c.name == name,
            Role::Stack => c.name == name,
        })
        .map(|c| {
            let envs = if c.envs.is_empty() {
                String::new()
            } else {
                format!(" in {}", c.envs.join(", "))
            };
            format!(
                "- license of {}{}{envs}: `{}` — **{}**",
                c.title,
                c.version
                    .as_deref()
                    .map_or(String::new(), |v| format!(" {v}")),
                c.license.as_deref().unwrap_or("unknown"),
                c.verdict.word()
            )
        })
        .collect();
    rows.dedup();
    rows
}

pub(crate) fn hover(s: &mut Server, p: &TextDocumentPositionParams) -> Option<Hover> {
    let (id, off) = at(s, &p.text_document.uri, p.position)?;
    let tree = &s.analysis.asts[id.0 as usize];
    let text = match locate(s, tree, off)? {
        Found::Kind(k) => {
            let spec = schema::kind(&k)?;
            format!("```af\n{k}\n```\n\n{}", spec.doc)
        }
        Found::Name(name) => describe_decl(s, &name)?,
        Found::Key { kind, path } => {
            let spec = spec_for(&kind, &path)?;
            let mut out = format!(
                "**{}** — {}\n\n{}",
                spec.name,
                schema::describe(&spec.ty),
                spec.doc
            );
            if spec.required {
                out.push_str("\n\nRequired.");
            } else if let Some(def) = spec.default {
                out.push_str(&format!("\n\nDefault: `{def}`"));
            }
            if spec.overridable {
                out.push_str("\n\nAn `env` may override it.");
            }
            out
        }
    };
    Some(markdown(text))
}

pub(crate) fn definition(
    s: &mut Server,
    p: &TextDocumentPositionParams,
) -> Option<GotoDefinitionResponse> {
    let (id, off) = at(s, &p.text_document.uri, p.position)?;
    let Found::Name(name) = locate(s, &s.analysis.asts[id.0 as usize], off)? else {
        return None;
    };
    let d = s.analysis.sema.get(&name)?;
    location(s, d.file, d.name_span).map(GotoDefinitionResponse::Scalar)
}

/// Every place a declaration's name is written: the declaration itself (first) and
/// every reference, override target and `sealed` label naming it.
fn occurrences(s: &Server, name: &str) -> Vec<(FileId, Span)> {
    let sema = &s.analysis.sema;
    let mut out = Vec::new();
    let Some(target) = sema.get(name) else {
        return out;
    };
    out.push((target.file, target.name_span));
    for d in &sema.decls {
        for v in d.attrs.values() {
            let refs: Vec<&ast::Ident> = match &v.val {
                Val::Ref(id) => vec![id],
                Val::List(items) => items
                    .iter()
                    .filter_map(|i| match &i.val {
                        Val::Ref(id) => Some(id),
                        _ => None,
                    })
                    .collect(),
                Val::Sealed(blocks) if target.kind == "env" => {
                    for b in blocks.values() {
                        if let Some(span) = b.label_span {
                            let label = &s.analysis.file(d.file).text[span.range()];
                            if label == name {
                                out.push((d.file, span));
                            }
                        }
                    }
                    Vec::new()
                }
                _ => Vec::new(),
            };
            out.extend(
                refs.into_iter()
                    .filter(|id| id.text == name)
                    .map(|id| (v.file, id.span)),
            );
        }
        for o in &d.overrides {
            if o.target.text == name {
                out.push((d.file, o.target.span));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

pub(crate) fn references(
    s: &mut Server,
    p: &TextDocumentPositionParams,
    include_decl: bool,
) -> Option<Vec<Location>> {
    let (id, off) = at(s, &p.text_document.uri, p.position)?;
    let Found::Name(name) = locate(s, &s.analysis.asts[id.0 as usize], off)? else {
        return None;
    };
    let decl = s.analysis.sema.get(&name).map(|d| (d.file, d.name_span));
    Some(
        occurrences(s, &name)
            .into_iter()
            .filter(|o| include_decl || Some(*o) != decl)
            .filter_map(|(f, span)| location(s, f, span))
            .collect(),
    )
}

pub(crate) fn rename(
    s: &mut Server,
    p: &TextDocumentPositionParams,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some((id, off)) = at(s, &p.text_document.uri, p.position) else {
        return Ok(None);
    };
    let Some(Found::Name(name)) = locate(s, &s.analysis.asts[id.0 as usize], off) else {
        return Err("there is no declaration name here".into());
    };
    let Some(d) = s.analysis.sema.get(&name) else {
        return Err(format!("`{name}` is not declared"));
    };
    if d.stdlib {
        return Err(format!(
            "`{name}` is defined by the stdlib and cannot be renamed"
        ));
    }
    if !crate::sema::value::is_dns_label(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name (lower-case letters, digits and `-`)"
        ));
    }
    if new_name != name && s.analysis.sema.get(new_name).is_some() {
        return Err(format!("`{new_name}` is already declared"));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (file, span) in occurrences(s, &name) {
        let f = s.analysis.file(file);
        let Some(uri) = s.uri_of(&f.path) else {
            continue;
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range(s, file, span), new_name.to_string()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        documentation: (!doc.is_empty()).then(|| {
            lsp_types::Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: doc.to_string(),
            })
        }),
        ..CompletionItem::default()
    }
}

/// The declaration and the block path that enclose an offset.
fn enclosing(tree: &ast::File, at: usize) -> Option<(&ast::Decl, Vec<String>, &ast::Body)> {
    let inside =
        |b: &ast::Body| b.span.start as usize <= at && (at < b.span.end as usize || !b.closed);
    let d = tree.decls.iter().find(|d| inside(&d.body))?;
    let mut path = Vec::new();
    let mut body = &d.body;
    'down: loop {
        for it in &body.items {
            if let Item::Block(b) = it {
                if inside(&b.body) && b.body.span.start as usize != at {
                    path.push(b.key.text.clone());
                    body = &b.body;
                    continue 'down;
                }
            }
        }
        return Some((d, path, body));
    }
}

pub(crate) fn completion(
    s: &mut Server,
    p: &TextDocumentPositionParams,
) -> Option<Vec<CompletionItem>> {
    let (id, off) = at(s, &p.text_document.uri, p.position)?;
    let text = s.analysis.file(id).text.clone();
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..off];
    let tree = &s.analysis.asts[id.0 as usize];
    let Some((decl, path, body)) = enclosing(tree, off) else {
        // Top level: the kinds.
        let mut items: Vec<CompletionItem> = schema::KINDS
            .iter()
            .map(|k| item(k.kind, CompletionItemKind::KEYWORD, "declaration", k.doc))
            .collect();
        items.push(item(
            "override",
            CompletionItemKind::KEYWORD,
            "replace a stdlib declaration",
            "",
        ));
        return Some(items);
    };
    let kind = decl.kind.text.as_str();
    let sema = &s.analysis.sema;
    let decls_of = |kinds: &[&str], engine_for: Option<&str>| -> Vec<CompletionItem> {
        sema.decls
            .iter()
            .filter(|d| kinds.contains(&d.kind.as_str()))
            .filter(|d| match engine_for {
                Some(k) => {
                    !matches!(d.attrs.get("serves").map(|v| &v.val), Some(Val::Sym(x)) if x != k)
                }
                None => true,
            })
            .map(|d| {
                item(
                    &d.name,
                    CompletionItemKind::REFERENCE,
                    &d.kind,
                    d.doc.as_deref().unwrap_or(""),
                )
            })
            .map(|i| (i.label.clone(), i))
            .collect::<std::collections::BTreeMap<String, CompletionItem>>()
            .into_values()
            .collect()
    };
    let trimmed = prefix.trim_start();
    if kind == "secret"
        && path.is_empty()
        && trimmed.starts_with("sealed ")
        && !trimmed.contains('{')
    {
        return Some(decls_of(&["env"], None));
    }
    if let Some(eq) = prefix.find('=') {
        // A value: what the attribute's type allows.
        let key = prefix[..eq].trim();
        let (spec, owner_kind) = if kind == "env" && key.contains('.') {
            let mut parts = key.split('.');
            let target = parts.next().unwrap_or("");
            let attr = parts.next().unwrap_or("");
            let tk = sema.get(target).map(|d| d.kind.clone())?;
            (spec_for(&tk, &[attr.to_string()])?, tk)
        } else {
            let mut full = path.clone();
            full.push(key.to_string());
            (spec_for(kind, &full)?, kind.to_string())
        };
        return Some(match &spec.ty {
            Ty::Ref(kinds) | Ty::List(Ty::Ref(kinds)) => {
                let engine_for = (spec.name == "engine").then_some(owner_kind.as_str());
                decls_of(kinds, engine_for)
            }
            Ty::Sym(words) => words
                .iter()
                .map(|w| item(w, CompletionItemKind::ENUM_MEMBER, "", ""))
                .collect(),
            Ty::Bool => ["true", "false"]
                .iter()
                .map(|w| item(w, CompletionItemKind::KEYWORD, "", ""))
                .collect(),
            _ => Vec::new(),
        });
    }
    // A key.
    if kind == "env" && path.is_empty() {
        if let Some((target, _)) = trimmed.split_once('.') {
            let tk = sema.get(target).map(|d| d.kind.clone())?;
            let spec = schema::kind(&tk)?;
            return Some(
                spec.attrs
                    .iter()
                    .filter(|a| a.overridable)
                    .map(|a| {
                        item(
                            a.name,
                            CompletionItemKind::FIELD,
                            &schema::describe(&a.ty),
                            a.doc,
                        )
                    })
                    .collect(),
            );
        }
    }
    let specs: &[AttrSpec] = if path.is_empty() {
        schema::kind(kind)?.attrs
    } else {
        match &spec_for(kind, &path)?.ty {
            Ty::Block(inner) => inner,
            _ => return Some(Vec::new()),
        }
    };
    let present: Vec<String> = body
        .items
        .iter()
        .map(|i| match i {
            Item::Attr(a) => a.key.text().into_owned(),
            Item::Block(b) => b.key.text.clone(),
        })
        .collect();
    let mut items: Vec<CompletionItem> = specs
        .iter()
        .filter(|a| !present.iter().any(|p| p == a.name) || matches!(a.ty, Ty::Sealed))
        .map(|a| {
            item(
                a.name,
                CompletionItemKind::FIELD,
                &schema::describe(&a.ty),
                a.doc,
            )
        })
        .collect();
    if kind == "env" && path.is_empty() {
        items.extend(
            sema.decls
                .iter()
                .filter(|d| matches!(d.kind.as_str(), "service" | "site" | "database" | "cache"))
                .map(|d| {
                    item(
                        &format!("{}.", d.name),
                        CompletionItemKind::MODULE,
                        &format!("override an attribute of {} `{}`", d.kind, d.name),
                        "",
                    )
                }),
        );
    }
    Some(items)
}

fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "platform" => SymbolKind::NAMESPACE,
        "cluster" => SymbolKind::MODULE,
        "env" => SymbolKind::ENUM,
        "service" | "site" => SymbolKind::CLASS,
        "database" | "cache" => SymbolKind::STRUCT,
        "secret" => SymbolKind::KEY,
        "engine" => SymbolKind::INTERFACE,
        "component" => SymbolKind::PACKAGE,
        _ => SymbolKind::OBJECT,
    }
}

#[allow(deprecated)]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    selection: Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children,
    }
}

pub(crate) fn symbols(s: &mut Server, uri: &Url) -> Option<DocumentSymbolResponse> {
    let id = s.file_id(uri)?;
    let tree = &s.analysis.asts[id.0 as usize];
    let out = tree
        .decls
        .iter()
        .map(|d| {
            let children = d
                .body
                .items
                .iter()
                .map(|it| {
                    let (name, key_span) = match it {
                        Item::Attr(a) => (a.key.text().into_owned(), a.key.span()),
                        Item::Block(b) => (
                            b.label.as_ref().map_or_else(
                                || b.key.text.clone(),
                                |l| format!("{} {}", b.key.text, l.text()),
                            ),
                            b.key.span,
                        ),
                    };
                    symbol(
                        name,
                        None,
                        SymbolKind::FIELD,
                        range(s, id, it.span()),
                        range(s, id, key_span),
                        None,
                    )
                })
                .collect();
            symbol(
                d.name.text.clone(),
                Some(d.kind.text.clone()),
                symbol_kind(&d.kind.text),
                range(s, id, d.span),
                range(s, id, d.name.span),
                Some(children),
            )
        })
        .collect();
    Some(DocumentSymbolResponse::Nested(out))
}

pub(crate) fn formatting(s: &mut Server, uri: &Url) -> Option<Vec<TextEdit>> {
    let id = s.file_id(uri)?;
    let text = &s.analysis.file(id).text;
    let has_syntax_errors = s
        .analysis
        .diagnostics
        .iter()
        .any(|d| d.primary.file == id && d.code.as_str().starts_with("AF0"));
    if has_syntax_errors {
        return None;
    }
    let formatted = crate::fmt::format(text, &s.analysis.asts[id.0 as usize]);
    if formatted == *text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(
        range(s, id, Span::new(0, text.len())),
        formatted,
    )])
}

pub(crate) fn code_actions(
    s: &mut Server,
    uri: &Url,
    want: Range,
) -> Option<Vec<CodeActionOrCommand>> {
    let id = s.file_id(uri)?;
    let overlaps = |r: Range| !(r.end < want.start || want.end < r.start);
    let mut out = Vec::new();
    for d in &s.analysis.diagnostics {
        if d.primary.file != id || !overlaps(range(s, id, d.primary.span)) {
            continue;
        }
        for fix in d.fixes.iter().filter(|f| f.file == id) {
            let mut changes = HashMap::new();
            changes.insert(
                uri.clone(),
                vec![TextEdit::new(
                    range(s, id, fix.span),
                    fix.replacement.clone(),
                )],
            );
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(s, d)]),
                edit: Some(WorkspaceEdit::new(changes)),
                is_preferred: Some(d.fixes.len() == 1),
                ..CodeAction::default()
            }));
        }
    }
    Some(out)
}
