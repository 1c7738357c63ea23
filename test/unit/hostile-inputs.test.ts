/**
 * One test per class of hostile input that used to give a hang, an untyped error, a silent default
 * or a silent wrong number: each reproduces the reported call and requires a typed error or the right
 * value. (The wasm memory classes are in test/backends/wasm-memory.test.ts; argument naming over every
 * function is test/unit/argument-names.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistribution,
  bestOfNDistillationWeights,
  bestOfNKL,
  bonRlBinaryAdvantage,
  chenPassAtKAdvantage,
  DomainError,
  getEstimator,
  grpoAdvantage,
  GRPO_PRESETS,
  InferenceAwareRLError,
  InvalidArgumentError,
  logFailAtK,
  majorityAtK,
  majorityVoteAdvantage,
  MAX_PASS_AT_K_TERMS,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  registerBackend,
  listBackends,
  rlooAdvantage,
  ShapeError,
  getBackend,
} from '../../src/index.js';
import { jsBackend } from '../../src/backends/js/index.js';

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): InferenceAwareRLError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InferenceAwareRLError);
  return error as InferenceAwareRLError;
}

const SIX = [0.1, 0.5, 0.3, 0.9, 0.2, 0.7];

/** Every estimator taking a 6-sample batch and opts, for the layout and aliasing classes. */
const BATCHED: { name: string; call: (opts: object, input?: Float64Array) => unknown }[] = [
  { name: 'passAtKAdvantage', call: (o, x) => passAtKAdvantage(x ?? [1, 0, 0, 1, 1, 0], 2, o) },
  { name: 'chenPassAtKAdvantage', call: (o, x) => chenPassAtKAdvantage(x ?? [1, 0, 0, 1, 1, 0], 2, o) },
  { name: 'bonRlBinaryAdvantage', call: (o, x) => bonRlBinaryAdvantage(x ?? [1, 0, 0, 1, 1, 0], 2, o) },
  { name: 'maxAtK', call: (o, x) => maxAtK(x ?? SIX, 2, o) },
  { name: 'maxAtKAdvantage', call: (o, x) => maxAtKAdvantage(x ?? SIX, 2, o) },
  { name: 'grpoAdvantage', call: (o, x) => grpoAdvantage(x ?? SIX, o) },
  { name: 'rlooAdvantage', call: (o, x) => rlooAdvantage(x ?? SIX, o) },
  { name: 'majorityAtK', call: (o, x) => majorityAtK(['a', 'b', 'a', 'c', 'c', 'd'], x ?? [1, 0, 1, 0, 0, 1], 2, o) },
  { name: 'majorityVoteAdvantage', call: (o, x) => majorityVoteAdvantage(['a', 'b', 'a', 'c', 'c', 'd'], x ?? [1, 0, 1, 0, 0, 1], 2, o) },
  { name: 'bestOfNAtK', call: (o, x) => bestOfNAtK([3, 1, 2, 1, 5, 4], x ?? SIX, 2, o) },
  { name: 'bestOfNAdvantage', call: (o, x) => bestOfNAdvantage([3, 1, 2, 1, 5, 4], x ?? SIX, 2, o) },
  { name: 'bestOfNDistillationWeights', call: (o, x) => bestOfNDistillationWeights(x ?? SIX, 2, o) },
  { name: 'bestOfNDistribution', call: (o, x) => bestOfNDistribution(x ?? [0.2, 0.3, 0.5, 0.1, 0.6, 0.3], SIX, 2, o) },
  { name: 'bestOfNKL', call: (o, x) => bestOfNKL(x ?? [0.2, 0.3, 0.5, 0.1, 0.6, 0.3], SIX, 2, o) },
];

