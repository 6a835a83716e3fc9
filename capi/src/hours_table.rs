//! Column calls over service records: hours by period, minutes per unit,
//! overlaps, and the merges of partial results.
//!
//! The caller's arrays come in through `zy_record_columns` (borrowed, never
//! copied; the core checks the status and kind codes); results are
//! library-allocated column structs, each freed by its `_free` function.
//! `threads` is 0 for the global pool or an exact thread count; the output
//! does not depend on it.

use crate::boundary::{enum_arg, ffi_boundary, out_arg, ref_arg, slice_arg, threads_arg};
use crate::error::{CallError, zy_status};
use crate::policy::zy_policy;
use crate::units::zy_unit_tree;
use zhiyuan::hours::{RecordKind, RecordStatus};
use zhiyuan::hours_table::{
    HoursByPeriod, Overlaps, RecordColumns, UnitMinutes, find_overlaps, hours_by_period,
    merge_hours_by_period, merge_unit_minutes, unit_minutes,
};
use zhiyuan::labels::{Codes, Labels};
use zhiyuan::time::Grain;

/// `uint32_t` codes for the `grain` of `zy_hours_by_period_columns`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum zy_grain {
    /// A local calendar day.
    Day = 0,
    /// An ISO week (Monday 00:00 local time).
    Week = 1,
    /// A calendar month.
    Month = 2,
    /// A calendar year.
    Year = 3,
}

const GRAINS: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Year];

/// Service records as columns of `n` rows (the caller's arrays, read in
/// place). A call reads only the columns it needs; the others may be NULL.
/// `status` codes: 0 submitted, 1 approved, 2 rejected, 3 revoked; `kind`
/// codes: 0 service, 1 training. A NULL `status` means every row is
/// approved (and live), a NULL `kind` that every row is service.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct zy_record_columns {
    /// Record ids (read by `zy_find_overlaps_columns`).
    pub id: *const u64,
    /// Volunteers (read by `zy_hours_by_period_columns` and `zy_find_overlaps_columns`).
    pub volunteer: *const u64,
    /// Recording units (read by `zy_unit_minutes_columns`).
    pub unit: *const u64,
    /// Starts, µs since the Unix epoch, UTC.
    pub start: *const i64,
    /// Ends, µs UTC, never before the start.
    pub end: *const i64,
    /// Status codes, or NULL.
    pub status: *const u8,
    /// Kind codes, or NULL.
    pub kind: *const u8,
}

/// The columns a call reads, borrowed (codes too: the core checks them).
struct Read<'a> {
    id: &'a [u64],
    volunteer: &'a [u64],
    unit: &'a [u64],
    start: &'a [i64],
    end: &'a [i64],
    status: Option<&'a [u8]>,
    kind: Option<&'a [u8]>,
}

/// A code column, or `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to `n` readable codes.
unsafe fn codes<'a>(p: *const u8, n: usize, arg: &str) -> Result<Option<&'a [u8]>, CallError> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, `n` readable codes per the caller.
    unsafe { slice_arg(p, n, arg) }.map(Some)
}

/// Which key columns a call reads.
#[derive(Clone, Copy)]
struct Needs {
    id: bool,
    volunteer: bool,
    unit: bool,
    kind: bool,
}

impl zy_record_columns {
    /// # Safety
    /// Every pointer named in `needs` (plus start, end, status and kind) is
    /// NULL or points to `n` readable elements.
    unsafe fn read(&self, n: usize, needs: Needs) -> Result<Read<'_>, CallError> {
        // SAFETY (all): per the caller, `n` readable elements or NULL; a
        // NULL column a call needs is refused by `slice_arg` when n > 0.
        let key = |p: *const u64, need: bool, arg: &str| {
            if need {
                unsafe { slice_arg(p, n, arg) }
            } else {
                Ok(&[][..])
            }
        };
        Ok(Read {
            id: key(self.id, needs.id, "columns.id")?,
            volunteer: key(self.volunteer, needs.volunteer, "columns.volunteer")?,
            unit: key(self.unit, needs.unit, "columns.unit")?,
            start: unsafe { slice_arg(self.start, n, "columns.start") }?,
            end: unsafe { slice_arg(self.end, n, "columns.end") }?,
            status: unsafe { codes(self.status, n, "columns.status") }?,
            kind: if needs.kind {
                unsafe { codes(self.kind, n, "columns.kind") }?
            } else {
                None
            },
        })
    }
}

