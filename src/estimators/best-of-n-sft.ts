/**
 * Best-of-N-aware fine-tuning as Chow et al. define it (arXiv 2412.15287): BoN-SFT, imitation of expert
 * demonstrations y* under the best-of-N policy (maximise log π_BoN(y*)), and BoN-RL on the sample the
 * verifier selects (binary reward, BoN-RLB and its positive-only form BoN-RLB(P)).
 * Math, derivations and the measured biases: docs/estimators/best-of-n.md.
 */
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import {
  BATCH_KEYS,
  checkFloat32Output,
  checkGroupSizes,
  outputArray,
  resolveLayout,
  type BatchOptions,
  type WeightArray,
} from '../groups.js';
import { checkArrayLike, checkChoice, checkFiniteArray, checkInteger, checkOptions } from '../validate.js';
import { resolveBackend, type BackendOptions } from '../backends/registry.js';
import { checkScale, type WeightScale } from './weights.js';

/** BoN-SFT and BoN-RL-selected have no kernels: `backend` is validated, the same code runs on every backend. */
const NO_KERNELS = {};

// ---------------------------------------------------------------------------------------------------
// BoN-SFT

/**
 * The estimator of ∇log π_BoN(y*) in {@link bestOfNSftWeights}.
 * - `'self-normalised'`: the plug-in estimate. F_<(v*) and F_≤(v*) (the policy's probability of
 *   scoring below / at most the expert) are replaced by their sample frequencies m/n and (m+t)/n in the
 *   exact gradient. Biased (a ratio of unbiased sums); without ties its only bias is the event m = 0:
 *   E = (1 − (1 − F)^n) × the exact gradient of the best-of-N term.
 * - `'jackknife'`: the delete-one jackknife of `'self-normalised'`, n·θ̂ − (n−1)·mean_j θ̂₋ⱼ. Needs n ≥ 2.
 *   Smaller bias on some policies, larger on others (the bias of `'self-normalised'` is not a power
 *   series in 1/n, so the jackknife's premise does not hold): see the measured table in the docs.
 * - `'unbiased'`: the U-statistic whose expectation is exactly ∇π_BoN(y*)/π(y*) (π(y*) held fixed): the
 *   gradient of the likelihood, not of its log, so prompts are weighted by π_BoN(y*)/π(y*) ∈ [1, N].
 *   The expert's weight is then random (an unbiased estimate of π_BoN(y*)/π(y*)). Needs n ≥ N − 1
 *   (n ≥ N with the `'centred'` baseline).
 */
export type BestOfNSftEstimator = 'self-normalised' | 'jackknife' | 'unbiased';

/**
 * The baseline of {@link bestOfNSftWeights}. Both choices leave the expected gradient unchanged.
 * - `'none'`: the raw weights.
 * - `'centred'`: `'self-normalised'` and `'jackknife'` subtract (N−1)/n from every sample's weight, the
 *   exact E_π of the best-of-N term's coefficient (so the weights sum to 0 whenever some sample scores
 *   ≤ the expert); `'unbiased'` subtracts the leave-one-out metric (the `'loo'` baseline of the k-sample
 *   estimators, with k = N − 1), exactly centred.
 */
export type BestOfNSftBaseline = 'none' | 'centred';

/**
 * Options of {@link bestOfNSftWeights}. `backend` is checked like every estimator's; BoN-SFT has no
 * kernels, so every backend runs the same code.
 */
export interface BestOfNSftOptions<S extends WeightArray = WeightArray, E extends WeightArray = WeightArray>
  extends BatchOptions,
    BackendOptions {
  /**
   * Which estimator; see {@link BestOfNSftEstimator}.
   * @defaultValue `'self-normalised'`
   */
  estimator?: BestOfNSftEstimator;
  /**
   * See {@link BestOfNSftBaseline}.
   * @defaultValue `'centred'`
   */
  baseline?: BestOfNSftBaseline;
  /**
   * Write the sample weights here (length = number of samples) instead of allocating; a Float32Array
   * gets them rounded to float32 (a weight beyond float32's range is an error).
   */
  out?: S;
  /** Write the expert weights here (length = number of groups) instead of allocating; Float32Array as for `out`. */
  expertOut?: E;
}

