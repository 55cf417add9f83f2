//! What `afc build` needs beyond a well-typed model, checked as part of every analysis
//! (so `afc check` and the language server report it too): every used secret can be
//! sealed into every environment, credentials have their keys, no workload gets one
//! environment variable twice, every image is pinned, object names do not clash.
//! Each problem is reported once, at the attribute or override that causes it.

use super::datastore::database_pods;
use super::meta::{DEFAULT_DENY, is_pinned};
use super::wiring::env_var_names;
use super::{Ctx, Part, View};
use crate::diag::{Diagnostic, code};
use crate::sema::model::Env;
use crate::sema::value::Val;
use crate::sema::{Decl, Sema};
use crate::source::{FileId, Span};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where an attribute of `decl` gets its value in `env`: the env's override, or the
/// declaration's own attribute, or the declaration's name.
pub(super) fn site(sema: &Sema, env: Option<&str>, decl: &Decl, attr: &str) -> (FileId, Span) {
    if let Some(e) = env.and_then(|e| sema.get(e)) {
        if let Some(o) = e
            .overrides_of(&decl.name)
            .find(|o| o.path.first().is_some_and(|p| p.text == attr))
        {
            return (e.file, o.value.span);
        }
    }
    decl.attrs
        .get(attr)
        .map_or((decl.file, decl.name_span), |v| (v.file, v.span))
}

/// Runs the build checks; pushes their diagnostics.
pub fn run(sema: &Sema, diags: &mut Vec<Diagnostic>) {
    super::cluster_checks::run(sema, diags);
    super::route_conflicts::run(sema, diags);
    let Some(platform) = sema.model.platform.as_ref() else {
        return;
    };
    let ctx = Ctx::new(sema, platform);
    let base = sema.base();
    // The checks read only a view's environment and whether it is the base.
    let facts = super::Facts::default();
    let parts: Vec<Part> = std::iter::once(base)
        .chain(&sema.model.envs)
        .map(|env| Part::all(env, &sema.model))
        .collect();
    let mut views: Vec<View> = vec![View {
        env: base,
        base: true,
        part: &parts[0],
        facts: &facts,
    }];
    views.extend(
        sema.model
            .envs
            .iter()
            .zip(&parts[1..])
            .map(|(env, part)| View {
                env,
                base: false,
                part,
                facts: &facts,
            }),
    );
    // The views are independent: check them side by side, collect in view order.
    let (found, conflicts) = rayon::join(
        || {
            views
                .par_iter()
                .flat_map_iter(|view| {
                    let mut diags = Vec::new();
                    let env_name = (!view.base).then_some(view.env.name.as_str());
                    images(&ctx, view.env, env_name, &mut diags);
                    env_conflicts(&ctx, view, env_name, &mut diags);
                    unportable_strings(sema, view.env, env_name, &mut diags);
                    if let Some(name) = env_name {
                        secrets(&ctx, view.env, name, &mut diags);
                        postgres_replicas(sema, view.env, name, &mut diags);
                    }
                    diags
                })
                .collect::<Vec<Diagnostic>>()
        },
        || {
            let mut found = Vec::new();
            let names = object_names(&ctx, base);
            super::name_lengths::run(sema, &names, &mut found);
            name_conflicts(&ctx, names, &mut found);
            found
        },
    );
    diags.extend(found);
    diags.extend(conflicts);
}

fn images(ctx: &Ctx, env: &Env, env_name: Option<&str>, diags: &mut Vec<Diagnostic>) {
    let sema = ctx.sema;
    let check = |name: &str, image: &str, what: &str, diags: &mut Vec<Diagnostic>| {
        if image.contains("${") || is_pinned(image) {
            return;
        }
        let Some(d) = sema.get(name) else { return };
        let (file, span) = site(sema, env_name, d, "image");
        diags.push(
            Diagnostic::new(
                code::UNPINNED_IMAGE,
                format!("the image of {what} `{name}` is not pinned: `{image}`"),
                file,
                span,
            )
            .label("no tag or digest, or `latest`")
            .help("name a fixed version: `repository:1.2.3` or `repository@sha256:...`"),
        );
    };
    for w in &env.workloads {
        check(&w.name, &w.image, "workload", diags);
    }
    for db in &env.databases {
        if let Some(img) = &db.image {
            check(&db.name, img, "database", diags);
        } else if db.engine == "yugabytedb"
            && !db.version.contains("-b")
            && !ctx
                .sema
                .model
                .engines
                .iter()
                .any(|e| e.name == db.engine && e.tags.contains_key(&db.version))
        {
            if let Some(d) = sema.get(&db.name) {
                let (file, span) = site(sema, env_name, d, "version");
                diags.push(
                    Diagnostic::new(
                        code::IMAGE_BUILD_TAG,
                        format!("YugabyteDB images are tagged with a build number; version `{}` has none", db.version),
                        file,
                        span,
                    )
                    .label("the stdlib knows no build number for this version")
                    .help(format!(
                        "add the full image with the build number of the release, e.g. `image = \"docker.io/yugabytedb/yugabyte:{}-b1\"`, or a `tags` entry to an `override engine yugabytedb`",
                        db.version
                    )),
                );
            }
        }
    }
    for c in &env.caches {
        if let Some(img) = &c.image {
            check(&c.name, img, "cache", diags);
        }
    }
}

