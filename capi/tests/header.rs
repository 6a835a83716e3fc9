//! The committed header is what cbindgen 0.29.4 generates from the source,
//! its version macros match Cargo.toml, and its shape keeps the contract
//! (every handle has a `_free`, every other function returns `zy_status`).

use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    manifest_dir().join("include/zhiyuan.h")
}

fn committed() -> String {
    std::fs::read_to_string(header_path()).expect("include/zhiyuan.h exists")
}

fn generate() -> String {
    let config = cbindgen::Config::from_file(manifest_dir().join("cbindgen.toml"))
        .expect("cbindgen.toml parses");
    let mut buf = Vec::new();
    cbindgen::Builder::new()
        .with_crate(manifest_dir())
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut buf);
    String::from_utf8(buf).expect("the header is UTF-8")
}

#[test]
fn header_is_fresh() {
    let want = generate();
    if std::env::var_os("ZY_BLESS_HEADER").is_some() {
        std::fs::write(header_path(), &want).expect("write include/zhiyuan.h");
    }
    assert!(
        committed() == want,
        "include/zhiyuan.h is stale: regenerate with \
         `cbindgen --config capi/cbindgen.toml --crate zhiyuan-capi --output capi/include/zhiyuan.h capi` \
         or `ZY_BLESS_HEADER=1 cargo test -p zhiyuan-capi --test header`"
    );
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = committed();
    for (name, value) in [
        ("ZY_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("ZY_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("ZY_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define {name} {value}\n");
        assert!(
            header.contains(&line),
            "include/zhiyuan.h lacks `{}`",
            line.trim()
        );
    }
    // SAFETY: zy_version returns a static NUL-terminated string.
    let runtime = unsafe { std::ffi::CStr::from_ptr(zhiyuan_capi::zy_version()) };
    assert_eq!(runtime.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

/// Every declared function as (return type, name, parameters).
fn functions(header: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut decl = String::new();
    for line in header.lines() {
        let t = line.trim();
        let starts = t.starts_with("zy_status zy_")
            || t.starts_with("void zy_")
            || t.starts_with("const char *zy_");
        if starts || !decl.is_empty() {
            decl.push_str(t);
            decl.push(' ');
            if t.ends_with(");") {
                let (head, params) = decl.split_once('(').unwrap();
                let name_at = head.rfind([' ', '*']).unwrap() + 1;
                out.push((
                    head[..name_at].trim().to_owned(),
                    head[name_at..].trim().to_owned(),
                    params.to_owned(),
                ));
                decl.clear();
            }
        }
    }
    out
}

#[test]
fn every_handle_has_a_free_and_every_other_call_returns_a_status() {
    let header = committed();
    let fns = functions(&header);
    assert!(fns.len() >= 15, "parsed only {} functions", fns.len());
    let handles: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix("typedef struct zy_"))
        // Opaque handles are forward declarations (`typedef struct zy_x zy_x;`);
        // `#[repr(C)]` value structs (`typedef struct zy_x {`) are not handles.
        .filter_map(|l| {
            let (name, rest) = l.split_once(' ')?;
            (rest == format!("zy_{name};")).then_some(name)
        })
        .collect();
    assert!(
        handles.contains(&"policy") && handles.contains(&"ledger"),
        "{handles:?}"
    );
    assert!(!handles.contains(&"receipt"), "{handles:?}");
    for h in &handles {
        let free = format!("zy_{h}_free");
        let decl = fns
            .iter()
            .find(|f| f.1 == free)
            .unwrap_or_else(|| panic!("zy_{h} has no {free}"));
        assert_eq!(decl.0, "void", "{free}");
        assert!(
            decl.2.starts_with(&format!("struct zy_{h} *")),
            "{free}({})",
            decl.2
        );
    }
    let infallible = [
        "zy_version",
        "zy_last_error_message",
        "zy_status_str",
        "zy_string_free",
    ];
    for (ret, name, _) in &fns {
        if infallible.contains(&name.as_str()) || name.ends_with("_free") {
            continue;
        }
        assert_eq!(ret, "zy_status", "{name} must return zy_status");
    }
}

/// A new entry point cannot ship without its NULL-argument cases:
/// `tests/c/contract.c` must call every function that takes a pointer.
#[test]
fn every_entry_point_with_pointers_is_in_the_c_contract_test() {
    let contract = std::fs::read_to_string(manifest_dir().join("../tests/c/contract.c"))
        .expect("tests/c/contract.c exists");
    let missing: Vec<String> = functions(&committed())
        .into_iter()
        .filter(|(_, _, params)| params.contains('*'))
        .map(|(_, name, _)| name)
        .filter(|name| {
            !contract.contains(&format!("{name}(")) && !contract.contains(&format!("{name},"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "tests/c/contract.c never calls {missing:?} with NULL arguments"
    );
}
