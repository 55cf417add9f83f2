//! Criterion benchmarks of the pipeline on generated workspaces of N services (100, 1,000
//! and 10,000 by default; `AFC_BENCH_SIZES=100,1000` restricts them):
//!
//! - `parse/N`: `syntax::parse` of every file of the workspace,
//! - `check/N`: `afc::analyze` (parse, check, lint, build checks),
//! - `build/N`: `emit::build` of the analysis, in memory (no file IO),
//! - `report/N`: every diagnostic rendered in every format (human, short, JSON, SARIF,
//!   GitHub) for the workspace with every `health` line removed: N warnings (`AF3041`),
//!   50 to a file. Reporting is linear in the number of diagnostics: each file's line
//!   index and snippet text are made once per analysis, not once per diagnostic.
//! - `renamed/N`: `afc::analyze` of the workspace whose databases were all renamed to
//!   one undeclared name: N unknown references to one name, each with a "did you mean".
//! - `misspelt/N`: the same with every service's reference to the one before it misspelt
//!   (`svc-` → `svx-`): about N distinct unknown names, each measured against every
//!   declaration (the names are prepared once and rejected cheaply, `diag::suggest`).
//! - `overridden/N`: `afc::analyze` of the workspace whose `staging` overrides the
//!   replicas of every service: N overrides in one env (each declaration finds its own
//!   through an index, not a scan of the env's overrides).
//!
//! Throughput is in services. Run with `cargo bench --bench pipeline`; the whole run takes
//! a few minutes on 2 cores (10,000 services get 10 samples and a short measurement
//! time). `cargo test --all-targets` runs each benchmark once in criterion's test mode,
//! at 100 services only. Wall time and peak memory of the `afc` binary, the I/O floor
//! of the output tree and kustomize times are measured by `scripts/scale`.

use afc::source::{FileId, SourceFile};
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use criterion::{criterion_group, criterion_main, measurement::WallTime};
use std::hint::black_box;
use std::time::Duration;

/// The sizes to run: `AFC_BENCH_SIZES` or 100, 1,000 and 10,000. Without `--bench` (as
/// under `cargo test --all-targets`) only the sizes up to 100, or the smallest one.
fn sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = std::env::var("AFC_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|n| n.trim().replace('_', "").parse().ok())
                .filter(|&n| n > 0)
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![100, 1000, 10_000]);
    sizes.sort_unstable();
    sizes.dedup();
    if !std::env::args().any(|a| a == "--bench") {
        let small: Vec<usize> = sizes.iter().copied().filter(|&n| n <= 100).collect();
        sizes = if small.is_empty() {
            sizes[..1].to_vec()
        } else {
            small
        };
    }
    sizes
}

/// Sampling that keeps the whole run within minutes: fewer, flat samples as N grows.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    group.warm_up_time(Duration::from_secs(1));
    if n >= 10_000 {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(5));
    } else if n >= 1000 {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(3));
    } else {
        group
            .sample_size(20)
            .sampling_mode(SamplingMode::Auto)
            .measurement_time(Duration::from_secs(3));
    }
}

