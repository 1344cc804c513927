//! A text column built cell by cell, as polars' string builder builds one, except that a cell
//! equal to the last long cell above it shares that cell's bytes instead of copying them. A long
//! license export repeats the tenant id on every row of a customer and each user's name on every
//! one of their licenses: more than half the text bytes of the bench's license files.

use polars::prelude::{PlSmallStr, StringChunked};
use polars_arrow::array::{Utf8ViewArray, View};
use polars_arrow::bitmap::MutableBitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_buffer::Buffer;

/// The first buffer's size; each next one doubles, up to [`LARGEST_BUFFER`] (as polars does).
const FIRST_BUFFER: usize = 8 * 1024;
const LARGEST_BUFFER: usize = 16 * 1024 * 1024;

/// Builds one text column: [`TextColumn::push`] each cell, then [`TextColumn::finish`].
pub(super) struct TextColumn {
    views: Vec<View>,
    /// Filled buffers; never changed once here, so views into them stay valid.
    buffers: Vec<Buffer<u8>>,
    /// The buffer being filled: it becomes `buffers[buffers.len()]` once full.
    filling: Vec<u8>,
    /// Per cell, whether it holds a value.
    validity: MutableBitmap,
    nulls: usize,
    /// The sum of the cells' lengths in bytes.
    total_bytes: usize,
    /// The view of the last cell too long to be inlined in its view.
    last_long: Option<View>,
}

impl TextColumn {
    /// A column with room for `rows` cells.
    pub(super) fn with_capacity(rows: usize) -> TextColumn {
        TextColumn {
            views: Vec::with_capacity(rows),
            buffers: Vec::new(),
            filling: Vec::new(),
            validity: MutableBitmap::with_capacity(rows),
            nulls: 0,
            total_bytes: 0,
            last_long: None,
        }
    }

    /// Adds a cell (`None`: empty).
    pub(super) fn push(&mut self, value: Option<&str>) {
        let Some(value) = value else {
            self.views.push(View::default());
            self.validity.push(false);
            self.nulls += 1;
            return;
        };
        let bytes = value.as_bytes();
        let view = if bytes.len() <= View::MAX_INLINE_SIZE as usize {
            View::new_inline(bytes)
        } else if let Some(last) = self.last_long.filter(|v| self.bytes_of(*v) == bytes) {
            last
        } else {
            let view = self.store(bytes);
            self.last_long = Some(view);
            view
        };
        self.views.push(view);
        self.validity.push(true);
        self.total_bytes += bytes.len();
    }

    /// Copies `bytes` (longer than a view inlines) into the buffer being filled; their view.
    fn store(&mut self, bytes: &[u8]) -> View {
        if self.filling.len() + bytes.len() > self.filling.capacity() {
            let size = (self.filling.capacity() * 2).clamp(FIRST_BUFFER, LARGEST_BUFFER);
            let full =
                std::mem::replace(&mut self.filling, Vec::with_capacity(size.max(bytes.len())));
            if !full.is_empty() {
                self.buffers.push(Buffer::from(full));
            }
        }
        let offset = u32::try_from(self.filling.len()).expect("a buffer is at most 4 GiB");
        let index = u32::try_from(self.buffers.len()).expect("fewer than 2^32 buffers");
        self.filling.extend_from_slice(bytes);
        View::new_from_bytes(bytes, index, offset)
    }

    /// The bytes a long cell's view points at.
    fn bytes_of(&self, view: View) -> &[u8] {
        let index = view.buffer_idx as usize;
        let buffer: &[u8] = match self.buffers.get(index) {
            Some(full) => full,
            None => &self.filling,
        };
        let start = view.offset as usize;
        &buffer[start..start + view.length as usize]
    }

    /// The column, named `name`.
    pub(super) fn finish(mut self, name: PlSmallStr) -> StringChunked {
        if !self.filling.is_empty() {
            self.buffers
                .push(Buffer::from(std::mem::take(&mut self.filling)));
        }
        let buffer_bytes = self.buffers.iter().map(Buffer::len).sum();
        let validity = (self.nulls > 0).then(|| self.validity.into());
        // SAFETY: the invariants of a view array hold by construction. Each inline view was
        // made by `View::new_inline`; each other one by `View::new_from_bytes` for bytes copied
        // at its offset into the buffer that got its index (`store`), or is a copy of such a
        // view; every byte comes from a `&str`, so is UTF-8 and no view cuts a character; the
        // validity has a bit per view and `total_bytes` sums the views' lengths.
        let array = unsafe {
            Utf8ViewArray::new_unchecked(
                ArrowDataType::Utf8View,
                self.views.into(),
                self.buffers.into(),
                validity,
                Some(self.total_bytes),
                buffer_bytes,
            )
        };
        StringChunked::with_chunk(name, array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn built(cells: &[Option<String>]) -> StringChunked {
        let mut column = TextColumn::with_capacity(0);
        for cell in cells {
            column.push(cell.as_deref());
        }
        column.finish("c".into())
    }

    #[test]
    fn repeats_share_their_bytes_and_read_back_the_same() {
        let tenant = "00000000-0000-4000-8000-000000000000";
        let cells: Vec<Option<String>> =
            [Some(tenant), Some(tenant), None, Some(tenant), Some("x")]
                .iter()
                .map(|c| c.map(str::to_string))
                .collect();
        let column = built(&cells);
        let back: Vec<Option<String>> = column.iter().map(|c| c.map(str::to_string)).collect();
        assert_eq!(back, cells);
        assert_eq!(column.null_count(), 1);
        let array = column.downcast_iter().next().unwrap();
        assert_eq!(array.total_buffer_len(), tenant.len());
        assert_eq!(array.total_bytes_len(), 3 * tenant.len() + 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        // Long, short, repeated and empty cells, across many buffers: the column reads back
        // cell for cell.
        #[test]
        fn every_cell_reads_back(cells in proptest::collection::vec(
            proptest::option::of(prop_oneof![
                "[a-c]{0,3}",
                "[a-b]{13,14}",
                "[a-zé€]{10,600}",
            ]),
            0..300,
        )) {
            let ours = built(&cells);
            let back: Vec<Option<String>> = ours.iter().map(|c| c.map(str::to_string)).collect();
            prop_assert_eq!(back, cells);
        }
    }
}
