/**
 * The order-statistic (L-statistic) family of k-sample objectives: f(I) = Σ_j α_j X_(j:I), a weighted
 * sum of the k sorted rewards of a subset (max, min, top-m mean, median, CVaR, trimmed mean, …), with the
 * unbiased metric and the exact per-sample gradient weights in O(n log n) per group (OrderGrad, Parmas et
 * al., arXiv 2606.06096; the max case is PKPO, Walder & Karkhanis, arXiv 2505.15201).
 * Math: docs/estimators/order-statistics.md.
 */
import { kernel, type BackendOptions } from '../backends/registry.js';
import { orderStatisticKernels } from '../backends/js/order-statistics.js';
import { sortKernels } from '../backends/js/sort.js';
import { OrderStatisticMetric, OrderStatisticWeights, SegmentedSort } from '../backends/types.js';
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import {
  metricResult,
  type Layout,
  type MetricOutputOptions,
  type MetricResult,
  viaFloat64,
  type WeightArray,
} from '../groups.js';
import { checkFiniteArray, checkInteger, MAX_LENGTH } from '../validate.js';
import { prepareKSample, prepareMetric, retryIfOverflow, type Baseline, type KSampleWeightOptions } from './weights.js';

/** This family's reference kernels (the `js` backend). */
const JS_KERNELS = { ...sortKernels, ...orderStatisticKernels };

/**
 * A named rank-weight vector. The grammar (m an integer, q a decimal number):
 * - `'max'`: α = e_k, the best of k (= max@k; pass@k on 0/1 rewards).
 * - `'min'`: α = e_1, the worst of k (= pass^k on 0/1 rewards).
 * - `'mean'`: α_j = 1/k, the mean of k (the ordinary mean-reward objective).
 * - `'median'`: the middle rank for odd k; the mean of the two middle ranks for even k.
 * - `` `top-${m}` ``: the mean of the m highest of k (1 ≤ m ≤ k), e.g. `'top-2'`.
 * - `` `cvar-${q}` ``: the mean of the ⌈qk⌉ lowest of k, 0 < q ≤ 1 (risk-averse), e.g. `'cvar-0.25'`.
 * - `` `upper-${q}` ``: the mean of the ⌈qk⌉ highest of k, 0 < q ≤ 1, e.g. `'upper-0.5'`.
 * - `` `trimmed-mean-${q}` ``: drop the ⌊qk⌋ lowest and the ⌊qk⌋ highest, average the rest, 0 < q < 0.5.
 *
 * ⌈qk⌉ and ⌊qk⌋ are taken with a 1e-9 tolerance, so a decimal q means what it says (0.3 · 10 is 3, not
 * 3.0000000000000004 → 4). Every preset's weights sum to 1. The (k − 1)-sample analogue used by
 * baseline `'loo-1'` is the same preset at k − 1 (`top-m` then averages min(m, k − 1) ranks).
 */
export type OrderStatisticPreset =
  | 'max'
  | 'min'
  | 'mean'
  | 'median'
  | `top-${number}`
  | `cvar-${number}`
  | `upper-${number}`
  | `trimmed-mean-${number}`;

/** Rank weights: a preset name, or α_1..α_k (α_1 weights the lowest of the k sorted rewards). */
export type OrderStatisticAlpha = OrderStatisticPreset | ArrayLike<number>;

const TOLERANCE = 1e-9;

function parseQ(text: string, preset: string, name: string, upperOpen: boolean): number {
  const q = /^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(text) ? Number(text) : NaN;
  const ok = q > 0 && (upperOpen ? q < 0.5 : q <= 1);
  if (!ok) {
    throw new DomainError(
      name,
      `${name} '${preset}' needs q in ${upperOpen ? '(0, 0.5)' : '(0, 1]'} (got q=${show(text)})`,
    );
  }
  return q;
}

/**
 * The rank weights α_1..α_k of a preset (see {@link OrderStatisticPreset}) or of a raw vector
 * (checked: finite numbers, length k).
 *
 * @param alpha - a preset name or a length-k array.
 * @param k - the number of samples the objective looks at (integer ≥ 1).
 * @example
 * ```ts
 * orderStatisticAlpha('top-2', 4); // Float64Array [0, 0, 0.5, 0.5]
 * orderStatisticAlpha('median', 4); // Float64Array [0, 0.5, 0.5, 0]
 * orderStatisticAlpha('cvar-0.5', 5); // Float64Array [1/3, 1/3, 1/3, 0, 0]
 * ```
 */
