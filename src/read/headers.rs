//! Header matching: which header of a table holds which field, ignoring case, spaces,
//! underscores, hyphens, a BOM and what Excel leaves behind on a re-save. The field lists
//! themselves belong to whoever reads the table (`ingest::header_aliases`, the SKU table).

use crate::base::error::InputError;

/// A canonical field and the headers that may hold it, in order of preference.
pub struct FieldSpec {
    /// The canonical column name.
    pub name: &'static str,
    /// Accepted headers, preferred first.
    pub aliases: &'static [&'static str],
}

/// A field and its accepted headers, in a `const`.
pub const fn field(name: &'static str, aliases: &'static [&'static str]) -> FieldSpec {
    FieldSpec { name, aliases }
}

/// Lower-cases and drops spaces, underscores, hyphens, BOMs, quotes, line breaks and a
/// trailing period, so `Offer name`, `offer_name` and `OfferName` compare equal, and so do the
/// headers Excel leaves behind on a re-save (`\u{feff}"UserName"` with its quotes kept, a line
/// break inside a header cell, `Subscription Commitment End Date.`).
pub fn normalize(header: &str) -> String {
    header
        .trim_end_matches([' ', '.'])
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '_' | '-' | '\u{feff}' | '\u{a0}' | '\t' | '"' | '\r' | '\n'
            )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The headers of a file for a message: the first 40, each cut at 80 characters, then how many
/// more (a garbage "header" can be a megabyte of text or a million cells).
pub fn listed(headers: &[String]) -> String {
    const SHOWN: usize = 40;
    let mut list: Vec<String> = headers
        .iter()
        .take(SHOWN)
        .map(|h| crate::base::text::bounded(h, 80).into_owned())
        .collect();
    if headers.len() > SHOWN {
        list.push(format!("… and {} more", headers.len() - SHOWN));
    }
    list.join(", ")
}

/// The headers some field can be read from, normalized ([`normalize`]): what a reader needs to
/// keep of a table (`read::table::Keep`).
pub struct KnownHeaders(std::collections::HashSet<String>);

impl KnownHeaders {
    /// Every alias of `fields`.
    pub fn of<'f>(fields: impl IntoIterator<Item = &'f FieldSpec>) -> KnownHeaders {
        let aliases = fields.into_iter().flat_map(|f| f.aliases.iter());
        KnownHeaders(aliases.map(|alias| normalize(alias)).collect())
    }

    /// These headers too, normalized already.
    #[must_use]
    pub fn and(mut self, normalized: impl IntoIterator<Item = String>) -> KnownHeaders {
        self.0.extend(normalized);
        self
    }

    /// Whether `header` (as written) is one of them.
    pub fn knows(&self, header: &str) -> bool {
        self.0.contains(&normalize(header))
    }
}

/// Where each field of `specs` sits in `headers` (`None` when absent).
pub struct ColumnMap {
    positions: Vec<(&'static str, Option<usize>)>,
}

impl ColumnMap {
    /// Matches `headers` against `specs`, preferring the alias listed first.
    pub fn new(headers: &[String], specs: &[FieldSpec]) -> ColumnMap {
        let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
        let positions = specs
            .iter()
            .map(|spec| {
                let pos = spec.aliases.iter().find_map(|alias| {
                    let want = normalize(alias);
                    normalized.iter().position(|h| *h == want)
                });
                (spec.name, pos)
            })
            .collect();
        ColumnMap { positions }
    }

    /// Each matched field with the header that holds it, in field order.
    pub fn matched<'h>(&self, headers: &'h [String]) -> Vec<(&'static str, &'h str)> {
        self.positions
            .iter()
            .filter_map(|(name, pos)| pos.map(|p| (*name, headers[p].as_str())))
            .collect()
    }

    /// The position of `field`, if a header matched it.
    pub fn get(&self, field: &str) -> Option<usize> {
        self.positions
            .iter()
            .find(|(name, _)| *name == field)
            .and_then(|(_, pos)| *pos)
    }

    /// The error for a required field that no header matched.
    pub fn missing(file: &str, headers: &[String], specs: &[&FieldSpec]) -> InputError {
        let fields = specs
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join("` or `");
        let accepted = specs
            .iter()
            .flat_map(|s| s.aliases.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        InputError::MissingColumn {
            file: file.to_string(),
            field: fields,
            found: listed(headers),
            accepted,
        }
    }
}
