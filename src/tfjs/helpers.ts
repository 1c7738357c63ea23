/**
 * One-call losses for the common case: rewards in, the policy-gradient loss with the estimator's
 * weights out. Each call reads the rewards to the host once (docs/tfjs.md, "Where data leaves the
 * device") and frees the weights tensor it made.
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { BestOfNWeightsOptions, BestOfNDistillationOptions } from '../estimators/best-of-n.js';
import type { MajorityVoteWeightsOptions } from '../estimators/majority-vote.js';
import type { MaxAtKWeightsOptions } from '../estimators/max-at-k.js';
import type { PassAtKWeightsOptions } from '../estimators/pass-at-k.js';
import type { Answer, EstimatorName, EstimatorOptions } from '../registry.js';
import { checkOptions, isPlainObject } from '../validate.js';
import { imitationLoss, policyGradientLoss, type LossNormalization } from './losses.js';
import {
  bestOfNDistillationWeights,
  bestOfNWeights,
  estimatorWeights,
  majorityVoteWeights,
  maxAtKWeights,
  passAtKWeights,
  WEIGHT_OPTION_KEYS,
  estimatorOptionKeys,
  type TensorEstimatorInputs,
  type TensorWeightOptions,
} from './weights.js';

/** The loss options of a one-call helper (everything of `policyGradientLoss` but the tensors it makes). */
export interface HelperLossOptions {
  /**
   * 0/1 padding mask [R, T].
   * @defaultValue all ones
   */
  mask?: Tensor;
  /**
   * See `LossNormalization`.
   * @defaultValue `'group'`
   */
  normalize?: LossNormalization;
  /**
   * The constant of `normalize: 'constant'`.
   * @defaultValue T
   */
  maxTokens?: number;
  /**
   * Check tensor values on the device.
   * @defaultValue `true`
   */
  check?: boolean;
}

const HELPER_LOSS_KEYS = ['mask', 'normalize', 'maxTokens', 'check'] as const;

/**
 * Splits a helper's options into the loss's and the estimator's. With `estimatorKeys` (every helper
 * but estimatorLoss, whose keys depend on the estimator), an unknown key is reported against the
 * helper itself, listing the helper's own options (loss and estimator).
 */
export function split(
  opts: unknown,
  fn: string,
  estimatorKeys?: readonly string[],
): { loss: HelperLossOptions; estimator: Record<string, unknown> } {
  if (opts === undefined) return { loss: {}, estimator: {} };
  if (estimatorKeys !== undefined) checkOptions(opts, fn, [...HELPER_LOSS_KEYS, ...estimatorKeys]);
  else if (!isPlainObject(opts)) checkOptions(opts, fn, []);
  const loss: Record<string, unknown> = {};
  const estimator: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts as Record<string, unknown>)) {
    if ((HELPER_LOSS_KEYS as readonly string[]).includes(key)) loss[key] = value;
    else estimator[key] = value;
  }
  return { loss: loss as HelperLossOptions, estimator };
}

/** The policy-gradient (or imitation) loss with `weights`, which it then disposes. */
export function lossWith(logProbs: Tensor, weights: Tensor2D, loss: HelperLossOptions, imitation = false): Scalar {
  try {
    return imitation ? imitationLoss({ ...loss, logProbs, weights }) : policyGradientLoss({ ...loss, logProbs, weights });
  } finally {
    // The loss keeps its own copy of what its gradient needs.
    weights.dispose();
  }
}

/**
 * The pass@k policy-gradient loss in one call: `policyGradientLoss` with `passAtKWeights(rewards, k)`.
 * Its gradient (with `normalize: 'group'`, the default) is minus the mean over prompts of an unbiased
 * estimate of ∇ pass@k.
 *
 * @param logProbs - per-token log-probs [B·n, T] (rows grouped by prompt).
 * @param rewards - 0/1 rewards [B, n].
 * @param k - the inference budget, 1 ≤ k ≤ n.
 * @param opts - loss options (`mask`, `normalize`, `maxTokens`, `check`) and estimator options
 *   (`baseline`, default `'loo-1'`; `scale`, default `'sum'`; `backend`).
 * @example
 * ```ts
 * // logProbs and mask as in policyGradientLoss's example (B = 2, n = 2).
 * passAtKLoss(logProbs, tf.tensor2d([[1, 0], [0, 0]]), 1, { mask, baseline: 'loo' }).dataSync(); // Float32Array [0.75]
 * // In training: tf.variableGrads(() => passAtKLoss(logProbsOf(model), rewards, 4, { mask }))
 * ```
 */
export function passAtKLoss(
  logProbs: Tensor,
  rewards: Tensor,
  k: number,
  opts?: HelperLossOptions & TensorWeightOptions<PassAtKWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'passAtKLoss', WEIGHT_OPTION_KEYS.passAtKWeights);
  return lossWith(logProbs, passAtKWeights(rewards, k, estimator), loss);
}