fn env_conflicts(ctx: &Ctx, view: &View, env_name: Option<&str>, diags: &mut Vec<Diagnostic>) {
    // A workload that the environment leaves as written, with all it uses, gets the
    // same variables as in the base view, where it is checked (the same diagnostic
    // would be reported twice, and dropped).
    let none = HashSet::default();
    let unchanged = env_name.and_then(|e| super::derive::Unchanged::of(ctx.sema, e, &none));
    for w in &view.env.workloads {
        if unchanged
            .as_ref()
            .is_some_and(|u| u.decl(&w.name) && w.uses.iter().all(|x| u.decl(x)))
        {
            continue;
        }
        let vars = env_var_names(ctx, view, w);
        // Each variable given again, with the last one given before it, in order (the
        // indices sorted by name, stably, put equal names side by side).
        let mut by_name: Vec<usize> = (0..vars.len()).collect();
        by_name.sort_by(|&a, &b| vars[a].name.cmp(&vars[b].name));
        let mut again: Vec<(usize, usize)> = by_name
            .windows(2)
            .filter(|p| vars[p[0]].name == vars[p[1]].name)
            .map(|p| (p[1], p[0]))
            .collect();
        again.sort_unstable();
        for (i, prev) in again {
            let (v, first) = (&vars[i], &vars[prev]);
            let Some(d) = ctx.sema.get(&w.name) else {
                continue;
            };
            let (file, span) = if first.origin == super::wiring::Origin::Own
                || v.origin == super::wiring::Origin::Own
            {
                site(ctx.sema, env_name, d, "env")
            } else {
                site(ctx.sema, env_name, d, "uses")
            };
            diags.push(
                Diagnostic::new(
                    code::ENV_VAR_CONFLICT,
                    format!(
                        "`{}` gets the environment variable `{}` twice: from {} and from {}",
                        w.name,
                        v.name,
                        first.origin.describe(),
                        v.origin.describe()
                    ),
                    file,
                    span,
                )
                .label(format!("`{}` is set twice", v.name))
                .help("rename the key of the secret or of `env`, or stop using one of the two"),
            );
        }
    }
}

