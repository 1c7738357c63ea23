/**
 * Reference kernels of the pass@k family (binary rewards): count the correct samples of each group, then
 * write each sample its group's weight for a correct or an incorrect sample.
 * Math: docs/estimators/pass-at-k.md.
 */
import type { KernelTable, Values } from '../types.js';

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
  out: Float64Array,
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

/** The pass@k family's kernels (also used by pass^k). */
export const passAtKKernels: Pick<KernelTable, 'binaryCounts' | 'binaryScatter'> = { binaryCounts, binaryScatter };
