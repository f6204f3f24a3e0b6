// A TCP port on loopback that nothing listens on now: the OS picks it for a throwaway server,
// which closes at once, so a child process (redis-server, deno serve, workerd) can take it.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
