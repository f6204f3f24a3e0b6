#!/usr/bin/env python3
"""Regenerates the SCALE-Sim v3 trace golden runs under test/golden/scalesim-v3/traces/.

Runs the public scale-sim-v3 (scalesim-project/scale-sim-v3, commit fab89b7) on every case below,
on layers small enough for v3's per-cycle traces (a few thousand demand lines), and stores, per
case, the inputs (config.cfg, topology.csv, layout.csv with a custom layout), v3's three reports
verbatim, and the six traces v3 writes per layer (single_layer_sim.py save_traces:
{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv) gzipped without a timestamp as layer<i>/<name>.gz, plus
meta.json (gemm, v3's wall time). Nothing here is edited by hand: rerun this script (existing cases
are kept unless --force). Run it with Debian's python3 (python3-numpy, python3-pandas,
python3-tqdm; no PyPI needed):

    /usr/bin/python3 scripts/scalesim-v3-traces.py --scalesim /tmp/scale-sim-v3 [--only NAME] [--force]

The configs are scripts/scalesim-v3-golden.py's (config_text, layout_csv): every dataflow in CALC
and USER mode, a GEMM, layer-wise and row-wise N:M sparsity, custom layouts, a negative FilterOffset below every
filter word, and negative offsets that put a word of an operand on address -1 (v3's padding marker), and
UseRamulatorTrace True with seeded synthetic latencies (stored as v3 reads them, _{ifmap,filter,ofmap}File<i>.npy).
"""
import gzip
import importlib.util
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'golden', 'scalesim-v3', 'traces')
TRACES = [f'{op}_{mem}_TRACE.csv' for op in ('IFMAP', 'FILTER', 'OFMAP') for mem in ('SRAM', 'DRAM')]

_spec = importlib.util.spec_from_file_location('v3golden', os.path.join(ROOT, 'scripts', 'scalesim-v3-golden.py'))
v3golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(v3golden)
REPORTS = v3golden.REPORTS

# a 3×3 conv of stride 3 whose operands (576 words each) outgrow a 1 kB buffer's 500-word CALC window and its
# 512-word USER active half in a few hundred demand lines, and a strided 2×2 one
TINY_CONV = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n' \
    't1, 12, 12, 3, 3, 4, 16, 3,\nt2, 9, 9, 2, 2, 3, 12, 2,\n'
TINY_MNK = 'Layer Name, M, N, K,\nG1, 20, 12, 30,\n'
# layer-wise 2:4 and 1:3 (K = 36 and 12)
TINY_SPARSE = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, Sparsity,\n' \
    't1, 12, 12, 3, 3, 4, 16, 3, 2:4,\nt2, 9, 9, 2, 2, 3, 12, 2, 1:3,\n'
NATURAL = v3golden.NATURAL
CHANNEL_FIRST = v3golden.CHANNEL_FIRST

