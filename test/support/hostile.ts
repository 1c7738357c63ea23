/**
 * The public estimators as data, for the table-driven argument-name test and the fuzz suite: each
 * entry lists its positional arguments (name, kind, a valid value on a 6-sample batch of two groups
 * of 3) and how to call it, so a test can break exactly one argument and know which name the error
 * must carry. Also the hostile values of every bad-input class.
 */
import {
  bestOfNWeights,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  bonRlBinaryWeights,
  chenPassAtKWeights,
  grpoWeights,
  logFailAtK,
  majorityAnswer,
  majorityAtK,
  majorityVoteWeights,
  maxAtK,
  maxAtKWeights,
  passAtK,
  passAtKWeights,
  rlooWeights,
  passHatK,
  logPassHatK,
  passHatKOfRewards,
  passHatKWeights,
  orderStatisticAtK,
  orderStatisticWeights,
  orderStatisticAlpha,
  kSampleAtK,
  kSampleWeights,
  bestOfNSftWeights,
  bonRlSelectedWeights,
  mixAdvantages,
  kSchedule,
  majorityPseudoRewards,
} from '../../src/index.js';
import { trialsMajAtK, trialsMean, trialsPassAtK, trialsPassHatK } from '../../src/eval/index.js';

/** What an argument holds; decides which bad-input classes apply to it. */
export type ArgKind =
  | 'binary'
  | 'finite'
  | 'answers'
  | 'probs'
  | 'int'
  /** One finite value per group (e.g. an expert score per prompt). */
  | 'perGroup'
  /** Rank weights of an order statistic: a preset name or a length-k array. */
  | 'alpha'
  /** A user callback (a subset objective). */
  | 'function'
  /** mixAdvantages terms: { weight, advantages, scale }[]. */
  | 'terms'
  /** kSchedule phases: { k, steps }[]. */
  | 'phases'
  /** Eval trial scores: booleans or 0/1 numbers. */
  | 'trials'
  /** Eval trial scores: booleans or any finite numbers. */
  | 'scoreTrials'
  /** Eval trial scores with answers: { answer, score }[]. */
  | 'answerTrials';

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** A valid value (arrays: 6 samples, two groups of 3 when batched). */
  readonly valid: unknown;
}

export interface FnSpec {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /**
   * Whether it takes an options object at all, and which layout / output options: `'batched'` (layout,
   * `out`), `'unbatched'` (`out` but no layout), `'plain'` (options, no `out`), `'ties-only'`, `'none'`.
   */
  readonly opts: 'none' | 'batched' | 'ties-only' | 'unbatched' | 'plain';
  /** Options every valid call needs (e.g. the failure probabilities of bonRlSelectedWeights), given its arguments. */
  readonly baseOpts?: (args: readonly unknown[]) => Record<string, unknown>;
  /** Further bad options of this function, each with the option it must name. */
  readonly badOptions?: readonly (BadValue & { readonly argument: string })[];
  /**
   * The arguments of a call in which `input` is an input array, for the `out`-aliasing row (default:
   * `input` replaces the first per-sample array); null when no input array can alias `out`.
   */
  readonly aliasArgs?: ((input: Float64Array) => unknown[]) | null;
  /** Valid arguments without a layout (one group), when they differ from `valid`. */
  readonly unbatchedArgs?: readonly unknown[];
  /** False when k (or N) larger than a group is valid (no "k > n" row). */
  readonly kAboveN?: boolean;
  /** True for count metrics (n, c, k) with the c > n / k > n / array rows. */
  readonly counts?: boolean;
  /** True when −Infinity is a documented result (a log of a probability that is exactly 0). */
  readonly logResult?: boolean;
  /** The length of `out` when batched with groupSize 3 (0: no out option). */
  readonly outLength: number;
  /** True for per-sample weight estimators: `out` may also be a Float32Array (weights rounded to float32). */
  readonly float32Out?: boolean;
  /**
   * Whether its kernels run on the chosen backend. (Every estimator accepts `backend`; those without
   * kernels check the name and run the same code on every backend: test/unit/option-coverage.test.ts.)
   */
  readonly backend: boolean;
  /** Valid options besides the layout (e.g. none). */
  readonly call: (args: readonly unknown[], opts: unknown) => unknown;
}

