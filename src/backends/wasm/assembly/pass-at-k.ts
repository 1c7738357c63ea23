// pass@k family (binary rewards): per-group correct counts and the scatter of per-group weights.
// Math: docs/estimators/pass-at-k.md.
import { ld, ldi, st } from './memory';


/**
 * Groups at least this long are written while the next group is counted, in one loop (see
 * writeCounting). Shorter groups are written and counted in two loops: the processor overlaps those
 * across groups by itself, and measured on 64-sample groups the joined loop was no faster.
 */
const JOIN_MIN = 256;

/** sumChecked's modes: count only, or also write f64 or f32 weights (see writeCounting). */
const COUNT = 0;
const WRITE_F64 = 1;
const WRITE_F32 = 2;

/**
 * The counting loop, eight values per step from p to pStop through a pointer (V8 folds the constant
 * offsets into the loads), counting the values at p + dq: their sum, or −1 when some value is not 0
 * or 1. In the WRITE modes each step also writes the weights of the eight values at p (the select of
 * writeGroup) to p + d (f64) or to out + (p − values)/2 (f32). `mode` is a constant at each call
 * site, so each inlined copy keeps only its own stores.
 *
 * The check needs no branch per vector: the ones are summed as doubles (exact: integers below 2^31),
 * and v·(1 − v), which is ±0 exactly for 0, −0 and 1 (non-zero or NaN for anything else: it never
 * underflows to 0), is or-ed into `bad`, tested once at the end. Four operations per two values,
 * with four sums and two check words.
 */
// @ts-ignore: decorator
@inline function sumChecked(mode: i32, values: usize, p: usize, pStop: usize, dq: usize, out: usize, wc: f64, wi: f64): f64 {
  const one = f64x2.splat(1.0);
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let acc2 = f64x2.splat(0.0);
  let acc3 = f64x2.splat(0.0);
  let bad0 = i64x2.splat(0);
  let bad1 = i64x2.splat(0);
  const vi = mode == WRITE_F32 ? f32x4.splat(<f32>wi) : f64x2.splat(wi);
  const vd = v128.xor(mode == WRITE_F32 ? f32x4.splat(<f32>wc) : f64x2.splat(wc), vi);
  const d = out - values;
  for (; p < pStop; p += 64) {
    const q = p + dq;
    const v0 = v128.load(q);
    const v1 = v128.load(q, 16);
    const v2 = v128.load(q, 32);
    const v3 = v128.load(q, 48);
    if (mode == WRITE_F64) {
      v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p), one))));
      v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 16), one))), 16);
    } else if (mode == WRITE_F32) {
      const o = out + ((p - values) >> 1);
      v128.store(o, v128.xor(vi, v128.and(vd, i16x8.narrow_i32x4_s(f64x2.eq(v128.load(p), one), f64x2.eq(v128.load(p, 16), one)))));
    }
    acc0 = f64x2.add(acc0, v0);
    acc1 = f64x2.add(acc1, v1);
    acc2 = f64x2.add(acc2, v2);
    acc3 = f64x2.add(acc3, v3);
    if (mode == WRITE_F64) {
      v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 32), one))), 32);
      v128.store(p + d, v128.xor(vi, v128.and(vd, f64x2.eq(v128.load(p, 48), one))), 48);
    } else if (mode == WRITE_F32) {
      const o = out + ((p - values) >> 1);
      v128.store(o, v128.xor(vi, v128.and(vd, i16x8.narrow_i32x4_s(f64x2.eq(v128.load(p, 32), one), f64x2.eq(v128.load(p, 48), one)))), 16);
    }
    bad0 = v128.or(bad0, v128.or(f64x2.mul(v0, f64x2.sub(one, v0)), f64x2.mul(v1, f64x2.sub(one, v1))));
    bad1 = v128.or(bad1, v128.or(f64x2.mul(v2, f64x2.sub(one, v2)), f64x2.mul(v3, f64x2.sub(one, v3))));
  }
  if (v128.any_true(v128.and(v128.or(bad0, bad1), i64x2.splat(0x7fffffffffffffff)))) return -1.0;
  // Added only now: a sum over values that are not all 0 or 1 may be NaN.
  const acc = f64x2.add(f64x2.add(acc0, acc1), f64x2.add(acc2, acc3));
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** The index of the first value of values[first, end) that is neither 0 nor 1, or −1. */
// @ts-ignore: decorator
@inline function firstBad(values: usize, first: i32, end: i32): i32 {
  for (let j = first; j < end; j++) {
    const v = ld(values, j);
    if (v != 1.0 && v != 0.0) return j;
  }
  return -1;
}

/**
 * Counts the ones of values[first, end) and checks every value is 0 or 1 (sumChecked, then the last
 * values one by one): the count, or −2 − i for the first value i that is neither.
 */
// @ts-ignore: decorator
@inline function countGroup(values: usize, first: i32, end: i32): i32 {
  const m = (end - first) & ~7;
  const p0 = values + (<usize>first << 3);
  const sum = sumChecked(COUNT, values, p0, p0 + (<usize>m << 3), 0, 0, 0.0, 0.0);
  let i = first + m;
  if (sum < 0) return -2 - firstBad(values, first, i);
  // Converted only now: the sum of values that are all 0 or 1 is an exact count (a NaN would trap).
  let c = <i32>sum;
  for (; i < end; i++) {
    const v = ld(values, i);
    if (v == 1.0) c++;
    else if (v != 0.0) return -2 - i;
  }
  return c;
}

