/**
 * majorityAtK / majorityVoteAdvantage against the definition (docs/estimators/majority-vote.md): exact BigInt enumeration of
 * all k-subsets for n ≤ 9, an independent exact count-vector enumeration for n = 1024, and
 * unbiasedness by exact enumeration over a softmax policy.
 */
import { describe, expect, it } from 'vitest';
import { majorityAtK, majorityVoteAdvantage, type TiePolicy } from '../../src/estimators/majority-vote.js';
import type { Answer } from '../../src/registry.js';
import { binom, bruteBaselined, bruteMetric, mismatch, Q, type OracleBaseline, type SubsetObjective } from './rational.js';
import { exactObjectiveGradient, expectedEstimatorGradient, maxAbsDiff } from './policy.js';
import { mulberry32 as rng } from '../support/prng.js';
import { majorityObjective } from './majority-vote.objective.js';

const LABELS: readonly Answer[] = [0, 1, 2, 'x', '1', null, undefined];
const REWARD_VALUES = [0, 1, 0.3, -1.5, 2.25, 0.7];

/** Random answers (with repeats and nulls) and consistent rewards: one reward per label. */
function randomGroup(n: number, rand: () => number): { answers: Answer[]; rewards: number[] } {
  const alphabet = 1 + Math.floor(rand() * LABELS.length);
  const rewardOf = new Map<Answer, number>();
  for (const l of LABELS) rewardOf.set(l, REWARD_VALUES[Math.floor(rand() * REWARD_VALUES.length)]!);
  const answers: Answer[] = [];
  const rewards: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = LABELS[Math.floor(rand() * alphabet)];
    answers.push(a);
    // null answers may carry any reward: it never counts.
    rewards.push(a === null || a === undefined ? Math.floor(rand() * 3) : rewardOf.get(a)!);
  }
  return { answers, rewards };
}

const BASELINES: readonly OracleBaseline[] = ['none', 'loo', 'loo-pkpo', 'loo-1'];
const TIES: readonly TiePolicy[] = ['split', 'fail'];

