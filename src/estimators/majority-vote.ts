/**
 * Majority voting (maj@k, self-consistency): the unbiased maj@k estimate from n ≥ k samples and its
 * per-sample gradient weights (docs/estimators/weights.md), in polynomial time by a dynamic program
 * over answer counts. Math, the DP and the tie policies: docs/estimators/majority-vote.md.
 */
import { DomainError, InvalidArgumentError, show } from '../errors.js';
import type { BackendOptions } from '../backends/registry.js';
import { checkFloat32Output, metricResult, type MetricOutputOptions, type MetricResult, type WeightArray } from '../groups.js';
import type { Answer } from '../answers.js';
import { checkArrayLike, checkChoice, checkFiniteArray, checkOptions } from '../validate.js';
import { prepareKSample, prepareMetric, type KSampleWeightOptions } from './weights.js';

/**
 * What a tie between the most frequent answers of a k-subset scores.
 * - `'split'`: the mean reward of the tied answers (= the expected reward of a uniformly random pick
 *   among them, what a voter that breaks ties at random gets on average).
 * - `'fail'`: 0 (a tie counts as no answer).
 */
export type TiePolicy = 'split' | 'fail';

/** All tie policies. */
export const TIE_POLICIES: readonly TiePolicy[] = ['split', 'fail'];

/**
 * Options of {@link majorityAtK}: tie policy, batching, output, backend (the name is checked; maj@k has
 * no kernels, so every backend runs the same exact DP).
 */
export interface MajorityAtKOptions extends MetricOutputOptions, BackendOptions {
  /**
   * How a tie for the most votes scores; see {@link TiePolicy}.
   * @defaultValue `'split'`
   */
  ties?: TiePolicy;
}

/**
 * Options of {@link majorityVoteWeights}: tie policy, baseline, scale, batching, output (Float64Array or
 * Float32Array), backend (the name is checked; every backend runs the same exact DP).
 */
export interface MajorityVoteWeightsOptions<Out extends WeightArray = WeightArray> extends KSampleWeightOptions<Out> {
  /**
   * How a tie for the most votes scores; see {@link TiePolicy}.
   * @defaultValue `'split'`
   */
  ties?: TiePolicy;
}

/** Options of {@link majorityAnswer}. */
export interface MajorityAnswerOptions {
  /**
   * What `answer` is when several answers share the most votes: `'split'` returns the tied answer
   * seen first in the input (a deterministic stand-in for a uniform pick; `tied` lists them all),
   * `'fail'` returns null.
   * @defaultValue `'split'`
   */
  ties?: TiePolicy;
}

/** The result of {@link majorityAnswer}. */
export interface MajorityAnswerResult {
  /** The winning answer; null when every answer is null/undefined, or on a tie under `ties: 'fail'`. */
  readonly answer: string | number | null;
  /** The number of votes of the most frequent answer (0 when every answer is null). */
  readonly votes: number;
  /** Every answer with `votes` votes, in order of first appearance (empty when every answer is null). */
  readonly tied: readonly (string | number)[];
}

// ---------------------------------------------------------------------------------------------------
// Answers → clusters.

/** One group's clusters: answer counts, the reward of each answer, and the number of null answers. */
interface GroupClusters {
  counts: number[];
  rewards: number[];
  nulls: number;
  /** Cluster of every sample of the group (−1 = null), indexed from the group's start. */
  ids: Int32Array;
}

function checkAnswer(v: unknown, i: number): v is string | number {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return true;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) {
      throw new InvalidArgumentError(
        'answers',
        `answers must not contain NaN (NaN ≠ NaN cannot label a cluster; use null for no answer) (got NaN at index ${i})`,
      );
    }
    return true;
  }
  throw new InvalidArgumentError(
    'answers',
    `answers must contain strings, numbers, null or undefined (got ${show(v)} at index ${i})`,
  );
}

/**
 * Groups the samples of [start, end) by answer. Answers are compared with SameValueZero (a Map key):
 * 1 and '1' are different clusters, 0 and -0 the same. Equal answers must carry equal rewards.
 */
function clusterGroup(answers: ArrayLike<unknown>, rewards: ArrayLike<number>, start: number, end: number): GroupClusters {
  const index = new Map<string | number, number>();
  const first: number[] = [];
  const counts: number[] = [];
  const clusterRewards: number[] = [];
  const ids = new Int32Array(end - start);
  let nulls = 0;
  for (let i = start; i < end; i++) {
    const a = answers[i];
    if (!checkAnswer(a, i)) {
      ids[i - start] = -1;
      nulls++;
      continue;
    }
    const r = rewards[i] as number;
    let id = index.get(a);
    if (id === undefined) {
      id = counts.length;
      index.set(a, id);
      first.push(i);
      counts.push(0);
      clusterRewards.push(r);
    } else if (clusterRewards[id] !== r) {
      const j = first[id] as number;
      throw new DomainError(
        'rewards',
        `rewards must be equal for equal answers (answer ${show(a)}: rewards[${j}]=${show(clusterRewards[id])} ` +
          `but rewards[${i}]=${show(r)})`,
      );
    }
    counts[id] = (counts[id] as number) + 1;
    ids[i - start] = id;
  }
  return { counts, rewards: clusterRewards, nulls, ids };
}

/** Integer typed arrays: answers that are small integers by construction (no null, NaN or −0). */
type IntegerAnswers = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

function isIntegerArray(a: ArrayLike<unknown>): a is IntegerAnswers {
  return (
    a instanceof Int32Array ||
    a instanceof Uint8Array ||
    a instanceof Int16Array ||
    a instanceof Uint16Array ||
    a instanceof Int8Array ||
    a instanceof Uint32Array ||
    a instanceof Uint8ClampedArray
  );
}

/**
 * {@link clusterGroup} for integer typed-array answers: a lookup table over the batch's value range
 * instead of a Map per group (same ids in order of first appearance, same errors). `table` holds −1
 * everywhere on entry and on exit.
 */
function clusterIntegerGroup(answers: IntegerAnswers, rewards: ArrayLike<number>, start: number, end: number, table: Int32Array, base: number): GroupClusters {
  const counts: number[] = [];
  const clusterRewards: number[] = [];
  const first: number[] = [];
  const ids = new Int32Array(end - start);
  try {
    for (let i = start; i < end; i++) {
      const key = (answers[i] as number) - base;
      const r = rewards[i] as number;
      let id = table[key] as number;
      if (id < 0) {
        id = counts.length;
        table[key] = id;
        first.push(i);
        counts.push(0);
        clusterRewards.push(r);
      } else if (clusterRewards[id] !== r) {
        const j = first[id] as number;
        throw new DomainError(
          'rewards',
          `rewards must be equal for equal answers (answer ${show(answers[i])}: rewards[${j}]=${show(clusterRewards[id])} ` +
            `but rewards[${i}]=${show(r)})`,
        );
      }
      counts[id] = (counts[id] as number) + 1;
      ids[i - start] = id;
    }
  } finally {
    for (const i of first) table[(answers[i] as number) - base] = -1;
  }
  return { counts, rewards: clusterRewards, nulls: 0, ids };
}

