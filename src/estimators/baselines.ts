/**
 * The none / loo / loo-pkpo / loo-1 machinery of SPEC §0 shared by every k-sample estimator, and the
 * ordinary mean-reward baselines (GRPO, RLOO) for comparison. Math: docs/estimators/pass-at-k.md.
 */
import { kernel, resolveBackend, type BackendOptions } from '../backends/registry.js';
import { AffineScatter, BaselineCode, GroupMoments, type Backend } from '../backends/types.js';
import { DomainError } from '../errors.js';
import {
  BATCH_KEYS,
  checkGroupSizes,
  checkKAtMostN,
  outputArray,
  resolveLayout,
  type Layout,
  type WeightOutputOptions,
} from '../groups.js';
import { checkChoice, checkFiniteArray, checkFiniteNumber, checkInteger, checkOptions } from '../validate.js';

/**
 * What is subtracted from the raw per-sample weights s_i (SPEC §0). Every choice keeps the gradient
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
export interface KSampleWeightOptions extends WeightOutputOptions, BackendOptions {
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
  readonly out: Float64Array;
  readonly backend: Backend;
}

/**
 * Validates k, the options, the layout and what the baseline needs of every group, and allocates the
 * output. `length` is the number of samples (already validated as an array by the caller).
 */
export function prepareKSample(
  fn: string,
  length: number,
  k: unknown,
  opts: KSampleWeightOptions | undefined,
  extraKeys: readonly string[] = [],
): PreparedKSample {
  checkOptions(opts, fn, [...K_SAMPLE_KEYS, ...extraKeys]);
  const kk = checkInteger(k, 'k', 1);
  const baseline = checkChoice(opts?.baseline, 'opts.baseline', BASELINES, 'loo-1');
  const scale = checkChoice(opts?.scale, 'opts.scale', ['sum', 'mean'] as const, 'sum');
  const backend = resolveBackend(opts?.backend);
  const layout = resolveLayout(length, opts);
  checkKAtMostN(layout, kk);
  const effectiveBaseline: Baseline = baseline === 'loo-1' && kk === 1 ? 'loo' : baseline;
  if (effectiveBaseline === 'loo' || effectiveBaseline === 'loo-pkpo') {
    const why = baseline === 'loo-1' ? "baseline 'loo-1' at k = 1 falls back to 'loo', which" : `baseline '${baseline}'`;
    checkGroupSizes(layout, kk + 1, (n) => `${why} needs k ≤ n − 1 (got k=${kk}, n=${n}`, 'k');
  }
  const out = outputArray(opts?.out, length);
  return { layout, k: kk, baseline, effectiveBaseline, scaleByN: scale === 'mean', out, backend };
}

/** The kernel code of a baseline. */
export function baselineCode(baseline: Baseline): BaselineCode {
  return BaselineCode[baseline];
}

// ---------------------------------------------------------------------------------------------------
// Ordinary baselines (SPEC §4).

/** Options of {@link grpoAdvantage}. Presets of popular trainers: {@link GRPO_PRESETS}. */
export interface GrpoOptions extends WeightOutputOptions, BackendOptions {
  /**
   * `'std'`: (g − mean) / (std + eps). `'none'`: g − mean (Dr. GRPO).
   * @defaultValue `'std'`
   */
  normalize?: 'std' | 'none';
  /**
   * Delta degrees of freedom of the std: 1 is torch's `std()` (what verl and TRL call), 0 numpy's default.
   * ddof 1 needs n ≥ 2 in every group.
   * @defaultValue `1`
   */
  ddof?: 0 | 1;
  /**
   * Added to the std before dividing. A zero-variance group gives all zeros whatever eps is (never NaN,
   * never a division by eps).
   * @defaultValue `0`
   */
  eps?: number;
}

/** The GRPO settings of popular trainers: verl divides by (std + 1e-6), TRL by (std + 1e-4); both ddof 1. */
export const GRPO_PRESETS = {
  verl: { normalize: 'std', ddof: 1, eps: 1e-6 },
  trl: { normalize: 'std', ddof: 1, eps: 1e-4 },
} as const satisfies Record<string, GrpoOptions>;

/**
 * GRPO's group-normalised advantage: (g_i − mean(g)) / (std(g) + eps) per group (Shao et al. 2024).
 *
 * Mean-reward objective (k = 1) with a biased normalisation; here for comparison with the k-sample
 * estimators. A group whose rewards are all equal gets zeros.
 *
 * @example
 * ```ts
 * grpoAdvantage([1, 0, 0, 1]); // Float64Array [0.866…, −0.866…, −0.866…, 0.866…]
 * grpoAdvantage(rewards, { ...GRPO_PRESETS.verl, groupSize: 8 });
 * ```
 */
