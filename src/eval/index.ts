/**
 * inference-aware-rl/eval: aggregations for eval frameworks that run each case several times
 * ("trials", "repeat", "epochs"). Each function takes one case's trial scores — `boolean[]`, `number[]`
 * or `{ answer, score }[]` — and returns the unbiased estimate from all n trials with a confidence
 * interval, instead of the naive "any of n" / "all of n" rule, which is biased for every k < n.
 *
 * The intervals treat the n trials of the case as independent draws with one success probability p
 * (binary scores): Clopper–Pearson bounds on p (exact, conservative), mapped through the metric's
 * monotone function of p (1 − (1 − p)^k for pass@k, p^k for pass^k), widened to contain the unbiased
 * estimate when it falls just outside (e.g. pass@k = 1 once n − c < k). maj@k and the mean of continuous
 * scores use a jackknife / t interval, stated in `interval.method`.
 *
 * @packageDocumentation
 * @module inference-aware-rl/eval
 */
import { DomainError, InvalidArgumentError, show } from '../errors.js';
import { passAtK } from '../estimators/pass-at-k.js';
import { passHatK } from '../estimators/pass-hat-k.js';
import { majorityAtK } from '../estimators/majority-vote.js';
import { checkChoice, checkInteger, checkOptions } from '../validate.js';
import { clopperPearson, meanInterval, tQuantile } from './stats.js';

export { InferenceAwareRLError, InvalidArgumentError, DomainError } from '../errors.js';

/** One trial's outcome: pass/fail, a number (0/1, or any score with `threshold`), or an answer with its score. */
export type TrialScore = boolean | number | { answer?: string | number | null; score: number | boolean };

/** How an interval was computed. */
export type IntervalMethod = 'clopper-pearson' | 'jackknife-t' | 't';

/** A two-sided confidence interval. */
export interface TrialInterval {
  lower: number;
  upper: number;
  /** The confidence level, e.g. 0.95. */
  level: number;
  method: IntervalMethod;
}

/** An estimate from one case's trials. */
export interface TrialEstimate {
  /** The unbiased estimate from all n trials. */
  value: number;
  /** Trials used. */
  n: number;
  /** The budget k (1 for {@link trialsMean}). */
  k: number;
  /** Passing trials (binary metrics), else `null`. */
  passed: number | null;
  /** `null` when it cannot be computed (e.g. a jackknife needs n ≥ k + 1, a t interval n ≥ 2). */
  interval: TrialInterval | null;
}

/** Options of the trial aggregations. */
export interface TrialOptions {
  /**
   * Confidence level of the interval, in (0, 1).
   * @defaultValue `0.95`
   */
  level?: number;
  /**
   * Count a numeric score as a pass when score ≥ threshold. Without it, numeric scores must be 0 or 1
   * for the binary metrics (pass@k, pass^k), so a 0.7 is an error rather than a silent guess.
   */
  threshold?: number;
}

const KEYS = ['level', 'threshold'] as const;

function checkLevel(level: unknown, fn: string): number {
  if (level === undefined) return 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new DomainError('opts.level', `opts.level of ${fn} must be a number in (0, 1) (got ${show(level)})`);
  }
  return level;
}

function scoreOf(t: unknown, i: number, fn: string): number {
  const v = t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as { score?: unknown }).score : t;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new InvalidArgumentError(
    'trials',
    `trials of ${fn} must be booleans, finite numbers or { answer, score } objects (got ${show(v)} at index ${i})`,
  );
}

function checkTrials(trials: unknown, fn: string): readonly unknown[] {
  if (!Array.isArray(trials)) throw new InvalidArgumentError('trials', `trials of ${fn} must be an array (got ${show(trials)})`);
  if (trials.length === 0) throw new DomainError('trials', `trials of ${fn} must not be empty`);
  for (let i = 0; i < trials.length; i++) {
    if (!(i in trials)) throw new InvalidArgumentError('trials', `trials of ${fn} must not have holes (got a hole at index ${i})`);
  }
  return trials;
}

