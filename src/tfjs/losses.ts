/**
 * Losses on per-token log-probabilities [R, T] (R = B·n sequences, row-major by group: rows
 * b·n … b·n + n − 1 are prompt b's samples) with a 0/1 padding mask. Each loss is a `tf.customGrad`
 * op whose gradient with respect to `logProbs` is written out analytically, so it is exact (no
 * subgradient conventions of `tf.minimum`) and works on a tfjs-core install that registered no
 * gradients. Math and the normalisation choices: docs/tfjs.md.
 */
import {
  Tensor,
  add,
  cast,
  clipByValue,
  customGrad,
  div,
  exp,
  expm1,
  fill,
  greater,
  less,
  logicalAnd,
  maximum,
  minimum,
  mul,
  neg,
  reshape,
  scalar,
  sub,
  sum,
  tidy,
  where,
  zerosLike,
  type GradSaveFunc,
  type Scalar,
} from '@tensorflow/tfjs-core';
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import { checkChoice, checkFiniteNumber, checkOptions } from '../validate.js';
import {
  binaryRule,
  checkSameShape,
  checkTensor,
  checkValues,
  finiteRule,
  nonNegativeRule,
  upperBoundRule,
  type ValueRule,
} from './checks.js';

/**
 * How the per-token terms are summed into one scalar (docs/tfjs.md, "Normalisation"). With per-sequence
 * weights w_s, mask m and per-token term ℓ_{s,t}, the loss is Σ_s Σ_t m_{s,t} ν_s w_s ℓ_{s,t} with:
 * - `'group'`: ν = 1/B. The mean over prompts of the sum-form estimate Σ_i w_i ∇log π(y_i): with the
 *   library's sum-form weights, the gradient is unbiased for ∇ of the mean objective over prompts.
 * - `'sum'`: ν = 1 (the plain sum; 'group' times B).
 * - `'sequence'`: ν_s = 1/(R·L_s), L_s = Σ_t m_{s,t}: each sequence's token mean, then the mean over
 *   all R sequences (GRPO as published, TRL's `loss_type='grpo'`). Biases toward short sequences.
 * - `'token'`: ν = 1/Σ_{s,t} m: the mean over every unpadded token of the batch (DAPO, TRL's `'bnpo'`).
 * - `'constant'`: ν = 1/(R·maxTokens): the token sum over a constant (Dr. GRPO, TRL's `'dr_grpo'`).
 */
export type LossNormalization = 'group' | 'sum' | 'sequence' | 'token' | 'constant';

/**
 * All normalisations, in the order the docs list them.
 *
 * @example
 * ```ts
 * LOSS_NORMALIZATIONS; // ['group', 'sum', 'sequence', 'token', 'constant']
 * ```
 */
export const LOSS_NORMALIZATIONS: readonly LossNormalization[] = ['group', 'sum', 'sequence', 'token', 'constant'];

/** Inputs and options shared by every loss. */
export interface LossInputs {
  /** Per-token log-probabilities of the sampled tokens, float32 [R, T] with R = B·n. */
  logProbs: Tensor;
  /**
   * Per-sample weights, float32 [B, n] (e.g. from `passAtKWeights`). They carry no gradient: the loss
   * treats them as constants.
   */
  weights: Tensor;
  /**
   * 0/1 padding mask [R, T] (float32, int32 or bool): 1 for the sequence's tokens, 0 for padding.
   * Log-probs under mask 0 are ignored, whatever their value (even NaN).
   * @defaultValue all ones (no padding)
   */
  mask?: Tensor;
  /**
   * How the per-token terms are summed; see {@link LossNormalization}.
   * @defaultValue `'group'`
   */
  normalize?: LossNormalization;
  /**
   * The constant of `normalize: 'constant'` (Dr. GRPO's MAX_TOKENS): ν = 1/(R·maxTokens).
   * @defaultValue T, the token dimension of `logProbs`
   */
  maxTokens?: number;
  /**
   * Check the values on the device: mask is 0/1, log-probs finite where mask = 1, weights finite. Costs
   * one device → CPU read of a few booleans per call; turn it off in a hot loop once inputs are trusted.
   * @defaultValue `true`
   */
  check?: boolean;
}

