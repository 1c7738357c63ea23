// best-of-N family (a verifier's scores select, rewards are paid): ports of the reference kernels, the
// same operations in the same order. Math: docs/estimators/best-of-n.md.
import { ld, ldi, st, sti } from './memory';
import { argsortFromKeys, argsortGroup, argsortScratchBytes, firstNonFinite, groupHi, groupLo, groupRange, keyMask, sortedKeys } from './sort';
import { looOneFromKeys, looOnePairFromKeys, meanOf, muTable, nuTable, rangeSum, resetTableCache, tableCacheBytes, sumError, twoProdError, divRemainder } from './sums';
import {
  BASELINE_NONE,
  BASELINE_LOO,
  BASELINE_LOO_PKPO,
  BASELINE_LOO_1,
  BIG_REWARD,
  BIG_SCALE,
  BEST_OF_N_WEIGHTS_SCRATCH_F64,
  BEST_OF_N_METRIC_SCRATCH_F64,
} from './constants.generated';

/** Set by loadBlocks: the factor the rewards were multiplied by, and the number of tie blocks. */
let blockScale: f64 = 1;
let blockCount: i32 = 0;


/**
 * One group in sorted-score order (the reference's BlockScratch.load): sorted position p holds sample
 * perm[p] of scores and rewards (perm points at the group's first entry); tie blocks in blockStart,
 * y[p] = reward (0 in blocks ending before position `relevant`, zeros when hasRewards is false), times
 * blockScale, less the mean when shiftByMean; compensated block sums in blockSum.
 */
function loadBlocks(
  scores: usize,
  rewards: usize,
  hasRewards: bool,
  perm: usize,
  n: i32,
  y: usize,
  blockStart: usize,
  blockSum: usize,
  relevant: i32,
  shiftByMean: bool,
): void {
  let t = 0;
  let prev = NaN;
  for (let p = 0; p < n; p++) {
    const v = ld(scores, ldi(perm, p));
    if (v != prev) {
      sti(blockStart, t++, p);
      prev = v;
    }
  }
  sti(blockStart, t, n);
  blockCount = t;
  let first = n;
  if (hasRewards) {
    for (let u = 0; u < t; u++) {
      if (ldi(blockStart, u + 1) >= relevant) {
        first = ldi(blockStart, u);
        break;
      }
    }
  }
  let maxAbs = 0.0;
  for (let p = 0; p < n; p++) {
    const r: f64 = p < first ? 0.0 : ld(rewards, ldi(perm, p));
    st(y, p, r);
    maxAbs = max<f64>(maxAbs, abs<f64>(r));
  }
  const sc: f64 = maxAbs >= BIG_REWARD ? BIG_SCALE : 1.0;
  blockScale = sc;
  if (shiftByMean && first == 0) {
    const c = meanOf(y, 0, n, sc);
    for (let p = 0; p < n; p++) st(y, p, ld(y, p) * sc - c);
  } else if (sc != 1.0) {
    for (let p = first; p < n; p++) st(y, p, ld(y, p) * sc);
  }
  for (let u = 0; u < t; u++) st(blockSum, u, rangeSum(y, ldi(blockStart, u), ldi(blockStart, u + 1)));
}

/**
 * Best-of-N weights of one group, scattered to out[perm[p]] (perm, scores, rewards and out point at the
 * group's first entry; perm lists the sample indices in ascending-score order, ties in input order): the
 * reference kernel's formulas, the same operations in the same order. The scratch pointers hold maxN
 * doubles each (y, blockSum, s, below) and blockStart maxN + 1 i32; μ, ν and μ(n − 1, κ) come from the
 * table cache (sums.ts#muTable).
 */
