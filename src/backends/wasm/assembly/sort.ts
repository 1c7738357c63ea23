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

// ---- The quantised argsort ----------------------------------------------------------------------
//
// An exact stable argsort of one group of f64 values by sorting 31-bit integer keys: the value's
// bucket over the group's range in the high bits, its index in the low bits. The bucket map
// v ↦ round((v − min)·s) is monotone (subtraction, multiplication by s > 0 and rounding to an integer
// are all monotone), so the
// keys come out in the stable order except where two distinct values share a bucket in the wrong index
// order. The gather checks that the values come out non-decreasing; a group that does not is repaired
// by a stable insertion pass (moves capped at a multiple of n) and, past that cap, re-sorted by the
// exact merge argsort, so the worst case stays O(n log n). Equal values share a bucket and keep index
// order, so the result is the stable argsort whichever path it takes.

/** Padding key: above every real key (a real key is < 2^31 − 1 whenever a group is padded). */
const KEY_PAD: i32 = 0x7fffffff;
/** Groups needing more index bits than this are sorted by the exact merge argsort directly. */
const MAX_INDEX_BITS: i32 = 20;
/** Bitonic blocks: at most this many keys, then branch-free merges. */
const BITONIC_MAX: i32 = 64;

// @ts-ignore: decorator
@inline function cx1(v: v128): v128 {
  // Compare-exchange lanes (0,1) and (2,3).
  const a = i32x4.shuffle(v, v, 0, 0, 2, 2);
  const b = i32x4.shuffle(v, v, 1, 1, 3, 3);
  return i32x4.shuffle(i32x4.min_s(a, b), i32x4.max_s(a, b), 0, 4, 2, 6);
}
// @ts-ignore: decorator
@inline function cx2(v: v128): v128 {
  // Compare-exchange lanes (0,2) and (1,3).
  const a = i32x4.shuffle(v, v, 0, 1, 0, 1);
  const b = i32x4.shuffle(v, v, 2, 3, 2, 3);
  return i32x4.shuffle(i32x4.min_s(a, b), i32x4.max_s(a, b), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function flip4(v: v128): v128 {
  // Compare-exchange lanes (0,3) and (1,2).
  const a = i32x4.shuffle(v, v, 0, 1, 0, 1);
  const b = i32x4.shuffle(v, v, 3, 2, 3, 2);
  return i32x4.shuffle(i32x4.min_s(a, b), i32x4.max_s(a, b), 0, 1, 5, 4);
}
// @ts-ignore: decorator
@inline function rev4(v: v128): v128 {
  return i32x4.shuffle(v, v, 3, 2, 1, 0);
}

/**
 * Sorts the 16 keys p[0, 16) in registers: a 4-input network across the four vectors sorts each lane
 * (column), a transpose turns the columns into four sorted runs of 4, and two levels of bitonic merges
 * (mirror, then half-cleaners) join them.
 */
function sort16(p: usize): void {
  let a = v128.load(p);
  let b = v128.load(p + 16);
  let c = v128.load(p + 32);
  let d = v128.load(p + 48);
  let t: v128;
  t = i32x4.min_s(a, b); b = i32x4.max_s(a, b); a = t;
  t = i32x4.min_s(c, d); d = i32x4.max_s(c, d); c = t;
  t = i32x4.min_s(a, c); c = i32x4.max_s(a, c); a = t;
  t = i32x4.min_s(b, d); d = i32x4.max_s(b, d); b = t;
  t = i32x4.min_s(b, c); c = i32x4.max_s(b, c); b = t;
  // Transpose: column j becomes vector j.
  const ab0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const ab1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd0 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const cd1 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  a = i32x4.shuffle(ab0, cd0, 0, 1, 4, 5);
  b = i32x4.shuffle(ab0, cd0, 2, 3, 6, 7);
  c = i32x4.shuffle(ab1, cd1, 0, 1, 4, 5);
  d = i32x4.shuffle(ab1, cd1, 2, 3, 6, 7);
  // Runs of 4 → 8: (a, b) and (c, d).
  // (The upper half of a mirror step is bitonic in either orientation, so it is cleaned unreversed.)
  let r = rev4(b);
  b = cx1(cx2(i32x4.max_s(a, r)));
  a = cx1(cx2(i32x4.min_s(a, r)));
  r = rev4(d);
  d = cx1(cx2(i32x4.max_s(c, r)));
  c = cx1(cx2(i32x4.min_s(c, r)));
  // Runs of 8 → 16: mirror (a, b) against (c, d), then half-cleaners at 4, 2, 1.
  const rd = rev4(d);
  const rc = rev4(c);
  const l0 = i32x4.min_s(a, rd);
  const h1 = i32x4.max_s(a, rd);
  const l1 = i32x4.min_s(b, rc);
  const h0 = i32x4.max_s(b, rc);
  // The upper half, positions 8..15, is rev(h0), rev(h1).
  a = i32x4.min_s(l0, l1);
  b = i32x4.max_s(l0, l1);
  const u0 = rev4(h0);
  const u1 = rev4(h1);
  c = i32x4.min_s(u0, u1);
  d = i32x4.max_s(u0, u1);
  v128.store(p, cx1(cx2(a)));
  v128.store(p + 16, cx1(cx2(b)));
  v128.store(p + 32, cx1(cx2(c)));
  v128.store(p + 48, cx1(cx2(d)));
}

/**
 * Sorts the 64 i32 keys p[0, 64) in registers, with no loop and no data-dependent branch:
 * 1. Batcher's odd–even merge sort for 16 inputs (63 comparators) down the 16 vectors sorts each of
 *    the four lanes (a column of 16 keys);
 * 2. a 4 × 4 transpose of each quarter turns the four sorted columns into four sorted runs of 16;
 * 3. two bitonic merges (16 + 16 → 32) and one (32 + 32 → 64): mirror the upper run against the
 *    lower, then half-cleaners across vectors; the last two levels, inside a vector, run across the
 *    vectors of a transposed 4 × 4 block and are transposed back.
 * Every compare-exchange is an i32x4.min_s / max_s pair on whole vectors.
 */
function sort64(p: usize): void {
  let v0 = v128.load(p + 0);
  let v1 = v128.load(p + 16);
  let v2 = v128.load(p + 32);
  let v3 = v128.load(p + 48);
  let v4 = v128.load(p + 64);
  let v5 = v128.load(p + 80);
  let v6 = v128.load(p + 96);
  let v7 = v128.load(p + 112);
  let v8 = v128.load(p + 128);
  let v9 = v128.load(p + 144);
  let v10 = v128.load(p + 160);
  let v11 = v128.load(p + 176);
  let v12 = v128.load(p + 192);
  let v13 = v128.load(p + 208);
  let v14 = v128.load(p + 224);
  let v15 = v128.load(p + 240);
  let t: v128;
  // 1. Columns: the 16-input network, one layer per line.
  t = i32x4.min_s(v0, v1); v1 = i32x4.max_s(v0, v1); v0 = t; t = i32x4.min_s(v2, v3); v3 = i32x4.max_s(v2, v3); v2 = t; t = i32x4.min_s(v4, v5); v5 = i32x4.max_s(v4, v5); v4 = t; t = i32x4.min_s(v6, v7); v7 = i32x4.max_s(v6, v7); v6 = t; t = i32x4.min_s(v8, v9); v9 = i32x4.max_s(v8, v9); v8 = t; t = i32x4.min_s(v10, v11); v11 = i32x4.max_s(v10, v11); v10 = t; t = i32x4.min_s(v12, v13); v13 = i32x4.max_s(v12, v13); v12 = t; t = i32x4.min_s(v14, v15); v15 = i32x4.max_s(v14, v15); v14 = t;
  t = i32x4.min_s(v0, v2); v2 = i32x4.max_s(v0, v2); v0 = t; t = i32x4.min_s(v1, v3); v3 = i32x4.max_s(v1, v3); v1 = t; t = i32x4.min_s(v4, v6); v6 = i32x4.max_s(v4, v6); v4 = t; t = i32x4.min_s(v5, v7); v7 = i32x4.max_s(v5, v7); v5 = t; t = i32x4.min_s(v8, v10); v10 = i32x4.max_s(v8, v10); v8 = t; t = i32x4.min_s(v9, v11); v11 = i32x4.max_s(v9, v11); v9 = t; t = i32x4.min_s(v12, v14); v14 = i32x4.max_s(v12, v14); v12 = t; t = i32x4.min_s(v13, v15); v15 = i32x4.max_s(v13, v15); v13 = t;
  t = i32x4.min_s(v1, v2); v2 = i32x4.max_s(v1, v2); v1 = t; t = i32x4.min_s(v5, v6); v6 = i32x4.max_s(v5, v6); v5 = t; t = i32x4.min_s(v0, v4); v4 = i32x4.max_s(v0, v4); v0 = t; t = i32x4.min_s(v3, v7); v7 = i32x4.max_s(v3, v7); v3 = t; t = i32x4.min_s(v9, v10); v10 = i32x4.max_s(v9, v10); v9 = t; t = i32x4.min_s(v13, v14); v14 = i32x4.max_s(v13, v14); v13 = t; t = i32x4.min_s(v8, v12); v12 = i32x4.max_s(v8, v12); v8 = t; t = i32x4.min_s(v11, v15); v15 = i32x4.max_s(v11, v15); v11 = t;
  t = i32x4.min_s(v2, v6); v6 = i32x4.max_s(v2, v6); v2 = t; t = i32x4.min_s(v1, v5); v5 = i32x4.max_s(v1, v5); v1 = t; t = i32x4.min_s(v10, v14); v14 = i32x4.max_s(v10, v14); v10 = t; t = i32x4.min_s(v9, v13); v13 = i32x4.max_s(v9, v13); v9 = t; t = i32x4.min_s(v0, v8); v8 = i32x4.max_s(v0, v8); v0 = t; t = i32x4.min_s(v7, v15); v15 = i32x4.max_s(v7, v15); v7 = t;
  t = i32x4.min_s(v2, v4); v4 = i32x4.max_s(v2, v4); v2 = t; t = i32x4.min_s(v3, v5); v5 = i32x4.max_s(v3, v5); v3 = t; t = i32x4.min_s(v10, v12); v12 = i32x4.max_s(v10, v12); v10 = t; t = i32x4.min_s(v11, v13); v13 = i32x4.max_s(v11, v13); v11 = t;
  t = i32x4.min_s(v1, v2); v2 = i32x4.max_s(v1, v2); v1 = t; t = i32x4.min_s(v3, v4); v4 = i32x4.max_s(v3, v4); v3 = t; t = i32x4.min_s(v5, v6); v6 = i32x4.max_s(v5, v6); v5 = t; t = i32x4.min_s(v9, v10); v10 = i32x4.max_s(v9, v10); v9 = t; t = i32x4.min_s(v11, v12); v12 = i32x4.max_s(v11, v12); v11 = t; t = i32x4.min_s(v13, v14); v14 = i32x4.max_s(v13, v14); v13 = t;
  t = i32x4.min_s(v4, v12); v12 = i32x4.max_s(v4, v12); v4 = t; t = i32x4.min_s(v2, v10); v10 = i32x4.max_s(v2, v10); v2 = t; t = i32x4.min_s(v6, v14); v14 = i32x4.max_s(v6, v14); v6 = t; t = i32x4.min_s(v1, v9); v9 = i32x4.max_s(v1, v9); v1 = t; t = i32x4.min_s(v5, v13); v13 = i32x4.max_s(v5, v13); v5 = t; t = i32x4.min_s(v3, v11); v11 = i32x4.max_s(v3, v11); v3 = t;
  t = i32x4.min_s(v4, v8); v8 = i32x4.max_s(v4, v8); v4 = t; t = i32x4.min_s(v6, v10); v10 = i32x4.max_s(v6, v10); v6 = t; t = i32x4.min_s(v5, v9); v9 = i32x4.max_s(v5, v9); v5 = t; t = i32x4.min_s(v7, v11); v11 = i32x4.max_s(v7, v11); v7 = t;
  t = i32x4.min_s(v2, v4); v4 = i32x4.max_s(v2, v4); v2 = t; t = i32x4.min_s(v6, v8); v8 = i32x4.max_s(v6, v8); v6 = t; t = i32x4.min_s(v10, v12); v12 = i32x4.max_s(v10, v12); v10 = t; t = i32x4.min_s(v3, v5); v5 = i32x4.max_s(v3, v5); v3 = t; t = i32x4.min_s(v7, v9); v9 = i32x4.max_s(v7, v9); v7 = t; t = i32x4.min_s(v11, v13); v13 = i32x4.max_s(v11, v13); v11 = t;
  t = i32x4.min_s(v1, v2); v2 = i32x4.max_s(v1, v2); v1 = t; t = i32x4.min_s(v3, v4); v4 = i32x4.max_s(v3, v4); v3 = t; t = i32x4.min_s(v5, v6); v6 = i32x4.max_s(v5, v6); v5 = t; t = i32x4.min_s(v7, v8); v8 = i32x4.max_s(v7, v8); v7 = t; t = i32x4.min_s(v9, v10); v10 = i32x4.max_s(v9, v10); v9 = t; t = i32x4.min_s(v11, v12); v12 = i32x4.max_s(v11, v12); v11 = t; t = i32x4.min_s(v13, v14); v14 = i32x4.max_s(v13, v14); v13 = t;
  let t0: v128, t1: v128, t2: v128, t3: v128;
  // 2. Transpose each quarter: afterwards run j (the sorted column j) is v[j], v[4 + j], v[8 + j], v[12 + j].
  t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5); t1 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v2, v3, 0, 4, 1, 5); t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
  v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v1 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v2 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t0 = i32x4.shuffle(v4, v5, 0, 4, 1, 5); t1 = i32x4.shuffle(v4, v5, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v6, v7, 0, 4, 1, 5); t3 = i32x4.shuffle(v6, v7, 2, 6, 3, 7);
  v4 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v5 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v6 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v7 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t0 = i32x4.shuffle(v8, v9, 0, 4, 1, 5); t1 = i32x4.shuffle(v8, v9, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v10, v11, 0, 4, 1, 5); t3 = i32x4.shuffle(v10, v11, 2, 6, 3, 7);
  v8 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v9 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v10 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v11 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t0 = i32x4.shuffle(v12, v13, 0, 4, 1, 5); t1 = i32x4.shuffle(v12, v13, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v14, v15, 0, 4, 1, 5); t3 = i32x4.shuffle(v14, v15, 2, 6, 3, 7);
  v12 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v13 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v14 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v15 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  // 3. Runs 0 and 1 (16 + 16 → 32): mirror, then half-cleaners.
  t = i32x4.shuffle(v13, v13, 3, 2, 1, 0); v13 = i32x4.max_s(v0, t); v0 = i32x4.min_s(v0, t); t = i32x4.shuffle(v9, v9, 3, 2, 1, 0); v9 = i32x4.max_s(v4, t); v4 = i32x4.min_s(v4, t); t = i32x4.shuffle(v5, v5, 3, 2, 1, 0); v5 = i32x4.max_s(v8, t); v8 = i32x4.min_s(v8, t); t = i32x4.shuffle(v1, v1, 3, 2, 1, 0); v1 = i32x4.max_s(v12, t); v12 = i32x4.min_s(v12, t);
  t = i32x4.min_s(v0, v8); v8 = i32x4.max_s(v0, v8); v0 = t; t = i32x4.min_s(v4, v12); v12 = i32x4.max_s(v4, v12); v4 = t;
  t = i32x4.min_s(v0, v4); v4 = i32x4.max_s(v0, v4); v0 = t; t = i32x4.min_s(v8, v12); v12 = i32x4.max_s(v8, v12); v8 = t;
  t0 = i32x4.shuffle(v0, v4, 0, 4, 1, 5); t1 = i32x4.shuffle(v0, v4, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v8, v12, 0, 4, 1, 5); t3 = i32x4.shuffle(v8, v12, 2, 6, 3, 7);
  v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v4 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v8 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v12 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v0, v8); v8 = i32x4.max_s(v0, v8); v0 = t; t = i32x4.min_s(v4, v12); v12 = i32x4.max_s(v4, v12); v4 = t;
  t = i32x4.min_s(v0, v4); v4 = i32x4.max_s(v0, v4); v0 = t; t = i32x4.min_s(v8, v12); v12 = i32x4.max_s(v8, v12); v8 = t;
  t0 = i32x4.shuffle(v0, v4, 0, 4, 1, 5); t1 = i32x4.shuffle(v0, v4, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v8, v12, 0, 4, 1, 5); t3 = i32x4.shuffle(v8, v12, 2, 6, 3, 7);
  v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v4 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v8 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v12 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v13, v5); v5 = i32x4.max_s(v13, v5); v13 = t; t = i32x4.min_s(v9, v1); v1 = i32x4.max_s(v9, v1); v9 = t;
  t = i32x4.min_s(v13, v9); v9 = i32x4.max_s(v13, v9); v13 = t; t = i32x4.min_s(v5, v1); v1 = i32x4.max_s(v5, v1); v5 = t;
  t0 = i32x4.shuffle(v13, v9, 0, 4, 1, 5); t1 = i32x4.shuffle(v13, v9, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v5, v1, 0, 4, 1, 5); t3 = i32x4.shuffle(v5, v1, 2, 6, 3, 7);
  v13 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v9 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v5 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v1 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v13, v5); v5 = i32x4.max_s(v13, v5); v13 = t; t = i32x4.min_s(v9, v1); v1 = i32x4.max_s(v9, v1); v9 = t;
  t = i32x4.min_s(v13, v9); v9 = i32x4.max_s(v13, v9); v13 = t; t = i32x4.min_s(v5, v1); v1 = i32x4.max_s(v5, v1); v5 = t;
  t0 = i32x4.shuffle(v13, v9, 0, 4, 1, 5); t1 = i32x4.shuffle(v13, v9, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v5, v1, 0, 4, 1, 5); t3 = i32x4.shuffle(v5, v1, 2, 6, 3, 7);
  v13 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v9 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v5 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v1 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  // Runs 2 and 3: mirror, then half-cleaners.
  t = i32x4.shuffle(v15, v15, 3, 2, 1, 0); v15 = i32x4.max_s(v2, t); v2 = i32x4.min_s(v2, t); t = i32x4.shuffle(v11, v11, 3, 2, 1, 0); v11 = i32x4.max_s(v6, t); v6 = i32x4.min_s(v6, t); t = i32x4.shuffle(v7, v7, 3, 2, 1, 0); v7 = i32x4.max_s(v10, t); v10 = i32x4.min_s(v10, t); t = i32x4.shuffle(v3, v3, 3, 2, 1, 0); v3 = i32x4.max_s(v14, t); v14 = i32x4.min_s(v14, t);
  t = i32x4.min_s(v2, v10); v10 = i32x4.max_s(v2, v10); v2 = t; t = i32x4.min_s(v6, v14); v14 = i32x4.max_s(v6, v14); v6 = t;
  t = i32x4.min_s(v2, v6); v6 = i32x4.max_s(v2, v6); v2 = t; t = i32x4.min_s(v10, v14); v14 = i32x4.max_s(v10, v14); v10 = t;
  t0 = i32x4.shuffle(v2, v6, 0, 4, 1, 5); t1 = i32x4.shuffle(v2, v6, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v10, v14, 0, 4, 1, 5); t3 = i32x4.shuffle(v10, v14, 2, 6, 3, 7);
  v2 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v6 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v10 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v14 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v2, v10); v10 = i32x4.max_s(v2, v10); v2 = t; t = i32x4.min_s(v6, v14); v14 = i32x4.max_s(v6, v14); v6 = t;
  t = i32x4.min_s(v2, v6); v6 = i32x4.max_s(v2, v6); v2 = t; t = i32x4.min_s(v10, v14); v14 = i32x4.max_s(v10, v14); v10 = t;
  t0 = i32x4.shuffle(v2, v6, 0, 4, 1, 5); t1 = i32x4.shuffle(v2, v6, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v10, v14, 0, 4, 1, 5); t3 = i32x4.shuffle(v10, v14, 2, 6, 3, 7);
  v2 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v6 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v10 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v14 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v15, v7); v7 = i32x4.max_s(v15, v7); v15 = t; t = i32x4.min_s(v11, v3); v3 = i32x4.max_s(v11, v3); v11 = t;
  t = i32x4.min_s(v15, v11); v11 = i32x4.max_s(v15, v11); v15 = t; t = i32x4.min_s(v7, v3); v3 = i32x4.max_s(v7, v3); v7 = t;
  t0 = i32x4.shuffle(v15, v11, 0, 4, 1, 5); t1 = i32x4.shuffle(v15, v11, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v7, v3, 0, 4, 1, 5); t3 = i32x4.shuffle(v7, v3, 2, 6, 3, 7);
  v15 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v11 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v7 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v15, v7); v7 = i32x4.max_s(v15, v7); v15 = t; t = i32x4.min_s(v11, v3); v3 = i32x4.max_s(v11, v3); v11 = t;
  t = i32x4.min_s(v15, v11); v11 = i32x4.max_s(v15, v11); v15 = t; t = i32x4.min_s(v7, v3); v3 = i32x4.max_s(v7, v3); v7 = t;
  t0 = i32x4.shuffle(v15, v11, 0, 4, 1, 5); t1 = i32x4.shuffle(v15, v11, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v7, v3, 0, 4, 1, 5); t3 = i32x4.shuffle(v7, v3, 2, 6, 3, 7);
  v15 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v11 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v7 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  // 32 + 32 → 64: mirror, then half-cleaners.
  t = i32x4.shuffle(v3, v3, 3, 2, 1, 0); v3 = i32x4.max_s(v0, t); v0 = i32x4.min_s(v0, t); t = i32x4.shuffle(v7, v7, 3, 2, 1, 0); v7 = i32x4.max_s(v4, t); v4 = i32x4.min_s(v4, t); t = i32x4.shuffle(v11, v11, 3, 2, 1, 0); v11 = i32x4.max_s(v8, t); v8 = i32x4.min_s(v8, t); t = i32x4.shuffle(v15, v15, 3, 2, 1, 0); v15 = i32x4.max_s(v12, t); v12 = i32x4.min_s(v12, t); t = i32x4.shuffle(v14, v14, 3, 2, 1, 0); v14 = i32x4.max_s(v13, t); v13 = i32x4.min_s(v13, t); t = i32x4.shuffle(v10, v10, 3, 2, 1, 0); v10 = i32x4.max_s(v9, t); v9 = i32x4.min_s(v9, t); t = i32x4.shuffle(v6, v6, 3, 2, 1, 0); v6 = i32x4.max_s(v5, t); v5 = i32x4.min_s(v5, t); t = i32x4.shuffle(v2, v2, 3, 2, 1, 0); v2 = i32x4.max_s(v1, t); v1 = i32x4.min_s(v1, t);
  t = i32x4.min_s(v0, v13); v13 = i32x4.max_s(v0, v13); v0 = t; t = i32x4.min_s(v4, v9); v9 = i32x4.max_s(v4, v9); v4 = t; t = i32x4.min_s(v8, v5); v5 = i32x4.max_s(v8, v5); v8 = t; t = i32x4.min_s(v12, v1); v1 = i32x4.max_s(v12, v1); v12 = t;
  t = i32x4.min_s(v0, v8); v8 = i32x4.max_s(v0, v8); v0 = t; t = i32x4.min_s(v4, v12); v12 = i32x4.max_s(v4, v12); v4 = t; t = i32x4.min_s(v13, v5); v5 = i32x4.max_s(v13, v5); v13 = t; t = i32x4.min_s(v9, v1); v1 = i32x4.max_s(v9, v1); v9 = t;
  t = i32x4.min_s(v0, v4); v4 = i32x4.max_s(v0, v4); v0 = t; t = i32x4.min_s(v8, v12); v12 = i32x4.max_s(v8, v12); v8 = t; t = i32x4.min_s(v13, v9); v9 = i32x4.max_s(v13, v9); v13 = t; t = i32x4.min_s(v5, v1); v1 = i32x4.max_s(v5, v1); v5 = t;
  t0 = i32x4.shuffle(v0, v4, 0, 4, 1, 5); t1 = i32x4.shuffle(v0, v4, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v8, v12, 0, 4, 1, 5); t3 = i32x4.shuffle(v8, v12, 2, 6, 3, 7);
  v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v4 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v8 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v12 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v0, v8); v8 = i32x4.max_s(v0, v8); v0 = t; t = i32x4.min_s(v4, v12); v12 = i32x4.max_s(v4, v12); v4 = t;
  t = i32x4.min_s(v0, v4); v4 = i32x4.max_s(v0, v4); v0 = t; t = i32x4.min_s(v8, v12); v12 = i32x4.max_s(v8, v12); v8 = t;
  t0 = i32x4.shuffle(v0, v4, 0, 4, 1, 5); t1 = i32x4.shuffle(v0, v4, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v8, v12, 0, 4, 1, 5); t3 = i32x4.shuffle(v8, v12, 2, 6, 3, 7);
  v0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v4 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v8 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v12 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t0 = i32x4.shuffle(v13, v9, 0, 4, 1, 5); t1 = i32x4.shuffle(v13, v9, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v5, v1, 0, 4, 1, 5); t3 = i32x4.shuffle(v5, v1, 2, 6, 3, 7);
  v13 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v9 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v5 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v1 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v13, v5); v5 = i32x4.max_s(v13, v5); v13 = t; t = i32x4.min_s(v9, v1); v1 = i32x4.max_s(v9, v1); v9 = t;
  t = i32x4.min_s(v13, v9); v9 = i32x4.max_s(v13, v9); v13 = t; t = i32x4.min_s(v5, v1); v1 = i32x4.max_s(v5, v1); v5 = t;
  t0 = i32x4.shuffle(v13, v9, 0, 4, 1, 5); t1 = i32x4.shuffle(v13, v9, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v5, v1, 0, 4, 1, 5); t3 = i32x4.shuffle(v5, v1, 2, 6, 3, 7);
  v13 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v9 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v5 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v1 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v3, v14); v14 = i32x4.max_s(v3, v14); v3 = t; t = i32x4.min_s(v7, v10); v10 = i32x4.max_s(v7, v10); v7 = t; t = i32x4.min_s(v11, v6); v6 = i32x4.max_s(v11, v6); v11 = t; t = i32x4.min_s(v15, v2); v2 = i32x4.max_s(v15, v2); v15 = t;
  t = i32x4.min_s(v3, v11); v11 = i32x4.max_s(v3, v11); v3 = t; t = i32x4.min_s(v7, v15); v15 = i32x4.max_s(v7, v15); v7 = t; t = i32x4.min_s(v14, v6); v6 = i32x4.max_s(v14, v6); v14 = t; t = i32x4.min_s(v10, v2); v2 = i32x4.max_s(v10, v2); v10 = t;
  t = i32x4.min_s(v3, v7); v7 = i32x4.max_s(v3, v7); v3 = t; t = i32x4.min_s(v11, v15); v15 = i32x4.max_s(v11, v15); v11 = t; t = i32x4.min_s(v14, v10); v10 = i32x4.max_s(v14, v10); v14 = t; t = i32x4.min_s(v6, v2); v2 = i32x4.max_s(v6, v2); v6 = t;
  t0 = i32x4.shuffle(v3, v7, 0, 4, 1, 5); t1 = i32x4.shuffle(v3, v7, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v11, v15, 0, 4, 1, 5); t3 = i32x4.shuffle(v11, v15, 2, 6, 3, 7);
  v3 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v7 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v11 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v15 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v3, v11); v11 = i32x4.max_s(v3, v11); v3 = t; t = i32x4.min_s(v7, v15); v15 = i32x4.max_s(v7, v15); v7 = t;
  t = i32x4.min_s(v3, v7); v7 = i32x4.max_s(v3, v7); v3 = t; t = i32x4.min_s(v11, v15); v15 = i32x4.max_s(v11, v15); v11 = t;
  t0 = i32x4.shuffle(v3, v7, 0, 4, 1, 5); t1 = i32x4.shuffle(v3, v7, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v11, v15, 0, 4, 1, 5); t3 = i32x4.shuffle(v11, v15, 2, 6, 3, 7);
  v3 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v7 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v11 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v15 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t0 = i32x4.shuffle(v14, v10, 0, 4, 1, 5); t1 = i32x4.shuffle(v14, v10, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v6, v2, 0, 4, 1, 5); t3 = i32x4.shuffle(v6, v2, 2, 6, 3, 7);
  v14 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v10 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v6 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v2 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(v14, v6); v6 = i32x4.max_s(v14, v6); v14 = t; t = i32x4.min_s(v10, v2); v2 = i32x4.max_s(v10, v2); v10 = t;
  t = i32x4.min_s(v14, v10); v10 = i32x4.max_s(v14, v10); v14 = t; t = i32x4.min_s(v6, v2); v2 = i32x4.max_s(v6, v2); v6 = t;
  t0 = i32x4.shuffle(v14, v10, 0, 4, 1, 5); t1 = i32x4.shuffle(v14, v10, 2, 6, 3, 7);
  t2 = i32x4.shuffle(v6, v2, 0, 4, 1, 5); t3 = i32x4.shuffle(v6, v2, 2, 6, 3, 7);
  v14 = i32x4.shuffle(t0, t2, 0, 1, 4, 5); v10 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  v6 = i32x4.shuffle(t1, t3, 0, 1, 4, 5); v2 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  v128.store(p + 0, v0);
  v128.store(p + 16, v4);
  v128.store(p + 32, v8);
  v128.store(p + 48, v12);
  v128.store(p + 64, v13);
  v128.store(p + 80, v9);
  v128.store(p + 96, v5);
  v128.store(p + 112, v1);
  v128.store(p + 128, v3);
  v128.store(p + 144, v7);
  v128.store(p + 160, v11);
  v128.store(p + 176, v15);
  v128.store(p + 192, v14);
  v128.store(p + 208, v10);
  v128.store(p + 224, v6);
  v128.store(p + 240, v2);
}

