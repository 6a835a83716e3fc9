//! The Arrow input validation of the Python module (`zhiyuan_arrow`, the
//! readers behind every batch function) on arbitrary columns: the bytes
//! choose a declared type, 1–4 chunks (sometimes of another type, as a buggy
//! producer would send), their lengths, null bitmaps, values and text;
//! dictionaries with keys outside their entries.
//! Every reader runs on the column and on a one-column table of its chunks.
//!
//! Checked: never a panic; a reader that succeeds returns one value per row
//! (and the raw values for int64 / uint64); one that fails names the column
//! (`c: …`) or one of its rows (`c[row]: …` with `row` < the length).
#![cfg_attr(fuzzing, no_main)]
mod replay;

use arrow_array::types::*;
use arrow_array::{
    ArrayRef, BooleanArray, LargeStringArray, NullArray, PrimitiveArray, RecordBatch, StringArray,
    StringViewArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use zhiyuan_arrow::{Column, Table};

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn i64(&mut self) -> i64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        i64::from_le_bytes(b)
    }
}

fn data_type(code: u8) -> DataType {
    let tz = |c: u8| match c % 3 {
        0 => None,
        1 => Some("UTC".into()),
        _ => Some("+08:00".into()),
    };
    match code % 22 {
        0 => DataType::Null,
        1 => DataType::Boolean,
        2 => DataType::Int8,
        3 => DataType::Int16,
        4 => DataType::Int32,
        5 | 6 => DataType::Int64,
        7 => DataType::UInt8,
        8 => DataType::UInt16,
        9 => DataType::UInt32,
        10 | 11 => DataType::UInt64,
        12 => DataType::Timestamp(TimeUnit::Second, tz(code / 20)),
        13 => DataType::Timestamp(TimeUnit::Millisecond, tz(code / 20)),
        14 => DataType::Timestamp(TimeUnit::Microsecond, tz(code / 20)),
        15 => DataType::Timestamp(TimeUnit::Nanosecond, tz(code / 20)),
        16 => DataType::Utf8,
        17 => DataType::LargeUtf8,
        18 => DataType::Utf8View,
        19 => DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
        20 => DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::LargeUtf8)),
        _ => DataType::Float64,
    }
}

