//! Typed values: the checker turns an AST value into a [`Val`] of its attribute's type,
//! with units converted (CPU to millicores, sizes to bytes, durations to milliseconds),
//! or reports why it cannot.

use super::schema::{AttrSpec, KeyRule, StrCheck, Ty, describe};
use crate::diag::{Diagnostic, code, did_you_mean};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Item, Key, NumLit, StrLit, ValueKind};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(StrLit),
    Int(i64),
    /// Millicores.
    Cpu(u64),
    /// Bytes.
    Bytes(u64),
    /// Milliseconds.
    Duration(u64),
    Bool(bool),
    Ref(ast::Ident),
    Sym(String),
    List(Vec<Spanned>),
    Block(Attrs),
    Map(BTreeMap<String, Spanned>),
    /// `sealed` blocks by label (`None`: the unlabelled cluster-wide block).
    Sealed(BTreeMap<Option<String>, SealedBlock>),
    /// A value that was given but did not check (already reported): the attribute
    /// counts as present, so no "missing" error follows.
    Invalid,
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    pub val: Val,
    pub file: FileId,
    /// The value's span.
    pub span: Span,
    /// The key's span (the whole item's start for list elements).
    pub key_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SealedBlock {
    pub label_span: Option<Span>,
    pub span: Span,
    /// Key → ciphertext.
    pub keys: BTreeMap<String, Spanned>,
}

pub type Attrs = BTreeMap<String, Spanned>;

/// Checking context: where diagnostics go.
pub struct Ctx<'a> {
    pub file: FileId,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn mismatch(&mut self, ty: &Ty, value: &ast::Value, attr: &str) {
        let expected = describe(ty);
        let mut d = Diagnostic::new(
            code::TYPE_MISMATCH,
            format!(
                "`{attr}` expects {expected}, found {}",
                value.kind.describe()
            ),
            self.file,
            value.span,
        )
        .label(format!("expected {expected}"));
        // The most common slip: quoting a word that must be bare.
        if let (Ty::Sym(words), ValueKind::Str(s)) = (ty, &value.kind) {
            let text = s.literal_text();
            if words.contains(&text.as_str()) {
                d = d.help(format!("write `{text}` without quotes"));
            }
        }
        if let (Ty::Ref(_), ValueKind::Str(s)) = (ty, &value.kind) {
            d = d.help(format!(
                "a reference is a bare name: write `{}` without quotes",
                s.literal_text()
            ));
        }
        if let (Ty::List(_), _) = (ty, &value.kind) {
            d = d.help("wrap it in brackets: `[ ... ]`");
        }
        self.push(d);
    }
}

/// Checks a body against a list of attribute specs. Unknown and duplicate keys are
/// reported; `skip` decides which items the caller handles itself (env overrides).
pub fn check_body(
    ctx: &mut Ctx,
    specs: &'static [AttrSpec],
    body: &ast::Body,
    what: &str,
    skip: &dyn Fn(&Item) -> bool,
) -> Attrs {
    let mut attrs = Attrs::new();
    for item in &body.items {
        if skip(item) {
            continue;
        }
        let (key_text, key_span): (std::borrow::Cow<str>, Span) = match item {
            Item::Attr(a) => (a.key.text(), a.key.span()),
            Item::Block(b) => (b.key.text.as_str().into(), b.key.span),
        };
        let Some(spec) = specs.iter().find(|s| s.name == key_text) else {
            unknown_attribute(ctx, specs, item, &key_text, key_span, what);
            continue;
        };
        // `sealed` blocks repeat by label; duplicates are checked inside. Every other
        // attribute is in `attrs` once checked (as `Invalid` when it failed).
        let sealed = matches!(spec.ty, Ty::Sealed);
        if !sealed {
            if let Some(first) = attrs.get(key_text.as_ref()) {
                ctx.push(
                    Diagnostic::new(
                        code::DUPLICATE_ATTRIBUTE,
                        format!("`{key_text}` is given twice"),
                        ctx.file,
                        key_span,
                    )
                    .label("given again here")
                    .with_secondary(ctx.file, first.key_span, "first given here")
                    .help("remove one of them"),
                );
                continue;
            }
        }
        let checked = check_item(ctx, spec, item, &mut attrs);
        if !sealed {
            let v = checked.unwrap_or_else(|| Spanned {
                val: Val::Invalid,
                file: ctx.file,
                span: item.span(),
                key_span,
            });
            attrs.insert(key_text.into_owned(), v);
        }
    }
    attrs
}