/** out[i] = values[i] == 1 ? wc : wi for i in [first, end), f64 stores (f32 stores when `f32` is 1). */
// @ts-ignore: decorator
@inline function writeGroup(values: usize, out: usize, first: i32, end: i32, wc: f64, wi: f64, f32: i32): void {
  const one = f64x2.splat(1.0);
  let i = first;
  if (f32 == 0) {
    // The select as wi ^ (mask & (wc ^ wi)): the same bits as a bitselect, in two operations (V8
    // lowers v128.bitselect to three).
    const vi = f64x2.splat(wi);
    const vd = v128.xor(f64x2.splat(wc), vi);
    // Sixteen values per step through one pointer; the output is at a fixed distance from the input.
    const d = out - values;
    const p0 = values + (<usize>first << 3);
    const pEnd = values + (<usize>end << 3);
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

/** Ones per group into counts (countGroup); the index of the first value that is neither 0 nor 1, or −1. */
export function binaryCounts(values: usize, offsets: usize, groups: i32, counts: usize): i32 {
  for (let b = 0; b < groups; b++) {
    const c = countGroup(values, ldi(offsets, b), ldi(offsets, b + 1));
    if (c < -1) return -2 - c;
    store<i32>(counts + (<usize>b << 2), c);
  }
  return -1;
}

/** out[i] = values[i] == 1 ? wCorrect[b] : wIncorrect[b] (writeGroup, f64 stores). */
export function binaryScatter(
  values: usize,
  offsets: usize,
  groups: i32,
  wCorrect: usize,
  wIncorrect: usize,
  out: usize,
): void {
  for (let b = 0; b < groups; b++) {
    // + 0 turns a −0 weight into +0, as the js kernel's arithmetic select (r·wc + (1 − r)·wi) does.
    writeGroup(values, out, ldi(offsets, b), ldi(offsets, b + 1), ld(wCorrect, b) + 0.0, ld(wIncorrect, b) + 0.0, 0);
  }
}

/**
 * Writes group [first, end) (as writeGroup) while counting and checking the next group [end, nEnd) (as
 * countGroup), in one loop over their common length (sumChecked in a WRITE mode): each step loads eight
 * values of the next group, which come from memory, and writes eight of this one, which are in L1
 * since they were just counted, so the loads from memory overlap the stores instead of waiting for
 * them. At 1,000 groups of 1,024 this took 0.69–1.05 ms against 0.92–1.49 ms for writing then
 * counting. Returns what countGroup returns for the next group.
 */
// @ts-ignore: decorator
@inline function writeCounting(values: usize, out: usize, first: i32, end: i32, nEnd: i32, wc: f64, wi: f64, f32: i32): i32 {
  const len = end - first;
  const nextLen = nEnd - end;
  const m = (len < nextLen ? len : nextLen) & ~7;
  // p walks this group; the next group's values are at p + len·8.
  const p = values + (<usize>first << 3);
  const pStop = p + (<usize>m << 3);
  const dq = <usize>len << 3;
  const sum = f32 == 0 ? sumChecked(WRITE_F64, values, p, pStop, dq, out, wc, wi) : sumChecked(WRITE_F32, values, p, pStop, dq, out, wc, wi);
  writeGroup(values, out, first + m, end, wc, wi, f32);
  if (sum < 0) return -2 - firstBad(values, end, end + m);
  const rest = countGroup(values, end + m, nEnd);
  if (rest < -1) return rest;
  return rest + <i32>sum;
}

/**
 * The fused binary kernel, resumable: from group `start` on, counts each group's ones (checking every
 * value is 0 or 1), looks up the group's weights at `table + 16·(base + c)` ([wc, wi], base =
 * tableStart[b], or 0 when `tableStart` is 0: one table for equal-size groups) and writes them to `out`
 * (f64, or f32 stores when `f32` is 1) while the group is in cache, counting the next group in the
 * same loop when groups are long (writeCounting). An entry not yet computed (`filled[base + c]` is 0)
 * stops the kernel: it stores c at `state` and returns b, and the caller fills the entry and resumes
 * at b with `resume` = c (group `start` is then not counted again; −1 counts it). Returns −1 when every
 * group is written, or −2 − i for the first value i that is neither 0 nor 1.
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
  if (start >= groups) return -1;
  // The loop's invariant: c is group b's count.
  let c = resume;
  if (resume < 0) {
    c = countGroup(values, ldi(offsets, start), ldi(offsets, start + 1));
    if (c < -1) return c;
  }
  for (let b = start; b < groups; b++) {
    const first = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const entry = (tableStart == 0 ? 0 : ldi(tableStart, b)) + c;
    if (load<u8>(filled + <usize>entry) == 0) {
      store<i32>(state, c);
      return b;
    }
    const wc = load<f64>(table + (<usize>entry << 4));
    const wi = load<f64>(table + (<usize>entry << 4), 8);
    if (b + 1 == groups) {
      writeGroup(values, out, first, end, wc, wi, f32);
      break;
    }
    const nEnd = ldi(offsets, b + 2);
    if (end - first >= JOIN_MIN) c = writeCounting(values, out, first, end, nEnd, wc, wi, f32);
    else {
      writeGroup(values, out, first, end, wc, wi, f32);
      c = countGroup(values, end, nEnd);
    }
    if (c < -1) return c;
  }
  return -1;
}
