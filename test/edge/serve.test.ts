// The README's commands for serving the edge handler, run as a user runs them: `deno serve` with
// read access to the wasm core only, and workerd with src/edge/workerd.capnp. /health answers
// 200 only when the core loads, so a missing permission shows there.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

let server: ChildProcess | undefined;
afterEach(() => {
  // npx runs deno as its child: end the whole process group.
  if (server?.pid !== undefined) process.kill(-server.pid);
  server = undefined;
});

/** Starts a server (through npx); resolves with its base URL once `ready` shows in its output. */
async function start(port: number, command: string[], ready: string): Promise<string> {
  server = spawn('npx', command, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer): void => {
      output += String(chunk);
      if (output.includes(ready)) resolve();
    };
    server!.stdout!.on('data', seen);
    server!.stderr!.on('data', seen);
    server!.on('exit', () => reject(new Error(`deno serve exited: ${output}`)));
  });
  return `http://127.0.0.1:${port}`;
}

const serve = (port: number, permissions: string[]): Promise<string> =>
  start(port, ['deno', 'serve', '--port', String(port), '--no-prompt', '--no-remote', ...permissions, 'dist/src/edge/deno.js'], 'Listening on');

describe('deno serve dist/src/edge/deno.js', () => {
  it('with --allow-read=dist/build answers /health with the core loaded, and a simulation', async () => {
    const url = await serve(8791, ['--allow-read=dist/build']);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, flavour: 'relaxed' });
    const simulated = await fetch(`${url}/simulate`, { method: 'POST', body: JSON.stringify({ model: 'alexnetconvs', target: 'systolic:eyeriss' }) });
    expect(simulated.status).toBe(200);
    expect((await simulated.json()).layers).toHaveLength(5);
  }, 60_000);

  it('without read access, /health is 503 and names the missing permission', async () => {
    const url = await serve(8792, []);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(/the WebAssembly core does not load: NotCapable: Requires read access to ".*dist\/build\/mapwise-relaxed\.wasm", run again with the --allow-read flag/);
  }, 60_000);
});

describe('npx workerd serve src/edge/workerd.capnp', () => {
  it('serves the edge bundle: /health with the core loaded, and /models', async () => {
    // workerd prints nothing when it listens: poll /health until it answers.
    const port = 8793;
    server = spawn('npx', ['workerd', 'serve', 'src/edge/workerd.capnp', '--socket-addr', `http=127.0.0.1:${port}`], { stdio: 'ignore', detached: true });
    let health: Response | undefined;
    for (let i = 0; i < 100 && !health; i++) health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 200)));
    expect(health!.status).toBe(200);
    expect(await health!.json()).toMatchObject({ ok: true, flavour: 'relaxed' });
    const models = await (await fetch(`http://127.0.0.1:${port}/models`)).json();
    expect(models.models.find((m: { name: string }) => m.name === 'resnet18').params).toBe(11_689_512);
  }, 60_000);
});
