/**
 * The ordinary mean-reward baselines, GRPO (Shao et al. 2024, arXiv 2402.03300) and RLOO (Ahmadian et
 * al. 2024, arXiv 2402.14740): one-sample objectives, for comparison with the k-sample estimators.
 * Math: docs/estimators/grpo.md.
 */
import { kernel, type BackendOptions } from '../backends/registry.js';
import { AffineScatter, GroupMoments } from '../backends/types.js';
import { grpoKernels } from '../backends/js/grpo.js';
import { DomainError, show } from '../errors.js';
import { checkFloat32Output, checkGroupSizes, viaFloat64, type Layout, type WeightArray, type WeightOutputOptions } from '../groups.js';
import { checkChoice, checkFiniteArray, checkFiniteNumber } from '../validate.js';
import { checkScale, prepare, type WeightScale } from './weights.js';

/** Options of {@link grpoWeights}. Presets of popular trainers: {@link GRPO_PRESETS}. */
export interface GrpoOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
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
  /**
   * When a group counts as zero-variance (all advantages 0, with either `normalize`): its spread
   * max − min is at most `zeroVarianceRtol · (|mean| + spread)`, i.e. `zeroVarianceRtol` relative to
   * its largest magnitude. Rewards computed by floating arithmetic (`0.1 + 0.2` against `0.3`) differ
   * by a few units in the last place; without this tolerance that noise would be divided by a std of
   * the same size and come out as full-size advantages. The default, 2^-50 ≈ 8.9e-16, is four units of
   * double rounding (2^-52 each); 0 treats only exactly equal rewards as zero-variance.
   * @defaultValue `2 ** -50`
   */
  zeroVarianceRtol?: number;
  /**
   * What a group of one sample gets. `'error'`: a DomainError when the std needs n ≥ 2 (`ddof: 1`;
   * with `ddof: 0` the group has zero variance and gets 0). `'zero-mean-unit-std'`: mean 0 and std 1,
   * so the advantage is g / (1 + eps) (`normalize: 'std'`) or g (`'none'`), as verl does for the
   * one-sample groups that dynamic sampling produces.
   * @defaultValue `'error'`
   */
  oneSampleGroups?: 'error' | 'zero-mean-unit-std';
  /**
   * `'mean'`: the advantages of the paper, for a loss averaged over the group's samples. `'sum'`:
   * divided by n, the form of the k-sample weights (Σ_i w_i ∇log π(y_i) is the gradient estimate).
   * @defaultValue `'mean'`
   */
  scale?: WeightScale;
}

/**
 * The GRPO settings of popular trainers, reproducing their outputs:
 * - `verl`: (g − mean) / (std + 1e-6), torch's std (ddof 1); a one-sample group gets mean 0 and std 1,
 *   i.e. g / (1 + 1e-6) (verl/trainer/ppo/core_algos.py, `compute_grpo_outcome_advantage`).
 * - `trl`: (g − mean) / (std + 1e-4), ddof 1 (trl/trainer/grpo_trainer.py); TRL refuses fewer than 2
 *   generations per prompt (trl/trainer/grpo_config.py), so a one-sample group is an error here too.
 *
 * Both give exact zeros for a group of equal rewards.
 */
export const GRPO_PRESETS = {
  verl: { normalize: 'std', ddof: 1, eps: 1e-6, oneSampleGroups: 'zero-mean-unit-std' },
  trl: { normalize: 'std', ddof: 1, eps: 1e-4, oneSampleGroups: 'error' },
} as const satisfies Record<string, GrpoOptions>;

/** The default {@link GrpoOptions.zeroVarianceRtol}: four units of double rounding. */
export const ZERO_VARIANCE_RTOL = 2 ** -50;

/**
 * GRPO's group-normalised advantage: (g_i − mean(g)) / (std(g) + eps) per group (Shao et al. 2024).
 *
 * Mean-reward objective (k = 1) with a biased normalisation; here for comparison with the k-sample
 * estimators. A group whose rewards are all equal, or equal up to rounding noise (see
 * {@link GrpoOptions.zeroVarianceRtol}), gets zeros. `opts.out` must not share memory with `rewards`.
 *
 * Mean form by default (the paper's: the trainer averages the per-sample losses of a group);
 * `scale: 'sum'` divides by n, the form of the k-sample weights.
 *
 * @example
 * ```ts
 * grpoWeights([1, 0, 0, 1]); // Float64Array [0.866…, −0.866…, −0.866…, 0.866…]
 * grpoWeights([0.1 + 0.2, 0.3, 0.3, 0.3]); // Float64Array [0, 0, 0, 0] (1 ulp of noise is no signal)
 * grpoWeights([1, 0, 1], { ...GRPO_PRESETS.verl, groupOffsets: [0, 2, 3] });
 * // Float64Array [0.7071…, −0.7071…, 0.999999] (the one-sample group: 1 / (1 + 1e-6))
 * ```
 */
