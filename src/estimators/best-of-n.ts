/**
 * Best-of-N with a verifier (Chow et al. 2024, arXiv 2412.15287; BOND, Sessa et al., arXiv 2407.14622):
 * a verifier scores each sample, best-of-N returns the true reward of the highest-scoring one. Exact
 * metrics and gradient weights of that objective (ties in score split exactly), the binary BoN-RL
 * weights, BOND-style distillation targets and the exact best-of-N distribution.
 * Math and derivations: docs/estimators/best-of-n.md.
 */
import { BUILT_IN_BACKENDS, kernel, type BackendOptions } from '../backends/registry.js';
import { bestOfNKernels } from '../backends/js/best-of-n.js';
import { passAtKKernels } from '../backends/js/pass-at-k.js';
import { sortKernels } from '../backends/js/sort.js';
import { BestOfNMetric, BestOfNSelection, BestOfNWeights, BinaryScatter, SegmentedArgsort } from '../backends/types.js';
import { failAtKUnchecked } from '../combinatorics.js';
import { DomainError, show } from '../errors.js';
import {
  checkGroupSizes,
  metricResult,
  viaFloat64,
  type WeightArray,
  type BatchOptions,
  type MetricOutputOptions,
  type MetricResult,
  type WeightOutputOptions,
} from '../groups.js';
import { checkArrayLike, checkChoice, checkFiniteArray, checkFiniteNumber, deferringFiniteCheck, MAX_LENGTH, nonFiniteError } from '../validate.js';
import {
  baselineCode,
  checkScale,
  onScaledRewards,
  prepare,
  prepareKSample,
  prepareMetric,
  type KSampleWeightOptions,
  type WeightScale,
} from './weights.js';
import { binaryAdvantage } from './pass-at-k.js';

/** This family's reference kernels (the `js` backend); BoN-RL's binary form scatters like pass@k. */
const JS_KERNELS = { ...sortKernels, ...bestOfNKernels, ...passAtKKernels };

/**
 * The kernels shift each group's rewards by their minimum and add up to n shifted values, so a group
 * whose range times n overflows (e.g. rewards [−1e308, 1e308]) would give Inf − Inf = NaN. Metric and
 * weights are positively homogeneous in the rewards: such a batch is computed on the rewards divided by
 * the power of two returned here ({@link onScaledRewards}, the shared overflow policy). A factor of 4
 * (max@k's retry) is not enough for sums of n values, hence this O(n) scan; almost always 1. With
 * `checkFinite` it also refuses non-finite rewards (the same error as checkFiniteArray), in this pass.
 */
function overflowDivisor(rewards: ArrayLike<number>, offsets: Int32Array, checkFinite = false): number {
  let overflows = false;
  let maxSize = 0;
  for (let b = 0; b + 1 < offsets.length; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    maxSize = Math.max(maxSize, end - start);
    let lo = Infinity;
    let hi = -Infinity;
    let acc = 0;
    for (let i = start; i < end; i++) {
      const r = rewards[i] as number;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      acc += r * 0;
    }
    // The finiteness check of rewards whose check was deferred (checkFiniteArrayDeferred), in this pass.
    if (checkFinite && acc !== 0) checkFiniteArray(rewards, 'rewards');
    if (end > start && !Number.isFinite((hi - lo) * (end - start))) overflows = true;
  }
  return overflows ? 2 ** (Math.ceil(Math.log2(maxSize)) + 2) : 1;
}

/** Runs `run` on the rewards, or on the rewards / d when their sums would overflow ({@link overflowDivisor}). */
function withoutOverflow(
  rewards: ArrayLike<number>,
  offsets: Int32Array,
  out: Float64Array,
  run: (values: ArrayLike<number>) => void,
  checkFinite = false,
): void {
  const d = overflowDivisor(rewards, offsets, checkFinite);
  if (d === 1) run(rewards);
  else onScaledRewards(rewards, d, out, run);
}

