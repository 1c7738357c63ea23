// SIMD WebAssembly kernels (AssemblyScript), one export per kernel of src/backends/types.ts.
//
// Every pointer is a byte address in linear memory laid out by the JS arena (src/backends/wasm/arena.ts);
// nothing here allocates. Offsets are i32 (B + 1 values), values f64. Build: `npm run build:wasm`.
//
// sortedMaxWeights / sortedMaxMetric repeat the reference kernels' floating-point operations in the
// same order (wasm has no implicit FMA), so both backends give the same bits; the others may sum in two
// SIMD lanes, which changes only the last bits.

/** First free byte after static data, 16-aligned: the JS arena starts here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// ---------------------------------------------------------------------------------------------------
// Binary rewards

/** Ones per group into counts; the index of the first value that is neither 0 nor 1, or −1. */
export function binaryCounts(values: usize, offsets: usize, groups: i32, counts: usize): i32 {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    let acc = i64x2.splat(0);
    for (; i + 4 <= end; i += 4) {
      const p = values + (<usize>i << 3);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const o0 = f64x2.eq(v0, one);
      const o1 = f64x2.eq(v1, one);
      const ok = v128.and(v128.or(o0, f64x2.eq(v0, zero)), v128.or(o1, f64x2.eq(v1, zero)));
      if (!i64x2.all_true(ok)) break; // the scalar tail below finds the bad index
      acc = i64x2.sub(i64x2.sub(acc, o0), o1);
    }
    let c = <i32>(i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1));
    for (; i < end; i++) {
      const v = ld(values, i);
      if (v == 1.0) c++;
      else if (v != 0.0) return i;
    }
    store<i32>(counts + (<usize>b << 2), c);
  }
  return -1;
}

/** out[i] = values[i] == 1 ? wCorrect[b] : wIncorrect[b]. */
export function binaryScatter(
  values: usize,
  offsets: usize,
  groups: i32,
  wCorrect: usize,
  wIncorrect: usize,
  out: usize,
): void {
  const one = f64x2.splat(1.0);
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const wc = ld(wCorrect, b);
    const wi = ld(wIncorrect, b);
    const vc = f64x2.splat(wc);
    const vi = f64x2.splat(wi);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 3;
      const v0 = v128.load(values + off);
      const v1 = v128.load(values + off, 16);
      v128.store(out + off, v128.bitselect(vc, vi, f64x2.eq(v0, one)));
      v128.store(out + off, v128.bitselect(vc, vi, f64x2.eq(v1, one)), 16);
    }
    for (; i < end; i++) st(out, i, ld(values, i) == 1.0 ? wc : wi);
  }
}

// ---------------------------------------------------------------------------------------------------
// Ordinary baselines

/** Per group: mean, Σ (x − mean)², max − min (see the reference kernel for why two passes). */
export function groupMoments(
  values: usize,
  offsets: usize,
  groups: i32,
  mean: usize,
  sumSquares: usize,
  range: usize,
): void {
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    let i = start;
    let sum2 = f64x2.splat(0.0);
    let lo2 = f64x2.splat(Infinity);
    let hi2 = f64x2.splat(-Infinity);
    for (; i + 2 <= end; i += 2) {
      const v = v128.load(values + (<usize>i << 3));
      sum2 = f64x2.add(sum2, v);
      lo2 = f64x2.pmin(lo2, v);
      hi2 = f64x2.pmax(hi2, v);
    }
    let sum = f64x2.extract_lane(sum2, 0) + f64x2.extract_lane(sum2, 1);
    let lo = f64x2.extract_lane(lo2, 0);
    let hi = f64x2.extract_lane(hi2, 0);
    const lo1 = f64x2.extract_lane(lo2, 1);
    const hi1 = f64x2.extract_lane(hi2, 1);
    if (lo1 < lo) lo = lo1;
    if (hi1 > hi) hi = hi1;
    for (; i < end; i++) {
      const v = ld(values, i);
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const n = <f64>(end - start);
    let m = sum / n;
    const m2 = f64x2.splat(m);
    let corr2 = f64x2.splat(0.0);
    i = start;
    for (; i + 2 <= end; i += 2) corr2 = f64x2.add(corr2, f64x2.sub(v128.load(values + (<usize>i << 3)), m2));
    let corr = f64x2.extract_lane(corr2, 0) + f64x2.extract_lane(corr2, 1);
    for (; i < end; i++) corr += ld(values, i) - m;
    m += corr / n;
    const m3 = f64x2.splat(m);
    let ss2 = f64x2.splat(0.0);
    i = start;
    for (; i + 2 <= end; i += 2) {
      const d = f64x2.sub(v128.load(values + (<usize>i << 3)), m3);
      ss2 = f64x2.add(ss2, f64x2.mul(d, d));
    }
    let ss = f64x2.extract_lane(ss2, 0) + f64x2.extract_lane(ss2, 1);
    for (; i < end; i++) {
      const d = ld(values, i) - m;
      ss += d * d;
    }
    st(mean, b, hi == lo ? lo : m);
    st(sumSquares, b, hi == lo ? 0.0 : ss);
    st(range, b, hi - lo);
  }
}

