// Mapping measurements travel together. A simulated mapping costs microseconds, less than one
// trip through Redis, so the groups asked for in the same turn of the event loop (every layer's
// batch of a round when layers are tuned side by side, every accelerator and layer a co-design
// batch misses) are packed into as few jobs as keep the free worker slots busy: one job per free
// slot, each at most `maxPerJob` points, a group split across jobs where it must be. While every
// slot holds a job, new groups wait for one to come back and then go together; sent at once
// they would split into ever smaller jobs as the layers' rounds drift apart.
//
// The packing depends only on the groups and the free slots, so a coordinator restarted with the
// same workers packs its first jobs as before (same ids) and re-attaches to them.
import { JobFailedError, type MappingGroup, type MappingMeasureJob } from './jobs.js';

export interface Run {
  tuner: string;
  seed: number;
}

interface Request {
  group: MappingGroup;
  results: unknown[];
  missing: number;
  resolve: (values: unknown[]) => void;
  reject: (error: Error) => void;
}

/** A slice of one request's points, as one group of a job. */
interface Slice {
  request: Request;
  from: number;
  to: number;
}

export interface MappingJobRunner {
  run(job: MappingMeasureJob, tuner: string, seed: number): Promise<unknown>;
  /** Worker slots live on the mapping queue (at least 1). */
  mappingSlots(): Promise<number>;
}

export class MappingBatcher {
  private readonly pending = new Map<string, { run: Run; requests: Request[] }>();
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly runner: MappingJobRunner,
    private readonly maxPerJob: number,
  ) {}

  /** The results of `group`'s points, in order, as the worker returned them. */
  measure(group: MappingGroup, run: Run): Promise<unknown[]> {
    if (group.points.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const key = JSON.stringify([run.tuner, run.seed]);
      const entry = this.pending.get(key) ?? { run, requests: [] };
      entry.requests.push({ group, results: new Array(group.points.length), missing: group.points.length, resolve, reject });
      this.pending.set(key, entry);
      this.schedule();
    });
  }

  /** A flush after this turn of the event loop, once. */
  private schedule(): void {
    if (this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const slots = await this.runner.mappingSlots().catch(() => 1);
    this.scheduled = false;
    const free = slots - this.inFlight;
    if (free <= 0) return; // the next job back flushes
    const entries = [...this.pending.values()];
    this.pending.clear();
    // Runs (tuner, seed) never share a job; each gets the free slots, at least one job.
    for (const { run, requests } of entries) for (const slices of pack(requests, Math.max(1, Math.floor(free / entries.length)), this.maxPerJob)) void this.send(slices, run);
  }

  private async send(slices: Slice[], run: Run): Promise<void> {
    this.inFlight++;
    try {
      await this.sendJob(slices, run);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async sendJob(slices: Slice[], run: Run): Promise<void> {
    const job: MappingMeasureJob = { kind: 'measure-mapping', groups: slices.map(({ request, from, to }) => ({ ...request.group, points: request.group.points.slice(from, to) })) };
    try {
      const value = await this.runner.run(job, run.tuner, run.seed);
      const lists = Array.isArray(value) ? value : [];
      slices.forEach((slice, g) => {
        const list = lists[g];
        if (!Array.isArray(list) || list.length !== slice.to - slice.from) throw new JobFailedError(`expected ${slice.to - slice.from} results for ${slice.request.group.workload}, got ${JSON.stringify(list)?.slice(0, 80)}`);
      });
      slices.forEach(({ request, from }, g) => {
        (lists[g] as unknown[]).forEach((result, i) => (request.results[from + i] = result));
        request.missing -= (lists[g] as unknown[]).length;
        if (request.missing === 0) request.resolve(request.results);
      });
    } catch (error) {
      for (const { request } of slices) request.reject(error as Error);
    }
  }
}

/**
 * Requests' points cut into jobs of near-equal size, in request order: one per free slot, or a
 * multiple of them when maxPerJob needs more, so every slot gets the same share.
 */
function pack(requests: readonly Request[], slots: number, maxPerJob: number): Slice[][] {
  const total = requests.reduce((sum, r) => sum + r.group.points.length, 0);
  const jobs = Math.min(total, slots * Math.ceil(Math.ceil(total / maxPerJob) / slots));
  const share = Math.ceil(total / jobs);
  const packed: Slice[][] = [];
  let current: Slice[] = [];
  let room = share;
  for (const request of requests) {
    for (let from = 0; from < request.group.points.length; ) {
      const to = Math.min(request.group.points.length, from + room);
      current.push({ request, from, to });
      room -= to - from;
      from = to;
      if (room === 0) {
        packed.push(current);
        current = [];
        room = share;
      }
    }
  }
  if (current.length > 0) packed.push(current);
  return packed;
}
