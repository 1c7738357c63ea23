// pass@k family (binary rewards): per-group correct counts and the scatter of per-group weights.
// Math: docs/estimators/pass-at-k.md.
import { ld, ldi, st } from './memory';


/** Ones per group into counts; the index of the first value that is neither 0 nor 1, or −1. */
export function binaryCounts(values: usize, offsets: usize, groups: i32, counts: usize): i32 {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    let acc = i64x2.splat(0);
    for (; i + 4 <= end; i += 4) {
      const p = values + (<usize>i << 3);
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const o0 = f64x2.eq(v0, one);
      const o1 = f64x2.eq(v1, one);
      const ok = v128.and(v128.or(o0, f64x2.eq(v0, zero)), v128.or(o1, f64x2.eq(v1, zero)));
      if (!i64x2.all_true(ok)) break; // the scalar tail below finds the bad index
      acc = i64x2.sub(i64x2.sub(acc, o0), o1);
    }
    let c = <i32>(i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1));
    for (; i < end; i++) {
      const v = ld(values, i);
      if (v == 1.0) c++;
      else if (v != 0.0) return i;
    }
    store<i32>(counts + (<usize>b << 2), c);
  }
  return -1;
}

/** out[i] = values[i] == 1 ? wCorrect[b] : wIncorrect[b]. */
export function binaryScatter(
  values: usize,
  offsets: usize,
  groups: i32,
  wCorrect: usize,
  wIncorrect: usize,
  out: usize,
): void {
  const one = f64x2.splat(1.0);
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const wc = ld(wCorrect, b);
    const wi = ld(wIncorrect, b);
    const vc = f64x2.splat(wc);
    const vi = f64x2.splat(wi);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 3;
      const v0 = v128.load(values + off);
      const v1 = v128.load(values + off, 16);
      v128.store(out + off, v128.bitselect(vc, vi, f64x2.eq(v0, one)));
      v128.store(out + off, v128.bitselect(vc, vi, f64x2.eq(v1, one)), 16);
    }
    for (; i < end; i++) st(out, i, ld(values, i) == 1.0 ? wc : wi);
  }
}
