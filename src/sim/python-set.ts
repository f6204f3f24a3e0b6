// The order `list(s)` gives for a CPython 3.11 set `s` of integers (integral floats hash alike)
// built by adding distinct keys one by one: SCALE-Sim lists its CALC prefetches set by set in this
// order (read_buffer_estimate_bw.py). Objects/setobject.c: a key goes to the first free slot of its
// probe sequence (10 linear slots from hash & mask while they fit in the table, then
// i = 5i + 1 + (perturb >>= 5)); once fill·5 ≥ mask·3 the table grows to the smallest power of two
// above 4 × used (2 × beyond 50,000) and the keys are re-inserted in slot order. Iteration runs over
// the slots.

const LINEAR_PROBES = 9n;

/** hash(key) as CPython's size_t: the integer itself (−1, which hashes to −2, is SCALE-Sim's padding and never a key). */
const hashOf = (key: number): bigint => BigInt.asUintN(64, BigInt(key));

function place(table: (number | undefined)[], key: number): void {
  const mask = BigInt(table.length - 1);
  let perturb = hashOf(key);
  let i = perturb & mask;
  for (;;) {
    const probes = i + LINEAR_PROBES <= mask ? Number(LINEAR_PROBES) : 0;
    for (let j = 0; j <= probes; j++) {
      if (table[Number(i) + j] === undefined) {
        table[Number(i) + j] = key;
        return;
      }
    }
    perturb >>= 5n;
    i = (i * 5n + 1n + perturb) & mask;
  }
}

/** `list()` of the set built by adding `keys` (distinct integers) in order. */
export function pythonSetOrder(keys: readonly number[]): number[] {
  let table = new Array<number | undefined>(8);
  keys.forEach((key, used) => {
    place(table, key);
    if ((used + 1) * 5 >= (table.length - 1) * 3) {
      const minUsed = used + 1 > 50_000 ? (used + 1) * 2 : (used + 1) * 4;
      let size = 8;
      while (size <= minUsed) size *= 2;
      const grown = new Array<number | undefined>(size);
      for (const k of table) if (k !== undefined) place(grown, k);
      table = grown;
    }
  });
  return table.filter((k): k is number => k !== undefined);
}
