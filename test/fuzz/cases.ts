/**
 * The fuzz suite's case generator (fast-check): a call to one public estimator on a random batch
 * (ragged groups, ties, 0/1 or real values, every option value), then zero to two hostile mutations
 * from the bad-input classes of test/support/hostile.ts (wrong array types, BigInt and detached
 * arrays, absurd lengths, non-finite or non-number elements, unsafe counts, bad opts, bad layouts,
 * offsets beyond 2^31, bad option values, a bad or aliased `out`). `runCase` calls it and classifies
 * the outcome.
 */
import fc from 'fast-check';
import { InferenceAwareRLError } from '../../src/index.js';
import { BAD_INTEGERS, BAD_LAYOUTS, BAD_OPTS, badArrays, badOuts, FUNCTIONS, type FnSpec } from '../support/hostile.js';

/** One generated call: the function, its positional arguments and its options (all built lazily). */
export interface FuzzCase {
  readonly fn: FnSpec;
  readonly args: unknown[];
  readonly opts: Record<string, unknown> | unknown;
  /** What was done to the valid call, for the failure report. */
  readonly mutations: string[];
}

/** Option values (valid and not) per option name. */
const OPTION_VALUES: Record<string, readonly unknown[]> = {
  baseline: ['none', 'loo', 'loo-pkpo', 'loo-1', 'lo1', 3],
  scale: ['sum', 'mean', 'max'],
  ties: ['split', 'fail', 'coin'],
  sampling: ['without-replacement', 'with-replacement', 'both'],
  normalize: ['std', 'none', 'z'],
  ddof: [0, 1, 2, '1'],
  eps: [0, 1e-6, 1e-4, -1, NaN, Infinity],
  zeroVarianceRtol: [0, 2 ** -50, 1e-3, -1, 1, NaN],
  oneSampleGroups: ['error', 'zero-mean-unit-std', 'unit'],
  coefficient: ['unbiased', 'plug-in', 'exact'],
  sumTolerance: [1e-9, 1e-3, -1, 2, NaN],
  alphaLoo1: [[1], [0.5, 0.5], [NaN]],
  maxSubsets: [0, 10, 10_000, -1, 2 ** 53],
  samples: [2, 50, 1, 2.5],
  seed: [0, 7, 2 ** 32 + 1, -1],
  estimator: ['self-normalised', 'jackknife', 'unbiased', 'mle'],
  'baseline:sft': ['none', 'centred', 'loo'],
  form: ['binary', 'positive', 'negative'],
  vote: ['all', 'loo', 'most'],
  level: [0.9, 0.95, 0, 1, NaN],
  threshold: [0.5, 0, NaN, Infinity],
};

/** The options each function accepts besides layout, out and backend (`key:pool` draws key's values from pool). */
const OPTION_KEYS: Record<string, readonly string[]> = {
  passAtKWeights: ['baseline', 'scale'],
  chenPassAtKWeights: [],
  bonRlBinaryWeights: ['baseline', 'coefficient', 'scale'],
  maxAtK: [],
  maxAtKWeights: ['baseline', 'scale'],
  grpoWeights: ['normalize', 'ddof', 'eps', 'zeroVarianceRtol', 'oneSampleGroups'],
  rlooWeights: [],
  majorityAtK: ['ties'],
  majorityVoteWeights: ['baseline', 'scale', 'ties'],
  majorityAnswer: ['ties'],
  bestOfNAtK: [],
  bestOfNWeights: ['baseline', 'scale'],
  bestOfNDistillationWeights: ['sampling'],
  bestOfNDistribution: ['sumTolerance'],
  bestOfNKL: ['sumTolerance'],
  passHatK: [],
  logPassHatK: [],
  passHatKOfRewards: [],
  passHatKWeights: ['baseline', 'scale'],
  orderStatisticAtK: [],
  orderStatisticWeights: ['baseline', 'scale', 'alphaLoo1'],
  orderStatisticAlpha: [],
  kSampleAtK: ['maxSubsets', 'samples', 'seed'],
  kSampleWeights: ['baseline', 'scale', 'maxSubsets', 'samples', 'seed'],
  bestOfNSftWeights: ['estimator', 'baseline:sft'],
  bonRlSelectedWeights: ['form'],
  mixAdvantages: [],
  kSchedule: [],
  majorityPseudoRewards: ['vote', 'ties'],
  trialsPassAtK: ['level', 'threshold'],
  trialsPassHatK: ['level', 'threshold'],
  trialsMean: ['level'],
  trialsMajAtK: ['level', 'ties'],
};