/**
 * The max@k policy-gradient loss in one call: `policyGradientLoss` with `maxAtKWeights(rewards, k)`.
 *
 * @example
 * ```ts
 * maxAtKLoss(logProbs, tf.tensor2d([[0.2, 0.9], [0.5, 0.5]]), 2, { mask, baseline: 'none' }).dataSync();
 * // Float32Array [2.4749999]
 * ```
 */
export function maxAtKLoss(
  logProbs: Tensor,
  rewards: Tensor,
  k: number,
  opts?: HelperLossOptions & TensorWeightOptions<MaxAtKWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'maxAtKLoss', WEIGHT_OPTION_KEYS.maxAtKWeights);
  return lossWith(logProbs, maxAtKWeights(rewards, k, estimator), loss);
}

/**
 * The majority-vote (maj@k) policy-gradient loss in one call: `policyGradientLoss` with
 * `majorityVoteWeights(answers, rewards, k)`. `answers` is a flat array of B·n answers, row-major.
 *
 * @example
 * ```ts
 * majorityVoteLoss(logProbs, ['a', 'b', 'a', 'a'], tf.tensor2d([[1, 0], [1, 1]]), 1, { mask, baseline: 'loo' }).dataSync();
 * // Float32Array [0.75]
 * ```
 */
export function majorityVoteLoss(
  logProbs: Tensor,
  answers: ArrayLike<Answer>,
  rewards: Tensor,
  k: number,
  opts?: HelperLossOptions & TensorWeightOptions<MajorityVoteWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'majorityVoteLoss', WEIGHT_OPTION_KEYS.majorityVoteWeights);
  return lossWith(logProbs, majorityVoteWeights(answers, rewards, k, estimator), loss);
}

/**
 * The best-of-k (verifier) policy-gradient loss in one call: `policyGradientLoss` with
 * `bestOfNWeights(scores, rewards, k)`.
 *
 * @example
 * ```ts
 * const scores = tf.tensor2d([[0.9, 0.2], [0.1, 0.4]]);
 * bestOfNLoss(logProbs, scores, tf.tensor2d([[1, 0], [0, 1]]), 2, { mask, baseline: 'none' }).dataSync();
 * // Float32Array [3.3499999]
 * ```
 */
export function bestOfNLoss(
  logProbs: Tensor,
  scores: Tensor,
  rewards: Tensor,
  k: number,
  opts?: HelperLossOptions & TensorWeightOptions<BestOfNWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'bestOfNLoss', WEIGHT_OPTION_KEYS.bestOfNWeights);
  return lossWith(logProbs, bestOfNWeights(scores, rewards, k, estimator), loss);
}

/**
 * BOND-style distillation (Sessa et al., arXiv 2407.14622) in one call: `imitationLoss` with `bestOfNDistillationWeights(scores, N)`, i.e. the mean over
 * prompts (with the default `'group'` normalisation) of −Σ_i P(BoN-N picks i) log π(y_i).
 *
 * @example
 * ```ts
 * bestOfNDistillationLoss(logProbs, tf.tensor2d([[0.9, 0.2], [0.1, 0.4]]), 2, { mask }).dataSync();
 * // Float32Array [2.0999999]
 * ```
 */
export function bestOfNDistillationLoss(
  logProbs: Tensor,
  scores: Tensor,
  N: number,
  opts?: HelperLossOptions & TensorWeightOptions<BestOfNDistillationOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'bestOfNDistillationLoss', WEIGHT_OPTION_KEYS.bestOfNDistillationWeights);
  return lossWith(logProbs, bestOfNDistillationWeights(scores, N, estimator), loss, true);
}

/**
 * The policy-gradient loss of any registered estimator, by name (for config-driven trainers).
 *
 * @example
 * ```ts
 * estimatorLoss('pass@k', logProbs, { rewards: tf.tensor2d([[1, 0], [0, 0]]), k: 1 }, { mask, baseline: 'loo' }).dataSync();
 * // Float32Array [0.75]
 * ```
 */
export function estimatorLoss<N extends EstimatorName>(
  name: N,
  logProbs: Tensor,
  inputs: TensorEstimatorInputs,
  opts?: HelperLossOptions & TensorWeightOptions<EstimatorOptions<N>>,
): Scalar;
export function estimatorLoss(
  name: string,
  logProbs: Tensor,
  inputs: TensorEstimatorInputs,
  opts?: HelperLossOptions & Record<string, unknown>,
): Scalar;
export function estimatorLoss(name: string, logProbs: Tensor, inputs: TensorEstimatorInputs, opts?: object): Scalar {
  const { loss, estimator } = split(opts, `estimatorLoss('${String(name)}')`, estimatorOptionKeys(name));
  return lossWith(logProbs, estimatorWeights(name, inputs, estimator), loss);
}
