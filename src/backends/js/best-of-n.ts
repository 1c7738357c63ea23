/**
 * Reference kernels of the best-of-N family (a verifier's scores select, rewards are paid): weights,
 * metric and selection distribution over each group in sorted-score order.
 * Math and the derivations: docs/estimators/best-of-n.md.
 */
import { SubsetWeightCache } from '../../combinatorics.js';
import { BaselineCode, type KernelTable, type Values } from '../types.js';
import { meanOf, rangeSum, sumError } from './sums.js';
import { BIG_REWARD, BIG_SCALE } from '../constants.js';
import { largestGroup, segmentedArgsortChecked } from './sort.js';

/** Per-group scratch of the best-of-N kernels: rewards in sorted-score order and the tie blocks. */
class BlockScratch {
  y = new Float64Array(0);
  /** Tie blocks: block t covers sorted positions [blockStart[t], blockStart[t+1]). */
  blockStart = new Int32Array(1);
  /** Σ of y over block t (compensated). */
  blockSum = new Float64Array(0);
  blocks = 0;
  /** The factor y was multiplied by (1, or BIG_SCALE for a group with huge rewards). */
  scale = 1;

  constructor(offsets: Int32Array) {
    const maxSize = largestGroup(offsets);
    this.y = new Float64Array(maxSize);
    this.blockStart = new Int32Array(maxSize + 1);
    this.blockSum = new Float64Array(maxSize);
  }

  /**
   * Loads one group. Blocks ending before sorted position `relevant` (exclusive end < relevant) get
   * no weight in any term the caller computes: their rewards are read as 0, so an outlier there
   * affects nothing (not even through a shift or a rescale). The other rewards are used as they are,
   * times `scale`, less their mean when `shiftByMean` (for translation-invariant weights on which
   * every sample depends: Σ|y| stays within twice its least value, and equal rewards give exact zeros).
   */
  load(
    scores: Values,
    rewards: Values | undefined,
    perm: Int32Array,
    start: number,
    n: number,
    relevant: number,
    shiftByMean = false,
  ): void {
    const { y, blockStart, blockSum } = this;
    let t = 0;
    let prev = NaN;
    for (let p = 0; p < n; p++) {
      const v = scores[perm[start + p] as number] as number;
      if (v !== prev) {
        blockStart[t++] = p;
        prev = v;
      }
    }
    blockStart[t] = n;
    this.blocks = t;
    let first = n;
    if (rewards !== undefined) {
      for (let u = 0; u < t; u++) {
        if ((blockStart[u + 1] as number) >= relevant) {
          first = blockStart[u] as number;
          break;
        }
      }
    }
    let maxAbs = 0;
    for (let p = 0; p < n; p++) {
      const r = p < first ? 0 : ((rewards as Values)[perm[start + p] as number] as number);
      y[p] = r;
      maxAbs = Math.max(maxAbs, Math.abs(r));
    }
    const sc = maxAbs >= BIG_REWARD ? BIG_SCALE : 1;
    this.scale = sc;
    if (shiftByMean && first === 0) {
      // y − mean can reach 2·MAX_VALUE: shift the rescaled values.
      const c = meanOf(y, 0, n, sc);
      for (let p = 0; p < n; p++) y[p] = (y[p] as number) * sc - c;
    } else if (sc !== 1) {
      for (let p = first; p < n; p++) y[p] = (y[p] as number) * sc;
    }
    for (let u = 0; u < t; u++) blockSum[u] = rangeSum(y, blockStart[u] as number, blockStart[u + 1] as number);
  }
}

/** ν_p = C(p−1, k−2)/C(n, k) = μ_p (k−1)/(p−1) in 1-based p, stored at p − 1 (ν_1 = 0), cached per (n, k). */
function nuTable(tables: Map<number, Float64Array>, mu: Float64Array, n: number, k: number): Float64Array {
  const key = n * 4294967296 + k;
  let t = tables.get(key);
  if (t === undefined) {
    t = new Float64Array(n);
    for (let p = 1; p < n; p++) t[p] = ((mu[p] as number) * (k - 1)) / p;
    tables.set(key, t);
  }
  return t;
}

