//! `afc seal`: the IO around [`crate::seal`]. Reads the value (standard input or
//! `--from-file`), the certificate and the workspace; seals; and writes the `.af` file
//! that declares the secret atomically (a temporary file beside it, flushed, renamed
//! over it, then the directory flushed), or prints the ciphertext with `--raw`.
//! `--verify-with KEY.pem` opens every sealed value with a private key instead.
//!
//! The value is held only in [`Zeroizing`] buffers, read in chunks large enough that
//! std's stdin buffer never holds a copy; it is never printed, logged or written
//! anywhere but as ciphertext. Standard input that is a terminal is refused: typing
//! the value would echo it.
//!
//! Exit codes: 0 sealed (or every value opens); 1 a coded refusal (`AF4050`-`AF4061`:
//! unknown secret, expired certificate, non-RSA key, values that do not open, ...);
//! 2 usage and IO errors (unreadable files, an empty value, a terminal on stdin).

use super::{Color, Format, fsutil, workspace};
use crate::Analysis;
use crate::diag::code;
use crate::seal::{self, Request, SealError, crypto, edit, verify};
use crate::source::LineIndex;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use zeroize::Zeroizing;

/// The arguments of `afc seal`.
#[derive(clap::Args, Debug)]
pub struct SealArgs {
    /// The workspace directory (or one `.af` file).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The secret the value belongs to.
    #[arg(long, required_unless_present = "verify_with")]
    pub secret: Option<String>,
    /// The key of the value in the secret (`[A-Za-z_][A-Za-z0-9_]*`).
    #[arg(long, required_unless_present = "verify_with")]
    pub key: Option<String>,
    /// The environment: picks the namespace and the `sealed ENV` block (not needed for a
    /// cluster-wide secret, where it only picks the cluster).
    #[arg(long)]
    pub env: Option<String>,
    /// The controller's certificate (PEM) instead of the cluster's `sealing_cert`.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// Read the value from this file instead of standard input (its bytes as they are).
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// Print the ciphertext on standard output instead of editing the `.af` file.
    #[arg(long)]
    pub raw: bool,
    /// Open every sealed value of the workspace with this private key (PEM) and report
    /// the ones that do not open for their namespace, name and scope.
    #[arg(
        long,
        value_name = "KEY.pem",
        conflicts_with_all = ["secret", "key", "env", "cert", "from_file", "raw"]
    )]
    pub verify_with: Option<PathBuf>,
}

/// The largest value afc seals: a Kubernetes Secret holds at most 1 MiB.
const MAX_VALUE_BYTES: usize = 1024 * 1024;
/// The largest certificate or private key file afc reads.
const MAX_PEM_BYTES: usize = 1024 * 1024;
/// Reads go in slices of at least this size: larger than std's 8 KiB stdin buffer, so
/// that buffer is bypassed and never holds a copy of the value.
const CHUNK: usize = 16 * 1024;

/// A failure that ends the command: its exit code and what to print (already built).
enum Stop {
    /// Exit 1: a coded refusal.
    Refused(SealError),
    /// Exit 2: usage or IO, printed as is.
    Input(String),
    /// Exit with this code, everything already printed.
    Done(i32),
}

impl From<SealError> for Stop {
    fn from(e: SealError) -> Self {
        Stop::Refused(e)
    }
}

/// Runs `afc seal`; returns the exit code.
#[must_use]
pub fn run(args: &SealArgs) -> i32 {
    let result = match &args.verify_with {
        Some(key) => verify_with(&args.path, key),
        None => seal_value(args),
    };
    match result {
        Ok(code) | Err(Stop::Done(code)) => code,
        Err(Stop::Refused(e)) => {
            eprintln!("{e}");
            1
        }
        Err(Stop::Input(msg)) => {
            eprintln!("{msg}");
            2
        }
    }
}

fn io_error(shown: &str, what: &str, e: &std::io::Error) -> Stop {
    Stop::Input(format!("error[{}]: cannot {what} `{shown}`: {e}", code::IO))
}

