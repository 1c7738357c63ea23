/**
 * Unit tests of majorityAtK, majorityVoteAdvantage and majorityAnswer: the worked example of docs/estimators/majority-vote.md
 * (derived independently below by listing the 56 subsets' vote counts), batching, options, the
 * registry entry and every typed error.
 */
import { describe, expect, it } from 'vitest';
import {
  DomainError,
  getEstimator,
  InferenceAwareRLError,
  InvalidArgumentError,
  majorityAnswer,
  majorityAtK,
  majorityVoteAdvantage,
  NonFiniteError,
  ShapeError,
} from '../../src/index.js';
import { gaussLegendre01 } from '../../src/estimators/majority-vote.js';

const EX_ANSWERS = [0, 0, 1, 1, 2, 0, 3, 1];
const EX_REWARDS = EX_ANSWERS.map((a) => (a === 0 ? 1 : 0));

/** The worked example by hand-countable enumeration: subsets of 3 of {0,0,0,1,1,1,2,3}. */
function exampleByCounting(ties: 'split' | 'fail'): number {
  let total = 0;
  let count = 0;
  for (let a = 0; a < 8; a++)
    for (let b = a + 1; b < 8; b++)
      for (let c = b + 1; c < 8; c++) {
        const votes = new Map<number, number>();
        for (const i of [a, b, c]) votes.set(EX_ANSWERS[i]!, (votes.get(EX_ANSWERS[i]!) ?? 0) + 1);
        const best = Math.max(...votes.values());
        const top = [...votes.keys()].filter((k) => votes.get(k) === best);
        const f = top.length > 1 && ties === 'fail' ? 0 : top.filter((k) => k === 0).length / top.length;
        total += f;
        count++;
      }
  return total / count;
}

describe('majorityAtK', () => {
  it('majorityAtK([0,0,1,1,2,0,3,1], rewards, 3) is 0.410714… (split) and 0.285714… (fail), the worked example', () => {
    expect(exampleByCounting('split')).toBeCloseTo(23 / 56, 15);
    expect(exampleByCounting('fail')).toBeCloseTo(16 / 56, 15);
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 3)).toBeCloseTo(0.4107142857142857, 15);
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 3, { ties: 'split' })).toBeCloseTo(23 / 56, 15);
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 3, { ties: 'fail' })).toBeCloseTo(0.2857142857142857, 15);
  });

  it('majorityAtK(answers, rewards, n) is f of the whole group', () => {
    // whole group: 0 has 3 votes, 1 has 3 votes → tie between a correct and a wrong answer
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 8)).toBeCloseTo(0.5, 15);
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 8, { ties: 'fail' })).toBe(0);
    expect(majorityAtK(['a', 'b', 'a'], [0.25, 1, 0.25], 3)).toBeCloseTo(0.25, 15);
  });

  it('majorityAtK(answers, rewards, k) scores an all-null subset 0 and never lets null win', () => {
    expect(majorityAtK([null, undefined, null], [1, 1, 1], 2)).toBe(0);
    // 'x' (reward 1) wins whenever it is drawn: P = 1 − C(3,2)/C(4,2) = 1/2
    expect(majorityAtK(['x', null, null, null], [1, 5, 5, 5], 2)).toBeCloseTo(0.5, 15);
  });

  it("majorityAtK(answers, rewards, k) treats 1 and '1' as different answers", () => {
    // as one cluster '1' would win every pair; as two, the pair {1,'1'} ties
    expect(majorityAtK([1, '1', 2], [1, 1, 0], 2, { ties: 'fail' })).toBe(0);
    expect(majorityAtK([1, '1', 2], [1, 1, 0], 2)).toBeCloseTo((1 + 0.5 + 0.5) / 3, 15);
    // 0 and -0 are the same answer (SameValueZero)
    expect(majorityAtK([0, -0, 2], [1, 1, 0], 3)).toBe(1);
  });

  it('majorityAtK(answers, rewards, k, { groupSize }) returns one value per group and writes opts.out', () => {
    const answers = [...EX_ANSWERS, 'a', 'a', null, 'b', 'b', 'c', 'a', 'b'];
    const rewards = [...EX_REWARDS, 1, 1, 0, 0, 0, 0, 1, 0];
    const got = majorityAtK(answers, rewards, 3, { groupSize: 8 });
    expect(got).toBeInstanceOf(Float64Array);
    expect(got.length).toBe(2);
    expect(got[0]).toBeCloseTo(23 / 56, 15);
    expect(got[1]).toBeCloseTo(majorityAtK(answers.slice(8), rewards.slice(8), 3), 15);
    const out = new Float64Array(2);
    expect(majorityAtK(answers, rewards, 3, { groupOffsets: [0, 8, 16], out })).toBe(out);
    expect([...out]).toEqual([...got]);
    // B = 1 still returns an array
    expect(majorityAtK(EX_ANSWERS, EX_REWARDS, 3, { groupSize: 8 })).toBeInstanceOf(Float64Array);
  });

  it('majorityAtK(answers, Float32Array, k) accepts typed rewards', () => {
    expect(majorityAtK(EX_ANSWERS, Float32Array.from(EX_REWARDS), 3)).toBeCloseTo(23 / 56, 15);
  });
});

