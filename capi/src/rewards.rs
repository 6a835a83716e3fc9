//! Rewards: honours (荣誉), points (积分), perks (礼遇) and certificates
//! (服务证明), each an opaque handle with JSON rich calls, one per
//! golden-vector op (`tests/vectors/{facts,points,perks,certificates}`,
//! documented in `core/tests/vectors_rewards.rs`).

use crate::boundary::{
    Handle, ffi_boundary, mut_arg, mut_json, new_handle, on_mut, on_ref, plain_json, policy_handle,
    ref_arg, ref_json, str_arg,
};
use crate::error::{CallError, zy_status};
use crate::policy::zy_policy;
use serde::Deserialize;
use std::ffi::c_char;
use zhiyuan::certificates::{Certificate, CertificateKey, CertificateRegistry, CertificateRequest};
use zhiyuan::facts::Facts;
use zhiyuan::honours::{HonourKind, HonoursRegistry};
use zhiyuan::hours::{ActorId, VolunteerId};
use zhiyuan::perks::{PerkClaim, PerkDesk};
use zhiyuan::points::{PointsLedger, Redemption};
use zhiyuan::time::{LocalDate, Period, Timestamp};

// ---- honours ------------------------------------------------------------

/// The honours registry (opaque): who holds which honour for which period.
///
/// Thread safety as for `zy_ledger`: `const` calls may run concurrently,
/// mutating calls need exclusive access.
#[allow(non_camel_case_types)]
pub struct zy_honours {
    inner: HonoursRegistry,
}

impl Handle for zy_honours {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantArgs {
    volunteer: VolunteerId,
    kind: HonourKind,
    period: Period,
    grantor: ActorId,
    granted_on: LocalDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WinnersArgs {
    kind: HonourKind,
    period: Period,
    winners: Vec<VolunteerId>,
    grantor: ActorId,
    granted_on: LocalDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeHonourArgs {
    volunteer: VolunteerId,
    kind: HonourKind,
    period: Period,
    by: ActorId,
    at: Timestamp,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolunteerArgs {
    volunteer: VolunteerId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolunteerAtArgs {
    volunteer: VolunteerId,
    at: Timestamp,
}

/// Starts an empty honours registry.
///
/// # Safety
/// `out` must be NULL or writable. On success `*out` owns the registry:
/// free it with `zy_honours_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_new(out: *mut *mut zy_honours) -> zy_status {
    new_handle(out, || {
        Ok(zy_honours {
            inner: HonoursRegistry::new(),
        })
    })
}

/// `honours.grant`: `{"volunteer", "kind", "period", "grantor",
/// "granted_on"}` → `true` when new, `false` when already recorded.
///
/// # Safety
/// `honours` must be NULL or a live registry with no concurrent call;
/// `in_json` NULL or a NUL-terminated string; `out_json` NULL or writable.
/// On success `*out_json` is owned: free it with `zy_string_free`. The same
/// holds for every handle `zy_*_json` call in this file (`const` handles
/// allow concurrent readers).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_grant_json(
    honours: *mut zy_honours,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(honours, "honours", in_json, out_json, |h, a: GrantArgs| {
        h.inner
            .grant(a.volunteer, a.kind, a.period, a.grantor, a.granted_on)
    })
}

/// `honours.record_winners`: `{"kind", "period", "winners", "grantor",
/// "granted_on"}` → the number of new grants.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_record_winners_json(
    honours: *mut zy_honours,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        honours,
        "honours",
        in_json,
        out_json,
        |h, a: WinnersArgs| {
            h.inner
                .record_winners(a.kind, a.period, &a.winners, a.grantor, a.granted_on)
        },
    )
}

/// `honours.revoke`: `{"volunteer", "kind", "period", "by", "at",
/// "reason"}` → `null`.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_revoke_json(
    honours: *mut zy_honours,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        honours,
        "honours",
        in_json,
        out_json,
        |h, a: RevokeHonourArgs| {
            h.inner
                .revoke(a.volunteer, a.kind, a.period, a.by, a.at, &a.reason)
        },
    )
}

/// `honours.of`: `{"volunteer"}` → `[Honour]` (revoked ones included).
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_of_json(
    honours: *const zy_honours,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(
        honours,
        "honours",
        in_json,
        out_json,
        |h, a: VolunteerArgs| Ok::<_, CallError>(h.inner.of(a.volunteer)),
    )
}

/// Frees an honours registry. NULL is a no-op.
///
/// # Safety
/// `honours` must be NULL or from `zy_honours_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_honours_free(honours: *mut zy_honours) {
    unsafe { zy_honours::free(honours) }
}

// ---- points -------------------------------------------------------------

/// The points ledger (opaque): accruals from hours and honours,
/// redemptions, expiry, claw-backs.
#[allow(non_camel_case_types)]
pub struct zy_points {
    inner: PointsLedger,
}

