/**
 * `inference-aware-rl/tfjs`: the k-sample objectives as TensorFlow.js losses. Weights from [B, n]
 * reward tensors, policy-gradient / PPO-clip / imitation losses on per-token log-probs [B·n, T] with a
 * padding mask, and one-call helpers. Needs `@tensorflow/tfjs-core` ≥ 4 (an optional peer dependency;
 * the package root never imports it). Guide: docs/tfjs.md.
 *
 * @packageDocumentation
 * @module inference-aware-rl/tfjs
 */
export {
  passAtKWeights,
  maxAtKWeights,
  grpoWeights,
  rlooWeights,
  majorityVoteWeights,
  bestOfNWeights,
  bestOfNDistillationWeights,
  bestOfNDistillationTargets,
  estimatorWeights,
  type TensorEstimatorInputs,
  type TensorWeightOptions,
} from './weights.js';
export {
  policyGradientLoss,
  ppoClipLoss,
  imitationLoss,
  LOSS_NORMALIZATIONS,
  type LossNormalization,
  type LossInputs,
  type PolicyGradientLossInputs,
  type PpoClipLossInputs,
  type ImitationLossInputs,
} from './losses.js';
export {
  passAtKLoss,
  maxAtKLoss,
  majorityVoteLoss,
  bestOfNLoss,
  bestOfNDistillationLoss,
  estimatorLoss,
  type HelperLossOptions,
} from './helpers.js';
// BoN-SFT (Chow et al.): imitation of expert demonstrations under the best-of-N policy.
export { bestOfNSftLoss, type BestOfNSftLossOptions } from './best-of-n-sft.js';
// The errors are re-exported so that `instanceof` checks work from this entry alone; they are the same
// classes as the root's (one shared chunk in the build).
export { InferenceAwareRLError, InvalidArgumentError, DomainError, NonFiniteError, ShapeError } from '../errors.js';
// Order statistics and pass^k.
export { orderStatisticWeights, passHatKWeights, orderStatisticLoss, passHatKLoss } from './order-statistics.js';