describe('majorityVoteAdvantage', () => {
  it('majorityVoteAdvantage(answers, rewards, 3) gives equal answers equal weights and Σ s_i = k·ρ under none', () => {
    const s = majorityVoteAdvantage(EX_ANSWERS, EX_REWARDS, 3, { baseline: 'none' });
    const rho = majorityAtK(EX_ANSWERS, EX_REWARDS, 3);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(3 * rho, 14);
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (EX_ANSWERS[i] === EX_ANSWERS[j]) expect(s[i]).toBe(s[j]);
    // E[f | sample 0 in I] by counting the 21 subsets that contain sample 0
    let sum = 0;
    for (let b = 1; b < 8; b++)
      for (let c = b + 1; c < 8; c++) {
        const votes = [0, b, c].map((i) => EX_ANSWERS[i]!);
        const zeros = votes.filter((v) => v === 0).length;
        sum += zeros >= 2 ? 1 : new Set(votes).size === 3 ? 1 / 3 : 0;
      }
    expect(s[0]).toBeCloseTo((3 / 8) * (sum / 21), 15);
  });

  it("majorityVoteAdvantage(answers, rewards, k, { baseline: 'loo' }) sums to 0 and 'mean' scales by n", () => {
    const w = majorityVoteAdvantage(EX_ANSWERS, EX_REWARDS, 3, { baseline: 'loo' });
    expect(Math.abs(w.reduce((a, b) => a + b, 0))).toBeLessThan(1e-15);
    const m = majorityVoteAdvantage(EX_ANSWERS, EX_REWARDS, 3, { baseline: 'loo', scale: 'mean' });
    for (let i = 0; i < 8; i++) expect(m[i]).toBeCloseTo(8 * w[i]!, 14);
  });

  it("majorityVoteAdvantage(answers, rewards, k) gives null answers 0 under 'loo-1' and the all-equal group 0 under loo / loo-1", () => {
    const w = majorityVoteAdvantage(['a', null, 'b', 'a', null], [1, 0, 0, 1, 0], 2);
    expect(w[1]).toBe(0);
    expect(w[4]).toBe(0);
    for (const baseline of ['loo', 'loo-pkpo', 'loo-1'] as const) {
      const z = majorityVoteAdvantage(['q', 'q', 'q', 'q'], [0.7, 0.7, 0.7, 0.7], 2, { baseline });
      if (baseline === 'loo-pkpo') continue; // PKPO's scale is not centred
      for (const x of z) expect(Math.abs(x)).toBeLessThan(1e-15);
    }
  });

  it("majorityVoteAdvantage(answers, rewards, 1, { baseline: 'loo-1' }) falls back to loo = RLOO / n", () => {
    const rewards = [1, 0, 0.5, 1];
    const w = majorityVoteAdvantage(['a', 'b', 'c', 'a'], rewards, 1);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    rewards.forEach((r, i) => {
      const others = rewards.filter((_, j) => j !== i);
      expect(w[i]).toBeCloseTo((r - mean(others)) / 4, 15);
    });
  });

  it('majorityVoteAdvantage(answers, rewards, k, { groupSize, out }) writes in input order', () => {
    const answers = [...EX_ANSWERS, ...EX_ANSWERS.slice().reverse()];
    const rewards = [...EX_REWARDS, ...EX_REWARDS.slice().reverse()];
    const out = new Float64Array(16);
    const w = majorityVoteAdvantage(answers, rewards, 3, { groupSize: 8, out });
    expect(w).toBe(out);
    const single = majorityVoteAdvantage(EX_ANSWERS, EX_REWARDS, 3);
    for (let i = 0; i < 8; i++) {
      expect(w[i]).toBe(single[i]);
      expect(w[15 - i]).toBe(single[i]);
    }
  });
});

