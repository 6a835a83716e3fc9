#!/usr/bin/env bash
# The C library's test suite: builds libzhiyuan (cdylib + staticlib), checks
# the committed header and replays the golden vectors over the C ABI
# (cargo test -p zhiyuan-capi), then compiles every tests/c/*.c as C11 and as
# C++17 with warnings as errors, links each against the shared and the static
# library and runs all four binaries under valgrind (0 errors, 0 leaks);
# finally installs into a temporary prefix with a generated zhiyuan.pc and
# builds capi/examples/*.c with `cc app.c $(pkg-config --cflags --libs zhiyuan)`.
#
# Idempotent; exits non-zero on the first failure. Installs gcc, g++,
# valgrind and pkg-config with apt-get when they are missing.
#
# Usage: scripts/test-c.sh            (from anywhere inside the repository)
#        ZY_SKIP_CARGO_TEST=1 scripts/test-c.sh   (C side only)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LIB_DIR=$TARGET_DIR/debug
OUT=$TARGET_DIR/c-tests
VALGRIND=(valgrind --quiet --error-exitcode=1 --leak-check=full
          --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
CFLAGS_C=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -pthread)
CFLAGS_CXX=(-std=c++17 -x c++ -Wall -Wextra -Werror -g -pthread)

step() { printf '\n== %s\n' "$*"; }

