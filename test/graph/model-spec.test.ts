// The one grammar of model specs: every form, its defaults, and the errors a user sees.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GRAPH_SPEC_KINDS, MODEL_SPEC_KINDS, ModelSpecError, builtinGraph, dnnLikeGraph, layeredDag, modelSpecHelp, parseModelSpec, zooModel,
} from '../../src/graph/index.js';

describe('parseModelSpec', () => {
  it('reads zoo names as users write them, with or without @SIZE', () => {
    expect(parseModelSpec('resnet50')).toEqual({ kind: 'zoo', name: 'resnet50' });
    expect(parseModelSpec(' ResNet-50 ')).toEqual({ kind: 'zoo', name: 'resnet50' });
    expect(parseModelSpec('ResNet-50@299')).toEqual({ kind: 'zoo', name: 'resnet50', size: 299 });
    expect(parseModelSpec('mobilenet_v2@160')).toEqual({ kind: 'zoo', name: 'mobilenetv2', size: 160 });
  });

  it('reads generator specs with their defaults (seed 1, levels N/2)', () => {
    expect(parseModelSpec('synthetic:30')).toEqual({ kind: 'synthetic', nodes: 30, seed: 1, levels: 15 });
    expect(parseModelSpec('synthetic:30:7')).toEqual({ kind: 'synthetic', nodes: 30, seed: 7, levels: 15 });
    expect(parseModelSpec('Synthetic:50:2:20')).toEqual({ kind: 'synthetic', nodes: 50, seed: 2, levels: 20 });
    expect(parseModelSpec('dnnlike:12')).toEqual({ kind: 'dnnlike', blocks: 12, seed: 1 });
    expect(parseModelSpec('dnnlike:12:3')).toEqual({ kind: 'dnnlike', blocks: 12, seed: 3 });
  });

  it('reads SCALE-Sim topologies and file paths', () => {
    expect(parseModelSpec('scalesim:ResNet18')).toEqual({ kind: 'scalesim', network: 'resnet18' });
    expect(parseModelSpec('models/net.onnx')).toEqual({ kind: 'file', path: 'models/net.onnx', bare: false });
    expect(parseModelSpec('net.ONNX')).toEqual({ kind: 'file', path: 'net.ONNX', bare: false });
    expect(parseModelSpec('C:\\nets\\a.onnx')).toEqual({ kind: 'file', path: 'C:\\nets\\a.onnx', bare: false });
    // A word that is no zoo name may be a file in the working directory, where files are accepted.
    expect(parseModelSpec('mynet')).toEqual({ kind: 'file', path: 'mynet', bare: true });
  });

  it.each([
    ['', /model '': empty; expected NAME\[@SIZE\]/],
    ['synthetic:', /model 'synthetic:': expected synthetic:N\[:SEED\[:LEVELS\]\]/],
    ['synthetic:1:2:1:4', /expected synthetic:N\[:SEED\[:LEVELS\]\]/],
    ['synthetic:x', /model 'synthetic:x': N \(nodes\) must be a whole number from 1 to 100000, got 'x'/],
    ['synthetic:0', /N \(nodes\) must be a whole number from 1 to 100000, got '0'/],
    ['synthetic:10:-1', /SEED must be a whole number from 0 to 2147483647, got '-1'/],
    ['synthetic:5:1:9', /LEVELS must be a whole number from 1 to 5, got '9'/],
    ['dnnlike:4:1:2', /model 'dnnlike:4:1:2': expected dnnlike:B\[:SEED\]/],
    ['dnnlike:2.5', /B \(blocks\) must be a whole number/],
    ['scalesim:', /expected scalesim:NETWORK/],
    ['resnet50@', /model 'resnet50@': @SIZE must be a whole number of pixels, got ''/],
    ['resnet50@299.5', /@SIZE must be a whole number of pixels, got '299\.5'/],
    ['resnet50@abc', /@SIZE must be a whole number of pixels, got 'abc'/],
    ['resnet50@16', /model 'resnet50@16': resnet50 downsamples too much for a 16x16 input; it takes at least 32x32/],
    ['inceptionv4@74', /takes at least 75x75/],
    ['resnet50@5000', /whole number of pixels up to 4096/],
    ['vgg16convs@224', /vgg16convs has fixed layer shapes and takes no @size/],
    ['resnet51@224', /model 'resnet51@224': no zoo model 'resnet51'; known: alexnet, vgg16/],
  ])('refuses %j, saying why', (text, message) => {
    expect(() => parseModelSpec(text)).toThrow(ModelSpecError);
    expect(() => parseModelSpec(text)).toThrow(message);
  });

  it('refuses forms the caller does not accept, listing those it does', () => {
    expect(() => parseModelSpec('scalesim:alexnet', GRAPH_SPEC_KINDS)).toThrow(
      /model 'scalesim:alexnet': one of the topologies SCALE-Sim bundles is not accepted here; expected NAME\[@SIZE\].*PATH: an ONNX file$/,
    );
    expect(() => parseModelSpec('net.onnx', ['zoo'])).toThrow(/an ONNX file is not accepted here; expected NAME\[@SIZE\]: a zoo model/);
    // Without files, an unknown word is an unknown model, not a file name.
    expect(() => parseModelSpec('lenet', ['zoo', 'synthetic'])).toThrow(/model 'lenet' is not a zoo model \(alexnet, .*\); expected NAME\[@SIZE\].*synthetic:N/);
  });
});

