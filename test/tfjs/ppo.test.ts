/**
 * ppoClipLoss properties (fast-check), on the cpu and wasm backends: at ratio 1 without KL its gradient
 * is policyGradientLoss's; the clip zeroes the gradient exactly where the ratio left the trust region on
 * the side the advantage pushes it to, and nowhere else; the KL terms have their closed-form gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { policyGradientLoss, ppoClipLoss, type LossNormalization } from '../../src/tfjs/index.js';
import { BACKENDS, refScale, useBackend, type Normalize } from './setup.js';

const f32 = Math.fround;

interface Batch {
  groups: number;
  n: number;
  lp: number[][];
  logRatio: number[][];
  w: number[];
  mask: number[][];
  normalize: Normalize;
}

const batchArb: fc.Arbitrary<Batch> = fc
  .record({ groups: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 3 }), tokens: fc.integer({ min: 1, max: 5 }) })
  .chain(({ groups, n, tokens }) => {
    const rows = groups * n;
    const matrix = (a: fc.Arbitrary<number>) =>
      fc.array(fc.array(a, { minLength: tokens, maxLength: tokens }), { minLength: rows, maxLength: rows });
    return fc.record({
      groups: fc.constant(groups),
      n: fc.constant(n),
      lp: matrix(fc.double({ min: -4, max: 0, noNaN: true }).map(f32)),
      logRatio: matrix(fc.double({ min: -0.7, max: 0.7, noNaN: true }).map(f32)),
      w: fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }).map(f32), fc.constantFrom(0, 1, -1)), {
        minLength: rows,
        maxLength: rows,
      }),
      mask: matrix(fc.integer({ min: 0, max: 1 })),
      normalize: fc.constantFrom<Normalize>('group', 'sum', 'sequence', 'token', 'constant'),
    });
  });

describe.each(BACKENDS)('on the tfjs %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('ppoClipLoss({ oldLogProbs: logProbs, klCoef: 0 }) has the gradient of policyGradientLoss for every normalisation', () => {
    fc.assert(
      fc.property(batchArb, fc.double({ min: 0.05, max: 0.5, noNaN: true }), (b, eps) => {
        const [ppo, pg] = tf.tidy(() => {
          const lp = tf.tensor2d(b.lp);
          const weights = tf.tensor2d(b.w, [b.groups, b.n]);
          const mask = tf.tensor2d(b.mask);
          const normalize = b.normalize as LossNormalization;
          const old = tf.tensor2d(b.lp);
          return [
            tf.grad((x: tf.Tensor) => ppoClipLoss({ logProbs: x, oldLogProbs: old, weights, mask, normalize, clipEpsilon: eps }))(lp),
            tf.grad((x: tf.Tensor) => policyGradientLoss({ logProbs: x, weights, mask, normalize }))(lp),
          ].map((g) => Array.from(g.dataSync()));
        });
        ppo!.forEach((g, i) => expect(Math.abs(g - pg![i]!)).toBeLessThanOrEqual(1e-7 * Math.abs(pg![i]!) + 1e-12));
      }),
      { numRuns: 40 },
    );
  });

  let clippedSeen = 0;
  it('ppoClipLoss gradient is 0 where the clip is active (w > 0, ρ > 1 + ε_high or w < 0, ρ < 1 − ε_low) and −ν·w·ρ everywhere else', () => {
    fc.assert(
      fc.property(
        batchArb,
        fc.double({ min: 0.05, max: 0.4, noNaN: true }),
        fc.double({ min: 0.05, max: 0.4, noNaN: true }),
        (b, epsLow, epsHigh) => {
          const old = b.lp.map((row, r) => row.map((x, t) => f32(x - b.logRatio[r]![t]!)));
          const grad = tf.tidy(() => {
            const weights = tf.tensor2d(b.w, [b.groups, b.n]);
            const mask = tf.tensor2d(b.mask);
            const oldT = tf.tensor2d(old);
            const f = (x: tf.Tensor) =>
              ppoClipLoss({
                logProbs: x,
                oldLogProbs: oldT,
                weights,
                mask,
                normalize: b.normalize as LossNormalization,
                clipEpsilon: epsLow,
                clipEpsilonHigh: epsHigh,
              });
            return tf.grad(f)(tf.tensor2d(b.lp)).arraySync() as number[][];
          });
          const nu = refScale(b.mask, b.groups, b.normalize);
          b.lp.forEach((row, r) =>
            row.forEach((x, t) => {
              const ratio = Math.exp(x - old[r]![t]!);
              const w = b.w[r]!;
              const g = grad[r]![t]!;
              if (b.mask[r]![t] === 0) return expect(Math.abs(g)).toBe(0);
              // Skip tokens within float32 rounding of a kink: which side they fall on is not defined.
              if (Math.abs(ratio - (1 + epsHigh)) < 1e-5 || Math.abs(ratio - (1 - epsLow)) < 1e-5) return;
              const clipped = (w > 0 && ratio > 1 + epsHigh) || (w < 0 && ratio < 1 - epsLow);
              if (clipped) {
                clippedSeen++;
                expect(Math.abs(g)).toBe(0);
              } else {
                const want = -nu[r]! * w * ratio;
                expect(Math.abs(g - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-9);
              }
            }),
          );
        },
      ),
      { numRuns: 60 },
    );
    // Not vacuous: the random ratios did land outside the trust region on the clipped side.
    expect(clippedSeen).toBeGreaterThan(0);
  });

  it('ppoClipLoss keeps the gradient on the wrong side of the trust region (w > 0 with ρ < 1 − ε, w < 0 with ρ > 1 + ε)', () => {
    // Two sequences, one token each: ratios 0.5 and 1.5, advantages +1 and −1; plus the clipped pair.
    const lp = tf.tensor2d([[Math.log(0.5)], [Math.log(1.5)], [Math.log(1.5)], [Math.log(0.5)]]);
    const old = tf.zeros([4, 1]);
    const weights = tf.tensor2d([[1, -1, 1, -1]]);
    const g = tf.tidy(() =>
      Array.from(tf.grad((x: tf.Tensor) => ppoClipLoss({ logProbs: x, oldLogProbs: old, weights, normalize: 'sum' }))(lp).dataSync()),
    );
    expect(g[0]).toBeCloseTo(-0.5, 6); // −w·ρ, unclipped: the objective still pulls ρ back up
    expect(g[1]).toBeCloseTo(1.5, 6); //  −w·ρ with w = −1
    expect(g[2]).toBe(0); // w > 0, ρ > 1.2: clipped
    expect(g[3]).toBe(0); // w < 0, ρ < 0.8: clipped
    tf.dispose([lp, old, weights]);
  });

  it('ppoClipLoss at ratio 1 keeps the gradient −ν·w of tiny advantages (|w| = 1e-9; tf.sign on wasm rounds them to 0)', () => {
    const lp = tf.tensor2d([[-1], [-2], [-0.5], [-3]]);
    const weights = tf.tensor2d([[1e-9, -1e-9, 3e-12, -2.7e-11]]);
    const g = tf.tidy(() =>
      Array.from(tf.grad((x: tf.Tensor) => ppoClipLoss({ logProbs: x, oldLogProbs: lp, weights, normalize: 'sum' }))(lp).dataSync()),
    );
    [1e-9, -1e-9, 3e-12, -2.7e-11].forEach((w, i) => expect(g[i]! / -w).toBeCloseTo(1, 6));
    tf.dispose([lp, weights]);
  });

  it("ppoClipLoss KL terms: with w = 0 the gradient is β·ν·m·(1 − e^{ref − lp}) for 'k3' and β·ν·m for 'k1'; k3 is ≥ 0", () => {
    fc.assert(
      fc.property(batchArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (b, beta) => {
        const ref = b.lp.map((row, r) => row.map((x, t) => f32(x + b.logRatio[r]![t]!)));
        const [k3, k1, k3value] = tf.tidy(() => {
          const weights = tf.zeros([b.groups, b.n]);
          const mask = tf.tensor2d(b.mask);
          const refT = tf.tensor2d(ref);
          const lp = tf.tensor2d(b.lp);
          const base = { oldLogProbs: lp, weights, mask, normalize: b.normalize as LossNormalization, klCoef: beta, refLogProbs: refT };
          const g3 = tf.valueAndGrad((x: tf.Tensor) => ppoClipLoss({ ...base, logProbs: x, klEstimator: 'k3' }))(lp);
          const g1 = tf.grad((x: tf.Tensor) => ppoClipLoss({ ...base, logProbs: x, klEstimator: 'k1' }))(lp);
          return [g3.grad.arraySync() as number[][], g1.arraySync() as number[][], g3.value.dataSync()[0]!];
        });
        const nu = refScale(b.mask, b.groups, b.normalize);
        expect(k3value).toBeGreaterThanOrEqual(0);
        b.lp.forEach((row, r) =>
          row.forEach((x, t) => {
            const m = b.mask[r]![t]!;
            const want3 = beta * nu[r]! * m * (1 - Math.exp(ref[r]![t]! - x));
            const want1 = beta * nu[r]! * m;
            expect(Math.abs(k3[r]![t]! - want3)).toBeLessThanOrEqual(1e-5 * (Math.abs(want3) + beta * nu[r]!) + 1e-9);
            expect(Math.abs(k1[r]![t]! - want1)).toBeLessThanOrEqual(1e-6 * want1 + 1e-9);
          }),
        );
      }),
      { numRuns: 30 },
    );
  });
});
