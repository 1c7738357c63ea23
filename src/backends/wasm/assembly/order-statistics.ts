// Order-statistic (L-statistic) kernels in AssemblyScript: the same operations in the same order as the
// reference kernels of src/backends/js/order-statistics.ts (wasm has no implicit FMA), so both backends
// give the same bits. Pointers are byte addresses laid out by the JS arena; nothing here allocates.

// @ts-ignore: decorator
@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline function ldi32(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/**
 * Weights in input order. `perm` holds each group's argsort (absolute indices, from segmentedArgsort);
 * group b of size n reads the table [S, lo_0..lo_{n−2}, hi_0..hi_{n−2}] at element tableStart[b] of
 * `tables`: w_p = x_0·S + Σ_{r<p} Δ_r lo_r + Σ_{r≥p} Δ_r hi_r over the sorted group. `scratch` holds
 * 2·maxN f64.
 */
export function orderStatisticApply(
  values: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  tables: usize,
  tableStart: usize,
  scaleByN: i32,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const x = scratch;
  const w = scratch + (<usize>maxN << 3);
  for (let b = 0; b < groups; b++) {
    const start = ldi32(offsets, b);
    const n = ldi32(offsets, b + 1) - start;
    const t = ldi32(tableStart, b);
    const scale: f64 = scaleByN != 0 ? <f64>n : 1.0;
    for (let p = 0; p < n; p++) stf(x, p, ldf(values, ldi32(perm, start + p)));
    let suffix = 0.0;
    stf(w, n - 1, 0.0);
    for (let r = n - 2; r >= 0; r--) {
      suffix += (ldf(x, r + 1) - ldf(x, r)) * ldf(tables, t + n + r);
      stf(w, r, suffix);
    }
    const base = ldf(x, 0) * ldf(tables, t);
    let prefix = 0.0;
    for (let p = 0; p < n; p++) {
      stf(out, ldi32(perm, start + p), (base + prefix + ldf(w, p)) * scale);
      if (p < n - 1) prefix += (ldf(x, p + 1) - ldf(x, p)) * ldf(tables, t + 1 + p);
    }
  }
}

/** Metric per group from sorted values: x_0·S + Σ_r Δ_r hi_r with the table [S, hi_0..hi_{n−2}]. */
export function orderStatisticMetric(
  sorted: usize,
  offsets: usize,
  groups: i32,
  tables: usize,
  tableStart: usize,
  out: usize,
): void {
  for (let b = 0; b < groups; b++) {
    const start = ldi32(offsets, b);
    const n = ldi32(offsets, b + 1) - start;
    const t = ldi32(tableStart, b);
    let sum = 0.0;
    for (let r = n - 2; r >= 0; r--) {
      sum += (ldf(sorted, start + r + 1) - ldf(sorted, start + r)) * ldf(tables, t + 1 + r);
    }
    stf(out, b, ldf(sorted, start) * ldf(tables, t) + sum);
  }
}
