/**
 * The machinery shared by every k-sample estimator: the none / loo / loo-pkpo / loo-1 baselines, the
 * weight scale and the one setup path (`prepareKSample`). Math: docs/estimators/weights.md.
 */
import { kernel, resolveBackend, type BackendOptions } from '../backends/registry.js';
import { BaselineCode, type Backend, type KernelTable } from '../backends/types.js';
import { DomainError, show } from '../errors.js';
import {
  BATCH_KEYS,
  checkGroupSizes,
  checkKAtMostN,
  outputArray,
  resolveLayout,
  type Layout,
  type WeightArray,
  type WeightOutputOptions,
} from '../groups.js';
import { checkChoice, checkFiniteArray, checkFiniteNumber, checkInteger, checkOptions } from '../validate.js';

/**
 * What is subtracted from the raw per-sample weights s_i (docs/estimators/weights.md#baselines). Every choice keeps the gradient
 * unbiased; they differ in variance and centring.
 * - `'none'`: s_i as is.
 * - `'loo'`: s_i − (k/n)·ρ(g₋ᵢ, k). Exactly centred (weights sum to 0 per group). Needs k ≤ n − 1.
 * - `'loo-pkpo'`: s_i − (k/(n−1))·ρ(g₋ᵢ, k), the scale PKPO's paper uses (not centred). Needs k ≤ n − 1.
 * - `'loo-1'`: s_i − (k/n)·ρ(g₋ᵢ, k−1), the lowest-variance choice in PKPO's experiments; with n = k it
 *   is Tang et al.'s leave-one-out estimator. At k = 1 it falls back to `'loo'` (needs n ≥ 2).
 */
export type Baseline = 'none' | 'loo' | 'loo-pkpo' | 'loo-1';

/** All baselines, in the order the docs list them. */
export const BASELINES: readonly Baseline[] = ['none', 'loo', 'loo-pkpo', 'loo-1'];

/**
 * How weights are scaled. `'sum'`: Σ_i w_i ∇log π(y_i) is the gradient estimate (multiply each sample's
 * summed token log-probs by its weight and add). `'mean'`: weights times n, for trainers that average
 * the per-sample losses over the group (GRPO-style).
 */
export type WeightScale = 'sum' | 'mean';

/** Options of every k-sample weight estimator (pass@k, max@k, majority vote, best-of-N). */
export interface KSampleWeightOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * The baseline subtracted from s_i; see {@link Baseline}.
   * @defaultValue `'loo-1'`
   */
  baseline?: Baseline;
  /**
   * `'sum'` (weights sum-form) or `'mean'` (times n, for trainers that average over the group).
   * @defaultValue `'sum'`
   */
  scale?: WeightScale;
}

/** The option keys every k-sample weight estimator accepts. */
export const K_SAMPLE_KEYS = [...BATCH_KEYS, 'backend', 'baseline', 'scale'] as const;

/** Everything a k-sample weight estimator needs after validation. */
export interface PreparedKSample {
  readonly layout: Layout;
  readonly k: number;
  readonly baseline: Baseline;
  /** The baseline actually computed (`'loo-1'` at k = 1 becomes `'loo'`). */
  readonly effectiveBaseline: Baseline;
  readonly scaleByN: boolean;
  /** `opts.out` (a Float64Array or a Float32Array), or a new Float64Array. */
  readonly out: WeightArray;
  readonly backend: Backend;
}

/**
 * Validates k, the options, the layout and what the baseline needs of every group, and allocates the
 * output. `length` is the number of samples; `inputs` are the per-sample arrays as `[name, array]`
 * (already validated as arrays by the caller): the first names an empty input, and `opts.out` must
 * not share memory with any of them.
 */
export function prepareKSample(
  fn: string,
  length: number,
  k: unknown,
  opts: KSampleWeightOptions<WeightArray> | undefined,
  extraKeys: readonly string[] = [],
  inputs: readonly (readonly [string, unknown])[] = [],
  jsKernels: Partial<KernelTable> = {},
): PreparedKSample {
  checkOptions(opts, fn, [...K_SAMPLE_KEYS, ...extraKeys]);
  const kk = checkInteger(k, 'k', 1);
  const baseline = checkChoice(opts?.baseline, 'opts.baseline', BASELINES, 'loo-1');
  const scale = checkChoice(opts?.scale, 'opts.scale', ['sum', 'mean'] as const, 'sum');
  const backend = resolveBackend(opts?.backend, jsKernels);
  const layout = resolveLayout(length, opts, inputs[0]?.[0]);
  checkKAtMostN(layout, kk);
  const effectiveBaseline: Baseline = baseline === 'loo-1' && kk === 1 ? 'loo' : baseline;
  if (effectiveBaseline === 'loo' || effectiveBaseline === 'loo-pkpo') {
    const why = baseline === 'loo-1' ? "baseline 'loo-1' at k = 1 falls back to 'loo', which" : `baseline '${baseline}'`;
    checkGroupSizes(layout, kk + 1, (n) => `${why} needs k ≤ n − 1 (got k=${kk}, n=${n}`, 'k');
  }
  const out = outputArray(opts?.out, length, inputs, 'opts.out', true);
  return { layout, k: kk, baseline, effectiveBaseline, scaleByN: scale === 'mean', out, backend };
}

/** The kernel code of a baseline. */
export function baselineCode(baseline: Baseline): BaselineCode {
  return BaselineCode[baseline];
}