export function orderStatisticAlpha(alpha: OrderStatisticAlpha, k: number): Float64Array {
  const kk = checkInteger(k, 'k', 1, MAX_LENGTH);
  return resolveAlpha(alpha, kk, 'alpha', false);
}

/** Resolves α for k samples. `clampTop`: `top-m` with m > k averages all k (the loo-1 analogue). */
function resolveAlpha(alpha: unknown, k: number, name: string, clampTop: boolean): Float64Array {
  if (typeof alpha === 'string') {
    const out = new Float64Array(k);
    const fill = (lo: number, hi: number): Float64Array => {
      for (let j = lo; j < hi; j++) out[j] = 1 / (hi - lo);
      return out;
    };
    if (alpha === 'max') return fill(k - 1, k);
    if (alpha === 'min') return fill(0, 1);
    if (alpha === 'mean') return fill(0, k);
    if (alpha === 'median') return k % 2 === 1 ? fill((k - 1) / 2, (k + 1) / 2) : fill(k / 2 - 1, k / 2 + 1);
    let m: RegExpExecArray | null;
    if ((m = /^top-(.*)$/.exec(alpha)) !== null) {
      const text = m[1] as string;
      const count = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!(count >= 1)) throw new DomainError(name, `${name} '${alpha}' needs an integer m ≥ 1 (got m=${show(text)})`);
      if (count > k && !clampTop) throw new DomainError(name, `${name} '${alpha}' needs m ≤ k (got m=${count}, k=${k})`);
      return fill(k - Math.min(count, k), k);
    }
    if ((m = /^trimmed-mean-(.*)$/.exec(alpha)) !== null) {
      const q = parseQ(m[1] as string, alpha, name, true);
      const drop = Math.floor(q * k + TOLERANCE);
      return fill(drop, k - drop);
    }
    if ((m = /^(cvar|upper)-(.*)$/.exec(alpha)) !== null) {
      const q = parseQ(m[2] as string, alpha, name, false);
      const count = Math.min(k, Math.max(1, Math.ceil(q * k - TOLERANCE)));
      return m[1] === 'cvar' ? fill(0, count) : fill(k - count, k);
    }
    throw new InvalidArgumentError(
      name,
      `${name} must be a rank-weight array or one of 'max' | 'min' | 'mean' | 'median' | 'top-<m>' | ` +
        `'cvar-<q>' | 'upper-<q>' | 'trimmed-mean-<q>' (got ${show(alpha)})`,
    );
  }
  const values = checkFiniteArray(alpha, name);
  if (values.length !== k) {
    throw new ShapeError(name, `${name} must have length k (got length ${values.length}, k=${k})`);
  }
  return Float64Array.from(values);
}

/**
 * Terms of the hypergeometric pmf below TAIL times its mode are dropped: the pmf is log-concave, so the
 * rest of that tail is below ~TAIL·(a few) of the total, 1e-20 relative to max|α| in every β_p, and the
 * loop stops after ~10 standard deviations instead of running to the support's end (O(n·√k) per table
 * in place of O(nk) for large k).
 */
const TAIL = 1e-20;

/**
 * Σ_x w[x + shift] · H(x), H the hypergeometric pmf of x successes in r draws without replacement from
 * N items of which m are successes. The pmf is built by its term ratios outward from the mode and
 * normalised by its sum: no binomial coefficient is ever formed (they overflow past n ≈ 1030), terms far
 * in the tails underflow harmlessly to 0.
 */
function hypergeometricDot(N: number, m: number, r: number, w: Float64Array, shift: number): number {
  if (r === 0) return w[shift] as number;
  const lo = Math.max(0, r - (N - m));
  const hi = Math.min(r, m);
  let mode = Math.floor(((r + 1) * (m + 1)) / (N + 2));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  const c = N - m - r;
  let total = 1;
  let dot = w[mode + shift] as number;
  let u = 1;
  for (let x = mode; x < hi; x++) {
    u *= ((m - x) * (r - x)) / ((x + 1) * (c + x + 1));
    if (u < TAIL) break;
    total += u;
    dot += u * (w[x + 1 + shift] as number);
  }
  u = 1;
  for (let x = mode; x > lo; x--) {
    u *= (x * (c + x)) / ((m - x + 1) * (r - x + 1));
    if (u < TAIL) break;
    total += u;
    dot += u * (w[x - 1 + shift] as number);
  }
  return dot / total;
}