/** 0/1 outcomes of binary metrics: booleans, 0/1 numbers, or score ≥ threshold. */
function binaryOutcomes(trials: readonly unknown[], threshold: number | undefined, fn: string): number {
  let passed = 0;
  for (let i = 0; i < trials.length; i++) {
    const s = scoreOf(trials[i], i, fn);
    if (threshold !== undefined) passed += s >= threshold ? 1 : 0;
    else if (s === 0 || s === 1) passed += s;
    else {
      throw new DomainError(
        'trials',
        `trials of ${fn} must be pass/fail (true/false or 0/1) unless opts.threshold is given (got ${show(s)} at index ${i})`,
      );
    }
  }
  return passed;
}

function checkThreshold(t: unknown, fn: string): number | undefined {
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new InvalidArgumentError('opts.threshold', `opts.threshold of ${fn} must be a finite number (got ${show(t)})`);
  }
  return t;
}

function checkK(k: unknown, n: number): number {
  const kk = checkInteger(k, 'k', 1);
  if (kk > n) throw new DomainError('k', `k must be ≤ n, the number of trials (got k=${kk}, n=${n})`);
  return kk;
}

/**
 * Unbiased pass@k of one case — the probability that at least one of k fresh trials passes —
 * from its n ≥ k trials: 1 − C(n−c, k)/C(n, k) (Chen et al. 2021, arXiv 2107.03374), with a
 * Clopper–Pearson interval on p mapped through 1 − (1 − p)^k.
 *
 * @example
 * ```ts
 * trialsPassAtK([true, false, false, true, false], 2);
 * // { value: 0.7, n: 5, k: 2, passed: 2, interval: { lower: 0.10…, upper: 0.98…, level: 0.95, method: 'clopper-pearson' } }
 * trialsPassAtK([0.9, 0.2, 0.75], 1, { threshold: 0.5 }).value; // 2/3
 * ```
 */
export function trialsPassAtK(trials: readonly TrialScore[], k: number, opts?: TrialOptions): TrialEstimate {
  const fn = 'trialsPassAtK';
  checkOptions(opts, fn, KEYS);
  const level = checkLevel(opts?.level, fn);
  const arr = checkTrials(trials, fn);
  const c = binaryOutcomes(arr, checkThreshold(opts?.threshold, fn), fn);
  const n = arr.length;
  const kk = checkK(k, n);
  const [pl, pu] = clopperPearson(n, c, level);
  const f = (p: number): number => -Math.expm1(kk * Math.log1p(-p));
  const value = passAtK(n, c, kk);
  // The unbiased estimate can lie just outside the mapped bounds (it is 1 once n − c < k): widen to it.
  return { value, n, k: kk, passed: c, interval: { lower: Math.min(f(pl), value), upper: Math.max(f(pu), value), level, method: 'clopper-pearson' } };
}

/**
 * Unbiased pass^k of one case — the probability that all of k fresh trials pass (τ-bench's
 * reliability metric, Yao et al. 2024, arXiv 2406.12045) — from n ≥ k trials: C(c, k)/C(n, k), with a
 * Clopper–Pearson interval on p mapped through p^k.
 *
 * @example
 * ```ts
 * trialsPassHatK([true, true, false, true], 2).value; // C(3,2)/C(4,2) = 0.5
 * ```
 */
export function trialsPassHatK(trials: readonly TrialScore[], k: number, opts?: TrialOptions): TrialEstimate {
  const fn = 'trialsPassHatK';
  checkOptions(opts, fn, KEYS);
  const level = checkLevel(opts?.level, fn);
  const arr = checkTrials(trials, fn);
  const c = binaryOutcomes(arr, checkThreshold(opts?.threshold, fn), fn);
  const n = arr.length;
  const kk = checkK(k, n);
  const [pl, pu] = clopperPearson(n, c, level);
  const value = passHatK(n, c, kk);
  return { value, n, k: kk, passed: c, interval: { lower: Math.min(pl ** kk, value), upper: Math.max(pu ** kk, value), level, method: 'clopper-pearson' } };
}

/**
 * Mean score of one case's trials (pass rate for binary scores). Binary scores get a Clopper–Pearson
 * interval; other numbers a t interval (mean ± t·s/√n, needs n ≥ 2).
 *
 * @example
 * ```ts
 * trialsMean([true, false, true, true]).value; // 0.75
 * trialsMean([0.2, 0.4, 0.9]).interval?.method; // 't'
 * ```
 */
