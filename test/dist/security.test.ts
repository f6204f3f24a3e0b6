// Redis with a password, and over TLS (rediss://, a throwaway CA made here with openssl): workers
// and coordinators connect, and the password reaches no log, record, stdout or stderr; a wrong
// password is refused with the server's reason, the password still hidden.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startWorker, type RedisServer, type WorkerProcess } from '../helpers/redis.js';

const PASSWORD = 'pw-7f3a91c2-never-logged';
const run = promisify(execFile);
const TUNE = ['bin/mapwise.js', 'tune', 'alexnetconvs', '--layer', '1', '--target', 'systolic:eyeriss', '--trials', '16', '--batch-size', '16', '--json'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mapwise-security-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CA and a server certificate for 127.0.0.1 signed by it. */
async function certificates(): Promise<{ ca: string; cert: string; key: string }> {
  const at = (name: string): string => join(dir, name);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=mapwise-test-ca']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(at('san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '1', '-extfile', at('san.cnf')]);
  return { ca: at('ca.pem'), cert: at('server.pem'), key: at('server.key') };
}

for (const tls of [false, true]) {
  describe(tls ? 'rediss:// with a password' : 'redis:// with a password', () => {
    let redis: RedisServer;
    let worker: WorkerProcess;
    beforeAll(async () => {
      const args = ['--requirepass', PASSWORD];
      if (tls) {
        const { ca, cert, key } = await certificates();
        args.push('--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca, '--tls-auth-clients', 'no');
        process.env.NODE_EXTRA_CA_CERTS = ca; // the children trust the throwaway CA
      }
      redis = await startRedis({ args, tls, urlPrefix: `${tls ? 'rediss' : 'redis'}://:${PASSWORD}@` });
      worker = await startWorker(redis.url);
    });
    afterAll(async () => {
      await worker?.kill();
      await redis?.stop();
      delete process.env.NODE_EXTRA_CA_CERTS;
    });

    it('tune --redis runs, and the password appears in no log, record or output', async () => {
      const log = join(dir, `tls-${tls}.jsonl`);
      const { stdout, stderr } = await run('node', [...TUNE, '--log', log, '--redis', redis.url], { timeout: 60_000 });
      expect(JSON.parse(stdout).layers[0].trials).toBe(16);
      expect(worker.log()).toMatch(new RegExp(`taking jobs from .* at ${tls ? 'rediss' : 'redis'}://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}`));
      expect(worker.log()).toMatch(/measure-mapping-[0-9a-f]+ .* done/);
      for (const text of [stdout, stderr, worker.log(), readFileSync(log, 'utf8')]) expect(text).not.toContain(PASSWORD);
    });

    if (!tls) {
      it('a wrong password is refused with the server\'s reason, the password hidden', async () => {
        const wrong = redis.url.replace(PASSWORD, 'wrong-password-4c1d');
        const failure = await run('node', [...TUNE, '--redis', wrong], { timeout: 60_000 }).then(() => undefined, (error: { stderr: string }) => error.stderr);
        expect(failure).toMatch(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? did not answer within 15 s: WRONGPASS/);
        expect(failure).not.toContain('wrong-password-4c1d');
      });
    }
  });
}
