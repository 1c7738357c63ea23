/**
 * bestOfNSftLoss against a float64 reference built on the core's bestOfNSftWeights, its gradients
 * against finite differences (of the reference, float64, and of the tfjs loss, float32), padding,
 * leaks and typed errors — on the cpu and wasm backends. Tolerances as in losses.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { bestOfNSftWeights } from '../../src/estimators/best-of-n-sft.js';
import { bestOfNSftLoss } from '../../src/tfjs/index.js';
import { BACKENDS, fdGradient, useBackend } from './setup.js';

const f32 = (x: number) => Math.fround(x);

interface Case {
  B: number;
  n: number;
  N: number;
  lpE: number[][];
  lpS: number[][];
  maskE: number[][];
  maskS: number[][];
  scores: number[];
  stars: number[];
  normalize: 'group' | 'sum';
  estimator: 'self-normalised' | 'jackknife' | 'unbiased';
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 2, max: 4 }),
    tE: fc.integer({ min: 1, max: 3 }),
    tS: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ B, n, tE, tS }) => {
    const val = fc.double({ min: -3, max: 0, noNaN: true }).map(f32);
    const rows = (r: number, t: number) => fc.array(fc.array(val, { minLength: t, maxLength: t }), { minLength: r, maxLength: r });
    const bits = (r: number, t: number) =>
      fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: t, maxLength: t }), { minLength: r, maxLength: r });
    return fc.record({
      B: fc.constant(B),
      n: fc.constant(n),
      N: fc.integer({ min: 1, max: n }),
      lpE: rows(B, tE),
      lpS: rows(B * n, tS),
      maskE: bits(B, tE),
      maskS: bits(B * n, tS),
      scores: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: B * n, maxLength: B * n }),
      stars: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: B, maxLength: B }),
      normalize: fc.constantFrom('group' as const, 'sum' as const),
      estimator: fc.constantFrom('self-normalised' as const, 'jackknife' as const, 'unbiased' as const),
    });
  });

/** float64 reference: −ν Σ_b [e_b Σ_t m* lp* + Σ_i w_i Σ_t m lp]. */
function refLoss(c: Case, lpE: number[][], lpS: number[][]): number {
  const w = bestOfNSftWeights(c.scores, c.stars, c.N, { groupSize: c.n, estimator: c.estimator });
  const nu = c.normalize === 'group' ? 1 / c.B : 1;
  let s = 0;
  lpE.forEach((row, b) => row.forEach((x, t) => (s -= c.maskE[b]![t]! * nu * w.expert[b]! * x)));
  lpS.forEach((row, i) => row.forEach((x, t) => (s -= c.maskS[i]![t]! * nu * w.samples[i]! * x)));
  return s;
}

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, r) => row.forEach((x, t) => (d = Math.max(d, Math.abs(x - b[r]![t]!)))));
  return d;
}