const BIN = [1, 0, 0, 1, 1, 0];
const REAL = [0.1, 0.5, 0.3, 0.9, 0.2, 0.7];
const SCORES = [0.3, 0.1, 0.8, 0.4, 0.4, 0.2];
const ANSWERS = ['a', 'b', 'a', 'c', 'c', 'd'];
const ANSWER_REWARDS = [1, 0, 1, 0, 0, 1];
const PROBS = [0.2, 0.3, 0.5, 0.1, 0.6, 0.3];

const a = (args: readonly unknown[], i: number): never => args[i] as never;

/** A symmetric subset objective (the mean of (i mod 5) / 4 over the subset), finite for every subset. */
const SUBSET_MEAN = (I: readonly number[]): number => (I.length === 0 ? 0 : I.reduce((s, i) => s + (i % 5) / 4, 0) / I.length);
const TERMS = [
  { weight: 0.5, advantages: REAL, scale: 'sum' },
  { weight: 0.5, advantages: SCORES, scale: 'sum' },
];
const TRIALS = [true, false, 1, 0, true, true];
const ANSWER_TRIALS = ANSWERS.map((answer, i) => ({ answer, score: ANSWER_REWARDS[i]! }));
const TRIAL_OPTIONS: readonly (BadValue & { readonly argument: string })[] = [
  { label: 'level 1', argument: 'opts.level', value: () => ({ level: 1 }) },
  { label: 'threshold NaN', argument: 'opts.threshold', value: () => ({ threshold: NaN }) },
];

/** The length of an array argument (`fallback` when it has none). */
function lengthOf(value: unknown, fallback: number): number {
  const length = (value as { length?: unknown } | null)?.length;
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 && length <= 1000 ? length : fallback;
}

