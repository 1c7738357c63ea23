/**
 * Data and result checks shared by bench/backends.bench.ts and bench/backends-js.ts (the js rows
 * measured in a process that never loads WebAssembly): the same seeds give the same batches in both.
 */
import { mulberry32 } from '../test/support/prng.js';

/** A batch of `length` values: rewards in {0, 1} (P(1) = 0.3) when `binary`, else uniform in [0, 1). */
export function randomBatch(length: number, binary: boolean, seed: number): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const u = random();
    out[i] = binary ? (u < 0.3 ? 1 : 0) : u;
  }
  return out;
}

/** Checks a few positions of every iteration's result against the js reference (cheap, never skipped). */
export function checker(expected: Float64Array, rel: number): (result: unknown) => void {
  const probes = [0, 1, 2, 3, expected.length >> 1, expected.length - 1];
  let maxAbs = 0;
  for (const i of probes) maxAbs = Math.max(maxAbs, Math.abs(expected[i] as number));
  return (result) => {
    const got = result as ArrayLike<number>;
    for (const i of probes) {
      const e = expected[i] as number;
      const err = Math.abs((got[i] as number) - e);
      if (!(err <= rel * (Math.abs(e) + maxAbs))) throw new Error(`result[${i}] = ${got[i]}, js gives ${e}`);
    }
  };
}

/** The estimators the backends bench times on each size. */
export type Workload = 'binary' | 'maxAtK' | 'bestOfN';

/** The title of a workload's table (the same in both processes, so their rows can be matched). */
export function workloadTitle(w: Workload, B: number, n: number, k: number): string {
  const name = w === 'binary' ? 'binary passAtKAdvantage' : w === 'maxAtK' ? 'continuous maxAtKAdvantage' : 'bestOfNAdvantage';
  return `${name} (loo-1), ${B.toLocaleString('en')} groups × n = ${n}, k = ${k}`;
}

/** The title of the binary floor table's group. */
export function floorTitle(B: number, n: number, k: number): string {
  return `binary passAtKAdvantage (loo-1) at the memory floor, ${B.toLocaleString('en')} groups × n = ${n}, k = ${k}`;
}

/** Seeds of each workload's data: binary and maxAtK one batch, bestOfN scores then rewards. */
export const SEEDS = { binary: 1, maxAtK: 2, bestOfNScores: 4, bestOfNRewards: 5, floor: (n: number) => 11 + n } as const;

/** (groups, n, k) of the workloads, and (groups, n, k, full) of the binary floor table. */
export function benchSizes(quick: boolean): { sizes: [number, number, number][]; floorSizes: [number, number, number, boolean][] } {
  return quick
    ? { sizes: [[200, 64, 8], [4, 1024, 64]], floorSizes: [[200, 64, 8, true], [4, 1024, 8, false]] }
    : { sizes: [[100_000, 64, 8], [1_000, 1024, 64]], floorSizes: [[100_000, 64, 8, true], [1_000, 1024, 8, false]] };
}
