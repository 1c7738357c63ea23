/**
 * Properties of BoN-SFT and BoN-RL on the selected sample with fast-check: permutation equivariance,
 * batching = concatenation (groupSize, groupOffsets, out buffers), finite weights at every n and N,
 * centring.
 *
 * BoN-SFT and BoN-RL on the selected sample run no kernels (closed forms per group), so their results
 * must not depend on the backend: the suites run once under each default backend (js, wasm).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { bestOfNSftWeights, bonRlSelectedWeights, type BestOfNSftEstimator } from '../../src/index.js';

const RUNS = 150;
const ESTIMATORS: BestOfNSftEstimator[] = ['self-normalised', 'jackknife', 'unbiased'];

/** A group: scores on a small alphabet (ties with the expert are common), an expert score, N, a permutation. */
const groupArb = fc
  .integer({ min: 2, max: 14 })
  .chain((n) =>
    fc.record({
      v: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }),
      star: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constant(0.5)),
      N: fc.integer({ min: 1, max: n }),
      perm: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    }),
  );

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)))) return false;
  return true;
}

describeEachBackend('bestOfNSftWeights properties', () => {
  it('is permutation-equivariant in the samples (every estimator, both baselines)', () => {
    fc.assert(
      fc.property(groupArb, ({ v, star, N, perm }) => {
        const pv = perm.map((i) => v[i]!);
        for (const estimator of ESTIMATORS) {
          for (const baseline of ['none', 'centred'] as const) {
            const a = bestOfNSftWeights(v, [star], N, { estimator, baseline });
            const b = bestOfNSftWeights(pv, [star], N, { estimator, baseline });
            expect(close(b.samples, perm.map((i) => a.samples[i]!), 0)).toBe(true);
            expect(b.expert[0]).toBe(a.expert[0]);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('batching with groupSize / groupOffsets equals one call per group, also into out buffers', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), (groups, N0) => {
        const flat = groups.flatMap((g) => g.v);
        const stars = groups.map((g) => g.star);
        const offsets = [0];
        for (const g of groups) offsets.push(offsets[offsets.length - 1]! + g.v.length);
        const N = Math.min(N0, ...groups.map((g) => g.v.length));
        for (const estimator of ESTIMATORS) {
          const out = new Float64Array(flat.length).fill(Number.NaN);
          const expertOut = new Float64Array(groups.length).fill(Number.NaN);
          const batched = bestOfNSftWeights(flat, stars, N, { estimator, groupOffsets: offsets, out, expertOut });
          expect(batched.samples).toBe(out);
          expect(batched.expert).toBe(expertOut);
          groups.forEach((g, b) => {
            const one = bestOfNSftWeights(g.v, [g.star], N, { estimator });
            expect([...out.subarray(offsets[b]!, offsets[b + 1]!)]).toEqual([...one.samples]);
            expect(expertOut[b]).toBe(one.expert[0]);
          });
          if (groups.every((g) => g.v.length === groups[0]!.v.length)) {
            const uniform = bestOfNSftWeights(flat, stars, N, { estimator, groupSize: groups[0]!.v.length });
            expect([...uniform.samples]).toEqual([...out]);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('weights are finite for every group, also at large n and N (m = 0, all ties, no ties)', () => {
    const cases: [number[], number][] = [
      [Array.from({ length: 5000 }, (_, i) => i % 7), 3],
      [new Array<number>(5000).fill(1), 1],
      [new Array<number>(5000).fill(2), 1],
      [Array.from({ length: 5000 }, (_, i) => i / 5000), 0.99],
      [Array.from({ length: 5000 }, (_, i) => i / 5000), -1],
    ];
    for (const [v, star] of cases) {
      for (const N of [1, 2, 64, 4096, 5000]) {
        for (const estimator of ESTIMATORS) {
          const w = bestOfNSftWeights(v, [star], N, { estimator });
          for (const x of w.samples) expect(Number.isFinite(x)).toBe(true);
          expect(Number.isFinite(w.expert[0]!)).toBe(true);
        }
      }
    }
  });

  it("'centred' weights sum to 0: always ('unbiased'), when a sample scores ≤ the expert ('self-normalised'), two do ('jackknife')", () => {
    fc.assert(
      fc.property(groupArb, ({ v, star, N }) => {
        const atMost = v.filter((x) => x <= star).length;
        for (const estimator of ESTIMATORS) {
          const w = bestOfNSftWeights(v, [star], N, { estimator });
          const sum = w.samples.reduce((a, b) => a + b, 0);
          const scale = Math.max(1, ...[...w.samples].map(Math.abs));
          const needed = estimator === 'unbiased' ? 0 : estimator === 'self-normalised' ? 1 : 2;
          if (atMost >= needed) expect(Math.abs(sum)).toBeLessThanOrEqual(1e-12 * scale * v.length);
          else if (atMost === 0) expect(sum).toBeCloseTo(-(N - 1), 12);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('samples scoring above the expert get the same weight, ≤ every sample below it (self-normalised)', () => {
    fc.assert(
      fc.property(groupArb, ({ v, star, N }) => {
        const w = bestOfNSftWeights(v, [star], N).samples;
        const above = v.map((x, i) => (x > star ? w[i]! : undefined)).filter((x) => x !== undefined);
        const below = v.map((x, i) => (x < star ? w[i]! : undefined)).filter((x) => x !== undefined);
        if (above.length > 0) for (const b of below) expect(b).toBeGreaterThanOrEqual(above[0]!);
        for (const a of above) expect(a).toBe(above[0]);
      }),
      { numRuns: RUNS },
    );
  });
});

describeEachBackend('bonRlSelectedWeights properties', () => {
  it('one weight per group, elementwise: a batch equals the per-group calls; finite for p in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ R: fc.constantFrom(0, 1), p: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom('binary' as const, 'positive' as const),
        (rows, N, form) => {
          const ok = rows.filter((r) => !(r.R === 1 && r.p === 1) && !(r.R === 0 && r.p === 0));
          if (ok.length === 0) return;
          const w = bonRlSelectedWeights(ok.map((r) => r.R), N, { failureProbs: ok.map((r) => r.p), form });
          ok.forEach((r, b) => {
            const one = bonRlSelectedWeights([r.R], N, { failureProbs: [r.p], form });
            expect(w[b]).toBe(one[0]);
            expect(Number.isFinite(w[b]!)).toBe(true);
            if (r.R === 1) expect(w[b]!).toBeGreaterThanOrEqual(0);
            else expect(w[b]!).toBeLessThanOrEqual(0);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