function weightsGroup(
  scores: usize,
  rewards: usize,
  perm: usize,
  n: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  out: usize,
  y: usize,
  blockSum: usize,
  s: usize,
  below: usize,
  blockStart: usize,
): void {
  const kf = <f64>k;
  const gapPath = (baseline == BASELINE_LOO_1 || baseline == BASELINE_LOO) && k >= 2;
  const isLoo1Gap = gapPath && baseline == BASELINE_LOO_1;
  const shiftByMean = !gapPath && k == 1 && baseline != BASELINE_LOO_PKPO && baseline != BASELINE_NONE;
  loadBlocks(scores, rewards, true, perm, n, y, blockStart, blockSum, isLoo1Gap ? k - 1 : k, shiftByMean);
  const blocks = blockCount;
  const mu = muTable(n, k);
  const nu = nuTable(n, k);
  const scale: f64 = (scaleByN ? <f64>n : 1.0) / blockScale;
  if (gapPath) {
    const off = s;
    const gap = below;
    const tailQ = blockSum;
    for (let t = 0; t < blocks; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const ya = ld(y, a);
      let d = 0.0;
      let c = 0.0;
      for (let p = a + 1; p < e; p++) {
        const v = ld(y, p) - ya;
        const u = d + v;
        c += sumError(d, v, u);
        d = u;
      }
      st(off, t, (d + c) / <f64>(e - a));
      st(gap, t, t > 0 ? ya - ld(y, ldi(blockStart, t - 1)) + (ld(off, t) - ld(off, t - 1)) : 0.0);
      if (!isLoo1Gap && e >= k && (t == 0 || a < k)) st(gap, t, 0.0);
    }
    const isLoo = baseline == BASELINE_LOO;
    const mm = isLoo ? muTable(n - 1, k) : mu;
    const kn = kf / <f64>n;
    if (isLoo) {
      let q = 0.0;
      let cq = 0.0;
      for (let t = blocks - 1; t >= 0; t--) {
        st(tailQ, t, q + cq);
        if (t + 1 < blocks) {
          const r = ldi(blockStart, t + 1) - 1;
          const w: f64 = r >= 1 && r <= n - 2 ? (ld(mm, r) * <f64>(n - 1 - r)) / kf : 0.0;
          if (w != 0.0) {
            const v = w * ld(gap, t + 1);
            const u = q + v;
            cq += sumError(q, v, u);
            q = u;
          }
        }
      }
    }
    let G = 0.0;
    let cG = 0.0;
    let P = 0.0;
    let cP = 0.0;
    for (let t = 0; t < blocks; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const m = e - a;
      const gt = ld(gap, t);
      if (t > 0 && ld(mu, a) != 0.0) {
        const v = ld(mu, a) * gt;
        const u = G + v;
        cG += sumError(G, v, u);
        G = u;
      }
      const Gt = G + cG;
      const Pt = P + cP;
      const gUp: f64 = t + 1 < blocks ? ld(gap, t + 1) : 0.0;
      const wa: f64 = isLoo && a >= 1 && a <= n - 2 ? (ld(mm, a) * <f64>(n - 1 - a)) / kf : 0.0;
      if (m == 1) {
        const w: f64 = isLoo ? Gt - kn * (Pt + (wa == 0.0 ? 0.0 : wa * (gt + gUp)) + ld(tailQ, t)) : Gt;
        st(out, ldi(perm, a), w * scale);
      } else {
        let R = 0.0;
        let cR = 0.0;
        for (let q = a + 1; q < e; q++) {
          const v = <f64>(e - q) * ld(nu, q);
          const u = R + v;
          cR += sumError(R, v, u);
          R = u;
        }
        const coef = ld(mu, a) + (R + cR) / <f64>(m - 1);
        const r = e - 1;
        const we: f64 = isLoo && r <= n - 2 ? (ld(mm, r) * <f64>(n - 1 - r)) / kf : 0.0;
        const base = Pt + (wa == 0.0 ? 0.0 : wa * gt) + (we == 0.0 ? 0.0 : we * gUp) + ld(tailQ, t);
        const dc = (wa - we) / <f64>(m - 1);
        const ya = ld(y, a);
        const ot = ld(off, t);
        for (let p = a; p < e; p++) {
          const dev = ld(y, p) - ya - ot;
          const w: f64 = isLoo ? Gt + coef * dev - kn * (base - dc * dev) : Gt + coef * dev;
          st(out, ldi(perm, p), w * scale);
        }
      }
      if (wa != 0.0) {
        const v = wa * gt;
        const u = P + v;
        cP += sumError(P, v, u);
        P = u;
      }
    }
    return;
  }
  let tail = 0.0;
  let cTail = 0.0;
  for (let t = blocks - 1; t >= 0; t--) {
    const a = ldi(blockStart, t);
    const e = ldi(blockStart, t + 1);
    const m = e - a;
    const T = tail + cTail;
    if (m == 1) {
      const yp = ld(y, a);
      st(s, a, ld(mu, a) * yp + T);
      const v = ld(nu, a) * yp;
      const u = tail + v;
      cTail += sumError(tail, v, u);
      tail = u;
      continue;
    }
    let nuRamp = 0.0;
    let cRamp = 0.0;
    for (let p = a + 1; p < e; p++) {
      const v = <f64>(p - a) * ld(nu, p);
      const u = nuRamp + v;
      cRamp += sumError(nuRamp, v, u);
      nuRamp = u;
    }
    const sum = ld(blockSum, t);
    const mAvg = rangeSum(mu, a, e) / <f64>m;
    const nAvg = (nuRamp + cRamp) / <f64>m / <f64>(m - 1);
    for (let p = a; p < e; p++) {
      const yp = ld(y, p);
      st(s, p, mAvg * yp + nAvg * (sum - yp) + T);
    }
    const v = (rangeSum(nu, a, e) * sum) / <f64>m;
    const u = tail + v;
    cTail += sumError(tail, v, u);
    tail = u;
  }
  if (baseline == BASELINE_NONE) {
    for (let p = 0; p < n; p++) st(out, ldi(perm, p), ld(s, p) * scale);
    return;
  }
  const kappa = baseline == BASELINE_LOO_1 && k >= 2 ? k - 1 : k;
  const m1 = muTable(n - 1, kappa);
  let lower = 0.0;
  let cLower = 0.0;
  for (let t = 0; t < blocks; t++) {
    st(below, t, lower + cLower);
    const a = ldi(blockStart, t);
    const e = ldi(blockStart, t + 1);
    const v: f64 =
      e - a == 1
        ? a < n - 1
          ? ld(m1, a) * ld(y, a)
          : 0.0
        : (rangeSum(m1, a, min<i32>(e, n - 1)) * ld(blockSum, t)) / <f64>(e - a);
    const u = lower + v;
    cLower += sumError(lower, v, u);
    lower = u;
  }
  const a1 = baseline == BASELINE_LOO_PKPO ? kf / <f64>(n - 1) : kf / <f64>n;
  let upper = 0.0;
  let cUpper = 0.0;
  for (let t = blocks - 1; t >= 0; t--) {
    const a = ldi(blockStart, t);
    const e = ldi(blockStart, t + 1);
    const m = e - a;
    const base = ld(below, t) + (upper + cUpper);
    if (m == 1) {
      st(out, ldi(perm, a), (ld(s, a) - a1 * base) * scale);
      if (a > 0) {
        const v = ld(m1, a - 1) * ld(y, a);
        const u = upper + v;
        cUpper += sumError(upper, v, u);
        upper = u;
      }
      continue;
    }
    const sum = ld(blockSum, t);
    const mid = rangeSum(m1, a, e - 1) / <f64>(m - 1);
    for (let p = a; p < e; p++) {
      const yp = ld(y, p);
      const rhoMinus = base + mid * (sum - yp);
      st(out, ldi(perm, p), (ld(s, p) - a1 * rhoMinus) * scale);
    }
    const lo = max<i32>(a, 1);
    const v = (rangeSum(m1, lo - 1, e - 1) * sum) / <f64>m;
    const u = upper + v;
    cUpper += sumError(upper, v, u);
    upper = u;
  }
}