fn unknown_attribute(
    ctx: &mut Ctx,
    specs: &'static [AttrSpec],
    item: &Item,
    key: &str,
    span: Span,
    what: &str,
) {
    if let Item::Attr(a) = item {
        if let Key::Path(p) = &a.key {
            if p.len() > 1 {
                ctx.push(
                    Diagnostic::new(
                        code::INVALID_OVERRIDE,
                        format!("a dotted key is only allowed inside an `env`, not in {what}"),
                        ctx.file,
                        span,
                    )
                    .label("dotted key")
                    .help("to change an attribute for one environment, write `NAME.attr = value` inside that `env` block"),
                );
                return;
            }
        }
    }
    let suggestion = did_you_mean(key, specs.iter().map(|s| s.name));
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "{what} takes: {}",
            specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
        ),
    };
    let mut d = Diagnostic::new(
        code::UNKNOWN_ATTRIBUTE,
        format!("unknown attribute `{key}` in {what}"),
        ctx.file,
        span,
    )
    .label("not an attribute of this kind")
    .help(help);
    if let Some(s) = suggestion {
        d = d.fix(format!("replace with `{s}`"), span, s);
    }
    ctx.push(d);
}

/// Checks one item against its spec. For `sealed` blocks it merges into `attrs` itself
/// and returns `None`.
fn check_item(
    ctx: &mut Ctx,
    spec: &'static AttrSpec,
    item: &Item,
    attrs: &mut Attrs,
) -> Option<Spanned> {
    match (&spec.ty, item) {
        (Ty::Sealed, Item::Block(b)) => {
            check_sealed(ctx, b, attrs);
            None
        }
        (Ty::Block(inner), Item::Block(b)) if b.label.is_none() => {
            let sub = check_body(ctx, inner, &b.body, &format!("`{}`", spec.name), &|_| false);
            for s in inner.iter().filter(|s| s.required) {
                if !sub.contains_key(s.name) {
                    ctx.push(
                        Diagnostic::new(
                            code::MISSING_ATTRIBUTE,
                            format!("`{}` needs `{}`", spec.name, s.name),
                            ctx.file,
                            b.key.span,
                        )
                        .label(format!("`{}` is missing here", s.name))
                        .help(format!("add `{} = ...` inside the block", s.name)),
                    );
                }
            }
            Some(spanned(ctx, Val::Block(sub), b.body.span, b.key.span))
        }
        (Ty::Map { keys, value }, Item::Block(b)) if b.label.is_none() => {
            let map = check_map(ctx, *keys, value, &b.body, spec.name);
            Some(spanned(ctx, Val::Map(map), b.body.span, b.key.span))
        }
        (Ty::Block(_) | Ty::Map { .. }, Item::Block(b)) => {
            let label = b.label.as_ref().map_or(b.key.span, ast::BlockLabel::span);
            ctx.push(
                Diagnostic::new(
                    code::TYPE_MISMATCH,
                    format!("`{}` takes no label", spec.name),
                    ctx.file,
                    label,
                )
                .label("remove this label"),
            );
            None
        }
        (Ty::Block(_) | Ty::Map { .. } | Ty::Sealed, Item::Attr(a)) => {
            ctx.push(
                Diagnostic::new(
                    code::TYPE_MISMATCH,
                    format!("`{}` is a block, not an attribute", spec.name),
                    ctx.file,
                    a.span,
                )
                .label("expected `{ ... }` here")
                .help(format!("write `{} {{ ... }}`", spec.name)),
            );
            None
        }
        (_, Item::Block(b)) => {
            ctx.push(
                Diagnostic::new(
                    code::TYPE_MISMATCH,
                    format!("`{}` is an attribute, not a block", spec.name),
                    ctx.file,
                    b.key.span,
                )
                .label(format!("expected `{} = ...`", spec.name))
                .help(format!("`{}` expects {}", spec.name, describe(&spec.ty))),
            );
            None
        }
        (ty, Item::Attr(a)) => {
            let v = check_value(ctx, ty, &a.value, spec.name)?;
            Some(Spanned {
                val: v,
                file: ctx.file,
                span: a.value.span,
                key_span: a.key.span(),
            })
        }
    }
}