/**
 * Sorts the i32 keys p[0, size) ascending, size a power of two in [4, 64], with a bitonic network in
 * i32x4 lanes (no data-dependent branch). The "flip" form: each merge level first compares i with its
 * mirror in the block, then runs half-cleaners, so every compare-exchange puts the minimum low.
 */
function bitonicSort(p: usize, size: i32): void {
  if (size == 64) {
    sort64(p);
    return;
  }
  const vecs = size >> 2;
  let from = 32;
  if (size >= 16) {
    for (let i = 0; i < vecs; i += 4) sort16(p + (<usize>i << 4));
  } else {
    // Levels 2 and 4 inside each vector.
    for (let i = 0; i < vecs; i++) {
      const a = p + (<usize>i << 4);
      v128.store(a, cx1(flip4(cx1(v128.load(a)))));
    }
    from = 8;
  }
  for (let sz = from; sz <= size; sz <<= 1) {
    // Flip: element i against sz − 1 − i of its block, four at a time (the upper vector reversed).
    const half = sz >> 3; // vectors in half a block
    for (let base = 0; base < size; base += sz) {
      for (let j = 0; j < half; j++) {
        const pa = p + (<usize>(base + (j << 2)) << 2);
        const pb = p + (<usize>(base + sz - 4 - (j << 2)) << 2);
        const a = v128.load(pa);
        const b = rev4(v128.load(pb));
        v128.store(pa, i32x4.min_s(a, b));
        v128.store(pb, rev4(i32x4.max_s(a, b)));
      }
    }
    // Half-cleaners at distances sz/4 … 4 across vectors, then 2 and 1 inside them.
    for (let d = sz >> 2; d >= 4; d >>= 1) {
      for (let base = 0; base < size; base += d << 1) {
        for (let i = 0; i < d; i += 4) {
          const pa = p + (<usize>(base + i) << 2);
          const pb = pa + (<usize>d << 2);
          const a = v128.load(pa);
          const b = v128.load(pb);
          v128.store(pa, i32x4.min_s(a, b));
          v128.store(pb, i32x4.max_s(a, b));
        }
      }
    }
    for (let i = 0; i < vecs; i++) {
      const a = p + (<usize>i << 4);
      v128.store(a, cx1(cx2(v128.load(a))));
    }
  }
}

