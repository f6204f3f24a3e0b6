// Progress bars for long work, on stderr so --json output stays clean. cli-progress draws
// nothing when stderr is not a terminal, so logs and CI stay readable.
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, fields?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number, extra = ''): Progress {
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted}${extra ? ` | ${extra}` : ''}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  bar.start(total, 0);
  return {
    update: (done, fields) => bar.update(done, fields),
    setTotal: (total) => bar.setTotal(total),
    stop: () => bar.stop(),
  };
}
