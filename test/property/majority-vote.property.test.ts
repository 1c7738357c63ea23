/**
 * fast-check properties of majorityAtK / majorityVoteAdvantage (docs/estimators/majority-vote.md): relabelling answers
 * changes nothing, permuting samples permutes weights, a unanimous answer scores its reward, k = 1 is
 * the mean reward, loo is centred, Σ s_i = k·ρ, batched = concatenation.
 *
 * Majority vote has no kernels (the exact DP runs in the estimator), so its results must not depend on
 * the backend: the suite runs once under each default backend (js, wasm).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import { BASELINES, majorityAtK, majorityVoteAdvantage, type Answer, type Baseline, type TiePolicy } from '../../src/index.js';

const RUNS = { numRuns: 120 };
const LABELS: readonly Answer[] = [0, 1, 2, 3, 'a', 'b', null];
const REWARDS = [-1.5, 0, 0.25, 1, 2, 0.3];

interface Group {
  answers: Answer[];
  rewards: number[];
  k: number;
  ties: TiePolicy;
  baseline: Baseline;
}

function validBaselines(n: number, k: number): Baseline[] {
  return BASELINES.filter((b) => (b === 'loo' || b === 'loo-pkpo' || (b === 'loo-1' && k === 1) ? k <= n - 1 : true));
}

/** 1..12 answers over a small alphabet (many ties, some nulls), one reward per label, a valid k/baseline. */
const group: fc.Arbitrary<Group> = fc
  .record({
    picks: fc.array(fc.integer({ min: 0, max: LABELS.length - 1 }), { minLength: 1, maxLength: 12 }),
    rewardOf: fc.array(fc.constantFrom(...REWARDS), { minLength: LABELS.length, maxLength: LABELS.length }),
    ties: fc.constantFrom<TiePolicy>('split', 'fail'),
  })
  .chain(({ picks, rewardOf, ties }) =>
    fc.integer({ min: 1, max: picks.length }).chain((k) =>
      fc.constantFrom(...validBaselines(picks.length, k)).map((baseline) => ({
        answers: picks.map((p) => LABELS[p]),
        rewards: picks.map((p) => rewardOf[p]!),
        k,
        ties,
        baseline,
      })),
    ),
  );

function permutation(n: number): fc.Arbitrary<number[]> {
  return fc
    .array(fc.nat(), { minLength: n, maxLength: n })
    .map((keys) => Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b));
}

