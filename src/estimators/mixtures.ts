/**
 * Mixtures of k-sample objectives and k schedules. Gradient weights are linear in the objective, so
 * Σ_j λ_j w^(j) is an unbiased gradient estimate of Σ_j λ_j J_j when every w^(j) is unbiased for its J_j
 * and all use the same scale; PKPO (Walder & Karkhanis, arXiv 2505.15201) anneals k during training.
 * Math and the trade-off: docs/estimators/mixtures.md.
 */
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import { outputArray, viaFloat64, type WeightArray } from '../groups.js';
import { checkChoice, checkFiniteArray, checkFiniteNumber, checkInteger, checkOptions } from '../validate.js';
import type { WeightScale } from './weights.js';

/** One term of a mixture: λ_j and the weights w^(j) of objective J_j, with the scale they were computed at. */
export interface AdvantageTerm {
  /** λ_j: any finite number (negative λ subtracts an objective). */
  readonly weight: number;
  /** w^(j): per-sample weights, e.g. the output of `passAtKWeights` (same length for every term). */
  readonly advantages: ArrayLike<number>;
  /**
   * The scale the weights were computed with (`opts.scale` of the estimator). Every term must use the
   * same one: a 'sum' term mixed with a 'mean' term would weight one objective n times more than intended.
   */
  readonly scale: WeightScale;
}

/** Options of {@link mixAdvantages}. */
export interface MixAdvantagesOptions<Out extends WeightArray = WeightArray> {
  /**
   * Write the mixed weights here instead of allocating: a Float64Array, or a Float32Array that gets the
   * double-precision sum rounded once to float32 (a weight beyond float32's range is an error).
   */
  out?: Out;
}

/**
 * Σ_j λ_j w^(j): the per-sample weights of the mixture objective Σ_j λ_j J_j (e.g. (1 − λ)·pass@1 +
 * λ·pass@k, which keeps pass@1 from dropping while pass@k is pushed up). Each term declares its scale
 * and all must agree.
 *
 * @param terms - one or more {@link AdvantageTerm}s.
 * @example
 * ```ts
 * const g = [1, 1, 0, 0, 0, 0, 0, 0];
 * mixAdvantages([
 *   { weight: 0.5, advantages: passAtKWeights(g, 1), scale: 'sum' },
 *   { weight: 0.5, advantages: passAtKWeights(g, 4), scale: 'sum' },
 * ]); // Float64Array [0.1964…, 0.1964…, −0.0178…, …]
 * ```
 */
export function mixAdvantages<Out extends WeightArray = Float64Array>(
  terms: readonly AdvantageTerm[],
  opts?: MixAdvantagesOptions<Out>,
): Out {
  checkOptions(opts, 'mixAdvantages', ['out']);
  if (!Array.isArray(terms)) throw new InvalidArgumentError('terms', `terms must be an array of { weight, advantages, scale } (got ${show(terms)})`);
  if (terms.length === 0) throw new ShapeError('terms', 'terms must hold at least one term (got an empty array)');
  let length = -1;
  let scale: WeightScale | undefined;
  for (let j = 0; j < terms.length; j++) {
    const t = terms[j] as unknown;
    const name = `terms[${j}]`;
    if (t === null || typeof t !== 'object') throw new InvalidArgumentError(name, `${name} must be { weight, advantages, scale } (got ${show(t)})`);
    checkOptions(t, 'mixAdvantages', ['weight', 'advantages', 'scale'], name);
    const term = t as AdvantageTerm;
    checkFiniteNumber(term.weight, `${name}.weight`);
    if (term.scale === undefined) {
      throw new InvalidArgumentError(`${name}.scale`, `${name}.scale is required: 'sum' or 'mean' (got undefined)`);
    }
    const s = checkChoice(term.scale, `${name}.scale`, ['sum', 'mean'] as const, 'sum');
    if (scale !== undefined && s !== scale) {
      throw new InvalidArgumentError(
        `${name}.scale`,
        `every term must use the same scale (got '${scale}' for terms[0] and '${s}' for ${name}): recompute one with opts.scale`,
      );
    }
    scale = s;
    const a = checkFiniteArray(term.advantages, `${name}.advantages`);
    if (length >= 0 && a.length !== length) {
      throw new ShapeError(`${name}.advantages`, `every term must have the same length (got ${length} for terms[0] and ${a.length} for ${name})`);
    }
    length = a.length;
  }
  const out = outputArray(
    opts?.out,
    length,
    terms.map((t, j) => [`terms[${j}].advantages`, t.advantages] as const),
    'opts.out',
    true,
  );
  viaFloat64(out, undefined, (sum) => {
    sum.fill(0);
    for (let j = 0; j < terms.length; j++) {
      const { weight, advantages } = terms[j] as AdvantageTerm;
      for (let i = 0; i < length; i++) sum[i] = (sum[i] as number) + weight * (advantages[i] as number);
    }
  });
  return out as Out;
}

/** One phase of a k schedule: use `k` for `steps` training steps (the last phase may omit `steps`: forever). */
export interface KPhase {
  /** The inference budget during this phase (integer ≥ 1). */
  readonly k: number;
  /** How many steps the phase lasts (integer ≥ 1); omit on the last phase only. */
  readonly steps?: number;
}

/**
 * A piecewise-constant k schedule: returns `k(step)` for training steps 0, 1, 2, …. PKPO anneals
 * k_opt = 8 → 1: optimise pass@8 first (exploration: weights spread over more samples), then pass@1 to
 * cash in the single-sample accuracy.
 *
 * @param phases - the phases in order; every phase but the last needs `steps`.
 * @example
 * ```ts
 * const kAt = kSchedule([{ k: 8, steps: 300 }, { k: 1 }]);
 * kAt(0); // 8
 * kAt(299); // 8
 * kAt(300); // 1
 * ```
 */
export function kSchedule(phases: readonly KPhase[]): (step: number) => number {
  if (!Array.isArray(phases)) throw new InvalidArgumentError('phases', `phases must be an array of { k, steps } (got ${show(phases)})`);
  if (phases.length === 0) throw new ShapeError('phases', 'phases must hold at least one phase (got an empty array)');
  const ends: number[] = [];
  const ks: number[] = [];
  let end = 0;
  for (let j = 0; j < phases.length; j++) {
    const p = phases[j] as unknown;
    const name = `phases[${j}]`;
    if (p === null || typeof p !== 'object') throw new InvalidArgumentError(name, `${name} must be { k, steps } (got ${show(p)})`);
    checkOptions(p, 'kSchedule', ['k', 'steps'], name);
    const phase = p as KPhase;
    ks.push(checkInteger(phase.k, `${name}.k`, 1));
    const last = j === phases.length - 1;
    if (phase.steps === undefined) {
      if (!last) throw new InvalidArgumentError(`${name}.steps`, `${name}.steps is required on every phase but the last (got undefined)`);
      end = Infinity;
    } else {
      end += checkInteger(phase.steps, `${name}.steps`, 1);
      if (end > Number.MAX_SAFE_INTEGER) {
        throw new DomainError(
          `${name}.steps`,
          `${name}.steps must keep the schedule's length ≤ 2^53 − 1 (got a total of ${end} steps through ${name})`,
        );
      }
    }
    ends.push(end);
  }
  return (step: number): number => {
    const s = checkInteger(step, 'step', 0);
    for (let j = 0; j < ends.length; j++) if (s < (ends[j] as number)) return ks[j] as number;
    throw new DomainError('step', `step must be < ${ends[ends.length - 1]}, the end of the last phase (got step=${s})`);
  };
}