describe('majorityAnswer', () => {
  it('majorityAnswer(answers) returns the mode, its votes and the tied answers', () => {
    expect(majorityAnswer(['7', '7', '8', null])).toEqual({ answer: '7', votes: 2, tied: ['7'] });
    expect(majorityAnswer([3, 4, 4, 3])).toEqual({ answer: 3, votes: 2, tied: [3, 4] });
    expect(majorityAnswer([3, 4, 4, 3], { ties: 'fail' })).toEqual({ answer: null, votes: 2, tied: [3, 4] });
    expect(majorityAnswer([null, undefined])).toEqual({ answer: null, votes: 0, tied: [] });
    expect(majorityAnswer([])).toEqual({ answer: null, votes: 0, tied: [] });
    expect(majorityAnswer([1, '1', '1'])).toEqual({ answer: '1', votes: 2, tied: ['1'] });
  });
});

describe('majority vote errors', () => {
  const catchError = (fn: () => unknown): InferenceAwareRLError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(InferenceAwareRLError);
      return e as InferenceAwareRLError;
    }
    throw new Error('expected a throw');
  };

  it('majorityAtK(answers, rewards, k) refuses equal answers with different rewards, naming both indices', () => {
    const e = catchError(() => majorityAtK(['a', 'b', 'a'], [1, 0, 0.5], 2));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.argument).toBe('rewards');
    expect(e.message).toBe('rewards must be equal for equal answers (answer "a": rewards[0]=1 but rewards[2]=0.5)');
    expect(() => majorityVoteAdvantage([5, 5], [1, 0], 1)).toThrow('(answer 5: rewards[0]=1 but rewards[1]=0)');
    // null answers may carry any reward
    expect(() => majorityAtK([null, null], [1, 0], 1)).not.toThrow();
    // integer typed-array answers (clustered through a lookup table) give the same error
    expect(() => majorityVoteAdvantage(new Int32Array([7, 3, 7]), [1, 0, 0], 1)).toThrow('(answer 7: rewards[0]=1 but rewards[2]=0)');
    expect(catchError(() => majorityAtK(new Uint8Array([2, 2]), [1, 0.5], 1))).toBeInstanceOf(DomainError);
  });

  it('majorityAtK / majorityVoteAdvantage with Int32Array answers equal the same answers as numbers, bit for bit', () => {
    const n = 48;
    const values = Array.from({ length: 3 * n }, (_, i) => ((i * 7919) % 13) - 4 + (i % 5 === 0 ? 1_000_000 : 0));
    const rewards = values.map((v) => (v % 3 === 0 ? 1 : v % 3 === 1 ? 0 : 0.25));
    const typed = Int32Array.from(values);
    for (const ties of ['split', 'fail'] as const) {
      expect([...(majorityAtK(typed, rewards, 5, { groupSize: n, ties }) as Float64Array)]).toEqual([
        ...(majorityAtK(values, rewards, 5, { groupSize: n, ties }) as Float64Array),
      ]);
      for (const baseline of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
        const a = majorityVoteAdvantage(typed, rewards, 5, { groupSize: n, ties, baseline });
        const b = majorityVoteAdvantage(values, rewards, 5, { groupSize: n, ties, baseline });
        a.forEach((x, i) => expect(Object.is(x, b[i])).toBe(true));
      }
    }
    // a value range too wide for a table falls back to a Map
    const wide = Int32Array.from([-2_000_000_000, 5, 2_000_000_000, 5]);
    expect(majorityAtK(wide, [0, 1, 0, 1], 2)).toBe(majorityAtK([...wide], [0, 1, 0, 1], 2));
  });

  it('majorityAtK(answers, rewards, k) refuses lengths that differ, non-finite rewards, k > n, bad k', () => {
    expect(catchError(() => majorityAtK(['a', 'b'], [1], 1))).toBeInstanceOf(ShapeError);
    expect(() => majorityAtK(['a', 'b'], [1], 1)).toThrow('answers and rewards must have the same length (got 2 and 1)');
    expect(catchError(() => majorityAtK(['a', 'b'], [1, NaN], 1))).toBeInstanceOf(NonFiniteError);
    expect(catchError(() => majorityVoteAdvantage(['a', 'b'], [Infinity, 0], 1))).toBeInstanceOf(NonFiniteError);
    const big = catchError(() => majorityAtK(['a', 'b', 'c', 'd'], [1, 0, 0, 0], 3, { groupSize: 2 }));
    expect(big).toBeInstanceOf(DomainError);
    expect(big.message).toBe('k must be ≤ n (got k=3, n=2 in group 0)');
    expect(catchError(() => majorityAtK(['a'], [1], 0))).toBeInstanceOf(DomainError);
    expect(catchError(() => majorityAtK(['a'], [1], 1.5))).toBeInstanceOf(DomainError);
    expect(catchError(() => majorityAtK([], [], 1))).toBeInstanceOf(ShapeError);
  });

  it('majorityAtK / majorityVoteAdvantage throw on a bad later group before writing opts.out', () => {
    const out = new Float64Array(2).fill(7);
    expect(() => majorityAtK(['a', 'b', 'c', 'c'], [1, 0, 1, 0], 1, { groupSize: 2, out })).toThrow(DomainError);
    expect([...out]).toEqual([7, 7]);
    const wOut = new Float64Array(4).fill(7);
    expect(() => majorityVoteAdvantage(['a', 'b', 'c', NaN], [1, 0, 1, 0], 1, { groupSize: 2, out: wOut })).toThrow(InvalidArgumentError);
    expect([...wOut]).toEqual([7, 7, 7, 7]);
  });

  it('majorityAtK(answers, rewards, k) refuses NaN, objects and booleans as answers', () => {
    const nan = catchError(() => majorityAtK(['a', NaN], [1, 0], 1));
    expect(nan).toBeInstanceOf(InvalidArgumentError);
    expect(nan.argument).toBe('answers');
    expect(nan.message).toContain('got NaN at index 1');
    expect(() => majorityAtK([true as unknown as string], [1], 1)).toThrow(
      'answers must contain strings, numbers, null or undefined (got boolean at index 0)',
    );
    expect(catchError(() => majorityAnswer([{} as unknown as string]))).toBeInstanceOf(InvalidArgumentError);
    expect(catchError(() => majorityAnswer([NaN]))).toBeInstanceOf(InvalidArgumentError);
    expect(catchError(() => majorityAtK('abc' as unknown as string[], [1, 1, 1], 1))).toBeInstanceOf(InvalidArgumentError);
  });

  it('majorityAtK / majorityVoteAdvantage / majorityAnswer refuse unknown options and option values', () => {
    expect(() => majorityAtK(['a'], [1], 1, { tie: 'split' } as never)).toThrow('opts.tie is not an option of majorityAtK');
    expect(catchError(() => majorityAtK(['a'], [1], 1, { ties: 'random' as never }))).toBeInstanceOf(InvalidArgumentError);
    expect(() => majorityVoteAdvantage(['a', 'b'], [1, 0], 1, { ties: 'first' as never })).toThrow(
      "opts.ties must be one of 'split' | 'fail' (got \"first\")",
    );
    expect(() => majorityVoteAdvantage(['a', 'b'], [1, 0], 1, { baseline: 'lo1' as never })).toThrow(InvalidArgumentError);
    expect(() => majorityVoteAdvantage(['a', 'b'], [1, 0], 1, { backend: 'nope' })).toThrow(InvalidArgumentError);
    expect(() => majorityAnswer(['a'], { groupSize: 1 } as never)).toThrow('opts.groupSize is not an option of majorityAnswer');
  });

  it("majorityVoteAdvantage(answers, rewards, n, { baseline: 'loo' }) needs k ≤ n − 1", () => {
    const e = catchError(() => majorityVoteAdvantage(['a', 'b'], [1, 0], 2, { baseline: 'loo' }));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toBe("baseline 'loo' needs k ≤ n − 1 (got k=2, n=2)");
    expect(() => majorityVoteAdvantage(['a'], [1], 1)).toThrow("baseline 'loo-1' at k = 1 falls back to 'loo'");
    expect(() => majorityVoteAdvantage(['a', 'b'], [1, 0], 2)).not.toThrow();
  });
});

