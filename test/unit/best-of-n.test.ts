/**
 * Unit tests of best-of-N (docs/estimators/best-of-n.md): its example vectors, the KL bound, return types and batching, `out`,
 * the registry entries and the typed errors (docs/errors.md).
 */
import { describe, expect, it } from 'vitest';
import {
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  bonRlBinaryAdvantage,
  DomainError,
  getEstimator,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
} from '../../src/index.js';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

const V = [1, 1, 1, 3];
const R = [0.5, 1, 0, 1];

describe('bestOfNAtK', () => {
  it('bestOfNAtK([1,1,1,3], [0.5,1,0,1], 3) is the documented value 0.875 whatever the order inside the tie', () => {
    // By hand: the 3-subsets are {0,1,2} (all tied: mean 0.5) and three containing sample 3 (reward 1).
    expect(bestOfNAtK(V, R, 3)).toBe(0.875);
    // Σ μ_p r_(p) on one fixed order of the tie block would give 0.75 (order 0,1,2) or 0.875 or 1.
    expect(bestOfNAtK([1, 1, 3, 1], [1, 0, 1, 0.5], 3)).toBe(0.875);
    expect(bestOfNAtK([3, 1, 1, 1], [1, 0, 0.5, 1], 3)).toBe(0.875);
  });

  it('bestOfNAtK(scores, rewards, 1) is the mean reward and bestOfNAtK(…, n) the reward of the top tie block', () => {
    expect(bestOfNAtK(V, R, 1)).toBe(0.625);
    expect(bestOfNAtK(V, R, 4)).toBe(1);
    expect(bestOfNAtK([2, 2, 0], [1, 0, 1], 3)).toBe(0.5);
  });

  it('bestOfNAtK returns a number unbatched and a Float64Array with groupSize / groupOffsets / out', () => {
    const v = [0.2, 0.9, 0.4, 0.1, 0.8, 0.3, 5];
    const r = [1, 0, 1, 0, 1, 1, 0.25];
    expect(typeof bestOfNAtK(v.slice(0, 3), r.slice(0, 3), 2)).toBe('number');
    const ragged = bestOfNAtK(v, r, 1, { groupOffsets: [0, 3, 6, 7] });
    expect(ragged).toBeInstanceOf(Float64Array);
    expectClose(ragged, [2 / 3, 2 / 3, 0.25]);
    const out = new Float64Array(2);
    const uniform = bestOfNAtK(v.slice(0, 6), r.slice(0, 6), 2, { groupSize: 3, out });
    expect(uniform).toBe(out);
    expectClose(out, [bestOfNAtK(v.slice(0, 3), r.slice(0, 3), 2), bestOfNAtK(v.slice(3, 6), r.slice(3, 6), 2)]);
  });
});

