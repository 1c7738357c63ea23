/**
 * kSampleAtK / kSampleAdvantage for a user f: exact mode against the subset definition in BigInt
 * rationals (every n ≤ 9, every k, every baseline, heavy ties, batches with the group index), Tang et
 * al.'s n = k form, the sampled mode's bias (mean over seeds within 3 SE of exact) and calibration
 * (coverage of ±2 SE), and the typed errors.
 */
import { describe, expect, it } from 'vitest';
import {
  BASELINES,
  DomainError,
  InvalidArgumentError,
  NonFiniteError,
  kSampleAdvantage,
  kSampleAtK,
  maxAtKAdvantage,
  type Baseline,
} from '../../src/index.js';
import { bruteBaselined, bruteMetric, mismatch, Q, type SubsetObjective } from './rational.js';
import { mulberry32 as rng } from '../support/prng.js';

const QUARTERS = [-1, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5];

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** A symmetric, non-linear objective: (Σ g)² + max g over the subset (exact in doubles for quarters). */
function fNumber(g: readonly number[], offset = 0): (I: readonly number[]) => number {
  return (I) => {
    let s = 0;
    let m = -Infinity;
    for (const i of I) {
      const v = g[i - offset]!;
      s += v;
      if (v > m) m = v;
    }
    return s * s + (I.length > 0 ? m : 0);
  };
}
function fExact(g: readonly number[]): SubsetObjective {
  return (I) => {
    let s = Q.zero;
    let m: Q | undefined;
    for (const i of I) {
      const v = Q.fromNumber(g[i]!);
      s = s.add(v);
      if (m === undefined || v.cmp(m) > 0) m = v;
    }
    return s.mul(s).add(m ?? Q.zero);
  };
}

