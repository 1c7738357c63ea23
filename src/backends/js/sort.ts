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
 * The exact stable argsort of the pairs (x[p], ix[p]), p in [0, n), in place: insertion-sorted runs of
 * 16, then bottom-up merges through (kb, ib) (each ≥ n long). Equal keys keep the order they come in.
 */
function exactArgsortPairs(x: Float64Array, ix: Int32Array, n: number, kb: Float64Array, ib: Int32Array): void {
  for (let lo = 0; lo < n; lo += ARGSORT_RUN) {
    const hi = Math.min(lo + ARGSORT_RUN, n);
    for (let p = lo + 1; p < hi; p++) {
      const key = x[p] as number;
      const idx = ix[p] as number;
      let j = p - 1;
      while (j >= lo && (x[j] as number) > key) {
        x[j + 1] = x[j] as number;
        ix[j + 1] = ix[j] as number;
        j--;
      }
      x[j + 1] = key;
      ix[j + 1] = idx;
    }
  }
  let k0 = x;
  let i0 = ix;
  let k1 = kb;
  let i1 = ib;
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
  if (k0 !== x) {
    x.set(k0.subarray(0, n));
    ix.set(i0.subarray(0, n));
  }
}

/**
 * Scratch of {@link argsortGroup}, grown to the largest group seen and reused by every later call (so
 * a batch allocates nothing in proportion to its length). Kernels run to completion on one thread, so
 * one set per module is enough.
 */
const scratch = { size: -1, bucket: new Int32Array(0), count: new Int32Array(0), kb: new Float64Array(0), ib: new Int32Array(0) };

/** Buckets per value: more buckets, fewer values sharing one to be ordered by the insertion pass. */
const BUCKETS_PER_VALUE = 2;

function ensureScratch(n: number): typeof scratch {
  if (scratch.size < n) {
    const size = Math.max(n, 2 * scratch.size, 64);
    scratch.size = size;
    scratch.bucket = new Int32Array(size);
    scratch.count = new Int32Array(BUCKETS_PER_VALUE * size + 1);
    scratch.kb = new Float64Array(size);
    scratch.ib = new Int32Array(size);
  }
  return scratch;
}

/** Groups the insertion repair fixed, and groups re-sorted by the exact merge argsort (tests and benches read them). */
export const argsortStats = { repaired: 0, exact: 0 };

/**
 * The stable argsort of the finite values[start, start + n), whose minimum and maximum are lo and hi:
 * sorted[p] receives the p-th smallest value and ix[p] its index in [0, n), equal values in index
 * order (exactly what a stable comparison sort gives).
 *
 * A distribution sort: each value goes to bucket ⌊(v − lo)·2n/(hi − lo)⌋ (monotone in v, as subtraction
 * and multiplication by a positive number round monotonically), a counting pass places the buckets in
 * order with each bucket's values in index order, and a stable insertion pass orders values inside a
 * bucket. That pass gives up after 4n + 64 moves (values crowded into few buckets, e.g. one far
 * outlier), and the group is re-sorted by the exact merge argsort: O(n) expected on spread-out values,
 * O(n log n) in the worst case.
 */
