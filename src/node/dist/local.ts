// Scale-out on this machine, for tests and benchmarks: a private redis-server on a free loopback
// port in a temporary folder (no persistence), and `mapwise worker` processes attached to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (its data goes: no persistence) and starts a fresh one on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}


function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Waits until `child` writes a line matching `pattern` on `stream`, or fails naming what it wrote. */
function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what}: not ready within ${ms} ms; it wrote:\n${seen}`)), ms);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) done();
    };
    const onExit = (): void => fail(new Error(`${what} exited (${child.exitCode ?? child.signalCode}); it wrote:\n${seen}`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child[stream]!.off('data', onData);
      child.off('exit', onExit);
    };
    const done = (): void => {
      cleanup();
      resolve();
    };
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Extra arguments for redis-server (a password, TLS) and the URL's scheme and credentials. */
export interface RedisSetup {
  args?: string[];
  /** `redis://` or `rediss://` plus `user:password@` when the server wants them. */
  urlPrefix?: string;
  /** TLS: the server listens with --tls-port on the port, and none in the clear. */
  tls?: boolean;
}

async function spawnRedis(dir: string, port: number, setup: RedisSetup): Promise<ChildProcess> {
  const listen = setup.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(setup.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, 'stdout', /Ready to accept connections/, `redis-server on port ${port}`);
  return child;
}

export async function startRedis(setup: RedisSetup = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mapwise-redis-'));
  const port = await freePort();
  let child = await spawnRedis(dir, port, setup);
  const halt = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
  };
  return {
    url: `${setup.urlPrefix ?? 'redis://'}127.0.0.1:${port}`,
    port,
    async restart(downMs = 1000) {
      await halt();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await spawnRedis(dir, port, setup);
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it wrote on stderr so far (its log: one line per job). */
  log(): string;
  /** SIGTERM, then waits for it to finish its jobs and exit. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `mapwise worker` (`bin`: the CLI's script) and waits until it takes jobs. */
export async function startWorker(bin: string, url: string, ...args: string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [bin, 'worker', '--redis', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitFor(child, 'stderr', /taking jobs from/, 'mapwise worker');
  return {
    child,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
