/**
 * pass^k against exact BigInt rationals: the mean over k-subsets of "all correct" for every n ≤ 9, and
 * C(c, k)/C(n, k) to 1e-12 relative for n up to 10^5; typed errors for bad or out-of-range counts.
 */
import { describe, expect, it } from 'vitest';
import { beforeAll } from 'vitest';
import {
  BASELINES,
  DomainError,
  InvalidArgumentError,
  ShapeError,
  logPassHatK,
  orderStatisticAdvantage,
  passHatK,
  passHatKAdvantage,
  type Baseline,
} from '../../src/index.js';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { binom, bruteBaselined, bruteMetric, mismatch, Q, type SubsetObjective } from './rational.js';

beforeAll(async () => {
  await loadWasmBackend();
});

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** "every sample of the subset is correct", as an objective over indices into g. */
function allCorrect(g: readonly number[]): SubsetObjective {
  return (I) => (I.every((i) => g[i] === 1) ? Q.one : Q.zero);
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** log(num/den) for positive BigInts of any size, to ~1e-16 absolute. */
function logOf(num: bigint, den: bigint): number {
  const sn = Math.max(0, bitLength(num) - 64);
  const sd = Math.max(0, bitLength(den) - 64);
  return Math.log(Number(num >> BigInt(sn))) - Math.log(Number(den >> BigInt(sd))) + (sn - sd) * Math.LN2;
}

/** Exact C(c, k)/C(n, k) as numerator and denominator: Π (c − i)/(n − i), unreduced. */
function exactRatio(n: number, c: number, k: number): [bigint, bigint] {
  return [binom(c, k), binom(n, k)];
}

describe('passHatK vs BigInt brute force, n ≤ 9', () => {
  it('passHatK(n, c, k) equals the mean over all k-subsets of "all correct" (every n ≤ 9, c, k)', () => {
    const failures: string[] = [];
    let cases = 0;
    for (let n = 1; n <= 9; n++) {
      for (let c = 0; c <= n; c++) {
        // Correct samples spread through the group, not only at the front (i ↦ 7i mod n is a bijection).
        const p = n === 7 ? 3 : 7;
        const g = Array.from({ length: n }, (_, i) => ((i * p) % n < c ? 1 : 0));
        for (let k = 1; k <= n; k++) {
          const exact = bruteMetric(n, k, allCorrect(g));
          const m = mismatch(passHatK(n, c, k), exact, 1e-15, 0);
          if (m) failures.push(`passHatK(${n}, ${c}, ${k}): ${m}`);
          const lp = logPassHatK(n, c, k);
          if (exact.isZero() ? lp !== -Infinity : Math.abs(lp - Math.log(exact.toNumber())) > 1e-14 * Math.max(1, Math.abs(lp))) {
            failures.push(`logPassHatK(${n}, ${c}, ${k}) = ${lp}, exact ${exact}`);
          }
          cases++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(330);
  });

  it('passHatK(n, c, k) is exactly 0 when c < k and exactly 1 when c = n', () => {
    expect(passHatK(9, 3, 4)).toBe(0);
    expect(logPassHatK(9, 3, 4)).toBe(-Infinity);
    expect(passHatK(9, 9, 4)).toBe(1);
    expect(logPassHatK(9, 9, 9)).toBe(0);
  });
});

describe('passHatK / logPassHatK vs exact rationals, n up to 10^5', () => {
  const cases: [number, number, number][] = [
    [100000, 100000, 7],
    [100000, 99999, 1],
    [100000, 99999, 99999],
    [100000, 99990, 5],
    [100000, 99000, 1000],
    [100000, 90000, 100],
    [100000, 50000, 100], // ≈ 7.7e-31
    [100000, 50000, 1000], // ≈ 1e-301: near the bottom of the double range
    [100000, 50000, 50000], // underflows; log ≈ −69310
    [100000, 1000, 50],
    [100000, 3, 2],
    [99991, 99000, 4096],
    [100000, 20000, 2000], // underflows; log ≈ −3220
  ];
  for (const [n, c, k] of cases) {
    it(`passHatK(${n}, ${c}, ${k}) and logPassHatK(${n}, ${c}, ${k}) equal C(c,k)/C(n,k) to 1e-12`, () => {
      const [num, den] = exactRatio(n, c, k);
      const exactLog = logOf(num, den);
      const lp = logPassHatK(n, c, k);
      // Near 1 a difference of two logs cancels: compare 1 − ratio through log1p there.
      const refLog = 2n * num > den ? Math.log1p(-new Q(den - num, den).toNumber()) : exactLog;
      expect(Math.abs(lp - refLog), `logPassHatK ${lp} vs ${refLog}`).toBeLessThanOrEqual(1e-12 * Math.abs(refLog) + 1e-300);
      const p = passHatK(n, c, k);
      if (exactLog > -700) {
        const exact = new Q(num, den).toNumber();
        expect(Math.abs(p - exact), `passHatK ${p} vs ${exact}`).toBeLessThanOrEqual(1e-12 * exact);
      } else {
        expect(p).toBeLessThan(1e-300);
      }
    });
  }

  it('passHatK and logPassHatK take arrays of n and c and return one value per task', () => {
    const r = passHatK([8, 8, 10], [6, 2, 10], 4);
    expect(r).toBeInstanceOf(Float64Array);
    expect(Array.from(r)).toEqual([passHatK(8, 6, 4), 0, 1]);
    expect(Array.from(logPassHatK(8, [6, 8], 4))).toEqual([logPassHatK(8, 6, 4), 0]);
  });

  it('passHatK on huge n runs min(k, n − c) steps: n = 2^53 − 1 with k = 3 returns at once', () => {
    const n = Number.MAX_SAFE_INTEGER;
    expect(passHatK(n, n - 1, 3)).toBeCloseTo(1, 12);
    expect(passHatK(n, 2, 3)).toBe(0);
    expect(logPassHatK(n, n - 2, 2 ** 40)).toBeLessThan(0);
  });
});

describe('passHatK errors', () => {
  it('passHatK throws typed errors naming the argument for bad counts', () => {
    expect(() => passHatK(8, 9, 2)).toThrow(DomainError);
    expect(() => passHatK(8, 9, 2)).toThrow('c must be ≤ n (got c=9, n=8)');
    expect(() => passHatK(8, 2, 9)).toThrow('k must be ≤ n (got k=9, n=8)');
    expect(() => passHatK(8, 2, 0)).toThrow('k must be ≥ 1 (got k=0)');
    expect(() => passHatK(8, 2.5, 2)).toThrow('c must be an integer (got c=2.5)');
    expect(() => passHatK(Number.NaN, 2, 2)).toThrow(DomainError);
    expect(() => passHatK([8, 8], [1, 2, 3], 2)).toThrow(ShapeError);
    expect(() => passHatK([8, 8], [1, 9], 2)).toThrow('c must be ≤ n (got c=9, n=8 at index 1)');
    expect(() => passHatK(8, '2' as unknown as number, 2)).toThrow(InvalidArgumentError);
  });

  it('passHatK refuses counts beyond exact doubles and products longer than its documented bound', () => {
    expect(() => passHatK(2 ** 60, 2, 1)).toThrow('n must be a safe integer, ≤ 2^53 − 1 (got n=1152921504606847000)');
    expect(() => logPassHatK(1e300, 5e299, 5e299)).toThrow(DomainError);
    expect(() => passHatK(2 ** 50, 2 ** 49, 2 ** 40)).toThrow(/min\(k, n − c\) factors, which must be ≤ 10000000/);
  });
});

describe('passHatKAdvantage vs BigInt brute force', () => {
  for (const backend of ['js', 'wasm']) {
    it(`passHatKAdvantage(rewards, k, { baseline }) equals the subset definition for every n ≤ 9, c, k and baseline on ${backend}`, () => {
      const failures: string[] = [];
      let cases = 0;
      for (let n = 1; n <= 9; n++) {
        for (let c = 0; c <= n; c++) {
          const p = n === 7 ? 3 : 7;
          const g = Array.from({ length: n }, (_, i) => ((i * p) % n < c ? 1 : 0));
          for (let k = 1; k <= n; k++) {
            for (const baseline of validBaselines(n, k)) {
              for (const scale of ['sum', 'mean'] as const) {
                const w = passHatKAdvantage(g, k, { baseline, backend, scale });
                const exact = bruteBaselined(n, k, allCorrect(g), baseline);
                for (let i = 0; i < n; i++) {
                  const e = scale === 'mean' ? exact[i]!.mul(Q.int(n)) : exact[i]!;
                  const m = mismatch(w[i]!, e, 1e-13, 1e-16);
                  if (m) failures.push(`n=${n} c=${c} k=${k} ${baseline} ${scale} i=${i}: ${m}`);
                }
              }
              cases++;
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(cases).toBeGreaterThan(1000);
    });
  }

  it("passHatKAdvantage equals orderStatisticAdvantage(…, 'min') on 0/1 rewards at n = 2000 (closed forms vs the sorted path)", () => {
    const n = 2000;
    // Relative 1e-12 with an absolute floor of 1e-17 (the weights are O(k/n); the sorted path's tiny
    // weights under loo-pkpo are differences of O(1/n) terms).
    const failures: string[] = [];
    for (const [c, k] of [[1990, 7], [1999, 1], [1500, 3], [1000, 2], [2000, 64], [1999, 1999], [1999, 2]] as const) {
      const g = Array.from({ length: n }, (_, i) => ((i * 7919) % n < c ? 1 : 0));
      for (const baseline of validBaselines(n, k)) {
        const a = passHatKAdvantage(g, k, { baseline });
        const b = orderStatisticAdvantage(g, k, 'min', { baseline });
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(a[i]! - b[i]!) <= Math.max(1e-12 * Math.abs(a[i]!), 1e-17))) {
            failures.push(`c=${c} k=${k} ${baseline} i=${i}: ${a[i]} vs ${b[i]}`);
          }
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('passHatKAdvantage throws typed errors for non-binary rewards, k > n and loo at k = n', () => {
    expect(() => passHatKAdvantage([1, 0.5], 1)).toThrow('rewards must be 0 or 1 for passHatKWeights (got 0.5 at index 1)');
    expect(() => passHatKAdvantage([1, 0], 3)).toThrow('k must be ≤ n (got k=3, n=2)');
    expect(() => passHatKAdvantage([1, 0], 2, { baseline: 'loo' })).toThrow("baseline 'loo' needs k ≤ n − 1 (got k=2, n=2)");
    expect(() => passHatKAdvantage([1, NaN], 1)).toThrow('rewards must be finite');
    expect(() => passHatKAdvantage([1, 0], 1, { scal: 'mean' } as never)).toThrow(InvalidArgumentError);
  });
});
