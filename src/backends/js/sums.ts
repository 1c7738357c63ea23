/**
 * Compensated (Neumaier) sums shared by the max@k and best-of-N reference kernels: the error of a long
 * sum does not grow with its length.
 */

/** The rounding error of u = s + t (Neumaier's two-sum branch): s + t − u exactly. */
export function sumError(s: number, t: number, u: number): number {
  return Math.abs(s) >= Math.abs(t) ? s - u + t : t - u + s;
}

/** Σ a[p] for p in [lo, hi), compensated. */
export function rangeSum(a: Float64Array, lo: number, hi: number): number {
  let s = 0;
  let c = 0;
  for (let p = lo; p < hi; p++) {
    const t = a[p] as number;
    const u = s + t;
    c += sumError(s, t, u);
    s = u;
  }
  return s + c;
}

/**
 * The mean of a[lo..hi)·sc by a compensated sum; exactly the common value when all are equal (so a
 * shift by it leaves exact zeros).
 */
export function meanOf(a: ArrayLike<number>, lo: number, hi: number, sc: number): number {
  let s = 0;
  let c = 0;
  let same = true;
  const first = a[lo] as number;
  for (let p = lo; p < hi; p++) {
    const v = a[p] as number;
    if (v !== first) same = false;
    const t = v * sc;
    const u = s + t;
    c += sumError(s, t, u);
    s = u;
  }
  return same ? first * sc : (s + c) / (hi - lo);
}