export function grpoWeights<Out extends WeightArray = Float64Array>(rewards: ArrayLike<number>, opts?: GrpoOptions<Out>): Out {
  const p = prepare('grpoWeights', undefined, opts, {
    inputs: [['rewards', rewards, checkFiniteArray]],
    keys: ['normalize', 'ddof', 'eps', 'zeroVarianceRtol', 'oneSampleGroups', 'scale'],
    options: () => {
      const normalize = checkChoice(opts?.normalize, 'opts.normalize', ['std', 'none'] as const, 'std');
      const ddof = checkChoice(opts?.ddof, 'opts.ddof', [0, 1] as const, 1);
      const eps = opts?.eps === undefined ? 0 : checkFiniteNumber(opts.eps, 'opts.eps');
      if (eps < 0) throw new DomainError('opts.eps', `opts.eps must be ≥ 0 (got ${eps})`);
      const rtol =
        opts?.zeroVarianceRtol === undefined ? ZERO_VARIANCE_RTOL : checkFiniteNumber(opts.zeroVarianceRtol, 'opts.zeroVarianceRtol');
      if (!(rtol >= 0 && rtol < 1)) {
        throw new DomainError('opts.zeroVarianceRtol', `opts.zeroVarianceRtol must be in [0, 1) (got ${show(rtol)})`);
      }
      const oneSample = checkChoice(opts?.oneSampleGroups, 'opts.oneSampleGroups', ['error', 'zero-mean-unit-std'] as const, 'error');
      return { normalize, ddof, eps, rtol, oneSample, sumForm: checkScale(opts?.scale, 'mean') === 'sum' };
    },
    jsKernels: grpoKernels,
  });
  const values = p.arrays[0] as ArrayLike<number>;
  const { layout, backend } = p;
  const { normalize, ddof, eps, rtol, oneSample, sumForm } = p.extra;
  const out = formTarget(p.out, sumForm);
  if (normalize === 'std' && ddof === 1 && oneSample === 'error') {
    checkGroupSizes(
      layout,
      2,
      (n) => `opts.ddof = 1 needs n ≥ 2 (or opts.oneSampleGroups: 'zero-mean-unit-std') (got n=${n}`,
      'opts.ddof',
    );
  }
  const { offsets, groups } = layout;
  const mean = new Float64Array(groups);
  const sumSquares = new Float64Array(groups);
  const range = new Float64Array(groups);
  kernel(backend, GroupMoments)(values, offsets, mean, sumSquares, range);
  const scale = new Float64Array(groups).fill(1);
  /** 0: ordinary, 1: zero-variance (zeros), 2: one sample with mean 0 and std 1. */
  const kind = new Uint8Array(groups);
  for (let b = 0; b < groups; b++) {
    const n = (offsets[b + 1] as number) - (offsets[b] as number);
    const r = range[b] as number;
    const m = Math.abs(mean[b] as number);
    if (n === 1 && oneSample === 'zero-mean-unit-std') {
      kind[b] = 2;
      mean[b] = 0;
      scale[b] = normalize === 'std' ? 1 / (1 + eps) : 1;
    } else if (r === 0 || (Number.isFinite(m) && Number.isFinite(r) && r <= rtol * (m + r))) {
      kind[b] = 1;
      scale[b] = 0;
    } else if (normalize === 'std') {
      scale[b] = 1 / (Math.sqrt((sumSquares[b] as number) / (n - ddof)) + eps);
    }
  }
  kernel(backend, AffineScatter)(values, offsets, mean, scale, out);
  for (let b = 0; b < groups; b++) {
    if (kind[b] !== 0) continue;
    const ss = sumSquares[b] as number;
    const extreme =
      !Number.isFinite(mean[b] as number) ||
      (normalize === 'std' && !(Number.isFinite(range[b] as number) && ss > 1e-280 && ss < Infinity));
    if (!extreme) continue;
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    const m = scaledMoments(values, start, end);
    const spread = scaledRange(values, start, end, m.unit);
    if (spread <= rtol * (Math.abs(m.mean) + spread)) {
      for (let i = start; i < end; i++) out[i] = 0;
    } else if (normalize === 'std') {
      const denom = Math.sqrt(m.sumSquares / (end - start - ddof)) + eps / m.unit;
      for (let i = start; i < end; i++) out[i] = ((values[i] as number) / m.unit - m.mean) / denom;
    } else {
      for (let i = start; i < end; i++) out[i] = ((values[i] as number) / m.unit - m.mean) * m.unit;
    }
  }
  finishForm(out, p.out, layout, sumForm);
  return p.out as Out;
}

