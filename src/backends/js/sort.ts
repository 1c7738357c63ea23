/**
 * Reference sorting kernels shared by the families that rank samples (max@k, best-of-N, order
 * statistics): a segmented sort of values and a segmented argsort (stable, by key then index).
 */
import type { KernelTable, Values } from '../types.js';

export function segmentedSort(values: Values, offsets: Int32Array, sorted: Float64Array): void {
  const n = offsets[offsets.length - 1] as number;
  if (ArrayBuffer.isView(values) && !(values instanceof Float64Array)) {
    for (let i = 0; i < n; i++) sorted[i] = values[i] as number;
  } else if (values instanceof Float64Array) {
    sorted.set(values.subarray(0, n));
  } else {
    for (let i = 0; i < n; i++) sorted[i] = values[i] as number;
  }
  const groups = offsets.length - 1;
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const end = offsets[b + 1] as number;
    if (end - start > 1) sorted.subarray(start, end).sort();
  }
}


/** Runs this short are insertion-sorted before merging: cheaper than merging single elements. */
const ARGSORT_RUN = 16;

/**
 * Keys and indices move together through local buffers, so comparisons read contiguous doubles rather
 * than chasing `keys[perm[i]]` through an arbitrary ArrayLike.
 */
export function segmentedArgsort(keys: Values, offsets: Int32Array, perm: Int32Array): void {
  const groups = offsets.length - 1;
  let maxSize = 0;
  for (let b = 0; b < groups; b++) maxSize = Math.max(maxSize, (offsets[b + 1] as number) - (offsets[b] as number));
  let k0 = new Float64Array(maxSize);
  let i0 = new Int32Array(maxSize);
  let k1 = new Float64Array(maxSize);
  let i1 = new Int32Array(maxSize);
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const n = (offsets[b + 1] as number) - start;
    for (let lo = 0; lo < n; lo += ARGSORT_RUN) {
      const hi = Math.min(lo + ARGSORT_RUN, n);
      for (let p = lo; p < hi; p++) {
        const key = keys[start + p] as number;
        let j = p - 1;
        while (j >= lo && (k0[j] as number) > key) {
          k0[j + 1] = k0[j] as number;
          i0[j + 1] = i0[j] as number;
          j--;
        }
        k0[j + 1] = key;
        i0[j + 1] = start + p;
      }
    }
    for (let width = ARGSORT_RUN; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + 2 * width, n);
        let i = lo;
        let j = mid;
        let o = lo;
        while (i < mid && j < hi) {
          if ((k0[j] as number) < (k0[i] as number)) {
            k1[o] = k0[j] as number;
            i1[o++] = i0[j++] as number;
          } else {
            k1[o] = k0[i] as number;
            i1[o++] = i0[i++] as number;
          }
        }
        while (i < mid) {
          k1[o] = k0[i] as number;
          i1[o++] = i0[i++] as number;
        }
        while (j < hi) {
          k1[o] = k0[j] as number;
          i1[o++] = i0[j++] as number;
        }
      }
      [k0, k1] = [k1, k0];
      [i0, i1] = [i1, i0];
    }
    perm.set(i0.subarray(0, n), start);
  }
}

/** The sorting kernels. */
export const sortKernels: Pick<KernelTable, 'segmentedSort' | 'segmentedArgsort'> = { segmentedSort, segmentedArgsort };
