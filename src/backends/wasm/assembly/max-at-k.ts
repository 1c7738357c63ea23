// max@k family: weights and metric over each sorted group and the gather back to input order, the
// reference kernels' floating-point operations in their order (wasm has no implicit FMA), so both
// backends give the same bits. Math: docs/estimators/max-at-k.md.
import { ld, ldi, st } from './memory';
import { rangeSum, meanOf, subsetMaxWeights, sumError, twoProdError, divRemainder } from './sums';
import { BASELINE_NONE, BASELINE_LOO_PKPO, BASELINE_LOO_1, SAFE_MAGNITUDE } from './constants.generated';

/**
 * max@k weights by sorted position; see the reference kernel (src/backends/js/kernels.ts) for the math:
 * the same operations in the same order. scratch holds 3 · maxN doubles: μ(n, k), μ(n − 1, k) and a
 * suffix-sum buffer.
 */
export function sortedMaxWeights(
  sorted: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const mu = scratch;
  const m1 = scratch + (<usize>maxN << 3);
  const rho = scratch + (<usize>maxN << 4);
  let muN = -1;
  let m1N = -1;
  const kf = <f64>k;
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    const s = sorted + (<usize>start << 3);
    const o = out + (<usize>start << 3);
    if (muN != n) {
      subsetMaxWeights(n, k, mu);
      muN = n;
    }
    const lo = baseline == BASELINE_LOO_1 && k >= 2 ? k - 2 : k - 1;
    const sc: f64 = max<f64>(abs<f64>(ld(s, lo)), abs<f64>(ld(s, n - 1))) < SAFE_MAGNITUDE ? 1.0 : 0.25;
    const scale: f64 = (scaleByN ? <f64>n : 1.0) / sc;
    if (baseline == BASELINE_LOO_1 && k >= 2) {
      let w = 0.0;
      let c = 0.0;
      for (let p = 0; p < n; p++) {
        if (p >= k - 1) {
          const t = ld(mu, p) * (ld(s, p) * sc - ld(s, p - 1) * sc);
          const u = w + t;
          c += w >= t ? w - u + t : t - u + w;
          w = u;
        }
        st(o, p, (w + c) * scale);
      }
      continue;
    }
    if (baseline == BASELINE_NONE) {
      let tail = 0.0;
      let c = 0.0;
      const nuFactor = <f64>(k - 1);
      for (let p = n - 1; p >= 0; p--) {
        const xp = ld(s, p) * sc;
        const m = ld(mu, p);
        st(o, p, (m * xp + tail + c) * scale);
        if (p > 0 && m != 0.0) {
          const t = ((m * nuFactor) / <f64>p) * xp;
          const u = tail + t;
          c += abs<f64>(tail) >= abs<f64>(t) ? tail - u + t : t - u + tail;
          tail = u;
        }
      }
      continue;
    }
    if (m1N != n) {
      subsetMaxWeights(n - 1, k, m1);
      m1N = n;
    }
    if (k >= 2) {
      // loo = loo-1 − (k/n)·Δ_q, Δ_q by Abel summation with non-negative weights (as the reference kernel).
      const m = n - 1;
      let suffix = 0.0;
      let cs = 0.0;
      for (let q = n - 1; q >= 0; q--) {
        st(rho, q, suffix + cs);
        if (q >= 1 && q <= m - 1 && ld(m1, q) != 0.0) {
          const t = ((ld(m1, q) * <f64>(m - q)) / kf) * (ld(s, q + 1) * sc - ld(s, q) * sc);
          const u = suffix + t;
          cs += suffix >= t ? suffix - u + t : t - u + suffix;
          suffix = u;
        }
      }
      const a = kf / <f64>n;
      let w1 = 0.0;
      let c1 = 0.0;
      let prefix = 0.0;
      let cp = 0.0;
      for (let q = 0; q < n; q++) {
        const mq = ld(mu, q);
        const dq: f64 = q >= k ? ld(s, q) * sc - ld(s, q - 1) * sc : 0.0;
        if (mq != 0.0) {
          const t = mq * dq;
          const u = w1 + t;
          c1 += w1 >= t ? w1 - u + t : t - u + w1;
          w1 = u;
        }
        let wq = 0.0;
        let around = 0.0;
        if (q >= 1 && q <= m - 1 && ld(m1, q) != 0.0) {
          wq = (ld(m1, q) * <f64>(m - q)) / kf;
          around = wq * (dq + (ld(s, q + 1) * sc - ld(s, q) * sc));
        }
        st(o, q, (w1 + c1 - a * (prefix + cp + around + ld(rho, q))) * scale);
        if (wq != 0.0) {
          const t = wq * dq;
          const u = prefix + t;
          cp += prefix >= t ? prefix - u + t : t - u + prefix;
          prefix = u;
        }
      }
    } else {
      const x0 = meanOf(s, 0, n, sc);
      let sum = 0.0;
      let c = 0.0;
      for (let p = 0; p < n; p++) {
        const t = ld(s, p) * sc - x0;
        const u = sum + t;
        c += sumError(sum, t, u);
        sum = u;
      }
      sum += c;
      const nf = <f64>n;
      const n1 = <f64>(n - 1);
      for (let p = 0; p < n; p++) {
        const y = ld(s, p) * sc - x0;
        st(o, p, ((y - (sum - y) / n1) / nf) * scale);
      }
    }
    if (baseline == BASELINE_LOO_PKPO) {
      let suffix = 0.0;
      let cs = 0.0;
      for (let p = n - 1; p >= 0; p--) {
        st(rho, p, suffix + cs);
        const mp: f64 = p > 0 ? ld(m1, p - 1) : 0.0;
        if (mp != 0.0) {
          const t = mp * (ld(s, p) * sc);
          const u = suffix + t;
          cs += abs<f64>(suffix) >= abs<f64>(t) ? suffix - u + t : t - u + suffix;
          suffix = u;
        }
      }
      const bk = kf / <f64>n / <f64>(n - 1);
      let prefix = 0.0;
      let cp = 0.0;
      for (let p = 0; p < n; p++) {
        const r = ld(rho, p) + (prefix + cp);
        st(o, p, ld(o, p) - bk * r * scale);
        const mp: f64 = p < n - 1 ? ld(m1, p) : 0.0;
        if (mp != 0.0) {
          const t = mp * (ld(s, p) * sc);
          const u = prefix + t;
          cp += abs<f64>(prefix) >= abs<f64>(t) ? prefix - u + t : t - u + prefix;
          prefix = u;
        }
      }
    }
  }
}

