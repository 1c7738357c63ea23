/**
 * The rewards of the pool bench (bench/pool.bench.ts) and of its machine-ceiling child processes
 * (bench/pool-ceiling.ts): the same seed, so a child's `length` values are the first `length` of the
 * bench's batch.
 */
import { mulberry32 } from '../test/support/prng.js';

/** `length` uniform rewards in [0, 1), and the generator, to draw the bench's other inputs after them. */
export function poolRewards(length: number): { rewards: Float64Array; rng: () => number } {
  const rng = mulberry32(20_260_218);
  const rewards = Float64Array.from({ length }, () => rng());
  return { rewards, rng };
}