fn spanned(ctx: &Ctx, val: Val, span: Span, key_span: Span) -> Spanned {
    Spanned {
        val,
        file: ctx.file,
        span,
        key_span,
    }
}

fn check_map(
    ctx: &mut Ctx,
    keys: KeyRule,
    value_ty: &Ty,
    body: &ast::Body,
    what: &str,
) -> BTreeMap<String, Spanned> {
    let mut map: BTreeMap<String, Spanned> = BTreeMap::new();
    // Keys whose value did not check (not in `map`), for the duplicate check.
    let mut failed: Vec<(String, Span)> = Vec::new();
    for item in &body.items {
        let a = match item {
            Item::Attr(a) => a,
            Item::Block(b) => {
                ctx.push(
                    Diagnostic::new(
                        code::TYPE_MISMATCH,
                        format!("`{what}` holds `KEY = value` pairs, not blocks"),
                        ctx.file,
                        b.key.span,
                    )
                    .label("unexpected block"),
                );
                continue;
            }
        };
        let Some(key) = map_key(ctx, keys, &a.key, what) else {
            continue;
        };
        let first = map.get(&key).map(|v| v.key_span).or_else(|| {
            failed
                .iter()
                .find(|(k, _)| *k == key)
                .map(|&(_, span)| span)
        });
        if let Some(first) = first {
            ctx.push(
                Diagnostic::new(
                    code::DUPLICATE_ATTRIBUTE,
                    format!("`{key}` is given twice in `{what}`"),
                    ctx.file,
                    a.key.span(),
                )
                .label("given again here")
                .with_secondary(ctx.file, first, "first given here"),
            );
            continue;
        }
        match check_value(ctx, value_ty, &a.value, &key) {
            Some(v) => {
                map.insert(
                    key,
                    Spanned {
                        val: v,
                        file: ctx.file,
                        span: a.value.span,
                        key_span: a.key.span(),
                    },
                );
            }
            None => failed.push((key, a.key.span())),
        }
    }
    map
}

fn map_key(ctx: &mut Ctx, rule: KeyRule, key: &Key, what: &str) -> Option<String> {
    let (text, ok, expected) = match (rule, key) {
        (KeyRule::Quoted, Key::Str(s)) => (s.literal_text(), true, ""),
        (KeyRule::Quoted, Key::Path(_)) => (
            key.text().into_owned(),
            false,
            "a quoted version range such as `\"<7.4\"`",
        ),
        (KeyRule::EnvVar, Key::Path(p)) if p.len() == 1 => {
            let t = p[0].text.clone();
            let ok = is_env_key(&t);
            (
                t,
                ok,
                "a name of letters, digits and `_` that does not start with a digit",
            )
        }
        (KeyRule::Name, Key::Path(p)) if p.len() == 1 => {
            let t = p[0].text.clone();
            let ok = is_attr_key(&t);
            (t, ok, "a lower-case name")
        }
        _ => (key.text().into_owned(), false, "a plain name"),
    };
    if ok {
        return Some(text);
    }
    ctx.push(
        Diagnostic::new(
            code::INVALID_NAME,
            format!("invalid key in `{what}`"),
            ctx.file,
            key.span(),
        )
        .label(format!("expected {expected}")),
    );
    None
}

