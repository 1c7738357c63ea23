/**
 * Any k-sample objective (Tang, Zheng, Synnaeve, Munos 2025, arXiv 2503.19595): J_k = E f(y_1..y_k) for
 * a user function f of a subset of a group's samples. The unbiased metric and per-sample gradient
 * weights by enumeration of all k-subsets, or, when there are too many, an unbiased Monte-Carlo estimate
 * from uniformly random k-subsets with its standard error. Math: docs/estimators/k-sample.md.
 */
import { InvalidArgumentError, NonFiniteError, show } from '../errors.js';
import type { BackendOptions } from '../backends/registry.js';
import { viaFloat64, type Layout, type WeightArray } from '../groups.js';
import { mulberry32 } from '../prng.js';
import { checkInteger } from '../validate.js';
import { prepareKSample, prepareMetric, type Baseline, type KSampleWeightOptions } from './weights.js';

/**
 * A symmetric objective of a subset of one group's samples. `subset` holds the samples' indices into
 * the whole batch (ascending; with one group they are 0..n−1), `group` the group's index. It must
 * return a finite number, and the same number for the same set of samples. It is called with k indices,
 * and with k − 1 indices for the `'loo-1'` baseline. A fresh array is passed on every call.
 */
export type SubsetFunction = (subset: readonly number[], group: number) => number;

/** Options shared by {@link kSampleAtK} and {@link kSampleWeights}: exact or sampled. */
export interface KSampleSamplingOptions {
  /**
   * Enumerate every subset (exact) when that takes at most this many calls of f per group: C(n, k),
   * plus C(n, k − 1) for `'loo-1'`. Otherwise sample. `0` always samples.
   * @defaultValue `10000`
   */
  maxSubsets?: number;
  /**
   * How many uniformly random k-subsets a sampled group draws (integer ≥ 2). Each costs one call of f
   * (k + 1 calls under `'loo-1'`).
   * @defaultValue `1000`
   */
  samples?: number;
  /**
   * Seed of the subset sampler (mulberry32). Any fixed seed keeps the estimate unbiased (the samples
   * themselves are random); change it to vary which subsets are drawn.
   * @defaultValue `0`
   */
  seed?: number;
}

/** The default of {@link KSampleSamplingOptions.maxSubsets}. */
export const K_SAMPLE_MAX_SUBSETS = 10_000;
/** The default of {@link KSampleSamplingOptions.samples}. */
export const K_SAMPLE_SAMPLES = 1000;

const SAMPLING_KEYS = ['maxSubsets', 'samples', 'seed'] as const;

interface Sampling {
  readonly maxSubsets: number;
  readonly samples: number;
  readonly seed: number;
}

function resolveSampling(opts: KSampleSamplingOptions | undefined): Sampling {
  const maxSubsets = opts?.maxSubsets === undefined ? K_SAMPLE_MAX_SUBSETS : checkInteger(opts.maxSubsets, 'opts.maxSubsets', 0);
  const samples = opts?.samples === undefined ? K_SAMPLE_SAMPLES : checkInteger(opts.samples, 'opts.samples', 2);
  const seed = opts?.seed === undefined ? 0 : checkInteger(opts.seed, 'opts.seed', 0);
  return { maxSubsets, samples, seed };
}

function checkF(f: unknown): SubsetFunction {
  if (typeof f !== 'function') throw new InvalidArgumentError('f', `f must be a function (got ${show(f)})`);
  return f as SubsetFunction;
}

/** Calls f and turns a throw or a non-finite value into a typed error naming the subset. */
function call(f: SubsetFunction, subset: number[], group: number, batched: boolean): number {
  const where = `subset [${subset.join(', ')}]${batched ? ` of group ${group}` : ''}`;
  let v: unknown;
  try {
    v = f(subset, group);
  } catch (e) {
    const err = new InvalidArgumentError('f', `f threw on ${where}: ${e instanceof Error ? e.message : show(e)}`);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
  if (typeof v !== 'number') throw new InvalidArgumentError('f', `f must return a number (got ${show(v)} for ${where})`);
  if (!Number.isFinite(v)) throw new NonFiniteError('f', `f must return a finite number (got ${show(v)} for ${where})`);
  return v;
}

/** C(n, k) if it is ≤ cap, else Infinity (never overflows, stops early). */
function binomialAtMost(n: number, k: number, cap: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) {
    c = (c * (n - kk + i)) / i;
    if (c > cap) return Infinity;
  }
  return Math.round(c);
}