fn pipeline(c: &mut Criterion) {
    let workspaces: Vec<(usize, Vec<SourceFile>)> = sizes()
        .into_iter()
        .map(|n| (n, afc::generate::workspace(n)))
        .collect();

    let mut group = c.benchmark_group("parse");
    for (n, files) in &workspaces {
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), files, |b, files| {
            b.iter(|| {
                files
                    .iter()
                    .map(|f| {
                        afc::syntax::parse(FileId(0), black_box(&f.text))
                            .0
                            .decls
                            .len()
                    })
                    .sum::<usize>()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("check");
    for (n, files) in &workspaces {
        bench_analyze(&mut group, *n, files);
    }
    group.finish();

    let mut group = c.benchmark_group("build");
    for (n, files) in &workspaces {
        let analysis = afc::analyze(files.clone());
        assert!(
            !analysis.has_errors(),
            "the generated workspace of {n} services checks clean"
        );
        let out = afc::emit::build(&analysis).expect("the generated workspace builds");
        assert!(!out.files.is_empty(), "the build emits files");
        drop(out);
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &analysis, |b, a| {
            b.iter(|| afc::emit::build(black_box(a)).map(|o| o.files.len()));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("report");
    for (n, files) in &workspaces {
        let unhealthy: Vec<SourceFile> = files
            .iter()
            .map(|f| {
                let text: String = f
                    .text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("health"))
                    .flat_map(|l| [l, "\n"])
                    .collect();
                SourceFile::new(f.path.clone(), text)
            })
            .collect();
        let a = afc::analyze(unhealthy);
        let warnings = a.count(afc::diag::Severity::Warning);
        assert!(warnings >= *n, "{warnings} warnings for {n} services");
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &a, |b, a| {
            b.iter(|| report(black_box(a)));
        });
    }
    group.finish();

    unknown_references(c, &workspaces);
}

/// `files` with `edit` applied to every line.
fn rewrite(files: &[SourceFile], edit: impl Fn(&str) -> String) -> Vec<SourceFile> {
    files
        .iter()
        .map(|f| {
            let text: String = f.text.lines().map(|l| edit(l) + "\n").collect();
            SourceFile::new(f.path.clone(), text)
        })
        .collect()
}

/// The first `uses` entry (a database) of a service, renamed to `db-main`.
fn rename_database(line: &str) -> String {
    match line.split_once("uses    = [db-") {
        Some((head, rest)) => {
            let tail = rest.split_once(',').map_or("]", |(_, t)| t);
            format!("{head}uses    = [db-main,{tail}")
        }
        None => line.to_string(),
    }
}

fn unknown_references(c: &mut Criterion, workspaces: &[(usize, Vec<SourceFile>)]) {
    type Edit = fn(&str) -> String;
    let edits: [(&str, Edit); 2] = [
        ("renamed", rename_database),
        ("misspelt", |l: &str| {
            if l.trim_start().starts_with("uses") {
                l.replace(", svc-", ", svx-")
            } else {
                l.to_string()
            }
        }),
    ];
    let mut group = c.benchmark_group("overridden");
    for (n, files) in workspaces {
        let every: String = (0..*n)
            .map(|i| format!("  svc-{i}.replicas = 2\n"))
            .collect();
        let files = rewrite(files, |l| {
            if l == "  svc-0.replicas = 1" {
                every.trim_end().to_string()
            } else {
                l.to_string()
            }
        });
        let a = afc::analyze(files.clone());
        assert!(!a.has_errors(), "{n} overrides check clean");
        assert!(
            files
                .iter()
                .any(|f| f.text.contains(&format!("svc-{}.replicas", n - 1)))
        );
        bench_analyze(&mut group, *n, &files);
    }
    group.finish();

    for (name, edit) in edits {
        let mut group = c.benchmark_group(name);
        for (n, files) in workspaces {
            let files = rewrite(files, edit);
            let unknown = afc::analyze(files.clone())
                .diagnostics
                .iter()
                .filter(|d| d.code.as_str() == "AF2001")
                .count();
            assert!(
                unknown * 10 >= n * 9,
                "{unknown} unknown references for {n} services"
            );
            bench_analyze(&mut group, *n, &files);
        }
        group.finish();
    }
}

/// Times `afc::analyze` of `files` (a workspace of `n` services) in `group`.
fn bench_analyze(group: &mut BenchmarkGroup<'_, WallTime>, n: usize, files: &[SourceFile]) {
    configure(group, n);
    group.bench_with_input(BenchmarkId::from_parameter(n), files, |b, files| {
        b.iter_batched(
            || files.to_vec(),
            |files| afc::analyze(files).diagnostics.len(),
            criterion::BatchSize::LargeInput,
        );
    });
}

/// Every diagnostic of `a` in every output format; the total length.
fn report(a: &afc::Analysis) -> usize {
    use afc::diag::render;
    let opts = render::HumanOptions::default();
    let mut len = 0;
    for d in &a.diagnostics {
        len += render::human(a, d, opts).len();
        len += render::short(a, d).len();
        len += afc::diag::github::annotation(a, d).len();
    }
    len + render::json(a, &a.diagnostics).len() + afc::diag::sarif::render(a, &a.diagnostics).len()
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
