/**
 * The fine-tuning objectives: each is one call into the library that turns a group's rewards (and
 * answers or verifier scores) into per-sample weights [B, n]. Every k-sample estimator is asked for
 * `scale: 'mean'` (the sum-form weights × n), so all rows are in the per-sample units of RLOO's
 * advantages and one KL coefficient means the same trade-off for each.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mixAdvantages, passAtKAdvantage } from '../../src/index.js';
import { bestOfNWeights, grpoWeights, majorityVoteWeights, passAtKWeights, rlooWeights } from '../../src/tfjs/index.js';

/** What a weight function sees of one step's samples (B groups of n, row-major). */
export interface GroupData {
  groups: number;
  n: number;
  rewards: Float32Array;
  scores: Float32Array;
  answers: string[];
}

export type ObjectiveId = 'grpo' | 'rloo' | 'passk' | 'maj' | 'bon' | 'mix';

export interface Objective {
  id: ObjectiveId;
  label: string;
  /** Per-sample weights [B, n] (the caller disposes). */
  weights: (d: GroupData, k: number) => tf.Tensor2D;
}

/** Weight of the pass@k term in the pass@1 + pass@k mixture. */
export const MIX_PASS_K = 0.5;

const rows = (d: GroupData, values: Float32Array): tf.Tensor2D => tf.tensor2d(values, [d.groups, d.n]);

function withRows<T>(d: GroupData, values: Float32Array, f: (t: tf.Tensor2D) => T): T {
  const t = rows(d, values);
  try {
    return f(t);
  } finally {
    t.dispose();
  }
}

export const OBJECTIVES: readonly Objective[] = [
  { id: 'grpo', label: 'mean reward (GRPO)', weights: (d) => withRows(d, d.rewards, (r) => grpoWeights(r)) },
  { id: 'rloo', label: 'mean reward (RLOO)', weights: (d) => withRows(d, d.rewards, (r) => rlooWeights(r)) },
  {
    id: 'passk',
    label: 'pass@k (loo-1)',
    weights: (d, k) => withRows(d, d.rewards, (r) => passAtKWeights(r, k, { baseline: 'loo-1', scale: 'mean' })),
  },
  {
    id: 'maj',
    label: 'maj@k (loo-1)',
    weights: (d, k) => withRows(d, d.rewards, (r) => majorityVoteWeights(d.answers, r, k, { baseline: 'loo-1', scale: 'mean' })),
  },
  {
    id: 'bon',
    label: 'BoN@k (loo-1), biased verifier',
    weights: (d, k) =>
      withRows(d, d.rewards, (r) => withRows(d, d.scores, (s) => bestOfNWeights(s, r, k, { baseline: 'loo-1', scale: 'mean' }))),
  },
  {
    id: 'mix',
    label: `pass@1 + pass@k mixture`,
    weights: (d, k) => {
      // The objective (1 − λ)·pass@1 + λ·pass@k is linear in its terms, so its weights are the same
      // combination of the two terms' weights (mixAdvantages checks that both use the same scale).
      const opts = { groupSize: d.n, baseline: 'loo-1', scale: 'mean' } as const;
      const mixed = mixAdvantages([
        { weight: 1 - MIX_PASS_K, advantages: passAtKAdvantage(d.rewards, 1, opts), scale: 'mean' },
        { weight: MIX_PASS_K, advantages: passAtKAdvantage(d.rewards, k, opts), scale: 'mean' },
      ]);
      return tf.tensor2d(Float32Array.from(mixed), [d.groups, d.n]);
    },
  },
];