/** bestOfNWeights' status for a group whose rewards are not finite or whose range times n overflows. */
const REWARDS_OUT_OF_RANGE = -2;

/**
 * True when rewards[start, start + n) are finite and (max − min)·n is finite (the condition of the
 * estimators' overflow rescue), computed exactly.
 */
function rangeFinite(rewards: Values, start: number, n: number): boolean {
  if (n === 0) return true;
  let lo = Infinity;
  let hi = -Infinity;
  let acc = 0;
  for (let i = start; i < start + n; i++) {
    const r = rewards[i] as number;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
    acc += r * 0;
  }
  return acc === 0 && Number.isFinite((hi - lo) * n);
}

/** {@link rangeFinite} in one comparison per value: values below BIG_REWARD in magnitude cannot overflow it. */
function rewardsInRange(rewards: Values, start: number, n: number): boolean {
  let small = true;
  for (let i = start; i < start + n; i++) if (!(Math.abs(rewards[i] as number) < BIG_REWARD)) small = false;
  return small || rangeFinite(rewards, start, n);
}

/**
 * The loo-1 weights (k ≥ 2) of a group WITHOUT ties in score, in one pass after a check: every tie block
 * is one sample, so the block offsets are 0, the gaps are y_p − y_{p−1} and
 * w_(p) = Σ_{k−1 ≤ q ≤ p} μ_q·(y_q − y_{q−1}), the positions below k − 1 getting 0, with y = reward·sc
 * read from sorted position k − 2 up (BlockScratch.load's `relevant` = k − 1). The same bits as the tie
 * path of {@link sortedBestOfNWeights}: the terms it skips (μ_q = 0) and the +0 offsets it adds change
 * no bit of a sum that is never −0, and Knuth's branch-free TwoSum gives the same rounding error as the
 * |s| ≥ |t| Fast2Sum of sumError whenever the sum is finite (here |y| < 2^991). Returns 0, having
 * written nothing, when two sorted scores are equal; REWARDS_OUT_OF_RANGE as {@link rewardsInRange}
 * (nothing written); 1 when done.
 */
function loo1Untied(
  scores: Values,
  rewards: Values,
  perm: Int32Array,
  start: number,
  n: number,
  k: number,
  scaleByN: boolean,
  out: Float64Array,
  mu: Float64Array,
  y: Float64Array,
): number {
  // One pass checks for ties (before anything is written) and gathers the rewards in sorted order.
  let prev = NaN;
  let small = true;
  for (let p = 0; p < n; p++) {
    const i = perm[start + p] as number;
    const v = scores[i] as number;
    if (v === prev) return 0;
    prev = v;
    const r = rewards[i] as number;
    y[p] = r;
    if (!(Math.abs(r) < BIG_REWARD)) small = false;
  }
  const first = k - 2;
  // BlockScratch.load's scale, from the rewards at sorted positions k − 2 up.
  let big = false;
  if (!small) {
    if (!rangeFinite(rewards, start, n)) return REWARDS_OUT_OF_RANGE;
    for (let p = first; p < n; p++) if (Math.abs(y[p] as number) >= BIG_REWARD) big = true;
  }
  const sc = big ? BIG_SCALE : 1;
  const scale = (scaleByN ? n : 1) / sc;
  for (let p = 0; p < k - 1; p++) out[perm[start + p] as number] = 0;
  let yPrev = (y[first] as number) * sc;
  let G = 0;
  let c = 0;
  for (let p = k - 1; p < n; p++) {
    const yp = (y[p] as number) * sc;
    const v = (mu[p] as number) * (yp - yPrev);
    const u = G + v;
    const bv = u - G;
    c += G - (u - bv) + (v - bv);
    G = u;
    out[perm[start + p] as number] = (G + c) * scale;
    yPrev = yp;
  }
  return 1;
}

