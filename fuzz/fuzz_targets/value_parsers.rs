//! Each value parser on any text and any number: a value or an error message, never a panic;
//! a parsed date written back as ISO parses to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;
use skusunset::read::table::Cell;
use skusunset::ingest::booleans_and_counts::{
    parse_bool, parse_bool_str, parse_quantity, parse_quantity_str,
};
use skusunset::ingest::values::{
    DateOrder, DateValue, order_hint, twelve_hour_clock, parse_date, parse_date_str,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
        if let Ok(DateValue::Date(date)) = parse_date_str(&text, order) {
            let iso = date.format("%Y-%m-%d").to_string();
            assert_eq!(parse_date_str(&iso, order), Ok(DateValue::Date(date)));
        }
    }
    let _ = order_hint(&text);
    let _ = twelve_hour_clock(&text);
    let _ = parse_bool_str(&text);
    if let Ok(n) = parse_quantity_str(&text) {
        assert!(n >= 0);
    }
    if data.len() >= 8 {
        let number = f64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        let cell = Cell::Number(number);
        let _ = parse_date(&cell, DateOrder::MonthFirst);
        let _ = parse_quantity(&cell);
        let _ = parse_bool(&cell);
    }
});
