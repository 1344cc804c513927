//! CSV sniffing and decoding: any bytes read whole and streamed give the same table (or the same
//! refusal), and never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::read::csv_text;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let whole = csv_text::read(data);
    if let Ok(Some(streamed)) = csv_text::read_streaming(Cursor::new(data), data.len(), skusunset::read::table::Keep::All) {
        let whole = whole.expect("what streams also reads whole");
        assert_eq!(streamed.headers, whole.headers);
        assert_eq!(streamed.rows, whole.rows);
        assert_eq!(streamed.blank_rows, whole.blank_rows);
        assert_eq!(streamed.extra_cells, whole.extra_cells);
        for (a, b) in streamed.columns.iter().zip(&whole.columns) {
            assert!(a.text.iter().eq(b.text.iter()));
        }
    }
    if let Ok(table) = csv_text::read(data) {
        for column in &table.columns {
            assert_eq!(column.text.len(), table.height());
        }
        let _ = csv_text::decode(data);
    }
});
