//! The cells each sheet of an `.xls` spans, counted from its BIFF records before calamine
//! builds every sheet as a dense grid from its first to its last cell (two cells at `A1` and
//! `IV65536` are 16.7 million cells, a gigabyte, from a 6 KB file).

use std::io::{BufReader, Read};

/// Records that place a cell (and the offset of their row and first column; `MULRK` spans to
/// the column in its last two bytes).
const CELL_RECORDS: [u16; 7] = [
    0x0203, // NUMBER
    0x0204, // LABEL
    0x00D6, // RSTRING
    0x0205, // BOOLERR
    0x027E, // RK
    0x00FD, // LABELSST
    0x0006, // FORMULA
];
const MULRK: u16 = 0x00BD;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;

/// What the records of a workbook's stream declare.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Per sheet (in stream order), the cells from its first to its last placed cell.
    pub sheets: Vec<u64>,
    /// The workbook is encrypted (`FILEPASS`): its records cannot be read.
    pub encrypted: bool,
}

/// The extent of an `.xls` held in `bytes`; `None` when it is not a compound file with a
/// workbook stream (calamine then says what is wrong).
pub fn extent(bytes: &[u8]) -> Option<Extent> {
    let mut file = cfb::CompoundFile::open(std::io::Cursor::new(bytes)).ok()?;
    let stream = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .ok()?;
    Some(walk(BufReader::new(stream)))
}

/// One sheet's placed cells, as a bounding box.
#[derive(Debug)]
struct Bounds {
    rows: (u32, u32),
    cols: (u32, u32),
}

impl Bounds {
    fn cells(&self) -> u64 {
        u64::from(self.rows.1 - self.rows.0 + 1) * u64::from(self.cols.1 - self.cols.0 + 1)
    }
}

fn walk(mut stream: impl Read) -> Extent {
    let mut extent = Extent::default();
    let mut depth = 0usize;
    let mut bounds: Option<Bounds> = None;
    let mut header = [0u8; 4];
    let mut data = vec![0u8; 0x2020];
    while stream.read_exact(&mut header).is_ok() {
        let typ = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        if len > data.len() || stream.read_exact(&mut data[..len]).is_err() {
            break; // calamine reports a broken stream
        }
        let data = &data[..len];
        match typ {
            BOF => depth += 1,
            EOF => {
                if depth == 1 {
                    extent.sheets.extend(bounds.take().map(|b| b.cells()));
                }
                depth = depth.saturating_sub(1);
            }
            FILEPASS => {
                extent.encrypted = true;
                return extent;
            }
            typ if depth == 1 && len >= 4 && (CELL_RECORDS.contains(&typ) || typ == MULRK) => {
                let row = u32::from(u16::from_le_bytes([data[0], data[1]]));
                let first = u32::from(u16::from_le_bytes([data[2], data[3]]));
                let last = if typ == MULRK && len >= 6 {
                    u32::from(u16::from_le_bytes([data[len - 2], data[len - 1]]))
                } else {
                    first
                };
                let b = bounds.get_or_insert(Bounds {
                    rows: (row, row),
                    cols: (first, first),
                });
                b.rows = (b.rows.0.min(row), b.rows.1.max(row));
                b.cols = (b.cols.0.min(first), b.cols.1.max(last.max(first)));
            }
            _ => {}
        }
    }
    extent.sheets.extend(bounds.map(|b| b.cells()));
    extent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend(data);
        out
    }

    fn cell(typ: u16, row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(col.to_le_bytes());
        data.extend([0u8; 10]);
        record(typ, &data)
    }

    #[test]
    fn each_sheet_spans_its_first_to_its_last_cell_and_charts_are_left_out() {
        let mut stream = Vec::new();
        stream.extend(record(BOF, &[0; 16])); // globals
        stream.extend(record(EOF, &[]));
        stream.extend(record(BOF, &[0; 16])); // a sheet
        stream.extend(cell(0x0203, 0, 0));
        stream.extend(record(BOF, &[0; 16])); // a chart inside it
        stream.extend(cell(0x0203, 60_000, 200));
        stream.extend(record(EOF, &[]));
        stream.extend(cell(0x00FD, 65_535, 255));
        stream.extend(record(EOF, &[]));
        stream.extend(record(BOF, &[0; 16])); // a second sheet: one MULRK row
        let mut mulrk = 4u16.to_le_bytes().to_vec();
        mulrk.extend(2u16.to_le_bytes());
        mulrk.extend([0u8; 12]);
        mulrk.extend(5u16.to_le_bytes());
        stream.extend(record(MULRK, &mulrk));
        stream.extend(record(EOF, &[]));
        let extent = walk(&stream[..]);
        assert_eq!(extent.sheets, [65_536 * 256, 4]);
        assert!(!extent.encrypted);
        let mut locked = record(BOF, &[0; 16]);
        locked.extend(record(FILEPASS, &[0; 6]));
        assert!(walk(&locked[..]).encrypted);
    }
}