/**
 * a_p = Σ_j α_j C(p, j−1) C(n−1−p, k−j) / C(n, k) for 0-based sorted positions p: the weight of
 * position p in the metric (the probability that p is at rank j of a random k-subset, times α_j).
 */
function positionWeights(n: number, k: number, alpha: Float64Array): Float64Array {
  const a = new Float64Array(n);
  for (let p = 0; p < n; p++) a[p] = (k / n) * hypergeometricDot(n - 1, p, k - 1, alpha, 0);
  return a;
}

/**
 * Σα: exactly 1 for a preset (its rounded weights may sum to 1 ± ulp, which would leave all-equal groups
 * with non-zero weights), the plain sum for a raw vector.
 */
function alphaSum(alpha: Float64Array, preset: boolean): number {
  if (preset) return 1;
  let s = 0;
  for (let j = 0; j < alpha.length; j++) s += alpha[j] as number;
  return s;
}

/** The metric table [Σα, hi_0..hi_{n−2}] with hi_r = Σ_{p>r} a_p. */
function metricTable(n: number, k: number, alpha: Float64Array, sa: number): Float64Array {
  const a = positionWeights(n, k, alpha);
  const t = new Float64Array(n);
  t[0] = sa;
  let tail = 0;
  for (let r = n - 2; r >= 0; r--) {
    tail += a[r + 1] as number;
    t[1 + r] = tail;
  }
  return t;
}

/**
 * The weight table [S, lo_0..lo_{n−2}, hi_0..hi_{n−2}] of docs/estimators/order-statistics.md: with
 * c_{p,q} the coefficient of x_q in w_p (a_p on the diagonal, U_q above p, L_q below p),
 * hi_r = T_r = Σ_{q>r} U_q, lo_r = a_{r+1} + T_{r+1} (the row sums are all S, which makes L redundant),
 * and U_q = d_q − c₀·β̃_{q−1}: the pair weight d_q = Σ_j α_j C(q−1, j−2) C(n−1−q, k−j) / C(n, k) minus the
 * baseline's share of the leave-one-out metric of the other n − 1 samples (β̃ the position weights of
 * n − 1 samples at κ with α̃).
 */
function weightTable(
  n: number,
  k: number,
  alpha: Float64Array,
  baseline: Baseline,
  kappa: number,
  alphaTilde: Float64Array,
  sa: number,
  saTilde: number,
): Float64Array {
  const a = positionWeights(n, k, alpha);
  const pair = n >= 2 ? (k / n) * ((k - 1) / (n - 1)) : 0;
  const c0 = baseline === 'none' ? 0 : baseline === 'loo-pkpo' ? k / (n - 1) : k / n;
  const betaTilde = c0 === 0 ? undefined : positionWeights(n - 1, kappa, alphaTilde);
  const t = new Float64Array(2 * n - 1);
  // T_r by a compensated (Neumaier) running sum: the U_q have both signs under a baseline, and the
  // weights of tied-heavy groups are small differences of these tails.
  let tail = 0; // T_r
  let comp = 0;
  for (let q = n - 1; q >= 1; q--) {
    const d = k >= 2 ? pair * hypergeometricDot(n - 2, q - 1, k - 2, alpha, 1) : 0;
    const u = betaTilde === undefined ? d : d - c0 * (betaTilde[q - 1] as number);
    const tNext = tail + comp; // T_q
    const s = tail + u;
    comp += Math.abs(tail) >= Math.abs(u) ? tail - s + u : u - s + tail;
    tail = s;
    t[n + q - 1] = tail + comp; // hi_{q−1} = T_{q−1}
    t[q] = (a[q] as number) + tNext; // lo_{q−1} = a_q + T_q
  }
  const r = k / n;
  t[0] =
    baseline === 'none'
      ? r * sa
      : baseline === 'loo'
        ? 0
        : baseline === 'loo-pkpo'
          ? (r - k / (n - 1)) * sa
          : r * (sa - saTilde);
  return t;
}

