#!/usr/bin/env bash
# Builds the zhiyuan wheel in a virtualenv and runs every Python check:
# pytest (+ hypothesis), stubtest, mypy --strict on the typing-usage file and
# the comparison (benches/compare), ruff.
#
# Needs only python3 (>= 3.11) and cargo. Idempotent: creates .venv at the
# repository root when missing, (re)installs the pinned test dependencies only
# when py/requirements-test.txt changed, rebuilds the wheel incrementally.
#
# Environment:
#   ZHIYUAN_VENV           virtualenv path (default: <repo>/.venv)
#   ZHIYUAN_WHEEL_PROFILE  cargo profile for the wheel: "wheel" (default, no
#                          fat LTO) or "release" (what is published)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${ZHIYUAN_VENV:-$root/.venv}"
profile="${ZHIYUAN_WHEEL_PROFILE:-wheel}"

step() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    python3 -m venv "$venv"
fi
py="$venv/bin/python"

stamp="$venv/.zhiyuan-requirements"
if ! cmp -s py/requirements-test.txt "$stamp"; then
    step "installing pinned test dependencies"
    "$py" -m pip install --quiet --disable-pip-version-check -r py/requirements-test.txt
    cp py/requirements-test.txt "$stamp"
fi

step "building the wheel (profile: $profile)"
out="$root/target/wheels/zhiyuan-py"
rm -rf "$out"
start=$(date +%s)
if [ "$profile" = release ]; then
    "$venv/bin/maturin" build --release -m py/Cargo.toml --interpreter "$py" --out "$out"
else
    "$venv/bin/maturin" build --profile "$profile" -m py/Cargo.toml --interpreter "$py" --out "$out"
fi
echo "wheel built in $(( $(date +%s) - start )) s"
wheel=$(ls "$out"/zhiyuan-*.whl)

# The user's path first: a brand-new venv, plain `pip install <wheel>`
# (dependencies resolved by pip: there are none), imported from outside the
# source tree. Catches packaging slips (a missing py.typed or stub, a wrong
# module name) that the test venv could hide.
step "installing the wheel into a fresh venv"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
(cd "$fresh" && "$fresh/venv/bin/python" - <<'PY'
import pathlib, pickle, zhiyuan
p = zhiyuan.Policy()
assert pickle.loads(pickle.dumps(p)) == p
pkg = pathlib.Path(zhiyuan.__file__).parent
assert (pkg / "py.typed").exists() and (pkg / "_zhiyuan.pyi").exists(), pkg
print("fresh venv: zhiyuan", zhiyuan.__version__, "imports from", pkg)
PY
)

"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall "$wheel"

# Run from tests/python so that the installed wheel, not py/python, is imported.
step "pytest"
"$py" -m pytest tests/python -q -p no:cacheprovider

step "stubtest"
"$py" -m mypy.stubtest zhiyuan._zhiyuan --allowlist py/stubtest-allowlist.txt

step "mypy --strict"
"$py" -m mypy --strict --no-incremental tests/python/typing_usage.py
"$py" -m mypy --strict --no-incremental benches/compare/zycompare \
    tests/python/test_compare_agreement.py

step "ruff"
"$venv/bin/ruff" check py/python tests/python benches/compare

step "all Python checks passed"