describe('hangs: huge counts and offsets are refused before any work', () => {
  it('passAtK / logFailAtK with n = 2**53 or 1e300 throw DomainError naming n (they used to loop forever)', () => {
    for (const n of [2 ** 53, 1e300, 2 ** 60]) {
      expect(thrown(() => passAtK(n, 3, 5)).argument).toBe('n');
      expect(thrown(() => logFailAtK(n, 1, 1)).argument).toBe('n');
      expect(thrown(() => passAtK([8, n], 3, 5)).argument).toBe('n');
    }
  });

  it('passAtK is a closed form in min(c, k) terms on the whole safe range', () => {
    // n = 2^53 − 1 with small c or k: O(min(c, k)) terms, exact against the product formula.
    const n = Number.MAX_SAFE_INTEGER;
    expect(passAtK(n, 0, 5)).toBe(0);
    expect(passAtK(n, n - 2, 3)).toBe(1);
    const c = 3;
    const k = 10 ** 6;
    // log(1 − pass@k) = Σ_{i<c} log1p(−k/(n−i)) (n − i is exact: n is a safe integer).
    let expected = 0;
    for (let i = 0; i < c; i++) expected += Math.log1p(-k / (n - i));
    expect(logFailAtK(n, c, k) / expected).toBeCloseTo(1, 14);
    // Over the documented term limit and not trivially 0 or 1: refused (naming the smaller of c, k).
    const e = thrown(() => passAtK(2 ** 40, 2 ** 30, 2 ** 30));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toContain(String(MAX_PASS_AT_K_TERMS));
    // The trivial cases stay exact whatever the size.
    expect(passAtK(2 ** 40, 2 ** 39, 2 ** 39 + 1)).toBe(1);
    expect(logFailAtK(2 ** 40, 0, 2 ** 39)).toBe(0);
  });

  it('groupOffsets [0, 2**31, 6] and [0, 2**32 + 3, 6] throw ShapeError naming opts.groupOffsets in every estimator', () => {
    for (const f of BATCHED) {
      for (const groupOffsets of [[0, 2 ** 31, 6], [0, 2 ** 32 + 3, 6], [0, 2 ** 32, 2 ** 32 + 6], [0, 2 ** 53, 6]]) {
        const e = thrown(() => f.call({ groupOffsets }));
        expect(e, `${f.name} ${JSON.stringify(groupOffsets)}`).toBeInstanceOf(InferenceAwareRLError);
        expect(e.argument, `${f.name}: ${e.message}`).toBe('opts.groupOffsets');
      }
    }
  });
});