/** Clusters every group first, so that a bad answer throws before anything is written to `out`. */
function clusterAll(answers: ArrayLike<unknown>, rewards: ArrayLike<number>, offsets: Int32Array, groups: number): GroupClusters[] {
  const clusters: GroupClusters[] = [];
  if (isIntegerArray(answers) && answers.length > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < answers.length; i++) {
      const v = answers[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // One table for the whole batch when the value range is small (ids, not hashes, of parsed answers).
    if (hi - lo < Math.max(1 << 16, 4 * answers.length)) {
      const table = new Int32Array(hi - lo + 1).fill(-1);
      for (let b = 0; b < groups; b++) clusters.push(clusterIntegerGroup(answers, rewards, offsets[b] as number, offsets[b + 1] as number, table, lo));
      return clusters;
    }
  }
  for (let b = 0; b < groups; b++) clusters.push(clusterGroup(answers, rewards, offsets[b] as number, offsets[b + 1] as number));
  return clusters;
}

// ---------------------------------------------------------------------------------------------------
// The dynamic program (docs/estimators/majority-vote.md, "The DP").

/**
 * Scratch buffers reused across the many DP calls of one public call (a batch of 10^4 small groups
 * would otherwise allocate ~10^5 short-lived arrays).
 */
class Workspace {
  coef = new Float64Array(64);
  start = new Int32Array(8);
  deg = new Int32Array(8);
  reward = new Float64Array(8);
  order = new Int32Array(8);
  size = new Int32Array(8);
  lump = new Float64Array(16);
  others = new Float64Array(16);
  V = new Float64Array(64);
  R = new Float64Array(64);
  /** Reward channel of each factor in DP order: a run of equal rows carries its summed reward on its first. */
  blockR = new Float64Array(8);
  /** P(the top count of the subset is tied), set by {@link expectedMajority} when asked for. */
  ties = 0;
  /** Univariate level states (one polynomial each, degrees 0..K). */
  s0 = new Float64Array(16);
  s1 = new Float64Array(16);
  s2 = new Float64Array(16);
  s3 = new Float64Array(16);

  reserveStates(width: number): void {
    if (this.s0.length < width) {
      const size = Math.max(width, 2 * this.s0.length);
      this.s0 = new Float64Array(size);
      this.s1 = new Float64Array(size);
      this.s2 = new Float64Array(size);
      this.s3 = new Float64Array(size);
    }
  }

  reserve(clusters: number, coefs: number, K: number, rows: number): void {
    if (this.start.length < clusters) {
      const size = Math.max(clusters, 2 * this.start.length);
      this.start = new Int32Array(size);
      this.deg = new Int32Array(size);
      this.reward = new Float64Array(size);
      this.order = new Int32Array(size);
      this.size = new Int32Array(size);
      this.blockR = new Float64Array(size);
    }
    if (this.coef.length < coefs) this.coef = new Float64Array(Math.max(coefs, 2 * this.coef.length));
    if (this.lump.length < K + 1) {
      this.lump = new Float64Array(Math.max(K + 1, 2 * this.lump.length));
      this.others = new Float64Array(this.lump.length);
    }
    const cells = rows * (K + 1);
    if (this.V.length < cells) {
      this.V = new Float64Array(Math.max(cells, 2 * this.V.length));
      this.R = new Float64Array(this.V.length);
    }
  }
}

/**
 * Writes C(m, x)·t^x for x = 0..len−1 into `out` at `at`, up to a constant factor that cancels (every
 * factor of the numerator and of the normaliser carries the same constant): anchored at the mode,
 * extended by exact ratios and scaled to sum to 1, so nothing overflows and the terms that matter keep
 * full precision. With t = K/(N+1−K) the mode sits where the hypergeometric mass is.
 */
function scaledBinomialRow(m: number, len: number, t: number, out: Float64Array, at: number): void {
  if (t === 0) {
    out[at] = 1;
    return;
  }
  let mode = Math.floor(((m + 1) * t) / (1 + t));
  if (mode > len - 1) mode = len - 1;
  out[at + mode] = 1;
  let sum = 1;
  for (let x = mode; x < len - 1; x++) sum += out[at + x + 1] = (((out[at + x] as number) * (m - x)) / (x + 1)) * t;
  for (let x = mode; x > 0; x--) sum += out[at + x - 1] = ((out[at + x] as number) * x) / ((m - x + 1) * t);
  // Each row sums to 1, so every product of rows is a probability: no overflow even with thousands
  // of answers (1024 singletons would otherwise give coefficients near C(1024, 512) ≈ 4.5e306).
  for (let x = 0; x < len; x++) out[at + x] = (out[at + x] as number) / sum;
}

/** lump[0..K] ← lump · coef[at..at+deg], truncated at degree K, in place. */
function multiplyInto(lump: Float64Array, coef: Float64Array, at: number, deg: number, K: number): void {
  for (let d = K; d >= 0; d--) {
    let s = 0;
    const top = deg < d ? deg : d;
    for (let x = 0; x <= top; x++) s += (coef[at + x] as number) * (lump[d - x] as number);
    lump[d] = s;
  }
}

/**
 * E[f(I)] over the uniformly random K-subsets I of a group with the given answer counts, answer
 * rewards and null count; with `forced = a`, one extra vote for answer a is added to every subset and
 * a's count already excludes it (so the subsets have K − 1 free members). This is every quantity the
 * metric, s_i and the baselines need.
 *
 * For each level j (the winning vote count), a product over the answers that can reach j of
 * (L_b + u·E_b), where L_b holds b's terms with fewer than j votes and E_b its term with exactly j,
 * tracks the number of answers tied at j as the power of u, plus a reward channel marking which answer
 * is at j. Answers that cannot reach j and the nulls form one lump polynomial. All terms are positive.
 * With `wantTies`, `ws.ties` is set to P(the subset's top count is tied) (used by the 'loo' weights).
 */
function expectedMajority(
  ws: Workspace,
  counts: readonly number[],
  rewards: readonly number[],
  nulls: number,
  K: number,
  split: boolean,
  forced: number,
  wantTies = false,
): number {
  ws.ties = 0;
  if (K === 0) return 0;
  const free = forced >= 0 ? K - 1 : K;
  let population = nulls;
  let coefs = Math.min(nulls, free) + 1;
  for (const m of counts) {
    population += m;
    coefs += Math.min(m, free) + 2;
  }
  const t = free === 0 ? 0 : free / (population + 1 - free);
  const A = counts.length;
  ws.reserve(A, coefs, K, (split ? Math.min(A, K) : wantTies ? 2 : 1) + 1);
  const { coef, start, deg, reward, order, lump, size } = ws;
  const before = (x: number, y: number): boolean =>
    (deg[x] as number) !== (deg[y] as number)
      ? (deg[x] as number) > (deg[y] as number)
      : (size[x] as number) !== (size[y] as number)
        ? (size[x] as number) > (size[y] as number)
        : (reward[x] as number) > (reward[y] as number);

  // Vote polynomials (coefficient of z^y = weight of y votes) of the answers that can get a vote.
  let used = 0;
  let P = 0;
  let maxVotes = 0;
  for (let b = 0; b < A; b++) {
    const m = counts[b] as number;
    const len = Math.min(m, free) + 1;
    if (b === forced) {
      coef[used] = 0;
      scaledBinomialRow(m, len, t, coef, used + 1);
      deg[P] = len;
    } else if (m > 0 && free > 0) {
      scaledBinomialRow(m, len, t, coef, used);
      deg[P] = len - 1;
    } else {
      continue;
    }
    start[P] = used;
    reward[P] = rewards[b] as number;
    used += (deg[P] as number) + 1;
    if ((deg[P] as number) > maxVotes) maxVotes = deg[P] as number;
    // Insertion sort by (degree, count, forced, reward): the lump takes answers in this order as the
    // level rises, and a canonical order makes results bit-identical under relabelling/permutation.
    size[P] = b === forced ? -m - 1 : m;
    let q = P;
    while (q > 0 && before(order[q - 1] as number, P)) {
      order[q] = order[q - 1] as number;
      q--;
    }
    order[q] = P;
    P++;
  }
  if (P === 0) return 0;
  // Equal rows (same count, not forced) are adjacent in `order`. Their reward channels add linearly and
  // the rows are identical, so the run's summed reward rides on its first row and the others carry 0:
  // rewards that cancel within a run (e.g. ±1 after a shift) then give an exact 0, not rounding noise.
  const blockR = ws.blockR;
  for (let q = 0; q < P; ) {
    const b = order[q] as number;
    let r = reward[b] as number;
    let q2 = q + 1;
    while (q2 < P && (size[b] as number) >= 0 && size[order[q2] as number] === size[b]) {
      r += reward[order[q2] as number] as number;
      blockR[q2++] = 0;
    }
    blockR[q] = r;
    q = q2;
  }
  lump.fill(0, 0, K + 1);
  const nullLen = Math.min(nulls, free) + 1;
  scaledBinomialRow(nulls, nullLen, t, lump, 0);
  let lumpDeg = Math.min(K, nullLen - 1);

  const levels = Math.min(K, maxVotes);
  const width = K + 1;
  const { V, R } = ws;
  let numerator = 0;
  let tieMass = 0;
  let lumped = 0;
  // Above k/2 only one answer can reach level j and the others (k − j < j votes in all) are
  // unconstrained: those levels are handled after the loop without the tie dimension.
  const high = (K >> 1) + 1;
  for (let j = 1; j <= Math.min(levels, high - 1); j++) {
    while (lumped < P && (deg[order[lumped] as number] as number) < j) {
      const b = order[lumped] as number;
      multiplyInto(lump, coef, start[b] as number, deg[b] as number, K);
      lumpDeg = Math.min(K, lumpDeg + (deg[b] as number));
      lumped++;
    }
    const big = P - lumped;
    // Every answer at most j votes and the lump full cannot fill K slots: level j is impossible.
    if (big * j + lumpDeg < K) continue;
    // 'fail' needs one row (exactly one answer at j); asked for the tie mass it adds a saturating row 2
    // (≥ 2 answers at j).
    const sat = !split && wantTies;
    const T = split ? Math.min(big, Math.floor(K / j)) : sat ? Math.min(big, 2, Math.floor(K / j)) : 1;
    V.fill(0, 0, (T + 1) * width);
    R.fill(0, 0, (T + 1) * width);
    V[0] = 1;
    let ties = 0;
    let lo = 0;
    let hi = 0;
    for (let q = lumped; q < P; q++) {
      const b = order[q] as number;
      const at = start[b] as number;
      const E = coef[at + j] as number;
      const rE = (blockR[q] as number) * E;
      // Degrees that can still reach K once the remaining answers and the lump are multiplied in.
      const hiPrev = hi;
      hi = Math.min(K, hi + j);
      lo = Math.max(0, K - lumpDeg - j * (P - 1 - q));
      ties = Math.min(T, ties + 1);
      foldAnswerRow(V, R, coef, at, E, rE, j, width, ties, lo, hi, hiPrev, q - lumped + 1, sat);
    }
    for (let tt = 1; tt <= (sat ? 1 : ties); tt++) {
      const row = tt * width;
      let s = 0;
      for (let d = Math.max(lo, j); d <= hi; d++) s += (R[row + d] as number) * (lump[K - d] as number);
      numerator += split ? s / tt : s;
    }
    if (wantTies) {
      for (let tt = 2; tt <= ties; tt++) {
        const row = tt * width;
        for (let d = Math.max(lo, tt * j); d <= hi; d++) tieMass += (V[row + d] as number) * (lump[K - d] as number);
      }
    }
  }
  // Levels j > k/2: Σ_a r_a · c_a[j] · [z^(k−j)] (lump · Π_{b≠a} row_b), over the answers that can
  // reach j. The product of the others only needs degrees ≤ k − high < k/2.
  while (lumped < P && (deg[order[lumped] as number] as number) < high) {
    const b = order[lumped] as number;
    multiplyInto(lump, coef, start[b] as number, deg[b] as number, K);
    lumpDeg = Math.min(K, lumpDeg + (deg[b] as number));
    lumped++;
  }
  if (levels >= high) {
    const D = K - high;
    const others = ws.others;
    for (let q = lumped; q < P; q++) {
      // One product per run of equal rows, times the run's summed reward (see blockR).
      const rq = blockR[q] as number;
      if (rq === 0) continue;
      const a = order[q] as number;
      others.set(lump.subarray(0, D + 1));
      for (let q2 = lumped; q2 < P; q2++) {
        if (q2 === q) continue;
        const b = order[q2] as number;
        multiplyInto(others, coef, start[b] as number, Math.min(deg[b] as number, D), D);
      }
      const at = start[a] as number;
      let s = 0;
      for (let j = high; j <= Math.min(K, deg[a] as number); j++) s += (coef[at + j] as number) * (others[K - j] as number);
      numerator += rq * s;
    }
  }
  while (lumped < P) {
    const b = order[lumped] as number;
    multiplyInto(lump, coef, start[b] as number, deg[b] as number, K);
    lumped++;
  }
  if (wantTies) ws.ties = tieMass / (lump[K] as number);
  return numerator / (lump[K] as number);
}

// ---------------------------------------------------------------------------------------------------
// Gauss–Legendre quadrature on [0, 1] (the tie weight 1/t = ∫₀¹ u^(t−1) du).

const GL_CACHE = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/**
 * The q-point Gauss–Legendre rule on [0, 1] (nodes ascending, weights summing to 1): exact for
 * polynomials of degree ≤ 2q − 1. Nodes by Newton's method on the Legendre recurrence in the angle θ
 * (x = cos θ, u = sin²(θ/2)), so that nodes near 0 keep their relative precision; cached per order.
 */
export function gaussLegendre01(q: number): { nodes: Float64Array; weights: Float64Array } {
  const hit = GL_CACHE.get(q);
  if (hit !== undefined) return hit;
  const nodes = new Float64Array(q);
  const weights = new Float64Array(q);
  /** P_q(cos θ) and P'_q(cos θ) by the three-term recurrence. */
  const legendre = (x: number): [number, number] => {
    let p0 = 1;
    let p1 = x;
    for (let n = 2; n <= q; n++) {
      const p2 = ((2 * n - 1) * x * p1 - (n - 1) * p0) / n;
      p0 = p1;
      p1 = p2;
    }
    return [p1, q === 1 ? 1 : (q * (p0 - x * p1)) / (1 - x * x)];
  };
  for (let i = 0; i < (q + 1) >> 1; i++) {
    // Root i of P_q at x = cos θ (θ ∈ (0, π/2]), Newton's method in θ, so that 1 − x = 2 sin²(θ/2)
    // and the node near u = 0 keep their relative precision.
    let theta = (Math.PI * (i + 0.75)) / (q + 0.5);
    for (let it = 0; it < 100; it++) {
      const [p, dp] = legendre(Math.cos(theta));
      const step = p / (Math.sin(theta) * dp); // f(θ) = P_q(cos θ), f'(θ) = −sin θ·P'_q(cos θ)
      theta += step;
      if (Math.abs(step) <= 1e-16 * theta) break;
    }
    const s = Math.sin(theta);
    const dp = legendre(Math.cos(theta))[1];
    const w = 1 / (s * s * dp * dp); // (2/((1 − x²)·P'_q(x)²)) / 2 on [0, 1]
    const h = Math.sin(theta / 2);
    nodes[i] = h * h; // (1 − cos θ)/2
    nodes[q - 1 - i] = 1 - h * h;
    weights[i] = w;
    weights[q - 1 - i] = w;
  }
  const rule = { nodes, weights };
  GL_CACHE.set(q, rule);
  return rule;
}

/**
 * Writes the binomial probabilities C(m, x)·p^x·(1 − p)^(m−x), p = t/(1 + t), for x = 0..len−1 into
 * `out` at `at`: anchored at the mode, extended by exact ratios and divided by the sum over all
 * x = 0..m (not only the first len), so that products of rows are binomial probabilities again
 * (C(m₁, ·) ∗ C(m₂, ·) = C(m₁ + m₂, ·)) and a product of rows can be replaced by one row.
 * `scratch` holds at least m + 1 values.
 */
function binomialPmfRow(m: number, len: number, t: number, out: Float64Array, at: number, scratch: Float64Array): void {
  if (t === 0 || m === 0) {
    out[at] = 1;
    for (let x = 1; x < len; x++) out[at + x] = 0;
    return;
  }
  const mode = Math.min(m, Math.floor(((m + 1) * t) / (1 + t)));
  scratch[mode] = 1;
  let sum = 1;
  for (let x = mode; x < m; x++) sum += scratch[x + 1] = (((scratch[x] as number) * (m - x)) / (x + 1)) * t;
  for (let x = mode; x > 0; x--) sum += scratch[x - 1] = ((scratch[x] as number) * x) / ((m - x + 1) * t);
  for (let x = 0; x < len; x++) out[at + x] = x <= m ? (scratch[x] as number) / sum : 0;
}

/**
 * Level-y tie DP primitives of {@link oneVoteEffects}. A factor is the row `row[at..at+y]` of an answer
 * that can reach y: G(z) = Σ_{x<y} row[x]·z^x + u·row[y]·z^y (u = the tie variable), E = row[y]·z^y.
 * Every fold works in place over degrees [lo, hi] (descending, so lower degrees are still the old
 * state); degrees above hiPrev of the old state are 0, degrees below lo are never read again.
 */
/** V ← V·G, A ← A·G + sA·E·V, B ← B·G + sB·E·V ('split' states: mass and two reward channels). */
function foldSplit(V: Float64Array, A: Float64Array, B: Float64Array, row: Float64Array, at: number, y: number, u: number, sA: number, sB: number, lo: number, hi: number, hiPrev: number): void {
  const E = row[at + y] as number;
  const uE = u * E;
  const eA = sA * E;
  const eB = sB * E;
  for (let d = hi; d >= lo; d--) {
    const bottom = d > hiPrev ? d - hiPrev : 0;
    const top = d < y - 1 ? d : y - 1;
    let v = 0;
    let a = 0;
    let b = 0;
    for (let x = bottom; x <= top; x++) {
      const c = row[at + x] as number;
      const k = d - x;
      v += c * (V[k] as number);
      a += c * (A[k] as number);
      b += c * (B[k] as number);
    }
    if (d >= y && y >= bottom) {
      const k = d - y;
      const w = V[k] as number;
      v += uE * w;
      a += uE * (A[k] as number) + eA * w;
      b += uE * (B[k] as number) + eB * w;
    }
    V[d] = v;
    A[d] = a;
    B[d] = b;
  }
}

/** X ← X·G (u = the tie variable; u = 0 gives X·L, u = 1 gives X·(L + E)). */
function foldOne(X: Float64Array, row: Float64Array, at: number, y: number, u: number, lo: number, hi: number, hiPrev: number): void {
  const uE = u * (row[at + y] as number);
  for (let d = hi; d >= lo; d--) {
    const bottom = d > hiPrev ? d - hiPrev : 0;
    const top = d < y - 1 ? d : y - 1;
    let v = 0;
    for (let x = bottom; x <= top; x++) v += (row[at + x] as number) * (X[d - x] as number);
    if (d >= y && y >= bottom) v += uE * (X[d - y] as number);
    X[d] = v;
  }
}

/** 'fail' states: V0 ← V0·L (none at y), W ← W·(L + E) + V0·E (≥ 1 at y), R ← R·L + s·E·V0 (one at y, its reward). */
function foldFail(V0: Float64Array, W: Float64Array, R: Float64Array, row: Float64Array, at: number, y: number, s: number, lo: number, hi: number, hiPrev: number): void {
  const E = row[at + y] as number;
  const sE = s * E;
  for (let d = hi; d >= lo; d--) {
    const bottom = d > hiPrev ? d - hiPrev : 0;
    const top = d < y - 1 ? d : y - 1;
    let v = 0;
    let w = 0;
    let r = 0;
    for (let x = bottom; x <= top; x++) {
      const c = row[at + x] as number;
      const k = d - x;
      v += c * (V0[k] as number);
      w += c * (W[k] as number);
      r += c * (R[k] as number);
    }
    if (d >= y && y >= bottom) {
      const k = d - y;
      const v0 = V0[k] as number;
      w += E * ((W[k] as number) + v0);
      r += sE * v0;
    }
    V0[d] = v;
    W[d] = w;
    R[d] = r;
  }
}

/** Tie states: V0 ← V0·L (none at y), V1 ← V1·L + V0·E (exactly one), V2 ← V2·(L + E) + V1·E (two or more). */
function foldTie(V0: Float64Array, V1: Float64Array, V2: Float64Array, row: Float64Array, at: number, y: number, lo: number, hi: number, hiPrev: number): void {
  const E = row[at + y] as number;
  for (let d = hi; d >= lo; d--) {
    const bottom = d > hiPrev ? d - hiPrev : 0;
    const top = d < y - 1 ? d : y - 1;
    let v0 = 0;
    let v1 = 0;
    let v2 = 0;
    for (let x = bottom; x <= top; x++) {
      const c = row[at + x] as number;
      const k = d - x;
      v0 += c * (V0[k] as number);
      v1 += c * (V1[k] as number);
      v2 += c * (V2[k] as number);
    }
    if (d >= y && y >= bottom) {
      const k = d - y;
      const w1 = V1[k] as number;
      v1 += E * (V0[k] as number);
      v2 += E * ((V2[k] as number) + w1);
    }
    V0[d] = v0;
    V1[d] = v1;
    V2[d] = v2;
  }
}

/** Σ_d M[d]·S[e − d] over the degrees both hold (M: [loM, hiM], S: [0, hiS]). */
function dotAtDegree(M: Float64Array, mOff: number, loM: number, hiM: number, S: Float64Array, hiS: number, e: number): number {
  let s = 0;
  const d1 = Math.min(hiM, e);
  for (let d = Math.max(loM, e - hiS); d <= d1; d++) s += (M[mOff + d] as number) * (S[e - d] as number);
  return s;
}

/** Σ_{d1 + d2 ≤ e} M[d1]·S[d2]·h[d1 + d2] (M: [0, hiM], S: [0, hiS]). */
function hankelDot(M: Float64Array, mOff: number, hiM: number, S: Float64Array, hiS: number, h: Float64Array, e: number): number {
  let s = 0;
  const d1Hi = Math.min(hiM, e);
  for (let d1 = 0; d1 <= d1Hi; d1++) {
    const m = M[mOff + d1] as number;
    if (m === 0) continue;
    const d2Hi = Math.min(hiS, e - d1);
    let inner = 0;
    for (let d2 = 0; d2 <= d2Hi; d2++) inner += (S[d2] as number) * (h[d1 + d2] as number);
    s += m * inner;
  }
  return s;
}

/**
 * Levels j > K/2 of {@link forcedVoteMeans} / {@link leaveOneOutMeans}, added to `total`: one answer
 * alone holds the top count (the others have K − j < j votes in all), so every product of the other
 * rows is one binomial row (free = K − delta slots): (α) a at j: (r_a − shift)·Σ_j c'_a[j − delta]·
 * Bin(N − m_a)[free − j + delta]; (β) another answer b at j: (r_b − shift)·Σ_j c_b[j]·
 * Bin(N − 1 − m_b)[free − j] (binomial probabilities at the same t).
 */
function highLevels(fx: EffectScratch, c: GroupClusters, K: number, t: number, shift: number, delta: number, total: Float64Array): void {
  const counts = c.counts;
  const free = K - delta;
  const h = (K >> 1) + 1;
  let population = c.nulls - 1;
  for (const m of counts) population += m;
  const tall: number[] = [];
  counts.forEach((m, a) => {
    if (m >= h) tall.push(a);
  });
  if (tall.length === 0) return;
  // Canonical order (count, reward): sums do not depend on how the answers are labelled.
  tall.sort((x, y) => (counts[x] as number) - (counts[y] as number) || (c.rewards[x] as number) - (c.rewards[y] as number));
  const len = free + 1;
  const row = new Float64Array(len + 1);
  const bin = new Float64Array(len + 1);
  const alpha = new Map<number, number>();
  const beta = new Map<number, number>();
  for (const a of tall) {
    const m = counts[a] as number;
    if (alpha.has(m)) continue;
    binomialPmfRow(m - 1, len, t, row, 0, fx.pmf);
    binomialPmfRow(population - (m - 1), len, t, bin, 0, fx.pmf);
    let s = 0;
    for (let j = h; j <= Math.min(m - 1 + delta, K); j++) s += (row[j - delta] as number) * (bin[free - j + delta] as number);
    alpha.set(m, s);
    binomialPmfRow(m, len, t, row, 0, fx.pmf);
    binomialPmfRow(population - m, len, t, bin, 0, fx.pmf);
    let b = 0;
    for (let j = h; j <= Math.min(m, free); j++) b += (row[j] as number) * (bin[free - j] as number);
    beta.set(m, b);
  }
  for (let a = 0; a < counts.length; a++) {
    let s = 0;
    for (const b of tall) {
      if (b === a) continue;
      const rb = (c.rewards[b] as number) - shift;
      if (rb !== 0) s += rb * (beta.get(counts[b] as number) as number);
    }
    if ((counts[a] as number) >= h) {
      const ga = (c.rewards[a] as number) - shift;
      if (ga !== 0) s += ga * (alpha.get(counts[a] as number) as number);
    }
    total[a] = (total[a] as number) + s;
  }
}

/** Scratch of {@link oneVoteEffects}, reused across its levels and across the groups of one call. */
class EffectScratch {
  width = 0;
  /** Working prefix (3 channels), the suffix (3), the run-without-one compound (4). */
  p: Float64Array[] = [];
  s: Float64Array[] = [];
  m: Float64Array[] = [];
  /** Prefix states at run starts: 3 channels × runs × width. */
  stored: Float64Array[] = [];
  storedRuns = 0;
  lump = new Float64Array(0);
  pmf = new Float64Array(0);
  /** Level-1 kernels (see {@link oneVoteEffects}). */
  hA = new Float64Array(0);
  hB = new Float64Array(0);
  lump2 = new Float64Array(0);

  reserve(width: number, runs: number, pmfLen: number): void {
    if (this.width < width) {
      const w = Math.max(width, 2 * this.width);
      this.width = w;
      this.p = [0, 1, 2].map(() => new Float64Array(w));
      this.s = [0, 1, 2].map(() => new Float64Array(w));
      this.m = [0, 1, 2, 3].map(() => new Float64Array(w));
      this.lump = new Float64Array(w);
      this.hA = new Float64Array(w);
      this.hB = new Float64Array(w);
      this.lump2 = new Float64Array(w);
      this.storedRuns = 0;
    }
    if (this.storedRuns < runs) {
      this.storedRuns = Math.max(runs, 2 * this.storedRuns);
      this.stored = [0, 1, 2].map(() => new Float64Array(this.storedRuns * this.width));
    }
    if (this.pmf.length < pmfLen) this.pmf = new Float64Array(Math.max(pmfLen, 2 * this.pmf.length));
  }
}

/**
 * E[f(J ∪ {a}) − f(J)] for every answer a (entry a of the result), over the uniformly random
 * (K − 1)-subsets J of the group with one sample of answer a removed: the loo-1 weight of a sample of
 * answer a, up to the factor k/n, computed as an expectation of the difference itself so that it is
 * accurate relative to its own size (docs/estimators/majority-vote.md, "Baselines without
 * cancellation").
 *
 * One more vote for a changes f(J) only when the top count y of the other answers in J (with t ≥ 1 of
 * them at y) is x_a or x_a + 1:
 * - x_a = y: a becomes the sole winner; 'split' gains Σ_{b at y} (r_a − r_b)/(t + 1), 'fail' gains r_a;
 * - x_a = y − 1: a joins the tie; 'split' gains Σ_{b at y} (r_a − r_b)/(t(t + 1)), 'fail' loses r_w
 *   when t = 1 (the sole winner w), nothing otherwise;
 * - J without a vote (all null): f goes from 0 to r_a.
 * Both need y + (y − 1) ≤ K − 1 votes, so only levels y ≤ K/2 occur. At level y the others' product
 * Π_{b ≠ a, m_b ≥ y} G_b times the lump (the nulls and the answers with fewer than y copies, whose rows
 * multiply to one binomial row) gives every term; a enters only through its reduced row's
 * coefficients at y and y − 1, i.e. through two coefficients of the "all but a" product.
 *
 * 'split' weights 1/(t + 1) = ∫₀¹ u^t du and 1/(t(t + 1)) = ∫₀¹ (1 − u)·u^(t−1) du are integrated by
 * Gauss–Legendre in the tie variable u (exact: the integrands are polynomials of degree ≤ T in u, T the
 * most answers that can tie at y), so at each node the DP is univariate. The reward channel carries
 * r_a − r_b = (r_a − c) − (r_b − c) with c the reward of the most frequent answer, as two channels
 * (the count of tied answers and r_b − c), so the answer that usually wins gets its exact channel
 * r_b − r_a. 'fail' needs no quadrature (states: none / one / at least one answer at y).
 *
 * All "all but a" products at a level come from prefix products (stored at the starts of runs of equal
 * rows, i.e. equal counts) and one suffix pass: a run's members share its "run without one member"
 * product, and differ only in a scalar of the reward channel. A run's summed reward rides on its first
 * row (rewards that cancel within a run give an exact 0). Cost per level: O(B_y·W_y·y) per node
 * (B_y answers with ≥ y copies, W_y ≤ K degrees), ⌈(T + 1)/2⌉ nodes for 'split', one pass for 'fail'.
 */
function oneVoteEffects(fx: EffectScratch, c: GroupClusters, K: number, split: boolean): Float64Array {
  return levelPass(fx, c, K, split, false, 0);
}

/**
 * E[f(J ∪ {a})] for every answer a (entry a), over the uniformly random (K − 1)-subsets J of the group
 * with one sample of a removed, on the rewards r − shift: s_i of a sample of answer a up to the factor
 * k/n. By the level j = the top count of J ∪ {a}:
 * - (α) a at j (x_a = j − 1) with t others at j: 'split' scores (r_a + Σ_{b at j} r_b)/(t + 1) =
 *   ∫₀¹ u^t (…) du, 'fail' r_a when t = 0;
 * - (β) a below j with t ≥ 1 others at j: 'split' Σ r_b / t = ∫₀¹ u^(t−1) (…) du, 'fail' r_w when t = 1.
 * (α) needs two coefficients of the "all but a" product of level j, (β) its product with a's truncated
 * reduced row (one convolution per run of equal counts). An answer with fewer than j copies sits in the
 * lump, where its reduced row and the others' rows multiply to one binomial row: its (β) term is the
 * same for all such answers. Levels j > K/2 (one answer alone at the top) are closed forms in binomial
 * probabilities. Same passes, nodes and cost as {@link oneVoteEffects} plus one convolution per run.
 */
function forcedVoteMeans(fx: EffectScratch, c: GroupClusters, K: number, split: boolean, shift: number): Float64Array {
  return levelPass(fx, c, K, split, true, shift, 1);
}

/**
 * ρ(g₋ᵢ, K) for every answer a (entry a): maj@K of the group with one sample of answer a removed, on
 * the rewards r − shift. The same pass as {@link forcedVoteMeans} with a's reduced row entering
 * without the extra vote (a at the top when x_a = j, below when x_a ≤ j − 1) and K free slots.
 */
function leaveOneOutMeans(fx: EffectScratch, c: GroupClusters, K: number, split: boolean, shift: number): Float64Array {
  return levelPass(fx, c, K, split, true, shift, 0);
}

/**
 * P(the top count is tied) for every answer a (entry a), in the subsets of {@link forcedVoteMeans}
 * (delta = 1: J ∪ {a}) or {@link leaveOneOutMeans} (delta = 0): (α) a at the top with ≥ 1 other answer
 * there, (β) a below with ≥ 2 others there; states none / exactly one / at least two answers at j.
 * Used by the 'loo' weights under 'fail'. Ties need ≥ 2 answers at the top, so levels > K/2 add nothing.
 */
function tieMeans(fx: EffectScratch, c: GroupClusters, K: number, delta: number): Float64Array {
  return levelPass(fx, c, K, false, true, 0, delta, true);
}

/**
 * The shared level pass of {@link oneVoteEffects} (sMode false) and of {@link forcedVoteMeans} /
 * {@link leaveOneOutMeans} (sMode true; delta = the votes a gets on top of its reduced row).
 */
function levelPass(fx: EffectScratch, c: GroupClusters, K: number, split: boolean, sMode: boolean, shift: number, delta = 1, ties = false): Float64Array {
  const counts = c.counts;
  const rewards = c.rewards;
  const A = counts.length;
  const effect = new Float64Array(A);
  const nulls = c.nulls;
  const free = K - (sMode ? delta : 1);
  let population = nulls - 1; // one sample (of the answer whose effect is computed) is removed
  let maxCount = 0;
  for (const m of counts) {
    population += m;
    if (m > maxCount) maxCount = m;
  }
  for (let a = 0; a < A; a++) {
    const ra = rewards[a] as number;
    // loo-1: J without a vote gains r_a; s: J ∪ {a} with J all null scores r_a (level 1, below).
    effect[a] = sMode || ra === 0 ? 0 : ra * allNull(nulls, population, free);
  }
  if (sMode && free === 0) {
    // k = 1: J is empty, f({a}) = r_a (and {a} has no tie).
    if (!ties) for (let a = 0; a < A; a++) effect[a] = (rewards[a] as number) - shift;
    return effect;
  }
  if (free === 0 || A < (sMode ? 1 : 2)) return effect;
  const t = free / (population + 1 - free);
  const levels = Math.min(K >> 1, maxCount);
  if (levels < 1 && !sMode) return effect;

  // Canonical order: ascending (count, reward); at level y the answers with ≥ y copies are a suffix.
  const order = Int32Array.from({ length: A }, (_, i) => i).sort((x, y) =>
    (counts[x] as number) !== (counts[y] as number) ? (counts[x] as number) - (counts[y] as number) : (rewards[x] as number) - (rewards[y] as number),
  );
  // Runs of equal counts in that order: run i covers order[runStart[i] .. runStart[i + 1]).
  const runStart: number[] = [];
  for (let q = 0; q < A; q++) if (q === 0 || counts[order[q] as number] !== counts[order[q - 1] as number]) runStart.push(q);
  const runs = runStart.length;
  runStart.push(A);
  const width = free + 1;
  fx.reserve(width, runs, population + 2);
  // Full rows (the answer as one of the others) and reduced rows (count − 1: the answer itself),
  // degrees 0..levels (only those are read), one per run.
  const rowLen = levels + 1;
  const full = new Float64Array(runs * rowLen);
  const reduced = new Float64Array(runs * rowLen);
  for (let i = 0; i < runs; i++) {
    const m = counts[order[runStart[i] as number] as number] as number;
    binomialPmfRow(m, rowLen, t, full, i * rowLen, fx.pmf);
    binomialPmfRow(m - 1, rowLen, t, reduced, i * rowLen, fx.pmf);
  }
  // The normaliser: [z^(K−1)] of the product of every row (one reduced) = one binomial probability.
  const zRow = new Float64Array(width);
  binomialPmfRow(population, width, t, zRow, 0, fx.pmf);
  const Z = zRow[free] as number;
  if (!(Z > 0)) return effect;

  const c0 = sMode ? shift : referenceReward(c);
  const total = new Float64Array(A);
  const runSum1 = new Float64Array(runs);
  const runSumR = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    let s = 0;
    for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) s += split || sMode ? (rewards[order[q] as number] as number) - c0 : (rewards[order[q] as number] as number);
    runSum1[i] = (runStart[i + 1] as number) - (runStart[i] as number);
    runSumR[i] = s;
  }
  const levelSmall = new Float64Array(levels + 2);
  const loR = new Int32Array(runs);
  const hiR = new Int32Array(runs);
  const [P0, P1, P2] = fx.p as [Float64Array, Float64Array, Float64Array];
  const [S0, S1, S2] = fx.s as [Float64Array, Float64Array, Float64Array];
  const [M0, M1, M2, M3] = fx.m as [Float64Array, Float64Array, Float64Array, Float64Array];
  const [T0, T1, T2] = fx.stored as [Float64Array, Float64Array, Float64Array];
  const sw = fx.width;
  let firstRun = 0; // first run with count ≥ y
  let lumpSize = nulls; // nulls + samples of the answers with fewer than y copies
  // Per-level state read by the two helpers below (defined once per group, not per level).
  let eA = 0;
  let eAlpha = 0;
  let exact1 = false;
  let yy = 1;
  const loOf = (rest: number): number => (exact1 ? 0 : Math.max(0, eA + yy - rest));
  const dotAt = (M: Float64Array, mOff: number, loM: number, hiM: number, S: Float64Array, hiS: number, e: number): number =>
    exact1 ? hankelDot(M, mOff, hiM, S, hiS, e === (sMode ? eAlpha : eA) ? fx.hA : fx.hB, e) : dotAtDegree(M, mOff, loM, hiM, S, hiS, e);
  for (let y = 1; y <= levels; y++) {
    while ((counts[order[runStart[firstRun] as number] as number] as number) < y) {
      lumpSize += (counts[order[runStart[firstRun] as number] as number] as number) * ((runStart[firstRun + 1] as number) - (runStart[firstRun] as number));
      firstRun++;
    }
    const big = A - (runStart[firstRun] as number);
    if (big < (sMode ? 1 : 2)) break;
    eA = free - y; // others' and lump's degree when x_a = y
    const eB = eA + 1; // when x_a = y − 1
    // Highest degree of the others' and lump's product read: eB, and for forcedVoteMeans (β) all of
    // free − x, x ≤ y − 2.
    const eTop = sMode ? free : eB;
    eAlpha = free - y + delta; // forcedVoteMeans / leaveOneOutMeans: a at the top
    // Every answer at most y votes and the lump full cannot fill K − 1 slots: nothing at this level.
    if (big * y + lumpSize < free) continue;
    const lumpLen = Math.min(lumpSize, eTop) + 1;
    binomialPmfRow(lumpSize, lumpLen, t, fx.lump, 0, fx.pmf);
    const maxTies = sMode ? Math.min(big, Math.floor(free / y)) : Math.min(big - 1, Math.floor(eB / y));
    // Level 1 under 'split': the others' degree is their number of tied answers, so the weights
    // 1/(t + 1) and 1/(t(t + 1)) apply per degree (kernels hA, hB on the total degree of the two
    // sides, the lump kept out of the prefix) instead of by quadrature.
    exact1 = split && y === 1;
    yy = y;
    const gl = split && !exact1 ? gaussLegendre01(Math.ceil((maxTies + 1) / 2)) : undefined;
    const nodes = gl !== undefined ? gl.nodes.length : 1;
    if (exact1 && !sMode) {
      for (let d = 0; d <= eB; d++) {
        const lA = eA - d >= 0 && eA - d < lumpLen ? (fx.lump[eA - d] as number) : 0;
        const lB = eB - d < lumpLen ? (fx.lump[eB - d] as number) : 0;
        fx.hA[d] = lA / (d + 1);
        fx.hB[d] = d === 0 ? 0 : lB / (d * (d + 1));
      }
    } else if (exact1) {
      // (α) a at 1 with t others: 1/(t + 1) at degree eAlpha; (β) a at 0, t ≥ 1 others: 1/t at free.
      for (let d = 0; d <= free; d++) {
        const lA = eAlpha - d >= 0 && eAlpha - d < lumpLen ? (fx.lump[eAlpha - d] as number) : 0;
        const lB = free - d < lumpLen ? (fx.lump[free - d] as number) : 0;
        fx.hA[d] = lA / (d + 1);
        fx.hB[d] = d === 0 ? 0 : lB / d;
      }
    }
    // forcedVoteMeans: the lump with one sample of a small answer moved to that answer's reduced row.
    const smallLen = sMode && firstRun > 0 ? Math.min(lumpSize - 1, free) + 1 : 0;
    if (smallLen > 0) binomialPmfRow(lumpSize - 1, smallLen, t, fx.lump2, 0, fx.pmf);
    for (let node = 0; node < nodes; node++) {
      const u = gl !== undefined ? (gl.nodes[node] as number) : exact1 ? 1 : 0;
      const wt = gl !== undefined ? (gl.weights[node] as number) : 1;
      // Prefix pass: P = lump · the factors of runs firstRun.., stored at each run start.
      P0.fill(0, 0, eTop + 1);
      P1.fill(0, 0, eTop + 1);
      P2.fill(0, 0, eTop + 1);
      if (exact1) P0[0] = 1;
      else P0.set(fx.lump.subarray(0, lumpLen));
      let hi = exact1 ? 0 : lumpLen - 1;
      let rem = big * y; // degree the factors not yet in P can add
      for (let i = firstRun; i < runs; i++) {
        const g = (runStart[i + 1] as number) - (runStart[i] as number);
        let lo = loOf(rem);
        loR[i] = lo;
        hiR[i] = hi;
        const off = i * sw;
        T0.set(P0.subarray(lo, hi + 1), off + lo);
        T1.set(P1.subarray(lo, hi + 1), off + lo);
        T2.set(P2.subarray(lo, hi + 1), off + lo);
        if (i === runs - 1) break;
        const at = i * rowLen;
        for (let f = 0; f < g; f++) {
          const hiPrev = hi;
          hi = Math.min(eTop, hi + y);
          rem -= y;
          lo = loOf(rem);
          if (split) foldSplit(P0, P1, P2, full, at, y, u, f === 0 ? (runSum1[i] as number) : 0, f === 0 ? (runSumR[i] as number) : 0, lo, hi, hiPrev);
          else if (ties) foldTie(P0, P1, P2, full, at, y, lo, hi, hiPrev);
          else foldFail(P0, P1, P2, full, at, y, f === 0 ? (runSumR[i] as number) : 0, lo, hi, hiPrev);
        }
      }
      // Suffix pass, answering each run from its stored prefix and the run without one member.
      S0.fill(0, 0, eTop + 1);
      S1.fill(0, 0, eTop + 1);
      S2.fill(0, 0, eTop + 1);
      S0[0] = 1;
      let hiS = 0;
      for (let i = runs - 1; i >= firstRun; i--) {
        const g = (runStart[i + 1] as number) - (runStart[i] as number);
        const at = i * rowLen;
        const off = i * sw;
        // M = stored prefix · (g − 1) copies of the run's factor; M3 = the unit reward base of those copies.
        let lo = loR[i] as number;
        let hiM = hiR[i] as number;
        if (g > 1) {
          M0.fill(0, 0, eTop + 1);
          M1.fill(0, 0, eTop + 1);
          M2.fill(0, 0, eTop + 1);
          M3.fill(0, 0, eTop + 1);
          M0.set(T0.subarray(off + lo, off + hiM + 1), lo);
          M1.set(T1.subarray(off + lo, off + hiM + 1), lo);
          M2.set(T2.subarray(off + lo, off + hiM + 1), lo);
          let remM = y * (g + (A - (runStart[i + 1] as number)));
          for (let f = 0; f < g - 1; f++) {
            const hiPrev = hiM;
            hiM = Math.min(eTop, hiM + y);
            remM -= y;
            const lo2 = loOf(remM);
            const E = full[at + y] as number;
            if (f === 0) {
              // M3 = M0·E (before M0 is updated): the base of the reward channel of the g − 1 copies.
              for (let d = hiM; d >= lo2; d--) M3[d] = d - y >= lo && d - y <= hiPrev ? E * (M0[d - y] as number) : 0;
            } else if (split) foldOne(M3, full, at, y, u, lo2, hiM, hiPrev);
            else foldOne(M3, full, at, y, 0, lo2, hiM, hiPrev);
            if (split) foldSplit(M0, M1, M2, full, at, y, u, 0, 0, lo2, hiM, hiPrev);
            else if (ties) foldTie(M0, M1, M2, full, at, y, lo2, hiM, hiPrev);
            else foldFail(M0, M1, M2, full, at, y, 0, lo2, hiM, hiPrev);
            lo = lo2;
          }
        }
        if (ties) {
          // (α) a at the top with ≥ 1 other there; (β) a below with ≥ 2 others there.
          const N0 = g === 1 ? T0 : M0;
          const N1 = g === 1 ? T1 : M1;
          const N2 = g === 1 ? T2 : M2;
          const mo = g === 1 ? off : 0;
          const e = eAlpha;
          const atLeastOne =
            dotAt(N0, mo, lo, hiM, S1, hiS, e) + dotAt(N0, mo, lo, hiM, S2, hiS, e) +
            dotAt(N1, mo, lo, hiM, S0, hiS, e) + dotAt(N1, mo, lo, hiM, S1, hiS, e) + dotAt(N1, mo, lo, hiM, S2, hiS, e) +
            dotAt(N2, mo, lo, hiM, S0, hiS, e) + dotAt(N2, mo, lo, hiM, S1, hiS, e) + dotAt(N2, mo, lo, hiM, S2, hiS, e);
          let below = 0;
          if (y - 1 - delta >= 0) {
            for (let d = lo; d <= hiM; d++) {
              const ee = free - d;
              let u0 = 0;
              let u1 = 0;
              let u2 = 0;
              const xHi = Math.min(y - 1 - delta, ee);
              for (let x = Math.max(0, ee - hiS); x <= xHi; x++) {
                const cx = reduced[at + x] as number;
                u0 += cx * (S0[ee - x] as number);
                u1 += cx * (S1[ee - x] as number);
                u2 += cx * (S2[ee - x] as number);
              }
              below += (N0[mo + d] as number) * u2 + (N1[mo + d] as number) * (u1 + u2) + (N2[mo + d] as number) * (u0 + u1 + u2);
            }
          }
          const add = (reduced[at + y - delta] as number) * atLeastOne + below;
          for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) {
            const a = order[q] as number;
            total[a] = (total[a] as number) + add;
          }
        } else if (sMode) {
          const MV = g === 1 ? T0 : M0;
          const MR = g === 1 ? T2 : M2;
          const mo = g === 1 ? off : 0;
          const oV = dotAt(MV, mo, lo, hiM, S0, hiS, eAlpha);
          const oR = dotAt(MV, mo, lo, hiM, S2, hiS, eAlpha) + dotAt(MR, mo, lo, hiM, S0, hiS, eAlpha);
          const o3 = g === 1 ? 0 : dotAt(M3, 0, lo, hiM, S0, hiS, eAlpha);
          // (β): Σ_{x ≤ y−1−delta} c'_x·[z^(free − x)] (others · lump), via U = S ⊗ (a's reduced row
          // below the top). At level 1 (delta = 0) that is x = 0 with the per-degree weight 1/t.
          let bBase = 0;
          let b3 = 0;
          if (exact1 && delta === 0) {
            const c0x = reduced[at] as number;
            bBase = c0x * (dotAt(MV, mo, lo, hiM, S2, hiS, free) + dotAt(MR, mo, lo, hiM, S0, hiS, free));
            b3 = g === 1 ? 0 : c0x * dotAt(M3, 0, lo, hiM, S0, hiS, free);
          } else if (!exact1 && y - 1 - delta >= 0) {
            const rAt = at;
            for (let d = lo; d <= hiM; d++) {
              const e = free - d;
              let uV = 0;
              let uR = 0;
              const xHi = Math.min(y - 1 - delta, e);
              const xLo = Math.max(0, e - hiS);
              for (let x = xLo; x <= xHi; x++) {
                const cx = reduced[rAt + x] as number;
                uV += cx * (S0[e - x] as number);
                uR += cx * (S2[e - x] as number);
              }
              bBase += (MV[mo + d] as number) * uR + (MR[mo + d] as number) * uV;
              if (g > 1) b3 += (M3[d] as number) * uV;
            }
          }
          const cTop = reduced[at + y - delta] as number; // a at the top with y votes
          for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) {
            const a = order[q] as number;
            const ga = (rewards[a] as number) - c0;
            const sigma = (runSumR[i] as number) - ga; // the run's others' summed (shifted) reward
            const oRa = oR + sigma * o3;
            const bA = bBase + sigma * b3;
            let add: number;
            if (!split) add = ga * cTop * oV + bA;
            else if (exact1) add = cTop * (ga * oV + oRa) + bA;
            else add = wt * (cTop * (ga * oV + u * oRa) + bA);
            total[a] = (total[a] as number) + add;
          }
        }
        let dot0: number[] = [];
        if (sMode) {
          // answered above
        } else if (g === 1) {
          if (split) {
            dot0 = [
              dotAt(T0, off, lo, hiM, S1, hiS, eA), dotAt(T1, off, lo, hiM, S0, hiS, eA), 0, dotAt(T0, off, lo, hiM, S2, hiS, eA), dotAt(T2, off, lo, hiM, S0, hiS, eA),
              dotAt(T0, off, lo, hiM, S1, hiS, eB), dotAt(T1, off, lo, hiM, S0, hiS, eB), 0, dotAt(T0, off, lo, hiM, S2, hiS, eB), dotAt(T2, off, lo, hiM, S0, hiS, eB),
            ];
          } else {
            dot0 = [
              dotAt(T0, off, lo, hiM, S1, hiS, eA) + dotAt(T1, off, lo, hiM, S0, hiS, eA) + dotAt(T1, off, lo, hiM, S1, hiS, eA),
              dotAt(T0, off, lo, hiM, S2, hiS, eB) + dotAt(T2, off, lo, hiM, S0, hiS, eB),
              0,
            ];
          }
        } else {
          if (split) {
            dot0 = [
              dotAt(M0, 0, lo, hiM, S1, hiS, eA), dotAt(M1, 0, lo, hiM, S0, hiS, eA), dotAt(M3, 0, lo, hiM, S0, hiS, eA), dotAt(M0, 0, lo, hiM, S2, hiS, eA), dotAt(M2, 0, lo, hiM, S0, hiS, eA),
              dotAt(M0, 0, lo, hiM, S1, hiS, eB), dotAt(M1, 0, lo, hiM, S0, hiS, eB), dotAt(M3, 0, lo, hiM, S0, hiS, eB), dotAt(M0, 0, lo, hiM, S2, hiS, eB), dotAt(M2, 0, lo, hiM, S0, hiS, eB),
            ];
          } else {
            dot0 = [
              dotAt(M0, 0, lo, hiM, S1, hiS, eA) + dotAt(M1, 0, lo, hiM, S0, hiS, eA) + dotAt(M1, 0, lo, hiM, S1, hiS, eA),
              dotAt(M0, 0, lo, hiM, S2, hiS, eB) + dotAt(M2, 0, lo, hiM, S0, hiS, eB),
              dotAt(M3, 0, lo, hiM, S0, hiS, eB),
            ];
          }
        }
        for (let q = runStart[i] as number; q < (sMode ? 0 : (runStart[i + 1] as number)); q++) {
          const a = order[q] as number;
          const ra = rewards[a] as number;
          const cA = reduced[at + y] as number; // x_a = y
          const cB = reduced[at + y - 1] as number; // x_a = y − 1
          if (split) {
            const d = dot0 as number[];
            const ga = ra - c0;
            const sigmaR = (runSumR[i] as number) - ga; // Σ_{b in the run, b ≠ a} (r_b − c)
            const xA = ga * ((d[0] as number) + (d[1] as number) + (g - 1) * (d[2] as number)) - ((d[3] as number) + (d[4] as number) + sigmaR * (d[2] as number));
            const xB = ga * ((d[5] as number) + (d[6] as number) + (g - 1) * (d[7] as number)) - ((d[8] as number) + (d[9] as number) + sigmaR * (d[7] as number));
            total[a] = (total[a] as number) + (exact1 ? cA * xA + cB * xB : wt * (u * cA * xA + (1 - u) * cB * xB));
          } else {
            const d = dot0 as number[];
            const sigma = (runSumR[i] as number) - ra; // Σ_{b in the run, b ≠ a} r_b
            total[a] = (total[a] as number) + (ra === 0 ? 0 : ra * cA * (d[0] as number)) - cB * ((d[1] as number) + sigma * (d[2] as number));
          }
        }
        const last = i === firstRun;
        if (last && smallLen === 0) break;
        // Fold the run into the suffix (summed reward channel on its first copy). The next run answered
        // (i − 1) reads the suffix only from degree eA − (its prefix's top degree) on; after the first
        // run (forcedVoteMeans with small answers) the whole product meets the moved lump.
        const gNext = last ? 0 : (runStart[i] as number) - (runStart[i - 1] as number);
        const loTarget = exact1
          ? 0
          : last
            ? Math.max(0, free - lumpSize)
            : Math.max(0, eA - Math.min(eTop, (hiR[i - 1] as number) + (gNext - 1) * y));
        for (let f = 0; f < g; f++) {
          const hiPrev = hiS;
          hiS = Math.min(eTop, hiS + y);
          const loS = Math.max(0, loTarget - y * (g - 1 - f));
          if (split) foldSplit(S0, S1, S2, full, at, y, u, f === 0 ? (runSum1[i] as number) : 0, f === 0 ? (runSumR[i] as number) : 0, loS, hiS, hiPrev);
          else if (ties) foldTie(S0, S1, S2, full, at, y, loS, hiS, hiPrev);
          else foldFail(S0, S1, S2, full, at, y, f === 0 ? (runSumR[i] as number) : 0, loS, hiS, hiPrev);
        }
        if (last) {
          // (β) of every answer with fewer than y copies: Σ_d lump'[free − d]·S.R[d].
          let bs = 0;
          const dLo = Math.max(Math.max(0, free - lumpSize), free - (smallLen - 1));
          for (let d = Math.max(dLo, 0); d <= Math.min(hiS, free); d++) bs += (fx.lump2[free - d] as number) * (S2[d] as number);
          levelSmall[y] = (levelSmall[y] as number) + (split ? wt * bs : bs);
        }
      }
    }
  }
  if (sMode) {
    // Answers below level y took the shared (β) term of that level.
    const suffixSum = new Float64Array(levels + 2);
    for (let y = levels; y >= 1; y--) suffixSum[y] = (suffixSum[y + 1] as number) + (levelSmall[y] as number);
    for (let a = 0; a < A; a++) {
      const m = counts[a] as number;
      if (m + 1 <= levels) total[a] = (total[a] as number) + (suffixSum[m + 1] as number);
    }
    if (!ties) highLevels(fx, c, K, t, shift, delta, total);
  }
  for (let a = 0; a < A; a++) effect[a] = (total[a] as number) / Z + (effect[a] as number);
  return effect;
}