/**
 * Acts on a best-of-N kernel's status: the index of a non-finite score is the error checkFiniteArray
 * would have thrown; a kernel that reports nothing gets the scores checked here when the check was
 * deferred to it.
 */
function checkStatus(status: number | void, scores: ArrayLike<number>, deferred: boolean): void {
  if (typeof status === 'number') {
    if (status >= 0) throw nonFiniteError('scores', scores[status], status);
  } else if (deferred) {
    checkFiniteArray(scores, 'scores');
  }
}

/** Options of {@link bestOfNAtK}: batching, output, backend. */
export interface BestOfNAtKOptions extends MetricOutputOptions, BackendOptions {}

/**
 * The unbiased estimate, from n ≥ k samples, of the true reward that best-of-k returns when a verifier
 * picks the highest-scoring sample: the mean over all k-subsets of the reward of the subset's
 * top-scoring sample, ties in score split evenly (a uniform random tie-break, in expectation — exact,
 * not sampled). Over the ascending sort by score, Σ_p μ_p r̄_(p) with μ_p = C(p−1,k−1)/C(n,k) and r̄_(p)
 * the mean reward of p's tie block. With `scores` equal to `rewards` it is {@link maxAtK}.
 *
 * @param scores - finite verifier scores, one per sample (what best-of-k selects on).
 * @param rewards - finite true rewards, one per sample (what best-of-k is judged by).
 * @param k - 1 ≤ k ≤ n in every group.
 * @example
 * ```ts
 * bestOfNAtK([1, 1, 1, 3], [0.5, 1, 0, 1], 3); // 0.875
 * bestOfNAtK([0.2, 0.9, 0.4, 0.1, 0.8, 0.3], [1, 0, 1, 0, 1, 1], 2, { groupSize: 3 });
 * // Float64Array [0.333…, 1]
 * ```
 */
export function bestOfNAtK<O extends BestOfNAtKOptions = Record<never, never>>(
  scores: ArrayLike<number>,
  rewards: ArrayLike<number>,
  k: number,
  opts?: O,
): MetricResult<O> {
  const scoresCheck = deferringFiniteCheck();
  const rewardsCheck = deferringFiniteCheck();
  // Float arrays are checked for finiteness in passes that read them anyway (the kernel's, the rescale's).
  const { arrays, k: kk, layout, backend, out } = prepareMetric('bestOfNAtK', k, opts, {
    inputs: [
      ['scores', scores, scoresCheck.check],
      ['rewards', rewards, rewardsCheck.check],
    ],
    jsKernels: JS_KERNELS,
  });
  const [v, r] = arrays as [ArrayLike<number>, ArrayLike<number>];
  const run = kernel(backend, BestOfNMetric);
  withoutOverflow(
    r,
    layout.offsets,
    out,
    (values) => checkStatus(run(v, values, layout.offsets, kk, out), v, scoresCheck.deferred()),
    rewardsCheck.deferred(),
  );
  return metricResult(layout, out) as MetricResult<O>;
}

/** Options of {@link bestOfNWeights}: baseline, scale, batching, output (Float64Array or Float32Array), backend. */
export interface BestOfNWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {}

/**
 * Exact per-sample gradient weights of the best-of-k objective ({@link bestOfNAtK}), minus a baseline
 * (docs/estimators/weights.md): Σ_i w_i ∇log π(y_i) is an unbiased estimate of ∇ E[reward of best-of-k]. No surrogate for
 * the argmax is involved: s_i is the mean, over the k-subsets containing i, of the true reward the
 * verifier's pick would get. Ties in score are split exactly. O(n log n) per group (the sort), O(n) after.
 *
 * Sum form: multiply each sample's summed token log-probs by its weight and add (`scale: 'mean'`
 * multiplies by n, for trainers that average over the group). With `scores` equal to `rewards` the
 * weights are those of {@link maxAtKWeights}.
 *
 * @param scores - finite verifier scores, one per sample.
 * @param rewards - finite true rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @example
 * ```ts
 * bestOfNWeights([1, 1, 1, 3], [0.5, 1, 0, 1], 3, { baseline: 'none' });
 * // Float64Array [0.625, 0.625, 0.625, 0.75]
 * bestOfNWeights([1, 1, 1, 3], [0.5, 1, 0, 1], 3); // loo-1: [0, 0.0625, −0.0625, 0.375]
 * ```
 */