export function argsortGroup(
  values: Values,
  start: number,
  n: number,
  lo: number,
  hi: number,
  sorted: Float64Array,
  ix: Int32Array,
): void {
  const range = hi - lo;
  if (!(range > 0)) {
    // All equal (±0 included): the stable order is the input order.
    for (let p = 0; p < n; p++) {
      sorted[p] = values[start + p] as number;
      ix[p] = p;
    }
    return;
  }
  const sc = ensureScratch(n);
  const buckets = BUCKETS_PER_VALUE * n;
  const s = buckets / range;
  if (!(range < Infinity) || !(s < Infinity)) {
    for (let p = 0; p < n; p++) {
      sorted[p] = values[start + p] as number;
      ix[p] = p;
    }
    exactArgsortPairs(sorted, ix, n, sc.kb, sc.ib);
    argsortStats.exact++;
    return;
  }
  const { bucket, count } = sc;
  count.fill(0, 0, buckets + 1);
  const top = buckets - 1;
  for (let p = 0; p < n; p++) {
    const q = Math.min(((values[start + p] as number) - lo) * s, top) | 0;
    bucket[p] = q;
    count[q + 1] = (count[q + 1] as number) + 1;
  }
  for (let q = 1; q < buckets; q++) count[q] = (count[q] as number) + (count[q - 1] as number);
  for (let p = 0; p < n; p++) {
    const q = bucket[p] as number;
    const at = count[q] as number;
    count[q] = at + 1;
    sorted[at] = values[start + p] as number;
    ix[at] = p;
  }
  // Stable insertion inside buckets, with a move budget.
  const budget = 4 * n + 64;
  let moves = 0;
  for (let i = 1; i < n; i++) {
    const v = sorted[i] as number;
    if ((sorted[i - 1] as number) <= v) continue;
    const vi = ix[i] as number;
    let j = i - 1;
    while (j >= 0 && (sorted[j] as number) > v) {
      sorted[j + 1] = sorted[j] as number;
      ix[j + 1] = ix[j] as number;
      j--;
    }
    sorted[j + 1] = v;
    ix[j + 1] = vi;
    moves += i - 1 - j;
    if (moves > budget) {
      exactArgsortPairs(sorted, ix, n, sc.kb, sc.ib);
      argsortStats.exact++;
      return;
    }
  }
  if (moves > 0) argsortStats.repaired++;
}

/**
 * Minimum and maximum of values[start, start + n) into `range` ([lo, hi]), with a finiteness check in
 * the same pass: returns false when some value is NaN or ±∞.
 */
export function groupRange(values: Values, start: number, n: number, range: Float64Array): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  let acc = 0;
  for (let p = start; p < start + n; p++) {
    const x = values[p] as number;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    acc += x * 0;
  }
  range[0] = lo;
  range[1] = hi;
  return acc === 0;
}

/** Index of the first non-finite value of values[start, end), or −1. */
export function firstNonFinite(values: Values, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const x = values[i] as number;
    if (x - x !== 0) return i;
  }
  return -1;
}

/** Per-call buffers of a segmented argsort (one group long). */
const argsortBuffers = { sorted: new Float64Array(0), ix: new Int32Array(0), range: new Float64Array(2) };

/**
 * perm[start + p] = index of the p-th smallest key of each group (absolute), ties in input order: the
 * stable argsort, by {@link argsortGroup}. Checks finiteness in the range pass: returns the index of the
 * first non-finite key (groups before it sorted, later ones not), or −1.
 */
export function segmentedArgsortChecked(keys: Values, offsets: Int32Array, perm: Int32Array): number {
  const groups = offsets.length - 1;
  let maxSize = 0;
  for (let b = 0; b < groups; b++) maxSize = Math.max(maxSize, (offsets[b + 1] as number) - (offsets[b] as number));
  const buf = argsortBuffers;
  if (buf.sorted.length < maxSize) {
    buf.sorted = new Float64Array(maxSize);
    buf.ix = new Int32Array(maxSize);
  }
  for (let b = 0; b < groups; b++) {
    const start = offsets[b] as number;
    const bad = argsortInto(keys, start, (offsets[b + 1] as number) - start, perm, buf);
    if (bad >= 0) return bad;
  }
  return -1;
}

// One group per call: the hot loops live in functions called once per group, which V8 optimises as a
// whole, rather than in a loop over the batch that only on-stack replacement would reach.
function argsortInto(keys: Values, start: number, n: number, perm: Int32Array, buf: typeof argsortBuffers): number {
  const { sorted, ix, range } = buf;
  if (!groupRange(keys, start, n, range)) return firstNonFinite(keys, start, start + n);
  argsortGroup(keys, start, n, range[0] as number, range[1] as number, sorted, ix);
  for (let p = 0; p < n; p++) perm[start + p] = start + (ix[p] as number);
  return -1;
}

/** The stable argsort of each group ({@link segmentedArgsortChecked} on keys trusted finite). */
export function segmentedArgsort(keys: Values, offsets: Int32Array, perm: Int32Array): void {
  segmentedArgsortChecked(keys, offsets, perm);
}

/** The sorting kernels. */
export const sortKernels: Pick<KernelTable, 'segmentedSort' | 'segmentedArgsort'> = { segmentedSort, segmentedArgsort };
