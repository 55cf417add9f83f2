//! Reads a workspace and the files its `.af` text refers to (each cluster's
//! `sealing_cert`), and analyses it: the IO half of [`crate::analyze_with`].
//!
//! The certificate paths are known only once the workspace is analysed, so the
//! workspace is analysed once without them and, when it names certificates, again with
//! them; the second analysis reuses every parse ([`crate::ParseCache`]).

use super::workspace::{self, InputError};
use crate::lint::Options;
use crate::{Analysis, ParseCache};
use std::path::{Component, Path};

/// The largest certificate file afc reads.
pub const MAX_CERT_BYTES: u64 = 1024 * 1024;

/// Loads the workspace at `root` (a directory or one `.af` file) with the certificates
/// it names, and analyses it. The analysis's `root` is `root` as given (the directory
/// of a single file), so that reports can name files relative to where afc runs.
///
/// # Errors
/// The workspace cannot be read (see [`workspace::load`]).
pub fn analyze_path(root: &Path) -> Result<Analysis, Vec<InputError>> {
    let files = workspace::load(root)?;
    let dir = if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    // One analysis: the certificate paths are read off the parsed clusters first, and
    // the analysis reuses those parses.
    let mut cache = ParseCache::parse(&files);
    let options = Options {
        files: cache
            .sealing_certs()
            .into_iter()
            .map(|p| {
                let bytes = read(dir, &p);
                (p, bytes)
            })
            .collect(),
    };
    let mut a = crate::analyze_with(files, &mut cache, &options);
    a.root = Some(dir.display().to_string());
    Ok(a)
}

/// The bytes of a file named relative to the workspace directory, or why not.
fn read(dir: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let p = Path::new(rel);
    if p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err("the path must stay inside the workspace".into());
    }
    let full = dir.join(p);
    let meta = std::fs::metadata(&full).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a file".into());
    }
    if meta.len() > MAX_CERT_BYTES {
        return Err(format!(
            "it is {} bytes; a certificate is far smaller",
            meta.len()
        ));
    }
    std::fs::read(&full).map_err(|e| format!("cannot read it: {e}"))
}