/** The result of {@link bestOfNSftWeights}: one weight per group's expert and one per sample. */
export interface BestOfNSftResult<S extends WeightArray = Float64Array, E extends WeightArray = Float64Array> {
  /** The weight of each group's expert demonstration log π(y*_b), one per group. */
  expert: E;
  /** The weight of each sample's log π(y_i), in input order. */
  samples: S;
}

/**
 * Coefficients of the plug-in gradient for a group with m samples below the expert's score and t tied
 * with it (any n: the coefficients are homogeneous of degree −1 in (F_<, F_≤), so counts stand in for
 * frequencies and the 1/n of the sample mean cancels). Returns [below, tie]; a class with no member
 * gets 0 (it multiplies nothing).
 *
 * below = N (F_≤^{N−1} − F_<^{N−1}) / (F_≤^N − F_<^N),  tie = N F_≤^{N−1}/(F_≤^N − F_<^N) − 1/(F_≤ − F_<),
 * written with x = F_</F_≤ through expm1/log1p (no cancellation between close powers); without ties
 * the limit below = (N−1)/F_< is used.
 */
function plugInCoefficients(m: number, t: number, N: number, out: Float64Array): void {
  out[0] = 0;
  out[1] = 0;
  if (N === 1) return;
  if (t === 0) {
    if (m > 0) out[0] = (N - 1) / m;
    return;
  }
  const le = m + t;
  // log x = log(m/(m+t)); −Infinity when m = 0 (x = 0: every power of x is 0).
  const logX = m === 0 ? -Infinity : Math.log1p(-t / le);
  const oneMinusXN = -Math.expm1(N * logX);
  if (m > 0) out[0] = (N / le) * (Math.expm1((N - 1) * logX) / Math.expm1(N * logX));
  out[1] = (N / oneMinusXN - le / t) / le;
}

/**
 * N · Σ_s P(s) / (offset + s), where P(s) = C(t,s)·C(m,k−s)/C(n,k) is the probability that a uniformly
 * random k-subset of n items holds s of t tied items, k − s of m below ones and none of the rest: the
 * U-statistic mean over k-subsets of the kernel N·1{no sample above}/(offset + ties in the subset).
 */
function subsetKernelMean(m: number, t: number, n: number, k: number, offset: number, N: number): number {
  if (k === 0) return N / offset;
  if (m < 0 || t < 0 || m + t < k) return 0;
  const sLo = Math.max(0, k - m);
  const sHi = Math.min(t, k);
  if (sLo > sHi) return 0;
  let logP = logBinomial(t, sLo) + logBinomial(m, k - sLo) - logBinomial(n, k);
  let p = Math.exp(logP);
  let total = 0;
  for (let s = sLo; s <= sHi; s++) {
    total += p / (offset + s);
    if (s < sHi) {
      // P(s+1)/P(s) = (t−s)/(s+1) · (k−s)/(m−k+s+1)
      const ratio = ((t - s) / (s + 1)) * ((k - s) / (m - k + s + 1));
      logP += Math.log(ratio);
      p = p * ratio;
      if (!(p > 0) || !Number.isFinite(p)) p = Math.exp(logP);
    }
  }
  return N * total;
}

/** log C(n, k) for 0 ≤ k ≤ n, as a compensated sum of min(k, n−k) logarithms of ratios ≥ 1. */
function logBinomial(n: number, k: number): number {
  const kk = Math.min(k, n - k);
  let sum = 0;
  let comp = 0;
  for (let i = 1; i <= kk; i++) {
    const term = Math.log1p((n - kk) / i);
    const s = sum + term;
    comp += sum >= term ? sum - s + term : term - s + sum;
    sum = s;
  }
  return sum + comp;
}

const SFT_KEYS = [...BATCH_KEYS, 'backend', 'expertOut', 'estimator', 'baseline'] as const;

