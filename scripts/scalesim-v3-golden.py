#!/usr/bin/env python3
"""Regenerates the SCALE-Sim v3 golden runs under test/golden/scalesim-v3/runs/.

Runs the public scale-sim-v3 (scalesim-project/scale-sim-v3, commit fab89b7) on every case below
and stores, per case, the inputs (config.cfg, topology.csv) and v3's three reports verbatim, plus
meta.json (gemm, v3's wall time). Nothing here is edited by hand: rerun this script (existing
cases are kept unless --force). Run it with Debian's python3 (python3-numpy, python3-pandas,
python3-tqdm; no PyPI needed):

    /usr/bin/python3 scripts/scalesim-v3-golden.py --scalesim /tmp/scale-sim-v3 [--only NAME] [--force]

The cases are v3's USER mode (read/write request buffers, the ifmap and filter read at the
[layout] bank bandwidths, the ofmap written at Bandwidth), where v3's figures differ from v2's,
and CALC (every dataflow), dense and with layer-wise and row-wise N:M sparsity (then v3's
SPARSE_REPORT.csv is stored too); default layouts, and (LAYOUT_CASES) custom layouts with their
layout file (layout.csv, passed with -l) over several bank counts and ports; and (RAMULATOR_CASES)
UseRamulatorTrace True, where v3 reads each layer's DRAM latencies from results/_{ifmap,filter,ofmap}File{layer}.npy
under its working directory. Ramulator itself is not run: the latencies are seeded synthetic arrays written
with numpy, stored with the reports (the case's _ifmapFile0.npy, ...).
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'golden', 'scalesim-v3', 'runs')
REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']


def config_text(name, rows, cols, srams_kb, dataflow, interface, bandwidth, read_buf, write_buf, bank_bw, sparse_rep=None, block=None, layout=None, ramulator=False):
    """A v3 .cfg with every key v3 reads (v3 stops at a missing one); sparse_rep turns on sparsity, layer-wise or, with block, row-wise.
    layout: {'ifmap': (custom, bank bandwidth, banks, ports), 'filter': (...)} replaces bank_bw and the default banks."""
    if layout:
        ifmap, filt = layout['ifmap'], layout['filter']
    else:
        banks = 10 if bank_bw % 10 == 0 else 1  # v3 requires banks to divide the bank bandwidth
        ifmap = filt = (False, bank_bw, banks, 2)
    return '\n'.join([
        '[general]', f'run_name = {name}', '',
        '[architecture_presets]',
        f'ArrayHeight:    {rows}', f'ArrayWidth:     {cols}',
        f'IfmapSramSzkB:   {srams_kb[0]}', f'FilterSramSzkB:  {srams_kb[1]}', f'OfmapSramSzkB:   {srams_kb[2]}',
        'IfmapOffset:    0', 'FilterOffset:   10000000', 'OfmapOffset:    20000000',
        f'Bandwidth : {bandwidth}', f'Dataflow : {dataflow}', 'MemoryBanks:   1',
        f'ReadRequestBuffer: {read_buf}', f'WriteRequestBuffer: {write_buf}', '',
        '[layout]',
        f'IfmapCustomLayout: {ifmap[0]}', f'IfmapSRAMBankBandwidth: {ifmap[1]}', f'IfmapSRAMBankNum: {ifmap[2]}', f'IfmapSRAMBankPort: {ifmap[3]}',
        f'FilterCustomLayout: {filt[0]}', f'FilterSRAMBankBandwidth: {filt[1]}', f'FilterSRAMBankNum: {filt[2]}', f'FilterSRAMBankPort: {filt[3]}', '',
        '[sparsity]',
        f'SparsitySupport : {"true" if sparse_rep else "false"}', f'SparseRep : {sparse_rep or "ellpack_block"}',
        f'OptimizedMapping : {"true" if block else "false"}', f'BlockSize : {block or 8}',
        'RandomNumberGeneratorSeed : 40', '',
        '[run_presets]', f'InterfaceBandwidth: {interface}', f'UseRamulatorTrace: {ramulator}', '',
    ])


SMALL_CONV = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' \
    'c1, 16, 16, 3, 3, 8, 24, 1,\nc2, 15, 15, 5, 5, 3, 16, 2,\n'
MNK = 'Layer Name, M, N, K,\nTest 1, 256, 128, 256,\n'  # v3's topologies/GEMM_mnk/test_mnk_input.csv
# layer-wise N:M: 2:4, 1:3, 3:4 and no column (1:1); K = 72, 75, 45 and 18, some not whole blocks
SPARSE_CONV = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, Sparsity,\n' \
    'c1, 16, 16, 3, 3, 8, 24, 1, 2:4,\nc2, 15, 15, 5, 5, 3, 16, 2, 1:3,\nc3, 10, 10, 3, 3, 5, 12, 1, 3:4,\nc4, 9, 9, 3, 3, 2, 10, 1,\n'
SPARSE_MNK = 'Layer Name, M, N, K, Sparsity,\nG1, 30, 20, 50, 1:4,\nG2, 9, 40, 33, 2:3,\n'

LAYOUT_HEADER = 'Layer name, IFMAP Height Intraline Factor, IFMAP Width Intraline Factor, Filter Height Intraline Factor, ' \
    'Filter Width Intraline Factor, Channel Intraline Factor, Num Filter Intraline Factor, IFMAP Height Intraline Order, ' \
    'IFMAP Width Intraline Order, Channel Intraline Order, IFMAP Height Interline Order, IFMAP Width Interline Order, ' \
    'Channel Interline Order, Num Filter Intraline Order, Channel Intraline Order, Filter Height Intraline Order, ' \
    'Filter Width Intraline Order, Num Filter Interline Order, Channel Interline Order, Filter Height Interline Order, ' \
    'Filter Width Interline Order,\n'


def layout_csv(*rows):
    """A v3 layout file; v3 reads only its first row, for every layer: (name, ifmap factors X, Y, C, filter factors R, S, K,
    ifmap intraline order, ifmap interline order, filter intraline order, filter interline order)."""
    out = LAYOUT_HEADER
    for name, (x, y, c), (r, s, k), ii, io, fi, fo in rows:
        out += ', '.join(str(v) for v in [name, x, y, r, s, c, k, *ii, *io, *fi, *fo]) + ',\n'
    return out


# v3's layouts/conv_nets/test.csv (intraline 2×2×16 ifmap, 4×16 filter) and others: the orders index the six
# (ifmap) or eight (filter) axes after v3 splits each dimension into lines × intraline factor.
NATURAL = layout_csv(('L0', (2, 2, 2), (1, 2, 2), [3, 4, 5], [0, 1, 2], [4, 5, 6, 7], [0, 1, 2, 3]))
MIXED = layout_csv(('L0', (2, 1, 4), (1, 1, 3), [0, 1, 2], [4, 5, 3], [3, 2, 1, 0], [4, 5, 6, 7]),
                   ('L1', (1, 1, 1), (1, 1, 1), [0, 1, 2], [3, 4, 5], [0, 1, 2, 3], [4, 5, 6, 7]))
CHANNEL_FIRST = layout_csv(('L0', (1, 4, 2), (3, 1, 2), [5, 3, 4], [2, 0, 1], [7, 6, 5, 4], [3, 1, 2, 0]))
GEMM_LAYOUT = layout_csv(('G', (4, 4, 1), (1, 4, 1), [3, 4, 5], [1, 0, 2], [6, 7, 4, 5], [0, 3, 2, 1]))
SMALL_MNK = 'Layer Name, M, N, K,\nG1, 40, 24, 36,\nG2, 17, 30, 20,\n'

# (name, rows, cols, SRAM kB (ifmap, filter, ofmap), dataflow, CALC|USER, Bandwidth, read/write request buffer, bank bandwidth, topology, gemm[, SparseRep])
CASES = [
    # v3's own USER test (test/general/golden_trace_user_*): scale.cfg at 32×32, Bandwidth 10, buffers of 32
    ('user-os-mnk', 32, 32, (64, 64, 64), 'os', 'USER', 10, 32, 10, MNK, True),
    ('user-ws-mnk', 32, 32, (64, 64, 64), 'ws', 'USER', 10, 32, 10, MNK, True),
    ('user-is-mnk', 32, 32, (64, 64, 64), 'is', 'USER', 10, 32, 10, MNK, True),
    # small conv layers on small buffers: many prefetches, full request buffers
    ('user-os-conv', 8, 8, (2, 2, 2), 'os', 'USER', 4, 8, 4, SMALL_CONV, False),
    ('user-ws-conv', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, 6, SMALL_CONV, False),
    ('user-is-conv', 8, 8, (2, 2, 2), 'is', 'USER', 4, 8, 4, SMALL_CONV, False),
    # a 1×1 array: the last demand line waits for a prefetch, which Total Cycles (the last ofmap service) leaves out
    ('user-ws-1x1', 1, 1, (1, 1, 1), 'ws', 'USER', 1, 2, 2, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n'
     'L, 6, 6, 2, 1, 9, 3, 1,\n', False),
    ('calc-ws-conv', 8, 8, (2, 2, 2), 'ws', 'CALC', 10, 32, 10, SMALL_CONV, False),
    ('calc-os-conv', 8, 8, (2, 2, 2), 'os', 'CALC', 10, 32, 10, SMALL_CONV, False),
    ('calc-is-conv', 8, 8, (2, 2, 2), 'is', 'CALC', 10, 32, 10, SMALL_CONV, False),
    ('calc-os-mnk', 32, 32, (64, 64, 64), 'os', 'CALC', 10, 32, 10, MNK, True),
    # layer-wise N:M sparsity in every dataflow and representation, CALC and USER
    ('sparse-calc-os-csr', 8, 8, (2, 2, 2), 'os', 'CALC', 10, 32, 10, SPARSE_CONV, False, 'csr'),
    ('sparse-calc-ws-csc', 8, 8, (2, 2, 2), 'ws', 'CALC', 10, 32, 10, SPARSE_CONV, False, 'csc'),
    ('sparse-calc-is-ellpack', 8, 8, (2, 2, 2), 'is', 'CALC', 10, 32, 10, SPARSE_CONV, False, 'ellpack_block'),
    ('sparse-user-os-ellpack', 8, 8, (2, 2, 2), 'os', 'USER', 4, 8, 4, SPARSE_CONV, False, 'ellpack_block'),
    ('sparse-user-ws-csr', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, 6, SPARSE_CONV, False, 'csr'),
    ('sparse-user-is-csc', 8, 8, (2, 2, 2), 'is', 'USER', 4, 8, 4, SPARSE_CONV, False, 'csc'),
    ('sparse-calc-ws-ellpack-mnk', 16, 8, (4, 4, 4), 'ws', 'CALC', 10, 32, 10, SPARSE_MNK, True, 'ellpack_block'),
    ('sparse-user-os-csr-mnk', 16, 8, (4, 4, 4), 'os', 'USER', 5, 16, 5, SPARSE_MNK, True, 'csr'),
    # row-wise N:M (OptimizedMapping): each filter column N:BlockSize with N drawn by numpy's seeded RNG
    ('rowwise-calc-ws-csr', 8, 8, (2, 2, 2), 'ws', 'CALC', 10, 32, 10, SPARSE_CONV, False, 'csr', 4),
    ('rowwise-user-ws-ellpack', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, 6, SPARSE_CONV, False, 'ellpack_block', 8),
    ('rowwise-calc-ws-csc-mnk', 16, 8, (4, 4, 4), 'ws', 'CALC', 10, 32, 10, SPARSE_MNK, True, 'csc', 8),
]

# [layout]: custom layouts (the ifmap, the filter or both), bank counts and ports; (custom, bank bandwidth, banks, ports) per
# operand, and the layout file. v3 reads a layout only in USER mode (CALC checks it and goes on as without).
# (name, rows, cols, SRAM kB, dataflow, CALC|USER, Bandwidth, request buffers, topology, gemm, layout, layout file[, SparseRep[, BlockSize]])
LAYOUT_CASES = [
    ('layout-user-os-conv', 8, 8, (2, 2, 2), 'os', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL),
    ('layout-user-ws-conv', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (True, 8, 2, 2), 'filter': (False, 6, 3, 2)}, MIXED),
    ('layout-user-is-conv', 8, 8, (2, 2, 2), 'is', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (False, 4, 4, 1), 'filter': (True, 8, 8, 1)}, NATURAL),
    ('layout-user-os-ports3', 8, 8, (4, 4, 2), 'os', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (True, 12, 1, 3), 'filter': (True, 12, 4, 3)}, CHANNEL_FIRST),
    ('layout-user-ws-banks8', 8, 8, (4, 4, 2), 'ws', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (True, 16, 8, 1), 'filter': (True, 12, 4, 2)}, CHANNEL_FIRST),
    ('layout-user-is-both', 8, 8, (2, 2, 2), 'is', 'USER', 4, 8, SMALL_CONV, False,
     {'ifmap': (True, 8, 2, 1), 'filter': (True, 8, 4, 2)}, NATURAL),
    ('layout-user-os-mnk', 16, 8, (4, 4, 4), 'os', 'USER', 5, 16, SMALL_MNK, True,
     {'ifmap': (True, 16, 4, 2), 'filter': (True, 4, 2, 1)}, GEMM_LAYOUT),
    ('layout-user-ws-mnk', 16, 8, (4, 4, 4), 'ws', 'USER', 5, 16, SMALL_MNK, True,
     {'ifmap': (True, 16, 16, 1), 'filter': (True, 4, 1, 1)}, GEMM_LAYOUT),
    ('layout-user-is-mnk', 16, 8, (4, 4, 4), 'is', 'USER', 5, 16, SMALL_MNK, True,
     {'ifmap': (True, 20, 5, 2), 'filter': (True, 4, 4, 3)}, GEMM_LAYOUT),
    ('layout-calc-ws-conv', 8, 8, (2, 2, 2), 'ws', 'CALC', 10, 32, SMALL_CONV, False,
     {'ifmap': (True, 10, 5, 2), 'filter': (True, 10, 10, 2)}, layout_csv(('L0', (1, 2, 5), (1, 1, 2), [3, 4, 5], [0, 1, 2], [4, 5, 6, 7], [0, 1, 2, 3]))),
    ('layout-sparse-user-ws-csr', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, SPARSE_CONV, False,
     {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL, 'csr'),
    ('layout-sparse-user-os-ellpack', 8, 8, (4, 4, 2), 'os', 'USER', 4, 8, SPARSE_CONV, False,
     {'ifmap': (True, 12, 1, 3), 'filter': (True, 12, 4, 3)}, CHANNEL_FIRST, 'ellpack_block'),
    ('layout-rowwise-user-ws-csc', 8, 8, (2, 2, 2), 'ws', 'USER', 4, 8, SPARSE_CONV, False,
     {'ifmap': (True, 8, 2, 1), 'filter': (True, 8, 4, 2)}, NATURAL, 'csc', 4),
]


# UseRamulatorTrace True: USER mode (v3 reads no latencies in CALC mode), every dataflow, conv and GEMM, request buffers from
# 2 to 1000 entries. latencies: (seed, low, high, length, dtype, spike): each layer's three arrays drawn in turn by
# numpy's default_rng(seed).integers(low, high, length) (latencies that fill the request queue and stall, and ones that do
# not), stored as dtype (Ramulator's flow saves int64); spike puts 20000 at every 37th request, above v3's cutoff of
# 10000 (read as 1 cycle for reads, 0 for writes); arrays shorter than the requests leave v3's default latency for the rest.
# (name, rows, cols, SRAM kB, dataflow, Bandwidth, (read, write) request buffers, bank bandwidth or (layout, layout file) as in
# LAYOUT_CASES, topology, gemm, latencies[, SparseRep])
RAMULATOR_CASES = [
    ('ramulator-os-conv', 8, 8, (2, 2, 2), 'os', 4, (4, 4), 4, SMALL_CONV, False, (1, 10, 80, 400, 'int64', False)),
    ('ramulator-ws-conv', 8, 8, (2, 2, 2), 'ws', 4, (512, 512), 6, SMALL_CONV, False, (2, 0, 3, 400, 'int32', False)),
    ('ramulator-is-conv', 8, 8, (2, 2, 2), 'is', 4, (16, 2), 4, SMALL_CONV, False, (3, 5, 50, 400, 'float64', True)),
    ('ramulator-os-mnk', 16, 8, (4, 4, 4), 'os', 5, (8, 8), 5, SMALL_MNK, True, (4, 0, 30, 50, 'int64', False)),
    ('ramulator-ws-mnk', 16, 8, (4, 4, 4), 'ws', 5, (64, 3), 5, SMALL_MNK, True, (5, 20, 120, 1500, 'uint16', True)),
    ('ramulator-is-mnk', 16, 8, (4, 4, 4), 'is', 5, (1000, 1000), 5, SMALL_MNK, True, (6, 0, 2, 400, 'int64', False)),
    # custom layouts (v3's layout evaluation adds the first prefetch's wait too) and layer-wise N:M sparsity
    ('ramulator-layout-is-conv', 8, 8, (2, 2, 2), 'is', 4, (6, 6), ({'ifmap': (True, 8, 2, 1), 'filter': (True, 8, 4, 2)}, NATURAL),
     SMALL_CONV, False, (7, 0, 60, 400, 'int16', False)),
    ('ramulator-sparse-ws-csr', 8, 8, (2, 2, 2), 'ws', 4, (4, 16), 6, SPARSE_CONV, False, (8, 0, 40, 300, 'uint8', False), 'csr'),
]


def write_latencies(directory, layers, spec):
    """Seeded synthetic Ramulator latencies for `layers` layers, named as v3 reads them: _{ifmap,filter,ofmap}File{layer}.npy."""
    seed, low, high, length, dtype, spike = spec
    rng = np.random.default_rng(seed)
    for layer in range(layers):
        for op in ('ifmap', 'filter', 'ofmap'):
            values = rng.integers(low, high, size=length)
            if spike:
                values[::37] = 20000
            np.save(os.path.join(directory, f'_{op}File{layer}.npy'), values.astype(dtype))


def write_inputs(out, config, topology, layout_file):
    """A run's inputs in out: config.cfg, topology.csv and, with a custom layout, layout.csv."""
    for file, text in [('config.cfg', config), ('topology.csv', topology), ('layout.csv', layout_file)]:
        if text:
            with open(os.path.join(out, file), 'w') as f:
                f.write(text)


