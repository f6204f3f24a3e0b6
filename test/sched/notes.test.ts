// The plain-words notes of a schedule, on hand-made cases whose figures are worked out below.
import { describe, expect, it } from 'vitest';
import { getCore } from '../../src/node/index.js';
import { scheduleNotes } from '../../src/sched/notes.js';
import { buildProblem } from '../../src/sched/problem.js';
import { simulatePipeline } from '../../src/sched/simulate.js';
import { tinyTarget } from './graphs.js';

// tinyTarget: 1 µs per MAC, 1 µs per byte on the link, 1000 B of parameter cache.
const chain = (specs: { macs: number; params: number; out: number }[], input = 0) =>
  specs.map((s, v) => ({ name: `n${v}`, macs: s.macs, paramCount: s.params, outputElements: s.out, preds: v ? [v - 1] : [], hostInputElements: v === 0 ? input : 0 }));

describe('schedule notes', () => {
  it('names idle cores, a forwarding stage, overflowing parameters and where the input goes', async () => {
    const core = await getCore();
    const p = buildProblem(chain([{ macs: 10, params: 1500, out: 4 }, { macs: 10, params: 0, out: 2 }], 100), tinyTarget(4));
    // n0 on stage 0, n1 on stage 2: stage 1 forwards n0's 4 bytes, stage 3 is idle.
    const notes = scheduleNotes(p, simulatePipeline(core, p, [0, 2]));
    expect(notes).toContain('stages 1 and 3 hold no nodes: the schedule runs on 2 of 4 cores, and stage 1 only forwards tensors through the host.');
    // 1500 − 1000 bytes stream at 1 µs each.
    expect(notes).toContain("Stage 0's parameters (0.00 MiB) overflow the 0.00 MiB on-chip cache: 0.00 MiB stream from the host on every inference (0.500 ms).");
    // 100 input bytes at 1 µs: 0.1 ms.
    expect(notes).toContain('The host sends the input (0 KiB, 0.100 ms) to stage 0, counted in its transfer time.');
    expect(notes.some((n) => n.startsWith('Transfers dominate'))).toBe(false);
  });

  it('says when transfers dominate the slowest stage, and stays quiet on one core', async () => {
    const core = await getCore();
    // Two 1-MAC ops passing a 50-byte tensor: each stage spends 50 µs on the link and 1 µs computing.
    const p = buildProblem(chain([{ macs: 1, params: 0, out: 50 }, { macs: 1, params: 0, out: 1 }]), tinyTarget(2));
    const notes = scheduleNotes(p, simulatePipeline(core, p, [0, 1]));
    expect(notes).toEqual(['Transfers dominate: the slowest stage (1) spends 0.051 ms of its 0.052 ms sending tensors over the host link and 0.001 ms computing, so more cores will not make this model faster.']);
    const one = buildProblem(chain([{ macs: 1, params: 0, out: 50 }, { macs: 1, params: 0, out: 1 }]), tinyTarget(1));
    expect(scheduleNotes(one, simulatePipeline(core, one, [0, 0]))).toEqual([]);
  });
});