describe('majorityAtK equals BigInt subset enumeration', () => {
  it('majorityAtK(answers, rewards, k) equals the mean over k-subsets for all n ≤ 9, all k, both tie policies', () => {
    const rand = rng(12345);
    const failures: string[] = [];
    let checked = 0;
    for (let n = 1; n <= 9; n++) {
      for (let rep = 0; rep < 6; rep++) {
        const { answers, rewards } = randomGroup(n, rand);
        const rq = rewards.map((r) => Q.fromNumber(r));
        for (const ties of TIES) {
          const f = majorityObjective(answers, rq, ties);
          for (let k = 1; k <= n; k++) {
            const exact = bruteMetric(n, k, f);
            const got = majorityAtK(answers, rewards, k, { ties });
            const m = mismatch(got, exact, 1e-12, 1e-14);
            checked++;
            if (m !== undefined) failures.push(`n=${n} k=${k} ${ties} ${JSON.stringify(answers)}: ${m}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('majorityAtK / majorityVoteAdvantage with all answers distinct (every subset a k-way tie) equal enumeration', () => {
    const answers: Answer[] = ['a', 'b', 'c', 'd', 'e', 'f', null, 'g', 'h'];
    const rewards = [1, 0, 0.25, -1, 2, 0, 0, 0.5, 0];
    const rq = rewards.map((r) => Q.fromNumber(r));
    for (const ties of TIES) {
      const f = majorityObjective(answers, rq, ties);
      for (let k = 1; k <= 9; k++) {
        expect(mismatch(majorityAtK(answers, rewards, k, { ties }), bruteMetric(9, k, f), 1e-12, 1e-14)).toBeUndefined();
        const exact = bruteBaselined(9, k, f, 'loo-1');
        const got = majorityVoteAdvantage(answers, rewards, k, { ties });
        exact.forEach((e, i) => expect(mismatch(got[i]!, e, 1e-11, 1e-14)).toBeUndefined());
      }
    }
  });

  it('majorityAtK(answers, rewards, k, { groupOffsets }) equals enumeration group by group', () => {
    const rand = rng(777);
    const sizes = [3, 9, 5, 4, 7, 6];
    const groups = sizes.map((n) => randomGroup(n, rand));
    const answers = groups.flatMap((g) => g.answers);
    const rewards = groups.flatMap((g) => g.rewards);
    const offsets = [0];
    for (const n of sizes) offsets.push(offsets[offsets.length - 1]! + n);
    for (const ties of TIES) {
      const got = majorityAtK(answers, rewards, 3, { groupOffsets: offsets, ties });
      expect(got).toBeInstanceOf(Float64Array);
      groups.forEach((g, b) => {
        const exact = bruteMetric(g.answers.length, 3, majorityObjective(g.answers, g.rewards.map((r) => Q.fromNumber(r)), ties));
        expect(mismatch(got[b]!, exact, 1e-12, 1e-14)).toBeUndefined();
      });
    }
  });

  it('majorityAtK(answers, rewards, 3) gives the documented worked example: 0.410714… (split), 0.285714… (fail)', () => {
    const answers = [0, 0, 1, 1, 2, 0, 3, 1];
    const rewards = answers.map((a) => (a === 0 ? 1 : 0));
    const rq = rewards.map((r) => Q.int(r));
    const split = bruteMetric(8, 3, majorityObjective(answers, rq, 'split'));
    const fail = bruteMetric(8, 3, majorityObjective(answers, rq, 'fail'));
    expect(split.toString()).toBe('23/56');
    expect(fail.toString()).toBe('2/7');
    expect(majorityAtK(answers, rewards, 3)).toBeCloseTo(0.41071428571428571, 15);
    expect(majorityAtK(answers, rewards, 3, { ties: 'fail' })).toBeCloseTo(0.28571428571428571, 15);
  });
});

describe('majorityVoteAdvantage equals BigInt subset enumeration', () => {
  it('majorityVoteAdvantage(answers, rewards, k, { baseline, ties }) equals the weights of docs/estimators/weights.md for all n ≤ 9, all k', () => {
    const rand = rng(4242);
    const failures: string[] = [];
    let checked = 0;
    for (let n = 1; n <= 9; n++) {
      for (let rep = 0; rep < 3; rep++) {
        const { answers, rewards } = randomGroup(n, rand);
        const rq = rewards.map((r) => Q.fromNumber(r));
        for (const ties of TIES) {
          const f = majorityObjective(answers, rq, ties);
          for (let k = 1; k <= n; k++) {
            for (const baseline of BASELINES) {
              const needsSpare = baseline === 'loo' || baseline === 'loo-pkpo' || (baseline === 'loo-1' && k === 1);
              if (needsSpare && k > n - 1) continue;
              const exact = bruteBaselined(n, k, f, baseline);
              for (const scale of ['sum', 'mean'] as const) {
                const got = majorityVoteAdvantage(answers, rewards, k, { baseline, ties, scale });
                const factor = scale === 'mean' ? Q.int(n) : Q.one;
                for (let i = 0; i < n; i++) {
                  const m = mismatch(got[i]!, exact[i]!.mul(factor), 1e-11, 1e-14);
                  checked++;
                  if (m !== undefined) failures.push(`n=${n} k=${k} ${ties} ${baseline} ${scale} i=${i} ${JSON.stringify(answers)}: ${m}`);
                }
              }
            }
          }
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(2000);
  });

  it('majorityVoteAdvantage(answers, rewards, 3, { baseline }) on the worked example equals enumeration', () => {
    const answers = [0, 0, 1, 1, 2, 0, 3, 1];
    const rewards = answers.map((a) => (a === 0 ? 1 : 0));
    const rq = rewards.map((r) => Q.int(r));
    for (const ties of TIES) {
      for (const baseline of BASELINES) {
        const exact = bruteBaselined(8, 3, majorityObjective(answers, rq, ties), baseline);
        const got = majorityVoteAdvantage(answers, rewards, 3, { baseline, ties });
        exact.forEach((e, i) => expect(mismatch(got[i]!, e, 1e-13, 1e-15)).toBeUndefined());
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// n = 1024: an independent exact method (enumerate the count vectors of the multivariate
// hypergeometric distribution in BigInt), no subsets.

interface CountCase {
  counts: number[];
  rewards: number[]; // integers, so the split mean is a rational with denominator ≤ 6
  nulls: number;
}

function binomTable(m: number, upTo: number): bigint[] {
  const row: bigint[] = [1n];
  for (let x = 1; x <= Math.min(m, upTo); x++) row.push((row[x - 1]! * BigInt(m - x + 1)) / BigInt(x));
  return row;
}

/**
 * Exact E[f] and, for each answer a, exact E[x_a f]/m_a (= s_i under 'none' for a sample of answer a),
 * over uniformly random K-subsets, by enumerating count vectors. f values are scaled by 6 = lcm(1,2,3).
 */
function exactByCounts(c: CountCase, K: number, ties: TiePolicy, withWeights = true): { metric: Q; s: Q[] } {
  const A = c.counts.length;
  const tables = c.counts.map((m) => binomTable(m, K));
  const nullTable = binomTable(c.nulls, K);
  let total = 0n;
  const byAnswer = new Array<bigint>(A).fill(0n);
  const x = new Array<number>(A).fill(0);
  const rec = (b: number, left: number, weight: bigint): void => {
    if (b === A) {
      if (left > c.nulls) return;
      const w = weight * nullTable[left]!;
      let best = 0;
      for (const v of x) best = Math.max(best, v);
      if (best === 0) return;
      let sum = 0;
      let t = 0;
      for (let a = 0; a < A; a++) if (x[a] === best) (sum += c.rewards[a]!, t++);
      const f6 = ties === 'fail' && t > 1 ? 0n : BigInt((sum * 6) / t);
      if (f6 === 0n) return;
      total += w * f6;
      if (withWeights) for (let a = 0; a < A; a++) byAnswer[a]! += w * f6 * BigInt(x[a]!);
      return;
    }
    const row = tables[b]!;
    for (let v = 0; v < row.length && v <= left; v++) {
      x[b] = v;
      rec(b + 1, left - v, weight * row[v]!);
    }
    x[b] = 0;
  };
  rec(0, K, 1n);
  const n = c.counts.reduce((s, m) => s + m, c.nulls);
  const den = 6n * binom(n, K);
  return {
    metric: new Q(total, den),
    s: byAnswer.map((v, a) => new Q(v, den * BigInt(c.counts[a]!))),
  };
}

function expand(c: CountCase): { answers: Answer[]; rewards: number[] } {
  const answers: Answer[] = [];
  const rewards: number[] = [];
  c.counts.forEach((m, a) => {
    for (let i = 0; i < m; i++) (answers.push(`answer-${a}`), rewards.push(c.rewards[a]!));
  });
  for (let i = 0; i < c.nulls; i++) (answers.push(null), rewards.push(0));
  // interleave deterministically so clusters are not contiguous
  const order = answers.map((_, i) => i).sort((i, j) => ((i * 7919) % 1031) - ((j * 7919) % 1031));
  return { answers: order.map((i) => answers[i]), rewards: order.map((i) => rewards[i]!) };
}

describe('majorityAtK stays exact at n = 1024', () => {
  it('majorityAtK(answers, rewards, 64) at n = 1024 equals exact count-vector enumeration (metric and s_i)', () => {
    const c: CountCase = { counts: [300, 300, 200], rewards: [1, 0, 2], nulls: 224 };
    const { answers, rewards } = expand(c);
    for (const ties of TIES) {
      const exact = exactByCounts(c, 64, ties);
      expect(mismatch(majorityAtK(answers, rewards, 64, { ties }), exact.metric, 1e-12)).toBeUndefined();
      const w = majorityVoteAdvantage(answers, rewards, 64, { ties, baseline: 'none' });
      answers.forEach((a, i) => {
        const idx = a === null ? -1 : Number(String(a).slice(7));
        if (idx >= 0) expect(mismatch(w[i]!, exact.s[idx]!, 1e-12)).toBeUndefined();
      });
    }
  });

  it('majorityAtK(answers, rewards, 512) at n = 1024 equals exact count-vector enumeration', () => {
    // ties between the two large answers are frequent; the small one only takes slots
    const c: CountCase = { counts: [480, 450, 94], rewards: [1, 0, 3], nulls: 0 };
    const { answers, rewards } = expand(c);
    for (const ties of TIES) {
      const exact = exactByCounts(c, 512, ties, false);
      expect(mismatch(majorityAtK(answers, rewards, 512, { ties }), exact.metric, 1e-12)).toBeUndefined();
    }
  });

  it('majorityAtK(answers, rewards, 1024) with 1948 distinct answers and 100 nulls (n = 2048) does not overflow', () => {
    // Every subset is a tie of all its non-null answers (each has one vote), so 'split' scores the mean
    // reward of its non-null members, whose expectation is the mean reward of the non-null answers;
    // 'fail' scores 0. A product of 1948 unnormalised (1 + τz) rows would reach ~C(1948, 974) = Infinity.
    const n = 2048;
    const answers: Answer[] = Array.from({ length: n }, (_, i) => (i < 100 ? null : `s${i}`));
    const rewards = answers.map((a, i) => (a === null ? 0 : (i % 3) / 2));
    let sum = Q.zero;
    rewards.forEach((r, i) => (sum = answers[i] === null ? sum : sum.add(Q.fromNumber(r))));
    const mean = sum.div(Q.int(n - 100));
    expect(mismatch(majorityAtK(answers, rewards, 1024), mean, 1e-13)).toBeUndefined();
    expect(majorityAtK(answers, rewards, 1024, { ties: 'fail' })).toBe(0);
  });

  it('majorityAtK(answers, rewards, k) at n = 1024 with a rare correct answer keeps relative precision', () => {
    // the correct answer has 40 copies among many wrong ones: its maj@k is small but exact.
    const c: CountCase = { counts: [40, 120, 110], rewards: [1, 0, 0], nulls: 754 };
    const { answers, rewards } = expand(c);
    const exact = exactByCounts(c, 48, 'split');
    expect(mismatch(majorityAtK(answers, rewards, 48), exact.metric, 1e-12)).toBeUndefined();
  });
});

describe('majorityVoteAdvantage keeps relative precision when its weights are tiny', () => {
  it("majorityVoteAdvantage(answers, rewards, k, { baseline: 'loo' | 'loo-1', ties }) with a heavy majority equals exact rationals to 1e-12 relative, exact zeros exactly", () => {
    // One answer wins almost every subset, so f is nearly constant and the weights are far below the
    // rewards (down to 1e-16); counts [150, 25, 25] with rewards [1, 0, 2] make answer 0's weights exactly 0.
    const cases: [number[], number[], number, number][] = [
      [[80, 12, 8], [1, 0, 0], 0, 20],
      [[150, 25, 25], [1, 0, 2], 0, 40],
      [[300, 40, 30], [0, 1, 0], 30, 64],
      [[60, 9, 6], [1, 0, 2], 5, 16],
      [[100, 14, 10], [1, 0, 0], 4, 24],
    ];
    const failures: string[] = [];
    let zeros = 0;
    let checked = 0;
    for (const [counts, rewardsOf, nulls, K] of cases) {
      const c: CountCase = { counts, rewards: rewardsOf, nulls };
      const n = counts.reduce((s, m) => s + m, nulls);
      const kn = new Q(BigInt(K), BigInt(n));
      const { answers, rewards } = expand(c);
      for (const ties of TIES) {
        const ex = exactByCounts(c, K, ties);
        // ρ of the group without one sample of answer a (a = −1: one null), at k and k − 1.
        const rhoWithout = (a: number, k: number): Q =>
          exactByCounts({ counts: counts.map((m, j) => (j === a ? m - 1 : m)), rewards: rewardsOf, nulls: a < 0 ? nulls - 1 : nulls }, k, ties, false).metric;
        for (const baseline of ['loo', 'loo-1'] as const) {
          const w = majorityVoteAdvantage(answers, rewards, K, { ties, baseline });
          for (let a = -1; a < counts.length; a++) {
            if (a < 0 && (nulls === 0 || baseline === 'loo-1')) continue;
            // s_i: E[x_a f]/m_a for an answer; (k/n)·ρ(g₋ᵢ, k − 1) for a null.
            const s = a >= 0 ? ex.s[a]! : kn.mul(rhoWithout(-1, K - 1));
            const exact = s.sub(kn.mul(rhoWithout(a, baseline === 'loo' ? K : K - 1)));
            const i = answers.findIndex((x) => (a < 0 ? x === null : x === `answer-${a}`));
            checked++;
            if (exact.isZero()) {
              zeros++;
              if (w[i] !== 0) failures.push(`${counts} K=${K} ${ties} ${baseline} answer ${a}: got ${w[i]}, exact 0`);
              continue;
            }
            const m = mismatch(w[i]!, exact, 1e-12, 0);
            if (m !== undefined) failures.push(`${counts} K=${K} ${ties} ${baseline} answer ${a}: ${m}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    expect(zeros).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------
// Unbiasedness (docs/estimators/weights.md#what-proven-means): softmax over 3 answers (answer 0 correct), plus a variant with a null outcome.

describe('majorityVoteAdvantage is unbiased', () => {
  const cases: { name: string; outcomes: Answer[]; reward: number[]; theta: number[] }[] = [
    { name: '3 answers, one correct', outcomes: ['a', 'b', 'c'], reward: [1, 0, 0], theta: [0.3, -0.2, 0.5] },
    { name: '3 answers and a null outcome', outcomes: ['a', 'b', 'c', null], reward: [1, 0, 0.5, 0], theta: [0.1, 0.4, -0.3, 0.2] },
  ];
  for (const c of cases) {
    for (const ties of TIES) {
      for (const baseline of BASELINES) {
        it(`majorityVoteAdvantage(answers, rewards, k, { baseline: '${baseline}', ties: '${ties}' }) is unbiased (${c.name})`, () => {
          const n = c.outcomes.length === 3 ? 5 : 4;
          for (const k of [1, 2, 3, n]) {
            if ((baseline === 'loo' || baseline === 'loo-pkpo' || (baseline === 'loo-1' && k === 1)) && k > n - 1) continue;
            const f = (tuple: number[]): number => {
              const I = tuple.map((_, i) => i);
              return majorityObjective(tuple.map((y) => c.outcomes[y]), tuple.map((y) => Q.fromNumber(c.reward[y]!)), ties)(I).toNumber();
            };
            const expected = exactObjectiveGradient(c.theta, k, f);
            const got = expectedEstimatorGradient(c.theta, n, (tuple) =>
              majorityVoteAdvantage(tuple.map((y) => c.outcomes[y]), tuple.map((y) => c.reward[y]!), k, { baseline, ties }),
            );
            expect(maxAbsDiff(got, expected)).toBeLessThan(1e-12);
            expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-4);
          }
        });
      }
    }
  }
});
