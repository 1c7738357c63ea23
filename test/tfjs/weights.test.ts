/**
 * Weights from tensors equal the core estimators on the same numbers (rounded to float32), on the cpu
 * and wasm backends; they carry no gradient, leak nothing and refuse bad shapes with typed errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { grpoAdvantage, rlooAdvantage } from '../../src/estimators/grpo.js';
import { bestOfNAdvantage, bestOfNDistillationWeights } from '../../src/estimators/best-of-n.js';
import { majorityVoteAdvantage } from '../../src/estimators/majority-vote.js';
import { maxAtKAdvantage } from '../../src/estimators/max-at-k.js';
import { passAtKAdvantage } from '../../src/estimators/pass-at-k.js';
import { estimatorNames, estimators, type EstimatorInputs } from '../../src/registry.js';
import {
  bestOfNDistillationTargets,
  bestOfNWeights,
  estimatorWeights,
  grpoWeights,
  majorityVoteWeights,
  maxAtKWeights,
  passAtKWeights,
  policyGradientLoss,
  rlooWeights,
} from '../../src/tfjs/index.js';
import { BACKENDS, useBackend } from './setup.js';

const BASELINES = ['none', 'loo', 'loo-pkpo', 'loo-1'] as const;

/** A batch: B groups of n samples, binary rewards, scores with ties, answers whose reward is fixed by the answer. */
const batchArb = fc
  .record({ groups: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 3, max: 6 }) })
  .chain(({ groups, n }) =>
    fc.record({
      groups: fc.constant(groups),
      n: fc.constant(n),
      answers: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: groups * n, maxLength: groups * n }),
      continuous: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: groups * n, maxLength: groups * n }),
      scores: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: groups * n, maxLength: groups * n }),
      k: fc.integer({ min: 1, max: n - 1 }),
    }),
  )
  .map((b) => ({ ...b, binary: b.answers.map((a) => (a === 0 ? 1 : 0)) }));

/** The float32 rounding of the core's float64 weights: what the tensor must hold. */
const f32 = (w: Float64Array) => Array.from(Float32Array.from(w));