describe('bestOfNAdvantage', () => {
  it("bestOfNAdvantage([1,1,1,3], [0.5,1,0,1], 3, { baseline: 'none' }) is s_i = mean over 3-subsets ∋ i", () => {
    // s_i = (1/4) Σ_{I∋i} f(I): the tied samples meet {0,1,2} (0.5) and two subsets with sample 3 (1, 1).
    expectClose(bestOfNAdvantage(V, R, 3, { baseline: 'none' }), [0.625, 0.625, 0.625, 0.75]);
  });

  it("bestOfNAdvantage(…, { baseline: 'loo-1' }) with n = k is Tang et al.'s f(y) − f(y₋ᵢ)", () => {
    // n = k = 4: f(all) = 1; f without 3 = 0.5 (tie mean), without 0: 1, without 1: 1, without 2: 1.
    expectClose(bestOfNAdvantage(V, R, 4, { baseline: 'loo-1' }), [0, 0, 0, 0.5]);
  });

  it("bestOfNAdvantage(…, { baseline: 'loo' }) sums to 0 per group and 'mean' scale multiplies by n", () => {
    const v = [0.3, 0.3, 0.9, 0.1, 0.5, 0.5, 0.5, 0.2];
    const r = [0.2, 1, 0.4, 0.9, 0.7, 0, 0.1, 1];
    const w = bestOfNAdvantage(v, r, 3, { baseline: 'loo', groupSize: 4 });
    expect(Math.abs(w[0]! + w[1]! + w[2]! + w[3]!)).toBeLessThan(1e-15);
    expect(Math.abs(w[4]! + w[5]! + w[6]! + w[7]!)).toBeLessThan(1e-15);
    const mean = bestOfNAdvantage(v, r, 3, { baseline: 'loo', groupSize: 4, scale: 'mean' });
    expectClose(mean, Array.from(w, (x) => 4 * x));
  });

  it('bestOfNAdvantage with groupOffsets equals the groups one by one, and writes into out', () => {
    const v = [0.3, 0.3, 0.9, 0.1, 0.5, 0.5, 0.5, 0.2, 7];
    const r = [0.2, 1, 0.4, 0.9, 0.7, 0, 0.1, 1, 3];
    const out = new Float64Array(9);
    const w = bestOfNAdvantage(v, r, 1, { groupOffsets: [0, 2, 8, 9], out, baseline: 'none' });
    expect(w).toBe(out);
    const expected = [
      ...bestOfNAdvantage(v.slice(0, 2), r.slice(0, 2), 1, { baseline: 'none' }),
      ...bestOfNAdvantage(v.slice(2, 8), r.slice(2, 8), 1, { baseline: 'none' }),
      ...bestOfNAdvantage(v.slice(8), r.slice(8), 1, { baseline: 'none' }),
    ];
    expectClose(w, expected);
    // k = 1 is the mean-reward objective: s_i = r_i / n.
    expectClose(w.subarray(2, 8), r.slice(2, 8).map((x) => x / 6));
  });

  it('bestOfNAdvantage gives exact zeros when all rewards are equal, under every baseline but none', () => {
    const v = [0.3, 0.1, 0.3, 0.9, 0.5];
    const r = [0.7, 0.7, 0.7, 0.7, 0.7];
    for (const baseline of ['loo', 'loo-pkpo', 'loo-1'] as const) {
      const w = bestOfNAdvantage(v, r, 2, { baseline });
      if (baseline === 'loo-pkpo') continue; // not centred: subtracts (k/(n−1))·0.7 from (k/n)·0.7
      expect(Array.from(w)).toEqual([0, 0, 0, 0, 0]);
    }
    expectClose(bestOfNAdvantage(v, r, 2, { baseline: 'loo-pkpo' }), Array(5).fill(0.7 * (2 / 5 - 2 / 4)));
    expectClose(bestOfNAdvantage(v, r, 2, { baseline: 'none' }), Array(5).fill(0.7 * (2 / 5)));
  });
});

describe('huge rewards', () => {
  it('bestOfNAtK / bestOfNAdvantage stay finite when a group’s reward range overflows (rewards ±1e308)', () => {
    const v = [1, 2, 3, 3];
    const r = [-1e308, 1e308, 0, 1e308];
    // k = 2, by hand: pairs {0,1} → 1e308, {0,2} → 0, {0,3} → 1e308, {1,2} → 0, {1,3} → 1e308 (tie split
    // of 0 and 1e308 is 5e307 for {2,3}).
    const rho = bestOfNAtK(v, r, 2);
    expect(Math.abs(rho / (1e308 / 2 + 5e307 / 6) - 1)).toBeLessThan(1e-14); // (3·1e308 + 5e307)/6
    for (const baseline of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
      const w = bestOfNAdvantage(v, r, 2, { baseline });
      expect(Array.from(w).every(Number.isFinite), baseline).toBe(true);
      // Positive homogeneity: the weights of r are 16× those of r/16 (no overflow there).
      const small = bestOfNAdvantage(v, r.map((x) => x / 16), 2, { baseline });
      for (let i = 0; i < 4; i++) expect(Math.abs(w[i]! - 16 * small[i]!)).toBeLessThanOrEqual(1e-14 * 1e308);
    }
  });
});