impl Handle for zy_points {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncHoursArgs {
    volunteer: VolunteerId,
    approved_minutes: i64,
    at: Timestamp,
}

/// Starts an empty points ledger under `policy` (copied).
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` NULL or writable. On
/// success `*out` owns the ledger: free it with `zy_points_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_new(
    policy: *const zy_policy,
    out: *mut *mut zy_points,
) -> zy_status {
    policy_handle(policy, out, |p| {
        Ok(zy_points {
            inner: PointsLedger::new(&p.inner),
        })
    })
}

/// `points.sync_hours`: `{"volunteer", "approved_minutes", "at"}` → the
/// points accrued (or clawed back, negative) by this sync.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_sync_hours_json(
    points: *mut zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        points,
        "points",
        in_json,
        out_json,
        |p, a: SyncHoursArgs| p.inner.sync_hours(a.volunteer, a.approved_minutes, a.at),
    )
}

/// `points.sync_honours`: `{"volunteer", "at"}` → the points change, from
/// the volunteer's honours in `honours`.
///
/// # Safety
/// As for `zy_honours_grant_json`; `honours` must be NULL or a live
/// registry not mutated during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_sync_honours_json(
    points: *mut zy_points,
    honours: *const zy_honours,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let honours = unsafe { ref_arg(honours, "honours") }?;
        on_mut(
            points,
            "points",
            in_json,
            out_json,
            |p, a: VolunteerAtArgs| {
                let hs = honours.inner.of(a.volunteer);
                p.inner.sync_honours(a.volunteer, &hs, a.at)
            },
        )
    })
}

/// `points.redeem`: `Redemption` → `RedemptionReceipt` (idempotent by
/// order code).
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_redeem_json(
    points: *mut zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(points, "points", in_json, out_json, |p, r: Redemption| {
        p.inner.redeem(&r)
    })
}

/// `points.expire`: `{"volunteer", "at"}` → the points expired.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_expire_json(
    points: *mut zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        points,
        "points",
        in_json,
        out_json,
        |p, a: VolunteerAtArgs| p.inner.expire(a.volunteer, a.at),
    )
}

/// `points.account`: `{"volunteer"}` → `PointsAccount` (balance and
/// totals).
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_account_json(
    points: *const zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(
        points,
        "points",
        in_json,
        out_json,
        |p, a: VolunteerArgs| Ok::<_, CallError>(p.inner.account(a.volunteer)),
    )
}

/// `points.entries`: `{"volunteer"}` → `[PointsEntry]`, oldest first.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_entries_json(
    points: *const zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(
        points,
        "points",
        in_json,
        out_json,
        |p, a: VolunteerArgs| Ok::<_, CallError>(p.inner.entries(a.volunteer).to_vec()),
    )
}

/// Frees a points ledger. NULL is a no-op.
///
/// # Safety
/// `points` must be NULL or from `zy_points_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_points_free(points: *mut zy_points) {
    unsafe { zy_points::free(points) }
}

// ---- perks --------------------------------------------------------------

/// The perk desk (opaque): the policy's perk catalogue and its claims.
#[allow(non_camel_case_types)]
pub struct zy_perks {
    inner: PerkDesk,
}

impl Handle for zy_perks {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EligibleArgs {
    volunteer: VolunteerId,
    facts: Facts,
    at: Timestamp,
    #[serde(default)]
    with_points: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimArgs {
    claim: PerkClaim,
    facts: Facts,
    #[serde(default)]
    with_points: bool,
}

/// Opens a perk desk under `policy` (its catalogue compiled; errors name
/// `perks.catalogue[i]`).
///
/// # Safety
/// `policy` must be NULL or a live policy; `out` NULL or writable. On
/// success `*out` owns the desk: free it with `zy_perks_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_perks_new(
    policy: *const zy_policy,
    out: *mut *mut zy_perks,
) -> zy_status {
    policy_handle(policy, out, |p| {
        Ok(zy_perks {
            inner: PerkDesk::new(&p.inner)?,
        })
    })
}

/// `perks.eligible`: `{"volunteer", "facts", "at", "with_points"?}` →
/// `[PerkEligibility]`; with `with_points` the volunteer's account in
/// `points` is read (points costs, balances).
///
/// # Safety
/// As for `zy_honours_grant_json`; `points` must be NULL or a live points
/// ledger not mutated during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_perks_eligible_json(
    perks: *const zy_perks,
    points: *const zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let points = unsafe { ref_arg(points, "points") }?;
        on_ref(perks, "perks", in_json, out_json, |d, a: EligibleArgs| {
            let acc = a.with_points.then(|| points.inner.account(a.volunteer));
            Ok::<_, CallError>(
                d.inner
                    .eligible_perks(a.volunteer, &a.facts, a.at, acc.as_ref()),
            )
        })
    })
}

