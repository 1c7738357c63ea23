/**
 * Unbiasedness through tfjs (docs/estimators/weights.md#what-proven-means): a categorical policy π = softmax(θ) over m = 3 outcomes, θ in a
 * tf.Variable. Every n-tuple of outcomes (3^4 = 81 of them) is one group of the batch; each sample is a
 * sequence whose first token carries log π(y) and whose other tokens are deterministic (log-prob 0) or
 * padding (mask 0, value NaN), with lengths that differ by outcome. The weights of each tuple are the
 * library's, times the tuple's probability, so with `normalize: 'sum'` the gradient of
 * policyGradientLoss is minus the exact expectation of Σ_i w_i ∇log π(y_i) — which must equal minus the
 * exact gradient of E f over k-tuples (test/oracle/policy.ts).
 *
 * Tolerance 1e-5 absolute: tfjs computes in float32 (u ≈ 6e-8); the loss sums R = 324 rows whose terms
 * total at most Σ_t p(t)·Σ_i |w_i| ≤ k ≤ 3 in absolute value, so rounding stays near u·3·log2(324) ≈ 2e-6.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactObjectiveGradient, maxAbsDiff, softmax } from '../oracle/policy.js';
import { tuples } from '../oracle/rational.js';
import {
  bestOfNWeights,
  majorityVoteWeights,
  maxAtKWeights,
  passAtKWeights,
  policyGradientLoss,
} from '../../src/tfjs/index.js';
import { BACKENDS, useBackend } from './setup.js';

const THETA = [0.4, -0.6, 0.1];
const M = THETA.length;
const N = 4;
const T = 3;
const TUPLES = [...tuples(M, N)];
const ROWS = TUPLES.length * N;
/** Outcome y is a sequence of 1 + y tokens (y = 0, 1, 2), padded to T. */
const LENGTH = (y: number) => 1 + y;

/** The rewards (and scores, answers) of each outcome. */
const BINARY = [0, 1, 0];
const CONTINUOUS = [0.2, 0.9, 0.5];
const SCORES = [1, 1, 2]; // a tie between outcomes 0 and 1
const BON_REWARDS = [0.3, 1, 0.6];

