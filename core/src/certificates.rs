//! Service certificates (志愿服务证明, domain-rules §1.6).
//!
//! A [`Certificate`] is an immutable snapshot of a volunteer's record —
//! service minutes, service content, the recording unit and the period —
//! with a serial number, the issue date and a **verification code**:
//! `HMAC-SHA256(key, canonical content)` in lowercase hex, where the
//! canonical content is the certificate's JSON without the code, with
//! sorted keys and no whitespace. A third party holding the key recomputes
//! the code ([`Certificate::verify`]); changing any byte of the certificate
//! makes it fail. The registry answers online checks by serial and code and
//! records revocations.
//!
//! ```
//! use zhiyuan::Policy;
//! use zhiyuan::certificates::{CertificateKey, CertificateRegistry, CertificateRequest};
//! let key = CertificateKey::new("k2024", b"a secret of at least 16 bytes")?;
//! let mut reg = CertificateRegistry::new(&Policy::default(), "PZ");
//! let req = CertificateRequest {
//!     volunteer: 7, volunteer_name: "张三".into(), minutes: 6030,
//!     content: "社区助老".into(), recording_unit: 100, recording_unit_name: "佘村实践站".into(),
//!     period_from: "2024-01-01".parse()?, period_to: "2024-12-31".parse()?, issuer: 9,
//! };
//! let cert = reg.issue(&req, &key, "2025-01-05T02:00:00Z".parse()?)?;
//! assert_eq!(cert.serial, "PZ-2025-00000001");
//! assert!(cert.verify(&key));
//! let mut forged = cert.clone();
//! forged.minutes += 60;
//! assert!(!forged.verify(&key));
//! # Ok::<(), zhiyuan::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::hours::{ActorId, VolunteerId};
use crate::ledger::HoursLedger;
use crate::policy::Policy;
use crate::time::{LocalDate, Timestamp, UtcOffset};
use crate::units::UnitId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// HMAC-SHA256 (RFC 2104) over `sha2`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let d = Sha256::digest(key);
        k[..32].copy_from_slice(&d[..]);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let mut inner = Sha256::new();
    inner.update(ipad);
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(opad);
    outer.update(&inner[..]);
    let out = outer.finalize();
    let mut r = [0u8; 32];
    r.copy_from_slice(&out[..]);
    r
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Compares without an early exit, so timing does not leak how much of a
/// guessed code was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signing key with an id (so keys can rotate).
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateKey {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertificateKey({:?}, <secret>)", self.id)
    }
}

impl CertificateKey {
    /// A key; the secret must be at least 16 bytes and the id non-empty.
    pub fn new(id: &str, secret: &[u8]) -> Result<Self> {
        if id.trim().is_empty() {
            return Err(Error::invalid_input("key.id", "must not be empty"));
        }
        if secret.len() < 16 {
            return Err(Error::invalid_input(
                "key.secret",
                format!("{} bytes is too short; use at least 16", secret.len()),
            ));
        }
        Ok(CertificateKey {
            id: id.to_owned(),
            secret: secret.to_vec(),
        })
    }

    /// The key id recorded in certificates.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret bytes, for handing the key to a trusted process (Python
    /// pickling, e.g. to Dask workers). Never log or print them.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// What the issuer asks to certify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// The volunteer's name as printed.
    pub volunteer_name: String,
    /// Approved service minutes in the period.
    pub minutes: i64,
    /// The service content (服务内容).
    pub content: String,
    /// The recording unit.
    pub recording_unit: UnitId,
    /// Its name as printed.
    pub recording_unit_name: String,
    /// First local date covered.
    pub period_from: LocalDate,
    /// Last local date covered (inclusive).
    pub period_to: LocalDate,
    /// Who issues it.
    pub issuer: ActorId,
}

/// An issued certificate. Every field is covered by the verification code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Serial number `<prefix>-<year>-<8 digits>`.
    pub serial: String,
    /// The volunteer.
    pub volunteer: VolunteerId,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// Approved service minutes in the period.
    pub minutes: i64,
    /// The service content.
    pub content: String,
    /// The recording unit.
    pub recording_unit: UnitId,
    /// Its name.
    pub recording_unit_name: String,
    /// First local date covered.
    pub period_from: LocalDate,
    /// Last local date covered (inclusive).
    pub period_to: LocalDate,
    /// Who issued it.
    pub issuer: ActorId,
    /// When.
    pub issued_at: Timestamp,
    /// The signing key's id.
    pub key_id: String,
    /// Lowercase hex HMAC-SHA256 over [`Certificate::canonical_content`].
    pub verification_code: String,
}

impl Certificate {
    /// The signed text: this certificate's JSON without
    /// `verification_code`, keys sorted, no whitespace.
    pub fn canonical_content(&self) -> String {
        let mut v = serde_json::to_value(self).expect("a certificate is JSON-representable");
        if let Some(m) = v.as_object_mut() {
            m.remove("verification_code");
        }
        serde_json::to_string(&v).expect("a JSON value serializes")
    }