/** Calls `visit` with every k-subset of start..start+n−1, ascending, in lexicographic order. */
function forEachSubset(start: number, n: number, k: number, visit: (subset: number[]) => void): void {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(idx.map((i) => start + i));
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    (idx[i] as number)++;
    for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] as number) + 1;
  }
}

/** A uniformly random k-subset of start..start+n−1 (partial Fisher–Yates on `pool`), ascending. */
function drawSubset(pool: Int32Array, n: number, k: number, random: () => number, start: number): number[] {
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
  }
  const s = Array.from(pool.subarray(0, k), (i) => start + i);
  return s.sort((a, b) => a - b);
}

function groupBounds(layout: Layout, b: number): [number, number] {
  const start = layout.offsets[b] as number;
  return [start, (layout.offsets[b + 1] as number) - start];
}

/**
 * Options of {@link kSampleAtK}: batching, exact or sampled, backend (checked; f runs in JavaScript
 * on every backend).
 */
export interface KSampleAtKOptions extends KSampleSamplingOptions, BackendOptions {
  /** Uniform groups of this many samples (must divide n). See {@link BatchOptions}. */
  groupSize?: number;
  /** Ragged groups: B + 1 offsets from 0 to n. See {@link BatchOptions}. */
  groupOffsets?: ArrayLike<number>;
}

/** What {@link kSampleAtK} returns; `T` is `number` for one group, `Float64Array` (one per group) when batched. */
export interface KSampleMetric<T> {
  /** The unbiased estimate of E f(y_1..y_k): exact mean over all k-subsets, or the sampled mean. */
  readonly estimate: T;
  /** Its Monte-Carlo standard error given the samples (sd of f over the drawn subsets / √samples); 0 when exact. */
  readonly standardError: T;
  /** Whether each group was enumerated exactly (one entry per group). */
  readonly exact: readonly boolean[];
  /** How many times f was called. */
  readonly calls: number;
}

/**
 * The unbiased estimate of J_k = E f(y_1..y_k) from each group of n ≥ k samples: the mean of f over all
 * C(n, k) subsets when that is at most `maxSubsets` calls, else the mean over `samples` uniformly
 * random k-subsets (seeded), with its standard error.
 *
 * @param n - the number of samples (the batch length when `groupSize` / `groupOffsets` is given).
 * @param k - 1 ≤ k ≤ n in every group.
 * @param f - the objective of a subset, see {@link SubsetFunction}.
 * @example
 * ```ts
 * const g = [0.1, 0.7, 0.3, 0.9, 0.5];
 * // the mean of the best two of three: exact over the C(5,3) = 10 subsets
 * const top2 = (I: readonly number[]) => { const v = I.map((i) => g[i]).sort((a, b) => a - b); return (v[1] + v[2]) / 2; };
 * kSampleAtK(5, 3, top2); // { estimate: 0.65, standardError: 0, exact: [true], calls: 10 }
 * ```
 */
export function kSampleAtK<O extends KSampleAtKOptions = Record<never, never>>(
  n: number,
  k: number,
  f: SubsetFunction,
  opts?: O,
): KSampleMetric<O extends { groupSize: number } | { groupOffsets: ArrayLike<number> } ? Float64Array : number> {
  const { k: kk, layout, extra: sampling } = prepareMetric('kSampleAtK', k, opts, {
    n,
    keys: SAMPLING_KEYS,
    options: () => resolveSampling(opts),
    output: 'none',
  });
  const fn = checkF(f);
  const random = mulberry32(sampling.seed);
  const estimate = new Float64Array(layout.groups);
  const standardError = new Float64Array(layout.groups);
  const exact: boolean[] = [];
  let calls = 0;
  for (let b = 0; b < layout.groups; b++) {
    const [start, size] = groupBounds(layout, b);
    const count = binomialAtMost(size, kk, sampling.maxSubsets);
    if (count <= sampling.maxSubsets) {
      let sum = 0;
      forEachSubset(start, size, kk, (I) => {
        sum += call(fn, I, b, layout.batched);
      });
      calls += count;
      estimate[b] = sum / count;
      exact.push(true);
      continue;
    }
    const pool = Int32Array.from({ length: size }, (_, i) => i);
    const M = sampling.samples;
    let mean = 0;
    let m2 = 0;
    for (let m = 0; m < M; m++) {
      const v = call(fn, drawSubset(pool, size, kk, random, start), b, layout.batched);
      const d = v - mean;
      mean += d / (m + 1);
      m2 += d * (v - mean);
    }
    calls += M;
    estimate[b] = mean;
    standardError[b] = Math.sqrt(m2 / (M - 1) / M);
    exact.push(false);
  }
  const shape = (a: Float64Array): number | Float64Array => (layout.batched ? a : (a[0] as number));
  return { estimate: shape(estimate), standardError: shape(standardError), exact, calls } as never;
}

