// Sorting kernels shared by the ranking families (max@k, best-of-N, order statistics): a segmented
// sort of values and a segmented stable argsort of (key, index) pairs.
import { ld, ldi, st, sti } from './memory';

// The sort: branch-free sorting networks for runs of 8, then bottom-up branch-free merges. Random
// rewards make every data-dependent branch (a quicksort partition, an insertion) mispredict about half
// the time, which is what a sort of small groups spends its time on; measured at n = 64 this is 2.4×
// faster than introsort (insertion sort ≤ 40), at n = 1024 2.3× (docs/backends.md).

/** Groups of at most RUN elements are insertion-sorted (a network needs exactly 8). */
const RUN = 8;

function insertionSort(p: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = ld(p, i);
    let j = i - 1;
    while (j >= lo) {
      const u = ld(p, j);
      if (u <= v) break;
      st(p, j + 1, u);
      j--;
    }
    st(p, j + 1, v);
  }
}

// @ts-ignore: decorator
@inline function lo2(a: f64, b: f64): f64 {
  return f64x2.extract_lane(f64x2.pmin(f64x2.splat(a), f64x2.splat(b)), 0);
}
// @ts-ignore: decorator
@inline function hi2(a: f64, b: f64): f64 {
  return f64x2.extract_lane(f64x2.pmax(f64x2.splat(b), f64x2.splat(a)), 0);
}

/** Sorts p[0, 8) with the 19-comparator network; compare-exchange via pmin/pmax (minpd/maxpd: no branches). */
function sort8(p: usize): void {
  let x0 = ld(p, 0);
  let x1 = ld(p, 1);
  let x2 = ld(p, 2);
  let x3 = ld(p, 3);
  let x4 = ld(p, 4);
  let x5 = ld(p, 5);
  let x6 = ld(p, 6);
  let x7 = ld(p, 7);
  let t: f64;
  t = lo2(x0, x1); x1 = hi2(x0, x1); x0 = t;
  t = lo2(x2, x3); x3 = hi2(x2, x3); x2 = t;
  t = lo2(x4, x5); x5 = hi2(x4, x5); x4 = t;
  t = lo2(x6, x7); x7 = hi2(x6, x7); x6 = t;
  t = lo2(x0, x2); x2 = hi2(x0, x2); x0 = t;
  t = lo2(x1, x3); x3 = hi2(x1, x3); x1 = t;
  t = lo2(x4, x6); x6 = hi2(x4, x6); x4 = t;
  t = lo2(x5, x7); x7 = hi2(x5, x7); x5 = t;
  t = lo2(x1, x2); x2 = hi2(x1, x2); x1 = t;
  t = lo2(x5, x6); x6 = hi2(x5, x6); x5 = t;
  t = lo2(x0, x4); x4 = hi2(x0, x4); x0 = t;
  t = lo2(x3, x7); x7 = hi2(x3, x7); x3 = t;
  t = lo2(x1, x5); x5 = hi2(x1, x5); x1 = t;
  t = lo2(x2, x6); x6 = hi2(x2, x6); x2 = t;
  t = lo2(x1, x4); x4 = hi2(x1, x4); x1 = t;
  t = lo2(x3, x6); x6 = hi2(x3, x6); x3 = t;
  t = lo2(x2, x4); x4 = hi2(x2, x4); x2 = t;
  t = lo2(x3, x5); x5 = hi2(x3, x5); x3 = t;
  t = lo2(x3, x4); x4 = hi2(x3, x4); x3 = t;
  st(p, 0, x0);
  st(p, 1, x1);
  st(p, 2, x2);
  st(p, 3, x3);
  st(p, 4, x4);
  st(p, 5, x5);
  st(p, 6, x6);
  st(p, 7, x7);
}

/**
 * Merges the equal-length runs src[lo, lo + m) and src[lo + m, lo + 2m) into dst, from both ends at once
 * (quadsort's parity merge): m steps each take the smaller head and the larger tail. Two independent
 * dependency chains, no bounds checks (after k < m steps neither side has passed its run's end).
 */
function parityMerge(src: usize, dst: usize, lo: i32, m: i32): void {
  let l = lo;
  let r = lo + m;
  let o = lo;
  let lt = lo + m - 1;
  let rt = lo + 2 * m - 1;
  let ot = rt;
  for (let k = 0; k < m; k++) {
    const takeR = ld(src, r) < ld(src, l);
    st(dst, o, ld(src, select<i32>(r, l, takeR)));
    o++;
    r += <i32>takeR;
    l += 1 - <i32>takeR;
    const takeL = ld(src, rt) < ld(src, lt);
    st(dst, ot, ld(src, select<i32>(lt, rt, takeL)));
    ot--;
    lt -= <i32>takeL;
    rt -= 1 - <i32>takeL;
  }
}

/** Merges src[lo, mid) and src[mid, hi) (any lengths) into dst; the index select keeps it branch-free. */
function merge(src: usize, dst: usize, lo: i32, mid: i32, hi: i32): void {
  let i = lo;
  let j = mid;
  let o = lo;
  while (i < mid && j < hi) {
    const takeB = ld(src, j) < ld(src, i);
    st(dst, o, ld(src, select<i32>(j, i, takeB)));
    j += <i32>takeB;
    i += 1 - <i32>takeB;
    o++;
  }
  if (i < mid) memory.copy(dst + (<usize>o << 3), src + (<usize>i << 3), <usize>(mid - i) << 3);
  else if (j < hi) memory.copy(dst + (<usize>o << 3), src + (<usize>j << 3), <usize>(hi - j) << 3);
}