# ---- tools -------------------------------------------------------------------
command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs)" >&2; exit 1; }
need=()
# libc6-dev is only a Recommends of gcc on Debian, but the C headers live there.
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v g++ >/dev/null || need+=(g++)
command -v valgrind >/dev/null || need+=(valgrind)
command -v pkg-config >/dev/null || need+=(pkg-config)
if ((${#need[@]})); then
    step "installing ${need[*]}"
    SUDO=()
    [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${need[@]}"
fi
CC=${CC:-cc}
command -v "$CC" >/dev/null || CC=gcc

# ---- build -------------------------------------------------------------------
step "cargo build -p zhiyuan-capi"
cargo build -p zhiyuan-capi
for f in libzhiyuan_capi.so libzhiyuan_capi.a; do
    [[ -f $LIB_DIR/$f ]] || { echo "missing $LIB_DIR/$f" >&2; exit 1; }
done

if [[ -z ${ZY_SKIP_CARGO_TEST:-} ]]; then
    step "cargo test -p zhiyuan-capi (header freshness, version macros, vectors over the C ABI)"
    cargo test -p zhiyuan-capi
fi

# The system libraries a Rust staticlib needs, as rustc reports them for this
# target. An empty crate is asked (zhiyuan has no native dependencies of its
# own, and a cached cargo build would not print the note again).
mkdir -p "$OUT"
printf '' >"$OUT/empty.rs"
NATIVE_LIBS=$(rustc --crate-type staticlib --crate-name zy_probe --print native-static-libs \
                  -o "$OUT/libzy_probe.a" "$OUT/empty.rs" 2>&1 |
              sed -n 's/.*native-static-libs: //p' | tail -n 1)
[[ -n $NATIVE_LIBS ]] || NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
echo "native static libs: $NATIVE_LIBS"

# ---- tests/c: C and C++, shared and static, under valgrind -------------------
run() { # name binary
    echo "-- $1"
    "${VALGRIND[@]}" "$2"
}

shopt -s nullglob
tests=(tests/c/*.c)
((${#tests[@]})) || { echo "no tests in tests/c" >&2; exit 1; }
for src in "${tests[@]}"; do
    name=$(basename "$src" .c)
    step "tests/c/$name.c"
    gcc "${CFLAGS_C[@]}" -Icapi/include -c "$src" -o "$OUT/$name.c.o"
    g++ "${CFLAGS_CXX[@]}" -Icapi/include -c "$src" -o "$OUT/$name.cpp.o"
    for lang in c cpp; do
        linker=gcc
        [[ $lang == cpp ]] && linker=g++
        $linker -pthread "$OUT/$name.$lang.o" -L"$LIB_DIR" -lzhiyuan_capi -Wl,-rpath,"$LIB_DIR" \
            -o "$OUT/$name-$lang-shared"
        # shellcheck disable=SC2086 # NATIVE_LIBS is a list of flags
        $linker -pthread "$OUT/$name.$lang.o" "$LIB_DIR/libzhiyuan_capi.a" $NATIVE_LIBS \
            -o "$OUT/$name-$lang-static"
        run "$name ($lang, shared)" "$OUT/$name-$lang-shared"
        run "$name ($lang, static)" "$OUT/$name-$lang-static"
    done
done

# ---- golden vectors over the C ABI, under valgrind ----------------------------
if [[ -z ${ZY_SKIP_CARGO_TEST:-} ]]; then
    step "golden vectors (capi/tests/vectors.rs) under valgrind"
    vec_bin=$(cargo test -p zhiyuan-capi --test vectors --no-run 2>&1 |
              sed -n 's/.*Executable tests\/vectors.rs (\(.*\))/\1/p' | tail -n 1)
    [[ -n $vec_bin ]] || { echo "cannot find the vectors test binary" >&2; exit 1; }
    (cd capi && "${VALGRIND[@]}" "$ROOT/$vec_bin" --test-threads=1 -q)
fi

# ---- pkg-config: install into a temporary prefix, build the examples ----------
step "pkg-config: zhiyuan.pc in a temporary prefix, capi/examples/*.c"
PREFIX=$(mktemp -d)
trap 'rm -rf "$PREFIX"' EXIT
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig"
cp capi/include/zhiyuan.h "$PREFIX/include/"
# cargo-c would name the library libzhiyuan; do the same by hand.
cp "$LIB_DIR/libzhiyuan_capi.so" "$PREFIX/lib/libzhiyuan.so"
cp "$LIB_DIR/libzhiyuan_capi.a" "$PREFIX/lib/libzhiyuan.a"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@VERSION@|$VERSION|" -e "s|@LIBS_PRIVATE@|$NATIVE_LIBS|" \
    capi/zhiyuan.pc.in >"$PREFIX/lib/pkgconfig/zhiyuan.pc"
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
pkg-config --exists --print-errors zhiyuan
[[ $(pkg-config --modversion zhiyuan) == "$VERSION" ]]
echo "pkg-config --cflags --libs zhiyuan: $(pkg-config --cflags --libs zhiyuan)"
examples=(capi/examples/*.c)
((${#examples[@]})) || { echo "no examples in capi/examples" >&2; exit 1; }
for src in "${examples[@]}"; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2046 # pkg-config output is a list of flags
    "$CC" "${CFLAGS_C[@]}" "$src" $(pkg-config --cflags --libs zhiyuan) -o "$OUT/example-$name"
    LD_LIBRARY_PATH=$PREFIX/lib run "example $name (pkg-config, shared)" "$OUT/example-$name"
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS_C[@]}" "$src" $(pkg-config --cflags zhiyuan) "$PREFIX/lib/libzhiyuan.a" \
        $(pkg-config --static --libs-only-l zhiyuan | sed 's/-lzhiyuan//') -o "$OUT/example-$name-static"
    run "example $name (static)" "$OUT/example-$name-static"
done

# With cargo-c installed (not required; it takes ~25 min to build), also
# check the packager's path: `cargo capi install` into a staging directory.
if cargo capi --version >/dev/null 2>&1; then
    step "cargo capi install (cargo-c found)"
    STAGE=$PREFIX/stage
    cargo capi install -p zhiyuan-capi --prefix=/usr/local --libdir=lib --destdir="$STAGE"
    export PKG_CONFIG_PATH=$STAGE/usr/local/lib/pkgconfig
    export PKG_CONFIG_SYSROOT_DIR=$STAGE
    for src in "${examples[@]}"; do
        name=$(basename "$src" .c)
        # shellcheck disable=SC2046
        "$CC" "${CFLAGS_C[@]}" "$src" $(pkg-config --cflags --libs zhiyuan) -o "$OUT/example-$name-capi"
        LD_LIBRARY_PATH=$STAGE/usr/local/lib run "example $name (cargo-c)" "$OUT/example-$name-capi"
    done
fi

step "all C tests passed"