/** Builds one table per distinct group size; returns the concatenation and where each group's starts. */
function tablesFor(layout: Layout, build: (n: number) => Float64Array): { tables: Float64Array; tableStart: Int32Array } {
  const { offsets, groups } = layout;
  const starts = new Map<number, number>();
  const parts: Float64Array[] = [];
  let total = 0;
  const tableStart = new Int32Array(groups);
  for (let b = 0; b < groups; b++) {
    const n = (offsets[b + 1] as number) - (offsets[b] as number);
    let at = starts.get(n);
    if (at === undefined) {
      const t = build(n);
      at = total;
      starts.set(n, at);
      parts.push(t);
      total += t.length;
    }
    tableStart[b] = at;
  }
  const tables = new Float64Array(total);
  let o = 0;
  for (const t of parts) {
    tables.set(t, o);
    o += t.length;
  }
  return { tables, tableStart };
}

/** Options of {@link orderStatisticAtK}: batching, output, backend. */
export interface OrderStatisticAtKOptions extends MetricOutputOptions, BackendOptions {}

/**
 * The unbiased estimate of E[Σ_j α_j X_(j:k)] (an L-statistic of k samples) from n ≥ k samples: the mean
 * of f over all C(n, k) subsets, Σ_p β_p X_(p) with β_p = Σ_j α_j C(p−1, j−1) C(n−p, k−j)/C(n, k), in
 * O(n log n) per group, stable at any n. Returns a number for one group, a Float64Array of B values when
 * batched. `'max'` is {@link maxAtK}, `'min'` on 0/1 rewards is pass^k.
 *
 * @param rewards - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group.
 * @param alpha - rank weights α_1..α_k (lowest first) or a preset, see {@link OrderStatisticPreset}.
 * @example
 * ```ts
 * orderStatisticAtK([0.1, 0.7, 0.3, 0.9, 0.5], 3, 'median'); // 0.5
 * orderStatisticAtK([0.1, 0.7, 0.3, 0.9, 0.5], 2, 'max'); // 0.7 (= maxAtK)
 * orderStatisticAtK([1, 1, 0, 1, 1, 1], 2, 'min', { groupSize: 3 }); // Float64Array [0.333…, 1]
 * ```
 */
export function orderStatisticAtK<O extends OrderStatisticAtKOptions = Record<never, never>>(
  rewards: ArrayLike<number>,
  k: number,
  alpha: OrderStatisticAlpha,
  opts?: O,
): MetricResult<O> {
  const { arrays, k: kk, layout, backend, out } = prepareMetric('orderStatisticAtK', k, opts, {
    inputs: [['rewards', rewards, checkFiniteArray]],
    jsKernels: JS_KERNELS,
  });
  const values = arrays[0] as ArrayLike<number>;
  // α has k entries: resolved only once k ≤ n is known (a huge k must not allocate first).
  const a = resolveAlpha(alpha, kk, 'alpha', false);
  const sa = alphaSum(a, typeof alpha === 'string');
  const { tables, tableStart } = tablesFor(layout, (n) => metricTable(n, kk, a, sa));
  const sorted = new Float64Array(values.length);
  kernel(backend, SegmentedSort)(values, layout.offsets, sorted);
  // Sorting commutes with x ↦ x/4, so the overflow retry can rescale the sorted copy.
  retryIfOverflow(sorted, out, (s) => kernel(backend, OrderStatisticMetric)(s, layout.offsets, tables, tableStart, out));
  return metricResult(layout, out) as MetricResult<O>;
}

/** Options of {@link orderStatisticWeights}. */
export interface OrderStatisticWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {
  /**
   * α for k − 1 samples (length k − 1), needed by baseline `'loo-1'` when `alpha` is a raw vector (a
   * preset supplies its own (k − 1)-sample analogue, and then this must be absent).
   */
  alphaLoo1?: ArrayLike<number>;
}

