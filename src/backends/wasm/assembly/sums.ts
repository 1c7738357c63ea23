// Shared arithmetic of the ranking kernels: error-free products, the double-double subset-weight
// table μ (max@k, best-of-N) and compensated (Neumaier) sums, in the reference kernels' operation order.
import { ld, ldi, st } from './memory';

// @ts-ignore: decorator
@inline export function twoProdError(a: f64, b: f64, ab: f64): f64 {
  let t = 134217729.0 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729.0 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (((ab - ah * bh) - al * bh) - ah * bl);
}

// @ts-ignore: decorator
@inline export function divRemainder(x: f64, q: f64, d: f64): f64 {
  const t = q * d;
  return x - t - twoProdError(q, d, t);
}

/**
 * μ_p = C(p−1,k−1)/C(n,k) into out[0..n−1], by combinatorics.ts#subsetMaxWeights' double-double
 * recurrence (same operations, same bits).
 */
export function subsetMaxWeights(n: i32, k: i32, out: usize): void {
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

// ---- A cache of μ tables ---------------------------------------------------------------------------
//
// The weight kernels need μ(n, k) (and μ(n − 1, ·), and best-of-N ν) for every group's size n. The
// recurrence is sequential, with two dependent divisions per entry, so computing it costs more than the
// rest of a group's work: a batch of mixed sizes, which changes n from one group to the next, must not
// compute it per group. Slot n mod slots of a kernel's scratch keeps the table of the last (n, k) that
// mapped there, so the sizes of a batch within any `slots` consecutive values each compute their
// tables once per call.

/** Slots for groups of at most maxN values: 16 while that costs at most 512 KB per table kind, else 2. */
// @ts-ignore: decorator
@inline function cacheSlots(maxN: i32): i32 {
  return maxN <= 4096 ? 16 : 2;
}

/** Bytes of one table for groups of at most maxN values, 16-aligned. */
// @ts-ignore: decorator
@inline function tableStride(maxN: i32): usize {
  return ((<usize>max<i32>(maxN, 1) << 3) + 15) & ~(<usize>15);
}

let muCache: usize = 0;
let nuCache: usize = 0;
let cacheStride: usize = 0;
let cacheMask: i32 = 0;
/** Two i32 per slot, the (n, k) its μ table holds ((−1, −1): none), then the same for ν. */
let cacheTags: usize = 0;

/** Bytes of scratch {@link resetTableCache} needs for groups of at most maxN values (16-aligned). */
export function tableCacheBytes(maxN: i32, withNu: bool): usize {
  const slots = <usize>cacheSlots(maxN);
  return slots * tableStride(maxN) * (withNu ? 2 : 1) + slots * 16;
}

/** Empties the cache and places it at `at` (tableCacheBytes(maxN, withNu) bytes, 16-aligned); once per kernel call. */
export function resetTableCache(at: usize, maxN: i32, withNu: bool): void {
  const slots = cacheSlots(maxN);
  cacheStride = tableStride(maxN);
  cacheMask = slots - 1;
  muCache = at;
  nuCache = withNu ? at + <usize>slots * cacheStride : 0;
  cacheTags = at + <usize>slots * cacheStride * (withNu ? 2 : 1);
  memory.fill(cacheTags, 0xff, <usize>slots * 16);
}

/** μ(n, k) (subsetMaxWeights: n doubles, n ≤ the cache's maxN), computed unless its slot holds it. */
export function muTable(n: i32, k: i32): usize {
  const slot = n & cacheMask;
  const tag = cacheTags + (<usize>slot << 3);
  const t = muCache + <usize>slot * cacheStride;
  if (load<i32>(tag) != n || load<i32>(tag, 4) != k) {
    subsetMaxWeights(n, k, t);
    store<i32>(tag, n);
    store<i32>(tag, k, 4);
  }
  return t;
}

/** ν_p = μ_p (k − 1)/p (ν_0 = 0) of μ(n, k), n doubles, computed unless its slot holds it (a cache reset withNu). */
export function nuTable(n: i32, k: i32): usize {
  const slot = n & cacheMask;
  const tag = cacheTags + ((<usize>(cacheMask + 1) + <usize>slot) << 3);
  const t = nuCache + <usize>slot * cacheStride;
  if (load<i32>(tag) != n || load<i32>(tag, 4) != k) {
    const mu = muTable(n, k);
    if (n > 0) st(t, 0, 0.0);
    for (let p = 1; p < n; p++) st(t, p, (ld(mu, p) * <f64>(k - 1)) / <f64>p);
    store<i32>(tag, n);
    store<i32>(tag, k, 4);
  }
  return t;
}

// @ts-ignore: decorator
@inline export function sumError(s: f64, t: f64, u: f64): f64 {
  return abs<f64>(s) >= abs<f64>(t) ? s - u + t : t - u + s;
}

/**
 * The rounding error of u = s + t by Knuth's TwoSum: branch-free, and exactly the error (s + t) − u, so
 * the same bits as {@link sumError}'s Fast2Sum whenever u is finite. V8 compiles a select between
 * doubles as a branch, which mispredicts on random data; this has none.
 */
// @ts-ignore: decorator
@inline export function twoSumError(s: f64, t: f64, u: f64): f64 {
  const bv = u - s;
  return s - (u - bv) + (t - bv);
}

/** Σ a[lo..hi), compensated (as the reference kernel's rangeSum). */
export function rangeSum(a: usize, lo: i32, hi: i32): f64 {
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
export function meanOf(a: usize, lo: i32, hi: i32, sc: f64): f64 {
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

/**
 * The 'loo-1' weights (k ≥ 2) of one group straight from its sorted keys into input order, in one pass:
 * the gather (sample i = key & mask), the check that the ranking values `by` come out non-decreasing
 * (`strict`: increasing, i.e. also untied), the compensated recurrence w_p = Σ_{q ≤ p, q ≥ k−1}
 * μ_q (y_(q) − y_(q−1)) of the rewards y in that order, and the scatter of w_p·scale. Shared by max@k
 * (`by` = `rewards`, ties allowed: inside a tie block the increment is ±0, which leaves the sum and its
 * compensation unchanged) and best-of-N (scores rank, rewards are paid, no ties). The caller makes sure
 * no weight can overflow and that the reference's rescaling factor is 1. Returns false when the check
 * fails: the weights written are then wrong and the caller takes the general path.
 */
// @ts-ignore: decorator
@inline export function looOneFromKeys(
  keys: usize,
  mask: i32,
  by: usize,
  strict: bool,
  rewards: usize,
  n: i32,
  k: i32,
  scale: f64,
  out: usize,
  mu: usize,
): bool {
  let prevKey = -Infinity;
  let bad = false;
  let prev = 0.0;
  let p = 0;
  for (; p < k - 1; p++) {
    const i = ldi(keys, p) & mask;
    const x = ld(by, i);
    bad = bad | (strict ? x <= prevKey : x < prevKey);
    prevKey = x;
    prev = ld(rewards, i);
    st(out, i, 0.0);
  }
  let w = 0.0;
  let c = 0.0;
  for (; p < n; p++) {
    const i = ldi(keys, p) & mask;
    const x = ld(by, i);
    bad = bad | (strict ? x <= prevKey : x < prevKey);
    prevKey = x;
    const y = ld(rewards, i);
    const t = ld(mu, p) * (y - prev);
    prev = y;
    const u = w + t;
    c += twoSumError(w, t, u);
    w = u;
    st(out, i, (w + c) * scale);
  }
  return !bad;
}

/**
 * {@link looOneFromKeys} for two groups of the same size at once, group A in lane 0 of every f64x2 and
 * group B in lane 1: each lane runs exactly the scalar operations in the scalar order (IEEE add, sub
 * and mul per lane, no fused multiply-add), so each group gets the bits looOneFromKeys gives it, for
 * half the arithmetic instructions. `same` (a constant at each call site) says the ranking values are
 * the rewards, so they are loaded once; `scaled` is false when `scale` is 1 (then the product, which
 * would give the same bits, is left out). Returns a mask of the groups whose check failed (1: A, 2: B;
 * a failure among the first k − 1 positions is charged to both).
 */
// @ts-ignore: decorator
@inline export function looOnePairFromKeys(
  same: bool,
  strict: bool,
  scaled: bool,
  keysA: usize,
  keysB: usize,
  mask: i32,
  byA: usize,
  byB: usize,
  rewardsA: usize,
  rewardsB: usize,
  n: i32,
  k: i32,
  scale: f64,
  oA: usize,
  oB: usize,
  mu: usize,
): i32 {
  let prevKeyA = -Infinity;
  let prevKeyB = -Infinity;
  let prevA = 0.0;
  let prevB = 0.0;
  let bad = false;
  let p = 0;
  for (; p < k - 1; p++) {
    const iA = ldi(keysA, p) & mask;
    const iB = ldi(keysB, p) & mask;
    const xA = ld(byA, iA);
    const xB = ld(byB, iB);
    bad = bad | (strict ? xA <= prevKeyA : xA < prevKeyA) | (strict ? xB <= prevKeyB : xB < prevKeyB);
    prevKeyA = xA;
    prevKeyB = xB;
    if (!same) {
      prevA = ld(rewardsA, iA);
      prevB = ld(rewardsB, iB);
    }
    st(oA, iA, 0.0);
    st(oB, iB, 0.0);
  }
  let prevKey = f64x2.replace_lane(f64x2.splat(prevKeyA), 1, prevKeyB);
  let prev = same ? prevKey : f64x2.replace_lane(f64x2.splat(prevA), 1, prevB);
  const scale2 = f64x2.splat(scale);
  let worse = i64x2.splat(0);
  let w = f64x2.splat(0.0);
  let c = f64x2.splat(0.0);
  for (; p < n; p++) {
    // Byte offsets of the two samples; each value is loaded straight into its lane, and each weight
    // stored straight from its lane.
    const iA = <usize>(ldi(keysA, p) & mask) << 3;
    const iB = <usize>(ldi(keysB, p) & mask) << 3;
    const x = v128.load64_lane(byB + iB, v128.load64_zero(byA + iA), 1);
    worse = v128.or(worse, strict ? f64x2.le(x, prevKey) : f64x2.lt(x, prevKey));
    prevKey = x;
    const y = same ? x : v128.load64_lane(rewardsB + iB, v128.load64_zero(rewardsA + iA), 1);
    const t = f64x2.mul(v128.load64_splat(mu + (<usize>p << 3)), f64x2.sub(y, prev));
    prev = y;
    const u = f64x2.add(w, t);
    const bv = f64x2.sub(u, w);
    c = f64x2.add(c, f64x2.add(f64x2.sub(w, f64x2.sub(u, bv)), f64x2.sub(t, bv)));
    w = u;
    const wt = scaled ? f64x2.mul(f64x2.add(w, c), scale2) : f64x2.add(w, c);
    v128.store64_lane(oA + iA, wt, 0);
    v128.store64_lane(oB + iB, wt, 1);
  }
  return i64x2.bitmask(worse) | (i32(bad) * 3);
}
