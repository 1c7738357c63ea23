/**
 * Binomial ratios computed stably: no factorials, no raw binomials (which overflow past n ≈ 1030).
 * Everything here trusts its arguments; callers validate. Math: docs/estimators/pass-at-k.md.
 */

/**
 * log(C(n−c, k) / C(n, k)) = log(1 − pass@k): a sum of log1p terms, −Infinity when n − c < k.
 *
 * Two equal products: Π_{i=n−c+1..n} (1 − k/i) (c terms) and Π_{i=0..k−1} (1 − c/(n−i)) (k terms);
 * we take the shorter one. Each log1p term is accurate to an ulp and all have the same sign, so the
 * compensated sum keeps the relative error near machine epsilon even for n = 10^5.
 */
export function logFailAtKUnchecked(n: number, c: number, k: number): number {
  if (n - c < k) return -Infinity;
  if (c === 0 || k === 0) return 0;
  let sum = 0;
  let comp = 0;
  // log1p(−a/b) for a/b ≤ 1/2, else log((b − a)/b): b − a is an exact integer, so a term never inherits
  // the rounding of a/b near 1 (log1p(−0.999999) would carry a 1e-10 relative error from it).
  if (c <= k) {
    for (let i = n - c + 1; i <= n; i++) {
      const t = 2 * k <= i ? Math.log1p(-k / i) : Math.log((i - k) / i);
      const s = sum + t;
      comp += Math.abs(sum) >= Math.abs(t) ? sum - s + t : t - s + sum;
      sum = s;
    }
  } else {
    for (let i = 0; i < k; i++) {
      const t = 2 * c <= n - i ? Math.log1p(-c / (n - i)) : Math.log((n - i - c) / (n - i));
      const s = sum + t;
      comp += Math.abs(sum) >= Math.abs(t) ? sum - s + t : t - s + sum;
      sum = s;
    }
  }
  return sum + comp;
}

/** pass@k = 1 − C(n−c,k)/C(n,k); exactly 1 when n − c < k and exactly 0 when c = 0 or k = 0. */
export function passAtKUnchecked(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  // 0 − x rather than −x: c = 0 must give +0, not −0 (which prints as "-0").
  return 0 - Math.expm1(logFailAtKUnchecked(n, c, k));
}

/** 1 − pass@k = C(n−c,k)/C(n,k), without the cancellation of `1 − passAtK`. */
export function failAtKUnchecked(n: number, c: number, k: number): number {
  return Math.exp(logFailAtKUnchecked(n, c, k));
}

/** Veltkamp's splitter for 53-bit doubles: 2^27 + 1. */
const SPLIT = 134217729;

/**
 * Fills `out[0..n−1]` with μ_p = C(p−1, k−1) / C(n, k) for sorted positions p = 1..n (stored at p−1):
 * the probability that position p is the maximum of a uniformly random k-subset. μ_n = k/n and
 * μ_{p−1} = μ_p · (p−k)/(p−1), so only ratios ≤ 1 are ever multiplied; Σ μ = 1.
 *
 * The recurrence runs in double-double arithmetic (Dekker's exact products): in plain doubles its
 * rounding errors accumulate over the n steps (2e-12 relative at n = 10^6), in double-double each μ_p
 * is the correctly rounded value to within an ulp for any n.
 */
export function subsetMaxWeights(n: number, k: number, out: Float64Array): Float64Array {
  let hi = k / n;
  // lo: the remainder of k/n, exact (hi·n by Dekker's product).
  let lo = ddDivRemainder(k, hi, n) / n;
  out[n - 1] = hi + lo;
  for (let p = n; p > 1; p--) {
    if (p - 1 < k) {
      out[p - 2] = 0;
      continue;
    }
    // (hi, lo) · (p − k): exact product of hi and the integer, plus lo·(p − k).
    const a = p - k;
    const ph = hi * a;
    const pl = twoProdError(hi, a, ph) + lo * a;
    // ÷ (p − 1): q1 = ph/d, then the remainder (ph + pl − q1·d) exactly, divided by d.
    const d = p - 1;
    const q1 = ph / d;
    const r = ddDivRemainder(ph, q1, d) + pl;
    const q2 = r / d;
    hi = q1 + q2;
    lo = q2 - (hi - q1);
    out[p - 2] = hi + lo;
  }
  return out;
}

/** The rounding error of a·b given its rounded value ab: a·b − ab exactly (Dekker's two-product). */
function twoProdError(a: number, b: number, ab: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (((ab - ah * bh) - al * bh) - ah * bl);
}

/** x − q·d exactly (for q ≈ x/d): the remainder of a floating-point division. */
function ddDivRemainder(x: number, q: number, d: number): number {
  const t = q * d;
  return x - t - twoProdError(q, d, t);
}

/** Cache of μ tables: the same (n, k) recurs across the groups of a batch. Small and per call. */
export class SubsetWeightCache {
  private readonly tables = new Map<string, Float64Array>();
  // Uniform batches ask for the same one or two (n, k) pairs over and over: skip the map for them.
  private lastN = -1;
  private lastK = -1;
  private last: Float64Array = new Float64Array(0);
  private prevN = -1;
  private prevK = -1;
  private prev: Float64Array = new Float64Array(0);

  /** μ for subsets of size k of n items (see {@link subsetMaxWeights}); k = 0 gives all zeros. */
  get(n: number, k: number): Float64Array {
    if (n === this.lastN && k === this.lastK) return this.last;
    if (n === this.prevN && k === this.prevK) return this.prev;
    const key = `${n},${k}`;
    let t = this.tables.get(key);
    if (t === undefined) {
      t = new Float64Array(n);
      if (k > 0 && k <= n) subsetMaxWeights(n, k, t);
      this.tables.set(key, t);
    }
    this.prevN = this.lastN;
    this.prevK = this.lastK;
    this.prev = this.last;
    this.lastN = n;
    this.lastK = k;
    this.last = t;
    return t;
  }
}
