/**
 * inference-aware-rl/eval: the trial aggregations against brute-force enumeration over k-subsets of the
 * trials (BigInt rationals), typed errors for bad input, and the measured coverage of their intervals.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { trialsMajAtK, trialsMean, trialsPassAtK, trialsPassHatK, DomainError, InvalidArgumentError } from '../../src/eval/index.js';
import { betaQuantile, clopperPearson, incompleteBeta, tQuantile } from '../../src/eval/stats.js';
import { Q, bruteMetric } from '../oracle/rational.js';
import { mulberry32 } from '../support/prng.js';

describe('trialsPassAtK / trialsPassHatK / trialsMajAtK equal the mean over k-subsets', () => {
  it('property: against BigInt enumeration (any-of-k, all-of-k, majority of k)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }), fc.integer({ min: 1, max: 9 }), (trials, kRaw) => {
        const n = trials.length;
        const k = 1 + ((kRaw - 1) % n);
        const any = bruteMetric(n, k, (s) => (s.some((i) => trials[i]) ? Q.one : Q.zero)).toNumber();
        const all = bruteMetric(n, k, (s) => (s.every((i) => trials[i]) ? Q.one : Q.zero)).toNumber();
        expect(trialsPassAtK(trials, k).value).toBeCloseTo(any, 13);
        expect(trialsPassHatK(trials.map(Number), k).value).toBeCloseTo(all, 13);
      }),
      { numRuns: 300 },
    );
    // maj@k with answers: the reward of the most frequent answer of k, ties split.
    const answers = ['a', 'b', 'a', 'c', 'b', 'a', null];
    const trials = answers.map((answer) => ({ answer, score: answer === 'a' }));
    for (let k = 1; k <= answers.length; k++) {
      const brute = bruteMetric(answers.length, k, (s) => {
        const counts = new Map<string, number>();
        for (const i of s) if (answers[i] !== null) counts.set(answers[i]!, (counts.get(answers[i]!) ?? 0) + 1);
        if (counts.size === 0) return Q.zero;
        const top = Math.max(...counts.values());
        const winners = [...counts].filter(([, c]) => c === top).map(([a]) => a);
        return Q.int(winners.filter((a) => a === 'a').length).div(Q.int(winners.length));
      }).toNumber();
      expect(trialsMajAtK(trials, k).value, `k=${k}`).toBeCloseTo(brute, 13);
    }
  });

  it('thresholds, { answer, score } objects, the mean and its methods', () => {
    expect(trialsPassAtK([0.9, 0.2, 0.75], 1, { threshold: 0.5 }).value).toBeCloseTo(2 / 3, 15);
    expect(trialsPassAtK([{ score: true }, { score: 0 }], 1).value).toBe(0.5);
    expect(trialsMean([true, false, true, true])).toMatchObject({ value: 0.75, passed: 3, interval: { method: 'clopper-pearson' } });
    const m = trialsMean([0.2, 0.4, 0.9]);
    expect(m.value).toBeCloseTo(0.5, 15);
    expect(m.interval?.method).toBe('t');
    // mean ± t(0.975, 2)·s/√3 with s = sqrt(((−0.3)² + (−0.1)² + 0.4²)/2)
    const half = 4.302652729911275 * Math.sqrt(0.13) / Math.sqrt(3);
    expect(m.interval!.lower).toBeCloseTo(0.5 - half, 10);
    expect(trialsMean([0.3]).interval).toBeNull();
    expect(trialsMajAtK([{ answer: 'x', score: 1 }, { answer: 'y', score: 0 }], 2).interval).toBeNull();
  });

  it('typed errors naming the argument and the rule', () => {
    expect(() => trialsPassAtK([true, false], 3)).toThrow(new DomainError('k', 'k must be ≤ n, the number of trials (got k=3, n=2)'));
    expect(() => trialsPassAtK([1, 0.5], 1)).toThrow(/trials of trialsPassAtK must be pass\/fail \(true\/false or 0\/1\) unless opts.threshold is given \(got 0.5 at index 1\)/);
    expect(() => trialsPassAtK([], 1)).toThrow('trials of trialsPassAtK must not be empty');
    expect(() => trialsPassAtK([true], 1, { levl: 0.9 } as never)).toThrow(InvalidArgumentError);
    expect(() => trialsPassAtK([true], 1, { level: 95 })).toThrow('opts.level of trialsPassAtK must be a number in (0, 1) (got 95)');
    expect(() => trialsPassHatK(['yes'] as never, 1)).toThrow('trials of trialsPassHatK must be booleans, finite numbers or { answer, score } objects (got "yes" at index 0)');
    expect(() => trialsMean([Number.NaN])).toThrow(InvalidArgumentError);
    expect(() => trialsMajAtK([true] as never, 1)).toThrow('trials of trialsMajAtK must be { answer, score } objects (got boolean at index 0)');
  });
});

describe('distribution functions (tabulated values)', () => {
  it('t quantiles, the incomplete beta, Clopper–Pearson', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174698, 9);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.2281388519649385, 10);
    expect(tQuantile(0.995, 30)).toBeCloseTo(2.749995653567866, 10);
    expect(tQuantile(0.025, 99)).toBeCloseTo(-1.9842169515086827, 9);
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
    expect(incompleteBeta(0.3, 2, 5)).toBeCloseTo(0.579825, 12);
    expect(betaQuantile(0.5, 1, 1)).toBeCloseTo(0.5, 14);
    const [lo, hi] = clopperPearson(10, 3, 0.95);
    expect(lo).toBeCloseTo(0.06673951117773447, 10);
    expect(hi).toBeCloseTo(0.6524528500599972, 10);
  });
});

describe('interval coverage on simulated cases with known p', () => {
  it('trialsPassAtK / trialsPassHatK intervals cover the true value ≥ 95 % of the time (Clopper–Pearson is conservative)', () => {
    const rng = mulberry32(99);
    const reps = 2000;
    for (const [p, n, k] of [[0.3, 20, 5], [0.7, 10, 3], [0.05, 40, 10]] as const) {
      let coverPass = 0;
      let coverHat = 0;
      for (let r = 0; r < reps; r++) {
        const trials = [...Array(n)].map(() => rng() < p);
        const a = trialsPassAtK(trials, k).interval!;
        const b = trialsPassHatK(trials, k).interval!;
        const truePass = 1 - (1 - p) ** k;
        if (a.lower <= truePass && truePass <= a.upper) coverPass++;
        if (b.lower <= p ** k && p ** k <= b.upper) coverHat++;
      }
      expect(coverPass / reps, `pass p=${p}`).toBeGreaterThanOrEqual(0.94);
      expect(coverHat / reps, `pass^ p=${p}`).toBeGreaterThanOrEqual(0.94);
    }
  });
});