/**
 * Per sample i in the tie block of sorted positions a..b (m members, block sum S):
 *   s_i = M·y_i + N·(S − y_i)/(m − 1) + T
 * with M = mean of μ_p over the block, N = (1/m) Σ_{j∈block} (j − a) ν_j and T = Σ_{blocks above}
 * (Σ ν over the block)·(block mean): the tie formula with its double sum collapsed.
 * The leave-one-out metric of the reduced group (κ = k or k − 1, m' = μ(n−1, κ)) is
 *   ρ(y₋ᵢ, κ) = P + (Σ_{q=a}^{b−1} m'_q)·(S − y_i)/(m − 1) + Q
 * where P sums the intact blocks below (positions unchanged) and Q those above (shifted down by one).
 * Rewards are used unshifted (a shift by the minimum would carry an outlier's magnitude into every
 * term); blocks that cannot affect a weight read as 0 (BlockScratch.load) and every sum is compensated.
 * Returns −1, or REWARDS_OUT_OF_RANGE at the first group whose rewards are not finite or whose range
 * overflows ({@link rewardsInRange}; later groups are not written). `untiedPass` false runs every group
 * through the tie blocks (tests compare the two paths bit for bit).
 */
function sortedBestOfNWeights(
  scores: Values,
  rewards: Values,
  perm: Int32Array,
  offsets: Int32Array,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
  untiedPass = true,
): number {
  const cache = new SubsetWeightCache();
  const nuTables = new Map<number, Float64Array>();
  const scratch = new BlockScratch(offsets);
  const { y, blockStart, blockSum } = scratch;
  const s = new Float64Array(y.length);
  const below = new Float64Array(y.length);
  const groups = offsets.length - 1;
  const gapPath = (baseline === BaselineCode['loo-1'] || baseline === BaselineCode.loo) && k >= 2;
  for (let g = 0; g < groups; g++) {
    const start = offsets[g] as number;
    const n = (offsets[g + 1] as number) - start;
    // loo-1: a block ending at position k − 1 still enters, through the gap to the block above it.
    const isLoo1Gap = gapPath && baseline === BaselineCode['loo-1'];
    if (untiedPass && isLoo1Gap && n >= k) {
      const done = loo1Untied(scores, rewards, perm, start, n, k, scaleByN, out, cache.get(n, k), y);
      if (done === REWARDS_OUT_OF_RANGE) return done;
      if (done === 1) continue;
    }
    if (!rewardsInRange(rewards, start, n)) return REWARDS_OUT_OF_RANGE;
    scratch.load(scores, rewards, perm, start, n, isLoo1Gap ? k - 1 : k, !gapPath && k === 1 && baseline !== BaselineCode['loo-pkpo'] && baseline !== BaselineCode.none);
    const blocks = scratch.blocks;
    const mu = cache.get(n, k);
    const nu = nuTable(nuTables, mu, n, k);
    const scale = (scaleByN ? n : 1) / scratch.scale;
    if (gapPath) {
      // Without cancellation (docs/estimators/best-of-n.md): in block t (positions a..e−1, m members),
      //   loo-1: w_i = G_t + (μ_a + R_t/(m−1))·(y_i − ȳ_t),  G_t = Σ_{1≤u≤t} μ_{a_u}·(ȳ_u − ȳ_{u−1}),
      //          R_t = Σ_{q=a+1}^{e−1} (e − q)·ν_q;
      //   loo:   loo-1 − (k/n)·Δ_i, Δ_i = ρ(y₋ᵢ, k) − ρ(y₋ᵢ, k−1) by Abel summation over the block gaps of
      //          the group without i with W(r) = μ(n−1, k)_r·(n−1−r)/k (W(n−1) = 0).
      // Block means are ȳ_t = y_a + off_t (off_t = mean of y_p − y_a over the block), so every term is a
      // reward difference: equal rewards give exact zeros and scores = rewards gives max@k's recurrence.
      const off = s;
      const gap = below;
      for (let t = 0; t < blocks; t++) {
        const a = blockStart[t] as number;
        const e = blockStart[t + 1] as number;
        const ya = y[a] as number;
        let d = 0;
        let c = 0;
        for (let p = a + 1; p < e; p++) {
          const v = (y[p] as number) - ya;
          const u = d + v;
          c += sumError(d, v, u);
          d = u;
        }
        off[t] = (d + c) / (e - a);
        gap[t] = t > 0 ? ya - (y[blockStart[t - 1] as number] as number) + ((off[t] as number) - (off[t - 1] as number)) : 0;
        // loo: the block below the first one reaching position k − 1 is never a top (of a k-subset or
        // of a k-subset of the others); its gap, which enters loo-1 and Δ alike, is taken as 0.
        if (!isLoo1Gap && e >= k && (t === 0 || (blockStart[t] as number) < k)) gap[t] = 0;
      }
      const isLoo = baseline === BaselineCode.loo;
      const m1 = isLoo ? cache.get(n - 1, k) : mu;
      const kn = k / n;
      // Suffix sums Q_t = Σ_{u>t+1} W(a_u − 1)·gap_u (blockSum is not needed on this path).
      const tailQ = blockSum;
      if (isLoo) {
        let q = 0;
        let cq = 0;
        for (let t = blocks - 1; t >= 0; t--) {
          tailQ[t] = q + cq;
          if (t + 1 < blocks) {
            const r = (blockStart[t + 1] as number) - 1;
            const w = r >= 1 && r <= n - 2 ? ((m1[r] as number) * (n - 1 - r)) / k : 0;
            if (w !== 0) {
              const v = w * (gap[t + 1] as number);
              const u = q + v;
              cq += sumError(q, v, u);
              q = u;
            }
          }
        }
      }
      let G = 0;
      let cG = 0;
      let P = 0;
      let cP = 0;
      for (let t = 0; t < blocks; t++) {
        const a = blockStart[t] as number;
        const e = blockStart[t + 1] as number;
        const m = e - a;
        const gt = gap[t] as number;
        if (t > 0 && (mu[a] as number) !== 0) {
          const v = (mu[a] as number) * gt;
          const u = G + v;
          cG += sumError(G, v, u);
          G = u;
        }
        const Gt = G + cG;
        const Pt = P + cP;
        const gUp = t + 1 < blocks ? (gap[t + 1] as number) : 0;
        const wa = isLoo && a >= 1 && a <= n - 2 ? ((m1[a] as number) * (n - 1 - a)) / k : 0;
        if (m === 1) {
          const w = isLoo ? Gt - kn * (Pt + (wa === 0 ? 0 : wa * (gt + gUp)) + (tailQ[t] as number)) : Gt;
          out[perm[start + a] as number] = w * scale;
        } else {
          let R = 0;
          let cR = 0;
          for (let q = a + 1; q < e; q++) {
            const v = (e - q) * (nu[q] as number);
            const u = R + v;
            cR += sumError(R, v, u);
            R = u;
          }
          const coef = (mu[a] as number) + (R + cR) / (m - 1);
          const r = e - 1;
          const we = isLoo && r <= n - 2 ? ((m1[r] as number) * (n - 1 - r)) / k : 0;
          const base = Pt + (wa === 0 ? 0 : wa * gt) + (we === 0 ? 0 : we * gUp) + (tailQ[t] as number);
          const dc = (wa - we) / (m - 1);
          const ya = y[a] as number;
          const ot = off[t] as number;
          for (let p = a; p < e; p++) {
            const dev = (y[p] as number) - ya - ot;
            const w = isLoo ? Gt + coef * dev - kn * (base - dc * dev) : Gt + coef * dev;
            out[perm[start + p] as number] = w * scale;
          }
        }
        if (wa !== 0) {
          const v = wa * gt;
          const u = P + v;
          cP += sumError(P, v, u);
          P = u;
        }
      }
      continue;
    }
    let tail = 0;
    let cTail = 0;
    for (let t = blocks - 1; t >= 0; t--) {
      const a = blockStart[t] as number;
      const e = blockStart[t + 1] as number;
      const m = e - a;
      const T = tail + cTail;
      if (m === 1) {
        // No tie: the common case with continuous scores, without the block averages' divisions.
        const yp = y[a] as number;
        s[a] = (mu[a] as number) * yp + T;
        const v = (nu[a] as number) * yp;
        const u = tail + v;
        cTail += sumError(tail, v, u);
        tail = u;
        continue;
      }
      let nuRamp = 0;
      let cRamp = 0;
      for (let p = a + 1; p < e; p++) {
        const v = (p - a) * (nu[p] as number);
        const u = nuRamp + v;
        cRamp += sumError(nuRamp, v, u);
        nuRamp = u;
      }
      const sum = blockSum[t] as number;
      const mAvg = rangeSum(mu, a, e) / m;
      const nAvg = (nuRamp + cRamp) / m / (m - 1);
      for (let p = a; p < e; p++) {
        const yp = y[p] as number;
        s[p] = mAvg * yp + nAvg * (sum - yp) + T;
      }
      const v = (rangeSum(nu, a, e) * sum) / m;
      const u = tail + v;
      cTail += sumError(tail, v, u);
      tail = u;
    }
    if (baseline === BaselineCode.none) {
      for (let p = 0; p < n; p++) out[perm[start + p] as number] = (s[p] as number) * scale;
      continue;
    }
    // loo-1 at k = 1 falls back to loo.
    const kappa = baseline === BaselineCode['loo-1'] && k >= 2 ? k - 1 : k;
    const m1 = cache.get(n - 1, kappa);
    let lower = 0;
    let cLower = 0;
    for (let t = 0; t < blocks; t++) {
      below[t] = lower + cLower;
      const a = blockStart[t] as number;
      const e = blockStart[t + 1] as number;
      const v = e - a === 1 ? (a < n - 1 ? (m1[a] as number) * (y[a] as number) : 0) : (rangeSum(m1, a, Math.min(e, n - 1)) * (blockSum[t] as number)) / (e - a);
      const u = lower + v;
      cLower += sumError(lower, v, u);
      lower = u;
    }
    const a1 = baseline === BaselineCode['loo-pkpo'] ? k / (n - 1) : k / n;
    let upper = 0;
    let cUpper = 0;
    for (let t = blocks - 1; t >= 0; t--) {
      const a = blockStart[t] as number;
      const e = blockStart[t + 1] as number;
      const m = e - a;
      const base = (below[t] as number) + (upper + cUpper);
      if (m === 1) {
        out[perm[start + a] as number] = ((s[a] as number) - a1 * base) * scale;
        if (a > 0) {
          const v = (m1[a - 1] as number) * (y[a] as number);
          const u = upper + v;
          cUpper += sumError(upper, v, u);
          upper = u;
        }
        continue;
      }
      const sum = blockSum[t] as number;
      const mid = rangeSum(m1, a, e - 1) / (m - 1);
      for (let p = a; p < e; p++) {
        const yp = y[p] as number;
        const rhoMinus = base + mid * (sum - yp);
        out[perm[start + p] as number] = ((s[p] as number) - a1 * rhoMinus) * scale;
      }
      const lo = Math.max(a, 1);
      const v = (rangeSum(m1, lo - 1, e - 1) * sum) / m;
      const u = upper + v;
      cUpper += sumError(upper, v, u);
      upper = u;
    }
  }
  return -1;
}

