//! Any bytes as a spreadsheet: a table or an error, never a panic, an abort or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::ingest::excel;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = excel::read(data.to_vec(), "fuzz.xlsx", None) {
        for column in &table.columns {
            assert_eq!(column.text.len(), table.height());
        }
    }
});
