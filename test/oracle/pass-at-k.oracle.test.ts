/**
 * docs/estimators/weights.md#what-proven-means: every pass@k / max@k estimator equals the definition (a mean over k-subsets) enumerated in
 * exact BigInt rationals, for every n ≤ 9, every valid k and every baseline; and the large-n values
 * (n up to 10^5) equal exact BigInt rationals to 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import {
  BASELINES,
  logFailAtK,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  type Baseline,
} from '../../src/index.js';
import { binom, bruteBaselined, bruteMetric, maxObjective, mismatch, Q } from './rational.js';
import { mulberry32 as rng } from '../support/prng.js';


/** Fisher–Yates with the seeded generator. */
function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** A small set of values, negatives included, so that random groups have many ties. */
const QUARTERS = [-1, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5];

/** Which baselines a group of n samples supports at this k (docs/estimators/weights.md#baselines). */
function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** Relative 1e-12 with an absolute floor of 1e-14 (weights are O(1) here; exact zeros need a floor). */
const REL = 1e-12;
const ABS = 1e-14;

describe('pass@k / max@k vs BigInt brute force, n ≤ 9', () => {
  const random = rng(20260523);
  const groups: { kind: string; g: number[] }[] = [];
  for (let n = 1; n <= 9; n++) {
    for (let t = 0; t < 3; t++) groups.push({ kind: 'binary', g: Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0)) });
    // Edge binary groups: all wrong, all right.
    groups.push({ kind: 'binary', g: new Array<number>(n).fill(0) });
    groups.push({ kind: 'binary', g: new Array<number>(n).fill(1) });
    for (let t = 0; t < 3; t++) {
      groups.push({ kind: 'ties', g: Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!) });
    }
    // Few distinct values: heavy ties.
    groups.push({ kind: 'ties', g: Array.from({ length: n }, () => (random() < 0.5 ? -0.75 : 0.5)) });
    // Arbitrary doubles (exact as dyadic rationals), no ties.
    groups.push({ kind: 'doubles', g: Array.from({ length: n }, () => random() * 4 - 2) });
  }

  it('maxAtK(g, k) equals the mean of max over all k-subsets (every n ≤ 9, every k)', () => {
    const failures: string[] = [];
    let cases = 0;
    for (const { kind, g } of groups) {
      const n = g.length;
      const f = maxObjective(g.map(Q.fromNumber));
      for (let k = 1; k <= n; k++) {
        const m = mismatch(maxAtK(g, k), bruteMetric(n, k, f), REL, ABS);
        if (m) failures.push(`${kind} g=[${g}] k=${k}: ${m}`);
        cases++;
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(400);
  });

  it('passAtK(n, c, k) equals the mean over k-subsets of "any correct" (every n ≤ 9, c, k)', () => {
    const failures: string[] = [];
    for (let n = 1; n <= 9; n++) {
      for (let c = 0; c <= n; c++) {
        const g = Array.from({ length: n }, (_, i) => (i < c ? Q.one : Q.zero));
        for (let k = 1; k <= n; k++) {
          const exact = bruteMetric(n, k, maxObjective(g));
          const m1 = mismatch(passAtK(n, c, k), exact, REL, ABS);
          if (m1) failures.push(`passAtK(${n}, ${c}, ${k}): ${m1}`);
          // log(1 − pass@k): compare exp of it with the exact failure probability.
          const fail = Q.one.sub(exact);
          const lf = logFailAtK(n, c, k);
          if (fail.isZero() ? lf !== -Infinity : mismatch(Math.exp(lf), fail, 1e-13, 0) !== undefined) {
            failures.push(`logFailAtK(${n}, ${c}, ${k}) = ${lf}, exact fail ${fail}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('maxAtKAdvantage(g, k, { baseline }) equals brute force for every n ≤ 9, k and baseline, with ties', () => {
    const failures: string[] = [];
    let cases = 0;
    for (const { kind, g } of groups) {
      const n = g.length;
      const f = maxObjective(g.map(Q.fromNumber));
      for (let k = 1; k <= n; k++) {
        for (const baseline of validBaselines(n, k)) {
          const w = maxAtKAdvantage(g, k, { baseline });
          const exact = bruteBaselined(n, k, f, baseline);
          for (let i = 0; i < n; i++) {
            const m = mismatch(w[i]!, exact[i]!, REL, ABS);
            if (m) failures.push(`${kind} g=[${g}] k=${k} ${baseline} i=${i}: ${m}`);
          }
          cases++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(1200);
  });

  it('passAtKAdvantage(rewards, k, { baseline }) equals brute force for every n ≤ 9, c, k and baseline', () => {
    const random = rng(99);
    const failures: string[] = [];
    let cases = 0;
    for (let n = 1; n <= 9; n++) {
      for (let c = 0; c <= n; c++) {
        // Correct samples spread through the group, not just at the front.
        const g = shuffle(Array.from({ length: n }, (_, i) => (i < c ? 1 : 0)), random);
        const f = maxObjective(g.map((x) => Q.int(x)));
        for (let k = 1; k <= n; k++) {
          for (const baseline of validBaselines(n, k)) {
            const w = passAtKAdvantage(g, k, { baseline });
            const exact = bruteBaselined(n, k, f, baseline);
            for (let i = 0; i < n; i++) {
              const m = mismatch(w[i]!, exact[i]!, REL, ABS);
              if (m) failures.push(`g=[${g}] k=${k} ${baseline} i=${i}: ${m}`);
            }
            cases++;
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(600);
  });

  it('passAtKAdvantage (binary closed forms) equals maxAtKAdvantage (sorted path) on the same 0/1 rewards', () => {
    const failures: string[] = [];
    for (const { g } of groups.filter((x) => x.kind === 'binary')) {
      const n = g.length;
      for (let k = 1; k <= n; k++) {
        for (const baseline of validBaselines(n, k)) {
          for (const scale of ['sum', 'mean'] as const) {
            const a = passAtKAdvantage(g, k, { baseline, scale });
            const b = maxAtKAdvantage(g, k, { baseline, scale });
            for (let i = 0; i < n; i++) {
              const tol = Math.max(ABS * (scale === 'mean' ? n : 1), REL * Math.abs(b[i]!));
              if (!(Math.abs(a[i]! - b[i]!) <= tol)) failures.push(`g=[${g}] k=${k} ${baseline} ${scale} i=${i}: ${a[i]} vs ${b[i]}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Large n: exact BigInt rationals without enumeration.

/** Number of bits of a positive bigint. */
function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** log(num/den) for positive bigints of any size: log of the leading 64 bits plus the exponent. */
function logRatio(num: bigint, den: bigint): number {
  const sn = Math.max(0, bitLength(num) - 64);
  const sd = Math.max(0, bitLength(den) - 64);
  return Math.log(Number(num >> BigInt(sn))) - Math.log(Number(den >> BigInt(sd))) + (sn - sd) * Math.LN2;
}

/** num/den as the nearest double (num, den ≥ 0, den > 0), for ratios that need no reduction. */
function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = bitLength(num) - bitLength(den) - 80;
  const q = shift >= 0 ? num / (den << BigInt(shift)) : (num << BigInt(-shift)) / den;
  return Number(q) * 2 ** shift;
}

describe('passAtK / logFailAtK vs exact rationals, n up to 10^5', () => {
  const cases: [number, number, number][] = [
    [100000, 1, 1], // pass@k tiny: 1e-5
    [100000, 1, 7],
    [100000, 3, 2],
    [100000, 10, 100],
    [100000, 1000, 50],
    [100000, 2000, 1000],
    [99991, 37, 4096],
    [100000, 50000, 100], // pass@k rounds to 1; log(1 − pass@k) ≈ −69.36
    [100000, 99990, 5], // pass@k rounds to 1
    [100000, 20000, 2000], // pass@k rounds to 1; log ≈ −446
    [100000, 50000, 50000], // log ≈ −69310
    [100000, 99999, 1],
  ];

  for (const [n, c, k] of cases) {
    it(`passAtK(${n}, ${c}, ${k}) and logFailAtK(${n}, ${c}, ${k}) equal 1 − C(n−c,k)/C(n,k) exactly to 1e-12`, () => {
      const num = binom(n - c, k);
      const den = binom(n, k);
      const pass = passAtK(n, c, k);
      const exactPass = ratioToNumber(den - num, den);
      expect(Math.abs(pass - exactPass)).toBeLessThanOrEqual(1e-12 * exactPass);
      const lf = logFailAtK(n, c, k);
      // Near 0 the difference of two logs cancels: use log1p of the exact pass@k there.
      const exactLog = 2n * (den - num) < den ? Math.log1p(-exactPass) : logRatio(num, den);
      expect(Math.abs(lf - exactLog), `logFailAtK ${lf} vs ${exactLog}`).toBeLessThanOrEqual(1e-12 * Math.abs(exactLog));
    });
  }

  it('passAtK(n, c, k) rounds to exactly 1 where logFailAtK keeps the information', () => {
    expect(passAtK(100000, 50000, 100)).toBe(1);
    expect(logFailAtK(100000, 50000, 100)).toBeLessThan(-69);
    expect(logFailAtK(100000, 99990, 5)).toBeLessThan(-40);
  });

  it('logRatio (the test oracle) agrees with Math.log on small ratios', () => {
    expect(Math.abs(logRatio(15n, 70n) - Math.log(15 / 70))).toBeLessThanOrEqual(1e-15);
    const big = binom(3000, 1500);
    expect(Math.abs(logRatio(big, big * 7n) + Math.log(7))).toBeLessThanOrEqual(1e-13);
  });
});

describe('k-sample weights vs exact rationals at n ≈ 2000', () => {
  /** Exact pass@k of m samples with c correct (0 when k = 0). */
  function exactPass(m: number, c: number, k: number): Q {
    return k === 0 ? Q.zero : Q.one.sub(new Q(binom(m - c, k), binom(m, k)));
  }

  /**
   * The weights of sample i (correct or not) from the definitions (docs/estimators/weights.md), with P the exact pass@k:
   * s = k/n (correct) or (k/n)·P(n−1, c, k−1); loo: − (k/n)·P(n−1, c₋ᵢ, k); loo-pkpo: − (k/(n−1))·P(n−1, c₋ᵢ, k);
   * loo-1: − (k/n)·P(n−1, c₋ᵢ, k−1) (loo at k = 1); c₋ᵢ = correct among the others.
   */
  function exactBinaryWeight(n: number, c: number, k: number, correct: boolean, baseline: Baseline): Q {
    const r = new Q(BigInt(k), BigInt(n));
    const cOthers = correct ? c - 1 : c;
    const s = correct ? r : r.mul(exactPass(n - 1, c, k - 1));
    switch (baseline) {
      case 'none':
        return s;
      case 'loo':
        return s.sub(r.mul(exactPass(n - 1, cOthers, k)));
      case 'loo-pkpo':
        return s.sub(new Q(BigInt(k), BigInt(n - 1)).mul(exactPass(n - 1, cOthers, k)));
      case 'loo-1': // at k = 1 it falls back to loo
        return s.sub(r.mul(exactPass(n - 1, cOthers, k === 1 ? 1 : k - 1)));
    }
  }

  it('passAtKAdvantage(rewards, k, { baseline }) at n = 2000 equals the exact weights to 1e-12', () => {
    const n = 2000;
    const failures: string[] = [];
    for (const [c, k] of [[1, 1], [37, 64], [1500, 300], [3, 1000], [1999, 2], [5, 1999], [200, 1999], [1000, 1000]] as const) {
      const g = Array.from({ length: n }, (_, i) => ((i * 7919) % n < c ? 1 : 0));
      for (const baseline of validBaselines(n, k)) {
        const w = passAtKAdvantage(g, k, { baseline });
        const iCorrect = g.indexOf(1);
        const iWrong = g.indexOf(0);
        for (const [i, correct] of [[iCorrect, true], [iWrong, false]] as const) {
          if (i < 0) continue;
          const m = mismatch(w[i]!, exactBinaryWeight(n, c, k, correct, baseline), REL, 1e-300);
          if (m) failures.push(`c=${c} k=${k} ${baseline} ${correct ? 'correct' : 'wrong'}: ${m}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  /**
   * Exact ρ(g, k)·C(n, k)·4 for quarter-valued g (sorted ascending, given as integers 4g):
   * Σ_{i≥k} C(i−1, k−1) g_(i), the count of subsets whose max sits at sorted position i (docs/estimators/max-at-k.md).
   */
  function exactScaledMetric(sorted4: readonly bigint[], k: number): bigint {
    if (k === 0) return 0n;
    let sum = 0n;
    let coef = 1n; // C(i−1, k−1) at i = k
    for (let i = k; i <= sorted4.length; i++) {
      if (i > k) coef = (coef * BigInt(i - 1)) / BigInt(i - k);
      sum += coef * sorted4[i - 1]!;
    }
    return sum;
  }

  it('maxAtK and maxAtKAdvantage(g, k, { baseline }) at n = 2000 with ties equal exact rationals to 1e-12', () => {
    const random = rng(7);
    const n = 2000;
    const failures: string[] = [];
    for (const k of [1, 2, 17, 500, 1999]) {
      const g = Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!);
      const sorted4 = g.map((x) => BigInt(4 * x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const Cnk = binom(n, k);
      const rho = new Q(exactScaledMetric(sorted4, k), 4n * Cnk);
      const mMetric = mismatch(maxAtK(g, k), rho, REL, 1e-15);
      if (mMetric) failures.push(`maxAtK k=${k}: ${mMetric}`);
      // One leave-one-out group per distinct value: ρ(g₋ᵢ, κ) only depends on g_i.
      const weights = Object.fromEntries(validBaselines(n, k).map((b) => [b, maxAtKAdvantage(g, k, { baseline: b })]));
      for (const v of new Set(g)) {
        const i = g.indexOf(v);
        const v4 = BigInt(4 * v);
        const others = sorted4.slice();
        others.splice(others.indexOf(v4), 1);
        // s_i = (1/C(n,k)) Σ_{I∋i} max(I) and Σ_{I∋i} max(I) = Σ_{J ⊆ others, |J| = k−1} max(v, max J)
        //     = Σ_J max J + Σ_J (v − max J)⁺; the second sum weights each sorted position p of the others
        // by the C(p−1, k−2) subsets J whose max sits at p. (k = 1: J = ∅ and the sum is v.)
        let sumMaxJ = exactScaledMetric(others, k - 1);
        if (k === 1) sumMaxJ = v4; // J = ∅: max(v, ∅) = v
        else {
          let coef = 1n; // C(p−1, k−2) at p = k−1
          for (let p = k - 1; p <= n - 1; p++) {
            if (p > k - 1) coef = (coef * BigInt(p - 1)) / BigInt(p - k + 1);
            const o = others[p - 1]!;
            if (o < v4) sumMaxJ += coef * (v4 - o);
          }
        }
        const s = new Q(sumMaxJ, 4n * Cnk);
        const r = new Q(BigInt(k), BigInt(n));
        const rhoOthers = (kk: number): Q => (kk === 0 ? Q.zero : new Q(exactScaledMetric(others, kk), 4n * binom(n - 1, kk)));
        const exact: Record<Baseline, () => Q> = {
          none: () => s,
          loo: () => s.sub(r.mul(rhoOthers(k))),
          'loo-pkpo': () => s.sub(new Q(BigInt(k), BigInt(n - 1)).mul(rhoOthers(k))),
          'loo-1': () => (k === 1 ? s.sub(r.mul(rhoOthers(1))) : s.sub(r.mul(rhoOthers(k - 1)))),
        };
        for (const b of validBaselines(n, k)) {
          const m = mismatch(weights[b]![i]!, exact[b](), REL, 1e-15);
          if (m) failures.push(`k=${k} ${b} g_i=${v}: ${m}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("maxAtKAdvantage(g, k, { baseline: 'loo' }) keeps 1e-12 relative accuracy when its weights are tiny against the rewards", () => {
    // Most samples tied at the top: every weight is ~1e-20 while the rewards are ~1, so computing
    // s − (k/n)·ρ(g₋ᵢ, k) directly would leave only rounding noise (it did: 1e4 relative error).
    // No absolute floor below: each weight must be right relative to itself.
    const random = rng(11);
    const n = 2000;
    const levels = [0, 0.25, 0.5, 1, 2, 3, 5, 8];
    const failures: string[] = [];
    for (const k of [2, 64, 700]) {
      const g = Array.from({ length: n }, () => levels[Math.min(7, Math.floor(random() ** 0.2 * 8))]!);
      const w = maxAtKAdvantage(g, k, { baseline: 'loo' });
      const sorted4 = g.map((x) => BigInt(4 * x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const Cnk = binom(n, k);
      for (const v of new Set(g)) {
        const i = g.indexOf(v);
        const v4 = BigInt(4 * v);
        const others = sorted4.slice();
        others.splice(others.indexOf(v4), 1);
        let sumMaxJ = exactScaledMetric(others, k - 1);
        let coef = 1n;
        for (let p = k - 1; p <= n - 1; p++) {
          if (p > k - 1) coef = (coef * BigInt(p - 1)) / BigInt(p - k + 1);
          const o = others[p - 1]!;
          if (o < v4) sumMaxJ += coef * (v4 - o);
        }
        const exact = new Q(sumMaxJ, 4n * Cnk).sub(
          new Q(BigInt(k), BigInt(n)).mul(new Q(exactScaledMetric(others, k), 4n * binom(n - 1, k))),
        );
        const m = mismatch(w[i]!, exact, REL, 0);
        if (m) failures.push(`k=${k} g_i=${v}: ${m}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