/** max@k per group: a compensated Σ_{p ≥ k−1} μ_p x_(p) (as the reference kernel). scratch holds maxN doubles. */
export function sortedMaxMetric(sorted: usize, offsets: usize, groups: i32, k: i32, out: usize, scratch: usize): void {
  let muN = -1;
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    const s = sorted + (<usize>start << 3);
    if (muN != n) {
      subsetMaxWeights(n, k, scratch);
      muN = n;
    }
    const bottom = ld(s, k - 1);
    const top = ld(s, n - 1);
    if (bottom == top) {
      st(out, b, top);
      continue;
    }
    const sc: f64 = max<f64>(abs<f64>(bottom), abs<f64>(top)) < SAFE_MAGNITUDE ? 1.0 : 0.25;
    let sum = 0.0;
    let c = 0.0;
    for (let p = k - 1; p < n; p++) {
      const t = ld(scratch, p) * (ld(s, p) * sc);
      const u = sum + t;
      c += abs<f64>(sum) >= abs<f64>(t) ? sum - u + t : t - u + sum;
      sum = u;
    }
    st(out, b, (sum + c) / sc);
  }
}

/** out[i] = bySorted[lower bound of values[i] in its sorted group]. */
export function gatherBySortedValue(
  values: usize,
  sorted: usize,
  offsets: usize,
  groups: i32,
  bySorted: usize,
  out: usize,
): void {
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const n = end - start;
    for (let i = start; i < end; i++) {
      const v = ld(values, i);
      // Branch-free lower bound (v is in the group, so the last candidate left is the answer): the loop count depends on n only and `select` compiles to a
      // conditional move, so random values cost no mispredictions.
      let base = start;
      let len = n;
      while (len > 1) {
        const half = len >>> 1;
        base = select<i32>(base + half, base, ld(sorted, base + half - 1) < v);
        len -= half;
      }
      st(out, i, ld(bySorted, base));
    }
  }
}
