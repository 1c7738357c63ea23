/**
 * A typed name → estimator table, so a trainer can pick its estimator from a config string:
 *
 * ```ts
 * const est = getEstimator(config.estimator);           // e.g. 'pass@k'
 * const w = est.weights({ rewards, k: 8 }, { baseline: 'loo-1', groupSize: 16 });
 * ```
 *
 * With a literal name the options are typed per estimator; with a string from a config file they are
 * checked at run time (unknown names, options and option values throw typed errors).
 */
import { DomainError, InvalidArgumentError, NonFiniteError, show } from './errors.js';
import { checkArrayLike } from './validate.js';
import type { WeightArray } from './groups.js';
import { grpoWeights, rlooWeights, type GrpoOptions, type RlooOptions } from './estimators/grpo.js';
import { maxAtK, maxAtKWeights, type MaxAtKWeightsOptions, type MaxAtKOptions } from './estimators/max-at-k.js';
import {
  majorityAtK,
  majorityVoteWeights,
  type MajorityAtKOptions,
  type MajorityVoteWeightsOptions,
} from './estimators/majority-vote.js';
import {
  bestOfNWeights,
  bestOfNAtK,
  bonRlBinaryWeights,
  type BestOfNWeightsOptions,
  type BestOfNAtKOptions,
  type BonRlBinaryOptions,
} from './estimators/best-of-n.js';
import {
  bestOfNSftWeights,
  bonRlSelectedWeights,
  type BestOfNSftOptions,
  type BonRlSelectedOptions,
} from './estimators/best-of-n-sft.js';
import {
  chenPassAtKWeights,
  passAtKWeights,
  type ChenPassAtKOptions,
  type PassAtKWeightsOptions,
} from './estimators/pass-at-k.js';
import {
  passHatKWeights,
  passHatKOfRewards,
  type PassHatKWeightsOptions,
  type PassHatKOfRewardsOptions,
} from './estimators/pass-hat-k.js';
import {
  orderStatisticWeights,
  orderStatisticAtK,
  type OrderStatisticWeightsOptions,
  type OrderStatisticAlpha,
  type OrderStatisticAtKOptions,
} from './estimators/order-statistics.js';
import {
  kSampleWeights,
  kSampleAtK,
  type KSampleWeightsOptions,
  type KSampleAtKOptions,
  type SubsetFunction,
} from './estimators/k-sample.js';

import type { Answer } from './answers.js';
export type { Answer } from './answers.js';

/** What an estimator reads. Which fields are required is listed in its `inputs`. */
export interface EstimatorInputs {
  /** One reward per sample (0/1 for binary estimators). */
  rewards: ArrayLike<number>;
  /** The inference budget k (or N for best-of-N); required when the estimator's `usesK` is true. */
  k?: number;
  /** One answer per sample, for majority voting. */
  answers?: ArrayLike<Answer>;
  /** One verifier score per sample, for best-of-N. */
  scores?: ArrayLike<number>;
  /** The verifier score of each group's expert demonstration (one per group), for BoN-SFT. */
  expertScores?: ArrayLike<number>;
  /** Rank weights or a preset, for the order-statistic estimator (`'order-stat'`). */
  alpha?: OrderStatisticAlpha;
  /** The objective of a subset of sample indices, for the generic estimator (`'k-sample'`). */
  f?: SubsetFunction;
}

/** The two scales of per-sample weights; see {@link EstimatorEntry.form}. */
export type WeightForm = 'sum' | 'mean';

/** The input fields an estimator may require. */
export type InputName = 'rewards' | 'k' | 'answers' | 'scores' | 'expertScores' | 'alpha' | 'f';

/** One registry entry. `O` is the options type of its weight function. */
export interface EstimatorEntry<O, M = never> {
  /** The registry key. */
  readonly name: string;
  /** One line: what it optimises. */
  readonly description: string;
  /** Where the math comes from. */
  readonly reference: string;
  /** The inputs it needs. */
  readonly inputs: readonly InputName[];
  /**
   * The scale `weights` returns when `opts.scale` is not given: `'sum'` (Σ_i w_i ∇log π(y_i) is the
   * gradient estimate) or `'mean'` (the paper's advantages, for a loss averaged over the group: n times
   * the sum form). Every built-in entry states it; `opts.scale` selects the other form where the entry
   * takes it (all but `'bon-sft'`, whose expert weight 1 fixes the scale).
   */
  readonly form?: WeightForm;
  /** Per-sample gradient weights (advantages), in input order: a new Float64Array, or `opts.out` (Float64Array or Float32Array). */
  weights(inputs: EstimatorInputs, opts?: O): WeightArray;
  /** The unbiased metric of the objective, when it has one. */
  readonly metric?: (inputs: EstimatorInputs, opts?: M) => number | Float64Array;
}

