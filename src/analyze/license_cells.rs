//! The admin center's `+`-joined `Licenses` cells, split into one row per user and license
//! (docs/rules.md §2.2). Each distinct cell is split once (real exports repeat the same
//! combinations on many rows), by the exact names of the SKU table and the catalog.

use crate::base::hash::FastMap;
use crate::reference::resolve::Resolver;
use anyhow::Result;
use polars::prelude::*;

/// The licenses frame with every joined cell (`licenses_joined`) made one row per license, the
/// other columns repeated, and `licenses_joined` dropped; row order is kept. A cell without any
/// license (`Unlicensed`, only `+`) keeps its row, with a null `license`, like an unlicensed long
/// row. Rows come file by file, so joined rows form runs: the other runs are sliced through
/// untouched (no copy), and only the joined runs are rebuilt.
pub(super) fn split(licenses: DataFrame, resolver: &Resolver) -> Result<DataFrame> {
    let joined = licenses.column("licenses_joined")?.bool()?.clone();
    let licenses = licenses.drop("licenses_joined")?;
    if !joined.any() {
        return Ok(licenses);
    }
    let mut out: Option<DataFrame> = None;
    let mut start = 0;
    let flags: Vec<bool> = joined.iter().map(|j| j == Some(true)).collect();
    while start < flags.len() {
        let run = flags[start..]
            .iter()
            .take_while(|&&f| f == flags[start])
            .count();
        let piece = licenses.slice(start as i64, run);
        let piece = if flags[start] {
            split_run(&piece, resolver)?
        } else {
            piece
        };
        match &mut out {
            None => out = Some(piece),
            Some(frame) => {
                frame.vstack_mut(&piece)?;
            }
        }
        start += run;
    }
    Ok(out.unwrap_or(licenses))
}

/// One run of joined rows, a row per license.
fn split_run(run: &DataFrame, resolver: &Resolver) -> Result<DataFrame> {
    let cells = run.column("license")?.str()?;
    let mut splits: FastMap<&str, Vec<String>> = FastMap::default();
    for cell in cells.iter().flatten() {
        splits
            .entry(cell)
            .or_insert_with(|| resolver.split_licenses(cell));
    }
    let mut rows: Vec<IdxSize> = Vec::with_capacity(cells.len());
    let mut values: Vec<Option<&str>> = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let pieces = cell.map_or(&[][..], |c| splits[c].as_slice());
        if pieces.is_empty() {
            rows.push(i as IdxSize);
            values.push(None);
        }
        rows.extend(std::iter::repeat_n(i as IdxSize, pieces.len()));
        values.extend(pieces.iter().map(|p| Some(p.as_str())));
    }
    let license: StringChunked = values.into_iter().collect();
    let mut taken = run.take(&IdxCa::from_vec("rows".into(), rows))?;
    taken.with_column(license.with_name("license".into()).into_column())?;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{catalog::Catalog, skus::SkuTable};

    #[test]
    fn joined_cells_become_rows_and_long_rows_stay() {
        let frame = df!(
            "row" => [2i64, 3, 4, 5, 6],
            "license" => [
                Some("Office 365 E3 + Microsoft Kaizala Pro"),
                Some("Enterprise Mobility + Security E5"),
                Some("Unlicensed"),
                None,
                Some("Office 365 E3 + Microsoft Kaizala Pro"),
            ],
            "licenses_joined" => [true, false, true, true, false],
        )
        .unwrap();
        let (skus, catalog) = (SkuTable::builtin(), Catalog::builtin());
        let resolver = Resolver {
            skus: &skus,
            catalog: &catalog,
        };
        let out = split(frame, &resolver).unwrap();
        assert_eq!(out.get_column_names(), ["row", "license"]);
        let rows: Vec<Option<i64>> = out.column("row").unwrap().i64().unwrap().iter().collect();
        assert_eq!(rows, [Some(2), Some(2), Some(3), Some(4), Some(5), Some(6)]);
        let licenses: Vec<Option<&str>> = out
            .column("license")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            licenses,
            [
                Some("Office 365 E3"),
                Some("Microsoft Kaizala Pro"),
                Some("Enterprise Mobility + Security E5"),
                None,
                None,
                Some("Office 365 E3 + Microsoft Kaizala Pro"),
            ]
        );
    }
}
