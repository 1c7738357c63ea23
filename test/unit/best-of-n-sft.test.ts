import { describe, expect, it } from 'vitest';
import {
  DomainError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  bestOfNSftWeights,
  bonRlSelectedWeights,
} from '../../src/index.js';

const arr = (x: ArrayLike<number>) => Array.from(x, (v) => Number(v.toFixed(12)));

describe('bestOfNSftWeights', () => {
  it('bestOfNSftWeights(scores, expertScores, N) gives (N−1)/m below the expert, 0 above, centred by (N−1)/n', () => {
    const w = bestOfNSftWeights([0.2, 0.9, 0.4, 0.7], [0.5], 4);
    expect(arr(w.expert)).toEqual([1]);
    expect(arr(w.samples)).toEqual([0.75, -0.75, 0.75, -0.75]);
    expect(arr(bestOfNSftWeights([0.2, 0.9, 0.4, 0.7], [0.5], 4, { baseline: 'none' }).samples)).toEqual([1.5, 0, 1.5, 0]);
    const b = bestOfNSftWeights([0.2, 0.9, 0.4, 0.7, 0.1, 0.6], [0.5, 0.3], 2, { groupSize: 3 });
    expect(arr(b.expert)).toEqual([1, 1]);
    expect(arr(b.samples)).toEqual(arr([1 / 6, -1 / 3, 1 / 6, -1 / 3, 2 / 3, -1 / 3]));
  });

  it('ties with the expert: tied samples compete with y* (a smaller weight than the samples below), m = 0 gives (N−1)/t', () => {
    // m = 1 below, t = 2 tied, N = 3: below 3(9−1)/(27−1) = 12/13, tie 3·9/26 − 1/2 = 7/13.
    const w = bestOfNSftWeights([0, 1, 1, 2], [1], 3, { baseline: 'none' }).samples;
    expect(arr(w)).toEqual(arr([12 / 13, 7 / 13, 7 / 13, 0]));
    // no sample below: the tied ones carry (N−1)/t each
    expect(arr(bestOfNSftWeights([1, 1, 2], [1], 3, { baseline: 'none' }).samples)).toEqual([1, 1, 0]);
  });

  it('m = t = 0 (every sample scores above the expert): sample weights 0, or −(N−1)/n centred; never NaN', () => {
    for (const estimator of ['self-normalised', 'jackknife', 'unbiased'] as const) {
      const none = bestOfNSftWeights([3, 4, 5], [1], 2, { estimator, baseline: 'none' });
      expect(arr(none.samples)).toEqual([0, 0, 0]);
      const centred = bestOfNSftWeights([3, 4, 5], [1], 2, { estimator });
      for (const x of centred.samples) expect(Number.isFinite(x)).toBe(true);
    }
    expect(arr(bestOfNSftWeights([3, 4, 5], [1], 2).samples)).toEqual(arr([-1 / 3, -1 / 3, -1 / 3]));
    // the unbiased estimator's expert weight estimates π_BoN(y*)/π(y*): 0 when every sample beats y*
    expect(arr(bestOfNSftWeights([3, 4, 5], [1], 2, { estimator: 'unbiased' }).expert)).toEqual([0]);
  });

  it('refuses bad input with typed errors that name the argument', () => {
    const t = (f: () => unknown, cls: Function, arg: string, msg?: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(cls);
        expect((e as { argument: string }).argument).toBe(arg);
        if (msg !== undefined) expect((e as Error).message).toContain(msg);
        return;
      }
      throw new Error('did not throw');
    };
    t(() => bestOfNSftWeights([1, 2], [1], 0), DomainError, 'N', 'N must be ≥ 1 (got N=0)');
    t(() => bestOfNSftWeights([1, 2], [1], 1.5), DomainError, 'N');
    t(() => bestOfNSftWeights([1, Number.NaN], [1], 2), NonFiniteError, 'scores', 'at index 1');
    t(() => bestOfNSftWeights([1, 2], [Number.POSITIVE_INFINITY], 2), NonFiniteError, 'expertScores');
    t(() => bestOfNSftWeights([1, 2], [1, 2], 2), ShapeError, 'expertScores', 'one score per group (got 2 for 1 group)');
    t(() => bestOfNSftWeights([1, 2, 3, 4], [1], 2, { groupSize: 2 }), ShapeError, 'expertScores', 'got 1 for 2 groups');
    t(() => bestOfNSftWeights([1, 2], [1], 3, { estimator: 'unbiased' }), DomainError, 'N', 'N must be ≤ n');
    expect(bestOfNSftWeights([1, 2], [1], 3, { estimator: 'unbiased', baseline: 'none' }).samples.length).toBe(2);
    t(() => bestOfNSftWeights([1, 2], [1], 4, { estimator: 'unbiased', baseline: 'none' }), DomainError, 'N', 'N must be ≤ n + 1');
    t(() => bestOfNSftWeights([1], [1], 2, { estimator: 'jackknife' }), DomainError, 'opts.estimator', 'n ≥ 2');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { estimator: 'jack' as never }), InvalidArgumentError, 'opts.estimator');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { baseline: 'loo' as never }), InvalidArgumentError, 'opts.baseline');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { sampling: 'x' } as never), InvalidArgumentError, 'opts.sampling');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { out: new Float64Array(3) }), ShapeError, 'opts.out');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { expertOut: new Float64Array(2) }), ShapeError, 'opts.expertOut');
    t(() => bestOfNSftWeights([1, 2], [1], 2, { expertOut: [0] as never }), InvalidArgumentError, 'opts.expertOut');
    t(() => bestOfNSftWeights([], [], 2), ShapeError, 'scores'); // the empty input is the caller's scores
    t(() => bestOfNSftWeights(['1', 2] as never, [1], 2), InvalidArgumentError, 'scores');
  });
});

