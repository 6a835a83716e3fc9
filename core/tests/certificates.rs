//! Certificates: issue, verify, tamper detection, revocation, online check.

use proptest::prelude::*;
use zhiyuan::ErrorKind;
use zhiyuan::Policy;
use zhiyuan::certificates::{Certificate, CertificateKey, CertificateRegistry, CertificateRequest};
use zhiyuan::hours::{RecordKind, ServiceRecord};
use zhiyuan::ledger::HoursLedger;
use zhiyuan::time::Timestamp;
use zhiyuan::units::{Unit, UnitTree};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn key() -> CertificateKey {
    CertificateKey::new("k2024", b"0123456789abcdef-secret").unwrap()
}

fn request() -> CertificateRequest {
    CertificateRequest {
        volunteer: 7,
        volunteer_name: "张三".into(),
        minutes: 6030,
        content: "社区助老、文明交通劝导".into(),
        recording_unit: 100,
        recording_unit_name: "佘村实践站".into(),
        period_from: "2024-01-01".parse().unwrap(),
        period_to: "2024-12-31".parse().unwrap(),
        issuer: 9,
    }
}

fn issued() -> (CertificateRegistry, Certificate) {
    let mut reg = CertificateRegistry::new(&Policy::default(), "PZ");
    let c = reg
        .issue(&request(), &key(), ts("2025-01-05T02:00:00Z"))
        .unwrap();
    (reg, c)
}

#[test]
fn a_certificate_verifies_with_its_key_only() {
    let (mut reg, c) = issued();
    assert!(c.verify(&key()));
    assert!(Certificate::verify_json(
        &serde_json::to_string(&c).unwrap(),
        &key()
    ));
    let other = CertificateKey::new("k2024", b"another secret of 16+").unwrap();
    assert!(!c.verify(&other));
    let renamed = CertificateKey::new("k2025", b"0123456789abcdef-secret").unwrap();
    assert!(!c.verify(&renamed));
    assert_eq!(c.verification_code.len(), 64);
    let second = reg
        .issue(&request(), &key(), ts("2025-01-06T02:00:00Z"))
        .unwrap();
    assert_eq!(second.serial, "PZ-2025-00000002");
    assert_ne!(second.verification_code, c.verification_code);
}

#[test]
fn online_check_and_revocation() {
    let (mut reg, c) = issued();
    let s = reg.check(&c.serial, &c.verification_code);
    assert!(s.found && s.code_matches && s.valid);
    assert!(!reg.check(&c.serial, "00").valid);
    assert!(!reg.check("PZ-2025-00000099", &c.verification_code).found);
    reg.revoke(
        &c.serial,
        9,
        ts("2025-02-01T00:00:00Z"),
        "hours revoked for fraud",
    )
    .unwrap();
    let s = reg.check(&c.serial, &c.verification_code);
    assert!(s.code_matches && !s.valid);
    assert_eq!(s.revoked.unwrap().reason, "hours revoked for fraud");
    let e = reg
        .revoke(&c.serial, 9, ts("2025-02-02T00:00:00Z"), "again")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    let e = reg
        .revoke("nope", 9, ts("2025-02-02T00:00:00Z"), "x")
        .unwrap_err();
    assert_eq!(e.to_string(), "certificate \"nope\": was never issued");
}

#[test]
fn bad_requests_and_keys_are_rejected() {
    let mut reg = CertificateRegistry::new(&Policy::default(), "PZ");
    let mut r = request();
    r.period_to = "2023-12-31".parse().unwrap();
    let e = reg
        .issue(&r, &key(), ts("2025-01-05T02:00:00Z"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "period_to: 2023-12-31 is before period_from 2024-01-01"
    );
    let e = CertificateKey::new("k", b"short").unwrap_err();
    assert_eq!(e.field(), Some("key.secret"));
}

#[test]
fn issuing_from_the_ledger_snapshots_the_period_minutes() {
    let units = UnitTree::new(vec![Unit::new(100, None, "站", "station")], vec![]).unwrap();
    let mut ledger = HoursLedger::new(Policy::default(), units);
    for (id, day) in [(1, "2023-12-31"), (2, "2024-06-01"), (3, "2024-12-31")] {
        ledger
            .submit(ServiceRecord {
                id,
                volunteer: 7,
                unit: 100,
                team: None,
                activity: 1,
                // 10:00–12:00 local.
                start: ts(&format!("{day}T02:00:00Z")),
                end: ts(&format!("{day}T04:00:00Z")),
                kind: RecordKind::Service,
                recorded_by: 2,
                recorded_at: ts(&format!("{day}T05:00:00Z")),
            })
            .unwrap();
        ledger
            .approve(id, 3, ts("2025-01-02T00:00:00Z"), true)
            .unwrap();
    }
    let mut reg = CertificateRegistry::new(&Policy::default(), "PZ");
    let c = reg
        .issue_from_ledger(&ledger, &request(), &key(), ts("2025-01-05T02:00:00Z"))
        .unwrap();
    assert_eq!(c.minutes, 240);
    assert!(c.verify(&key()));
    assert_eq!(reg.get(&c.serial).unwrap(), &c);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_changed_byte_fails_verification(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (_, c) = issued();
        let text = serde_json::to_string(&c).unwrap();
        let mut bytes = text.into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let ok = match String::from_utf8(bytes) {
            Ok(s) => Certificate::verify_json(&s, &key()),
            Err(_) => false,
        };
        prop_assert!(!ok, "byte {} changed to {:#x} still verifies", i, byte);
    }

    #[test]
    fn any_changed_field_fails_verification(minutes in 0i64..1_000_000, name in "\\PC{1,12}") {
        let (_, c) = issued();
        let mut m = c.clone();
        m.minutes = minutes;
        prop_assert_eq!(m.verify(&key()), minutes == c.minutes);
        let mut n = c.clone();
        n.volunteer_name = name.clone();
        prop_assert_eq!(n.verify(&key()), name == c.volunteer_name);
    }
}
