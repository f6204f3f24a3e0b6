// Progress bars for long work, on stderr so --json output stays clean. cli-progress draws
// nothing when stderr is not a terminal, so logs and CI stay readable.
import cliProgress from 'cli-progress';

// A CommonJS module: Node's named-export detection finds SingleBar but not Format.
const { Format, SingleBar } = cliProgress;

export interface Progress {
  update(done: number, fields?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

/** Shown for a field (`{best}`, `{layer}`…) before its first value, and for an ETA not yet known. */
const UNKNOWN = '–';

/** Seconds as `42s`, `3m05s` or `1h02m`; cli-progress hands over 'INF' or 'NULL' before it can tell. */
export function formatEta(seconds: number | string): string {
  const t = Number(seconds);
  if (!Number.isFinite(t) || t < 0) return UNKNOWN;
  const pad = (v: number): string => String(v).padStart(2, '0');
  if (t >= 3600) return `${Math.floor(t / 3600)}h${pad(Math.floor((t % 3600) / 60))}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${pad(Math.round(t % 60))}s`;
  return `${Math.round(t)}s`;
}

/**
 * A bar `label [====] done/total | ETA 42s | extra`, where `extra` may name fields (`best {best}/s`)
 * that `update` fills in; until then they read '–'.
 */
export function progressBar(label: string, total: number, extra = '', stream: NodeJS.WritableStream = process.stderr): Progress {
  const fields = Object.fromEntries([...extra.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, UNKNOWN]));
  const template = `${label} [{bar}] {value}/{total} | ETA {eta_formatted}${extra ? ` | ${extra}` : ''}`;
  const bar = new SingleBar({
    // Before the first step cli-progress reports an ETA of 0 s; nothing is known yet.
    format: (options, params, payload) => Format.Formatter({ ...options, format: template }, params.value === 0 ? { ...params, eta: Number.NaN } : params, payload),
    formatTime: (t: number | string) => formatEta(t),
    stream,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  bar.start(total, 0, fields);
  return {
    update: (done, values) => bar.update(done, values),
    setTotal: (total) => bar.setTotal(total),
    stop: () => bar.stop(),
  };
}