export function bestOfNWeights<Out extends WeightArray = Float64Array>(
  scores: ArrayLike<number>,
  rewards: ArrayLike<number>,
  k: number,
  opts?: BestOfNWeightsOptions<Out>,
): Out {
  const scoresCheck = deferringFiniteCheck();
  const rewardsCheck = deferringFiniteCheck();
  const p = prepareKSample('bestOfNWeights', k, opts, {
    inputs: [
      ['scores', scores, scoresCheck.check],
      ['rewards', rewards, rewardsCheck.check],
    ],
    jsKernels: JS_KERNELS,
  });
  const [v, r] = p.arrays as [ArrayLike<number>, ArrayLike<number>];
  const { offsets } = p.layout;
  const run = kernel(p.backend, BestOfNWeights);
  const code = baselineCode(p.effectiveBaseline);
  // The library's own kernels check the rewards (finite, range times n finite) in the pass that reads
  // them and report −2 otherwise: only then, or on a non-finite score while the rewards' check is still
  // owed, does the separate pass below run (it throws the rewards' error first, or rescales).
  const checksRewards = BUILT_IN_BACKENDS.includes(p.backend.name);
  viaFloat64(p.out, p.layout, (out) => {
    if (checksRewards) {
      const status = run(v, r, offsets, p.k, code, p.scaleByN, out);
      if (status === -1 || (typeof status === 'number' && status >= 0 && !rewardsCheck.deferred())) {
        checkStatus(status, v, scoresCheck.deferred());
        return;
      }
    }
    withoutOverflow(
      r,
      offsets,
      out,
      (values) => checkStatus(run(v, values, offsets, p.k, code, p.scaleByN, out), v, scoresCheck.deferred()),
      rewardsCheck.deferred(),
    );
  });
  return p.out as Out;
}

/** The baselines of {@link bonRlBinaryWeights}. */
export type BonRlBaseline = 'none' | 'loo';

/**
 * Which coefficient multiplies (r_i − b_i) in {@link bonRlBinaryWeights}.
 * - `'unbiased'`: C(f₋ᵢ, N−1)/C(n−1, N−1), f₋ᵢ the failures among the other samples: its expectation is
 *   exactly p^{N−1}, so the weights are an unbiased gradient of 1 − p^N.
 * - `'plug-in'`: p̂^{N−1} with p̂ = (failures in the group)/n, Chow et al.'s plug-in estimate. BIASED:
 *   p̂ is estimated from the same samples it multiplies, and a power of an estimate is not the estimate
 *   of the power. Offered for comparison with the paper only (measured bias: docs/estimators/best-of-n.md).
 */
export type BonRlCoefficient = 'unbiased' | 'plug-in';

/** Options of {@link bonRlBinaryWeights}. */
export interface BonRlBinaryOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * `'loo'`: b_i = mean reward of the other samples (needs n ≥ 2); `'none'`: b_i = 0.
   * @defaultValue `'loo'`
   */
  baseline?: BonRlBaseline;
  /**
   * The coefficient estimating N·p^{N−1}/n; see {@link BonRlCoefficient}.
   * @defaultValue `'unbiased'`
   */
  coefficient?: BonRlCoefficient;
  /**
   * `'sum'` (weights sum-form) or `'mean'` (times n, for trainers that average over the group).
   * @defaultValue `'sum'`
   */
  scale?: WeightScale;
}