/** Branch-free merge of the equal i32 runs src[lo, lo + m) and src[lo + m, lo + 2m) into dst (both ends at once). */
function parityMergeKeys(src: usize, dst: usize, lo: i32, m: i32): void {
  let l = lo;
  let r = lo + m;
  let o = lo;
  let lt = lo + m - 1;
  let rt = lo + 2 * m - 1;
  let ot = rt;
  for (let c = 0; c < m; c++) {
    const lv = ldi(src, l);
    const rv = ldi(src, r);
    const takeR = rv < lv;
    sti(dst, o, select<i32>(rv, lv, takeR));
    o++;
    r += <i32>takeR;
    l += 1 - <i32>takeR;
    const ltv = ldi(src, lt);
    const rtv = ldi(src, rt);
    const takeL = rtv < ltv;
    sti(dst, ot, select<i32>(ltv, rtv, takeL));
    ot--;
    lt -= <i32>takeL;
    rt -= 1 - <i32>takeL;
  }
}

/** Branch-free merge of the i32 runs src[lo, mid) and src[mid, hi) (any lengths) into dst. */
function mergeKeys(src: usize, dst: usize, lo: i32, mid: i32, hi: i32): void {
  let i = lo;
  let j = mid;
  let o = lo;
  while (i < mid && j < hi) {
    const a = ldi(src, i);
    const b = ldi(src, j);
    const takeB = b < a;
    sti(dst, o, select<i32>(b, a, takeB));
    j += <i32>takeB;
    i += 1 - <i32>takeB;
    o++;
  }
  if (i < mid) memory.copy(dst + (<usize>o << 2), src + (<usize>i << 2), <usize>(mid - i) << 2);
  else if (j < hi) memory.copy(dst + (<usize>o << 2), src + (<usize>j << 2), <usize>(hi - j) << 2);
}