    fn code(&self, key: &CertificateKey) -> String {
        hex(&hmac_sha256(
            &key.secret,
            self.canonical_content().as_bytes(),
        ))
    }

    /// Whether the code matches the content under `key` (and the key id).
    pub fn verify(&self, key: &CertificateKey) -> bool {
        self.key_id == key.id && same(self.code(key).as_bytes(), self.verification_code.as_bytes())
    }

    /// Parses a certificate's JSON and verifies it; malformed JSON, an
    /// unknown field or a wrong code all give `false`.
    pub fn verify_json(text: &str, key: &CertificateKey) -> bool {
        serde_json::from_str::<Certificate>(text).is_ok_and(|c| c.verify(key))
    }
}

/// Why and when a certificate was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRevocation {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: ActorId,
    /// Why.
    pub reason: String,
}

/// The answer to an online check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatus {
    /// The serial asked about.
    pub serial: String,
    /// The registry issued it.
    pub found: bool,
    /// The code presented equals the issued one.
    pub code_matches: bool,
    /// Set when revoked.
    pub revoked: Option<CertificateRevocation>,
    /// Found, matching and not revoked.
    pub valid: bool,
}

/// Every certificate issued, with revocations.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateRegistry {
    policy: Policy,
    prefix: String,
    offset: UtcOffset,
    next: u64,
    issued: BTreeMap<String, (Certificate, Option<CertificateRevocation>)>,
}

impl CertificateRegistry {
    /// An empty registry issuing serials `<prefix>-<local year>-<n>`.
    pub fn new(policy: &Policy, prefix: &str) -> Self {
        CertificateRegistry {
            policy: policy.clone(),
            prefix: prefix.to_owned(),
            offset: policy.offset(),
            next: 1,
            issued: BTreeMap::new(),
        }
    }

    fn serial(&self, at: Timestamp, n: u64) -> String {
        format!(
            "{}-{:04}-{:08}",
            self.prefix,
            at.local_date(self.offset).year(),
            n
        )
    }

    /// Issues and records a certificate signed with `key`.
    pub fn issue(
        &mut self,
        req: &CertificateRequest,
        key: &CertificateKey,
        at: Timestamp,
    ) -> Result<Certificate> {
        check_request(req)?;
        let serial = self.serial(at, self.next);
        let mut cert = Certificate {
            serial: serial.clone(),
            volunteer: req.volunteer,
            volunteer_name: req.volunteer_name.clone(),
            minutes: req.minutes,
            content: req.content.clone(),
            recording_unit: req.recording_unit,
            recording_unit_name: req.recording_unit_name.clone(),
            period_from: req.period_from,
            period_to: req.period_to,
            issuer: req.issuer,
            issued_at: at,
            key_id: key.id.clone(),
            verification_code: String::new(),
        };
        cert.verification_code = cert.code(key);
        self.next += 1;
        self.issued.insert(serial, (cert.clone(), None));
        Ok(cert)
    }

    /// Issues a certificate whose minutes are the volunteer's approved
    /// service minutes in the request's period (records starting from local
    /// midnight of `period_from` to the end of `period_to`) as of `at`; the
    /// request's own `minutes` is ignored.
    pub fn issue_from_ledger(
        &mut self,
        ledger: &HoursLedger,
        req: &CertificateRequest,
        key: &CertificateKey,
        at: Timestamp,
    ) -> Result<Certificate> {
        let from = req.period_from.start(self.offset);
        let to = req
            .period_to
            .checked_add_days(1)
            .map_or(Timestamp::MAX, |d| d.start(self.offset));
        let minutes = ledger.approved_minutes_in(req.volunteer, from, to, at);
        self.issue(
            &CertificateRequest {
                minutes,
                ..req.clone()
            },
            key,
            at,
        )
    }

    /// The issued certificate `serial`.
    pub fn get(&self, serial: &str) -> Result<&Certificate> {
        self.issued
            .get(serial)
            .map(|(c, _)| c)
            .ok_or_else(|| Error::not_found(format!("certificate {serial:?}"), "was never issued"))
    }