/**
 * Chow et al.'s BoN-RL weights for binary rewards (arXiv 2412.15287). With p the failure probability of one
 * sample, best-of-N with a perfect verifier succeeds with J = 1 − p^N and ∇J = N p^{N−1} E_π[r ∇log π].
 * From n ≥ N samples the unbiased weights are
 * w_i = (N/n) · C(f₋ᵢ, N−1)/C(n−1, N−1) · (r_i − b_i), f₋ᵢ = failures among the others.
 * Note that J is pass@N: {@link passAtKWeights} with k = N estimates the same gradient with other
 * (lower-variance) weights.
 *
 * @param rewards - 0/1 rewards, one per sample.
 * @param N - the best-of-N budget, 1 ≤ N ≤ n in every group.
 * @example
 * ```ts
 * bonRlBinaryWeights([1, 0, 0, 1, 0, 0], 3);
 * // loo: Float64Array [0.24, −0.06, −0.06, 0.24, −0.06, −0.06]
 * bonRlBinaryWeights([1, 0, 0, 1, 0, 0], 3, { coefficient: 'plug-in' }); // biased, for comparison
 * // Float64Array [0.1777…, −0.0888…, −0.0888…, 0.1777…, −0.0888…, −0.0888…]
 * ```
 */
export function bonRlBinaryWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  N: number,
  opts?: BonRlBinaryOptions<Out>,
): Out {
  const p = prepare('bonRlBinaryWeights', N, opts, {
    inputs: [['rewards', rewards, checkArrayLike]],
    kName: 'N',
    keys: ['baseline', 'coefficient', 'scale'],
    options: () => ({
      baseline: checkChoice(opts?.baseline, 'opts.baseline', ['none', 'loo'] as const, 'loo'),
      coefficient: checkChoice(opts?.coefficient, 'opts.coefficient', ['unbiased', 'plug-in'] as const, 'unbiased'),
      scale: checkScale(opts?.scale),
    }),
    jsKernels: JS_KERNELS,
  });
  const { layout, backend, out } = p;
  const values = p.arrays[0] as ArrayLike<number>;
  const nn = p.k;
  const { baseline, coefficient, scale } = p.extra;
  if (baseline === 'loo') {
    checkGroupSizes(layout, 2, (n) => `baseline 'loo' needs n ≥ 2 (got n=${n}`, 'opts.baseline');
  }
  // The weights depend on the group only through (n, c): computed once per distinct pair.
  binaryAdvantage(values, layout, backend, out, 'bonRlBinaryWeights', (n, c) => {
    const r = (nn / n) * (scale === 'mean' ? n : 1);
    // coefficient of a sample whose n − 1 companions hold `others` correct ones
    const coef = (others: number): number =>
      coefficient === 'unbiased' ? failAtKUnchecked(n - 1, others, nn - 1) : Math.pow((n - c) / n, nn - 1);
    if (baseline === 'none') return [c > 0 ? r * coef(c - 1) : 0, 0];
    return [c > 0 ? (r * coef(c - 1) * (n - c)) / (n - 1) : 0, c > 0 && c < n ? (-r * coef(c) * c) / (n - 1) : 0];
  });
  return out as Out;
}

/** How best-of-N draws its N candidates from the n samples in {@link bestOfNDistillationWeights}. */
export type BestOfNSampling = 'without-replacement' | 'with-replacement';

/** Options of {@link bestOfNDistillationWeights}. */
export interface BestOfNDistillationOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * `'without-replacement'`: N distinct samples of the n (needs N ≤ n); `'with-replacement'`: N draws
   * from the empirical distribution of the n samples (BOND; any N ≥ 1).
   * @defaultValue `'without-replacement'`
   */
  sampling?: BestOfNSampling;
}

