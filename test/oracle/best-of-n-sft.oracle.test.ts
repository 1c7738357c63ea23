/**
 * BoN-SFT (Chow et al., arXiv 2412.15287) and BoN-RL on the selected sample against exact enumeration:
 * the expected gradient of every estimator over ALL n-tuples of a 4-outcome softmax policy, against the
 * exact gradient of its objective; BigInt-rational checks of every closed form.
 */
import { describe, expect, it } from 'vitest';
import { bestOfNDistribution, bestOfNSftWeights, bonRlSelectedWeights, type BestOfNSftEstimator } from '../../src/index.js';
import { exactPassGradient, expectedSelected, expectedSftGradient, projection, sftTargets } from './best-of-n-sft.policy.js';
import { maxAbsDiff } from './policy.js';
import { bruteBaselined, bruteMetric, mismatch, Q, qsum, tuples, type SubsetObjective } from './rational.js';
import { mulberry32 as rng } from '../support/prng.js';

const THETAS: number[][] = [
  [0.3, -0.5, 1.2, 0.1],
  [-1, 0.8, 0.4, -0.3],
];

const maxAbs = (x: readonly number[]) => Math.max(...x.map(Math.abs));

/** Continuous-verifier cases (v* equals no outcome's score: the expert's score is its own draw). */
const NO_TIES = [
  { sc: [0, 1, 2, 3], ystar: 1, vstar: 1.5 },
  { sc: [0, 1, 2, 3], ystar: 3, vstar: 2.5 },
];
/** Deterministic-verifier cases: samples can tie with the expert (y* is in its own tie class). */
const TIES = [
  { sc: [0, 1, 1, 2], ystar: 1, vstar: 1 },
  { sc: [0, 1, 2, 3], ystar: 2, vstar: 2 },
  { sc: [0, 1, 2, 3], ystar: 0, vstar: 0 }, // m = 0 always: only ties
  { sc: [1, 1, 1, 1], ystar: 3, vstar: 1 }, // every sample ties
];

