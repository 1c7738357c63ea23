/**
 * The order-statistic family against its definition, enumerated in exact BigInt rationals: the metric is
 * the mean over all k-subsets of Σ_j α_j X_(j:I), the weights are the baselined subset sums, for every
 * n ≤ 9, every k, every baseline, every preset and random rank weights, on rewards with heavy ties; on
 * both backends. Then n = 1024 against exact rationals (stability without raw binomials).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINES,
  getBackend,
  registerBackend,
  maxAtK,
  maxAtKAdvantage,
  orderStatisticAdvantage,
  orderStatisticAtK,
  type Baseline,
  type OrderStatisticAlpha,
} from '../../src/index.js';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { binom, bruteBaselined, bruteMetric, mismatch, Q, type SubsetObjective } from './rational.js';
import { mulberry32 as rng } from '../support/prng.js';

beforeAll(async () => {
  await loadWasmBackend();
});

const QUARTERS = [-1, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5];
const REL = 1e-12;
const ABS = 1e-14;

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** Exact preset rank weights, written independently of the library from the documented grammar. */
function exactPreset(name: string, k: number): Q[] {
  const alpha = Array.from({ length: k }, () => Q.zero);
  const fill = (lo: number, hi: number): Q[] => {
    for (let j = lo; j < hi; j++) alpha[j] = new Q(1n, BigInt(hi - lo));
    return alpha;
  };
  if (name === 'max') return fill(k - 1, k);
  if (name === 'min') return fill(0, 1);
  if (name === 'mean') return fill(0, k);
  if (name === 'median') return k % 2 ? fill((k - 1) / 2, (k + 1) / 2) : fill(k / 2 - 1, k / 2 + 1);
  const [kind, arg] = [name.replace(/-[^-]*$/, ''), name.replace(/^.*-/, '')];
  // q as an exact fraction p/100 (the test uses two-decimal q).
  const qNum = Math.round(Number(arg) * 100);
  if (kind === 'top') return fill(k - Math.min(Number(arg), k), k);
  if (kind === 'cvar' || kind === 'upper') {
    const count = Math.max(1, Math.ceil((qNum * k) / 100 - 1e-12)); // exact: ⌈qk⌉ with q = qNum/100
    const c = Math.min(count, k);
    return kind === 'cvar' ? fill(0, c) : fill(k - c, k);
  }
  if (kind === 'trimmed-mean') {
    const drop = Math.floor((qNum * k) / 100 + 1e-12);
    return fill(drop, k - drop);
  }
  throw new Error(`unknown preset ${name}`);
}

/** f(I) = Σ_j α_j X_(j:I), α chosen by the subset's size (k, or k − 1 for the loo-1 term). */
function lStatistic(g: readonly Q[], alphaBySize: Map<number, Q[]>): SubsetObjective {
  const memo = new Map<string, Q>();
  return (I) => {
    const key = I.join(',');
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const xs = I.map((i) => g[i]!).sort((a, b) => a.cmp(b));
    const alpha = alphaBySize.get(xs.length)!;
    let s = Q.zero;
    xs.forEach((x, j) => (s = s.add(alpha[j]!.mul(x))));
    memo.set(key, s);
    return s;
  };
}

const PRESETS = ['max', 'min', 'mean', 'median', 'top-2', 'cvar-0.3', 'upper-0.5', 'trimmed-mean-0.25'] as const;