/**
 * BOND-style distillation targets (Sessa et al., arXiv 2407.14622; not Chow et al.'s BoN-SFT from expert
 * demonstrations, which is `bestOfNSftWeights`): the probability that sample i is the one best-of-N picks when N
 * candidates are drawn from the group's n samples. In the ascending sort by score, without replacement
 * w_(p) = C(p−1, N−1)/C(n, N); with replacement w_(p) = (p/n)^N − ((p−1)/n)^N; a tie block shares its
 * total equally. Σ w = 1 per group. The distillation loss is −Σ_i w_i log π(y_i): it imitates the verifier's
 * own picks, so a verifier that over-rates an answer is imitated too. With replacement this is
 * {@link bestOfNDistribution} applied to the empirical distribution of the group.
 *
 * @param scores - finite verifier scores, one per sample.
 * @param N - the best-of-N budget (≤ n without replacement; ≤ 2^31 − 1 with).
 * @example
 * ```ts
 * bestOfNDistillationWeights([0.3, 0.9, 0.1, 0.5], 2); // Float64Array [0.1666…, 0.5, 0, 0.3333…]
 * bestOfNDistillationWeights([0.3, 0.9, 0.1, 0.5], 2, { sampling: 'with-replacement' });
 * // Float64Array [0.1875, 0.4375, 0.0625, 0.3125]
 * ```
 */
export function bestOfNDistillationWeights<Out extends WeightArray = Float64Array>(
  scores: ArrayLike<number>,
  N: number,
  opts?: BestOfNDistillationOptions<Out>,
): Out {
  const scoresCheck = deferringFiniteCheck();
  const { arrays, k: nn, layout, backend, out, extra: withReplacement } = prepare('bestOfNDistillationWeights', N, opts, {
    inputs: [['scores', scores, scoresCheck.check]],
    kName: 'N',
    // N reaches the kernels as a 32-bit integer (and beyond 2^31 − 1 every weight but the top block's is 0).
    kMax: MAX_LENGTH,
    keys: ['sampling'],
    options: () => {
      const sampling = checkChoice(
        opts?.sampling,
        'opts.sampling',
        ['without-replacement', 'with-replacement'] as const,
        'without-replacement',
      );
      return sampling === 'with-replacement';
    },
    kAtMostN: (withReplacement) => !withReplacement,
    jsKernels: JS_KERNELS,
  });
  const v = arrays[0] as ArrayLike<number>;
  viaFloat64(out, layout, (out64) =>
    checkStatus(kernel(backend, BestOfNSelection)(v, layout.offsets, nn, withReplacement, out64), v, scoresCheck.deferred()),
  );
  return out as Out;
}

/** The sum-to-one tolerance options of {@link bestOfNDistribution} and {@link bestOfNKL}. */
export interface ProbabilitySumOptions {
  /**
   * How far Σ π of each group may be from 1 (the probabilities are then divided by their sum).
   * @defaultValue `1e-9` for a plain array or a Float64Array; for a Float32Array n · 2^-24 (at least
   *   1e-9), the rounding of n float32 values, so a float32 softmax is accepted
   */
  sumTolerance?: number;
}

/** Options of {@link bestOfNDistribution}: batching (each group is one distribution), output, backend, sum tolerance. */
export interface BestOfNDistributionOptions<Out extends WeightArray = WeightArray>
  extends WeightOutputOptions<Out>,
    BackendOptions,
    ProbabilitySumOptions {}

/** Options of {@link bestOfNKL}: batching (each group is one distribution; one KL per group), output, backend, sum tolerance. */
export interface BestOfNKLOptions extends MetricOutputOptions, BackendOptions, ProbabilitySumOptions {}

const PROB_SUM_TOLERANCE = 1e-9;
/** Unit roundoff of float32. */
const FLOAT32_ROUNDOFF = 2 ** -24;