/** out[i] = (values[i] − shift[b]) · scale[b]. */
export function affineScatter(
  values: usize,
  offsets: usize,
  groups: i32,
  shift: usize,
  scale: usize,
  out: usize,
): void {
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const sh = ld(shift, b);
    const sc = ld(scale, b);
    const sh2 = f64x2.splat(sh);
    const sc2 = f64x2.splat(sc);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 3;
      v128.store(out + off, f64x2.mul(f64x2.sub(v128.load(values + off), sh2), sc2));
      v128.store(out + off, f64x2.mul(f64x2.sub(v128.load(values + off, 16), sh2), sc2), 16);
    }
    for (; i < end; i++) st(out, i, (ld(values, i) - sh) * sc);
  }
}

// ---------------------------------------------------------------------------------------------------
// Sorting

// The sort: branch-free sorting networks for runs of 8, then bottom-up branch-free merges. Random
// rewards make every data-dependent branch (a quicksort partition, an insertion) mispredict about half
// the time, which is what a sort of small groups spends its time on; measured at n = 64 this is 2.4×
// faster than introsort (insertion sort ≤ 40), at n = 1024 2.3× (docs/backends.md).

/** Groups of at most RUN elements are insertion-sorted (a network needs exactly 8). */
const RUN = 8;

function insertionSort(p: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = ld(p, i);
    let j = i - 1;
    while (j >= lo) {
      const u = ld(p, j);
      if (u <= v) break;
      st(p, j + 1, u);
      j--;
    }
    st(p, j + 1, v);
  }
}

// @ts-ignore: decorator
@inline function lo2(a: f64, b: f64): f64 {
  return f64x2.extract_lane(f64x2.pmin(f64x2.splat(a), f64x2.splat(b)), 0);
}
// @ts-ignore: decorator
@inline function hi2(a: f64, b: f64): f64 {
  return f64x2.extract_lane(f64x2.pmax(f64x2.splat(b), f64x2.splat(a)), 0);
}

/** Sorts p[0, 8) with the 19-comparator network; compare-exchange via pmin/pmax (minpd/maxpd: no branches). */
function sort8(p: usize): void {
  let x0 = ld(p, 0);
  let x1 = ld(p, 1);
  let x2 = ld(p, 2);
  let x3 = ld(p, 3);
  let x4 = ld(p, 4);
  let x5 = ld(p, 5);
  let x6 = ld(p, 6);
  let x7 = ld(p, 7);
  let t: f64;
  t = lo2(x0, x1); x1 = hi2(x0, x1); x0 = t;
  t = lo2(x2, x3); x3 = hi2(x2, x3); x2 = t;
  t = lo2(x4, x5); x5 = hi2(x4, x5); x4 = t;
  t = lo2(x6, x7); x7 = hi2(x6, x7); x6 = t;
  t = lo2(x0, x2); x2 = hi2(x0, x2); x0 = t;
  t = lo2(x1, x3); x3 = hi2(x1, x3); x1 = t;
  t = lo2(x4, x6); x6 = hi2(x4, x6); x4 = t;
  t = lo2(x5, x7); x7 = hi2(x5, x7); x5 = t;
  t = lo2(x1, x2); x2 = hi2(x1, x2); x1 = t;
  t = lo2(x5, x6); x6 = hi2(x5, x6); x5 = t;
  t = lo2(x0, x4); x4 = hi2(x0, x4); x0 = t;
  t = lo2(x3, x7); x7 = hi2(x3, x7); x3 = t;
  t = lo2(x1, x5); x5 = hi2(x1, x5); x1 = t;
  t = lo2(x2, x6); x6 = hi2(x2, x6); x2 = t;
  t = lo2(x1, x4); x4 = hi2(x1, x4); x1 = t;
  t = lo2(x3, x6); x6 = hi2(x3, x6); x3 = t;
  t = lo2(x2, x4); x4 = hi2(x2, x4); x2 = t;
  t = lo2(x3, x5); x5 = hi2(x3, x5); x3 = t;
  t = lo2(x3, x4); x4 = hi2(x3, x4); x3 = t;
  st(p, 0, x0);
  st(p, 1, x1);
  st(p, 2, x2);
  st(p, 3, x3);
  st(p, 4, x4);
  st(p, 5, x5);
  st(p, 6, x6);
  st(p, 7, x7);
}

