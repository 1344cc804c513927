//! The `+` split of a licenses cell and the SKU/retirement lookups on any text: no panic, no
//! empty piece, and a cell of few pieces never takes long (libFuzzer's timeout catches that).
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::reference::catalog::Catalog;
use skusunset::reference::resolve::Resolver;
use skusunset::reference::skus::SkuTable;
use std::sync::OnceLock;

fn tables() -> &'static (SkuTable, Catalog) {
    static TABLES: OnceLock<(SkuTable, Catalog)> = OnceLock::new();
    TABLES.get_or_init(|| (SkuTable::builtin(), Catalog::builtin()))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (skus, catalog) = tables();
    let resolver = Resolver { skus, catalog };
    for piece in resolver.split_licenses(&text) {
        assert!(!piece.trim().is_empty(), "{text:?} gave an empty piece");
        let _ = resolver.resolve(&piece);
        let _ = resolver.retirement_of(&[piece.as_str()]);
    }
});
