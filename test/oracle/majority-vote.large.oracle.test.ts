/**
 * The worst case of the majority-vote DP (many clusters of distinct sizes, k = n/2) completes and meets
 * identities that tie it to an independent computation. Not timed: bench/majority-vote.bench.ts measures it.
 * The suite runs the shape at n = 512 / 1024 / 2048 (seconds); MAJORITY_WORST=1 runs the full n = 4096 /
 * 8192 sizes the bench times.
 */
import { describe, expect, it } from 'vitest';
import { majorityAtK, majorityVoteAdvantage } from '../../src/estimators/majority-vote.js';

/** Clusters of sizes 1, 2, …, up to n (every size distinct), the rest of the n samples null. */
const FULL = process.env.MAJORITY_WORST === '1';
const WEIGHTS_N = FULL ? 4096 : 1024;
const METRIC_N = FULL ? 8192 : 2048;
const BASELINES_N = FULL ? 4096 : 512;

function distinctSizes(n: number): { answers: (number | null)[]; rewards: number[] } {
  const answers: (number | null)[] = [];
  const rewards: number[] = [];
  for (let m = 1, a = 0; answers.length + m <= n; m++, a++) {
    for (let i = 0; i < m; i++) {
      answers.push(a);
      rewards.push(a % 3 === 0 ? 1 : 0);
    }
  }
  while (answers.length < n) {
    answers.push(null);
    rewards.push(0);
  }
  return { answers, rewards };
}

describe(`majority vote on answers of distinct sizes 1, 2, … and nulls (n = ${WEIGHTS_N}, k = n/2)`, () => {
  it("majorityVoteAdvantage(answers, rewards, n/2) ('loo-1') sums to k·(maj@k − maj@(k−1)) of majorityAtK", () => {
    const { answers, rewards } = distinctSizes(WEIGHTS_N);
    const k = WEIGHTS_N / 2;
    for (const ties of ['split', 'fail'] as const) {
      const w = majorityVoteAdvantage(answers, rewards, k, { ties });
      let sum = 0;
      for (let i = 0; i < w.length; i++) {
        expect(Number.isFinite(w[i])).toBe(true);
        if (answers[i] === null) expect(w[i]).toBe(0);
        sum += w[i]!;
      }
      // Σ_i (k/n)·ρ(g₋ᵢ, k − 1) = k·ρ(g, k − 1) (the mean of leave-one-out U-statistics), so
      // Σ_i w_i = k·(ρ(k) − ρ(k − 1)), with ρ from the metric DP (a separate code path).
      const rho = majorityAtK(answers, rewards, k, { ties });
      const rho1 = majorityAtK(answers, rewards, k - 1, { ties });
      expect(Math.abs(sum - k * (rho - rho1))).toBeLessThan(1e-9);
    }
  }, 1_800_000);
});

describe(`majorityVoteAdvantage every baseline on answers of distinct sizes (n = ${BASELINES_N}, k = n/2)`, () => {
  it("majorityVoteAdvantage(answers, rewards, n/2, { baseline }) sums to k·ρ ('none'), 0 ('loo'), −k·ρ/(n − 1) ('loo-pkpo')", () => {
    // Σ_i s_i = k·ρ(g, k) and (1/n)·Σ_i ρ(g₋ᵢ, k) = ρ(g, k), with ρ from the metric DP (a separate code path).
    const { answers, rewards } = distinctSizes(BASELINES_N);
    const n = BASELINES_N;
    const k = n / 2;
    for (const ties of ['split', 'fail'] as const) {
      const rho = majorityAtK(answers, rewards, k, { ties });
      const expected = { none: k * rho, loo: 0, 'loo-pkpo': (-k * rho) / (n - 1) };
      for (const baseline of ['none', 'loo', 'loo-pkpo'] as const) {
        const w = majorityVoteAdvantage(answers, rewards, k, { ties, baseline });
        let sum = 0;
        for (let i = 0; i < n; i++) {
          expect(Number.isFinite(w[i])).toBe(true);
          sum += w[i]!;
        }
        expect(Math.abs(sum - expected[baseline])).toBeLessThan(1e-9);
      }
    }
  }, 1_800_000);
});

describe(`majorityAtK on answers of distinct sizes 1, 2, … and nulls (n = ${METRIC_N}, k = n/2)`, () => {
  it('majorityAtK(answers, r, n/2) + majorityAtK(answers, 1 − r, n/2) = 1 (no subset is all null)', () => {
    const { answers, rewards } = distinctSizes(METRIC_N);
    const flipped = rewards.map((r, i) => (answers[i] === null ? 0 : 1 - r));
    const a = majorityAtK(answers, rewards, METRIC_N / 2);
    const b = majorityAtK(answers, flipped, METRIC_N / 2);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(Math.abs(a + b - 1)).toBeLessThan(1e-12);
  }, 1_800_000);
});
