//! A workbook part compressed in pieces on every core: each piece is deflated on its own and
//! ends on a byte boundary (a sync flush), so the pieces joined in order, the last one finished,
//! are one deflate stream, as pigz makes them. The CRC-32 of the whole is combined from the
//! pieces'. A wave's Users sheet is 317 MB of XML at L: deflated in one stream it kept one core
//! busy for a second.

use anyhow::{Context, Result, ensure};
use flate2::{Compress, Compression, FlushCompress, Status};

/// Deflated bytes of a piece of a part, and what the part's header needs of them.
pub(super) struct Deflated {
    pub data: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Deflated {
    /// `input` deflated at `level`; `last`: the part's last piece, which ends the stream.
    pub(super) fn new(input: &[u8], level: u8, last: bool) -> Result<Deflated> {
        let mut compress = Compress::new(Compression::new(u32::from(level)), false);
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        let mut data = Vec::with_capacity(input.len() / 4 + 1024);
        loop {
            let read = usize::try_from(compress.total_in())?;
            if data.len() == data.capacity() {
                data.reserve(data.capacity().max(64 * 1024));
            }
            let status = compress
                .compress_vec(&input[read..], &mut data, flush)
                .context("internal error: deflate failed")?;
            let done = usize::try_from(compress.total_in())? == input.len();
            // A sync flush is complete when it left room in the output.
            if done && (status == Status::StreamEnd || (!last && data.len() < data.capacity())) {
                break;
            }
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(input);
        Ok(Deflated {
            data,
            crc,
            len: input.len() as u64,
        })
    }

    /// The pieces of one part, in order (the last one made with `last`), as one.
    pub(super) fn join(pieces: Vec<Deflated>) -> Deflated {
        let size = pieces.iter().map(|p| p.data.len()).sum();
        let mut whole = Deflated {
            data: Vec::with_capacity(size),
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        for piece in pieces {
            whole.data.extend_from_slice(&piece.data);
            whole.crc.combine(&piece.crc);
            whole.len += piece.len;
        }
        whole
    }

    /// A zip archive holding only this part, as `name`, for [`zip::ZipWriter::raw_copy_file`]:
    /// the zip crate copies deflated bytes only from another archive. Stamped as rust_xlsxwriter
    /// stamps its parts (1980-01-01, a Unix file readable and writable by its owner).
    pub(super) fn archive(self, name: &str) -> Result<Vec<u8>> {
        let (crc, size) = (self.crc.finalize(), u32::try_from(self.data.len()));
        let (Ok(size), Ok(len)) = (size, u32::try_from(self.len)) else {
            anyhow::bail!(
                "`{name}` of the workbook would be {} bytes, more than a workbook part can \
                 hold (4 GiB); write this report with --format csv",
                self.len
            );
        };
        let name_len = u16::try_from(name.len())?;
        // Version 2.0, no flags, deflated, at 00:00 on 1980-01-01.
        let entry = |out: &mut Vec<u8>| {
            for field in [20u16, 0, 8, 0, 0x21] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            for field in [crc, size, len] {
                out.extend_from_slice(&field.to_le_bytes());
            }
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
        };
        let mut out = Vec::with_capacity(self.data.len() + 2 * name.len() + 128);
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        entry(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&self.data);
        let directory = u32::try_from(out.len())?;
        // Made by Unix (3), version 2.0.
        out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        out.extend_from_slice(&((3u16 << 8) | 0x14).to_le_bytes());
        entry(&mut out);
        // No comment, disk 0, no internal attributes, mode -rw-------, local header at 0.
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&(0o100_600u32 << 16).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        let directory_size = u32::try_from(out.len())? - directory;
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        out.extend_from_slice(&directory_size.to_le_bytes());
        out.extend_from_slice(&directory.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        ensure!(out.len() > self.data.len(), "internal error: empty archive");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn pieces_joined_inflate_to_the_whole() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("<row r=\"{i}\">{}</row>", i % 97).into_bytes())
            .collect();
        let cuts = [0, 1, 70_000, 70_001, 900_000, text.len()];
        let pieces: Vec<Deflated> = cuts
            .windows(2)
            .enumerate()
            .map(|(i, w)| Deflated::new(&text[w[0]..w[1]], 3, i == cuts.len() - 2).unwrap())
            .collect();
        let whole = Deflated::join(pieces);
        let archive = whole.archive("xl/worksheets/sheet1.xml").unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
        let mut part = zip.by_name("xl/worksheets/sheet1.xml").unwrap();
        assert_eq!(part.size(), text.len() as u64);
        assert_eq!(part.crc32(), crc32fast::hash(&text));
        let mut back = Vec::new();
        part.read_to_end(&mut back).unwrap();
        assert!(back == text, "the inflated part differs");
    }

    #[test]
    fn an_empty_part_is_a_finished_stream() {
        let whole = Deflated::join(vec![Deflated::new(b"", 3, true).unwrap()]);
        let mut zip = zip::ZipArchive::new(Cursor::new(whole.archive("a.xml").unwrap())).unwrap();
        let mut back = String::new();
        zip.by_index(0).unwrap().read_to_string(&mut back).unwrap();
        assert_eq!(back, "");
    }
}