impl Read<'_> {
    fn columns(&self) -> RecordColumns<'_> {
        RecordColumns {
            id: self.id,
            volunteer: self.volunteer,
            unit: self.unit,
            start: self.start,
            end: self.end,
            status: self.status.map(|c| Labels::Coded {
                codes: Codes::U8(c),
                labels: &RecordStatus::BY_CODE,
            }),
            kind: self.kind.map(|c| Labels::Coded {
                codes: Codes::U8(c),
                labels: &RecordKind::BY_CODE,
            }),
        }
    }
}

/// A library-allocated column handed to C.
fn leak<T>(v: Vec<T>) -> *mut T {
    Box::into_raw(v.into_boxed_slice()).cast()
}

/// Takes back a column made by [`leak`].
///
/// # Safety
/// `p` came from `leak` of a vector of `len` elements and is not used again.
unsafe fn unleak<T>(p: *mut T, len: usize) {
    if !p.is_null() {
        // SAFETY: per the caller, a boxed slice of `len` elements.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, len)) });
    }
}

/// # Safety
/// `p` is NULL or points to `len` readable elements.
unsafe fn view<'a, T>(p: *const T, len: usize, arg: &str) -> Result<&'a [T], CallError> {
    // SAFETY: forwarded.
    unsafe { slice_arg(p, len, arg) }
}

/// Approved service minutes per volunteer and local period, sorted by
/// (volunteer, period_start); library-allocated, freed by
/// `zy_period_minutes_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct zy_period_minutes {
    /// Volunteers.
    pub volunteer: *mut u64,
    /// The local midnight opening each period, µs UTC.
    pub period_start: *mut i64,
    /// Minutes.
    pub minutes: *mut i64,
    /// Number of rows.
    pub len: usize,
}

impl zy_period_minutes {
    fn from_core(t: HoursByPeriod) -> *mut Self {
        let len = t.len();
        Box::into_raw(Box::new(zy_period_minutes {
            volunteer: leak(t.volunteer),
            period_start: leak(t.period_start),
            minutes: leak(t.minutes),
            len,
        }))
    }

    /// # Safety
    /// Each column points to `len` readable elements (NULL when `len == 0`).
    unsafe fn to_core(&self, at: &str) -> Result<HoursByPeriod, CallError> {
        // SAFETY (all): per the caller.
        Ok(HoursByPeriod {
            volunteer: unsafe { view(self.volunteer, self.len, &format!("{at}.volunteer")) }?
                .to_vec(),
            period_start: unsafe {
                view(self.period_start, self.len, &format!("{at}.period_start"))
            }?
            .to_vec(),
            minutes: unsafe { view(self.minutes, self.len, &format!("{at}.minutes")) }?.to_vec(),
        })
    }
}

/// Minutes per unit of a tree, own and rolled up, sorted by unit id;
/// library-allocated, freed by `zy_unit_minutes_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct zy_unit_minutes {
    /// Units, ascending.
    pub unit: *mut u64,
    /// Minutes recorded by the unit itself.
    pub own_minutes: *mut i64,
    /// Own minutes plus every unit below.
    pub total_minutes: *mut i64,
    /// Number of rows (the number of units of the tree).
    pub len: usize,
}

impl zy_unit_minutes {
    fn from_core(t: UnitMinutes) -> *mut Self {
        let len = t.unit.len();
        Box::into_raw(Box::new(zy_unit_minutes {
            unit: leak(t.unit),
            own_minutes: leak(t.own_minutes),
            total_minutes: leak(t.total_minutes),
            len,
        }))
    }
}

