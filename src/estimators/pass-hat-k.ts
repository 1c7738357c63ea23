/**
 * pass^k ("all k tries succeed"), the reliability metric agent benchmarks report (τ-bench, Yao et al.
 * 2024, arXiv 2406.12045): the unbiased estimate C(c, k)/C(n, k) from n samples with c correct, its log,
 * and the exact per-sample gradient weights for binary rewards. Math: docs/estimators/pass-hat-k.md.
 */
import { DomainError } from '../errors.js';
import { countsMetric } from './pass-at-k.js';

/**
 * The most factors pass^k multiplies: the product has min(k, n − c) terms, so this bounds the work of
 * one call (about 0.1 s); larger arguments throw instead of running for minutes.
 */
export const PASS_HAT_K_MAX_TERMS = 10_000_000;

/** Throws unless n is a safe integer and the product has at most {@link PASS_HAT_K_MAX_TERMS} terms. */
function checkRange(n: number, c: number, k: number): void {
  if (n > Number.MAX_SAFE_INTEGER) {
    throw new DomainError('n', `n must be ≤ 2^53 − 1 (got n=${n}): larger counts are not exact doubles`);
  }
  const terms = Math.min(k, n - c);
  if (c >= k && terms > PASS_HAT_K_MAX_TERMS) {
    throw new DomainError(
      'k',
      `pass^k multiplies min(k, n − c) factors, which must be ≤ ${PASS_HAT_K_MAX_TERMS} (got k=${k}, n − c=${n - c})`,
    );
  }
}

/**
 * log(C(c, k)/C(n, k)) for validated arguments: −Infinity when c < k.
 *
 * Two equal products of ratios of integers: Π_{i=0..k−1} (c − i)/(n − i) (k terms) and
 * Π_{j=0..n−c−1} (n − k − j)/(n − j) (n − c terms); we take the shorter. A term a/b is summed as
 * log(a/b) when a/b < 1/2 and as log1p(−(b − a)/b) otherwise (b − a is exact), so each term is accurate
 * to a few ulps of itself even when a/b is close to 0 or to 1. (log1p(−k/i) alone loses ~n ulps when
 * k/i is close to 1: at n = 10^5, c = k = n − 1 it is 4.6e-12 off relative.) All terms have the same
 * sign, so the compensated sum keeps the relative error near machine epsilon.
 */
export function logPassHatKUnchecked(n: number, c: number, k: number): number {
  if (c < k) return -Infinity;
  if (c === n) return 0;
  const d = n - c;
  let sum = 0;
  let comp = 0;
  const useK = k <= d;
  const terms = useK ? k : d;
  for (let t = 0; t < terms; t++) {
    const a = useK ? c - t : n - k - t;
    const b = n - t;
    const term = 2 * a < b ? Math.log(a / b) : Math.log1p(-(b - a) / b);
    const s = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - s + term : term - s + sum;
    sum = s;
  }
  return sum + comp;
}

/** C(c, k)/C(n, k) for validated arguments: 0 when c < k, exactly 1 when c = n. */
export function passHatKUnchecked(n: number, c: number, k: number): number {
  return Math.exp(logPassHatKUnchecked(n, c, k));
}

function passHatKChecked(n: number, c: number, k: number): number {
  checkRange(n, c, k);
  return passHatKUnchecked(n, c, k);
}

function logPassHatKChecked(n: number, c: number, k: number): number {
  checkRange(n, c, k);
  return logPassHatKUnchecked(n, c, k);
}

/**
 * The unbiased pass^k estimate from n samples of which c are correct: the probability that k samples
 * drawn without replacement are all correct, C(c, k)/C(n, k) = Π_{i=0..k−1} (c − i)/(n − i).
 * 0 when c < k, 1 when c = n. Computed as a compensated sum of min(k, n − c) log terms: accurate to
 * ~1e-13 relative for n up to 10^5 and beyond (below ~1e-308 the result underflows; use
 * {@link logPassHatK}). n must be ≤ 2^53 − 1 and min(k, n − c) ≤ {@link PASS_HAT_K_MAX_TERMS}.
 *
 * Also takes arrays of n and/or c (one value per task) and then returns a Float64Array.
 *
 * @param n - samples drawn (integer ≥ 1), or one per task.
 * @param c - correct samples (integer, 0 ≤ c ≤ n), or one per task.
 * @param k - the number of tries that must all succeed (integer, 1 ≤ k ≤ n).
 * @example
 * ```ts
 * passHatK(8, 6, 4); // 0.21428571428571427 (= C(6,4)/C(8,4) = 15/70)
 * passHatK([10, 10], [10, 3], 5); // Float64Array [1, 0]
 * ```
 */
export function passHatK(n: number, c: number, k: number): number;
export function passHatK(n: number | ArrayLike<number>, c: ArrayLike<number>, k: number): Float64Array;
export function passHatK(n: ArrayLike<number>, c: number | ArrayLike<number>, k: number): Float64Array;
export function passHatK(n: number | ArrayLike<number>, c: number | ArrayLike<number>, k: number): number | Float64Array {
  return countsMetric(n, c, k, passHatKChecked);
}

/**
 * log(pass^k) = log(C(c, k)/C(n, k)) as a compensated sum of log terms; −Infinity when c < k, 0 when
 * c = n. Keeps full precision where pass^k underflows (e.g. n = 10^5, c = 5·10^4, k = 5·10^4 gives
 * −69310.5…). Same argument rules and array forms as {@link passHatK}.
 *
 * @example
 * ```ts
 * logPassHatK(8, 6, 4); // −1.5404450409471488 (= log(15/70))
 * ```
 */
export function logPassHatK(n: number, c: number, k: number): number;
export function logPassHatK(n: number | ArrayLike<number>, c: ArrayLike<number>, k: number): Float64Array;
export function logPassHatK(n: ArrayLike<number>, c: number | ArrayLike<number>, k: number): Float64Array;
export function logPassHatK(n: number | ArrayLike<number>, c: number | ArrayLike<number>, k: number): number | Float64Array {
  return countsMetric(n, c, k, logPassHatKChecked);
}
