#!/usr/bin/env python3
"""Regenerates test/golden/python-set/orders.json: the order list() gives for CPython sets of integers.

SCALE-Sim lists each CALC prefetch set by set in this order (read_buffer_estimate_bw.py), which
src/sim/python-set.ts reproduces. Each case adds `count` keys offset + (x mod modulus), x drawn by
the MINSTD generator (x = 48271·x mod 2^31 − 1, from seed; repeats leave the set as it is), as
numpy float64s (as SCALE-Sim's demand matrices hold them): keys that collide in the table. It
stores the first 40 of list(s) and the SHA-256 of all of them joined by commas. The cases span the table's
resizes (past 50,000 keys a table grows by 2 × used, not 4 ×), large and negative keys. Nothing here is edited by
hand: rerun it with Debian's python3 (3.11, python3-numpy):

    /usr/bin/python3 scripts/python-set-golden.py
"""
import hashlib
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'golden', 'python-set', 'orders.json')

# (count, offset, modulus, seed)
CASES = [
    (10, 0, 64, 1), (10, 10000000, 100, 2), (50, 0, 1024, 3), (327, 20000000, 4096, 4),
    (655, 10000000, 1000, 5), (1000, -100000, 1 << 20, 6), (5000, 0, 1 << 16, 7),
    (12345, -100007, 1 << 15, 8), (100000, 10000000, 1 << 22, 9),
]


def keys(count, offset, modulus, seed):
    x = seed
    for _ in range(count):
        x = x * 48271 % 2147483647
        yield offset + x % modulus


def main():
    cases = []
    for count, offset, modulus, seed in CASES:
        s = set()
        for key in keys(count, offset, modulus, seed):
            s.add(np.float64(key))
        order = [int(x) for x in s]
        cases.append({'count': count, 'offset': offset, 'modulus': modulus, 'seed': seed, 'first': order[:40],
                      'sha256': hashlib.sha256(','.join(map(str, order)).encode()).hexdigest()})
    with open(OUT, 'w') as f:
        json.dump({'python': sys.version.split()[0], 'cases': cases}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