/**
 * Chow et al.'s BoN-SFT (arXiv 2412.15287): imitation learning from expert demonstrations under the
 * best-of-N policy. For each prompt an expert response y* with verifier score v*, and n samples of the
 * policy with scores v_i; the objective is Σ_prompts log π_BoN(y*), where π_BoN is the distribution of
 * the verifier's pick among N samples (ties broken uniformly at random). Its gradient is
 *
 * ∇log π_BoN(y*) = ∇log π(y*) + E_{Y~π}[c(Y) ∇log π(Y)],
 *
 * with c > 0 for samples scoring below the expert (they make y* the pick more often), c of either sign
 * for samples tied with it (they compete with y* in the tie-break), and c = 0 above it. The returned
 * weights make the loss −Σ_b [expert_b · log π(y*_b) + Σ_i samples_i · log π(y_i)] (weights detached)
 * an estimate of −∇Σ_b log π_BoN(y*_b); see {@link BestOfNSftEstimator} for the estimators and their bias.
 *
 * This is not BOND-style distillation (`bestOfNDistillationWeights`, Sessa et al., arXiv 2407.14622): distilling the verifier's
 * picks pushes the top-scored samples up, BoN-SFT pushes up the samples the expert beats.
 *
 * Ties: a sample whose score equals the expert's is in y*'s tie class (F̂_≤ − F̂_< = t/n, an unbiased
 * estimate of the class's mass, which includes y* itself). No sample at or below the expert (m = t = 0):
 * the samples carry no estimate of the best-of-N term; their weights are 0 (−(N−1)/n with the
 * `'centred'` baseline) and the expert's is 1. Weights are always finite.
 *
 * @param scores - finite verifier scores of the n policy samples of each group.
 * @param expertScores - finite verifier score of each group's expert demonstration, one per group.
 * @param N - the best-of-N budget, an integer ≥ 1 (N = 1 is plain SFT: all sample weights 0).
 * @example
 * ```ts
 * // One prompt, 4 samples; the expert scores 0.5: two samples below, two above.
 * bestOfNSftWeights([0.2, 0.9, 0.4, 0.7], [0.5], 4);
 * // { expert: Float64Array [1], samples: Float64Array [0.75, −0.75, 0.75, −0.75] }
 * bestOfNSftWeights([0.2, 0.9, 0.4, 0.7], [0.5], 4, { baseline: 'none' });
 * // { expert: Float64Array [1], samples: Float64Array [1.5, 0, 1.5, 0] }   ((N−1)/m below, 0 above)
 * bestOfNSftWeights([0.2, 0.9, 0.4, 0.7, 0.1, 0.6], [0.5, 0.3], 2, { groupSize: 3 });
 * // { expert: Float64Array [1, 1], samples: Float64Array [0.1667, −0.3333, 0.1667, −0.3333, 0.6667, −0.3333] }
 * ```
 */
