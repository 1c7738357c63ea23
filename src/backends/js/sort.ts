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

/** Groups of at most this many values take the radix argsort on the fixed scratch below. */
const RADIX_MAX = 1024;

// Module-level buffers are marked /* @__PURE__ */ so that bundles which never call these kernels drop them.
// Scratch of the radix argsort. Module constants on purpose: V8 (TurboFan) embeds a constant typed
// array's storage and length in the code, while an array reached through a parameter or a mutable
// field is reloaded around every store; the loops below ran 1.7× slower that way (node 20, n = 64).
/** Each value's quantised key, its two digits above its index. */
const KEY = /* @__PURE__ */ new Int32Array(RADIX_MAX);
/** Packed keys (digits and index) ordered by the low digit (the first counting pass). */
const MID = /* @__PURE__ */ new Int32Array(RADIX_MAX);
/** Digit histograms of the two passes, all zero between calls. */
const COUNT_LOW = /* @__PURE__ */ new Int32Array(RADIX_MAX);
const COUNT_HIGH = /* @__PURE__ */ new Int32Array(RADIX_MAX);
/** Next free position of each digit's bucket in the two passes. */
const AT_LOW = /* @__PURE__ */ new Int32Array(RADIX_MAX);
const AT_HIGH = /* @__PURE__ */ new Int32Array(RADIX_MAX);

/**
 * Scratch of the larger groups' distribution argsort and of the exact merge argsort, grown to the
 * largest group seen and reused by every later call (so a batch allocates nothing in proportion to
 * its length). Kernels run to completion on one thread, so one set per module is enough.
 */
const scratch = {
  size: -1,
  bucket: /* @__PURE__ */ new Int32Array(0),
  count: /* @__PURE__ */ new Int32Array(0),
  copy: /* @__PURE__ */ new Float64Array(0),
  kb: /* @__PURE__ */ new Float64Array(0),
  ib: /* @__PURE__ */ new Int32Array(0),
};

/** Buckets per value of the distribution argsort. */
const BUCKETS_PER_VALUE = 2;

function ensureScratch(n: number): typeof scratch {
  if (scratch.size < n) {
    const size = Math.max(n, 2 * scratch.size, 64);
    scratch.size = size;
    scratch.bucket = new Int32Array(size);
    scratch.count = new Int32Array(BUCKETS_PER_VALUE * size + 1);
    scratch.copy = new Float64Array(size);
    scratch.kb = new Float64Array(size);
    scratch.ib = new Int32Array(size);
  }
  return scratch;
}

/**
 * Groups the insertion repair fixed, groups re-sorted by the exact merge argsort, and groups sorted by
 * the distribution argsort (more than 1024 values), for tests and benches.
 */
export const argsortStats = { repaired: 0, exact: 0, distribution: 0 };

