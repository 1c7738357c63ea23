/**
 * Chow et al.'s BoN-SFT (arXiv 2412.15287) as a tfjs loss on per-token log-probs: the expert
 * demonstrations' and the policy samples' log-likelihoods weighted by `bestOfNSftWeights`. A
 * `tf.customGrad` op with its gradient written out, like the other losses of this adapter.
 */
import {
  Tensor,
  add,
  cast,
  customGrad,
  mul,
  onesLike,
  sum,
  tensor2d,
  tidy,
  where,
  zerosLike,
  type GradSaveFunc,
  type Scalar,
} from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError, show } from '../errors.js';
import { bestOfNSftWeights, type BestOfNSftOptions } from '../estimators/best-of-n-sft.js';
import { checkChoice, checkOptions } from '../validate.js';
import { binaryRule, checkSameShape, checkTensor, checkValues, finiteRule, type ValueRule } from './checks.js';

/** Options of {@link bestOfNSftLoss}: masks, normalisation, value checks and the estimator's options. */
export interface BestOfNSftLossOptions extends Pick<BestOfNSftOptions, 'estimator' | 'baseline'> {
  /**
   * 0/1 padding mask of `sampleLogProbs` [B·n, T] (float32, int32 or bool).
   * @defaultValue all ones
   */
  mask?: Tensor;
  /**
   * 0/1 padding mask of `expertLogProbs` [B, T*] (float32, int32 or bool).
   * @defaultValue all ones
   */
  expertMask?: Tensor;
  /**
   * `'group'`: the loss divided by B (the mean over prompts); `'sum'`: not divided.
   * @defaultValue `'group'`
   */
  normalize?: 'group' | 'sum';
  /**
   * Check on the device that masks are 0/1 and log-probs finite where the mask is 1.
   * @defaultValue `true`
   */
  check?: boolean;
}

const KEYS = ['mask', 'expertMask', 'normalize', 'check', 'estimator', 'baseline'];

/** Log-probs with padding replaced by 0, so that a NaN or −Infinity under mask 0 never leaks. */
function masked(lp: Tensor, mask: Tensor | undefined): Tensor {
  return mask === undefined ? lp : where(cast(mask, 'bool'), lp, zerosLike(lp));
}

/**
 * BoN-SFT in one call: −ν Σ_b [e_b Σ_t m*_{b,t} log π(y*_{b,t}) + Σ_i w_i Σ_t m_{i,t} log π(y_{i,t})], with
 * (e, w) = `bestOfNSftWeights(scores, expertScores, N)` (detached) and ν = 1/B (`'group'`) or 1 (`'sum'`).
 * Its expected gradient is −(ν times) ∇Σ_b log π_BoN(y*_b) up to the estimator's bias (exactly
 * −∇Σ_b π_BoN(y*_b)/π(y*_b) for `estimator: 'unbiased'`). The gradient with respect to the log-probs is
 * −ν e_b m* for the expert tokens and −ν w_i m for the sample tokens. Scores and expert scores are read
 * to the host once (B·n + B values), the weights uploaded once.
 *
 * @param expertLogProbs - per-token log-probs of each prompt's expert demonstration, float32 [B, T*].
 * @param sampleLogProbs - per-token log-probs of the n policy samples per prompt, float32 [B·n, T]
 *   (rows b·n … b·n + n − 1 are prompt b's).
 * @param scores - verifier scores of the samples [B, n] (float32 or int32).
 * @param expertScores - verifier score of each expert demonstration, [B] (float32 or int32).
 * @param N - the best-of-N budget, an integer ≥ 1.
 * @returns a scalar loss, differentiable with respect to both log-prob tensors.
 * @example
 * ```ts
 * // B = 1 prompt, n = 2 samples; the expert (2 tokens) scores 0.5, one sample below it, one above.
 * const expertLogProbs = tf.tensor2d([[-0.5, -1]]);
 * const sampleLogProbs = tf.tensor2d([[-2, -1], [-0.3, -0.2]]);
 * const scores = tf.tensor2d([[0.2, 0.9]]);
 * const expertScores = tf.tensor1d([0.5]);
 * const loss = bestOfNSftLoss(expertLogProbs, sampleLogProbs, scores, expertScores, 4);
 * loss.dataSync(); // Float32Array [5.25]   (weights: expert 1, samples [1.5, −1.5])
 * const [gE, gS] = tf.grads((e, s) => bestOfNSftLoss(e, s, scores, expertScores, 4))([expertLogProbs, sampleLogProbs]);
 * gE.arraySync(); // [[-1, -1]]
 * gS.arraySync(); // [[-1.5, -1.5], [1.5, 1.5]]
 * ```
 */