/// Loads and analyses the workspace and refuses one with errors (other than missing
/// sealed values), printing the diagnostics.
fn analysed(path: &Path) -> Result<Analysis, Stop> {
    let files = workspace::load(path).map_err(|errors| {
        super::print_input_errors(&errors, Format::Human);
        Stop::Done(2)
    })?;
    let a = crate::analyze(files);
    if let Err(e) = seal::require_clean(&a) {
        super::report(&a, Format::Human, Color::Auto, false);
        return Err(e.into());
    }
    Ok(a)
}

fn seal_value(args: &SealArgs) -> Result<i32, Stop> {
    // clap guarantees both without `--verify-with`.
    let (Some(secret), Some(key)) = (&args.secret, &args.key) else {
        return Err(Stop::Input(
            "error: `--secret` and `--key` are required".into(),
        ));
    };
    let a = analysed(&args.path)?;
    let target = seal::resolve(
        &a,
        &Request {
            secret,
            key,
            env: args.env.as_deref(),
        },
    )?;
    let (cert_path, cert_shown, from) = match &args.cert {
        Some(p) => (
            p.clone(),
            p.display().to_string(),
            "the certificate given".to_string(),
        ),
        None => {
            let c = seal::sealing_cert(&a, target.env.as_deref())?;
            (
                fsutil::real_path(&workspace_dir(&args.path), &c.path),
                c.path.clone(),
                format!("cluster `{}`'s certificate", c.cluster),
            )
        }
    };
    let pem = read_limited(&cert_path, MAX_PEM_BYTES)
        .map_err(|e| io_error(&cert_shown, "read certificate", &e))?;
    let now = SystemTime::now();
    let cert = crypto::parse_cert(&pem, now).map_err(|f| seal::cert_error(&cert_shown, &f))?;
    if cert.not_after < now + crypto::EXPIRY_WARNING {
        eprintln!(
            "warning: the certificate `{cert_shown}` expires in {} days ({}); fetch a new one soon",
            crypto::days_until(cert.not_after, now),
            cert.not_after_text
        );
    }
    let plaintext = read_plaintext(args.from_file.as_deref())?;
    if plaintext.last() == Some(&b'\n') {
        eprintln!(
            "note: the value ends with a line break, which is sealed as part of it (`printf '%s'` leaves it out, `echo` does not)"
        );
    }
    let ciphertext = crypto::seal(&cert.key, &target.label, &plaintext).map_err(|f| match f {
        crypto::SealFailure::Rsa(_) => Stop::Refused(SealError::new(
            code::SEAL_INVALID_CERTIFICATE,
            format!("cannot seal with the key of `{cert_shown}`: {f}"),
        )),
        crypto::SealFailure::Random | crypto::SealFailure::Aead => {
            Stop::Input(format!("error: cannot seal: {f}"))
        }
    })?;
    drop(plaintext);
    if args.raw {
        println!("{ciphertext}");
        eprintln!(
            "afc: sealed `{}` of secret `{}` for {} with {from}",
            target.key,
            target.secret,
            target.describe()
        );
        return Ok(0);
    }
    write_into_file(&a, &args.path, &target, &ciphertext)?;
    Ok(0)
}

/// The directory `sealing_cert` paths are relative to.
fn workspace_dir(path: &Path) -> PathBuf {
    if path.is_file() {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        path.to_path_buf()
    }
}