/// The names of the secrets that `name` reads: used secrets and credentials.
fn secrets(ctx: &Ctx, env: &Env, env_name: &str, diags: &mut Vec<Diagnostic>) {
    let sema = ctx.sema;
    // secret → (user, keys it needs)
    let mut needs: BTreeMap<&str, Vec<(&str, &[&str])>> = BTreeMap::new();
    for w in &env.workloads {
        for u in &w.uses {
            match ctx.kind_of(u) {
                Some("secret") => needs
                    .entry(u.as_str())
                    .or_default()
                    .push((w.name.as_str(), &[])),
                Some("database") => {
                    if let Some(db) = env.database(u) {
                        needs
                            .entry(db.credentials.as_str())
                            .or_default()
                            .push((u.as_str(), &[]));
                    }
                }
                Some("cache") => {
                    if let Some(s) = env.cache(u).and_then(|c| c.credentials.as_deref()) {
                        needs.entry(s).or_default().push((u.as_str(), &[]));
                    }
                }
                _ => {}
            }
        }
    }
    for db in &env.databases {
        needs
            .entry(db.credentials.as_str())
            .or_default()
            .push((db.name.as_str(), &["username", "password"]));
    }
    for c in &env.caches {
        if let Some(s) = &c.credentials {
            needs
                .entry(s.as_str())
                .or_default()
                .push((c.name.as_str(), &["password"]));
        }
    }
    for (secret, users) in needs {
        let (Some(s), Some(d)) = (ctx.secret(secret), sema.get(secret)) else {
            continue;
        };
        let label = (s.scope != "cluster-wide").then(|| env_name.to_string());
        let Some(block) = s.sealed.get(&label) else {
            let user = users[0].0;
            let mut diag = Diagnostic::new(
                code::MISSING_SEALED_BLOCK,
                match &label {
                    Some(e) => format!("secret `{secret}` has no `sealed {e}` block, but `{user}` needs it in env `{e}`"),
                    None => format!("cluster-wide secret `{secret}` has no `sealed` block, but `{user}` needs it"),
                },
                d.file,
                d.name_span,
            )
            .label("cannot be sealed into this environment")
            .help(match &label {
                Some(e) => format!("seal its values for `{e}`: `afc seal --secret {secret} --env {e} --key KEY`"),
                None => format!("seal its values once: `afc seal --secret {secret} --key KEY`"),
            });
            if let Some(e) = sema.get(env_name) {
                diag = diag.with_secondary(e.file, e.name_span, "this environment");
            }
            diags.push(diag);
            continue;
        };
        for (user, keys) in users {
            for key in keys.iter().filter(|k| !block.contains_key(**k)) {
                let span = match d.attrs.get("sealed").map(|v| &v.val) {
                    Some(Val::Sealed(blocks)) => blocks
                        .get(&label)
                        .map_or(d.name_span, |b| b.label_span.unwrap_or(b.span)),
                    _ => d.name_span,
                };
                diags.push(
                    Diagnostic::new(
                        code::MISSING_SECRET_KEY,
                        format!(
                            "`{user}` reads key `{key}` of its credentials `{secret}`, which {} has no such key",
                            label.as_ref().map_or("the sealed block".to_string(), |e| format!("`sealed {e}`"))
                        ),
                        d.file,
                        span,
                    )
                    .label(format!("no `{key}` here"))
                    .help(format!("seal a `{key}` for it: databases need `username` and `password`, caches `password`")),
                );
            }
        }
    }
}

fn postgres_replicas(sema: &Sema, env: &Env, env_name: &str, diags: &mut Vec<Diagnostic>) {
    for db in env
        .databases
        .iter()
        .filter(|d| d.engine == "postgres" && d.replicas > 1)
    {
        let Some(d) = sema.get(&db.name) else {
            continue;
        };
        let (file, span) = site(sema, Some(env_name), d, "replicas");
        diags.push(
            Diagnostic::new(
                code::REPLICATED_POSTGRES,
                format!("postgres database `{}` has {} replicas, but afc runs PostgreSQL without replication", db.name, db.replicas),
                file,
                span,
            )
            .label("each replica would be a separate, empty database")
            .help("use `replicas = 1`, or `engine = yugabytedb` for replicated SQL"),
        );
    }
}

/// The Kubernetes objects each declaration of `base` produces, by kind and name, with
/// their owner (`""` for afc's namespace-wide objects), in declaration-kind order:
/// workloads, databases, caches. Every name is the owner's name or starts with it.
pub(super) fn object_names<'a>(
    ctx: &Ctx,
    base: &'a Env,
) -> Vec<(&'static str, Cow<'a, str>, &'a str)> {
    let mut out = vec![("NetworkPolicy", Cow::Borrowed(DEFAULT_DENY), "")];
    for w in &base.workloads {
        for kind in [
            "Deployment",
            "Service",
            "ServiceAccount",
            "NetworkPolicy",
            "PodDisruptionBudget",
        ] {
            out.push((kind, Cow::Borrowed(w.name.as_str()), w.name.as_str()));
        }
    }
    for db in &base.databases {
        let owner = db.name.as_str();
        out.push(("Service", Cow::Borrowed(owner), owner));
        out.push(("ServiceAccount", Cow::Borrowed(owner), owner));
        for (set, ..) in database_pods(db, ctx.engine(&db.engine)) {
            out.push(("StatefulSet", Cow::Owned(set.clone()), owner));
            out.push(("NetworkPolicy", Cow::Owned(set.clone()), owner));
            out.push(("PodDisruptionBudget", Cow::Owned(set), owner));
        }
        if db.engine == "yugabytedb" {
            out.push(("Service", Cow::Owned(format!("{owner}-yb-masters")), owner));
            out.push(("Service", Cow::Owned(format!("{owner}-yb-tservers")), owner));
        }
    }
    for c in &base.caches {
        for kind in ["StatefulSet", "Service", "ServiceAccount", "NetworkPolicy"] {
            out.push((kind, Cow::Borrowed(c.name.as_str()), c.name.as_str()));
        }
    }
    out
}