/**
 * Best-of-N metric: Σ_t (Σ_{p∈t} μ_p)·ȳ_t over the tie blocks, a compensated sum of unshifted rewards
 * over the blocks with non-zero weight only; a group whose relevant rewards are all equal returns that
 * reward exactly.
 */
function sortedBestOfNMetric(
  scores: Values,
  rewards: Values,
  perm: Int32Array,
  offsets: Int32Array,
  k: number,
  out: Float64Array,
): void {
  const cache = new SubsetWeightCache();
  const scratch = new BlockScratch(offsets);
  const { y, blockStart, blockSum } = scratch;
  const groups = offsets.length - 1;
  for (let g = 0; g < groups; g++) {
    const start = offsets[g] as number;
    const n = (offsets[g + 1] as number) - start;
    scratch.load(scores, rewards, perm, start, n, k);
    const mu = cache.get(n, k);
    let sum = 0;
    let c = 0;
    let firstY = NaN;
    let constant = true;
    for (let t = 0; t < scratch.blocks; t++) {
      const a = blockStart[t] as number;
      const e = blockStart[t + 1] as number;
      if (e < k) continue;
      for (let p = a; p < e; p++) {
        if (firstY !== firstY) firstY = y[p] as number;
        else if (y[p] !== firstY) constant = false;
      }
      const v = (rangeSum(mu, a, e) * (blockSum[t] as number)) / (e - a);
      const u = sum + v;
      c += sumError(sum, v, u);
      sum = u;
    }
    out[g] = (constant ? firstY : sum + c) / scratch.scale;
  }
}

