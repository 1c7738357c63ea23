/**
 * fast-check properties of the k-sample weight estimators (docs/estimators/weights.md): permutation equivariance,
 * centring of `loo`, ties, all-equal groups, k = 1 reductions, batched = concatenation. Run on every
 * backend (js and wasm: test/support/backends.ts loads wasm before collection).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  BASELINES,
  chenPassAtKAdvantage,
  grpoAdvantage,
  maxAtK,
  maxAtKAdvantage,
  passAtKAdvantage,
  rlooAdvantage,
  type Baseline,
} from '../../src/index.js';
import { bruteBaselined, Q } from '../oracle/rational.js';
import { describeEachBackend } from '../support/backends.js';

const RUNS = { numRuns: 150 };

/** Values with many ties, negatives included. */
const QUARTERS = [-1.5, -1, -0.25, 0, 0.25, 0.5, 1, 2];
const tiedValue = fc.constantFrom(...QUARTERS);
const anyValue = fc.double({ min: -1e3, max: 1e3, noNaN: true });
const value = fc.oneof(tiedValue, anyValue);
const bit = fc.constantFrom(0, 1);

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => {
    if (b === 'loo' || b === 'loo-pkpo') return k <= n - 1;
    if (b === 'loo-1') return k >= 2 || n >= 2;
    return true;
  });
}

/** A group of 1..12 rewards, a k that fits and a baseline valid for (n, k). */
function groupCase(values: fc.Arbitrary<number>, minLength = 1) {
  return fc
    .array(values, { minLength, maxLength: 12 })
    .chain((g) => fc.record({ g: fc.constant(g), k: fc.integer({ min: 1, max: g.length }) }))
    .chain(({ g, k }) => fc.record({ g: fc.constant(g), k: fc.constant(k), baseline: fc.constantFrom(...validBaselines(g.length, k)) }));
}

/** A random permutation of 0..n−1. */
function permutation(n: number) {
  return fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) =>
    Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b),
  );
}

/** Scale of a group for absolute tolerances: 1 + max |g|. */
function scaleOf(g: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i]!));
  return 1 + m;
}