/**
 * Where GRPO / RLOO write their mean-form weights: `out` itself, or a Float64 scratch when the sum form
 * must divide them before they are rounded into a Float32Array (one rounding, as for every estimator).
 */
function formTarget(out: WeightArray, sumForm: boolean): WeightArray {
  return sumForm && out instanceof Float32Array ? new Float64Array(out.length) : out;
}

/**
 * Turns the weights in `target` into the sum form when asked (each group's divided by its size n), then
 * rounds them into `out` if `target` is a scratch, or checks that the float32 writes did not overflow.
 */
function finishForm(target: WeightArray, out: WeightArray, layout: Layout, sumForm: boolean): void {
  if (sumForm) {
    const { offsets } = layout;
    for (let b = 0; b + 1 < offsets.length; b++) {
      const start = offsets[b] as number;
      const end = offsets[b + 1] as number;
      const n = end - start;
      for (let i = start; i < end; i++) target[i] = (target[i] as number) / n;
    }
  }
  if (target !== out) viaFloat64(out, layout, (o) => o.set(target));
  else checkFloat32Output(out, layout);
}

/** max − min of one group of x / unit (finite: the scaled values lie in [−1, 1]). */
function scaledRange(values: ArrayLike<number>, start: number, end: number, unit: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const x = (values[i] as number) / unit;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi - lo;
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

/** Options of {@link rlooWeights}: batching, output (Float64Array or Float32Array), backend, scale. */
export interface RlooOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * `'mean'`: g_i − mean(g₋ᵢ), the paper's advantage, for a loss averaged over the group. `'sum'`:
   * divided by n, (g_i − mean(g))/(n − 1), the form of the k-sample weights (it is the `'loo'`
   * weights of pass@k / max@k at k = 1).
   * @defaultValue `'mean'`
   */
  scale?: WeightScale;
}

/**
 * REINFORCE leave-one-out (Ahmadian et al. 2024): g_i − mean(g₋ᵢ) = n/(n−1)·(g_i − mean(g)). Needs
 * n ≥ 2 in every group. The k = 1 case of the `'loo'` baseline, times n: mean form by default (the
 * paper's); `scale: 'sum'` gives the `'loo'` weights of the k-sample estimators at k = 1 (up to rounding).
 *
 * @example
 * ```ts
 * rlooWeights([1, 0, 0, 0]); // Float64Array [1, −0.333…, −0.333…, −0.333…]
 * ```
 */
export function rlooWeights<Out extends WeightArray = Float64Array>(rewards: ArrayLike<number>, opts?: RlooOptions<Out>): Out {
  const p = prepare('rlooWeights', undefined, opts, {
    inputs: [['rewards', rewards, checkFiniteArray]],
    keys: ['scale'],
    options: () => checkScale(opts?.scale, 'mean') === 'sum',
    jsKernels: grpoKernels,
  });
  const values = p.arrays[0] as ArrayLike<number>;
  const { layout, backend, extra: sumForm } = p;
  checkGroupSizes(layout, 2, (n) => `rewards of rlooWeights need n ≥ 2 samples per group (got n=${n}`, 'rewards');
  const out = formTarget(p.out, sumForm);
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
  finishForm(out, p.out, layout, sumForm);
  return p.out as Out;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link grpoWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * grpoAdvantage([1, 0, 0, 1]); // same as grpoWeights
 * ```
 */
export const grpoAdvantage = grpoWeights;

/**
 * @deprecated Renamed {@link rlooWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * rlooAdvantage([1, 0, 0, 0]); // same as rlooWeights
 * ```
 */
export const rlooAdvantage = rlooWeights;
