/**
 * docs/errors.md: every bad input throws the right typed error, and its message names the argument, the rule
 * and the offending value.
 */
import { describe, expect, it } from 'vitest';
import {
  chenPassAtKWeights,
  DomainError,
  grpoWeights,
  InferenceAwareRLError,
  InvalidArgumentError,
  logFailAtK,
  maxAtK,
  maxAtKWeights,
  NonFiniteError,
  passAtK,
  passAtKWeights,
  rlooWeights,
  ShapeError,
} from '../../src/index.js';

type ErrorClass = typeof InvalidArgumentError | typeof DomainError | typeof NonFiniteError | typeof ShapeError;

/** Asserts `fn` throws exactly `cls` (a subclass of the base) with this message and argument. */
function expectError(fn: () => unknown, cls: ErrorClass, message: string, argument?: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${cls.name}: ${message}`).toBeInstanceOf(cls);
  expect(error).toBeInstanceOf(InferenceAwareRLError);
  expect(error).toBeInstanceOf(Error);
  const e = error as InferenceAwareRLError;
  expect(e.name).toBe(cls.name);
  expect(e.message).toBe(message);
  if (argument !== undefined) expect(e.argument).toBe(argument);
}

const G8 = [1, 1, 0, 0, 0, 0, 0, 0];

describe('errors of k', () => {
  it('passAtKWeights(rewards, 9) with n = 8 throws DomainError `k must be ≤ n (got k=9, n=8)`', () => {
    expectError(() => passAtKWeights(G8, 9), DomainError, 'k must be ≤ n (got k=9, n=8)', 'k');
    expectError(() => maxAtKWeights(G8, 9), DomainError, 'k must be ≤ n (got k=9, n=8)', 'k');
    expectError(() => maxAtK(G8, 9), DomainError, 'k must be ≤ n (got k=9, n=8)', 'k');
    expectError(() => chenPassAtKWeights(G8, 9), DomainError, 'k must be ≤ n (got k=9, n=8)', 'k');
  });

  it('passAtKWeights(rewards, k, { groupOffsets }) names the group where k > n', () => {
    const r = [...G8, 1, 0, ...G8];
    expectError(() => passAtKWeights(r, 9, { groupOffsets: [0, 10, 18] }), DomainError, 'k must be ≤ n (got k=9, n=8 in group 1)', 'k');
    expectError(() => maxAtK(r, 3, { groupOffsets: [0, 8, 10, 18] }), DomainError, 'k must be ≤ n (got k=3, n=2 in group 1)', 'k');
    expectError(() => maxAtKWeights(r, 7, { groupSize: 6 }), DomainError, 'k must be ≤ n (got k=7, n=6 in group 0)', 'k');
  });

  it('passAtKWeights(rewards, k) with k not an integer ≥ 1 throws DomainError', () => {
    expectError(() => passAtKWeights(G8, 1.5), DomainError, 'k must be an integer (got k=1.5)', 'k');
    expectError(() => passAtKWeights(G8, 0), DomainError, 'k must be ≥ 1 (got k=0)', 'k');
    expectError(() => maxAtKWeights(G8, -2), DomainError, 'k must be ≥ 1 (got k=-2)', 'k');
    expectError(() => maxAtK(G8, NaN), DomainError, 'k must be an integer (got k=NaN)', 'k');
    expectError(() => maxAtK(G8, '2' as unknown as number), DomainError, 'k must be an integer (got k="2")', 'k');
  });

  it("passAtKWeights(rewards, n, { baseline: 'loo' | 'loo-pkpo' }) throws DomainError: they need k ≤ n − 1", () => {
    expectError(() => passAtKWeights(G8, 8, { baseline: 'loo' }), DomainError, "baseline 'loo' needs k ≤ n − 1 (got k=8, n=8)", 'k');
    expectError(
      () => maxAtKWeights(G8, 8, { baseline: 'loo-pkpo' }),
      DomainError,
      "baseline 'loo-pkpo' needs k ≤ n − 1 (got k=8, n=8)",
      'k',
    );
    expectError(
      () => maxAtKWeights([1, 0, 0.5, 0.2, 0.1], 2, { baseline: 'loo', groupOffsets: [0, 3, 5] }),
      DomainError,
      "baseline 'loo' needs k ≤ n − 1 (got k=2, n=2 in group 1)",
      'k',
    );
    // k = n is fine for none and loo-1.
    expect(() => passAtKWeights(G8, 8, { baseline: 'none' })).not.toThrow();
    expect(() => passAtKWeights(G8, 8, { baseline: 'loo-1' })).not.toThrow();
  });

  it("passAtKWeights([r], 1) (loo-1 at k = 1 with n = 1) throws DomainError: the loo fallback needs n ≥ 2", () => {
    const msg = "baseline 'loo-1' at k = 1 falls back to 'loo', which needs k ≤ n − 1 (got k=1, n=1)";
    expectError(() => passAtKWeights([1], 1), DomainError, msg, 'k');
    expectError(() => maxAtKWeights([0.3], 1, { baseline: 'loo-1' }), DomainError, msg, 'k');
    // …but n = 1, k = 1 is fine without a baseline.
    expect(Array.from(maxAtKWeights([0.3], 1, { baseline: 'none' }))).toEqual([0.3]);
  });
});

describe('errors of rewards', () => {
  it('maxAtKWeights(rewards, k) with NaN or ±Infinity throws NonFiniteError naming the index', () => {
    expectError(() => maxAtKWeights([0, NaN, 1], 1), NonFiniteError, 'rewards must be finite (got NaN at index 1)', 'rewards');
    expectError(() => maxAtK(Float64Array.of(0, 1, Infinity), 1), NonFiniteError, 'rewards must be finite (got Infinity at index 2)', 'rewards');
    expectError(() => passAtKWeights([1, 0, -Infinity], 1), NonFiniteError, 'rewards must be finite (got -Infinity at index 2)', 'rewards');
    expectError(() => chenPassAtKWeights([NaN, 0], 1), NonFiniteError, 'rewards must be finite (got NaN at index 0)', 'rewards');
    expectError(() => grpoWeights([0, 1, NaN]), NonFiniteError, 'rewards must be finite (got NaN at index 2)', 'rewards');
    expectError(() => rlooWeights([Infinity, 1]), NonFiniteError, 'rewards must be finite (got Infinity at index 0)', 'rewards');
  });

  it('passAtKWeights(rewards, k) with a reward not 0 or 1 throws DomainError', () => {
    expectError(
      () => passAtKWeights([1, 0.5, 0], 1),
      DomainError,
      'rewards must be 0 or 1 for passAtKWeights (got 0.5 at index 1)',
      'rewards',
    );
    expectError(
      () => chenPassAtKWeights([1, 0, 2], 1),
      DomainError,
      'rewards must be 0 or 1 for chenPassAtKWeights (got 2 at index 2)',
      'rewards',
    );
  });

  it('maxAtKWeights(rewards, k) with a non-number or a non-array throws InvalidArgumentError', () => {
    expectError(() => maxAtKWeights([1, '0' as unknown as number], 1), InvalidArgumentError, 'rewards must contain numbers (got "0" at index 1)', 'rewards');
    expectError(() => passAtKWeights([1, null as unknown as number], 1), InvalidArgumentError, 'rewards must contain numbers (got null at index 1)', 'rewards');
    expectError(() => maxAtK(5 as unknown as number[], 1), InvalidArgumentError, 'rewards must be an array or a typed array (got 5)', 'rewards');
  });

  it('maxAtK([], k) throws ShapeError: empty group', () => {
    expectError(() => maxAtK([], 1), ShapeError, 'rewards must not be empty: a group needs ≥ 1 sample (got 0 samples)', 'rewards');
    expectError(() => grpoWeights([]), ShapeError, 'rewards must not be empty: a group needs ≥ 1 sample (got 0 samples)');
  });
});

describe('errors of the layout', () => {
  it('maxAtKWeights(rewards, k, { groupSize }) with a groupSize that does not divide throws ShapeError', () => {
    expectError(
      () => maxAtKWeights(G8, 1, { groupSize: 3 }),
      ShapeError,
      'opts.groupSize must divide the number of samples (got groupSize=3, length=8)',
      'opts.groupSize',
    );
    expectError(() => maxAtKWeights(G8, 1, { groupSize: 0 }), DomainError, 'opts.groupSize must be an integer ≥ 1 (got 0)', 'opts.groupSize');
  });

  it('maxAtKWeights(rewards, k, { groupOffsets }) with bad offsets throws ShapeError naming the offsets', () => {
    expectError(
      () => maxAtKWeights(G8, 1, { groupOffsets: [0, 5, 3, 8] }),
      ShapeError,
      'opts.groupOffsets must be non-decreasing (got 5 then 3 at index 2)',
      'opts.groupOffsets',
    );
    expectError(
      () => passAtKWeights(G8, 1, { groupOffsets: [0, 5] }),
      ShapeError,
      'opts.groupOffsets must end at the number of samples (got last offset 5, length=8)',
      'opts.groupOffsets',
    );
    expectError(() => maxAtK(G8, 1, { groupOffsets: [1, 8] }), ShapeError, 'opts.groupOffsets must start at 0 (got 1)', 'opts.groupOffsets');
    expectError(
      () => maxAtK(G8, 1, { groupOffsets: [0, 4, 4, 8] }),
      ShapeError,
      'opts.groupOffsets must not give an empty group (got 4 then 4 at index 2: group 1 is empty)',
      'opts.groupOffsets',
    );
    expectError(
      () => grpoWeights(G8, { groupOffsets: [0, 2.5, 8] }),
      DomainError,
      'opts.groupOffsets must be integers (got 2.5 at index 1)',
      'opts.groupOffsets',
    );
    expectError(
      () => maxAtK(G8, 1, { groupSize: 4, groupOffsets: [0, 4, 8] }),
      InvalidArgumentError,
      'give at most one of opts.groupSize and opts.groupOffsets (got both)',
      'opts.groupSize',
    );
  });

  it('passAtKWeights(rewards, k, { out }) with an out of the wrong length or type throws', () => {
    expectError(() => passAtKWeights(G8, 2, { out: new Float64Array(7) }), ShapeError, 'opts.out must have length 8 (got length 7)', 'opts.out');
    expectError(
      () => maxAtKWeights(G8, 2, { out: new Int32Array(8) as unknown as Float64Array }),
      InvalidArgumentError,
      'opts.out must be a Float64Array or a Float32Array (got Int32Array(8))',
      'opts.out',
    );
    // A metric's out stays Float64Array.
    expectError(
      () => maxAtK(G8, 2, { groupSize: 4, out: new Float32Array(2) as unknown as Float64Array }),
      InvalidArgumentError,
      'opts.out must be a Float64Array (got Float32Array(2))',
      'opts.out',
    );
    expectError(() => maxAtK(G8, 2, { groupSize: 4, out: new Float64Array(3) }), ShapeError, 'opts.out must have length 2 (got length 3)', 'opts.out');
    expectError(
      () => grpoWeights(G8, { out: [] as unknown as Float64Array }),
      InvalidArgumentError,
      'opts.out must be a Float64Array or a Float32Array (got array(0))',
      'opts.out',
    );
  });

  it('passAtK(nArray, cArray, k) with arrays of different lengths throws ShapeError', () => {
    expectError(() => passAtK([8, 8], [1], 2), ShapeError, 'n and c must have the same length (got 2 and 1)', 'c');
    expectError(() => logFailAtK([8], [1, 2, 3], 2), ShapeError, 'n and c must have the same length (got 1 and 3)', 'c');
  });
});

describe('errors of counts (passAtK / logFailAtK)', () => {
  it('passAtK(n, c, k) with c > n, k > n or non-integer counts throws DomainError', () => {
    expectError(() => passAtK(8, 9, 2), DomainError, 'c must be ≤ n (got c=9, n=8)', 'c');
    expectError(() => passAtK(8, 2, 9), DomainError, 'k must be ≤ n (got k=9, n=8)', 'k');
    expectError(() => logFailAtK(8.5, 2, 2), DomainError, 'n must be an integer (got n=8.5)', 'n');
    expectError(() => passAtK(8, -1, 2), DomainError, 'c must be ≥ 0 (got c=-1)', 'c');
    expectError(() => passAtK([8, 8], [2, 9], 2), DomainError, 'c must be ≤ n (got c=9, n=8 at index 1)', 'c');
  });
});

describe('errors of options', () => {
  it('passAtKWeights(rewards, k, { baseline: unknown }) throws InvalidArgumentError listing the baselines', () => {
    expectError(
      () => passAtKWeights(G8, 2, { baseline: 'lo1' as never }),
      InvalidArgumentError,
      `opts.baseline must be one of 'none' | 'loo' | 'loo-pkpo' | 'loo-1' (got "lo1")`,
      'opts.baseline',
    );
    expectError(
      () => maxAtKWeights(G8, 2, { scale: 'avg' as never }),
      InvalidArgumentError,
      `opts.scale must be one of 'sum' | 'mean' (got "avg")`,
      'opts.scale',
    );
  });

  it('grpoWeights(rewards, opts) with an unknown normalize / ddof or a bad eps throws', () => {
    expectError(
      () => grpoWeights(G8, { normalize: 'mad' as never }),
      InvalidArgumentError,
      `opts.normalize must be one of 'std' | 'none' (got "mad")`,
      'opts.normalize',
    );
    expectError(() => grpoWeights(G8, { ddof: 2 as never }), InvalidArgumentError, 'opts.ddof must be one of 0 | 1 (got 2)', 'opts.ddof');
    expectError(() => grpoWeights(G8, { eps: -1 }), DomainError, 'opts.eps must be ≥ 0 (got -1)', 'opts.eps');
    expectError(() => grpoWeights(G8, { eps: NaN }), NonFiniteError, 'opts.eps must be finite (got opts.eps=NaN)', 'opts.eps');
    expectError(() => grpoWeights([1]), DomainError, "opts.ddof = 1 needs n ≥ 2 (or opts.oneSampleGroups: 'zero-mean-unit-std') (got n=1)", 'opts.ddof');
  });

  it('rlooWeights([r]) throws DomainError: it needs n ≥ 2', () => {
    expectError(() => rlooWeights([1]), DomainError, 'rewards of rlooWeights need n ≥ 2 samples per group (got n=1)', 'rewards');
  });

  it('maxAtKWeights(rewards, k, { misspelt: … }) throws InvalidArgumentError naming the option and the valid ones', () => {
    expectError(
      () => maxAtKWeights(G8, 2, { baselne: 'loo' } as never),
      InvalidArgumentError,
      'opts.baselne is not an option of maxAtKWeights (options: groupSize, groupOffsets, out, backend, baseline, scale)',
      'opts.baselne',
    );
    expectError(
      () => grpoWeights(G8, { k: 2 } as never),
      InvalidArgumentError,
      'opts.k is not an option of grpoWeights (options: groupSize, groupOffsets, out, backend, normalize, ddof, eps, zeroVarianceRtol, oneSampleGroups, scale)',
      'opts.k',
    );
    expectError(() => maxAtK(G8, 2, 'loo' as never), InvalidArgumentError, 'opts of maxAtK must be a plain object (got "loo")', 'opts');
  });

  it("maxAtKWeights(rewards, k, { backend: 'nope' }) throws InvalidArgumentError naming the registered backends", () => {
    let error: unknown;
    try {
      maxAtKWeights(G8, 2, { backend: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/^opts\.backend must name a registered backend \(got "nope"; registered: .*js/);
  });
});
