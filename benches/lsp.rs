//! The language server on a generated workspace of 1,000 services: how long a
//! one-character edit takes to come back as fresh diagnostics, and how long a hover
//! takes. Run with `cargo bench --bench lsp`; prints a table (median and p95).

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::json;
use std::time::{Duration, Instant};

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[v.len() * 95 / 100]))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` only builds and starts it.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("AFC_BENCH_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().canonicalize().expect("canonical");
    for f in afc::generate::workspace(n) {
        let p = root.join(&f.path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, f.text).expect("write");
    }
    let file = "services/part-0000.af";
    let uri = format!("file://{}", root.join(file).display());
    let text = std::fs::read_to_string(root.join(file)).expect("read");
    let mut c = Client::start();
    let t0 = Instant::now();
    c.request("initialize", json!({"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}));
    c.notify("initialized", json!({}));
    // The first diagnostics of the workspace: the generated one has a warning per
    // service file, so this file's list arrives once the first analysis is done.
    let _ = c.diagnostics_for(&uri);
    let startup = t0.elapsed();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "af", "version": 1, "text": text}}),
    );

    // One character each time: `port    = 8080` ↔ `port    = 80800` (out of range), so
    // every edit changes the file's diagnostics and the server must publish.
    let bad = text.replacen("port    = 8080", "port    = 80800", 1);
    let mut edits = Vec::new();
    for i in 0..60 {
        let body = if i % 2 == 0 { &bad } else { &text };
        let t = Instant::now();
        c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": body}]}));
        let _ = c.diagnostics_for(&uri);
        edits.push(t.elapsed());
    }
    let off = text.find("db-0, ").expect("a reference");
    let line = text[..off].matches('\n').count();
    let col = off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    let mut hovers = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}),
        );
        hovers.push(t.elapsed());
        assert!(
            h["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("database db-0"))
        );
    }
    c.request("shutdown", json!(null));
    c.notify("exit", json!(null));
    let _ = c.child.wait();
    let (em, ep) = stats(edits);
    let (hm, hp) = stats(hovers);
    println!(
        "afc lsp, {n} services ({} cores)",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    println!("| measure | median | p95 |");
    println!("|---|---|---|");
    println!(
        "| start-up (initialize + first diagnostics) | {:.1} ms | |",
        startup.as_secs_f64() * 1000.0
    );
    println!("| one-character edit → fresh diagnostics | {em:.1} ms | {ep:.1} ms |");
    println!("| hover | {hm:.2} ms | {hp:.2} ms |");
}