function need<K extends InputName>(name: string, inputs: EstimatorInputs, field: K): NonNullable<EstimatorInputs[K]> {
  if (inputs === null || typeof inputs !== 'object') {
    throw new InvalidArgumentError('inputs', `inputs of estimator '${name}' must be an object (got ${show(inputs)})`);
  }
  const v = inputs[field];
  if (v === undefined || v === null) {
    throw new InvalidArgumentError(`inputs.${field}`, `estimator '${name}' needs inputs.${field} (got ${show(v)})`);
  }
  return v as NonNullable<EstimatorInputs[K]>;
}

/**
 * The metric of a binary estimator (pass@k, chen-pass@k, bon-rl-binary): max@k of 0/1 rewards, which
 * is pass@k; a reward that is not 0 or 1 is refused as it is by the weights.
 */
function binaryMetric(name: string, inputs: EstimatorInputs, opts: MaxAtKOptions | undefined): number | Float64Array {
  const rewards = checkArrayLike(need(name, inputs, 'rewards'), 'rewards');
  for (let i = 0; i < rewards.length; i++) {
    const v = rewards[i];
    if (v === 0 || v === 1) continue;
    if (typeof v !== 'number') throw new InvalidArgumentError('rewards', `rewards must contain numbers (got ${show(v)} at index ${i})`);
    if (!Number.isFinite(v)) throw new NonFiniteError('rewards', `rewards must be finite (got ${show(v)} at index ${i})`);
    throw new DomainError('rewards', `rewards must be 0 or 1 for the metric of '${name}' (got ${show(v)} at index ${i})`);
  }
  return maxAtK(rewards as ArrayLike<number>, need(name, inputs, 'k'), opts);
}

