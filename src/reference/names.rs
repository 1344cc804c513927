//! How product names and ids are compared and recognised: the lookup key every name lookup
//! uses, and the shape of a part number (String_Id).

/// Lower-cases, trims and collapses runs of white space: the key every lookup uses.
pub fn lookup_key(value: &str) -> String {
    let mut key = String::with_capacity(value.len());
    for word in value.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// Whether a name is written like a product part number (`skuPartNumber`, String_Id): capital
/// letters, digits and `_` only, with at least one letter (`KAIZALA_STANDALONE`, `SPE_E3`).
pub fn is_part_number(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_numbers_are_capitals_digits_and_underscores() {
        for yes in ["KAIZALA_STANDALONE", "SPE_E3", "MCOIMP"] {
            assert!(is_part_number(yes), "{yes}");
        }
        for no in [
            "Kaizala Pro",
            "1392051d-0cb9-4b7a-88d5-621fee5e8711",
            "123",
            "",
            "SPE E3",
        ] {
            assert!(!is_part_number(no), "{no}");
        }
    }
}