/**
 * Merges the equal-length runs src[lo, lo + m) and src[lo + m, lo + 2m) into dst, from both ends at once
 * (quadsort's parity merge): m steps each take the smaller head and the larger tail. Two independent
 * dependency chains, no bounds checks (after k < m steps neither side has passed its run's end).
 */
function parityMerge(src: usize, dst: usize, lo: i32, m: i32): void {
  let l = lo;
  let r = lo + m;
  let o = lo;
  let lt = lo + m - 1;
  let rt = lo + 2 * m - 1;
  let ot = rt;
  for (let k = 0; k < m; k++) {
    const takeR = ld(src, r) < ld(src, l);
    st(dst, o, ld(src, select<i32>(r, l, takeR)));
    o++;
    r += <i32>takeR;
    l += 1 - <i32>takeR;
    const takeL = ld(src, rt) < ld(src, lt);
    st(dst, ot, ld(src, select<i32>(lt, rt, takeL)));
    ot--;
    lt -= <i32>takeL;
    rt -= 1 - <i32>takeL;
  }
}

/** Merges src[lo, mid) and src[mid, hi) (any lengths) into dst; the index select keeps it branch-free. */
function merge(src: usize, dst: usize, lo: i32, mid: i32, hi: i32): void {
  let i = lo;
  let j = mid;
  let o = lo;
  while (i < mid && j < hi) {
    const takeB = ld(src, j) < ld(src, i);
    st(dst, o, ld(src, select<i32>(j, i, takeB)));
    j += <i32>takeB;
    i += 1 - <i32>takeB;
    o++;
  }
  if (i < mid) memory.copy(dst + (<usize>o << 3), src + (<usize>i << 3), <usize>(mid - i) << 3);
  else if (j < hi) memory.copy(dst + (<usize>o << 3), src + (<usize>j << 3), <usize>(hi - j) << 3);
}

/** Sorts p[0, n) ascending via buf (n doubles): networks on runs of 8, then merges of doubling width. */
function sortGroup(p: usize, n: i32, buf: usize): void {
  let lo0 = 0;
  for (; lo0 + 8 <= n; lo0 += 8) sort8(p + (<usize>lo0 << 3));
  if (lo0 < n) insertionSort(p, lo0, n);
  let src = p;
  let dst = buf;
  for (let width = RUN; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      if (hi - mid == width) parityMerge(src, dst, lo, width);
      else if (mid < hi) merge(src, dst, lo, mid, hi);
      else memory.copy(dst + (<usize>lo << 3), src + (<usize>lo << 3), <usize>(hi - lo) << 3);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != p) memory.copy(p, src, <usize>n << 3);
}

/** Copies values into sorted (unless the same memory) and sorts each group; scratch holds maxN doubles. */
export function segmentedSort(values: usize, offsets: usize, groups: i32, sorted: usize, scratch: usize): void {
  const total = ldi(offsets, groups);
  if (values != sorted) memory.copy(sorted, values, <usize>total << 3);
  for (let b = 0; b < groups; b++) {
    const lo = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - lo;
    const p = sorted + (<usize>lo << 3);
    if (n <= RUN) insertionSort(p, 0, n);
    else sortGroup(p, n, scratch);
  }
}

