// A checkpoint written by `mapwise train-scheduler` drives `schedule` and `compile` (--checkpoint),
// and a resume with flags that contradict it is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getCore, loadModel } from '../../src/node/index.js';
import { pipelineTarget } from '../../src/hw/pipeline.js';
import { problemFromGraph } from '../../src/sched/from-graph.js';
import { learnedSchedule } from '../../src/sched/learned.js';
import { assignmentToRecord } from '../../src/sched/problem.js';
import { checkpointWeights, type TrainState } from '../../src/sched/train.js';
import { trainScheduler } from '../../src/api/train-scheduler.js';

const dir = mkdtempSync(join(tmpdir(), 'mapwise-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mapwise = (...args: string[]) => spawnSync('node', ['bin/mapwise.js', ...args], { encoding: 'utf8' });
const checkpoint = join(dir, 'policy.json');
const small = ['--graphs', '2', '--min-nodes', '8', '--max-nodes', '10', '--imitation-epochs', '1', '--reinforce-epochs', '1', '--teacher-max-nodes', '50'];

describe('train-scheduler checkpoints', () => {
  it('are used by schedule and compile through --checkpoint, as the library uses their weights', async () => {
    const train = mapwise('train-scheduler', '--checkpoint', checkpoint, ...small, '--json');
    expect(train.status, train.stderr).toBe(0);
    const run = mapwise('schedule', 'synthetic:16:3', '--cores', '3', '--scheduler', 'learned', '--checkpoint', checkpoint, '--json');
    expect(run.status, run.stderr).toBe(0);
    const core = await getCore();
    const problem = problemFromGraph(await loadModel('synthetic:16:3'), pipelineTarget({ cores: 3 }));
    const weights = checkpointWeights(JSON.parse(readFileSync(checkpoint, 'utf8')), checkpoint);
    expect(JSON.parse(run.stdout).assignment).toEqual(assignmentToRecord(problem, learnedSchedule(core, problem, { weights })));

    const out = join(dir, 'compiled');
    const compile = mapwise('compile', 'synthetic:16:3', '--target', 'edgetpu:3', '--quick', '--checkpoint', checkpoint, '--out', out, '--json');
    expect(compile.status, compile.stderr).toBe(0);
    const learned = JSON.parse(compile.stdout).outcomes.find((o: { scheduler: string }) => o.scheduler === 'learned');
    expect(learned.result.assignment).toEqual(JSON.parse(run.stdout).assignment);
  }, 120_000);

  it('refuse a resume whose flags contradict the checkpoint, naming flag, value and file', () => {
    const conflict = mapwise('train-scheduler', '--checkpoint', checkpoint, '--graphs', '3', '--seed', '1');
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toContain(`${checkpoint}: resuming with --graphs 3 (the checkpoint has 2); drop the flag to resume`);
    const agreeing = mapwise('train-scheduler', '--checkpoint', checkpoint, ...small, '--json');
    expect(agreeing.status, agreeing.stderr).toBe(0);
    expect(JSON.parse(agreeing.stdout).steps).toBe(4);
  });

  it('are what the trainScheduler() facade returns: --json its report, the file its state; a stopped run resumed from its state ends the same', async () => {
    const file = join(dir, 'facade.json');
    const cli = mapwise('train-scheduler', '--checkpoint', file, '--seed', '3', ...small, '--json');
    expect(cli.status, cli.stderr).toBe(0);
    const facade = await trainScheduler({ seed: 3, graphs: 2, minNodes: 8, maxNodes: 10, imitationEpochs: 1, reinforceEpochs: 1, teacherMaxNodes: 50 });
    const { state, ...report } = facade;
    expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(JSON.stringify({ checkpoint: file, ...report })));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(state)));
    // Stopped after its two labels, then resumed from the state it had.
    let saved: TrainState | undefined;
    const stop = new AbortController();
    await expect(trainScheduler({ seed: 3, graphs: 2, minNodes: 8, maxNodes: 10, imitationEpochs: 1, reinforceEpochs: 1, teacherMaxNodes: 50, signal: stop.signal, onStep: (step, _done, current) => {
      saved = current();
      if (step === 2) stop.abort();
    } })).rejects.toThrow();
    expect(saved!.step).toBe(2);
    const resumed = await trainScheduler({ resume: saved! });
    expect(JSON.parse(JSON.stringify(resumed.state))).toEqual(JSON.parse(JSON.stringify(state)));
    await expect(trainScheduler({ resume: saved!, graphs: 5 })).rejects.toThrow(/resuming with graphs 5, the checkpoint has 2/);
  }, 120_000);

  it('reject a file that is no checkpoint, naming the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, sizes: [3, 1], params: '' }));
    const run = mapwise('schedule', 'synthetic:16:3', '--scheduler', 'learned', '--checkpoint', bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad\.json: field 'sizes' must start with \d+ and end with 1, got \[3, 1\]/);
  });
});