def run_scalesim(scalesim, out, name, gemm, layout_file, keep, results=()):
    """Runs v3 on out's inputs in a scratch folder, then keep(run folder) copies what to store; returns v3's wall time.
    `results`: files of out that v3 reads from results/ under its working directory (Ramulator's latencies)."""
    work = tempfile.mkdtemp(prefix='scalesim-v3-')
    try:
        command = ['/usr/bin/python3', os.path.join(scalesim, 'scalesim', 'scale.py'),
                   '-c', os.path.join(out, 'config.cfg'), '-t', os.path.join(out, 'topology.csv'), '-p', os.path.join(work, 'run')]
        if gemm:
            command += ['-i', 'gemm']
        if layout_file:
            command += ['-l', os.path.join(out, 'layout.csv')]
        cwd = scalesim
        if results:
            # v3 then runs in the scratch folder, holding them in results/; its default layout file is the checkout's
            cwd = work
            os.makedirs(os.path.join(work, 'results'))
            for f in results:
                shutil.copy(os.path.join(out, f), os.path.join(work, 'results', f))
            if not layout_file:
                command += ['-l', os.path.join(scalesim, 'layouts', 'conv_nets', 'test.csv')]
        start = time.time()
        # v3 reads a layout file even with custom layouts off: its default (layouts/conv_nets/test.csv)
        # is relative to the checkout; it exits 0 after errors, so the reports are checked for.
        run = subprocess.run(command, cwd=cwd, env={**os.environ, 'PYTHONPATH': scalesim}, capture_output=True, text=True)
        seconds = time.time() - start
        run_dir = os.path.join(work, 'run', name)
        if run.returncode != 0 or not os.path.exists(os.path.join(run_dir, REPORTS[0])):
            raise SystemExit(f'{name}: SCALE-Sim v3 failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}')
        keep(run_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return seconds


def write_meta(out, meta):
    with open(os.path.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')


def run_case(scalesim, case, force, latencies=None):
    """Runs one case; `latencies` (a RAMULATOR_CASES spec) turns UseRamulatorTrace on, its .npy files in v3's results/."""
    if isinstance(case[10], dict):  # a LAYOUT_CASES entry
        name, rows, cols, srams, df, interface, bw, buf, topology, gemm, layout, layout_file = case[:12]
        sparse_rep = case[12] if len(case) > 12 else None
        block = case[13] if len(case) > 13 else None
        bank_bw = None
    else:
        name, rows, cols, srams, df, interface, bw, buf, bank_bw, topology, gemm = case[:11]
        sparse_rep = case[11] if len(case) > 11 else None
        block = case[12] if len(case) > 12 else None
        layout = layout_file = None
    out = os.path.join(OUT, name)
    if os.path.exists(os.path.join(out, 'meta.json')) and not force:
        print(f'{name}: kept')
        return
    os.makedirs(out, exist_ok=True)
    read_buf, write_buf = buf if isinstance(buf, tuple) else (buf, buf)
    write_inputs(out, config_text(name, rows, cols, srams, df, interface, bw, read_buf, write_buf, bank_bw, sparse_rep, block, layout, latencies is not None), topology, layout_file)
    if latencies:
        write_latencies(out, len(topology.strip().split('\n')) - 1, latencies)

    def keep(run_dir):
        for report in REPORTS + (['SPARSE_REPORT.csv'] if sparse_rep else []):
            shutil.copy(os.path.join(run_dir, report), os.path.join(out, report))
    seconds = run_scalesim(scalesim, out, name, gemm, layout_file, keep, sorted(f for f in os.listdir(out) if f.endswith('.npy')))
    write_meta(out, {'gemm': gemm, 'scalesimV3Commit': 'fab89b7', 'scalesimSeconds': round(seconds, 2), **({'layout': True} if layout_file else {}),
                     **({'ramulator': True} if latencies else {})})
    print(f'{name}: {seconds:.1f} s')


def run_ramulator_case(scalesim, case, force):
    """A RAMULATOR_CASES entry, run as the LAYOUT_CASES entry (with a layout) or CASES entry it extends, with its latencies."""
    name, rows, cols, srams, df, bw, buffers, bank, topology, gemm, latencies, *sparse_rep = case
    rest = (topology, gemm, *bank) if isinstance(bank, tuple) else (bank, topology, gemm)
    run_case(scalesim, (name, rows, cols, srams, df, 'USER', bw, buffers, *rest, *sparse_rep), force, latencies)


def main(*groups):
    """The command line: for each (cases, run) group, run(checkout, case, force) for each case (or those --only names)."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--scalesim', required=True, help='checkout of scale-sim-v3 at fab89b7')
    parser.add_argument('--only', help='run only cases whose name contains this')
    parser.add_argument('--force', action='store_true')
    args = parser.parse_args()
    for cases, run in groups:
        for case in cases:
            if args.only is None or args.only in case[0]:
                run(os.path.abspath(args.scalesim), case, args.force)


if __name__ == '__main__':
    main((CASES + LAYOUT_CASES, run_case), (RAMULATOR_CASES, run_ramulator_case))