/** The option name of an OPTION_KEYS entry (`baseline:sft` → `baseline`). */
const keyOf = (entry: string): string => entry.split(':')[0]!;

const ALPHA_PRESETS = ['max', 'min', 'mean', 'median', 'top-2', 'cvar-0.5', 'trimmed-mean-0.25', 'upper-0.5'];
const PER_SAMPLE = new Set(['binary', 'finite', 'answers', 'probs']);

const ANSWER_POOL = ['a', 'b', 'c', 1, 2, null, undefined];

/** A random valid-shaped batch: group sizes, then values per argument kind. */
const batch = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
  bits: fc.array(fc.constantFrom(0, 1), { minLength: 32, maxLength: 32 }),
  reals: fc.array(
    fc.oneof(
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constantFrom(0, 1, 0.5, 0.1 + 0.2, 0.3, -1),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    ),
    { minLength: 32, maxLength: 32 },
  ),
  weights: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 32, maxLength: 32 }),
  answers: fc.array(fc.integer({ min: 0, max: ANSWER_POOL.length - 1 }), { minLength: 32, maxLength: 32 }),
  typed: fc.boolean(),
  layout: fc.constantFrom('offsets', 'size', 'none'),
  k: fc.integer({ min: 0, max: 10 }),
  optionPicks: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  backendPick: fc.constantFrom('js', 'wasm', undefined),
});

/** A hostile mutation, applied to (args, opts); returns its label. */
type Mutation = (c: { fn: FnSpec; args: unknown[]; opts: Record<string, unknown> }, pick: number) => string;

