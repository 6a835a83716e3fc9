//! `zy_unit_tree`: the org-unit tree (市/镇/村/组, 中心/所/站) and roll-ups.

use crate::boundary::{
    Handle, ffi_boundary, json_call, out_arg, parse_json, ref_arg, slice_arg, slice_out, str_arg,
};
use crate::error::{CallError, zy_status};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ffi::c_char;
use zhiyuan::units::{Team, Unit, UnitId, UnitTree};

/// A validated tree of org units with their teams (opaque).
///
/// Immutable after construction: share it freely between threads.
#[allow(non_camel_case_types)]
pub struct zy_unit_tree {
    pub(crate) inner: UnitTree,
}

impl Handle for zy_unit_tree {}

/// The JSON form of a tree: the arguments of `UnitTree::new`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitTreeJson {
    pub(crate) units: Vec<Unit>,
    #[serde(default)]
    pub(crate) teams: Vec<Team>,
}

impl UnitTreeJson {
    pub(crate) fn build(self) -> Result<UnitTree, CallError> {
        Ok(UnitTree::new(self.units, self.teams)?)
    }
}

/// Builds a unit tree from JSON:
/// `{"units": [{"id": 1, "parent": null, "name": "…", "level": "centre"}, …],
///   "teams": [{"id": 7, "unit": 1, "name": "…", "skills": ["legal"]}]}`
/// (`teams` optional). Duplicate ids are `ZY_STATUS_CONFLICT`, unknown
/// parents or units `ZY_STATUS_NOT_FOUND`, cycles `ZY_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `json` must be NULL or a NUL-terminated string; `out` NULL or writable.
/// On success `*out` owns the tree: free it with `zy_unit_tree_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_from_json(
    json: *const c_char,
    out: *mut *mut zy_unit_tree,
) -> zy_status {
    ffi_boundary(|| {
        let out = unsafe { out_arg(out, "out") }?;
        let spec: UnitTreeJson = parse_json(unsafe { str_arg(json, "json") }?, "json")?;
        out.write(
            zy_unit_tree {
                inner: spec.build()?,
            }
            .into_raw(),
        );
        Ok(())
    })
}

/// The number of units in the tree: the length of every per-unit column.
///
/// # Safety
/// `tree` must be NULL or a live tree; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_len(tree: *const zy_unit_tree, out: *mut usize) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        unsafe { out_arg(out, "out") }?.write(tree.inner.len());
        Ok(())
    })
}

fn check_len(tree: &UnitTree, n: usize, arg: &str) -> Result<(), CallError> {
    if n == tree.len() {
        Ok(())
    } else {
        Err(CallError::invalid(
            arg,
            format!("has {n} elements, the tree has {} units", tree.len()),
        ))
    }
}

/// Writes the unit ids in ascending order: the row order of every per-unit
/// column (`zy_unit_tree_rollup`). `n` must equal `zy_unit_tree_len`.
///
/// # Safety
/// `tree` must be NULL or a live tree; `out` must point to `n` writable
/// `uint64_t` (NULL only when `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_ids(
    tree: *const zy_unit_tree,
    out: *mut u64,
    n: usize,
) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        check_len(&tree.inner, n, "out")?;
        for (o, u) in out.iter_mut().zip(tree.inner.units()) {
            *o = u.id;
        }
        Ok(())
    })
}

/// Rolls per-unit amounts up the tree: `own[i]` is unit `i`'s own amount
/// (rows in `zy_unit_tree_ids` order), `out[i]` receives that amount plus
/// every descendant's. `n` must equal `zy_unit_tree_len`.
///
/// # Safety
/// `tree` must be NULL or a live tree; `own` must point to `n` readable and
/// `out` to `n` writable `int64_t` (NULL only when `n == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_rollup(
    tree: *const zy_unit_tree,
    own: *const i64,
    n: usize,
    out: *mut i64,
) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        let own = unsafe { slice_arg(own, n, "own") }?;
        let out = unsafe { slice_out(out, n, "out") }?;
        check_len(&tree.inner, n, "own")?;
        let by_id: BTreeMap<UnitId, i64> = tree
            .inner
            .units()
            .iter()
            .map(|u| u.id)
            .zip(own.iter().copied())
            .collect();
        // The result holds every unit of the tree, in id order: row i is unit i.
        for (o, total) in out.iter_mut().zip(tree.inner.rollup(&by_id)?.into_values()) {
            *o = total;
        }
        Ok(())
    })
}

/// The JSON twin of `zy_unit_tree_rollup`: `in_json` maps unit ids to own
/// amounts (`{"100": 30, "10": 5}`; missing units count 0, unknown ids are
/// ignored); `*out_json` maps every unit to its rolled-up total
/// (`{"1":35,"10":35,"100":30}`).
///
/// # Safety
/// `tree` must be NULL or a live tree; `in_json` NULL or a NUL-terminated
/// string; `out_json` NULL or writable. On success `*out_json` is owned:
/// free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_rollup_json(
    tree: *const zy_unit_tree,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let tree = unsafe { ref_arg(tree, "tree") }?;
        unsafe {
            json_call(in_json, out_json, |own: BTreeMap<UnitId, i64>| {
                Ok(tree.inner.rollup(&own)?)
            })
        }
    })
}

/// Frees a unit tree. NULL is a no-op.
///
/// # Safety
/// `tree` must be NULL or from `zy_unit_tree_from_json`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_unit_tree_free(tree: *mut zy_unit_tree) {
    unsafe { zy_unit_tree::free(tree) }
}
