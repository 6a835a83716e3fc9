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
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$out"/zhiyuan-*.whl

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
