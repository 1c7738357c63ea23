/**
 * Reference kernels of the order-statistic (L-statistic) family: apply per-size coefficient tables to
 * each sorted group by a prefix and a suffix sum over the gaps between sorted values. The tables (which
 * depend only on n, k and the rank weights α) are built by src/estimators/order-statistics.ts.
 * Math: docs/estimators/order-statistics.md.
 */
import type { KernelTable, Values } from '../types.js';
import { argsortGroup, groupRange, largestGroup } from './sort.js';

/**
 * One group in sorted order x_0 ≤ … ≤ x_{n−1} with gaps Δ_r = x_{r+1} − x_r and a table
 * [S, lo_0..lo_{n−2}, hi_0..hi_{n−2}] at `t`:
 *   w_p = x_0·S + Σ_{r<p} Δ_r lo_r + Σ_{r≥p} Δ_r hi_r.
 * A zero gap adds exactly 0 to both running sums, so tied values get bit-identical weights, whatever
 * order the sort left them in.
 */
function applyGroup(
  sorted: Float64Array,
  start: number,
  n: number,
  tables: Float64Array,
  t: number,
  scale: number,
  into: Float64Array,
  gaps: Float64Array,
): void {
  // Gaps once, then the suffix sums Σ_{r≥p} Δ_r hi_r into `into`, from the top.
  for (let r = 0; r < n - 1; r++) gaps[r] = (sorted[start + r + 1] as number) - (sorted[start + r] as number);
  let suffix = 0;
  into[n - 1] = 0;
  for (let r = n - 2; r >= 0; r--) {
    suffix += (gaps[r] as number) * (tables[t + n + r] as number);
    into[r] = suffix;
  }
  const base = (sorted[start] as number) * (tables[t] as number);
  let prefix = 0;
  for (let p = 0; p < n; p++) {
    into[p] = (base + prefix + (into[p] as number)) * scale;
    if (p < n - 1) prefix += (gaps[p] as number) * (tables[t + 1 + p] as number);
  }
}

// Module-level buffers are marked /* @__PURE__ */ so that bundles which never call these kernels drop them.
/** Per-call buffers of {@link orderStatisticWeights}, one group long, grown to the largest group seen and reused. */
const buffers = {
  sorted: /* @__PURE__ */ new Float64Array(0),
  ix: /* @__PURE__ */ new Int32Array(0),
  w: /* @__PURE__ */ new Float64Array(0),
  gaps: /* @__PURE__ */ new Float64Array(0),
  range: /* @__PURE__ */ new Float64Array(2),
};

/**
 * Order-statistic weights in INPUT order, one group at a time: the stable argsort of the group
 * (sort.ts#argsortGroup), its table applied (see applyGroup), the weights scattered back by index. No
 * buffer is proportional to the batch. `tableStart[b]` is where group b's table (2n − 1 values for its
 * size n) starts in `tables`. The values must be finite (the estimator checks them).
 */
export function orderStatisticWeights(
  values: Values,
  offsets: Int32Array,
  tables: Float64Array,
  tableStart: Int32Array,
  scaleByN: boolean,
  out: Float64Array,
): void {
  const groups = offsets.length - 1;
  const maxN = largestGroup(offsets);
  const buf = buffers;
  if (buf.sorted.length < maxN) {
    buf.sorted = new Float64Array(maxN);
    buf.ix = new Int32Array(maxN);
    buf.w = new Float64Array(maxN);
    buf.gaps = new Float64Array(maxN);
  }
  const { sorted, ix, w, gaps, range } = buf;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    groupRange(values, start, n, range);
    argsortGroup(values, start, n, range[0] as number, range[1] as number, sorted, ix);
    applyGroup(sorted, 0, n, tables, tableStart[b] as number, scaleByN ? n : 1, w, gaps);
    for (let p = 0; p < n; p++) out[start + (ix[p] as number)] = w[p] as number;
  }
}

/**
 * Order-statistic metric per group from SORTED values: x_0·S + Σ_r Δ_r hi_r with the table
 * [S, hi_0..hi_{n−2}] (n values) at `tableStart[b]`.
 */
export function orderStatisticMetric(
  sorted: Float64Array,
  offsets: Int32Array,
  tables: Float64Array,
  tableStart: Int32Array,
  out: Float64Array,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    const t = tableStart[b] as number;
    let sum = 0;
    for (let r = n - 2; r >= 0; r--) {
      sum += ((sorted[start + r + 1] as number) - (sorted[start + r] as number)) * (tables[t + 1 + r] as number);
    }
    out[b] = (sorted[start] as number) * (tables[t] as number) + sum;
  }
}

/** The order-statistic family's kernels. */
export const orderStatisticKernels: Pick<KernelTable, 'orderStatisticWeights' | 'orderStatisticMetric'> = {
  orderStatisticWeights,
  orderStatisticMetric,
};