fn check_sealed(ctx: &mut Ctx, b: &ast::Block, attrs: &mut Attrs) {
    let label = b.label.as_ref().map(|l| match l {
        ast::BlockLabel::Name(i) => Ok((i.text.clone(), i.span)),
        ast::BlockLabel::Str(s) => Err(s.span),
    });
    let label = match label {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(span)) => {
            ctx.push(
                Diagnostic::new(
                    code::TYPE_MISMATCH,
                    "a `sealed` block's label is an environment name, not a string",
                    ctx.file,
                    span,
                )
                .label("expected a bare environment name"),
            );
            return;
        }
    };
    let keys = check_map(
        ctx,
        KeyRule::EnvVar,
        &Ty::Str(StrCheck::Any),
        &b.body,
        "sealed",
    );
    let entry = attrs
        .entry("sealed".to_string())
        .or_insert_with(|| Spanned {
            val: Val::Sealed(BTreeMap::new()),
            file: ctx.file,
            span: b.span,
            key_span: b.key.span,
        });
    let Val::Sealed(blocks) = &mut entry.val else {
        return;
    };
    let name = label.as_ref().map(|(n, _)| n.clone());
    if let Some(first) = blocks.get(&name) {
        let first_span = first.label_span.unwrap_or(first.span);
        let shown = name
            .as_deref()
            .map_or_else(|| "sealed".to_string(), |n| format!("sealed {n}"));
        ctx.push(
            Diagnostic::new(
                code::DUPLICATE_ATTRIBUTE,
                format!("`{shown}` is given twice"),
                ctx.file,
                label.as_ref().map_or(b.key.span, |(_, s)| *s),
            )
            .label("given again here")
            .with_secondary(ctx.file, first_span, "first given here")
            .help("merge the two blocks"),
        );
        return;
    }
    blocks.insert(
        name,
        SealedBlock {
            label_span: label.map(|(_, s)| s),
            span: b.span,
            keys,
        },
    );
}

