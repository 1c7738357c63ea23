/**
 * The tfjs helpers report a bad option against themselves: an unknown key names the helper the user
 * called and lists that helper's own options (loss and estimator), and opts must be a plain object.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InferenceAwareRLError } from '../../src/errors.js';
import {
  estimatorLoss,
  estimatorWeights,
  bestOfNDistillationLoss,
  bestOfNLoss,
  bestOfNWeights,
  grpoWeights,
  majorityVoteLoss,
  maxAtKLoss,
  passAtKLoss,
  passAtKWeights,
  orderStatisticLoss,
  orderStatisticWeights,
  passHatKLoss,
  passHatKWeights,
  bestOfNSftLoss,
} from '../../src/tfjs/index.js';
import { useBackend } from './setup.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function thrown(fn: () => unknown): InferenceAwareRLError {
  let error: unknown;
  try {
    tf.tidy(() => void fn());
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InferenceAwareRLError);
  return error as InferenceAwareRLError;
}

describe('tfjs one-call helpers: option errors name the helper and its options', () => {
  const lp = (): tf.Tensor2D => tf.tensor2d([[-1, -2], [-0.5, -1], [-1, -1], [-2, -1]]);
  const r = (): tf.Tensor2D => tf.tensor2d([[1, 0], [0, 1]]);
  const s = (): tf.Tensor2D => tf.tensor2d([[0.9, 0.2], [0.1, 0.4]]);
  const cases: [string, (o: unknown) => unknown, string][] = [
    ['passAtKLoss', (o) => passAtKLoss(lp(), r(), 1, o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend'],
    ['maxAtKLoss', (o) => maxAtKLoss(lp(), r(), 1, o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend'],
    ['majorityVoteLoss', (o) => majorityVoteLoss(lp(), ['a', 'b', 'a', 'a'], r(), 1, o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend, ties'],
    ['bestOfNLoss', (o) => bestOfNLoss(lp(), s(), r(), 1, o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend'],
    ['bestOfNDistillationLoss', (o) => bestOfNDistillationLoss(lp(), s(), 2, o as never), 'mask, normalize, maxTokens, check, sampling, backend'],
    ['orderStatisticLoss', (o) => orderStatisticLoss(lp(), s(), 1, 'max', o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend, alphaLoo1'],
    ['passHatKLoss', (o) => passHatKLoss(lp(), r(), 1, o as never), 'mask, normalize, maxTokens, check, baseline, scale, backend'],
    [
      'bestOfNSftLoss',
      (o) => bestOfNSftLoss(tf.tensor2d([[-1, -2], [-0.5, -1]]), lp(), s(), tf.tensor1d([0.5, 0.3]), 2, o as never),
      'mask, expertMask, normalize, check, estimator, baseline',
    ],
  ];
  it('an unknown key is reported against the helper with the helper’s option list', () => {
    for (const [name, call, list] of cases) {
      const e = thrown(() => call({ baselne: 'loo' }));
      expect(e.argument).toBe('opts.baselne');
      expect(e.message).toBe(`opts.baselne is not an option of ${name} (options: ${list})`);
    }
  });

  it('opts that are not a plain object are refused, by the helpers and the weight functions', () => {
    for (const [name, call] of cases) {
      for (const bad of [new Map([['baseline', 'loo']]), 'loo', [1]]) {
        const e = thrown(() => call(bad));
        expect(e.argument, name).toBe('opts');
      }
    }
    expect(thrown(() => passAtKWeights(r(), 1, new Map() as never)).argument).toBe('opts');
    expect(thrown(() => grpoWeights(r(), { bogus: 1 } as never)).message).toMatch(/^opts\.bogus is not an option of grpoWeights \(options: backend, normalize/);
    expect(thrown(() => bestOfNWeights(s(), r(), 1, { sampling: 'x' } as never)).message).toBe(
      'opts.sampling is not an option of bestOfNWeights (options: baseline, scale, backend)',
    );
  });

  it('estimatorLoss / estimatorWeights report an unknown key against the named estimator with its tensor options', () => {
    expect(thrown(() => estimatorLoss('pass@k', lp(), { rewards: r(), k: 1 }, { baselne: 'loo' } as never)).message).toBe(
      "opts.baselne is not an option of estimatorLoss('pass@k') (options: mask, normalize, maxTokens, check, baseline, scale, backend)",
    );
    expect(thrown(() => estimatorWeights('grpo', { rewards: r() }, { ddof2: 1 } as never)).message).toBe(
      "opts.ddof2 is not an option of estimatorWeights('grpo') (options: backend, normalize, ddof, eps, zeroVarianceRtol, oneSampleGroups, scale)",
    );
    expect(thrown(() => estimatorWeights('nope', { rewards: r() })).argument).toBe('name');
    for (const [name, list] of [
      ['pass^k', 'baseline, scale, backend'],
      ['order-stat', 'baseline, scale, backend, alphaLoo1'],
      ['k-sample', 'baseline, scale, backend, maxSubsets, samples, seed'],
      ['bon-sft', 'estimator, baseline, backend'],
      ['bon-rl-selected', 'failureProbs, failures, form, scale, backend'],
    ] as const) {
      expect(thrown(() => estimatorWeights(name, { rewards: r(), k: 1 }, { baselne: 'loo' } as never)).message).toBe(
        `opts.baselne is not an option of estimatorWeights('${name}') (options: ${list})`,
      );
    }
    expect(thrown(() => orderStatisticWeights(r(), 1, 'max', new Map() as never)).argument).toBe('opts');
    expect(thrown(() => passHatKWeights(r(), 1, { alphaLoo1: [1] } as never)).message).toBe(
      'opts.alphaLoo1 is not an option of passHatKWeights (options: baseline, scale, backend)',
    );
  });
});