/**
 * The stable argsort of the finite values[start, start + n), whose minimum and maximum are lo and hi
 * (exactly, as {@link groupRange} finds them: the keys below rely on v − lo ≤ hi − lo): sorted[p]
 * receives the p-th smallest value and ix[p] its index in [0, n), equal values in index order (exactly
 * what a stable comparison sort gives). sorted and ix hold at least n elements.
 *
 * Each value gets a quantised key ⌊(v − lo)·s⌋ clamped to the last key, monotone in v (subtraction and
 * multiplication by s > 0 round monotonically), so ordering by key, equal keys in index order, is the
 * stable order except where distinct values share a key. Groups of at most 1024 values are ordered by
 * a two-pass least-significant-digit radix sort over 2^(2b) keys (b = ⌈log2 n⌉: the low digit, then
 * the high digit, each a stable counting pass); larger groups by a distribution (counting) sort into 2n
 * buckets. The values are then gathered in that order and checked non-decreasing; a group that is not
 * (values sharing a key in the wrong index order: about one group in five on uniform values with
 * n = 64) is repaired by a stable insertion pass, which gives up after 4n + 64 moves (values crowded
 * into few keys, e.g. one far outlier), and the group is re-sorted by the exact merge argsort: O(n)
 * expected on spread-out values, O(n log n) in the worst case. Equal values share a key and stay in
 * index order through every path, so the result is the stable argsort whichever path it takes.
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
  if (values instanceof Float64Array) {
    argsortFloat64(values, start, n, lo, hi, sorted, ix);
    return;
  }
  // One monomorphic kernel: other inputs are read as doubles first (exactly the values read below).
  const copy = ensureScratch(n).copy;
  for (let p = 0; p < n; p++) copy[p] = values[start + p] as number;
  argsortFloat64(copy, 0, n, lo, hi, sorted, ix);
}

/** {@link argsortGroup} on a Float64Array. */
function argsortFloat64(
  values: Float64Array,
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
  // n ≥ 2 here (a range > 0 needs two values).
  const bits = 32 - Math.clz32(n - 1);
  const radix = n <= RADIX_MAX;
  // The radix scale is shrunk by 2^−50 so that even (hi − lo)·s, rounded twice, stays below the
  // 2^(2·bits) keys (no clamp needed); the distribution pass clamps.
  const s = radix ? ((1 << (2 * bits)) / range) * (1 - 2 ** -50) : (BUCKETS_PER_VALUE * n) / range;
  if (!(range < Infinity) || !(s < Infinity)) {
    const sc = ensureScratch(n);
    for (let p = 0; p < n; p++) {
      sorted[p] = values[start + p] as number;
      ix[p] = p;
    }
    exactArgsortPairs(sorted, ix, n, sc.kb, sc.ib);
    argsortStats.exact++;
    return;
  }
  const ordered = radix ? radixArgsort(values, start, n, lo, s, bits, sorted, ix) : distributionArgsort(values, start, n, lo, s, sorted, ix);
  if (ordered) return;
  if (insertionRepair(sorted, ix, n, 4 * n + 64)) {
    argsortStats.repaired++;
    return;
  }
  const sc = ensureScratch(n);
  exactArgsortPairs(sorted, ix, n, sc.kb, sc.ib);
  argsortStats.exact++;
}

/**
 * The radix passes of {@link argsortFloat64} (n ≤ 1024, 2^bits ≥ n): keys in [0, 2^(2·bits)) and both
 * digit histograms in one pass, the bucket starts (clearing the histograms for the next group), the
 * two stable counting passes, and the gather of the values in key order. Returns whether they came
 * out non-decreasing.
 */
function radixArgsort(
  values: Float64Array,
  start: number,
  n: number,
  lo: number,
  s: number,
  bits: number,
  sorted: Float64Array,
  ix: Int32Array,
): boolean {
  // Both digits are masked to [0, 2^bits), so even keys from a wrong (lo, hi) stay inside the
  // histograms (the check below then sees the disorder).
  // Each key packs the two digits above the index (3·bits ≤ 30 bits), so the second pass reads its
  // digit and the index from the first pass's output instead of going back to KEY.
  const mask = (1 << bits) - 1;
  for (let p = 0; p < n; p++) {
    const q = (((values[start + p] as number) - lo) * s) | 0;
    KEY[p] = (q << bits) | p;
    COUNT_LOW[q & mask] = (COUNT_LOW[q & mask] as number) + 1;
    const high = (q >> bits) & mask;
    COUNT_HIGH[high] = (COUNT_HIGH[high] as number) + 1;
  }
  const digits = 1 << bits;
  let low = 0;
  let high = 0;
  for (let d = 0; d < digits; d++) {
    const c = COUNT_LOW[d] as number;
    const e = COUNT_HIGH[d] as number;
    COUNT_LOW[d] = 0;
    COUNT_HIGH[d] = 0;
    AT_LOW[d] = low;
    AT_HIGH[d] = high;
    low += c;
    high += e;
  }
  for (let p = 0; p < n; p++) {
    const key = KEY[p] as number;
    const d = (key >> bits) & mask;
    const at = AT_LOW[d] as number;
    AT_LOW[d] = at + 1;
    MID[at] = key;
  }
  const twice = 2 * bits;
  for (let i = 0; i < n; i++) {
    const key = MID[i] as number;
    const d = (key >> twice) & mask;
    const at = AT_HIGH[d] as number;
    AT_HIGH[d] = at + 1;
    ix[at] = key & mask;
  }
  let prev = -Infinity;
  let bad = 0;
  for (let p = 0; p < n; p++) {
    const x = values[start + (ix[p] as number)] as number;
    sorted[p] = x;
    bad |= +(x < prev);
    prev = x;
  }
  return bad === 0;
}