/**
 * Per-sample gradient weights of an order-statistic objective f(I) = Σ_j α_j X_(j:I): in the ascending
 * sort, s_(p) = (1/C(n,k)) [X_(p) Σ_j α_j C(p−1,j−1) C(n−p,k−j) + Σ_{q<p} X_(q) Σ_j α_j C(q−1,j−1)
 * C(n−q−1,k−j−1) + Σ_{q>p} X_(q) Σ_j α_j C(q−2,j−2) C(n−q,k−j)], minus the chosen baseline (`'loo'`:
 * (k/n)ρ(g₋ᵢ, k); `'loo-1'`: (k/n)ρ(g₋ᵢ, k−1) with the (k − 1)-sample α). O(n log n) per group; tied
 * rewards get identical weights whatever their order. Sum form; `scale: 'mean'` multiplies by n.
 *
 * @param rewards - finite rewards, one per sample.
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @param alpha - rank weights α_1..α_k (lowest first) or a preset, see {@link OrderStatisticPreset}.
 *   `'loo-1'` (the default baseline) with a raw vector and k ≥ 2 needs `opts.alphaLoo1`.
 * @example
 * ```ts
 * orderStatisticWeights([0.1, 0.7, 0.3, 0.9, 0.5], 2, 'max');
 * // loo-1: Float64Array [0, 0.12, 0.02, 0.20, 0.06] (= maxAtKWeights)
 * orderStatisticWeights([0.1, 0.7, 0.3, 0.9, 0.5], 3, [0.2, 0.3, 0.5], { baseline: 'loo' });
 * ```
 */
export function orderStatisticWeights<Out extends WeightArray = Float64Array>(
  rewards: ArrayLike<number>,
  k: number,
  alpha: OrderStatisticAlpha,
  opts?: OrderStatisticWeightsOptions<Out>,
): Out {
  const p = prepareKSample('orderStatisticWeights', k, opts, {
    inputs: [['rewards', rewards, checkFiniteArray]],
    keys: ['alphaLoo1'],
    jsKernels: JS_KERNELS,
  });
  let values = p.arrays[0] as ArrayLike<number>;
  const a = resolveAlpha(alpha, p.k, 'alpha', false);
  const raw = typeof alpha !== 'string';
  let kappa = p.k;
  let alphaTilde = a;
  if (opts?.alphaLoo1 !== undefined && !(raw && p.effectiveBaseline === 'loo-1')) {
    throw new InvalidArgumentError(
      'opts.alphaLoo1',
      raw
        ? `opts.alphaLoo1 is used only by baseline 'loo-1' at k ≥ 2 (got baseline '${p.baseline}', k=${p.k})`
        : `opts.alphaLoo1 must not be given with a preset (got alpha=${show(alpha)}): the preset defines its own (k − 1)-sample analogue`,
    );
  }
  if (p.effectiveBaseline === 'loo-1') {
    kappa = p.k - 1;
    if (raw) {
      if (opts?.alphaLoo1 === undefined) {
        throw new InvalidArgumentError(
          'opts.alphaLoo1',
          `baseline 'loo-1' with a raw alpha needs opts.alphaLoo1, the rank weights for k − 1 = ${kappa} samples ` +
            `(got none; or pick baseline 'loo')`,
        );
      }
      alphaTilde = resolveAlpha(opts.alphaLoo1, kappa, 'opts.alphaLoo1', false);
    } else {
      alphaTilde = resolveAlpha(alpha, kappa, 'alpha', true);
    }
  }
  if (ArrayBuffer.isView(values) && (values as unknown as Float64Array).buffer === p.out.buffer) {
    values = Float64Array.from(values); // out aliases the rewards: the rescue below re-reads them
  }
  const sa = alphaSum(a, !raw);
  const saTilde = alphaTilde === a ? sa : alphaSum(alphaTilde, !raw);
  const { tables, tableStart } = tablesFor(p.layout, (n) => weightTable(n, p.k, a, p.effectiveBaseline, kappa, alphaTilde, sa, saTilde));
  const run = kernel(p.backend, OrderStatisticWeights);
  const v = values;
  viaFloat64(p.out, p.layout, (out) => retryIfOverflow(v, out, (x) => run(x, p.layout.offsets, tables, tableStart, p.scaleByN, out)));
  return p.out as Out;
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link orderStatisticWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * orderStatisticAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2, 'max'); // same as orderStatisticWeights
 * ```
 */
export const orderStatisticAdvantage = orderStatisticWeights;

/** @deprecated Renamed {@link OrderStatisticWeightsOptions}. */
export type OrderStatisticAdvantageOptions<Out extends WeightArray = WeightArray> = OrderStatisticWeightsOptions<Out>;
