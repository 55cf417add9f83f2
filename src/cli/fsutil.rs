//! Writing files so that a reader never sees half of one: write a temporary file beside
//! the target, flush it to disk, then rename it over the target (atomic on POSIX).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes` atomically, keeping the file's permissions.
///
/// # Errors
/// Any IO error; the original file is then untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".afc-tmp-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The file on disk behind a workspace path as shown (`a/b.af` under `root`).
#[must_use]
pub fn real_path(root: &Path, shown: &str) -> PathBuf {
    if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(shown)
    }
}