/// Records overlapping an earlier record of the same volunteer, sorted by
/// (volunteer, start, id); library-allocated, freed by `zy_overlaps_free`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct zy_overlaps {
    /// Volunteers.
    pub volunteer: *mut u64,
    /// The overlapping record.
    pub id: *mut u64,
    /// The earlier record it overlaps.
    pub overlaps: *mut u64,
    /// Number of rows.
    pub len: usize,
}

/// Approved service minutes per volunteer per local period of `grain` (a
/// `zy_grain` code), cut at the policy's UTC offset. Reads `volunteer`,
/// `start`, `end`, `status`, `kind`. On success `*out` is a new result.
///
/// # Safety
/// `policy` must be NULL or a live policy; `columns` NULL or readable, its
/// pointers as documented on `zy_record_columns` for `n` rows; `out` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_hours_by_period_columns(
    policy: *const zy_policy,
    columns: *const zy_record_columns,
    n: usize,
    grain: u32,
    threads: u32,
    out: *mut *mut zy_period_minutes,
) -> zy_status {
    ffi_boundary(|| {
        let policy = unsafe { ref_arg(policy, "policy") }?;
        let columns = unsafe { ref_arg(columns, "columns") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let grain = enum_arg(grain, &GRAINS, "grain")?;
        let threads = threads_arg(threads)?;
        let needs = Needs {
            id: false,
            volunteer: true,
            unit: false,
            kind: true,
        };
        let read = unsafe { columns.read(n, needs) }?;
        let t = hours_by_period(&policy.inner, &read.columns(), grain, threads)?;
        out.write(zy_period_minutes::from_core(t));
        Ok(())
    })
}

/// Merges `zy_period_minutes` of disjoint row partitions (same policy and
/// grain) into the result of the whole. On success `*out` is a new result.
///
/// # Safety
/// `tables` must point to `n_tables` pointers (NULL only when
/// `n_tables == 0`), each to a readable `zy_period_minutes` whose columns
/// hold `len` elements; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_period_minutes_merge(
    tables: *const *const zy_period_minutes,
    n_tables: usize,
    out: *mut *mut zy_period_minutes,
) -> zy_status {
    ffi_boundary(|| {
        let tables = unsafe { slice_arg(tables, n_tables, "tables") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let parts = tables
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let at = format!("tables[{i}]");
                unsafe { ref_arg(t, &at) }.and_then(|t| unsafe { t.to_core(&at) })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.write(zy_period_minutes::from_core(merge_hours_by_period(&parts)?));
        Ok(())
    })
}

/// Frees a result of `zy_hours_by_period_columns` or `zy_period_minutes_merge`;
/// NULL is a no-op.
///
/// # Safety
/// `p` must be NULL or a result from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_period_minutes_free(p: *mut zy_period_minutes) {
    if p.is_null() {
        return;
    }
    // SAFETY: per the caller, made by `from_core` and not freed.
    let t = unsafe { Box::from_raw(p) };
    unsafe {
        unleak(t.volunteer, t.len);
        unleak(t.period_start, t.len);
        unleak(t.minutes, t.len);
    }
}

/// Approved service minutes per unit of `tree`, own and rolled up. Reads
/// `unit`, `start`, `end`, `status`, `kind`; a unit not in the tree is
/// `ZY_STATUS_INVALID_INPUT` naming `unit[row]`. On success `*out` is a new
/// result.
///
/// # Safety
/// `tree` must be NULL or a live tree; otherwise as `zy_hours_by_period_columns`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_minutes_columns(
    tree: *const zy_unit_tree,
    columns: *const zy_record_columns,
    n: usize,
    threads: u32,
    out: *mut *mut zy_unit_minutes,
) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        let columns = unsafe { ref_arg(columns, "columns") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let threads = threads_arg(threads)?;
        let needs = Needs {
            id: false,
            volunteer: false,
            unit: true,
            kind: true,
        };
        let read = unsafe { columns.read(n, needs) }?;
        let t = unit_minutes(&tree.inner, &read.columns(), threads)?;
        out.write(zy_unit_minutes::from_core(t));
        Ok(())
    })
}