// ---------------------------------------------------------------------------------------------------
// max@k weights and metric: the reference kernels' operations, in their order.

// @ts-ignore: decorator
@inline function twoProdError(a: f64, b: f64, ab: f64): f64 {
  let t = 134217729.0 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729.0 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (((ab - ah * bh) - al * bh) - ah * bl);
}

// @ts-ignore: decorator
@inline function divRemainder(x: f64, q: f64, d: f64): f64 {
  const t = q * d;
  return x - t - twoProdError(q, d, t);
}

/**
 * μ_p = C(p−1,k−1)/C(n,k) into out[0..n−1], by combinatorics.ts#subsetMaxWeights' double-double
 * recurrence (same operations, same bits).
 */
function subsetMaxWeights(n: i32, k: i32, out: usize): void {
  if (k <= 0 || k > n) {
    memory.fill(out, 0, <usize>n << 3);
    return;
  }
  let hi = <f64>k / <f64>n;
  let lo = divRemainder(<f64>k, hi, <f64>n) / <f64>n;
  st(out, n - 1, hi + lo);
  for (let p = n; p > 1; p--) {
    if (p - 1 < k) {
      st(out, p - 2, 0.0);
      continue;
    }
    const a = <f64>(p - k);
    const ph = hi * a;
    const pl = twoProdError(hi, a, ph) + lo * a;
    const d = <f64>(p - 1);
    const q1 = ph / d;
    const r = divRemainder(ph, q1, d) + pl;
    const q2 = r / d;
    hi = q1 + q2;
    lo = q2 - (hi - q1);
    st(out, p - 2, hi + lo);
  }
}

// @ts-ignore: decorator
@inline function sumError(s: f64, t: f64, u: f64): f64 {
  return abs<f64>(s) >= abs<f64>(t) ? s - u + t : t - u + s;
}

/** Σ a[lo..hi), compensated (as the reference kernel's rangeSum). */
function rangeSum(a: usize, lo: i32, hi: i32): f64 {
  let s = 0.0;
  let c = 0.0;
  for (let p = lo; p < hi; p++) {
    const t = ld(a, p);
    const u = s + t;
    c += sumError(s, t, u);
    s = u;
  }
  return s + c;
}

/** The mean of a[lo..hi)·sc, exactly the common value when all are equal (as the reference's meanOf). */
function meanOf(a: usize, lo: i32, hi: i32, sc: f64): f64 {
  let s = 0.0;
  let c = 0.0;
  let same = true;
  const first = ld(a, lo);
  for (let p = lo; p < hi; p++) {
    const v = ld(a, p);
    if (v != first) same = false;
    const t = v * sc;
    const u = s + t;
    c += sumError(s, t, u);
    s = u;
  }
  return same ? first * sc : (s + c) / <f64>(hi - lo);
}