/// Checks a value against a type.
pub fn check_value(ctx: &mut Ctx, ty: &Ty, value: &ast::Value, attr: &str) -> Option<Val> {
    if matches!(value.kind, ValueKind::Error) {
        return None;
    }
    match (ty, &value.kind) {
        (Ty::Str(check), ValueKind::Str(s)) => {
            check_str(ctx, *check, s, attr)?;
            Some(Val::Str(s.clone()))
        }
        (Ty::Int { min, max }, ValueKind::Num(n)) => {
            let v = int_value(ctx, n, value.span, attr)?;
            if v < *min || v > *max {
                ctx.push(
                    Diagnostic::new(
                        code::INVALID_VALUE,
                        format!("`{attr}` must be from {min} to {max}, found {v}"),
                        ctx.file,
                        value.span,
                    )
                    .label("out of range"),
                );
                return None;
            }
            Some(Val::Int(v))
        }
        (Ty::Cpu, ValueKind::Num(n)) => cpu_value(ctx, n, value.span, attr).map(Val::Cpu),
        (Ty::Bytes, ValueKind::Num(n)) => bytes_value(ctx, n, value.span, attr).map(Val::Bytes),
        (Ty::Duration, ValueKind::Num(n)) => {
            duration_value(ctx, n, value.span, attr).map(Val::Duration)
        }
        (Ty::Bool, ValueKind::Bool(b)) => Some(Val::Bool(*b)),
        (Ty::Ref(_), ValueKind::Ref(id)) => Some(Val::Ref(id.clone())),
        (Ty::Sym(words), ValueKind::Ref(id)) => {
            if words.contains(&id.text.as_str()) {
                Some(Val::Sym(id.text.clone()))
            } else {
                let d = Diagnostic::new(
                    code::INVALID_VALUE,
                    format!("`{}` is not a valid `{attr}`", id.text),
                    ctx.file,
                    id.span,
                )
                .label(format!("expected {}", describe(ty)))
                .maybe_help(
                    did_you_mean(&id.text, words.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
                );
                let d = match did_you_mean(&id.text, words.iter().copied()) {
                    Some(w) => d.fix(format!("replace with `{w}`"), id.span, w),
                    None => d,
                };
                ctx.push(d);
                None
            }
        }
        (Ty::List(inner), ValueKind::List(items)) => {
            let mut out = Vec::new();
            for it in items {
                if let Some(v) = check_value(ctx, inner, it, attr) {
                    out.push(Spanned {
                        val: v,
                        file: ctx.file,
                        span: it.span,
                        key_span: it.span,
                    });
                }
            }
            Some(Val::List(out))
        }
        (Ty::Block(_) | Ty::Map { .. } | Ty::Sealed, _) => {
            ctx.push(
                Diagnostic::new(
                    code::TYPE_MISMATCH,
                    format!("`{attr}` is a block, not an attribute"),
                    ctx.file,
                    value.span,
                )
                .label("expected `{ ... }`"),
            );
            None
        }
        (Ty::Cpu | Ty::Bytes | Ty::Duration | Ty::Int { .. }, ValueKind::Str(s))
            if s.literal_text().parse::<f64>().is_ok() || looks_numeric(&s.literal_text()) =>
        {
            ctx.mismatch(ty, value, attr);
            if let Some(d) = ctx.diags.last_mut() {
                d.help = Some(
                    "numbers are written without quotes: `replicas = 3`, `memory = 512Mi`".into(),
                );
            }
            None
        }
        _ => {
            ctx.mismatch(ty, value, attr);
            None
        }
    }
}

fn looks_numeric(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

fn unit_error(ctx: &mut Ctx, n: &NumLit, span: Span, attr: &str, expected: &str) -> Option<u64> {
    ctx.push(
        Diagnostic::new(
            code::INVALID_UNIT,
            if n.unit.is_empty() {
                format!("`{attr}` needs a unit")
            } else {
                format!("`{}` is not a unit for `{attr}`", n.unit)
            },
            ctx.file,
            span,
        )
        .label(format!("expected {expected}")),
    );
    None
}

fn too_large(ctx: &mut Ctx, span: Span, attr: &str) -> Option<u64> {
    ctx.push(
        Diagnostic::new(
            code::INVALID_VALUE,
            format!("`{attr}` is too large"),
            ctx.file,
            span,
        )
        .label("this number does not fit"),
    );
    None
}

fn int_value(ctx: &mut Ctx, n: &NumLit, span: Span, attr: &str) -> Option<i64> {
    if !n.unit.is_empty() {
        unit_error(ctx, n, span, attr, "a plain number without unit");
        return None;
    }
    if !n.is_integer() {
        ctx.push(
            Diagnostic::new(
                code::TYPE_MISMATCH,
                format!("`{attr}` expects a whole number"),
                ctx.file,
                span,
            )
            .label("not a whole number"),
        );
        return None;
    }
    match n.number.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            too_large(ctx, span, attr);
            None
        }
    }
}

/// A decimal number as (mantissa, decimal places): `1.25` → (125, 2).
fn decimal(n: &NumLit) -> Option<(u128, u32)> {
    if n.number.starts_with('-') {
        return None;
    }
    let (int, frac) = n.number.split_once('.').unwrap_or((&n.number, ""));
    if int.len() + frac.len() > 30 {
        return None;
    }
    let mantissa: u128 = format!("{int}{frac}").parse().ok()?;
    Some((mantissa, u32::try_from(frac.len()).ok()?))
}

/// Scales a decimal by a multiplier; `None` when not whole or too large.
fn scaled(n: &NumLit, mult: u128) -> Result<u64, &'static str> {
    let (m, places) = decimal(n).ok_or("negative")?;
    let div = 10u128.checked_pow(places).ok_or("large")?;
    let v = m.checked_mul(mult).ok_or("large")?;
    if v % div != 0 {
        return Err("fraction");
    }
    u64::try_from(v / div).map_err(|_| "large")
}

fn scale_or_report(
    ctx: &mut Ctx,
    n: &NumLit,
    mult: u128,
    span: Span,
    attr: &str,
    fraction: &str,
) -> Option<u64> {
    match scaled(n, mult) {
        Ok(v) => Some(v),
        Err(e) => scale_error(ctx, e, span, attr, fraction),
    }
}

