/** The registry entries 'pass^k', 'order-stat' and 'k-sample' call their estimators and check inputs. */
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  InvalidArgumentError,
  getEstimator,
  kSampleAdvantage,
  orderStatisticAdvantage,
  orderStatisticAtK,
  passHatKAdvantage,
  passHatKOfRewards,
} from '../../src/index.js';

describe("registry entries 'pass^k', 'order-stat', 'k-sample'", () => {
  const rewards = [1, 1, 0, 1, 1, 1];
  it("getEstimator('pass^k') gives passHatKAdvantage weights and the pass^k metric, and refuses non-binary rewards", () => {
    const est = getEstimator('pass^k');
    expect(Array.from(est.weights({ rewards, k: 2 }, { baseline: 'loo' }))).toEqual(Array.from(passHatKAdvantage(rewards, 2, { baseline: 'loo' })));
    expect(est.metric?.({ rewards, k: 2 }, { groupSize: 3 })).toEqual(passHatKOfRewards(rewards, 2, { groupSize: 3 }));
    expect(passHatKOfRewards(rewards, 2)).toBeCloseTo(10 / 15, 15);
    expect(() => est.metric?.({ rewards: [1, 0.5], k: 1 })).toThrow(DomainError);
  });

  it("getEstimator('order-stat') needs inputs.alpha and forwards it", () => {
    const est = getEstimator('order-stat');
    const g = [0.1, 0.7, 0.3, 0.9, 0.5];
    expect(Array.from(est.weights({ rewards: g, k: 3, alpha: 'median' }))).toEqual(Array.from(orderStatisticAdvantage(g, 3, 'median')));
    expect(est.metric?.({ rewards: g, k: 3, alpha: 'cvar-0.5' })).toBe(orderStatisticAtK(g, 3, 'cvar-0.5'));
    expect(() => est.weights({ rewards: g, k: 3 })).toThrow("estimator 'order-stat' needs inputs.alpha");
  });

  it("getEstimator('k-sample') takes n from rewards.length and needs inputs.f", () => {
    const est = getEstimator('k-sample');
    const g = [0.1, 0.7, 0.3, 0.9];
    const f = (I: readonly number[]): number => Math.min(...I.map((i) => g[i]!));
    expect(Array.from(est.weights({ rewards: g, k: 2, f }))).toEqual(Array.from(kSampleAdvantage(4, 2, f).weights));
    expect(est.metric?.({ rewards: g, k: 2, f })).toBeCloseTo(orderStatisticAtK(g, 2, 'min'), 15);
    expect(() => est.weights({ rewards: g, k: 2 })).toThrow(InvalidArgumentError);
  });
});
