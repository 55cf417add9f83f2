//! The parser never panics, and every span it reports lies inside the text on char
//! boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, diags) = afc::syntax::parse(afc::source::FileId(0), text);
    for d in &diags {
        let (s, e) = (d.primary.span.start as usize, d.primary.span.end as usize);
        assert!(s <= e && e <= text.len());
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
    }
});
