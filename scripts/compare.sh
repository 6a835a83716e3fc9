#!/usr/bin/env bash
# The polars / duckdb comparison of issue #9 (docs/performance.md).
#
#   scripts/compare.sh [--scale S] [--seed N] [--tasks abcde] [--repeat N] [--json FILE]
#
# Creates .venv-compare at the repository root (pinned
# benches/compare/requirements.txt), builds the zhiyuan wheel with the
# `release` profile into it, generates the seeded data once (cached under
# target/compare-data/, or $ZHIYUAN_COMPARE_CACHE), runs tasks a–e with
# zhiyuan, polars and duckdb (2 threads each, every (engine, task) in its own
# process), checks that the three agree exactly and prints the table.
# Exit status 1 when any two engines disagree (the first differing row is named).
#
# Environment:
#   ZHIYUAN_COMPARE_VENV   virtualenv path (default: <repo>/.venv-compare)
#   ZHIYUAN_COMPARE_WHEEL  "skip" to reuse the installed wheel as it is
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${ZHIYUAN_COMPARE_VENV:-$root/.venv-compare}"
req="benches/compare/requirements.txt"

step() { printf '\n==> %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/python" ]; then
    step "creating $venv"
    python3 -m venv "$venv"
fi
py="$venv/bin/python"
if ! cmp -s "$req" "$venv/.zhiyuan-requirements"; then
    step "installing $req"
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$venv/.zhiyuan-requirements"
fi

if [ "${ZHIYUAN_COMPARE_WHEEL:-build}" != skip ]; then
    step "building the zhiyuan wheel (profile: release)"
    out="$root/target/wheels/compare"
    rm -rf "$out"
    "$venv/bin/maturin" build --release -m py/Cargo.toml --interpreter "$py" --out "$out" >&2
    "$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
        "$out"/zhiyuan-*.whl
fi

step "machine"
{
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)' || true
    free -g | head -2
    echo "load before: $(uptime)"
} >&2

step "comparison $*"
status=0
PYTHONPATH="$root/benches/compare" "$py" -m zycompare "$@" || status=$?
echo "load after: $(uptime)" >&2
exit "$status"