/** A validated batch of discrete distributions, sorted by score. */
interface PreparedDistribution {
  readonly pi: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  readonly N: number;
  readonly offsets: Int32Array;
  readonly groups: number;
  readonly batched: boolean;
  /** Σ π per group (within the tolerance of 1); probabilities are divided by it. */
  readonly totals: Float64Array;
  readonly perm: Int32Array;
  /** The validated output array (a Float32Array only for the per-sample distribution). */
  readonly out: WeightArray;
}

function prepareDistribution(
  fn: string,
  probs: unknown,
  scores: unknown,
  N: unknown,
  opts: (BatchOptions & BackendOptions & ProbabilitySumOptions & { out?: WeightArray }) | undefined,
  perGroupOutput: boolean,
): PreparedDistribution {
  const p = prepare(fn, N, opts, {
    inputs: [
      ['probs', probs, checkFiniteArray],
      ['scores', scores, checkFiniteArray],
    ],
    kName: 'N',
    kAtMostN: false,
    keys: ['sumTolerance'],
    options: () => {
      const tolerance = opts?.sumTolerance === undefined ? undefined : checkFiniteNumber(opts.sumTolerance, 'opts.sumTolerance');
      if (tolerance !== undefined && !(tolerance >= 0 && tolerance < 1)) {
        throw new DomainError('opts.sumTolerance', `opts.sumTolerance must be in [0, 1) (got ${show(tolerance)})`);
      }
      return tolerance;
    },
    output: perGroupOutput ? 'groups' : 'samples',
    jsKernels: JS_KERNELS,
  });
  const [pi, v] = p.arrays as [ArrayLike<number>, ArrayLike<number>];
  const { layout, backend, out, k: nn, extra: tolerance } = p;
  const { offsets, groups } = layout;
  for (let i = 0; i < pi.length; i++) {
    if ((pi[i] as number) < 0) {
      throw new DomainError('probs', `probs must be ≥ 0 (got ${show(pi[i])} at index ${i})`);
    }
  }
  const float32 = pi instanceof Float32Array;
  const totals = new Float64Array(groups);
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    let t = 0;
    for (let i = start; i < end; i++) t += pi[i] as number;
    const tol = tolerance ?? (float32 ? Math.max(PROB_SUM_TOLERANCE, (end - start) * FLOAT32_ROUNDOFF) : PROB_SUM_TOLERANCE);
    if (!(Math.abs(t - 1) <= tol)) {
      throw new DomainError(
        'probs',
        `probs must sum to 1 within ${tol} (got sum=${t}${layout.batched ? ` in group ${b}` : ''})`,
      );
    }
    totals[b] = t;
  }
  const perm = new Int32Array(pi.length);
  kernel(backend, SegmentedArgsort)(v, offsets, perm);
  return { pi, scores: v, N: nn, offsets, groups, batched: layout.batched, totals, perm, out };
}

/**
 * Walks the tie classes of each distribution (ascending score): `visit(b, from, to, d, bon, logRatio)`
 * gets the class's sorted positions [from, to) in `perm`, its mass d under π (normalised), its mass
 * under π_BoN and log(π_BoN(class)/d) computed in log space.
 *
 * π_BoN(class) = F_≤^N − F_<^N is computed as F_≤^N · (1 − (F_</F_≤)^N): no cancellation between close
 * powers. Every logarithm is taken of the smaller of a probability and its complement (log F_≤ as
 * log1p(−mass above) when F_≤ > ½, log d as log1p(−(1 − d)) when d > ½, log(F_</F_≤) directly when the
 * ratio is ≤ ½; a small class's log(share/d) as the log of the quotient), so classes of a nearly deterministic π keep their relative precision: the log-ratio of
 * a class of mass 1 − 10^-12 is accurate to an ulp, not to 10^-4 (log of a ratio that rounds near 1).
 */
