//! The header mapping: any header row maps to fields without a panic, each field to at most one
//! real column, and the header list in messages stays bounded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::ingest::header_aliases::{LICENSE_FIELDS, SUBSCRIPTION_FIELDS};
use skusunset::read::headers::{ColumnMap, listed, normalize};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let headers: Vec<String> = text.split([',', '\n']).map(str::to_string).collect();
    for specs in [SUBSCRIPTION_FIELDS, LICENSE_FIELDS] {
        let map = ColumnMap::new(&headers, specs);
        for spec in specs {
            if let Some(at) = map.get(spec.name) {
                assert!(at < headers.len());
                let want: Vec<String> = spec.aliases.iter().map(|a| normalize(a)).collect();
                assert!(want.contains(&normalize(&headers[at])));
            }
        }
    }
    assert!(listed(&headers).chars().count() <= 40 * 120 + 100);
});
