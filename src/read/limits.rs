//! What skusunset agrees to read: regular files only (never a FIFO, a device or a socket, which
//! could block forever or never end), each within a size limit, checked before anything big is
//! allocated; the same file named twice is read once.

use crate::base::error::InputError;
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

/// Checks that `path` is a regular file (following links) of at most `max` bytes; returns its
/// size. Nothing is opened, so a FIFO cannot block.
pub fn check_file(path: &Path, label: &str, max: u64) -> Result<u64, InputError> {
    let metadata = std::fs::metadata(path).map_err(|error| {
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
    Ok(metadata.len())
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

/// Reads a whole regular file of at most `max` bytes.
pub fn read_file(path: &Path, label: &str, max: u64) -> Result<Vec<u8>, InputError> {
    check_file(path, label, max)?;
    std::fs::read(path).map_err(|error| InputError::Unreadable {
        file: label.to_string(),
        error,
    })
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
        assert_eq!(check_file(&file, "a.csv", 3).unwrap(), 3);
        let err = check_file(&file, "a.csv", 2).unwrap_err().to_string();
        assert!(err.contains("`a.csv`: it is 3 bytes"), "{err}");
        let err = check_file(dir.path(), "dir", 10).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = check_file(Path::new("/dev/zero"), "/dev/zero", 10)
                .unwrap_err()
                .to_string();
            assert!(err.contains("is a device"), "{err}");
        }
        let linked = dir.path().join("./a.csv");
        assert_eq!(identity(&linked), identity(&file));
        std::fs::write(dir.path().join("contoso-users.csv"), "x").unwrap();
        let err = check_file(&dir.path().join("contoso-user.csv"), "contoso-user.csv", 10)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cannot read `contoso-user.csv`: there is no such file; did you mean \
             `contoso-users.csv`?"
        );
        let err = check_file(&dir.path().join("zzz.txt"), "zzz.txt", 10)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "cannot read `zzz.txt`: there is no such file");
    }
}
