//! What skusunset agrees to read: regular files only (never a FIFO, a device or a socket, which
//! could block forever or never end), each within a size limit, checked on the open handle
//! before anything big is allocated and read no further than the size checked; the same file
//! named twice is read once.

use crate::base::error::InputError;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// The largest input file read (4 GiB). Real exports are far smaller: 320,000 users with their
/// licenses are about 40 MB of CSV.
pub const MAX_FILE_BYTES: u64 = 4 << 30;
/// The most columns a table may have (Excel's own limit, column XFD).
pub const MAX_COLUMNS: usize = 16_384;
/// The most rows a spreadsheet may have (Excel's own limit).
pub const MAX_SHEET_ROWS: u32 = 1_048_576;
/// The most non-empty cells read from one sheet.
pub const MAX_SHEET_CELLS: usize = 50_000_000;
/// The largest part of a spreadsheet's zip archive once decompressed (1 GiB), and of all its
/// parts together (2 GiB): a small file that inflates past these is refused, not read.
pub const MAX_ZIP_PART_BYTES: u64 = 1 << 30;
/// See [`MAX_ZIP_PART_BYTES`].
pub const MAX_ZIP_TOTAL_BYTES: u64 = 2 << 30;

/// What kind of thing a path is, for the message when it is not a regular file.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// An input opened once and checked on its handle: a regular file (following links) of at
/// most the limit, with the size it had when opened. Everything read from it is bounded by
/// that size, so what is read is what was checked; a file that grows, shrinks or is swapped
/// while being read is an error naming it, never a longer read.
#[derive(Debug)]
pub struct Opened {
    file: std::fs::File,
    /// The size when opened.
    pub size: u64,
    label: String,
}

/// Opens `path` once and checks the open handle (`fstat`): a regular file of at most `max`
/// bytes. The open does not block, so a FIFO swapped in is refused, not waited on.
pub fn open_checked(path: &Path, label: &str, max: u64) -> Result<Opened, InputError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            InputError::NotFound {
                file: label.to_string(),
                hint: near_names(path),
            }
        } else {
            InputError::Unreadable {
                file: label.to_string(),
                error,
            }
        }
    })?;
    let metadata = file.metadata().map_err(|error| InputError::Unreadable {
        file: label.to_string(),
        error,
    })?;
    if !metadata.is_file() {
        return Err(InputError::NotAFile {
            file: label.to_string(),
            kind: kind_of(metadata.file_type()),
        });
    }
    if metadata.len() > max {
        return Err(InputError::TooLarge {
            file: label.to_string(),
            size: metadata.len(),
            limit: max,
        });
    }
    Ok(Opened {
        file,
        size: metadata.len(),
        label: label.to_string(),
    })
}

impl Opened {
    /// The whole file, as many bytes as it had when opened; any other count is an error.
    pub fn read_all(&mut self) -> Result<Vec<u8>, InputError> {
        let unreadable = |error| InputError::Unreadable {
            file: self.label.clone(),
            error,
        };
        (&self.file)
            .seek(std::io::SeekFrom::Start(0))
            .map_err(unreadable)?;
        let mut bytes = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        (&self.file)
            .take(self.size + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 == self.size {
            Ok(bytes)
        } else {
            Err(self.changed())
        }
    }

    /// A reader over the file from its start, failing (`InvalidData`, with [`Opened::changed`]'s
    /// words) once it would give more bytes than the size when opened, or ends short of it.
    pub fn reader(&mut self) -> std::io::Result<Bounded<'_>> {
        (&self.file).seek(std::io::SeekFrom::Start(0))?;
        Ok(Bounded {
            opened: self,
            at: 0,
        })
    }

    fn changed(&self) -> InputError {
        InputError::Unreadable {
            file: self.label.clone(),
            error: std::io::Error::other(changed_words(self.size)),
        }
    }
}

fn changed_words(size: u64) -> String {
    format!(
        "it changed while being read (it was {size} bytes when opened); read it again once \
         the export is complete and nothing writes to it"
    )
}

/// See [`Opened::reader`].
pub struct Bounded<'a> {
    opened: &'a Opened,
    at: u64,
}

impl std::io::Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Past the size (a seek there) nothing is left, and any byte read is growth.
        let left = self.opened.size.saturating_sub(self.at);
        // One byte past the end is asked for, to see whether the file grew.
        let want = buf
            .len()
            .min(usize::try_from(left + 1).unwrap_or(usize::MAX));
        let n = (&self.opened.file).read(&mut buf[..want])?;
        if (n == 0 && left > 0) || n as u64 > left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                changed_words(self.opened.size),
            ));
        }
        self.at += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Bounded<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.at = (&self.opened.file).seek(pos)?;
        Ok(self.at)
    }
}

/// `; did you mean `a` or `b`?` with the names in `path`'s folder most like its own (up to
/// three), or nothing when none is close.
fn near_names(path: &Path) -> String {
    let Some(wanted) = path.file_name().and_then(|n| n.to_str()) else {
        return String::new();
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return String::new();
    };
    let wanted = wanted.to_lowercase();
    let names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    crate::base::error::did_you_mean(
        names.iter().map(|name| {
            (
                strsim::jaro_winkler(&wanted, &name.to_lowercase()),
                name.as_str(),
            )
        }),
        0.8,
    )
}

/// Reads a whole regular file of at most `max` bytes, opened once.
pub fn read_file(path: &Path, label: &str, max: u64) -> Result<Vec<u8>, InputError> {
    open_checked(path, label, max)?.read_all()
}

/// A path made comparable: the same file reached by two spellings (`./a.csv`, `a.csv`, a link)
/// gives the same identity.
pub fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        std::fs::write(&file, "abc").unwrap();
        assert_eq!(open_checked(&file, "a.csv", 3).unwrap().size, 3);
        let err = open_checked(&file, "a.csv", 2).unwrap_err().to_string();
        assert!(err.contains("`a.csv`: it is 3 bytes"), "{err}");
        let err = open_checked(dir.path(), "dir", 10).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = open_checked(Path::new("/dev/zero"), "/dev/zero", 10)
                .unwrap_err()
                .to_string();
            assert!(err.contains("is a device"), "{err}");
        }
        let linked = dir.path().join("./a.csv");
        assert_eq!(identity(&linked), identity(&file));
        std::fs::write(dir.path().join("contoso-users.csv"), "x").unwrap();
        let err = open_checked(&dir.path().join("contoso-user.csv"), "contoso-user.csv", 10)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cannot read `contoso-user.csv`: there is no such file; did you mean \
             `contoso-users.csv`?"
        );
        let err = open_checked(&dir.path().join("zzz.txt"), "zzz.txt", 10)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "cannot read `zzz.txt`: there is no such file");
    }

    #[test]
    fn a_file_that_changes_after_it_was_opened_is_refused() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        std::fs::write(&file, "a,b\n1,2\n").unwrap();
        let mut opened = open_checked(&file, "a.csv", 100).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap()
            .write_all(b"3,4\n")
            .unwrap();
        let err = opened.read_all().unwrap_err().to_string();
        assert!(
            err.starts_with(
                "cannot read `a.csv`: it changed while being read (it was 8 bytes when opened)"
            ),
            "{err}"
        );
        let mut text = String::new();
        let err = opened
            .reader()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        std::fs::write(&file, "a,b\n").unwrap();
        let err = opened.read_all().unwrap_err().to_string();
        assert!(err.contains("it changed while being read"), "{err}");
    }
}