/** Runs up to this many keys are merged by vector bitonic merges in place; longer ones by scalar merges. */
const BITONIC_MERGE_MAX: i32 = 4096;

// @ts-ignore: decorator
@inline function transposeStore(p: usize, a: v128, b: v128, c: v128, d: v128): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(p, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(p + 16, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(p + 32, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(p + 48, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * The last four half-cleaner levels (distances 8, 4, 2, 1) of a bitonic merge on the 16 keys p[0, 16)
 * in registers: 8 and 4 across the four vectors, then 2 and 1 across the vectors of the transposed
 * block, transposed back on the way out.
 */
function clean16(p: usize): void {
  let a = v128.load(p);
  let b = v128.load(p + 16);
  let c = v128.load(p + 32);
  let d = v128.load(p + 48);
  let t = i32x4.min_s(a, c);
  c = i32x4.max_s(a, c);
  a = t;
  t = i32x4.min_s(b, d);
  d = i32x4.max_s(b, d);
  b = t;
  t = i32x4.min_s(a, b);
  b = i32x4.max_s(a, b);
  a = t;
  t = i32x4.min_s(c, d);
  d = i32x4.max_s(c, d);
  c = t;
  // Transpose: lane l of the four vectors becomes vector l.
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  a = i32x4.shuffle(t0, t2, 0, 1, 4, 5);
  b = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
  c = i32x4.shuffle(t1, t3, 0, 1, 4, 5);
  d = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
  t = i32x4.min_s(a, c);
  c = i32x4.max_s(a, c);
  a = t;
  t = i32x4.min_s(b, d);
  d = i32x4.max_s(b, d);
  b = t;
  t = i32x4.min_s(a, b);
  b = i32x4.max_s(a, b);
  a = t;
  t = i32x4.min_s(c, d);
  d = i32x4.max_s(c, d);
  c = t;
  transposeStore(p, a, b, c, d);
}

/**
 * Merges the sorted runs p[0, w) and p[w, 2w) of i32 keys in place by a bitonic merge (w a power of
 * two, at least 16): every key of the lower run against its mirror in the upper one, then half-cleaners
 * at distances w/2 … 16 across vectors and clean16 on every block of 16. No data-dependent branch.
 */
function bitonicMergeRuns(p: usize, w: i32): void {
  const vecs = w >> 2;
  const top = p + (<usize>(2 * w - 4) << 2);
  for (let j = 0; j < vecs; j++) {
    const pa = p + (<usize>j << 4);
    const pb = top - (<usize>j << 4);
    const a = v128.load(pa);
    const b = rev4(v128.load(pb));
    v128.store(pa, i32x4.min_s(a, b));
    v128.store(pb, rev4(i32x4.max_s(a, b)));
  }
  const size = 2 * w;
  for (let d = w >> 1; d >= 16; d >>= 1) {
    for (let base = 0; base < size; base += d << 1) {
      const pa0 = p + (<usize>base << 2);
      const pb0 = pa0 + (<usize>d << 2);
      for (let i = 0; i < d; i += 8) {
        const pa = pa0 + (<usize>i << 2);
        const pb = pb0 + (<usize>i << 2);
        const a0 = v128.load(pa);
        const b0 = v128.load(pb);
        const a1 = v128.load(pa + 16);
        const b1 = v128.load(pb + 16);
        v128.store(pa, i32x4.min_s(a0, b0));
        v128.store(pb, i32x4.max_s(a0, b0));
        v128.store(pa + 16, i32x4.min_s(a1, b1));
        v128.store(pb + 16, i32x4.max_s(a1, b1));
      }
    }
  }
  for (let base = 0; base < size; base += 16) clean16(p + (<usize>base << 2));
}

/**
 * Sorts the distinct-but-for-padding i32 keys p[0, m) via buf (m keys), m a multiple of `block` (a
 * power of two in [4, 64]): bitonic blocks; then, while runs have at most BITONIC_MERGE_MAX keys,
 * bitonic merges in place (a shorter last run is merged by the scalar merge through buf and copied
 * back); then branch-free scalar merges of doubling width, alternating between p and buf. Returns where
 * the result is (p or buf).
 */
function sortKeys(p: usize, buf: usize, m: i32, block: i32): usize {
  for (let lo = 0; lo < m; lo += block) bitonicSort(p + (<usize>lo << 2), block);
  let width = block;
  for (; width < m && width <= BITONIC_MERGE_MAX; width <<= 1) {
    for (let lo = 0; lo < m; lo += width << 1) {
      const mid = min(lo + width, m);
      const hi = min(lo + (width << 1), m);
      if (hi - mid == width) bitonicMergeRuns(p + (<usize>lo << 2), width);
      else if (mid < hi) {
        mergeKeys(p, buf, lo, mid, hi);
        memory.copy(p + (<usize>lo << 2), buf + (<usize>lo << 2), <usize>(hi - lo) << 2);
      }
    }
  }
  let src = p;
  let dst = buf;
  for (; width < m; width <<= 1) {
    for (let lo = 0; lo < m; lo += width << 1) {
      const mid = min(lo + width, m);
      const hi = min(lo + (width << 1), m);
      if (hi - mid == width) parityMergeKeys(src, dst, lo, width);
      else if (mid < hi) mergeKeys(src, dst, lo, mid, hi);
      else memory.copy(dst + (<usize>lo << 2), src + (<usize>lo << 2), <usize>(hi - lo) << 2);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * The exact stable argsort of pairs (x[p], ix[p]) for p in [0, n), in place, by key then by the order
 * they come in: insertion-sorted runs of 8, then stable merges through (kb, ib).
 */
function exactArgsortPairs(x: usize, ix: usize, n: i32, kb: usize, ib: usize): void {
  for (let lo = 0; lo < n; lo += RUN) insertionSortPairs(x, ix, lo, min(lo + RUN, n));
  let sk = x;
  let si = ix;
  let dk = kb;
  let di = ib;
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
  if (sk != x) {
    memory.copy(x, sk, <usize>n << 3);
    memory.copy(ix, si, <usize>n << 2);
  }
}

/**
 * Stable insertion pass over the pairs (x, ix) that gives up after `budget` moves. Returns true when
 * the pairs are sorted; false leaves them a permutation with equal keys still in their first order.
 */
function insertionRepair(x: usize, ix: usize, n: i32, budget: i32): bool {
  let moves = 0;
  for (let i = 1; i < n; i++) {
    const v = ld(x, i);
    if (ld(x, i - 1) <= v) continue;
    const vi = ldi(ix, i);
    let j = i - 1;
    while (j >= 0) {
      const u = ld(x, j);
      if (u <= v) break;
      st(x, j + 1, u);
      sti(ix, j + 1, ldi(ix, j));
      j--;
    }
    st(x, j + 1, v);
    sti(ix, j + 1, vi);
    moves += i - 1 - j;
    if (moves > budget) return false;
  }
  return true;
}

/** Groups repaired or re-sorted exactly since the last `resetArgsortStats` (for tests and benches). */
let repairedGroups: i32 = 0;
let exactGroups: i32 = 0;

/** Zeroes the repair and exact-sort counters. */
export function resetArgsortStats(): void {
  repairedGroups = 0;
  exactGroups = 0;
}
/** Groups the insertion repair fixed since the last reset. */
export function argsortRepaired(): i32 {
  return repairedGroups;
}
/** Groups re-sorted by the exact merge argsort since the last reset. */
export function argsortExact(): i32 {
  return exactGroups;
}

/** Bytes of scratch {@link argsortGroup} needs for groups of at most maxN values. */
export function argsortScratchBytes(maxN: i32): usize {
  const m = <usize>(((maxN + BITONIC_MAX - 1) / BITONIC_MAX) * BITONIC_MAX + BITONIC_MAX);
  return (m << 3) + (<usize>maxN << 3) + (<usize>maxN << 2) + 64;
}

/** The mask of the index bits of the keys {@link sortedKeys} last returned (key & keyMask = index). */
export let keyMask: i32 = 0;

/**
 * The quantised keys of the finite values v[0, n) sorted ascending (n ≥ 2, `lo` < `hi` the group's
 * minimum and maximum): each key is the value's bucket ⌊(v − lo)·s⌋ over the range in the high bits and
 * its index in the low bits (`key & keyMask`). Returns the address of the n sorted keys (in scratch), or
 * 0 when the group must take the exact argsort instead (more than 2^20 values, or a range too wide or
 * too narrow to scale). The keys' order is the stable argsort's except where distinct values share a
 * bucket in the wrong index order: the caller checks that the values come out non-decreasing.
 * scratch: {@link argsortScratchBytes}(n) bytes, 16-aligned.
 */
export function sortedKeys(v: usize, n: i32, lo: f64, hi: f64, scratch: usize): usize {
  const range = hi - lo;
  const bits = 32 - clz<i32>(n - 1);
  // Two below the bucket limit, so no real key reaches KEY_PAD even when n = 2^bits is padded.
  const cap = <f64>((1 << (31 - bits)) - 2);
  const s = cap / range;
  if (bits > MAX_INDEX_BITS || !(range < Infinity) || !(s < Infinity)) return 0;
  const block = min<i32>(BITONIC_MAX, max<i32>(4, 1 << bits));
  const m = ((n + block - 1) / block) * block;
  const keys = (scratch + (<usize>n << 3) + (<usize>n << 2) + 15) & ~(<usize>15);
  const buf = keys + (<usize>m << 2);
  // Four keys per step: the bucket (v − lo)·s clamped to cap and rounded to an integer by adding 2^52
  // (its low 32 bits are then the integer: a monotone map, like truncation, and cheaper than
  // i32x4.trunc_sat), shifted, index or-ed in.
  const lo2 = f64x2.splat(lo);
  const s2 = f64x2.splat(s);
  const cap2 = f64x2.splat(cap);
  const magic = f64x2.splat(4503599627370496.0);
  let idx = i32x4(0, 1, 2, 3);
  const four = i32x4.splat(4);
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    const a = v + (<usize>p << 3);
    const q0 = f64x2.add(f64x2.pmin(f64x2.mul(f64x2.sub(v128.load(a), lo2), s2), cap2), magic);
    const q1 = f64x2.add(f64x2.pmin(f64x2.mul(f64x2.sub(v128.load(a + 16), lo2), s2), cap2), magic);
    const q = i32x4.shuffle(q0, q1, 0, 2, 4, 6);
    v128.store(keys + (<usize>p << 2), v128.or(i32x4.shl(q, bits), idx));
    idx = i32x4.add(idx, four);
  }
  for (; p < n; p++) {
    const q = f64x2.add(f64x2.pmin(f64x2.splat((ld(v, p) - lo) * s), cap2), magic);
    sti(keys, p, (i32x4.extract_lane(q, 0) << bits) | p);
  }
  for (let p = n; p < m; p++) sti(keys, p, KEY_PAD);
  keyMask = (1 << bits) - 1;
  return sortKeys(keys, buf, m, block);
}

/**
 * The stable argsort of the finite values v[0, n) (v points at the group's first value): sorted[p]
 * receives the p-th smallest value and ix[p] its index in [0, n), equal values in index order
 * (exactly what a stable comparison sort gives). `lo` and `hi` are the group's minimum and maximum.
 * scratch: {@link argsortScratchBytes}(n) bytes, 16-aligned.
 */
export function argsortGroup(v: usize, n: i32, lo: f64, hi: f64, sorted: usize, ix: usize, scratch: usize): void {
  if (n <= 1) {
    if (n == 1) {
      st(sorted, 0, ld(v, 0));
      sti(ix, 0, 0);
    }
    return;
  }
  if (!(hi - lo > 0.0)) {
    // All equal (±0 included): the stable order is the input order.
    memory.copy(sorted, v, <usize>n << 3);
    for (let p = 0; p < n; p++) sti(ix, p, p);
    return;
  }
  argsortFromKeys(v, n, sortedKeys(v, n, lo, hi, scratch), sorted, ix, scratch);
}

/**
 * The rest of {@link argsortGroup} from the keys {@link sortedKeys} returned for v[0, n) (at ≠ 0, still
 * in place, with keyMask as it set it), or from nothing (at = 0: the exact argsort): the gather, the
 * check that the values come out non-decreasing, and the repair of a group where they do not.
 */
export function argsortFromKeys(v: usize, n: i32, at: usize, sorted: usize, ix: usize, scratch: usize): void {
  const kb = scratch;
  const ib = scratch + (<usize>n << 3);
  if (at == 0) {
    memory.copy(sorted, v, <usize>n << 3);
    for (let p = 0; p < n; p++) sti(ix, p, p);
    exactArgsortPairs(sorted, ix, n, kb, ib);
    exactGroups++;
    return;
  }
  const mask = keyMask;
  let prev = -Infinity;
  let bad = false;
  for (let p = 0; p < n; p++) {
    const i = ldi(at, p) & mask;
    const x = ld(v, i);
    st(sorted, p, x);
    sti(ix, p, i);
    bad = bad | (x < prev);
    prev = x;
  }
  if (!bad) return;
  if (insertionRepair(sorted, ix, n, 4 * n + 64)) {
    repairedGroups++;
    return;
  }
  exactArgsortPairs(sorted, ix, n, kb, ib);
  exactGroups++;
}

/** The minimum and maximum {@link groupRange} found. */
export let groupLo: f64 = 0.0;
export let groupHi: f64 = 0.0;

/**
 * Minimum and maximum of v[0, n) with a finiteness check in the same pass: returns false when some value
 * is NaN or ±∞ (then `groupLo`/`groupHi` are meaningless).
 */
export function groupRange(v: usize, n: i32): bool {
  // Two lanes at a time: pmin/pmax are single minpd/maxpd (f64.min/max must order ±0 and NaN, which
  // costs several instructions); x·0 is 0 for every finite x and NaN otherwise.
  // Four values per step in two independent sets of accumulators: one set is a chain of dependent
  // min / max / add, whose latency, not the memory, would bound the pass.
  let lo2 = f64x2.splat(Infinity);
  let hi2 = f64x2.splat(-Infinity);
  let acc2 = f64x2.splat(0.0);
  let loB = lo2;
  let hiB = hi2;
  let accB = acc2;
  const zero = f64x2.splat(0.0);
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    const x = v128.load(v + (<usize>p << 3));
    const y = v128.load(v + (<usize>p << 3) + 16);
    lo2 = f64x2.pmin(lo2, x);
    hi2 = f64x2.pmax(hi2, x);
    acc2 = f64x2.add(acc2, f64x2.mul(x, zero));
    loB = f64x2.pmin(loB, y);
    hiB = f64x2.pmax(hiB, y);
    accB = f64x2.add(accB, f64x2.mul(y, zero));
  }
  if (p + 2 <= n) {
    const x = v128.load(v + (<usize>p << 3));
    lo2 = f64x2.pmin(lo2, x);
    hi2 = f64x2.pmax(hi2, x);
    acc2 = f64x2.add(acc2, f64x2.mul(x, zero));
    p += 2;
  }
  lo2 = f64x2.pmin(lo2, loB);
  hi2 = f64x2.pmax(hi2, hiB);
  acc2 = f64x2.add(acc2, accB);
  let lo = f64x2.extract_lane(lo2, 0);
  let hi = f64x2.extract_lane(hi2, 0);
  const lo1 = f64x2.extract_lane(lo2, 1);
  const hi1 = f64x2.extract_lane(hi2, 1);
  lo = select<f64>(lo1, lo, lo1 < lo);
  hi = select<f64>(hi1, hi, hi1 > hi);
  let acc = f64x2.extract_lane(acc2, 0) + f64x2.extract_lane(acc2, 1);
  if (p < n) {
    const x = ld(v, p);
    lo = select<f64>(x, lo, x < lo);
    hi = select<f64>(x, hi, x > hi);
    acc += x * 0.0;
  }
  groupLo = lo;
  groupHi = hi;
  return acc == 0.0;
}

/** Index (from v) of the first non-finite value of v[0, n), or −1. */
export function firstNonFinite(v: usize, n: i32): i32 {
  for (let p = 0; p < n; p++) {
    const x = ld(v, p);
    if (x - x != 0.0) return p;
  }
  return -1;
}

/** Bytes of scratch {@link segmentedArgsort} needs for groups of at most maxN values. */
export function segmentedArgsortScratchBytes(maxN: i32): usize {
  return (<usize>maxN << 3) + (<usize>maxN << 2) + 16 + argsortScratchBytes(maxN);
}

/**
 * perm[start + p] = index of the p-th smallest key of each group, ties in input order (the stable
 * argsort, the same permutation as the reference kernel), by argsortGroup. Checks finiteness in the
 * range pass: returns the index of the first non-finite key (later groups not sorted), or −1.
 * scratch: segmentedArgsortScratchBytes(maxN) bytes, 16-aligned.
 */
export function segmentedArgsort(keys: usize, offsets: usize, groups: i32, perm: usize, scratch: usize, maxN: i32): i32 {
  const sorted = scratch;
  const ix = sorted + (<usize>maxN << 3);
  const sortScratch = (ix + (<usize>maxN << 2) + 15) & ~(<usize>15);
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const n = ldi(offsets, b + 1) - start;
    const v = keys + (<usize>start << 3);
    if (!groupRange(v, n)) return start + firstNonFinite(v, n);
    argsortGroup(v, n, groupLo, groupHi, sorted, ix, sortScratch);
    const pb = perm + (<usize>start << 2);
    for (let p = 0; p < n; p++) sti(pb, p, start + ldi(ix, p));
  }
  return -1;
}

