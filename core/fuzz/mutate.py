#!/usr/bin/env python3
"""A dependency-free stand-in for libFuzzer on stable: writes N mutants of a
target's corpus (bit flips, byte sets to boundary values, insertions,
deletions, truncation, splicing two inputs, and for capi_json a swapped
selector byte) into OUT, to be replayed with
`core/fuzz/target/debug/<target> OUT/*`. Deterministic for a given seed.

    python3 core/fuzz/mutate.py TARGET N OUT [SEED]
"""
import pathlib
import random
import sys

target, n, out = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
root = pathlib.Path(__file__).resolve().parent
seeds = [p.read_bytes() for p in sorted((root / "corpus" / target).iterdir())]
interesting = [b"0", b"-1", b"18446744073709551615", b"-9223372036854775808", b"1e400",
               b"null", b"\"\"", b"[]", b"{}", b"\"9999-12-31T23:59:59Z\"",
               b"\"0001-01-01T00:00:00Z\"", b"\xff", b"\x00"]
out.mkdir(parents=True, exist_ok=True)
for i in range(n):
    b = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[pos % len(b)] ^= 1 << rng.randrange(8)
        elif op == 1 and b:
            b[pos % len(b)] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, ord('"'), ord('-'), ord('9')])
        elif op == 2:
            b[pos:pos] = rng.choice(interesting)
        elif op == 3 and b:
            del b[pos:pos + rng.randint(1, 16)]
        elif op == 4:
            del b[pos:]
        elif op == 5:
            other = rng.choice(seeds)
            j = rng.randrange(len(other) + 1)
            b = b[:pos] + other[j:j + rng.randint(1, 200)] + b[pos:]
        elif op == 6 and target == "capi_json" and b:
            # Retarget one call: the byte after a NUL (or the first) selects it.
            cuts = [0] + [k + 1 for k, x in enumerate(b) if x == 0 and k + 1 < len(b)]
            b[rng.choice(cuts)] = rng.randrange(256)
    (out / f"m{i:06}").write_bytes(bytes(b))
