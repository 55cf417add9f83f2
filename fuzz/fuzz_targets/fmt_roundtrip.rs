//! Formatting a file that parses gives a file that parses, formats to itself, and has
//! the same model.
#![no_main]

use afc::source::{FileId, SourceFile};
use libfuzzer_sys::fuzz_target;

fn model(text: &str) -> String {
    let a = afc::analyze(vec![SourceFile::new("f.af", text)]);
    serde_json::to_string(&a.sema.model).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tree, diags) = afc::syntax::parse(FileId(0), text);
    if !diags.is_empty() {
        return;
    }
    let once = afc::fmt::format(text, &tree);
    let (tree2, diags2) = afc::syntax::parse(FileId(0), &once);
    assert!(diags2.is_empty(), "formatted text does not parse");
    assert_eq!(afc::fmt::format(&once, &tree2), once, "not idempotent");
    assert_eq!(model(text), model(&once), "formatting changed the model");
});