describeEachBackend('majority vote properties', () => {
  it('majorityAtK / majorityVoteAdvantage: relabelling the answers changes nothing', () => {
    fc.assert(
      fc.property(group, fc.integer({ min: 1, max: 1000 }), (g, shift) => {
        // an injective relabelling that also mixes types: numbers become strings and vice versa
        const relabel = (a: Answer): Answer =>
          a === null || a === undefined ? undefined : typeof a === 'number' ? `n${a + shift}` : a.charCodeAt(0) * 7 + shift;
        const other = g.answers.map(relabel);
        const opts = { ties: g.ties, baseline: g.baseline };
        expect(majorityAtK(other, g.rewards, g.k, { ties: g.ties })).toBe(majorityAtK(g.answers, g.rewards, g.k, { ties: g.ties }));
        expect([...majorityVoteAdvantage(other, g.rewards, g.k, opts)]).toEqual([
          ...majorityVoteAdvantage(g.answers, g.rewards, g.k, opts),
        ]);
      }),
      RUNS,
    );
  });

  it('majorityVoteAdvantage(answers, rewards, k): permuting the samples permutes the weights', () => {
    fc.assert(
      fc.property(group.chain((g) => fc.record({ g: fc.constant(g), perm: permutation(g.answers.length) })), ({ g, perm }) => {
        const opts = { ties: g.ties, baseline: g.baseline };
        const w = majorityVoteAdvantage(g.answers, g.rewards, g.k, opts);
        const wp = majorityVoteAdvantage(perm.map((i) => g.answers[i]), perm.map((i) => g.rewards[i]!), g.k, opts);
        perm.forEach((i, j) => expect(wp[j]).toBe(w[i]));
        expect(majorityAtK(perm.map((i) => g.answers[i]), perm.map((i) => g.rewards[i]!), g.k, { ties: g.ties })).toBe(
          majorityAtK(g.answers, g.rewards, g.k, { ties: g.ties }),
        );
      }),
      RUNS,
    );
  });

  it('majorityAtK(answers, rewards, k) with one unanimous answer equals its reward (and loo / loo-1 weights are 0)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.constantFrom<TiePolicy>('split', 'fail'),
        fc.nat(),
        (n, r, ties, kSeed) => {
          const k = 1 + (kSeed % n);
          const answers = new Array<Answer>(n).fill('42');
          const rewards = new Array<number>(n).fill(r);
          // (+1e-300: a subnormal r has fewer than 53 significant bits)
          expect(Math.abs(majorityAtK(answers, rewards, k, { ties }) - r)).toBeLessThanOrEqual(1e-14 * Math.abs(r) + 1e-300);
          if (k <= n - 1) {
            for (const baseline of ['loo', 'loo-1'] as const) {
              for (const w of majorityVoteAdvantage(answers, rewards, k, { ties, baseline })) {
                expect(Math.abs(w)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(r)));
              }
            }
          }
        },
      ),
      RUNS,
    );
  });

  it('majorityAtK(answers, rewards, 1) is the mean reward, null answers counting 0', () => {
    fc.assert(
      fc.property(group, (g) => {
        let sum = 0;
        g.answers.forEach((a, i) => (sum += a === null || a === undefined ? 0 : g.rewards[i]!));
        expect(majorityAtK(g.answers, g.rewards, 1, { ties: g.ties })).toBeCloseTo(sum / g.answers.length, 14);
      }),
      RUNS,
    );
  });

  it("majorityVoteAdvantage(answers, rewards, k, { baseline: 'loo' }) sums to 0 and 'none' sums to k·majorityAtK", () => {
    fc.assert(
      fc.property(group, (g) => {
        const n = g.answers.length;
        const none = majorityVoteAdvantage(g.answers, g.rewards, g.k, { ties: g.ties, baseline: 'none' });
        const rho = majorityAtK(g.answers, g.rewards, g.k, { ties: g.ties });
        expect(none.reduce((a, b) => a + b, 0)).toBeCloseTo(g.k * rho, 13);
        if (g.k <= n - 1) {
          const loo = majorityVoteAdvantage(g.answers, g.rewards, g.k, { ties: g.ties, baseline: 'loo' });
          expect(Math.abs(loo.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-13);
        }
      }),
      RUNS,
    );
  });

  it('majorityAtK / majorityVoteAdvantage with groupOffsets equal the per-group calls', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 4 }), fc.constantFrom<TiePolicy>('split', 'fail'), (groups, ties) => {
        const k = Math.min(...groups.map((g) => g.answers.length));
        const offsets = [0];
        for (const g of groups) offsets.push(offsets[offsets.length - 1]! + g.answers.length);
        const answers = groups.flatMap((g) => g.answers);
        const rewards = groups.flatMap((g) => g.rewards);
        const metric = majorityAtK(answers, rewards, k, { groupOffsets: offsets, ties });
        const w = majorityVoteAdvantage(answers, rewards, k, { groupOffsets: offsets, ties, baseline: 'none' });
        groups.forEach((g, b) => {
          expect(metric[b]).toBe(majorityAtK(g.answers, g.rewards, k, { ties }));
          const wg = majorityVoteAdvantage(g.answers, g.rewards, k, { ties, baseline: 'none' });
          wg.forEach((x, i) => expect(w[offsets[b]! + i]).toBe(x));
        });
      }),
      RUNS,
    );
  });
});