export function grpoAdvantage(rewards: ArrayLike<number>, opts?: GrpoOptions): Float64Array {
  checkOptions(opts, 'grpoAdvantage', [...BATCH_KEYS, 'backend', 'normalize', 'ddof', 'eps']);
  const values = checkFiniteArray(rewards, 'rewards');
  const normalize = checkChoice(opts?.normalize, 'opts.normalize', ['std', 'none'] as const, 'std');
  const ddof = checkChoice(opts?.ddof, 'opts.ddof', [0, 1] as const, 1);
  const eps = opts?.eps === undefined ? 0 : checkFiniteNumber(opts.eps, 'opts.eps');
  if (eps < 0) throw new DomainError('opts.eps', `opts.eps must be ≥ 0 (got ${eps})`);
  const backend = resolveBackend(opts?.backend);
  const layout = resolveLayout(values.length, opts);
  if (normalize === 'std' && ddof === 1) {
    checkGroupSizes(layout, 2, (n) => `opts.ddof = 1 needs n ≥ 2 (got n=${n}`, 'opts.ddof');
  }
  const out = outputArray(opts?.out, values.length);
  const { offsets, groups } = layout;
  const mean = new Float64Array(groups);
  const sumSquares = new Float64Array(groups);
  const range = new Float64Array(groups);
  kernel(backend, GroupMoments)(values, offsets, mean, sumSquares, range);
  const scale = new Float64Array(groups).fill(1);
  if (normalize === 'std') {
    for (let b = 0; b < groups; b++) {
      const n = (offsets[b + 1] as number) - (offsets[b] as number);
      scale[b] = range[b] === 0 ? 0 : 1 / (Math.sqrt((sumSquares[b] as number) / (n - ddof)) + eps);
    }
  }
  kernel(backend, AffineScatter)(values, offsets, mean, scale, out);
  for (let b = 0; b < groups; b++) {
    const ss = sumSquares[b] as number;
    const extreme =
      !Number.isFinite(mean[b] as number) ||
      (normalize === 'std' && range[b] !== 0 && !(Number.isFinite(range[b] as number) && ss > 1e-280 && ss < Infinity));
    if (!extreme) continue;
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    const m = scaledMoments(values, start, end);
    if (normalize === 'std') {
      const denom = Math.sqrt(m.sumSquares / (end - start - ddof)) + eps / m.unit;
      for (let i = start; i < end; i++) out[i] = ((values[i] as number) / m.unit - m.mean) / denom;
    } else {
      for (let i = start; i < end; i++) out[i] = ((values[i] as number) / m.unit - m.mean) * m.unit;
    }
  }
  return out;
}

/**
 * Mean and Σ(x − mean)² of one group of x / unit, unit = max |x|. Rewards near the ends of the double
 * range overflow (Σx, (x − mean)² for |x| ≳ 1e154) or underflow ((x − mean)² for |x| ≲ 1e-162) in
 * the plain formulas, which would give NaN, ±Infinity or silent zeros; scaled to [−1, 1] they cannot.
 * Only such rare groups take this path.
 */
function scaledMoments(values: ArrayLike<number>, start: number, end: number): { unit: number; mean: number; sumSquares: number } {
  let unit = 0;
  for (let i = start; i < end; i++) unit = Math.max(unit, Math.abs(values[i] as number));
  const n = end - start;
  let sum = 0;
  for (let i = start; i < end; i++) sum += (values[i] as number) / unit;
  let mean = sum / n;
  let corr = 0;
  for (let i = start; i < end; i++) corr += (values[i] as number) / unit - mean;
  mean += corr / n;
  let sumSquares = 0;
  for (let i = start; i < end; i++) {
    const d = (values[i] as number) / unit - mean;
    sumSquares += d * d;
  }
  return { unit, mean, sumSquares };
}

/** Options of {@link rlooAdvantage}. */
export interface RlooOptions extends WeightOutputOptions, BackendOptions {}

/**
 * REINFORCE leave-one-out (Ahmadian et al. 2024): g_i − mean(g₋ᵢ) = n/(n−1)·(g_i − mean(g)). Needs
 * n ≥ 2 in every group. The k = 1 case of the `'loo'` baseline, times n.
 *
 * @example
 * ```ts
 * rlooAdvantage([1, 0, 0, 0]); // Float64Array [1, −0.333…, −0.333…, −0.333…]
 * ```
 */
export function rlooAdvantage(rewards: ArrayLike<number>, opts?: RlooOptions): Float64Array {
  checkOptions(opts, 'rlooAdvantage', [...BATCH_KEYS, 'backend']);
  const values = checkFiniteArray(rewards, 'rewards');
  const backend = resolveBackend(opts?.backend);
  const layout = resolveLayout(values.length, opts);
  checkGroupSizes(layout, 2, (n) => `rewards of rlooAdvantage need n ≥ 2 samples per group (got n=${n}`, 'rewards');
  const out = outputArray(opts?.out, values.length);
  const { offsets, groups } = layout;
  const mean = new Float64Array(groups);
  const scale = new Float64Array(groups);
  kernel(backend, GroupMoments)(values, offsets, mean, new Float64Array(groups), new Float64Array(groups));
  for (let b = 0; b < groups; b++) {
    const n = (offsets[b + 1] as number) - (offsets[b] as number);
    scale[b] = n / (n - 1);
  }
  kernel(backend, AffineScatter)(values, offsets, mean, scale, out);
  for (let b = 0; b < groups; b++) {
    if (Number.isFinite(mean[b] as number)) continue;
    // Σx overflowed (|x| near 1e308): redo the group scaled, see scaledMoments.
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    const m = scaledMoments(values, start, end);
    const n = end - start;
    for (let i = start; i < end; i++) out[i] = (((values[i] as number) / m.unit - m.mean) * n) / (n - 1) * m.unit;
  }
  return out;
}