export function bestOfNSftWeights<S extends WeightArray = Float64Array, E extends WeightArray = Float64Array>(
  scores: ArrayLike<number>,
  expertScores: ArrayLike<number>,
  N: number,
  opts?: BestOfNSftOptions<S, E>,
): BestOfNSftResult<S, E> {
  checkOptions(opts, 'bestOfNSftWeights', SFT_KEYS);
  const v = checkFiniteArray(scores, 'scores');
  const ve = checkFiniteArray(expertScores, 'expertScores');
  const nn = checkInteger(N, 'N', 1);
  const estimator = checkChoice(
    opts?.estimator,
    'opts.estimator',
    ['self-normalised', 'jackknife', 'unbiased'] as const,
    'self-normalised',
  );
  const baseline = checkChoice(opts?.baseline, 'opts.baseline', ['none', 'centred'] as const, 'centred');
  const layout = resolveLayout(v.length, opts, 'scores');
  resolveBackend(opts?.backend, NO_KERNELS);
  const { offsets, groups } = layout;
  if (ve.length !== groups) {
    throw new ShapeError(
      'expertScores',
      `expertScores must hold one score per group (got ${ve.length} for ${groups} group${groups === 1 ? '' : 's'})`,
    );
  }
  if (estimator === 'jackknife') {
    checkGroupSizes(layout, 2, (n) => `opts.estimator 'jackknife' needs n ≥ 2 (got n=${n}`, 'opts.estimator');
  } else if (estimator === 'unbiased') {
    const need = baseline === 'centred' ? nn : nn - 1;
    checkGroupSizes(
      layout,
      need,
      (n) =>
        baseline === 'centred'
          ? `N must be ≤ n for the 'unbiased' estimator with baseline 'centred' (got N=${nn}, n=${n}`
          : `N must be ≤ n + 1 for the 'unbiased' estimator (got N=${nn}, n=${n}`,
      'N',
    );
  }
  const inputs = [['scores', v], ['expertScores', ve]] as const;
  const samples = outputArray(opts?.out, v.length, inputs, 'opts.out', true);
  const expert = outputArray(opts?.expertOut, groups, [...inputs, ['opts.out', samples]], 'opts.expertOut', true);
  const coef = new Float64Array(2);
  const coefLoo = new Float64Array(2);
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    const n = end - start;
    const star = ve[b] as number;
    let m = 0;
    let t = 0;
    for (let i = start; i < end; i++) {
      const s = v[i] as number;
      if (s < star) m++;
      else if (s === star) t++;
    }
    // Weights by class: [below, tie, above].
    let wBelow = 0;
    let wTie = 0;
    let wAbove = 0;
    let wExpert = 1;
    if (estimator === 'unbiased') {
      const k = nn - 1;
      wExpert = subsetKernelMean(m, t, n, k, 1, nn);
      if (k > 0) {
        wBelow = m > 0 ? (k / n) * subsetKernelMean(m - 1, t, n - 1, k - 1, 1, nn) : 0;
        wTie = t > 0 ? (k / n) * subsetKernelMean(m, t - 1, n - 1, k - 1, 2, nn) : 0;
      }
      if (baseline === 'centred' && k > 0) {
        wBelow -= m > 0 ? (k / n) * subsetKernelMean(m - 1, t, n - 1, k, 1, nn) : 0;
        wTie -= t > 0 ? (k / n) * subsetKernelMean(m, t - 1, n - 1, k, 1, nn) : 0;
        wAbove -= n - m - t > 0 ? (k / n) * subsetKernelMean(m, t, n - 1, k, 1, nn) : 0;
      }
    } else {
      plugInCoefficients(m, t, nn, coef);
      if (estimator === 'self-normalised') {
        wBelow = coef[0] as number;
        wTie = coef[1] as number;
      } else {
        // Delete-one jackknife: n·w_i − ((n−1)/n)·Σ_{j≠i} w_i^(−j); removing j changes (m, t) by its class.
        const above = n - m - t;
        const jack = (cls: 0 | 1, full: number): number => {
          let loo = above * full;
          const belowOthers = m - (cls === 0 ? 1 : 0);
          const tieOthers = t - (cls === 1 ? 1 : 0);
          if (belowOthers > 0) {
            plugInCoefficients(m - 1, t, nn, coefLoo);
            loo += belowOthers * (coefLoo[cls] as number);
          }
          if (tieOthers > 0) {
            plugInCoefficients(m, t - 1, nn, coefLoo);
            loo += tieOthers * (coefLoo[cls] as number);
          }
          return n * full - ((n - 1) / n) * loo;
        };
        wBelow = m > 0 ? jack(0, coef[0] as number) : 0;
        wTie = t > 0 ? jack(1, coef[1] as number) : 0;
      }
      if (baseline === 'centred') {
        const c = (nn - 1) / n;
        wBelow -= c;
        wTie -= c;
        wAbove -= c;
      }
    }
    expert[b] = wExpert;
    for (let i = start; i < end; i++) {
      const s = v[i] as number;
      samples[i] = s < star ? wBelow : s === star ? wTie : wAbove;
    }
  }
  // Each weight is written once (a Float32Array rounds it there); refuse one that overflowed float32.
  checkFloat32Output(samples, layout);
  checkFloat32Output(expert, undefined, 'opts.expertOut');
  return { expert: expert as E, samples: samples as S };
}

