//! `afc build [PATH] [-o DIR] [--check]`: checks the workspace like `afc check`, then
//! writes the output tree ([`crate::emit::build`]).
//!
//! Writes are all-or-nothing: the tree is written into a hidden temporary directory
//! beside the target and swapped in only when complete, so on any error the previous
//! output is untouched. afc only replaces a directory it owns: one that is empty, or
//! whose marker file ([`OUTPUT_MARKER`]) lists every file in it. Anything else stops
//! the build with `AF4001` and nothing is written.

use super::workspace::{InputError, OUTPUT_MARKER};
use super::{OutputArgs, load, print_input_errors, report};
use crate::diag::code;
use crate::emit;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The arguments of `afc build`.
#[derive(clap::Args, Debug)]
pub(crate) struct BuildArgs {
    /// The workspace directory (or one `.af` file).
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Where to write the tree; default the platform's `path`, relative to the workspace.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write nothing: compare a fresh build with the output on disk, print a unified
    /// diff and exit 1 when they differ.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    output: OutputArgs,
}

fn error(
    code: crate::diag::Code,
    path: &Path,
    message: impl Into<String>,
    help: Option<String>,
) -> InputError {
    InputError {
        code,
        path: path.display().to_string(),
        at: None,
        message: message.into(),
        help,
    }
}

/// Every file under `dir`: its relative path (with `/`) and its entry; empty when `dir`
/// does not exist. Symbolic links count as files (their target is not followed).
fn list_tree(dir: &Path) -> std::io::Result<Vec<(String, walkdir::DirEntry)>> {
    let mut out = Vec::new();
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a directory",
            ));
        }
        Ok(_) => {}
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push((rel, entry));
    }
    Ok(out)
}

/// The bytes of a file of a tree listed by [`list_tree`]; a link's bytes are its target.
fn read_entry(entry: &walkdir::DirEntry) -> std::io::Result<Vec<u8>> {
    if entry.file_type().is_symlink() {
        Ok(std::fs::read_link(entry.path())?
            .to_string_lossy()
            .as_bytes()
            .to_vec())
    } else {
        std::fs::read(entry.path())
    }
}

/// Runs `afc build`; returns the exit code.
pub(crate) fn run(args: &BuildArgs) -> i32 {
    let format = args.output.format;
    // Never freed: the process ends with the build (see `check` in `cli/mod.rs`).
    let a = std::mem::ManuallyDrop::new(match load(&args.path, format) {
        Ok(a) => a,
        Err(code) => return code,
    });
    // JSON output is one array: with nothing to report, leave it to the output step.
    if !(format == super::Format::Json && a.diagnostics.is_empty()) {
        let status = report(&a, format, args.output.color, false);
        if status != 0 || a.has_errors() {
            return 1;
        }
    }
    if a.has_errors() || a.sema.model.platform.is_none() {
        return 1;
    }
    let root = if args.path.is_file() {
        args.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        args.path.clone()
    };
    let out_dir = match &args.out {
        Some(o) => o.clone(),
        None => {
            let path = a
                .sema
                .model
                .platform
                .as_ref()
                .map_or("deploy", |p| p.path.as_str());
            if root == Path::new(".") {
                PathBuf::from(path)
            } else {
                root.join(path)
            }
        }
    };
    let result = if args.check {
        check(&out_dir, &a)
    } else {
        write(&out_dir, &a)
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let exit = if e.code == code::IO { 2 } else { 1 };
            print_input_errors(&[e], format);
            exit
        }
    }
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> InputError {
    error(code::IO, path, format!("cannot {what}: {e}"), None)
}

/// `--check`: compares a fresh build with the tree on disk, file by file as the build
/// makes them: neither tree is held whole in memory, only the files that differ. Their
/// diffs are printed in path order.
fn check(out_dir: &Path, a: &crate::Analysis) -> Result<(), InputError> {
    let read_err = |e: &std::io::Error| io_error(out_dir, "read the output", e);
    let committed: BTreeMap<String, walkdir::DirEntry> = list_tree(out_dir)
        .map_err(|e| read_err(&e))?
        .into_iter()
        .collect();
    // Path -> (committed bytes, built text), for the files that differ.
    type Differ = BTreeMap<String, (Option<Vec<u8>>, Option<String>)>;
    let differ: Mutex<Differ> = Mutex::new(BTreeMap::new());
    let built: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let sink = |rel: &str, contents: String| -> std::io::Result<()> {
        let old = committed.get(rel).map(read_entry).transpose()?;
        if old.as_deref() != Some(contents.as_bytes()) {
            lock(&differ).insert(rel.to_string(), (old, Some(contents)));
        }
        lock(&built).insert(rel.to_string());
        Ok(())
    };
    match emit::build_each(a, &sink) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(read_err(&e)),
        // Not reached: `run` only checks an analysis with a platform and no errors.
        Err(_) => return Ok(()),
    }
    let built = built
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut differ = differ
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (rel, entry) in &committed {
        if !built.contains(rel) {
            let old = read_entry(entry).map_err(|e| read_err(&e))?;
            differ.insert(rel.clone(), (Some(old), None));
        }
    }
    let shown = out_dir.display().to_string();
    let mut stdout = std::io::stdout().lock();
    for (p, (committed, built)) in &differ {
        let committed = committed.as_deref().map(String::from_utf8_lossy);
        let old = committed.as_deref().unwrap_or("");
        let new = built.as_deref().unwrap_or("");
        let old_name = if committed.is_some() {
            format!("{shown}/{p} (committed)")
        } else {
            "/dev/null (missing)".into()
        };
        let new_name = if built.is_some() {
            format!("{shown}/{p} (built)")
        } else {
            "/dev/null (not built)".into()
        };
        let diff = similar::TextDiff::from_lines(old, new);
        let _ = write!(
            stdout,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&old_name, &new_name)
        );
        if !new.is_empty() && !new.ends_with('\n') || !old.is_empty() && !old.ends_with('\n') {
            let _ = writeln!(stdout);
        }
    }
    if differ.is_empty() {
        eprintln!("afc: {shown} is up to date");
        return Ok(());
    }
    let files = if differ.len() == 1 {
        "1 file differs".to_string()
    } else {
        format!("{} files differ", differ.len())
    };
    Err(error(
        code::OUTPUT_STALE,
        out_dir,
        format!("the output is stale: {files} from a fresh build"),
        Some("run `afc build` and commit the result; never edit the output by hand".into()),
    ))
}

