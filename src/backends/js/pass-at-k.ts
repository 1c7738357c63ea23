/**
 * Reference kernels of the pass@k family (binary rewards): count the correct samples of each group, then
 * write each sample its group's weight for a correct or an incorrect sample; `binaryWeights` does both
 * in one pass per group. Math: docs/estimators/pass-at-k.md.
 */
import type { BinaryGroupWeights, KernelTable, Values, WeightOut } from '../types.js';

function binaryCounts(values: Values, offsets: Int32Array, counts: Int32Array): number {
  const groups = offsets.length - 1;
  // A plain array may hold true, null or '1', which arithmetic would coerce to 0/1: compare strictly.
  if (!ArrayBuffer.isView(values)) return binaryCountsStrict(values, offsets, counts);
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    // Branch-free: random 0/1 rewards make a per-element branch mispredict half the time. v·(1 − v) is 0
    // exactly for 0 and 1 and non-zero (or NaN) for anything else, so one check per group suffices.
    let c = 0;
    let invalid = 0;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      c += v;
      invalid += +(v * (1 - v) !== 0);
    }
    if (invalid !== 0 || c !== c) {
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v !== 0 && v !== 1) return i;
      }
    }
    counts[b] = c;
  }
  return -1;
}

function binaryCountsStrict(values: Values, offsets: Int32Array, counts: Int32Array): number {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    let c = 0;
    for (let i = offsets[b] as number; i < end; i++) {
      const v = values[i];
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
  out: WeightOut,
): void {
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const end = offsets[b + 1] as number;
    const wc = wCorrect[b] as number;
    const wi = wIncorrect[b] as number;
    // An arithmetic select, exact for v ∈ {0, 1} (1·w + 0·w' = w), without a data-dependent branch.
    for (let i = offsets[b] as number; i < end; i++) {
      const v = values[i] as number;
      out[i] = v * wc + (1 - v) * wi;
    }
  }
}

/**
 * Per-group weight tables of one call, keyed by group size: `[wc, wi]` of count c at `2c`, NaN until
 * computed. A batch of equal-size groups has one table of n + 1 entries, so `weights` runs at most
 * n + 1 times however many groups there are.
 */
class WeightMemo {
  private readonly tables = new Map<number, Float64Array>();
  private n = -1;
  table: Float64Array = new Float64Array(0);

  /** Points `table` at group size n's table. */
  select(n: number): void {
    if (n === this.n) return;
    let t = this.tables.get(n);
    if (t === undefined) {
      t = new Float64Array(2 * (n + 1)).fill(NaN);
      this.tables.set(n, t);
    }
    this.table = t;
    this.n = n;
  }
}

function binaryWeights(values: Values, offsets: Int32Array, weights: BinaryGroupWeights, out: WeightOut): number {
  // A plain array may hold true, null or '1', which arithmetic would coerce to 0/1: compare strictly.
  if (!ArrayBuffer.isView(values)) return binaryWeightsStrict(values, offsets, weights, out);
  const groups = offsets.length - 1;
  const memo = new WeightMemo();
  // Two copies of the scatter loop, one per output type, so each store site sees one array type.
  const out64 = out instanceof Float64Array ? out : undefined;
  const out32 = out instanceof Float32Array ? out : undefined;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    // Branch-free count and check, four lanes wide (independent sums, so the adds pipeline): |v·(1 − v)|
    // is 0 exactly for 0 and 1 and positive (or NaN) for anything else, so its sum is 0 exactly when the
    // group is binary (a sum of non-negative terms cannot cancel).
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let x0 = 0;
    let x1 = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const a = values[i] as number;
      const e = values[i + 1] as number;
      const f = values[i + 2] as number;
      const g = values[i + 3] as number;
      c0 += a;
      c1 += e;
      c2 += f;
      c3 += g;
      x0 += Math.abs(a * (1 - a)) + Math.abs(e * (1 - e));
      x1 += Math.abs(f * (1 - f)) + Math.abs(g * (1 - g));
    }
    for (; i < end; i++) {
      const v = values[i] as number;
      c0 += v;
      x0 += Math.abs(v * (1 - v));
    }
    const c = c0 + c1 + (c2 + c3);
    if (x0 + x1 !== 0) {
      for (let j = start; j < end; j++) {
        const v = values[j];
        if (v !== 0 && v !== 1) return j;
      }
    }
    memo.select(end - start);
    const table = memo.table;
    let wc = table[2 * c] as number;
    if (wc !== wc) {
      const w = weights(end - start, c, b);
      wc = table[2 * c] = w[0];
      table[2 * c + 1] = w[1];
    }
    const wi = table[2 * c + 1] as number;
    // The arithmetic select of binaryScatter (the same bits), unrolled; the group is still in L1.
    if (out64 !== undefined) {
      for (i = start; i + 4 <= end; i += 4) {
        const a = values[i] as number;
        const e = values[i + 1] as number;
        const f = values[i + 2] as number;
        const g = values[i + 3] as number;
        out64[i] = a * wc + (1 - a) * wi;
        out64[i + 1] = e * wc + (1 - e) * wi;
        out64[i + 2] = f * wc + (1 - f) * wi;
        out64[i + 3] = g * wc + (1 - g) * wi;
      }
      for (; i < end; i++) {
        const v = values[i] as number;
        out64[i] = v * wc + (1 - v) * wi;
      }
    } else if (out32 !== undefined) {
      for (i = start; i + 4 <= end; i += 4) {
        const a = values[i] as number;
        const e = values[i + 1] as number;
        const f = values[i + 2] as number;
        const g = values[i + 3] as number;
        out32[i] = a * wc + (1 - a) * wi;
        out32[i + 1] = e * wc + (1 - e) * wi;
        out32[i + 2] = f * wc + (1 - f) * wi;
        out32[i + 3] = g * wc + (1 - g) * wi;
      }
      for (; i < end; i++) {
        const v = values[i] as number;
        out32[i] = v * wc + (1 - v) * wi;
      }
    }
  }
  return -1;
}

function binaryWeightsStrict(values: Values, offsets: Int32Array, weights: BinaryGroupWeights, out: WeightOut): number {
  const groups = offsets.length - 1;
  const memo = new WeightMemo();
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    let c = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === 1) c++;
      else if (v !== 0) return i;
    }
    memo.select(end - start);
    const table = memo.table;
    let wc = table[2 * c] as number;
    if (wc !== wc) {
      const w = weights(end - start, c, b);
      wc = table[2 * c] = w[0];
      table[2 * c + 1] = w[1];
    }
    const wi = table[2 * c + 1] as number;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      out[i] = v * wc + (1 - v) * wi;
    }
  }
  return -1;
}

/** The pass@k family's kernels (also used by pass^k, BoN-RL on binary rewards and Chen et al.'s advantage). */
export const passAtKKernels: Pick<KernelTable, 'binaryCounts' | 'binaryScatter' | 'binaryWeights'> = {
  binaryCounts,
  binaryScatter,
  binaryWeights,
};