fn scale_error(ctx: &mut Ctx, e: &str, span: Span, attr: &str, fraction: &str) -> Option<u64> {
    match e {
        "large" => too_large(ctx, span, attr),
        "negative" => {
            ctx.push(
                Diagnostic::new(
                    code::INVALID_VALUE,
                    format!("`{attr}` cannot be negative"),
                    ctx.file,
                    span,
                )
                .label("negative"),
            );
            None
        }
        _ => {
            ctx.push(
                Diagnostic::new(
                    code::INVALID_VALUE,
                    format!("`{attr}` is finer than {fraction}"),
                    ctx.file,
                    span,
                )
                .label("too precise"),
            );
            None
        }
    }
}

fn cpu_value(ctx: &mut Ctx, n: &NumLit, span: Span, attr: &str) -> Option<u64> {
    let mult = match n.unit.as_str() {
        "" => 1000,
        "m" => 1,
        _ => {
            return unit_error(
                ctx,
                n,
                span,
                attr,
                "cores (`2`, `0.5`) or millicores (`250m`)",
            );
        }
    };
    scale_or_report(ctx, n, mult, span, attr, "1m")
}

/// Kubernetes quantity suffixes.
pub fn byte_multiplier(unit: &str) -> Option<u128> {
    Some(match unit {
        "k" => 1000,
        "M" => 1000u128.pow(2),
        "G" => 1000u128.pow(3),
        "T" => 1000u128.pow(4),
        "P" => 1000u128.pow(5),
        "E" => 1000u128.pow(6),
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "Ei" => 1 << 60,
        _ => return None,
    })
}

fn bytes_value(ctx: &mut Ctx, n: &NumLit, span: Span, attr: &str) -> Option<u64> {
    let Some(mult) = byte_multiplier(&n.unit) else {
        let expected = "a size unit: Ki, Mi, Gi, Ti, Pi, Ei (or k, M, G, T, P, E)";
        unit_error(ctx, n, span, attr, expected);
        let lower = n.unit.to_ascii_lowercase();
        if lower == "mb" || lower == "gb" {
            let (bin, dec) = if lower == "mb" {
                ("Mi", "M")
            } else {
                ("Gi", "G")
            };
            if let Some(d) = ctx.diags.last_mut() {
                d.help = Some(format!(
                    "Kubernetes writes sizes as `{n}{bin}` (binary) or `{n}{dec}` (decimal)",
                    n = n.number
                ));
            }
        }
        return None;
    };
    scale_or_report(ctx, n, mult, span, attr, "one byte")
}

fn duration_value(ctx: &mut Ctx, n: &NumLit, span: Span, attr: &str) -> Option<u64> {
    let mult = match n.unit.as_str() {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return unit_error(ctx, n, span, attr, "a duration unit: ms, s, m, h, d"),
    };
    scale_or_report(ctx, n, mult, span, attr, "1ms")
}