/// A mutex's contents, even after a panic elsewhere (the sink never panics holding it).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes the tree: file by file into a temporary directory beside `out_dir` as the
/// build makes them, then swapped in. The build is never held whole in memory. A file
/// that is the same in the previous tree is a hard link to it.
fn write(out_dir: &Path, a: &crate::Analysis) -> Result<(), InputError> {
    let existing: Vec<String> = match list_tree(out_dir) {
        Ok(t) => t.into_iter().map(|(rel, _)| rel).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(error(
                code::OUTPUT_NOT_OWNED,
                out_dir,
                "the output path exists and is not a directory",
                Some("choose another output directory with `-o DIR`".into()),
            ));
        }
        Err(e) => return Err(io_error(out_dir, "read the output directory", &e)),
    };
    let listed = if existing.iter().any(|p| p == OUTPUT_MARKER) {
        let marker = std::fs::read(out_dir.join(OUTPUT_MARKER))
            .map_err(|e| io_error(out_dir, "read the output directory", &e))?;
        emit::marker_files(&String::from_utf8_lossy(&marker))
    } else {
        std::collections::BTreeSet::new()
    };
    let mut foreign: Vec<&str> = existing
        .iter()
        .map(String::as_str)
        .filter(|p| *p != OUTPUT_MARKER && !listed.contains(*p))
        .collect();
    foreign.sort_unstable();
    if !foreign.is_empty() {
        let mut list: Vec<&str> = foreign.iter().take(5).copied().collect();
        let more = foreign.len().saturating_sub(list.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        if list.is_empty() {
            list.push("?");
        }
        return Err(error(
            code::OUTPUT_NOT_OWNED,
            out_dir,
            format!("the output directory holds files afc did not write: {}{tail}", list.join(", ")),
            Some("move those files elsewhere, or write the output somewhere else with `-o DIR`; nothing was written".into()),
        ));
    }
    let (parent, stem) = beside(out_dir);
    let new = std::fs::create_dir_all(&parent)
        .and_then(|()| {
            tempfile::Builder::new()
                .prefix(&format!(".{stem}.afc-new-"))
                .tempdir_in(&parent)
        })
        .map_err(|e| io_error(out_dir, "write the output", &e))?;
    let changed = std::sync::atomic::AtomicBool::new(false);
    let written = std::sync::atomic::AtomicUsize::new(0);
    let sink = |rel: &str, contents: String| -> std::io::Result<()> {
        let path = new.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A file the previous tree already holds, byte for byte, is linked rather than
        // written again: no new inode, no data written (a rebuild mostly changes little).
        let old = out_dir.join(rel);
        let is_file = std::fs::symlink_metadata(&old).is_ok_and(|m| m.file_type().is_file());
        if is_file && std::fs::read(&old).ok().as_deref() == Some(contents.as_bytes()) {
            if std::fs::hard_link(&old, &path).is_ok() {
                return Ok(());
            }
        } else {
            changed.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        std::fs::write(&path, contents.as_bytes())
    };
    match emit::build_each(a, &sink) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(io_error(out_dir, "write the output", &e)),
        // Not reached: `run` only writes an analysis with a platform and no errors.
        Err(_) => return Ok(()),
    }
    let count = written.into_inner();
    if !changed.into_inner() && count == existing.len() {
        eprintln!("afc: {} is up to date ({count} files)", out_dir.display());
        return Ok(());
    }
    swap_in(out_dir, new).map_err(|e| io_error(out_dir, "write the output", &e))?;
    eprintln!("afc: wrote {count} files to {}", out_dir.display());
    Ok(())
}

/// The directory that holds `out_dir` (where the temporary trees go) and its name.
fn beside(out_dir: &Path) -> (PathBuf, String) {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = out_dir
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    (parent, stem)
}

/// Moves the complete tree `new` to `out_dir`, keeping the previous tree until then.
fn swap_in(out_dir: &Path, new: tempfile::TempDir) -> std::io::Result<()> {
    let (parent, stem) = beside(out_dir);
    // A temporary directory is private (0700); the tree gets the old tree's mode, or 0755.
    match std::fs::metadata(out_dir) {
        Ok(m) => std::fs::set_permissions(new.path(), m.permissions())?,
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(new.path(), std::fs::Permissions::from_mode(0o755))?;
            }
        }
    }
    if std::fs::symlink_metadata(out_dir).is_ok() {
        let old = tempfile::Builder::new()
            .prefix(&format!(".{stem}.afc-old-"))
            .tempdir_in(&parent)?;
        let parked = old.path().join("tree");
        std::fs::rename(out_dir, &parked)?;
        if let Err(e) = std::fs::rename(new.path(), out_dir) {
            // Put the previous output back; the new tree is removed with `new`.
            std::fs::rename(&parked, out_dir)?;
            return Err(e);
        }
        drop(old);
    } else {
        std::fs::rename(new.path(), out_dir)?;
    }
    Ok(())
}
