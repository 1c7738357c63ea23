/**
 * Best-of-N (docs/estimators/best-of-n.md) against the definitions: BigInt-rational enumeration of k-subsets, N-subsets and
 * N-tuples for every n ≤ 8 with tied scores, and unbiasedness by exact enumeration over a small softmax
 * policy.
 */
import { describe, expect, it } from 'vitest';
import {
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  bonRlBinaryAdvantage,
  type Baseline,
} from '../../src/index.js';
import { quadraticGroup } from './best-of-n.quadratic.js';
import { expectedEstimatorGradient, exactObjectiveGradient, maxAbsDiff, softmax } from './policy.js';
import {
  binom,
  bruteBaselined,
  bruteMetric,
  mismatch,
  Q,
  qsum,
  subsets,
  tuples,
  type SubsetObjective,
} from './rational.js';
import { mulberry32 as rng } from '../support/prng.js';


/** f(I) = mean true reward of the top-scoring members of I (uniform tie-break in expectation). */
function bonObjective(v: readonly number[], r: readonly number[]): SubsetObjective {
  return (I) => {
    let top = -Infinity;
    for (const i of I) top = Math.max(top, v[i]!);
    const winners = I.filter((i) => v[i] === top);
    return qsum(winners.map((i) => Q.fromNumber(r[i]!))).div(Q.int(winners.length));
  };
}

/** Scores from a small alphabet (many ties); rewards arbitrary doubles, some repeated. */
function randomCase(n: number, rand: () => number): { v: number[]; r: number[] } {
  const alphabet = 1 + Math.floor(rand() * Math.min(n, 4));
  const v = Array.from({ length: n }, () => Math.floor(rand() * alphabet) * 0.5 - 1);
  const r = Array.from({ length: n }, () => (rand() < 0.3 ? 1 : Math.round((rand() * 4 - 1) * 1e6) / 1e6));
  return { v, r };
}

function expectExact(actual: ArrayLike<number>, exact: readonly Q[], what: string, abs = 1e-14): void {
  expect(actual.length).toBe(exact.length);
  for (let i = 0; i < exact.length; i++) {
    const bad = mismatch(actual[i]!, exact[i]!, 1e-12, abs);
    expect(bad, `${what}, index ${i}`).toBeUndefined();
  }
}

const CASES_PER_N = 6;
const BASELINES: Baseline[] = ['none', 'loo', 'loo-pkpo', 'loo-1'];

describe('bestOfNAtK(scores, rewards, k) equals the mean over k-subsets of the top-scoring reward', () => {
  it('for every n ≤ 8, every k, random tied scores', () => {
    const rand = rng(1);
    for (let n = 1; n <= 8; n++) {
      for (let c = 0; c < CASES_PER_N; c++) {
        const { v, r } = randomCase(n, rand);
        for (let k = 1; k <= n; k++) {
          const exact = bruteMetric(n, k, bonObjective(v, r));
          const got = bestOfNAtK(v, r, k);
          expect(mismatch(got, exact, 1e-12, 1e-14), `v=${v} r=${r} k=${k}`).toBeUndefined();
        }
      }
    }
  });
});

