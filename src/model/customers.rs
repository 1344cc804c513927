//! Which customer a row belongs to: the key every table's rows are grouped and compared by, and
//! the rows of a table grouped per customer (and one customer's rows of them).

use super::{
    ChangeRow, CustomerProgress, CustomerRow, DeprovisioningRow, ExpiringRow, HistoryRow,
    ProgressRow, PurchaseRow, UserRow,
};
use std::collections::BTreeMap;

/// A customer as rows name it: `(customer_id, customer_name)`.
pub type CustomerKey<'a> = (Option<&'a str>, &'a str);

/// A row that belongs to one customer.
pub trait CustomerRowKey {
    /// The customer the row belongs to.
    fn customer_key(&self) -> CustomerKey<'_>;
}

macro_rules! customer_key {
    ($($row:ty),*) => {$(
        impl CustomerRowKey for $row {
            fn customer_key(&self) -> CustomerKey<'_> {
                (self.customer_id.as_deref(), &self.customer_name)
            }
        }
    )*};
}

customer_key!(
    CustomerRow,
    ExpiringRow,
    UserRow,
    PurchaseRow,
    DeprovisioningRow,
    CustomerProgress,
    ProgressRow,
    ChangeRow,
    HistoryRow
);

/// A table's rows per customer.
pub type PerCustomer<'a, T> = BTreeMap<CustomerKey<'a>, Vec<&'a T>>;

/// A customer's rows of a grouped table (none when it has none).
pub fn rows_of<'m, 'a, T>(map: &'m PerCustomer<'a, T>, key: &CustomerKey<'a>) -> &'m [&'a T] {
    map.get(key).map_or(&[][..], Vec::as_slice)
}

/// Rows grouped by customer, in one pass (row order kept within a customer). The tables are
/// sorted by customer, so a row usually joins the run of the row before it: the map is looked
/// up once per run, not once per row (a wave's users table has hundreds of thousands of rows).
pub fn by_customer<T: CustomerRowKey>(rows: &[T]) -> PerCustomer<'_, T> {
    let mut groups: PerCustomer<'_, T> = BTreeMap::new();
    let mut start = 0;
    for end in 1..=rows.len() {
        let key = rows[start].customer_key();
        if end == rows.len() || rows[end].customer_key() != key {
            groups.entry(key).or_default().extend(&rows[start..end]);
            start = end;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        customer_id: Option<String>,
        customer_name: String,
        n: u32,
    }
    customer_key!(Row);

    #[test]
    fn by_customer_groups_runs_and_rows_apart_in_row_order() {
        let row = |id: Option<&str>, name: &str, n| Row {
            customer_id: id.map(str::to_string),
            customer_name: name.to_string(),
            n,
        };
        let rows = [
            row(None, "A", 1),
            row(None, "A", 2),
            row(Some("b"), "B", 3),
            row(None, "A", 4),
            row(Some("a"), "A", 5),
        ];
        let groups: Vec<(CustomerKey, Vec<u32>)> = (by_customer(&rows).into_iter())
            .map(|(key, rows)| (key, rows.iter().map(|r| r.n).collect()))
            .collect();
        let expected = vec![
            ((None, "A"), vec![1, 2, 4]),
            ((Some("a"), "A"), vec![5]),
            ((Some("b"), "B"), vec![3]),
        ];
        assert_eq!(groups, expected);
        assert!(by_customer::<Row>(&[]).is_empty());
    }
}
