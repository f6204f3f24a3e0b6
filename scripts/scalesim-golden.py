#!/usr/bin/env python3
"""Regenerates the SCALE-Sim v2 golden set under test/golden/sim/.

Runs the public scale-sim-v2 (commit 22f88b1) on every case below and stores, per case, the
inputs (config.cfg, topology.csv) and SCALE-Sim's three reports verbatim, plus its wall time.
Nothing here is edited by hand: rerun this script to regenerate (existing cases are kept unless
--force). Run it with Debian's python3 (python3-numpy, python3-tqdm):

    /usr/bin/python3 scripts/scalesim-golden.py --scalesim /tmp/scalesim [--only NAME] [--force]

The random cases come from a fixed seed, so the case list is the same on every machine.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'golden', 'sim')

PRESETS = {
    # name: (rows, cols, ifmap kB, filter kB, ofmap kB) as in scale-sim-v2/configs/*.cfg
    'google': (256, 256, 6144, 6144, 2048),
    'eyeriss': (12, 14, 36, 36, 36),
    'scale': (32, 32, 64, 64, 64),
}

# (case name, preset, dataflow, bundled topology path relative to the checkout, gemm?)
NETWORKS = [
    ('scale-alexnet_part-ws', 'scale', 'ws', 'topologies/conv_nets/alexnet_part.csv', False),
    ('scale-alexnet_part-os', 'scale', 'os', 'topologies/conv_nets/alexnet_part.csv', False),
    ('scale-alexnet_part-is', 'scale', 'is', 'topologies/conv_nets/alexnet_part.csv', False),
    ('google-alexnet-os', 'google', 'os', 'topologies/conv_nets/alexnet.csv', False),
    ('google-alexnet-ws', 'google', 'ws', 'topologies/conv_nets/alexnet.csv', False),
    ('google-alexnet-is', 'google', 'is', 'topologies/conv_nets/alexnet.csv', False),
    ('google-Resnet18-os', 'google', 'os', 'topologies/conv_nets/Resnet18.csv', False),
    ('google-mobilenet-ws', 'google', 'ws', 'topologies/conv_nets/mobilenet.csv', False),
    ('google-Resnet18-is', 'google', 'is', 'topologies/conv_nets/Resnet18.csv', False),
    ('google-Resnet50-ws', 'google', 'ws', 'topologies/mlperf/Resnet50.csv', False),
    ('eyeriss-alexnet_part-ws', 'eyeriss', 'ws', 'topologies/conv_nets/alexnet_part.csv', False),
    ('eyeriss-alexnet_part-is', 'eyeriss', 'is', 'topologies/conv_nets/alexnet_part.csv', False),
]

ARRAY_DIMS = [4, 5, 7, 8, 12, 14, 16, 23, 31, 32, 48, 64, 100, 128, 200, 256]
SRAM_KB = [1, 2, 3, 4, 8, 16, 64]


def fold_lines(df, R, C, M, N, K):
    ceil = lambda a, b: -(-a // b)
    if df == 'os':
        return ceil(M, R) * ceil(N, C) * (K + R + C - 2)
    if df == 'ws':
        return ceil(K, R) * ceil(N, C) * (2 * R + C + M - 2)
    return ceil(K, R) * ceil(M, C) * (2 * R + C + N - 2)


def random_cases(count, seed):
    rng = random.Random(seed)
    kinds = ['conv', 'conv', 'stride2', 'pointwise', 'row', 'mono', 'gemm']
    cases = []
    i = 0
    while len(cases) < count:
        i += 1
        user = len(cases) % 5 == 4          # every fifth case uses USER bandwidth
        kind = kinds[len(cases) % len(kinds)]
        df = ['os', 'ws', 'is'][len(cases) % 3]
        R, C = rng.choice(ARRAY_DIMS), rng.choice(ARRAY_DIMS)
        srams = [rng.choice(SRAM_KB) for _ in range(3)]
        if kind == 'gemm':
            M, N, K = rng.randint(1, 300), rng.randint(1, 300), rng.randint(1, 300)
            row = None
            gemm = (M, N, K)
        else:
            H = rng.randint(3, 40)
            W = H if rng.random() < 0.6 else rng.randint(3, 40)
            fh = rng.randint(1, min(H, 7))
            fw = rng.randint(1, min(W, 7))
            ch = rng.randint(1, 48)
            nf = rng.randint(1, 96)
            sh = rng.randint(1, 3)
            sw = sh
            if kind == 'stride2':
                sh = sw = 2
            elif kind == 'pointwise':
                fh = fw = 1
                sh = sw = rng.choice([1, 2])
            elif kind == 'row':
                fh = 1
                fw = rng.randint(2, min(W, 7)) if W >= 2 else 1
                sw = rng.randint(1, 2)
            elif kind == 'mono':
                ch = 1
            row = [H, W, fh, fw, ch, nf, sh, sw]
            oh = -(-(H - fh + sh) // sh)
            ow = -(-(W - fw + sw) // sw)
            M, N, K = oh * ow, nf, fh * fw * ch
            gemm = None
        lines = fold_lines(df, R, C, M, N, K)
        budget = 4000 if user else 30000
        if lines > budget or lines * (R + C) > (4e5 if user else 4e6):
            continue
        name = 'r%02d-%s-%s%s' % (len(cases), kind, df, '-user' if user else '')
        case = {'name': name, 'rows': R, 'cols': C, 'sramKB': srams, 'dataflow': df,
                'interface': 'USER' if user else 'CALC', 'bandwidth': rng.randint(1, 16) if user else 10}
        if gemm:
            case['gemm'] = True
            case['topology'] = 'Layer, M, N, K,\n%s,%d,%d,%d,\n' % (name, *gemm)
        else:
            case['gemm'] = False
            extra = '' if row[6] == row[7] else ', %d' % row[7]
            fields = row[:7] if row[6] == row[7] else row
            case['topology'] = ('Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, '
                                'Num Filter, Strides,\n%s, %s,\n' % (name, ', '.join(str(x) for x in fields)))
        cases.append(case)
    return cases


# Small USER-mode cases kept for their traces (1 kB buffers: many prefetches and stalls):
# (name, rows, cols, SRAM kB, dataflow, Bandwidth, conv row [H, W, FH, FW, C, N, S]).
USER_TRACE_CASES = [
    ('u-conv-os-user', 4, 4, [1, 1, 1], 'os', 3, [10, 10, 3, 3, 3, 8, 1]),
    ('u-conv-ws-user', 4, 5, [1, 1, 1], 'ws', 2, [12, 12, 3, 3, 2, 10, 1]),
    ('u-conv-is-user', 6, 4, [1, 2, 1], 'is', 5, [9, 9, 2, 2, 4, 12, 1]),
]


def user_trace_cases():
    return [{'name': name, 'rows': R, 'cols': C, 'sramKB': srams, 'dataflow': df, 'interface': 'USER', 'bandwidth': bw,
             'gemm': False,
             'topology': ('Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, '
                          'Num Filter, Strides,\n%s, %s,\n' % (name, ', '.join(str(x) for x in row)))}
            for name, R, C, srams, df, bw, row in USER_TRACE_CASES]


def config_text(name, R, C, srams, df, interface, bandwidth):
    return ('[general]\nrun_name = %s\n\n[architecture_presets]\nArrayHeight:    %d\nArrayWidth:     %d\n'
            'IfmapSramSzkB:    %d\nFilterSramSzkB:   %d\nOfmapSramSzkB:    %d\nIfmapOffset:    0\n'
            'FilterOffset:   10000000\nOfmapOffset:    20000000\nDataflow : %s\nBandwidth : %d\n'
            'MemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: %s\n'
            % (name, R, C, srams[0], srams[1], srams[2], df, bandwidth, interface))


def all_cases(scalesim):
    cases = []
    for name, preset, df, topo, gemm in NETWORKS:
        R, C, i, f, o = PRESETS[preset]
        with open(os.path.join(scalesim, topo)) as fh:
            text = fh.read()
        cases.append({'name': name, 'rows': R, 'cols': C, 'sramKB': [i, f, o], 'dataflow': df,
                      'interface': 'CALC', 'bandwidth': 10, 'gemm': gemm, 'topology': text,
                      'source': topo, 'preset': preset})
    return cases + random_cases(40, 4) + user_trace_cases()


def run_case(scalesim, case, force):
    folder = os.path.join(OUT, case['name'])
    if os.path.exists(os.path.join(folder, 'meta.json')) and not force:
        return
    os.makedirs(folder, exist_ok=True)
    cfg = os.path.join(folder, 'config.cfg')
    topo = os.path.join(folder, 'topology.csv')
    with open(cfg, 'w') as fh:
        fh.write(config_text('run', case['rows'], case['cols'], case['sramKB'], case['dataflow'],
                             case['interface'], case['bandwidth']))
    with open(topo, 'w') as fh:
        fh.write(case['topology'])
    work = '/tmp/scalesim-golden-%s' % case['name']
    shutil.rmtree(work, ignore_errors=True)
    cmd = [sys.executable, os.path.join(scalesim, 'scalesim', 'scale.py'), '-c', cfg, '-t', topo, '-p', work]
    if case['gemm']:
        cmd += ['-i', 'gemm']
    env = dict(os.environ, PYTHONPATH=scalesim, OMP_NUM_THREADS='1')
    start = time.time()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.time() - start
    for report in ('COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'):
        shutil.copy(os.path.join(work, 'run', report), os.path.join(folder, report))
    shutil.rmtree(work, ignore_errors=True)
    meta = {k: v for k, v in case.items() if k != 'topology'}
    meta['scalesimSeconds'] = round(seconds, 3)
    meta['scalesimCommit'] = '22f88b1'
    with open(os.path.join(folder, 'meta.json'), 'w') as fh:
        json.dump(meta, fh, indent=1)
        fh.write('\n')
    print('%-40s %8.1f s' % (case['name'], seconds), flush=True)


# Small cases whose per-cycle SRAM and DRAM traces are kept (SCALE-Sim's API with save_disk_space=False).
TRACE_CASES = ['r01-conv-ws', 'r21-conv-os', 'r38-pointwise-is'] + [c[0] for c in USER_TRACE_CASES]
TRACES = ['%s_%s_TRACE.csv' % (op, mem) for mem in ('SRAM', 'DRAM') for op in ('IFMAP', 'FILTER', 'OFMAP')]


def run_traces(scalesim, name, force):
    folder = os.path.join(OUT, name)
    out = os.path.join(folder, 'traces')
    if all(os.path.exists(os.path.join(out, t)) for t in TRACES) and not force:
        return
    meta = json.load(open(os.path.join(folder, 'meta.json')))
    work = '/tmp/scalesim-golden-trace-%s' % name
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    code = ('import sys; sys.path.insert(0, %r)\n'
            'from scalesim.scale_sim import scalesim\n'
            's = scalesim(save_disk_space=False, verbose=False, config=%r, topology=%r, input_type_gemm=%r)\n'
            's.run_scale(top_path=%r)\n') % (scalesim, os.path.join(folder, 'config.cfg'), os.path.join(folder, 'topology.csv'), meta['gemm'], work)
    subprocess.run([sys.executable, '-c', code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.makedirs(out, exist_ok=True)
    for trace in TRACES:
        shutil.copy(os.path.join(work, 'run', 'layer0', trace), os.path.join(out, trace))
    shutil.rmtree(work, ignore_errors=True)
    print('%-40s traces' % name, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--scalesim', required=True, help='checkout of scale-sim-v2 at 22f88b1')
    parser.add_argument('--only', help='run only cases whose name contains this')
    parser.add_argument('--skip-networks', action='store_true')
    parser.add_argument('--force', action='store_true')
    parser.add_argument('--list', action='store_true')
    parser.add_argument('--traces', action='store_true', help='only (re)make the SRAM and DRAM traces of TRACE_CASES')
    args = parser.parse_args()
    if args.traces:
        for name in TRACE_CASES:
            run_traces(args.scalesim, name, args.force)
        return
    for case in all_cases(args.scalesim):
        if args.only and args.only not in case['name']:
            continue
        if args.skip_networks and 'source' in case:
            continue
        if args.list:
            print(case['name'], case['rows'], case['cols'], case['sramKB'], case['topology'].splitlines()[-1])
            continue
        run_case(args.scalesim, case, args.force)


if __name__ == '__main__':
    main()
