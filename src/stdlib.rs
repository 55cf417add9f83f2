//! The standard library: engines, stack components and policy presets, written in `.af`
//! under `stdlib/` and embedded in the binary. It is always loaded first.

use crate::source::SourceFile;

/// The stdlib files, in load order.
pub const FILES: &[(&str, &str)] = &[
    ("<stdlib>/engines.af", include_str!("../stdlib/engines.af")),
    (
        "<stdlib>/components.af",
        include_str!("../stdlib/components.af"),
    ),
    (
        "<stdlib>/policies.af",
        include_str!("../stdlib/policies.af"),
    ),
];

/// The stdlib as source files.
#[must_use]
pub fn sources() -> Vec<SourceFile> {
    FILES
        .iter()
        .map(|(path, text)| SourceFile::new(*path, *text))
        .collect()
}

/// True for a path that names a stdlib file.
#[must_use]
pub fn is_stdlib_path(path: &str) -> bool {
    path.starts_with("<stdlib>/")
}
