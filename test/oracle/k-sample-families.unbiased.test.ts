/**
 * Unbiasedness by exact enumeration for the generic families: on a categorical policy π = softmax(θ),
 * the expectation over ALL n-tuples of Σ_i w_i ∇log π(y_i) equals the exact gradient of E f(y_1..y_k),
 * for order statistics (presets and raw α), pass^k, any f (exact and sampled mode) and mixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  BASELINES,
  kSampleAdvantage,
  mixAdvantages,
  orderStatisticAdvantage,
  passAtKAdvantage,
  passHatKAdvantage,
  orderStatisticAlpha,
  type Baseline,
  type OrderStatisticAlpha,
} from '../../src/index.js';
import { exactObjectiveGradient, expectedEstimatorGradient, maxAbsDiff } from './policy.js';

const THETAS: number[][] = [
  [0.3, -0.5, 1.2],
  [-1, 2, 0.4],
];

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** L-statistic of the tuple's rewards with rank weights α (lowest first). */
function lStat(reward: readonly number[], alpha: ArrayLike<number>) {
  return (t: number[]): number => {
    const xs = t.map((y) => reward[y]!).sort((a, b) => a - b);
    let s = 0;
    xs.forEach((x, j) => (s += alpha[j]! * x));
    return s;
  };
}

describe('unbiasedness of the generic k-sample families', () => {
  it('orderStatisticAdvantage is unbiased for ∇E[Σ α_j X_(j:k)] for every preset, n = 2..5, every k and baseline', () => {
    const reward = [0.5, -0.25, 0.5];
    const failures: string[] = [];
    let cases = 0;
    for (const preset of ['max', 'min', 'mean', 'median', 'top-2', 'cvar-0.5', 'upper-0.3', 'trimmed-mean-0.25'] as OrderStatisticAlpha[]) {
      for (const theta of THETAS) {
        for (let n = 2; n <= 5; n++) {
          for (let k = preset === 'top-2' ? 2 : 1; k <= n; k++) {
            const exact = exactObjectiveGradient(theta, k, lStat(reward, orderStatisticAlpha(preset, k)));
            for (const baseline of validBaselines(n, k)) {
              const est = expectedEstimatorGradient(theta, n, (t) => orderStatisticAdvantage(t.map((y) => reward[y]!), k, preset, { baseline }));
              const d = maxAbsDiff(est, exact);
              if (!(d <= 1e-12)) failures.push(`${preset} θ=[${theta}] n=${n} k=${k} ${baseline}: off by ${d}`);
              cases++;
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(600);
  });

  it('orderStatisticAdvantage with raw α (and alphaLoo1 for loo-1) is unbiased', () => {
    const reward = [1, 0.3, -0.6];
    const failures: string[] = [];
    for (const theta of THETAS) {
      for (let n = 2; n <= 5; n++) {
        for (let k = 1; k <= n; k++) {
          const alpha = Array.from({ length: k }, (_, j) => ((j * 7) % 5) / 4 - 0.5);
          const alpha1 = Array.from({ length: k - 1 }, (_, j) => 1 - j / 3);
          const exact = exactObjectiveGradient(theta, k, lStat(reward, alpha));
          for (const baseline of validBaselines(n, k)) {
            const opts = baseline === 'loo-1' && k >= 2 ? { baseline, alphaLoo1: alpha1 } : { baseline };
            const est = expectedEstimatorGradient(theta, n, (t) => orderStatisticAdvantage(t.map((y) => reward[y]!), k, alpha, opts));
            const d = maxAbsDiff(est, exact);
            if (!(d <= 1e-12)) failures.push(`α=[${alpha}] θ=[${theta}] n=${n} k=${k} ${baseline}: off by ${d}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('passHatKAdvantage is unbiased for ∇pass^k (n = 2..5, every k and baseline)', () => {
    const failures: string[] = [];
    for (const reward of [[1, 0, 1], [0, 1, 1]]) {
      const allOk = (t: number[]): number => (t.every((y) => reward[y] === 1) ? 1 : 0);
      for (const theta of THETAS) {
        for (let n = 2; n <= 5; n++) {
          for (let k = 1; k <= n; k++) {
            const exact = exactObjectiveGradient(theta, k, allOk);
            for (const baseline of validBaselines(n, k)) {
              const est = expectedEstimatorGradient(theta, n, (t) => passHatKAdvantage(t.map((y) => reward[y]!), k, { baseline }));
              const d = maxAbsDiff(est, exact);
              if (!(d <= 1e-12)) failures.push(`r=[${reward}] θ=[${theta}] n=${n} k=${k} ${baseline}: off by ${d}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('kSampleAdvantage is unbiased in exact mode and in sampled mode (any fixed seed), every baseline', () => {
    const reward = [0.5, -1, 2];
    // A symmetric non-linear f: (Σ r)² / k + max r.
    const fTuple = (t: number[]): number => {
      const xs = t.map((y) => reward[y]!);
      const s = xs.reduce((a, b) => a + b, 0);
      return (s * s) / t.length + Math.max(...xs);
    };
    const failures: string[] = [];
    for (const theta of THETAS) {
      for (let n = 2; n <= 5; n++) {
        for (let k = 1; k <= n; k++) {
          const exact = exactObjectiveGradient(theta, k, fTuple);
          for (const baseline of validBaselines(n, k)) {
            for (const mode of [{}, { maxSubsets: 0, samples: 3, seed: 5 }]) {
              const est = expectedEstimatorGradient(theta, n, (t) =>
                kSampleAdvantage(n, k, (I) => fTuple(I.map((i) => t[i]!)), { baseline, ...mode }).weights,
              );
              const d = maxAbsDiff(est, exact);
              if (!(d <= 1e-11)) failures.push(`θ=[${theta}] n=${n} k=${k} ${baseline} ${JSON.stringify(mode)}: off by ${d}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('mixAdvantages of (1 − λ)·pass@1 and λ·pass@k weights is unbiased for the mixture objective', () => {
    const reward = [1, 0, 0];
    const failures: string[] = [];
    for (const lambda of [0.3, 0.9]) {
      for (const theta of THETAS) {
        for (let n = 2; n <= 5; n++) {
          for (let k = 2; k <= n; k++) {
            const f = (t: number[]): number => {
              const pass1 = t.reduce((a, y) => a + reward[y]!, 0) / t.length;
              const passK = t.some((y) => reward[y] === 1) ? 1 : 0;
              return (1 - lambda) * pass1 + lambda * passK;
            };
            const exact = exactObjectiveGradient(theta, k, f);
            const est = expectedEstimatorGradient(theta, n, (t) => {
              const g = t.map((y) => reward[y]!);
              // The mean of k rewards has the expectation of one: its weights are those of pass@1.
              return mixAdvantages([
                { weight: 1 - lambda, advantages: passAtKAdvantage(g, 1), scale: 'sum' },
                { weight: lambda, advantages: passAtKAdvantage(g, k), scale: 'sum' },
              ]);
            });
            const d = maxAbsDiff(est, exact);
            if (!(d <= 1e-12)) failures.push(`λ=${lambda} θ=[${theta}] n=${n} k=${k}: off by ${d}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