describe('untyped errors: BigInt arrays, detached buffers, absurd lengths, registerBackend(null)', () => {
  it('a BigInt64Array, a detached buffer or an array-like of length 2**31 is an InvalidArgumentError naming it', () => {
    const detached = new Float64Array(6);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    for (const bad of [BigInt64Array.of(1n, 0n, 1n, 0n, 0n, 1n), detached, { length: 2 ** 31 }]) {
      for (const call of [() => passAtKAdvantage(bad as never, 2), () => maxAtKAdvantage(bad as never, 2), () => grpoAdvantage(bad as never)]) {
        const e = thrown(call);
        expect(e).toBeInstanceOf(InvalidArgumentError);
      }
    }
    expect(thrown(() => passAtKAdvantage(detached, 2)).message).toMatch(/^rewards is a view of a detached ArrayBuffer/);
  });

  it('registerBackend(null) is an InvalidArgumentError, not a TypeError', () => {
    expect(thrown(() => registerBackend(null as never))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('accepted when it must throw', () => {
  it('opts given as a Map is refused (its entries would be ignored)', () => {
    for (const f of BATCHED) {
      const e = thrown(() => f.call(new Map([['groupSize', 3]])));
      expect(e.argument, f.name).toBe('opts');
      expect(e.message).toContain('a Map');
    }
  });

  it("majorityAtK unbatched with out: 'garbage' is refused", () => {
    expect(thrown(() => majorityAtK(['a', 'b'], [1, 0], 1, { out: 'garbage' as never })).argument).toBe('opts.out');
    const out = new Float64Array(1);
    expect(majorityAtK(['a', 'a', 'b'], [1, 1, 0], 1, { out })).toBeCloseTo(2 / 3, 15);
  });

  it("registerBackend refuses 'x', {}, a built-in name, an empty name and non-function kernels", () => {
    const before = listBackends();
    for (const bad of ['x', {}, { name: 'js', kernels: {} }, { name: 'wasm', kernels: {} }, { name: '', kernels: {} }, { name: 'b', kernels: { groupMoments: 'f' } }]) {
      expect(thrown(() => registerBackend(bad as never))).toBeInstanceOf(InvalidArgumentError);
    }
    expect(listBackends()).toEqual(before);
    // The built-in js backend was not replaced.
    expect(getBackend()).toBe(jsBackend);
    expect(maxAtKAdvantage([0.1, 0.7, 0.3], 2, { backend: 'js' })).toBeInstanceOf(Float64Array);
  });

  it("getEstimator('pass@k').metric refuses a 0.5 reward like its weights do", () => {
    for (const name of ['pass@k', 'chen-pass@k', 'bon-rl-binary'] as const) {
      const e = thrown(() => getEstimator(name).metric?.({ rewards: [1, 0.5, 0], k: 2 }));
      expect(e).toBeInstanceOf(DomainError);
      expect(e.argument).toBe('rewards');
    }
    expect(getEstimator('pass@k').metric?.({ rewards: [1, 0, 0, 1], k: 2 })).toBeCloseTo(5 / 6, 15);
  });
});

describe("out aliasing an input: one rule, refused everywhere", () => {
  it('grpoAdvantage / rlooAdvantage / maxAtKAdvantage with out = rewards near 1e308 throw instead of returning NaN', () => {
    const big = Float64Array.of(1e308, -1e308, 5e307, 1.7e308);
    for (const call of [
      () => grpoAdvantage(big, { out: big }),
      () => rlooAdvantage(big, { out: big }),
      () => maxAtKAdvantage(big, 2, { out: big }),
    ]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe('opts.out');
      expect(e.message).toMatch(/must not share memory with/);
    }
    // The input is untouched by the refused call.
    expect(Array.from(big)).toEqual([1e308, -1e308, 5e307, 1.7e308]);
  });

  it('every estimator refuses an out overlapping any of its array inputs (the same array, a subarray, an overlapping view)', () => {
    for (const f of BATCHED) {
      const buffer = new ArrayBuffer(8 * 12);
      const input = new Float64Array(buffer, 0, 6);
      input.set(f.name.startsWith('bestOfND') || f.name === 'bestOfNKL' ? [0.2, 0.3, 0.5, 0.1, 0.6, 0.3] : f.name.includes('ass') || f.name.startsWith('bonRl') ? [1, 0, 0, 1, 1, 0] : f.name.startsWith('majority') ? [1, 0, 1, 0, 0, 1] : SIX);
      const metric = ['maxAtK', 'majorityAtK', 'bestOfNAtK', 'bestOfNKL'].includes(f.name);
      const length = metric ? 2 : 6;
      for (const out of [new Float64Array(buffer, 0, length), new Float64Array(buffer, 8 * (6 - (metric ? 1 : 3)), length)]) {
        const e = thrown(() => f.call({ groupSize: 3, out }, input));
        expect(e.argument, `${f.name}: ${e.message}`).toBe('opts.out');
      }
      // Disjoint views of the same buffer are fine.
      expect(() => f.call({ groupSize: 3, out: new Float64Array(buffer, 48, length) }, input)).not.toThrow();
    }
  });
});

describe('Float32 probabilities: the sum-to-one tolerance follows the input precision', () => {
  it('bestOfNDistribution / bestOfNKL accept a Float32Array whose sum is 1 ± float32 rounding', () => {
    const probs = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const sum = probs.reduce((s, x) => s + x, 0);
    expect(Math.abs(sum - 1)).toBeGreaterThan(1e-9); // 1.0000000149…: refused before
    const scores = [1, 2, 3, 4];
    const asDoubles = Array.from(probs, (p) => p / sum);
    const d = bestOfNDistribution(probs, scores, 3);
    const ref = bestOfNDistribution(asDoubles, scores, 3);
    for (let i = 0; i < 4; i++) expect(d[i]).toBeCloseTo(ref[i]!, 14);
    expect(bestOfNKL(probs, scores, 3)).toBeCloseTo(bestOfNKL(asDoubles, scores, 3), 14);
    // A float32 array that really does not sum to one is still refused, and float64 keeps 1e-9.
    expect(thrown(() => bestOfNKL(Float32Array.from([0.5, 0.6]), [1, 2], 2)).argument).toBe('probs');
    expect(thrown(() => bestOfNKL([0.5, 0.5 + 2e-9], [1, 2], 2)).argument).toBe('probs');
    // The tolerance is an option.
    expect(bestOfNKL([0.5, 0.5 + 2e-9], [1, 2], 2, { sumTolerance: 1e-8 })).toBeGreaterThan(0);
  });
});

describe('rounding noise is not signal: GRPO zero variance within a few ulps', () => {
  it('grpoAdvantage([0.1 + 0.2, 0.3, 0.3, 0.3]) is all zeros (it was [1.732, 0, 0, 0])', () => {
    expect(Array.from(grpoAdvantage([0.1 + 0.2, 0.3, 0.3, 0.3]))).toEqual([0, 0, 0, 0]);
    expect(Array.from(grpoAdvantage([0.1 + 0.2, 0.3, 0.3, 0.3], { normalize: 'none' }))).toEqual([0, 0, 0, 0]);
    // In a batch, only the noisy group is zeroed.
    const w = grpoAdvantage([0.1 + 0.2, 0.3, 0.3, 1, 0, 1], { groupSize: 3 });
    expect(Array.from(w.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Math.abs(w[3]!)).toBeGreaterThan(0.5);
    // zeroVarianceRtol: 0 is exact equality (the old behaviour), for those who want it.
    expect(grpoAdvantage([0.1 + 0.2, 0.3, 0.3, 0.3], { zeroVarianceRtol: 0 })[0]).toBeGreaterThan(1);
  });

  it('a real spread far above rounding is normalised as before, at any magnitude', () => {
    for (const unit of [1, 1e-100, 1e100]) {
      const g = [1 * unit, (1 + 1e-12) * unit, 1 * unit];
      const w = grpoAdvantage(g);
      expect(w[1]).toBeCloseTo(2 / Math.sqrt(3), 3);
    }
    // Four ulps of 0.3 is the edge: 8 ulps is signal.
    const ulp = 2 ** -54;
    expect(grpoAdvantage([0.3 + 8 * 4 * ulp, 0.3, 0.3])[0]).toBeGreaterThan(1);
  });

  it('the verl preset reproduces verl on one-sample and zero-variance groups', () => {
    // verl/trainer/ppo/core_algos.py, compute_grpo_outcome_advantage: a group of one gets mean 0 and
    // std 1, so (r − 0)/(1 + 1e-6); a group of equal scores gets (r − mean)/(0 + 1e-6) = 0.
    const w = grpoAdvantage([0.7, 1, 1, 1, 1, 0], { ...GRPO_PRESETS.verl, groupOffsets: [0, 1, 4, 6] });
    expect(w[0]).toBe(0.7 / (1 + 1e-6));
    expect(Array.from(w.subarray(1, 4))).toEqual([0, 0, 0]);
    // (1 − 0.5)/(std([1, 0]) + 1e-6) with torch's std (ddof 1) = 0.7071…
    expect(w[4]).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-6), 14);
    expect(w[5]).toBeCloseTo(-0.5 / (Math.SQRT1_2 + 1e-6), 14);
    // normalize: 'none' (verl's norm_adv_by_std_in_grpo = False): r − 0 for the one-sample group.
    expect(grpoAdvantage([0.7, 1, 0], { ...GRPO_PRESETS.verl, normalize: 'none', groupOffsets: [0, 1, 3] })[0]).toBe(0.7);
  });

  it('the TRL preset refuses one-sample groups as TRL does, and gives zeros for zero variance', () => {
    // trl/trainer/grpo_config.py raises for num_generations < 2; (r − mean)/(std + 1e-4) = 0 for equal rewards.
    const e = thrown(() => grpoAdvantage([0.7, 1, 0], { ...GRPO_PRESETS.trl, groupOffsets: [0, 1, 3] }));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.argument).toBe('opts.ddof');
    expect(Array.from(grpoAdvantage([0.5, 0.5, 0.5, 1, 0, 1], { ...GRPO_PRESETS.trl, groupSize: 3 }).subarray(0, 3))).toEqual([0, 0, 0]);
  });

  it('bad values of the new options are typed errors', () => {
    expect(thrown(() => grpoAdvantage([1, 0], { zeroVarianceRtol: -1 })).argument).toBe('opts.zeroVarianceRtol');
    expect(thrown(() => grpoAdvantage([1, 0], { zeroVarianceRtol: NaN })).argument).toBe('opts.zeroVarianceRtol');
    expect(thrown(() => grpoAdvantage([1, 0], { oneSampleGroups: 'mean' as never })).argument).toBe('opts.oneSampleGroups');
  });
});

describe('integers the kernels take as 32-bit values', () => {
  it('bestOfNDistillationWeights with replacement refuses N ≥ 2^31 (the wasm kernel saw it wrapped: -Infinity, or N = 1 for 2^32 + 1)', () => {
    for (const N of [2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      const e = thrown(() => bestOfNDistillationWeights([0.3, 0.1, 0.5], N, { sampling: 'with-replacement' }));
      expect(e).toBeInstanceOf(DomainError);
      expect(e.argument).toBe('N');
    }
    expect(Array.from(bestOfNDistillationWeights([0.3, 0.1, 0.5], 2 ** 31 - 1, { sampling: 'with-replacement' }))).toEqual([0, 0, 1]);
  });
});

describe('layout validation happens before any work', () => {
  it('a bad layout is reported, not a RangeError from an allocation sized by it', () => {
    for (const f of BATCHED) {
      const e = thrown(() => f.call({ groupOffsets: [0, 2 ** 31 - 1, 6] }));
      expect(e).toBeInstanceOf(InferenceAwareRLError);
      expect(e.argument).toBe('opts.groupOffsets');
    }
    expect(thrown(() => maxAtK(SIX, 2, { groupSize: 2 ** 53 }))).toBeInstanceOf(InferenceAwareRLError);
    expect(thrown(() => maxAtK([], 2, {}))).toBeInstanceOf(ShapeError);
  });
});