const LOSS_KEYS = ['logProbs', 'weights', 'mask', 'normalize', 'maxTokens', 'check'] as const;

/** Everything a loss needs after validation. */
interface Prepared {
  readonly logProbs: Tensor;
  readonly weights: Tensor;
  readonly mask: Tensor | undefined;
  readonly normalize: LossNormalization;
  readonly maxTokens: number;
  readonly groups: number;
  readonly check: boolean;
  readonly rules: ValueRule[];
}

function prepare(fn: string, inputs: unknown, extraKeys: readonly string[]): Prepared {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new InvalidArgumentError('inputs', `the argument of ${fn} must be an object (got ${show(inputs)})`);
  }
  checkOptions(inputs, fn, [...LOSS_KEYS, ...extraKeys]);
  const o = inputs as LossInputs;
  const logProbs = checkTensor(o.logProbs, 'logProbs', 2, ['float32']);
  const weights = checkTensor(o.weights, 'weights', 2, ['float32']);
  const [rows, tokens] = logProbs.shape as [number, number];
  const [groups, n] = weights.shape as [number, number];
  if (rows < 1 || tokens < 1) {
    throw new ShapeError('logProbs', `logProbs must have R ≥ 1 rows and T ≥ 1 tokens (got shape [${rows}, ${tokens}])`);
  }
  if (groups * n !== rows) {
    throw new ShapeError(
      'weights',
      `weights [B, n] must have B·n = R, the rows of logProbs (got weights [${groups}, ${n}], B·n=${groups * n}, R=${rows})`,
    );
  }
  let mask: Tensor | undefined;
  if (o.mask !== undefined) {
    mask = checkTensor(o.mask, 'mask', 2, ['float32', 'int32', 'bool']);
    checkSameShape(logProbs, 'logProbs', mask, 'mask');
  }
  const normalize = checkChoice(o.normalize, 'normalize', LOSS_NORMALIZATIONS, 'group');
  let maxTokens = tokens;
  if (o.maxTokens !== undefined) {
    maxTokens = checkFiniteNumber(o.maxTokens, 'maxTokens');
    if (maxTokens <= 0) throw new DomainError('maxTokens', `maxTokens must be > 0 (got ${maxTokens})`);
    if (normalize !== 'constant') {
      throw new InvalidArgumentError('maxTokens', `maxTokens needs normalize: 'constant' (got normalize '${normalize}')`);
    }
  }
  const check = o.check ?? true;
  if (typeof check !== 'boolean') throw new InvalidArgumentError('check', `check must be a boolean (got ${show(check)})`);
  const rules: ValueRule[] = [];
  if (check) {
    if (mask !== undefined && mask.dtype !== 'bool') rules.push(binaryRule(mask, 'mask'));
    rules.push(finiteRule(logProbs, 'logProbs', mask), finiteRule(weights, 'weights'));
  }
  return { logProbs, weights, mask, normalize, maxTokens, groups, check, rules };
}

/** Checks another [R, T] tensor (oldLogProbs, refLogProbs) against logProbs and queues its value rule. */
function prepareSibling(p: Prepared, value: unknown, name: string): Tensor {
  const t = checkTensor(value, name, 2, ['float32']);
  checkSameShape(p.logProbs, 'logProbs', t, name);
  if (p.check) p.rules.push(finiteRule(t, name, p.mask));
  return t;
}

/**
 * ν_s of the chosen normalisation, broadcastable against [R, T]: a scalar, or [R, 1] for 'sequence'.
 * Called inside the custom ops, so its tensors are tidied.
 */
function rowScale(p: Prepared, maskF: Tensor | undefined): Tensor {
  const [rows, tokens] = p.logProbs.shape as [number, number];
  switch (p.normalize) {
    case 'sum':
      return scalar(1);
    case 'group':
      return scalar(1 / p.groups);
    case 'sequence':
      // An all-padding sequence has L_s = 0: it contributes 0 (max(L_s, 1) avoids 0/0 = NaN).
      return maskF === undefined
        ? scalar(1 / (rows * tokens))
        : div(scalar(1 / rows), maximum(sum(maskF, 1, true), scalar(1)));
    case 'token':
      return maskF === undefined ? scalar(1 / (rows * tokens)) : div(scalar(1), maximum(sum(maskF), scalar(1)));
    case 'constant':
      return scalar(1 / (rows * p.maxTokens));
  }
}

