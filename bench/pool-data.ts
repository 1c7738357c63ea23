/**
 * The rewards of the pool bench (bench/pool.bench.ts) and of its machine-ceiling child processes
 * (bench/pool-ceiling.ts): the same seed, so a child's `length` values are the first `length` of the
 * bench's batch. Also their check of a result's bits.
 */
import { mulberry32 } from '../test/support/prng.js';

/** `length` uniform rewards in [0, 1), and the generator, to draw the bench's other inputs after them. */
export function poolRewards(length: number): { rewards: Float64Array; rng: () => number } {
  const rng = mulberry32(20_260_218);
  const rewards = Float64Array.from({ length }, () => rng());
  return { rewards, rng };
}

const PROBES = 4096;

/** A check of `expected`'s bits at PROBES spread-out positions. */
export function sameBits(label: string, expected: Float64Array): (r: unknown) => void {
  const step = Math.max(1, Math.floor(expected.length / PROBES));
  return (r) => {
    const got = r as Float64Array;
    if (got.length !== expected.length) throw new Error(`${label}: length ${got.length}, expected ${expected.length}`);
    for (let i = 0; i < expected.length; i += step) {
      if (!Object.is(got[i], expected[i])) throw new Error(`${label}: element ${i} is ${got[i]}, the direct call gave ${expected[i]}`);
    }
  };
}