fn array(t: &DataType, b: &mut Bytes) -> ArrayRef {
    let len = usize::from(b.u8() % 24);
    let nullable = b.u8() % 4 == 0;
    let nulls = nullable
        .then(|| NullBuffer::new(BooleanBuffer::from_iter((0..len).map(|_| b.u8() % 5 != 0))));
    macro_rules! prim {
        ($t:ty, $conv:expr) => {{
            let values: Vec<_> = (0..len).map(|_| $conv(b.i64())).collect();
            Arc::new(PrimitiveArray::<$t>::new(ScalarBuffer::from(values), nulls))
        }};
    }
    let text = |b: &mut Bytes| -> Vec<Option<String>> {
        (0..len)
            .map(|_| {
                let n = usize::from(b.u8() % 6);
                let s: Vec<u8> = (0..n).map(|_| b.u8()).collect();
                (b.u8() % 7 != 0).then(|| String::from_utf8_lossy(&s).into_owned())
            })
            .collect()
    };
    match t {
        DataType::Null => Arc::new(NullArray::new(len)),
        DataType::Boolean => Arc::new(BooleanArray::new(
            BooleanBuffer::from_iter((0..len).map(|_| b.u8() % 2 == 0)),
            nulls,
        )),
        DataType::Int8 => prim!(Int8Type, |v: i64| v as i8),
        DataType::Int16 => prim!(Int16Type, |v: i64| v as i16),
        DataType::Int32 => prim!(Int32Type, |v: i64| v as i32),
        DataType::UInt8 => prim!(UInt8Type, |v: i64| v as u8),
        DataType::UInt16 => prim!(UInt16Type, |v: i64| v as u16),
        DataType::UInt32 => prim!(UInt32Type, |v: i64| v as u32),
        DataType::UInt64 => prim!(UInt64Type, |v: i64| v as u64),
        DataType::Float64 => prim!(Float64Type, |v: i64| v as f64),
        DataType::Timestamp(unit, tz) => {
            let values: Vec<i64> = (0..len).map(|_| b.i64()).collect();
            let v = ScalarBuffer::from(values);
            match unit {
                TimeUnit::Second => Arc::new(
                    PrimitiveArray::<TimestampSecondType>::new(v, nulls)
                        .with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Millisecond => Arc::new(
                    PrimitiveArray::<TimestampMillisecondType>::new(v, nulls)
                        .with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Microsecond => Arc::new(
                    PrimitiveArray::<TimestampMicrosecondType>::new(v, nulls)
                        .with_timezone_opt(tz.clone()),
                ),
                TimeUnit::Nanosecond => Arc::new(
                    PrimitiveArray::<TimestampNanosecondType>::new(v, nulls)
                        .with_timezone_opt(tz.clone()),
                ),
            }
        }
        DataType::Utf8 => Arc::new(StringArray::from(text(b))),
        DataType::LargeUtf8 => Arc::new(LargeStringArray::from(text(b))),
        DataType::Utf8View => Arc::new(StringViewArray::from(text(b))),
        DataType::Dictionary(k, v) => {
            // Entries from a small vocabulary (so some parse), keys anywhere
            // in and around the entries: an FFI producer's keys are not
            // checked on import, so out-of-range keys must be survivable.
            let n = usize::from(b.u8() % 5);
            let words: Vec<Option<&str>> = (0..n)
                .map(|_| match b.u8() % 6 {
                    0 => None,
                    i => Some(
                        ["approved", "submitted", "rejected", "revoked", "x"][usize::from(i) - 1],
                    ),
                })
                .collect();
            let values: ArrayRef = match v.as_ref() {
                DataType::LargeUtf8 => Arc::new(LargeStringArray::from(words)),
                _ => Arc::new(StringArray::from(words)),
            };
            let keys: ArrayRef = match k.as_ref() {
                DataType::UInt32 => prim!(UInt32Type, |v: i64| (v as u32) % 8),
                _ => prim!(Int8Type, |v: i64| (v as i8) % 8),
            };
            let data = keys
                .to_data()
                .into_builder()
                .data_type(t.clone())
                .child_data(vec![values.to_data()]);
            // SAFETY: the layout is a valid dictionary except, on purpose,
            // for key ranges, which the readers must check.
            arrow_array::make_array(unsafe { data.build_unchecked() })
        }
        _ => prim!(Int64Type, |v: i64| v),
    }
}

/// An error must name the column or one of its rows.
fn names_the_column(e: &zhiyuan::Error, len: usize) {
    let msg = e.to_string();
    let (field, _) = msg
        .split_once(": ")
        .unwrap_or_else(|| panic!("no field: {msg}"));
    if field == "c" {
        return;
    }
    let row: usize = field
        .strip_prefix("c[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("error names neither the column nor a row: {msg}"));
    assert!(row < len, "row {row} out of {len}: {msg}");
}

fn read_all(c: &Column) {
    let len = c.len();
    let rows = |n: usize| assert!(n == len || (n == 0 && *c.data_type() == DataType::Null));
    match c.i64s() {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    match c.u64s() {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    match c.opt_u64s() {
        Ok(v) => assert_eq!(v.len(), len),
        Err(e) => names_the_column(&e, len),
    }
    match c.timestamps() {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    match c.bools() {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    match c.strs() {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    let status = |s: &str| {
        use zhiyuan::hours::RecordStatus as S;
        ["submitted", "approved", "rejected", "revoked"]
            .iter()
            .position(|w| *w == s)
            .map(|i| S::BY_CODE[i])
    };
    let why = |s: &str| format!("{s:?} is not a status");
    match c.parse_text(status, why) {
        Ok(v) => rows(v.len()),
        Err(e) => names_the_column(&e, len),
    }
    match c.labels(status, why) {
        Ok(l) => {
            let l = l.labels();
            rows(l.len());
            match l.check("c", 0..l.len()) {
                // Checked codes always resolve.
                Ok(()) => assert!((0..l.len()).all(|r| l.get(r).is_some())),
                Err(e) => names_the_column(&e, len),
            }
        }
        Err(e) => names_the_column(&e, len),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let declared = data_type(b.u8());
    let n = 1 + usize::from(b.u8() % 4);
    let chunks: Vec<ArrayRef> = (0..n)
        .map(|_| {
            let code = b.u8();
            // One chunk in eight disagrees with the declared type.
            let t = if code % 8 == 7 {
                data_type(b.u8())
            } else {
                declared.clone()
            };
            array(&t, &mut b)
        })
        .collect();
    let c = Column::new("c", declared.clone(), chunks.clone());
    read_all(&c);
    let schema = Arc::new(Schema::new(vec![Field::new("c", declared, true)]));
    let batches: Vec<RecordBatch> = chunks
        .iter()
        .filter_map(|a| {
            let s = Schema::new(vec![Field::new("c", a.data_type().clone(), true)]);
            RecordBatch::try_new(Arc::new(s), vec![a.clone()]).ok()
        })
        .collect();
    let t = Table::new(schema, batches);
    match t.column("c") {
        Ok(c) => read_all(&c),
        Err(e) => names_the_column(&e, 0),
    }
    let e = t.column("zz").expect_err("no such column");
    assert!(e.to_string().starts_with("zz: missing column"), "{e}");
});

replay_main!();
