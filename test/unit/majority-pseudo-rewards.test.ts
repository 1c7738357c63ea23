/**
 * majorityPseudoRewards against a naive re-count per sample (fast-check), the worked examples, the
 * diagnostics and the typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError, ShapeError, majorityPseudoRewards, type Answer } from '../../src/index.js';

/** The definition, spelled out: the mode of `votes` and each answer's share under the tie policy. */
function naiveShare(votes: readonly Answer[], a: Answer, ties: 'split' | 'fail'): number {
  if (a === null || a === undefined) return 0;
  const counts = new Map<string | number, number>();
  for (const v of votes) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  for (const c of counts.values()) best = Math.max(best, c);
  const tied = [...counts].filter(([, c]) => c === best && best > 0).map(([x]) => x);
  if (!tied.includes(a)) return 0;
  return tied.length === 1 ? 1 : ties === 'split' ? 1 / tied.length : 0;
}

const answer = fc.oneof(fc.constantFrom<Answer>('7', '8', 7, null, undefined, '9'));

describe('majorityPseudoRewards', () => {
  it("majorityPseudoRewards(answers, { vote, ties, extraVotes }) equals a naive re-count for every sample", () => {
    fc.assert(
      fc.property(
        fc.array(answer, { minLength: 1, maxLength: 12 }),
        fc.array(answer, { maxLength: 6 }),
        fc.constantFrom('all', 'loo') as fc.Arbitrary<'all' | 'loo'>,
        fc.constantFrom('split', 'fail') as fc.Arbitrary<'split' | 'fail'>,
        (answers, extra, vote, ties) => {
          const r = majorityPseudoRewards(answers, { vote, ties, extraVotes: extra });
          for (let i = 0; i < answers.length; i++) {
            const votes = [...answers, ...extra];
            if (vote === 'loo') votes.splice(i, 1);
            expect(r.rewards[i]).toBeCloseTo(naiveShare(votes, answers[i], ties), 15);
          }
          const nonNull = [...answers, ...extra].filter((v) => v !== null && v !== undefined);
          const best = Math.max(0, ...[...new Set(nonNull)].map((a) => nonNull.filter((v) => v === a).length));
          expect(r.majorityRatio[0]).toBeCloseTo(best / (answers.length + extra.length), 15);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('majorityPseudoRewards batched equals one call per group (groupSize, extraVoteOffsets)', () => {
    const answers = ['a', 'a', 'b', 'c', 'c', 'c', null, 'd'];
    const extra = ['b', 'b', 'b', 'd'];
    const r = majorityPseudoRewards(answers, { groupOffsets: [0, 3, 8], extraVotes: extra, extraVoteOffsets: [0, 3, 4], vote: 'loo' });
    const r0 = majorityPseudoRewards(answers.slice(0, 3), { extraVotes: extra.slice(0, 3), vote: 'loo' });
    const r1 = majorityPseudoRewards(answers.slice(3), { extraVotes: extra.slice(3), vote: 'loo' });
    expect(Array.from(r.rewards)).toEqual([...r0.rewards, ...r1.rewards]);
    expect(r.mode).toEqual(['b', 'c']);
    expect(Array.from(r.majorityRatio)).toEqual([4 / 6, 3 / 6]);
  });

  it("majorityPseudoRewards 'loo' removes self-reinforcement: a lone answer never labels itself", () => {
    expect(Array.from(majorityPseudoRewards(['x', 'y', 'z']).rewards)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(majorityPseudoRewards(['x', 'y', 'z'], { vote: 'loo' }).rewards)).toEqual([0, 0, 0]);
    expect(Array.from(majorityPseudoRewards(['x', 'x', 'y'], { vote: 'loo' }).rewards)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(majorityPseudoRewards(['x', 'x', 'y'], { vote: 'loo', ties: 'fail' }).rewards)).toEqual([0, 0, 0]);
    expect(Array.from(majorityPseudoRewards([null, null]).rewards)).toEqual([0, 0]);
  });

  it('majorityPseudoRewards diagnostics: majorityRatio, labelAccuracy and rewardAccuracy', () => {
    const r = majorityPseudoRewards(['4', '4', '5', '4', null], { trueRewards: [0, 0, 1, 0, 0] });
    expect(r.mode).toEqual(['4']);
    expect(r.majorityRatio[0]).toBe(3 / 5);
    expect(r.labelAccuracy?.[0]).toBe(0);
    expect(r.rewardAccuracy?.[0]).toBe(1 / 5); // only the null sample's pseudo-reward 0 matches
    const t = majorityPseudoRewards(['4', '5'], { trueRewards: [1, 0] });
    expect(t.labelAccuracy?.[0]).toBe(0.5); // split tie: half the tied labels are right
    expect(majorityPseudoRewards(['4', '5'], { trueRewards: [1, 0], ties: 'fail' }).labelAccuracy?.[0]).toBe(0);
    const x = majorityPseudoRewards(['4'], { extraVotes: ['6', '6'], extraTrueRewards: [1, 1], trueRewards: [0] });
    expect(x.labelAccuracy?.[0]).toBe(1);
  });

  it('majorityPseudoRewards throws typed errors for bad answers, options and layouts', () => {
    expect(() => majorityPseudoRewards([NaN])).toThrow('answers must not contain NaN');
    expect(() => majorityPseudoRewards([{}] as never)).toThrow(InvalidArgumentError);
    expect(() => majorityPseudoRewards(['a'], { vote: 'others' as never })).toThrow("opts.vote must be one of 'all' | 'loo'");
    expect(() => majorityPseudoRewards(['a'], { ties: 'random' as never })).toThrow(InvalidArgumentError);
    expect(() => majorityPseudoRewards(['a', 'b'], { trueRewards: [1] })).toThrow(ShapeError);
    expect(() => majorityPseudoRewards(['a', 'b'], { trueRewards: [1, 0.5] })).toThrow(DomainError);
    expect(() => majorityPseudoRewards(['a', 'a'], { trueRewards: [1, 0] })).toThrow('must give equal answers equal rewards');
    expect(() => majorityPseudoRewards(['a', 'b', 'c', 'd'], { groupSize: 2, extraVotes: ['x'] })).toThrow('opts.extraVotes must split evenly over the 2 groups');
    expect(() => majorityPseudoRewards(['a'], { extraVoteOffsets: [0, 1] })).toThrow('opts.extraVoteOffsets needs opts.extraVotes');
    expect(() => majorityPseudoRewards(['a'], { extraVotes: ['b', 'b'], trueRewards: [0] })).toThrow('pass opts.extraTrueRewards');
    expect(() => majorityPseudoRewards(['a'], { vot: 'loo' } as never)).toThrow('opts.vot is not an option of majorityPseudoRewards');
    expect(() => majorityPseudoRewards([])).toThrow(ShapeError);
  });
});