/**
 * With replacement, the block's share (e/n)^N − (a/n)^N is computed as (e/n)^N · (−expm1(N·log1p(−m/e))):
 * no cancellation when the two powers are close, no overflow for large N.
 */
function sortedBestOfNSelection(
  scores: Values,
  perm: Int32Array,
  offsets: Int32Array,
  N: number,
  withReplacement: boolean,
  out: Float64Array,
): void {
  const cache = new SubsetWeightCache();
  const scratch = new BlockScratch(offsets);
  const { blockStart } = scratch;
  const groups = offsets.length - 1;
  for (let g = 0; g < groups; g++) {
    const start = offsets[g] as number;
    const n = (offsets[g + 1] as number) - start;
    scratch.load(scores, undefined, perm, start, n, 0);
    const mu = withReplacement ? undefined : cache.get(n, N);
    for (let t = 0; t < scratch.blocks; t++) {
      const a = blockStart[t] as number;
      const e = blockStart[t + 1] as number;
      const m = e - a;
      let w = 0;
      if (mu === undefined) {
        w = Math.pow(e / n, N) * -Math.expm1(N * Math.log1p(-m / e));
      } else {
        for (let p = a; p < e; p++) w += mu[p] as number;
      }
      w /= m;
      for (let p = a; p < e; p++) out[perm[start + p] as number] = w;
    }
  }
}