/** The per-token coefficient ν_s·m_{s,t} [R, T] and the mask as float32 (undefined when there is none). */
function tokenScale(p: Prepared): { scale: Tensor; maskF: Tensor | undefined } {
  const maskF = p.mask === undefined ? undefined : cast(p.mask, 'float32');
  const nu = rowScale(p, maskF);
  return { scale: mul(maskF ?? fill(p.logProbs.shape, 1), nu), maskF };
}

/** Log-probs with padding replaced by 0, so that a NaN or −Infinity under mask 0 never leaks. */
function maskedLogProbs(lp: Tensor, mask: Tensor | undefined): Tensor {
  return mask === undefined ? lp : where(cast(mask, 'bool'), lp, zerosLike(lp));
}

/** The weights [B, n] as a column [R, 1], broadcast over tokens. */
function weightColumn(p: Prepared): Tensor {
  return reshape(p.weights, [p.logProbs.shape[0] as number, 1]);
}

/** Options of {@link policyGradientLoss}. */
export interface PolicyGradientLossInputs extends LossInputs {}

/**
 * The REINFORCE surrogate L = −Σ_s Σ_t ν_s m_{s,t} w_s log π(y_{s,t}): its gradient with respect to the
 * log-probs is −ν_s m_{s,t} w_s, so with `normalize: 'sum'` it is −Σ_i w_i ∇log π(y_i), the estimator
 * the library's weights are built for (minimising it ascends the objective).
 *
 * @returns a scalar loss; differentiable with respect to `logProbs` only.
 * @example
 * ```ts
 * // B = 2 prompts × n = 2 samples, T = 3 tokens; row 1 has 2 tokens, row 3 has 1.
 * const logProbs = tf.tensor2d([[-0.5, -1, -2], [-0.2, -0.3, 0], [-1.5, -0.1, -0.4], [-0.7, 0, 0]]);
 * const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0], [1, 1, 1], [1, 0, 0]]);
 * const weights = passAtKWeights(tf.tensor2d([[1, 0], [0, 0]]), 1, { baseline: 'loo' }); // [[0.5, -0.5], [0, 0]]
 * const { value, grad } = tf.valueAndGrad((lp) => policyGradientLoss({ logProbs: lp, weights, mask }))(logProbs);
 * value.dataSync(); // Float32Array [0.75]   ('group': −(1/B) Σ_s w_s Σ_t m lp)
 * grad.arraySync(); // [[-0.25, -0.25, -0.25], [0.25, 0.25, 0], [0, 0, 0], [0, 0, 0]]
 * ```
 */
export function policyGradientLoss(inputs: PolicyGradientLossInputs): Scalar {
  const p = prepare('policyGradientLoss', inputs, []);
  checkValues(p.rules);
  return weightedLogLikelihood(p);
}

/**
 * −Σ ν m w lp with gradient −ν m w: shared by the policy-gradient and imitation losses. Works per row
 * where it can: the row coefficient −ν_s w_s [R, 1] times the row's masked log-prob sum, so the forward
 * pass touches [R, T] only to mask and sum, and the backward pass is one broadcast multiply.
 */
function weightedLogLikelihood(p: Prepared): Scalar {
  const op = customGrad((lp: Tensor | GradSaveFunc, save: Tensor | GradSaveFunc) => {
    const logProbs = lp as Tensor;
    const [value, kept] = tidy(() => {
      const maskF = p.mask === undefined ? undefined : cast(p.mask, 'float32');
      const rowCoef = neg(mul(rowScale(p, maskF), weightColumn(p)));
      const value = sum(mul(rowCoef, sum(maskedLogProbs(logProbs, p.mask), 1, true)));
      return [value, maskF === undefined ? [rowCoef] : [rowCoef, maskF]] as const;
    });
    (save as GradSaveFunc)(kept);
    for (const t of kept) t.dispose();
    return {
      value: value as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) =>
        tidy(() => mul(mul(dy, saved[0] as Tensor), saved[1] ?? fill(logProbs.shape, 1))),
    };
  });
  return op(p.logProbs);
}