// ---------------------------------------------------------------------------------------------------
// BoN-RL on the selected sample

/**
 * The two forms of {@link bonRlSelectedWeights} (Chow et al.'s names), with p the failure probability
 * of one sample and J = 1 − p^N:
 * - `'binary'` (BoN-RLB): w = N(1−p)/(1−p^N) · (R − J): positive for a correct pick, −N(1−p) for a
 *   failed one (the expected reward J under π_BoN is the baseline, and the scale makes it exact).
 * - `'positive'` (BoN-RLB(P)): w = R · N p^{N−1}(1−p)/(1−p^N): only correct picks are pushed up.
 * Both have E_{y~π_BoN}[w ∇log π(y)] = ∇J exactly when p is the true failure probability.
 */
export type BonRlSelectedForm = 'binary' | 'positive';

/**
 * Options of {@link bonRlSelectedWeights}. Give exactly one of `failureProbs` and `failures`.
 * `backend` is checked like every estimator's (no kernels: every backend runs the same code).
 */
export interface BonRlSelectedOptions<Out extends WeightArray = WeightArray> extends BackendOptions {
  /** The failure probability p of one sample, one per group, in [0, 1] (known p: exact gradient). */
  failureProbs?: ArrayLike<number>;
  /**
   * The number of failures among the N samples drawn for each group: p is estimated as failures/N
   * (Chow et al.'s plug-in; BIASED, measured in the docs). Integers in [0, N], consistent with the
   * selected reward (a failed pick means all N failed).
   */
  failures?: ArrayLike<number>;
  /**
   * See {@link BonRlSelectedForm}.
   * @defaultValue `'binary'`
   */
  form?: BonRlSelectedForm;
  /**
   * Write the weights here (length = number of groups) instead of allocating; a Float32Array gets them
   * rounded to float32 (a weight beyond float32's range is an error).
   */
  out?: Out;
  /**
   * `'sum'` or `'mean'`, as for every weight estimator. Each group trains on one sample (the selected
   * one), so the two forms coincide: n = 1.
   * @defaultValue `'sum'`
   */
  scale?: WeightScale;
}

/** (1 − p)/(1 − p^N) = 1/(1 + p + … + p^{N−1}), without cancellation near p = 1; 1/N at p = 1. */
function inverseGeometric(p: number, N: number): number {
  if (p === 1) return 1 / N;
  if (p === 0) return 1;
  const q = 1 - p;
  const oneMinusPN = p <= 0.5 ? 1 - Math.pow(p, N) : -Math.expm1(N * Math.log1p(-q));
  return q / oneMinusPN;
}

/**
 * Chow et al.'s BoN-RL with a binary reward, trained on the one sample best-of-N returns: for each
 * group (prompt) N samples are drawn, a verifier that picks a correct sample whenever there is one
 * selects y_sel, and only y_sel is back-propagated with weight w (one weight per group; the other N − 1
 * samples get no gradient). y_sel is distributed as π_BoN, π_BoN(y) = π(y)(1 − p^N)/(1 − p) for correct y
 * and π(y) p^{N−1} for incorrect y, and E[w ∇log π(y_sel)] = ∇(1 − p^N) exactly when p is known
 * (`failureProbs`). With p estimated from the same N samples (`failures`) the gradient is biased
 * (docs/estimators/best-of-n.md, measured table). When every sample is back-propagated,
 * {@link bonRlBinaryWeights} is the unbiased choice.
 *
 * A constant baseline is not free here: E_{π_BoN}[∇log π] ≠ 0. The `'binary'` form's baseline J is paired
 * with the scale that makes it exact.
 *
 * @param rewards - the 0/1 reward of each group's selected sample, one per group.
 * @param N - the best-of-N budget, an integer ≥ 1.
 * @example
 * ```ts
 * bonRlSelectedWeights([1, 0], 4, { failureProbs: [0.5, 0.9] });
 * // binary: Float64Array [0.1333…, −0.4]    (N(1−p)p^N/(1−p^N) and −N(1−p))
 * bonRlSelectedWeights([1, 0], 4, { failureProbs: [0.5, 0.9], form: 'positive' }); // [0.2666…, 0]
 * bonRlSelectedWeights([1, 0], 4, { failures: [2, 4] }); // p̂ = failures/N (biased): [0.1333…, 0]
 * ```
 */
