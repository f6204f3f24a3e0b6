// Tuning logs on disk: append-only JSON lines, flushed to the disk after every batch so a
// crash loses at most the batch being measured.
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { formatRecord, type ParsedRecords, parseRecords, type TuningRecord } from '../tune/records.js';

export function appendRecords(path: string, records: readonly TuningRecord[]): void {
  if (records.length === 0) return;
  appendFileSync(path, `${records.map(formatRecord).join('\n')}\n`);
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The records of a log; a missing file is an empty log. */
export function readRecords(path: string): ParsedRecords {
  if (!existsSync(path)) return { records: [], warnings: [] };
  return parseRecords(readFileSync(path, 'utf8'), path);
}
