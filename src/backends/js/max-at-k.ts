/**
 * Reference kernels of the max@k family: the fused max@k weights (sort, weights by sorted position,
 * scatter back to input order) and the metric over each group sorted ascending.
 * Math: docs/estimators/max-at-k.md.
 */
import { SubsetWeightCache } from '../../combinatorics.js';
import { BaselineCode, type KernelTable, type Values } from '../types.js';
import { argsortGroup, firstNonFinite, groupRange, largestGroup } from './sort.js';
import { meanOf, rangeSum, sumError } from './sums.js';
import { SAFE_MAGNITUDE } from '../constants.js';

/**
 * Weights by sorted position p = 0..n−1 (μ_p = C(p, k−1)/C(n, k), ν_p = μ_p (k−1)/p, both 0 below
 * p = k − 1). Every sum runs only over terms whose coefficient is non-zero, so a sample that cannot
 * affect a weight (below position k − 2 for loo-1, k − 1 otherwise) never enters it, and every running
 * sum is compensated, so the error does not grow with n:
 *   none:     s_p = μ_p x_p + Σ_{j>p} ν_j x_j                         (non-negative coefficients)
 *   loo-1:    w_p = Σ_{q≤p} μ_q (x_q − x_{q−1})                        (non-negative terms; k ≥ 2 in
 *             {@link looOneWeights})
 *   loo:      loo-1 − (k/n)·Δ_p with Δ_p ≥ 0 by Abel summation over the gaps (k ≥ 2)
 *   loo-pkpo: loo − (k/(n(n−1)))·ρ(x₋ₚ, k), since k/(n−1) = k/n + k/(n(n−1))
 * with ρ(x₋ₚ, k) = Σ_{j<p} m_j x_j + Σ_{j>p} m_{j−1} x_j and m = μ(n−1, k). A group whose relevant
 * values reach 2^1021 in magnitude is computed on x/4 and scaled back (exact but for subnormals), so
 * no gap and no partial sum overflows. Ties need no care here: s_p is constant over a block of equal
 * values (the hockey-stick identity), and callers read a block's first position.
 *
 * The compensation term of each running sum u = s + t is Knuth's branch-free TwoSum, (s − (u − b)) +
 * (t − b) with b = u − s: the exact rounding error, the same number (so the same bits) as Neumaier's
 * |s| ≥ |t| ? (s − u) + t : (t − u) + s whenever u is finite, without a branch that random data
 * mispredicts. (A u that overflows makes a weight non-finite either way, and the caller rescales.)
 */