const MUTATIONS: readonly Mutation[] = [
  // An array argument replaced by a bad one.
  ({ fn, args }, pick) => {
    const arrays = fn.args.map((a, i) => [a, i] as const).filter(([a]) => a.kind !== 'int');
    if (arrays.length === 0) return 'none';
    const [spec, i] = arrays[pick % arrays.length]!;
    const bads = badArrays(spec.kind);
    const bad = bads[Math.floor(pick / arrays.length) % bads.length]!;
    args[i] = bad.value();
    return `${spec.name} = ${bad.label}`;
  },
  // An integer argument replaced by a bad or extreme one.
  ({ fn, args }, pick) => {
    const ints = fn.args.map((a, i) => [a, i] as const).filter(([a]) => a.kind === 'int');
    if (ints.length === 0) return 'none';
    const [spec, i] = ints[pick % ints.length]!;
    const pool = [...BAD_INTEGERS.map((b) => b.value), () => 2 ** 31, () => 2 ** 32 + 1, () => Number.MAX_SAFE_INTEGER, () => 0, () => 100];
    const value = pool[Math.floor(pick / ints.length) % pool.length]!();
    args[i] = value;
    return `${spec.name} = ${String(value)}`;
  },
  // opts as a whole replaced.
  (c, pick) => {
    const bad = BAD_OPTS[pick % BAD_OPTS.length]!;
    (c as { opts: unknown }).opts = bad.value();
    return `opts = ${bad.label}`;
  },
  // A bad layout.
  ({ opts }, pick) => {
    const bad = BAD_LAYOUTS[pick % BAD_LAYOUTS.length]!;
    delete opts.groupSize;
    delete opts.groupOffsets;
    Object.assign(opts, bad.value());
    return bad.label;
  },
  // A bad out.
  ({ fn, opts }, pick) => {
    const bads = badOuts(Math.max(fn.outLength, 1), fn.float32Out === true);
    const bad = bads[pick % bads.length]!;
    opts.out = bad.value();
    return bad.label;
  },
  // A Float32Array out: valid for the weight estimators (refused by the others).
  ({ fn, args, opts }) => {
    if (fn.outLength === 0) return 'none';
    // A weight estimator's output has one value per element of its first per-sample array (n for kSampleAdvantage).
    const i = fn.args.findIndex((a) => PER_SAMPLE.has(a.kind));
    const terms = fn.args[0]?.kind === 'terms' ? (args[0] as { advantages?: unknown }[] | undefined)?.[0]?.advantages : undefined;
    const source = terms ?? (i < 0 ? args[0] : args[i]);
    const length = typeof source === 'number' ? source : (source as ArrayLike<unknown> | undefined)?.length;
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > 1e6) return 'none';
    (opts as Record<string, unknown>).out = new Float32Array(length);
    return 'out a Float32Array';
  },
  // out aliasing the first array argument.
  ({ fn, args, opts }) => {
    const i = fn.args.findIndex((a) => PER_SAMPLE.has(a.kind));
    if (i < 0) return 'none';
    const source = args[i];
    const aliasable =
      (Array.isArray(source) || (ArrayBuffer.isView(source) && !(source instanceof DataView) && !(source instanceof BigInt64Array))) &&
      (source as ArrayLike<unknown>).length <= 1000 &&
      !(ArrayBuffer.isView(source) && source.byteLength === 0);
    if (!aliasable) return 'none';
    const numeric = Float64Array.from(source as ArrayLike<unknown>, (v) => (typeof v === 'number' ? v : 1));
    args[i] = numeric;
    opts.out = numeric;
    return `out aliasing ${fn.args[i]!.name}`;
  },
  // An unknown option key or a bad option value.
  ({ fn, opts }, pick) => {
    const keys = OPTION_KEYS[fn.name] ?? [];
    if (keys.length === 0 || pick % 3 === 0) {
      const key = ['baselne', 'groupsize', 'k', 'ddof2', 'scal', 'fallbackToJS'][pick % 6]!;
      opts[key] = 1;
      return `unknown key ${key}`;
    }
    const entry = keys[pick % keys.length]!;
    const key = keyOf(entry);
    const values = OPTION_VALUES[entry]!;
    opts[key] = values[Math.floor(pick / keys.length) % values.length];
    return `${key} = ${String(opts[key])}`;
  },
];

