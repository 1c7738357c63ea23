/**
 * fast-check: random bad inputs (docs/errors.md) always throw a typed InferenceAwareRLError and never return
 * (so never return NaN). Each case starts from a valid call and breaks exactly one thing.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import {
  chenPassAtKAdvantage,
  grpoAdvantage,
  InferenceAwareRLError,
  logFailAtK,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  rlooAdvantage,
} from '../../src/index.js';

const RUNS = { numRuns: 300 };

type Call = (rewards: unknown, k: unknown, opts: unknown) => unknown;
/** Every estimator taking (rewards, k, opts), with whether it needs 0/1 rewards; grpo/rloo ignore k. */
const CALLS: { name: string; binary: boolean; usesK: boolean; call: Call; baselines: boolean }[] = [
  { name: 'passAtKAdvantage', binary: true, usesK: true, baselines: true, call: (r, k, o) => passAtKAdvantage(r as number[], k as number, o as never) },
  { name: 'maxAtKAdvantage', binary: false, usesK: true, baselines: true, call: (r, k, o) => maxAtKAdvantage(r as number[], k as number, o as never) },
  { name: 'maxAtK', binary: false, usesK: true, baselines: false, call: (r, k, o) => maxAtK(r as number[], k as number, o as never) },
  { name: 'chenPassAtKAdvantage', binary: true, usesK: true, baselines: false, call: (r, k, o) => chenPassAtKAdvantage(r as number[], k as number, o as never) },
  { name: 'grpoAdvantage', binary: false, usesK: false, baselines: false, call: (r, _k, o) => grpoAdvantage(r as number[], o as never) },
  { name: 'rlooAdvantage', binary: false, usesK: false, baselines: false, call: (r, _k, o) => rlooAdvantage(r as number[], o as never) },
];

/** A valid starting point: B groups of size n (n ≥ 3 so every estimator and baseline accepts k = 2). */
const valid = fc.record({
  est: fc.constantFrom(...CALLS),
  n: fc.integer({ min: 3, max: 8 }),
  B: fc.integer({ min: 1, max: 3 }),
  bits: fc.array(fc.constantFrom(0, 1), { minLength: 24, maxLength: 24 }),
  reals: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 24, maxLength: 24 }),
  batched: fc.boolean(),
});

type Case = { what: string; run: () => unknown };

const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

const badCase: fc.Arbitrary<Case> = valid.chain(({ est, n, B, bits, reals, batched }) => {
  const len = n * B;
  const rewards = (est.binary ? bits : reals).slice(0, len);
  const layout = batched || B > 1 ? { groupSize: n } : {};
  const k = 2;
  // (No default parameters: call(undefined) must pass undefined, not the valid rewards.)
  const call = (r: unknown, kk: unknown, o: unknown): Case => ({
    what: `${est.name}(${JSON.stringify(r)}, ${String(kk)}, ${JSON.stringify(o)})`,
    run: () => est.call(r, kk, o),
  });
  const mutations: fc.Arbitrary<Case>[] = [
    // NaN / ±Infinity anywhere, in a plain array or a typed array.
    fc.tuple(fc.integer({ min: 0, max: len - 1 }), nonFinite, fc.boolean()).map(([i, v, typed]) => {
      const r = rewards.slice();
      r[i] = v;
      return call(typed ? Float64Array.from(r) : r, k, layout);
    }),
    // Not an array, or not numbers.
    fc.constantFrom<unknown>(null, undefined, 3, 'abc', {}, new DataView(new ArrayBuffer(8))).map((r) => call(r, k, layout)),
    fc.tuple(fc.integer({ min: 0, max: len - 1 }), fc.constantFrom<unknown>('1', null, undefined, true, {}, [1])).map(([i, v]) => {
      const r: unknown[] = rewards.slice();
      r[i] = v;
      return call(r, k, layout);
    }),
    // Empty input (one empty group).
    fc.constant(call([], k, {})),
    // Unknown option key, opts not an object.
    fc.constantFrom('baselne', 'groupsize', 'k', 'ddof2', 'scal').map((key) => call(rewards, k, { ...layout, [key]: 1 })),
    fc.constantFrom<unknown>(null, 5, 'loo', [1]).map((o) => call(rewards, k, o)),
    // Bad layouts.
    fc.integer({ min: 1, max: len + 3 }).filter((s) => len % s !== 0).map((s) => call(rewards, k, { groupSize: s })),
    fc.constantFrom<unknown>(0, -1, 1.5, NaN, '3', Infinity).map((s) => call(rewards, k, { groupSize: s })),
    fc.constantFrom(
      [1, len], // does not start at 0
      [0, len - 1], // does not end at the length
      [0, len + 1],
      [0, 2, 1, len], // not monotone
      [0, 0, len], // empty group
      [0, 1.5, len], // not an integer
      [], // no offsets
    ).map((offs) => call(rewards, k, { groupOffsets: offs })),
    fc.constant(call(rewards, k, { groupSize: n, groupOffsets: [0, len] })),
    // out of the wrong length or type.
    fc.constantFrom<unknown>(
      new Float64Array(len + 1),
      new Float64Array(Math.max(0, len - 1)),
      new Float32Array(len + 1),
      new Int32Array(len),
      [] as number[],
      'out',
    ).map(
      (out) => call(rewards, k, { ...layout, out }),
    ),
    // Unknown backend.
    fc.constantFrom('gpu', 'wasm-nope', '').map((backend) => call(rewards, k, { ...layout, backend })),
  ];
  if (est.name === 'maxAtK') {
    // maxAtK's out holds the B metrics: wrong length is len + 1 or B + 1.
    mutations.push(fc.constant(call(rewards, k, { groupSize: n, out: new Float64Array(B + 1) })));
  }
  if (est.usesK) {
    mutations.push(
      fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, -Infinity, '2', null, 2n).map((kk) => call(rewards, kk, layout)),
      fc.integer({ min: n + 1, max: n + 5 }).map((kk) => call(rewards, kk, layout)),
    );
  }
  if (est.binary) {
    mutations.push(
      fc.tuple(fc.integer({ min: 0, max: len - 1 }), fc.constantFrom(0.5, 2, -1, 1e-9, 0.999)).map(([i, v]) => {
        const r = rewards.slice();
        r[i] = v;
        return call(r, k, layout);
      }),
    );
  }
  if (est.baselines) {
    mutations.push(
      fc.constantFrom<unknown>('lo1', 'LOO', 'loo1', 'rloo', '', 1, null).map((b) => call(rewards, k, { ...layout, baseline: b })),
      fc.constantFrom<unknown>('avg', 'SUM', 1, null).map((s) => call(rewards, k, { ...layout, scale: s })),
      // loo / loo-pkpo need k ≤ n − 1: k = n.
      fc.constantFrom('loo', 'loo-pkpo').map((b) => call(rewards, n, { ...layout, baseline: b })),
      // loo-1 at k = 1 falls back to loo, which needs n ≥ 2.
      fc.constant(call(rewards.slice(0, 1), 1, { baseline: 'loo-1' })),
    );
  }
  if (est.name === 'grpoAdvantage') {
    mutations.push(
      fc.constantFrom<unknown>(2, -1, '1', 0.5).map((ddof) => call(rewards, k, { ...layout, ddof })),
      fc.constantFrom<unknown>(-1e-6, NaN, Infinity, '1e-6').map((eps) => call(rewards, k, { ...layout, eps })),
      fc.constantFrom<unknown>('mean', 'STD', true).map((normalize) => call(rewards, k, { ...layout, normalize })),
      fc.constant(call(rewards.slice(0, 1), k, {})), // ddof 1 needs n ≥ 2
    );
  }
  if (est.name === 'rlooAdvantage') mutations.push(fc.constant(call(rewards.slice(0, 1), k, {})));
  return fc.oneof(...mutations);
});

