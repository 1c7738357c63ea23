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

function binaryWeights(values: Values, offsets: Int32Array, weights: BinaryGroupWeights, out: WeightOut): number {
  // A plain array may hold true, null or '1', which arithmetic would coerce to 0/1: compare strictly.
  const strict = !ArrayBuffer.isView(values);
  const groups = offsets.length - 1;
  // Per-group-size tables of [wc, wi] at 2c, NaN until computed: equal-size groups share one table of
  // n + 1 entries, so `weights` runs at most n + 1 times however many groups there are.
  const tables = new Map<number, Float64Array>();
  let tableN = -1;
  let table: Float64Array = new Float64Array(0);
  // The double-precision output gets its own store loop, so that store site sees one array type.
  const out64 = out instanceof Float64Array ? out : undefined;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    let c = 0;
    if (strict) {
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (v === 1) c++;
        else if (v !== 0) return i;
      }
    } else {
      // The count is a plain sum, four lanes wide (independent sums pipeline), and the check that every
      // value is 0 or 1 rides along without a branch per value: v·v === v holds exactly for 0, −0, 1 and
      // +Infinity (a square rounds away from any other double, or under- or overflows), and an
      // Infinity makes the sum no count of this group, which finds no table entry below.
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let ok = 1;
      let i = start;
      for (; i + 4 <= end; i += 4) {
        const p = values[i] as number;
        const q = values[i + 1] as number;
        const r = values[i + 2] as number;
        const s = values[i + 3] as number;
        c += p;
        c1 += q;
        c2 += r;
        c3 += s;
        ok &= +(p * p === p) & +(q * q === q) & +(r * r === r) & +(s * s === s);
      }
      for (; i < end; i++) {
        const v = values[i] as number;
        c += v;
        ok &= +(v * v === v);
      }
      c += c1 + c2 + c3;
      if (ok === 0) for (i = start; i < end; i++) if (values[i] !== 0 && values[i] !== 1) return i;
    }
    const n = end - start;
    if (n !== tableN) {
      let t = tables.get(n);
      if (t === undefined) tables.set(n, (t = new Float64Array(2 * n + 2).fill(NaN)));
      table = t;
      tableN = n;
    }
    // Undefined (a sum that is no count: fractional, NaN, negative or > n, e.g. an Infinity among the
    // values) or NaN (not computed yet).
    let wc = table[2 * c];
    if (wc === undefined || wc !== wc) {
      if (!strict) for (let i = start; i < end; i++) if (values[i] !== 0 && values[i] !== 1) return i;
      const w = weights(n, c, b);
      wc = table[2 * c] = w[0];
      table[2 * c + 1] = w[1];
    }
    const wi = table[2 * c + 1] as number;
    // The arithmetic select of binaryScatter (the same bits), while the group is still in L1; a
    // Float32Array rounds each value in the store.
    let i = start;
    if (out64 !== undefined && Object.is(wi, 0)) {
      // wi = +0 (loo-1): (1 − v)·wi is +0 for v ∈ {0, 1}, so the select is v·wc + 0, the same bits
      // (the + 0 turns a −0 product into +0, as the full select does).
      for (; i + 4 <= end; i += 4) {
        out64[i] = (values[i] as number) * wc + 0;
        out64[i + 1] = (values[i + 1] as number) * wc + 0;
        out64[i + 2] = (values[i + 2] as number) * wc + 0;
        out64[i + 3] = (values[i + 3] as number) * wc + 0;
      }
    } else if (out64 !== undefined) {
      for (; i + 4 <= end; i += 4) {
        const p = values[i] as number;
        const q = values[i + 1] as number;
        const r = values[i + 2] as number;
        const s = values[i + 3] as number;
        out64[i] = p * wc + (1 - p) * wi;
        out64[i + 1] = q * wc + (1 - q) * wi;
        out64[i + 2] = r * wc + (1 - r) * wi;
        out64[i + 3] = s * wc + (1 - s) * wi;
      }
    }
    for (; i < end; i++) {
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

/** The fused kernel alone: what the binary weight estimators need on the js backend. */
export const binaryWeightKernels: Pick<KernelTable, 'binaryWeights'> = { binaryWeights };