describe('bonRlBinaryAdvantage', () => {
  it("bonRlBinaryAdvantage([1,0,0,1,0,0], 3) is (N/n)·C(f₋ᵢ,2)/C(5,2)·(r_i − mean of the others)", () => {
    // correct: f₋ᵢ = 4, C(4,2)/C(5,2) = 0.6, b = 1/5; incorrect: f₋ᵢ = 3, 0.3, b = 2/5.
    const c = 0.5 * 0.6 * (1 - 1 / 5);
    const i = 0.5 * 0.3 * (0 - 2 / 5);
    expectClose(bonRlBinaryAdvantage([1, 0, 0, 1, 0, 0], 3), [c, i, i, c, i, i]);
    expectClose(bonRlBinaryAdvantage([1, 0, 0, 1, 0, 0], 3, { baseline: 'none' }), [0.3, 0, 0, 0.3, 0, 0]);
  });

  it("bonRlBinaryAdvantage(…, { coefficient: 'plug-in' }) uses p̂^{N−1}, p̂ the failure rate of the group", () => {
    const p = 4 / 6;
    const c = 0.5 * p * p * (1 - 1 / 5);
    const i = 0.5 * p * p * (0 - 2 / 5);
    expectClose(bonRlBinaryAdvantage([1, 0, 0, 1, 0, 0], 3, { coefficient: 'plug-in' }), [c, i, i, c, i, i]);
  });

  it('bonRlBinaryAdvantage(rewards, 1) is RLOO divided by n; all-equal groups give zeros with loo', () => {
    expectClose(bonRlBinaryAdvantage([1, 0, 0, 0], 1), [1 / 4, -1 / 12, -1 / 12, -1 / 12]);
    expect(Array.from(bonRlBinaryAdvantage([1, 1, 1, 0, 0, 0], 2, { groupSize: 3 }))).toEqual([0, 0, 0, 0, 0, 0]);
    expectClose(bonRlBinaryAdvantage([1, 0, 0, 0], 2, { scale: 'mean' }), [4 * 0.5 * 1, 4 * 0.5 * (2 / 3) * (-1 / 3), 4 * 0.5 * (2 / 3) * (-1 / 3), 4 * 0.5 * (2 / 3) * (-1 / 3)]);
  });
});

describe('bestOfNDistillationWeights', () => {
  it("bestOfNDistillationWeights(scores, N) is C(p−1,N−1)/C(n,N) by rank, ties split, Σ = 1", () => {
    expectClose(bestOfNDistillationWeights([0.3, 0.9, 0.1, 0.5], 2), [1 / 6, 3 / 6, 0, 2 / 6]);
    // Ranks 2 and 3 tie: they share 1/6 + 2/6.
    expectClose(bestOfNDistillationWeights([0.3, 0.9, 0.1, 0.3], 2), [1 / 4, 3 / 6, 0, 1 / 4]);
    expectClose(bestOfNDistillationWeights([2, 2, 2], 3), [1 / 3, 1 / 3, 1 / 3]);
  });

  it("bestOfNDistillationWeights(…, { sampling: 'with-replacement' }) is (p/n)^N − ((p−1)/n)^N, any N", () => {
    expectClose(bestOfNDistillationWeights([0.3, 0.9, 0.1, 0.5], 2, { sampling: 'with-replacement' }), [
      3 / 16,
      7 / 16,
      1 / 16,
      5 / 16,
    ]);
    const w = bestOfNDistillationWeights([0.3, 0.9, 0.1], 50, { sampling: 'with-replacement' });
    expectClose(w, [(2 / 3) ** 50 - (1 / 3) ** 50, 1 - (2 / 3) ** 50, (1 / 3) ** 50], 1e-15);
    expect(w[2]! / (1 / 3) ** 50).toBeCloseTo(1, 12); // tiny weights keep their relative precision
  });
});