describeEachBackend('random bad inputs', () => {
  it('every estimator throws an InferenceAwareRLError on a bad input and never returns', () => {
    fc.assert(
      fc.property(badCase, ({ what, run }) => {
        let result: unknown;
        let error: unknown;
        try {
          result = run();
        } catch (e) {
          error = e;
        }
        if (error === undefined) throw new Error(`${what} returned ${String(result)} instead of throwing`);
        if (!(error instanceof InferenceAwareRLError)) throw new Error(`${what} threw a non-library error: ${String(error)}`);
        expect(error.message.length).toBeGreaterThan(10);
        // The message names the argument (docs/errors.md).
        expect(error.message).toContain(error.argument);
      }),
      RUNS,
    );
  });

  it('passAtK(n, c, k) / logFailAtK(n, c, k) throw an InferenceAwareRLError on bad counts', () => {
    const badCount = fc.constantFrom<unknown>(-1, 1.5, NaN, Infinity, '3', null, undefined);
    const cases = fc.oneof(
      fc.tuple(badCount, fc.constant(1), fc.constant(1)),
      fc.tuple(fc.constant(5), badCount, fc.constant(1)),
      fc.tuple(fc.constant(5), fc.constant(1), fc.oneof(badCount, fc.constant(0))),
      fc.integer({ min: 1, max: 50 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: n + 1, max: n + 9 }), fc.constant(1))), // c > n
      fc.integer({ min: 1, max: 50 }).chain((n) => fc.tuple(fc.constant(n), fc.constant(0), fc.integer({ min: n + 1, max: n + 9 }))), // k > n
      fc.constant<[unknown, unknown, unknown]>([[5, 5], [1], 2]), // lengths differ
      fc.constant<[unknown, unknown, unknown]>([[5, 5], [1, 6], 2]), // c > n at index 1
      fc.constant<[unknown, unknown, unknown]>([5, [1, NaN], 2]),
      fc.constant<[unknown, unknown, unknown]>([{}, 1, 1]),
    );
    fc.assert(
      fc.property(cases, fc.boolean(), ([n, c, k], log) => {
        const f = log ? logFailAtK : passAtK;
        expect(() => (f as (a: unknown, b: unknown, c: unknown) => unknown)(n, c, k)).toThrow(InferenceAwareRLError);
      }),
      RUNS,
    );
  });
});