function forEachTieClass(
  prep: PreparedDistribution,
  visit: (group: number, from: number, to: number, d: number, bon: number, logRatio: number) => void,
): void {
  const { pi, scores, N, offsets, groups, totals, perm } = prep;
  // suffix[p] = mass at sorted positions ≥ p, summed from the top so small tails stay exact.
  const suffix = new Float64Array(perm.length + 1);
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    suffix[end] = 0;
    for (let p = end - 1; p >= start; p--) suffix[p] = (suffix[p + 1] as number) + (pi[perm[p] as number] as number);
    const total = totals[b] as number;
    let cum = 0;
    let from = start;
    while (from < end) {
      const score = scores[perm[from] as number] as number;
      let to = from;
      let mass = 0;
      while (to < end && scores[perm[to] as number] === score) mass += pi[perm[to++] as number] as number;
      const below = cum / total;
      cum += mass;
      const d = mass / total;
      const fLe = cum / total;
      const above = (suffix[to] as number) / total;
      let bon = 0;
      let logRatio = -Infinity;
      if (d > 0) {
        const logFLe = fLe > 0.5 ? Math.log1p(-above) : Math.log(fLe);
        // L = N·log(F_</F_≤) ≤ 0; 1 − e^L is the share of the class in F_≤^N.
        const ratioLog = below === 0 ? -Infinity : below <= 0.5 * fLe ? Math.log(below / fLe) : Math.log1p(-d / fLe);
        const L = N * ratioLog;
        // F_≤^N: a direct power for F_≤ ≤ ½ (relative error ~N·ε, where exp(N·log F_≤) would carry
        // |N·log F_≤|·ε), exp(N·log1p(−mass above)) above ½.
        bon = (fLe > 0.5 ? Math.exp(N * logFLe) : Math.pow(fLe, N)) * -Math.expm1(L);
        // log(share/d): for d ≤ ½ as the log of the quotient (share ≈ N·d/F_≤ when d is small, so a
        // difference of two large logs would lose |log d|·ε); for d > ½ both logs are small.
        let logShareOverD: number;
        if (d > 0.5) {
          const logShare = L < -Math.LN2 ? Math.log1p(-Math.exp(L)) : Math.log(-Math.expm1(L));
          logShareOverD = logShare - Math.log1p(-(below + above));
        } else {
          const share = -Math.expm1(L);
          const q = share / d;
          // (A subnormal d can overflow the quotient: then the difference of the logs, both finite.)
          logShareOverD = q < Infinity ? Math.log(q) : Math.log(share) - Math.log(d);
        }
        logRatio = N * logFLe + logShareOverD;
      }
      visit(b, from, to, d, bon, logRatio);
      from = to;
    }
  }
}

/**
 * φ(λ) = λe^λ − e^λ + 1 ≥ 0, the KL summand q·φ(log(p/q)) = p log(p/q) − p + q per unit of q: a sum of
 * these is never negative and has no cancellation. A series near 0 (where φ ≈ λ²/2), else direct.
 */
function klTerm(lambda: number): number {
  if (lambda === -Infinity) return 1;
  if (Math.abs(lambda) < 1) {
    // Σ_{j≥2} (j−1)/j! · λ^j by Horner (terms beyond j = 24 are below 1e-24 of the sum).
    let acc = 0;
    for (let j = KL_SERIES.length - 1; j >= 0; j--) acc = acc * lambda + (KL_SERIES[j] as number);
    return acc * lambda * lambda;
  }
  return lambda * Math.exp(lambda) - Math.expm1(lambda);
}

/** (j−1)/j! for j = 2..24, the coefficients of φ's series. */
const KL_SERIES: readonly number[] = (() => {
  const c: number[] = [];
  let f = 1;
  for (let j = 1; j <= 24; j++) {
    f *= j;
    if (j >= 2) c.push((j - 1) / f);
  }
  return c;
})();