describe('bestOfNDistribution / bestOfNKL', () => {
  it('bestOfNDistribution([0.5,0.3,0.2], ascending scores, 2) is the documented (BOND) vector (0.25, 0.39, 0.36)', () => {
    expectClose(bestOfNDistribution([0.5, 0.3, 0.2], [1, 2, 3], 2), [0.25, 0.39, 0.36], 1e-15);
    // Scores in any order: only their ranks matter.
    expectClose(bestOfNDistribution([0.3, 0.2, 0.5], [0, 7, -2], 2), [0.39, 0.36, 0.25], 1e-15);
  });

  it('bestOfNKL([0.5,0.3,0.2], [1,2,3], 2) is the documented value 0.140638… and below log 2 − 1/2', () => {
    const byHand = 0.25 * Math.log(0.25 / 0.5) + 0.39 * Math.log(0.39 / 0.3) + 0.36 * Math.log(0.36 / 0.2);
    const kl = bestOfNKL([0.5, 0.3, 0.2], [1, 2, 3], 2);
    expect(Math.abs(kl - byHand)).toBeLessThan(1e-15);
    expect(kl.toFixed(6)).toBe('0.140638');
    expect(kl).toBeLessThan(Math.log(2) - 0.5);
  });

  it('bestOfNKL(probs, scores, N) ≤ log N − (N−1)/N and approaches it for a fine uniform support', () => {
    const m = 20000;
    const pi = new Float64Array(m).fill(1 / m);
    const v = Float64Array.from({ length: m }, (_, i) => (i * 7919) % m); // distinct scores
    for (const N of [1, 2, 4, 16, 64]) {
      const bound = Math.log(N) - (N - 1) / N;
      const kl = bestOfNKL(pi, v, N);
      expect(kl).toBeLessThanOrEqual(bound + 1e-15);
      expect(bound - kl).toBeLessThan(N * 1e-3 + 1e-12); // the discretisation gap closes as m grows
    }
  });

  it('bestOfNDistribution(probs, scores, 1) is π; ties share their class’s mass in proportion to π', () => {
    expectClose(bestOfNDistribution([0.1, 0.6, 0.3], [0, 1, 1], 1), [0.1, 0.6, 0.3]);
    // tie class {1,2}: mass 1 − 0.1^3 = 0.999 split 2 : 1.
    expectClose(bestOfNDistribution([0.1, 0.6, 0.3], [0, 1, 1], 3), [0.001, 0.666, 0.333], 1e-15);
    expect(Math.abs(bestOfNKL([0.1, 0.6, 0.3], [0, 1, 1], 1))).toBeLessThan(1e-15);
  });

  it('bestOfNDistribution gives zero-probability outcomes zero mass and handles large N without overflow', () => {
    expectClose(bestOfNDistribution([0.5, 0, 0.5], [1, 2, 0], 3), [0.875, 0, 0.125]);
    const d = bestOfNDistribution([0.25, 0.25, 0.5], [1, 2, 3], 10000);
    expectClose(d, [0.25 * 0.5 ** 10000 / 0.25 * 0, 0.5 ** 10000, 1 - 0.5 ** 10000]);
  });

  it('bestOfNDistribution keeps relative precision for a tiny top class and N = 10^6', () => {
    const d = bestOfNDistribution([1 - 1e-12, 1e-12], [1, 2], 1e6);
    const top = -Math.expm1(1e6 * Math.log1p(-1e-12)); // ≈ 1e-6: 1 − (1 − 1e-12)^(10^6)
    expect(Math.abs(d[1]! / top - 1)).toBeLessThan(1e-9);
    expect(Math.abs(d[0]! - (1 - top))).toBeLessThan(1e-15);
  });

  it('bestOfNDistribution / bestOfNKL batch one distribution per group', () => {
    const pi = [0.5, 0.3, 0.2, 0.25, 0.75];
    const v = [1, 2, 3, 5, 4];
    const d = bestOfNDistribution(pi, v, 2, { groupOffsets: [0, 3, 5] });
    expectClose(d, [0.25, 0.39, 0.36, 0.25 * 0.25 + 2 * 0.25 * 0.75, 0.75 * 0.75]);
    const kl = bestOfNKL(pi, v, 2, { groupOffsets: [0, 3, 5] });
    expect(kl).toBeInstanceOf(Float64Array);
    expectClose(kl, [bestOfNKL([0.5, 0.3, 0.2], [1, 2, 3], 2), bestOfNKL([0.25, 0.75], [5, 4], 2)]);
  });
});

describe('registry', () => {
  it("getEstimator('bon@k') and getEstimator('bon-rl-binary') call the best-of-N estimators", () => {
    const bon = getEstimator('bon@k');
    expect(bon.inputs).toEqual(['scores', 'rewards', 'k']);
    expectClose(bon.weights({ scores: V, rewards: R, k: 3 }, { baseline: 'none' }), [0.625, 0.625, 0.625, 0.75]);
    expect(bon.metric!({ scores: V, rewards: R, k: 3 })).toBe(0.875);
    expect(() => bon.weights({ rewards: R, k: 3 })).toThrow(InvalidArgumentError);
    const rl = getEstimator('bon-rl-binary');
    expectClose(rl.weights({ rewards: [1, 0, 0, 1, 0, 0], k: 3 }, { baseline: 'none' }), [0.3, 0, 0, 0.3, 0, 0]);
    expect(rl.metric!({ rewards: [1, 0, 0, 1, 0, 0], k: 3 })).toBeCloseTo(1 - 4 / 20, 15); // pass@3 = 1 − C(4,3)/C(6,3)
  });
});

