/**
 * Properties of best-of-N (docs/estimators/best-of-n.md) with fast-check: agreement with max@k when the verifier is the
 * reward, permutation equivariance, invariance to monotone transforms of the scores, centring, Σ w = 1,
 * and the KL bound.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import {
  BASELINES,
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  maxAtK,
  maxAtKAdvantage,
} from '../../src/index.js';

const RUNS = 150;

/** A group: scores from a small alphabet (ties), rewards arbitrary, a k, a permutation. */
const groupArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.record({
      v: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }),
      r: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
      k: fc.integer({ min: 1, max: n }),
      perm: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    }),
  );

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol)) return false;
  return true;
}

function usable(baseline: string, k: number, n: number): boolean {
  const eff = baseline === 'loo-1' && k === 1 ? 'loo' : baseline;
  return !((eff === 'loo' || eff === 'loo-pkpo') && k > n - 1);
}

describeEachBackend('best-of-N properties', () => {
  it('bestOfNAtK(g, g, k) and bestOfNAdvantage(g, g, k) equal maxAtK(g, k) and maxAtKAdvantage(g, k)', () => {
    fc.assert(
      fc.property(groupArb, ({ v, r, k }) => {
        // Scores equal to rewards, with ties (v) and without (r).
        for (const g of [v, r]) {
          expect(Math.abs(bestOfNAtK(g, g, k) - maxAtK(g, k))).toBeLessThanOrEqual(1e-12);
          for (const baseline of BASELINES) {
            if (!usable(baseline, k, g.length)) continue;
            expect(close(bestOfNAdvantage(g, g, k, { baseline }), maxAtKAdvantage(g, k, { baseline }), 1e-12)).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('bestOfNAdvantage / bestOfNDistillationWeights / bestOfNDistribution are permutation-equivariant', () => {
    fc.assert(
      fc.property(groupArb, ({ v, r, k, perm }) => {
        const pv = perm.map((i) => v[i]!);
        const pr = perm.map((i) => r[i]!);
        const n = v.length;
        for (const baseline of BASELINES) {
          if (!usable(baseline, k, n)) continue;
          const w = bestOfNAdvantage(v, r, k, { baseline });
          const pw = bestOfNAdvantage(pv, pr, k, { baseline });
          expect(close(pw, perm.map((i) => w[i]!), 1e-12)).toBe(true);
        }
        expect(Math.abs(bestOfNAtK(pv, pr, k) - bestOfNAtK(v, r, k))).toBeLessThanOrEqual(1e-12);
        for (const sampling of ['without-replacement', 'with-replacement'] as const) {
          const w = bestOfNDistillationWeights(v, k, { sampling });
          expect(close(bestOfNDistillationWeights(pv, k, { sampling }), perm.map((i) => w[i]!), 1e-15)).toBe(true);
          expect(Math.abs(w.reduce((a, x) => a + x, 0) - 1)).toBeLessThanOrEqual(1e-14);
        }
        const pi = r.map((x) => Math.abs(x) + 0.01);
        const z = pi.reduce((a, x) => a + x, 0);
        const probs = pi.map((x) => x / z);
        const d = bestOfNDistribution(probs, v, k);
        expect(close(bestOfNDistribution(perm.map((i) => probs[i]!), pv, k), perm.map((i) => d[i]!), 1e-13)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('bestOfNAdvantage depends on the scores only through their order (monotone transforms change nothing)', () => {
    fc.assert(
      fc.property(groupArb, ({ v, r, k }) => {
        const t = v.map((x) => Math.exp(x) * 10 - 3); // strictly increasing, keeps ties
        for (const baseline of BASELINES) {
          if (!usable(baseline, k, v.length)) continue;
          expect(close(bestOfNAdvantage(t, r, k, { baseline }), bestOfNAdvantage(v, r, k, { baseline }), 0)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("bestOfNAdvantage(…, { baseline: 'loo' }) sums to 0; Σ s_i = k·ρ for 'none'; equal rewards give zeros", () => {
    fc.assert(
      fc.property(groupArb, ({ v, r, k }) => {
        const n = v.length;
        const scaleOf = Math.max(1, ...r.map(Math.abs));
        const none = bestOfNAdvantage(v, r, k, { baseline: 'none' });
        expect(Math.abs(none.reduce((a, x) => a + x, 0) - k * bestOfNAtK(v, r, k))).toBeLessThanOrEqual(1e-12 * scaleOf * n);
        if (k <= n - 1) {
          const loo = bestOfNAdvantage(v, r, k, { baseline: 'loo' });
          expect(Math.abs(loo.reduce((a, x) => a + x, 0))).toBeLessThanOrEqual(1e-12 * scaleOf * n);
        }
        const flat = r.map(() => r[0]!);
        for (const baseline of ['loo', 'loo-1'] as const) {
          if (!usable(baseline, k, n)) continue;
          expect(Array.from(bestOfNAdvantage(v, flat, k, { baseline })).every((x) => x === 0)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('bestOfNAtK(scores, rewards, N) = Σ_i bestOfNDistillationWeights(scores, N)_i · rewards_i', () => {
    fc.assert(
      fc.property(groupArb, ({ v, r, k }) => {
        const w = bestOfNDistillationWeights(v, k);
        const dot = w.reduce((a, x, i) => a + x * r[i]!, 0);
        expect(Math.abs(bestOfNAtK(v, r, k) - dot)).toBeLessThanOrEqual(1e-12 * Math.max(1, ...r.map(Math.abs)));
      }),
      { numRuns: RUNS },
    );
  });

  it('bestOfNKL(probs, scores, N) lies in [0, log N − (N−1)/N]; bestOfNDistribution sums to 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 6 }),
        (raw, N, alphabet) => {
          const z = raw.reduce((a, x) => a + x, 0);
          if (!(z > 0)) return;
          const probs = raw.map((x) => x / z);
          const v = raw.map((_, i) => (i * 31) % alphabet);
          const kl = bestOfNKL(probs, v, N);
          expect(kl).toBeGreaterThanOrEqual(-1e-15);
          expect(kl).toBeLessThanOrEqual(Math.log(N) - (N - 1) / N + 1e-12);
          const d = bestOfNDistribution(probs, v, N);
          expect(Math.abs(d.reduce((a, x) => a + x, 0) - 1)).toBeLessThanOrEqual(1e-12);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