# (name, rows, cols, SRAM kB, dataflow, CALC|USER, Bandwidth, request buffers, topology, gemm, layout, layout file or None[, options]);
# options: 'sparse' (SparseRep), 'block' (row-wise BlockSize), 'filter_offset', 'offsets' ({'IfmapOffset': value, ...}),
# 'ramulator' (UseRamulatorTrace True with scripts/scalesim-v3-golden.py's seeded latencies: (seed, low, high, length, dtype, spike))
DEFAULT = {'ifmap': (False, 4, 1, 2), 'filter': (False, 4, 1, 2)}
CALC_BANKS = {'ifmap': (False, 10, 10, 2), 'filter': (False, 10, 10, 2)}
CASES = [
    ('calc-os-conv', 8, 8, (1, 1, 1), 'os', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None),
    ('calc-ws-conv', 8, 8, (1, 1, 1), 'ws', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None),
    ('calc-is-conv', 8, 8, (1, 1, 1), 'is', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None),
    ('calc-ws-mnk', 8, 4, (1, 1, 1), 'ws', 'CALC', 10, 32, TINY_MNK, True, CALC_BANKS, None),
    ('user-os-conv', 8, 8, (1, 1, 1), 'os', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None),
    ('user-ws-conv', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (False, 6, 1, 2), 'filter': (False, 3, 1, 2)}, None),
    ('user-is-conv', 8, 8, (1, 1, 1), 'is', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None),
    ('user-os-mnk', 8, 4, (1, 1, 1), 'os', 'USER', 5, 16, TINY_MNK, True, {'ifmap': (False, 5, 1, 2), 'filter': (False, 5, 1, 2)}, None),
    ('sparse-calc-ws-csr', 8, 8, (1, 1, 1), 'ws', 'CALC', 10, 32, TINY_SPARSE, False, CALC_BANKS, None, {'sparse': 'csr'}),
    ('sparse-user-os-ellpack', 8, 8, (1, 1, 1), 'os', 'USER', 4, 8, TINY_SPARSE, False, DEFAULT, None, {'sparse': 'ellpack_block'}),
    ('sparse-calc-is-csc', 8, 8, (1, 1, 1), 'is', 'CALC', 10, 32, TINY_SPARSE, False, CALC_BANKS, None, {'sparse': 'csc'}),
    ('layout-user-ws-conv', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL),
    ('layout-user-is-conv', 8, 8, (2, 2, 1), 'is', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (True, 12, 1, 3), 'filter': (True, 12, 4, 3)}, CHANNEL_FIRST),
    # a negative FilterOffset below every filter word (v3 lays the filter out as arange + FilterOffset; one landing on -1 would vanish)
    ('layout-user-ws-negative-offset', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL,
     {'filter_offset': -100000}),
    # negative offsets that put one word of an operand on address -1, v3's padding marker: v3 drops that word
    ('offsets-calc-ws-conv', 8, 8, (1, 1, 1), 'ws', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None,
     {'offsets': {'IfmapOffset': -7, 'FilterOffset': -5, 'OfmapOffset': -3}}),
    ('offsets-calc-os-conv', 8, 8, (1, 1, 1), 'os', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None,
     {'offsets': {'IfmapOffset': -300, 'FilterOffset': -41, 'OfmapOffset': -100}}),
    ('offsets-calc-is-mnk', 8, 4, (1, 1, 1), 'is', 'CALC', 10, 32, TINY_MNK, True, CALC_BANKS, None,
     {'offsets': {'IfmapOffset': -1, 'FilterOffset': -360, 'OfmapOffset': -240}}),
    # most or all words below 0: the CALC window fills before the first address above -1 (v3's first request)
    ('offsets-calc-is-conv-below', 8, 8, (1, 1, 1), 'is', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None,
     {'offsets': {'IfmapOffset': -400, 'FilterOffset': -1000, 'OfmapOffset': -5}}),
    ('offsets-user-ws-conv', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (False, 6, 1, 2), 'filter': (False, 3, 1, 2)}, None,
     {'offsets': {'IfmapOffset': -200, 'FilterOffset': -300, 'OfmapOffset': -17}}),
    ('offsets-user-os-conv', 8, 8, (1, 1, 1), 'os', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None,
     {'offsets': {'IfmapOffset': -7, 'FilterOffset': -5, 'OfmapOffset': -3}}),
    ('offsets-user-is-conv', 8, 8, (1, 1, 1), 'is', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None,
     {'offsets': {'IfmapOffset': -50, 'FilterOffset': -576, 'OfmapOffset': -256}}),
    # a custom filter layout (the ifmap's needs IfmapOffset 0): the word drops out of its bank rows
    ('offsets-layout-user-ws-conv', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL,
     {'offsets': {'FilterOffset': -5, 'OfmapOffset': -3}}),
    ('offsets-layout-user-is-conv', 8, 8, (2, 2, 1), 'is', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (False, 12, 1, 3), 'filter': (True, 12, 4, 3)}, CHANNEL_FIRST,
     {'offsets': {'IfmapOffset': -9, 'FilterOffset': -100}}),
    # Ramulator's latencies (USER mode): the DRAM traces hold the ports' return cycles
    ('ramulator-user-os-conv', 8, 8, (1, 1, 1), 'os', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None, {'ramulator': (11, 1, 40, 300, 'int64', False)}),
    ('ramulator-user-ws-conv', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 4, TINY_CONV, False, {'ifmap': (False, 6, 1, 2), 'filter': (False, 3, 1, 2)}, None,
     {'ramulator': (12, 0, 25, 200, 'float64', True)}),
    ('ramulator-layout-user-is-conv', 8, 8, (2, 2, 1), 'is', 'USER', 4, 8, TINY_CONV, False, {'ifmap': (True, 12, 1, 3), 'filter': (True, 12, 4, 3)}, CHANNEL_FIRST,
     {'ramulator': (13, 2, 60, 400, 'int32', False)}),
    ('layout-sparse-user-ws-csr', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_SPARSE, False, {'ifmap': (True, 8, 4, 1), 'filter': (True, 8, 2, 1)}, NATURAL,
     {'sparse': 'csr'}),
    # row-wise N:M (OptimizedMapping, WS only): each filter column N:BlockSize, N drawn by numpy's seeded RNG
    ('rowwise-calc-ws-csr', 8, 8, (1, 1, 1), 'ws', 'CALC', 10, 32, TINY_CONV, False, CALC_BANKS, None, {'sparse': 'csr', 'block': 4}),
    ('rowwise-user-ws-ellpack', 8, 8, (1, 1, 1), 'ws', 'USER', 4, 8, TINY_CONV, False, DEFAULT, None, {'sparse': 'ellpack_block', 'block': 8}),
]


