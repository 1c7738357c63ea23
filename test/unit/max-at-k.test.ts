/**
 * Unit tests of maxAtK / maxAtKAdvantage: the continuous test vector of docs/estimators/max-at-k.md verbatim, return types
 * (number vs Float64Array), `out`, `scale`, and the binary agreement with passAtKAdvantage.
 */
import { describe, expect, it } from 'vitest';
import { BASELINES, maxAtK, maxAtKAdvantage, passAtKAdvantage } from '../../src/index.js';
import { bruteBaselined, bruteMetric, maxObjective, mismatch, Q } from '../oracle/rational.js';

const G = [0.1, 0.7, 0.3, 0.9, 0.5];

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

describe('maxAtK', () => {
  it('maxAtK([0.1, 0.7, 0.3, 0.9, 0.5], 2) is the documented value 0.7', () => {
    const rho = maxAtK(G, 2);
    expect(typeof rho).toBe('number');
    expect(Math.abs(rho - 0.7)).toBeLessThanOrEqual(1e-15);
    // 0.7 is the mean of max over the 10 pairs, checked on the doubles themselves.
    const exact = bruteMetric(5, 2, maxObjective(G.map(Q.fromNumber)));
    expect(mismatch(rho, exact, 1e-15)).toBeUndefined();
  });

  it('maxAtK(g, 1) is the mean and maxAtK(g, n) is the max', () => {
    expect(Math.abs(maxAtK(G, 1) - 0.5)).toBeLessThanOrEqual(1e-15);
    expect(maxAtK(G, 5)).toBe(0.9);
    expect(maxAtK([-3, -1, -2], 3)).toBe(-1);
  });

  it('maxAtK(g, k) returns a number unbatched and a Float64Array with groupSize / groupOffsets', () => {
    const g = [0.1, 0.7, 0.3, 0.9, 0.5, 1, 0, 0];
    const one = maxAtK(g, 2);
    expect(typeof one).toBe('number');
    const uniform = maxAtK(g, 2, { groupSize: 4 });
    expect(uniform).toBeInstanceOf(Float64Array);
    expect(Array.from(uniform)).toEqual([maxAtK(g.slice(0, 4), 2), maxAtK(g.slice(4), 2)]);
    const ragged = maxAtK(g, 2, { groupOffsets: [0, 5, 8] });
    expect(ragged).toBeInstanceOf(Float64Array);
    expect(Array.from(ragged)).toEqual([maxAtK(g.slice(0, 5), 2), maxAtK(g.slice(5), 2)]);
  });

  it('maxAtK(g, k, { groupSize: n }) returns a Float64Array of length 1 (B = 1)', () => {
    const a = maxAtK(G, 2, { groupSize: 5 });
    expect(a).toBeInstanceOf(Float64Array);
    expect(a.length).toBe(1);
    expect(a[0]).toBe(maxAtK(G, 2));
    const b = maxAtK(G, 2, { groupOffsets: [0, 5] });
    expect(b).toBeInstanceOf(Float64Array);
    expect(Array.from(b)).toEqual([maxAtK(G, 2)]);
  });

  it('maxAtK(g, k, { groupSize, out }) writes the B metrics into out and returns it', () => {
    const out = new Float64Array(2).fill(NaN);
    const r = maxAtK([1, 0, 0, 0, 1, 1], 2, { groupSize: 3, out });
    expect(r).toBe(out);
    expectClose(out, [2 / 3, 1], 1e-15); // pairs of [1,0,0]: two of three contain the 1
  });

  it('maxAtK(g, k, { out }) without batching checks out (length 1) and writes the number there too', () => {
    const out = new Float64Array(1);
    expect(maxAtK(G, 2, { out })).toBe(maxAtK(G, 2));
    expect(out[0]).toBe(maxAtK(G, 2));
    expect(() => maxAtK(G, 2, { out: new Float64Array(2) })).toThrow('opts.out must have length 1 (got length 2)');
  });

  it('maxAtK(g, k) reads Float32Array and Float64Array like number[]', () => {
    const g32 = Float32Array.from(G);
    const asDoubles = Array.from(g32);
    expect(maxAtK(g32, 3)).toBe(maxAtK(asDoubles, 3));
    expect(maxAtK(Float64Array.from(G), 3)).toBe(maxAtK(G, 3));
  });
});