/** Objectives of a k-tuple of outcomes (pass@k, max@k, maj@k, best-of-N), written from the definitions. */
const maxOf = (r: number[]) => (t: number[]) => Math.max(...t.map((y) => r[y]!));
const bestOf = (t: number[]) => {
  const top = Math.max(...t.map((y) => SCORES[y]!));
  const picked = t.filter((y) => SCORES[y] === top);
  return picked.reduce((a, y) => a + BON_REWARDS[y]!, 0) / picked.length;
};
const majorityOf = (t: number[]) => {
  const counts = new Map<number, number>();
  for (const y of t) counts.set(y, (counts.get(y) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const tied = [...counts].filter(([, c]) => c === top).map(([y]) => y);
  return tied.reduce((a, y) => a + BINARY[y]!, 0) / tied.length;
};

/**
 * log π(y) of every sample's tokens as a custom op of θ (tfjs-core registers no gradients for its own
 * ops in Node, see docs/tfjs.md): token 0 is log softmax(θ)_y with gradient e_y − π, the next LENGTH(y) − 1
 * tokens are 0 (deterministic), padding is NaN (must be ignored by the loss).
 */
function sequenceLogProbs(theta: tf.Tensor, outcomes: number[]): tf.Tensor2D {
  const onehot = tf.cast(tf.oneHot(tf.tensor1d(outcomes, 'int32'), M), 'float32');
  const tail = tf.tensor2d(outcomes.map((y) => Array.from({ length: T - 1 }, (_, t) => (t + 1 < LENGTH(y) ? 0 : NaN))));
  const op = tf.customGrad((th: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const logPi = tf.logSoftmax(th as tf.Tensor);
    // Tensors made inside tf.grad's forward pass are freed before the backward pass: save what it needs.
    (save as tf.GradSaveFunc)([tf.exp(logPi), onehot]);
    const first = tf.sum(tf.mul(onehot, logPi), 1, true);
    return {
      value: tf.concat([first, tail], 1) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const d0 = tf.slice(dy, [0, 0], [-1, 1]);
        return tf.sub(tf.sum(tf.mul(d0, saved[1]!), 0), tf.mul(tf.sum(d0), saved[0]!));
      },
    };
  });
  return op(theta) as tf.Tensor2D;
}

describe.each(BACKENDS)('on the tfjs %s backend', (backend) => {
  let theta: tf.Variable;
  const pi = softmax(THETA);
  const outcomes = TUPLES.flat();
  const probs = TUPLES.map((t) => t.reduce((p, y) => p * pi[y]!, 1));

  beforeAll(async () => {
    await useBackend(backend);
    theta = tf.variable(tf.tensor1d(THETA));
  });
  afterAll(() => theta.dispose());

  /** ∇_θ of policyGradientLoss({ normalize: 'sum' }) with the given weights times each tuple's probability. */
  function lossGradient(weights: tf.Tensor2D): number[] {
    return tf.tidy(() => {
      const mask = tf.tensor2d(outcomes.map((y) => Array.from({ length: T }, (_, t) => (t < LENGTH(y) ? 1 : 0))));
      const weighted = tf.mul(weights, tf.tensor2d(probs, [TUPLES.length, 1])) as tf.Tensor2D;
      const { grads } = tf.variableGrads(
        () => policyGradientLoss({ logProbs: sequenceLogProbs(theta, outcomes), weights: weighted, mask, normalize: 'sum' }),
        [theta],
      );
      return Array.from(grads[theta.name]!.dataSync());
    });
  }

  const check = (weights: () => tf.Tensor2D, k: number, f: (t: number[]) => number) => {
    const before = tf.memory().numTensors;
    const w = weights();
    const got = lossGradient(w);
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const exact = exactObjectiveGradient(THETA, k, f).map((g) => -g);
    expect(maxAbsDiff(got, exact)).toBeLessThanOrEqual(1e-5);
    // Not vacuous: the objective has a gradient.
    expect(Math.max(...exact.map(Math.abs))).toBeGreaterThan(1e-2);
  };

  const rewardsOf = (table: number[]) => tf.tensor2d(outcomes.map((y) => table[y]!), [TUPLES.length, N]);

  for (const k of [1, 2, 3]) {
    for (const baseline of ['none', 'loo', 'loo-1'] as const) {
      it(`tf.grad of policyGradientLoss with passAtKWeights(rewards, ${k}, { baseline: '${baseline}' }) averaged over all 4-tuples equals −∇ pass@${k}`, () => {
        const r = rewardsOf(BINARY);
        check(() => passAtKWeights(r, k, { baseline }), k, maxOf(BINARY));
        r.dispose();
      });
    }
    it(`tf.grad of policyGradientLoss with maxAtKWeights(rewards, ${k}) averaged over all 4-tuples equals −∇ max@${k}`, () => {
      const r = rewardsOf(CONTINUOUS);
      check(() => maxAtKWeights(r, k), k, maxOf(CONTINUOUS));
      r.dispose();
    });
    it(`tf.grad of policyGradientLoss with majorityVoteWeights(answers, rewards, ${k}) averaged over all 4-tuples equals −∇ maj@${k}`, () => {
      const r = rewardsOf(BINARY);
      check(() => majorityVoteWeights(outcomes, r, k), k, majorityOf);
      r.dispose();
    });
    it(`tf.grad of policyGradientLoss with bestOfNWeights(scores, rewards, ${k}) averaged over all 4-tuples equals −∇ BoN@${k} (tied scores)`, () => {
      const r = rewardsOf(BON_REWARDS);
      const v = rewardsOf(SCORES);
      check(() => bestOfNWeights(v, r, k), k, bestOf);
      tf.dispose([r, v]);
    });
  }
});