describe('kSample* exact mode vs BigInt brute force, n ≤ 9', () => {
  const random = rng(31337);
  const groups: number[][] = [];
  for (let n = 1; n <= 9; n++) {
    groups.push(Array.from({ length: n }, () => QUARTERS[Math.floor(random() * QUARTERS.length)]!));
    groups.push(Array.from({ length: n }, () => (random() < 0.5 ? -0.75 : 0.5)));
  }

  it('kSampleAtK(n, k, f) is the exact mean of f over all k-subsets, and kSampleAdvantage the baselined subset sums', () => {
    const failures: string[] = [];
    let cases = 0;
    for (const g of groups) {
      const n = g.length;
      for (let k = 1; k <= n; k++) {
        const metric = kSampleAtK(n, k, fNumber(g));
        expect(metric.exact).toEqual([true]);
        expect(metric.standardError).toBe(0);
        const m = mismatch(metric.estimate, bruteMetric(n, k, fExact(g)), 1e-12, 1e-13);
        if (m) failures.push(`metric g=[${g}] k=${k}: ${m}`);
        for (const baseline of validBaselines(n, k)) {
          for (const scale of ['sum', 'mean'] as const) {
            const w = kSampleAdvantage(n, k, fNumber(g), { baseline, scale });
            const exact = bruteBaselined(n, k, fExact(g), baseline);
            for (let i = 0; i < n; i++) {
              const e = scale === 'mean' ? exact[i]!.mul(Q.int(n)) : exact[i]!;
              const mi = mismatch(w.weights[i]!, e, 1e-12, 1e-13);
              if (mi) failures.push(`g=[${g}] k=${k} ${baseline} ${scale} i=${i}: ${mi}`);
            }
            expect(w.standardError.every((x) => x === 0)).toBe(true);
          }
          cases++;
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(cases).toBeGreaterThan(250);
  });

  it("kSampleAdvantage at n = k with 'loo-1' is f(all) − f(all ∖ i), with exactly k + 1 calls of f", () => {
    const g = [0.5, -0.25, 1, 0.75, 0];
    const f = fNumber(g);
    const r = kSampleAdvantage(5, 5, f);
    expect(r.calls).toBe(6);
    const all = [0, 1, 2, 3, 4];
    for (let i = 0; i < 5; i++) expect(r.weights[i]).toBeCloseTo(f(all) - f(all.filter((j) => j !== i)), 14);
  });

  it('kSampleAdvantage with f = max equals maxAtKAdvantage (every k and baseline, n = 8)', () => {
    const g = [0.1, 0.7, 0.3, 0.9, 0.5, 0.7, -0.2, 0.3];
    const max = (I: readonly number[]) => Math.max(...I.map((i) => g[i]!));
    for (let k = 1; k <= 8; k++) {
      for (const baseline of validBaselines(8, k)) {
        const a = kSampleAdvantage(8, k, max, { baseline }).weights;
        const b = maxAtKAdvantage(g, k, { baseline });
        for (let i = 0; i < 8; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-14);
      }
    }
  });

  it('kSample* batched via groupOffsets pass absolute indices and the group index, and equal per-group calls', () => {
    const g = [0.5, 1, -0.25, 0, 0.75, 0.75, 1.5, -1, 0.25];
    const offsets = [0, 3, 7, 9];
    const seen = new Set<number>();
    const f = (I: readonly number[], b: number): number => {
      seen.add(b);
      return (b + 1) * fNumber(g)(I);
    };
    const metric = kSampleAtK(9, 2, f, { groupOffsets: offsets });
    expect(metric.estimate).toBeInstanceOf(Float64Array);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    for (const baseline of validBaselines(2, 2)) {
      const w = kSampleAdvantage(9, 2, f, { groupOffsets: offsets, baseline }).weights;
      for (let b = 0; b < 3; b++) {
        const s = offsets[b]!;
        const e = offsets[b + 1]!;
        const part = g.slice(s, e);
        const single = kSampleAdvantage(e - s, 2, (I) => (b + 1) * fNumber(part)(I), { baseline }).weights;
        for (let i = 0; i < e - s; i++) expect(Math.abs(w[s + i]! - single[i]!)).toBeLessThanOrEqual(1e-14);
        expect(Math.abs(metric.estimate[b]! - kSampleAtK(e - s, 2, (I) => (b + 1) * fNumber(part)(I)).estimate)).toBeLessThanOrEqual(1e-14);
      }
    }
  });
});

describe('kSample* sampled mode: unbiased and calibrated', () => {
  // n = 12, k = 4: C(12, 4) = 495 subsets, so the exact values are at hand; maxSubsets 0 forces sampling.
  const r = rng(2718);
  const g = Array.from({ length: 12 }, () => QUARTERS[Math.floor(r() * QUARTERS.length)]!);
  const f = fNumber(g);
  const n = 12;
  const k = 4;
  const SEEDS = 400;
  const M = 500;
  /** Standard error of the mean over seeds, from the spread of the per-seed estimates. */
  const seOfMean = (sum: number, sumSq: number): number => Math.sqrt(Math.max(0, sumSq / SEEDS - (sum / SEEDS) ** 2) / SEEDS);

  it('kSampleAtK sampled (500 subsets per call): mean over 400 seeds within 3 SE of exact; ±2 SE covers the exact value 90–99 % of the time', () => {
    const exact = kSampleAtK(n, k, f).estimate;
    let sum = 0;
    let sumSq = 0;
    let covered = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = kSampleAtK(n, k, f, { maxSubsets: 0, samples: M, seed });
      expect(s.exact).toEqual([false]);
      expect(s.calls).toBe(M);
      sum += s.estimate;
      sumSq += s.estimate ** 2;
      if (Math.abs(s.estimate - exact) <= 2 * s.standardError) covered++;
    }
    expect(Math.abs(sum / SEEDS - exact)).toBeLessThanOrEqual(3 * seOfMean(sum, sumSq));
    const coverage = covered / SEEDS;
    expect(coverage).toBeGreaterThanOrEqual(0.9);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });

  for (const baseline of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
    it(`kSampleAdvantage sampled (${baseline}): per-sample means within 3 SE of exact; ±2 SE coverage 90–99 %`, () => {
      const exact = kSampleAdvantage(n, k, f, { baseline }).weights;
      const sum = new Float64Array(n);
      const sumSq = new Float64Array(n);
      let covered = 0;
      let total = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const s = kSampleAdvantage(n, k, f, { baseline, maxSubsets: 0, samples: M, seed });
        expect(s.calls).toBe(baseline === 'loo-1' ? M * (k + 1) : M);
        for (let i = 0; i < n; i++) {
          sum[i] = sum[i]! + s.weights[i]!;
          sumSq[i] = sumSq[i]! + s.weights[i]! ** 2;
          if (Math.abs(s.weights[i]! - exact[i]!) <= 2 * s.standardError[i]!) covered++;
          total++;
        }
      }
      for (let i = 0; i < n; i++) {
        expect(Math.abs(sum[i]! / SEEDS - exact[i]!), `sample ${i}`).toBeLessThanOrEqual(3 * seOfMean(sum[i]!, sumSq[i]!) + 1e-15);
      }
      const coverage = covered / total;
      expect(coverage).toBeGreaterThanOrEqual(0.9);
      expect(coverage).toBeLessThanOrEqual(0.99);
    });
  }

  it('kSample* sampled is reproducible from its seed and switches to sampling above maxSubsets', () => {
    const a = kSampleAdvantage(n, k, f, { maxSubsets: 494, samples: 50, seed: 9 });
    const b = kSampleAdvantage(n, k, f, { maxSubsets: 494, samples: 50, seed: 9 });
    expect(a.exact).toEqual([false]);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(kSampleAtK(n, k, f, { maxSubsets: 495 }).exact).toEqual([true]);
    // loo-1 needs C(12,4) + C(12,3) = 715 calls to be exact.
    expect(kSampleAdvantage(n, k, f, { maxSubsets: 714 }).exact).toEqual([false]);
    expect(kSampleAdvantage(n, k, f, { maxSubsets: 715 }).exact).toEqual([true]);
  });
});

describe('kSample* errors', () => {
  const g = [0.5, 1, 0, 0.25];
  const f = fNumber(g);
  it('kSampleAdvantage names the subset when f throws, returns NaN or a non-number', () => {
    expect(() => kSampleAdvantage(4, 2, () => NaN)).toThrow(NonFiniteError);
    expect(() => kSampleAdvantage(4, 2, () => NaN)).toThrow('f must return a finite number (got NaN for subset [0, 1])');
    expect(() => kSampleAtK(4, 2, (I) => (I[1] === 3 ? Infinity : 1))).toThrow('(got Infinity for subset [0, 3])');
    expect(() => kSampleAtK(4, 2, () => '1' as unknown as number)).toThrow('f must return a number (got "1" for subset [0, 1])');
    const boom = (I: readonly number[]): number => {
      if (I.includes(2)) throw new Error('boom');
      return 0;
    };
    expect(() => kSampleAdvantage(4, 2, boom)).toThrow('f threw on subset [0, 2]: boom');
    expect(() => kSampleAdvantage(6, 2, (I, b) => (b === 1 ? NaN : 0), { groupSize: 3 })).toThrow('for subset [3, 4] of group 1');
  });

  it('kSample* throw typed errors for bad n, k, f and options', () => {
    expect(() => kSampleAtK(4, 5, f)).toThrow('k must be ≤ n (got k=5, n=4)');
    expect(() => kSampleAtK(0, 1, f)).toThrow(DomainError);
    expect(() => kSampleAtK(4, 2, 'max' as never)).toThrow('f must be a function (got "max")');
    expect(() => kSampleAtK(4, 2, f, { samples: 1 })).toThrow('opts.samples must be ≥ 2 (got opts.samples=1)');
    expect(() => kSampleAtK(4, 2, f, { maxSubsets: -1 })).toThrow('opts.maxSubsets must be ≥ 0');
    expect(() => kSampleAtK(4, 2, f, { seed: 1.5 })).toThrow('opts.seed must be an integer');
    expect(() => kSampleAtK(4, 2, f, { sample: 10 } as never)).toThrow(InvalidArgumentError);
    expect(() => kSampleAdvantage(4, 4, f, { baseline: 'loo' })).toThrow("baseline 'loo' needs k ≤ n − 1 (got k=4, n=4)");
    expect(() => kSampleAdvantage(4, 2, f, { baseline: 'lo1' as never })).toThrow("opts.baseline must be one of 'none' | 'loo' | 'loo-pkpo' | 'loo-1'");
    expect(() => kSampleAdvantage(5, 2, f, { groupSize: 2 })).toThrow('opts.groupSize must divide the number of samples');
  });
});