export function bestOfNSftLoss(
  expertLogProbs: Tensor,
  sampleLogProbs: Tensor,
  scores: Tensor,
  expertScores: Tensor,
  N: number,
  opts?: BestOfNSftLossOptions,
): Scalar {
  checkOptions(opts, 'bestOfNSftLoss', KEYS);
  const expert = checkTensor(expertLogProbs, 'expertLogProbs', 2, ['float32']);
  const samples = checkTensor(sampleLogProbs, 'sampleLogProbs', 2, ['float32']);
  const sc = checkTensor(scores, 'scores', 2, ['float32', 'int32']);
  const ve = checkTensor(expertScores, 'expertScores', 1, ['float32', 'int32']);
  const [B, n] = sc.shape as [number, number];
  if (B < 1 || n < 1) throw new ShapeError('scores', `scores must have B ≥ 1 rows and n ≥ 1 columns (got shape [${B}, ${n}])`);
  if ((expert.shape[0] as number) !== B || (expert.shape[1] as number) < 1) {
    throw new ShapeError('expertLogProbs', `expertLogProbs must have B=${B} rows (one per prompt) and T ≥ 1 tokens (got shape [${expert.shape.join(', ')}])`);
  }
  if ((samples.shape[0] as number) !== B * n || (samples.shape[1] as number) < 1) {
    throw new ShapeError('sampleLogProbs', `sampleLogProbs must have B·n=${B * n} rows and T ≥ 1 tokens (got shape [${samples.shape.join(', ')}])`);
  }
  if ((ve.shape[0] as number) !== B) {
    throw new ShapeError('expertScores', `expertScores must hold one score per prompt, [${B}] (got [${ve.shape.join(', ')}])`);
  }
  const o = opts ?? {};
  let mask: Tensor | undefined;
  let expertMask: Tensor | undefined;
  if (o.mask !== undefined) {
    mask = checkTensor(o.mask, 'mask', 2, ['float32', 'int32', 'bool']);
    checkSameShape(samples, 'sampleLogProbs', mask, 'mask');
  }
  if (o.expertMask !== undefined) {
    expertMask = checkTensor(o.expertMask, 'expertMask', 2, ['float32', 'int32', 'bool']);
    checkSameShape(expert, 'expertLogProbs', expertMask, 'expertMask');
  }
  const normalize = checkChoice(o.normalize, 'normalize', ['group', 'sum'] as const, 'group');
  const check = o.check ?? true;
  if (typeof check !== 'boolean') throw new InvalidArgumentError('check', `check must be a boolean (got ${show(check)})`);
  if (check) {
    const rules: ValueRule[] = [];
    if (mask !== undefined && mask.dtype !== 'bool') rules.push(binaryRule(mask, 'mask'));
    if (expertMask !== undefined && expertMask.dtype !== 'bool') rules.push(binaryRule(expertMask, 'expertMask'));
    rules.push(finiteRule(samples, 'sampleLogProbs', mask), finiteRule(expert, 'expertLogProbs', expertMask));
    checkValues(rules);
  }
  const estimatorOpts: BestOfNSftOptions = { groupSize: n };
  if (o.estimator !== undefined) estimatorOpts.estimator = o.estimator;
  if (o.baseline !== undefined) estimatorOpts.baseline = o.baseline;
  const w = bestOfNSftWeights(sc.dataSync() as Float32Array, ve.dataSync() as Float32Array, N, estimatorOpts);
  const nu = normalize === 'group' ? 1 / B : 1;

  const op = customGrad((a: Tensor | GradSaveFunc, b: Tensor | GradSaveFunc, save: Tensor | GradSaveFunc) => {
    const lpE = a as Tensor;
    const lpS = b as Tensor;
    const [value, kept] = tidy((): [Tensor, Tensor[]] => {
      // −ν·weight per row, as a column broadcast over the tokens
      const cE = tensor2d(Float32Array.from(w.expert, (x) => -nu * x), [B, 1]);
      const cS = tensor2d(Float32Array.from(w.samples, (x) => -nu * x), [B * n, 1]);
      const value = add(sum(mul(cE, sum(masked(lpE, expertMask), 1, true))), sum(mul(cS, sum(masked(lpS, mask), 1, true))));
      const gE = mul(cE, expertMask === undefined ? onesLike(lpE) : cast(expertMask, 'float32'));
      const gS = mul(cS, mask === undefined ? onesLike(lpS) : cast(mask, 'float32'));
      return [value, [gE, gS]];
    });
    (save as GradSaveFunc)(kept);
    for (const t of kept) t.dispose();
    return {
      value: value as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) => tidy(() => [mul(dy, saved[0] as Tensor), mul(dy, saved[1] as Tensor)]),
    };
  });
  return op(expert, samples) as Scalar;
}
