/**
 * The public estimators as data, for the table-driven argument-name test and the fuzz suite: each
 * entry lists its positional arguments (name, kind, a valid value on a 6-sample batch of two groups
 * of 3) and how to call it, so a test can break exactly one argument and know which name the error
 * must carry. Also the hostile values of every bad-input class.
 */
import {
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  bonRlBinaryAdvantage,
  chenPassAtKAdvantage,
  grpoAdvantage,
  logFailAtK,
  majorityAnswer,
  majorityAtK,
  majorityVoteAdvantage,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  rlooAdvantage,
} from '../../src/index.js';

/** What an argument holds; decides which bad-input classes apply to it. */
export type ArgKind = 'binary' | 'finite' | 'answers' | 'probs' | 'int';

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** A valid value (arrays: 6 samples, two groups of 3 when batched). */
  readonly valid: unknown;
}

export interface FnSpec {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** Whether it takes an options object at all, and which layout / output options. */
  readonly opts: 'none' | 'batched' | 'ties-only';
  /** The length of `out` when batched with groupSize 3 (0: no out option). */
  readonly outLength: number;
  /** Whether it takes `backend` (kernels run on the chosen backend). */
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
    name: 'passAtKAdvantage',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => passAtKAdvantage(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'chenPassAtKAdvantage',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => chenPassAtKAdvantage(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'bonRlBinaryAdvantage',
    args: [
      { name: 'rewards', kind: 'binary', valid: BIN },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => bonRlBinaryAdvantage(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'maxAtK',
    args: [
      { name: 'g', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 2,
    backend: true,
    call: (x, o) => maxAtK(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'maxAtKAdvantage',
    args: [
      { name: 'g', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => maxAtKAdvantage(a(x, 0), a(x, 1), o as never),
  },
  {
    name: 'grpoAdvantage',
    args: [{ name: 'rewards', kind: 'finite', valid: REAL }],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => grpoAdvantage(a(x, 0), o as never),
  },
  {
    name: 'rlooAdvantage',
    args: [{ name: 'rewards', kind: 'finite', valid: REAL }],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => rlooAdvantage(a(x, 0), o as never),
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
    name: 'majorityVoteAdvantage',
    args: [
      { name: 'answers', kind: 'answers', valid: ANSWERS },
      { name: 'rewards', kind: 'finite', valid: ANSWER_REWARDS },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => majorityVoteAdvantage(a(x, 0), a(x, 1), a(x, 2), o as never),
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
    name: 'bestOfNAdvantage',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'rewards', kind: 'finite', valid: REAL },
      { name: 'k', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
    backend: true,
    call: (x, o) => bestOfNAdvantage(a(x, 0), a(x, 1), a(x, 2), o as never),
  },
  {
    name: 'bestOfNDistillationWeights',
    args: [
      { name: 'scores', kind: 'finite', valid: SCORES },
      { name: 'N', kind: 'int', valid: 2 },
    ],
    opts: 'batched',
    outLength: 6,
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

/** Bad `out` options for a function whose batched output has `length` values and first array `first`. */
export function badOuts(length: number): (BadValue & { readonly aliasFirst?: boolean })[] {
  return [
    { label: 'out "garbage"', value: () => 'garbage' },
    { label: 'out a plain array', value: () => new Array(length).fill(0) },
    { label: 'out a Float32Array', value: () => new Float32Array(length) },
    { label: 'out of the wrong length', value: () => new Float64Array(length + 1) },
    { label: 'out detached', value: () => detachedFloat64(length) },
  ];
}
