// max@k family: the fused weights kernel (range and finiteness pass, quantised argsort, weights by
// sorted position, scatter back to input order) and the metric over each sorted group, with the
// reference kernels' floating-point operations in their order (wasm has no implicit FMA), so both
// backends give the same bits. Math: docs/estimators/max-at-k.md.
import { ld, ldi, st } from './memory';
import { argsortFromKeys, argsortGroup, argsortScratchBytes, firstNonFinite, groupHi, groupLo, groupRange, keyMask, sortedKeys } from './sort';
import { looOneFromKeys, looOnePairFromKeys, meanOf, muTable, resetTableCache, tableCacheBytes, twoSumError } from './sums';
import { BASELINE_NONE, BASELINE_LOO_PKPO, BASELINE_LOO_1, SAFE_MAGNITUDE } from './constants.generated';


/**
 * max@k weights by sorted position of one group s[0, n) into o[0, n); see the reference kernel
 * (src/backends/js/max-at-k.ts) for the math: the same operations in the same order. μ(n, k) and
 * μ(n − 1, k) come from the table cache (sums.ts#muTable); rho holds n doubles (a suffix-sum buffer).
 */
function maxWeightsGroup(
  s: usize,
  n: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  o: usize,
  rho: usize,
): void {
  const kf = <f64>k;
  const mu = muTable(n, k);
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
        c += twoSumError(w, t, u);
        w = u;
      }
      st(o, p, (w + c) * scale);
    }
    return;
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
        c += twoSumError(tail, t, u);
        tail = u;
      }
    }
    return;
  }
  const m1 = muTable(n - 1, k);
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
        cs += twoSumError(suffix, t, u);
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
        c1 += twoSumError(w1, t, u);
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
        cp += twoSumError(prefix, t, u);
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
      c += twoSumError(sum, t, u);
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
        cs += twoSumError(suffix, t, u);
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
        cp += twoSumError(prefix, t, u);
        prefix = u;
      }
    }
  }

}

/** Bytes of scratch {@link sortedMaxMetric} needs for groups of at most maxN values. */
export function sortedMaxMetricScratchBytes(maxN: i32): usize {
  return tableCacheBytes(maxN, false);
}

/**
 * max@k per group: a compensated Σ_{p ≥ k−1} μ_p x_(p) (as the reference kernel).
 * scratch: sortedMaxMetricScratchBytes(maxN) bytes, 16-aligned (the μ table cache).
 */
export function sortedMaxMetric(sorted: usize, offsets: usize, groups: i32, k: i32, out: usize, scratch: usize, maxN: i32): void {
  resetTableCache(scratch, maxN, false);
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    const s = sorted + (<usize>start << 3);
    const mu = muTable(n, k);
    const bottom = ld(s, k - 1);
    const top = ld(s, n - 1);
    if (bottom == top) {
      // The reference's sort (Float64Array.prototype.sort) puts −0 before +0, so its top is +0 when the
      // group holds one; the network here leaves equal values in any order.
      let t = top;
      if (top == 0.0) {
        for (let p = 0; p < n; p++) if (reinterpret<i64>(ld(s, p)) == 0) t = 0.0;
      }
      st(out, b, t);
      continue;
    }
    const sc: f64 = max<f64>(abs<f64>(bottom), abs<f64>(top)) < SAFE_MAGNITUDE ? 1.0 : 0.25;
    let sum = 0.0;
    let c = 0.0;
    for (let p = k - 1; p < n; p++) {
      const t = ld(mu, p) * (ld(s, p) * sc);
      const u = sum + t;
      c += twoSumError(sum, t, u);
      sum = u;
    }
    st(out, b, (sum + c) / sc);
  }
}

/**
 * The 'loo-1' weights (k ≥ 2) of one group from its sorted keys `at` (sortedKeys), by
 * sums.ts#looOneFromKeys (the values rank and are the rewards), for a group whose values and weights
 * cannot overflow (maxAtKWeights' `fusable`). Returns false when two distinct values shared a bucket.
 */
function looOneInPlace(v: usize, at: usize, n: i32, k: i32, scaleByN: bool, o: usize): bool {
  return looOneFromKeys(at, keyMask, v, false, v, n, k, nScale(n, scaleByN), o, muTable(n, k));
}

// @ts-ignore: decorator
@inline function nScale(n: i32, scaleByN: bool): f64 {
  return scaleByN ? <f64>n : 1.0;
}

/**
 * {@link looOneInPlace} for two groups of the same size at once (sums.ts#looOnePairFromKeys: group A in
 * lane 0, B in lane 1, the scalar operations per lane, so the same bits). Returns a mask of the groups
 * whose keys' order was not their values' (1: A, 2: B).
 */
function looOnePair(vA: usize, atA: usize, vB: usize, atB: usize, n: i32, k: i32, scaleByN: bool, oA: usize, oB: usize): i32 {
  const mu = muTable(n, k);
  const mask = keyMask;
  if (scaleByN) return looOnePairFromKeys(true, false, true, atA, atB, mask, vA, vB, vA, vB, n, k, <f64>n, oA, oB, mu);
  return looOnePairFromKeys(true, false, false, atA, atB, mask, vA, vB, vA, vB, n, k, 1.0, oA, oB, mu);
}

