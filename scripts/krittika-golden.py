#!/usr/bin/env python3
"""Regenerates the krittika (SCALE-Sim v3's multi-core simulator) golden runs under test/golden/krittika/runs/.

Runs the public krittika (scalesim-project/krittika, commit 2cf6c8e, the `multi-core/` submodule of
scale-sim-v3 at fab89b7) on every case below and stores, per case, the inputs (krittika.cfg,
topology.csv, partition.csv for USER partitions) and krittika's three reports verbatim, plus
meta.json (krittika's wall time). Nothing here is edited by hand: rerun this script (existing cases
are kept unless --force). Run it with Debian's python3 (python3-numpy, python3-tqdm; no PyPI):

    /usr/bin/python3 scripts/krittika-golden.py --krittika /tmp/krittika --scalesim /tmp/scalesim-d78b477 [--only NAME] [--force]

--scalesim is the folder holding the `scalesim` package krittika imports: scale-sim-v3's own tree
at commit d78b477 (`git archive d78b477 scalesim`), 2024-09-30, a week after krittika's last change
to its code. krittika 2cf6c8e does not run on v3's scalesim from af2dc5d (2024-11-03) on: its
operand_matrix asks the topology for sparsity ratios, and from 34b270a for a layout object; up to
aabd619 it runs, and gives the same reports as on d78b477 (user-6-uneven, auto-4, user-strided-is).

Only what krittika can finish is run: CALC bandwidth mode (USER passes the mode string where
scalesim expects a flag and stops), the matmul unit (its vector units stop at scalesim's config
check), and AUTO / CONST_DF partitions only on layers at least as wide as the array (else its
analytical search divides by zero) with activations last (its table has no rows for them); IFMAP,
FILTER and CONST_DF read the vector unit's dataflow, so their configs declare one (never chosen here).
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'golden', 'krittika', 'runs')
REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']


def config_text(name, cores, rows, cols, dataflow, strategy, srams_kb=(128, 128, 128), bws=(50, 50, 50), vector=False, simd=4):
    """A krittika .cfg with every key it reads (configs/krittika.cfg's layout)."""
    return '\n'.join([
        '[GENERAL]', f'run name = {name}', '',
        '[COMPUTE]',
        f'num compute cores = {cores}', 'matmul core present = True', f'vector core present = {vector}',
        f'matmul arrrow = {rows}', f'matmul arrcol = {cols}', f'matmul default dataflow = {dataflow}',
        f'vector dim = {rows}', f'vector default dataflow = {dataflow}', f'simd length = {simd}',
        f'partition strategy = {strategy}', '',
        '[MEMORY]', 'ifmap offset = 0', 'filter offset = 10000000', 'ofmap offset = 20000000',
        f'per core ifmap sram size kb = {srams_kb[0]}', f'per core filter sram size kb = {srams_kb[1]}',
        f'per core ofmap sram size kb = {srams_kb[2]}', '',
        '[INTERFACE]', 'bandwidth mode = CALC',
        f'per core user ifmap buf interface bw (words/cycle) = {bws[0]}',
        f'per core user filter buf interface bw (words/cycle) = {bws[1]}',
        f'per core user ofmap buf interface bw (words/cycle) = {bws[2]}', '',
    ])


def partition_csv(*rows):
    """krittika's partition file: a header, then one row per layer (input parts, filter parts, unit, dataflow)."""
    out = 'layer id, input parts, filter parts, unit, dataflow\n'
    for i, (inp, filt, df) in enumerate(rows):
        out += f'{i}, {inp}, {filt}, matmul, {df}\n'
    return out


SMALL = 'conv, 16, 16, 3, 3, 8, 24, 1\ngemm, 30, 20, 50\nactivation, relu\n'
MIDDLE_ACT = 'conv, 16, 16, 3, 3, 8, 24, 1\nactivation, relu\ngemm, 30, 20, 50\nactivation, tanh\n'
STRIDED = 'conv, 19, 17, 5, 3, 3, 16, 2, 3\nconv, 12, 12, 1, 1, 16, 40, 1\n'
WIDE = 'conv, 20, 20, 3, 3, 16, 32, 1\ngemm, 64, 48, 40\nconv, 14, 14, 5, 5, 8, 24, 1\nactivation, relu\n'
ALEXNET = 'conv, 67, 67, 11, 11, 3, 96, 4\nconv, 31, 31, 5, 5, 96, 256, 1\nconv, 15, 15, 3, 3, 256, 384, 1\nactivation, relu\n'

# (name, cores, rows, cols, default dataflow, partition strategy, topology, partition rows or None, extra config)
CASES = [
    ('user-2x2-ws', 4, 32, 32, 'ws', 'USER', SMALL, [(2, 2, 'ws'), (1, 4, 'os'), (1, 4, 'ws')], {}),
    ('user-3-os-is-midact', 3, 8, 8, 'os', 'USER', MIDDLE_ACT, [(3, 1, 'os'), (1, 1, 'os'), (1, 3, 'is'), (1, 1, 'os')], {}),
    ('user-strided-is', 2, 4, 8, 'is', 'USER', STRIDED, [(2, 1, 'is'), (1, 2, 'ws')], {'srams_kb': (2, 1, 1), 'bws': (20, 7, 5)}),
    ('user-6-uneven', 6, 8, 4, 'ws', 'USER', WIDE, [(3, 2, 'ws'), (2, 3, 'os'), (6, 1, 'is'), (1, 1, 'ws')], {'srams_kb': (4, 2, 2), 'bws': (10, 10, 4), 'simd': 3}),
    ('auto-2', 2, 8, 8, 'ws', 'AUTO', WIDE, None, {}),
    ('auto-4', 4, 8, 8, 'os', 'AUTO', WIDE, None, {'srams_kb': (2, 2, 2), 'vector': True}),
    ('auto-8', 8, 4, 4, 'is', 'AUTO', STRIDED, None, {}),
    ('ifmap-4-midact', 4, 8, 8, 'os', 'IFMAP', MIDDLE_ACT, None, {'vector': True}),
    ('filter-4-midact', 4, 8, 8, 'ws', 'FILTER', MIDDLE_ACT, None, {'bws': (30, 5, 8), 'vector': True}),
    ('constdf-6-is', 6, 8, 8, 'is', 'CONST_DF', WIDE, None, {'vector': True}),
    ('alexnet-8-auto', 8, 32, 32, 'ws', 'AUTO', ALEXNET, None, {'srams_kb': (64, 64, 64)}),
]


def run_case(krittika, scalesim, case, force):
    name, cores, rows, cols, df, strategy, topology, parts, extra = case
    out = os.path.join(OUT, name)
    if os.path.exists(os.path.join(out, 'meta.json')) and not force:
        print(f'{name}: kept')
        return
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'krittika.cfg'), 'w') as f:
        f.write(config_text(name, cores, rows, cols, df, strategy, **extra))
    with open(os.path.join(out, 'topology.csv'), 'w') as f:
        f.write(topology)
    if parts:
        with open(os.path.join(out, 'partition.csv'), 'w') as f:
            f.write(partition_csv(*parts))
    work = tempfile.mkdtemp(prefix='krittika-')
    try:
        command = ['/usr/bin/python3', os.path.join(krittika, 'krittika', 'krittika-sim.py'),
                   '-c', os.path.join(out, 'krittika.cfg'), '-t', os.path.join(out, 'topology.csv'), '-o', work, '--verbose', '']
        if parts:
            command += ['-p', os.path.join(out, 'partition.csv')]
        start = time.time()
        run = subprocess.run(command, cwd=work, env={**os.environ, 'PYTHONPATH': f'{scalesim}:{krittika}'}, capture_output=True, text=True)
        seconds = time.time() - start
        if run.returncode != 0:
            raise SystemExit(f'{name}: krittika failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}')
        for report in REPORTS:  # the per-core SRAM and DRAM traces it also writes are not kept
            shutil.copy(os.path.join(work, 'traces', report), os.path.join(out, report))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(out, 'meta.json'), 'w') as f:
        json.dump({'krittikaCommit': '2cf6c8e', 'scalesimCommit': 'd78b477', 'krittikaSeconds': round(seconds, 2)}, f, indent=1)
        f.write('\n')
    print(f'{name}: {seconds:.1f} s')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--krittika', required=True, help='checkout of krittika at 2cf6c8e')
    parser.add_argument('--scalesim', required=True, help="folder holding scale-sim-v3's scalesim package at d78b477")
    parser.add_argument('--only', help='run only cases whose name contains this')
    parser.add_argument('--force', action='store_true')
    args = parser.parse_args()
    for case in CASES:
        if args.only is None or args.only in case[0]:
            run_case(os.path.abspath(args.krittika), os.path.abspath(args.scalesim), case, args.force)


if __name__ == '__main__':
    main()
