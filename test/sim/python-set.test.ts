// pythonSetOrder against CPython's own list(set) (test/golden/python-set/orders.json, written by
// scripts/python-set-golden.py): sets of 10 to 100,000 keys, through every resize of the table and
// its 50,000-key growth rule, with large and negative keys.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pythonSetOrder } from '../../src/sim/python-set.js';

interface Case { count: number; offset: number; modulus: number; seed: number; first: number[]; sha256: string }
const { cases } = JSON.parse(readFileSync(new URL('../golden/python-set/orders.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('pythonSetOrder = CPython 3.11', () => {
  it('has sets past the 50,000-key growth rule (a resize beyond 50,000 keys) and negative keys', () => {
    expect(Math.max(...cases.map((c) => c.count))).toBeGreaterThan(78_643); // a table of 2^17 slots grows at 78,643 keys, by 2 × used
    expect(cases.some((c) => c.offset < 0)).toBe(true);
  });

  it.each(cases.map((c) => [`${c.count} keys from ${c.offset}, mod ${c.modulus}, seed ${c.seed}`, c] as const))('%s', (_name, c) => {
    // the script's MINSTD draws, each key added once (a repeat leaves a set as it is)
    const keys = new Set<number>();
    for (let i = 0, x = c.seed; i < c.count; i++) {
      x = (x * 48271) % 2147483647;
      keys.add(c.offset + (x % c.modulus));
    }
    const order = pythonSetOrder([...keys]);
    expect(order.slice(0, 40)).toEqual(c.first);
    expect(createHash('sha256').update(order.join(',')).digest('hex')).toBe(c.sha256);
  });
});