/// Merges `zy_unit_minutes` of disjoint row partitions: own minutes summed
/// per unit, totals rolled up again through `tree` (`total_minutes` of the
/// inputs is not read). On success `*out` is a new result.
///
/// # Safety
/// `tree` must be NULL or a live tree; `tables` as in
/// `zy_period_minutes_merge`; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_minutes_merge(
    tree: *const zy_unit_tree,
    tables: *const *const zy_unit_minutes,
    n_tables: usize,
    out: *mut *mut zy_unit_minutes,
) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        let tables = unsafe { slice_arg(tables, n_tables, "tables") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let mut parts = Vec::with_capacity(tables.len());
        for (i, &t) in tables.iter().enumerate() {
            let at = format!("tables[{i}]");
            let t = unsafe { ref_arg(t, &at) }?;
            let unit = unsafe { view(t.unit, t.len, &format!("{at}.unit")) }?.to_vec();
            let own = unsafe { view(t.own_minutes, t.len, &format!("{at}.own_minutes")) }?;
            parts.push(UnitMinutes {
                total_minutes: vec![0; unit.len()],
                unit,
                own_minutes: own.to_vec(),
            });
        }
        out.write(zy_unit_minutes::from_core(merge_unit_minutes(
            &tree.inner,
            &parts,
        )?));
        Ok(())
    })
}

/// Frees a result of `zy_unit_minutes_columns` or `zy_unit_minutes_merge`; NULL is
/// a no-op.
///
/// # Safety
/// `p` must be NULL or a result from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_minutes_free(p: *mut zy_unit_minutes) {
    if p.is_null() {
        return;
    }
    // SAFETY: per the caller, made by `from_core` and not freed.
    let t = unsafe { Box::from_raw(p) };
    unsafe {
        unleak(t.unit, t.len);
        unleak(t.own_minutes, t.len);
        unleak(t.total_minutes, t.len);
    }
}

/// Live records overlapping an earlier live record of the same volunteer.
/// Reads `id`, `volunteer`, `start`, `end`, `status`; a duplicate id is
/// `ZY_STATUS_INVALID_INPUT` naming `id[row]`. On success `*out` is a new
/// result.
///
/// # Safety
/// As `zy_hours_by_period_columns`, without a policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_find_overlaps_columns(
    columns: *const zy_record_columns,
    n: usize,
    threads: u32,
    out: *mut *mut zy_overlaps,
) -> zy_status {
    ffi_boundary(|| {
        let columns = unsafe { ref_arg(columns, "columns") }?;
        let out = unsafe { out_arg(out, "out") }?;
        let threads = threads_arg(threads)?;
        let needs = Needs {
            id: true,
            volunteer: true,
            unit: false,
            kind: false,
        };
        let read = unsafe { columns.read(n, needs) }?;
        let t: Overlaps = find_overlaps(&read.columns(), threads)?;
        let len = t.id.len();
        out.write(Box::into_raw(Box::new(zy_overlaps {
            volunteer: leak(t.volunteer),
            id: leak(t.id),
            overlaps: leak(t.overlaps),
            len,
        })));
        Ok(())
    })
}

/// Frees a result of `zy_find_overlaps_columns`; NULL is a no-op.
///
/// # Safety
/// `p` must be NULL or a result from this library, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_overlaps_free(p: *mut zy_overlaps) {
    if p.is_null() {
        return;
    }
    // SAFETY: per the caller, made by `zy_find_overlaps_columns` and not freed.
    let t = unsafe { Box::from_raw(p) };
    unsafe {
        unleak(t.volunteer, t.len);
        unleak(t.id, t.len);
        unleak(t.overlaps, t.len);
    }
}