/** Options of {@link imitationLoss}. */
export interface ImitationLossInputs extends LossInputs {}

/**
 * Weighted negative log-likelihood −Σ_s Σ_t ν_s m_{s,t} w_s log π(y_{s,t}) for imitation targets, e.g.
 * BOND-style distillation targets (the probability that BoN-N picks sample i, Σ_i w_i = 1 per prompt). Same
 * value and gradient as {@link policyGradientLoss}, but the weights must be ≥ 0 (checked). With
 * `normalize: 'group'` (the default) and weights summing to 1 per prompt, it is the mean over prompts of
 * the cross-entropy to the empirical π_BoN.
 *
 * @example
 * ```ts
 * // logProbs and mask as in policyGradientLoss's example.
 * const targets = bestOfNDistillationWeights(tf.tensor2d([[0.9, 0.2], [0.1, 0.4]]), 2); // [[1, 0], [0, 1]]
 * imitationLoss({ logProbs, weights: targets, mask }).dataSync(); // Float32Array [2.0999999]  = (3.5 + 0.7)/2
 * ```
 */
export function imitationLoss(inputs: ImitationLossInputs): Scalar {
  const p = prepare('imitationLoss', inputs, []);
  if (p.check) p.rules.push(nonNegativeRule(p.weights, 'weights'));
  checkValues(p.rules);
  return weightedLogLikelihood(p);
}

/** The largest exponent taken in float32: e^88 ≈ 1.65e38 < FLT_MAX ≈ 3.40e38. */
const EXP_CAP = 88;

/** Options of {@link ppoClipLoss}. */
export interface PpoClipLossInputs extends LossInputs {
  /** Per-token log-probs under the policy that sampled the data (no gradient), float32 [R, T]. */
  oldLogProbs: Tensor;
  /**
   * The trust region: ratios are clipped to [1 − clipEpsilon, 1 + clipEpsilonHigh].
   * @defaultValue `0.2`
   */
  clipEpsilon?: number;
  /**
   * The upper clip (DAPO's "clip-higher" uses 0.28 with clipEpsilon 0.2).
   * @defaultValue `clipEpsilon`
   */
  clipEpsilonHigh?: number;
  /**
   * Coefficient β of the KL penalty to the reference policy; 0 disables it.
   * @defaultValue `0`
   */
  klCoef?: number;
  /** Per-token log-probs under the reference policy (no gradient), float32 [R, T]; needed when klCoef > 0. */
  refLogProbs?: Tensor;
  /**
   * Per-token KL estimator with x = log π_ref − log π: `'k1'` = −x (its gradient has zero expectation
   * on-policy, so as a loss term it only adds noise; offered for parity), `'k3'` = eˣ − x − 1 (≥ 0,
   * unbiased for KL(π‖π_ref), GRPO's choice).
   * @defaultValue `'k3'`
   */
  klEstimator?: 'k1' | 'k3';
}