describe('builtinGraph', () => {
  it('builds zoo, synthetic and dnnlike specs as the zoo and the seeded generators do', () => {
    expect(builtinGraph(parseModelSpec('resnet50@299'))).toEqual(zooModel('resnet50', 299));
    expect(builtinGraph(parseModelSpec('synthetic:30:7'))).toEqual(layeredDag({ nodes: 30, levels: 15, seed: 7 }));
    expect(builtinGraph(parseModelSpec('dnnlike:12:3'))).toEqual(dnnLikeGraph({ blocks: 12, seed: 3 }));
    expect(builtinGraph(parseModelSpec('scalesim:alexnet'))).toBeUndefined();
    expect(builtinGraph(parseModelSpec('a/b.onnx'))).toBeUndefined();
  });
});

describe('modelSpecHelp', () => {
  it('writes every accepted form once, in order, and the SCALE-Sim names when given', () => {
    const help = modelSpecHelp(MODEL_SPEC_KINDS, ['alexnet', 'resnet18']);
    const forms = ['NAME[@SIZE]', 'synthetic:N[:SEED[:LEVELS]]', 'dnnlike:B[:SEED]', 'scalesim:NETWORK', 'PATH'];
    expect(forms.map((f) => help.indexOf(`${f}: `))).toEqual([...forms.map((f) => help.indexOf(`${f}: `))].sort((a, b) => a - b));
    for (const f of forms) expect(help.split(`${f}: `).length, f).toBe(2);
    expect(help).toMatch(/scalesim:NETWORK: one of the topologies SCALE-Sim bundles \(alexnet, resnet18\)/);
    expect(modelSpecHelp(['zoo'])).toBe('NAME[@SIZE]: a zoo model (mapwise zoo lists them), at its own input size or at SIZE x SIZE pixels, e.g. resnet50@299');
  });

  it('is the only place that writes the grammar: no other source spells out a generator form', () => {
    const offenders: string[] = [];
    const scan = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) scan(path);
        else if (/\.(ts|js|html)$/.test(entry.name) && path !== join('src', 'graph', 'model-spec.ts')) {
          if (/(synthetic|dnnlike):[NB]\b|\[:seed|\[:levels/i.test(readFileSync(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    for (const dir of ['src', 'cli', 'web-demo']) scan(dir);
    expect(offenders).toEqual([]);
  });
});