/**
 * The distribution pass of {@link argsortFloat64} for groups of more than 1024 values: bucket
 * ⌊(v − lo)·s⌋ of 2n, a counting pass placing the buckets in order with each bucket's values in
 * index order. Returns whether the values came out non-decreasing.
 */
function distributionArgsort(
  values: Float64Array,
  start: number,
  n: number,
  lo: number,
  s: number,
  sorted: Float64Array,
  ix: Int32Array,
): boolean {
  argsortStats.distribution++;
  const { bucket, count } = ensureScratch(n);
  const buckets = BUCKETS_PER_VALUE * n;
  count.fill(0, 0, buckets + 1);
  const top = buckets - 1;
  for (let p = 0; p < n; p++) {
    const q = Math.min(((values[start + p] as number) - lo) * s, top) | 0;
    bucket[p] = q;
    count[q + 1] = (count[q + 1] as number) + 1;
  }
  for (let q = 1; q < buckets; q++) count[q] = (count[q] as number) + (count[q - 1] as number);
  let prev = -Infinity;
  let bad = 0;
  for (let p = 0; p < n; p++) {
    const q = bucket[p] as number;
    const at = count[q] as number;
    count[q] = at + 1;
    sorted[at] = values[start + p] as number;
    ix[at] = p;
  }
  for (let p = 0; p < n; p++) {
    const x = sorted[p] as number;
    bad |= +(x < prev);
    prev = x;
  }
  return bad === 0;
}

/**
 * Stable insertion pass over the pairs (x, ix) that gives up after `budget` moves. Returns true when
 * the pairs are sorted; false leaves them a permutation with equal keys still in their first order.
 */
function insertionRepair(x: Float64Array, ix: Int32Array, n: number, budget: number): boolean {
  let moves = 0;
  for (let i = 1; i < n; i++) {
    const v = x[i] as number;
    if ((x[i - 1] as number) <= v) continue;
    const vi = ix[i] as number;
    let j = i - 1;
    while (j >= 0 && (x[j] as number) > v) {
      x[j + 1] = x[j] as number;
      ix[j + 1] = ix[j] as number;
      j--;
    }
    x[j + 1] = v;
    ix[j + 1] = vi;
    moves += i - 1 - j;
    if (moves > budget) return false;
  }
  return true;
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
const argsortBuffers = { sorted: /* @__PURE__ */ new Float64Array(0), ix: /* @__PURE__ */ new Int32Array(0), range: /* @__PURE__ */ new Float64Array(2) };

/** The size of the largest group of `offsets` (0 when there is none): what per-group scratch must hold. */
export function largestGroup(offsets: Int32Array): number {
  let size = 0;
  for (let b = 0; b + 1 < offsets.length; b++) size = Math.max(size, (offsets[b + 1] as number) - (offsets[b] as number));
  return size;
}

/**
 * perm[start + p] = index of the p-th smallest key of each group (absolute), ties in input order: the
 * stable argsort, by {@link argsortGroup}. Checks finiteness in the range pass: returns the index of the
 * first non-finite key (groups before it sorted, later ones not), or −1.
 */
export function segmentedArgsortChecked(keys: Values, offsets: Int32Array, perm: Int32Array): number {
  const groups = offsets.length - 1;
  const maxSize = largestGroup(offsets);
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
