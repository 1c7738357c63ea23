// GRPO / RLOO family: per-group moments and the affine scatter (reward − shift)·scale.
// Math: docs/estimators/grpo.md.
import { ld, ldi, st } from './memory';

/** Per group: mean, Σ (x − mean)², max − min (see the reference kernel for why two passes). */
export function groupMoments(
  values: usize,
  offsets: usize,
  groups: i32,
  mean: usize,
  sumSquares: usize,
  range: usize,
): void {
  for (let b = 0; b < groups; b++) {
    const start = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    let i = start;
    let sum2 = f64x2.splat(0.0);
    let lo2 = f64x2.splat(Infinity);
    let hi2 = f64x2.splat(-Infinity);
    for (; i + 2 <= end; i += 2) {
      const v = v128.load(values + (<usize>i << 3));
      sum2 = f64x2.add(sum2, v);
      lo2 = f64x2.pmin(lo2, v);
      hi2 = f64x2.pmax(hi2, v);
    }
    let sum = f64x2.extract_lane(sum2, 0) + f64x2.extract_lane(sum2, 1);
    let lo = f64x2.extract_lane(lo2, 0);
    let hi = f64x2.extract_lane(hi2, 0);
    const lo1 = f64x2.extract_lane(lo2, 1);
    const hi1 = f64x2.extract_lane(hi2, 1);
    if (lo1 < lo) lo = lo1;
    if (hi1 > hi) hi = hi1;
    for (; i < end; i++) {
      const v = ld(values, i);
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const n = <f64>(end - start);
    let m = sum / n;
    const m2 = f64x2.splat(m);
    let corr2 = f64x2.splat(0.0);
    i = start;
    for (; i + 2 <= end; i += 2) corr2 = f64x2.add(corr2, f64x2.sub(v128.load(values + (<usize>i << 3)), m2));
    let corr = f64x2.extract_lane(corr2, 0) + f64x2.extract_lane(corr2, 1);
    for (; i < end; i++) corr += ld(values, i) - m;
    m += corr / n;
    const m3 = f64x2.splat(m);
    let ss2 = f64x2.splat(0.0);
    i = start;
    for (; i + 2 <= end; i += 2) {
      const d = f64x2.sub(v128.load(values + (<usize>i << 3)), m3);
      ss2 = f64x2.add(ss2, f64x2.mul(d, d));
    }
    let ss = f64x2.extract_lane(ss2, 0) + f64x2.extract_lane(ss2, 1);
    for (; i < end; i++) {
      const d = ld(values, i) - m;
      ss += d * d;
    }
    st(mean, b, hi == lo ? lo : m);
    st(sumSquares, b, hi == lo ? 0.0 : ss);
    st(range, b, hi - lo);
  }
}

/** out[i] = (values[i] − shift[b]) · scale[b]. */
export function affineScatter(
  values: usize,
  offsets: usize,
  groups: i32,
  shift: usize,
  scale: usize,
  out: usize,
): void {
  for (let b = 0; b < groups; b++) {
    let i = ldi(offsets, b);
    const end = ldi(offsets, b + 1);
    const sh = ld(shift, b);
    const sc = ld(scale, b);
    const sh2 = f64x2.splat(sh);
    const sc2 = f64x2.splat(sc);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 3;
      v128.store(out + off, f64x2.mul(f64x2.sub(v128.load(values + off), sh2), sc2));
      v128.store(out + off, f64x2.mul(f64x2.sub(v128.load(values + off, 16), sh2), sc2), 16);
    }
    for (; i < end; i++) st(out, i, (ld(values, i) - sh) * sc);
  }
}