describe('errors (docs/errors.md)', () => {
  it('bestOfNAtK / bestOfNAdvantage refuse bad k, lengths, non-finite values, bad baselines', () => {
    expect(() => bestOfNAtK(V, R, 5)).toThrow(DomainError);
    expect(() => bestOfNAtK(V, R, 5)).toThrow('k must be ≤ n (got k=5, n=4)');
    expect(() => bestOfNAtK(V, R, 1.5)).toThrow(DomainError);
    expect(() => bestOfNAtK(V, [1, 2, 3], 1)).toThrow(ShapeError);
    expect(() => bestOfNAtK([1, NaN, 2, 3], R, 1)).toThrow(NonFiniteError);
    expect(() => bestOfNAdvantage(V, [1, 0, Infinity, 0], 1)).toThrow(NonFiniteError);
    expect(() => bestOfNAdvantage(V, R, 4, { baseline: 'loo' })).toThrow('needs k ≤ n − 1');
    expect(() => bestOfNAdvantage(V, R, 2, { baseline: 'lo1' as never })).toThrow(InvalidArgumentError);
    expect(() => bestOfNAdvantage(V, R, 2, { groupSize: 3 })).toThrow(ShapeError);
    expect(() => bestOfNAdvantage(V, R, 3, { groupOffsets: [0, 2, 4] })).toThrow('in group 0');
    expect(() => bestOfNAdvantage([], [], 1)).toThrow(ShapeError);
    expect(() => bestOfNAtK(V, R, 2, { sampling: 'x' } as never)).toThrow(InvalidArgumentError);
  });

  it('bonRlBinaryAdvantage refuses N > n, non-binary rewards and unknown options', () => {
    expect(() => bonRlBinaryAdvantage([1, 0, 0], 4)).toThrow('N must be ≤ n (got N=4, n=3)');
    expect(() => bonRlBinaryAdvantage([1, 0.5, 0], 2)).toThrow(DomainError);
    expect(() => bonRlBinaryAdvantage([1], 1)).toThrow("baseline 'loo' needs n ≥ 2");
    expect(bonRlBinaryAdvantage([1], 1, { baseline: 'none' })[0]).toBe(1);
    expect(() => bonRlBinaryAdvantage([1, 0], 1, { baseline: 'loo-1' as never })).toThrow(InvalidArgumentError);
    expect(() => bonRlBinaryAdvantage([1, 0], 1, { coefficient: 'plugin' as never })).toThrow(InvalidArgumentError);
  });

  it('bestOfNDistillationWeights refuses N > n without replacement only', () => {
    expect(() => bestOfNDistillationWeights([1, 2], 3)).toThrow('N must be ≤ n (got N=3, n=2)');
    expect(bestOfNDistillationWeights([1, 2], 3, { sampling: 'with-replacement' }).length).toBe(2);
    expect(() => bestOfNDistillationWeights([1, 2], 1, { sampling: 'both' as never })).toThrow(InvalidArgumentError);
    expect(() => bestOfNDistillationWeights([1, -Infinity], 1)).toThrow(NonFiniteError);
  });

  it('bestOfNDistribution / bestOfNKL refuse negative probs, sums off by > 1e-9, length mismatch, non-finite', () => {
    expect(() => bestOfNDistribution([0.5, -0.1, 0.6], [1, 2, 3], 2)).toThrow(DomainError);
    expect(() => bestOfNDistribution([0.5, -0.1, 0.6], [1, 2, 3], 2)).toThrow('probs must be ≥ 0 (got -0.1 at index 1)');
    expect(() => bestOfNDistribution([0.5, 0.3, 0.2 + 2e-9], [1, 2, 3], 2)).toThrow('probs must sum to 1 within 1e-9');
    expect(bestOfNDistribution([0.5, 0.3, 0.2 + 5e-10], [1, 2, 3], 2).length).toBe(3);
    expect(() => bestOfNKL([0.5, 0.5], [1, 2], 2, { groupSize: 1 })).toThrow('in group 0');
    expect(() => bestOfNDistribution([0.5, 0.5], [1, 2, 3], 2)).toThrow(ShapeError);
    expect(() => bestOfNDistribution([0.5, NaN], [1, 2], 2)).toThrow(NonFiniteError);
    expect(() => bestOfNKL([0.5, 0.5], [1, Infinity], 2)).toThrow(NonFiniteError);
    expect(() => bestOfNKL([0.5, 0.5], [1, 2], 0)).toThrow(DomainError);
  });
});
