/**
 * Per-sample gradient weights from tensors: rewards (and scores) of shape [B, n], one row per prompt,
 * in → weights [B, n] out, as a float32 tensor with no gradient. The estimators themselves run on the
 * host (the core's kernels, in float64): the inputs are read with one `dataSync()` (a device → CPU copy
 * of B·n values) and the weights uploaded with one `tensor2d` (B·n values back). See docs/tfjs.md.
 */
import { Tensor, tensor2d, type Tensor2D } from '@tensorflow/tfjs-core';
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import { grpoWeights as coreGrpoWeights, rlooWeights as coreRlooWeights, type GrpoOptions, type RlooOptions } from '../estimators/grpo.js';
import {
  bestOfNWeights as coreBestOfNWeights,
  bestOfNDistillationWeights as coreBestOfNDistillationWeights,
  type BestOfNWeightsOptions,
  type BestOfNDistillationOptions,
} from '../estimators/best-of-n.js';
import { majorityVoteWeights as coreMajorityVoteWeights, type MajorityVoteWeightsOptions } from '../estimators/majority-vote.js';
import { maxAtKWeights as coreMaxAtKWeights, type MaxAtKWeightsOptions } from '../estimators/max-at-k.js';
import { passAtKWeights as corePassAtKWeights, type PassAtKWeightsOptions } from '../estimators/pass-at-k.js';
import { getEstimator, type Answer, type EstimatorInputs, type EstimatorName, type EstimatorOptions } from '../registry.js';
import { checkOptions, isPlainObject } from '../validate.js';
import { checkTensor } from './checks.js';

/** The layout options of the core that make no sense for a [B, n] tensor (its rows are the groups). */
const LAYOUT_KEYS = ['groupSize', 'groupOffsets', 'out'] as const;

/** An estimator's options without the layout keys: on tensors, the groups are the rows. */
export type TensorWeightOptions<O> = Omit<O, (typeof LAYOUT_KEYS)[number]>;

/** The estimator options each weight helper accepts (the core's, minus the layout keys). */
export const WEIGHT_OPTION_KEYS = {
  passAtKWeights: ['baseline', 'scale', 'backend'],
  maxAtKWeights: ['baseline', 'scale', 'backend'],
  grpoWeights: ['backend', 'normalize', 'ddof', 'eps', 'zeroVarianceRtol', 'oneSampleGroups', 'scale'],
  rlooWeights: ['backend', 'scale'],
  majorityVoteWeights: ['baseline', 'scale', 'backend', 'ties'],
  bestOfNWeights: ['baseline', 'scale', 'backend'],
  bestOfNDistillationWeights: ['sampling', 'backend'],
  orderStatisticWeights: ['baseline', 'scale', 'backend', 'alphaLoo1'],
  passHatKWeights: ['baseline', 'scale', 'backend'],
} as const satisfies Record<string, readonly string[]>;

/** The estimator options of each registry entry on tensors (the core's, minus the layout keys). */
export const ESTIMATOR_OPTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  'pass@k': WEIGHT_OPTION_KEYS.passAtKWeights,
  'max@k': WEIGHT_OPTION_KEYS.maxAtKWeights,
  'chen-pass@k': ['backend', 'scale'],
  grpo: WEIGHT_OPTION_KEYS.grpoWeights,
  rloo: WEIGHT_OPTION_KEYS.rlooWeights,
  'bon@k': WEIGHT_OPTION_KEYS.bestOfNWeights,
  'bon-rl-binary': ['baseline', 'coefficient', 'scale', 'backend'],
  'maj@k': WEIGHT_OPTION_KEYS.majorityVoteWeights,
  'pass^k': WEIGHT_OPTION_KEYS.passHatKWeights,
  'order-stat': WEIGHT_OPTION_KEYS.orderStatisticWeights,
  'k-sample': ['baseline', 'scale', 'backend', 'maxSubsets', 'samples', 'seed'],
  'bon-sft': ['estimator', 'baseline', 'backend'],
  'bon-rl-selected': ['failureProbs', 'failures', 'form', 'scale', 'backend'],
};

/** The tensor option keys of a registry entry, or undefined for a name not listed (the core checks then). */
export function estimatorOptionKeys(name: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(ESTIMATOR_OPTION_KEYS, name) ? ESTIMATOR_OPTION_KEYS[name] : undefined;
}