def gzip_file(src, dest):
    """Gzips src to dest without a name or timestamp, so a rerun writes the same bytes."""
    with open(src, 'rb') as f:
        data = f.read()
    with open(dest, 'wb') as out:
        with gzip.GzipFile(filename='', mode='wb', fileobj=out, compresslevel=9, mtime=0) as z:
            z.write(data)


def run_case(scalesim, case, force):
    name, rows, cols, srams, df, interface, bw, buf, topology, gemm, layout, layout_file = case[:12]
    options = case[12] if len(case) > 12 else {}
    sparse_rep = options.get('sparse')
    out = os.path.join(OUT, name)
    if os.path.exists(os.path.join(out, 'meta.json')) and not force:
        print(f'{name}: kept')
        return
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    latencies = options.get('ramulator')
    config = v3golden.config_text(name, rows, cols, srams, df, interface, bw, buf, buf, None, sparse_rep, options.get('block'), layout, latencies is not None)
    if 'filter_offset' in options:
        config = config.replace('FilterOffset:   10000000', f"FilterOffset:   {options['filter_offset']}")
    for key, value in options.get('offsets', {}).items():
        config = re.sub(rf'{key}:\s+\d+', f'{key}: {value}', config)
    v3golden.write_inputs(out, config, topology, layout_file)
    if latencies:
        v3golden.write_latencies(out, len(topology.strip().split('\n')) - 1, latencies)
    layers = []

    def keep(run_dir):
        for report in REPORTS + (['SPARSE_REPORT.csv'] if sparse_rep else []):
            shutil.copy(os.path.join(run_dir, report), os.path.join(out, report))
        # v3 writes the traces whatever scale.py's -s says (it passes save_disk_space=False)
        layers.extend(sorted(d for d in os.listdir(run_dir) if d.startswith('layer')))
        for layer in layers:
            os.makedirs(os.path.join(out, layer))
            for trace in TRACES:
                gzip_file(os.path.join(run_dir, layer, trace), os.path.join(out, layer, trace + '.gz'))
    seconds = v3golden.run_scalesim(scalesim, out, name, gemm, layout_file, keep, sorted(f for f in os.listdir(out) if f.endswith('.npy')))
    v3golden.write_meta(out, {'gemm': gemm, 'scalesimV3Commit': 'fab89b7', 'scalesimSeconds': round(seconds, 2), 'layers': len(layers),
                              **({'layout': True} if layout_file else {}), **({'ramulator': True} if latencies else {})})
    print(f'{name}: {seconds:.1f} s')


if __name__ == '__main__':
    v3golden.main((CASES, run_case))
