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

/** Fixed-point precision of {@link lnQ}: ln x is returned as an integer L with ln x ≈ L / 2^LN_BITS. */
export const LN_BITS = 2400n;

function atanhSeries(zNum: bigint, zDen: bigint): bigint {
  // Σ z^(2j+1)/(2j+1) in fixed point, z = zNum/zDen with |z| ≤ 1/3.
  // On |z| (a right shift of a negative BigInt rounds toward −∞ and never reaches 0), sign restored last.
  if (zNum < 0n) return -atanhSeries(-zNum, zDen);
  const one = 1n << LN_BITS;
  let term = (zNum * one) / zDen;
  const z2 = (term * term) >> LN_BITS;
  let sum = term;
  for (let j = 1n; term !== 0n; j++) {
    term = (term * z2) >> LN_BITS;
    sum += term / (2n * j + 1n);
  }
  return sum;
}

let ln2: bigint | undefined;

/** ln of a positive rational to 2^-2400 absolute (a fixed-point integer, see {@link LN_BITS}). */
export function lnQ(x: Q): bigint {
  if (x.num <= 0n) throw new Error('lnQ: x must be positive');
  ln2 ??= 2n * atanhSeries(1n, 3n);
  let e = x.num.toString(2).length - x.den.toString(2).length;
  // m = x / 2^e ∈ [1/2, 2); pull it into [2/3, 4/3] so z = (m − 1)/(m + 1) ∈ [−1/5, 1/7].
  let mNum = e >= 0 ? x.num : x.num << BigInt(-e);
  let mDen = e >= 0 ? x.den << BigInt(e) : x.den;
  if (3n * mNum > 4n * mDen) {
    mDen *= 2n;
    e += 1;
  } else if (3n * mNum < 2n * mDen) {
    mNum *= 2n;
    e -= 1;
  }
  return BigInt(e) * ln2 + 2n * atanhSeries(mNum - mDen, mNum + mDen);
}

/** q·(λe^λ − e^λ + 1) = p·λ − p + q with λ = ln(p/q), exactly but for the 2^-2400 error of λ. */
export function klSummand(p: Q, q: Q): Q {
  if (p.isZero()) return q;
  const lambda = new Q(lnQ(p.div(q)), 1n << LN_BITS);
  return p.mul(lambda).sub(p).add(q);
}