/**
 * Checks a weight helper's options: a plain object, no layout keys (with a message that says why),
 * and, when the helper's own keys are known, no unknown key (reported against the helper with its list).
 */
export function checkNoLayout(opts: unknown, fn: string): void {
  if (opts === undefined) return;
  if (!isPlainObject(opts)) checkOptions(opts, fn, []);
  for (const key of LAYOUT_KEYS) {
    if ((opts as Record<string, unknown>)[key] !== undefined) {
      throw new InvalidArgumentError(
        `opts.${key}`,
        `opts.${key} is not an option of ${fn}: the groups are the rows of the [B, n] tensor (got ${show(
          (opts as Record<string, unknown>)[key],
        )})`,
      );
    }
  }
  const keys = (WEIGHT_OPTION_KEYS as Record<string, readonly string[]>)[fn];
  if (keys !== undefined) checkOptions(opts, fn, keys);
}

/** Reads a [B, n] tensor to the host: returns its values and shape. */
export function readRows(value: unknown, name: string): { values: Float32Array | Int32Array | Uint8Array; rows: number; n: number } {
  const t = checkTensor(value, name, 2, ['float32', 'int32', 'bool']);
  const [rows, n] = t.shape as [number, number];
  if (rows < 1 || n < 1) throw new ShapeError(name, `${name} must have B ≥ 1 rows and n ≥ 1 columns (got shape [${rows}, ${n}])`);
  return { values: t.dataSync() as Float32Array | Int32Array | Uint8Array, rows, n };
}

/**
 * The weights as a float32 [B, n] tensor. A weight beyond ±3.4e38 would round to ±Infinity in float32:
 * that throws a {@link DomainError} naming the group and the sample (rescale the rewards, which every
 * estimator is positively homogeneous in, or use the float64 functions).
 */
export function upload(fn: string, weights: Float64Array, rows: number, n: number): Tensor2D {
  const f32 = Float32Array.from(weights);
  let acc = 0;
  for (let i = 0; i < f32.length; i++) acc += (f32[i] as number) * 0;
  if (acc !== 0) {
    const i = f32.findIndex((x) => !Number.isFinite(x));
    throw new DomainError(
      'rewards',
      `${fn}: the weight of sample ${i % n} in group ${Math.floor(i / n)} is ${show(weights[i])}, beyond float32's range ±3.4e38 ` +
        '(rescale the rewards: the weights scale with them)',
    );
  }
  return tensor2d(f32, [rows, n], 'float32');
}

/**
 * pass@k gradient weights per row of a 0/1 rewards tensor [B, n]: a float32 tensor [B, n] (no gradient).
 * Same math and options as the core's `passAtKWeights`, with each row one group.
 *
 * Reads `rewards` to the host (`dataSync`, B·n values) and uploads the weights (B·n values).
 *
 * @param rewards - 0/1 rewards, shape [B, n] (float32, int32 or bool).
 * @param k - the inference budget, 1 ≤ k ≤ n.
 * @param opts - `baseline` (default `'loo-1'`), `scale` (default `'sum'`), `backend`.
 * @example
 * ```ts
 * passAtKWeights(tf.tensor2d([[1, 1, 0, 0, 0, 0, 0, 0]]), 4).arraySync();
 * // [[0.2857142984867096, 0.2857142984867096, 0, 0, 0, 0, 0, 0]]
 * ```
 */