/** True when two neighbours of the ascending s[0, n) are equal (a tie in score). */
function hasTies(s: usize, n: i32): bool {
  let acc = i64x2.splat(0);
  let p = 1;
  for (; p + 2 <= n; p += 2) {
    const at = s + (<usize>p << 3);
    acc = v128.or(acc, f64x2.eq(v128.load(at), v128.load(at - 8)));
  }
  let tied = v128.any_true(acc);
  if (p < n) tied = tied || ld(s, p) == ld(s, p - 1);
  return tied;
}

/**
 * weightsGroup for baseline loo-1 (k ≥ 2) on a group without ties in score, in one pass: every tie block
 * is one sample, so the block offsets are 0, the gaps are y_p − y_{p−1} and
 * w_(p) = Σ_{k−1 ≤ q ≤ p} μ_q·(y_q − y_{q−1}), the positions below k − 1 getting 0, with y = reward·sc
 * read from position k − 2 up (loadBlocks' `relevant` = k − 1). The same bits as weightsGroup: the terms
 * it skips (μ_q = 0) and the +0 offsets it adds change no bit of a sum that is never −0, and Knuth's
 * branch-free TwoSum gives the same rounding error as its |s| ≥ |t| Fast2Sum whenever the sum is finite
 * (here |y| < 2^991).
 */
