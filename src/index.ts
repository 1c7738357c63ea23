/**
 * inference-aware-rl: estimators that optimise k-sample inference objectives (pass@k, max@k, majority
 * vote, best-of-N) directly — unbiased metrics, low-variance per-sample gradient weights, imitation
 * targets. See README.md and docs/.
 *
 * @packageDocumentation
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
export type { Backend, KernelTable, KernelName } from './backends/types.js';
export {
  BinaryCounts,
  BinaryScatter,
  SegmentedSort,
  SortedMaxWeights,
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

// --- best-of-N (issue 5): exports go here ---

// --- wasm backend loader (issue 6): exports go here ---