describe('maxAtKAdvantage', () => {
  it("maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2, { baseline: 'none' }) is the documented vector", () => {
    const s = maxAtKAdvantage(G, 2, { baseline: 'none' });
    expect(s).toBeInstanceOf(Float64Array);
    expectClose(s, [0.24, 0.3, 0.24, 0.36, 0.26]);
    // Σ s = k ρ (docs/estimators/weights.md).
    expect(Math.abs(s.reduce((a, b) => a + b, 0) - 2 * 0.7)).toBeLessThanOrEqual(1e-14);
  });

  it("maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2, { baseline: 'loo-1' }) is the documented vector", () => {
    expectClose(maxAtKAdvantage(G, 2, { baseline: 'loo-1' }), [0, 0.12, 0.02, 0.2, 0.06]);
  });

  it('maxAtKAdvantage(g, k) defaults to loo-1', () => {
    expect(maxAtKAdvantage(G, 2)).toEqual(maxAtKAdvantage(G, 2, { baseline: 'loo-1' }));
  });

  it('maxAtKAdvantage([0.1, 0.7, 0.3, 0.9, 0.5], 2, { baseline }) equals brute force for every baseline', () => {
    const gq = G.map(Q.fromNumber);
    for (const baseline of BASELINES) {
      const w = maxAtKAdvantage(G, 2, { baseline });
      const exact = bruteBaselined(5, 2, maxObjective(gq), baseline);
      for (let i = 0; i < 5; i++) expect(mismatch(w[i]!, exact[i]!, 1e-13, 1e-15), `${baseline} ${i}`).toBeUndefined();
    }
  });

  it("maxAtKAdvantage(g, k, { scale: 'mean' }) is n × the 'sum' weights", () => {
    for (const baseline of BASELINES) {
      const sum = maxAtKAdvantage(G, 2, { baseline });
      const mean = maxAtKAdvantage(G, 2, { baseline, scale: 'mean' });
      for (let i = 0; i < 5; i++) expect(Math.abs(mean[i]! - 5 * sum[i]!)).toBeLessThanOrEqual(1e-14);
    }
  });

  it('maxAtKAdvantage(g, k, { out }) writes into out and returns it', () => {
    const out = new Float64Array(5).fill(NaN);
    const w = maxAtKAdvantage(G, 2, { baseline: 'loo', out });
    expect(w).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(maxAtKAdvantage(G, 2, { baseline: 'loo' })));
  });

  it('maxAtKAdvantage(g, k, { groupSize }) returns weights in input order for every group', () => {
    const g = [0.5, 0.1, 0.9, 0.2, 0.2, 0.8];
    const w = maxAtKAdvantage(g, 2, { groupSize: 3, baseline: 'none' });
    expect(w.length).toBe(6);
    expect(Array.from(w)).toEqual([
      ...maxAtKAdvantage(g.slice(0, 3), 2, { baseline: 'none' }),
      ...maxAtKAdvantage(g.slice(3), 2, { baseline: 'none' }),
    ]);
  });

  it('maxAtKAdvantage(g, k, { baseline }) and maxAtK(g, k) near ±1e308 (range overflows) equal brute force', () => {
    // g_max − g_min overflows here; the result must still be the exact one, not NaN.
    for (const g of [
      [-1e308, 1e308, 0],
      [-1.7e308, 1.7e308, 1.7e308, -1.7e308, 5],
      [1.5e308, -1.5e308, 1e-300, -1e308],
      [-0, -1.7e308, -4.5e135, 4.3e285, 1e-300], // range finite, but x_min·k overflows
    ]) {
      const gq = g.map(Q.fromNumber);
      for (let k = 1; k <= g.length; k++) {
        // Absolute floor 1e-14 · max |g|: ulps of 1e308 are ~1e292.
        expect(mismatch(maxAtK(g, k), bruteMetric(g.length, k, maxObjective(gq)), 1e-14, 1e295), `maxAtK k=${k}`).toBeUndefined();
        for (const baseline of BASELINES) {
          if ((baseline === 'loo' || baseline === 'loo-pkpo') && k === g.length) continue;
          const w = maxAtKAdvantage(g, k, { baseline });
          const exact = bruteBaselined(g.length, k, maxObjective(gq), baseline);
          for (let i = 0; i < g.length; i++) expect(mismatch(w[i]!, exact[i]!, 1e-13, 1e295), `${baseline} k=${k} i=${i}`).toBeUndefined();
        }
      }
    }
    // A batch where only one group overflows: the other group's values are unchanged.
    expect(Array.from(maxAtK([-1e308, 1e308, 0, 0.1, 0.2, 0.3], 2, { groupSize: 3 }))[1]).toBe(maxAtK([0.1, 0.2, 0.3], 2));
  });

  it('maxAtKAdvantage(rewards01, k, { baseline }) equals passAtKAdvantage on the same 0/1 rewards', () => {
    const g = [0, 1, 0, 0, 1, 0, 0];
    for (const baseline of BASELINES) {
      for (let k = 1; k <= 6; k++) {
        expectClose(maxAtKAdvantage(g, k, { baseline }), Array.from(passAtKAdvantage(g, k, { baseline })), 1e-15);
      }
    }
  });
});
