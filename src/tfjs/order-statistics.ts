/**
 * TensorFlow.js adapters of the order-statistic family and pass^k: weights per row of a [B, n] rewards
 * tensor and one-call policy-gradient losses. Math: docs/estimators/order-statistics.md and
 * docs/estimators/pass-hat-k.md; tensors and normalisation: docs/tfjs.md.
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import {
  orderStatisticWeights as coreOrderStatisticWeights,
  type OrderStatisticWeightsOptions,
  type OrderStatisticAlpha,
} from '../estimators/order-statistics.js';
import { passHatKWeights as corePassHatKWeights, type PassHatKWeightsOptions } from '../estimators/pass-hat-k.js';
import { lossWith, split, type HelperLossOptions } from './helpers.js';
import { checkNoLayout, readRows, upload, WEIGHT_OPTION_KEYS, type TensorWeightOptions } from './weights.js';

/**
 * Order-statistic (L-statistic) gradient weights per row of a rewards tensor [B, n]: float32 [B, n], no
 * gradient. Same math and options as the core's `orderStatisticWeights`, each row one group.
 *
 * @example
 * ```ts
 * orderStatisticWeights(tf.tensor2d([[0.1, 0.7, 0.3, 0.9, 0.5]]), 2, 'max').arraySync();
 * // [[0, 0.11999999731779099, 0.020000001415610313, 0.19999998807907104, 0.05999999865889549]]
 * ```
 */
export function orderStatisticWeights(
  rewards: Tensor,
  k: number,
  alpha: OrderStatisticAlpha,
  opts?: TensorWeightOptions<OrderStatisticWeightsOptions>,
): Tensor2D {
  checkNoLayout(opts, 'orderStatisticWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('orderStatisticWeights', coreOrderStatisticWeights(values, k, alpha, { ...opts, groupSize: n }), rows, n);
}

/**
 * pass^k gradient weights per row of a 0/1 rewards tensor [B, n]: float32 [B, n], no gradient. Same
 * math and options as the core's `passHatKWeights`.
 *
 * @example
 * ```ts
 * passHatKWeights(tf.tensor2d([[1, 1, 1, 0]]), 2).arraySync(); // [[0, 0, 0, -0.5]]
 * ```
 */
export function passHatKWeights(rewards: Tensor, k: number, opts?: TensorWeightOptions<PassHatKWeightsOptions>): Tensor2D {
  checkNoLayout(opts, 'passHatKWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('passHatKWeights', corePassHatKWeights(values, k, { ...opts, groupSize: n }), rows, n);
}

/**
 * The order-statistic policy-gradient loss in one call: `policyGradientLoss` with
 * `orderStatisticWeights(rewards, k, alpha)`. With `normalize: 'group'` (the default) its gradient is
 * minus the mean over prompts of an unbiased estimate of ∇ E[Σ_j α_j X_(j:k)].
 *
 * @param logProbs - per-token log-probs [B·n, T] (rows grouped by prompt).
 * @param rewards - finite rewards [B, n].
 * @param k - 1 ≤ k ≤ n.
 * @param alpha - rank weights or a preset (`'max'`, `'cvar-0.25'`, …).
 * @example
 * ```ts
 * // Risk-averse training: the mean of the worst quarter of 8 samples.
 * const loss = orderStatisticLoss(logProbs, rewards, 8, 'cvar-0.25', { mask });
 * ```
 */
export function orderStatisticLoss(
  logProbs: Tensor,
  rewards: Tensor,
  k: number,
  alpha: OrderStatisticAlpha,
  opts?: HelperLossOptions & TensorWeightOptions<OrderStatisticWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'orderStatisticLoss', WEIGHT_OPTION_KEYS.orderStatisticWeights);
  return lossWith(logProbs, orderStatisticWeights(rewards, k, alpha, estimator), loss);
}

/**
 * The pass^k policy-gradient loss in one call: `policyGradientLoss` with `passHatKWeights(rewards, k)`.
 *
 * @example
 * ```ts
 * const loss = passHatKLoss(logProbs, rewards, 4, { mask }); // rewards 0/1 [B, n]
 * ```
 */
export function passHatKLoss(
  logProbs: Tensor,
  rewards: Tensor,
  k: number,
  opts?: HelperLossOptions & TensorWeightOptions<PassHatKWeightsOptions>,
): Scalar {
  const { loss, estimator } = split(opts, 'passHatKLoss', WEIGHT_OPTION_KEYS.passHatKWeights);
  return lossWith(logProbs, passHatKWeights(rewards, k, estimator), loss);
}