describe('gaussLegendre01 (the tie quadrature of the majority weights)', () => {
  it('gaussLegendre01(q) integrates u^p over [0, 1] exactly for p ≤ 2q − 1, with positive weights summing to 1', () => {
    let worst = 0;
    for (const q of [1, 2, 3, 4, 7, 16, 45, 128, 500, 1024]) {
      const { nodes, weights } = gaussLegendre01(q);
      expect(nodes.length).toBe(q);
      for (let i = 0; i < q; i++) {
        expect(nodes[i]).toBeGreaterThan(i === 0 ? 0 : nodes[i - 1]!);
        expect(nodes[i]).toBeLessThan(1);
        expect(weights[i]).toBeGreaterThan(0);
        // symmetric about 1/2
        expect(Math.abs(nodes[i]! + nodes[q - 1 - i]! - 1)).toBeLessThanOrEqual(2 ** -52);
      }
      for (let p = 0; p <= 2 * q - 1; p++) {
        let s = 0;
        for (let i = 0; i < q; i++) s += weights[i]! * nodes[i]! ** p;
        const err = Math.abs(s * (p + 1) - 1);
        worst = Math.max(worst, err);
        // Rounding the nodes to doubles costs ≈ p·ε/2 relative on u^p: exact up to that.
        expect(err).toBeLessThanOrEqual(1e-15 + 4e-16 * (p + 1));
      }
      // one degree more is not exact (the rule has exactly the advertised degree)
      if (q <= 4) {
        let s = 0;
        for (let i = 0; i < q; i++) s += weights[i]! * nodes[i]! ** (2 * q);
        expect(Math.abs(s * (2 * q + 1) - 1)).toBeGreaterThan(1e-12);
      }
    }
    expect(worst).toBeLessThan(1e-12);
    // the smallest node of a large rule keeps its relative precision (computed from the angle)
    const big = gaussLegendre01(1000);
    expect(big.nodes[0]).toBeGreaterThan(0);
    expect(gaussLegendre01(1000)).toBe(big);
  });
});

describe("getEstimator('maj@k')", () => {
  it("getEstimator('maj@k') computes the same weights and metric as the functions and names missing answers", () => {
    const est = getEstimator('maj@k');
    expect(est.inputs).toEqual(['answers', 'rewards', 'k']);
    const w = est.weights({ answers: EX_ANSWERS, rewards: EX_REWARDS, k: 3 }, { baseline: 'loo', ties: 'fail' });
    expect([...w]).toEqual([...majorityVoteAdvantage(EX_ANSWERS, EX_REWARDS, 3, { baseline: 'loo', ties: 'fail' })]);
    expect(est.metric?.({ answers: EX_ANSWERS, rewards: EX_REWARDS, k: 3 })).toBe(majorityAtK(EX_ANSWERS, EX_REWARDS, 3));
    expect(() => est.weights({ rewards: EX_REWARDS, k: 3 })).toThrow("estimator 'maj@k' needs inputs.answers (got undefined)");
  });
});
