/**
 * Generators of extreme inputs and the exact error measure the accuracy contracts are stated in:
 * |computed − exact| / bound, where the bound is the function's stated condition quantity (the result
 * itself, or Σ|coefficient·value| of the sum it is defined by). Shared by the extreme-range oracle tests.
 */
import { Q } from './rational.js';

/** Unit roundoff of float64. */
export const EPS = 2 ** -53;

/** |actual − exact| / bound, in units of EPS; Infinity for NaN or a non-finite actual. 0 when exact. */
export function errorInEps(actual: number, exact: Q, bound: Q): number {
  if (!Number.isFinite(actual)) return Infinity;
  const err = Q.fromNumber(actual).sub(exact);
  if (err.isZero()) return 0;
  if (bound.isZero()) return Infinity;
  const ratio = err.div(bound);
  return Math.abs(ratio.toNumber()) / EPS;
}

/** |x| for a rational. */
export function qabs(x: Q): Q {
  return x.num < 0n ? x.neg() : x;
}

/** The largest finite double. */
export const MAX = Number.MAX_VALUE;

/** Rewards in [0, 1]: doubles and quarter steps (ties). */
export function unitReward(random: () => number): number {
  return random() < 0.3 ? Math.floor(random() * 5) / 4 : random();
}

/** A group of n rewards in [0, 1] with `count` penalties −10^p placed at random. */
export function withPenalties(n: number, p: number, count: number, random: () => number): number[] {
  const g = Array.from({ length: n }, () => unitReward(random));
  for (let j = 0; j < count; j++) g[Math.floor(random() * n)] = -(10 ** p);
  return g;
}

/** Values near ±MAX_VALUE mixed with moderate ones: the whole finite range in one group. */
export function nearMax(n: number, random: () => number): number[] {
  const big = [MAX, -MAX, MAX / 2, -MAX / 2, 1e308, -1e308, 1.5e308, -1.7e308];
  return Array.from({ length: n }, () => {
    const u = random();
    if (u < 0.5) return big[Math.floor(random() * big.length)]!;
    if (u < 0.75) return (random() * 2 - 1) * MAX;
    return unitReward(random);
  });
}