describe('bonRlSelectedWeights', () => {
  it('bonRlSelectedWeights(rewards, N, { failureProbs }) is N(1−p)/(1−p^N)·(R − 1 + p^N), positive-only N p^{N−1}(1−p)/(1−p^N)', () => {
    expect(arr(bonRlSelectedWeights([1, 0], 4, { failureProbs: [0.5, 0.9] }))).toEqual(arr([2 / 15, -0.4]));
    expect(arr(bonRlSelectedWeights([1, 0], 4, { failureProbs: [0.5, 0.9], form: 'positive' }))).toEqual(arr([4 / 15, 0]));
    expect(arr(bonRlSelectedWeights([1, 0], 4, { failures: [2, 4] }))).toEqual(arr([2 / 15, 0]));
    // p = 1 − 1e-12 and p = 0: no cancellation, no 0/0
    const [near] = bonRlSelectedWeights([1], 8, { failureProbs: [1 - 1e-12], form: 'positive' });
    expect(near).toBeCloseTo(1, 9);
    expect(arr(bonRlSelectedWeights([1], 3, { failureProbs: [0] }))).toEqual([0]);
    expect(arr(bonRlSelectedWeights([1], 1, { failureProbs: [0], form: 'positive' }))).toEqual([1]);
  });

  it('refuses bad input with typed errors that name the argument', () => {
    expect(() => bonRlSelectedWeights([1], 0, { failureProbs: [0.5] })).toThrow(DomainError);
    expect(() => bonRlSelectedWeights([0.5], 2, { failureProbs: [0.5] })).toThrow('rewards must be 0 or 1');
    expect(() => bonRlSelectedWeights([1], 2)).toThrow(InvalidArgumentError);
    expect(() => bonRlSelectedWeights([1], 2, { failureProbs: [0.5], failures: [1] })).toThrow('(got both)');
    expect(() => bonRlSelectedWeights([1, 0], 2, { failureProbs: [0.5] })).toThrow(ShapeError);
    expect(() => bonRlSelectedWeights([1], 2, { failureProbs: [1.5] })).toThrow('opts.failureProbs must be in [0, 1]');
    expect(() => bonRlSelectedWeights([1], 2, { failureProbs: [Number.NaN] })).toThrow(NonFiniteError);
    expect(() => bonRlSelectedWeights([1], 2, { failureProbs: [1] })).toThrow('probability 0');
    expect(() => bonRlSelectedWeights([1], 2, { failures: [2] })).toThrow('fails only when all N=2 fail');
    expect(() => bonRlSelectedWeights([0], 2, { failures: [1] })).toThrow(DomainError);
    expect(() => bonRlSelectedWeights([1], 2, { failures: [0.5] })).toThrow('integers in [0, N]');
    expect(() => bonRlSelectedWeights([1], 2, { failures: [1], form: 'rlb' as never })).toThrow(InvalidArgumentError);
    expect(() => bonRlSelectedWeights([], 2, { failures: [] })).toThrow(ShapeError);
  });
});

describe("getEstimator('bon-sft') and getEstimator('bon-rl-selected')", () => {
  it('equal the direct calls; the bon-sft entry refuses the unbiased estimator (its expert weight is not 1)', async () => {
    const { getEstimator } = await import('../../src/index.js');
    const v = [0.2, 0.9, 0.4, 0.7, 0.1, 0.6];
    const sft = getEstimator('bon-sft');
    expect(sft.inputs).toEqual(['scores', 'expertScores', 'k']);
    expect(sft.weights({ rewards: [], scores: v, expertScores: [0.5, 0.3], k: 2 }, { groupSize: 3, estimator: 'jackknife' })).toEqual(
      bestOfNSftWeights(v, [0.5, 0.3], 2, { groupSize: 3, estimator: 'jackknife' }).samples,
    );
    const dynamic = getEstimator('bon-sft' as string);
    expect(() => dynamic.weights({ rewards: [], scores: v, expertScores: [0.5], k: 2 }, { estimator: 'unbiased' })).toThrow(InvalidArgumentError);
    expect(() => dynamic.weights({ rewards: [], scores: v, k: 2 })).toThrow('needs inputs.expertScores');
    const rl = getEstimator('bon-rl-selected');
    expect(rl.weights({ rewards: [1, 0], k: 4 }, { failures: [2, 4] })).toEqual(bonRlSelectedWeights([1, 0], 4, { failures: [2, 4] }));
  });
});