/** Options of {@link kSampleWeights}: baseline, scale, batching, output, exact or sampled. */
export interface KSampleWeightsOptions<Out extends WeightArray = WeightArray>
  extends KSampleWeightOptions<Out>,
    KSampleSamplingOptions {}

/** What {@link kSampleWeights} returns. */
export interface KSampleWeights<Out extends WeightArray = Float64Array> {
  /**
   * Per-sample gradient weights, in input order (sum form unless `scale: 'mean'`): `opts.out` when given
   * (a Float32Array gets them rounded to float32), else a new Float64Array.
   */
  readonly weights: Out;
  /** Per-sample Monte-Carlo standard errors of the weights given the samples; 0 for exact groups. */
  readonly standardError: Float64Array;
  /** Whether each group was enumerated exactly (one entry per group). */
  readonly exact: readonly boolean[];
  /** How many times f was called. */
  readonly calls: number;
}

/**
 * Per-sample gradient weights of J_k = E f(y_1..y_k) for any symmetric f: s_i = (1/C(n,k)) Σ_{I∋i} f(I)
 * minus the chosen baseline (`'loo'`: (k/n)ρ(g₋ᵢ, k); `'loo-pkpo'`: (k/(n−1))ρ(g₋ᵢ, k); `'loo-1'`:
 * (1/C(n,k)) Σ_{I∋i} f(I∖{i}), which at n = k is Tang et al.'s f(all) − f(all∖i) with k + 1 calls).
 * Exact by enumeration under `maxSubsets`; otherwise unbiased from `samples` random k-subsets:
 * ŝ_i = (1/M) Σ_m 1{i∈I_m} f(I_m), `'loo'` subtracts (k/(n−k))·(1/M) Σ_m 1{i∉I_m} f(I_m) (never
 * involving sample i), `'loo-1'` subtracts (1/M) Σ_m 1{i∈I_m} f(I_m∖{i}).
 *
 * @param n - the number of samples (the batch length when `groupSize` / `groupOffsets` is given).
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @param f - the objective of a subset, see {@link SubsetFunction}.
 * @example
 * ```ts
 * const g = [0.1, 0.7, 0.3, 0.9, 0.5];
 * const max = (I: readonly number[]) => Math.max(...I.map((i) => g[i]));
 * kSampleWeights(5, 2, max).weights; // loo-1: Float64Array [0, 0.12, 0.02, 0.20, 0.06] (= maxAtKWeights)
 * kSampleWeights(5, 5, max).calls; // 6: f(all) and the five f(all ∖ i)
 * ```
 */
export function kSampleWeights<Out extends WeightArray = Float64Array>(
  n: number,
  k: number,
  f: SubsetFunction,
  opts?: KSampleWeightsOptions<Out>,
): KSampleWeights<Out> {
  const p = prepareKSample('kSampleWeights', k, opts, { n, keys: SAMPLING_KEYS, options: () => resolveSampling(opts) });
  const length = p.layout.offsets[p.layout.groups] as number;
  const fn = checkF(f);
  const sampling = p.extra;
  const { layout, k: kk, effectiveBaseline: baseline } = p;
  const standardError = new Float64Array(length);
  const exact: boolean[] = [];
  const random = mulberry32(sampling.seed);
  let calls = 0;
  viaFloat64(p.out, layout, (out) => {
    for (let b = 0; b < layout.groups; b++) {
      const [start, size] = groupBounds(layout, b);
      const count = binomialAtMost(size, kk, sampling.maxSubsets);
      const countLoo1 = baseline === 'loo-1' ? binomialAtMost(size, kk - 1, sampling.maxSubsets) : 0;
      const scale = p.scaleByN ? size : 1;
      if (count + countLoo1 <= sampling.maxSubsets) {
        calls += exactGroup(fn, b, start, size, kk, baseline, layout.batched, out);
        for (let i = start; i < start + size; i++) out[i] = (out[i] as number) * scale;
        exact.push(true);
        continue;
      }
      calls += sampledGroup(fn, b, start, size, kk, baseline, layout.batched, sampling.samples, random, out, standardError);
      for (let i = start; i < start + size; i++) {
        out[i] = (out[i] as number) * scale;
        standardError[i] = (standardError[i] as number) * scale;
      }
      exact.push(false);
    }
  });
  return { weights: p.out as Out, standardError, exact, calls };
}

