use zhiyuan::{ErrorKind, Policy};

#[test]
fn default_policy_round_trips_through_toml_and_json() {
    let p = Policy::default();
    let from_toml = Policy::from_toml(&p.to_toml()).unwrap();
    let from_json = Policy::from_json(&p.to_json()).unwrap();
    assert_eq!(from_toml.hash(), p.hash());
    assert_eq!(from_json.hash(), p.hash());
    assert_eq!(p.hash().len(), 64);
}

#[test]
fn unknown_key_is_rejected_with_its_path() {
    let e = Policy::from_toml("[hours]\ndaily_review_minute = 5\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyInvalid);
    assert!(
        e.to_string().starts_with(
            "hours.daily_review_minute: unknown field `daily_review_minute`, expected one of"
        ),
        "{e}"
    );
    let e = Policy::from_json(r#"{"stars": {"thresholds_hours": [1, "x"]}}"#).unwrap_err();
    assert_eq!(e.field(), Some("stars.thresholds_hours[1]"), "{e}");
}

#[test]
fn out_of_range_values_name_the_field() {
    let e = Policy::from_toml("[stars]\nthresholds_hours = [100, 300, 300]\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "stars.thresholds_hours[2]: must be greater than 300"
    );
    let e = Policy::from_json(r#"{"calendar": {"utc_offset_minutes": 5000}}"#).unwrap_err();
    assert_eq!(e.field(), Some("calendar.utc_offset_minutes"));
}

#[test]
fn hash_ignores_key_order_and_format_but_not_values() {
    let a = Policy::from_json(
        r#"{"hours": {"daily_review_minutes": 600, "recording_deadline_working_days": 5}}"#,
    )
    .unwrap();
    let b = Policy::from_toml(
        "[hours]\nrecording_deadline_working_days = 5\ndaily_review_minutes = 600\n",
    )
    .unwrap();
    assert_eq!(a.hash(), b.hash());
    let c = Policy::from_toml(
        "[hours]\nrecording_deadline_working_days = 6\ndaily_review_minutes = 600\n",
    )
    .unwrap();
    assert_ne!(a.hash(), c.hash());
}

#[test]
fn errors_about_the_whole_document_name_the_policy() {
    // Found by the C boundary tests: an empty or malformed document gave a
    // message naming no field.
    for (text, json) in [
        ("", true),
        ("[1]", true),
        ("{} x", true),
        ("null", true),
        // Found by the capi_json fuzz target: an empty unknown key.
        (r#"{"":1}"#, true),
        ("= =", false),
        ("stars = [", false),
    ] {
        let e = if json {
            Policy::from_json(text).unwrap_err()
        } else {
            Policy::from_toml(text).unwrap_err()
        };
        assert_eq!(e.kind(), ErrorKind::PolicyInvalid, "{text:?}");
        assert!(e.to_string().starts_with("policy: "), "{text:?}: {e}");
    }
    // A nested error still names its own path.
    let e = Policy::from_json(r#"{"stars":{"nope":1}}"#).unwrap_err();
    assert!(e.to_string().starts_with("stars"), "{e}");
}