/** C(m₀, K)/C(N, K): the probability that a uniform K-subset of N samples, m₀ of them null, is all null. */
function allNull(m0: number, N: number, K: number): number {
  if (m0 < K) return 0;
  let p = 1;
  for (let i = 0; i < K; i++) p *= (m0 - i) / (N - i);
  return p;
}

/**
 * The reward of the most frequent answer (the largest such reward on a tie of counts; 0 without
 * answers): the reward the 'loo' and 'loo-1' weights are computed relative to. It depends only on the
 * multiset of (count, reward), so relabelling and permuting samples leave the weights bit-identical.
 */
function referenceReward(c: GroupClusters): number {
  let best = 0;
  let r = 0;
  c.counts.forEach((m, a) => {
    const ra = c.rewards[a] as number;
    if (m > best || (m === best && ra > r)) (best = m), (r = ra);
  });
  return r;
}

/** Rewards of a group reaching this magnitude are rescaled by 2^-40 (see {@link rescaled}). */
const BIG_REWARD = 2 ** 990;

/**
 * The group with its rewards times 2^-40 when one reaches 2^990 in magnitude, and the factor to scale
 * results back by. maj@k and its weights are positively homogeneous in the rewards, and 2^-40 is exact
 * (but for rewards below 2^-1034, far below the group's scale), so no sum of the DP can overflow while
 * the exact result is representable.
 */
