//! Per-row labels (a record's status or kind) held as columns: one value
//! per row, or dictionary codes into a short table of labels.
//!
//! Data teams store low-cardinality text as dictionaries (pyarrow
//! `dictionary`, polars `Categorical` / `Enum`, C arrays of codes): a
//! column of small integers plus the few distinct labels. [`Labels::Coded`]
//! reads that layout as it is, so a batch kernel over ten million records
//! neither expands it into one label per row nor allocates for it.
//!
//! ```
//! use zhiyuan::hours::RecordStatus;
//! use zhiyuan::labels::{Codes, Labels};
//!
//! // The dictionary ["approved", "rejected"] with codes 0, 1, 0.
//! let table = [RecordStatus::Approved, RecordStatus::Rejected];
//! let status = Labels::Coded { codes: Codes::I8(&[0, 1, 0]), labels: &table };
//! assert_eq!(status.get(1), Some(RecordStatus::Rejected));
//! assert_eq!(status.len(), 3);
//!
//! // A code outside the table is an error naming the row.
//! let bad = Labels::Coded { codes: Codes::U8(&[0, 7]), labels: &table };
//! let err = bad.check("status", 0..2).unwrap_err();
//! assert_eq!(err.to_string(), "status[1]: unknown code 7 (expected 0..=1)");
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use std::ops::Range;