function loo1Untied(rewards: usize, perm: usize, n: i32, k: i32, scaleByN: bool, out: usize, mu: usize, absMax: f64): void {
  const first = k - 2;
  const sc = untiedScale(rewards, perm, first, n, absMax);
  const scale: f64 = (scaleByN ? <f64>n : 1.0) / sc;
  for (let p = 0; p < k - 1; p++) st(out, ldi(perm, p), 0.0);
  let prev = ld(rewards, ldi(perm, first)) * sc;
  let G = 0.0;
  let c = 0.0;
  for (let p = k - 1; p < n; p++) {
    const i = ldi(perm, p);
    const yp = ld(rewards, i) * sc;
    const v = ld(mu, p) * (yp - prev);
    const u = G + v;
    const bv = u - G;
    c += G - (u - bv) + (v - bv);
    G = u;
    st(out, i, (G + c) * scale);
    prev = yp;
  }
}

/**
 * loadBlocks' scale for a group without ties: BIG_SCALE when a reward at sorted position first = k − 2
 * or above reaches BIG_REWARD in magnitude (only possible when the group's largest magnitude absMax does).
 */
function untiedScale(rewards: usize, perm: usize, first: i32, n: i32, absMax: f64): f64 {
  if (absMax < BIG_REWARD) return 1.0;
  let big = 0.0;
  for (let p = first; p < n; p++) big = max<f64>(big, abs<f64>(ld(rewards, ldi(perm, p))));
  return big >= BIG_REWARD ? BIG_SCALE : 1.0;
}