describe("bestOfNSftWeights(…, { estimator: 'unbiased' }) is exactly unbiased for ∇π_BoN(y*)/π(y*)", () => {
  it('matches the exact gradient to 1e-12 (4 outcomes, with and without ties, n = 2..6, N ≤ n + 1, both baselines)', () => {
    const failures: string[] = [];
    let cases = 0;
    for (const theta of THETAS) {
      for (const c of [...NO_TIES, ...TIES]) {
        for (let n = 2; n <= 6; n++) {
          for (const N of [1, 2, 3, 5, n + 1]) {
            if (N > n + 1) continue;
            const target = sftTargets(theta, c.sc, c.ystar, c.vstar, N);
            for (const baseline of ['none', 'centred'] as const) {
              if (baseline === 'centred' && N > n) continue;
              const est = expectedSftGradient(target.pi, target.gStar, c.sc, c.vstar, n, N, { estimator: 'unbiased', baseline });
              const d = maxAbsDiff(est, target.likGrad);
              cases++;
              if (!(d <= 1e-12)) failures.push(`θ=[${theta}] ${JSON.stringify(c)} n=${n} N=${N} ${baseline}: off by ${d}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(300);
  });
});

describe("bestOfNSftWeights 'self-normalised' and 'jackknife' without ties: the bias in closed form", () => {
  it('E[self-normalised] = ∇log π(y*) + (1 − (1−F)^n)·∇log h, E[jackknife] adds (n−1)F(1−F)^{n−1}·∇log h (to 1e-12)', () => {
    const failures: string[] = [];
    for (const theta of THETAS) {
      for (const c of NO_TIES) {
        for (let n = 2; n <= 6; n++) {
          for (const N of [1, 2, 3, 5]) {
            const t = sftTargets(theta, c.sc, c.ystar, c.vstar, N);
            const F = t.fLt;
            const factors: Record<'self-normalised' | 'jackknife', number> = {
              'self-normalised': 1 - (1 - F) ** n,
              jackknife: 1 - (1 - F) ** n + (n - 1) * F * (1 - F) ** (n - 1),
            };
            for (const estimator of ['self-normalised', 'jackknife'] as const) {
              const expected = t.gStar.map((g, a) => g + factors[estimator] * t.bonTerm[a]!);
              for (const baseline of ['none', 'centred'] as const) {
                const est = expectedSftGradient(t.pi, t.gStar, c.sc, c.vstar, n, N, { estimator, baseline });
                const d = maxAbsDiff(est, expected);
                if (!(d <= 1e-12)) failures.push(`θ=[${theta}] ${JSON.stringify(c)} n=${n} N=${N} ${estimator} ${baseline}: off by ${d}`);
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('N = 1 is plain SFT: expert weight 1, every sample weight 0, expected gradient ∇log π(y*) exactly', () => {
    for (const estimator of ['self-normalised', 'jackknife', 'unbiased'] as BestOfNSftEstimator[]) {
      const w = bestOfNSftWeights([0.1, 0.5, 0.9, 0.5], [0.5], 1, { estimator });
      expect([...w.expert]).toEqual([1]);
      expect([...w.samples]).toEqual([0, 0, 0, 0]);
    }
  });
});

/** Relative bias of an estimator of ∇log π_BoN(y*): ‖E − exact‖∞ / ‖∇log h‖∞ (the best-of-N term). */
function relativeBias(theta: number[], c: (typeof TIES)[number], n: number, N: number, estimator: BestOfNSftEstimator): number {
  const t = sftTargets(theta, c.sc, c.ystar, c.vstar, N);
  const est = expectedSftGradient(t.pi, t.gStar, c.sc, c.vstar, n, N, { estimator });
  return maxAbsDiff(est, t.logGrad) / maxAbs(t.bonTerm);
}

describe('bestOfNSftWeights with ties: the measured bias of the plug-in estimators is pinned', () => {
  // θ = THETAS[0], scores [0, 1, 1, 2], y* = outcome 1 (v* = 1, tied with outcome 2), N = 4.
  // Measured by this enumeration; a change of the estimators' math moves these numbers.
  const pinned: [number, BestOfNSftEstimator, number][] = [
    [2, 'self-normalised', 0.291727970750065],
    [4, 'self-normalised', 0.12658883219432007],
    [6, 'self-normalised', 0.07825691440174382],
    [2, 'jackknife', 0.1560745757854229],
    [4, 'jackknife', 0.037006944239373916],
    [6, 'jackknife', 0.013956619207265417],
  ];
  it.each(pinned)('n = %i, %s: relative bias %s', (n, estimator, bias) => {
    const got = relativeBias(THETAS[0]!, TIES[0]!, n, 4, estimator);
    expect(got).toBeCloseTo(bias, 6);
  });

  it('the plug-in estimators are never exact with ties at small n (bias > 1e-3), and shrink by n = 6', () => {
    for (const estimator of ['self-normalised', 'jackknife'] as BestOfNSftEstimator[]) {
      const b2 = relativeBias(THETAS[1]!, TIES[0]!, 2, 3, estimator);
      const b6 = relativeBias(THETAS[1]!, TIES[0]!, 6, 3, estimator);
      expect(b2).toBeGreaterThan(1e-3);
      expect(b6).toBeLessThan(b2);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Exact rational checks of the closed forms

/** Random scores with ties and an expert score drawn among them or between them. */
function randomCase(r: () => number, n: number): { v: number[]; star: number } {
  const v = Array.from({ length: n }, () => Math.floor(r() * 4));
  const star = r() < 0.5 ? Math.floor(r() * 4) : Math.floor(r() * 4) + 0.5;
  return { v, star };
}

/** The U-statistic kernel on (N−1)-subsets: N·1{no sample above v*}/(1 + samples tied with v*). */
function uKernel(v: readonly number[], star: number, N: number): SubsetObjective {
  return (I) => {
    if (I.some((i) => v[i]! > star)) return Q.zero;
    const ties = I.filter((i) => v[i] === star).length;
    return new Q(BigInt(N), BigInt(1 + ties));
  };
}

function qpow(x: Q, e: number): Q {
  let r = Q.one;
  for (let i = 0; i < e; i++) r = r.mul(x);
  return r;
}

/** Plug-in coefficients [below, tie] from counts, in rationals (the formula as written, no rewriting). */
function plugInQ(m: number, t: number, N: number): [Q, Q] {
  if (N === 1) return [Q.zero, Q.zero];
  const fLt = Q.int(m);
  const fLe = Q.int(m + t);
  if (t === 0) return [m > 0 ? new Q(BigInt(N - 1), BigInt(m)) : Q.zero, Q.zero];
  const D = qpow(fLe, N).sub(qpow(fLt, N));
  const below = m > 0 ? Q.int(N).mul(qpow(fLe, N - 1).sub(qpow(fLt, N - 1))).div(D) : Q.zero;
  const tie = Q.int(N).mul(qpow(fLe, N - 1)).div(D).sub(Q.one.div(Q.int(t)));
  return [below, tie];
}

function plugInWeightsQ(v: readonly number[], star: number, N: number): Q[] {
  const m = v.filter((x) => x < star).length;
  const t = v.filter((x) => x === star).length;
  const [below, tie] = plugInQ(m, t, N);
  return v.map((x) => (x < star ? below : x === star ? tie : Q.zero));
}

describe('bestOfNSftWeights closed forms equal their definitions in exact rationals', () => {
  it("'unbiased': expert = mean over (N−1)-subsets of the kernel, samples = the k-sample weights of that kernel ('none', 'loo')", () => {
    const r = rng(15);
    const bad: string[] = [];
    let checked = 0;
    for (let trial = 0; trial < 120; trial++) {
      const n = 1 + Math.floor(r() * 7);
      const { v, star } = randomCase(r, n);
      for (let N = 1; N <= n + 1; N++) {
        const f = uKernel(v, star, N);
        const k = N - 1;
        const expert = bruteMetric(n, k, f);
        for (const baseline of ['none', 'centred'] as const) {
          if (baseline === 'centred' && (N > n || n < 2)) continue;
          const got = bestOfNSftWeights(v, [star], N, { estimator: 'unbiased', baseline });
          const m0 = mismatch(got.expert[0]!, expert, 1e-12, 1e-14);
          if (m0 !== undefined) bad.push(`v=[${v}] v*=${star} N=${N} expert: ${m0}`);
          const want =
            k === 0 ? v.map(() => Q.zero) : bruteBaselined(n, k, f, baseline === 'none' ? 'none' : 'loo');
          want.forEach((q, i) => {
            const mm = mismatch(got.samples[i]!, q, 1e-12, 1e-14);
            if (mm !== undefined) bad.push(`v=[${v}] v*=${star} N=${N} ${baseline} sample ${i}: ${mm}`);
          });
          checked++;
        }
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it("'self-normalised' uses N(F_≤^{N−1} − F_<^{N−1})/D below and N F_≤^{N−1}/D − 1/a tied (counts as F), 'centred' subtracts (N−1)/n", () => {
    const r = rng(151);
    const bad: string[] = [];
    for (let trial = 0; trial < 150; trial++) {
      const n = 1 + Math.floor(r() * 9);
      const { v, star } = randomCase(r, n);
      for (const N of [1, 2, 3, 4, 7, 12]) {
        const want = plugInWeightsQ(v, star, N);
        const none = bestOfNSftWeights(v, [star], N, { baseline: 'none' }).samples;
        const centred = bestOfNSftWeights(v, [star], N).samples;
        const shift = new Q(BigInt(N - 1), BigInt(n));
        want.forEach((q, i) => {
          const a = mismatch(none[i]!, q, 1e-12, 1e-14);
          const b = mismatch(centred[i]!, q.sub(shift), 1e-12, 1e-13);
          if (a !== undefined) bad.push(`v=[${v}] v*=${star} N=${N} i=${i} none: ${a}`);
          if (b !== undefined) bad.push(`v=[${v}] v*=${star} N=${N} i=${i} centred: ${b}`);
        });
      }
    }
    expect(bad).toEqual([]);
  });

  it("'jackknife' is n·θ̂ − ((n−1)/n)·Σ_j θ̂₋ⱼ with every θ̂₋ⱼ recomputed on the n − 1 others", () => {
    const r = rng(152);
    const bad: string[] = [];
    for (let trial = 0; trial < 150; trial++) {
      const n = 2 + Math.floor(r() * 7);
      const { v, star } = randomCase(r, n);
      for (const N of [1, 2, 3, 5, 9]) {
        const full = plugInWeightsQ(v, star, N);
        const want = full.map((q, i) => {
          let loo = Q.zero;
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            const others = v.filter((_, l) => l !== j);
            const w = plugInWeightsQ(others, star, N);
            loo = loo.add(w[i < j ? i : i - 1]!);
          }
          return Q.int(n).mul(q).sub(new Q(BigInt(n - 1), BigInt(n)).mul(loo));
        });
        const got = bestOfNSftWeights(v, [star], N, { estimator: 'jackknife', baseline: 'none' }).samples;
        want.forEach((q, i) => {
          const mm = mismatch(got[i]!, q, 1e-11, 1e-13);
          if (mm !== undefined) bad.push(`v=[${v}] v*=${star} N=${N} i=${i}: ${mm}`);
        });
      }
    }
    expect(bad).toEqual([]);
  });

  it('π_BoN(y*) = π(y*)·Σ_{j<N} F_≤^j F_<^{N−1−j} equals the pick probability enumerated over N-tuples (rational π)', () => {
    const pi = [new Q(1n, 10n), new Q(3n, 10n), new Q(4n, 10n), new Q(2n, 10n)];
    for (const sc of [
      [0, 1, 1, 2],
      [0, 1, 2, 3],
      [2, 2, 2, 2],
    ]) {
      for (let N = 1; N <= 5; N++) {
        for (let ystar = 0; ystar < 4; ystar++) {
          // By definition: draw N, keep the top score, break ties uniformly.
          let byDef = Q.zero;
          for (const t of tuples(4, N)) {
            const top = Math.max(...t.map((y) => sc[y]!));
            const winners = t.filter((y) => sc[y] === top);
            const hits = winners.filter((y) => y === ystar).length;
            if (hits === 0) continue;
            let p = Q.one;
            for (const y of t) p = p.mul(pi[y]!);
            byDef = byDef.add(p.mul(new Q(BigInt(hits), BigInt(winners.length))));
          }
          const fLt = qsum(pi.filter((_, y) => sc[y]! < sc[ystar]!));
          const fLe = qsum(pi.filter((_, y) => sc[y]! <= sc[ystar]!));
          let h = Q.zero;
          for (let j = 0; j < N; j++) h = h.add(qpow(fLe, j).mul(qpow(fLt, N - 1 - j)));
          expect(pi[ystar]!.mul(h).eq(byDef)).toBe(true);
          // and the library's float π_BoN agrees
          const dist = bestOfNDistribution(pi.map((q) => q.toNumber()), sc, N);
          expect(Math.abs(dist[ystar]! - byDef.toNumber())).toBeLessThan(1e-14);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// BoN-RL on the selected sample

describe('bonRlSelectedWeights: with p known the expected gradient is ∇(1 − p^N) exactly', () => {
  it('both forms, 4 outcomes, N = 1..6 (to 1e-12)', () => {
    const failures: string[] = [];
    for (const theta of [...THETAS, [0.9, -0.6, 0.4, -0.2]]) {
      for (const correct of [
        [1, 0, 1, 0],
        [0, 0, 0, 1],
        [1, 1, 1, 0],
      ]) {
        for (let N = 1; N <= 6; N++) {
          const exact = exactPassGradient(theta, correct, N);
          for (const form of ['binary', 'positive'] as const) {
            const d = maxAbsDiff(expectedSelected(theta, correct, N, form, false), exact);
            if (!(d <= 1e-12)) failures.push(`θ=[${theta}] correct=[${correct}] N=${N} ${form}: off by ${d}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('π_BoN(correct y) = π(y)(1 − p^N)/(1 − p) and π_BoN(incorrect y) = π(y)p^{N−1}, in exact rationals', () => {
    const pi = [new Q(1n, 10n), new Q(3n, 10n), new Q(4n, 10n), new Q(2n, 10n)];
    const correct = [1, 0, 1, 0];
    const p = pi[1]!.add(pi[3]!);
    for (let N = 1; N <= 5; N++) {
      const bon = pi.map(() => Q.zero);
      for (const t of tuples(4, N)) {
        let pr = Q.one;
        for (const y of t) pr = pr.mul(pi[y]!);
        const good = t.filter((y) => correct[y] === 1);
        // a correct pick when there is one, uniform among the correct samples
        const pool = good.length > 0 ? good : t;
        for (const y of pool) bon[y] = bon[y]!.add(pr.div(Q.int(pool.length)));
      }
      pi.forEach((q, y) => {
        const want = correct[y]
          ? q.mul(Q.one.sub(qpow(p, N))).div(Q.one.sub(p))
          : q.mul(qpow(p, N - 1));
        expect(bon[y]!.eq(want)).toBe(true);
      });
    }
  });

  it('the weights equal their closed forms in exact rationals', () => {
    for (const [pn, pd] of [
      [1n, 2n],
      [9n, 10n],
      [1n, 7n],
    ] as const) {
      const p = new Q(pn, pd);
      for (let N = 1; N <= 6; N++) {
        const scale = Q.int(N).mul(Q.one.sub(p)).div(Q.one.sub(qpow(p, N)));
        const [good, bad] = bonRlSelectedWeights([1, 0], N, { failureProbs: [p.toNumber(), p.toNumber()] });
        expect(mismatch(good!, scale.mul(qpow(p, N)))).toBeUndefined();
        expect(mismatch(bad!, scale.mul(qpow(p, N).sub(Q.one)))).toBeUndefined();
        const [pos] = bonRlSelectedWeights([1], N, { failureProbs: [p.toNumber()], form: 'positive' });
        expect(mismatch(pos!, scale.mul(qpow(p, N - 1)))).toBeUndefined();
      }
    }
  });
});

describe('bonRlSelectedWeights with p estimated from the same N samples is biased: measured, pinned', () => {
  // θ = [0.9, −0.6, 0.4, −0.2], outcomes 0 and 2 correct (p = 0.2571).
  const theta = [0.9, -0.6, 0.4, -0.2];
  const correct = [1, 0, 1, 0];
  const pinned: [number, 'binary' | 'positive', number][] = [
    [2, 'binary', 0.33333333333333326],
    [4, 'binary', 1.138966307746922],
    [8, 'binary', 11.283341674572346],
    [2, 'positive', 0.6666666666666665],
    [4, 'positive', 2.1658046492945613],
    [8, 'positive', 19.712919366185197],
  ];
  it.each(pinned)('N = %i, %s: projection on ∇J is %s', (N, form, want) => {
    const got = projection(expectedSelected(theta, correct, N, form, true), exactPassGradient(theta, correct, N));
    expect(got).toBeCloseTo(want, 6);
  });
});