describe.each(BACKENDS)('on the tfjs %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('passAtKWeights, maxAtKWeights, grpoWeights, rlooWeights of [B, n] tensors equal the core estimators with groupSize n', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom(...BASELINES), fc.constantFrom('sum' as const, 'mean' as const), (b, baseline, scale) => {
        const { groups, n, k } = b;
        const binary = tf.tensor2d(b.binary, [groups, n]);
        const cont = tf.tensor2d(b.continuous.map(Math.fround), [groups, n]);
        const contF = Float32Array.from(b.continuous);
        const got = tf.tidy(() => [
          passAtKWeights(binary, k, { baseline, scale }).dataSync(),
          maxAtKWeights(cont, k, { baseline, scale }).dataSync(),
          grpoWeights(cont).dataSync(),
          rlooWeights(binary, {}).dataSync(),
        ]);
        tf.dispose([binary, cont]);
        expect(Array.from(got[0]!)).toEqual(f32(passAtKAdvantage(b.binary, k, { baseline, scale, groupSize: n })));
        expect(Array.from(got[1]!)).toEqual(f32(maxAtKAdvantage(contF, k, { baseline, scale, groupSize: n })));
        expect(Array.from(got[2]!)).toEqual(f32(grpoAdvantage(contF, { groupSize: n })));
        expect(Array.from(got[3]!)).toEqual(f32(rlooAdvantage(b.binary, { groupSize: n })));
      }),
      { numRuns: 30 },
    );
  });

  it('majorityVoteWeights, bestOfNWeights, bestOfNDistillationTargets equal the core estimators with groupSize n', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom(...BASELINES), (b, baseline) => {
        const { groups, n, k } = b;
        const rewards = tf.tensor2d(b.binary, [groups, n]);
        const scores = tf.tensor2d(b.scores, [groups, n]);
        const got = tf.tidy(() => [
          majorityVoteWeights(b.answers, rewards, k, { baseline }).dataSync(),
          bestOfNWeights(scores, rewards, k, { baseline }).dataSync(),
          bestOfNDistillationTargets(scores, k, { sampling: 'with-replacement' }).dataSync(),
        ]);
        tf.dispose([rewards, scores]);
        expect(Array.from(got[0]!)).toEqual(f32(majorityVoteAdvantage(b.answers, b.binary, k, { baseline, groupSize: n })));
        expect(Array.from(got[1]!)).toEqual(f32(bestOfNAdvantage(b.scores, b.binary, k, { baseline, groupSize: n })));
        expect(Array.from(got[2]!)).toEqual(
          f32(bestOfNDistillationWeights(b.scores, k, { sampling: 'with-replacement', groupSize: n })),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('estimatorWeights(name, inputs) equals the registry entry with groupSize n, for every registered estimator', () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const { groups, n, k } = b;
        const rewards = tf.tensor2d(b.binary, [groups, n]);
        const scores = tf.tensor2d(b.scores, [groups, n]);
        for (const name of estimatorNames) {
          const entry = estimators[name];
          // per-group weights (bon-rl-selected) and expert inputs (bon-sft) have no [B, n] tensor form here
          if (name === 'bon-rl-selected' || (entry.inputs as readonly string[]).includes('expertScores')) continue;
          const core: EstimatorInputs = { rewards: b.binary, k };
          if (entry.inputs.includes('scores')) core.scores = b.scores;
          if (entry.inputs.includes('answers')) core.answers = b.answers;
          const alpha = 'median' as const;
          const f = (I: readonly number[]): number => Math.min(...I.map((i) => b.binary[i]!));
          if ((entry.inputs as readonly string[]).includes('alpha')) core.alpha = alpha;
          if ((entry.inputs as readonly string[]).includes('f')) core.f = f;
          const want = f32((entry.weights as (i: EstimatorInputs, o: object) => Float64Array)(core, { groupSize: n }));
          const got = tf.tidy(() =>
            Array.from(
              estimatorWeights(name, {
                rewards,
                k,
                ...(entry.inputs.includes('scores') ? { scores } : {}),
                ...(entry.inputs.includes('answers') ? { answers: b.answers } : {}),
                ...((entry.inputs as readonly string[]).includes('alpha') ? { alpha } : {}),
                ...((entry.inputs as readonly string[]).includes('f') ? { f } : {}),
              }).dataSync(),
            ),
          );
          expect(got, name).toEqual(want);
        }
        tf.dispose([rewards, scores]);
      }),
      { numRuns: 10 },
    );
  });

  it('passAtKWeights returns a float32 [B, n] tensor that carries no gradient and adds exactly one tensor', () => {
    const rewards = tf.tensor2d([[1, 0, 0, 1], [0, 0, 0, 1]]);
    const before = tf.memory().numTensors;
    const w = passAtKWeights(rewards, 2);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(w.dtype).toBe('float32');
    expect(w.shape).toEqual([2, 4]);
    // No path from rewards to the weights, nor from the weights into a loss's gradient.
    expect(() => tf.tidy(() => tf.grad((r: tf.Tensor) => tf.sum(passAtKWeights(r, 2)))(rewards))).toThrow(/Cannot compute gradient/);
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Checked last: when tf.grad throws after the forward pass, tfjs itself leaks the tensors a custom op
    // saved for its backward pass (a plain tf.customGrad does the same), so no memory check after it.
    const lp = tf.zeros([8, 3]);
    const w2 = passAtKWeights(rewards, 2);
    expect(() => tf.tidy(() => tf.grad((x: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights: x }))(w2))).toThrow(
      /Cannot compute gradient/,
    );
    tf.dispose([w2, lp, rewards]);
  });

  it('the weight functions accept int32 and bool reward tensors', () => {
    const f = tf.tensor2d([[1, 0, 0, 1]]);
    const i = tf.tensor2d([[1, 0, 0, 1]], undefined, 'int32');
    const b = tf.tensor2d([[true, false, false, true]], undefined, 'bool');
    const got = tf.tidy(() => [f, i, b].map((r) => Array.from(passAtKWeights(r, 2).dataSync())));
    expect(got[1]).toEqual(got[0]);
    expect(got[2]).toEqual(got[0]);
    tf.dispose([f, i, b]);
  });

  it('the weight functions refuse bad shapes, layout options and bad rewards with typed errors', () => {
    const call = (fn: () => unknown) => () => tf.tidy(() => void fn());
    expect(call(() => passAtKWeights(tf.tensor1d([1, 0, 1]), 1))).toThrow(/rewards must have rank 2 \(got shape \[3\]\)/);
    expect(call(() => passAtKWeights([[1, 0]] as unknown as tf.Tensor, 1))).toThrow(InvalidArgumentError);
    expect(call(() => passAtKWeights(tf.tensor2d([[1, 0]]), 1, { groupSize: 2 } as never))).toThrow(
      /opts\.groupSize is not an option of passAtKWeights: the groups are the rows/,
    );
    expect(call(() => passAtKWeights(tf.tensor2d([[1, 0.5]]), 1))).toThrow(DomainError);
    expect(call(() => maxAtKWeights(tf.tensor2d([[1, NaN]]), 1))).toThrow(NonFiniteError);
    expect(call(() => passAtKWeights(tf.tensor2d([[1, 0]]), 3))).toThrow(/k must be ≤ n \(got k=3, n=2 in group 0\)/);
    expect(call(() => passAtKWeights(tf.zeros([0, 2]), 1))).toThrow(ShapeError);
    expect(call(() => bestOfNWeights(tf.tensor2d([[1, 0, 2]]), tf.tensor2d([[1, 0]]), 1))).toThrow(
      /rewards must have the shape of scores \[1, 3\] \(got \[1, 2\]\)/,
    );
    expect(call(() => estimatorWeights('bon@k', { rewards: tf.tensor2d([[1, 0]]), k: 1, scores: tf.tensor2d([[1], [0]]) }))).toThrow(
      ShapeError,
    );
    expect(call(() => estimatorWeights('nope', { rewards: tf.tensor2d([[1, 0]]) }))).toThrow(InvalidArgumentError);
    expect(call(() => majorityVoteWeights([0, 1, 2], tf.tensor2d([[1, 0]]), 1))).toThrow(ShapeError);
  });
});
