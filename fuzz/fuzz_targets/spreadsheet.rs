//! Any bytes as a spreadsheet: a table or an error, never a panic, an abort or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::read::excel;

fuzz_target!(|data: &[u8]| {
    // skusunset's own hook, as in the binary: a panic that `contain` catches (calamine on a
    // malformed workbook) is an error, not a crash; any other panic still aborts.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(skusunset::base::panic::install_hook);
    if let Ok(table) = excel::read(data.to_vec(), "fuzz.xlsx", "xlsx", None, skusunset::read::table::Keep::All) {
        for column in &table.columns {
            assert_eq!(column.text.len(), table.height());
        }
    }
});