/**
 * PPO's clipped surrogate with per-sequence advantages w_s (e.g. k-sample weights, as Tang et al.
 * combine them with PPO), plus an optional per-token KL penalty to a reference policy:
 *
 * ℓ_{s,t} = −min(ρ w_s, clip(ρ, 1 − ε_low, 1 + ε_high) w_s) + β·KL_t,  ρ = exp(lp − oldLp),
 *
 * summed with the chosen normalisation. The gradient with respect to `logProbs` is
 * −ν m w_s ρ on tokens inside the trust region or on its "wrong" side (w > 0 with ρ < 1 − ε, w < 0
 * with ρ > 1 + ε) and exactly 0 where the clip is active, plus β ν m ∂KL. At ρ = 1 and β = 0 it equals
 * the gradient of {@link policyGradientLoss}.
 *
 * @example
 * ```ts
 * // logProbs, mask, weights as in policyGradientLoss's example; row 0's ratios are e^-0.3, 1, e^0.3.
 * const oldLogProbs = tf.add(logProbs, tf.tensor2d([[0.3, 0, -0.3], [0, 0, 0], [0, 0, 0], [0, 0, 0]]));
 * const { value, grad } = tf.valueAndGrad((lp) =>
 *   ppoClipLoss({ logProbs: lp, oldLogProbs, weights, mask, normalize: 'sum' }))(logProbs);
 * value.dataSync(); // Float32Array [-0.4704091]
 * grad.arraySync(); // [[-0.3704091, -0.5, 0], [0.5, 0.5, 0], [0, 0, 0], [0, 0, 0]]
 * //                                    ^ ρ = e^0.3 > 1.2 with w > 0: clipped, gradient 0
 * // With the KL penalty: ppoClipLoss({ ..., klCoef: 0.04, refLogProbs, klEstimator: 'k3' }).
 * ```
 */