/** Below this magnitude every gap and two-gap sum of a group is finite (as the reference kernel). */
const SAFE_MAGNITUDE: f64 = reinterpret<f64>(0x7fc0000000000000); // 2^1021

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
    const lo = baseline == 3 && k >= 2 ? k - 2 : k - 1;
    const sc: f64 = max<f64>(abs<f64>(ld(s, lo)), abs<f64>(ld(s, n - 1))) < SAFE_MAGNITUDE ? 1.0 : 0.25;
    const scale: f64 = (scaleByN ? <f64>n : 1.0) / sc;
    if (baseline == 3 && k >= 2) {
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
    if (baseline == 0) {
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
    if (baseline == 2) {
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

// ---------------------------------------------------------------------------------------------------
// Best-of-N with a verifier: ports of the reference kernels, same operations in the same
// order. Math: docs/estimators/best-of-n.md.

// @ts-ignore: decorator
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/** Insertion-sorts (key, index) pairs in [lo, hi): stable (moves only strictly greater keys). */
function insertionSortPairs(k: usize, ix: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = ld(k, i);
    const vi = ldi(ix, i);
    let j = i - 1;
    while (j >= lo) {
      const u = ld(k, j);
      if (u <= v) break;
      st(k, j + 1, u);
      sti(ix, j + 1, ldi(ix, j));
      j--;
    }
    st(k, j + 1, v);
    sti(ix, j + 1, vi);
  }
}

/** Stable parity merge of equal runs of (key, index) pairs: heads take left on ties, tails take right. */
function parityMergePairs(sk: usize, si: usize, dk: usize, di: usize, lo: i32, m: i32): void {
  let l = lo;
  let r = lo + m;
  let o = lo;
  let lt = lo + m - 1;
  let rt = lo + 2 * m - 1;
  let ot = rt;
  for (let c = 0; c < m; c++) {
    const takeR = ld(sk, r) < ld(sk, l);
    const h = select<i32>(r, l, takeR);
    st(dk, o, ld(sk, h));
    sti(di, o, ldi(si, h));
    o++;
    r += <i32>takeR;
    l += 1 - <i32>takeR;
    const takeL = ld(sk, rt) < ld(sk, lt);
    const t = select<i32>(lt, rt, takeL);
    st(dk, ot, ld(sk, t));
    sti(di, ot, ldi(si, t));
    ot--;
    lt -= <i32>takeL;
    rt -= 1 - <i32>takeL;
  }
}

/** Stable merge of (key, index) runs of any lengths. */
function mergePairs(sk: usize, si: usize, dk: usize, di: usize, lo: i32, mid: i32, hi: i32): void {
  let i = lo;
  let j = mid;
  let o = lo;
  while (i < mid && j < hi) {
    const takeB = ld(sk, j) < ld(sk, i);
    const h = select<i32>(j, i, takeB);
    st(dk, o, ld(sk, h));
    sti(di, o, ldi(si, h));
    j += <i32>takeB;
    i += 1 - <i32>takeB;
    o++;
  }
  for (; i < mid; i++, o++) {
    st(dk, o, ld(sk, i));
    sti(di, o, ldi(si, i));
  }
  for (; j < hi; j++, o++) {
    st(dk, o, ld(sk, j));
    sti(di, o, ldi(si, j));
  }
}

/**
 * perm[start + p] = index of the p-th smallest key of each group, ties in input order (a stable sort, so
 * the same permutation as the reference). scratch: 2 · maxN doubles then 2 · maxN i32.
 */
export function segmentedArgsort(keys: usize, offsets: usize, groups: i32, perm: usize, scratch: usize, maxN: i32): void {
  const k0 = scratch;
  const k1 = scratch + (<usize>maxN << 3);
  const i0 = scratch + (<usize>maxN << 4);
  const i1 = i0 + (<usize>maxN << 2);
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    memory.copy(k0, keys + (<usize>start << 3), <usize>n << 3);
    for (let p = 0; p < n; p++) sti(i0, p, start + p);
    for (let lo = 0; lo < n; lo += RUN) insertionSortPairs(k0, i0, lo, min(lo + RUN, n));
    let sk = k0;
    let si = i0;
    let dk = k1;
    let di = i1;
    for (let width = RUN; width < n; width <<= 1) {
      for (let lo = 0; lo < n; lo += width << 1) {
        const mid = min(lo + width, n);
        const hi = min(lo + (width << 1), n);
        if (hi - mid == width) parityMergePairs(sk, si, dk, di, lo, width);
        else mergePairs(sk, si, dk, di, lo, mid, hi);
      }
      let t = sk;
      sk = dk;
      dk = t;
      t = si;
      si = di;
      di = t;
    }
    memory.copy(perm + (<usize>start << 2), si, <usize>n << 2);
  }
}

/** Set by loadBlocks: the factor the rewards were multiplied by, and the number of tie blocks. */
let blockScale: f64 = 1;
let blockCount: i32 = 0;

const BIG_REWARD: f64 = reinterpret<f64>(0x7dd0000000000000); // 2^990
const BIG_SCALE: f64 = reinterpret<f64>(0x3d70000000000000); // 2^-40

/**
 * One group in sorted-score order (the reference's BlockScratch.load): tie blocks in blockStart,
 * y[p] = reward (0 in blocks ending before position `relevant`, zeros when hasRewards is false), times
 * blockScale, less the mean when shiftByMean; compensated block sums in blockSum.
 */
function loadBlocks(
  scores: usize,
  rewards: usize,
  hasRewards: bool,
  perm: usize,
  start: i32,
  n: i32,
  y: usize,
  blockStart: usize,
  blockSum: usize,
  relevant: i32,
  shiftByMean: bool,
): void {
  let t = 0;
  let prev = NaN;
  for (let p = 0; p < n; p++) {
    const v = ld(scores, ldi(perm, start + p));
    if (v != prev) {
      sti(blockStart, t++, p);
      prev = v;
    }
  }
  sti(blockStart, t, n);
  blockCount = t;
  let first = n;
  if (hasRewards) {
    for (let u = 0; u < t; u++) {
      if (ldi(blockStart, u + 1) >= relevant) {
        first = ldi(blockStart, u);
        break;
      }
    }
  }
  let maxAbs = 0.0;
  for (let p = 0; p < n; p++) {
    const r: f64 = p < first ? 0.0 : ld(rewards, ldi(perm, start + p));
    st(y, p, r);
    maxAbs = max<f64>(maxAbs, abs<f64>(r));
  }
  const sc: f64 = maxAbs >= BIG_REWARD ? BIG_SCALE : 1.0;
  blockScale = sc;
  if (shiftByMean && first == 0) {
    const c = meanOf(y, 0, n, sc);
    for (let p = 0; p < n; p++) st(y, p, ld(y, p) * sc - c);
  } else if (sc != 1.0) {
    for (let p = first; p < n; p++) st(y, p, ld(y, p) * sc);
  }
  for (let u = 0; u < t; u++) st(blockSum, u, rangeSum(y, ldi(blockStart, u), ldi(blockStart, u + 1)));
}

/**
 * Best-of-N weights in input order; see the reference kernel for the formulas (same operations, same
 * order). scratch: 7 · maxN doubles (y, blockSum, s, below, μ, ν, μ(n − 1, κ)) then maxN + 1 i32
 * (blockStart).
 */
export function sortedBestOfNWeights(
  scores: usize,
  rewards: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const stride = <usize>maxN << 3;
  const y = scratch;
  const blockSum = y + stride;
  const s = blockSum + stride;
  const below = s + stride;
  const mu = below + stride;
  const nu = mu + stride;
  const m1 = nu + stride;
  const blockStart = m1 + stride;
  const kf = <f64>k;
  let tablesN = -1;
  let m1N = -1;
  const gapPath = (baseline == 3 || baseline == 1) && k >= 2;
  const isLoo1Gap = gapPath && baseline == 3;
  const shiftByMean = !gapPath && k == 1 && baseline != 2 && baseline != 0;
  for (let g = 0; g < groups; g++) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    loadBlocks(scores, rewards, true, perm, start, n, y, blockStart, blockSum, isLoo1Gap ? k - 1 : k, shiftByMean);
    const blocks = blockCount;
    if (tablesN != n) {
      subsetMaxWeights(n, k, mu);
      if (n > 0) st(nu, 0, 0.0);
      for (let p = 1; p < n; p++) st(nu, p, (ld(mu, p) * <f64>(k - 1)) / <f64>p);
      tablesN = n;
    }
    const scale: f64 = (scaleByN ? <f64>n : 1.0) / blockScale;
    if (gapPath) {
      const off = s;
      const gap = below;
      const tailQ = blockSum;
      for (let t = 0; t < blocks; t++) {
        const a = ldi(blockStart, t);
        const e = ldi(blockStart, t + 1);
        const ya = ld(y, a);
        let d = 0.0;
        let c = 0.0;
        for (let p = a + 1; p < e; p++) {
          const v = ld(y, p) - ya;
          const u = d + v;
          c += sumError(d, v, u);
          d = u;
        }
        st(off, t, (d + c) / <f64>(e - a));
        st(gap, t, t > 0 ? ya - ld(y, ldi(blockStart, t - 1)) + (ld(off, t) - ld(off, t - 1)) : 0.0);
        if (!isLoo1Gap && e >= k && (t == 0 || a < k)) st(gap, t, 0.0);
      }
      const isLoo = baseline == 1;
      if (isLoo && m1N != n) {
        subsetMaxWeights(n - 1, k, m1);
        m1N = n;
      }
      const mm = isLoo ? m1 : mu;
      const kn = kf / <f64>n;
      if (isLoo) {
        let q = 0.0;
        let cq = 0.0;
        for (let t = blocks - 1; t >= 0; t--) {
          st(tailQ, t, q + cq);
          if (t + 1 < blocks) {
            const r = ldi(blockStart, t + 1) - 1;
            const w: f64 = r >= 1 && r <= n - 2 ? (ld(mm, r) * <f64>(n - 1 - r)) / kf : 0.0;
            if (w != 0.0) {
              const v = w * ld(gap, t + 1);
              const u = q + v;
              cq += sumError(q, v, u);
              q = u;
            }
          }
        }
      }
      let G = 0.0;
      let cG = 0.0;
      let P = 0.0;
      let cP = 0.0;
      for (let t = 0; t < blocks; t++) {
        const a = ldi(blockStart, t);
        const e = ldi(blockStart, t + 1);
        const m = e - a;
        const gt = ld(gap, t);
        if (t > 0 && ld(mu, a) != 0.0) {
          const v = ld(mu, a) * gt;
          const u = G + v;
          cG += sumError(G, v, u);
          G = u;
        }
        const Gt = G + cG;
        const Pt = P + cP;
        const gUp: f64 = t + 1 < blocks ? ld(gap, t + 1) : 0.0;
        const wa: f64 = isLoo && a >= 1 && a <= n - 2 ? (ld(mm, a) * <f64>(n - 1 - a)) / kf : 0.0;
        if (m == 1) {
          const w: f64 = isLoo ? Gt - kn * (Pt + (wa == 0.0 ? 0.0 : wa * (gt + gUp)) + ld(tailQ, t)) : Gt;
          st(out, ldi(perm, start + a), w * scale);
        } else {
          let R = 0.0;
          let cR = 0.0;
          for (let q = a + 1; q < e; q++) {
            const v = <f64>(e - q) * ld(nu, q);
            const u = R + v;
            cR += sumError(R, v, u);
            R = u;
          }
          const coef = ld(mu, a) + (R + cR) / <f64>(m - 1);
          const r = e - 1;
          const we: f64 = isLoo && r <= n - 2 ? (ld(mm, r) * <f64>(n - 1 - r)) / kf : 0.0;
          const base = Pt + (wa == 0.0 ? 0.0 : wa * gt) + (we == 0.0 ? 0.0 : we * gUp) + ld(tailQ, t);
          const dc = (wa - we) / <f64>(m - 1);
          const ya = ld(y, a);
          const ot = ld(off, t);
          for (let p = a; p < e; p++) {
            const dev = ld(y, p) - ya - ot;
            const w: f64 = isLoo ? Gt + coef * dev - kn * (base - dc * dev) : Gt + coef * dev;
            st(out, ldi(perm, start + p), w * scale);
          }
        }
        if (wa != 0.0) {
          const v = wa * gt;
          const u = P + v;
          cP += sumError(P, v, u);
          P = u;
        }
      }
      continue;
    }
    let tail = 0.0;
    let cTail = 0.0;
    for (let t = blocks - 1; t >= 0; t--) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const m = e - a;
      const T = tail + cTail;
      if (m == 1) {
        const yp = ld(y, a);
        st(s, a, ld(mu, a) * yp + T);
        const v = ld(nu, a) * yp;
        const u = tail + v;
        cTail += sumError(tail, v, u);
        tail = u;
        continue;
      }
      let nuRamp = 0.0;
      let cRamp = 0.0;
      for (let p = a + 1; p < e; p++) {
        const v = <f64>(p - a) * ld(nu, p);
        const u = nuRamp + v;
        cRamp += sumError(nuRamp, v, u);
        nuRamp = u;
      }
      const sum = ld(blockSum, t);
      const mAvg = rangeSum(mu, a, e) / <f64>m;
      const nAvg = (nuRamp + cRamp) / <f64>m / <f64>(m - 1);
      for (let p = a; p < e; p++) {
        const yp = ld(y, p);
        st(s, p, mAvg * yp + nAvg * (sum - yp) + T);
      }
      const v = (rangeSum(nu, a, e) * sum) / <f64>m;
      const u = tail + v;
      cTail += sumError(tail, v, u);
      tail = u;
    }
    if (baseline == 0) {
      for (let p = 0; p < n; p++) st(out, ldi(perm, start + p), ld(s, p) * scale);
      continue;
    }
    const kappa = baseline == 3 && k >= 2 ? k - 1 : k;
    if (m1N != n) {
      subsetMaxWeights(n - 1, kappa, m1);
      m1N = n;
    }
    let lower = 0.0;
    let cLower = 0.0;
    for (let t = 0; t < blocks; t++) {
      st(below, t, lower + cLower);
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const v: f64 =
        e - a == 1
          ? a < n - 1
            ? ld(m1, a) * ld(y, a)
            : 0.0
          : (rangeSum(m1, a, min<i32>(e, n - 1)) * ld(blockSum, t)) / <f64>(e - a);
      const u = lower + v;
      cLower += sumError(lower, v, u);
      lower = u;
    }
    const a1 = baseline == 2 ? kf / <f64>(n - 1) : kf / <f64>n;
    let upper = 0.0;
    let cUpper = 0.0;
    for (let t = blocks - 1; t >= 0; t--) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const m = e - a;
      const base = ld(below, t) + (upper + cUpper);
      if (m == 1) {
        st(out, ldi(perm, start + a), (ld(s, a) - a1 * base) * scale);
        if (a > 0) {
          const v = ld(m1, a - 1) * ld(y, a);
          const u = upper + v;
          cUpper += sumError(upper, v, u);
          upper = u;
        }
        continue;
      }
      const sum = ld(blockSum, t);
      const mid = rangeSum(m1, a, e - 1) / <f64>(m - 1);
      for (let p = a; p < e; p++) {
        const yp = ld(y, p);
        const rhoMinus = base + mid * (sum - yp);
        st(out, ldi(perm, start + p), (ld(s, p) - a1 * rhoMinus) * scale);
      }
      const lo = max<i32>(a, 1);
      const v = (rangeSum(m1, lo - 1, e - 1) * sum) / <f64>m;
      const u = upper + v;
      cUpper += sumError(upper, v, u);
      upper = u;
    }
  }
}