function rescaled(c: GroupClusters): { c: GroupClusters; back: number } {
  let big = 0;
  for (const r of c.rewards) big = Math.max(big, Math.abs(r));
  if (big < BIG_REWARD) return { c, back: 1 };
  return { c: { ...c, rewards: c.rewards.map((r) => r * 2 ** -40) }, back: 2 ** 40 };
}

/**
 * x·back (back = 1 or 2^40): a result within rounding of ±MAX_VALUE stays finite (±MAX_VALUE), one
 * further out is ±Infinity (its exact value is not representable).
 */
function scaleBack(x: number, back: number): number {
  const y = x * back;
  if (back === 1 || Number.isFinite(y) || !(Math.abs(x) <= (Number.MAX_VALUE / back) * (1 + 2 ** -50))) return y;
  return y > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

/** The counts with one sample of answer `a` (or one null, a = −1) removed. */
function withoutOne(c: GroupClusters, a: number): { counts: number[]; nulls: number } {
  if (a < 0) return { counts: c.counts, nulls: c.nulls - 1 };
  const counts = c.counts.slice();
  counts[a] = (counts[a] as number) - 1;
  return { counts, nulls: c.nulls };
}

// ---------------------------------------------------------------------------------------------------
// Public API.

/**
 * The unbiased maj@k estimate from n ≥ k samples: the mean, over all C(n, k) k-subsets, of the reward
 * of the subset's most frequent answer. Null/undefined answers take a slot but never win; a
 * subset of only null answers scores 0. Ties follow `opts.ties` (default `'split'`: mean reward of the
 * tied answers). Exact (to rounding) and polynomial: a DP over answer counts, never raw binomials, so
 * n = 1024 with any k ≤ n works. Returns a number for one group, a Float64Array when batched.
 *
 * Unlike lm-eval's "majority of the first k samples", every sample is used, which lowers the variance
 * (docs/estimators/majority-vote.md has the numbers).
 *
 * @param answers - one parsed answer per sample: string or number (1 and '1' are different answers),
 *   null/undefined for no parsable answer. NaN is refused.
 * @param rewards - the finite reward of each sample's answer; equal answers must carry equal rewards.
 * @param k - 1 ≤ k ≤ n in every group.
 * @example
 * ```ts
 * const answers = [0, 0, 1, 1, 2, 0, 3, 1];
 * const rewards = answers.map((a) => (a === 0 ? 1 : 0));
 * majorityAtK(answers, rewards, 3); // 0.4107142857142858 (= 23/56)
 * majorityAtK(answers, rewards, 3, { ties: 'fail' }); // 0.28571428571428575 (= 16/56)
 * majorityAtK(['a', 'a', null, 'b'], [1, 1, 0, 0], 2, { groupSize: 2 }); // Float64Array [1, 0]
 * ```
 */
export function majorityAtK<O extends MajorityAtKOptions = Record<never, never>>(
  answers: ArrayLike<Answer>,
  rewards: ArrayLike<number>,
  k: number,
  opts?: O,
): MetricResult<O> {
  const p = prepareMetric('majorityAtK', k, opts, {
    inputs: [
      ['answers', answers, checkArrayLike],
      ['rewards', rewards, checkFiniteArray],
    ],
    keys: ['ties'],
    options: () => checkChoice(opts?.ties, 'opts.ties', TIE_POLICIES, 'split') === 'split',
  });
  const [answerArr, rewardArr] = p.arrays as [ArrayLike<unknown>, ArrayLike<number>];
  const { layout, out, k: kk, extra: split } = p;
  const { offsets, groups } = layout;
  const clusters = clusterAll(answerArr, rewardArr, offsets, groups);
  const ws = new Workspace();
  for (let b = 0; b < groups; b++) {
    const { c, back } = rescaled(clusters[b] as GroupClusters);
    out[b] = scaleBack(expectedMajority(ws, c.counts, c.rewards, c.nulls, kk, split, -1), back);
  }
  return metricResult(layout, out) as MetricResult<O>;
}

/**
 * Per-sample gradient weights of maj@k: s_i = (1/C(n,k)) Σ_{I∋i} f(I) — equivalently
 * (k/n)·(maj@(k−1) of the other samples with sample i's vote added) — minus the chosen baseline:
 * `'loo'` (k/n)·ρ(g₋ᵢ, k), `'loo-pkpo'` (k/(n−1))·ρ(g₋ᵢ, k), `'loo-1'` (default) (k/n)·ρ(g₋ᵢ, k−1).
 * All samples with the same answer get the same weight; under `'loo-1'` a null answer gets exactly 0.
 * With n = k and `'loo-1'` this is Tang et al.'s majority-vote leave-one-out gradient.
 *
 * Sum form: multiply each sample's summed token log-probs by its weight and add; `scale: 'mean'`
 * multiplies by n for trainers that average over the group.
 *
 * @param answers - one parsed answer per sample (see {@link majorityAtK}).
 * @param rewards - the finite reward of each sample's answer; equal answers must carry equal rewards.
 * @param k - 1 ≤ k ≤ n in every group (≤ n − 1 for `'loo'` and `'loo-pkpo'`).
 * @example
 * ```ts
 * const answers = [0, 0, 1, 1, 2, 0, 3, 1];
 * const rewards = answers.map((a) => (a === 0 ? 1 : 0));
 * majorityVoteWeights(answers, rewards, 3, { baseline: 'none' });
 * // Float64Array [0.238095…, 0.238095…, 0.0892857…, 0.0892857…, 0.125, 0.238095…, 0.125, 0.0892857…]
 * //               (= 5/21 for answer 0, 5/56 for answer 1, 1/8 for the singletons 2 and 3)
 * majorityVoteWeights(answers, rewards, 3); // loo-1
 * // Float64Array [0.130952…, 0.130952…, −0.0714285…, −0.0714285…, −0.0357142…, 0.130952…, −0.0357142…, −0.0714285…]
 * ```
 */
export function majorityVoteWeights<Out extends WeightArray = Float64Array>(
  answers: ArrayLike<Answer>,
  rewards: ArrayLike<number>,
  k: number,
  opts?: MajorityVoteWeightsOptions<Out>,
): Out {
  const p = prepareKSample('majorityVoteWeights', k, opts, {
    inputs: [
      ['answers', answers, checkArrayLike],
      ['rewards', rewards, checkFiniteArray],
    ],
    keys: ['ties'],
    options: () => checkChoice(opts?.ties, 'opts.ties', TIE_POLICIES, 'split') === 'split',
  });
  const [answerArr, rewardArr] = p.arrays as [ArrayLike<unknown>, ArrayLike<number>];
  const split = p.extra;
  const { offsets, groups } = p.layout;
  const kk = p.k;
  const baseline = p.effectiveBaseline;
  const clusters = clusterAll(answerArr, rewardArr, offsets, groups);
  const ws = new Workspace();
  const fx = new EffectScratch();
  for (let g = 0; g < groups; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    const n = end - start;
    const { c, back } = rescaled(clusters[g] as GroupClusters);
    const scale = p.scaleByN ? n : 1;
    // 'loo' works on the rewards minus the most frequent answer's (see below).
    const shift = baseline === 'loo' ? referenceReward(c) : 0;
    const dRewards = shift === 0 ? c.rewards : c.rewards.map((r) => r - shift);
    // 'loo-1': every answer's one-vote effect from one shared computation (computed on first use).
    let effects: Float64Array | undefined;
    // 'none', 'loo-pkpo' and 'loo' ('split'): every answer's E[f(J ∪ {a})] and ρ(g₋ᵢ, k), each from one
    // shared level pass over the group (computed on first use).
    let forced: Float64Array | undefined;
    let without: Float64Array | undefined;
    const useForced = baseline === 'none' || baseline === 'loo-pkpo' || baseline === 'loo';
    let sTies: Float64Array | undefined;
    let bTies: Float64Array | undefined;
    const weightOf = (a: number): number => {
      // A null vote never changes the winner of the other k − 1: under loo-1 its s_i equals its baseline.
      if (a < 0 && baseline === 'loo-1') return 0;
      const rest = withoutOne(c, a);
      // 'loo-1': (k/n)·E[f(J ∪ {i}) − f(J)] as the expectation of the difference itself.
      if (baseline === 'loo-1') {
        effects ??= oneVoteEffects(fx, c, kk, split);
        return (kk / n) * (effects[a] as number) * scale;
      }
      if (a >= 0 && useForced) {
        forced ??= forcedVoteMeans(fx, c, kk, split, shift);
        const sA = forced[a] as number;
        if (baseline === 'none') return (kk / n) * sA * scale;
        without ??= leaveOneOutMeans(fx, c, kk, split, shift);
        const bA = without[a] as number;
        if (baseline === 'loo-pkpo') return ((kk / n) * sA - (kk / (n - 1)) * bA) * scale;
        // 'loo' on rewards shifted by c: f_r = f_{r−c} + c·ν, ν = [the subset has a vote] ('split') or
        // [it has a sole winner] ('fail'). J ∪ {i} always has a vote, so c returns through P(a k-subset
        // of the others is all null) and, for 'fail', the two sides' probabilities of a tied top.
        const bEmpty = shift === 0 ? 0 : allNull(c.nulls, n - 1, kk);
        let nuDiff = bEmpty;
        if (!split && shift !== 0) {
          sTies ??= tieMeans(fx, c, kk, 1);
          bTies ??= tieMeans(fx, c, kk, 0);
          nuDiff = (bTies[a] as number) + bEmpty - (sTies[a] as number);
        }
        return (kk / n) * (sA - bA + (shift === 0 ? 0 : shift * nuDiff)) * scale;
      }
      if (baseline === 'loo') {
        // s_i − (k/n)·ρ(g₋ᵢ, k) on rewards shifted by the most frequent answer's, c (docs: "Baselines
        // without cancellation"): f_r = f_{r−c} + c·ν with ν = [the subset has a vote] ('split') or
        // [it has a sole winner] ('fail'), so with a likely winner both DP terms are small when the
        // weight is, and c comes back through exact probabilities of empty and (for 'fail') tied subsets.
        const sK = a >= 0 ? kk : kk - 1;
        const s = expectedMajority(ws, rest.counts, dRewards, rest.nulls, sK, split, a, !split);
        const sTies = ws.ties;
        const b = expectedMajority(ws, rest.counts, dRewards, rest.nulls, kk, split, -1, !split);
        const bTies = ws.ties;
        const N = n - 1;
        let nuDiff: number; // E ν(the k-subset of s_i) − E ν(a uniform k-subset of the others)
        if (a >= 0) {
          // J ∪ {i} always has a vote.
          const bEmpty = allNull(rest.nulls, N, kk);
          nuDiff = split ? bEmpty : bTies + bEmpty - sTies;
        } else {
          // A null sample: J of size k − 1 against I of size k, P(I empty) − P(J empty) = −P(J empty)·(N − m₀)/(N − k + 1).
          const emptyDiff = -allNull(rest.nulls, N, kk - 1) * ((N - rest.nulls) / (N - kk + 1));
          nuDiff = split ? emptyDiff : bTies - sTies + emptyDiff;
        }
        return (kk / n) * (s - b + (shift === 0 ? 0 : shift * nuDiff)) * scale;
      }
      const s =
        a >= 0
          ? expectedMajority(ws, rest.counts, c.rewards, rest.nulls, kk, split, a)
          : expectedMajority(ws, rest.counts, c.rewards, rest.nulls, kk - 1, split, -1);
      switch (baseline) {
        case 'none':
          return (kk / n) * s * scale;
        case 'loo-pkpo':
          return ((kk / n) * s - (kk / (n - 1)) * expectedMajority(ws, rest.counts, c.rewards, rest.nulls, kk, split, -1)) * scale;
      }
    };
    // Answers with the same count and reward get the same weight (many singletons are common).
    const memo = new Map<number, Map<number, number>>();
    const clusterWeights = c.counts.map((m, a) => {
      const r = c.rewards[a] as number;
      let byReward = memo.get(m);
      if (byReward === undefined) memo.set(m, (byReward = new Map()));
      let w = byReward.get(r);
      if (w === undefined) byReward.set(r, (w = scaleBack(weightOf(a), back)));
      return w;
    });
    const nullWeight = c.nulls > 0 ? scaleBack(weightOf(-1), back) : 0;
    for (let i = 0; i < n; i++) {
      const id = c.ids[i] as number;
      p.out[start + i] = id < 0 ? nullWeight : (clusterWeights[id] as number);
    }
  }
  // Each weight is written once (a Float32Array rounds it there); refuse one that overflowed float32.
  checkFloat32Output(p.out, p.layout);
  return p.out as Out;
}

/**
 * The majority vote of one set of answers: the most frequent non-null answer, its vote count and every
 * answer tied with it. Null/undefined answers never win; answers compare as in {@link majorityAtK}
 * (1 and '1' differ). This is what maj@k scores for one k-subset; use {@link majorityAtK} to estimate
 * maj@k from n ≥ k samples.
 *
 * There is deliberately no `consensusAtK` alias: "cons@k" in papers usually means the vote over one
 * fixed set of k samples, which is this function (or lm-eval's first-k estimate), not the unbiased
 * estimator — one name for both would invite comparing numbers that differ.
 *
 * @example
 * ```ts
 * majorityAnswer(['7', '7', '8', null]); // { answer: '7', votes: 2, tied: ['7'] }
 * majorityAnswer([3, 4, 4, 3]); // { answer: 3, votes: 2, tied: [3, 4] }
 * majorityAnswer([3, 4, 4, 3], { ties: 'fail' }); // { answer: null, votes: 2, tied: [3, 4] }
 * ```
 */
export function majorityAnswer(answers: ArrayLike<Answer>, opts?: MajorityAnswerOptions): MajorityAnswerResult {
  checkOptions(opts, 'majorityAnswer', ['ties']);
  const arr = checkArrayLike(answers, 'answers');
  const ties = checkChoice(opts?.ties, 'opts.ties', TIE_POLICIES, 'split');
  const votes = new Map<string | number, number>();
  let best = 0;
  for (let i = 0; i < arr.length; i++) {
    const a = arr[i];
    if (!checkAnswer(a, i)) continue;
    const v = (votes.get(a) ?? 0) + 1;
    votes.set(a, v);
    if (v > best) best = v;
  }
  const tied: (string | number)[] = [];
  for (const [a, v] of votes) if (v === best) tied.push(a);
  const answer = tied.length === 0 || (tied.length > 1 && ties === 'fail') ? null : (tied[0] as string | number);
  return { answer, votes: best, tied };
}

/**
 * Multiplies one answer's row into the tie-tracking polynomials of level j, in place: row tt of V holds
 * the ways to fill d slots with tt answers at exactly j votes and the rest below j, R the same weighted
 * by reward. `coef[at + x]` is the answer's (normalised) count row, E = coef[at + j] its "exactly j" term
 * and rE = reward · E. Only degrees in [lo, hi] that can still matter are computed; with
 * `saturateAt2`, row 2 absorbs "two or more answers at j" (what 'fail' needs).
 */
function foldAnswerRow(
  V: Float64Array,
  R: Float64Array,
  coef: Float64Array,
  at: number,
  E: number,
  rE: number,
  j: number,
  width: number,
  ties: number,
  lo: number,
  hi: number,
  hiPrev: number,
  factors: number,
  saturateAt2: boolean,
): void {
  for (let tt = ties; tt >= 0; tt--) {
    const row = tt * width;
    const prev = row - width;
    const satRow = saturateAt2 && tt === 2;
    // tt answers sit at j and the other factors below j: only these degrees can be non-zero.
    const dLo = Math.max(lo, tt * j);
    const dHi = Math.min(hi, satRow ? factors * j : tt * j + (factors - tt) * (j - 1));
    for (let d = dHi; d >= dLo; d--) {
      const top = d < j - 1 ? d : j - 1;
      const bottom = d > hiPrev ? d - hiPrev : 0;
      let v = 0;
      let r = 0;
      if (tt === 0) {
        for (let x = bottom; x <= top; x++) v += (coef[at + x] as number) * (V[row + d - x] as number);
      } else {
        for (let x = bottom; x <= top; x++) {
          const c = coef[at + x] as number;
          v += c * (V[row + d - x] as number);
          r += c * (R[row + d - x] as number);
        }
        if (d >= j) {
          const vPrev = satRow ? (V[prev + d - j] as number) + (V[row + d - j] as number) : (V[prev + d - j] as number);
          v += E * vPrev;
          r += E * (R[prev + d - j] as number) + rE * vPrev;
        }
      }
      V[row + d] = v;
      R[row + d] = r;
    }
  }
}

// Deprecated names: the per-sample gradient weights were called `*Advantage` before the naming rule of
// CONTRIBUTING.md ("Names"). Each alias is the same function; removed in the next major version.

/**
 * @deprecated Renamed {@link majorityVoteWeights} (per-sample gradient weights are `*Weights` everywhere); the
 * same function under its old name, kept so existing code does not break.
 * @example
 * ```ts
 * majorityVoteAdvantage(['a', 'a', 'b'], [1, 1, 0], 2); // same as majorityVoteWeights
 * ```
 */
export const majorityVoteAdvantage = majorityVoteWeights;

/** @deprecated Renamed {@link MajorityVoteWeightsOptions}. */
export type MajorityVoteAdvantageOptions<Out extends WeightArray = WeightArray> = MajorityVoteWeightsOptions<Out>;