    /// Withdraws a certificate (`NotFound`, `InvalidState` if already
    /// revoked, `InvalidInput` for an empty reason).
    pub fn revoke(&mut self, serial: &str, by: ActorId, at: Timestamp, reason: &str) -> Result<()> {
        let (_, rev) = self.issued.get_mut(serial).ok_or_else(|| {
            Error::not_found(format!("certificate {serial:?}"), "was never issued")
        })?;
        if reason.trim().is_empty() {
            return Err(Error::invalid_input("reason", "must not be empty"));
        }
        if rev.is_some() {
            return Err(Error::invalid_state(
                format!("certificate {serial:?}"),
                "is already revoked",
            ));
        }
        *rev = Some(CertificateRevocation {
            at,
            by,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    /// The online check: does `serial` exist, does `code` match, is it
    /// revoked?
    pub fn check(&self, serial: &str, code: &str) -> CertificateStatus {
        let found = self.issued.get(serial);
        let code_matches =
            found.is_some_and(|(c, _)| same(c.verification_code.as_bytes(), code.as_bytes()));
        let revoked = found.and_then(|(_, r)| r.clone());
        CertificateStatus {
            serial: serial.to_owned(),
            found: found.is_some(),
            code_matches,
            valid: code_matches && revoked.is_none(),
            revoked,
        }
    }
}

fn check_request(req: &CertificateRequest) -> Result<()> {
    if req.minutes < 0 {
        return Err(Error::invalid_input(
            "minutes",
            format!("{} must be >= 0", req.minutes),
        ));
    }
    if req.period_to < req.period_from {
        return Err(Error::invalid_input(
            "period_to",
            format!(
                "{} is before period_from {}",
                req.period_to, req.period_from
            ),
        ));
    }
    for (v, name) in [
        (&req.volunteer_name, "volunteer_name"),
        (&req.content, "content"),
        (&req.recording_unit_name, "recording_unit_name"),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid_input(name, "must not be empty"));
        }
    }
    Ok(())
}

impl CertificateRegistry {
    /// A JSON snapshot (see [`crate::saved`]): the policy, the serial
    /// prefix and every certificate in issue order with its revocation.
    /// Keys are not part of it: certificates carry their codes.
    pub fn snapshot(&self) -> String {
        let mut issued: Vec<SavedCertificate> = self
            .issued
            .values()
            .map(|(c, r)| SavedCertificate {
                certificate: c.clone(),
                revoked: r.clone(),
            })
            .collect();
        // Serials end in the issue number; years differ, so sort on it.
        issued.sort_by(|a, b| {
            let n = |c: &Certificate| {
                c.serial
                    .rsplit('-')
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
            };
            n(&a.certificate).cmp(&n(&b.certificate))
        });
        let state = SavedRegistry {
            prefix: self.prefix.clone(),
            certificates: issued,
        };
        crate::saved::save(CERTIFICATES_FORMAT, Some(&self.policy), &state)
    }

    /// Rebuilds a registry from [`snapshot`](Self::snapshot) text,
    /// re-checking each certificate as [`issue`](Self::issue) would and
    /// that its serial is the one the registry would have given it (so
    /// the next serial continues the sequence). Codes cannot be checked
    /// without the key; they must be 64 lowercase hex digits.
    pub fn restore(json: &str) -> Result<Self> {
        let (policy, state): (Policy, SavedRegistry) =
            crate::saved::load(json, CERTIFICATES_FORMAT)?;
        let mut reg = CertificateRegistry::new(&policy, &state.prefix);
        for (i, s) in state.certificates.into_iter().enumerate() {
            let at = format!("snapshot.state.certificates[{i}]");
            let c = s.certificate;
            check_request(&CertificateRequest {
                volunteer: c.volunteer,
                volunteer_name: c.volunteer_name.clone(),
                minutes: c.minutes,
                content: c.content.clone(),
                recording_unit: c.recording_unit,
                recording_unit_name: c.recording_unit_name.clone(),
                period_from: c.period_from,
                period_to: c.period_to,
                issuer: c.issuer,
            })
            .map_err(|e| e.at(&format!("{at}.certificate")))?;
            let want = reg.serial(c.issued_at, reg.next);
            if c.serial != want {
                return Err(Error::invalid_input(
                    format!("{at}.certificate.serial"),
                    format!(
                        "{:?} is not the serial issued in sequence ({want:?})",
                        c.serial
                    ),
                ));
            }
            let code = &c.verification_code;
            if code.len() != 64
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(Error::invalid_input(
                    format!("{at}.certificate.verification_code"),
                    "must be 64 lowercase hex digits",
                ));
            }
            if let Some(r) = &s.revoked
                && r.reason.trim().is_empty()
            {
                return Err(Error::invalid_input(
                    format!("{at}.revoked.reason"),
                    "must not be empty",
                ));
            }
            reg.next += 1;
            reg.issued.insert(c.serial.clone(), (c, s.revoked));
        }
        Ok(reg)
    }
}

const CERTIFICATES_FORMAT: &str = "zhiyuan.certificate_registry.v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedRegistry {
    prefix: String,
    certificates: Vec<SavedCertificate>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedCertificate {
    certificate: Certificate,
    revoked: Option<CertificateRevocation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1.
        let out = hmac_sha256(&[0x0b; 20], b"Hi There");
        assert_eq!(
            hex(&out),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2.
        let out = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&out),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let out = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex(&out),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(unhex("0b0b"), vec![11, 11]);
    }
}