/** The fuzz case arbitrary: a random valid call, then 0–2 mutations. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    fnIndex: fc.integer({ min: 0, max: FUNCTIONS.length - 1 }),
    data: batch,
    mutations: fc.array(fc.tuple(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), fc.nat({ max: 10_000 })), { maxLength: 2 }),
  })
  .map(({ fnIndex, data, mutations }) => {
    const fn = FUNCTIONS[fnIndex]!;
    const n = data.sizes.reduce((s, x) => s + x, 0);
    const offsets = [0];
    for (const s of data.sizes) offsets.push(offsets[offsets.length - 1]! + s);
    const pickTyped = (xs: number[]): number[] | Float64Array => (data.typed ? Float64Array.from(xs) : xs);
    const groups = data.layout === 'offsets' ? data.sizes.length : data.layout === 'size' ? Math.max(1, Math.floor(n / data.sizes[0]!)) : 1;
    const reals = data.reals;
    const args: unknown[] = fn.args.map((a) => {
      switch (a.kind) {
        case 'int':
          if (fn.opts === 'batched' && a.name === 'n') return n;
          return fn.opts === 'none' ? (a.name === 'n' ? 1 + data.k * 3 : a.name === 'c' ? data.k : Math.max(1, data.k - 2)) : data.k;
        case 'perGroup':
          return pickTyped(reals.slice(0, groups));
        case 'alpha': {
          const k = fn.opts === 'none' ? Math.max(1, data.k - 2) : data.k;
          return data.k % 9 === 8 ? data.weights.slice(0, k) : ALPHA_PRESETS[data.k % ALPHA_PRESETS.length];
        }
        case 'function':
          return (I: readonly number[]): number => (I.length === 0 ? 0 : I.reduce((s, i) => s + reals[i % 32]!, 0) / I.length);
        case 'terms':
          return [
            { weight: 0.5, advantages: pickTyped(reals.slice(0, n)), scale: 'sum' },
            { weight: -2, advantages: pickTyped(data.bits.slice(0, n)), scale: 'sum' },
          ];
        case 'phases':
          return [{ k: data.k + 1, steps: data.sizes[0]! }, { k: 1 }];
        case 'trials':
          return data.bits.slice(0, n).map((b, i) => (i % 2 === 0 ? b === 1 : b));
        case 'scoreTrials':
          return reals.slice(0, n);
        case 'answerTrials':
          return data.answers.slice(0, n).map((i, j) => ({ answer: ANSWER_POOL[i], score: data.bits[j] === 1 }));
        case 'binary':
          return pickTyped(data.bits.slice(0, n));
        case 'finite':
          return pickTyped(data.reals.slice(0, n));
        case 'answers':
          return data.answers.slice(0, n).map((i) => ANSWER_POOL[i]);
        case 'probs': {
          const w = data.weights.slice(0, n);
          const probs: number[] = [];
          data.sizes.forEach((size, b) => {
            const part = w.slice(offsets[b]!, offsets[b]! + size);
            const total = part.reduce((s, x) => s + x, 0);
            for (const x of part) probs.push(total > 0 ? x / total : 1 / size);
          });
          return pickTyped(probs);
        }
      }
    });
    // Majority vote: equal answers must carry equal rewards (otherwise a DomainError every time).
    if (fn.args[0]?.kind === 'answers' && fn.args[1] !== undefined) {
      const answers = args[0] as unknown[];
      args[1] = answers.map((a) => (a === 'a' || a === 1 ? 1 : a === 'b' ? 0.5 : 0));
    }
    const opts: Record<string, unknown> = {};
    if (fn.opts === 'batched') {
      if (data.layout === 'offsets') opts.groupOffsets = offsets;
      else if (data.layout === 'size') opts.groupSize = data.sizes[0];
    }
    if (fn.baseOpts !== undefined) Object.assign(opts, fn.baseOpts(args));
    if (fn.backend && data.backendPick !== undefined) opts.backend = data.backendPick;
    const keys = OPTION_KEYS[fn.name] ?? [];
    for (const [a, b] of data.optionPicks) {
      if (keys.length === 0) break;
      const entry = keys[a % keys.length]!;
      const valid = OPTION_VALUES[entry]!.filter((v) => isValidOption(entry, v));
      opts[keyOf(entry)] = valid[b % valid.length];
    }
    const c = { fn, args, opts: opts as unknown, mutations: [] as string[] };
    for (const [m, pick] of mutations) {
      // After `opts` itself was replaced by a non-object, the option mutations have nothing to edit.
      const plain = c.opts !== null && typeof c.opts === 'object' && Object.getPrototypeOf(c.opts) === Object.prototype;
      c.mutations.push(plain || m < 2 ? MUTATIONS[m]!(c as never, pick) : 'none');
    }
    if (fn.opts === 'none') (c as { opts: unknown }).opts = undefined;
    return c;
  });

function isValidOption(key: string, v: unknown): boolean {
  switch (key) {
    case 'baseline':
      return ['none', 'loo', 'loo-pkpo', 'loo-1'].includes(v as string);
    case 'ddof':
      return v === 0 || v === 1;
    case 'eps':
    case 'zeroVarianceRtol':
    case 'sumTolerance':
      return typeof v === 'number' && v >= 0 && v < 1;
    case 'alphaLoo1':
      return false;
    case 'maxSubsets':
    case 'seed':
      return Number.isSafeInteger(v) && (v as number) >= 0;
    case 'samples':
      return Number.isSafeInteger(v) && (v as number) >= 2;
    case 'baseline:sft':
      return v === 'none' || v === 'centred';
    case 'level':
      return typeof v === 'number' && v > 0 && v < 1;
    case 'threshold':
      return Number.isFinite(v);
    case 'estimator':
    case 'form':
    case 'vote':
      return !['mle', 'negative', 'most'].includes(v as string);
    default:
      return !['max', 'coin', 'both', 'z', 'unit', 'exact'].includes(v as string);
  }
}

/** The outcome of one call: a typed error (class and argument), or a result. */
export type Outcome =
  | { readonly kind: 'error'; readonly name: string; readonly argument: string; readonly message: string }
  | { readonly kind: 'untyped'; readonly message: string }
  | { readonly kind: 'value'; readonly value: unknown };