function weightsOfGroup(
  x: Float64Array,
  n: number,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
  cache: SubsetWeightCache,
  rhoMinus: Float64Array,
): void {
  const mu = cache.get(n, k);
  // Positions below k − 1 have zero coefficients in every weight: they decide neither the rescale
  // nor any sum. (loo does not depend on position k − 2 either: it is never the maximum of a k-subset
  // nor of a k-subset of the others.)
  const lo = k - 1;
  const top = x[n - 1] as number;
  const sc = Math.max(Math.abs(x[lo] as number), Math.abs(top)) < SAFE_MAGNITUDE ? 1 : 0.25;
  // x_p·sc is read in place (·1 is exact).
  const scale = (scaleByN ? n : 1) / sc;
  if (baseline === BaselineCode.none) {
    // s_p = μ_p x_p + T_p, T_p = Σ_{j>p} ν_j x_j by a compensated suffix sum.
    let tail = 0;
    let c = 0;
    const nuFactor = k - 1;
    for (let p = n - 1; p >= 0; p--) {
      const xp = (x[p] as number) * sc;
      const m = mu[p] as number;
      out[p] = (m * xp + tail + c) * scale;
      if (p > 0 && m !== 0) {
        const t = ((m * nuFactor) / p) * xp;
        const u = tail + t;
        const bv = u - tail;
        c += (tail - (u - bv)) + (t - bv);
        tail = u;
      }
    }
    return;
  }
  if (k >= 2) {
    // loo = loo-1 − (k/n)·Δ_q with Δ_q = ρ(x₋q, k) − ρ(x₋q, k−1) ≥ 0. By Abel summation over the gaps
    // d of the group without q, Δ_q = Σ_r W_r·gap_r with W_r = μ(n−1, k)_r·(n−1−r)/k ≥ 0: both parts
    // are sums of non-negative terms, so a weight is accurate relative to the two parts, not to the
    // rewards' size (s − (k/n)ρ₋q cancels catastrophically when the weights are small; see
    // docs/estimators/max-at-k.md). The gap that spans the removed q is d_q + d_{q+1}.
    const m = n - 1;
    const m1 = cache.get(m, k);
    let suffix = 0; // Σ_{r=q+1}^{m−1} W_r d_{r+1}
    let cs = 0;
    for (let q = n - 1; q >= 0; q--) {
      rhoMinus[q] = suffix + cs;
      if (q >= 1 && q <= m - 1 && (m1[q] as number) !== 0) {
        const t = (((m1[q] as number) * (m - q)) / k) * (((x[q + 1] as number) * sc) - ((x[q] as number) * sc));
        const u = suffix + t;
        const bv = u - suffix;
        cs += (suffix - (u - bv)) + (t - bv);
        suffix = u;
      }
    }
    const a = k / n;
    let w1 = 0;
    let c1 = 0;
    let prefix = 0; // Σ_{r=1}^{q−1} W_r d_r
    let cp = 0;
    for (let q = 0; q < n; q++) {
      const mq = mu[q] as number;
      // d_{k−1} = 0: loo does not depend on x_{k−2}, and raising it to x_{k−1} cancels the one term
      // it has in loo-1 and in Δ alike (a penalty there would otherwise cancel between the two).
      const dq = q >= k ? ((x[q] as number) * sc) - ((x[q - 1] as number) * sc) : 0;
      if (mq !== 0) {
        const t = mq * dq;
        const u = w1 + t;
        const bv = u - w1;
        c1 += (w1 - (u - bv)) + (t - bv);
        w1 = u;
      }
      let wq = 0;
      let around = 0;
      if (q >= 1 && q <= m - 1 && (m1[q] as number) !== 0) {
        wq = ((m1[q] as number) * (m - q)) / k;
        around = wq * (dq + (((x[q + 1] as number) * sc) - ((x[q] as number) * sc)));
      }
      out[q] = (w1 + c1 - a * (prefix + cp + around + (rhoMinus[q] as number))) * scale;
      if (wq !== 0) {
        const t = wq * dq;
        const u = prefix + t;
        const bv = u - prefix;
        cp += (prefix - (u - bv)) + (t - bv);
        prefix = u;
      }
    }
  } else {
    // k = 1 (loo, and loo-1 which falls back to it): every sample is relevant, s_p − (1/n)ρ(x₋ₚ, 1) =
    // (y_p − (S − y_p)/(n − 1))/n on y = x − c for any c. c = the mean keeps Σ|y| within twice its
    // least value (the median's), and equal rewards give c = x, hence exact zeros.
    const c0 = meanOf(x, 0, n, sc);
    let sum = 0;
    let c = 0;
    for (let p = 0; p < n; p++) {
      const t = ((x[p] as number) * sc) - c0;
      const u = sum + t;
      c += sumError(sum, t, u);
      sum = u;
    }
    sum += c;
    for (let p = 0; p < n; p++) {
      const y = ((x[p] as number) * sc) - c0;
      out[p] = ((y - (sum - y) / (n - 1)) / n) * scale;
    }
  }
  if (baseline === BaselineCode['loo-pkpo']) {
    // ρ(x₋ₚ, k) by a compensated suffix sum Σ_{j>p} m_{j−1} x_j and prefix sum Σ_{j<p} m_j x_j.
    const m1 = cache.get(n - 1, k);
    let suffix = 0;
    let cs = 0;
    for (let p = n - 1; p >= 0; p--) {
      rhoMinus[p] = suffix + cs;
      const mp = p > 0 ? (m1[p - 1] as number) : 0;
      if (mp !== 0) {
        const t = mp * ((x[p] as number) * sc);
        const u = suffix + t;
        const bv = u - suffix;
        cs += (suffix - (u - bv)) + (t - bv);
        suffix = u;
      }
    }
    const bk = k / n / (n - 1);
    let prefix = 0;
    let cp = 0;
    for (let p = 0; p < n; p++) {
      const rho = (rhoMinus[p] as number) + (prefix + cp);
      out[p] = (out[p] as number) - bk * rho * scale;
      const mp = p < n - 1 ? (m1[p] as number) : 0;
      if (mp !== 0) {
        const t = mp * ((x[p] as number) * sc);
        const u = prefix + t;
        const bv = u - prefix;
        cp += (prefix - (u - bv)) + (t - bv);
        prefix = u;
      }
    }
  }
}

