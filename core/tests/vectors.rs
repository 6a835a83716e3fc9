//! Golden-vector runner shared by every capability.
//!
//! A vector file `tests/vectors/<capability>/<name>.json` is one scenario:
//!
//! ```json
//! { "description": "…",
//!   "policy": { …partial policy JSON; missing keys take defaults… },
//!   "steps": [
//!     { "op": "ledger.submit", "input": { … }, "output": { … } },
//!     { "op": "ledger.submit", "input": { … },
//!       "error": { "kind": "Conflict", "message": "record 7.start: …" } } ] }
//! ```
//!
//! Each capability's runner keeps its own state and maps `op` to core calls;
//! `output` is compared as JSON values with the serde form of the result,
//! `error` by kind and full message. Any string in an output equal to the
//! scenario policy's hash is compared as `"$policy_hash"`, so files survive
//! changes to unrelated policy sections. The Python and C layers run the same
//! files through their own APIs, with the same substitution.

use serde_json::Value;
use std::path::{Path, PathBuf};
use zhiyuan::{Error, Policy};

/// The repository's `tests/vectors/<capability>` directory.
pub fn dir(capability: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(capability)
}

/// One loaded scenario.
pub struct Scenario {
    pub path: PathBuf,
    pub file: String,
    pub policy: Policy,
    pub steps: Vec<Value>,
}

/// Every scenario of `capability`, sorted by file name. Panics (test code)
/// when the directory is empty or a file is malformed.
pub fn load(capability: &str) -> Vec<Scenario> {
    let mut files: Vec<_> = std::fs::read_dir(dir(capability))
        .unwrap_or_else(|e| panic!("tests/vectors/{capability}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vectors for {capability}");
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let policy = match v.get("policy") {
                None | Some(Value::Null) => Policy::default(),
                Some(p) => Policy::from_json(&p.to_string())
                    .unwrap_or_else(|e| panic!("{}: policy: {e}", path.display())),
            };
            Scenario {
                path: path.clone(),
                file: path.file_name().unwrap().to_string_lossy().into_owned(),
                policy,
                steps: v["steps"].as_array().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Runs every step of `s` through `apply(op, input)` and checks outputs and
/// errors. Returns the number of steps checked.
///
/// With `ZHIYUAN_BLESS=1` it instead records what the core returns into the
/// file (for writing new vectors; review the diff by hand before committing).
pub fn run(s: &Scenario, mut apply: impl FnMut(&str, &Value) -> Result<Value, Error>) -> usize {
    if std::env::var_os("ZHIYUAN_BLESS").is_some() {
        return bless(s, apply);
    }
    for (i, step) in s.steps.iter().enumerate() {
        let op = step["op"]
            .as_str()
            .unwrap_or_else(|| panic!("{} step {i}: no op", s.file));
        let got = apply(op, &step["input"]).map(|mut v| {
            mask_hash(&mut v, s.policy.hash());
            v
        });
        let at = format!("{} step {i} ({op})", s.file);
        match (got, step.get("output"), step.get("error")) {
            (Ok(out), Some(want), None) => assert_eq!(&out, want, "{at}: output differs"),
            (Ok(out), None, None) => panic!("{at}: step has neither output nor error (got {out})"),
            (Err(e), _, Some(want)) => {
                assert_eq!(
                    e.kind().as_str(),
                    want["kind"].as_str().unwrap(),
                    "{at}: {e}"
                );
                assert_eq!(e.to_string(), want["message"].as_str().unwrap(), "{at}");
            }
            (Ok(out), _, Some(want)) => panic!("{at}: expected error {want}, got {out}"),
            (Err(e), _, None) => panic!("{at}: unexpected error: {e}"),
        }
    }
    s.steps.len()
}

fn bless(s: &Scenario, mut apply: impl FnMut(&str, &Value) -> Result<Value, Error>) -> usize {
    let text = std::fs::read_to_string(&s.path).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let steps = doc["steps"].as_array_mut().unwrap();
    for step in steps.iter_mut() {
        let op = step["op"].as_str().unwrap().to_owned();
        let obj = step.as_object_mut().unwrap();
        obj.remove("output");
        obj.remove("error");
        match apply(&op, &obj["input"].clone()) {
            Ok(mut v) => {
                mask_hash(&mut v, s.policy.hash());
                obj.insert("output".into(), v);
            }
            Err(e) => {
                obj.insert(
                    "error".into(),
                    serde_json::json!({"kind": e.kind().as_str(), "message": e.to_string()}),
                );
            }
        }
    }
    let n = steps.len();
    std::fs::write(&s.path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    n
}

/// Replaces every string equal to `hash` with `"$policy_hash"`.
pub fn mask_hash(v: &mut Value, hash: &str) {
    match v {
        Value::String(s) if s == hash => *s = "$policy_hash".to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|x| mask_hash(x, hash)),
        Value::Object(map) => map.values_mut().for_each(|x| mask_hash(x, hash)),
        _ => {}
    }
}