/** Calls `c` (on `backend`, overriding its own backend option when `opts` is an object). */
export function runCase(c: FuzzCase, backend: 'js' | 'wasm' | undefined): Outcome {
  let opts = c.opts;
  if (backend !== undefined && c.fn.backend && opts !== null && typeof opts === 'object' && Object.getPrototypeOf(opts) === Object.prototype) {
    const o = opts as Record<string, unknown>;
    // Keep a deliberately bad backend name (that is the case under test); otherwise pin the backend.
    if (o.backend === undefined || o.backend === 'js' || o.backend === 'wasm') opts = { ...o, backend };
    // out is shared between the two backend calls: give each call its own copy of a valid out.
    if (o.out instanceof Float64Array && !c.mutations.some((m) => m.startsWith('out aliasing'))) {
      (opts as Record<string, unknown>).out = new Float64Array(o.out.length);
    } else if (o.out instanceof Float32Array && o.out.byteLength > 0) {
      (opts as Record<string, unknown>).out = new Float32Array(o.out.length);
    }
  }
  try {
    return { kind: 'value', value: c.fn.call(c.args, opts) };
  } catch (e) {
    if (e instanceof InferenceAwareRLError) return { kind: 'error', name: e.name, argument: e.argument, message: e.message };
    return { kind: 'untyped', message: `${(e as Error)?.name}: ${(e as Error)?.message}` };
  }
}

/**
 * Why a result is not acceptable (a non-finite number, or a wrong type), or undefined. Result objects
 * (majorityAnswer, kSampleWeights, the eval functions, …) are checked field by field: every number
 * in them must be finite; strings, booleans and null are labels.
 */
export function badValue(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `non-finite ${value}`;
  if (value instanceof Float64Array || value instanceof Float32Array) {
    for (let i = 0; i < value.length; i++) if (!Number.isFinite(value[i]!)) return `non-finite ${value[i]} at ${i}`;
    return undefined;
  }
  if (depth > 0 && (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean')) return undefined;
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && depth < 4) {
    for (const [key, field] of Object.entries(value)) {
      const bad = badValue(field, depth + 1);
      if (bad !== undefined) return `${key}: ${bad}`;
    }
    return undefined;
  }
  return `unexpected result ${String(value)}`;
}

/** Norm-wise relative difference between two results (0 for identical). */
export function difference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  if ((a instanceof Float64Array && b instanceof Float64Array) || (a instanceof Float32Array && b instanceof Float32Array)) {
    if (a.length !== b.length) return Infinity;
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]!), Math.abs(b[i]!));
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    // Float32 results round values that agree to 1e-12 to float32: they may then differ by one float32 ulp.
    if (a instanceof Float32Array && worst <= 2 ** -23 * scale) return 0;
    return worst === 0 ? 0 : worst / scale;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !ArrayBuffer.isView(a) && !ArrayBuffer.isView(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    let worst = 0;
    for (const key of keys) worst = Math.max(worst, difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
    return worst;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? 0 : Infinity;
}

/** A short, never-throwing description of a case for failure reports. */
export function describeCase(c: FuzzCase): string {
  const show = (v: unknown): string => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof DataView) return 'DataView';
    if (ArrayBuffer.isView(v)) {
      const arr = v as unknown as ArrayLike<unknown>;
      const head: string[] = [];
      for (let i = 0; i < Math.min(arr.length, 8); i++) head.push(String(arr[i]));
      return `${v.constructor.name}(${arr.length})[${head.join(',')}]`;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { length?: unknown }).length === 'number') {
      return `{length: ${(v as { length: number }).length}}`;
    }
    if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
    if (v instanceof Map) return 'Map';
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
    return String(v);
  };
  return `${c.fn.name}(${c.args.map(show).join(', ')}, ${show(c.opts)}) after [${c.mutations.join('; ')}]`;
}