/**
 * The exact best-of-N distribution on a discrete support (BOND): draw N outcomes i.i.d. from π, keep
 * the one with the highest score (ties broken uniformly at random). For outcome y,
 * π_BoN(y) = π(y)/π(tie(y)) · [F_≤(y)^N − F_<(y)^N], F the CDFs of the score under π and tie(y) the
 * outcomes scoring the same as y. Probabilities are divided by their sum, which must be within
 * `opts.sumTolerance` of 1 (default 1e-9, or n · 2^-24 for a Float32Array).
 * Batched: each group is one distribution.
 *
 * @param probs - π, non-negative, summing to 1 (within `opts.sumTolerance`) per group.
 * @param scores - finite scores of the outcomes (any order; equal scores form a tie class).
 * @param N - the number of draws, any integer ≥ 1 (N = 1 returns π).
 * @example
 * ```ts
 * bestOfNDistribution([0.5, 0.3, 0.2], [1, 2, 3], 2); // Float64Array [0.25, 0.39, 0.36]
 * ```
 */
export function bestOfNDistribution<Out extends WeightArray = Float64Array>(
  probs: ArrayLike<number>,
  scores: ArrayLike<number>,
  N: number,
  opts?: BestOfNDistributionOptions<Out>,
): Out {
  const prep = prepareDistribution('bestOfNDistribution', probs, scores, N, opts, false);
  // Written directly (each value once, never read back); probabilities cannot overflow float32.
  const out = prep.out;
  const { pi, perm, totals } = prep;
  forEachTieClass(prep, (b, from, to, d, bon) => {
    const total = totals[b] as number;
    for (let p = from; p < to; p++) {
      const i = perm[p] as number;
      out[i] = d > 0 ? ((pi[i] as number) / total / d) * bon : 0;
    }
  });
  return out as Out;
}

/**
 * KL(π_BoN ‖ π) = Σ_y π_BoN(y) log(π_BoN(y)/π(y)) of the exact best-of-N distribution
 * ({@link bestOfNDistribution}). It is at most log N − (N−1)/N, with equality in the limit of a
 * continuous π without ties; ties and atoms lower it. A number for one distribution, a Float64Array
 * of B values when batched.
 *
 * @example
 * ```ts
 * bestOfNKL([0.5, 0.3, 0.2], [1, 2, 3], 2); // 0.14063…  (bound: log 2 − 1/2 = 0.1931…)
 * ```
 */
export function bestOfNKL<O extends BestOfNKLOptions = Record<never, never>>(
  probs: ArrayLike<number>,
  scores: ArrayLike<number>,
  N: number,
  opts?: O,
): MetricResult<O> {
  const prep = prepareDistribution('bestOfNKL', probs, scores, N, opts, true);
  const out = prep.out as Float64Array; // a metric: always Float64Array
  out.fill(0);
  // N = 1: π_BoN = π, KL exactly 0.
  if (prep.N === 1) return (prep.batched ? out : out[0]) as MetricResult<O>;
  // Every member of a class has the same ratio π_BoN(y)/π(y) = e^λ. KL = Σ_classes d·φ(λ), φ ≥ 0:
  // never negative, and no cancellation between classes above and below their π mass.
  forEachTieClass(prep, (b, _from, _to, d, _bon, logRatio) => {
    if (d > 0) out[b] = (out[b] as number) + d * klTerm(logRatio);
  });
  return (prep.batched ? out : out[0]) as MetricResult<O>;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link bestOfNWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * bestOfNAdvantage([1, 1, 1, 3], [0.5, 1, 0, 1], 3); // same as bestOfNWeights
 * ```
 */
export const bestOfNAdvantage = bestOfNWeights;

/**
 * @deprecated Renamed {@link bonRlBinaryWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * bonRlBinaryAdvantage([1, 0, 0, 1, 0, 0], 3); // same as bonRlBinaryWeights
 * ```
 */
export const bonRlBinaryAdvantage = bonRlBinaryWeights;

/** @deprecated Renamed {@link BestOfNWeightsOptions}. */
export type BestOfNAdvantageOptions<Out extends WeightArray = WeightArray> = BestOfNWeightsOptions<Out>;