/// Plans, checks and writes the edit of the file that declares the secret.
fn write_into_file(
    a: &Analysis,
    root: &Path,
    t: &seal::Target,
    ciphertext: &str,
) -> Result<(), Stop> {
    let source = a.file(t.file);
    let failed = |why: String| {
        Stop::Refused(
            SealError::new(
                code::SEAL_EDIT_FAILED,
                format!("could not write the value safely: {why}"),
            )
            .help("nothing was written; `--raw` prints the ciphertext instead"),
        )
    };
    let tree = &a.asts[t.file.0 as usize];
    let e = edit::plan(
        &source.text,
        tree,
        &t.secret,
        t.block.as_deref(),
        &t.key,
        ciphertext,
    )
    .map_err(|e| failed(format!("{e} (`{}`)", source.path)))?;
    let new_text = e.apply(&source.text);
    edit::check(
        a,
        t.file,
        &new_text,
        &t.secret,
        t.block.as_deref(),
        &t.key,
        ciphertext,
    )
    .map_err(failed)?;
    let real = fsutil::real_path(root, &source.path);
    // The file must still be what was analysed: another program may have changed it.
    let now = std::fs::read(&real).map_err(|e| io_error(&source.path, "read", &e))?;
    if now != source.text.as_bytes() {
        return Err(failed(format!("`{}` changed while afc ran", source.path)));
    }
    // Through a symbolic link: replace the file it points to, not the link.
    let real = std::fs::canonicalize(&real).unwrap_or(real);
    write_durably(&real, new_text.as_bytes()).map_err(|e| io_error(&source.path, "write", &e))?;
    let block = t
        .block
        .as_deref()
        .map_or("sealed".to_string(), |b| format!("sealed {b}"));
    let file = &source.path;
    let what = match e.kind {
        edit::EditKind::Replaced => format!("replaced its value in `{block}` of {file}"),
        edit::EditKind::AddedKey => format!("added it to `{block}` of {file}"),
        edit::EditKind::AddedBlock => format!("added `{block} {{ }}` to the secret in {file}"),
    };
    eprintln!(
        "afc: sealed `{}` of secret `{}` for {}: {what}",
        t.key,
        t.secret,
        t.describe()
    );
    if e.realign {
        eprintln!(
            "note: `{}` is longer than the other keys of `{block}`, so its `=` is not aligned with theirs; `afc fmt` realigns them (afc seal changes no other line)",
            t.key
        );
    }
    Ok(())
}

/// [`fsutil::write_atomic`] (permissions kept), the owner kept too (when root edits a
/// user's file), then the directory flushed so the rename survives a crash.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let before = std::fs::metadata(path).ok();
    fsutil::write_atomic(path, bytes)?;
    #[cfg(not(unix))]
    let _ = before;
    #[cfg(unix)]
    if let Some(m) = before {
        use std::os::unix::fs::MetadataExt;
        let now = std::fs::metadata(path)?;
        if (now.uid(), now.gid()) != (m.uid(), m.gid()) {
            std::os::unix::fs::chown(path, Some(m.uid()), Some(m.gid()))?;
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Directories cannot be opened for syncing on every platform; the file is already
    // in place, so a failure here is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The value, from `--from-file` or standard input; never from a terminal.
fn read_plaintext(from_file: Option<&Path>) -> Result<Zeroizing<Vec<u8>>, Stop> {
    let (value, shown) = match from_file {
        Some(p) => {
            let shown = p.display().to_string();
            let mut f = std::fs::File::open(p).map_err(|e| io_error(&shown, "read", &e))?;
            (
                read_value(&mut f, MAX_VALUE_BYTES).map_err(|e| io_error(&shown, "read", &e))?,
                shown,
            )
        }
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Stop::Input(
                    "error: afc seal reads the value from standard input, which is a terminal: typing it would show it\n  help: pipe it in (`printf '%s' \"$VALUE\" | afc seal ...`) or use `--from-file FILE`".into(),
                ));
            }
            let mut lock = stdin.lock();
            let shown = "standard input".to_string();
            (
                read_value(&mut lock, MAX_VALUE_BYTES).map_err(|e| io_error(&shown, "read", &e))?,
                shown,
            )
        }
    };
    if value.is_empty() {
        return Err(Stop::Input(format!(
            "error: the value is empty (nothing on {shown})\n  help: pipe the value in: `printf '%s' \"$VALUE\" | afc seal ...`"
        )));
    }
    Ok(value)
}