// @ts-ignore: decorator
@inline function pair(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

/**
 * loo1Untied on two groups of the same size at once, one per lane of f64x2: each lane runs exactly the
 * scalar operations in the scalar order (IEEE add, sub, mul and div per lane, no fused multiply-add), so
 * each group gets the bits loo1Untied gives it, for half the arithmetic instructions.
 */
function loo1UntiedPair(
  r1: usize,
  ix1: usize,
  r2: usize,
  ix2: usize,
  n: i32,
  k: i32,
  scaleByN: bool,
  o1: usize,
  o2: usize,
  mu: usize,
  absMax1: f64,
  absMax2: f64,
): void {
  const first = k - 2;
  const sc = pair(untiedScale(r1, ix1, first, n, absMax1), untiedScale(r2, ix2, first, n, absMax2));
  const scale = f64x2.div(f64x2.splat(scaleByN ? <f64>n : 1.0), sc);
  for (let p = 0; p < k - 1; p++) {
    st(o1, ldi(ix1, p), 0.0);
    st(o2, ldi(ix2, p), 0.0);
  }
  let prev = f64x2.mul(pair(ld(r1, ldi(ix1, first)), ld(r2, ldi(ix2, first))), sc);
  let G = f64x2.splat(0.0);
  let c = f64x2.splat(0.0);
  for (let p = k - 1; p < n; p++) {
    const i1 = ldi(ix1, p);
    const i2 = ldi(ix2, p);
    const yp = f64x2.mul(pair(ld(r1, i1), ld(r2, i2)), sc);
    const v = f64x2.mul(f64x2.splat(ld(mu, p)), f64x2.sub(yp, prev));
    const u = f64x2.add(G, v);
    const bv = f64x2.sub(u, G);
    c = f64x2.add(c, f64x2.add(f64x2.sub(G, f64x2.sub(u, bv)), f64x2.sub(v, bv)));
    G = u;
    const w = f64x2.mul(f64x2.add(G, c), scale);
    st(o1, i1, f64x2.extract_lane(w, 0));
    st(o2, i2, f64x2.extract_lane(w, 1));
    prev = yp;
  }
}

/** bestOfNWeights' status for a group whose rewards are not finite or whose range times n overflows. */
const REWARDS_OUT_OF_RANGE: i32 = -2;

/** Bytes of scratch {@link bestOfNWeights} needs for groups of at most maxN samples. */
export function bestOfNWeightsScratchBytes(maxN: i32): usize {
  const f64s = <usize>(BEST_OF_N_WEIGHTS_SCRATCH_F64 + 2) * (<usize>maxN << 3);
  return f64s + (<usize>(3 * maxN + 1) << 2) + 48 + 2 * argsortScratchBytes(maxN) + tableCacheBytes(maxN, true);
}

/**
 * Best-of-N weights in input order from unsorted scores, one group at a time in cache: the range pass
 * that checks the scores' finiteness, the stable quantised argsort (sort.ts#argsortGroup), then
 * weightsGroup (or loo1Untied, its one-pass form, for a loo-1 group without ties in score; two such
 * groups of the same size in a row go through loo1UntiedPair) scattering by index. Returns −1 when done; the index of the first non-finite score; or REWARDS_OUT_OF_RANGE at
 * the first group whose rewards are not finite or whose range times n overflows (the estimators'
 * overflow rescue takes over). Groups before the one reported may be written, later ones are not.
 * scratch: bestOfNWeightsScratchBytes(maxN) bytes, 16-aligned.
 */
export function bestOfNWeights(
  scores: usize,
  rewards: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  baseline: i32,
  scaleByN: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): i32 {
  const stride = <usize>maxN << 3;
  const sorted = scratch;
  const y = sorted + stride;
  const blockSum = y + stride;
  const s = blockSum + stride;
  const below = s + stride;
  const sorted2 = below + stride;
  const blockStart = sorted2 + stride;
  const ix = blockStart + (<usize>(maxN + 1) << 2);
  const ix2 = ix + (<usize>maxN << 2);
  const sortScratch = (ix2 + (<usize>maxN << 2) + 15) & ~(<usize>15);
  // The second group of a fused pair sorts its keys here, so the first group's keys stay where they are.
  const sortScratch2 = (sortScratch + argsortScratchBytes(maxN) + 15) & ~(<usize>15);
  resetTableCache((sortScratch2 + argsortScratchBytes(maxN) + 15) & ~(<usize>15), maxN, true);
  const untiedPath = baseline == BASELINE_LOO_1 && k >= 2;
  // A group whose fused pass failed as the second of a pair: its start and its sorted keys (in
  // sortScratch2), so the next iteration takes the general path from them without sorting again.
  let failedStart = -1;
  let failedAt: usize = 0;
  let g = 0;
  while (g < groups) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    const v = scores + (<usize>start << 3);
    if (!groupRange(v, n)) return start + firstNonFinite(v, n);
    const slo = groupLo;
    const shi = groupHi;
    const retry = start == failedStart;
    // A loo-1 group: its sorted keys first, for the one-pass form straight from them below.
    const at = retry ? failedAt : untiedPath && n >= k && shi > slo ? sortedKeys(v, n, slo, shi, sortScratch) : 0;
    const r = rewards + (<usize>start << 3);
    if (n > 0 && !(groupRange(r, n) && isFinite<f64>((groupHi - groupLo) * <f64>n))) return REWARDS_OUT_OF_RANGE;
    const absMax = max<f64>(abs<f64>(groupLo), abs<f64>(groupHi));
    const o = out + (<usize>start << 3);
    g++;
    // Set when the next group was computed in a fused pair: the general path below must not redo it.
    let pairedNext = false;
    if (at != 0 && absMax < BIG_REWARD && !retry) {
      const mu = muTable(n, k);
      // loo1Untied straight from the sorted keys (sums.ts#looOneFromKeys): scores rank and must not
      // tie. Two groups of the same size go through it together, one in each f64x2 lane, when the
      // next one can take this path too (its checks here have no side effect but its keys).
      let tried = false;
      if (g < groups && ldi(offsets, g + 1) - ldi(offsets, g) == n) {
        const start2 = start + n;
        const v2 = scores + (<usize>start2 << 3);
        if (groupRange(v2, n) && groupHi > groupLo) {
          const at2 = sortedKeys(v2, n, groupLo, groupHi, sortScratch2);
          const r2 = rewards + (<usize>start2 << 3);
          if (at2 != 0 && groupRange(r2, n) && isFinite<f64>((groupHi - groupLo) * <f64>n) && max<f64>(abs<f64>(groupLo), abs<f64>(groupHi)) < BIG_REWARD) {
            const o2 = out + (<usize>start2 << 3);
            const bad = scaleByN
              ? looOnePairFromKeys(false, true, true, at, at2, keyMask, v, v2, r, r2, n, k, <f64>n, o, o2, mu)
              : looOnePairFromKeys(false, true, false, at, at2, keyMask, v, v2, r, r2, n, k, 1.0, o, o2, mu);
            if (bad & 2) {
              failedStart = start2;
              failedAt = at2;
            } else pairedNext = true;
            if ((bad & 1) == 0) {
              if (pairedNext) g++;
              continue;
            }
            tried = true;
          }
        }
      }
      if (!tried && looOneFromKeys(at, keyMask, v, true, r, n, k, scaleByN ? <f64>n : 1.0, o, mu)) continue;
    }
    if (at != 0) argsortFromKeys(v, n, at, sorted, ix, sortScratch);
    else argsortGroup(v, n, slo, shi, sorted, ix, sortScratch);
    if (pairedNext) g++;
    if (!(untiedPath && n >= k && !hasTies(sorted, n))) {
      weightsGroup(v, r, ix, n, k, baseline, scaleByN, o, y, blockSum, s, below, blockStart);
      continue;
    }
    const mu = muTable(n, k);
    if (pairedNext || g == groups || ldi(offsets, g + 1) - ldi(offsets, g) != n) {
      loo1Untied(r, ix, n, k, scaleByN, o, mu, absMax);
      continue;
    }
    // The next group has the same size: both go through the two lanes when it has no ties either.
    const start2 = start + n;
    const v2 = scores + (<usize>start2 << 3);
    if (!groupRange(v2, n)) return start2 + firstNonFinite(v2, n);
    argsortGroup(v2, n, groupLo, groupHi, sorted2, ix2, sortScratch);
    const r2 = rewards + (<usize>start2 << 3);
    if (!(groupRange(r2, n) && isFinite<f64>((groupHi - groupLo) * <f64>n))) return REWARDS_OUT_OF_RANGE;
    const absMax2 = max<f64>(abs<f64>(groupLo), abs<f64>(groupHi));
    const o2 = out + (<usize>start2 << 3);
    g++;
    if (!hasTies(sorted2, n)) {
      loo1UntiedPair(r, ix, r2, ix2, n, k, scaleByN, o, o2, mu, absMax, absMax2);
    } else {
      loo1Untied(r, ix, n, k, scaleByN, o, mu, absMax);
      weightsGroup(v2, r2, ix2, n, k, baseline, scaleByN, o2, y, blockSum, s, below, blockStart);
    }
  }
  return -1;
}

