/**
 * The reference kernels in plain TypeScript: the ones the tests trust. Math: docs/estimators/max-at-k.md.
 */
import { SubsetWeightCache } from '../../combinatorics.js';
import { BaselineCode, type Backend, type KernelTable, type Values } from '../types.js';

function binaryCounts(values: Values, offsets: Int32Array, counts: Int32Array): number {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    let c = 0;
    for (let i = offsets[b] as number; i < end; i++) {
      const v = values[i] as number;
      if (v === 1) c++;
      else if (v !== 0) return i;
    }
    counts[b] = c;
  }
  return -1;
}

function binaryScatter(
  values: Values,
  offsets: Int32Array,
  wCorrect: Float64Array,
  wIncorrect: Float64Array,
  out: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    const wc = wCorrect[b] as number;
    const wi = wIncorrect[b] as number;
    for (let i = offsets[b] as number; i < end; i++) out[i] = values[i] === 1 ? wc : wi;
  }
}

function segmentedSort(values: Values, offsets: Int32Array, sorted: Float64Array): void {
  const n = offsets[offsets.length - 1] as number;
  if (ArrayBuffer.isView(values) && !(values instanceof Float64Array)) {
    for (let i = 0; i < n; i++) sorted[i] = values[i] as number;
  } else if (values instanceof Float64Array) {
    sorted.set(values.subarray(0, n));
  } else {
    for (let i = 0; i < n; i++) sorted[i] = values[i] as number;
  }
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    if (end - start > 1) sorted.subarray(start, end).sort();
  }
}

/**
 * Weights by sorted position, values shifted by the group minimum (y = x − x_(1) ≥ 0), which makes
 * every sum below a sum of non-negative terms and makes all-equal groups give exact zeros.
 *   none:    s_(p) = μ_p y_p + Σ_{j>p} ν_j y_j            (+ x_(1)·k/n)
 *   loo-1:   w_(p) = w_(p−1) + μ_p (y_p − y_{p−1})          (a forward recurrence with non-negative steps)
 *   loo:     s_(p) − (k/n) ρ(y_{−p}, k)
 *   loo-pkpo s_(p) + x_(1)·k/n − (k/(n−1)) (ρ(y_{−p}, k) + x_(1))
 * with μ_p = C(p−1,k−1)/C(n,k), ν_j = C(j−2,k−2)/C(n,k) = μ_j (k−1)/(j−1), and ρ(y_{−p}, k) from a
 * prefix and a suffix sum with m = μ(n−1, k).
 */
function sortedMaxWeights(
  sorted: Float64Array,
  offsets: Int32Array,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
): void {
  const cache = new SubsetWeightCache();
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    const x0 = sorted[start] as number;
    const scale = scaleByN ? n : 1;
    const mu = cache.get(n, k);
    if (baseline === BaselineCode['loo-1'] && k >= 2) {
      let w = 0;
      let prev = 0;
      out[start] = 0;
      for (let p = 1; p < n; p++) {
        const y = (sorted[start + p] as number) - x0;
        w += (mu[p] as number) * (y - prev);
        prev = y;
        out[start + p] = w * scale;
      }
      continue;
    }
    // s by a suffix sum, from the top.
    let tail = 0;
    const nuFactor = k - 1;
    for (let p = n - 1; p >= 0; p--) {
      const y = (sorted[start + p] as number) - x0;
      const m = mu[p] as number;
      out[start + p] = m * y + tail;
      if (p > 0) tail += ((m * nuFactor) / p) * y;
    }
    if (baseline === BaselineCode.none) {
      const shift = (x0 * k) / n;
      for (let p = 0; p < n; p++) out[start + p] = ((out[start + p] as number) + shift) * scale;
      continue;
    }
    // Leave-one-out metrics ρ(y_{−p}, k) with m = μ(n−1, k): prefix Σ_{j<p} m_j y_j, suffix Σ_{j>p} m_{j−1} y_j.
    // (loo-1 at k = 1 falls back to loo, as SPEC §0 says.)
    const m1 = cache.get(n - 1, k);
    let suffix = 0;
    const rhoMinus = new Float64Array(n);
    for (let p = n - 1; p >= 0; p--) {
      rhoMinus[p] = suffix;
      if (p > 0) suffix += (m1[p - 1] as number) * ((sorted[start + p] as number) - x0);
    }
    let prefix = 0;
    for (let p = 0; p < n; p++) {
      rhoMinus[p] = (rhoMinus[p] as number) + prefix;
      if (p < n - 1) prefix += (m1[p] as number) * ((sorted[start + p] as number) - x0);
    }
    if (baseline === BaselineCode['loo-pkpo']) {
      const a = k / (n - 1);
      const shift = (x0 * k) / n - a * x0;
      for (let p = 0; p < n; p++) {
        out[start + p] = ((out[start + p] as number) - a * (rhoMinus[p] as number) + shift) * scale;
      }
    } else {
      const a = k / n;
      for (let p = 0; p < n; p++) out[start + p] = ((out[start + p] as number) - a * (rhoMinus[p] as number)) * scale;
    }
  }
}

function sortedMaxMetric(sorted: Float64Array, offsets: Int32Array, k: number, out: Float64Array): void {
  const cache = new SubsetWeightCache();
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    const mu = cache.get(n, k);
    const x0 = sorted[start] as number;
    let sum = 0;
    for (let p = k - 1; p < n; p++) sum += (mu[p] as number) * ((sorted[start + p] as number) - x0);
    out[b] = sum + x0;
  }
}

function gatherBySortedValue(
  values: Values,
  sorted: Float64Array,
  offsets: Int32Array,
  bySorted: Float64Array,
  out: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      let lo = start;
      let hi = end - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      out[i] = bySorted[lo] as number;
    }
  }
}

function groupMoments(
  values: Values,
  offsets: Int32Array,
  mean: Float64Array,
  sumSquares: Float64Array,
  range: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const n = end - start;
    // Two passes: the second corrects the mean and sums squared deviations without cancellation.
    let m = sum / n;
    let corr = 0;
    for (let i = start; i < end; i++) corr += (values[i] as number) - m;
    m += corr / n;
    let ss = 0;
    for (let i = start; i < end; i++) {
      const d = (values[i] as number) - m;
      ss += d * d;
    }
    mean[b] = hi === lo ? lo : m;
    sumSquares[b] = hi === lo ? 0 : ss;
    range[b] = hi - lo;
  }
}

function affineScatter(
  values: Values,
  offsets: Int32Array,
  shift: Float64Array,
  scale: Float64Array,
  out: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    const sh = shift[b] as number;
    const sc = scale[b] as number;
    for (let i = offsets[b] as number; i < end; i++) out[i] = ((values[i] as number) - sh) * sc;
  }
}

const kernels: KernelTable = {
  binaryCounts,
  binaryScatter,
  segmentedSort,
  sortedMaxWeights,
  sortedMaxMetric,
  gatherBySortedValue,
  groupMoments,
  affineScatter,
};

/** The reference backend: plain TypeScript, always available, the default. */
export const jsBackend: Backend = { name: 'js', kernels };