export function ppoClipLoss(inputs: PpoClipLossInputs): Scalar {
  const p = prepare('ppoClipLoss', inputs, [
    'oldLogProbs',
    'clipEpsilon',
    'clipEpsilonHigh',
    'klCoef',
    'refLogProbs',
    'klEstimator',
  ]);
  const o = inputs;
  const old = prepareSibling(p, o.oldLogProbs, 'oldLogProbs');
  const epsLow = o.clipEpsilon === undefined ? 0.2 : checkFiniteNumber(o.clipEpsilon, 'clipEpsilon');
  if (!(epsLow > 0 && epsLow < 1)) throw new DomainError('clipEpsilon', `clipEpsilon must be in (0, 1) (got ${epsLow})`);
  const epsHigh = o.clipEpsilonHigh === undefined ? epsLow : checkFiniteNumber(o.clipEpsilonHigh, 'clipEpsilonHigh');
  if (!(epsHigh > 0)) throw new DomainError('clipEpsilonHigh', `clipEpsilonHigh must be > 0 (got ${epsHigh})`);
  const klCoef = o.klCoef === undefined ? 0 : checkFiniteNumber(o.klCoef, 'klCoef');
  if (klCoef < 0) throw new DomainError('klCoef', `klCoef must be ≥ 0 (got ${klCoef})`);
  const klEstimator = checkChoice(o.klEstimator, 'klEstimator', ['k1', 'k3'] as const, 'k3');
  let ref: Tensor | undefined;
  if (o.refLogProbs !== undefined) ref = prepareSibling(p, o.refLogProbs, 'refLogProbs');
  if (klCoef > 0 && ref === undefined) {
    throw new InvalidArgumentError('refLogProbs', `refLogProbs is needed when klCoef > 0 (got klCoef=${klCoef})`);
  }
  const useKl = klCoef > 0 && ref !== undefined;
  // Exponents that would overflow float32 (e^x > 3.4e38 for x > 88.72): only a ratio with w < 0 (the
  // unclipped side) or the k3 KL can reach the loss with such an exponent. check: true names the token;
  // without the check both exponents are capped at EXP_CAP (a ratio with w ≥ 0 is clipped there anyway).
  const guards: Tensor[] = [];
  if (p.check) {
    guards.push(
      tidy(() => {
        const live = p.mask === undefined ? undefined : cast(p.mask, 'bool');
        const x = sub(p.logProbs, old);
        const negRow = less(weightColumn(p), scalar(0));
        const keep = live === undefined ? negRow : logicalAnd(live, negRow);
        return where(keep, x, zerosLike(x));
      }),
    );
    p.rules.push(
      upperBoundRule(
        guards[0] as Tensor,
        'logProbs',
        EXP_CAP,
        'logProbs − oldLogProbs must be ≤ 88 on a sequence with a negative weight (the PPO ratio exp(logProbs − oldLogProbs) overflows float32)',
      ),
    );
    if (useKl && klEstimator === 'k3') {
      guards.push(
        tidy(() => {
          const x = sub(ref as Tensor, p.logProbs);
          return p.mask === undefined ? x : where(cast(p.mask, 'bool'), x, zerosLike(x));
        }),
      );
      p.rules.push(
        upperBoundRule(
          guards[1] as Tensor,
          'refLogProbs',
          EXP_CAP,
          'refLogProbs − logProbs must be ≤ 88 for the k3 KL (e^x − x − 1 overflows float32)',
        ),
      );
    }
  }
  try {
    checkValues(p.rules);
  } finally {
    for (const g of guards) g.dispose();
  }

  const op = customGrad((lp: Tensor | GradSaveFunc, save: Tensor | GradSaveFunc) => {
    const logProbs = lp as Tensor;
    // The forward pass keeps what the gradient needs: ν·m, the ratio, where the clip is active, the
    // weights column and (k3) expm1(x). The gradient itself is only computed when asked for.
    const [value, kept] = tidy(() => {
      const { scale, maskF } = tokenScale(p);
      const w = weightColumn(p);
      const live = maskF === undefined ? undefined : cast(maskF, 'bool');
      const safe = (t: Tensor) => (live === undefined ? t : where(live, t, zerosLike(t)));
      const lpS = safe(logProbs);
      // Capped exponent: e^88 < FLT_MAX, so ρ·w is finite and a zero weight contributes exactly 0
      // (an uncapped ρ = ∞ would make 0·∞ = NaN).
      const ratio = exp(minimum(sub(lpS, safe(old)), scalar(EXP_CAP)));
      // min(ρw, clip(ρ)w) takes the clipped term exactly when the clip is active on the side that
      // would push ρ further out: w > 0 with ρ > 1 + ε_high, or w < 0 with ρ < 1 − ε_low. There the
      // term is constant in lp and the gradient is 0.
      // Per row that is sign(w)·ρ > c with c = 1 + ε_high (w > 0), −(1 − ε_low) (w < 0), +∞ (w = 0):
      // two broadcast ops over [R, T] instead of five boolean ones (slow on the wasm backend).
      // (Not tf.sign: on the wasm backend it returns 0 for |w| below ~1e-7.)
      const pos = greater(w, scalar(0));
      const neg1 = less(w, scalar(0));
      const threshold = where(pos, fill(w.shape, 1 + epsHigh), where(neg1, fill(w.shape, -(1 - epsLow)), fill(w.shape, Infinity)));
      const signW = where(pos, fill(w.shape, 1), where(neg1, fill(w.shape, -1), fill(w.shape, 0)));
      const active = greater(mul(ratio, signW), threshold);
      const objective = mul(where(active, clipByValue(ratio, 1 - epsLow, 1 + epsHigh), ratio), w);
      let perToken = neg(objective);
      let ex: Tensor | undefined;
      if (useKl) {
        const x = sub(safe(ref as Tensor), lpS);
        const beta = scalar(klCoef);
        if (klEstimator === 'k1') {
          perToken = sub(perToken, mul(beta, x));
        } else {
          // e^x − x − 1 as expm1(x) − x: no cancellation for small x, where the policy is near the
          // reference; the max with 0 only absorbs float32 rounding (the exact value is ≥ 0).
          ex = expm1(minimum(x, scalar(EXP_CAP)));
          perToken = add(perToken, mul(beta, maximum(sub(ex, x), scalar(0))));
        }
      }
      const kept = ex === undefined ? [scale, ratio, active, w] : [scale, ratio, active, w, ex];
      return [sum(mul(scale, perToken)), kept] as const;
    });
    (save as GradSaveFunc)(kept);
    for (const t of kept) t.dispose();
    return {
      value: value as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) =>
        tidy(() => {
          const [scale, ratio, active, w, ex] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
          // d/dlp of −ρw is −ρw (ρ = e^{lp − old}); of β·k1 = −β·x is β; of β·k3 is β(1 − e^x) = −β·expm1(x).
          let d = where(active, zerosLike(ratio), neg(mul(ratio, w)));
          if (useKl) d = add(d, klEstimator === 'k1' ? scalar(klCoef) : mul(scalar(-klCoef), ex as Tensor));
          return mul(dy, mul(scale, d));
        }),
    };
  });
  return op(p.logProbs);
}
