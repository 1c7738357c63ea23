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