export function passAtKWeights(
  rewards: Tensor,
  k: number,
  opts?: TensorWeightOptions<PassAtKWeightsOptions>,
): Tensor2D {
  checkNoLayout(opts, 'passAtKWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('passAtKWeights', corePassAtKWeights(values, k, { ...opts, groupSize: n }), rows, n);
}

/**
 * max@k gradient weights per row of a rewards tensor [B, n] of any finite reals: float32 [B, n], no
 * gradient. Same math and options as the core's `maxAtKWeights`.
 *
 * @example
 * ```ts
 * maxAtKWeights(tf.tensor2d([[0.1, 0.7, 0.3, 0.9, 0.5]]), 2).arraySync();
 * // [[0, 0.11999999731779099, 0.020000001415610313, 0.19999998807907104, 0.05999999865889549]]
 * ```
 */
export function maxAtKWeights(rewards: Tensor, k: number, opts?: TensorWeightOptions<MaxAtKWeightsOptions>): Tensor2D {
  checkNoLayout(opts, 'maxAtKWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('maxAtKWeights', coreMaxAtKWeights(values, k, { ...opts, groupSize: n }), rows, n);
}

/**
 * GRPO's group-normalised advantage per row of a rewards tensor [B, n] (the k = 1 baseline, for
 * comparison): float32 [B, n], no gradient. Same options as the core's `grpoWeights`.
 *
 * @example
 * ```ts
 * grpoWeights(tf.tensor2d([[1, 0, 0, 1]])).arraySync();
 * // [[0.8660253882408142, -0.8660253882408142, -0.8660253882408142, 0.8660253882408142]]
 * ```
 */
export function grpoWeights(rewards: Tensor, opts?: TensorWeightOptions<GrpoOptions>): Tensor2D {
  checkNoLayout(opts, 'grpoWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('grpoWeights', coreGrpoWeights(values, { ...opts, groupSize: n }), rows, n);
}

/**
 * RLOO's leave-one-out advantage per row of a rewards tensor [B, n]: float32 [B, n], no gradient.
 *
 * @example
 * ```ts
 * rlooWeights(tf.tensor2d([[1, 0, 0, 0]])).arraySync();
 * // [[1, -0.3333333432674408, -0.3333333432674408, -0.3333333432674408]]
 * ```
 */
export function rlooWeights(rewards: Tensor, opts?: TensorWeightOptions<RlooOptions>): Tensor2D {
  checkNoLayout(opts, 'rlooWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('rlooWeights', coreRlooWeights(values, { ...opts, groupSize: n }), rows, n);
}

/** Reads a second [B, n] tensor and checks it has the first one's shape. */
function readSibling(value: unknown, name: string, rows: number, n: number, firstName: string) {
  const t = readRows(value, name);
  if (t.rows !== rows || t.n !== n) {
    throw new ShapeError(name, `${name} must have the shape of ${firstName} [${rows}, ${n}] (got [${t.rows}, ${t.n}])`);
  }
  return t.values;
}

/**
 * Majority-vote (maj@k) gradient weights per row: answers as a flat array of B·n answers in row-major
 * order (answers are cluster ids, not tensors), rewards [B, n]. Same math and options as the core's
 * `majorityVoteWeights`. Returns float32 [B, n], no gradient.
 *
 * @example
 * ```ts
 * majorityVoteWeights([0, 0, 1, 1, 2, 0, 3, 1], tf.tensor2d([[1, 1, 0, 0, 0, 1, 0, 0]]), 3).arraySync();
 * // [[0.130952388048172, 0.130952388048172, -0.0714285746216774, -0.0714285746216774,
 * //   -0.0357142873108387, 0.130952388048172, -0.0357142873108387, -0.0714285746216774]]
 * ```
 */
export function majorityVoteWeights(
  answers: ArrayLike<Answer>,
  rewards: Tensor,
  k: number,
  opts?: TensorWeightOptions<MajorityVoteWeightsOptions>,
): Tensor2D {
  checkNoLayout(opts, 'majorityVoteWeights');
  const { values, rows, n } = readRows(rewards, 'rewards');
  return upload('majorityVoteWeights', coreMajorityVoteWeights(answers, values, k, { ...opts, groupSize: n }), rows, n);
}

/**
 * Best-of-k (with a verifier) gradient weights per row: verifier scores and true rewards, both [B, n].
 * Same math and options as the core's `bestOfNWeights`. Returns float32 [B, n], no gradient.
 *
 * @example
 * ```ts
 * bestOfNWeights(tf.tensor2d([[1, 1, 1, 3]]), tf.tensor2d([[0.5, 1, 0, 1]]), 3).arraySync();
 * // [[0, 0.0625, -0.0625, 0.375]]
 * ```
 */
export function bestOfNWeights(
  scores: Tensor,
  rewards: Tensor,
  k: number,
  opts?: TensorWeightOptions<BestOfNWeightsOptions>,
): Tensor2D {
  checkNoLayout(opts, 'bestOfNWeights');
  const v = readRows(scores, 'scores');
  const r = readSibling(rewards, 'rewards', v.rows, v.n, 'scores');
  return upload('bestOfNWeights', coreBestOfNWeights(v.values, r, k, { ...opts, groupSize: v.n }), v.rows, v.n);
}

/**
 * BOND-style distillation targets (Sessa et al., arXiv 2407.14622) per row of a scores tensor [B, n]: the probability that best-of-N
 * picks each sample (Σ = 1 per row), for {@link imitationLoss}. Same math and options as the core's
 * `bestOfNDistillationWeights`. Returns float32 [B, n], no gradient.
 *
 * @example
 * ```ts
 * bestOfNDistillationWeights(tf.tensor2d([[0.3, 0.9, 0.1, 0.5]]), 2).arraySync();
 * // [[0.1666666716337204, 0.5, 0, 0.3333333432674408]]
 * ```
 */
export function bestOfNDistillationWeights(
  scores: Tensor,
  N: number,
  opts?: TensorWeightOptions<BestOfNDistillationOptions>,
): Tensor2D {
  checkNoLayout(opts, 'bestOfNDistillationWeights');
  const { values, rows, n } = readRows(scores, 'scores');
  return upload('bestOfNDistillationWeights', coreBestOfNDistillationWeights(values, N, { ...opts, groupSize: n }), rows, n);
}

/**
 * @deprecated Renamed {@link bestOfNDistillationWeights}, the name of the core function it wraps (per-sample
 * weights are `*Weights` everywhere); the same function under its old name.
 * @example
 * ```ts
 * bestOfNDistillationTargets(tf.tensor2d([[0.3, 0.9, 0.1, 0.5]]), 2); // same as bestOfNDistillationWeights
 * ```
 */
export const bestOfNDistillationTargets = bestOfNDistillationWeights;

/** Inputs of {@link estimatorWeights}: tensors [B, n] where the core takes arrays. */
export interface TensorEstimatorInputs {
  /** Rewards, shape [B, n]. */
  rewards: Tensor;
  /** The inference budget k (or N), for estimators that use it. */
  k?: number;
  /** One answer per sample, row-major (length B·n), for majority voting. Answers are not tensors. */
  answers?: ArrayLike<Answer>;
  /** Verifier scores, shape [B, n], for best-of-N. */
  scores?: Tensor;
  /** Rank weights or a preset, for `'order-stat'`. */
  alpha?: EstimatorInputs['alpha'];
  /** The subset objective, for `'k-sample'` (indices are row-major into the B·n samples). */
  f?: EstimatorInputs['f'];
}

/**
 * Weights of any registered estimator (see the core's `estimators` registry) per row of [B, n]
 * tensors: the config-driven entry point. Answers for majority voting come as a flat array of B·n
 * answers in row-major order.
 *
 * @param name - a registered estimator name, e.g. `'pass@k'`, `'max@k'`, `'grpo'`.
 * @example
 * ```ts
 * estimatorWeights('pass@k', { rewards: tf.tensor2d([[1, 0, 0, 0]]), k: 2 }).arraySync();
 * // [[0.5, 0, 0, 0]]
 * ```
 */
export function estimatorWeights<N extends EstimatorName>(
  name: N,
  inputs: TensorEstimatorInputs,
  opts?: TensorWeightOptions<EstimatorOptions<N>>,
): Tensor2D;
export function estimatorWeights(name: string, inputs: TensorEstimatorInputs, opts?: Record<string, unknown>): Tensor2D;
export function estimatorWeights(name: string, inputs: TensorEstimatorInputs, opts?: object): Tensor2D {
  checkNoLayout(opts, 'estimatorWeights');
  const estimator = getEstimator(name);
  const keys = estimatorOptionKeys(name);
  if (keys !== undefined) checkOptions(opts, `estimatorWeights('${name}')`, keys);
  if (inputs === null || typeof inputs !== 'object') {
    throw new InvalidArgumentError('inputs', `inputs must be an object (got ${show(inputs)})`);
  }
  const { values, rows, n } = readRows(inputs.rewards, 'inputs.rewards');
  const core: EstimatorInputs = { rewards: values };
  if (inputs.k !== undefined) core.k = inputs.k;
  if (inputs.scores !== undefined) core.scores = readSibling(inputs.scores, 'inputs.scores', rows, n, 'inputs.rewards');
  if (inputs.answers !== undefined) core.answers = inputs.answers;
  if (inputs.alpha !== undefined) core.alpha = inputs.alpha;
  if (inputs.f !== undefined) core.f = inputs.f;
  const weights = (estimator.weights as (i: EstimatorInputs, o?: object) => Float64Array)(core, { ...opts, groupSize: n });
  return upload('estimatorWeights', weights, rows, n);
}