export function trialsMean(trials: readonly TrialScore[], opts?: Omit<TrialOptions, 'threshold'>): TrialEstimate {
  const fn = 'trialsMean';
  checkOptions(opts, fn, ['level']);
  const level = checkLevel(opts?.level, fn);
  const arr = checkTrials(trials, fn);
  const scores = arr.map((t, i) => scoreOf(t, i, fn));
  const n = scores.length;
  if (scores.every((s) => s === 0 || s === 1)) {
    const c = scores.reduce((a: number, b) => a + b, 0);
    const [lower, upper] = clopperPearson(n, c, level);
    return { value: c / n, n, k: 1, passed: c, interval: { lower, upper, level, method: 'clopper-pearson' } };
  }
  const m = meanInterval(scores, level);
  return { value: m.mean, n, k: 1, passed: null, interval: n < 2 ? null : { lower: m.lower, upper: m.upper, level, method: 't' } };
}

/** Options of {@link trialsMajAtK}. */
export interface TrialsMajAtKOptions {
  /**
   * Confidence level of the interval, in (0, 1).
   * @defaultValue `0.95`
   */
  level?: number;
  /**
   * `'split'`: a tie among the most frequent answers of k trials scores the mean of their scores;
   * `'fail'`: a tie scores 0.
   * @defaultValue `'split'`
   */
  ties?: 'split' | 'fail';
}

/**
 * Unbiased maj@k (self-consistency) of one case: the expected score of the most frequent answer among
 * k trials drawn without replacement from the n, averaged over all C(n, k) subsets in closed form (the
 * library's majorityAtK). Trials with a `null`/missing answer never win a vote. Every trial with the
 * same answer must carry the same score. The interval is a jackknife t interval (leave-one-trial-out
 * estimates, n − 1 degrees of freedom; needs n ≥ k + 1, else `null`).
 *
 * @example
 * ```ts
 * trialsMajAtK([
 *   { answer: '42', score: 1 },
 *   { answer: '41', score: 0 },
 *   { answer: '42', score: 1 },
 * ], 3).value; // 1: '42' wins every vote of all three
 * ```
 */
export function trialsMajAtK(
  trials: readonly { answer?: string | number | null; score: number | boolean }[],
  k: number,
  opts?: TrialsMajAtKOptions,
): TrialEstimate {
  const fn = 'trialsMajAtK';
  checkOptions(opts, fn, ['level', 'ties']);
  const level = checkLevel(opts?.level, fn);
  const ties = checkChoice(opts?.ties, 'opts.ties', ['split', 'fail'] as const, 'split');
  const arr = checkTrials(trials, fn);
  const answers = arr.map((t, i) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) {
      throw new InvalidArgumentError('trials', `trials of ${fn} must be { answer, score } objects (got ${show(t)} at index ${i})`);
    }
    const a = (t as { answer?: unknown }).answer;
    if (a === undefined || a === null || typeof a === 'string' || (typeof a === 'number' && Number.isFinite(a))) return a ?? null;
    throw new InvalidArgumentError('trials', `trials[${i}].answer of ${fn} must be a string, a finite number or null (got ${show(a)})`);
  });
  const scores = arr.map((t, i) => scoreOf(t, i, fn));
  const n = arr.length;
  const kk = checkK(k, n);
  const value = majorityAtK(answers, scores, kk, { ties });
  let interval: TrialInterval | null = null;
  if (n >= kk + 1) {
    // Jackknife variance of the U-statistic: (n−1)/n · Σ (θ₋ᵢ − θ̄)².
    const loo = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = answers.filter((_, j) => j !== i);
      const s = scores.filter((_, j) => j !== i);
      loo[i] = majorityAtK(a, s, kk, { ties });
    }
    let mean = 0;
    for (const x of loo) mean += x / n;
    let ss = 0;
    for (const x of loo) ss += (x - mean) ** 2;
    const se = Math.sqrt(((n - 1) / n) * ss);
    const t = tQuantile((1 + level) / 2, n - 1);
    interval = { lower: value - t * se, upper: value + t * se, level, method: 'jackknife-t' };
  }
  return { value, n, k: kk, passed: null, interval };
}