/** Every public estimator function of the core. */
export const FUNCTIONS: readonly FnSpec[] = [
  {
    name: 'passAtK',
    args: [
      { name: 'n', kind: 'int', valid: 8 },
      { name: 'c', kind: 'int', valid: 3 },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    call: (x) => passAtK(a(x, 0), a(x, 1), a(x, 2)),
  },
  {
    name: 'logFailAtK',
    args: [
      { name: 'n', kind: 'int', valid: 8 },
      { name: 'c', kind: 'int', valid: 3 },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    call: (x) => logFailAtK(a(x, 0), a(x, 1), a(x, 2)),
  },
  {
    name: 'passAtKWeights',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => passAtKWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'chenPassAtKWeights',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => chenPassAtKWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'bonRlBinaryWeights',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => bonRlBinaryWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'maxAtK',
    args: [
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => maxAtK(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'maxAtKWeights',
    args: [
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => maxAtKWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'grpoWeights',
    args: [{ name: 'rewards', kind: 'finite', valid: REAL }],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => grpoWeights(a(x, 0), o as never),
  },
  {
    name: 'rlooWeights',
    args: [{ name: 'rewards', kind: 'finite', valid: REAL }],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => rlooWeights(a(x, 0), o as never),
  },
  {
    name: 'majorityAtK',
    args: [
      { name: 'answers', kind: 'answers', valid: ANSWERS },
      { name: 'rewards', kind: 'finite', valid: ANSWER_REWARDS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: false,
    call: (x, o) => majorityAtK(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'majorityVoteWeights',
    args: [
      { name: 'answers', kind: 'answers', valid: ANSWERS },
      { name: 'rewards', kind: 'finite', valid: ANSWER_REWARDS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => majorityVoteWeights(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'majorityAnswer',
    args: [{ name: 'answers', kind: 'answers', valid: ANSWERS }],
    opts: 'ties-only',
    outLength: 0,
    backend: false,
    call: (x, o) => majorityAnswer(a(x, 0), o as never),
  },
  {
    name: 'bestOfNAtK',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => bestOfNAtK(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bestOfNWeights',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => bestOfNWeights(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bestOfNDistillationWeights',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => bestOfNDistillationWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'bestOfNDistribution',
    args: [
      { name: 'probs', kind: 'probs', valid: PROBS },
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => bestOfNDistribution(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bestOfNKL',
    args: [
      { name: 'probs', kind: 'probs', valid: PROBS },
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => bestOfNKL(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'passHatK',
    args: [
      { name: 'n', kind: 'int', valid: 8 },
      { name: 'c', kind: 'int', valid: 3 },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    counts: true,
    call: (x) => passHatK(a(x, 0), a(x, 1), a(x, 2)),
  },
  {
    name: 'logPassHatK',
    args: [
      { name: 'n', kind: 'int', valid: 8 },
      { name: 'c', kind: 'int', valid: 3 },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    counts: true,
    logResult: true,
    call: (x) => logPassHatK(a(x, 0), a(x, 1), a(x, 2)),
  },
  {
    name: 'passHatKOfRewards',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => passHatKOfRewards(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'passHatKWeights',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    call: (x, o) => passHatKWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'orderStatisticAtK',
    args: [
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
      { name: 'alpha', kind: 'alpha', valid: 'median' },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => orderStatisticAtK(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'orderStatisticWeights',
    args: [
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
      { name: 'alpha', kind: 'alpha', valid: 'max' },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    badOptions: [
      { label: 'alphaLoo1 with a preset', argument: 'opts.alphaLoo1', value: () => ({ groupSize: 3, alphaLoo1: [1] }) },
      { label: 'alphaLoo1 a BigInt64Array', argument: 'opts.alphaLoo1', value: () => ({ groupSize: 3, alphaLoo1: BigInt64Array.of(1n) }) },
    ],
    call: (x, o) => orderStatisticWeights(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'orderStatisticAlpha',
    args: [
      { name: 'alpha', kind: 'alpha', valid: 'top-2' },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    call: (x) => orderStatisticAlpha(a(x, 0), a(x, 1)),
  },
  {
    name: 'kSampleAtK',
    args: [
      { name: 'n', kind: 'int', valid: 6 },
      { name: 'k', kind: 'int', valid: 2 },
      { name: 'f', kind: 'function', valid: SUBSET_MEAN },
    ],
    opts: 'batched',
    outLength: 2,
    backend: false,
    aliasArgs: null,
    badOptions: [
      { label: 'maxSubsets 2**53', argument: 'opts.maxSubsets', value: () => ({ groupSize: 3, maxSubsets: 2 ** 53 }) },
      { label: 'samples 1', argument: 'opts.samples', value: () => ({ groupSize: 3, maxSubsets: 0, samples: 1 }) },
      { label: 'seed -1', argument: 'opts.seed', value: () => ({ groupSize: 3, seed: -1 }) },
    ],
    call: (x, o) => kSampleAtK(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'kSampleWeights',
    args: [
      { name: 'n', kind: 'int', valid: 6 },
      { name: 'k', kind: 'int', valid: 2 },
      { name: 'f', kind: 'function', valid: SUBSET_MEAN },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: true,
    aliasArgs: null,
    badOptions: [
      { label: 'samples 1.5', argument: 'opts.samples', value: () => ({ groupSize: 3, maxSubsets: 0, samples: 1.5 }) },
      { label: 'maxSubsets "all"', argument: 'opts.maxSubsets', value: () => ({ groupSize: 3, maxSubsets: 'all' }) },
    ],
    call: (x, o) => kSampleWeights(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bestOfNSftWeights',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'expertScores', kind: 'perGroup', valid: [0.35, 0.3] },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    float32Out: true,
    backend: false,
    kAboveN: false,
    unbatchedArgs: [SCORES, [0.35], 2],
    badOptions: [
      { label: 'expertOut "garbage"', argument: 'opts.expertOut', value: () => ({ groupSize: 3, expertOut: 'garbage' }) },
      { label: 'expertOut detached', argument: 'opts.expertOut', value: () => ({ groupSize: 3, expertOut: detachedFloat64(2) }) },
      { label: 'expertOut of the wrong length', argument: 'opts.expertOut', value: () => ({ groupSize: 3, expertOut: new Float64Array(3) }) },
      {
        label: 'expertOut sharing memory with out',
        argument: 'opts.expertOut',
        value: () => {
          const buffer = new Float64Array(8);
          return { groupSize: 3, out: buffer.subarray(0, 6), expertOut: buffer.subarray(5, 7) };
        },
      },
      { label: 'estimator "mle"', argument: 'opts.estimator', value: () => ({ groupSize: 3, estimator: 'mle' }) },
    ],
    call: (x, o) => bestOfNSftWeights(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bonRlSelectedWeights',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'unbatched',
    outLength: 6,
    float32Out: true,
    backend: false,
    baseOpts: (args) => ({ failureProbs: Array.from({ length: lengthOf(args[0], 6) }, () => 0.5) }),
    badOptions: [
      { label: 'failureProbs with a NaN', argument: 'opts.failureProbs', value: () => ({ failureProbs: [0.5, NaN, 0.5, 0.5, 0.5, 0.5] }) },
      { label: 'failureProbs a BigInt64Array', argument: 'opts.failureProbs', value: () => ({ failureProbs: BigInt64Array.of(0n, 0n, 0n, 0n, 0n, 0n) }) },
      { label: 'failureProbs detached', argument: 'opts.failureProbs', value: () => ({ failureProbs: detachedFloat64(6) }) },
      { label: 'failureProbs of length 5', argument: 'opts.failureProbs', value: () => ({ failureProbs: [0.5, 0.5, 0.5, 0.5, 0.5] }) },
      { label: 'failures 2.5', argument: 'opts.failures', value: () => ({ failures: [0, 2.5, 2, 0, 0, 2] }) },
      { label: 'neither failureProbs nor failures', argument: 'opts.failureProbs', value: () => ({}) },
      {
        label: 'out aliasing failureProbs',
        argument: 'opts.out',
        value: () => {
          const p = Float64Array.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
          return { failureProbs: p, out: p };
        },
      },
    ],
    call: (x, o) => bonRlSelectedWeights(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'mixAdvantages',
    args: [{ name: 'terms', kind: 'terms', valid: TERMS }],
    opts: 'unbatched',
    outLength: 6,
    float32Out: true,
    backend: false,
    aliasArgs: (input) => [[{ weight: 1, advantages: input, scale: 'sum' }]],
    call: (x, o) => mixAdvantages(a(x, 0), o as never),
  },
  {
    name: 'kSchedule',
    args: [
      { name: 'phases', kind: 'phases', valid: [{ k: 8, steps: 3 }, { k: 1 }] },
      { name: 'step', kind: 'int', valid: 4 },
    ],
    opts: 'none',
    outLength: 0,
    backend: false,
    call: (x) => kSchedule(a(x, 0))(a(x, 1)),
  },
  {
    name: 'majorityPseudoRewards',
    args: [{ name: 'answers', kind: 'answers', valid: ANSWERS }],
    opts: 'batched',
    outLength: 6,
    backend: false,
    badOptions: [
      { label: 'vote "most"', argument: 'opts.vote', value: () => ({ groupSize: 3, vote: 'most' }) },
      { label: 'ties "coin"', argument: 'opts.ties', value: () => ({ groupSize: 3, ties: 'coin' }) },
      { label: 'extraVotes a BigInt64Array', argument: 'opts.extraVotes', value: () => ({ groupSize: 3, extraVotes: BigInt64Array.of(1n, 2n) }) },
      { label: 'extraVotes with a NaN', argument: 'opts.extraVotes', value: () => ({ groupSize: 3, extraVotes: ['a', NaN] }) },
      {
        label: 'extraVoteOffsets [0, 2**32 + 1, 2]',
        argument: 'opts.extraVoteOffsets',
        value: () => ({ groupSize: 3, extraVotes: ['a', 'b'], extraVoteOffsets: [0, 2 ** 32 + 1, 2] }),
      },
      { label: 'extraVoteOffsets [0, 1]', argument: 'opts.extraVoteOffsets', value: () => ({ groupSize: 3, extraVotes: ['a', 'b'], extraVoteOffsets: [0, 1] }) },
      { label: 'trueRewards with a 0.5', argument: 'opts.trueRewards', value: () => ({ groupSize: 3, trueRewards: [1, 0.5, 0, 1, 1, 0] }) },
      { label: 'trueRewards detached', argument: 'opts.trueRewards', value: () => ({ groupSize: 3, trueRewards: detachedFloat64(6) }) },
      { label: 'trueRewards of length 5', argument: 'opts.trueRewards', value: () => ({ groupSize: 3, trueRewards: [1, 0, 0, 1, 1] }) },
      {
        label: 'out aliasing trueRewards',
        argument: 'opts.out',
        value: () => {
          const t = Float64Array.of(1, 0, 0, 1, 1, 0);
          return { groupSize: 3, trueRewards: t, out: t };
        },
      },
    ],
    call: (x, o) => majorityPseudoRewards(a(x, 0), o as never),
  },
  {
    name: 'trialsPassAtK',
    args: [
      { name: 'trials', kind: 'trials', valid: TRIALS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'plain',
    outLength: 0,
    backend: false,
    badOptions: TRIAL_OPTIONS,
    call: (x, o) => trialsPassAtK(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'trialsPassHatK',
    args: [
      { name: 'trials', kind: 'trials', valid: TRIALS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'plain',
    outLength: 0,
    backend: false,
    badOptions: TRIAL_OPTIONS,
    call: (x, o) => trialsPassHatK(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'trialsMean',
    args: [{ name: 'trials', kind: 'scoreTrials', valid: TRIALS }],
    opts: 'plain',
    outLength: 0,
    backend: false,
    badOptions: [TRIAL_OPTIONS[0]!],
    call: (x, o) => trialsMean(a(x, 0), o as never),
  },
  {
    name: 'trialsMajAtK',
    args: [
      { name: 'trials', kind: 'answerTrials', valid: ANSWER_TRIALS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'plain',
    outLength: 0,
    backend: false,
    badOptions: [TRIAL_OPTIONS[0]!, { label: 'ties "coin"', argument: 'opts.ties', value: () => ({ ties: 'coin' }) }],
    call: (x, o) => trialsMajAtK(a(x, 0), a(x, 1), o as never),
  },
];

/** A Float64Array whose buffer has been detached (transferred away). */
export function detachedFloat64(length = 6): Float64Array {
  const view = new Float64Array(length);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

/** One bad value of a class, with the error class name it must raise (any typed error when undefined). */
export interface BadValue {
  readonly label: string;
  readonly value: () => unknown;
  /** The argument the error must name, when not the argument itself (e.g. `terms[0].weight`). */
  readonly argument?: string;
}

/** Bad values for an array argument of `kind` (every one must be refused naming the argument). */
export function badArrays(kind: ArgKind): BadValue[] {
  const common: BadValue[] = [
    { label: 'a number', value: () => 3 },
    { label: 'null', value: () => null },
    { label: 'a string', value: () => 'abc' },
    { label: 'a DataView', value: () => new DataView(new ArrayBuffer(48)) },
    { label: 'a BigInt64Array', value: () => BigInt64Array.of(1n, 0n, 0n, 1n, 1n, 0n) },
    { label: 'a detached Float64Array', value: () => detachedFloat64() },
    { label: 'an array-like of length 2**31', value: () => ({ length: 2 ** 31 }) },
    { label: 'an array-like of length 2**32 + 6', value: () => ({ length: 2 ** 32 + 6 }) },
    { label: 'an array-like of length 1.5', value: () => ({ length: 1.5 }) },
    { label: 'an array-like of length -1', value: () => ({ length: -1 }) },
  ];
  if (kind === 'function') {
    return [
      { label: 'a number', value: () => 3 },
      { label: 'null', value: () => null },
      { label: 'a string', value: () => 'max' },
      { label: 'an object', value: () => ({}) },
      { label: 'returning NaN', value: () => () => NaN },
      { label: 'returning a string', value: () => () => '1' },
      { label: 'throwing', value: () => () => { throw new Error('boom'); } },
    ];
  }
  if (kind === 'terms') {
    const term = (patch: Record<string, unknown>): unknown[] => [{ weight: 0.5, advantages: REAL, scale: 'sum', ...patch }];
    return [
      ...common,
      { label: 'an empty array', value: () => [] },
      { label: 'a null term', argument: 'terms[0]', value: () => [null] },
      { label: 'a Map term', argument: 'terms[0]', value: () => [new Map([['weight', 1]])] },
      { label: 'a term with an unknown key', argument: 'terms[0].wieght', value: () => term({ wieght: 1 }) },
      { label: 'a NaN weight', argument: 'terms[0].weight', value: () => term({ weight: NaN }) },
      { label: 'no scale', argument: 'terms[0].scale', value: () => term({ scale: undefined }) },
      { label: 'advantages with a NaN', argument: 'terms[0].advantages', value: () => term({ advantages: [0, NaN, 0, 0, 0, 0] }) },
      { label: 'advantages with a string', argument: 'terms[0].advantages', value: () => term({ advantages: [0, '1', 0, 0, 0, 0] }) },
      { label: 'advantages a BigInt64Array', argument: 'terms[0].advantages', value: () => term({ advantages: BigInt64Array.of(1n) }) },
      { label: 'advantages detached', argument: 'terms[0].advantages', value: () => term({ advantages: detachedFloat64() }) },
      { label: 'advantages of length 2**31', argument: 'terms[0].advantages', value: () => term({ advantages: { length: 2 ** 31 } }) },
    ];
  }
  if (kind === 'phases') {
    return [
      ...common,
      { label: 'an empty array', value: () => [] },
      { label: 'a null phase', argument: 'phases[0]', value: () => [null] },
      { label: 'a Map phase', argument: 'phases[0]', value: () => [new Map([['k', 1]])] },
      { label: 'a phase with an unknown key', argument: 'phases[0].step', value: () => [{ k: 2, step: 3 }, { k: 1 }] },
      { label: 'k 1.5', argument: 'phases[0].k', value: () => [{ k: 1.5 }] },
      { label: 'k 2**53', argument: 'phases[0].k', value: () => [{ k: 2 ** 53 }] },
      { label: 'steps missing before the last phase', argument: 'phases[0].steps', value: () => [{ k: 2 }, { k: 1 }] },
      { label: 'steps 2**53', argument: 'phases[0].steps', value: () => [{ k: 2, steps: 2 ** 53 }, { k: 1 }] },
      {
        label: 'steps summing beyond 2**53',
        argument: 'phases[1].steps',
        value: () => [{ k: 2, steps: 2 ** 52 }, { k: 1, steps: 2 ** 52 }, { k: 1 }],
      },
    ];
  }
  if (kind === 'trials' || kind === 'scoreTrials' || kind === 'answerTrials') {
    const bad = kind !== 'answerTrials' ? [true, NaN, 0, 1] : [{ answer: 'a', score: 1 }, { answer: 'b', score: NaN }];
    return [
      ...common,
      { label: 'an empty array', value: () => [] },
      { label: 'a NaN score', value: () => bad },
      { label: 'a string score', value: () => (kind !== 'answerTrials' ? [1, '0', 0] : [{ answer: 'a', score: '1' }]) },
      { label: 'a hole', value: () => (kind !== 'answerTrials' ? [1, , 0] : [{ answer: 'a', score: 1 }, , { answer: 'a', score: 1 }]) }, // eslint-disable-line no-sparse-arrays
      { label: 'a Float64Array', value: () => Float64Array.of(1, 0, 1) },
      ...(kind === 'answerTrials'
        ? [
            { label: 'a NaN answer', value: () => [{ answer: NaN, score: 1 }, { answer: 'a', score: 1 }] },
            { label: 'a bare score', value: () => [1, 0] },
          ]
        : kind === 'trials'
          ? [{ label: 'a 0.5 score without threshold', value: () => [1, 0.5, 0] }]
          : []),
    ];
  }
  if (kind === 'alpha') {
    return [
      ...common.filter((b) => b.label !== 'a string'),
      { label: 'an unknown preset', value: () => 'maxx' },
      { label: "'top-0'", value: () => 'top-0' },
      { label: "'cvar-2'", value: () => 'cvar-2' },
      { label: 'a NaN weight', value: () => [0.5, NaN] },
      { label: 'a string weight', value: () => [0.5, '0.5'] },
      { label: 'an Infinity weight (typed)', value: () => Float64Array.of(Infinity, 0) },
      { label: 'weights of length 3 (k = 2)', value: () => [0.2, 0.3, 0.5] },
    ];
  }
  if (kind === 'answers') {
    return [...common, { label: 'a NaN answer', value: () => ['a', NaN, 'a', 'c', 'c', 'd'] }, { label: 'an object answer', value: () => ['a', {}, 'a', 'c', 'c', 'd'] }];
  }
  const elements: BadValue[] = [
    { label: 'a NaN element', value: () => [1, NaN, 0, 1, 1, 0] },
    { label: 'an Infinity element (typed)', value: () => Float64Array.of(1, Infinity, 0, 1, 1, 0) },
    { label: 'a string element', value: () => [1, '0', 0, 1, 1, 0] },
    { label: 'a hole', value: () => [1, , 0, 1, 1, 0] }, // eslint-disable-line no-sparse-arrays
    { label: 'a boolean element', value: () => [1, true, 0, 1, 1, 0] },
  ];
  const domain: BadValue[] =
    kind === 'binary'
      ? [{ label: 'a 0.5 reward', value: () => [1, 0.5, 0, 1, 1, 0] }]
      : kind === 'probs'
        ? [
            { label: 'a negative probability', value: () => [0.2, -0.3, 1.1, 0.1, 0.6, 0.3] },
            { label: 'probabilities summing to 2', value: () => [0.4, 0.6, 1, 0.2, 1.2, 0.6] },
          ]
        : [];
  return [...common, ...elements, ...domain];
}

/** Bad values for an integer argument. */
export const BAD_INTEGERS: readonly BadValue[] = [
  { label: '1.5', value: () => 1.5 },
  { label: 'NaN', value: () => NaN },
  { label: 'Infinity', value: () => Infinity },
  { label: '"2"', value: () => '2' },
  { label: '-1', value: () => -1 },
  { label: '2**53', value: () => 2 ** 53 },
  { label: '1e300', value: () => 1e300 },
  { label: '2n', value: () => 2n },
];

/** Bad `opts` objects (as a whole). */
export const BAD_OPTS: readonly BadValue[] = [
  { label: 'a Map', value: () => new Map([['groupSize', 3]]) },
  { label: 'a string', value: () => 'yes' },
  { label: 'an array', value: () => [3] },
  { label: 'null', value: () => null },
  { label: 'a Date', value: () => new Date(0) },
  { label: 'a number', value: () => 5 },
];

/** Bad layout options, each with the option it must name. */
export const BAD_LAYOUTS: readonly (BadValue & { readonly argument: string })[] = [
  { label: 'groupSize 0', argument: 'opts.groupSize', value: () => ({ groupSize: 0 }) },
  { label: 'groupSize 1.5', argument: 'opts.groupSize', value: () => ({ groupSize: 1.5 }) },
  { label: 'groupSize 2**53', argument: 'opts.groupSize', value: () => ({ groupSize: 2 ** 53 }) },
  { label: 'groupSize 4 (does not divide 6)', argument: 'opts.groupSize', value: () => ({ groupSize: 4 }) },
  { label: 'groupSize "3"', argument: 'opts.groupSize', value: () => ({ groupSize: '3' }) },
  { label: 'groupOffsets [0, 2**31, 6]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, 2 ** 31, 6] }) },
  { label: 'groupOffsets [0, 2**32 + 3, 6]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, 2 ** 32 + 3, 6] }) },
  { label: 'groupOffsets [0, -2**32 + 3, 6]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, -(2 ** 32) + 3, 6] }) },
  { label: 'groupOffsets [0, 3, 3, 6] (empty group)', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, 3, 3, 6] }) },
  { label: 'groupOffsets [1, 6]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [1, 6] }) },
  { label: 'groupOffsets [0, 5]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, 5] }) },
  { label: 'groupOffsets [0, 1.5, 6]', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: [0, 1.5, 6] }) },
  { label: 'groupOffsets "0,3,6"', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: '0,3,6' }) },
  { label: 'groupOffsets a BigInt64Array', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: BigInt64Array.of(0n, 3n, 6n) }) },
  { label: 'groupOffsets detached', argument: 'opts.groupOffsets', value: () => ({ groupOffsets: detachedFloat64(3) }) },
  { label: 'groupSize and groupOffsets', argument: 'opts.groupSize', value: () => ({ groupSize: 3, groupOffsets: [0, 3, 6] }) },
  { label: 'an unknown key', argument: 'opts.groupsize', value: () => ({ groupsize: 3 }) },
  { label: 'backend "gpu"', argument: 'opts.backend', value: () => ({ groupSize: 3, backend: 'gpu' }) },
];

/** A Float32Array whose buffer has been detached (transferred away). */
export function detachedFloat32(length = 6): Float32Array {
  const view = new Float32Array(length);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
}

/**
 * Bad `out` options for a function whose batched output has `length` values. `float32` (a weight
 * estimator, whose `out` may be a Float32Array) swaps the Float32Array row for bad Float32Arrays; every
 * other typed array (Int32Array, Float16Array where the runtime has it, …) is refused either way.
 */
export function badOuts(length: number, float32 = false): (BadValue & { readonly aliasFirst?: boolean })[] {
  const F16 = (globalThis as { Float16Array?: new (n: number) => unknown }).Float16Array;
  return [
    { label: 'out "garbage"', value: () => 'garbage' },
    { label: 'out a plain array', value: () => new Array(length).fill(0) },
    ...(float32
      ? [
          { label: 'out a Float32Array of the wrong length', value: () => new Float32Array(length + 1) },
          { label: 'out a detached Float32Array', value: () => detachedFloat32(length) },
        ]
      : [{ label: 'out a Float32Array', value: () => new Float32Array(length) }]),
    { label: 'out an Int32Array', value: () => new Int32Array(length) },
    { label: 'out a Uint8Array', value: () => new Uint8Array(length * 8) },
    { label: 'out a BigInt64Array', value: () => new BigInt64Array(length) },
    ...(F16 === undefined ? [] : [{ label: 'out a Float16Array', value: () => new F16(length) }]),
    { label: 'out of the wrong length', value: () => new Float64Array(length + 1) },
    { label: 'out detached', value: () => detachedFloat64(length) },
  ];
}