/// Two declarations whose objects share a kind and name (`a-yb-master` is taken by
/// database `a`).
fn name_conflicts<'a>(
    ctx: &Ctx,
    names: Vec<(&'static str, Cow<'a, str>, &'a str)>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut owners: HashMap<(&str, Cow<'a, str>), &'a str> =
        HashMap::with_capacity_and_hasher(names.len(), Default::default());
    for (kind, name, owner) in names {
        let key = (kind, name);
        let name = &key.1;
        match owners.get(&key) {
            Some(&"") => {
                let Some(d) = ctx.sema.get(owner) else {
                    continue;
                };
                diags.push(
                    Diagnostic::new(
                        code::OBJECT_NAME_CONFLICT,
                        format!("the {kind} `{name}` of `{owner}` has the name of afc's namespace-wide {kind}"),
                        d.file,
                        d.name_span,
                    )
                    .label(format!("`{name}` is reserved"))
                    .help("rename the declaration"),
                );
            }
            Some(first) if *first != owner => {
                let (Some(d), Some(f)) = (ctx.sema.get(owner), ctx.sema.get(first)) else {
                    continue;
                };
                // Report at the later of the two in file order.
                let (later, earlier) = if (d.file, d.name_span.start) > (f.file, f.name_span.start)
                {
                    (d, f)
                } else {
                    (f, d)
                };
                diags.push(
                    Diagnostic::new(
                        code::OBJECT_NAME_CONFLICT,
                        format!(
                            "`{}` and `{}` would both produce the {kind} `{name}`",
                            earlier.name, later.name
                        ),
                        later.file,
                        later.name_span,
                    )
                    .label(format!("its {kind} is called `{name}`"))
                    .with_secondary(
                        earlier.file,
                        earlier.name_span,
                        format!("`{}` makes a {kind} `{name}` too", earlier.name),
                    )
                    .help("rename one of the two declarations"),
                );
            }
            Some(_) => {}
            None => {
                owners.insert(key, owner);
            }
        }
    }
}

/// Why `kubectl kustomize` cannot carry a string unchanged to every YAML reader, if it
/// cannot. Kustomize re-writes the YAML it reads, and its writer (go-yaml) emits
/// - DEL, the C1 controls other than NEL, U+FFFE and U+FFFF raw, then fails to read
///   them back;
/// - NEL, U+2028 and U+2029 raw, which YAML 1.1 readers take for line breaks;
/// - `=` and `<<` plain, which YAML 1.1 readers take for the value and merge keys;
/// - date-times that only YAML 1.1 knows plain (`2001-12-14T21:59:43`, `... -5`), which
///   YAML 1.1 readers turn into timestamps.
#[must_use]
pub fn unportable(s: &str) -> Option<String> {
    if let Some(c) = s.chars().find(|c| {
        matches!(
            u32::from(*c),
            0x7f..=0x9f | 0x2028 | 0x2029 | 0xfffe | 0xffff
        )
    }) {
        return Some(format!("holds the character U+{:04X}", u32::from(c)));
    }
    if s.contains('\n') && s.starts_with('\t') {
        return Some("has several lines and starts with a tab, which kubectl kustomize writes as a block it cannot read back".into());
    }
    if s == "=" || s == "<<" {
        return Some(format!(
            "is `{s}`, which kubectl kustomize writes unquoted and YAML 1.1 readers take for a key"
        ));
    }
    if yaml11_datetime_go_misses(s) {
        return Some("is a date-time that kubectl kustomize writes unquoted and YAML 1.1 readers turn into a timestamp".into());
    }
    None
}

fn digits(s: &str, min: usize, max: usize) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&n).then(|| s.split_at(n))
}

