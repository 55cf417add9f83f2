//! Parse, check and build times on generated workspaces of N services (100, 1,000 and
//! 10,000 by default; `AFC_BENCH_SIZES=100,1000`), with the time to write the build
//! output and the I/O floor (copying the same tree). Run with
//! `cargo bench --bench pipeline`; prints a Markdown table (median of the runs).

use afc::source::FileId;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn write_tree(root: &Path, files: &std::collections::BTreeMap<String, String>) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` only builds and starts it.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("AFC_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1000, 10_000]);
    println!(
        "afc pipeline ({} cores)\n",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    println!("| services | parse | check | build (in memory) | files | write | I/O floor (copy) |");
    println!("|---|---|---|---|---|---|---|");
    for n in sizes {
        let files = afc::generate::workspace(n);
        let runs = if n >= 10_000 { 3 } else { 7 };
        let parse = time(runs, || {
            files
                .iter()
                .map(|f| afc::syntax::parse(FileId(0), &f.text).0.decls.len())
                .sum::<usize>()
        });
        let check = time(runs, || afc::analyze(files.clone()).diagnostics.len());
        let a = afc::analyze(files.clone());
        assert!(!a.has_errors(), "the generated workspace checks clean");
        let build = time(runs, || afc::emit::build(&a).map(|o| o.files.len()));
        let out = afc::emit::build(&a).expect("builds");
        let dir = tempfile::tempdir().expect("temp");
        let t = Instant::now();
        write_tree(&dir.path().join("out"), &out.files);
        let write = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        copy_tree(&dir.path().join("out"), &dir.path().join("copy"));
        let floor = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "| {n} | {parse:.1} ms | {check:.1} ms | {build:.1} ms | {} | {write:.0} ms | {floor:.0} ms |",
            out.files.len()
        );
    }
}
