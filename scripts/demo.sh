#!/usr/bin/env bash
# The main job: generate the synthetic county, run every capability and write
# the report (terminal text plus a self-contained HTML file whose path it
# prints). Extra arguments go to the demo (--scale small|default, --seed N,
# --out PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --quiet -p zhiyuan-demo -- "$@"