/** Where the metric and selection kernels' table cache starts in their scratch (after y, blockSum and blockStart). */
// @ts-ignore: decorator
@inline function metricCache(scratch: usize, maxN: i32): usize {
  return (scratch + <usize>BEST_OF_N_METRIC_SCRATCH_F64 * (<usize>maxN << 3) + (<usize>(maxN + 1) << 2) + 15) & ~(<usize>15);
}

/** Bytes of scratch {@link sortedBestOfNMetric} and {@link sortedBestOfNSelection} need for groups of at most maxN samples. */
export function bestOfNMetricScratchBytes(maxN: i32): usize {
  return <usize>BEST_OF_N_METRIC_SCRATCH_F64 * (<usize>maxN << 3) + (<usize>(maxN + 1) << 2) + 16 + tableCacheBytes(maxN, false);
}

/** Best-of-N metric per group (as the reference kernel). scratch: bestOfNMetricScratchBytes(maxN) bytes, 16-aligned (y and blockSum, maxN doubles each, maxN + 1 i32, then the μ table cache). */
export function sortedBestOfNMetric(
  scores: usize,
  rewards: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  k: i32,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const stride = <usize>maxN << 3;
  const y = scratch;
  const blockSum = y + stride;
  const blockStart = scratch + <usize>BEST_OF_N_METRIC_SCRATCH_F64 * stride;
  resetTableCache(metricCache(scratch, maxN), maxN, false);
  for (let g = 0; g < groups; g++) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    loadBlocks(scores, rewards, true, perm + (<usize>start << 2), n, y, blockStart, blockSum, k, false);
    const mu = muTable(n, k);
    let sum = 0.0;
    let c = 0.0;
    let firstY = NaN;
    let constant = true;
    for (let t = 0; t < blockCount; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      if (e < k) continue;
      for (let p = a; p < e; p++) {
        if (firstY != firstY) firstY = ld(y, p);
        else if (ld(y, p) != firstY) constant = false;
      }
      const v = (rangeSum(mu, a, e) * ld(blockSum, t)) / <f64>(e - a);
      const u = sum + v;
      c += sumError(sum, v, u);
      sum = u;
    }
    st(out, g, (constant ? firstY : sum + c) / blockScale);
  }
}

