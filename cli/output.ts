// How every command reports: with --json exactly one JSON object on stdout, otherwise
// human-readable text. Messages and progress always go to stderr.

export interface OutputOptions {
  json?: boolean;
}

export function report<T extends object>(options: OutputOptions, result: T, asText: (result: T) => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${asText(result)}\n`);
}

export function message(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Rows as an aligned text table; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[], source: readonly (string | number)[]): string =>
    row.map((cell, i) => (typeof source[i] === 'number' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!, header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((row, i) => line(row, rows[i]!))].join('\n');
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(1);
  if (Math.abs(value) >= 1) return value.toFixed(3);
  return value.toPrecision(3);
}
