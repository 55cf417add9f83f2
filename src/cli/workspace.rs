//! Reading a workspace from disk: every `*.af` under a directory, in sorted order.
//! Hidden directories, `target/` and afc's own output (a directory holding the
//! [`OUTPUT_MARKER`] file) are skipped.

use crate::source::SourceFile;
use std::path::Path;
use walkdir::WalkDir;

/// The file afc writes into every output directory it owns.
pub const OUTPUT_MARKER: &str = ".afc-output";
/// The largest `.af` file afc reads.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most `.af` files one workspace may have.
pub const MAX_FILES: usize = 100_000;

/// An input problem that stops afc before analysis (exit code 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub code: crate::diag::Code,
    pub path: String,
    /// 1-based line and column, when the problem has a place in the file.
    pub at: Option<(usize, usize)>,
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    fn new(code: crate::diag::Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            path: path.into(),
            at: None,
            message: message.into(),
            help: None,
        }
    }

    /// `path[:line:col]: error[CODE] message`
    #[must_use]
    pub fn short(&self) -> String {
        let at = self.at.map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
        format!("{}{at}: error[{}] {}", self.path, self.code, self.message)
    }
}

fn skip_dir(e: &walkdir::DirEntry) -> bool {
    if e.depth() == 0 || !e.file_type().is_dir() {
        return false;
    }
    let name = e.file_name().to_string_lossy();
    name.starts_with('.') || name == "target" || e.path().join(OUTPUT_MARKER).exists()
}

fn display(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let s = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if s.is_empty() {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        s
    }
}

/// Reads one file's text, refusing what is not UTF-8 (a BOM is kept; the parser skips it).
///
/// # Errors
/// The file cannot be read, is too large or is not UTF-8.
pub fn read_source(path: &Path, shown: &str) -> Result<String, InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::new(crate::diag::code::IO, shown, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::new(
            crate::diag::code::LIMIT,
            shown,
            format!(
                "file is {} bytes; afc reads files of at most {MAX_FILE_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(crate::diag::code::IO, shown, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let off = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&e.as_bytes()[..off]).unwrap_or("");
        let line = valid.matches('\n').count() + 1;
        let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        InputError {
            code: crate::diag::code::INVALID_UTF8,
            path: shown.to_string(),
            at: Some((line, col)),
            message: format!("file is not valid UTF-8 (invalid byte at offset {off})"),
            help: Some("save the file as UTF-8".into()),
        }
    })
}

/// Every `.af` file of the workspace at `root` (a directory, or a single file).
///
/// # Errors
/// Every file that cannot be read, and a root that does not exist or holds no `.af`.
pub fn load(root: &Path) -> Result<Vec<SourceFile>, Vec<InputError>> {
    let shown_root = root.display().to_string();
    let meta = std::fs::metadata(root).map_err(|e| {
        vec![InputError::new(
            crate::diag::code::IO,
            &shown_root,
            format!("cannot read: {e}"),
        )]
    })?;
    if meta.is_file() {
        let shown = display(root.parent().unwrap_or(root), root);
        return read_source(root, &shown)
            .map(|text| vec![SourceFile::new(shown, text)])
            .map_err(|e| vec![e]);
    }
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skip_dir(e));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().map_or(shown_root.clone(), |p| display(root, p));
                let msg = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    format!("cannot read: {e}")
                };
                errors.push(InputError::new(crate::diag::code::IO, p, msg));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "af") {
            continue;
        }
        if files.len() + errors.len() >= MAX_FILES {
            errors.push(InputError::new(
                crate::diag::code::LIMIT,
                &shown_root,
                format!("more than {MAX_FILES} `.af` files"),
            ));
            break;
        }
        let shown = display(root, entry.path());
        match read_source(entry.path(), &shown) {
            Ok(text) => files.push(SourceFile::new(shown, text)),
            Err(e) => errors.push(e),
        }
    }
    if files.is_empty() && errors.is_empty() {
        let mut e = InputError::new(crate::diag::code::IO, &shown_root, "no `.af` files here");
        e.help = Some("run afc on a workspace directory (one holding `.af` files)".into());
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}
