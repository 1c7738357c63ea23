/**
 * max@k for continuous rewards: the unbiased metric and the exact per-sample gradient weights of
 * Walder & Karkhanis (PKPO, arXiv 2505.15201) in O(n log n) per group. Math: docs/estimators/max-at-k.md.
 */
import { kernel, resolveBackend, type BackendOptions } from '../backends/registry.js';
import { maxAtKKernels } from '../backends/js/max-at-k.js';
import { sortKernels } from '../backends/js/sort.js';
import { MaxAtKWeights, SegmentedSort, SortedMaxMetric } from '../backends/types.js';
import {
  BATCH_KEYS,
  checkKAtMostN,
  metricResult,
  outputArray,
  resolveLayout,
  type MetricOutputOptions,
  type MetricResult,
} from '../groups.js';
import { checkFiniteArray, checkInteger, checkOptions } from '../validate.js';
import { baselineCode, prepareKSample, prepareMetric, type KSampleWeightOptions } from './weights.js';

/** This family's reference kernels (the `js` backend). */
const JS_KERNELS = { ...sortKernels, ...maxAtKKernels };

/** Options of {@link maxAtK}: batching, output, backend. */
export interface MaxAtKOptions extends MetricOutputOptions, BackendOptions {}

/**
 * The unbiased estimate of E[max of k samples] from n ≥ k samples: the mean of max over all
 * k-subsets, Σ_{i≥k} μ_i g_(i) with μ_i = C(i−1,k−1)/C(n,k) over the ascending sort. For 0/1 rewards it
 * is pass@k. Returns a number for one group, a Float64Array of B values when batched.
 *
 * @param g - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group.
 * @example
 * ```ts
 * maxAtK([0.1, 0.7, 0.3, 0.9, 0.5], 2); // 0.7
 * maxAtK([0, 1, 1, 0, 0, 0], 2, { groupSize: 3 }); // Float64Array [1, 0]
 * ```
 */
export function maxAtK<O extends MaxAtKOptions = Record<never, never>>(
  g: ArrayLike<number>,
  k: number,
  opts?: O,
): MetricResult<O> {
  const { arrays, k: kk, layout, backend, out } = prepareMetric('maxAtK', k, opts, {
    inputs: [['g', g, 'finite']],
    jsKernels: JS_KERNELS,
  });
  const values = arrays[0] as ArrayLike<number>;
  const sorted = new Float64Array(values.length);
  kernel(backend, SegmentedSort)(values, layout.offsets, sorted);
  kernel(backend, SortedMaxMetric)(sorted, layout.offsets, kk, out);
  if (!allFinite(out)) {
    // A group whose range overflows: see maxAtKAdvantage. Sorting commutes with x ↦ x/4.
    for (let i = 0; i < sorted.length; i++) sorted[i] = (sorted[i] as number) / 4;
    kernel(backend, SortedMaxMetric)(sorted, layout.offsets, kk, out);
    for (let b = 0; b < out.length; b++) out[b] = (out[b] as number) * 4;
  }
  return metricResult(layout, out) as MetricResult<O>;
}

/** True when every value is finite (one multiply-add per value, no branch). */
function allFinite(a: Float64Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += (a[i] as number) * 0;
  return acc === 0;
}

/** Options of {@link maxAtKAdvantage}: baseline, scale, batching, output, backend. */
export interface MaxAtKAdvantageOptions extends KSampleWeightOptions {}

/**
 * Per-sample gradient weights of max@k for any finite rewards: in ascending order,
 * s_(i) = (1/C(n,k)) [C(i−1,k−1) g_(i) + Σ_{j>i} C(j−2,k−2) g_(j)], minus the chosen baseline.
 * Tied rewards get equal weights. O(n log n) per group (the sort), O(n) after.
 *
 * Sum form (see {@link passAtKAdvantage}); `scale: 'mean'` multiplies by n.
 *
 * @param g - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @example
 * ```ts
 * maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2, { baseline: 'none' });
 * // Float64Array [0.24, 0.30, 0.24, 0.36, 0.26]
 * maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2); // loo-1: [0, 0.12, 0.02, 0.20, 0.06]
 * ```
 */
export function maxAtKAdvantage(g: ArrayLike<number>, k: number, opts?: MaxAtKAdvantageOptions): Float64Array {
  const p = prepareKSample('maxAtKAdvantage', k, opts, { inputs: [['g', g, 'finite']], jsKernels: JS_KERNELS });
  const values = p.arrays[0] as ArrayLike<number>;
  const { offsets } = p.layout;
  kernel(p.backend, MaxAtKWeights)(values, offsets, p.k, baselineCode(p.effectiveBaseline), p.scaleByN, p.out);
  if (!allFinite(p.out)) {
    // Only a group whose range overflows (e.g. [−1e308, 1e308]) gets here: the kernels shift by the
    // group minimum, and Inf − Inf is NaN. The weights are positively homogeneous in g, so compute
    // them on g/4 (exact but for subnormals) and scale back.
    const scaled = Float64Array.from(values, (x) => x / 4);
    kernel(p.backend, MaxAtKWeights)(scaled, offsets, p.k, baselineCode(p.effectiveBaseline), p.scaleByN, p.out);
    for (let i = 0; i < p.out.length; i++) p.out[i] = (p.out[i] as number) * 4;
  }
  return p.out;
}
