/**
 * max@k for continuous rewards: the unbiased metric and the exact per-sample gradient weights of
 * Walder & Karkhanis (PKPO, arXiv 2505.15201) in O(n log n) per group. Math: docs/estimators/max-at-k.md.
 */
import { kernel, type BackendOptions } from '../backends/registry.js';
import { maxAtKKernels } from '../backends/js/max-at-k.js';
import { sortKernels } from '../backends/js/sort.js';
import { MaxAtKWeights, SegmentedSort, SortedMaxMetric } from '../backends/types.js';
import {
  viaFloat64,
  type WeightArray,
  metricResult,
  type MetricOutputOptions,
  type MetricResult,
} from '../groups.js';
import { checkFiniteArray, deferringFiniteCheck, nonFiniteError } from '../validate.js';
import { allFinite, baselineCode, onScaledRewards, prepareKSample, prepareMetric, retryIfOverflow, type KSampleWeightOptions } from './weights.js';

/** This family's reference kernels (the `js` backend). */
const JS_KERNELS = { ...sortKernels, ...maxAtKKernels };

/** Options of {@link maxAtK}: batching, output, backend. */
export interface MaxAtKOptions extends MetricOutputOptions, BackendOptions {}

/**
 * The unbiased estimate of E[max of k samples] from n ≥ k samples: the mean of max over all
 * k-subsets, Σ_{i≥k} μ_i g_(i) with μ_i = C(i−1,k−1)/C(n,k) over the ascending sort. For 0/1 rewards it
 * is pass@k. Returns a number for one group, a Float64Array of B values when batched.
 *
 * @param rewards - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group.
 * @example
 * ```ts
 * maxAtK([0.1, 0.7, 0.3, 0.9, 0.5], 2); // 0.7
 * maxAtK([0, 1, 1, 0, 0, 0], 2, { groupSize: 3 }); // Float64Array [1, 0]
 * ```
 */
export function maxAtK<O extends MaxAtKOptions = Record<never, never>>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: O,
): MetricResult<O> {
  const { arrays, k: kk, layout, backend, out } = prepareMetric('maxAtK', k, opts, {
    inputs: [['rewards', rewards, checkFiniteArray]],
    jsKernels: JS_KERNELS,
  });
  const values = arrays[0] as ArrayLike<number>;
  const sorted = new Float64Array(values.length);
  kernel(backend, SegmentedSort)(values, layout.offsets, sorted);
  // Sorting commutes with x ↦ x/4, so the overflow retry can rescale the sorted copy.
  retryIfOverflow(sorted, out, (s) => kernel(backend, SortedMaxMetric)(s, layout.offsets, kk, out));
  return metricResult(layout, out) as MetricResult<O>;
}

/** Options of {@link maxAtKWeights}: baseline, scale, batching, output (Float64Array or Float32Array), backend. */
export interface MaxAtKWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {}

/**
 * Per-sample gradient weights of max@k for any finite rewards: in ascending order,
 * s_(i) = (1/C(n,k)) [C(i−1,k−1) g_(i) + Σ_{j>i} C(j−2,k−2) g_(j)], minus the chosen baseline.
 * Tied rewards get equal weights. O(n log n) per group (the sort), O(n) after.
 *
 * Sum form (see {@link passAtKWeights}); `scale: 'mean'` multiplies by n.
 *
 * @param rewards - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @example
 * ```ts
 * maxAtKWeights([0.1, 0.7, 0.3, 0.9, 0.5], 2, { baseline: 'none' });
 * // Float64Array [0.24, 0.30, 0.24, 0.36, 0.26]
 * maxAtKWeights([0.1, 0.7, 0.3, 0.9, 0.5], 2); // loo-1: [0, 0.12, 0.02, 0.20, 0.06]
 * ```
 */
export function maxAtKWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: MaxAtKWeightsOptions<Out>,
): Out {
  // Float arrays are checked for finiteness by the kernel, in the pass that finds each group's range.
  const rewardsCheck = deferringFiniteCheck();
  const p = prepareKSample('maxAtKWeights', k, opts, { inputs: [['rewards', rewards, rewardsCheck.check]], jsKernels: JS_KERNELS });
  const deferred = rewardsCheck.deferred();
  const values = p.arrays[0] as ArrayLike<number>;
  const { offsets } = p.layout;
  const run = kernel(p.backend, MaxAtKWeights);
  const code = baselineCode(p.effectiveBaseline);
  viaFloat64(p.out, p.layout, (out) => {
    const status = run(values, offsets, p.k, code, p.scaleByN, out);
    if (typeof status !== 'number' && deferred) checkFiniteArray(values, 'rewards');
    if (typeof status === 'number' && status >= 0) throw nonFiniteError('rewards', values[status], status);
    // Only a group whose range overflows (e.g. [−1e308, 1e308]) fails the finiteness of the output:
    // the weights are positively homogeneous in the rewards, so compute them on rewards / 4.
    if (typeof status === 'number' ? status === -2 : !allFinite(out)) {
      onScaledRewards(values, 4, out, (v) => run(v, offsets, p.k, code, p.scaleByN, out));
    }
  });
  return p.out as Out;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link maxAtKWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2); // same as maxAtKWeights
 * ```
 */
export const maxAtKAdvantage = maxAtKWeights;

/** @deprecated Renamed {@link MaxAtKWeightsOptions}. */
export type MaxAtKAdvantageOptions<Out extends WeightArray = WeightArray> = MaxAtKWeightsOptions<Out>;
