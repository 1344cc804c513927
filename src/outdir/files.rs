//! The file operations `--out` is built from: writing staged files, flushing them, walking a
//! folder without following links, and the renames of the switch — an exchange of two names and
//! a rename that never replaces, where the kernel has them (Linux `renameat2`), plain renames
//! elsewhere (FAT, exFAT, SMB, other systems).

use super::manifest::{Hashed, ManifestFile};
use crate::export::{Content, Output};
use anyhow::{Context, Result};
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Component, Path, PathBuf};

/// What an entry is, seen without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (never followed).
    Link,
    /// A FIFO, socket or device.
    Other,
}

impl Kind {
    fn of(ft: fs::FileType) -> Kind {
        if ft.is_symlink() {
            Kind::Link
        } else if ft.is_dir() {
            Kind::Dir
        } else if ft.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

/// What `path` is (without following a link there), or `None` when nothing is there.
pub(super) fn kind_of(path: &Path) -> Result<Option<Kind>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(Kind::of(meta.file_type()))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot inspect `{}`", path.display())),
    }
}

/// Whether `rel` is a plain relative path: normal components only, at least one.
pub(super) fn is_plain(rel: &Path) -> bool {
    rel.components().next().is_some() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Creates the folders of `rel` below `root` one level at a time; a level that is a link or a
/// file is refused, so nothing is ever created outside `root`.
pub(super) fn make_dirs_beneath(root: &Path, rel: &Path) -> Result<()> {
    let mut dir = root.to_path_buf();
    for part in rel {
        dir.push(part);
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if kind_of(&dir)? != Some(Kind::Dir) {
                    anyhow::bail!(
                        "`{}` is not a folder (a link or a file); skusunset follows no link \
                         and writes nothing there",
                        dir.display()
                    );
                }
            }
            Err(e) => return Err(e).with_context(|| format!("cannot create `{}`", dir.display())),
        }
    }
    Ok(())
}

/// Creates one new file below `root` (its folders created, see [`make_dirs_beneath`]); it must
/// not exist yet. [`sync_tree`] flushes it to disk.
fn create_file(root: &Path, rel: &Path) -> Result<fs::File> {
    super::guard::check_interrupted()?;
    if let Some(parent) = rel.parent() {
        make_dirs_beneath(root, parent)?;
    }
    let path = root.join(rel);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Writes one new file below `root` (see [`create_file`]).
pub(super) fn write_file(root: &Path, rel: &Path, bytes: &[u8]) -> Result<()> {
    create_file(root, rel)?
        .write_all(bytes)
        .with_context(|| format!("cannot write `{}`", root.join(rel).display()))
}

/// A staged file whose written bytes start going to disk as they are written, every
/// [`WRITEBACK`] bytes (Linux `sync_file_range`), so the final [`sync_tree`] waits only for the
/// tail; a wave's files are hundreds of megabytes, which the kernel would otherwise keep in
/// memory until that flush. Elsewhere a plain file.
struct WrittenBack {
    file: fs::File,
    /// Bytes written, and the end of the part handed to the disk.
    written: u64,
    handed: u64,
}

/// How many bytes are handed to the disk at a time.
const WRITEBACK: u64 = 8 << 20;

impl WrittenBack {
    fn new(file: fs::File) -> WrittenBack {
        WrittenBack {
            file,
            written: 0,
            handed: 0,
        }
    }

    /// Starts writing `handed..written` to disk, without waiting for it. Only a hint: the
    /// final flush makes the file durable whether or not it took.
    fn hand_over(&mut self) {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: the descriptor is open for the call; the call only reads the range.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    self.handed as libc::off64_t,
                    (self.written - self.handed) as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
        self.handed = self.written;
    }
}

impl Write for WrittenBack {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.handed >= WRITEBACK {
            self.hand_over();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes one output file of a report below `root` (see [`create_file`]) and describes it for
/// the manifest, hashing its bytes as they are written: a streamed file is never held whole.
pub(super) fn stage_file(
    root: &Path,
    output: Output<'_>,
    manifest_path: &str,
) -> Result<ManifestFile> {
    let context = || format!("cannot write `{}`", root.join(&output.path).display());
    let file = create_file(root, &output.path)?;
    let mut hashed = Hashed::new(WrittenBack::new(file));
    match output.content {
        Content::Bytes(bytes) => hashed.write_all(&bytes).with_context(context)?,
        Content::Streamed(write) => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut hashed);
            write(&mut buffered).with_context(context)?;
            buffered.flush().with_context(context)?;
        }
    }
    Ok(hashed.describe(manifest_path))
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
pub(super) fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(path)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush `{}`", path.display()))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Makes everything below `root` durable. On Linux one `syncfs(2)` flushes the data and metadata
/// of the file system that holds it (one journal commit instead of one per file); elsewhere every
/// file and folder is flushed, deepest first.
pub(super) fn sync_tree(root: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let dir = fs::File::open(root)?;
        // SAFETY: `dir` is an open descriptor for the whole call; syncfs only reads it.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("cannot flush `{}` to disk", root.display()));
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        for (rel, kind) in walk(root)?.into_iter().rev() {
            let path = root.join(rel);
            match kind {
                Kind::Dir => sync_dir(&path)?,
                Kind::File => fs::File::open(&path)
                    .and_then(|f| f.sync_all())
                    .with_context(|| format!("cannot flush `{}`", path.display()))?,
                _ => {}
            }
        }
        sync_dir(root)
    }
}

/// Every entry below `root`, parents before children, without following links.
pub(super) fn walk(root: &Path) -> Result<Vec<(PathBuf, Kind)>> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let dir = root.join(&rel);
        let entries: Vec<_> = fs::read_dir(&dir)
            .with_context(|| format!("cannot list `{}`", dir.display()))?
            .collect::<std::io::Result<_>>()?;
        for entry in entries {
            let path = rel.join(entry.file_name());
            let kind = Kind::of(entry.file_type()?);
            if kind == Kind::Dir {
                pending.push(path.clone());
            }
            out.push((path, kind));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// An entry's identity on its file system (device and inode), to tell two entries of one name
/// apart after an exchange; `None` where the system has none.
pub(super) fn identity(path: &Path) -> Result<Option<(u64, u64)>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(path)
            .with_context(|| format!("cannot inspect `{}`", path.display()))?;
        Ok(Some((meta.dev(), meta.ino())))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// `renameat2(2)` with `flags`; `Ok(false)` where the kernel or the file system has no such
/// rename (FAT, exFAT, FUSE, SMB, older kernels).
#[cfg(target_os = "linux")]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: both paths are NUL-terminated strings that live for the whole call.
    let done = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if done == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(err),
    }
}

