// The CLI's progress bars as a terminal shows them: no raw {placeholders}, no garbled ETA.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatEta, progressBar } from '../../cli/progress.js';

/** A terminal-like stream that keeps what is written to it. */
function terminal(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const stream = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) }), { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => text };
}

describe('progress bars', () => {
  it('show every field before its first value and no ETA before the first step', () => {
    const t = terminal();
    const bar = progressBar('tuning alexnet', 1, '{layer} best {best}/s', t.stream);
    bar.stop();
    expect(t.text()).toContain('tuning alexnet');
    expect(t.text()).toContain('0/1 | ETA – | – best –/s');
    expect(t.text()).not.toMatch(/\{\w+\}/);
  });

  it('show the fields given and an ETA in seconds, minutes or hours', () => {
    const t = terminal();
    const bar = progressBar('co-design', 10, 'best {best}/s', t.stream);
    bar.update(5, { best: '361.2' });
    bar.stop();
    expect(t.text()).toMatch(/5\/10 \| ETA \d+s \| best 361\.2\/s/);
    expect([formatEta(0), formatEta(42.4), formatEta(185), formatEta(3725), formatEta('INF'), formatEta('NULL')]).toEqual(['0s', '42s', '3m05s', '1h02m', '–', '–']);
  });

  it('load in Node as the built CLI loads them (cli-progress is CommonJS)', () => {
    const run = spawnSync('node', ['--input-type=module', '-e', "const { formatEta } = await import('./dist/cli/progress.js'); console.log(formatEta(185));"], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('3m05s');
  });
});
