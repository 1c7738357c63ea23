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
  passAtKAdvantage,
  chenPassAtKAdvantage,
  type PassAtKAdvantageOptions,
  type ChenPassAtKOptions,
} from './estimators/pass-at-k.js';
export { maxAtK, maxAtKAdvantage, type MaxAtKOptions, type MaxAtKAdvantageOptions } from './estimators/max-at-k.js';
export {
  grpoAdvantage,
  rlooAdvantage,
  GRPO_PRESETS,
  BASELINES,
  type Baseline,
  type WeightScale,
  type KSampleWeightOptions,
  type GrpoOptions,
  type RlooOptions,
} from './estimators/baselines.js';
export {
  registerBackend,
  setBackend,
  getBackend,
  listBackends,
  type BackendOptions,
} from './backends/registry.js';
export type { Backend, KernelTable, KernelName, Values } from './backends/types.js';
export { BaselineCode } from './backends/types.js';
export {
  BinaryCounts,
  BinaryScatter,
  SegmentedSort,
  SortedMaxWeights,
  MaxAtKWeights,
  SortedMaxMetric,
  GatherBySortedValue,
  GroupMoments,
  AffineScatter,
} from './backends/types.js';
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
} from './registry.js';

// --- majority vote (issue 4): exports go here ---
export {
  majorityAtK,
  majorityVoteAdvantage,
  majorityAnswer,
  TIE_POLICIES,
  type TiePolicy,
  type MajorityAtKOptions,
  type MajorityVoteAdvantageOptions,
  type MajorityAnswerOptions,
  type MajorityAnswerResult,
} from './estimators/majority-vote.js';

// --- best-of-N (issue 5): exports go here ---
export {
  bestOfNAtK,
  bestOfNAdvantage,
  bonRlBinaryAdvantage,
  bestOfNImitationWeights,
  bestOfNDistribution,
  bestOfNKL,
  type BestOfNAtKOptions,
  type BestOfNAdvantageOptions,
  type BonRlBaseline,
  type BonRlCoefficient,
  type BonRlBinaryOptions,
  type BestOfNSampling,
  type BestOfNImitationOptions,
  type BestOfNDistributionOptions,
  type BestOfNKLOptions,
} from './estimators/best-of-n.js';
export { SegmentedArgsort, SortedBestOfNWeights, SortedBestOfNMetric, SortedBestOfNSelection } from './backends/types.js';

// --- wasm backend loader (issue 6): exports go here ---
export {
  loadWasmBackend,
  WasmUnavailableError,
  type LoadWasmBackendOptions,
  type WasmBackend,
} from './backends/wasm/index.js';

// --- pass^k (all k tries succeed): exports go here ---
export { passHatK, logPassHatK, PASS_HAT_K_MAX_TERMS } from './estimators/pass-hat-k.js';