describeEachBackend('k-sample properties', (backend) => {
  {
    const estimators = {
      maxAtKAdvantage: { values: value, fn: (g: number[], k: number, baseline: Baseline) => maxAtKAdvantage(g, k, { baseline, backend }) },
      passAtKAdvantage: { values: bit, fn: (g: number[], k: number, baseline: Baseline) => passAtKAdvantage(g, k, { baseline, backend }) },
    };

    for (const [name, { values, fn }] of Object.entries(estimators)) {
      it(`${name}(g, k, { baseline }) is permutation-equivariant (exactly)`, () => {
        fc.assert(
          fc.property(
            groupCase(values).chain((c) => fc.record({ c: fc.constant(c), perm: permutation(c.g.length) })),
            ({ c: { g, k, baseline }, perm }) => {
              const w = fn(g, k, baseline);
              const wp = fn(perm.map((i) => g[i]!), k, baseline);
              for (let j = 0; j < g.length; j++) expect(wp[j]).toBe(w[perm[j]!]);
            },
          ),
          RUNS,
        );
      });

      it(`${name}(g, k, { baseline }) gives tied rewards identical weights`, () => {
        fc.assert(
          fc.property(groupCase(name === 'passAtKAdvantage' ? values : tiedValue), ({ g, k, baseline }) => {
            const w = fn(g, k, baseline);
            const byValue = new Map<number, number>();
            for (let i = 0; i < g.length; i++) {
              const seen = byValue.get(g[i]!);
              if (seen === undefined) byValue.set(g[i]!, w[i]!);
              else expect(w[i]).toBe(seen);
            }
          }),
          RUNS,
        );
      });

      it(`${name}(g, k, { baseline: 'loo' }) sums to 0 in every group`, () => {
        fc.assert(
          fc.property(groupCase(values, 2).filter(({ g, k }) => k <= g.length - 1), ({ g, k }) => {
            const w = fn(g, k, 'loo');
            let sum = 0;
            let abs = 0;
            for (const x of w) {
              sum += x;
              abs += Math.abs(x);
            }
            expect(Math.abs(sum)).toBeLessThanOrEqual(1e-12 * (abs + scaleOf(g)));
          }),
          RUNS,
        );
      });

      it(`${name}(g, k, { scale: 'mean' }) is n × the 'sum' weights`, () => {
        fc.assert(
          fc.property(groupCase(values), ({ g, k, baseline }) => {
            const sum = fn(g, k, baseline);
            const mean = name === 'passAtKAdvantage'
              ? passAtKAdvantage(g, k, { baseline, backend, scale: 'mean' })
              : maxAtKAdvantage(g, k, { baseline, backend, scale: 'mean' });
            for (let i = 0; i < g.length; i++) {
              expect(Math.abs(mean[i]! - g.length * sum[i]!)).toBeLessThanOrEqual(1e-12 * g.length * scaleOf(g));
            }
          }),
          RUNS,
        );
      });
    }

    it("maxAtKAdvantage(allEqual, k, { baseline }) is exactly 0 under 'loo' and 'loo-1'", () => {
      fc.assert(
        fc.property(value, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (v, n, kRaw) => {
          const k = Math.min(kRaw, n);
          const g = new Array<number>(n).fill(v);
          for (const baseline of validBaselines(n, k).filter((b) => b === 'loo' || b === 'loo-1')) {
            expect(Array.from(maxAtKAdvantage(g, k, { baseline, backend })).every((x) => x === 0)).toBe(true);
          }
        }),
        RUNS,
      );
    });

    it("maxAtKAdvantage(allEqual c, k, { baseline: 'loo-pkpo' }) is c·k/n − c·k/(n−1), NOT 0 (its baseline is not centred)", () => {
      fc.assert(
        fc.property(value, fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 11 }), (v, n, kRaw) => {
          const k = Math.min(kRaw, n - 1);
          const w = maxAtKAdvantage(new Array<number>(n).fill(v), k, { baseline: 'loo-pkpo', backend });
          const expected = (v * k) / n - (v * k) / (n - 1); // = −v·k/(n(n−1))
          for (const x of w) expect(Math.abs(x - expected)).toBeLessThanOrEqual(1e-13 * scaleOf([v]));
          if (Math.abs(expected) >= 1e-300) expect(w.every((x) => x !== 0)).toBe(true); // (not for v ≈ 5e-324)
        }),
        RUNS,
      );
    });

    it("bruteBaselined(n, k, constant c, 'loo-pkpo') is −c·k/(n(n−1)) in exact arithmetic (not 0: the baseline is not centred)", () => {
      // n = 4, k = 2, every reward 1: s_i = C(3,1)/C(4,2) = 1/2, baseline (k/(n−1))·ρ(g₋ᵢ, 2) = 2/3 · 1.
      const one: (I: readonly number[]) => Q = () => Q.one;
      const exact = bruteBaselined(4, 2, one, 'loo-pkpo');
      for (const w of exact) expect(w.eq(new Q(-1n, 6n))).toBe(true);
      expect(Array.from(passAtKAdvantage([1, 1, 1, 1], 2, { baseline: 'loo-pkpo', backend })).map((x) => Math.abs(x + 1 / 6) < 1e-15)).toEqual([true, true, true, true]);
      expect(Array.from(maxAtKAdvantage([3, 3, 3, 3], 2, { baseline: 'loo-pkpo', backend })).map((x) => Math.abs(x + 3 / 6) < 1e-15)).toEqual([true, true, true, true]);
      // With every reward 0 (all wrong) it is 0, as for the other baselines.
      expect(Array.from(passAtKAdvantage([0, 0, 0, 0], 2, { baseline: 'loo-pkpo', backend })).every((x) => x === 0)).toBe(true);
      for (const baseline of ['loo', 'loo-1'] as const) {
        for (const w of bruteBaselined(4, 2, one, baseline)) expect(w.isZero()).toBe(true);
      }
    });

    it('passAtKAdvantage(allEqual, k, { baseline }) is exactly 0 under loo and loo-1; chen, grpo, rloo give 0 too', () => {
      fc.assert(
        fc.property(bit, fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 12 }), (v, n, kRaw) => {
          const k = Math.min(kRaw, n);
          const g = new Array<number>(n).fill(v);
          for (const baseline of validBaselines(n, k).filter((b) => b === 'loo' || b === 'loo-1')) {
            expect(Array.from(passAtKAdvantage(g, k, { baseline, backend })).every((x) => x === 0)).toBe(true);
          }
          expect(Array.from(chenPassAtKAdvantage(g, k, { backend })).every((x) => x === 0)).toBe(true);
          expect(Array.from(grpoAdvantage(g, { backend })).every((x) => x === 0)).toBe(true);
          expect(Array.from(rlooAdvantage(g, { backend })).every((x) => x === 0)).toBe(true);
        }),
        RUNS,
      );
    });

    it('grpoAdvantage(allEqual) and rlooAdvantage(allEqual) are exactly 0 for any value', () => {
      fc.assert(
        fc.property(value, fc.integer({ min: 2, max: 12 }), (v, n) => {
          const g = new Array<number>(n).fill(v);
          for (const opts of [{}, { ddof: 0 as const }, { eps: 1e-6 }, { normalize: 'none' as const }]) {
            expect(Array.from(grpoAdvantage(g, { ...opts, backend })).every((x) => x === 0)).toBe(true);
          }
          expect(Array.from(rlooAdvantage(g, { backend })).every((x) => x === 0)).toBe(true);
        }),
        RUNS,
      );
    });

    it("maxAtKAdvantage(g, 1, { baseline: 'loo' }) equals rlooAdvantage(g) / n", () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: 2, maxLength: 12 }), (g) => {
          const w = maxAtKAdvantage(g, 1, { baseline: 'loo', backend });
          const r = rlooAdvantage(g, { backend });
          for (let i = 0; i < g.length; i++) expect(Math.abs(w[i]! - r[i]! / g.length)).toBeLessThanOrEqual(1e-12 * scaleOf(g));
        }),
        RUNS,
      );
    });

    it("passAtKAdvantage(g, 1, { baseline: 'loo' }) equals rlooAdvantage(g) / n", () => {
      fc.assert(
        fc.property(fc.array(bit, { minLength: 2, maxLength: 12 }), (g) => {
          const w = passAtKAdvantage(g, 1, { baseline: 'loo', backend });
          const r = rlooAdvantage(g, { backend });
          for (let i = 0; i < g.length; i++) expect(Math.abs(w[i]! - r[i]! / g.length)).toBeLessThanOrEqual(1e-15);
        }),
        RUNS,
      );
    });

    it("maxAtKAdvantage(g, 1, { baseline: 'none' }) is g / n, and passAtKAdvantage too", () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: 1, maxLength: 12 }), (g) => {
          const w = maxAtKAdvantage(g, 1, { baseline: 'none', backend });
          for (let i = 0; i < g.length; i++) expect(Math.abs(w[i]! - g[i]! / g.length)).toBeLessThanOrEqual(1e-13 * scaleOf(g));
          const b = g.map((x) => (x > 0 ? 1 : 0));
          const p = passAtKAdvantage(b, 1, { baseline: 'none', backend });
          for (let i = 0; i < b.length; i++) expect(p[i]).toBe(b[i]! / b.length);
        }),
        RUNS,
      );
    });

    it("maxAtKAdvantage(g, 1, { baseline: 'loo-1' }) equals 'loo' exactly (the k = 1 fallback)", () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: 2, maxLength: 12 }), (g) => {
          expect(maxAtKAdvantage(g, 1, { baseline: 'loo-1', backend })).toEqual(maxAtKAdvantage(g, 1, { baseline: 'loo', backend }));
          const b = g.map((x) => (x > 0 ? 1 : 0));
          expect(passAtKAdvantage(b, 1, { baseline: 'loo-1', backend })).toEqual(passAtKAdvantage(b, 1, { baseline: 'loo', backend }));
        }),
        RUNS,
      );
    });

    /** B groups of sizes ≥ minSize, one k valid for all, one baseline valid for all. */
    const batchCase = (values: fc.Arbitrary<number>, uniform: boolean) =>
      fc
        .record({ k: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 1, max: 9 }), B: fc.integer({ min: 1, max: 6 }) })
        .chain(({ k, size, B }) => {
          const minSize = k + 1;
          const sizes = uniform
            ? fc.constant(new Array<number>(B).fill(Math.max(size, minSize)))
            : fc.array(fc.integer({ min: minSize, max: minSize + 8 }), { minLength: B, maxLength: B });
          return sizes.chain((ns) =>
            fc.record({
              k: fc.constant(k),
              groups: fc.tuple(...ns.map((n) => fc.array(values, { minLength: n, maxLength: n }))),
              baseline: fc.constantFrom(...BASELINES),
            }),
          );
        });

    const concat = (parts: ArrayLike<number>[]) => parts.flatMap((p) => Array.from(p));
    const offsetsOf = (groups: number[][]) => groups.reduce<number[]>((o, grp) => [...o, o[o.length - 1]! + grp.length], [0]);

    for (const uniform of [true, false]) {
      const layout = uniform ? 'groupSize' : 'groupOffsets';
      const optsOf = (groups: number[][]) =>
        uniform ? { groupSize: groups[0]!.length } : { groupOffsets: offsetsOf(groups) };

      it(`maxAtKAdvantage(g, k, { ${layout} }) equals the concatenation of per-group results`, () => {
        fc.assert(
          fc.property(batchCase(value, uniform), ({ k, groups, baseline }) => {
            const flat = groups.flat();
            const batched = maxAtKAdvantage(flat, k, { ...optsOf(groups), baseline, backend });
            expect(Array.from(batched)).toEqual(concat(groups.map((grp) => maxAtKAdvantage(grp, k, { baseline, backend }))));
            const metric = maxAtK(flat, k, { ...optsOf(groups), backend });
            expect(metric).toBeInstanceOf(Float64Array);
            expect(Array.from(metric)).toEqual(groups.map((grp) => maxAtK(grp, k, { backend })));
          }),
          RUNS,
        );
      });

      it(`passAtKAdvantage(rewards, k, { ${layout} }) equals the concatenation of per-group results`, () => {
        fc.assert(
          fc.property(batchCase(bit, uniform), ({ k, groups, baseline }) => {
            const flat = groups.flat();
            for (const scale of ['sum', 'mean'] as const) {
              const batched = passAtKAdvantage(flat, k, { ...optsOf(groups), baseline, scale, backend });
              expect(Array.from(batched)).toEqual(concat(groups.map((grp) => passAtKAdvantage(grp, k, { baseline, scale, backend }))));
            }
            const chen = chenPassAtKAdvantage(flat, k, { ...optsOf(groups), backend });
            expect(Array.from(chen)).toEqual(concat(groups.map((grp) => chenPassAtKAdvantage(grp, k, { backend }))));
          }),
          RUNS,
        );
      });

      it(`grpoAdvantage / rlooAdvantage(rewards, { ${layout} }) equal the concatenation of per-group results`, () => {
        fc.assert(
          fc.property(batchCase(value, uniform).filter(({ groups }) => groups.every((grp) => grp.length >= 2)), ({ groups }) => {
            const flat = groups.flat();
            expect(Array.from(grpoAdvantage(flat, { ...optsOf(groups), backend }))).toEqual(
              concat(groups.map((grp) => grpoAdvantage(grp, { backend }))),
            );
            expect(Array.from(rlooAdvantage(flat, { ...optsOf(groups), backend }))).toEqual(
              concat(groups.map((grp) => rlooAdvantage(grp, { backend }))),
            );
          }),
          RUNS,
        );
      });
    }

    it('maxAtKAdvantage / passAtKAdvantage / maxAtK return only finite numbers on valid input', () => {
      fc.assert(
        fc.property(groupCase(value), ({ g, k, baseline }) => {
          expect(maxAtKAdvantage(g, k, { baseline, backend }).every(Number.isFinite)).toBe(true);
          expect(Number.isFinite(maxAtK(g, k, { backend }))).toBe(true);
          const b = g.map((x) => (x > 0 ? 1 : 0));
          expect(passAtKAdvantage(b, k, { baseline, backend }).every(Number.isFinite)).toBe(true);
          expect(chenPassAtKAdvantage(b, k, { backend }).every(Number.isFinite)).toBe(true);
        }),
        RUNS,
      );
    });

    it('every estimator returns no NaN for finite rewards anywhere in the double range', () => {
      // Full range: ±1e308 (where g_max − g_min overflows), subnormals, −0. Values that are bounded by
      // max |g| (the metric, 'none' weights, GRPO's standardised values) must also be finite.
      const wide = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1.7e308, -1.7e308, 5e-324, -0, 1e-300));
      fc.assert(
        fc.property(groupCase(wide), ({ g, k, baseline }) => {
          const w = maxAtKAdvantage(g, k, { baseline, backend });
          expect(w.some(Number.isNaN)).toBe(false);
          if (baseline === 'none') expect(w.every(Number.isFinite)).toBe(true);
          expect(Number.isFinite(maxAtK(g, k, { backend }))).toBe(true);
          if (g.length >= 2) {
            expect(grpoAdvantage(g, { backend }).every(Number.isFinite)).toBe(true);
            expect(grpoAdvantage(g, { backend, normalize: 'none' }).some(Number.isNaN)).toBe(false);
            expect(rlooAdvantage(g, { backend }).some(Number.isNaN)).toBe(false);
          }
        }),
        RUNS,
      );
    });
  }
});