// Module-level buffers are marked /* @__PURE__ */ so that bundles which never call these kernels drop them.
/** The permutation buffer of the fused kernels below, grown to the largest batch seen and reused. */
let permBuffer = /* @__PURE__ */ new Int32Array(0);

/** The stable argsort of `scores` into the reused buffer; the first non-finite score's index, or −1. */
function argsortScores(scores: Values, offsets: Int32Array): number {
  const length = offsets[offsets.length - 1] as number;
  if (permBuffer.length < length) permBuffer = new Int32Array(length);
  return segmentedArgsortChecked(scores, offsets, permBuffer);
}

/**
 * Best-of-N weights in input order from unsorted scores: the stable argsort, then
 * {@link sortedBestOfNWeights}. Returns the index of the first non-finite score, −2 for rewards that are
 * not finite or whose range overflows in some group, or −1.
 */
function bestOfNWeights(
  scores: Values,
  rewards: Values,
  offsets: Int32Array,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
): number {
  const bad = argsortScores(scores, offsets);
  return bad < 0 ? sortedBestOfNWeights(scores, rewards, permBuffer, offsets, k, baseline, scaleByN, out) : bad;
}

/**
 * {@link bestOfNWeights} with every group through the tie blocks, even without ties (no one-pass loo-1
 * form): for tests, which check both give the same bits.
 */
export function bestOfNWeightsViaBlocks(
  scores: Values,
  rewards: Values,
  offsets: Int32Array,
  k: number,
  baseline: BaselineCode,
  scaleByN: boolean,
  out: Float64Array,
): number {
  const bad = argsortScores(scores, offsets);
  return bad < 0 ? sortedBestOfNWeights(scores, rewards, permBuffer, offsets, k, baseline, scaleByN, out, false) : bad;
}

/** Best-of-N metric per group from unsorted scores: the stable argsort, then {@link sortedBestOfNMetric}. */
function bestOfNMetric(scores: Values, rewards: Values, offsets: Int32Array, k: number, out: Float64Array): number {
  const bad = argsortScores(scores, offsets);
  if (bad < 0) sortedBestOfNMetric(scores, rewards, permBuffer, offsets, k, out);
  return bad;
}

/** Best-of-N pick probabilities in input order from unsorted scores: the stable argsort, then {@link sortedBestOfNSelection}. */
function bestOfNSelection(scores: Values, offsets: Int32Array, N: number, withReplacement: boolean, out: Float64Array): number {
  const bad = argsortScores(scores, offsets);
  if (bad < 0) sortedBestOfNSelection(scores, permBuffer, offsets, N, withReplacement, out);
  return bad;
}

/** The best-of-N family's kernels. */
export const bestOfNKernels: Pick<KernelTable, 'bestOfNWeights' | 'bestOfNMetric' | 'bestOfNSelection'> = {
  bestOfNWeights,
  bestOfNMetric,
  bestOfNSelection,
};