/// `perks.claim`: `{"claim": PerkClaim, "facts", "with_points"?}` →
/// `PerkClaimReceipt`; a perk with a points cost redeems from `points`
/// (with `with_points`), and any refusal leaves both handles untouched.
///
/// # Safety
/// As for `zy_honours_grant_json`; `points` must be NULL or a live points
/// ledger with no concurrent call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_perks_claim_json(
    perks: *mut zy_perks,
    points: *mut zy_points,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ffi_boundary(|| {
        let points = unsafe { mut_arg(points, "points") }?;
        on_mut(perks, "perks", in_json, out_json, |d, a: ClaimArgs| {
            let pts = a.with_points.then_some(&mut points.inner);
            d.inner.claim(&a.claim, &a.facts, pts)
        })
    })
}

/// Frees a perk desk. NULL is a no-op.
///
/// # Safety
/// `perks` must be NULL or from `zy_perks_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_perks_free(perks: *mut zy_perks) {
    unsafe { zy_perks::free(perks) }
}

// ---- certificates -------------------------------------------------------

/// The certificate registry (opaque): issued 服务证明 by serial, and their
/// revocations.
#[allow(non_camel_case_types)]
pub struct zy_certificates {
    inner: CertificateRegistry,
}

impl Handle for zy_certificates {}

/// A signing key as JSON: `{"id", "secret"}` (the secret is UTF-8 text).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyArg {
    id: String,
    secret: String,
}

impl KeyArg {
    fn key(&self) -> zhiyuan::Result<CertificateKey> {
        CertificateKey::new(&self.id, self.secret.as_bytes())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueArgs {
    request: CertificateRequest,
    key: KeyArg,
    at: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyArgs {
    certificate: Certificate,
    key: KeyArg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyTextArgs {
    text: String,
    key: KeyArg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeCertArgs {
    serial: String,
    by: ActorId,
    at: Timestamp,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckArgs {
    serial: String,
    code: String,
}

/// Starts an empty certificate registry under `policy`; serials start with
/// `prefix` (UTF-8, e.g. `"PZ"`).
///
/// # Safety
/// `policy` must be NULL or a live policy; `prefix` NULL or a
/// NUL-terminated string; `out` NULL or writable. On success `*out` owns
/// the registry: free it with `zy_certificates_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificates_new(
    policy: *const zy_policy,
    prefix: *const c_char,
    out: *mut *mut zy_certificates,
) -> zy_status {
    policy_handle(policy, out, |p| {
        let prefix = unsafe { str_arg(prefix, "prefix") }?;
        Ok(zy_certificates {
            inner: CertificateRegistry::new(&p.inner, prefix),
        })
    })
}

/// `certificates.issue`: `{"request": CertificateRequest, "key": {"id",
/// "secret"}, "at"}` → `Certificate` (signed, with serial and check code).
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificates_issue_json(
    certificates: *mut zy_certificates,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        certificates,
        "certificates",
        in_json,
        out_json,
        |c, a: IssueArgs| c.inner.issue(&a.request, &a.key.key()?, a.at),
    )
}

/// `certificates.revoke`: `{"serial", "by", "at", "reason"}` → `null`.
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificates_revoke_json(
    certificates: *mut zy_certificates,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    mut_json(
        certificates,
        "certificates",
        in_json,
        out_json,
        |c, a: RevokeCertArgs| c.inner.revoke(&a.serial, a.by, a.at, &a.reason),
    )
}

/// `certificates.check`: `{"serial", "code"}` → `CertificateStatus`
/// (valid, revoked, unknown or wrong code).
///
/// # Safety
/// As for `zy_honours_grant_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificates_check_json(
    certificates: *const zy_certificates,
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    ref_json(
        certificates,
        "certificates",
        in_json,
        out_json,
        |c, a: CheckArgs| Ok::<_, CallError>(c.inner.check(&a.serial, &a.code)),
    )
}

/// `certificates.verify`: `{"certificate": Certificate, "key"}` → whether
/// the signature matches (no registry needed).
///
/// # Safety
/// `in_json` NULL or a NUL-terminated string; `out_json` NULL or writable.
/// On success `*out_json` is owned: free it with `zy_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificate_verify_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: VerifyArgs| {
        Ok::<_, CallError>(a.certificate.verify(&a.key.key()?))
    })
}

/// `certificates.verify_json`: `{"text", "key"}` → whether `text` is a
/// certificate's JSON with a matching signature (malformed text: `false`).
///
/// # Safety
/// As for `zy_certificate_verify_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificate_verify_text_json(
    in_json: *const c_char,
    out_json: *mut *mut c_char,
) -> zy_status {
    plain_json(in_json, out_json, |a: VerifyTextArgs| {
        Ok::<_, CallError>(Certificate::verify_json(&a.text, &a.key.key()?))
    })
}

/// Frees a certificate registry. NULL is a no-op.
///
/// # Safety
/// `certificates` must be NULL or from `zy_certificates_new`, not yet
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zy_certificates_free(certificates: *mut zy_certificates) {
    unsafe { zy_certificates::free(certificates) }
}