/**
 * The loo-1 weights (k ≥ 2) of one sorted group, w_p = Σ_{k−1≤q≤p} μ_q (x_q − x_{q−1}) by a compensated
 * running sum (TwoSum, as in {@link weightsOfGroup}), written straight to out[os + ix[p]]: within a
 * block of equal values every gap is ±0, which leaves the sum and its compensation unchanged, so each
 * member gets its block's first weight bit for bit. Positions below k − 2 decide nothing (not even
 * the rescale: see weightsOfGroup). Returns −1, or −2 when some weight is not finite.
 */
function looOneWeights(
  x: Float64Array,
  ix: Int32Array,
  n: number,
  k: number,
  mu: Float64Array,
  scaleByN: boolean,
  out: Float64Array,
  os: number,
): number {
  const sc = Math.max(Math.abs(x[k - 2] as number), Math.abs(x[n - 1] as number)) < SAFE_MAGNITUDE ? 1 : 0.25;
  const scale = (scaleByN ? n : 1) / sc;
  const zero = 0 * scale;
  for (let p = 0; p < k - 1; p++) out[os + (ix[p] as number)] = zero;
  let w = 0;
  let c = 0;
  let acc = 0;
  let prev = (x[k - 2] as number) * sc;
  for (let p = k - 1; p < n; p++) {
    const xp = (x[p] as number) * sc;
    const t = (mu[p] as number) * (xp - prev);
    prev = xp;
    const u = w + t;
    const bv = u - w;
    c += (w - (u - bv)) + (t - bv);
    w = u;
    const o = (w + c) * scale;
    out[os + (ix[p] as number)] = o;
    acc += o * 0;
  }
  return acc === 0 ? -1 : -2;
}

/**
 * max@k = Σ_{p ≥ k−1} μ_p x_p over the ascending sort: a compensated sum of the terms with non-zero
 * weight only (the k − 1 smallest values never enter), so the result is accurate relative to
 * Σ μ_p |x_p| whatever the values below. A group whose relevant values are all equal returns that value
 * exactly; one whose values reach 2^1021 in magnitude is summed on x/4 (partial sums cannot overflow).
 */
function sortedMaxMetric(sorted: Float64Array, offsets: Int32Array, k: number, out: Float64Array): void {
  const cache = new SubsetWeightCache();
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    const mu = cache.get(n, k);
    const bottom = sorted[start + k - 1] as number;
    const top = sorted[start + n - 1] as number;
    if (bottom === top) {
      out[b] = top;
      continue;
    }
    const sc = Math.max(Math.abs(bottom), Math.abs(top)) < SAFE_MAGNITUDE ? 1 : 0.25;
    let sum = 0;
    let c = 0;
    for (let p = k - 1; p < n; p++) {
      const t = (mu[p] as number) * ((sorted[start + p] as number) * sc);
      const u = sum + t;
      c += Math.abs(sum) >= Math.abs(t) ? sum - u + t : t - u + sum;
      sum = u;
    }
    out[b] = (sum + c) / sc;
  }
}

