/**
 * inference-aware-rl: estimators that optimise k-sample inference objectives (pass@k, max@k, majority
 * vote, best-of-N) directly — unbiased metrics, low-variance per-sample gradient weights, imitation
 * targets. See README.md and docs/.
 *
 * @packageDocumentation
 * @module inference-aware-rl
 */
export {
  InferenceAwareRLError,
  InvalidArgumentError,
  DomainError,
  NonFiniteError,
  ShapeError,
} from './errors.js';
export type { BatchOptions, WeightOutputOptions, MetricOutputOptions, MetricResult } from './groups.js';
export {
  passAtK,
  logFailAtK,
  passAtKWeights,
  chenPassAtKWeights,
  type PassAtKWeightsOptions,
  type ChenPassAtKOptions,
} from './estimators/pass-at-k.js';
export { maxAtK, maxAtKWeights, type MaxAtKOptions, type MaxAtKWeightsOptions } from './estimators/max-at-k.js';
export { BASELINES, type Baseline, type WeightScale, type KSampleWeightOptions } from './estimators/weights.js';
export { grpoWeights, rlooWeights, GRPO_PRESETS, type GrpoOptions, type RlooOptions } from './estimators/grpo.js';
export {
  registerBackend,
  setBackend,
  getBackend,
  listBackends,
  type BackendOptions,
} from './backends/registry.js';
export {
  estimators,
  estimatorNames,
  getEstimator,
  defineEstimator,
  type Answer,
  type EstimatorInputs,
  type EstimatorEntry,
  type DynamicEstimatorEntry,
  type EstimatorName,
  type EstimatorOptions,
  type InputName,
  type WeightForm,
} from './registry.js';

// --- majority vote (maj@k) ---
export {
  majorityAtK,
  majorityVoteWeights,
  majorityAnswer,
  TIE_POLICIES,
  type TiePolicy,
  type MajorityAtKOptions,
  type MajorityVoteWeightsOptions,
  type MajorityAnswerOptions,
  type MajorityAnswerResult,
} from './estimators/majority-vote.js';

// --- best-of-N with a verifier ---
export {
  bestOfNAtK,
  bestOfNWeights,
  bonRlBinaryWeights,
  bestOfNDistillationWeights,
  bestOfNDistribution,
  bestOfNKL,
  type BestOfNAtKOptions,
  type BestOfNWeightsOptions,
  type BonRlBaseline,
  type BonRlCoefficient,
  type BonRlBinaryOptions,
  type BestOfNSampling,
  type BestOfNDistillationOptions,
  type BestOfNDistributionOptions,
  type BestOfNKLOptions,
} from './estimators/best-of-n.js';

// --- best-of-N as Chow et al. define it: BoN-SFT and BoN-RL on the selected sample ---
export {
  bestOfNSftWeights,
  bonRlSelectedWeights,
  type BestOfNSftEstimator,
  type BestOfNSftBaseline,
  type BestOfNSftOptions,
  type BestOfNSftResult,
  type BonRlSelectedForm,
  type BonRlSelectedOptions,
} from './estimators/best-of-n-sft.js';
export type { BonSftRegistryOptions } from './registry.js';

// --- wasm backend loader ---
export {
  loadWasmBackend,
  WasmUnavailableError,
  type LoadWasmBackendOptions,
  type WasmBackend,
} from './backends/wasm/index.js';

// --- pass^k (all k tries succeed) ---
export {
  passHatK,
  logPassHatK,
  PASS_HAT_K_MAX_TERMS,
  passHatKWeights,
  passHatKOfRewards,
  type PassHatKWeightsOptions,
  type PassHatKOfRewardsOptions,
} from './estimators/pass-hat-k.js';

// --- order statistics (L-statistics of k samples) ---
export {
  orderStatisticAtK,
  orderStatisticWeights,
  orderStatisticAlpha,
  type OrderStatisticPreset,
  type OrderStatisticAlpha,
  type OrderStatisticAtKOptions,
  type OrderStatisticWeightsOptions,
} from './estimators/order-statistics.js';

// --- any k-sample objective f (exact or sampled) ---
export {
  kSampleAtK,
  kSampleWeights,
  K_SAMPLE_MAX_SUBSETS,
  K_SAMPLE_SAMPLES,
  type SubsetFunction,
  type KSampleSamplingOptions,
  type KSampleAtKOptions,
  type KSampleWeightsOptions,
  type KSampleMetric,
  type KSampleWeights,
} from './estimators/k-sample.js';
export { mulberry32 } from './prng.js';

// --- mixtures of objectives and k schedules ---
export {
  mixAdvantages,
  kSchedule,
  type AdvantageTerm,
  type MixAdvantagesOptions,
  type KPhase,
} from './estimators/mixtures.js';

// --- label-free majority rewards (TTRL) ---
export {
  majorityPseudoRewards,
  type PseudoVote,
  type MajorityPseudoRewardsOptions,
  type MajorityPseudoRewards,
} from './estimators/majority-pseudo-rewards.js';

// --- limits and the capacity error ---
export { CapacityError } from './errors.js';
export { ZERO_VARIANCE_RTOL } from './estimators/grpo.js';
export { MAX_PASS_AT_K_TERMS } from './estimators/pass-at-k.js';
export type { ProbabilitySumOptions } from './estimators/best-of-n.js';
export type { WasmArena } from './backends/wasm/backend.js';

// --- float32 outputs and the fused binary kernel ---
export { FLOAT32_MAX, type WeightArray } from './groups.js';
// --- deprecated names (same functions and types; per-sample weights are `*Weights`) ---
export { passAtKAdvantage, chenPassAtKAdvantage, type PassAtKAdvantageOptions } from './estimators/pass-at-k.js';
export { maxAtKAdvantage, type MaxAtKAdvantageOptions } from './estimators/max-at-k.js';
export { bestOfNAdvantage, bonRlBinaryAdvantage, type BestOfNAdvantageOptions } from './estimators/best-of-n.js';
export { majorityVoteAdvantage, type MajorityVoteAdvantageOptions } from './estimators/majority-vote.js';
export { passHatKAdvantage, type PassHatKAdvantageOptions } from './estimators/pass-hat-k.js';
export { orderStatisticAdvantage, type OrderStatisticAdvantageOptions } from './estimators/order-statistics.js';
export { kSampleAdvantage, type KSampleAdvantageOptions } from './estimators/k-sample.js';
export { grpoAdvantage, rlooAdvantage } from './estimators/grpo.js';