/// Reads everything into a buffer that is wiped when dropped, including every buffer
/// outgrown on the way; more than `max` bytes is an error.
fn read_value(r: &mut impl Read, max: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK * 2]);
    let mut len = 0;
    loop {
        if buf.len() - len < CHUNK {
            let mut bigger = Zeroizing::new(vec![0u8; buf.len() * 2]);
            bigger[..len].copy_from_slice(&buf[..len]);
            buf = bigger;
        }
        match r.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        if len > max {
            return Err(std::io::Error::other(format!(
                "more than {max} bytes (a Kubernetes Secret holds at most 1 MiB)"
            )));
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// A whole file of at most `max` bytes, wiped when dropped (it may be a private key).
fn read_limited(path: &Path, max: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut f = std::fs::File::open(path)?;
    read_value(&mut f, max)
}

fn verify_with(path: &Path, key_path: &Path) -> Result<i32, Stop> {
    let a = analysed(path)?;
    let shown = key_path.display().to_string();
    let pem = read_limited(key_path, MAX_PEM_BYTES)
        .map_err(|e| io_error(&shown, "read private key", &e))?;
    let text = std::str::from_utf8(&pem)
        .map_err(|_| seal::key_error(&shown, &crypto::KeyFailure::NotPem))?;
    let key = crypto::parse_private_key(text).map_err(|f| seal::key_error(&shown, &f))?;
    let outcomes = verify::run(&a, &key);
    if outcomes.is_empty() {
        eprintln!("afc: the workspace has no sealed values");
        return Ok(0);
    }
    let mut failed = 0;
    for o in &outcomes {
        let file = a.file(o.file);
        let (line, col) = LineIndex::new(&file.text).line_col(&file.text, o.span.start as usize);
        match &o.result {
            Ok(()) => println!(
                "{}:{line}:{col}: ok {} opens as {}",
                file.path,
                o.name(),
                o.expected()
            ),
            Err(p) => {
                failed += 1;
                println!(
                    "{}:{line}:{col}: error[{}] {} does not open as {}: {p}",
                    file.path,
                    code::SEAL_DOES_NOT_OPEN,
                    o.name(),
                    o.expected()
                );
            }
        }
    }
    let total = outcomes.len();
    let opened = total - failed;
    let (s, verb) = if failed == 1 {
        ("", "does")
    } else {
        ("s", "do")
    };
    if failed == 0 {
        eprintln!(
            "afc: all {total} sealed value{} open with `{shown}`",
            if total == 1 { "" } else { "s" }
        );
        Ok(0)
    } else {
        eprintln!(
            "afc: {opened} of {total} sealed values open with `{shown}`; {failed} value{s} {verb} not"
        );
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(
                buf.len() >= CHUNK,
                "a read of {} bytes would go through std's buffer",
                buf.len()
            );
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn reads_values_of_any_size_in_large_slices() {
        for size in [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 7, 200_000] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            for step in [1000, 7000, usize::MAX] {
                let got =
                    read_value(&mut Trickle { data: &data, step }, MAX_VALUE_BYTES).expect("reads");
                assert_eq!(&got[..], &data[..], "size {size}, step {step}");
            }
        }
    }

    #[test]
    fn refuses_values_over_the_limit() {
        let data = vec![b'x'; 100];
        let e = read_value(
            &mut Trickle {
                data: &data,
                step: 30,
            },
            64,
        )
        .expect_err("too large");
        assert!(e.to_string().contains("more than 64 bytes"), "{e}");
        assert!(
            read_value(
                &mut Trickle {
                    data: &data,
                    step: 30
                },
                100
            )
            .is_ok()
        );
    }

    #[test]
    fn the_workspace_dir_of_a_file_is_its_parent() {
        let dir = std::env::temp_dir();
        assert_eq!(workspace_dir(&dir), dir);
        assert_eq!(
            workspace_dir(Path::new("does/not/exist")),
            PathBuf::from("does/not/exist")
        );
    }
}