/** Bytes of scratch {@link maxAtKWeights} needs for groups of at most maxN values. */
export function maxAtKScratchBytes(maxN: i32): usize {
  return (<usize>maxN << 3) * 3 + (<usize>maxN << 2) + 48 + 2 * argsortScratchBytes(maxN) + tableCacheBytes(maxN, false);
}

/**
 * max@k weights in INPUT order from unsorted values, one group at a time in cache: a pass for the
 * range that also checks finiteness, the stable quantised argsort (sort.ts#argsortGroup), the weights
 * by sorted position and the scatter back by index (ties read their block's first position, as the
 * reference kernel). Returns −1 when done; the index of the first non-finite value (groups before it
 * are written, later ones not); or −2 when every value is finite but some weight is not (a group whose
 * range overflows: the caller rescales). scratch: maxAtKScratchBytes(maxN) bytes, 16-aligned.
 */
export function maxAtKWeights(
  values: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): i32 {
  const stride = <usize>maxN << 3;
  const sorted = scratch;
  const w = sorted + stride;
  const rho = w + stride;
  const ix = rho + stride;
  const sortScratch = (ix + (<usize>maxN << 2) + 15) & ~(<usize>15);
  // The second group of a pair sorts its keys here, so the first group's keys stay where they are.
  const sortScratch2 = (sortScratch + argsortScratchBytes(maxN) + 15) & ~(<usize>15);
  resetTableCache((sortScratch2 + argsortScratchBytes(maxN) + 15) & ~(<usize>15), maxN, false);
  const loo1 = baseline == BASELINE_LOO_1 && k >= 2;
  let acc = 0.0;
  let b = 0;
  while (b < groups) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    const v = values + (<usize>start << 3);
    if (!groupRange(v, n)) return start + firstNonFinite(v, n);
    const o = out + (<usize>start << 3);
    const lo = groupLo;
    const hi = groupHi;
    const at = loo1 && fusable(lo, hi, n, scaleByN) ? sortedKeys(v, n, lo, hi, sortScratch) : 0;
    if (at == 0) {
      acc += exactGroup(v, n, lo, hi, 0, k, baseline, scaleByN, o, sorted, ix, w, rho, sortScratch);
      b++;
      continue;
    }
    // Two groups of the same size go through the fused pass together, one in each f64x2 lane.
    if (b + 1 < groups) {
      const start2 = start + n;
      const v2 = v + (<usize>n << 3);
      if (ldi(offsets, b + 2) - start2 == n && groupRange(v2, n)) {
        const lo2 = groupLo;
        const hi2 = groupHi;
        if (fusable(lo2, hi2, n, scaleByN)) {
          const at2 = sortedKeys(v2, n, lo2, hi2, sortScratch2);
          const o2 = out + (<usize>start2 << 3);
          let bad = 0;
          if (at2 != 0) bad = looOnePair(v, at, v2, at2, n, k, scaleByN, o, o2);
          else bad = (looOneInPlace(v, at, n, k, scaleByN, o) ? 0 : 1) | 2;
          if (bad & 1) acc += exactGroup(v, n, lo, hi, at, k, baseline, scaleByN, o, sorted, ix, w, rho, sortScratch);
          if (bad & 2) acc += exactGroup(v2, n, lo2, hi2, at2, k, baseline, scaleByN, o2, sorted, ix, w, rho, sortScratch);
          b += 2;
          continue;
        }
      }
    }
    if (!looOneInPlace(v, at, n, k, scaleByN, o)) {
      acc += exactGroup(v, n, lo, hi, at, k, baseline, scaleByN, o, sorted, ix, w, rho, sortScratch);
    }
    b++;
  }
  return acc == 0.0 ? -1 : -2;
}

/** Whether a group's 'loo-1' weights can take the fused pass: no weight can overflow (see maxAtKWeights). */
// @ts-ignore: decorator
@inline function fusable(lo: f64, hi: f64, n: i32, scaleByN: bool): bool {
  // Every weight is at most the range (times n under scaleByN), and below SAFE_MAGNITUDE the
  // reference's rescaling factor is 1.
  return hi > lo && max<f64>(abs<f64>(lo), abs<f64>(hi)) < SAFE_MAGNITUDE && (hi - lo) * nScale(n, scaleByN) < SAFE_MAGNITUDE;
}

/**
 * One group by the general path: the exact stable argsort (from the group's sorted keys `at` when the
 * caller has them, else from scratch), maxWeightsGroup and the scatter by index (ties read their
 * block's first position). Returns Σ weight·0: 0, or NaN when some weight is not finite.
 */
function exactGroup(
  v: usize,
  n: i32,
  lo: f64,
  hi: f64,
  at: usize,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  o: usize,
  sorted: usize,
  ix: usize,
  w: usize,
  rho: usize,
  sortScratch: usize,
): f64 {
  if (at == 0) argsortGroup(v, n, lo, hi, sorted, ix, sortScratch);
  else argsortFromKeys(v, n, at, sorted, ix, sortScratch);
  maxWeightsGroup(sorted, n, k, baseline, scaleByN, w, rho);
  let acc = 0.0;
  let prev = ld(sorted, 0);
  let from = 0;
  for (let p = 0; p < n; p++) {
    const x = ld(sorted, p);
    from = select<i32>(p, from, x != prev);
    prev = x;
    const wt = ld(w, from);
    st(o, ldi(ix, p), wt);
    acc += wt * 0.0;
  }
  return acc;
}