fn check_str(ctx: &mut Ctx, check: StrCheck, s: &StrLit, attr: &str) -> Option<()> {
    // Interpolated strings are checked once resolved per environment.
    if !s.is_plain() {
        return Some(());
    }
    let text = s.literal_text();
    let problem: Option<String> = match check {
        StrCheck::Any => None,
        StrCheck::NonEmpty | StrCheck::RelPath if text.trim().is_empty() => {
            Some("must not be empty".into())
        }
        StrCheck::NonEmpty => None,
        StrCheck::RelPath if text.starts_with('/') || text.split('/').any(|p| p == "..") => {
            Some("must be a path inside the workspace (relative, without `..`)".into())
        }
        StrCheck::RelPath => None,
        StrCheck::K3sVersion => {
            (!is_k3s_version(&text)).then(|| "is not a K3s version like `v1.31.4+k3s1`".into())
        }
        StrCheck::Version => (!is_version(&text)).then(|| "is not a version like `7.2.7`".into()),
        StrCheck::Path => {
            (!text.starts_with('/')).then(|| "must be an HTTP path starting with `/`".into())
        }
        StrCheck::GitUrl => (!(text.starts_with("https://")
            || text.starts_with("http://")
            || text.starts_with("ssh://")
            || text.starts_with("git@")
            || text.starts_with("file://")))
        .then(|| "is not a git URL (`https://...`, `ssh://...` or `git@host:...`)".into()),
        StrCheck::HttpsUrl => {
            (!text.starts_with("https://")).then(|| "must be an `https://` URL".into())
        }
        StrCheck::Email => {
            let ok = text.split_once('@').is_some_and(|(u, d)| {
                !u.is_empty() && d.contains('.') && !d.contains('@') && !text.contains(' ')
            });
            (!ok).then(|| "is not an e-mail address".into())
        }
        StrCheck::Namespace => (!is_dns_label(&text)).then(|| {
            "is not a valid namespace (lower-case letters, digits and `-`, at most 63)".into()
        }),
        StrCheck::Host => host_problem(&text),
        StrCheck::Image => super::image_ref::problem(&text, false),
        StrCheck::ImageRepo => super::image_ref::problem(&text, true),
        StrCheck::Access => access_problem(&text),
        StrCheck::SqlName => {
            let ok = !text.is_empty()
                && text.len() <= 63
                && text.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && text
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            (!ok).then(|| "is not a database name (lower-case letters, digits and `_`)".into())
        }
    };
    match problem {
        None => Some(()),
        Some(p) => {
            ctx.push(
                Diagnostic::new(
                    code::INVALID_VALUE,
                    format!("`{attr}` {p}"),
                    ctx.file,
                    s.span,
                )
                .label("invalid value"),
            );
            None
        }
    }
}

/// `[a-z]([a-z0-9-]*[a-z0-9])?`, at most 63 characters.
#[must_use]
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `[A-Za-z_][A-Za-z0-9_]*`
#[must_use]
pub fn is_env_key(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-z_][a-z0-9_-]*`
#[must_use]
pub fn is_attr_key(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_k3s_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let Some((core, k3s)) = rest.split_once("+k3s") else {
        return false;
    };
    let core = core.split_once("-rc").map_or(core, |(c, rc)| {
        if !rc.is_empty() && rc.chars().all(|ch| ch.is_ascii_digit()) {
            c
        } else {
            "x"
        }
    });
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && !k3s.is_empty()
        && k3s.chars().all(|c| c.is_ascii_digit())
}

fn is_version(s: &str) -> bool {
    let core = s.split(['-', '+']).next().unwrap_or("");
    !core.is_empty()
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c))
}

/// Why a resolved host name is not valid, if it is not.
#[must_use]
pub fn host_problem(host: &str) -> Option<String> {
    if host.is_empty() {
        return Some("is an empty host name".into());
    }
    if host.len() > 253 {
        return Some("is longer than 253 characters".into());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if host.split('.').all(label_ok) {
        None
    } else {
        Some(format!(
            "`{host}` is not a valid host name (lower-case labels of letters, digits and `-`, separated by `.`)"
        ))
    }
}

/// The verbs Kubernetes RBAC knows.
pub const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
    "use",
    "approve",
    "sign",
    "*",
];

fn access_problem(s: &str) -> Option<String> {
    let mut parts = s.split_whitespace();
    let (Some(verbs), Some(resource), None) = (parts.next(), parts.next(), parts.next()) else {
        return Some("must be `\"VERB[,VERB] RESOURCE\"`, e.g. `\"get,watch configmaps\"`".into());
    };
    for v in verbs.split(',') {
        if !VERBS.contains(&v) {
            return Some(format!("has an unknown verb `{v}`"));
        }
    }
    let ok = resource == "*"
        || resource.split('/').all(|p| {
            !p.is_empty()
                && p.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '*'
                })
        });
    (!ok).then(|| format!("has an invalid resource `{resource}`"))
}