/// Swaps the entries at `a` and `b` in one step, so neither name is ever missing; `Ok(false)`
/// where the file system cannot (the caller renames twice instead).
pub(super) fn exchange(a: &Path, b: &Path) -> Result<bool> {
    #[cfg(target_os = "linux")]
    return renameat2(a, b, libc::RENAME_EXCHANGE)
        .with_context(|| format!("cannot exchange `{}` and `{}`", a.display(), b.display()));
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Whether this file system can exchange two names (tried on two scratch files in `dir`).
pub(super) fn can_exchange(dir: &Path) -> Result<bool> {
    let (a, b) = (dir.join("exchange-probe-a"), dir.join("exchange-probe-b"));
    for p in [&a, &b] {
        let _ = fs::remove_file(p);
        fs::write(p, b"").with_context(|| format!("cannot write `{}`", p.display()))?;
    }
    let can = exchange(&a, &b);
    let _ = fs::remove_file(&a);
    let _ = fs::remove_file(&b);
    can
}

/// Renames `from` to `to`, which must not exist: never replaces what is there (atomically where
/// the kernel can; elsewhere checked just before).
pub(super) fn rename_new(from: &Path, to: &Path) -> Result<()> {
    let context = || format!("cannot move `{}` to `{}`", from.display(), to.display());
    #[cfg(target_os = "linux")]
    if renameat2(from, to, libc::RENAME_NOREPLACE).with_context(context)? {
        return Ok(());
    }
    if kind_of(to)?.is_some() {
        return Err(std::io::Error::from(ErrorKind::AlreadyExists)).with_context(context);
    }
    fs::rename(from, to).with_context(context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outdir::manifest::sha256_hex;

    #[test]
    fn a_large_file_is_handed_to_the_disk_as_it_is_written_and_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let text: Vec<u8> = (0..(3 * WRITEBACK + 5)).map(|i| (i % 251) as u8).collect();
        let mut file = WrittenBack::new(fs::File::create(&path).unwrap());
        for chunk in text.chunks(1 << 20) {
            file.write_all(chunk).unwrap();
        }
        file.flush().unwrap();
        assert_eq!(
            (file.written, file.handed),
            (text.len() as u64, 3 * WRITEBACK)
        );
        drop(file);
        assert_eq!(fs::read(&path).unwrap(), text);
    }

    #[test]
    fn a_streamed_file_is_described_as_the_same_bytes_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let text: Vec<u8> = (0..200_000u32).flat_map(u32::to_le_bytes).collect();
        let whole = Output::from((PathBuf::from("a/whole.bin"), text.clone()));
        let streamed = Output::streamed(
            PathBuf::from("a/streamed.bin"),
            0,
            Box::new(|w| {
                for chunk in text.chunks(7) {
                    w.write_all(chunk)?;
                }
                Ok(())
            }),
        );
        let a = stage_file(dir.path(), whole, "a/whole.bin").unwrap();
        let b = stage_file(dir.path(), streamed, "a/streamed.bin").unwrap();
        assert_eq!((a.bytes, &a.sha256), (b.bytes, &b.sha256));
        assert_eq!(a.sha256, sha256_hex(&text));
        assert_eq!(fs::read(dir.path().join("a/streamed.bin")).unwrap(), text);
    }
}
