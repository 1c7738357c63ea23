/**
 * pass^k ("all k tries succeed"), the reliability metric agent benchmarks report (τ-bench, Yao et al.
 * 2024, arXiv 2406.12045): the unbiased estimate C(c, k)/C(n, k) from n samples with c correct, its log,
 * and the exact per-sample gradient weights for binary rewards. Math: docs/estimators/pass-hat-k.md.
 */
import { DomainError } from '../errors.js';
import { checkArrayLike } from '../validate.js';
import type { BackendOptions } from '../backends/registry.js';
import { passAtKKernels } from '../backends/js/pass-at-k.js';
import { metricResult, type MetricOutputOptions, type MetricResult, type WeightArray } from '../groups.js';
import { binaryAdvantage, countCorrect, countsMetric } from './pass-at-k.js';
import { prepareKSample, prepareMetric, type Baseline, type KSampleWeightOptions } from './weights.js';

/** This family's reference kernels (the `js` backend): pass^k shares pass@k's binary kernels. */
const JS_KERNELS = passAtKKernels;

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

/**
 * The per-sample weights of pass^k for a group of n binary rewards with c correct, as [weight of a
 * correct sample, weight of an incorrect one], sum form, written without cancellation (P = pass^k):
 * - none: correct (k/n)·P(n−1, c−1, k−1); incorrect 0.
 * - loo: correct (k/n)·P(n−1, c−1, k−1)·(n−c)/(n−k); incorrect −(k/n)·P(n−1, c, k).
 * - loo-pkpo: correct (k/n)·P(n−1, c−1, k−1)·(n(n−1−c) + k)/((n−1)(n−k)); incorrect −(k/(n−1))·P(n−1, c, k).
 * - loo-1: correct 0 (f(I) = f(I∖i) whenever i is correct); incorrect −(k/n)·P(n−1, c, k−1).
 */
export function binaryPassHatWeights(n: number, c: number, k: number, baseline: Baseline): [number, number] {
  const r = k / n;
  const correct = c > 0 ? r * passHatKUnchecked(n - 1, c - 1, k - 1) : 0;
  switch (baseline) {
    case 'none':
      return [correct, 0];
    case 'loo':
      return [(correct * (n - c)) / (n - k), c < n ? -r * passHatKUnchecked(n - 1, c, k) : 0];
    case 'loo-pkpo':
      return [
        (correct * (n * (n - 1 - c) + k)) / ((n - 1) * (n - k)),
        c < n ? -(k / (n - 1)) * passHatKUnchecked(n - 1, c, k) : 0,
      ];
    case 'loo-1':
      return [0, c < n ? -r * passHatKUnchecked(n - 1, c, k - 1) : 0];
  }
}

/** Options of {@link passHatKWeights}: baseline, scale, batching, output (Float64Array or Float32Array), backend. */
export interface PassHatKWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {}

/**
 * Per-sample gradient weights of pass^k for binary rewards (0 or 1): Σ_i w_i ∇log π(y_i) is an unbiased
 * estimate of ∇ pass^k (minus a baseline that keeps it unbiased). O(n) per group; the same values as
 * `orderStatisticWeights(rewards, k, 'min')` on 0/1 rewards, from closed forms.
 *
 * With the default `'loo-1'` a correct sample gets 0 and an incorrect one −(k/n)·pass^(k−1) of the
 * others: pass^k only improves by removing failures. Sum form; `scale: 'mean'` multiplies by n.
 *
 * @param rewards - 0/1 rewards, one per sample; groups laid out per `groupSize` / `groupOffsets`.
 * @param k - the number of tries that must all succeed (1 ≤ k ≤ n in every group).
 * @example
 * ```ts
 * passHatKWeights([1, 1, 1, 0], 2);
 * // loo-1: Float64Array [0, 0, 0, −0.5] (= −(2/4)·pass^1 of [1, 1, 1])
 * passHatKWeights([1, 1, 1, 0], 2, { baseline: 'none' }); // [0.333…, 0.333…, 0.333…, 0]
 * ```
 */
export function passHatKWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: PassHatKWeightsOptions<Out>,
): Out {
  const p = prepareKSample('passHatKWeights', k, opts, { inputs: [['rewards', rewards, checkArrayLike]], jsKernels: JS_KERNELS });
  const values = p.arrays[0] as ArrayLike<number>;
  binaryAdvantage(values, p.layout, p.backend, p.out, 'passHatKWeights', (n, c) => {
    const w = binaryPassHatWeights(n, c, p.k, p.effectiveBaseline);
    return p.scaleByN ? [w[0] * n, w[1] * n] : w;
  });
  return p.out as Out;
}

/** Options of {@link passHatKOfRewards}: batching, output, backend. */
export interface PassHatKOfRewardsOptions extends MetricOutputOptions, BackendOptions {}

/**
 * pass^k of each group of 0/1 rewards: {@link passHatK} of its size n and its count of ones c. Returns a
 * number for one group, a Float64Array of B values when batched.
 *
 * @param rewards - 0/1 rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group.
 * @example
 * ```ts
 * passHatKOfRewards([1, 1, 1, 0], 2); // 0.5 (= C(3,2)/C(4,2))
 * passHatKOfRewards([1, 1, 0, 1], 2, { groupSize: 2 }); // Float64Array [1, 0]
 * ```
 */
export function passHatKOfRewards<O extends PassHatKOfRewardsOptions = Record<never, never>>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: O,
): MetricResult<O> {
  const { arrays, k: kk, layout, backend, out } = prepareMetric('passHatKOfRewards', k, opts, {
    inputs: [['rewards', rewards, checkArrayLike]],
    jsKernels: JS_KERNELS,
  });
  const values = arrays[0] as ArrayLike<number>;
  const counts = countCorrect(values, layout, backend, 'passHatKOfRewards');
  for (let b = 0; b < layout.groups; b++) {
    const n = (layout.offsets[b + 1] as number) - (layout.offsets[b] as number);
    out[b] = passHatKUnchecked(n, counts[b] as number, kk);
  }
  return metricResult(layout, out) as MetricResult<O>;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link passHatKWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * passHatKAdvantage([1, 1, 1, 0], 2); // same as passHatKWeights
 * ```
 */
export const passHatKAdvantage = passHatKWeights;

/** @deprecated Renamed {@link PassHatKWeightsOptions}. */
export type PassHatKAdvantageOptions<Out extends WeightArray = WeightArray> = PassHatKWeightsOptions<Out>;