/** Groups of at most this many values are sorted into the fixed buffers below (module constants, which V8 compiles to fixed addresses). */
const SMALL = 1024;
// Module-level buffers are marked /* @__PURE__ */ so that bundles which never call these kernels drop them.
const SORTED = /* @__PURE__ */ new Float64Array(SMALL);
const IX = /* @__PURE__ */ new Int32Array(SMALL);

/** Per-call buffers of {@link maxAtKWeights}, one group long, grown to the largest group seen and reused. */
const buffers = {
  sorted: /* @__PURE__ */ new Float64Array(0),
  ix: /* @__PURE__ */ new Int32Array(0),
  weights: /* @__PURE__ */ new Float64Array(0),
  rho: /* @__PURE__ */ new Float64Array(0),
  /** The group as doubles, for inputs that are not a Float64Array. */
  copy: /* @__PURE__ */ new Float64Array(0),
  range: /* @__PURE__ */ new Float64Array(2),
};

/**
 * Fused max@k weights, one group at a time: a range pass that also checks finiteness, the stable
 * quantised argsort (sort.ts#argsortGroup), the weights by sorted position and the scatter back by
 * index, ties reading their block's first position. No buffer is proportional to the batch. Returns −1
 * when done, the index of the first non-finite value (groups before it written), or −2 when every value
 * is finite but some weight is not (a group whose range overflows: the caller rescales).
 */
function maxAtKWeights(
  values: Values,
  offsets: Int32Array,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
): number {
  const groups = offsets.length - 1;
  const maxN = largestGroup(offsets);
  const buf = buffers;
  if (buf.sorted.length < maxN) {
    buf.sorted = new Float64Array(maxN);
    buf.ix = new Int32Array(maxN);
    buf.weights = new Float64Array(maxN);
    buf.rho = new Float64Array(maxN);
    buf.copy = new Float64Array(maxN);
  }
  const cache = new SubsetWeightCache();
  // The group kernel only ever sees a Float64Array (one shape for V8 to optimise); other inputs are
  // read into one as doubles, group by group (exactly the values the kernel would read).
  const f64 = values instanceof Float64Array;
  let status = -1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    let s: number;
    if (f64) {
      s = maxAtKGroup(values, start, n, k, baseline, scaleByN, out, start, cache, buf);
    } else {
      const copy = buf.copy;
      for (let p = 0; p < n; p++) copy[p] = values[start + p] as number;
      s = maxAtKGroup(copy, 0, n, k, baseline, scaleByN, out, start, cache, buf);
    }
    if (s >= 0) return s;
    if (s === -2) status = -2;
  }
  return status;
}

/**
 * One group of {@link maxAtKWeights}, values v[vs, vs + n), weights to out[os, os + n) (a function per
 * group, which V8 optimises whole); same status codes, the non-finite index counted from os.
 */
function maxAtKGroup(
  v: Float64Array,
  vs: number,
  n: number,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
  os: number,
  cache: SubsetWeightCache,
  buf: typeof buffers,
): number {
  const { weights, rho, range } = buf;
  const sorted = n <= SMALL ? SORTED : buf.sorted;
  const ix = n <= SMALL ? IX : buf.ix;
  if (!groupRange(v, vs, n, range)) return os + firstNonFinite(v, vs, vs + n) - vs;
  argsortGroup(v, vs, n, range[0] as number, range[1] as number, sorted, ix);
  if (baseline === BaselineCode['loo-1'] && k >= 2) return looOneWeights(sorted, ix, n, k, cache.get(n, k), scaleByN, out, os);
  weightsOfGroup(sorted, n, k, baseline, scaleByN, weights, cache, rho);
  let acc = 0;
  let prev = sorted[0] as number;
  let w = weights[0] as number;
  for (let p = 0; p < n; p++) {
    const x = sorted[p] as number;
    if (x !== prev) w = weights[p] as number;
    prev = x;
    out[os + (ix[p] as number)] = w;
    acc += w * 0;
  }
  return acc === 0 ? -1 : -2;
}

/** The max@k family's kernels. */
export const maxAtKKernels: Pick<KernelTable, 'sortedMaxMetric' | 'maxAtKWeights'> = { sortedMaxMetric, maxAtKWeights };