/** Probability that each sample is best-of-N's pick, input order. scratch as sortedBestOfNMetric. */
export function sortedBestOfNSelection(
  scores: usize,
  perm: usize,
  offsets: usize,
  groups: i32,
  N: i32,
  withReplacement: bool,
  out: usize,
  scratch: usize,
  maxN: i32,
): void {
  const stride = <usize>maxN << 3;
  const y = scratch;
  const blockSum = y + stride;
  const blockStart = scratch + <usize>BEST_OF_N_METRIC_SCRATCH_F64 * stride;
  resetTableCache(metricCache(scratch, maxN), maxN, false);
  const Nf = <f64>N;
  for (let g = 0; g < groups; g++) {
    const start = ldi(offsets, g);
    const n = ldi(offsets, g + 1) - start;
    loadBlocks(scores, 0, false, perm + (<usize>start << 2), n, y, blockStart, blockSum, 0, false);
    const mu: usize = withReplacement ? 0 : muTable(n, N);
    for (let t = 0; t < blockCount; t++) {
      const a = ldi(blockStart, t);
      const e = ldi(blockStart, t + 1);
      const m = e - a;
      let w = 0.0;
      if (withReplacement) {
        w = Math.pow(<f64>e / <f64>n, Nf) * -Math.expm1(Nf * Math.log1p(-<f64>m / <f64>e));
      } else {
        for (let p = a; p < e; p++) w += ld(mu, p);
      }
      w /= <f64>m;
      for (let p = a; p < e; p++) st(out, ldi(perm, start + p), w);
    }
  }
}