/// Dictionary codes in the integer type their producer chose (Arrow
/// allows every signed and unsigned width).
#[derive(Clone, Copy, Debug)]
pub enum Codes<'a> {
    /// `int8` codes (pyarrow's default for small dictionaries).
    I8(&'a [i8]),
    /// `int16` codes.
    I16(&'a [i16]),
    /// `int32` codes.
    I32(&'a [i32]),
    /// `int64` codes.
    I64(&'a [i64]),
    /// `uint8` codes (the C API's status and kind columns).
    U8(&'a [u8]),
    /// `uint16` codes.
    U16(&'a [u16]),
    /// `uint32` codes (polars categoricals).
    U32(&'a [u32]),
    /// `uint64` codes.
    U64(&'a [u64]),
}

/// Runs `$body` with `$c` bound to the typed code slice.
macro_rules! each_width {
    ($codes:expr, $c:ident => $body:expr) => {
        match $codes {
            Codes::I8($c) => $body,
            Codes::I16($c) => $body,
            Codes::I32($c) => $body,
            Codes::I64($c) => $body,
            Codes::U8($c) => $body,
            Codes::U16($c) => $body,
            Codes::U32($c) => $body,
            Codes::U64($c) => $body,
        }
    };
}

/// A code as an index; `None` when negative (or past `usize`).
#[inline]
fn as_index<K: TryInto<usize>>(k: K) -> Option<usize> {
    k.try_into().ok()
}

impl Codes<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        each_width!(self, c => c.len())
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code of `row` as an index; `None` past the end or for a
    /// negative code.
    #[inline]
    fn index(&self, row: usize) -> Option<usize> {
        each_width!(self, c => c.get(row).and_then(|&k| as_index(k)))
    }

    /// The lowest row of `rows` whose code is not below `n` (or is
    /// negative), with the code as text.
    fn first_outside(&self, rows: Range<usize>, n: usize) -> Option<(usize, String)> {
        let start = rows.start;
        each_width!(self, c => {
            let slice = c.get(rows).unwrap_or_default();
            first_outside(slice, n).map(|i| (start + i, slice[i].to_string()))
        })
    }
}

/// The first code of `codes` outside `0..n`. Compared in the codes' own
/// type, with no early exit, so the scan vectorises; the (rare) bad row is
/// found afterwards.
fn first_outside<K: Copy + PartialOrd + Default + TryFrom<usize>>(
    codes: &[K],
    n: usize,
) -> Option<usize> {
    let zero = K::default();
    match K::try_from(n) {
        Ok(limit) => first_where(codes, |k| k < zero || k >= limit),
        // A table longer than the type's range admits every non-negative code.
        Err(_) => first_where(codes, |k| k < zero),
    }
}

fn first_where<K: Copy>(codes: &[K], bad: impl Fn(K) -> bool) -> Option<usize> {
    if !codes.iter().fold(false, |acc, &k| acc | bad(k)) {
        return None;
    }
    codes.iter().position(|&k| bad(k))
}

/// Clears `keep[i]` where byte code `i` maps to `false` in `table`.
fn retain_bytes(keep: &mut [bool], codes: impl Iterator<Item = u8>, table: &[bool; 256]) {
    for (k, c) in keep.iter_mut().zip(codes) {
        *k &= table[usize::from(c)];
    }
}

/// One label per row: the values themselves, or codes into `labels`.
#[derive(Clone, Copy, Debug)]
pub enum Labels<'a, T> {
    /// The label of every row.
    Values(&'a [T]),
    /// Row `i`'s label is `labels[codes[i]]`; check the codes with
    /// [`Labels::check`] before trusting [`Labels::get`].
    Coded {
        /// One code per row.
        codes: Codes<'a>,
        /// The labels the codes index.
        labels: &'a [T],
    },
}

impl<'a, T> From<&'a [T]> for Labels<'a, T> {
    fn from(values: &'a [T]) -> Self {
        Labels::Values(values)
    }
}

impl<T: Copy> Labels<'_, T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Labels::Values(v) => v.len(),
            Labels::Coded { codes, .. } => codes.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The label of `row`; `None` past the end or for a code outside the
    /// table (which [`Labels::check`] reports).
    #[inline]
    pub fn get(&self, row: usize) -> Option<T> {
        match self {
            Labels::Values(v) => v.get(row).copied(),
            Labels::Coded { codes, labels } => {
                codes.index(row).and_then(|i| labels.get(i)).copied()
            }
        }
    }

    /// Clears `keep[i]` where the label of row `rows.start + i` fails
    /// `wanted` (and where a code is outside the table). `keep` is as long
    /// as `rows`. For codes, `wanted` runs once per table entry, not per
    /// row, and the row loop is a branch-free table lookup.
    pub fn retain(&self, rows: Range<usize>, wanted: impl Fn(T) -> bool, keep: &mut [bool]) {
        match self {
            Labels::Values(v) => {
                let v = v.get(rows).unwrap_or_default();
                for (k, &x) in keep.iter_mut().zip(v) {
                    *k &= wanted(x);
                }
            }
            Labels::Coded { codes, labels } => {
                // One entry per label plus a final `false` that every code
                // outside the table (negative included) is clamped to.
                let mut table: Vec<bool> = labels.iter().map(|&x| wanted(x)).collect();
                table.push(false);
                let last = table.len() - 1;
                // A full 256-entry table for byte codes: no clamp and no
                // bounds check per row; a negative `i8` (bytes past 127) is
                // outside every table.
                let byte_table = |signed: bool| {
                    let mut t = [false; 256];
                    for (b, x) in t.iter_mut().enumerate() {
                        *x = !(signed && b > 127) && table[b.min(last)];
                    }
                    t
                };
                match codes {
                    Codes::I8(c) => {
                        let c = c.get(rows).unwrap_or_default();
                        retain_bytes(keep, c.iter().map(|&x| x as u8), &byte_table(true));
                    }
                    Codes::U8(c) => {
                        let c = c.get(rows).unwrap_or_default();
                        retain_bytes(keep, c.iter().copied(), &byte_table(false));
                    }
                    _ => each_width!(codes, c => {
                        let c = c.get(rows).unwrap_or_default();
                        for (k, &code) in keep.iter_mut().zip(c) {
                            *k &= table[as_index(code).map_or(last, |i| i.min(last))];
                        }
                    }),
                }
            }
        }
    }

    /// Checks that every code of `rows` indexes the table: an
    /// `InvalidInput` error naming `name[row]` at the lowest bad row.
    pub fn check(&self, name: &str, rows: Range<usize>) -> Result<()> {
        let Labels::Coded { codes, labels } = self else {
            return Ok(());
        };
        match codes.first_outside(rows, labels.len()) {
            None => Ok(()),
            Some((row, code)) => Err(Error::invalid_input(
                format!("{name}[{row}]"),
                match labels.len() {
                    0 => format!("unknown code {code} (the table of labels is empty)"),
                    n => format!("unknown code {code} (expected 0..={})", n - 1),
                },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retain_clears_codes_outside_the_table_in_every_width() {
        // 250 labels, all wanted: only out-of-table codes are cleared, a
        // negative `i8` included although its byte (200) indexes a label.
        let labels = vec![1u8; 250];
        let cases: [(Codes<'_>, [bool; 3]); 4] = [
            (Codes::I8(&[-56, 5, 127]), [false, true, true]),
            (Codes::U8(&[250, 5, 249]), [false, true, true]),
            (Codes::I16(&[-1, 5, 250]), [false, true, false]),
            (Codes::U64(&[u64::MAX, 5, 249]), [false, true, true]),
        ];
        for (codes, want) in cases {
            let l = Labels::Coded {
                codes,
                labels: &labels,
            };
            let mut keep = [true; 3];
            l.retain(0..3, |x| x == 1, &mut keep);
            assert_eq!(keep, want, "{codes:?}");
            assert_eq!(l.check("c", 0..3).is_ok(), want == [true; 3]);
        }
    }
}