// The annotation lets bundlers drop the whole table when an app imports a single estimator.
/**
 * Helper for declaring entries with their option types inferred; returns `entry` unchanged.
 *
 * @example
 * ```ts
 * const entry = defineEstimator<PassAtKWeightsOptions>({
 *   name: 'pass@k',
 *   description: 'pass@k of binary rewards',
 *   reference: 'PKPO (arXiv 2505.15201)',
 *   inputs: ['rewards', 'k'],
 *   weights: (i, o) => passAtKWeights(i.rewards, i.k ?? 1, o),
 * });
 * entry.weights({ rewards: [1, 0, 0, 1], k: 2 }); // Float64Array [0.3333…, 0, 0, 0.3333…]
 * ```
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineEstimator<O, M = never>(entry: EstimatorEntry<O, M>): EstimatorEntry<O, M> {
  return entry;
}

/** Every estimator by name. */
export const estimators = {
  'pass@k': defineEstimator<PassAtKWeightsOptions, MaxAtKOptions>({
    name: 'pass@k',
    description: 'pass@k of binary rewards: probability that at least one of k samples is correct',
    reference: 'Walder & Karkhanis, PKPO (arXiv 2505.15201); Tang et al. 2025 (arXiv 2503.19595)',
    form: 'sum',
    inputs: ['rewards', 'k'],
    weights: (i, o) => passAtKWeights(need('pass@k', i, 'rewards'), need('pass@k', i, 'k'), o),
    metric: (i, o) => binaryMetric('pass@k', i, o),
  }),
  'max@k': defineEstimator<MaxAtKWeightsOptions, MaxAtKOptions>({
    name: 'max@k',
    description: 'max@k of continuous rewards: expected best reward among k samples',
    reference: 'Walder & Karkhanis, PKPO (arXiv 2505.15201)',
    form: 'sum',
    inputs: ['rewards', 'k'],
    weights: (i, o) => maxAtKWeights(need('max@k', i, 'rewards'), need('max@k', i, 'k'), o),
    metric: (i, o) => maxAtK(need('max@k', i, 'rewards'), need('max@k', i, 'k'), o),
  }),
  'chen-pass@k': defineEstimator<ChenPassAtKOptions, MaxAtKOptions>({
    name: 'chen-pass@k',
    description: "Chen et al.'s analytic pass@k advantage (std-normalised, biased; for comparison)",
    reference: 'Chen et al., pass@k training (arXiv 2508.10751)',
    form: 'mean',
    inputs: ['rewards', 'k'],
    weights: (i, o) => chenPassAtKWeights(need('chen-pass@k', i, 'rewards'), need('chen-pass@k', i, 'k'), o),
    metric: (i, o) => binaryMetric('chen-pass@k', i, o),
  }),
  grpo: defineEstimator<GrpoOptions>({
    name: 'grpo',
    description: 'GRPO group-normalised mean-reward advantage (k = 1 objective)',
    reference: 'Shao et al., DeepSeekMath (arXiv 2402.03300)',
    form: 'mean',
    inputs: ['rewards'],
    weights: (i, o) => grpoWeights(need('grpo', i, 'rewards'), o),
  }),
  rloo: defineEstimator<RlooOptions>({
    name: 'rloo',
    description: 'REINFORCE leave-one-out mean-reward advantage (k = 1 objective)',
    reference: 'Ahmadian et al., Back to Basics (arXiv 2402.14740)',
    form: 'mean',
    inputs: ['rewards'],
    weights: (i, o) => rlooWeights(need('rloo', i, 'rewards'), o),
  }),
  'bon@k': defineEstimator<BestOfNWeightsOptions, BestOfNAtKOptions>({
    name: 'bon@k',
    description: 'best-of-k with a verifier: true reward of the highest-scoring of k samples (ties split)',
    reference: 'Chow et al., inference-aware fine-tuning for BoN (arXiv 2412.15287)',
    form: 'sum',
    inputs: ['scores', 'rewards', 'k'],
    weights: (i, o) =>
      bestOfNWeights(need('bon@k', i, 'scores'), need('bon@k', i, 'rewards'), need('bon@k', i, 'k'), o),
    metric: (i, o) => bestOfNAtK(need('bon@k', i, 'scores'), need('bon@k', i, 'rewards'), need('bon@k', i, 'k'), o),
  }),
  'bon-rl-binary': defineEstimator<BonRlBinaryOptions, MaxAtKOptions>({
    name: 'bon-rl-binary',
    description: 'BoN-RL for binary rewards: 1 − p^N with unbiased leave-one-out coefficients (k = N)',
    reference: 'Chow et al., inference-aware fine-tuning for BoN (arXiv 2412.15287)',
    form: 'sum',
    inputs: ['rewards', 'k'],
    weights: (i, o) => bonRlBinaryWeights(need('bon-rl-binary', i, 'rewards'), need('bon-rl-binary', i, 'k'), o),
    metric: (i, o) => binaryMetric('bon-rl-binary', i, o),
  }),
  'maj@k': defineEstimator<MajorityVoteWeightsOptions, MajorityAtKOptions>({
    name: 'maj@k',
    description: 'maj@k (self-consistency): reward of the most frequent answer among k samples',
    reference: 'Tang et al. 2025 (arXiv 2503.19595); Wang et al., self-consistency (arXiv 2203.11171)',
    form: 'sum',
    inputs: ['answers', 'rewards', 'k'],
    weights: (i, o) => majorityVoteWeights(need('maj@k', i, 'answers'), need('maj@k', i, 'rewards'), need('maj@k', i, 'k'), o),
    metric: (i, o) => majorityAtK(need('maj@k', i, 'answers'), need('maj@k', i, 'rewards'), need('maj@k', i, 'k'), o),
  }),
  // BoN-SFT and BoN-RL on the selected sample (Chow et al.).
  'bon-sft': defineEstimator<BonSftRegistryOptions>({
    name: 'bon-sft',
    description:
      "BoN-SFT: the samples' weights for imitating expert demonstrations under the best-of-N policy (the expert's weight is 1)",
    reference: 'Chow et al., inference-aware fine-tuning for BoN (arXiv 2412.15287)',
    form: 'sum',
    inputs: ['scores', 'expertScores', 'k'],
    weights: (i, o) => {
      if ((o as { estimator?: unknown } | undefined)?.estimator === 'unbiased') {
        throw new InvalidArgumentError(
          'opts.estimator',
          "opts.estimator 'unbiased' is not offered by the 'bon-sft' entry: its expert weight is not 1; call bestOfNSftWeights (got 'unbiased')",
        );
      }
      return bestOfNSftWeights(need('bon-sft', i, 'scores'), need('bon-sft', i, 'expertScores'), need('bon-sft', i, 'k'), o).samples;
    },
  }),
  'bon-rl-selected': defineEstimator<BonRlSelectedOptions>({
    name: 'bon-rl-selected',
    description: "BoN-RL on the verifier's pick: one weight per group for the selected sample's 0/1 reward (k = N)",
    reference: 'Chow et al., inference-aware fine-tuning for BoN (arXiv 2412.15287)',
    form: 'sum',
    inputs: ['rewards', 'k'],
    weights: (i, o) => bonRlSelectedWeights(need('bon-rl-selected', i, 'rewards'), need('bon-rl-selected', i, 'k'), o),
  }),
  'pass^k': defineEstimator<PassHatKWeightsOptions, PassHatKOfRewardsOptions>({
    name: 'pass^k',
    description: 'pass^k of binary rewards: probability that all k samples are correct',
    reference: 'Yao et al., τ-bench (arXiv 2406.12045); Tang et al. 2025 (arXiv 2503.19595)',
    form: 'sum',
    inputs: ['rewards', 'k'],
    weights: (i, o) => passHatKWeights(need('pass^k', i, 'rewards'), need('pass^k', i, 'k'), o),
    metric: (i, o) => passHatKOfRewards(need('pass^k', i, 'rewards'), need('pass^k', i, 'k'), o),
  }),
  'order-stat': defineEstimator<OrderStatisticWeightsOptions, OrderStatisticAtKOptions>({
    name: 'order-stat',
    description: 'an L-statistic of k samples: Σ_j α_j × (j-th smallest reward); max, min, median, CVaR, …',
    reference: 'Parmas et al., OrderGrad (arXiv 2606.06096); Walder & Karkhanis, PKPO (arXiv 2505.15201)',
    form: 'sum',
    inputs: ['rewards', 'k', 'alpha'],
    weights: (i, o) =>
      orderStatisticWeights(need('order-stat', i, 'rewards'), need('order-stat', i, 'k'), need('order-stat', i, 'alpha'), o),
    metric: (i, o) =>
      orderStatisticAtK(need('order-stat', i, 'rewards'), need('order-stat', i, 'k'), need('order-stat', i, 'alpha'), o),
  }),
  'k-sample': defineEstimator<KSampleWeightsOptions, KSampleAtKOptions>({
    name: 'k-sample',
    description: 'any symmetric objective f of k samples (exact by enumeration, or sampled); n = rewards.length',
    reference: 'Tang, Zheng, Synnaeve, Munos 2025 (arXiv 2503.19595)',
    form: 'sum',
    inputs: ['rewards', 'k', 'f'],
    weights: (i, o) =>
      kSampleWeights(need('k-sample', i, 'rewards').length, need('k-sample', i, 'k'), need('k-sample', i, 'f'), o).weights,
    metric: (i, o) =>
      kSampleAtK(need('k-sample', i, 'rewards').length, need('k-sample', i, 'k'), need('k-sample', i, 'f'), o).estimate,
  }),
} as const;