/** Exact weights of one group into out[start..start+size); returns the number of calls of f. */
function exactGroup(
  f: SubsetFunction,
  b: number,
  start: number,
  size: number,
  k: number,
  baseline: Baseline,
  batched: boolean,
  out: Float64Array,
): number {
  let calls = 0;
  const inSum = new Float64Array(size); // Σ_{I∋i} f(I)
  const outSum = new Float64Array(size); // Σ_{I∌i} f(I)
  let total = 0;
  let count = 0;
  forEachSubset(start, size, k, (I) => {
    const v = call(f, I, b, batched);
    calls++;
    count++;
    total += v;
    for (const i of I) inSum[i - start] = (inSum[i - start] as number) + v;
  });
  for (let i = 0; i < size; i++) outSum[i] = total - (inSum[i] as number);
  const base = new Float64Array(size);
  if (baseline === 'loo' || baseline === 'loo-pkpo') {
    // (k/n)·ρ(g₋ᵢ, k) with ρ(g₋ᵢ, k) = Σ_{I∌i} f(I) / C(n−1, k) and C(n−1,k)/C(n,k) = (n−k)/n.
    const c = baseline === 'loo' ? k / size : k / (size - 1);
    for (let i = 0; i < size; i++) base[i] = (c * (outSum[i] as number)) / ((count * (size - k)) / size);
  } else if (baseline === 'loo-1') {
    // (1/C(n,k)) Σ_{J: |J| = k−1, i∉J} f(J): each (k−1)-subset J is I∖{i} for the i outside J.
    const sumOut = new Float64Array(size);
    let totalJ = 0;
    const inJ = new Float64Array(size);
    forEachSubset(start, size, k - 1, (J) => {
      const v = call(f, J, b, batched);
      calls++;
      totalJ += v;
      for (const j of J) inJ[j - start] = (inJ[j - start] as number) + v;
    });
    for (let i = 0; i < size; i++) sumOut[i] = totalJ - (inJ[i] as number);
    for (let i = 0; i < size; i++) base[i] = (sumOut[i] as number) / count;
  }
  for (let i = 0; i < size; i++) out[start + i] = (inSum[i] as number) / count - (base[i] as number);
  return calls;
}

/** Sampled weights and their standard errors of one group; returns the number of calls of f. */
function sampledGroup(
  f: SubsetFunction,
  b: number,
  start: number,
  size: number,
  k: number,
  baseline: Baseline,
  batched: boolean,
  M: number,
  random: () => number,
  out: Float64Array,
  standardError: Float64Array,
): number {
  let calls = 0;
  const pool = Int32Array.from({ length: size }, (_, i) => i);
  // Per sample, the running sum and sum of squares of its per-draw term Z_{m,i}.
  const sum = new Float64Array(size);
  const sumSq = new Float64Array(size);
  const outside = baseline === 'loo' ? k / (size - k) : baseline === 'loo-pkpo' ? (k / (size - 1)) * (size / (size - k)) : 0;
  const member = new Uint8Array(size);
  for (let m = 0; m < M; m++) {
    const I = drawSubset(pool, size, k, random, start);
    const v = call(f, I, b, batched);
    calls++;
    for (const i of I) member[i - start] = 1;
    if (baseline === 'loo-1') {
      for (let t = 0; t < k; t++) {
        const rest = I.filter((_, u) => u !== t);
        const z = v - call(f, rest, b, batched);
        calls++;
        const i = (I[t] as number) - start;
        sum[i] = (sum[i] as number) + z;
        sumSq[i] = (sumSq[i] as number) + z * z;
      }
    } else {
      for (let i = 0; i < size; i++) {
        const z = member[i] === 1 ? v : -outside * v;
        if (z === 0) continue;
        sum[i] = (sum[i] as number) + z;
        sumSq[i] = (sumSq[i] as number) + z * z;
      }
    }
    for (const i of I) member[i - start] = 0;
  }
  for (let i = 0; i < size; i++) {
    const mean = (sum[i] as number) / M;
    out[start + i] = mean;
    const variance = Math.max(0, ((sumSq[i] as number) - M * mean * mean) / (M - 1));
    standardError[start + i] = Math.sqrt(variance / M);
  }
  return calls;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link kSampleWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * kSampleAdvantage(3, 2, (I) => I.length); // same as kSampleWeights
 * ```
 */
export const kSampleAdvantage = kSampleWeights;

/** @deprecated Renamed {@link KSampleWeightsOptions}. */
export type KSampleAdvantageOptions<Out extends WeightArray = WeightArray> = KSampleWeightsOptions<Out>;