/** Sorts p[0, n) ascending via buf (n doubles): networks on runs of 8, then merges of doubling width. */
function sortGroup(p: usize, n: i32, buf: usize): void {
  let lo0 = 0;
  for (; lo0 + 8 <= n; lo0 += 8) sort8(p + (<usize>lo0 << 3));
  if (lo0 < n) insertionSort(p, lo0, n);
  let src = p;
  let dst = buf;
  for (let width = RUN; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      if (hi - mid == width) parityMerge(src, dst, lo, width);
      else if (mid < hi) merge(src, dst, lo, mid, hi);
      else memory.copy(dst + (<usize>lo << 3), src + (<usize>lo << 3), <usize>(hi - lo) << 3);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != p) memory.copy(p, src, <usize>n << 3);
}

/** Copies values into sorted (unless the same memory) and sorts each group; scratch holds maxN doubles. */
export function segmentedSort(values: usize, offsets: usize, groups: i32, sorted: usize, scratch: usize): void {
  const total = ldi(offsets, groups);
  if (values != sorted) memory.copy(sorted, values, <usize>total << 3);
  for (let b = 0; b < groups; b++) {
    const lo = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - lo;
    const p = sorted + (<usize>lo << 3);
    if (n <= RUN) insertionSort(p, 0, n);
    else sortGroup(p, n, scratch);
  }
}

/** Insertion-sorts (key, index) pairs in [lo, hi): stable (moves only strictly greater keys). */
function insertionSortPairs(k: usize, ix: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = ld(k, i);
    const vi = ldi(ix, i);
    let j = i - 1;
    while (j >= lo) {
      const u = ld(k, j);
      if (u <= v) break;
      st(k, j + 1, u);
      sti(ix, j + 1, ldi(ix, j));
      j--;
    }
    st(k, j + 1, v);
    sti(ix, j + 1, vi);
  }
}

/** Stable parity merge of equal runs of (key, index) pairs: heads take left on ties, tails take right. */
function parityMergePairs(sk: usize, si: usize, dk: usize, di: usize, lo: i32, m: i32): void {
  let l = lo;
  let r = lo + m;
  let o = lo;
  let lt = lo + m - 1;
  let rt = lo + 2 * m - 1;
  let ot = rt;
  for (let c = 0; c < m; c++) {
    const takeR = ld(sk, r) < ld(sk, l);
    const h = select<i32>(r, l, takeR);
    st(dk, o, ld(sk, h));
    sti(di, o, ldi(si, h));
    o++;
    r += <i32>takeR;
    l += 1 - <i32>takeR;
    const takeL = ld(sk, rt) < ld(sk, lt);
    const t = select<i32>(lt, rt, takeL);
    st(dk, ot, ld(sk, t));
    sti(di, ot, ldi(si, t));
    ot--;
    lt -= <i32>takeL;
    rt -= 1 - <i32>takeL;
  }
}

/** Stable merge of (key, index) runs of any lengths. */
function mergePairs(sk: usize, si: usize, dk: usize, di: usize, lo: i32, mid: i32, hi: i32): void {
  let i = lo;
  let j = mid;
  let o = lo;
  while (i < mid && j < hi) {
    const takeB = ld(sk, j) < ld(sk, i);
    const h = select<i32>(j, i, takeB);
    st(dk, o, ld(sk, h));
    sti(di, o, ldi(si, h));
    j += <i32>takeB;
    i += 1 - <i32>takeB;
    o++;
  }
  for (; i < mid; i++, o++) {
    st(dk, o, ld(sk, i));
    sti(di, o, ldi(si, i));
  }
  for (; j < hi; j++, o++) {
    st(dk, o, ld(sk, j));
    sti(di, o, ldi(si, j));
  }
}

/**
 * perm[start + p] = index of the p-th smallest key of each group, ties in input order (a stable sort, so
 * the same permutation as the reference). scratch: 2 · maxN doubles then 2 · maxN i32.
 */
export function segmentedArgsort(keys: usize, offsets: usize, groups: i32, perm: usize, scratch: usize, maxN: i32): void {
  const k0 = scratch;
  const k1 = scratch + (<usize>maxN << 3);
  const i0 = scratch + (<usize>maxN << 4);
  const i1 = i0 + (<usize>maxN << 2);
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    memory.copy(k0, keys + (<usize>start << 3), <usize>n << 3);
    for (let p = 0; p < n; p++) sti(i0, p, start + p);
    for (let lo = 0; lo < n; lo += RUN) insertionSortPairs(k0, i0, lo, min(lo + RUN, n));
    let sk = k0;
    let si = i0;
    let dk = k1;
    let di = i1;
    for (let width = RUN; width < n; width <<= 1) {
      for (let lo = 0; lo < n; lo += width << 1) {
        const mid = min(lo + width, n);
        const hi = min(lo + (width << 1), n);
        if (hi - mid == width) parityMergePairs(sk, si, dk, di, lo, width);
        else mergePairs(sk, si, dk, di, lo, mid, hi);
      }
      let t = sk;
      sk = dk;
      dk = t;
      t = si;
      si = di;
      di = t;
    }
    memory.copy(perm + (<usize>start << 2), si, <usize>n << 2);
  }
}
