//! The whole check pipeline (parse, names, types, graph, model, lint, build checks)
//! never panics, is deterministic, and renders every diagnostic.
#![no_main]

use afc::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let a = afc::analyze(vec![SourceFile::new("fuzz.af", text)]);
    for d in &a.diagnostics {
        let _ = afc::diag::render::short(&a, d);
    }
    let b = afc::analyze(vec![SourceFile::new("fuzz.af", text)]);
    assert_eq!(a.diagnostics, b.diagnostics);
    if !a.has_errors() {
        let _ = afc::emit::build(&a);
    }
});