/** Best-of-N metric per group (as the reference kernel). scratch: 3 · maxN doubles (y, blockSum, μ) then maxN + 1 i32. */
export function sortedBestOfNMetric(
  scores: usize,
  rewards: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const stride = <usize>maxN << 3;
  const y = scratch;
  const blockSum = y + stride;
  const mu = blockSum + stride;
  const blockStart = mu + stride;
  let muN = -1;
  for (let g = 0; g < groups; g++) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    loadBlocks(scores, rewards, true, perm, start, n, y, blockStart, blockSum, k, false);
    if (muN != n) {
      subsetMaxWeights(n, k, mu);
      muN = n;
    }
    let sum = 0.0;
    let c = 0.0;
    let firstY = NaN;
    let constant = true;
    for (let t = 0; t < blockCount; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      if (e < k) continue;
      for (let p = a; p < e; p++) {
        if (firstY != firstY) firstY = ld(y, p);
        else if (ld(y, p) != firstY) constant = false;
      }
      const v = (rangeSum(mu, a, e) * ld(blockSum, t)) / <f64>(e - a);
      const u = sum + v;
      c += sumError(sum, v, u);
      sum = u;
    }
    st(out, g, (constant ? firstY : sum + c) / blockScale);
  }
}

/** Probability that each sample is best-of-N's pick, input order. scratch as sortedBestOfNMetric. */
export function sortedBestOfNSelection(
  scores: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  N: i32,
  withReplacement: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const stride = <usize>maxN << 3;
  const y = scratch;
  const blockSum = y + stride;
  const mu = blockSum + stride;
  const blockStart = mu + stride;
  const Nf = <f64>N;
  let muN = -1;
  for (let g = 0; g < groups; g++) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    loadBlocks(scores, 0, false, perm, start, n, y, blockStart, blockSum, 0, false);
    if (!withReplacement && muN != n) {
      subsetMaxWeights(n, N, mu);
      muN = n;
    }
    for (let t = 0; t < blockCount; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const m = e - a;
      let w = 0.0;
      if (withReplacement) {
        w = Math.pow(<f64>e / <f64>n, Nf) * -Math.expm1(Nf * Math.log1p(-<f64>m / <f64>e));
      } else {
        for (let p = a; p < e; p++) w += ld(mu, p);
      }
      w /= <f64>m;
      for (let p = a; p < e; p++) st(out, ldi(perm, start + p), w);
    }
  }
}
export { orderStatisticApply, orderStatisticMetric } from './order-statistics';
