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
    // + 0 turns a −0 weight into +0, as the js kernel's arithmetic select (r·wc + (1 − r)·wi) does.
    const wc = ld(wCorrect, b) + 0.0;
    const wi = ld(wIncorrect, b) + 0.0;
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

/**
 * The fused binary kernel, resumable: from group `start` on, counts each group's ones (checking every
 * value is 0 or 1), looks up the group's weights at `table + 16·(base + c)` ([wc, wi], base =
 * tableStart[b], or 0 when `tableStart` is 0: one table for equal-size groups) and writes them to `out`
 * (f64, or f32 stores when `f32` is 1) while the group is in cache. An entry not yet computed
 * (`filled[base + c]` is 0) stops the kernel: it stores c at `state` and returns b, and the caller fills
 * the entry and resumes at b with `resume` = c (group `start` is then not counted again; −1 counts it).
 * Returns −1 when every group is written, or −2 − i for the first value i that is neither 0 nor 1.
 */
export function binaryWeights(
  values: usize,
  offsets: usize,
  groups: i32,
  start: i32,
  resume: i32,
  table: usize,
  tableStart: usize,
  filled: usize,
  out: usize,
  f32: i32,
  state: usize,
): i32 {
  const one = f64x2.splat(1.0);
  for (let b = start; b < groups; b++) {
    const first = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    // The group's first and end addresses, for the pointer-stepped passes below.
    const p0 = values + (<usize>first << 3);
    const pEnd = values + (<usize>end << 3);
    let i = first;
    let c = resume;
    if (b != start || resume < 0) {
      // Count and check without a branch per vector: the ones are summed as doubles (exact: integers
      // below 2^31), and v·(1 − v), which is ±0 exactly for 0, −0 and 1 (non-zero or NaN for anything
      // else: it never underflows to 0), is or-ed into `bad`; one test per group. Four operations per
      // two values. A group that fails is rescanned for the index. Eight values per step through a
      // pointer (V8 folds the constant offsets into the loads), with four sums and two check words.
      let acc0 = f64x2.splat(0.0);
      let acc1 = f64x2.splat(0.0);
      let acc2 = f64x2.splat(0.0);
      let acc3 = f64x2.splat(0.0);
      let bad0 = i64x2.splat(0);
      let bad1 = i64x2.splat(0);
      let p = p0;
      for (; p + 64 <= pEnd; p += 64) {
        const v0 = v128.load(p);
        const v1 = v128.load(p, 16);
        const v2 = v128.load(p, 32);
        const v3 = v128.load(p, 48);
        acc0 = f64x2.add(acc0, v0);
        acc1 = f64x2.add(acc1, v1);
        acc2 = f64x2.add(acc2, v2);
        acc3 = f64x2.add(acc3, v3);
        bad0 = v128.or(bad0, v128.or(f64x2.mul(v0, f64x2.sub(one, v0)), f64x2.mul(v1, f64x2.sub(one, v1))));
        bad1 = v128.or(bad1, v128.or(f64x2.mul(v2, f64x2.sub(one, v2)), f64x2.mul(v3, f64x2.sub(one, v3))));
      }
      i = first + <i32>((p - p0) >> 3);
      const bad = v128.or(bad0, bad1);
      if (v128.any_true(v128.and(bad, i64x2.splat(0x7fffffffffffffff)))) {
        for (let j = first; j < i; j++) {
          const v = ld(values, j);
          if (v != 1.0 && v != 0.0) return -2 - j;
        }
      }
      // Converted only now: a sum over values that are not all 0 or 1 may be NaN (which would trap).
      const acc = f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3));
      c = <i32>(f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
      for (; i < end; i++) {
        const v = ld(values, i);
        if (v == 1.0) c++;
        else if (v != 0.0) return -2 - i;
      }
    }
    const entry = (tableStart == 0 ? 0 : ldi(tableStart, b)) + c;
    if (load<u8>(filled + <usize>entry) == 0) {
      store<i32>(state, c);
      return b;
    }
    const wc = load<f64>(table + (<usize>entry << 4));
    const wi = load<f64>(table + (<usize>entry << 4), 8);
    i = first;
    if (f32 == 0) {
      // The select as wi ^ (mask & (wc ^ wi)): the same bits as a bitselect, in two operations (V8
      // lowers v128.bitselect to three).
      const vi = f64x2.splat(wi);
      const vd = v128.xor(f64x2.splat(wc), vi);
      // Sixteen values per step through one pointer; the output is at a fixed distance from the input.
      const d = out - values;
      let p = p0;
      for (; p + 128 <= pEnd; p += 128) {
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p), one))));
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 16), one))), 16);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 32), one))), 32);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 48), one))), 48);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 64), one))), 64);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 80), one))), 80);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 96), one))), 96);
        v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 112), one))), 112);
      }
      i = first + <i32>((p - p0) >> 3);
      for (; i + 4 <= end; i += 4) {
        const off = <usize>i << 3;
        const v0 = v128.load(values + off);
        const v1 = v128.load(values + off, 16);
        v128.store(out + off, v128.xor(vi, v128.and(vd, f64x2.eq(v0, one))));
        v128.store(out + off, v128.xor(vi, v128.and(vd, f64x2.eq(v1, one))), 16);
      }
      for (; i < end; i++) st(out, i, ld(values, i) == 1.0 ? wc : wi);
    } else {
      // f32.demote_f64 rounds to nearest, ties to even: the float32 of each weight, as Math.fround.
      const wc32 = <f32>wc;
      const wi32 = <f32>wi;
      const vi = f32x4.splat(wi32);
      const vd = v128.xor(f32x4.splat(wc32), vi);
      for (; i + 4 <= end; i += 4) {
        const p = values + (<usize>i << 3);
        const m0 = f64x2.eq(v128.load(p), one);
        const m1 = f64x2.eq(v128.load(p, 16), one);
        // Each 64-bit lane mask is two equal 32-bit halves (all ones or all zeros), so narrowing the
        // 32-bit lanes to 16 bits with saturation (one packssdw) gives the four 32-bit lane masks.
        const m = i16x8.narrow_i32x4_s(m0, m1);
        v128.store(out + (<usize>i << 2), v128.xor(vi, v128.and(vd, m)));
      }
      for (; i < end; i++) store<f32>(out + (<usize>i << 2), ld(values, i) == 1.0 ? wc32 : wi32);
    }
  }
  return -1;
}