describe.each(BACKENDS)('bestOfNSftLoss on the tfjs %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const run = (c: Case) => {
    const opts = { mask: tf.tensor2d(c.maskS), expertMask: tf.tensor2d(c.maskE), normalize: c.normalize, estimator: c.estimator };
    const scores = tf.tensor2d(c.scores, [c.B, c.n]);
    const stars = tf.tensor1d(c.stars);
    return { opts, scores, stars, loss: (e: tf.Tensor, s: tf.Tensor) => bestOfNSftLoss(e, s, scores, stars, c.N, opts) };
  };

  it('bestOfNSftLoss(expertLogProbs, sampleLogProbs, scores, expertScores, N, opts) equals the weighted log-likelihood of bestOfNSftWeights', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = run(c);
        const got = tf.tidy(() => r.loss(tf.tensor2d(c.lpE), tf.tensor2d(c.lpS)).dataSync()[0]!);
        tf.dispose([r.scores, r.stars, r.opts.mask, r.opts.expertMask]);
        const want = refLoss(c, c.lpE, c.lpS);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(want)));
      }),
      { numRuns: 30 },
    );
  });

  it('tf.grads(bestOfNSftLoss) equals −ν·weight·mask and finite differences in float64 and float32', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = run(c);
        const [gE, gS] = tf.tidy(() => tf.grads(r.loss)([tf.tensor2d(c.lpE), tf.tensor2d(c.lpS)]).map((g) => g.arraySync() as number[][])) as [
          number[][],
          number[][],
        ];
        const fdE = fdGradient((x) => refLoss(c, x, c.lpS), c.lpE, 1e-6);
        const fdS = fdGradient((x) => refLoss(c, c.lpE, x), c.lpS, 1e-6);
        const fd32E = fdGradient((x) => tf.tidy(() => r.loss(tf.tensor2d(x), tf.tensor2d(c.lpS)).dataSync()[0]!), c.lpE, 1e-2);
        const fd32S = fdGradient((x) => tf.tidy(() => r.loss(tf.tensor2d(c.lpE), tf.tensor2d(x)).dataSync()[0]!), c.lpS, 1e-2);
        tf.dispose([r.scores, r.stars, r.opts.mask, r.opts.expertMask]);
        const scale = 1 + Math.max(...[...gE.flat(), ...gS.flat()].map(Math.abs));
        expect(maxDiff(gE, fdE)).toBeLessThanOrEqual(2e-5 * scale);
        expect(maxDiff(gS, fdS)).toBeLessThanOrEqual(2e-5 * scale);
        expect(maxDiff(gE, fd32E)).toBeLessThanOrEqual(1e-3 * scale);
        expect(maxDiff(gS, fd32S)).toBeLessThanOrEqual(1e-3 * scale);
      }),
      { numRuns: 15 },
    );
  });

  it('ignores log-probs under mask 0 (even NaN and −Infinity) and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const e = tf.tensor2d([[-0.5, Number.NaN]]);
      const s = tf.tensor2d([[-2, Number.NEGATIVE_INFINITY], [-0.3, -0.2]]);
      const opts = { expertMask: tf.tensor2d([[1, 0]]), mask: tf.tensor2d([[1, 0], [1, 1]]) };
      const v = bestOfNSftLoss(e, s, tf.tensor2d([[0.2, 0.9]]), tf.tensor1d([0.5]), 4, opts).dataSync()[0]!;
      // −[1·(−0.5) + 1.5·(−2) + (−1.5)·(−0.5)]
      expect(v).toBeCloseTo(2.75, 5);
      const [gE, gS] = tf.grads((a, b) => bestOfNSftLoss(a, b, tf.tensor2d([[0.2, 0.9]]), tf.tensor1d([0.5]), 4, opts))([e, s]);
      const plus0 = (t: tf.Tensor) => (t.arraySync() as number[][]).map((row) => row.map((x) => x + 0));
      expect(plus0(gE!)).toEqual([[-1, 0]]);
      expect(plus0(gS!)).toEqual([[-1.5, 0], [1.5, 1.5]]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad input with typed errors naming the argument', () => {
    tf.tidy(() => {
      const e = tf.tensor2d([[-0.5, -1]]);
      const s = tf.tensor2d([[-2, -1], [-0.3, -0.2]]);
      const sc = tf.tensor2d([[0.2, 0.9]]);
      const st = tf.tensor1d([0.5]);
      const arg = (f: () => unknown) => {
        try {
          f();
        } catch (err) {
          return [(err as Error).constructor.name, (err as { argument?: string }).argument];
        }
        return ['no error'];
      };
      expect(arg(() => bestOfNSftLoss(e, s, sc, st, 0))).toEqual([DomainError.name, 'N']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, tf.tensor1d([0.5, 1]), 2))).toEqual([ShapeError.name, 'expertScores']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, tf.tensor1d([Number.NaN]), 2))).toEqual([NonFiniteError.name, 'expertScores']);
      expect(arg(() => bestOfNSftLoss(e, tf.tensor2d([[-1, -1]]), sc, st, 2))).toEqual([ShapeError.name, 'sampleLogProbs']);
      expect(arg(() => bestOfNSftLoss(tf.tensor2d([[-1], [-1]]), s, sc, st, 2))).toEqual([ShapeError.name, 'expertLogProbs']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, st, 2, { mask: tf.tensor2d([[1, 2], [1, 1]]) }))).toEqual([DomainError.name, 'mask']);
      expect(arg(() => bestOfNSftLoss(tf.tensor2d([[Number.NaN, -1]]), s, sc, st, 2))).toEqual([NonFiniteError.name, 'expertLogProbs']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, st, 2, { normalize: 'token' as never }))).toEqual([InvalidArgumentError.name, 'normalize']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, st, 2, { groupSize: 2 } as never))).toEqual([InvalidArgumentError.name, 'opts.groupSize']);
      expect(arg(() => bestOfNSftLoss(e, s, sc, st, 3, { estimator: 'unbiased' }))).toEqual([DomainError.name, 'N']);
      expect(arg(() => bestOfNSftLoss(e, s, [[0.2, 0.9]] as never, st, 2))).toEqual([InvalidArgumentError.name, 'scores']);
    });
  });
});
