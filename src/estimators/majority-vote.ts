/**
 * Majority voting (maj@k, self-consistency): the unbiased maj@k estimate from n ≥ k samples and its
 * per-sample gradient weights (docs/estimators/weights.md), in polynomial time by a dynamic program
 * over answer counts. Math, the DP and the tie policies: docs/estimators/majority-vote.md.
 */
import { DomainError, InvalidArgumentError, show } from '../errors.js';
import type { BackendOptions } from '../backends/registry.js';
import { metricResult, type MetricOutputOptions, type MetricResult } from '../groups.js';
import type { Answer } from '../registry.js';
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
 * Options of {@link majorityVoteWeights}: tie policy, baseline, scale, batching, output, backend (the
 * name is checked; every backend runs the same exact DP).
 */
export interface MajorityVoteWeightsOptions extends KSampleWeightOptions {
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

/** Clusters every group first, so that a bad answer throws before anything is written to `out`. */
function clusterAll(answers: ArrayLike<unknown>, rewards: ArrayLike<number>, offsets: Int32Array, groups: number): GroupClusters[] {
  const clusters: GroupClusters[] = [];
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

/** Growable (V, R) tie-DP states, one per depth of the leave-one-out recursion of {@link oneVoteEffects}. */
class StateStack {
  V: Float64Array[] = [];
  R: Float64Array[] = [];
  at(depth: number, cells: number): void {
    while (this.V.length <= depth) {
      this.V.push(new Float64Array(0));
      this.R.push(new Float64Array(0));
    }
    if ((this.V[depth] as Float64Array).length < cells) {
      this.V[depth] = new Float64Array(cells);
      this.R[depth] = new Float64Array(cells);
    }
  }
}

/**
 * E[f(J ∪ {a}) − f(J)] over the uniformly random (K − 1)-subsets J of a group with the given answer
 * counts, rewards and null count (a's count already excludes the added vote): the loo-1 weight of a
 * sample of answer a, up to the factor k/n, computed as an expectation of the difference itself so that
 * it is accurate relative to its own size (docs/estimators/majority-vote.md, "Baselines without
 * cancellation").
 *
 * One more vote for a changes f(J) only when J's top count M is x_a or x_a + 1, so by level j = M:
 * - x_a = j with t ≥ 1 other answers at j: a becomes the sole winner; 'split' gains
 *   Σ_{b at j} (r_a − r_b)/(t + 1), 'fail' gains r_a;
 * - x_a = j − 1 with t ≥ 1 answers at j: a joins the tie; 'split' gains Σ_{b at j} (r_a − r_b)/(t(t + 1)),
 *   'fail' loses r_w when t = 1 (the sole winner w), nothing otherwise;
 * - J without a vote (all null): f goes from 0 to r_a.
 * Both need t ≥ 1 other answers at j and at least 2j − 1 ≤ K − 1 votes, so only levels j ≤ K/2 occur.
 * Per level, the tie DP of {@link expectedMajority} runs over the other answers with the reward channel
 * carrying r_b − r_a ('split') or r_b ('fail', which instead keeps a saturating row of ≥ 2 answers at j),
 * and a's row enters as its coefficient at j or j − 1.
 *
 * This runs for every answer of the group at once (entry a of the result).
 *
 * The per-answer DPs share almost everything: every answer other than a keeps its full count, so at
 * level j the tie DP of answer a is the product of the level factors of all answers that can reach j,
 * but a's. Instead of one product per answer (O(B_j²) factor multiplications per level), a divide-and-
 * conquer over the factors in DP order gives every "all but one" product in O(B_j·log B_j): the state
 * for a segment holds every factor outside it; the left half is entered with the right half folded in
 * and vice versa. Runs of equal rows are one leaf (the leaf folds the run's other members), so the
 * summed-reward-on-the-first-row rule of {@link expectedMajority} is kept. Under 'split' the reward
 * channel carries r_b − r_a, which depends on a; one pass per distinct reward value among the answers
 * at the level keeps it exact (two passes for 0/1 rewards; as many as answers for all-distinct rewards,
 * which is the per-answer cost again). The normalisers, which depend on a only through its count, come
 * from prefix and suffix products over the runs.
 */
function oneVoteEffects(ws: Workspace, c: GroupClusters, K: number, split: boolean): Float64Array {
  const counts = c.counts;
  const rewards = c.rewards;
  const A = counts.length;
  const effect = new Float64Array(A);
  const nulls = c.nulls;
  const free = K - 1;
  let population = nulls - 1; // one sample (of the answer whose effect is computed) is removed
  for (const m of counts) population += m;
  for (let a = 0; a < A; a++) {
    const ra = rewards[a] as number;
    effect[a] = ra === 0 ? 0 : ra * allNull(nulls, population, free);
  }
  if (free === 0 || A === 0) return effect;
  const t = free / (population + 1 - free);
  const width = free + 1;

  // Full rows of every answer (as one of the others) and reduced rows (count − 1, the answer itself).
  let coefs = 0;
  for (const m of counts) coefs += 2 * (Math.min(m, free) + 1);
  ws.reserve(A, coefs, free, 1);
  const { coef, start, deg, reward, order, size } = ws;
  const redStart = new Int32Array(A);
  const redDeg = new Int32Array(A);
  let used = 0;
  const before = (x: number, y: number): boolean =>
    (deg[x] as number) !== (deg[y] as number)
      ? (deg[x] as number) > (deg[y] as number)
      : (size[x] as number) !== (size[y] as number)
        ? (size[x] as number) > (size[y] as number)
        : (reward[x] as number) > (reward[y] as number);
  for (let b = 0; b < A; b++) {
    const m = counts[b] as number;
    const len = Math.min(m, free) + 1;
    scaledBinomialRow(m, len, t, coef, used);
    start[b] = used;
    deg[b] = len - 1;
    size[b] = m;
    reward[b] = rewards[b] as number;
    used += len;
    const rLen = Math.min(m - 1, free) + 1;
    scaledBinomialRow(m - 1, rLen, t, coef, used);
    redStart[b] = used;
    redDeg[b] = rLen - 1;
    used += rLen;
    let q = b;
    while (q > 0 && before(order[q - 1] as number, b)) {
      order[q] = order[q - 1] as number;
      q--;
    }
    order[q] = b;
  }
  // Runs of equal rows (same count) in DP order: run i covers order[runStart[i] .. runStart[i + 1]).
  const runStart: number[] = [];
  for (let q = 0; q < A; q++) {
    if (q === 0 || size[order[q] as number] !== size[order[q - 1] as number]) runStart.push(q);
  }
  const runs = runStart.length;
  runStart.push(A);

  // Normalisers: Z(run i) = [z^free] nulls · Π_{other runs} rows · row^(g−1) · reduced row.
  const pre: Float64Array[] = [new Float64Array(width)];
  scaledBinomialRow(nulls, Math.min(nulls, free) + 1, t, pre[0] as Float64Array, 0);
  const fold = (poly: Float64Array, b: number): void => multiplyInto(poly, coef, start[b] as number, deg[b] as number, free);
  for (let i = 0; i < runs; i++) {
    const p = (pre[i] as Float64Array).slice();
    for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) fold(p, order[q] as number);
    pre.push(p);
  }
  const suf = new Float64Array(width);
  suf[0] = 1;
  const Z = new Float64Array(runs);
  const tmp = new Float64Array(width);
  for (let i = runs - 1; i >= 0; i--) {
    const q0 = runStart[i] as number;
    const q1 = runStart[i + 1] as number;
    const b0 = order[q0] as number;
    tmp.set(pre[i] as Float64Array);
    for (let q = q0 + 1; q < q1; q++) fold(tmp, order[q] as number);
    multiplyInto(tmp, coef, redStart[b0] as number, redDeg[b0] as number, free);
    let z = 0;
    for (let d = 0; d <= free; d++) z += (tmp[d] as number) * (suf[free - d] as number);
    Z[i] = z;
    for (let q = q0; q < q1; q++) fold(suf, order[q] as number);
  }

  const total = new Float64Array(A);
  const lump = new Float64Array(width);
  lump.set(pre[0] as Float64Array);
  let lumpDeg = Math.min(free, nulls);
  let lumped = 0; // answers (in DP order) with degree < j, already in the lump
  let runLo = 0; // first run not in the lump
  const stack = new StateStack();
  const blockSum = new Float64Array(runs);
  const isTarget = new Uint8Array(runs);
  let maxDeg = 0;
  for (let b = 0; b < A; b++) maxDeg = Math.max(maxDeg, deg[b] as number);
  const levels = Math.min(K >> 1, maxDeg);
  for (let j = 1; j <= levels; j++) {
    while (lumped < A && (deg[order[lumped] as number] as number) < j) {
      fold(lump, order[lumped] as number);
      lumpDeg = Math.min(free, lumpDeg + (deg[order[lumped] as number] as number));
      lumped++;
    }
    while ((runStart[runLo] as number) < lumped) runLo++;
    const big = A - lumped - 1; // the others of any answer at this level
    if (big <= 0) break;
    const kLo = free - j;
    const kHi = kLo + 1;
    if (big * j + lumpDeg < kLo) continue;
    const T = Math.min(big, Math.floor(kHi / j), split ? big : 2);
    const cells = (T + 1) * width;
    const sat = !split;

    /** Folds answer b into state `depth` as its (f + 1)-th factor. */
    const foldInto = (depth: number, b: number, f: number, rSum: number): void => {
      const at = start[b] as number;
      const E = coef[at + j] as number;
      const hiPrev = Math.min(kHi, f * j);
      const hi = Math.min(kHi, (f + 1) * j);
      const lo = Math.max(0, kLo - lumpDeg - j * (big - f - 1));
      foldAnswerRow(stack.V[depth] as Float64Array, stack.R[depth] as Float64Array, coef, at, E, rSum * E, j, width, Math.min(T, f + 1), lo, hi, hiPrev, f + 1, sat);
    };
    /** Folds whole runs [i0, i1) into state `depth`, which holds f factors; returns the new count. */
    const foldRuns = (depth: number, i0: number, i1: number, f: number): number => {
      for (let i = i0; i < i1; i++) {
        for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) {
          foldInto(depth, order[q] as number, f, q === runStart[i] ? (blockSum[i] as number) : 0);
          f++;
        }
      }
      return f;
    };
    const copyState = (from: number, to: number): void => {
      stack.at(to, cells);
      (stack.V[to] as Float64Array).set((stack.V[from] as Float64Array).subarray(0, cells));
      (stack.R[to] as Float64Array).set((stack.R[from] as Float64Array).subarray(0, cells));
    };
    /** Answer a (of run i) with the others' product in state `depth` (f = big factors): level j's terms. */
    const finish = (depth: number, a: number): void => {
      const V = stack.V[depth] as Float64Array;
      const R = stack.R[depth] as Float64Array;
      const ra = rewards[a] as number;
      const lo = Math.max(0, kLo - lumpDeg);
      const hi = Math.min(kHi, big * j);
      const ties = Math.min(T, big);
      const at = redStart[a] as number;
      const degA = redDeg[a] as number;
      const cA = j <= degA ? (coef[at + j] as number) : 0;
      const cB = coef[at + j - 1] as number;
      let sum = 0;
      for (let tt = 1; tt <= ties; tt++) {
        const row = tt * width;
        const X = split ? R : V;
        let sA = 0;
        if (cA !== 0 && (split || ra !== 0)) {
          for (let d = Math.max(lo, tt * j); d <= Math.min(hi, kLo); d++) sA += (X[row + d] as number) * (lump[kLo - d] as number);
        }
        let sB = 0;
        if (split || tt === 1) {
          for (let d = Math.max(lo, tt * j); d <= hi; d++) sB += (R[row + d] as number) * (lump[kHi - d] as number);
        }
        if (split) sum -= (cA * sA) / (tt + 1) + (cB * sB) / (tt * (tt + 1));
        else sum += ra * cA * sA - cB * sB;
      }
      total[a] = (total[a] as number) + sum;
    };
    /** The answers of run i that are targets: the leaf folds the run's other members, then finishes. */
    const leaf = (depth: number, i: number, f: number, rho: number): void => {
      const q0 = runStart[i] as number;
      const q1 = runStart[i + 1] as number;
      const done = new Set<number>();
      for (let q = q0; q < q1; q++) {
        const a = order[q] as number;
        const ra = rewards[a] as number;
        if ((split && ra !== rho) || done.has(ra)) continue;
        done.add(ra);
        copyState(depth, depth + 1);
        // The run without a: split carries Σ (r_b − r_a) of the run (a's own term is 0), fail Σ_{b ≠ a} r_b.
        let rSum = 0;
        if (split) rSum = blockSum[i] as number;
        else {
          let skipped = false;
          for (let q2 = q0; q2 < q1; q2++) {
            const r = rewards[order[q2] as number] as number;
            if (!skipped && r === ra) skipped = true;
            else rSum += r;
          }
        }
        let g = f;
        let first = true;
        let skippedA = false;
        for (let q2 = q0; q2 < q1; q2++) {
          const b = order[q2] as number;
          if (!skippedA && (rewards[b] as number) === ra) {
            skippedA = true;
            continue;
          }
          foldInto(depth + 1, b, g++, first ? rSum : 0);
          first = false;
        }
        finish(depth + 1, a);
        for (let q2 = q0; q2 < q1; q2++) {
          const b = order[q2] as number;
          if (b !== a && (rewards[b] as number) === ra) total[b] = total[a] as number;
        }
      }
    };
    const hasTarget = (i0: number, i1: number): boolean => {
      for (let i = i0; i < i1; i++) if (isTarget[i] === 1) return true;
      return false;
    };
    const recurse = (depth: number, i0: number, i1: number, f: number, rho: number): void => {
      if (!hasTarget(i0, i1)) return;
      if (i1 - i0 === 1) {
        leaf(depth, i0, f, rho);
        return;
      }
      const mid = (i0 + i1) >> 1;
      copyState(depth, depth + 1);
      const fl = foldRuns(depth + 1, mid, i1, f);
      recurse(depth + 1, i0, mid, fl, rho);
      copyState(depth, depth + 1);
      const fr = foldRuns(depth + 1, i0, mid, f);
      recurse(depth + 1, mid, i1, fr, rho);
    };
    // One pass per distinct reward (split), or one pass for all (fail).
    const passes: number[] = [];
    if (split) {
      const seen = new Set<number>();
      for (let q = lumped; q < A; q++) {
        const r = rewards[order[q] as number] as number;
        if (!seen.has(r)) seen.add(r), passes.push(r);
      }
    } else passes.push(0);
    for (const rho of passes) {
      for (let i = runLo; i < runs; i++) {
        let s = 0;
        let target = !split;
        for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) {
          const r = rewards[order[q] as number] as number;
          s += split ? r - rho : r;
          if (r === rho) target = true;
        }
        blockSum[i] = s;
        isTarget[i] = target ? 1 : 0;
      }
      // The empty product (V = 1); total[] is written only for this pass's targets.
      stack.at(0, cells);
      (stack.V[0] as Float64Array).fill(0, 0, cells);
      (stack.R[0] as Float64Array).fill(0, 0, cells);
      (stack.V[0] as Float64Array)[0] = 1;
      recurse(0, runLo, runs, 0, rho);
    }
  }
  for (let i = 0; i < runs; i++) {
    for (let q = runStart[i] as number; q < (runStart[i + 1] as number); q++) {
      const a = order[q] as number;
      effect[a] = (total[a] as number) / (Z[i] as number) + (effect[a] as number);
    }
  }
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
export function majorityVoteWeights(
  answers: ArrayLike<Answer>,
  rewards: ArrayLike<number>,
  k: number,
  opts?: MajorityVoteWeightsOptions,
): Float64Array {
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
    const weightOf = (a: number): number => {
      // A null vote never changes the winner of the other k − 1: under loo-1 its s_i equals its baseline.
      if (a < 0 && baseline === 'loo-1') return 0;
      const rest = withoutOne(c, a);
      // 'loo-1': (k/n)·E[f(J ∪ {i}) − f(J)] as the expectation of the difference itself.
      if (baseline === 'loo-1') {
        effects ??= oneVoteEffects(ws, c, kk, split);
        return (kk / n) * (effects[a] as number) * scale;
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
  return p.out;
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
export type MajorityVoteAdvantageOptions = MajorityVoteWeightsOptions;