/// A YAML 1.1 date-time (`yyyy-m-d`, `T`/`t`/spaces, `h:mm:ss`, fraction, zone) that
/// go-yaml does not recognise as one (so does not quote): with `T`, a missing or short
/// zone, space before the zone, or an empty fraction; with one space, any zone or an
/// empty fraction.
fn yaml11_datetime_go_misses(s: &str) -> bool {
    let parse = || -> Option<bool> {
        let (_, r) = digits(s, 4, 4)?;
        let (_, r) = digits(r.strip_prefix('-')?, 1, 2)?;
        let (_, r) = digits(r.strip_prefix('-')?, 1, 2)?;
        let (tee, r) = match r.strip_prefix(['T', 't']) {
            Some(r) => (true, r),
            None => {
                let ws = r.bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
                if ws == 0 {
                    return None;
                }
                if ws > 1 || r.starts_with('\t') {
                    return Some(false); // go-yaml quotes these (observed)
                }
                (false, &r[1..])
            }
        };
        let (_, r) = digits(r, 1, 2)?;
        let (_, r) = digits(r.strip_prefix(':')?, 2, 2)?;
        let (_, r) = digits(r.strip_prefix(':')?, 2, 2)?;
        let (empty_fraction, r) = match r.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                (n == 0, &f[n..])
            }
            None => (false, r),
        };
        let zone = r.trim_start_matches([' ', '\t']);
        let space_before_zone = zone.len() != r.len();
        let zone_ok = zone.is_empty()
            || zone == "Z"
            || zone
                .strip_prefix(['+', '-'])
                .and_then(|z| digits(z, 1, 2))
                .is_some_and(|(_, rest)| {
                    rest.is_empty()
                        || rest
                            .strip_prefix(':')
                            .and_then(|m| digits(m, 2, 2))
                            .is_some_and(|(_, e)| e.is_empty())
                });
        if !zone_ok || (zone.is_empty() && space_before_zone) {
            return None; // not a YAML 1.1 timestamp at all
        }
        let go_zone = zone == "Z"
            || (zone.len() == 6 && zone.as_bytes()[3] == b':' && zone.starts_with(['+', '-']));
        let go = if tee {
            !zone.is_empty() && go_zone && !space_before_zone && !empty_fraction
        } else {
            zone.is_empty() && !empty_fraction
        };
        Some(!go)
    };
    parse().unwrap_or(false)
}

/// The span of one `env` entry of `decl` in `env`: its override, or its value.
fn env_entry_site(sema: &Sema, env: Option<&str>, decl: &Decl, key: &str) -> (FileId, Span) {
    if let Some(e) = env.and_then(|e| sema.get(e)) {
        if let Some(o) = e
            .overrides_of(&decl.name)
            .find(|o| o.path.len() == 2 && o.path[0].text == "env" && o.path[1].text == key)
        {
            return (e.file, o.value.span);
        }
    }
    match decl.attrs.get("env").map(|v| &v.val) {
        Some(Val::Map(m)) => m
            .get(key)
            .map_or((decl.file, decl.name_span), |v| (v.file, v.span)),
        _ => site(sema, env, decl, "env"),
    }
}

fn unportable_strings(sema: &Sema, env: &Env, env_name: Option<&str>, diags: &mut Vec<Diagnostic>) {
    for w in &env.workloads {
        let Some(d) = sema.get(&w.name) else { continue };
        let mut found: Vec<(String, (FileId, Span), String)> = Vec::new();
        for (k, v) in &w.env {
            if let Some(why) = unportable(v) {
                found.push((
                    format!("`env.{k}`"),
                    env_entry_site(sema, env_name, d, k),
                    why,
                ));
            }
        }
        for (attr, list) in [("command", &w.command), ("args", &w.args)] {
            if let Some(why) = list.iter().flatten().find_map(|s| unportable(s)) {
                found.push((format!("`{attr}`"), site(sema, env_name, d, attr), why));
            }
        }
        for (what, (file, span), why) in found {
            diags.push(
                Diagnostic::new(
                    code::UNPORTABLE_STRING,
                    format!("{what} of `{}` {why}", w.name),
                    file,
                    span,
                )
                .label("kubectl kustomize cannot carry this unchanged")
                .help("remove the control or line-separator character, or write the value another way (a date-time as `2001-12-14T21:59:43Z`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unportable;

    #[test]
    fn strings_kustomize_cannot_carry() {
        for s in [
            "\u{7f}",
            "a\u{80}",
            "\u{85}nel",
            "\u{9f}",
            "\u{2028}",
            "\u{2029}",
            "\u{fffe}",
            "\u{ffff}",
            "=",
            "<<",
            "2001-12-14T21:59:43",
            "2001-12-14T21:59:43-5",
            "2001-12-14 21:59:43Z",
            "2001-12-14T21:59:43.Z",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-14t21:59:43 +05:00",
        ] {
            assert!(unportable(s).is_some(), "{s:?}");
        }
        for s in [
            "",
            "on",
            "2001-01-01",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14T21:59:43Z",
            "2001-12-14 21:59:43",
            "2001-12-14  21:59:43",
            "2001-12-14\t21:59:43",
            "a=",
            "<<a",
            "\u{a0}",
            "\u{1b}",
            "\u{feff}",
            "🦀",
            "2001-12-14T21:59",
            "12:30",
        ] {
            assert!(unportable(s).is_none(), "{s:?}");
        }
    }
}