describe('orderStatisticAtK / orderStatisticAdvantage vs BigInt brute force, n ≤ 9', () => {
  const random = rng(909);
  const groups: number[][] = [];
  for (let n = 1; n <= 9; n++) {
    groups.push(Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!));
    groups.push(Array.from({ length: n }, () => (random() < 0.5 ? -0.75 : 0.5))); // heavy ties
    if (n >= 7) groups.push(Array.from({ length: n }, () => random() * 4 - 2));
  }

  for (const backend of ['js', 'wasm']) {
    it(`every preset, every k and baseline equals the subset definition on ${backend} (heavy ties)`, () => {
      const failures: string[] = [];
      let cases = 0;
      for (const g of groups) {
        const n = g.length;
        const gq = g.map(Q.fromNumber);
        for (let k = 1; k <= n; k++) {
          for (const preset of PRESETS) {
            if (preset === 'top-2' && k < 2) continue;
            const f = lStatistic(gq, new Map([[k, exactPreset(preset, k)], [k - 1, k > 1 ? exactPreset(preset, k - 1) : []]]));
            const m = mismatch(orderStatisticAtK(g, k, preset, { backend }), bruteMetric(n, k, f), REL, ABS);
            if (m) failures.push(`metric ${preset} g=[${g}] k=${k}: ${m}`);
            for (const baseline of validBaselines(n, k)) {
              const w = orderStatisticAdvantage(g, k, preset, { baseline, backend });
              const exact = bruteBaselined(n, k, f, baseline);
              for (let i = 0; i < n; i++) {
                const mi = mismatch(w[i]!, exact[i]!, REL, ABS);
                if (mi) failures.push(`${preset} g=[${g}] k=${k} ${baseline} i=${i}: ${mi}`);
              }
              cases++;
            }
          }
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
      expect(cases).toBeGreaterThan(3000);
    });
  }

  it('random rank weights (negative ones too) with alphaLoo1 equal the subset definition for every k and baseline', () => {
    const failures: string[] = [];
    const r = rng(4242);
    let cases = 0;
    for (const g of groups) {
      const n = g.length;
      const gq = g.map(Q.fromNumber);
      for (let k = 1; k <= n; k++) {
        const alpha = Array.from({ length: k }, () => Math.round((r() * 4 - 1) * 8) / 8);
        const alpha1 = Array.from({ length: k - 1 }, () => Math.round((r() * 4 - 1) * 8) / 8);
        const f = lStatistic(gq, new Map([[k, alpha.map(Q.fromNumber)], [k - 1, alpha1.map(Q.fromNumber)]]));
        const m = mismatch(orderStatisticAtK(g, k, alpha), bruteMetric(n, k, f), REL, ABS);
        if (m) failures.push(`metric α=[${alpha}] g=[${g}] k=${k}: ${m}`);
        for (const baseline of validBaselines(n, k)) {
          const opts = baseline === 'loo-1' && k >= 2 ? { baseline, alphaLoo1: alpha1 } : { baseline };
          const w = orderStatisticAdvantage(g, k, alpha, opts);
          const exact = bruteBaselined(n, k, f, baseline);
          for (let i = 0; i < n; i++) {
            const mi = mismatch(w[i]!, exact[i]!, REL, ABS);
            if (mi) failures.push(`α=[${alpha}] g=[${g}] k=${k} ${baseline} i=${i}: ${mi}`);
          }
          cases++;
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(cases).toBeGreaterThan(400);
  });
});

describe('order statistics at n = 1024 vs exact rationals', () => {
  /**
   * Exact ρ for a preset that averages a block of ranks [lo, hi) and quarter-valued rewards: with
   * c_{p,j} = C(p−1, j−1) C(n−p, k−j) (the subsets where sorted position p has rank j), ρ =
   * Σ_p (Σ_{j∈block} c_{p,j}) · 4X_(p) / (4 (hi − lo) C(n, k)), all in BigInt integers. c_{p,j} is
   * walked along p by its exact ratios.
   */
  function exactBlockMetric(sorted4: readonly bigint[], k: number, lo: number, hi: number): Q {
    const n = sorted4.length;
    let total = 0n;
    for (let j = lo + 1; j <= hi; j++) {
      // p = j: C(j−1, j−1) C(n−j, k−j).
      let c = binom(n - j, k - j);
      for (let p = j; p <= n - k + j; p++) {
        total += c * sorted4[p - 1]!;
        // c_{p+1,j} = c_{p,j} · p/(p−j+1) · (n−p−k+j)/(n−p)
        if (p < n - k + j) c = (c * BigInt(p) * BigInt(n - p - k + j)) / (BigInt(p - j + 1) * BigInt(n - p));
      }
    }
    return new Q(total, 4n * BigInt(hi - lo) * binom(n, k));
  }

  function block(alpha: Q[]): [number, number] {
    const lo = alpha.findIndex((a) => !a.isZero());
    let hi = lo;
    while (hi < alpha.length && !alpha[hi]!.isZero()) hi++;
    return [lo, hi];
  }

  it('orderStatisticAtK at n = 1024 equals Σ_p β_p X_(p) in exact rationals to 1e-12 for every preset', () => {
    const random = rng(1024);
    const n = 1024;
    const g = Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!);
    const sorted4 = g.map((x) => BigInt(4 * x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const failures: string[] = [];
    for (const k of [1, 7, 64, 513, 1024]) {
      for (const preset of ['max', 'min', 'median', 'mean', 'top-5', 'cvar-0.25', 'upper-0.1', 'trimmed-mean-0.1'] as const) {
        if (preset === 'top-5' && k < 5) continue;
        const [lo, hi] = block(exactPreset(preset, k));
        const m = mismatch(orderStatisticAtK(g, k, preset), exactBlockMetric(sorted4, k, lo, hi), REL, 1e-15);
        if (m) failures.push(`${preset} k=${k}: ${m}`);
      }
    }
    expect(failures).toEqual([]);
  });

  /** C(a, b) for 0 ≤ a ≤ n, 0 ≤ b ≤ kMax as BigInt (Pascal's rule); 0 outside. */
  function binomTable(n: number, kMax: number): (a: number, b: number) => bigint {
    const rows: bigint[][] = [];
    for (let a = 0; a <= n; a++) {
      const row = new Array<bigint>(kMax + 1).fill(0n);
      row[0] = 1n;
      for (let b = 1; b <= kMax; b++) row[b] = a === 0 ? 0n : rows[a - 1]![b - 1]! + rows[a - 1]![b]!;
      rows.push(row);
    }
    return (a, b) => (a < 0 || b < 0 || b > kMax || a > n ? 0n : rows[a]![b]!);
  }

  it("orderStatisticAdvantage at n = 1024 ('none' and 'loo') equals the three-term formula in exact rationals", () => {
    const random = rng(2048);
    const n = 1024;
    const g = Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!);
    const sorted4 = g.map((x) => BigInt(4 * x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const failures: string[] = [];
    for (const [preset, k] of [['median', 7], ['cvar-0.25', 64], ['trimmed-mean-0.2', 10], ['top-3', 5]] as const) {
      const C = binomTable(n, k);
      const [lo, hi] = block(exactPreset(preset, k));
      const m = BigInt(hi - lo);
      // Integer pair counts summed over the preset's block of ranks j = lo+1..hi (1-based positions).
      const A = (p: number, N: number): bigint => {
        let s = 0n;
        for (let j = lo + 1; j <= hi; j++) s += C(p - 1, j - 1) * C(N - p, k - j);
        return s;
      };
      const B = (q: number): bigint => {
        let s = 0n;
        for (let j = lo + 1; j <= hi; j++) s += C(q - 1, j - 1) * C(n - q - 1, k - j - 1);
        return s;
      };
      const D = (q: number): bigint => {
        let s = 0n;
        for (let j = lo + 1; j <= hi; j++) s += C(q - 2, j - 2) * C(n - q, k - j);
        return s;
      };
      const Bq = Array.from({ length: n + 1 }, (_, q) => (q >= 1 ? B(q) : 0n));
      const Dq = Array.from({ length: n + 1 }, (_, q) => (q >= 1 ? D(q) : 0n));
      const Aloo = Array.from({ length: n }, (_, i) => (i >= 1 ? A(i, n - 1) : 0n)); // positions of the n − 1 others
      // Prefix sums over sorted positions 1..n of 4X·B and 4X·Aloo; suffix sums of 4X·D and 4X·Aloo(q−1).
      const preB = [0n];
      const preL = [0n];
      for (let q = 1; q <= n; q++) {
        preB.push(preB[q - 1]! + sorted4[q - 1]! * Bq[q]!);
        preL.push(preL[q - 1]! + (q <= n - 1 ? sorted4[q - 1]! * Aloo[q]! : 0n));
      }
      const sufD = new Array<bigint>(n + 2).fill(0n);
      const sufL = new Array<bigint>(n + 2).fill(0n);
      for (let q = n; q >= 1; q--) {
        sufD[q] = sufD[q + 1]! + sorted4[q - 1]! * Dq[q]!;
        sufL[q] = sufL[q + 1]! + (q >= 2 ? sorted4[q - 1]! * Aloo[q - 1]! : 0n);
      }
      const none = orderStatisticAdvantage(g, k, preset, { baseline: 'none' });
      const loo = orderStatisticAdvantage(g, k, preset, { baseline: 'loo' });
      for (const v of new Set(g)) {
        const i = g.indexOf(v);
        const p = sorted4.indexOf(BigInt(4 * v)) + 1; // any position of the tie block gives the same value
        const S = sorted4[p - 1]! * A(p, n) + preB[p - 1]! + sufD[p + 1]!;
        const s = new Q(S, 4n * m * C(n, k));
        const rhoMinus = new Q(preL[p - 1]! + sufL[p + 1]!, 4n * m * C(n - 1, k));
        const w = s.sub(new Q(BigInt(k), BigInt(n)).mul(rhoMinus));
        const m1 = mismatch(none[i]!, s, REL, 1e-15);
        if (m1) failures.push(`${preset} k=${k} none v=${v}: ${m1}`);
        const m2 = mismatch(loo[i]!, w, REL, 1e-15);
        if (m2) failures.push(`${preset} k=${k} loo v=${v}: ${m2}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("'max' equals maxAtK / maxAtKAdvantage to 1e-15 at n = 1024 for every baseline, and 'min' is max of −g negated", () => {
    const random = rng(77);
    const n = 1024;
    const g = Float64Array.from({ length: n }, () => (random() < 0.3 ? 0.5 : random()));
    let worst = 0;
    for (const k of [1, 2, 8, 100, 1023]) {
      worst = Math.max(worst, Math.abs(orderStatisticAtK(g, k, 'max') - maxAtK(g, k)));
      for (const baseline of validBaselines(n, k)) {
        const a = orderStatisticAdvantage(g, k, 'max', { baseline });
        const b = maxAtKAdvantage(g, k, { baseline });
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        // min(X) = −max(−X): the 'min' weights on g are minus the 'max' weights on −g.
        const neg = Float64Array.from(g, (x) => -x);
        const c = orderStatisticAdvantage(g, k, 'min', { baseline });
        const d = maxAtKAdvantage(neg, k, { baseline });
        for (let i = 0; i < n; i++) expect(Math.abs(c[i]! + d[i]!)).toBeLessThanOrEqual(1e-15);
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-15);
  });
});

describe('order-statistic errors', () => {
  const g = [0.1, 0.7, 0.3, 0.9, 0.5];
  const cases: [string, () => unknown, string][] = [
    ['alpha of the wrong length', () => orderStatisticAtK(g, 3, [1, 0]), 'alpha must have length k (got length 2, k=3)'],
    ['non-finite alpha', () => orderStatisticAtK(g, 2, [NaN, 1]), 'alpha must be finite (got NaN at index 0)'],
    ['unknown preset', () => orderStatisticAtK(g, 2, 'maximum' as OrderStatisticAlpha), "alpha must be a rank-weight array or one of 'max'"],
    ['q = 0', () => orderStatisticAtK(g, 2, 'cvar-0'), "alpha 'cvar-0' needs q in (0, 1] (got q=\"0\")"],
    ['q > 1', () => orderStatisticAtK(g, 2, 'upper-1.5'), "alpha 'upper-1.5' needs q in (0, 1]"],
    ['trimmed q = 0.5', () => orderStatisticAtK(g, 2, 'trimmed-mean-0.5'), "alpha 'trimmed-mean-0.5' needs q in (0, 0.5)"],
    ['q not a number', () => orderStatisticAtK(g, 2, 'cvar-abc' as OrderStatisticAlpha), "alpha 'cvar-abc' needs q in (0, 1]"],
    ['top-m with m > k', () => orderStatisticAtK(g, 2, 'top-3'), "alpha 'top-3' needs m ≤ k (got m=3, k=2)"],
    ['top-0', () => orderStatisticAtK(g, 2, 'top-0'), "alpha 'top-0' needs an integer m ≥ 1"],
    ['k > n', () => orderStatisticAtK(g, 6, 'max'), 'k must be ≤ n (got k=6, n=5)'],
    ['NaN reward', () => orderStatisticAdvantage([1, NaN], 1, 'max'), 'rewards must be finite (got NaN at index 1)'],
    ['loo-1 with raw alpha and no alphaLoo1', () => orderStatisticAdvantage(g, 2, [0.5, 0.5]), "baseline 'loo-1' with a raw alpha needs opts.alphaLoo1"],
    ['alphaLoo1 with a preset', () => orderStatisticAdvantage(g, 2, 'max', { alphaLoo1: [1] }), 'opts.alphaLoo1 must not be given with a preset'],
    ['alphaLoo1 of the wrong length', () => orderStatisticAdvantage(g, 3, [0, 0, 1], { alphaLoo1: [1] }), 'opts.alphaLoo1 must have length k (got length 1, k=2)'],
    ['alphaLoo1 with loo', () => orderStatisticAdvantage(g, 3, [0, 0, 1], { baseline: 'loo', alphaLoo1: [0, 1] }), "opts.alphaLoo1 is used only by baseline 'loo-1'"],
    ['loo with k = n', () => orderStatisticAdvantage(g, 5, 'max', { baseline: 'loo' }), "baseline 'loo' needs k ≤ n − 1 (got k=5, n=5)"],
    ['unknown option', () => orderStatisticAdvantage(g, 2, 'max', { baselne: 'loo' } as never), 'opts.baselne is not an option of orderStatisticWeights'],
    ['unknown metric option', () => orderStatisticAtK(g, 2, 'max', { baseline: 'loo' } as never), 'opts.baseline is not an option of orderStatisticAtK'],
  ];
  it('a registered backend without the order-statistic kernels fails naming the kernel', () => {
    const { orderStatisticWeights: _w, orderStatisticMetric: _m, ...rest } = getBackend().kernels;
    registerBackend({ name: 'js-without-order-statistics', kernels: rest });
    expect(() => orderStatisticAdvantage(g, 2, 'max', { backend: 'js-without-order-statistics' })).toThrow(
      "backend 'js-without-order-statistics' has no kernel 'orderStatisticWeights'",
    );
    expect(() => orderStatisticAtK(g, 2, 'max', { backend: 'js-without-order-statistics' })).toThrow("has no kernel 'orderStatisticMetric'");
  });
  for (const [what, call, message] of cases) {
    it(`order statistics throw a typed error for ${what}`, () => {
      expect(call).toThrow(message);
    });
  }
});
