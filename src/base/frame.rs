//! Small helpers between Rust values and polars columns: building typed columns from vectors,
//! and reading cells back by name. Dates are polars `Date` (days since 1970-01-01).

use chrono::NaiveDate;
use polars::prelude::*;

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");

/// Days since 1970-01-01, polars' physical `Date` value.
pub fn date_to_days(date: NaiveDate) -> i32 {
    (date - EPOCH).num_days() as i32
}

/// The inverse of [`date_to_days`].
pub fn days_to_date(days: i32) -> NaiveDate {
    EPOCH + chrono::Duration::days(i64::from(days))
}

/// A `String` column.
pub fn str_col<S: AsRef<str>>(name: &str, values: impl IntoIterator<Item = Option<S>>) -> Column {
    let values: StringChunked = values
        .into_iter()
        .collect::<Vec<_>>()
        .iter()
        .map(|v| v.as_ref().map(AsRef::as_ref))
        .collect();
    values.with_name(name.into()).into_column()
}

/// A `Date` column.
pub fn date_col(name: &str, values: impl IntoIterator<Item = Option<NaiveDate>>) -> Column {
    let days: Vec<Option<i32>> = values.into_iter().map(|d| d.map(date_to_days)).collect();
    Column::new(name.into(), days)
        .cast(&DataType::Date)
        .expect("Int32 casts to Date")
}

/// A nullable `Boolean` column.
pub fn bool_col(name: &str, values: impl IntoIterator<Item = Option<bool>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<_>>())
}

/// A nullable `Int64` column.
pub fn i64_col(name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<_>>())
}

/// A text column's values row by row, borrowed; a constant column (a file name, a field the
/// export lacks) is not materialised into one value per row.
pub fn texts(column: &Column) -> PolarsResult<Box<dyn Iterator<Item = Option<&str>> + '_>> {
    if let Some(constant) = column.as_scalar_column() {
        let value = constant.scalar().value().get_str();
        return Ok(Box::new(std::iter::repeat_n(value, column.len())));
    }
    Ok(Box::new(column.str()?.iter()))
}

/// The rows `0..height` cut into one contiguous part per core, in order: the parts of a pass
/// that runs on every core and then takes the parts' results in row order.
pub fn row_parts(height: usize) -> Vec<std::ops::Range<usize>> {
    let parts = rayon::current_num_threads().max(1);
    let len = height.div_ceil(parts).max(1);
    (0..parts)
        .map(|part| (part * len).min(height)..((part + 1) * len).min(height))
        .collect()
}

/// [`texts`] for the rows `rows` only, borrowed from the whole column (a slice of a column
/// would be a new column, and its values could not outlive it): for parallel passes that each
/// take a run of rows.
pub fn texts_in(
    column: &Column,
    rows: std::ops::Range<usize>,
) -> PolarsResult<Box<dyn Iterator<Item = Option<&str>> + '_>> {
    if let Some(constant) = column.as_scalar_column() {
        let value = constant.scalar().value().get_str();
        return Ok(Box::new(std::iter::repeat_n(value, rows.len())));
    }
    let mut start = 0;
    Ok(Box::new(column.str()?.downcast_iter().flat_map(
        move |array| {
            let (first, end) = (start, start + array.len());
            start = end;
            let (from, to) = (rows.start.max(first), rows.end.min(end));
            (from..to.max(from)).map(move |i| array.get(i - first))
        },
    )))
}

/// Reads typed cells of one frame by column name.
pub struct Rows<'a> {
    df: &'a DataFrame,
}

impl<'a> Rows<'a> {
    /// Wraps a frame.
    pub fn new(df: &'a DataFrame) -> Self {
        Rows { df }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.df.height()
    }

    /// Whether the frame has no rows.
    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// A string column, all rows.
    pub fn strs(&self, name: &str) -> PolarsResult<Vec<Option<String>>> {
        let column = self.df.column(name)?.cast(&DataType::String)?;
        let ca = column.str()?;
        Ok((0..ca.len())
            .map(|i| ca.get(i).map(str::to_string))
            .collect())
    }

    /// A column of one of the report's vocabularies (written by the analysis with `as_str`),
    /// all rows; a null or unknown value is a bug, reported as an error.
    pub fn vocab<T>(&self, name: &str, parse: fn(&str) -> Option<T>) -> anyhow::Result<Vec<T>> {
        let column = self.df.column(name)?.cast(&DataType::String)?;
        column
            .str()?
            .iter()
            .map(|v| {
                v.and_then(parse)
                    .ok_or_else(|| anyhow::anyhow!("internal error: column `{name}` holds {v:?}"))
            })
            .collect()
    }

    /// A date column, all rows.
    pub fn dates(&self, name: &str) -> PolarsResult<Vec<Option<NaiveDate>>> {
        let column = self.df.column(name)?.cast(&DataType::Int32)?;
        let ca = column.i32()?;
        Ok((0..ca.len()).map(|i| ca.get(i).map(days_to_date)).collect())
    }

    /// An integer column, all rows.
    pub fn ints(&self, name: &str) -> PolarsResult<Vec<Option<i64>>> {
        let column = self.df.column(name)?.cast(&DataType::Int64)?;
        let ca = column.i64()?;
        Ok((0..ca.len()).map(|i| ca.get(i)).collect())
    }

    /// A boolean column, all rows.
    pub fn bools(&self, name: &str) -> PolarsResult<Vec<Option<bool>>> {
        let column = self.df.column(name)?.cast(&DataType::Boolean)?;
        let ca = column.bool()?;
        Ok((0..ca.len()).map(|i| ca.get(i)).collect())
    }
}