/**
 * Options of the `'bon-sft'` entry: those of `bestOfNSftWeights` for the estimators whose expert weight
 * is 1 (`'self-normalised'`, `'jackknife'`), so the entry's per-sample weights are the whole estimator.
 */
export type BonSftRegistryOptions = Omit<BestOfNSftOptions, 'estimator' | 'expertOut'> & {
  /**
   * `'self-normalised'` or `'jackknife'`.
   * @defaultValue `'self-normalised'`
   */
  estimator?: 'self-normalised' | 'jackknife';
};

/** The names of all registered estimators. */
export type EstimatorName = keyof typeof estimators;

/** The options type of a named estimator's weight function. */
export type EstimatorOptions<N extends EstimatorName> = NonNullable<Parameters<(typeof estimators)[N]['weights']>[1]>;

/**
 * An entry looked up by a name known only at run time (e.g. from a config file): options are any object,
 * checked at run time by the estimator (unknown keys and values throw).
 */
export type DynamicEstimatorEntry = EstimatorEntry<object, object>;

/** All estimator names. */
export const estimatorNames = /* @__PURE__ */ Object.keys(estimators) as EstimatorName[];

/**
 * The estimator registered under `name`. Throws {@link InvalidArgumentError} naming the known
 * estimators when there is none.
 *
 * @example
 * ```ts
 * const est = getEstimator('pass@k');
 * est.weights({ rewards: [1, 0, 0, 1], k: 2 }); // Float64Array [0.3333…, 0, 0, 0.3333…] (loo-1)
 * est.metric?.({ rewards: [1, 0, 0, 1], k: 2 }); // 0.8333333333333333 (= 1 − C(2,2)/C(4,2))
 * ```
 */
export function getEstimator<N extends EstimatorName>(name: N): (typeof estimators)[N];
export function getEstimator(name: string): DynamicEstimatorEntry;
export function getEstimator(name: string): DynamicEstimatorEntry {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(estimators, name)) {
    throw new InvalidArgumentError(
      'name',
      `name must be a registered estimator (got ${show(name)}; known: ${estimatorNames.join(', ')})`,
    );
  }
  return estimators[name as EstimatorName] as DynamicEstimatorEntry;
}
