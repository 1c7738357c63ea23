/**
 * fast-check properties of the order-statistic family, run on the js and the wasm backend: ties in any
 * order give bit-identical weights (the result depends only on the sorted multiset), permutation
 * equivariance, js = wasm, loo centring, all-equal groups, translation and scale behaviour, batched =
 * concatenation, and equality with the subset definition in exact rationals on random small cases.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BASELINES, orderStatisticAdvantage, orderStatisticAtK, orderStatisticAlpha, type Baseline, type OrderStatisticAlpha } from '../../src/index.js';
import { bruteBaselined, bruteMetric, mismatch, Q, type SubsetObjective } from '../oracle/rational.js';
import { describeEachBackend } from '../support/backends.js';


const RUNS = { numRuns: 120 };
const QUARTERS = [-1.5, -1, -0.25, 0, 0.25, 0.5, 1, 2];
const value = fc.oneof(fc.constantFrom(...QUARTERS), fc.double({ min: -1e3, max: 1e3, noNaN: true }));
const PRESETS: OrderStatisticAlpha[] = ['max', 'min', 'mean', 'median', 'top-2', 'cvar-0.4', 'upper-0.25', 'trimmed-mean-0.2'];

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

const caseArb = fc
  .array(value, { minLength: 2, maxLength: 12 })
  .chain((g) => fc.record({ g: fc.constant(g), k: fc.integer({ min: 2, max: g.length }) }))
  .chain(({ g, k }) =>
    fc.record({
      g: fc.constant(g),
      k: fc.constant(k),
      baseline: fc.constantFrom(...validBaselines(g.length, k)),
      alpha: fc.constantFrom(...PRESETS),
      perm: fc.array(fc.nat(), { minLength: g.length, maxLength: g.length }),
    }),
  );

function permute<T>(xs: readonly T[], keys: readonly number[]): number[] {
  return xs.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
}

describeEachBackend('order-statistic properties', (backend) => {
  {
    it('orderStatisticAdvantage is permutation-equivariant, bit for bit, and tied rewards share one weight', () => {
      fc.assert(
        fc.property(caseArb, ({ g, k, baseline, alpha, perm }) => {
          const w = orderStatisticAdvantage(g, k, alpha, { baseline, backend });
          const order = permute(g, perm);
          const wp = orderStatisticAdvantage(order.map((i) => g[i]!), k, alpha, { baseline, backend });
          order.forEach((i, j) => expect(Object.is(wp[j], w[i])).toBe(true));
          for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) if (g[i] === g[j]) expect(Object.is(w[i], w[j])).toBe(true);
        }),
        RUNS,
      );
    });

    it('orderStatisticAdvantage / orderStatisticAtK agree with the js backend to 1e-12', () => {
      fc.assert(
        fc.property(caseArb, ({ g, k, baseline, alpha }) => {
          const a = orderStatisticAdvantage(g, k, alpha, { baseline, backend });
          const b = orderStatisticAdvantage(g, k, alpha, { baseline, backend: 'js' });
          for (let i = 0; i < g.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]!)));
          const m = orderStatisticAtK(g, k, alpha, { backend }) - orderStatisticAtK(g, k, alpha, { backend: 'js' });
          expect(Math.abs(m)).toBeLessThanOrEqual(1e-12 * 1e3);
        }),
        RUNS,
      );
    });

    it("orderStatisticAdvantage 'loo' sums to 0; all-equal rewards give 0 under loo and loo-1, −c·k/(n(n−1)) under loo-pkpo", () => {
      fc.assert(
        fc.property(caseArb, fc.constantFrom(...QUARTERS), ({ g, k, alpha }, c) => {
          const n = g.length;
          if (k <= n - 1) {
            const w = orderStatisticAdvantage(g, k, alpha, { baseline: 'loo', backend });
            const scale = g.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
            expect(Math.abs(w.reduce((a, x) => a + x, 0))).toBeLessThanOrEqual(1e-12 * n * Math.max(1, scale));
            const pk = orderStatisticAdvantage(new Array<number>(n).fill(c), k, alpha, { baseline: 'loo-pkpo', backend });
            for (const x of pk) expect(Math.abs(x + (c * k) / (n * (n - 1)))).toBeLessThanOrEqual(1e-14);
            expect(Array.from(orderStatisticAdvantage(new Array<number>(n).fill(c), k, alpha, { baseline: 'loo', backend })).every((x) => x === 0)).toBe(true);
          }
          expect(Array.from(orderStatisticAdvantage(new Array<number>(n).fill(c), k, alpha, { baseline: 'loo-1', backend })).every((x) => x === 0)).toBe(true);
        }),
        RUNS,
      );
    });

    it('orderStatisticAdvantage: adding a constant leaves loo / loo-1 weights unchanged; scaling by s > 0 scales them', () => {
      fc.assert(
        fc.property(caseArb, fc.constantFrom(-3, 0.5, 7), fc.constantFrom(0.25, 2, 8), ({ g, k, baseline, alpha }, shift, s) => {
          if (baseline === 'none' || baseline === 'loo-pkpo') return;
          const w = orderStatisticAdvantage(g, k, alpha, { baseline, backend });
          const ws = orderStatisticAdvantage(g.map((x) => x + shift), k, alpha, { baseline, backend });
          const wm = orderStatisticAdvantage(g.map((x) => x * s), k, alpha, { baseline, backend });
          const scale = Math.max(1, ...g.map(Math.abs));
          for (let i = 0; i < g.length; i++) {
            expect(Math.abs(ws[i]! - w[i]!)).toBeLessThanOrEqual(1e-12 * scale);
            expect(Math.abs(wm[i]! - s * w[i]!)).toBeLessThanOrEqual(1e-12 * scale * s);
          }
        }),
        RUNS,
      );
    });

    it('orderStatistic* batched with groupOffsets equals one call per group', () => {
      fc.assert(
        fc.property(fc.array(caseArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...PRESETS), (cases, alpha) => {
          const k = Math.min(...cases.map((c) => c.g.length)) - 1 || 1;
          const flat = cases.flatMap((c) => c.g);
          const offsets = [0];
          for (const c of cases) offsets.push(offsets[offsets.length - 1]! + c.g.length);
          if (alpha === 'top-2' && k < 2) return;
          const w = orderStatisticAdvantage(flat, k, alpha, { groupOffsets: offsets, backend, baseline: 'loo' });
          const m = orderStatisticAtK(flat, k, alpha, { groupOffsets: offsets, backend });
          cases.forEach((c, b) => {
            const single = orderStatisticAdvantage(c.g, k, alpha, { backend, baseline: 'loo' });
            for (let i = 0; i < c.g.length; i++) expect(w[offsets[b]! + i]).toBe(single[i]);
            expect(m[b]).toBe(orderStatisticAtK(c.g, k, alpha, { backend }));
          });
        }),
        { numRuns: 60 },
      );
    });

    it('orderStatistic* equal the subset definition in exact rationals on random quarter-valued groups', () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...QUARTERS), { minLength: 2, maxLength: 7 }).chain((g) =>
            fc.record({ g: fc.constant(g), k: fc.integer({ min: 2, max: g.length }), alpha: fc.constantFrom(...PRESETS) }),
          ),
          ({ g, k, alpha }) => {
            const gq = g.map(Q.fromNumber);
            const byK = new Map([k, k - 1].map((kk) => [kk, Array.from(orderStatisticAlpha(alpha, Math.max(kk, alpha === 'top-2' ? 2 : 1)), Q.fromNumber)]));
            if (alpha === 'top-2') byK.set(k - 1, Array.from(k - 1 >= 2 ? orderStatisticAlpha('top-2', k - 1) : [1], Q.fromNumber));
            const f: SubsetObjective = (I) => {
              const xs = I.map((i) => gq[i]!).sort((a, b) => a.cmp(b));
              const a = byK.get(xs.length)!;
              return xs.reduce((s, x, j) => s.add(a[j]!.mul(x)), Q.zero);
            };
            expect(mismatch(orderStatisticAtK(g, k, alpha, { backend }), bruteMetric(g.length, k, f), 1e-12, 1e-14)).toBeUndefined();
            for (const baseline of validBaselines(g.length, k)) {
              const w = orderStatisticAdvantage(g, k, alpha, { baseline, backend });
              const exact = bruteBaselined(g.length, k, f, baseline);
              for (let i = 0; i < g.length; i++) expect(mismatch(w[i]!, exact[i]!, 1e-12, 1e-14)).toBeUndefined();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