export function bonRlSelectedWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  N: number,
  opts?: BonRlSelectedOptions<Out>,
): Out {
  checkOptions(opts, 'bonRlSelectedWeights', ['failureProbs', 'failures', 'form', 'scale', 'out', 'backend']);
  const r = checkFiniteArray(rewards, 'rewards');
  const nn = checkInteger(N, 'N', 1);
  const form = checkChoice(opts?.form, 'opts.form', ['binary', 'positive'] as const, 'binary');
  checkScale(opts?.scale); // one sample per group: 'sum' and 'mean' are the same weights
  resolveBackend(opts?.backend, NO_KERNELS);
  const B = r.length;
  if (B === 0) throw new ShapeError('rewards', 'rewards must not be empty: one selected reward per group (got 0)');
  for (let b = 0; b < B; b++) {
    const x = r[b] as number;
    if (x !== 0 && x !== 1) throw new DomainError('rewards', `rewards must be 0 or 1 for bonRlSelectedWeights (got ${show(x)} at index ${b})`);
  }
  const hasP = opts?.failureProbs !== undefined;
  const hasF = opts?.failures !== undefined;
  if (hasP === hasF) {
    throw new InvalidArgumentError(
      hasP ? 'opts.failures' : 'opts.failureProbs',
      `give exactly one of opts.failureProbs (known p) and opts.failures (p estimated) (got ${hasP ? 'both' : 'neither'})`,
    );
  }
  const name = hasP ? 'opts.failureProbs' : 'opts.failures';
  const src = checkFiniteArray(checkArrayLike(hasP ? opts?.failureProbs : opts?.failures, name), name);
  if (src.length !== B) {
    throw new ShapeError(name, `${name} must hold one value per group, like rewards (got ${src.length} for ${B})`);
  }
  // Every value is checked before out is touched (a refused call leaves out as it was).
  for (let b = 0; b < B; b++) {
    const x = src[b] as number;
    const R = r[b] as number;
    if (hasP) {
      if (!(x >= 0 && x <= 1)) throw new DomainError(name, `${name} must be in [0, 1] (got ${show(x)} at index ${b})`);
      if ((R === 1 && x === 1) || (R === 0 && x === 0)) {
        throw new DomainError(
          name,
          `${name} at index ${b} is ${show(x)} but the selected reward is ${R}: a reward of probability 0 cannot be observed`,
        );
      }
    } else {
      if (!Number.isInteger(x) || x < 0 || x > nn) {
        throw new DomainError(name, `${name} must be integers in [0, N] (got ${show(x)} at index ${b}, N=${nn})`);
      }
      if ((R === 1 && x === nn) || (R === 0 && x !== nn)) {
        throw new DomainError(
          name,
          `${name} at index ${b} is ${x} with a selected reward of ${R}: a verifier that picks a correct sample when there is one fails only when all N=${nn} fail`,
        );
      }
    }
  }
  const out = outputArray(opts?.out, B, [['rewards', r], [name, src]], 'opts.out', true);
  for (let b = 0; b < B; b++) {
    const x = src[b] as number;
    const R = r[b] as number;
    const p = hasP ? x : x / nn;
    const scale = nn * inverseGeometric(p, nn);
    if (form === 'positive') {
      out[b] = R === 1 ? scale * Math.pow(p, nn - 1) : 0;
    } else {
      // R − J = R − 1 + p^N
      out[b] = scale * (R - 1 + Math.pow(p, nn));
    }
  }
  checkFloat32Output(out, undefined);
  return out as Out;
}
