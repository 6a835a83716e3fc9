#!/usr/bin/env python3
"""Seed corpus for the capi_json fuzz target from the golden vectors.

Each tests/vectors/<capability>/<name>.json scenario becomes one input: its
steps, in order, as `selector byte + JSON` segments joined by NUL bytes. The
selector is the index of the step's op in CALLS of capi/tests/support/calls.rs
(read from that file, so the two never drift). Steps whose op has no JSON
entry point are skipped. Run from the repository root:

    python3 core/fuzz/make_capi_corpus.py
"""
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
source = (root / "capi/tests/support/calls.rs").read_text()
table = source[source.index("const CALLS"):]
names = re.findall(r'^\s*\("([a-z_.]+)",', table, re.M)
index = {n: i for i, n in enumerate(names)}
out = root / "core/fuzz/corpus/capi_json"
out.mkdir(parents=True, exist_ok=True)
for f in sorted((root / "tests/vectors").glob("*/*.json")):
    steps = json.loads(f.read_text())["steps"]
    segments = []
    for s in steps:
        op, inp = s["op"], s["input"]
        if op == "policy.load" and isinstance(inp, dict):
            op, inp = "policy.from_json", inp.get("policy", inp)
        i = index.get(op)
        if i is None:
            continue
        text = json.dumps(inp, ensure_ascii=False, separators=(",", ":"))
        segments.append(bytes([i]) + text.encode())
    if segments:
        (out / f"{f.parent.name}_{f.stem}").write_bytes(b"\0".join(segments[:64]))
print(f"{len(names)} entry points; corpus in {out.relative_to(root)}")