describe('bestOfNAdvantage(scores, rewards, k, { baseline }) equals the definitions of docs/estimators/weights.md', () => {
  it('for every n ≤ 8, every k, every baseline, random tied scores', () => {
    const rand = rng(2);
    let checked = 0;
    for (let n = 1; n <= 8; n++) {
      for (let c = 0; c < CASES_PER_N; c++) {
        const { v, r } = randomCase(n, rand);
        const f = bonObjective(v, r);
        for (let k = 1; k <= n; k++) {
          for (const baseline of BASELINES) {
            const eff = baseline === 'loo-1' && k === 1 ? 'loo' : baseline;
            if ((eff === 'loo' || eff === 'loo-pkpo') && k > n - 1) continue;
            const exact = bruteBaselined(n, k, f, baseline);
            expectExact(bestOfNAdvantage(v, r, k, { baseline }), exact, `v=${v} r=${r} k=${k} ${baseline}`, 1e-13);
            const mean = bestOfNAdvantage(v, r, k, { baseline, scale: 'mean' });
            expectExact(mean, exact.map((q) => q.mul(Q.int(n))), `mean scale ${baseline}`, 1e-12);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('matches the O(n²) transcription of the tie formula at n = 64 with heavy ties', () => {
    const rand = rng(3);
    for (let c = 0; c < 4; c++) {
      const n = 64;
      const v = Array.from({ length: n }, () => Math.floor(rand() * 6));
      const r = Array.from({ length: n }, () => rand());
      for (const k of [1, 2, 7, 32, 63]) {
        for (const baseline of BASELINES) {
          const got = bestOfNAdvantage(v, r, k, { baseline });
          const ref = quadraticGroup(v, r, k, baseline);
          for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-13);
        }
      }
    }
  });
});

describe("bestOfNAdvantage(scores, rewards, k, { baseline: 'loo' | 'loo-1' }) when the weights are tiny against the rewards", () => {
  /** Exact best-of-κ metric of (score, reward) pairs: Σ over score blocks of P(top block)·(block mean). */
  function exactMetric(items: readonly { v: number; r: Q }[], kappa: number, binomial: (n: number, k: number) => bigint): Q {
    const s = items.slice().sort((x, y) => x.v - y.v);
    let total = Q.zero;
    for (let a = 0; a < s.length; ) {
      let e = a;
      let sum = Q.zero;
      while (e < s.length && s[e]!.v === s[a]!.v) sum = sum.add(s[e++]!.r);
      total = total.add(new Q(binomial(e, kappa) - binomial(a, kappa), BigInt(e - a)).mul(sum));
      a = e;
    }
    return total.div(new Q(binomial(s.length, kappa)));
  }

  it('keeps 1e-12 relative accuracy at n = 2000 with heavy ties (scores = rewards, and tied scores with other rewards)', () => {
    // Most samples sit in the top score blocks: low blocks get weights down to ~1e-283 while the rewards
    // are ~1, so s_i − (k/n)·ρ(y₋ᵢ, ·) computed directly leaves only rounding noise (it did: ~1e-17
    // absolute, up to 1e267 relative). No absolute floor below: each weight must be right relative to
    // itself. Exact weights from the metrics: Σ_{I∋i} f(I) = C(n,k)·ρ(y,k) − C(n−1,k)·ρ(y₋ᵢ,k), so
    // loo_i = ρ(y,k) − ρ(y₋ᵢ,k) and loo-1_i = ρ(y,k) − ((n−k)/n)·ρ(y₋ᵢ,k) − (k/n)·ρ(y₋ᵢ,k−1).
    const random = rng(11);
    const n = 2000;
    const levels = [0, 0.25, 0.5, 1, 2, 3, 5, 8];
    const g = Array.from({ length: n }, () => levels[Math.min(7, Math.floor(random() ** 0.2 * 8))]!);
    const jitter = [0, 1 / 64, -1 / 32, 3 / 16];
    const jittered = g.map((x) => x + jitter[Math.floor(random() * 4)]!);
    const cache = new Map<string, bigint>();
    const binomial = (a: number, b: number): bigint => {
      const key = `${a},${b}`;
      let c = cache.get(key);
      if (c === undefined) cache.set(key, (c = binom(a, b)));
      return c;
    };
    const failures: string[] = [];
    for (const [name, v, r] of [
      ['scores = rewards', g, g],
      ['tied scores, other rewards', g, jittered],
    ] as const) {
      const items = v.map((x, i) => ({ v: x, r: Q.fromNumber(r[i]!) }));
      for (const k of [2, 64, 700]) {
        const rho = exactMetric(items, k, binomial);
        const w = { loo: bestOfNAdvantage(v, r, k, { baseline: 'loo' }), 'loo-1': bestOfNAdvantage(v, r, k, { baseline: 'loo-1' }) };
        const exact = new Map<string, { loo: Q; 'loo-1': Q }>();
        for (let i = 0; i < n; i++) {
          const key = `${v[i]},${r[i]}`;
          let e = exact.get(key);
          if (e === undefined) {
            const others = items.filter((_, j) => j !== i);
            const rk = exactMetric(others, k, binomial);
            const rk1 = exactMetric(others, k - 1, binomial);
            e = {
              loo: rho.sub(rk),
              'loo-1': rho.sub(new Q(BigInt(n - k), BigInt(n)).mul(rk)).sub(new Q(BigInt(k), BigInt(n)).mul(rk1)),
            };
            exact.set(key, e);
          }
          for (const baseline of ['loo', 'loo-1'] as const) {
            const m = mismatch(w[baseline][i]!, e[baseline], 1e-12, 0);
            if (m) failures.push(`${name}, k=${k}, ${baseline}, i=${i} (v=${v[i]}, r=${r[i]}): ${m}`);
          }
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('bonRlBinaryAdvantage(rewards, N) equals its leave-one-out definition', () => {
  it('for every n ≤ 8, every N, both baselines, every number of correct samples', () => {
    for (let n = 1; n <= 8; n++) {
      for (let c = 0; c <= n; c++) {
        const g: number[] = Array.from({ length: n }, (_, i) => (i < c ? 1 : 0));
        for (let N = 1; N <= n; N++) {
          for (const baseline of ['none', 'loo'] as const) {
            if (baseline === 'loo' && n < 2) continue;
            // (N/n) · mean over (N−1)-subsets J of the others of [all of J fail] · (r_i − b_i)
            const exact = g.map((ri, i) => {
              const others = g.filter((_, j) => j !== i);
              let allFail = 0n;
              for (const J of subsets(n - 1, N - 1)) if (J.every((j) => others[j] === 0)) allFail++;
              const coef = new Q(allFail, binom(n - 1, N - 1));
              const b = baseline === 'loo' ? new Q(BigInt(others.reduce((a, x) => a + x, 0)), BigInt(n - 1)) : Q.zero;
              return new Q(BigInt(N), BigInt(n)).mul(coef).mul(Q.int(ri).sub(b));
            });
            expectExact(bonRlBinaryAdvantage(g, N, { baseline }), exact, `n=${n} c=${c} N=${N} ${baseline}`);
          }
        }
      }
    }
  });
});

describe('bestOfNDistillationWeights(scores, N) is the probability of being best-of-N’s pick', () => {
  it("'without-replacement' by enumerating N-subsets, every n ≤ 8", () => {
    const rand = rng(4);
    for (let n = 1; n <= 8; n++) {
      for (let c = 0; c < CASES_PER_N; c++) {
        const { v } = randomCase(n, rand);
        for (let N = 1; N <= n; N++) {
          const exact = Array.from({ length: n }, () => Q.zero);
          for (const I of subsets(n, N)) {
            const top = Math.max(...I.map((i) => v[i]!));
            const winners = I.filter((i) => v[i] === top);
            for (const i of winners) exact[i] = exact[i]!.add(new Q(1n, BigInt(winners.length) * binom(n, N)));
          }
          const got = bestOfNDistillationWeights(v, N);
          expectExact(got, exact, `v=${v} N=${N}`);
          expect(Math.abs(got.reduce((a, x) => a + x, 0) - 1)).toBeLessThan(1e-14);
        }
      }
    }
  });

  it("'with-replacement' by enumerating N-tuples of draws, every n ≤ 8 (N up to n + 1, at most 5)", () => {
    const rand = rng(5);
    for (let n = 1; n <= 8; n++) {
      for (let c = 0; c < 3; c++) {
        const { v } = randomCase(n, rand);
        for (let N = 1; N <= Math.min(n + 1, n <= 5 ? 5 : 4); N++) {
          const exact = Array.from({ length: n }, () => Q.zero);
          const each = new Q(1n, BigInt(n) ** BigInt(N));
          for (const t of tuples(n, N)) {
            const top = Math.max(...t.map((i) => v[i]!));
            const winners = t.filter((i) => v[i] === top); // draws, with multiplicity
            for (const i of winners) exact[i] = exact[i]!.add(each.div(Q.int(winners.length)));
          }
          const got = bestOfNDistillationWeights(v, N, { sampling: 'with-replacement' });
          expectExact(got, exact, `v=${v} N=${N}`);
        }
      }
    }
  });
});

/** π with dyadic entries that sum to exactly 1 in doubles, some zero, scores with ties. */
function randomDistribution(m: number, rand: () => number): { pi: number[]; v: number[] } {
  const units: number[] = Array.from({ length: m }, () => (rand() < 0.15 ? 0 : 1 + Math.floor(rand() * 20)));
  if (!units.some((u) => u > 0)) units[0] = 1;
  const total = units.reduce((a, b) => a + b, 0);
  // Rescale to a power-of-two denominator so the doubles are exact and sum to exactly 1.
  const den = 1024;
  const pi = units.map((u) => Math.floor((u / total) * den));
  pi[pi.findIndex((p) => p > 0)]! += den - pi.reduce((a, b) => a + b, 0);
  return { pi: pi.map((p) => p / den), v: Array.from({ length: m }, () => Math.floor(rand() * 3)) };
}

describe('bestOfNDistribution(probs, scores, N) equals the law of the top-scoring of N draws', () => {
  it('by enumerating N-tuples of outcomes, supports up to 8, tied scores and zero masses', () => {
    const rand = rng(6);
    for (let m = 1; m <= 8; m++) {
      for (let c = 0; c < 3; c++) {
        const { pi, v } = randomDistribution(m, rand);
        const q = pi.map((p) => Q.fromNumber(p));
        for (let N = 1; N <= (m <= 6 ? 5 : 4); N++) {
          const exact = Array.from({ length: m }, () => Q.zero);
          for (const t of tuples(m, N)) {
            let p = Q.one;
            for (const y of t) p = p.mul(q[y]!);
            if (p.isZero()) continue;
            const top = Math.max(...t.map((y) => v[y]!));
            const winners = t.filter((y) => v[y] === top);
            for (const y of winners) exact[y] = exact[y]!.add(p.div(Q.int(winners.length)));
          }
          expectExact(bestOfNDistribution(pi, v, N), exact, `pi=${pi} v=${v} N=${N}`);
          let kl = 0;
          for (let y = 0; y < m; y++) {
            const e = exact[y]!.toNumber();
            if (e > 0) kl += e * Math.log(e / pi[y]!);
          }
          expect(Math.abs(bestOfNKL(pi, v, N) - kl), `KL pi=${pi} v=${v} N=${N}`).toBeLessThan(1e-13);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Unbiasedness by exact enumeration over a softmax policy.

/** Four outcomes; outcomes 1 and 2 tie in score but differ in reward, so the tie split matters. */
const SCORE = [0.1, 0.5, 0.5, 0.9];
const REWARD = [0.3, 1, 0, 0.6];
const THETA = [0.2, -0.4, 0.7, 0.1];

function bonOfTuple(t: readonly number[]): number {
  const top = Math.max(...t.map((y) => SCORE[y]!));
  const winners = t.filter((y) => SCORE[y] === top);
  return winners.reduce((a, y) => a + REWARD[y]!, 0) / winners.length;
}

describe('bestOfNAdvantage(scores, rewards, k) is an unbiased gradient of E[best-of-k reward]', () => {
  for (const [n, k] of [
    [4, 1],
    [4, 2],
    [4, 3],
    [5, 4],
    [4, 4],
  ] as const) {
    for (const baseline of BASELINES) {
      const eff = baseline === 'loo-1' && k === 1 ? 'loo' : baseline;
      if ((eff === 'loo' || eff === 'loo-pkpo') && k > n - 1) continue;
      it(`n=${n}, k=${k}, baseline '${baseline}'`, () => {
        const exact = exactObjectiveGradient(THETA, k, bonOfTuple);
        const est = expectedEstimatorGradient(THETA, n, (t) =>
          bestOfNAdvantage(
            t.map((y) => SCORE[y]!),
            t.map((y) => REWARD[y]!),
            k,
            { baseline },
          ),
        );
        expect(maxAbsDiff(est, exact)).toBeLessThan(1e-12);
        expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(1e-3); // the check is not vacuous
      });
    }
  }
});

describe("bestOfNDistillationWeights(scores, N) without replacement is an unbiased estimate of π_BoN", () => {
  for (const [n, N] of [
    [4, 2],
    [5, 3],
    [4, 4],
  ] as const) {
    it(`E[Σ_i w_i 1{y_i = y}] = bestOfNDistribution(π, scores, N)(y), n=${n}, N=${N}, tied scores`, () => {
      const pi = softmax(THETA);
      const expected = new Array<number>(SCORE.length).fill(0);
      for (const t of tuples(SCORE.length, n)) {
        let p = 1;
        for (const y of t) p *= pi[y]!;
        const w = bestOfNDistillationWeights(
          t.map((y) => SCORE[y]!),
          N,
        );
        for (let i = 0; i < n; i++) expected[t[i]!]! += p * w[i]!;
      }
      const exact = bestOfNDistribution(pi, SCORE, N);
      expect(maxAbsDiff(expected, Array.from(exact))).toBeLessThan(1e-12);
    });
  }
});

/** Binary rewards: outcomes 0 and 2 fail, 1 and 3 succeed. J = 1 − p^N = E[max of N rewards]. */
const BINARY = [0, 1, 0, 1];
const THETA_BIN = [0.9, -0.6, 0.4, -0.2];
const maxReward = (t: readonly number[]): number => Math.max(...t.map((y) => BINARY[y]!));

describe('bonRlBinaryAdvantage(rewards, N) is an unbiased gradient of 1 − p^N', () => {
  for (const [n, N] of [
    [4, 1],
    [4, 2],
    [5, 3],
    [5, 5],
  ] as const) {
    for (const baseline of ['none', 'loo'] as const) {
      it(`n=${n}, N=${N}, baseline '${baseline}'`, () => {
        const exact = exactObjectiveGradient(THETA_BIN, N, maxReward);
        const est = expectedEstimatorGradient(THETA_BIN, n, (t) =>
          bonRlBinaryAdvantage(
            t.map((y) => BINARY[y]!),
            N,
            { baseline },
          ),
        );
        expect(maxAbsDiff(est, exact)).toBeLessThan(1e-12);
      });
    }
  }

  it("coefficient 'plug-in' is biased (measured exactly; documented in docs/estimators/best-of-n.md)", () => {
    const n = 4;
    const N = 3;
    const exact = exactObjectiveGradient(THETA_BIN, N, maxReward);
    const est = expectedEstimatorGradient(THETA_BIN, n, (t) =>
      bonRlBinaryAdvantage(
        t.map((y) => BINARY[y]!),
        N,
        { coefficient: 'plug-in' },
      ),
    );
    const bias = maxAbsDiff(est, exact);
    const size = Math.max(...exact.map(Math.abs));
    // N = 1 has no coefficient to estimate; from N = 2 on p̂^{N−1} ≠ E-unbiased, by a margin far above rounding.
    expect(bias / size).toBeGreaterThan(0.01);
  });
});
